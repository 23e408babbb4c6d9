"""Checking commitment files (pure: Polars, no Django): which kind a sheet holds, its columns under the usual
header spellings, and per-row findings in Indonesian and English with the row number the user sees.

A file of commitments holds at most one row per village (a province has a few thousand), so each column is parsed
as one Polars expression (numbers, dates, words) and the cross-checks run on the joined region table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl

from ucj.commitments import institutions
from ucj.coverage.feedcheck import add_count_column, words_expr
from ucj.registry import issues
from ucj.registry.dates import add_date_column
from ucj.registry.issues import IssueType

# ---------------------------------------------------------------- findings

_T = IssueType
_TYPES = [
    _T("FILE_EMPTY", "error", "Berkas kosong.", "The file is empty."),
    _T("FILE_NOT_SPREADSHEET", "error", "Berkas bukan spreadsheet ({value}). Unggah .xlsx, .xls atau .csv.",
       "The file is not a spreadsheet ({value}). Upload .xlsx, .xls or .csv."),
    _T("FILE_PASSWORD", "error", "Berkas Excel dilindungi kata sandi.", "The Excel file is password-protected."),
    _T("FILE_UNREADABLE", "error", "Berkas tidak dapat dibaca: {value}.", "The file cannot be read: {value}."),
    _T("FILE_TOO_LARGE", "error", "Berkas terlalu besar: {value}.", "The file is too large: {value}."),
    _T("FILE_PARSE_LIMIT", "error", "Berkas melampaui batas memori atau waktu pembacaan ({value}). Bagi menjadi "
       "beberapa berkas.", "The file exceeds the memory or time limit for reading it ({value}). Split it into "
       "several files."),
    _T("FILE_NO_KIND", "error",
       "Tidak ada lembar yang judul kolomnya dikenali sebagai data komitmen. Judul yang terbaca: {value}.",
       "No sheet has headers recognised as commitment data. Headers found: {value}."),
    _T("FILE_MISSING_COLUMN", "error", "Lembar {extra}: kolom wajib tidak ada: {value}.",
       "Sheet {extra}: required columns missing: {value}."),
    _T("FILE_NO_ROWS", "error", "Tidak ada baris data.", "There are no data rows."),
    _T("VALUE_MISSING", "error", "Kolom {extra} wajib diisi.", "Column {extra} is required."),
    _T("NUMBER_INVALID", "error", "'{value}' bukan bilangan bulat.", "'{value}' is not a whole number."),
    _T("NUMBER_NEGATIVE", "error", "'{value}' negatif.", "'{value}' is negative."),
    _T("NUMBER_DECIMAL", "error", "'{value}' bukan bilangan bulat.", "'{value}' is not a whole number."),
    _T("NUMBER_TOO_LARGE", "error", "'{value}' terlalu besar (paling besar {extra}).",
       "'{value}' is too large (at most {extra})."),
    _T("YEAR_INVALID", "error", "Tahun '{value}' tidak valid (2000–2100).", "Year '{value}' is not valid (2000–2100)."),
    _T("DATE_INVALID", "error", "Tanggal '{value}' tidak terbaca.", "Date '{value}' cannot be read."),
    _T("CHOICE_UNKNOWN", "error", "'{value}' tidak dikenal; isi salah satu: {extra}.",
       "'{value}' is not known; use one of: {extra}."),
    _T("TEXT_TOO_LONG", "error", "Teks terlalu panjang (paling banyak {extra} karakter).",
       "Text too long (at most {extra} characters)."),
    _T("REGION_INVALID", "error", "Kode wilayah '{value}' tidak valid (contoh: 16.01 atau 16.01.01.2001).",
       "Region code '{value}' is malformed (e.g. 16.01 or 16.01.01.2001)."),
    _T("REGION_UNKNOWN", "error", "Kode wilayah '{value}' tidak ada di daftar wilayah Kemendagri.",
       "Region code '{value}' is not in the Kemendagri region list."),
    _T("REGION_LEVEL", "error", "'{value}' harus kode {extra}.", "'{value}' must be the code of a {extra}."),
    _T("REGION_OUT_OF_SCOPE", "error", "Anda tidak berhak mengubah data wilayah {value}.",
       "You may not change data of region {value}."),
    _T("NATIONAL_ADMIN_ONLY", "error", "Regulasi nasional (tanpa kode wilayah) hanya diisi administrator.",
       "National instruments (no region code) are entered by an administrator only."),
    _T("KELURAHAN_NO_DESA_ROLE", "error",
       "{value} adalah kelurahan: tidak ada kepala desa, perangkat desa atau BPD (isi kosong atau 0).",
       "{value} is a kelurahan: it has no kepala desa, perangkat desa or BPD (leave blank or 0)."),
    _T("KELURAHAN_NO_APBDES", "error", "{value} adalah kelurahan: tidak ada APBDes.",
       "{value} is a kelurahan: it has no APBDes."),
    _T("KEPALA_DESA_COUNT", "error", "Satu desa mempunyai satu kepala desa, bukan {value}.",
       "A desa has one kepala desa, not {value}."),
    _T("NAME_MISMATCH", "warning", "Nama '{value}' berbeda dengan nama wilayah {extra}.",
       "Name '{value}' differs from the region's name {extra}."),
    _T("SOURCE_ONLY_APBDES", "error", "Sumber dana hanya untuk pembayar APBDes.",
       "A funding source is for APBDes payers only."),
    _T("SOURCE_REQUIRED", "error", "APBDes: isi sumber (ADD, Dana Desa, PAD).",
       "APBDes: give the source (ADD, Dana Desa, PAD)."),
    _T("DANA_DESA_WARNING", "warning",
       "Dana Desa hanya untuk pekerja padat karya (PKTD), bukan aparat desa, BPD atau RT/RW (Permendagri 15/2023).",
       "Dana Desa is for cash-for-work (PKTD) workers only, not village officials, BPD or RT/RW "
       "(Permendagri 15/2023)."),
    _T("SUBTYPE_ONLY_PASAR", "error", "Tipe tradisional/modern hanya untuk pasar.",
       "Traditional/modern is for markets only."),
    _T("INSTRUMENT_LEVEL", "error", "{value} tidak dikeluarkan oleh wilayah {extra}.",
       "A {value} is not issued by a region {extra}."),
    _T("DUPLICATE_ROW", "error", "Baris ini mengulang baris {value} (kunci yang sama).",
       "This row repeats row {value} (the same key)."),
    _T("MEETING_UNKNOWN", "error", "Rapat '{value}' tidak ditemukan (di berkas ini atau yang tersimpan).",
       "Meeting '{value}' not found (in this file or stored)."),
    _T("DONE_DATE", "error", "Tanggal selesai hanya untuk status selesai.", "A done date is for done actions only."),
]  # fmt: skip
ISSUE_TYPES: dict[str, IssueType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True, slots=True)
class Finding(issues.Finding):
    """One finding on one row of one sheet (row 0 = the whole file). Commitment files hold no personal data."""

    catalogue: ClassVar[dict[str, IssueType]] = ISSUE_TYPES
    sheet: str = ""

    def as_dict(self) -> dict[str, object]:
        return issues.Finding.as_dict(self) | {"value": self.value, "sheet": self.sheet}


class CommitmentFileError(Exception):
    """The whole file is refused."""

    def __init__(self, code: str, value: str = "", extra: str = "") -> None:
        self.finding = Finding(row=0, column="", code=code, value=value, extra=extra)
        super().__init__(self.finding.message("en"))


# ---------------------------------------------------------------- kinds and columns

def fold(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


INSTRUMENT_WORDS = {
    **dict.fromkeys(("pergub", "peraturan gubernur"), "pergub"),
    **dict.fromkeys(("perbup", "peraturan bupati"), "perbup"),
    **dict.fromkeys(("perwali", "perwalkot", "peraturan walikota", "peraturan wali kota"), "perwali"),
    **dict.fromkeys(("perda", "peraturan daerah"), "perda"),
    **dict.fromkeys(("perdes", "peraturan desa"), "perdes"),
    **dict.fromkeys(("perkades", "peraturan kepala desa"), "perkades"),
    **dict.fromkeys(("surat edaran", "se", "edaran"), "surat_edaran"),
    **dict.fromkeys(("instruksi", "inpres", "ingub", "instruksi gubernur", "instruksi bupati", "instruksi presiden"),
                    "instruksi"),
    **dict.fromkeys(("keputusan", "kepgub", "kepbup", "sk", "surat keputusan", "keputusan gubernur",
                     "keputusan bupati", "keputusan walikota"), "keputusan"),
    **dict.fromkeys(("permen", "permendagri", "peraturan menteri", "peraturan menteri dalam negeri",
                     "permenaker"), "permen"),
}  # fmt: skip
INSTRUMENT_STATUS_WORDS = {
    **dict.fromkeys(("rencana", "direncanakan", "planned", "plan"), "rencana"),
    **dict.fromkeys(("draf", "draft", "rancangan", "konsep"), "draf"),
    **dict.fromkeys(("ditetapkan", "berlaku", "sah", "in force", "enacted"), "ditetapkan"),
    **dict.fromkeys(("dicabut", "tidak berlaku", "revoked"), "dicabut"),
}
BUDGET_PAYER_WORDS = {
    **dict.fromkeys(("apbd provinsi", "apbd prov", "pemprov", "provinsi", "apbd_provinsi"), "apbd_provinsi"),
    **dict.fromkeys(("apbd kabupaten", "apbd kab", "apbd kota", "apbd kab kota", "apbd kabupaten kota", "pemkab",
                     "pemkot", "apbd", "apbd_kabkota"), "apbd_kabkota"),
    **dict.fromkeys(("bantuan keuangan", "bantuan keuangan provinsi", "bankeu", "bankeu provinsi",
                     "bantuan_keuangan"), "bantuan_keuangan"),
    **dict.fromkeys(("apbdes", "apb desa", "apbdesa"), "apbdes"),
}  # fmt: skip
SOURCE_WORDS = {
    **dict.fromkeys(("add", "alokasi dana desa"), "add"),
    **dict.fromkeys(("dana desa", "dd", "dana_desa"), "dana_desa"),
    **dict.fromkeys(("pad", "pad desa", "pendapatan asli desa"), "pad"),
    **dict.fromkeys(("lainnya", "lain lain", "other"), "lainnya"),
}
GROUP_WORDS = {
    **dict.fromkeys(("kepala desa", "kades", "kepala_desa"), "kepala_desa"),
    **dict.fromkeys(("perangkat desa", "perangkat", "aparatur desa", "perangkat_desa"), "perangkat_desa"),
    **dict.fromkeys(("bpd", "anggota bpd"), "bpd"),
    **dict.fromkeys(("rt", "ketua rt"), "rt"),
    **dict.fromkeys(("rw", "ketua rw"), "rw"),
    **dict.fromkeys(("rt rw", "ketua rt rw"), "rt,rw"),
    **dict.fromkeys(("lkd", "lpm", "linmas", "kader", "lembaga kemasyarakatan desa"), "lkd"),
    **dict.fromkeys(("pekerja rentan", "rentan", "pekerja miskin", "pekerja_rentan"), "pekerja_rentan"),
    **dict.fromkeys(("pedagang pasar", "pasar", "pedagang_pasar"), "pedagang_pasar"),
    **dict.fromkeys(("umkm", "ukm", "umk"), "umkm"),
    **dict.fromkeys(("nelayan",), "nelayan"),
    **dict.fromkeys(("petani", "pekebun"), "petani"),
    **dict.fromkeys(("pkl", "pedagang kaki lima"), "pkl"),
    **dict.fromkeys(("non asn", "honorer", "pegawai non asn", "non_asn", "ptt"), "non_asn"),
    **dict.fromkeys(("penyelenggara pemilu", "badan adhoc", "ad hoc pemilu", "kpps", "ppk", "pps",
                     "penyelenggara_pemilu"), "penyelenggara_pemilu"),
    **dict.fromkeys(("pekerja keagamaan", "marbot", "guru ngaji", "imam masjid", "pekerja_keagamaan"),
                    "pekerja_keagamaan"),
    **dict.fromkeys(("lainnya", "lain lain"), "lainnya"),
}  # fmt: skip
UNIT_WORDS = {
    **dict.fromkeys(("pasar", "pasar tradisional", "pasar modern", "market"), "pasar"),
    **dict.fromkeys(("umkm", "kelompok umkm", "ukm"), "umkm"),
    **dict.fromkeys(("koperasi", "kud"), "koperasi"),
    **dict.fromkeys(("kelompok nelayan", "nelayan", "kub nelayan", "kelompok_nelayan"), "kelompok_nelayan"),
    **dict.fromkeys(("kelompok tani", "poktan", "gapoktan", "tani", "kelompok_tani"), "kelompok_tani"),
}
SUBTYPE_WORDS = {**dict.fromkeys(("tradisional", "traditional"), "tradisional"), "modern": "modern"}
PARTNER_WORDS = {
    **dict.fromkeys(("bank", "perbankan"), "bank"),
    **dict.fromkeys(("komunitas", "community"), "komunitas"),
    **dict.fromkeys(("pengelola pasar", "pd pasar", "perumda pasar", "pengelola_pasar"), "pengelola_pasar"),
    "koperasi": "koperasi",
    **dict.fromkeys(("asosiasi", "himpunan", "paguyuban"), "asosiasi"),
    **dict.fromkeys(("lainnya", "lain lain"), "lainnya"),
}  # fmt: skip
AGREEMENT_WORDS = {**dict.fromkeys(("pks", "perjanjian kerja sama", "perjanjian kerjasama"), "pks"),
                   **dict.fromkeys(("mou", "nota kesepahaman"), "mou")}  # fmt: skip
ACTION_STATUS_WORDS = {
    **dict.fromkeys(("rencana", "belum", "belum dimulai", "open"), "rencana"),
    **dict.fromkeys(("berjalan", "proses", "sedang berjalan", "dalam proses"), "berjalan"),
    **dict.fromkeys(("selesai", "done", "tuntas"), "selesai"),
    **dict.fromkeys(("batal", "dibatalkan", "cancelled"), "batal"),
}


@dataclass(frozen=True)
class Column:
    """One column of a kind: its field, the header the template writes, other spellings, how it is read."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, count, money, year, date, region, desa, words, groups
    required: bool = False  # the cell must hold a value
    column_required: bool = False  # the column must exist (even when cells may be blank)
    words: dict[str, str] = dataclasses.field(default_factory=dict)
    max_len: int = 200
    example: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    sheet: str  # the template's sheet name
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields that identify a row (upsert key; duplicates in a file are refused)
    note: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


