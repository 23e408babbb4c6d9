"""Participants (peserta) and import batches."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from ucj.registry import publicid
from ucj.registry.status import active_since


class Ecosystem(models.TextChoices):
    DESA = "desa", _("Desa")
    PASAR = "pasar", _("Pasar")
    UMKM = "umkm", _("UMKM")
    RENTAN = "rentan", _("Pekerja rentan")
    LAINNYA = "lainnya", _("Lainnya")


class Segment(models.TextChoices):
    PU = "PU", _("Penerima upah (PU)")
    BPU = "BPU", _("Bukan penerima upah (BPU)")
    JAKON = "JAKON", _("Jasa konstruksi (JAKON)")
    PMI = "PMI", _("Pekerja migran (PMI)")


class VillageRole(models.TextChoices):
    KEPALA_DESA = "kepala_desa", _("Kepala desa")
    PERANGKAT_DESA = "perangkat_desa", _("Perangkat desa")
    BPD = "bpd", _("Anggota BPD")
    RT = "rt", _("Ketua RT")
    RW = "rw", _("Ketua RW")
    LKD = "lkd", _("Lembaga kemasyarakatan desa")


class Payer(models.TextChoices):
    MANDIRI = "mandiri", _("Mandiri")
    EMPLOYER = "employer", _("Pemberi kerja")
    APBN = "apbn", _("APBN")
    APBD_PROVINSI = "apbd_provinsi", _("APBD provinsi")
    APBD_KABKOTA = "apbd_kabkota", _("APBD kabupaten/kota")
    APBDES = "apbdes", _("APBDes/ADD")
    OTHER = "other", _("Lainnya (CSR, ...)")


def public_id_key() -> bytes:
    """The key of the public-id permutation, derived from the secret key (changing it changes every URL)."""
    return hashlib.sha256(b"ucj-public-id:" + settings.SECRET_KEY.encode()).digest()


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def by_public_id(self, public: str) -> ParticipantQuerySet:
        """The participant with this opaque id (none for an invalid one)."""
        pk = publicid.decode(public, public_id_key())
        return self.filter(pk=pk) if pk is not None else self.none()

    def active_on(self, as_of: dt.date) -> ParticipantQuerySet:
        """Participants whose protection is active on ``as_of`` (see :mod:`ucj.registry.status`)."""
        return self.filter(paid_through__gte=active_since(as_of, settings.UCJ_LAPSE_MONTHS))

    def inactive_on(self, as_of: dt.date) -> ParticipantQuerySet:
        since = active_since(as_of, settings.UCJ_LAPSE_MONTHS)
        return self.filter(models.Q(paid_through__lt=since) | models.Q(paid_through__isnull=True))


class EmployerSector(models.TextChoices):
    """The employer's industry as the PP 7/2025 JKK relief names it (codes of ``ucj.contributions.rules.SECTORS``;
    the industry list is from news [S], see docs/contributions.md)."""

    TEXTILE = "textile", _("Tekstil dan pakaian jadi")
    FOOTWEAR = "footwear", _("Alas kaki")
    LEATHER = "leather", _("Kulit dan barang dari kulit")
    FURNITURE = "furniture", _("Furnitur")
    FOOD = "food", _("Makanan dan minuman")
    TOYS = "toys", _("Mainan anak")
    OTHER = "other", _("Lainnya")


class Participant(models.Model):
    """A worker in the registry. NIK is unique; :attr:`public_hex` is the opaque id used in URLs and the API."""

    nik = models.CharField("NIK", max_length=16, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(
        _("jenis kelamin"), max_length=1, blank=True, default="", db_default="", choices=[("L", "L"), ("P", "P")]
    )
    desa = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("desa/kelurahan"),
    )  # indexed by the composite index below
    occupation = models.CharField(_("jabatan/pekerjaan"), max_length=120, blank=True, default="", db_default="")
    village_role = models.CharField(_("peran di desa"), max_length=20, blank=True, default="", db_default="",
                                    choices=VillageRole.choices)  # fmt: skip
    ecosystem = models.CharField(_("ekosistem"), max_length=10, choices=Ecosystem.choices, default="lainnya")
    segment = models.CharField(_("segmen"), max_length=5, choices=Segment.choices, default="BPU")
    payer = models.CharField(
        _("pembayar iuran"), max_length=15, blank=True, default="", db_default="", choices=Payer.choices
    )
    jkk = models.BooleanField("JKK", default=True)
    jkm = models.BooleanField("JKM", default=True)
    jht = models.BooleanField("JHT", default=False)
    jp = models.BooleanField("JP", default=False)
    jkp = models.BooleanField("JKP", default=False)
    income = models.BigIntegerField(_("penghasilan/upah per bulan (Rp)"), null=True, blank=True)
    risk_class = models.PositiveSmallIntegerField(_("kelas risiko JKK"), null=True, blank=True)  # PU: 1-5
    poverty_decile = models.PositiveSmallIntegerField(_("desil kesejahteraan"), null=True, blank=True)
    # PU: the employer's industry and number of workers (PP 7/2025 jo. PP 36/2025 JKK relief; issue 12 item 4)
    employer_sector = models.CharField(  # noqa: DJ001 (NULL = not known; a blank roster cell keeps the stored value)
        _("sektor usaha pemberi kerja"), max_length=12, null=True, blank=True, choices=EmployerSector.choices
    )
    employer_size = models.PositiveIntegerField(_("jumlah pekerja pemberi kerja"), null=True, blank=True)
    # The ecosystem unit the roster names (a market, UMKM group, fishermen's group...; issue 13 §4), matched to
    # ucj.commitments.EcosystemUnit by village and folded name so each unit shows workers known vs covered.
    unit_name = models.CharField(  # noqa: DJ001 (NULL = not given; a blank roster cell keeps the stored value)
        _("unit ekosistem (pasar/kelompok)"), max_length=120, null=True, blank=True
    )
    kpj = models.CharField(_("nomor KPJ"), max_length=20, blank=True, default="", db_default="")
    phone = models.CharField(_("no. HP"), max_length=20, blank=True, default="", db_default="")
    address = models.CharField(_("alamat"), max_length=250, blank=True, default="", db_default="")
    coverage_start = models.DateField(_("mulai kepesertaan"), null=True, blank=True)
    paid_through = models.DateField(_("iuran dibayar s.d."), null=True, blank=True)
    source_batch = models.ForeignKey(
        "registry.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # The roster row last applied (ucj.registry.fingerprint): a re-import skips a row whose fingerprint is
    # unchanged. A trigger clears it when anything else changes a data column; NULL: compare in full.
    roster_fingerprint = models.BigIntegerField(null=True, editable=False)
    # Database defaults, so bulk inserts need not send the same timestamp a million times.
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        # Few indexes on purpose: each one slows the bulk import. One composite index serves scoping (a range
        # on the desa code), the segment/ecosystem/status filters and per-village counts as a covering scan;
        # name search is a substring scan that no B-tree index would serve.
        indexes = [
            models.Index(fields=["desa", "segment", "ecosystem", "paid_through"], name="participant_region_facts")
        ]

    def __str__(self) -> str:
        return f"Peserta {self.public_hex}"  # never the NIK or the name: str() ends up in logs

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved through the ORM, the row is no longer the roster row its fingerprint names: the import writes by
        SQL. The guard trigger would miss an instance read before an import rewrote the row (its UPDATE carries
        the old fingerprint, not the stored one), so a full save writes none."""
        self.roster_fingerprint = None
        super().save(*args, **kwargs)

    @property
    def public_hex(self) -> str:
        """The opaque id of this participant (see :mod:`ucj.registry.publicid`)."""
        return publicid.encode(self.pk, public_id_key())

    @property
    def programs(self) -> list[str]:
        return [p for p in ("JKK", "JKM", "JHT", "JP", "JKP") if getattr(self, p.lower())]


