"""The archive of issued reports (issue 15 §5): one row per issued file, immutable once rendered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportImmutable(Exception):
    """An issued report cannot be changed or deleted."""


class IssuedReport(models.Model):
    """A report issued for a region and month: the file (under ``UCJ_DATA_DIR/reports``, mode 0600), its SHA-256,
    who issued it and when, and the data version it was computed on (``report_version``: every source it reads,
    ``data_version``: the coverage version among them). Rendering runs in the background worker
    (``status``/``progress``/``stage`` show how far it is); once ``done`` the row and its file never change,
    so downloading it again returns the identical bytes."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Laporan bulanan")
        INDICATOR = "indicator", _("Lembar indikator pembangunan")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               verbose_name=_("wilayah"))  # fmt: skip
    month = models.DateField(_("bulan"))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    lang = models.CharField(_("bahasa"), max_length=2, default="id")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=80, blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    file = models.CharField(max_length=200, blank=True, default="")  # relative to settings.DATA_DIR
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    data_version = models.CharField(_("versi data"), max_length=64, blank=True, default="")  # the coverage version
    #: The report's data version (:mod:`ucj.reports.version`): a digest of the coverage version and the change
    #: markers of every other source the report reads (plans, bills, commitments, targeting), kept in ``sources``.
    report_version = models.CharField(_("versi data laporan"), max_length=64, blank=True, default="")
    sources = models.JSONField(_("penanda sumber data"), default=dict, blank=True)
    scheduled = models.BooleanField(_("terbit terjadwal"), default=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("diterbitkan oleh"))  # fmt: skip
    issued_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "region_id", "-issued_at", "-pk"]
        indexes = [models.Index(fields=["region", "month"], name="reports_region_month")]
        verbose_name = _("laporan terbit")
        verbose_name_plural = _("laporan terbit")

    def __str__(self) -> str:
        return f"{self.kind} {self.region_id} {self.month:%Y-%m} {self.format}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to change a report that is already done (its file and hash are the record)."""
        if self.pk and IssuedReport.objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise ReportImmutable(f"laporan #{self.pk} sudah terbit dan tidak dapat diubah / report #{self.pk} "
                                  "was issued and cannot be changed")  # fmt: skip
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == self.Status.DONE:
            raise ReportImmutable(f"laporan #{self.pk} sudah terbit dan tidak dapat dihapus / report #{self.pk} "
                                  "was issued and cannot be deleted")  # fmt: skip
        return super().delete(*args, **kwargs)

    @property
    def file_name(self) -> str:
        """The name a download gets: ``laporan-16.06-2024-12.pdf`` / ``indikator-16-2024-12.xlsx``."""
        stem = "laporan" if self.kind == self.Kind.MONTHLY else "indikator"
        return f"{stem}-{self.region_id}-{self.month:%Y-%m}-{self.lang}.{self.format}"