def _c(name: str, header: str, *aliases: str, **kw: Any) -> Column:
    return Column(name, header, aliases, **kw)


_REGION = ("kode wilayah", "kode", "kode daerah", "kode kab kota", "kode kabupaten kota", "kode kemendagri",
           "region", "region code", "kode provinsi", "kode kabupaten")  # fmt: skip
_DESA = ("kode desa", "kode desa kelurahan", "kode kelurahan", "kd desa", "village code", "kode wilayah desa")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("instrument", "Regulasi", (
        _c("region", "Kode Wilayah", *_REGION, kind="region", example="16.06"),
        _c("kind", "Jenis", "jenis regulasi", "jenis instrumen", "jenis peraturan", "bentuk", kind="words",
           required=True, words=INSTRUMENT_WORDS, example="Perbup"),
        _c("number", "Nomor", "nomor regulasi", "no", "nomor peraturan", "number", max_len=80, example="12 Tahun 2025"),
        _c("date", "Tanggal", "tanggal penetapan", "tanggal ditetapkan", "tgl", "date", kind="date",
           example="2025-03-14"),
        _c("title", "Judul", "tentang", "judul tentang", "perihal", "title", required=True, max_len=300,
           example="Perlindungan jaminan sosial ketenagakerjaan bagi aparat desa dan pekerja rentan"),
        _c("status", "Status", "status regulasi", kind="words", required=True, words=INSTRUMENT_STATUS_WORDS,
           example="ditetapkan"),
        _c("groups", "Kelompok", "kelompok sasaran", "sasaran", "kelompok yang diwajibkan", "groups", kind="groups",
           words=GROUP_WORDS, max_len=500, example="kepala desa, perangkat desa, BPD, RT, RW, pekerja rentan"),
        _c("payer", "Pembayar", "pembayar iuran", "sumber dana", "payer", kind="words", words=BUDGET_PAYER_WORDS,
           example="APBD kabupaten"),
        _c("note", "Catatan", "keterangan", "note", max_len=500),
    ), key=("region", "kind", "number"), note="Kosongkan Kode Wilayah untuk regulasi nasional (administrator)."),
    Kind("budget", "Anggaran", (
        _c("region", "Kode Wilayah", *_REGION, kind="region", required=True, example="16.06"),
        _c("year", "Tahun", "tahun anggaran", "ta", "year", kind="year", required=True, example="2025"),
        _c("payer", "Pembayar", "pembayar iuran", "sumber anggaran", "payer", kind="words", required=True,
           words=BUDGET_PAYER_WORDS, example="APBD kabupaten"),
        _c("source", "Sumber APBDes", "sumber apbdes", "sumber dana desa", "sumber", kind="words", words=SOURCE_WORDS),
        _c("allocated", "Pagu (Rp)", "pagu", "pagu anggaran", "alokasi", "anggaran", "nilai", "allocation",
           kind="money", required=True, example="2.500.000.000"),
        _c("workers", "Jumlah Pekerja", "jumlah pekerja", "pekerja", "sasaran pekerja", "target pekerja",
           "workers", kind="count", example="12400"),
        _c("document_ref", "Dasar", "dasar", "dokumen", "dpa", "nomor dpa", max_len=200, example="DPA Disnaker 2025"),
        _c("note", "Catatan", "keterangan", "note", max_len=500),
    ), key=("region", "year", "payer", "source")),
    Kind("institution", "Kelembagaan Desa", (
        _c("desa", "Kode Desa", *_DESA, kind="desa", required=True, example="16.06.01.2001"),
        _c("name", "Nama Desa", "nama desa", "desa", "nama desa kelurahan", "desa kelurahan", "kelurahan",
           "village", max_len=120, example="Sukarami"),
        _c("kepala_desa", "Kepala Desa", "kades", "jumlah kepala desa", kind="count", column_required=True,
           example="1"),
        _c("perangkat_desa", "Perangkat Desa", "jumlah perangkat desa", "perangkat", "aparatur desa", kind="count",
           column_required=True, example="11"),
        _c("bpd", "BPD", "anggota bpd", "jumlah bpd", "jumlah anggota bpd", kind="count", column_required=True,
           example="7"),
        _c("rt", "RT", "ketua rt", "jumlah rt", "jumlah ketua rt", kind="count", column_required=True, example="12"),
        _c("rw", "RW", "ketua rw", "jumlah rw", "jumlah ketua rw", kind="count", column_required=True, example="4"),
        _c("lpm", "LPM", "jumlah lpm", "anggota lpm", kind="count"),
        _c("linmas", "Linmas", "jumlah linmas", "anggota linmas", kind="count"),
        _c("kader", "Kader", "jumlah kader", "kader posyandu", kind="count"),
        _c("source", "Sumber", "sumber data", "source", max_len=250, example="Profil desa 2024"),
    ), key=("desa",)),
    Kind("unit", "Unit Ekosistem", (
        _c("kind", "Jenis Unit", "jenis unit", "jenis", "unit", kind="words", required=True, words=UNIT_WORDS,
           example="pasar"),
        _c("name", "Nama Unit", "nama unit", "nama pasar", "nama kelompok", "nama", required=True,
           example="Pasar Contoh"),
        _c("subtype", "Tipe", "tipe pasar", "jenis pasar", "subtype", kind="words", words=SUBTYPE_WORDS,
           example="tradisional"),
        _c("desa", "Kode Desa", *_DESA, kind="desa", required=True, example="16.06.01.2001"),
        _c("manager", "Pengelola", "pengelola", "ketua", "ketua kelompok", "manager", example="UPTD Pasar"),
        _c("workers", "Jumlah Pekerja", "jumlah pedagang", "jumlah anggota", "jumlah pekerja", "pedagang",
           "anggota", "workers", kind="count", example="250"),
        _c("note", "Catatan", "keterangan", "note", max_len=500),
    ), key=("desa", "kind", "name")),
    Kind("partner", "Mitra", (
        _c("region", "Kode Wilayah", *_REGION, kind="region", required=True, example="16.06"),
        _c("name", "Nama Mitra", "nama mitra", "mitra", "partner", required=True, example="Bank Contoh"),
        _c("kind", "Jenis Mitra", "jenis mitra", "kategori mitra", kind="words", required=True, words=PARTNER_WORDS,
           example="bank"),
        _c("agreement_kind", "Jenis Perjanjian", "jenis perjanjian", "perjanjian", kind="words",
           words=AGREEMENT_WORDS, example="PKS"),
        _c("agreement_number", "Nomor Perjanjian", "nomor perjanjian", "nomor pks", "nomor mou", max_len=100,
           example="PKS/01/2025"),
        _c("agreement_date", "Tanggal Perjanjian", "tanggal perjanjian", "tanggal pks", "tanggal mou", kind="date",
           example="2025-02-10"),
        _c("valid_until", "Berlaku Sampai", "berlaku sampai", "masa berlaku", kind="date"),
        _c("note", "Catatan", "keterangan", "note", max_len=500),
    ), key=("region", "name")),
    Kind("meeting", "Rapat", (
        _c("region", "Kode Wilayah", *_REGION, kind="region", required=True, example="16"),
        _c("date", "Tanggal Rapat", "tanggal rapat", "tanggal", kind="date", required=True, example="2024-12-13"),
        _c("title", "Judul Rapat", "judul rapat", "judul", "nama rapat", "acara", required=True, max_len=300,
           example="Pertemuan kelembagaan desa"),
        _c("place", "Tempat", "tempat", "lokasi", example="Palembang"),
        _c("organiser", "Penyelenggara", "penyelenggara", "organiser", "organizer", example="Ditjen Bina Pemdes"),
        _c("summary", "Ringkasan", "ringkasan", "hasil", "notulen", max_len=2000),
    ), key=("region", "date", "title")),
    Kind("action", "Tindak Lanjut", (
        _c("meeting_date", "Tanggal Rapat", "tanggal rapat", kind="date", example="2024-12-13"),
        _c("meeting_title", "Judul Rapat", "judul rapat", "rapat", max_len=300, example="Pertemuan kelembagaan desa"),
        _c("owner", "Kode Wilayah Penanggung Jawab", "kode wilayah penanggung jawab", "penanggung jawab", "kode pj",
           "kode wilayah", "owner", kind="region", required=True, example="16.06"),
        _c("decision", "Tindak Lanjut", "tindak lanjut", "keputusan", "rencana tindak lanjut", "rtl", "decision",
           required=True, max_len=2000, example="Menetapkan Perbup perlindungan aparat desa"),
        _c("due_date", "Tenggat", "tenggat", "batas waktu", "target waktu", "due date", kind="date",
           example="2025-06-30"),
        _c("status", "Status", "status tindak lanjut", kind="words", words=ACTION_STATUS_WORDS, example="berjalan"),
        _c("done_on", "Tanggal Selesai", "tanggal selesai", "selesai pada", kind="date"),
        _c("note", "Catatan", "keterangan", "note", max_len=500),
    ), key=("meeting_date", "meeting_title", "owner", "decision")),
)}  # fmt: skip