class ImportBatch(models.Model):
    """One uploaded roster: who, when, which file, what happened to every row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Antri")
        RUNNING = "running", _("Diproses")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(max_length=10, default="roster")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    stored_file = models.CharField(max_length=300, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    sheet = models.CharField(max_length=100, blank=True, default="")
    columns = models.JSONField(default=dict, blank=True)  # {"used": {...}, "ignored": [...]}
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    #: One byte per data row in file order: outcome codes, see ROW_OUTCOMES (zlib-compressed).
    outcomes = models.BinaryField(null=True, blank=True, editable=False)
    first_row = models.PositiveIntegerField(null=True, blank=True)
    #: Findings beyond UCJ_MAX_STORED_FINDINGS that were counted but not stored (issue 11 §13).
    findings_not_stored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch impor")
        verbose_name_plural = _("batch impor")

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.file_name}"


class ImportIssue(models.Model):
    """One finding (error or warning) on one row of an import batch."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=120, blank=True, default="")
    code = models.CharField(max_length=30)
    severity = models.CharField(max_length=8)
    value = models.CharField(max_length=300, blank=True, default="")
    extra = models.CharField(max_length=600, blank=True, default="")

    class Meta:
        ordering = ["batch", "row", "id"]
        indexes = [models.Index(fields=["batch", "row"], name="importissue_batch_row")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.code}"

    def message(self, lang: str = "id") -> str:
        """The finding's message in ``lang`` (``id`` or ``en``)."""
        from ucj.registry.issues import Finding

        return Finding(self.row, self.column, self.code, self.value, self.extra).message(lang)


