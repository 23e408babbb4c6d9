"""NIK (Nomor Induk Kependudukan) rules — pure, vectorised with Polars.

Structure (UU 23/2006 jo. UU 24/2013 Pasal 13; Dukcapil, see shared/domain.md §5)::

    PP KK CC DD MM YY SSSS
    │  │  │  │  │  │  └ serial, 0001–9999 (0000 invalid)
    │  │  │  │  │  └ last two digits of the birth year (century inferred)
    │  │  │  │  └ birth month 01–12
    │  │  │  └ birth day 01–31, women +40 (41–71)
    └──┴──┴ province, kab/kota, kecamatan where the NIK was first issued

The prefix never changes when people move and codes change with pemekaran, so an unknown prefix is a
warning, never a rejection. There is no check digit. One implementation serves the bulk import
(:func:`add_nik_columns`) and single checks (:func:`check_nik`), so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ucj.regions.reference import kecamatan_prefixes
from ucj.registry.dates import safe_date
from ucj.registry.distinct import per_distinct

#: Workers are at least this old, which decides the century of a two-digit birth year.
MIN_WORKING_AGE = 15

_SCIENTIFIC = r"^[0-9]([.,][0-9]+)?[eE]\+?[0-9]+$"
_FLOAT_SUFFIX = r"^[0-9]{15,17}[.,]0+$"
_STRIP = r"[\s\u00a0.\-]"


@dataclass(frozen=True, slots=True)
class NikCheck:
    """Outcome of checking one NIK: the clean value, or the error; warnings don't reject."""

    nik: str | None
    error: str | None
    error_detail: str | None
    warning: str | None
    birth_date: dt.date | None
    sex: str | None  # "L" or "P"

    @property
    def valid(self) -> bool:
        return self.error is None


NIK_OUTPUTS = ("nik", "nik_error", "nik_error_detail", "nik_warning", "nik_birth", "nik_sex")


def add_nik_columns(
    frame: pl.DataFrame,
    raw: str,
    numeric: str | None = None,
    today: dt.date | None = None,
    *,
    fast_path: bool = True,
) -> pl.DataFrame:
    """Add ``nik``, ``nik_error``, ``nik_error_detail``, ``nik_warning``, ``nik_birth`` and ``nik_sex`` computed
    from the text column ``raw``.

    ``numeric`` (optional boolean column) marks cells a spreadsheet stored as numbers: a 16-digit number ending
    in 0 there is Excel-damaged (Excel keeps 15 significant digits). Intermediate values are materialised
    stage by stage so each is computed once.

    A clean NIK (16 ASCII digits once trimmed: nearly every cell) needs none of the cleaning regexes (nothing
    to strip, no other characters, no scientific or ``.0`` notation); they run on the other cells only.
    ``fast_path=False`` runs them on every cell — the same six columns, slower (tests compare the two).
    """
    today = today or dt.date.today()
    c = pl.col
    text = c(raw).cast(pl.String).str.strip_chars().str.strip_chars_start("'`‘’").str.strip_chars()
    out = frame.with_columns(text.alias("_t"), (c(numeric) if numeric else pl.lit(False)).alias("_num"))
    if fast_path:
        clean = out.select(c("_t").str.contains(r"^[0-9]{16}$").fill_null(False))
        rest = clean.to_series().not_().arg_true()
        fast = out.select(  # what the general cleaning gives for a clean NIK
            c("_t").alias("_d"), (c("_num") & c("_t").str.ends_with("0")).alias("_float"), pl.lit("").alias("_bad")
        )
        other = _clean_nik(out[rest].select("_t", "_num"))
        out = out.with_columns(fast[name].scatter(rest, other[name]) for name in ("_d", "_float", "_bad"))
    else:
        out = out.with_columns(_clean_nik(out.select("_t", "_num")))
    # The birth date and sex come from the 6 characters DDMMYY alone: read once per distinct DDMMYY (a million
    # NIKs hold some tens of thousands), or per row without the fast path.
    ddmmyy = out["_d"].str.slice(6, 6)
    births = per_distinct(ddmmyy, lambda s: _birth(s, today)) if fast_path else _birth(ddmmyy, today)
    out = out.with_columns(births.struct.unnest())
    out = out.with_columns(
        pl.when(c("_t").is_null() | (c("_t") == ""))
        .then(pl.lit("NIK_MISSING"))
        .when(c("_float"))
        .then(pl.lit("NIK_EXCEL_FLOAT"))
        .when(c("_bad") != "")
        .then(pl.lit("NIK_CHARS"))
        .when(c("_d").str.len_chars() != 16)
        .then(pl.lit("NIK_LENGTH"))
        .when(c("_birth").is_null())
        .then(pl.lit("NIK_DATE"))
        .when(c("_d").str.slice(12, 4) == "0000")
        .then(pl.lit("NIK_SERIAL"))
        .otherwise(None)
        .alias("nik_error")
    )
    prefixes = pl.Series(sorted(kecamatan_prefixes()), dtype=pl.String).implode()
    valid = c("nik_error").is_null()
    detail = (
        pl.when(c("nik_error") == "NIK_CHARS")
        .then(c("_bad").str.slice(0, 10))
        .when(c("nik_error") == "NIK_LENGTH")
        .then(c("_d").str.len_chars().cast(pl.String))
        .when(c("nik_error") == "NIK_EXCEL_FLOAT")
        .then(c("_t"))
        .when(c("nik_error") == "NIK_DATE")
        .then(pl.format("hari/day {}, bulan/month {}, tahun/year {}", c("_d").str.slice(6, 2),
                        c("_d").str.slice(8, 2), c("_d").str.slice(10, 2)))
        .otherwise(None)
    )  # fmt: skip
    # The detail is null without an error: worked out on the rows with one only, put back in place.
    wrong = out["nik_error"].is_not_null().arg_true()
    details = pl.repeat(None, out.height, dtype=pl.String, eager=True).alias("nik_error_detail")
    out = out.with_columns(
        pl.when(valid).then(c("_d")).otherwise(None).alias("nik"),
        details.scatter(wrong, out[wrong].select(detail).to_series()),
        pl.when(valid & ~c("_d").str.slice(0, 6).is_in(prefixes)).then(pl.lit("NIK_REGION_UNKNOWN")).otherwise(None)
        .alias("nik_warning"),
        pl.when(valid).then(c("_birth")).otherwise(None).alias("nik_birth"),
        pl.when(valid).then(pl.when(c("_female")).then(pl.lit("P")).otherwise(pl.lit("L"))).alias("nik_sex"),
    )  # fmt: skip
    return out.drop("_t", "_d", "_num", "_float", "_bad", "_female", "_birth")


