"""Reading the dates people type into rosters — pure, vectorised with Polars.

Accepted: ``13-12-1980``, ``13/12/1980``, ``13.12.1980``, ``1980-12-13``, ``13 Desember 1980``,
``13 Des 1980``, ``13-Dec-1980``, two-digit years (``13-12-80``), ISO date-times, and Excel serial day
numbers (``29568`` = 13 December 1980, 1900 date system). Day first, as everywhere in Indonesia.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ucj.registry.distinct import per_distinct

# Indonesian and English month names and their usual abbreviations.
MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nop": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, accounting for Excel's 1900 leap-year bug
# 1927-05-18 … 2119: shorter numbers are years ("1980", not 2 June 1905) or noise, not plausible dates here
_SERIAL_MIN, _SERIAL_MAX = 10000, 80000
_DAYS_IN_MONTH = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_SEP = r"[\s/.\-,]+"
_DMY = rf"^(\d{{1,2}}){_SEP}([a-z]+|\d{{1,2}})\.?{_SEP}(\d{{4}}|\d{{2}})$"
_YMD = r"^(\d{4})[\-/.](\d{1,2})[\-/.](\d{1,2})$"
_MY = rf"^(\d{{1,2}}|[a-z]+)\.?{_SEP}(\d{{4}})$"


def safe_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """``pl.date`` that yields null for impossible dates (30 February, month 13) instead of raising."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = month.is_between(1, 12).fill_null(False)
    safe_month = pl.when(month_ok).then(month).otherwise(1)
    days = safe_month.replace_strict(_DAYS_IN_MONTH, return_dtype=pl.Int32) + ((safe_month == 2) & leap).cast(pl.Int32)
    ok = month_ok & day.is_between(1, days).fill_null(False) & year.is_between(1800, 2200).fill_null(False)
    return pl.when(ok).then(
        pl.date(pl.when(ok).then(year).otherwise(2000), safe_month, pl.when(ok).then(day).otherwise(1))
    )


# Exact shapes most cells have, read by slicing instead of the capture regexes below (which cost ~0.2 s per
# million rows each). ASCII digits only: ``\d`` in the general patterns also matches other scripts' digits,
# which those rows then handle (and reject) as before. For each shape the general path's result is exactly
# ``safe_date`` of the sliced parts (no other pattern can match it), so an impossible date stays null.
_FAST_DMY = r"^[0-9]{2}[-/.][0-9]{2}[-/.][0-9]{4}$"  # 13-12-1980
_FAST_YMD = r"^[0-9]{4}[-/.][0-9]{2}[-/.][0-9]{2}$"  # 1980-12-13
_FAST_D_MONTH_Y = r"^[0-9]{1,2} [a-z]+ [0-9]{4}$"  # 13 desember 1980 (a name not in MONTHS: null, as before)
_FAST_MY = r"^[0-9]{2}[-/.][0-9]{4}$"  # 12-1980, month_only
_NAMED = 2  # the index of _FAST_D_MONTH_Y among the fast shapes: only its cells are split into words


def add_date_column(
    frame: pl.DataFrame,
    raw: str,
    out: str,
    today: dt.date | None = None,
    *,
    month_only: bool = False,
    fast_path: bool = True,
) -> pl.DataFrame:
    """Add column ``out`` (``pl.Date``) parsed from text column ``raw``; unreadable or impossible dates are null.

    ``month_only`` also accepts a month without a day (``05-2025``, ``Mei 2025``) as its first day — for
    periods such as "paid through", never for birth dates.

    Each distinct text is read once (:func:`~ucj.registry.distinct.per_distinct`); cells of a common exact shape
    (``_FAST_*``) are read by slicing, only the other cells go through the general patterns. ``fast_path=False``
    sends every cell through the general patterns — the same result, slower (tests compare the two).
    """
    today = today or dt.date.today()
    cells = frame.select(pl.col(raw).cast(pl.String)).to_series()
    if not fast_path:
        return frame.with_columns(_general_dates(_folded(cells), today, month_only).alias(out))
    dates = per_distinct(cells, lambda texts: _read_dates(_folded(texts), today, month_only))
    return frame.with_columns(dates.alias(out))


def _folded(cells: pl.Series) -> pl.DataFrame:
    return cells.to_frame("_t").select(pl.col("_t").str.strip_chars().str.to_lowercase())


def _read_dates(text: pl.DataFrame, today: dt.date, month_only: bool) -> pl.Series:
    """The dates of the text column ``_t``: the fast shapes by slicing, the other cells by the general patterns."""
    fast = _fast_dates(text, month_only)
    rest = fast["_shape"].is_null().arg_true()
    dates = fast["_date"]
    if rest.len():  # the general patterns on the other cells only, put back in place
        dates = dates.scatter(rest, _general_dates(text[rest], today, month_only))
    return dates