class RejectedRow(models.Model):
    """The original cells of a rejected row, kept so it can be exported, fixed and uploaded again."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    row = models.PositiveIntegerField()
    cells = models.JSONField()  # list of cell texts in the file's column order
    reasons = models.TextField()

    class Meta:
        ordering = ["batch", "row"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row}"


class TransferRequest(models.Model):
    """A request to move a participant registered in another region into the requester's village.

    A roster may only create and update people inside the uploader's write scope; a row whose NIK is
    registered elsewhere is left alone and its uploader may ask for the person here. Someone with write
    scope over the person's *current* village decides; until then the requester sees nothing of the person.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        APPROVED = "approved", _("Disetujui")
        REFUSED = "refused", _("Ditolak")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    from_desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    to_desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    row = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("alasan"), max_length=500, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(_("catatan keputusan"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("permintaan pindah")
        verbose_name_plural = _("permintaan pindah")
        constraints = [
            # One open request per person and destination: asking twice adds nothing.
            models.UniqueConstraint(
                fields=["participant", "to_desa"], condition=models.Q(status="pending"), name="transfer_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"Transfer #{self.pk} {self.status}"  # never the NIK or the name


class NikConflict(models.Model):
    """A roster row whose NIK is registered to someone else (another name or birth date): nothing was
    written; a person with write scope over the participant's village keeps, replaces or rejects it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        KEPT = "kept", _("Data tersimpan dipertahankan")
        REPLACED = "replaced", _("Diganti dengan data baru")
        REJECTED = "rejected", _("Baris ditolak")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField(null=True, blank=True)
    #: The row's values as written to a participant (field -> JSON value; absent = blank cell).
    incoming = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("konflik NIK")
        verbose_name_plural = _("konflik NIK")
        indexes = [models.Index(fields=["status", "participant"], name="nikconflict_status")]

    def __str__(self) -> str:
        return f"Konflik #{self.pk} {self.status}"


class EcosystemRule(models.Model):
    """Occupation → ecosystem for a region (issue 12 item 17): a roster row whose occupation holds ``keyword``
    (whole words, case and punctuation ignored) is in ``ecosystem``. Rows without a region are the national
    default (shipped: ``registry/data/ecosystem_mapping.csv``, loaded by migration 0004); the most specific region
    wins, then the longest keyword (:func:`ucj.registry.vocab.ecosystems_for`). A village role is always desa."""

    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               db_constraint=False, verbose_name=_("wilayah"))  # fmt: skip
    keyword = models.CharField(_("kata kunci pekerjaan"), max_length=80)
    ecosystem = models.CharField(_("ekosistem"), max_length=10, choices=Ecosystem.choices)
    source = models.CharField(_("sumber/dasar"), max_length=250, blank=True, default="")

    class Meta:
        ordering = ["region_id", "keyword"]
        verbose_name = _("pemetaan pekerjaan ke ekosistem")
        verbose_name_plural = _("pemetaan pekerjaan ke ekosistem")
        constraints = [models.UniqueConstraint(fields=["region", "keyword"], name="unique_ecosystem_rule",
                                               nulls_distinct=False)]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.region_id or '*'} {self.keyword} → {self.ecosystem}"
