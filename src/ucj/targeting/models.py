"""Tables of targeting (issue 14): person lists, the BPJS person-level files, and the enrolment pipeline.

Lists are kept apart from the registry: a listed person is a *candidate*, not a protected worker. A list is
identified by its source name and region; loading the same source again replaces its people. Every BPJS file is
kept with its records (the history per NIK); the newest file by ``as_of`` is authoritative for a NIK as of its
date. An enrolment follows one person (NIK) in one kab/kota from "identified" to "active" (docs/targeting.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListSource(models.Model):
    """One loaded person list: a DTSEN/P3KE extract, a village population export or a sector list."""

    class Kind(models.TextChoices):
        DTSEN = "dtsen", _("DTSEN / DTKS / Regsosek")
        P3KE = "p3ke", _("P3KE")
        POPULATION = "population", _("Data penduduk desa")
        SECTOR = "sector", _("Daftar sektor")

    name = models.CharField(_("nama sumber"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               verbose_name=_("wilayah"))  # fmt: skip
    file_name = models.CharField(max_length=255, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    loaded_at = models.DateTimeField(_("dimuat"), auto_now=True)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    #: Codes → counts of the findings (the findings themselves are answered at load time; no personal data here).
    finding_counts = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("daftar sasaran")
        verbose_name_plural = _("daftar sasaran")
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="targeting_source_name_region")]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id})"


class ListPerson(models.Model):
    """One person of a list (accepted rows only; rejected rows are findings of the load)."""

    source = models.ForeignKey(ListSource, on_delete=models.CASCADE, related_name="people", db_index=False)
    nik = models.CharField("NIK", max_length=16, db_index=True)
    name = models.CharField(_("nama"), max_length=200)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, blank=True, default="")
    desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False, verbose_name=_("desa/kelurahan"))  # fmt: skip
    decile = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=120, blank=True, default="")
    village_role = models.CharField(_("peran di desa"), max_length=20, blank=True, default="")
    #: Group tags, comma-separated (nelayan, petani, pedagang, umkm, ...; docs/targeting.md).
    groups = models.CharField(_("kelompok"), max_length=200, blank=True, default="")
    row = models.PositiveIntegerField(_("baris"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("orang dalam daftar")
        verbose_name_plural = _("orang dalam daftar")
        indexes = [models.Index(fields=["source", "desa"], name="listperson_source_desa"),
                   models.Index(fields=["desa"], name="listperson_desa")]  # fmt: skip

    def __str__(self) -> str:
        return f"Orang {self.pk} ({self.source_id})"  # never the NIK or the name


class BpjsFile(models.Model):
    """One person-level participant file from a BPJS branch, authoritative as of ``as_of``."""

    as_of = models.DateField(_("per tanggal"))
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_constraint=False)  # fmt: skip
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    loaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    inactive = models.PositiveIntegerField(default=0)
    matched_registry = models.PositiveIntegerField(default=0)
    #: The reconciliation counts (unknown to lists and registry, registry not in BPJS, disagreements, moves).
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("berkas peserta BPJS")
        verbose_name_plural = _("berkas peserta BPJS")

    def __str__(self) -> str:
        return f"BPJS {self.as_of:%Y-%m-%d} #{self.pk}"


class BpjsRecord(models.Model):
    """One person in one BPJS file: the history of a NIK is its records over the files."""

    class Status(models.TextChoices):
        ACTIVE = "aktif", _("Aktif")
        INACTIVE = "nonaktif", _("Non aktif")

    file = models.ForeignKey(BpjsFile, on_delete=models.CASCADE, related_name="records", db_index=False)
    nik = models.CharField("NIK", max_length=16, db_index=True)
    kpj = models.CharField(_("nomor KPJ"), max_length=20, blank=True, default="")
    name = models.CharField(_("nama"), max_length=200, blank=True, default="")
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    segment = models.CharField(_("segmen"), max_length=5, blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    last_paid = models.DateField(_("bulan terakhir dibayar"), null=True, blank=True)
    desa = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    row = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["file", "id"]
        verbose_name = _("data peserta BPJS")
        verbose_name_plural = _("data peserta BPJS")
        indexes = [models.Index(fields=["file", "nik"], name="bpjsrecord_file_nik")]

    def __str__(self) -> str:
        return f"BPJS {self.file_id}/{self.pk}"


class Status(models.TextChoices):
    """Stages of the enrolment pipeline (docs/targeting.md; transitions in :mod:`ucj.targeting.rules`)."""

    IDENTIFIED = "identified", _("Teridentifikasi")
    CONTACTED = "contacted", _("Sudah dihubungi")
    SUBMITTED = "submitted", _("Diajukan ke BPJS")
    REGISTERED = "registered", _("Terdaftar")
    ACTIVE = "active", _("Aktif")
    DECLINED = "declined", _("Menolak")
    NOT_FOUND = "not_found", _("Tidak ditemukan")
    MOVED = "moved", _("Pindah")
    DECEASED = "deceased", _("Meninggal")


class SubmissionFile(models.Model):
    """A collective registration file issued for BPJS from the submitted people of a region."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=120)
    fmt = models.CharField(max_length=4, default="xlsx")
    people = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    content = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("berkas pendaftaran kolektif")
        verbose_name_plural = _("berkas pendaftaran kolektif")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.people})"