#: Which region level each budget payer names (bills: contributions.bills.PAYER_LEVEL).
PAYER_LEVELS = {"apbd_provinsi": 1, "apbd_kabkota": 2, "bantuan_keuangan": 2, "apbdes": 4}
#: Which region levels issue each instrument kind (None: any, and national rows).
INSTRUMENT_LEVELS: dict[str, frozenset[int] | None] = {
    "pergub": frozenset({1}), "perbup": frozenset({2}), "perwali": frozenset({2}), "perda": frozenset({1, 2}),
    "perdes": frozenset({4}), "perkades": frozenset({4}),
    "surat_edaran": None, "instruksi": None, "keputusan": None, "permen": frozenset(),
}  # fmt: skip
LEVEL_WORDS = {1: ("provinsi", "province"), 2: ("kabupaten/kota", "regency/city"), 3: ("kecamatan", "district"),
               4: ("desa/kelurahan", "village")}  # fmt: skip
MAX_COUNT = 32767  # positions per village (PositiveSmallIntegerField)
MAX_WORKERS = 2_000_000_000
MAX_MONEY = 10**15


def _lookup(kind: Kind) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in kind.columns:
        for name in (col.header, *col.aliases):
            out.setdefault(fold(name), col.field)
    return out


def map_headers(kind: Kind, headers: list[str]) -> dict[str, int]:
    """field → column index (the first column naming a field wins; a header's trailing "(...)" is ignored)."""
    lookup = _lookup(kind)
    used: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = lookup.get(fold(header)) or lookup.get(fold(re.sub(r"\s*\(.*$", "", str(header or ""))))
        if name and name not in used:
            used[name] = i
    return used


