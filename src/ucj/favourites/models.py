"""A named link to a page of this site with its filters, kept for one user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nama"), max_length=80)
    url = models.CharField(max_length=500)  # a path of this site and its query, never a host
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="favourite_user_name")]
        verbose_name = _("favorit")
        verbose_name_plural = _("favorit")

    def __str__(self) -> str:
        return self.name
