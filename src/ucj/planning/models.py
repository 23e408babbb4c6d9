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


class AccountCode(models.Model):
    """One line of a region's budget code list for the RKA (``ucj plan codes load``): the account code, the
    programme and the activity under which a payer budgets BPJS Ketenagakerjaan contributions. The codes are
    each region's own (its Perkada on the budget nomenclature); UCJ ships none."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))  # fmt: skip
    payer = models.CharField(_("pembayar"), max_length=20)
    program = models.CharField(_("program BPJS"), max_length=5, blank=True, default="")  # "" = every programme
    code = models.CharField(_("kode rekening"), max_length=80)
    programme = models.CharField(_("program"), max_length=250)
    activity = models.CharField(_("kegiatan"), max_length=250)
    source = models.CharField(_("sumber"), max_length=250, blank=True, default="")

    class Meta:
        ordering = ["region", "payer", "program"]
        constraints = [models.UniqueConstraint(fields=["region", "payer", "program"], name="planning_code_unique")]
        verbose_name = _("kode rekening RKA")
        verbose_name_plural = _("kode rekening RKA")

    def __str__(self) -> str:
        return f"{self.region_id} {self.payer} {self.program or '*'}: {self.code}"
