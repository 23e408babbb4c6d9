"""A notification for one user: what finished, in both languages (jobs run without a request, so the page
picks the reader's language when it shows it), and where to look."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("Impor daftar")
        REPORT = "report", _("Laporan")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    message = models.CharField(_("pesan"), max_length=400)  # Indonesian
    message_en = models.CharField(max_length=400, blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")  # a path on this site
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")

    def __str__(self) -> str:
        return self.message

    def text(self, language: str | None) -> str:
        """The message in ``language`` (English when asked for and known, else Indonesian)."""
        return self.message_en if (language or "").startswith("en") and self.message_en else self.message