class Enrolment(models.Model):
    """One person (NIK) followed in one kab/kota's pipeline, from identified to active (or a closing reason)."""

    nik = models.CharField("NIK", max_length=16, db_index=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               db_index=False, verbose_name=_("kabupaten/kota"))  # fmt: skip
    desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False, verbose_name=_("desa/kelurahan"))  # fmt: skip
    name = models.CharField(_("nama"), max_length=200)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    decile = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    village_role = models.CharField(_("peran di desa"), max_length=20, blank=True, default="")
    sources = models.CharField(_("sumber"), max_length=300, blank=True, default="")
    priority = models.PositiveIntegerField(_("urutan prioritas"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    reason = models.CharField(_("alasan"), max_length=300, blank=True, default="")
    kpj = models.CharField(_("nomor KPJ"), max_length=20, blank=True, default="")
    plan = models.ForeignKey("planning.Scenario", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False, verbose_name=_("rencana anggaran"))  # fmt: skip
    submission = models.ForeignKey(SubmissionFile, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="enrolments", db_constraint=False)  # fmt: skip
    identified_at = models.DateTimeField(_("teridentifikasi"), auto_now_add=True)
    status_at = models.DateTimeField(_("status sejak"), auto_now_add=True)
    active_at = models.DateTimeField(_("aktif sejak"), null=True, blank=True)

    class Meta:
        ordering = ["desa_id", "priority", "id"]
        verbose_name = _("pendaftaran")
        verbose_name_plural = _("pendaftaran")
        constraints = [models.UniqueConstraint(fields=["nik", "region"], name="targeting_enrolment_nik_region")]
        indexes = [models.Index(fields=["desa", "status"], name="enrolment_desa_status"),
                   models.Index(fields=["region", "status"], name="enrolment_region_status")]  # fmt: skip

    def __str__(self) -> str:
        return f"Pendaftaran {self.pk} ({self.status})"  # never the NIK or the name


class EnrolmentEvent(models.Model):
    """One status change of an enrolment: who, when, from → to, why, and through what."""

    class Via(models.TextChoices):
        MANUAL = "manual", _("Diubah petugas")
        WORKLIST = "worklist", _("Daftar kerja dibuat")
        SUBMISSION = "submission", _("Berkas pendaftaran kolektif")
        BPJS_FILE = "bpjs_file", _("Berkas peserta BPJS")
        PAYMENT = "payment", _("Iuran dibayar")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=300, blank=True, default="")
    via = models.CharField(max_length=12, choices=Via.choices, default=Via.MANUAL)

    class Meta:
        ordering = ["enrolment", "at", "id"]
        verbose_name = _("riwayat pendaftaran")
        verbose_name_plural = _("riwayat pendaftaran")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
