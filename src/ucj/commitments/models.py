"""Tables of commitments (issue 13): regulations, budget commitments, village institutions, ecosystem units and
partners, meetings and their follow-up actions.

The three levers of the December 2024 Sumsel meeting (policy and regulation, budgeting, village institutions) and
BPJS's four ecosystems (desa, pasar, UMKM, pekerja rentan) — ``shared/context/``, ``shared/domain.md`` §6.
Budget realisation is never stored: it is computed from paid bills (:mod:`ucj.commitments.realisation`).
Every row carries ``synthetic`` so the demo's rows are told apart from real ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentKind(models.TextChoices):
    PERGUB = "pergub", _("Peraturan Gubernur (Pergub)")
    PERBUP = "perbup", _("Peraturan Bupati (Perbup)")
    PERWALI = "perwali", _("Peraturan Wali Kota (Perwali)")
    PERDA = "perda", _("Peraturan Daerah (Perda)")
    PERDES = "perdes", _("Peraturan Desa (Perdes)")
    PERKADES = "perkades", _("Peraturan Kepala Desa (Perkades)")
    SURAT_EDARAN = "surat_edaran", _("Surat Edaran")
    INSTRUKSI = "instruksi", _("Instruksi")
    KEPUTUSAN = "keputusan", _("Keputusan")
    PERMEN = "permen", _("Peraturan Menteri (Permendagri, ...)")


class InstrumentStatus(models.TextChoices):
    RENCANA = "rencana", _("Rencana")
    DRAF = "draf", _("Draf")
    DITETAPKAN = "ditetapkan", _("Ditetapkan (berlaku)")
    DICABUT = "dicabut", _("Dicabut")


class MandatedGroup(models.TextChoices):
    """Groups of workers an instrument mandates protection for (codes stored in ``Instrument.groups``)."""

    KEPALA_DESA = "kepala_desa", _("Kepala desa")
    PERANGKAT_DESA = "perangkat_desa", _("Perangkat desa")
    BPD = "bpd", _("Anggota BPD")
    RT = "rt", _("Ketua RT")
    RW = "rw", _("Ketua RW")
    LKD = "lkd", _("Lembaga kemasyarakatan desa")
    PEKERJA_RENTAN = "pekerja_rentan", _("Pekerja rentan")
    PEDAGANG_PASAR = "pedagang_pasar", _("Pedagang pasar")
    UMKM = "umkm", _("UMKM")
    NELAYAN = "nelayan", _("Nelayan")
    PETANI = "petani", _("Petani")
    PKL = "pkl", _("Pedagang kaki lima")
    NON_ASN = "non_asn", _("Pegawai non-ASN")
    PENYELENGGARA_PEMILU = "penyelenggara_pemilu", _("Penyelenggara pemilu")
    PEKERJA_KEAGAMAAN = "pekerja_keagamaan", _("Pekerja keagamaan (marbot, guru ngaji, ...)")
    LAINNYA = "lainnya", _("Lainnya")


class BudgetPayer(models.TextChoices):
    """Who budgets the contributions. ``bantuan_keuangan``: an earmarked grant of the province spent by the
    kab/kota (shared/domain.md §6, regional payers); its bills are the kab/kota's APBD bills."""

    APBD_PROVINSI = "apbd_provinsi", _("APBD provinsi")
    APBD_KABKOTA = "apbd_kabkota", _("APBD kabupaten/kota")
    BANTUAN_KEUANGAN = "bantuan_keuangan", _("Bantuan keuangan provinsi")
    APBDES = "apbdes", _("APBDes")


class ApbdesSource(models.TextChoices):
    """Where an APBDes line's money comes from (shared/domain.md §6: village officials, BPD and RT/RW from ADD or
    PAD, not Dana Desa; Dana Desa only for cash-for-work/PKTD workers)."""

    ADD = "add", _("Alokasi Dana Desa (ADD)")
    DANA_DESA = "dana_desa", _("Dana Desa")
    PAD = "pad", _("PAD desa")
    LAINNYA = "lainnya", _("Lainnya")


class UnitKind(models.TextChoices):
    PASAR = "pasar", _("Pasar")
    UMKM = "umkm", _("Kelompok UMKM")
    KOPERASI = "koperasi", _("Koperasi")
    KELOMPOK_NELAYAN = "kelompok_nelayan", _("Kelompok nelayan")
    KELOMPOK_TANI = "kelompok_tani", _("Kelompok tani")