def _fast_dates(text: pl.DataFrame, month_only: bool) -> pl.DataFrame:
    """``_shape`` (index into the fast shapes, null for any other cell) and ``_date`` of the text column ``_t``."""
    c = pl.col
    num = c("_t").str.slice
    word = c("_w").struct.field
    # (shape, year, month, day) as text; a month name goes through MONTHS
    shapes = [
        (_FAST_DMY, num(6, 4), num(3, 2), num(0, 2)),
        (_FAST_YMD, num(0, 4), num(5, 2), num(8, 2)),
        (_FAST_D_MONTH_Y, word("field_2"), word("field_1"), word("field_0")),  # index _NAMED
    ] + ([(_FAST_MY, num(3, 4), num(0, 2), pl.lit("1"))] if month_only else [])
    shape: pl.Expr = pl.lit(None, dtype=pl.Int8)
    for code, (pattern, *_) in reversed(list(enumerate(shapes))):
        shape = pl.when(c("_t").str.contains(pattern)).then(pl.lit(code, dtype=pl.Int8)).otherwise(shape)

    def pick(i: int) -> pl.Expr:
        chosen: pl.Expr = pl.lit(None, dtype=pl.String)
        for code, parts in reversed(list(enumerate(shapes))):
            chosen = pl.when(c("_shape") == code).then(parts[i]).otherwise(chosen)
        return chosen

    # Each stage materialised: an expression used twice (safe_date reads each part several times) is then
    # computed once, and the split runs on the rows with a month name only.
    return (
        text.with_columns(shape.alias("_shape"))
        .with_columns(pl.when(c("_shape") == _NAMED).then(c("_t")).str.split_exact(" ", 2).alias("_w"))
        .with_columns(pick(1).alias("_ys"), pick(2).alias("_ms"), pick(3).alias("_ds"))
        .with_columns(
            c("_ys").cast(pl.Int32, strict=False).alias("_y"),
            pl.coalesce(
                c("_ms").cast(pl.Int32, strict=False),
                c("_ms").replace_strict(MONTHS, default=None, return_dtype=pl.Int32),
            ).alias("_m"),
            c("_ds").cast(pl.Int32, strict=False).alias("_d"),
        )
        .select("_shape", safe_date(c("_y"), c("_m"), c("_d")).alias("_date"))
    )


def _general_dates(text: pl.DataFrame, today: dt.date, month_only: bool) -> pl.Series:
    """The dates of the text column ``_t`` (stripped, lower case) by the general patterns. Intermediate values are
    materialised stage by stage so each regex runs once per row."""
    c = pl.col
    staged = text.with_columns(
        c("_t").str.replace(r"[ t]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "").alias("_dt")  # drop a time part
    ).with_columns(
        c("_dt").str.extract_groups(_DMY).alias("_dmy"),
        c("_dt").str.extract_groups(_YMD).alias("_ymd"),
        c("_dt").str.replace(r"\.0+$", "").cast(pl.Int64, strict=False).alias("_serial"),
        c("_dt").str.extract_groups(_MY).alias("_my"),
    )
    month_text = c("_dmy").struct.field("2")
    year_text = c("_dmy").struct.field("3")
    staged = staged.with_columns(
        pl.coalesce(
            month_text.cast(pl.Int32, strict=False),
            month_text.replace_strict(MONTHS, default=None, return_dtype=pl.Int32),
        ).alias("_m"),
        year_text.cast(pl.Int32, strict=False).alias("_yy"),
        (year_text.str.len_chars() == 4).alias("_y4"),
        c("_dmy").struct.field("1").cast(pl.Int32, strict=False).alias("_d"),
    ).with_columns(
        pl.when(c("_y4")).then(c("_yy")).when(2000 + c("_yy") <= today.year).then(2000 + c("_yy"))
        .otherwise(1900 + c("_yy")).alias("_y"),
    )  # fmt: skip
    ymd = c("_ymd")
    staged = staged.with_columns(
        safe_date(c("_y"), c("_m"), c("_d")).alias("_a"),
        safe_date(
            ymd.struct.field("1").cast(pl.Int32, strict=False),
            ymd.struct.field("2").cast(pl.Int32, strict=False),
            ymd.struct.field("3").cast(pl.Int32, strict=False),
        ).alias("_b"),
        pl.when(c("_serial").is_between(_SERIAL_MIN, _SERIAL_MAX))
        .then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=c("_serial")))
        .otherwise(None)
        .cast(pl.Date)
        .alias("_c"),
    )
    my_month = c("_my").struct.field("1")
    month_year = safe_date(
        c("_my").struct.field("2").cast(pl.Int32, strict=False),
        pl.coalesce(
            my_month.cast(pl.Int32, strict=False),
            my_month.replace_strict(MONTHS, default=None, return_dtype=pl.Int32),
        ),
        pl.lit(1, dtype=pl.Int32),
    )
    parsed = [c("_a"), c("_b"), c("_c")] + ([month_year] if month_only else [])
    return staged.select(pl.coalesce(parsed).alias("_date"))["_date"]


def parse_date(value: str | None, today: dt.date | None = None, *, month_only: bool = False) -> dt.date | None:
    """Parse one date with the same rules as :func:`add_date_column`."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    result: dt.date | None = add_date_column(frame, "v", "out", today, month_only=month_only)["out"][0]
    return result