def detect_kind(headers: list[str], sheet: str = "") -> Kind | None:
    """The kind whose columns the headers name best (at least two, with its required columns), the sheet name
    breaking ties (the template's sheets are named after their kind)."""
    best: tuple[tuple[int, int, int], Kind | None] = ((0, 0, 0), None)
    for kind in KINDS.values():
        used = map_headers(kind, headers)
        needed = [c.field for c in kind.columns if c.required or c.column_required]
        have = sum(1 for n in needed if n in used)
        score = (len(used), have, int(fold(sheet) == fold(kind.sheet)))
        if len(used) >= 2 and score > best[0]:
            best = (score, kind)
    return best[1]


def missing_columns(kind: Kind, used: dict[str, int]) -> list[str]:
    return [c.header for c in kind.columns if (c.required or c.column_required) and c.field not in used]


# ---------------------------------------------------------------- checking one sheet

REGION_SCHEMA = pl.Schema({"code": pl.String, "level": pl.Int64, "name": pl.String})


@dataclass
class Checked:
    """A checked sheet: the clean rows (field → value, ``_row``) and every finding."""

    kind: Kind
    sheet: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({f.row for f in self.findings if f.severity == "error"})


#: (kind, region code, payer or None) → whether the loading user may write there.
MayWrite = Callable[[str, str | None, str | None], bool]