class UnitSubtype(models.TextChoices):
    TRADISIONAL = "tradisional", _("Tradisional")
    MODERN = "modern", _("Modern")


class PartnerKind(models.TextChoices):
    BANK = "bank", _("Bank")
    KOMUNITAS = "komunitas", _("Komunitas")
    PENGELOLA_PASAR = "pengelola_pasar", _("Pengelola pasar")
    KOPERASI = "koperasi", _("Koperasi")
    ASOSIASI = "asosiasi", _("Asosiasi")
    LAINNYA = "lainnya", _("Lainnya")


class AgreementKind(models.TextChoices):
    PKS = "pks", _("Perjanjian kerja sama (PKS)")
    MOU = "mou", _("Nota kesepahaman (MoU)")


class ActionStatus(models.TextChoices):
    RENCANA = "rencana", _("Belum dimulai")
    BERJALAN = "berjalan", _("Berjalan")
    SELESAI = "selesai", _("Selesai")
    BATAL = "batal", _("Dibatalkan")


def _region(verbose: Any, **kwargs: Any) -> Any:
    """A foreign key to a region, like the other packages' (no database constraint: regions are reloaded)."""
    return models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             verbose_name=verbose, **kwargs)  # fmt: skip


class Tracked(models.Model):
    """Who changed a row last and when; whether it is demo data."""

    synthetic = models.BooleanField(_("data sintetis"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        abstract = True


class Instrument(Tracked):
    """A regulation or policy instrument of a region (kebijakan dan regulasi). ``region`` null: a national
    reference row every region sees (Inpres 2/2021, SE Mendagri 842.2/5193/SJ, the yearly APBD guideline)."""

    region = _region(_("wilayah"), null=True, blank=True)
    kind = models.CharField(_("jenis"), max_length=15, choices=InstrumentKind.choices)
    number = models.CharField(_("nomor"), max_length=80, blank=True, default="")
    date = models.DateField(_("tanggal"), null=True, blank=True)
    title = models.CharField(_("judul/tentang"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=InstrumentStatus.choices,
                              default=InstrumentStatus.RENCANA)  # fmt: skip
    groups = models.JSONField(_("kelompok yang diwajibkan"), default=list, blank=True)  # MandatedGroup codes
    payer = models.CharField(_("pembayar yang ditunjuk"), max_length=20, blank=True, default="",
                             choices=BudgetPayer.choices)  # fmt: skip
    note = models.CharField(_("catatan"), max_length=500, blank=True, default="")
    # The document (PDF) kept under UCJ_DATA_DIR (services.store_document); the path is relative to that folder.
    document_path = models.CharField(max_length=300, blank=True, default="", editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    document_size = models.PositiveBigIntegerField(default=0, editable=False)
    document_name = models.CharField(_("nama berkas"), max_length=200, blank=True, default="", editable=False)

    class Meta:
        ordering = ["region_id", "-date", "kind", "number"]
        verbose_name = _("regulasi")
        verbose_name_plural = _("regulasi")
        indexes = [models.Index(fields=["region", "status"], name="commit_instrument_region")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()


class BudgetCommitment(Tracked):
    """An allocation (pagu) of one payer in one region for one year and the workers it is meant for. The
    realisation is computed from the bills that payer paid (:mod:`ucj.commitments.realisation`), never typed."""

    region = _region(_("wilayah"))
    year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    payer = models.CharField(_("pembayar"), max_length=20, choices=BudgetPayer.choices)
    source = models.CharField(_("sumber APBDes"), max_length=10, blank=True, default="", choices=ApbdesSource.choices)
    allocated = models.BigIntegerField(_("pagu (Rp)"))
    workers = models.PositiveIntegerField(_("pekerja yang direncanakan"), default=0)
    scenario = models.ForeignKey("planning.Scenario", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("skenario anggaran"))  # fmt: skip
    document_ref = models.CharField(_("dasar (DPA, APBDes, ...)"), max_length=200, blank=True, default="")
    note = models.CharField(_("catatan"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["region_id", "-year", "payer", "source"]
        verbose_name = _("komitmen anggaran")
        verbose_name_plural = _("komitmen anggaran")
        constraints = [models.UniqueConstraint(fields=["region", "year", "payer", "source"],
                                               name="commit_budget_unique")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.payer} {self.region_id} {self.year}"


class VillageInstitution(Tracked):
    """Positions of a village's institutions (kelembagaan desa). A kelurahan has no kepala desa, perangkat desa
    nor BPD (shared/domain.md §6): those stay null there."""

    desa = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                                verbose_name=_("desa/kelurahan"))  # fmt: skip
    kepala_desa = models.PositiveSmallIntegerField(_("kepala desa"), null=True, blank=True)
    perangkat_desa = models.PositiveSmallIntegerField(_("perangkat desa"), null=True, blank=True)
    bpd = models.PositiveSmallIntegerField(_("anggota BPD"), null=True, blank=True)
    rt = models.PositiveSmallIntegerField(_("ketua RT"), null=True, blank=True)
    rw = models.PositiveSmallIntegerField(_("ketua RW"), null=True, blank=True)
    lpm = models.PositiveSmallIntegerField(_("LPM"), null=True, blank=True)
    linmas = models.PositiveSmallIntegerField(_("linmas"), null=True, blank=True)
    kader = models.PositiveSmallIntegerField(_("kader"), null=True, blank=True)
    source = models.CharField(_("sumber data"), max_length=250, blank=True, default="")

    class Meta:
        ordering = ["desa_id"]
        verbose_name = _("kelembagaan desa")
        verbose_name_plural = _("kelembagaan desa")

    def __str__(self) -> str:
        return f"Kelembagaan {self.desa_id}"

    def positions(self) -> dict[str, int | None]:
        from ucj.commitments.institutions import ROLES  # not at import: django.setup() stays free of Polars

        return {role: getattr(self, role) for role in ROLES}


class EcosystemUnit(Tracked):
    """A market, UMKM group, cooperative, fishermen's or farmers' group in a village (BPJS's ecosystems)."""

    kind = models.CharField(_("jenis"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("nama"), max_length=200)
    subtype = models.CharField(_("tipe"), max_length=12, blank=True, default="", choices=UnitSubtype.choices)
    desa = _region(_("desa/kelurahan"))
    manager = models.CharField(_("pengelola/ketua"), max_length=200, blank=True, default="")
    workers = models.PositiveIntegerField(_("jumlah pekerja/pedagang/anggota"), default=0)
    note = models.CharField(_("catatan"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["desa_id", "kind", "name"]
        verbose_name = _("unit ekosistem")
        verbose_name_plural = _("unit ekosistem")
        constraints = [models.UniqueConstraint(fields=["desa", "kind", "name"], name="commit_unit_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Partner(Tracked):
    """A partner of a region (bank, community, market manager, ...) and its agreement (PKS/MoU)."""

    region = _region(_("wilayah"))
    name = models.CharField(_("nama mitra"), max_length=200)
    kind = models.CharField(_("jenis mitra"), max_length=20, choices=PartnerKind.choices)
    unit = models.ForeignKey(EcosystemUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="partners",
                             verbose_name=_("unit ekosistem"))  # fmt: skip
    agreement_kind = models.CharField(_("jenis perjanjian"), max_length=5, blank=True, default="",
                                      choices=AgreementKind.choices)  # fmt: skip
    agreement_number = models.CharField(_("nomor perjanjian"), max_length=100, blank=True, default="")
    agreement_date = models.DateField(_("tanggal perjanjian"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("mitra")
        verbose_name_plural = _("mitra")

    def __str__(self) -> str:
        return self.name


class Meeting(Tracked):
    """A coordination meeting (e.g. 13 December 2024, Novotel Palembang, Ditjen Bina Pemdes Kemendagri)."""

    region = _region(_("wilayah"))
    date = models.DateField(_("tanggal"))
    title = models.CharField(_("judul"), max_length=300)
    place = models.CharField(_("tempat"), max_length=200, blank=True, default="")
    organiser = models.CharField(_("penyelenggara"), max_length=200, blank=True, default="")
    summary = models.TextField(_("ringkasan"), blank=True, default="")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("rapat koordinasi")
        verbose_name_plural = _("rapat koordinasi")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class FollowUpAction(Tracked):
    """A decision of a meeting (rencana tindak lanjut) with the region that owns it, a due date and a status.
    Overdue: the due date has passed and it is neither done nor cancelled (``scorecard.is_overdue``)."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="actions",
                                verbose_name=_("rapat"))  # fmt: skip
    owner = _region(_("wilayah penanggung jawab"))
    decision = models.TextField(_("keputusan/tindak lanjut"))
    due_date = models.DateField(_("tenggat"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.RENCANA)
    done_on = models.DateField(_("tanggal selesai"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="commit_action_owner")]

    def __str__(self) -> str:
        return f"Tindak lanjut {self.pk} {self.owner_id}"
