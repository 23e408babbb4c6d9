"""Saved budget scenarios: the question asked (``spec``) and the answer computed (``result``), so scenarios
can be compared side by side and the answer shown again exactly as it was given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    name = models.CharField(_("nama skenario"), max_length=120)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))  # fmt: skip
    year = models.PositiveSmallIntegerField(_("tahun"))
    question = models.CharField(_("pertanyaan"), max_length=20)
    spec = models.JSONField(_("masukan"))
    result = models.JSONField(_("hasil"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("skenario anggaran")
        verbose_name_plural = _("skenario anggaran")

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id}, {self.year})"