def check_sheet(kind: Kind, sheet: str, headers: list[str], cells: pl.DataFrame,
                regions: Callable[[set[str]], pl.DataFrame], may_write: MayWrite,
                today: dt.date) -> Checked:  # fmt: skip
    """Check the rows of one sheet. ``cells``: text columns ``c0…cN`` and ``_row`` (the row the user sees);
    ``regions(codes)``: :data:`REGION_SCHEMA` rows of those codes (the services read them once)."""
    used = map_headers(kind, headers)
    out = Checked(kind, sheet)
    frame = cells.select("_row", *[pl.col(f"c{i}").alias(f"raw_{name}") for name, i in used.items()])
    for col in kind.columns:
        if col.field not in used:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(f"raw_{col.field}"))
    problems: list[pl.Expr] = []
    for col in kind.columns:
        frame, problem = _parse(frame, col, today)
        problems.append(problem)
    frame = frame.with_columns(problems)
    found: list[Finding] = []
    for col in kind.columns:
        header = headers[used[col.field]] if col.field in used else col.header
        for row, raw, code, extra in frame.filter(pl.col(f"err_{col.field}").is_not_null()).select(
            "_row", f"raw_{col.field}", f"err_{col.field}", f"extra_{col.field}"
        ).iter_rows():  # fmt: skip
            found.append(Finding(row, header, code, raw or "", extra or header, sheet=sheet))
    values = frame.select("_row", *[pl.col(f"v_{c.field}").alias(c.field) for c in kind.columns]).to_dicts()
    index = {r["code"]: r for r in regions(mentioned_codes(values)).iter_rows(named=True)}
    bad_rows = {f.row for f in found}
    seen: dict[tuple[Any, ...], int] = {}
    failed = {(f.row, f.column) for f in found}
    for row in values:
        found += [f for f in _cross(kind, row, index, may_write, sheet, headers, used)
                  if f.code != "VALUE_MISSING" or (f.row, f.column) not in failed]  # one finding per bad cell
        key = row_key(kind, row)
        if row["_row"] not in bad_rows and key in seen:
            found.append(Finding(row["_row"], "", "DUPLICATE_ROW", str(seen[key]), sheet=sheet))
        seen.setdefault(key, row["_row"])
    out.findings = sorted(found, key=lambda f: (f.row, f.column))
    out.rows = values
    return out


