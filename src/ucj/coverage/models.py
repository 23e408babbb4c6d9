"""Denominators, targets, participation feeds and monthly coverage facts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Definition(models.TextChoices):
    """What a denominator counts (shared/domain.md §3.1: the two differ by about 30 %)."""

    ELIGIBLE = "eligible", _("Pekerja eligible (BPJS, potensi tenaga kerja)")
    BPS_EMPLOYED = "bps_employed", _("Penduduk bekerja (BPS Sakernas)")
    VULNERABLE = "vulnerable", _("Pekerja miskin/rentan (P3KE, DTKS, DTSEN)")
    # Bappenas reference code 06.02.021 (domain.md §3.1): BPU participants in JKK & JKM ÷ the BPU universe
    # (informal workers). With this definition the numerator is the BPU segment only (indicator.NUMERATOR_SEGMENTS).
    BPU_UNIVERSE = "bpu_universe", _("Semesta PBPU / pekerja informal (indikator Bappenas 06.02.021)")


class Workforce(models.Model):
    """The number of workers a coverage rate divides by, for a region, year and definition, with its source."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               verbose_name=_("wilayah"))  # fmt: skip
    year = models.PositiveSmallIntegerField(_("tahun"))
    definition = models.CharField(_("definisi"), max_length=15, choices=Definition.choices)
    workers = models.BigIntegerField(_("jumlah pekerja"))
    source = models.CharField(_("sumber"), max_length=250)
    synthetic = models.BooleanField(_("data sintetis (demo)"), default=False)

    class Meta:
        ordering = ["region_id", "year", "definition"]
        verbose_name = _("jumlah pekerja (penyebut)")
        verbose_name_plural = _("jumlah pekerja (penyebut)")
        constraints = [models.UniqueConstraint(fields=["region", "year", "definition"], name="unique_workforce")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.definition}: {self.workers}"


class Target(models.Model):
    """A coverage target for a region and year on one definition: a rate or a count, with its legal source."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               verbose_name=_("wilayah"))  # fmt: skip
    year = models.PositiveSmallIntegerField(_("tahun"))
    definition = models.CharField(_("definisi"), max_length=15, choices=Definition.choices,
                                  default=Definition.ELIGIBLE)  # fmt: skip
    rate = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    count = models.BigIntegerField(_("target (pekerja)"), null=True, blank=True)
    source = models.CharField(_("dasar hukum/sumber"), max_length=250)
    synthetic = models.BooleanField(_("data sintetis (demo)"), default=False)

    class Meta:
        ordering = ["region_id", "year", "definition"]
        verbose_name = _("target cakupan")
        verbose_name_plural = _("target cakupan")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "definition"], name="unique_target"),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=False) | models.Q(count__isnull=False), name="target_rate_or_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.rate if self.rate is not None else self.count}"


class FeedBatch(models.Model):
    """One uploaded participation feed (aggregate counts from BPJS), loaded all or nothing."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    synthetic = models.BooleanField(default=False)
    #: The months the file gave ("YYYY-MM") and its findings (warnings: a loaded feed has no rejected row), as
    #: the imports page and the feed page list them (issue 16 item 2). Counts per region: no personal data.
    months = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feed {self.pk} {self.file_name}"

    @property
    def last_month(self) -> str:
        """The latest month the file gave ("YYYY-MM"), or ""."""
        return max(self.months) if self.months else ""


class FeedRow(models.Model):
    """Active participants in a region and month for a segment (and ecosystem/payer when BPJS gives them).
    A later feed for the same region × month × segment × ecosystem × payer replaces the earlier count."""

    batch = models.ForeignKey(FeedBatch, on_delete=models.CASCADE, related_name="feed_rows")
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    month = models.DateField()
    segment = models.CharField(max_length=5)
    ecosystem = models.CharField(max_length=10, blank=True, default="")
    payer = models.CharField(max_length=15, blank=True, default="")
    active = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "month", "segment", "ecosystem", "payer"],
                                               name="unique_feed_cell")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.segment}: {self.active}"


class CoverageFact(models.Model):
    """Active participants from the registry per region (every level) × month × segment × ecosystem × payer,
    rebuilt by ``ucj coverage rebuild`` and refreshed for the touched villages after imports and payments."""

    region = models.CharField(max_length=13)
    level = models.PositiveSmallIntegerField()
    month = models.DateField()
    segment = models.CharField(max_length=5)
    ecosystem = models.CharField(max_length=10)
    payer = models.CharField(max_length=15)
    active = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["region", "month"], name="fact_region_month")]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m}: {self.active}"
