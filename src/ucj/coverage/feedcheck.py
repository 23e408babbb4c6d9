"""Checking coverage data files: participation feeds, denominators and targets (pure: bytes in, Polars out).

A **participation feed** is an aggregate table from BPJS Ketenagakerjaan: one row per region × month ×
segment (optionally × ecosystem × payer) with the number of active participants. **Workforce** files give the
denominator per region, year and definition with its source; **target** files a rate or a count per region,
year and definition with its legal source.

Every row ends accepted or rejected with findings that carry the row number the user sees in the file, the
column header as written, a stable code and the offending value, in Bahasa Indonesia and English (codes are
part of the CLI/API contract: never rename one). The loaders that use these checks are all-or-nothing: one
rejected row and nothing is stored.

Reading rules (documented for the people who prepare the files):

* CSV (any of ``, ; tab |``, UTF-8 or Windows-1252) or Excel (.xlsx/.xls, first sheet with a header row);
  title rows above the header are skipped; "TOTAL"/"Jumlah" rows of a feed are skipped (info finding).
* Region: a Kemendagri code in any form (``16.06``, ``1606``) at any level, or a province/kab/kota name
  ("Kabupaten Musi Banyuasin", "Kota Palembang", "Musi Banyuasin"). When both are given they must agree.
* Month: ``2024-03``, ``03/2024``, ``Mar 2024``, ``Maret 2024``, ``Mar-24``, a date (its month is taken) or an
  Excel date. A month after the current one is refused.
* Counts: whole numbers; ``12.345`` is Indonesian thousands (12,345), ``12,345`` English thousands; a zero
  fraction (``12.345,00``) is accepted; negatives and decimals are refused.
* Rates (targets): percent, ``50``, ``50%``, ``37,58`` or ``37.58`` (at most two decimals, 0–100).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl
import python_calamine as calamine

from ucj.regions.codes import contains, name_key, normalize_code
from ucj.registry import issues, vocab
from ucj.registry.dates import MONTHS, add_date_column, safe_date
from ucj.registry.issues import IssueType
from ucj.registry.reader import cell_text, decode_text

HEADER_SCAN_ROWS = 30
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_DELIMITERS = [",", ";", "\t", "|"]


# ---------------------------------------------------------------- findings


_TYPES = [
    # --- file-level (the whole file is refused) ---
    IssueType("FILE_EMPTY", "error", "Berkas kosong.", "The file is empty."),
    IssueType("FILE_NOT_SPREADSHEET", "error",
              "Berkas bukan spreadsheet yang dikenal ({value}). Unggah .xlsx, .xls atau .csv.",
              "The file is not a known spreadsheet ({value}). Upload .xlsx, .xls or .csv."),
    IssueType("FILE_PASSWORD", "error",
              "Berkas Excel dilindungi kata sandi. Hapus kata sandinya, simpan, lalu unggah lagi.",
              "The Excel file is password-protected. Remove the password, save and upload again."),
    IssueType("FILE_UNREADABLE", "error", "Berkas tidak dapat dibaca: {value}.", "The file cannot be read: {value}."),
    IssueType("FILE_NO_HEADER", "error",
              "Baris judul kolom tidak ditemukan (perlu kolom {extra}). Judul yang terbaca: {value}.",
              "No header row found (columns needed: {extra}). Headers found: {value}."),
    IssueType("FILE_MISSING_COLUMN", "error", "Kolom wajib tidak ada: {value}. Judul yang terbaca: {extra}.",
              "Required column missing: {value}. Headers found: {extra}."),
    IssueType("FILE_NO_ROWS", "error", "Tidak ada baris data di bawah judul kolom.",
              "There are no data rows below the header row."),
    # --- region ---
    IssueType("REGION_MISSING", "error", "Wilayah kosong: isi kode wilayah atau nama kabupaten/kota.",
              "Region empty: fill the region code or the regency/city name."),
    IssueType("REGION_UNKNOWN", "error", "Wilayah '{value}' tidak dikenal (kode Kemendagri atau nama kab/kota).",
              "Region '{value}' is not known (Kemendagri code or regency/city name)."),
    IssueType("REGION_AMBIGUOUS", "error",
              "Nama wilayah '{value}' cocok dengan beberapa wilayah: {extra}. Isi kodenya.",
              "Region name '{value}' matches several regions: {extra}. Give its code."),
    IssueType("REGION_MISMATCH", "error",
              "Kode wilayah {value} tidak sesuai dengan nama wilayah di baris ini ({extra}).",
              "Region code {value} does not match the region name on this row ({extra})."),
    IssueType("REGION_OUTSIDE", "error", "Wilayah {value} di luar wilayah Anda ({extra}).",
              "Region {value} lies outside your regions ({extra})."),
    # --- month / year ---
    IssueType("MONTH_MISSING", "error", "Bulan kosong.", "Month is empty."),
    IssueType("MONTH_INVALID", "error", "Bulan '{value}' tidak dapat dibaca (contoh: 2024-03, 03/2024, Maret 2024).",
              "Month '{value}' cannot be read (examples: 2024-03, 03/2024, Maret 2024)."),
    IssueType("MONTH_FUTURE", "error", "Bulan {value} belum terjadi (bulan berjalan: {extra}).",
              "Month {value} is in the future (current month: {extra})."),
    IssueType("YEAR_MISSING", "error", "Tahun kosong.", "Year is empty."),
    IssueType("YEAR_INVALID", "error", "Tahun '{value}' tidak valid (contoh: 2025).",
              "Year '{value}' is not valid (example: 2025)."),
    # --- vocabularies ---
    IssueType("SEGMENT_MISSING", "error", "Segmen kosong (PU, BPU, JAKON atau PMI).",
              "Segment is empty (PU, BPU, JAKON or PMI)."),
    IssueType("SEGMENT_UNKNOWN", "error", "Segmen '{value}' tidak dikenal (PU, BPU, JAKON atau PMI).",
              "Segment '{value}' is not known (PU, BPU, JAKON or PMI)."),
    IssueType("ECOSYSTEM_UNKNOWN", "error", "Ekosistem '{value}' tidak dikenal (desa, pasar, umkm, rentan, lainnya).",
              "Ecosystem '{value}' is not known (desa, pasar, umkm, rentan, lainnya)."),
    IssueType("PAYER_UNKNOWN", "error", "Pembayar '{value}' tidak dikenal (mis. mandiri, perusahaan, APBD, APBDes).",
              "Payer '{value}' is not known (e.g. mandiri, perusahaan, APBD, APBDes)."),
    IssueType("DEFINITION_MISSING", "error",
              "Definisi kosong (eligible, bps_employed, vulnerable atau bpu_universe).",
              "Definition is empty (eligible, bps_employed, vulnerable or bpu_universe)."),
    IssueType("DEFINITION_UNKNOWN", "error",
              "Definisi '{value}' tidak dikenal (eligible, bps_employed, vulnerable atau bpu_universe).",
              "Definition '{value}' is not known (eligible, bps_employed, vulnerable or bpu_universe)."),
    # --- numbers ---
    IssueType("COUNT_MISSING", "error", "Jumlah kosong.", "The count is empty."),
    IssueType("COUNT_INVALID", "error", "Jumlah '{value}' bukan bilangan bulat (contoh: 12345 atau 12.345).",
              "Count '{value}' is not a whole number (examples: 12345 or 12.345)."),
    IssueType("COUNT_NEGATIVE", "error", "Jumlah '{value}' negatif.", "Count '{value}' is negative."),
    IssueType("COUNT_DECIMAL", "error", "Jumlah '{value}' berisi pecahan; jumlah orang harus bilangan bulat.",
              "Count '{value}' has a fraction; a number of people must be whole."),
    IssueType("RATE_INVALID", "error", "Target '{value}' bukan persen 0–100 dengan paling banyak 2 desimal.",
              "Target '{value}' is not a percentage 0–100 with at most 2 decimals."),
    IssueType("RATE_FRACTION", "warning",
              "Target {value}% sangat kecil: apakah maksudnya {extra}%? Kolom target dibaca sebagai persen.",
              "Target {value}% is very small: did you mean {extra}%? The target column is read as a percentage."),
    IssueType("TARGET_MISSING", "error", "Isi target persen atau target jumlah pekerja.",
              "Fill the target rate (percent) or the target count."),
    IssueType("SOURCE_MISSING", "error", "Sumber/dasar hukum wajib diisi.", "The source (legal basis) is required."),
    # --- rows ---
    IssueType("DUPLICATE_IN_FILE", "error", "Sel yang sama ({value}) sudah ada di baris {extra}.",
              "The same cell ({value}) is already on row {extra}."),
    IssueType("TOTAL_ROW_SKIPPED", "info", "Baris total '{value}' dilewati.", "Total row '{value}' skipped."),
]  # fmt: skip

ISSUE_TYPES: dict[str, IssueType] = {t.code: t for t in _TYPES}
ERROR_CODES = [c for c, t in ISSUE_TYPES.items() if t.severity == "error"]


@dataclass(frozen=True, slots=True)
class Finding(issues.Finding):
    """One issue on one feed, workforce or target row (0 = the whole file). Unlike a roster's, the value is
    part of the report: these files hold counts per region, no personal data."""

    catalogue: ClassVar[dict[str, IssueType]] = ISSUE_TYPES

    def as_dict(self) -> dict[str, object]:
        return issues.Finding.as_dict(self) | {"value": self.value}


class FeedFileError(Exception):
    """The whole file is refused (not a spreadsheet, empty, no header row, a required column missing...)."""

    def __init__(self, code: str, value: str = "", extra: str = "") -> None:
        self.finding = Finding(row=0, column="", code=code, value=value, extra=extra)
        super().__init__(self.finding.message("en"))

    @property
    def code(self) -> str:
        return self.finding.code


_FINDING_SCHEMA = pl.Schema(
    {"row": pl.Int64, "column": pl.String, "code": pl.String, "value": pl.String, "extra": pl.String}
)


# ---------------------------------------------------------------- columns


def fold(text: object) -> str:
    """``'Kabupaten/Kota'`` → ``'kabupaten kota'``; ``'kode_kab'`` → ``'kode kab'``."""
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


FEED_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("kode wilayah", "kode", "kode kab", "kode kabupaten", "kode kab kota", "kode kabupaten kota",
               "kode daerah", "kode kemendagri", "region", "region code", "kode provinsi", "kode kecamatan",
               "kode desa"),
    "region_name": ("kabupaten kota", "kab kota", "wilayah", "nama wilayah", "kabupaten", "kota", "nama kabupaten",
                    "nama kab kota", "nama kabupaten kota", "daerah", "region name", "regency", "provinsi"),
    "month": ("bulan", "periode", "month", "period", "bulan tahun", "periode bulan", "bulan laporan"),
    "segment": ("segmen", "segment", "segmen kepesertaan", "jenis kepesertaan", "kategori kepesertaan"),
    "ecosystem": ("ekosistem", "ecosystem"),
    "payer": ("pembayar", "payer", "sumber dana", "sumber iuran", "pembayar iuran", "sumber pendanaan"),
    "active": ("peserta aktif", "jumlah", "aktif", "active", "jumlah peserta aktif", "jumlah peserta",
               "tk aktif", "jumlah tk aktif", "active participants", "jumlah aktif"),
}  # fmt: skip
FEED_REQUIRED = ("month", "segment", "active")  # and region or region_name

WORKFORCE_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("region", "kode", "kode wilayah", "region code", "kode kab", "kode kabupaten kota"),
    "region_name": ("wilayah", "nama wilayah", "kabupaten kota", "kab kota", "region name"),
    "year": ("year", "tahun"),
    "definition": ("definition", "definisi", "jenis", "definisi penyebut"),
    "workers": ("workers", "jumlah", "jumlah pekerja", "pekerja", "jumlah tenaga kerja", "tenaga kerja"),
    "source": ("source", "sumber", "sumber data", "dasar", "dasar hukum"),
}  # fmt: skip
WORKFORCE_REQUIRED = ("year", "definition", "workers", "source")

TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("region", "kode", "kode wilayah", "region code", "kode kab", "kode kabupaten kota"),
    "region_name": ("wilayah", "nama wilayah", "kabupaten kota", "kab kota", "region name"),
    "year": ("year", "tahun"),
    "definition": ("definition", "definisi", "jenis", "definisi penyebut"),
    "rate": ("rate", "target", "target persen", "persen", "persentase", "target cakupan", "rate percent",
             "target rate", "target cakupan persen"),
    "count": ("count", "target pekerja", "target jumlah", "jumlah target", "target count", "jumlah",
              "target jumlah pekerja"),
    "source": ("source", "sumber", "dasar hukum", "dasar", "sumber dasar hukum"),
}  # fmt: skip
TARGET_REQUIRED = ("year", "definition", "source")

LABELS = {"region": "Kode Wilayah", "region_name": "Kabupaten/Kota", "month": "Bulan", "segment": "Segmen",
          "ecosystem": "Ekosistem", "payer": "Pembayar", "active": "Peserta Aktif", "year": "Tahun",
          "definition": "Definisi", "workers": "Jumlah", "rate": "Target (%)", "count": "Target (pekerja)",
          "source": "Sumber"}  # fmt: skip


@dataclass
class Columns:
    """Which file column feeds which field (first column wins), and the headers ignored."""

    headers: list[str]
    used: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        return self.headers[self.used[name]] if name in self.used else LABELS.get(name, name)

    def describe(self) -> dict[str, object]:
        return {"used": {n: self.headers[i] for n, i in self.used.items()}, "ignored": self.ignored}


def _lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(a): name for name, names in aliases.items() for a in names}


def map_columns(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> Columns:
    lookup = _lookup(aliases)
    cols = Columns(headers=[str(h or "").strip() for h in headers])
    for i, header in enumerate(cols.headers):
        key = fold(header)
        name = lookup.get(key) or lookup.get(fold(re.sub(r"\s*\(.*$", "", header)))
        if name and name not in cols.used:
            cols.used[name] = i
        elif header:
            cols.ignored.append(header)
    return cols


# ---------------------------------------------------------------- reading


@dataclass
class RawTable:
    """The cells of one file as text: ``c0…cN`` and ``_row`` (the row number the user sees)."""

    frame: pl.DataFrame
    columns: Columns
    header_row: int
    kind: str

    def field(self, name: str) -> pl.Expr:
        if name in self.columns.used:
            return pl.col(f"c{self.columns.used[name]}")
        return pl.lit(None, dtype=pl.String)


def read_table(data: bytes, file_name: str, aliases: dict[str, tuple[str, ...]], required: Iterable[str]) -> RawTable:
    """Read a CSV or Excel file whose header row names at least two fields of ``aliases``; raises
    :class:`FeedFileError` when it is not such a file or lacks a ``required`` column (``region`` is satisfied
    by ``region_name`` too)."""
    if not data or not data.strip():
        raise FeedFileError("FILE_EMPTY")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data:
            raise FeedFileError("FILE_PASSWORD")
        records, kind = _workbook_rows(data, "xls"), "xls"
    elif data.startswith(_ZIP_MAGIC):
        records, kind = _workbook_rows(data, "xlsx"), "xlsx"
    elif b"\x00" in data[:4096] or data[:8].startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "tanpa ekstensi/no extension"
        raise FeedFileError("FILE_NOT_SPREADSHEET", ext)
    else:
        records, kind = _csv_rows(data, aliases), "csv"
    lookup = _lookup(aliases)
    needed = ", ".join(LABELS.get(n, n) for n in ("region", *required))
    header_idx = next((i for i, r in enumerate(records[:HEADER_SCAN_ROWS])
                       if len({lookup.get(fold(c)) for c in r} - {None}) >= 2), None)  # fmt: skip
    if header_idx is None:
        seen = next((r for r in records if any(c for c in r)), [])
        raise FeedFileError("FILE_NO_HEADER", ", ".join(c for c in seen if c)[:300], needed)
    cols = map_columns(records[header_idx], aliases)
    missing = [LABELS.get(n, n) for n in required if n not in cols.used]
    if "region" in aliases and "region" not in cols.used and "region_name" not in cols.used:
        missing.insert(0, LABELS["region"])
    if missing:
        raise FeedFileError("FILE_MISSING_COLUMN", ", ".join(missing), ", ".join(h for h in cols.headers if h))
    width = max(len(cols.headers), 1)
    body = records[header_idx + 1 :]
    frame = pl.DataFrame(
        {f"c{i}": [(r[i] if i < len(r) else None) or None for r in body] for i in range(width)},
        schema={f"c{i}": pl.String for i in range(width)},
    ).with_columns(pl.int_range(header_idx + 2, header_idx + 2 + len(body), dtype=pl.Int64).alias("_row"))
    cells = [f"c{i}" for i in range(width)]
    frame = frame.with_columns([pl.col(c).str.strip_chars().replace("", None) for c in cells]).filter(
        pl.any_horizontal([pl.col(c).is_not_null() for c in cells])
    )
    if frame.height == 0:
        raise FeedFileError("FILE_NO_ROWS")
    return RawTable(frame=frame, columns=cols, header_row=header_idx + 1, kind=kind)


def _csv_rows(data: bytes, aliases: dict[str, tuple[str, ...]]) -> list[list[str]]:
    text = decode_text(data)
    lines = text.splitlines()
    lookup = _lookup(aliases)
    best: tuple[tuple[int, int], str] = ((-1, -1), ",")
    for delim in _DELIMITERS:
        head = list(csv.reader(lines[: HEADER_SCAN_ROWS + 5], delimiter=delim))
        known = max((len({lookup.get(fold(c)) for c in r} - {None}) for r in head), default=0)
        widest = max((len(r) for r in head), default=0)
        if (known, widest) > best[0]:
            best = ((known, widest), delim)
    return [[c.strip() for c in r] for r in csv.reader(lines, delimiter=best[1])]


def _workbook_rows(data: bytes, kind: str) -> list[list[str]]:
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows: list[list[Any]] = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types for damaged/unsupported files
        if kind == "xlsx" and b"[Content_Types].xml" not in data[:200_000]:
            raise FeedFileError("FILE_NOT_SPREADSHEET", "zip") from exc
        raise FeedFileError("FILE_UNREADABLE", type(exc).__name__) from exc
    return [[cell_text(c) or "" for c in r] for r in rows]


# ---------------------------------------------------------------- values


def add_count_column(frame: pl.DataFrame, raw: str, out: str, error: str) -> pl.DataFrame:
    """Whole numbers as people write them: ``12345``, ``12.345`` (Indonesian thousands), ``12,345`` (English),
    ``12 345``, ``12.345,00``. ``error`` gets COUNT_MISSING / COUNT_NEGATIVE / COUNT_DECIMAL / COUNT_INVALID."""
    c = pl.col
    t = c(raw).str.replace_all(r"[\s\u00a0]", "")
    frame = frame.with_columns(t.alias("_t"))
    negative = c("_t").str.contains(r"^(-|\(.*\)$)")
    body = c("_t").str.replace_all(r"^-|^\(|\)$", "")
    id_thousands = body.str.contains(r"^\d{1,3}(\.\d{3})+(,0+)?$")
    en_thousands = body.str.contains(r"^\d{1,3}(,\d{3})+(\.0+)?$")
    digits = (
        pl.when(body.str.contains(r"^\d+$")).then(body)
        .when(id_thousands).then(body.str.replace(r",0+$", "").str.replace_all(r"\.", ""))
        .when(en_thousands).then(body.str.replace(r"\.0+$", "").str.replace_all(",", ""))
        .when(body.str.contains(r"^\d+[.,]0+$")).then(body.str.replace(r"[.,]0+$", ""))
    )  # fmt: skip
    decimal = body.str.contains(r"^\d+([.,]\d{3})*[.,]\d+$")
    value = digits.cast(pl.Int64, strict=False)
    return frame.with_columns(
        pl.when(~negative).then(value).alias(out),
        pl.when(c("_t").is_null()).then(pl.lit("COUNT_MISSING"))
        .when(negative & (value.is_not_null() | decimal)).then(pl.lit("COUNT_NEGATIVE"))
        .when(value.is_not_null()).then(pl.lit(None, pl.String))
        .when(decimal).then(pl.lit("COUNT_DECIMAL"))
        .otherwise(pl.lit("COUNT_INVALID")).alias(error),
    ).drop("_t")  # fmt: skip


_YM = r"^(\d{4})[\-/.](\d{1,2})$"
_M_YY = r"^([a-z]+)[\s\-/.']+(\d{2})$"


def add_month_column(frame: pl.DataFrame, raw: str, out: str, today: dt.date) -> pl.DataFrame:
    """First day of the month written in ``raw`` (see the module doc), or null."""
    c = pl.col
    text = c(raw).str.strip_chars().str.to_lowercase()
    frame = add_date_column(frame, raw, "_parsed", today, month_only=True).with_columns(
        text.str.extract_groups(_YM).alias("_ym"), text.str.extract_groups(_M_YY).alias("_myy")
    )
    one = pl.lit(1, dtype=pl.Int32)
    ym = safe_date(c("_ym").struct.field("1").cast(pl.Int32, strict=False),
                   c("_ym").struct.field("2").cast(pl.Int32, strict=False), one)  # fmt: skip
    myy_month = c("_myy").struct.field("1").replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    myy = safe_date(2000 + c("_myy").struct.field("2").cast(pl.Int32, strict=False), myy_month, one)
    month = pl.coalesce(ym, myy, c("_parsed").dt.truncate("1mo"))
    return frame.with_columns(month.alias(out)).drop("_parsed", "_ym", "_myy")


def words_expr(expr: pl.Expr, words: dict[str, str]) -> pl.Expr:
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .replace_strict(words, default=None, return_dtype=pl.String)
    )


SEGMENT_WORDS = {**vocab.SEGMENT_WORDS, "wage earner": "PU", "wage earners": "PU", "non wage earner": "BPU",
                 "non wage earners": "BPU", "self employed": "BPU", "construction": "JAKON",
                 "migrant worker": "PMI", "migrant workers": "PMI", "jasa konstruksi jakon": "JAKON"}  # fmt: skip
ECOSYSTEM_WORDS = {**vocab.ECOSYSTEM_WORDS, "village": "desa", "market": "pasar", "vulnerable": "rentan",
                   "other": "lainnya", "msme": "umkm", "umk": "umkm"}  # fmt: skip
PAYER_WORDS = dict(vocab.PAYER_WORDS)
DEFINITION_WORDS = {"eligible": "eligible", "pekerja eligible": "eligible", "potensi tenaga kerja": "eligible",
                    "potensi": "eligible", "bpjs": "eligible", "bps employed": "bps_employed",
                    "bps": "bps_employed", "penduduk bekerja": "bps_employed", "bekerja": "bps_employed",
                    "sakernas": "bps_employed", "employed": "bps_employed", "vulnerable": "vulnerable",
                    "rentan": "vulnerable", "miskin rentan": "vulnerable", "pekerja rentan": "vulnerable",
                    "pekerja miskin rentan": "vulnerable",
                    # Bappenas 06.02.021: the universe of BPU (informal) workers
                    "bpu universe": "bpu_universe", "semesta pbpu": "bpu_universe", "semesta bpu": "bpu_universe",
                    "pekerja informal": "bpu_universe", "informal": "bpu_universe",
                    "bappenas": "bpu_universe", "06 02 021": "bpu_universe",
                    "bappenas 06 02 021": "bpu_universe"}  # fmt: skip


# ---------------------------------------------------------------- regions


@dataclass(frozen=True, slots=True)
class RegionResult:
    code: str | None
    error: str | None = None
    value: str = ""
    extra: str = ""


class RegionIndex:
    """Codes and names of the known regions (frame: code, name, level, kind); names match provinces and
    kab/kota only ("Kota X" and "Kabupaten X" are told apart by the word "kota")."""

    def __init__(self, regions: pl.DataFrame) -> None:
        self.names = {r["code"]: r["name"] for r in regions.iter_rows(named=True)}
        self.kinds = {r["code"]: r["kind"] for r in regions.iter_rows(named=True)}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        for r in regions.filter(pl.col("level") <= 2).iter_rows(named=True):
            self.by_key[name_key(r["name"])].append(r["code"])

    def by_name(self, text: str) -> RegionResult:
        candidates = sorted(self.by_key.get(name_key(text), []))
        if len(candidates) > 1:
            city = bool(re.match(r"^\s*kota\b", text, re.IGNORECASE))
            narrowed = [c for c in candidates if (self.kinds.get(c) == "kota") == city]
            candidates = narrowed or candidates
        if len(candidates) == 1:
            return RegionResult(candidates[0])
        if candidates:
            shown = "; ".join(f"{self.names[c]} ({c})" for c in candidates[:5])
            return RegionResult(None, "REGION_AMBIGUOUS", text, shown)
        return RegionResult(None, "REGION_UNKNOWN", text)

    def resolve(self, code_text: str | None, name_text: str | None) -> RegionResult:
        if code_text:
            code = normalize_code(code_text)
            if code is None:
                if re.search(r"[A-Za-z]", code_text) and not name_text:
                    return self.by_name(code_text)  # a "region" column holding names
                return RegionResult(None, "REGION_UNKNOWN", code_text)
            if code not in self.names:
                return RegionResult(None, "REGION_UNKNOWN", code)
            if name_text:
                named = self.by_name(name_text)
                if named.code is not None and named.code != code:
                    return RegionResult(None, "REGION_MISMATCH", code, f"{name_text} = {named.code}")
            return RegionResult(code)
        if name_text:
            return self.by_name(name_text)
        return RegionResult(None, "REGION_MISSING")


def mentioned_codes(raw: RawTable) -> set[str]:
    """Region codes written in the file (so a caller can load just those besides the named levels)."""
    texts = raw.frame.select(raw.field("region").alias("r"))["r"].drop_nulls().unique().to_list()
    return {c for c in (normalize_code(t) for t in texts) if c}


def _resolve(df: pl.DataFrame, regions: pl.DataFrame, scope: tuple[str, ...] | None) -> pl.DataFrame:
    index = RegionIndex(regions)
    combos = df.select("code_text", "name_text").unique()
    results = [index.resolve(a, b) for a, b in combos.iter_rows()]
    allowed = ", ".join(scope or ()) or "-"
    for i, r in enumerate(results):
        if r.code is not None and scope is not None and not any(contains(s, r.code) for s in scope):
            results[i] = RegionResult(None, "REGION_OUTSIDE", r.code, allowed)
    resolved = combos.with_columns(
        pl.Series("region", [r.code for r in results], dtype=pl.String),
        pl.Series("region_error", [r.error for r in results], dtype=pl.String),
        pl.Series("region_value", [r.value for r in results], dtype=pl.String),
        pl.Series("region_extra", [r.extra for r in results], dtype=pl.String),
    )
    return df.join(resolved, on=["code_text", "name_text"], how="left", nulls_equal=True)


# ---------------------------------------------------------------- validation


@dataclass
class Checked:
    """Outcome of a check: ``rows`` has ``_row``, ``rejected`` and the clean columns; ``findings`` one row
    per issue (row, column, code, value, extra)."""

    rows: pl.DataFrame
    findings: pl.DataFrame
    raw: RawTable

    @property
    def ok(self) -> pl.DataFrame:
        return self.rows.filter(~pl.col("rejected"))

    @property
    def rejected(self) -> int:
        return int(self.rows["rejected"].sum())

    def findings_list(self) -> list[Finding]:
        return [Finding(**r) for r in self.findings.sort("row", "code").iter_rows(named=True)]


Check = tuple[pl.Expr, str, str | pl.Expr, str | pl.Expr, str | pl.Expr]  # condition, column, code, value, extra


def _findings(df: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    def lit(v: str | pl.Expr) -> pl.Expr:
        return v if isinstance(v, pl.Expr) else pl.lit(v)

    parts = [
        df.filter(cond.fill_null(False)).select(
            pl.col("_row").alias("row"),
            pl.lit(column).alias("column"),
            lit(code).cast(pl.String).alias("code"),
            lit(value).cast(pl.String).fill_null("").alias("value"),
            lit(extra).cast(pl.String).fill_null("").alias("extra"),
        )
        for cond, column, code, value, extra in checks
    ]
    return pl.concat(parts).cast(_FINDING_SCHEMA) if parts else pl.DataFrame(schema=_FINDING_SCHEMA)


def _finish(df: pl.DataFrame, findings: pl.DataFrame, raw: RawTable, skipped: pl.DataFrame | None = None) -> Checked:
    rejected = findings.filter(pl.col("code").is_in(ERROR_CODES))["row"].unique()
    df = df.with_columns(pl.col("_row").is_in(rejected.implode()).alias("rejected"))
    if skipped is not None and skipped.height:
        findings = pl.concat([findings, skipped.cast(_FINDING_SCHEMA)])
    return Checked(rows=df, findings=findings, raw=raw)


def _region_checks(raw: RawTable) -> list[Check]:
    s = pl.col
    column = raw.columns.header_of("region" if "region" in raw.columns.used else "region_name")
    return [(s("region_error").is_not_null(), column, s("region_error"), s("region_value"), s("region_extra"))]


def _duplicates(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    return df.with_columns(pl.when(complete).then(pl.col("_row").min().over(keys)).alias("_first"))


def _key_text(keys: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator=" × ")


_TOTAL = r"^\s*(grand\s+|sub\s*)?(total|jumlah)\b"


def validate_feed(
    raw: RawTable, regions: pl.DataFrame, *, scope: tuple[str, ...] | None = None, today: dt.date | None = None
) -> Checked:
    """Check every row of a participation feed. ``regions``: frame (code, name, level, kind) of the known
    regions (at least provinces, kab/kota and the codes the file mentions); ``scope``: the region codes the
    user may write for (None: everywhere)."""
    today = today or dt.date.today()
    f = raw.field
    df = raw.frame.select(
        "_row",
        f("region").alias("code_text"),
        f("region_name").alias("name_text"),
        f("month").alias("month_raw"),
        f("segment").alias("segment_raw"),
        f("ecosystem").alias("ecosystem_raw"),
        f("payer").alias("payer_raw"),
        f("active").alias("active_raw"),
    )
    is_total = [pl.col(c).str.to_lowercase().str.contains(_TOTAL).fill_null(False) for c in ("code_text", "name_text")]
    total = pl.any_horizontal(is_total)
    skipped_rows = df.filter(total)
    skipped = skipped_rows.select(
        pl.col("_row").alias("row"), pl.lit(raw.columns.header_of("region_name" if "region_name" in raw.columns.used
                                                                 else "region")).alias("column"),
        pl.lit("TOTAL_ROW_SKIPPED").alias("code"), pl.coalesce("name_text", "code_text").alias("value"),
        pl.lit("").alias("extra"),
    )  # fmt: skip
    df = df.filter(~total)
    df = _resolve(df, regions, scope)
    df = add_month_column(df, "month_raw", "month", today)
    df = add_count_column(df, "active_raw", "active", "active_error")
    df = df.with_columns(
        words_expr(pl.col("segment_raw"), SEGMENT_WORDS).alias("segment"),
        pl.when(pl.col("ecosystem_raw").is_null()).then(pl.lit(""))
        .otherwise(words_expr(pl.col("ecosystem_raw"), ECOSYSTEM_WORDS)).alias("ecosystem"),
        pl.when(pl.col("payer_raw").is_null()).then(pl.lit(""))
        .otherwise(words_expr(pl.col("payer_raw"), PAYER_WORDS)).alias("payer"),
    )  # fmt: skip
    keys = ["region", "month", "segment", "ecosystem", "payer"]
    df = _duplicates(df, keys)
    this_month = today.replace(day=1)
    s, col = pl.col, raw.columns.header_of
    checks: list[Check] = [
        *_region_checks(raw),
        (s("month_raw").is_null(), col("month"), "MONTH_MISSING", "", ""),
        (s("month_raw").is_not_null() & s("month").is_null(), col("month"), "MONTH_INVALID", s("month_raw"), ""),
        (s("month") > this_month, col("month"), "MONTH_FUTURE", s("month").dt.strftime("%Y-%m"),
         f"{this_month:%Y-%m}"),
        (s("segment_raw").is_null(), col("segment"), "SEGMENT_MISSING", "", ""),
        (s("segment_raw").is_not_null() & s("segment").is_null(), col("segment"), "SEGMENT_UNKNOWN",
         s("segment_raw"), ""),
        (s("ecosystem").is_null(), col("ecosystem"), "ECOSYSTEM_UNKNOWN", s("ecosystem_raw"), ""),
        (s("payer").is_null(), col("payer"), "PAYER_UNKNOWN", s("payer_raw"), ""),
        (s("active_error").is_not_null(), col("active"), s("active_error"), s("active_raw"), ""),
        (s("_first").is_not_null() & (s("_first") != s("_row")), col("active"), "DUPLICATE_IN_FILE",
         pl.concat_str([s("region"), s("month").dt.strftime("%Y-%m"), s("segment"), s("ecosystem"), s("payer")],
                       separator=" × ").str.strip_chars(" ×"), s("_first").cast(pl.String)),
    ]  # fmt: skip
    return _finish(df, _findings(df, checks), raw, skipped)


def _year(df: pl.DataFrame) -> pl.DataFrame:
    y = pl.col("year_raw").str.replace(r"\.0+$", "").cast(pl.Int32, strict=False)
    return df.with_columns(pl.when(y.is_between(1990, 2100)).then(y).alias("year"))


def _common(raw: RawTable, regions: pl.DataFrame, scope: tuple[str, ...] | None) -> pl.DataFrame:
    f = raw.field
    df = raw.frame.select(
        "_row", f("region").alias("code_text"), f("region_name").alias("name_text"), f("year").alias("year_raw"),
        f("definition").alias("definition_raw"), f("source").str.replace_all(r"\s+", " ").alias("source"),
    )  # fmt: skip
    df = _year(_resolve(df, regions, scope))
    return df.with_columns(words_expr(pl.col("definition_raw"), DEFINITION_WORDS).alias("definition"))


def _common_checks(raw: RawTable) -> list[Check]:
    s, col = pl.col, raw.columns.header_of
    keys = _key_text(["region", "year", "definition"])
    return [
        *_region_checks(raw),
        (s("year_raw").is_null(), col("year"), "YEAR_MISSING", "", ""),
        (s("year_raw").is_not_null() & s("year").is_null(), col("year"), "YEAR_INVALID", s("year_raw"), ""),
        (s("definition_raw").is_null(), col("definition"), "DEFINITION_MISSING", "", ""),
        (s("definition_raw").is_not_null() & s("definition").is_null(), col("definition"), "DEFINITION_UNKNOWN",
         s("definition_raw"), ""),
        (s("source").is_null(), col("source"), "SOURCE_MISSING", "", ""),
        (s("_first").is_not_null() & (s("_first") != s("_row")), col("region"), "DUPLICATE_IN_FILE", keys,
         s("_first").cast(pl.String)),
    ]  # fmt: skip


def validate_workforce(raw: RawTable, regions: pl.DataFrame, *, scope: tuple[str, ...] | None = None) -> Checked:
    """Check a denominators file: region, year, definition, workers, source (all required)."""
    df = _common(raw, regions, scope)
    df = df.join(raw.frame.select("_row", raw.field("workers").alias("workers_raw")), on="_row")
    df = add_count_column(df, "workers_raw", "workers", "workers_error")
    df = _duplicates(df, ["region", "year", "definition"])
    s, col = pl.col, raw.columns.header_of
    checks = [*_common_checks(raw),
              (s("workers_error").is_not_null(), col("workers"), s("workers_error"), s("workers_raw"), "")]  # fmt: skip
    return _finish(df, _findings(df, checks), raw)


def validate_targets(raw: RawTable, regions: pl.DataFrame, *, scope: tuple[str, ...] | None = None) -> Checked:
    """Check a targets file: region, year, definition, source and a rate (percent) or a count (or both)."""
    df = _common(raw, regions, scope).join(
        raw.frame.select("_row", raw.field("rate").alias("rate_raw"), raw.field("count").alias("count_raw")),
        on="_row",
    )
    df = add_count_column(df, "count_raw", "count", "count_error")
    rate_text = pl.col("rate_raw").str.replace_all(r"[\s%]", "").str.replace(",", ".")
    rate = rate_text.cast(pl.Float64, strict=False)
    rate_ok = rate_text.str.contains(r"^\d{1,3}(\.\d{1,2})?$").fill_null(False) & rate.is_between(0, 100)
    df = df.with_columns(pl.when(rate_ok).then(rate_text).alias("rate"))
    df = _duplicates(df, ["region", "year", "definition"])
    s, col = pl.col, raw.columns.header_of
    checks = [
        *_common_checks(raw),
        (s("rate_raw").is_not_null() & s("rate").is_null(), col("rate"), "RATE_INVALID", s("rate_raw"), ""),
        (s("rate").cast(pl.Float64).is_between(0, 1, closed="right"), col("rate"), "RATE_FRACTION", s("rate"),
         (s("rate").cast(pl.Float64) * 100).round(2).cast(pl.String)),
        (s("count_raw").is_not_null() & s("count_error").is_not_null(), col("count"), s("count_error"),
         s("count_raw"), ""),
        (s("rate_raw").is_null() & s("count_raw").is_null(), col("rate"), "TARGET_MISSING", "", ""),
    ]  # fmt: skip
    return _finish(df, _findings(df, checks), raw)
