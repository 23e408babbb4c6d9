"""Computing a per-cell rule once per distinct value (pure, Polars).

Roster columns repeat themselves: a million rows hold two spellings of the sex, a few dozen "paid through"
months, some tens of thousands of birth dates. A rule that depends on the cell alone can run on the distinct
values and be joined back — the same result, a fraction of the work.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

#: Below this share of distinct values the distinct route pays (a unique and a join instead of the rule per row).
DISTINCT_SHARE = 0.5


def per_distinct(column: pl.Series, rule: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``rule(column)`` for a ``rule`` that maps each value on its own (the same value gives the same result,
    wherever it is), computed on the distinct values when they are few enough, in ``column``'s order."""
    distinct = column.unique()
    if distinct.len() > DISTINCT_SHARE * column.len():
        return rule(column)
    table = pl.DataFrame({"_key": distinct, "_value": rule(distinct)})
    found = column.to_frame("_key").join(table, on="_key", how="left", nulls_equal=True, maintain_order="left")
    return found["_value"]
