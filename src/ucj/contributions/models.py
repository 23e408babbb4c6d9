"""Contribution rules, per-region village-role defaults, bills and payments (the thin shell around the core)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ucj.contributions import rules as core
from ucj.registry.models import Payer, Segment, VillageRole


class ContributionRule(models.Model):
    """One effective-dated rule row (see :mod:`ucj.contributions.rules`); only ``admin`` edits them, audited."""

    code = models.CharField(_("keluarga aturan"), max_length=30)
    variant = models.CharField(_("varian"), max_length=20, blank=True, default="")
    valid_from = models.DateField(_("berlaku mulai"))
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)
    rate_employer = models.DecimalField(_("tarif pemberi kerja (%)"), max_digits=6, decimal_places=2, null=True,
                                        blank=True)  # fmt: skip
    rate_worker = models.DecimalField(_("tarif pekerja (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    rate_government = models.DecimalField(_("tarif pemerintah (%)"), max_digits=6, decimal_places=2, null=True,
                                          blank=True)  # fmt: skip
    rate_recomposed = models.DecimalField(_("tarif rekomposisi (%)"), max_digits=6, decimal_places=2, null=True,
                                          blank=True)  # fmt: skip
    amount = models.BigIntegerField(_("nominal (Rp)"), null=True, blank=True)
    lower = models.BigIntegerField(_("batas bawah"), null=True, blank=True)
    upper = models.BigIntegerField(_("batas atas"), null=True, blank=True)
    factor = models.DecimalField(_("faktor keringanan"), max_digits=4, decimal_places=2, null=True, blank=True)
    segments = models.CharField(_("segmen"), max_length=40, blank=True, default="")
    programs = models.CharField(_("program"), max_length=40, blank=True, default="")
    excluded_payers = models.CharField(_("pembayar yang dikecualikan"), max_length=120, blank=True, default="")
    source = models.CharField(_("dasar hukum"), max_length=250)
    note = models.CharField(_("catatan"), max_length=250, blank=True, default="")

    class Meta:
        ordering = ["code", "variant", "valid_from"]
        verbose_name = _("aturan iuran")
        verbose_name_plural = _("aturan iuran")
        constraints = [models.UniqueConstraint(fields=["code", "variant", "valid_from"], name="unique_rule_version")]

    def __str__(self) -> str:
        # Never raises, even for a row the admin is about to refuse (to_rule() would).
        variant = f"/{self.variant}" if self.variant else ""
        return f"{self.code}{variant}@{self.valid_from}"

    def to_rule(self) -> core.Rule:
        row = {c: "" if getattr(self, c) is None else str(getattr(self, c)) for c in core.COLUMNS}
        return core.rule_from_row(row)


class RoleDefault(models.Model):
    """How a region registers a village role (or vulnerable workers) when a roster does not say:
    segment, programmes, payer, risk class and declared income. The most specific region wins; rows without
    a region are the national fallback. Practice differs between regions (shared/domain.md §2, open question 8).
    """

    RENTAN = "rentan"
    ROLE_CHOICES = [*VillageRole.choices, (RENTAN, _("Pekerja rentan (tanpa peran desa)"))]

    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", db_constraint=False, verbose_name=_("wilayah"))  # fmt: skip
    role = models.CharField(_("peran"), max_length=20, choices=ROLE_CHOICES)
    segment = models.CharField(_("segmen"), max_length=5, choices=Segment.choices)
    programs = models.CharField(_("program"), max_length=40, default="JKK,JKM")
    payer = models.CharField(_("pembayar iuran"), max_length=15, choices=Payer.choices)
    risk_class = models.PositiveSmallIntegerField(_("kelas risiko JKK"), null=True, blank=True)
    income = models.BigIntegerField(_("penghasilan/upah dasar (Rp)"), null=True, blank=True)
    source = models.CharField(_("dasar (Perbup, Perkades, ...)"), max_length=250, blank=True, default="")

    class Meta:
        ordering = ["region_id", "role"]
        verbose_name = _("bawaan peran desa")
        verbose_name_plural = _("bawaan peran desa")
        constraints = [models.UniqueConstraint(fields=["region", "role"], name="unique_role_default",
                                               nulls_distinct=False)]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.region_id or '*'} {self.role}"


class Bill(models.Model):
    """What one payer owes for one month for the participants it pays for in one region."""

    class Status(models.TextChoices):
        OPEN = "open", _("Belum dibayar")
        PAID = "paid", _("Lunas")

    payer = models.CharField(_("pembayar"), max_length=15, choices=Payer.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               verbose_name=_("wilayah"))  # fmt: skip
    month = models.DateField(_("bulan iuran"))
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    participants = models.PositiveIntegerField(_("peserta"), default=0)
    months = models.PositiveIntegerField(_("bulan-peserta"), default=0)
    total = models.BigIntegerField(_("jumlah (Rp)"), default=0)
    employer_total = models.BigIntegerField(default=0)
    worker_total = models.BigIntegerField(default=0)
    government_total = models.BigIntegerField(default=0)
    program_totals = models.JSONField(default=dict)
    tariffs = models.JSONField(default=list)  # per tariff: inputs and per-programme rule ids and sources
    notes = models.JSONField(default=list)  # participants left out and why, warnings (no personal data)
    # The bill month's due date (the earliest of its segments: PU the 15th of the next month, BPU the 15th of the
    # month; DUE.DATE rules), and per contribution month and segment the amount owed: the base of late fines.
    due_date = models.DateField(_("jatuh tempo"), null=True, blank=True)
    month_amounts = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "payer", "region_id"]
        verbose_name = _("tagihan")
        verbose_name_plural = _("tagihan")
        constraints = [models.UniqueConstraint(fields=["payer", "region", "month"], name="unique_bill")]

    def __str__(self) -> str:
        return f"Tagihan {self.payer} {self.region_id} {self.month:%Y-%m}"


class BillLine(models.Model):
    """One participant on a bill: the months billed (arrears + the bill month) and the amounts."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    participant = models.ForeignKey("registry.Participant", on_delete=models.CASCADE, related_name="+",
                                    db_constraint=False)  # fmt: skip
    first_month = models.DateField()
    months = models.PositiveSmallIntegerField(default=1)
    tariff = models.PositiveIntegerField(default=0)  # index into Bill.tariffs (the bill month's tariff)
    jkk = models.BigIntegerField(default=0)
    jkm = models.BigIntegerField(default=0)
    jht = models.BigIntegerField(default=0)
    jp = models.BigIntegerField(default=0)
    jkp = models.BigIntegerField(default=0)
    employer = models.BigIntegerField(default=0)
    worker = models.BigIntegerField(default=0)
    government = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)
    lapses_if_unpaid = models.BooleanField(default=False)
    # The payment that paid this line (a bill may be paid in parts: a subset of its participants at a time).
    payment = models.ForeignKey("Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="lines",
                                db_constraint=False)  # fmt: skip

    class Meta:
        ordering = ["bill", "id"]
        indexes = [models.Index(fields=["participant"], name="billline_participant")]

    def __str__(self) -> str:
        return f"Baris tagihan {self.bill_id}/{self.pk}"  # never the NIK or the name


class Payment(models.Model):
    """A recorded payment: of a whole bill, or of one participant's months. Moves paid-through."""

    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    participant = models.ForeignKey("registry.Participant", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+", db_constraint=False)  # fmt: skip
    paid_through = models.DateField(_("dibayar s.d."))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    paid_on = models.DateField(_("tanggal bayar"))
    reference = models.CharField(_("nomor bukti"), max_length=80, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("pembayaran")
        verbose_name_plural = _("pembayaran")

    def __str__(self) -> str:
        return f"Pembayaran {self.pk} s.d. {self.paid_through:%Y-%m}"