def _parse(frame: pl.DataFrame, col: Column, today: dt.date) -> tuple[pl.DataFrame, pl.Expr]:
    """Add ``v_<field>`` (the value) and return the expression of ``err_<field>``/``extra_<field>``."""
    raw, value, err, extra = f"raw_{col.field}", f"v_{col.field}", f"err_{col.field}", f"extra_{col.field}"
    c = pl.col
    missing = c(raw).is_null()
    none = pl.lit(None, pl.String)
    if col.kind in ("count", "money", "year"):
        text = c(raw).str.replace(r"(?i)^rp\.?\s*", "") if col.kind == "money" else c(raw)
        frame = add_count_column(frame.with_columns(text.alias("_num")), "_num", value, "_cerr").drop("_num")
        limit = {"count": MAX_WORKERS, "money": MAX_MONEY, "year": 2100}[col.kind]
        if col.field in institutions.POSITION_FIELDS:
            limit = MAX_COUNT
        code = (
            pl.when(missing).then(pl.lit("VALUE_MISSING") if col.required else none)
            .when(c("_cerr").is_not_null()).then(c("_cerr").str.replace("COUNT_", "NUMBER_"))
            .when(pl.lit(col.kind == "year") & ~c(value).is_between(2000, 2100)).then(pl.lit("YEAR_INVALID"))
            .when(c(value) > limit).then(pl.lit("NUMBER_TOO_LARGE"))
        )  # fmt: skip
        frame = frame.with_columns(code.alias(err), pl.when(c(value) > limit).then(pl.lit(f"{limit:,}")).alias(extra))
        frame = frame.with_columns(pl.when(c(err).is_null()).then(c(value)).alias(value)).drop("_cerr")
    elif col.kind == "date":
        frame = add_date_column(frame, raw, value, today)
        code = (pl.when(missing).then(pl.lit("VALUE_MISSING") if col.required else none)
                .when(c(value).is_null()).then(pl.lit("DATE_INVALID")))  # fmt: skip
        frame = frame.with_columns(code.alias(err), none.alias(extra))
    elif col.kind in ("words", "groups"):
        accepted = ", ".join(sorted(set(col.words.values()) - {"rt,rw"}))
        if col.kind == "words":
            frame = frame.with_columns(words_expr(c(raw), col.words).alias(value))
            bad = c(value).is_null()
        else:  # a list of group words separated by commas, semicolons, slashes, "+" or "dan": per distinct text
            parsed = {v: parse_groups(v, col.words) for v in frame[raw].drop_nulls().unique().to_list()}
            frame = frame.with_columns(
                c(raw).replace_strict({k: v for k, v in parsed.items() if v is not None}, default=None,
                                      return_dtype=pl.List(pl.String)).alias(value))  # fmt: skip
            bad = c(raw).is_not_null() & c(value).is_null()
        code = (pl.when(missing).then(pl.lit("VALUE_MISSING") if col.required else none)
                .when(bad).then(pl.lit("CHOICE_UNKNOWN")))  # fmt: skip
        frame = frame.with_columns(code.alias(err), pl.lit(accepted).alias(extra))
    elif col.kind in ("region", "desa"):
        from ucj.regions.codes import normalize_code

        codes = {v: normalize_code(v) for v in frame[raw].drop_nulls().unique().to_list()}
        frame = frame.with_columns(c(raw).replace_strict(codes, default=None, return_dtype=pl.String).alias(value))
        code = (pl.when(missing).then(pl.lit("VALUE_MISSING") if col.required else none)
                .when(c(value).is_null()).then(pl.lit("REGION_INVALID")))  # fmt: skip
        frame = frame.with_columns(code.alias(err), none.alias(extra))
    else:
        too_long = c(raw).str.len_chars() > col.max_len
        code = (pl.when(missing).then(pl.lit("VALUE_MISSING") if col.required else none)
                .when(too_long).then(pl.lit("TEXT_TOO_LONG")))  # fmt: skip
        frame = frame.with_columns(c(raw).fill_null("").alias(value), code.alias(err),
                                   pl.when(too_long).then(pl.lit(str(col.max_len))).alias(extra))  # fmt: skip
    return frame, pl.col(err)


