"""Monthly facts from the registry (pure): who is active in which month, and the roll-up to higher levels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.coverage.facts import PARTICIPANT_SCHEMA, month_from_number, month_number, registry_facts, roll_up
from ucj.registry.status import is_active

DESA = "16.06.01.2001"


def person(start: dt.date | None, paid: dt.date | None, desa: str = DESA, ecosystem: str = "rentan") -> dict[str, Any]:
    return {"desa_id": desa, "segment": "BPU", "ecosystem": ecosystem, "payer": "apbd_kabkota",
            "coverage_start": start, "paid_through": paid}  # fmt: skip


def series(rows: list[dict[str, Any]], first: dt.date, last: dt.date, level: int = 4) -> dict[str, int]:
    frame = pl.DataFrame(rows, schema=PARTICIPANT_SCHEMA)
    got = registry_facts(frame, first, last, 3, level=level)
    return {f"{m:%Y-%m}": a for m, a in got.group_by("month").agg(pl.col("active").sum()).sort("month").iter_rows()}


def test_active_from_start_until_lapse() -> None:
    # Starts mid-March, paid through April: active March..June (3 unpaid months make July non-active).
    got = series([person(dt.date(2024, 3, 10), dt.date(2024, 4, 30))], dt.date(2024, 1, 1), dt.date(2024, 8, 1))
    assert got == {"2024-03": 1, "2024-04": 1, "2024-05": 1, "2024-06": 1}


def test_without_a_start_counts_from_the_first_month_and_never_paid_never_counts() -> None:
    got = series([person(None, dt.date(2024, 1, 31)), person(None, None)], dt.date(2024, 1, 1), dt.date(2024, 6, 1))
    assert got == {"2024-01": 1, "2024-02": 1, "2024-03": 1}


def test_kecamatan_level_groups_villages() -> None:
    rows = [person(None, dt.date(2024, 6, 30)), person(None, dt.date(2024, 6, 30), desa="16.06.01.2002")]
    frame = pl.DataFrame(rows, schema=PARTICIPANT_SCHEMA)
    got = registry_facts(frame, dt.date(2024, 6, 1), dt.date(2024, 6, 1), level=3)
    assert got.select("region", "level", "active").rows() == [("16.06.01", 3, 2)]


def test_roll_up_sums_to_kab_and_province() -> None:
    rows = [person(None, dt.date(2024, 6, 30)), person(None, dt.date(2024, 6, 30), desa="16.71.01.1001")]
    kec = registry_facts(pl.DataFrame(rows, schema=PARTICIPANT_SCHEMA), dt.date(2024, 6, 1), dt.date(2024, 6, 1),
                         level=3)  # fmt: skip
    got = roll_up(kec).group_by("region", "level").agg(pl.col("active").sum()).sort("region")
    assert got.rows() == [("16", 1, 2), ("16.06", 2, 1), ("16.06.01", 3, 1), ("16.71", 2, 1), ("16.71.01", 3, 1)]


dates = st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=20))
def test_facts_agree_with_the_status_rule_month_by_month(spans: list[tuple[dt.date | None, dt.date | None]]) -> None:
    first, last = dt.date(2024, 1, 1), dt.date(2025, 6, 1)
    got = series([person(s, p) for s, p in spans], first, last)
    for n in range(month_number(first), month_number(last) + 1):
        m = month_from_number(n)
        end = month_from_number(n + 1) - dt.timedelta(days=1)
        expected = sum(1 for s, p in spans if (s is None or s <= end) and is_active(p, m, 3))
        assert got.get(f"{m:%Y-%m}", 0) == expected, m