def _birth(ddmmyy: pl.Series, today: dt.date) -> pl.Series:
    """``_female`` and ``_birth`` (null when impossible) of each DDMMYY text, as a struct."""
    c = pl.col
    out = ddmmyy.to_frame("_s").select(
        c("_s").str.slice(0, 2).cast(pl.Int32, strict=False).alias("_dd"),
        c("_s").str.slice(2, 2).cast(pl.Int32, strict=False).alias("_mm"),
        c("_s").str.slice(4, 2).cast(pl.Int32, strict=False).alias("_yy"),
    )
    # Two-digit year: 20yy if that person would already be of working age today, else 19yy.
    out = out.with_columns(
        (c("_dd") > 40).alias("_female"),
        pl.when(c("_dd") > 40).then(c("_dd") - 40).otherwise(c("_dd")).alias("_day"),
        pl.when(2000 + c("_yy") <= today.year - MIN_WORKING_AGE).then(2000 + c("_yy")).otherwise(1900 + c("_yy"))
        .alias("_year"),
    )  # fmt: skip
    return out.select(pl.struct(c("_female"), safe_date(c("_year"), c("_mm"), c("_day")).alias("_birth"))).to_series()


def _clean_nik(cells: pl.DataFrame) -> pl.DataFrame:
    """The general cleaning of the trimmed text ``_t`` (``_num``: a number cell): ``_d`` without spaces, dots and
    dashes, ``_float`` (Excel notation or damage) and ``_bad`` (the characters other than digits)."""
    c = pl.col
    cells = cells.with_columns(c("_t").str.replace_all(_STRIP, "").alias("_d"))
    return cells.select(
        "_d",
        (
            c("_t").str.contains(_SCIENTIFIC)
            | c("_t").str.contains(_FLOAT_SUFFIX)
            | (c("_num") & c("_d").str.contains(r"^[0-9]{15}0$"))
        ).alias("_float"),
        c("_d").str.replace_all(r"[0-9]+", "").alias("_bad"),
    )


def check_nik(value: object, *, numeric: bool = False, today: dt.date | None = None) -> NikCheck:
    """Check one NIK (same rules as the bulk import). ``numeric``: the value came from a number cell."""
    text = None if value is None else str(value)
    frame = pl.DataFrame({"raw": [text], "numeric": [numeric]}, schema={"raw": pl.String, "numeric": pl.Boolean})
    row = add_nik_columns(frame, "raw", "numeric", today).row(0, named=True)
    return NikCheck(
        nik=row["nik"],
        error=row["nik_error"],
        error_detail=row["nik_error_detail"],
        warning=row["nik_warning"],
        birth_date=row["nik_birth"],
        sex=row["nik_sex"],
    )


# Masking a NIK for display is the privacy policy's (ucj.accounts.policy.mask_nik, docs/privacy.md).