def row_key(kind: Kind, row: dict[str, Any]) -> tuple[str, ...]:
    """What identifies a row (two rows of a file with one key are refused): ``kind.key``, folded; an instrument
    without a number is known by its title."""
    key = tuple(fold(row.get(k)) if isinstance(row.get(k), str) else str(row.get(k) or "") for k in kind.key)
    if kind.name == "instrument" and not row.get("number"):
        key += ("title:" + fold(row.get("title")),)
    return key


def parse_groups(text: str, words: dict[str, str]) -> list[str] | None:
    """``'Kepala desa, BPD dan RT/RW'`` → ``['bpd', 'kepala_desa', 'rt', 'rw']``; None when a part is unknown."""

    codes: set[str] = set()
    for part in re.split(r"\s*(?:[,;+]|\bdan\b)\s*", text.lower()):
        if not part.strip():
            continue
        found = words.get(fold(part))
        if found is None and "/" in part:  # "RT/RW"
            found = words.get(fold(part.replace("/", " ")))
        if found is None:
            return None
        codes.update(found.split(","))
    return sorted(codes)


def _cross(kind: Kind, row: dict[str, Any], index: dict[str, dict[str, Any]], may_write: MayWrite, sheet: str,
           headers: list[str], used: dict[str, int]) -> list[Finding]:  # fmt: skip
    """Checks across the cells of one row (region levels, kelurahan rules, scope)."""
    n = row["_row"]
    out: list[Finding] = []

    def add(field_: str, code: str, value: object = "", extra: object = "") -> None:
        header = headers[used[field_]] if field_ in used else kind.column(field_).header if field_ else ""
        out.append(Finding(n, header, code, str(value), str(extra), sheet=sheet))

    region_field = next((c.field for c in kind.columns if c.kind in ("region", "desa")), None)
    code = row.get(region_field) if region_field else None
    region = index.get(code) if code else None
    if code and region is None:
        add(region_field or "", "REGION_UNKNOWN", code)
        return out
    level = int(region["level"]) if region else None
    if region_field and kind.column(region_field).kind == "desa" and code and level != 4:
        add(region_field, "REGION_LEVEL", code, LEVEL_WORDS[4][0])
        return out
    kelurahan = bool(code) and institutions.is_kelurahan(code or "")
    payer = row.get("payer") if kind.name == "budget" else None
    if kind.name == "instrument":
        allowed = INSTRUMENT_LEVELS.get(row.get("kind") or "")
        if code is None and not may_write(kind.name, None, None):
            add("region", "NATIONAL_ADMIN_ONLY")
        if code and allowed is not None and level not in allowed:
            add("kind", "INSTRUMENT_LEVEL", row.get("kind"), LEVEL_WORDS[level or 1][0])
        if code and row.get("kind") in ("perdes", "perkades") and kelurahan:
            add("kind", "INSTRUMENT_LEVEL", row.get("kind"), "kelurahan")
    elif kind.name == "budget" and payer:
        want = PAYER_LEVELS[payer]
        if level is not None and level != want:
            add("region", "REGION_LEVEL", code, LEVEL_WORDS[want][0])
        if payer == "apbdes" and kelurahan:
            add("payer", "KELURAHAN_NO_APBDES", code)
        if payer != "apbdes" and row.get("source"):
            add("source", "SOURCE_ONLY_APBDES")
        if payer == "apbdes" and not row.get("source"):
            add("source", "SOURCE_REQUIRED")
        if payer == "apbdes" and row.get("source") == "dana_desa":
            add("source", "DANA_DESA_WARNING")
    elif kind.name == "institution" and code:
        if kelurahan:
            if any(row.get(r) for r in institutions.DESA_ONLY):
                add("kepala_desa", "KELURAHAN_NO_DESA_ROLE", code)
            for role in institutions.DESA_ONLY:
                row[role] = None  # a kelurahan has none of them (shared/domain.md §6)
        else:
            for role in institutions.ROLES:
                if row.get(role) is None:
                    add(role, "VALUE_MISSING", "", kind.column(role).header)
            if (row.get("kepala_desa") or 0) > 1:
                add("kepala_desa", "KEPALA_DESA_COUNT", row["kepala_desa"])
        name = row.get("name")
        if name and region and _name_key(name) != _name_key(region["name"]):
            add("name", "NAME_MISMATCH", name, f"{code} {region['name']}")
    elif kind.name == "unit" and row.get("subtype") and row.get("kind") != "pasar":
        add("subtype", "SUBTYPE_ONLY_PASAR")
    elif kind.name == "action":
        if row.get("done_on") and row.get("status") != "selesai":
            add("done_on", "DONE_DATE")
        if bool(row.get("meeting_date")) != bool(row.get("meeting_title")):
            add("meeting_title", "VALUE_MISSING", "", "Tanggal Rapat + Judul Rapat")
    if code and region_field and not may_write(kind.name, code, payer):
        add(region_field, "REGION_OUT_OF_SCOPE", code)
    return out


def _name_key(name: str) -> str:
    from ucj.regions.codes import name_key

    return name_key(name)


def mentioned_codes(checked_frames: Iterable[dict[str, Any]]) -> set[str]:
    """Every region code the rows name (to read their regions once)."""
    return {v for row in checked_frames for k, v in row.items() if k in ("region", "desa", "owner") and v}
