"""Reading person lists and BPJS person-level files (pure: no Django).

Both go through the roster reader (:mod:`ucj.registry.reader`: header forms, title rows, delimiters, encodings,
Excel-damaged NIKs). Lists then go through the roster validator itself (:func:`ucj.registry.validate.validate_roster`:
NIK, dates, sex, village, decile, village role, duplicates — the same findings); this module adds the columns
the roster does not know: a list's group tags, a BPJS file's status and last paid month.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ucj.registry import vocab
from ucj.registry.columns import fold_header
from ucj.registry.dates import add_date_column
from ucj.registry.identity import name_key_expr
from ucj.registry.nik import add_nik_columns
from ucj.registry.reader import RawRoster
from ucj.registry.validate import TEXT_LIMITS, Validated
from ucj.targeting import rules

#: Headers of a list's group column (sector lists: "Kelompok: nelayan"; P3KE: "Kategori").
GROUP_HEADERS = ("kelompok", "kelompok sasaran", "kelompok pekerja", "jenis kelompok", "kategori", "kategori pekerja",
                 "sektor", "sasaran", "group", "groups")  # fmt: skip
#: Headers of a BPJS file's membership status.
STATUS_HEADERS = ("status", "status kepesertaan", "status peserta", "status aktif", "keterangan status",
                  "status bpjs", "sts kepesertaan", "status tk", "membership status")  # fmt: skip
#: Headers of a BPJS file's last paid month.
LAST_PAID_HEADERS = ("bulan terakhir bayar", "bulan bayar terakhir", "blth terakhir", "blth iuran terakhir",
                     "bulan iuran terakhir", "iuran terakhir", "iuran terakhir dibayar", "periode iuran terakhir",
                     "terakhir bayar", "tgl terakhir bayar", "tanggal terakhir bayar", "last paid", "last paid month",
                     "iuran dibayar sampai", "iuran sampai", "dibayar sampai", "paid through")  # fmt: skip


def extra_column(raw: RawRoster, headers: tuple[str, ...]) -> tuple[pl.Expr, str | None]:
    """The text of the first column whose folded header is one of ``headers`` (and the header as written), or a
    null column."""
    wanted = {fold_header(h) for h in headers}
    for i, header in enumerate(raw.columns.headers):
        if fold_header(header) in wanted and f"c{i}" in raw.frame.columns:
            return pl.col(f"c{i}"), header
    return pl.lit(None, dtype=pl.String), None


# --- lists ----------------------------------------------------------------------------------------------

LIST_COLUMNS = ("nik", "name", "birth_date", "sex", "desa", "decile", "occupation", "village_role", "groups", "row")


def list_people(raw: RawRoster, checked: Validated) -> pl.DataFrame:
    """The accepted rows of a validated list as list people (:data:`LIST_COLUMNS`): the roster's clean fields
    and the group tags (given in a group column, implied by the occupation, or a village-institution role)."""
    given, _ = extra_column(raw, GROUP_HEADERS)
    tags = raw.frame.select("_row", given.alias("_groups_given"))
    rows = checked.ok.join(tags, on="_row", how="left")
    return rows.select(
        "nik",
        pl.col("name").str.slice(0, TEXT_LIMITS["name"]),
        "birth_date",
        pl.col("sex").fill_null(""),
        pl.col("desa_code").alias("desa"),
        pl.col("poverty_decile").cast(pl.Int16).alias("decile"),
        pl.col("occupation").fill_null("").str.slice(0, TEXT_LIMITS["occupation"]),
        pl.col("village_role").fill_null(""),
        rules.groups_expr(pl.col("occupation"), pl.col("_groups_given"), pl.col("village_role"))
        .str.slice(0, 200).alias("groups"),
        pl.col("_row").alias("row"),
    )  # fmt: skip


# --- BPJS files -----------------------------------------------------------------------------------------

_FINDING_SCHEMA = pl.Schema(
    {"row": pl.Int64, "column": pl.String, "code": pl.String, "value": pl.String, "extra": pl.String}
)
BPJS_COLUMNS = ("nik", "kpj", "name", "birth_date", "segment", "status", "last_paid", "row")


def validate_bpjs(raw: RawRoster, today: dt.date | None = None) -> Validated:
    """Validate a BPJS person-level file: NIK (roster rules), status (:func:`rules.status_expr`), KPJ, name,
    birth date, segment and last paid month. Rows with a bad NIK, no or an unknown status, or a NIK already seen
    in the file are rejected; ``rows`` has ``rejected`` and :data:`BPJS_COLUMNS`."""
    today = today or dt.date.today()
    status_text, status_header = extra_column(raw, STATUS_HEADERS)
    paid_text, paid_header = extra_column(raw, LAST_PAID_HEADERS)
    f = raw.field
    df = raw.frame.select(
        "_row", "_nik_numeric", f("nik").alias("nik_raw"), f("name").str.replace_all(r"\s+", " ").alias("name"),
        f("birth_date").str.replace(r"^[^,\d]+,\s*", "").alias("birth_raw"), f("kpj").alias("kpj_raw"),
        f("segment").alias("segment_raw"), status_text.alias("status_raw"),
        pl.coalesce(paid_text, f("paid_through")).alias("paid_raw"),
    )  # fmt: skip
    df = add_nik_columns(df, "nik_raw", "_nik_numeric", today)
    df = add_date_column(df, "birth_raw", "birth_date", today)
    df = add_date_column(df, "paid_raw", "last_paid", today, month_only=True)
    folded_segment = pl.col("segment_raw").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    df = df.with_columns(
        rules.status_expr(pl.col("status_raw")).alias("status"),
        pl.col("kpj_raw").str.replace_all(r"[^0-9A-Za-z]", "").str.slice(0, TEXT_LIMITS["kpj"]).alias("kpj"),
        folded_segment.replace_strict(vocab.SEGMENT_WORDS, default=None, return_dtype=pl.String).alias("segment"),
        pl.when(pl.col("nik").is_not_null()).then(pl.col("_row").min().over("nik")).alias("first_row"),
    )
    col = raw.columns.header_of
    s = pl.col
    checks = [
        (s("nik_error").is_not_null(), col("nik"), s("nik_error"), s("nik_raw"), s("nik_error_detail")),
        (s("status_raw").is_null(), status_header or "Status", pl.lit("STATUS_MISSING"), pl.lit(""), pl.lit("")),
        (s("status_raw").is_not_null() & s("status").is_null(), status_header or "Status",
         pl.lit("STATUS_UNKNOWN"), s("status_raw"), pl.lit("")),
        (s("first_row").is_not_null() & (s("first_row") != s("_row")), col("nik"), pl.lit("DUPLICATE_IN_FILE"),
         s("nik"), s("first_row").cast(pl.String)),
        (s("birth_raw").is_not_null() & s("birth_date").is_null(), col("birth_date"), pl.lit("DATE_INVALID"),
         s("birth_raw"), pl.lit("")),
        (s("paid_raw").is_not_null() & s("last_paid").is_null(), paid_header or "", pl.lit("DATE_INVALID"),
         s("paid_raw"), pl.lit("")),
        (s("segment_raw").is_not_null() & s("segment").is_null(), col("segment"), pl.lit("VALUE_UNKNOWN"),
         s("segment_raw"), pl.lit("")),
    ]  # fmt: skip
    findings = pl.concat([
        df.filter(cond).select(s("_row").alias("row"), pl.lit(column).alias("column"), code.alias("code"),
                               value.cast(pl.String).fill_null("").alias("value"),
                               extra.cast(pl.String).fill_null("").alias("extra"))
        for cond, column, code, value, extra in checks
    ]).cast(_FINDING_SCHEMA)  # fmt: skip
    errors = ["STATUS_MISSING", "STATUS_UNKNOWN", "DUPLICATE_IN_FILE", "NIK_MISSING", "NIK_LENGTH", "NIK_CHARS",
              "NIK_EXCEL_FLOAT", "NIK_DATE", "NIK_SERIAL"]  # fmt: skip
    bad = findings.filter(pl.col("code").is_in(errors))["row"].unique().implode()
    rows = df.with_columns(pl.col("_row").is_in(bad).alias("rejected"), pl.col("_row").alias("row")).select(
        "rejected", "nik", pl.col("kpj").fill_null(""), pl.col("name").fill_null("").str.slice(0, TEXT_LIMITS["name"]),
        "birth_date", pl.col("segment").fill_null(""), "status", pl.col("last_paid").dt.month_start(), "row",
    )  # fmt: skip
    return Validated(rows=rows, findings=findings)


def disagreements(incoming: pl.DataFrame, known: pl.DataFrame, label: str) -> pl.DataFrame:
    """Rows of ``incoming`` (nik, name, birth_date) whose name (compared by name key: titles, degrees, case and
    punctuation ignored) or birth date (when both are known) differs from ``known`` (nik, name, birth_date) —
    never overwritten, listed for review: nik, field, ours, theirs, source (``label``)."""
    pair = incoming.join(known, on="nik", suffix="_ours")
    name_differs = (
        (name_key_expr(pl.col("name")) != name_key_expr(pl.col("name_ours")))
        & (pl.col("name").fill_null("") != "") & (pl.col("name_ours").fill_null("") != "")
    )  # fmt: skip
    birth_differs = pl.col("birth_date").is_not_null() & pl.col("birth_date_ours").is_not_null() & (
        pl.col("birth_date") != pl.col("birth_date_ours"))  # fmt: skip
    names = pair.filter(name_differs).select(
        "nik", pl.lit("name").alias("field"), pl.col("name_ours").alias("ours"), pl.col("name").alias("theirs")
    )
    births = pair.filter(birth_differs).select(
        "nik", pl.lit("birth_date").alias("field"), pl.col("birth_date_ours").cast(pl.String).alias("ours"),
        pl.col("birth_date").cast(pl.String).alias("theirs"),
    )  # fmt: skip
    return pl.concat([names, births]).with_columns(pl.lit(label).alias("source"))
