"""Monthly coverage facts from person-level data (pure, vectorised with Polars).

A fact is the number of **active** participants in one region and month for one segment × ecosystem × payer.
From the registry a participant counts as active in month *m* when protection has started by the end of *m*
and fewer than ``lapse`` months are unpaid at the end of *m* (:func:`ucj.registry.status.is_active`):
``start ≤ m ≤ paid_through + lapse − 1`` in month numbers. The registry keeps the start and the paid-through
date, not each payment, so a participant is taken as continuously covered between them.

Counting uses a difference array: +1 in the first active month, −1 after the last, summed over months. Work is
one pass over the participants plus one row per (group, month), so 20 million participants take seconds.
Facts are stored per kecamatan and rolled up to kab/kota and province (each level stored, so a dashboard reads
a handful of rows instead of summing villages). Desa facts are computed when asked, from the few thousand
participants of one kecamatan: storing them would take millions of rows for one province.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

DIMENSIONS = ("segment", "ecosystem", "payer")
# Dotted Kemendagri codes: province "16", kab/kota "16.06", kecamatan "16.06.01", desa "16.06.01.2001".
LEVEL_LENGTHS = {1: 2, 2: 5, 3: 8, 4: 13}
PARTICIPANT_SCHEMA = {"desa_id": pl.String, "segment": pl.String, "ecosystem": pl.String, "payer": pl.String,
                      "coverage_start": pl.Date, "paid_through": pl.Date}  # fmt: skip
FACT_SCHEMA = {"region": pl.String, "level": pl.Int8, "month": pl.Date, "segment": pl.String,
               "ecosystem": pl.String, "payer": pl.String, "active": pl.Int64}  # fmt: skip


def month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_from_number(n: int) -> dt.date:
    return dt.date(n // 12, n % 12 + 1, 1)


def _number(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int32) * 12 + pl.col(col).dt.month().cast(pl.Int32) - 1


def registry_facts(
    participants: pl.DataFrame | pl.LazyFrame, first: dt.date, last: dt.date, lapse: int = 3, level: int = 4
) -> pl.DataFrame:
    """Facts at ``level`` (4 desa, 3 kecamatan) for every month from ``first`` to ``last`` (inclusive) from
    participant rows (columns :data:`PARTICIPANT_SCHEMA`). A participant without a start counts from the
    first month, one never paid never counts."""
    lo, hi = month_number(first), month_number(last)
    keys = ["desa_id", *DIMENSIONS]
    spans = (
        participants.lazy()
        .filter(pl.col("paid_through").is_not_null())
        .select(
            pl.col("desa_id").str.slice(0, LEVEL_LENGTHS[level]),
            *DIMENSIONS,
            pl.max_horizontal(_number("coverage_start").fill_null(lo), pl.lit(lo)).alias("start"),
            pl.min_horizontal(_number("paid_through") + lapse - 1, pl.lit(hi)).alias("end"),
        )
        .filter(pl.col("start") <= pl.col("end"))
    )
    plus = spans.group_by(*keys, pl.col("start").alias("m")).agg(pl.len().cast(pl.Int64).alias("d"))
    minus = spans.group_by(*keys, (pl.col("end") + 1).alias("m")).agg((-pl.len().cast(pl.Int64)).alias("d"))
    deltas = pl.concat([plus, minus]).filter(pl.col("m") <= hi).group_by(*keys, "m").agg(pl.col("d").sum()).collect()
    # Summed per group along the months in one dense array (group × month), not a sort of every (group, month)
    # row by its string keys: at national size 700,000 groups × 35 months.
    groups = deltas.select(keys).unique().sort(keys).with_row_index("g")
    width = hi - lo + 1
    cells = deltas.join(groups, on=keys, how="left", nulls_equal=True).select(  # a null ecosystem is a group too
        pl.col("g").cast(pl.Int64) * width + pl.col("m") - lo, "d")  # fmt: skip
    dense = np.zeros(groups.height * width, dtype=np.int64)
    np.add.at(dense, cells.to_series(0).to_numpy(), cells.to_series(1).to_numpy())
    active = dense.reshape(groups.height, width).cumsum(axis=1)
    row, col = np.nonzero(active > 0)  # row-major: by group (sorted keys), then month
    found = groups.drop("g")[pl.Series(row, dtype=pl.Int64)] if row.size else groups.drop("g").clear()
    counted = found.with_columns(pl.Series("m", col + lo, dtype=pl.Int32),
                                 pl.Series("active", active[row, col], dtype=pl.Int64))  # fmt: skip
    return counted.select(
        pl.col("desa_id").alias("region"), pl.lit(level, pl.Int8).alias("level"),
        (pl.date(pl.col("m") // 12, pl.col("m") % 12 + 1, 1)).alias("month"), *DIMENSIONS, "active",
    )  # fmt: skip


def roll_up(facts: pl.DataFrame, levels: tuple[int, ...] = (2, 1)) -> pl.DataFrame:
    """Add to facts of one level the sums at the given higher levels (kab/kota 2, province 1)."""
    base = facts.filter(pl.col("level") == facts["level"].max()) if facts.height else facts
    parts = [facts]
    for level in levels:
        parts.append(
            base.group_by(pl.col("region").str.slice(0, LEVEL_LENGTHS[level]), "month", *DIMENSIONS)
            .agg(pl.col("active").sum())
            .with_columns(pl.lit(level, pl.Int8).alias("level"))
            .select(list(FACT_SCHEMA))
        )
    return pl.concat(parts).select(list(FACT_SCHEMA))
