"""The indicator maths (pure), with hand-computed expectations and the edge cases of issue 5."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from ucj.coverage.facts import FACT_SCHEMA
from ucj.coverage.indicator import (
    FEED_SCHEMA,
    TARGET_SCHEMA,
    WORKFORCE_SCHEMA,
    Data,
    Indicator,
    condensed,
    indicators,
)


def month(m: int, year: int = 2024) -> dt.date:
    return dt.date(year, m, 1)


def facts(rows: list[tuple[str, dt.date, int]], ecosystem: str = "rentan") -> pl.DataFrame:
    """Registry facts ``(region, month, active)``; the level follows from the code."""
    return pl.DataFrame([(r, r.count(".") + 1, m, "BPU", ecosystem, "apbd_kabkota", a) for r, m, a in rows],
                        schema=FACT_SCHEMA, orient="row")  # fmt: skip


def feed(rows: list[tuple[str, dt.date, int]], ecosystem: str = "desa") -> pl.DataFrame:
    return pl.DataFrame([(r, m, "BPU", ecosystem, "", a) for r, m, a in rows], schema=FEED_SCHEMA, orient="row")


def workforce(rows: list[tuple[str, int, str, int]]) -> pl.DataFrame:
    return pl.DataFrame([(r, y, d, n, "BPS (test)") for r, y, d, n in rows], schema=WORKFORCE_SCHEMA, orient="row")


def targets(rows: list[tuple[str, int, float | None, int | None]]) -> pl.DataFrame:
    return pl.DataFrame([(r, y, "eligible", rate, n, "RPJMD (test)") for r, y, rate, n in rows],
                        schema=TARGET_SCHEMA, orient="row")  # fmt: skip


def data(registry: Any = None, feed_rows: Any = None, wf: Any = None, tg: Any = None) -> Data:
    return Data(
        registry if registry is not None else facts([]), feed_rows if feed_rows is not None else feed([]),
        wf if wf is not None else workforce([]), tg if tg is not None else targets([]),
    )  # fmt: skip


def one(code: str, as_of: dt.date, d: Data) -> Indicator:
    return indicators([code], as_of, d)[0]


# A province of 10,000 eligible workers covering 3,000 in June 2024, growing by 100 a month since January.
GROWING = data(
    facts([("16", month(m), 2_500 + 100 * (m - 1)) for m in range(1, 7)]),
    wf=workforce([("16", 2024, "eligible", 10_000), ("16", 2024, "vulnerable", 4_000)]),
    tg=targets([("16", 2024, 37.0, None), ("16", 2025, 50.0, None)]),
)


def test_rate_gap_and_pace_needed() -> None:
    got = one("16", month(6), GROWING)
    assert (got.covered, got.denominator, got.rate) == (3_000, 10_000, 30.0)
    t = got.year_target
    assert t is not None
    assert (t.count, t.gap, t.surplus, t.met) == (3_700, 700, 0, False)
    assert t.months_remaining == 6  # July .. December
    assert t.pace_needed == 117  # ceil(700 / 6)


def test_pace_of_the_last_3_and_6_months() -> None:
    got = one("16", month(6), GROWING)
    assert got.pace_3 == 100.0  # (3,000 - 2,700) / 3
    assert got.pace_6 is None  # history starts in January: no December 2023 to compare with


def test_projection_and_the_month_the_target_is_reached() -> None:
    t = one("16", month(6), GROWING).year_target
    assert t is not None
    assert (t.projected, t.projected_rate) == (3_600, 36.0)  # 3,000 + 100 x 6 months: short of 3,700
    assert t.reached == "2025-01"  # 700 / 100 = 7 months after June 2024


def test_target_already_met_reports_the_surplus() -> None:
    d = data(facts([("16", month(12), 3_820)]), wf=workforce([("16", 2024, "eligible", 10_000)]),
             tg=targets([("16", 2024, 37.0, None)]))  # fmt: skip
    t = one("16", month(12), d).year_target
    assert t is not None
    assert (t.met, t.surplus, t.gap, t.reached) == (True, 120, 0, "met")


def test_in_december_the_next_years_target_is_the_one_to_pace_for() -> None:
    d = data(facts([("16", month(12), 3_700)]), wf=workforce([("16", 2024, "eligible", 10_000)]),
             tg=targets([("16", 2024, 37.0, None), ("16", 2025, 50.0, None)]))  # fmt: skip
    got = one("16", month(12), d)
    assert got.year_target is not None and got.year_target.months_remaining == 0
    nxt = got.next_target
    assert nxt is not None
    assert (nxt.year, nxt.count, nxt.gap, nxt.months_remaining, nxt.pace_needed) == (2025, 5_000, 1_300, 12, 109)


def test_zero_or_missing_denominator_gives_no_rate_but_still_counts() -> None:
    d = data(facts([("16", month(3), 50)]), wf=workforce([("16", 2024, "eligible", 0)]),
             tg=targets([("16", 2024, 37.0, None)]))  # fmt: skip
    got = one("16", month(3), d)
    assert (got.covered, got.rate) == (50, None)
    missing = one("16", month(3), data(facts([("16", month(3), 50)])))
    assert missing.denominator is None and missing.rate is None
    assert any("workforce" in n for n in missing.notes)


def test_no_history_has_no_pace_and_no_projection() -> None:
    got = one("16", month(6), data(facts([("16", month(6), 10)]), wf=workforce([("16", 2024, "eligible", 100)]),
                                   tg=targets([("16", 2024, 50.0, None)])))  # fmt: skip
    assert (got.pace_3, got.pace_6) == (None, None)
    assert got.year_target is not None and got.year_target.projected is None and got.year_target.reached is None


def test_no_data_at_all() -> None:
    got = one("16", month(6), data())
    assert (got.covered, got.rate, got.year_target, got.series) == (0, None, None, [])
    assert any("no data" in n for n in got.notes)


def test_shrinking_coverage_is_not_on_track() -> None:
    d = data(facts([("16", month(m), 400 - 10 * m) for m in range(1, 7)]),
             wf=workforce([("16", 2024, "eligible", 1_000)]), tg=targets([("16", 2024, 50.0, None)]))  # fmt: skip
    t = one("16", month(6), d).year_target
    assert t is not None and t.reached is None and t.projected == 280  # 340 - 10 x 6


def test_a_count_target_is_used_as_is() -> None:
    d = data(facts([("16.06", month(6), 900)]), wf=workforce([("16.06", 2024, "eligible", 2_000)]),
             tg=targets([("16.06", 2024, None, 1_000)]))  # fmt: skip
    t = one("16.06", month(6), d).year_target
    assert t is not None and (t.count, t.gap) == (1_000, 100)


def test_a_region_without_its_own_target_takes_the_nearest_ancestor_rate() -> None:
    d = data(facts([("16.06", month(6), 900)]), wf=workforce([("16.06", 2024, "eligible", 2_000)]),
             tg=targets([("16", 2024, 50.0, None)]))  # fmt: skip
    t = one("16.06", month(6), d).year_target
    assert t is not None and (t.region, t.count, t.gap) == ("16", 1_000, 100)


def test_denominator_of_an_earlier_year_is_used_when_the_year_has_none() -> None:
    d = data(facts([("16", month(3, 2025), 10)]), wf=workforce([("16", 2023, "eligible", 100)]))
    got = one("16", month(3, 2025), d)
    assert (got.denominator, got.denominator_year) == (100, 2023)


# ---------------------------------------------------------------- feed vs registry


MIXED = data(
    facts([("16", month(5), 300), ("16.06", month(5), 200), ("16.06.01", month(5), 120), ("16.71", month(5), 100),
           ("16", month(6), 310), ("16.06", month(6), 205), ("16.06.01", month(6), 125), ("16.71", month(6), 105)]),
    feed([("16.06", month(5), 5_000)]),
)  # fmt: skip


def test_feed_wins_where_it_exists_and_the_registry_fills_the_rest() -> None:
    got = one("16", month(5), MIXED)
    assert got.covered == 5_000 + (300 - 200)  # feed of 16.06 + registry of the rest of the province
    assert got.source == "feed+registry"


def test_the_feed_region_itself_uses_the_feed() -> None:
    got = one("16.06", month(5), MIXED)
    assert (got.covered, got.source) == (5_000, "feed")


def test_below_a_feed_region_the_registry_is_partial() -> None:
    got = one("16.06.01", month(5), MIXED)
    assert (got.covered, got.source) == (120, "registry-partial")


def test_a_month_without_feed_falls_back_to_the_registry() -> None:
    got = one("16", month(6), MIXED)
    assert (got.covered, got.source) == (310, "registry")


def test_a_province_feed_hides_kab_feeds_of_the_same_month() -> None:
    d = data(facts([("16", month(5), 300)]), feed([("16", month(5), 9_000), ("16.06", month(5), 5_000)]))
    assert one("16", month(5), d).covered == 9_000


def test_a_kab_with_its_own_feed_uses_it_under_a_province_feed() -> None:
    d = data(facts([("16.06", month(5), 200)]), feed([("16", month(5), 9_000), ("16.06", month(5), 5_000)]))
    assert (one("16.06", month(5), d).covered, one("16.06", month(5), d).source) == (5_000, "feed")


def test_inside_a_feed_region_without_registry_rows_is_still_partial() -> None:
    got = one("16.06.02", month(5), MIXED)  # no roster from this kecamatan yet
    assert (got.covered, got.source) == (0, "registry-partial")


def test_in_december_without_a_denominator_the_next_target_is_still_reported() -> None:
    d = data(facts([("16", month(12), 3_700)]), tg=targets([("16", 2024, 37.0, None), ("16", 2025, 50.0, None)]))
    got = one("16", month(12), d)
    assert got.next_target is not None and (got.next_target.year, got.next_target.rate) == (2025, 50.0)
    assert got.next_target.count is None  # a rate without a denominator gives no count to pace for


def test_condensed_facts_give_the_same_indicator() -> None:
    rows = pl.concat([
        facts([(r, month(m), 10 * m + len(r)) for r in ("16", "16.06", "16.71") for m in range(1, 13)], "desa"),
        facts([(r, month(m), 3 * m) for r in ("16", "16.06") for m in range(1, 13)], "pasar"),
    ])  # fmt: skip
    full = data(rows, feed([("16.06", month(m), 500 + m) for m in (3, 9, 10)]), GROWING.workforce, GROWING.targets)
    small = data(condensed(rows, month(10)), full.feed, full.workforce, full.targets)
    regions = ["16", "16.06", "16.71"]
    assert condensed(rows, month(10)).height < rows.height
    assert [i.as_dict() for i in indicators(regions, month(10), small)] == [
        i.as_dict() for i in indicators(regions, month(10), full)
    ]


# ---------------------------------------------------------------- breakdowns


def test_ecosystem_breakdown_with_six_month_change() -> None:
    rows = pl.concat([
        facts([("16", month(1), 100), ("16", month(7), 160)], ecosystem="desa"),
        facts([("16", month(1), 50), ("16", month(7), 55)], ecosystem="pasar"),
    ])  # fmt: skip
    got = one("16", month(7), data(rows))
    assert got.by_ecosystem == {"desa": {"covered": 160, "change_6": 60}, "pasar": {"covered": 55, "change_6": 5}}


def test_vulnerable_workers_covered_of_their_total() -> None:
    got = one("16", month(6), GROWING)
    assert (got.vulnerable_covered, got.vulnerable_total, got.vulnerable_rate) == (3_000, 4_000, 75.0)


@pytest.mark.parametrize("code", ["16", "16.06"])
def test_the_series_runs_to_the_as_of_month(code: str) -> None:
    d = data(facts([(code, month(m), m) for m in range(1, 10)]))
    assert [m for m, _ in one(code, month(5), d).series] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]


# ---------------------------------------------------------------- Bappenas indicator (issue 12 item 18)


def test_bappenas_bpu_indicator_counts_bpu_over_the_bpu_universe() -> None:
    """Bappenas reference code 06.02.021 (shared/domain.md §3.1, sdi.beltim.go.id/kodref/06.02.021): BPU
    participants in JKK & JKM ÷ the BPU universe (informal workers) × 100. Hand count, June 2024, kab/kota
    16.06: registry 1,200 BPU + 800 PU; BPU universe 8,000 → 1,200 ÷ 8,000 = 15.00 %; the UCJ rate on 10,000
    eligible counts both segments: 2,000 ÷ 10,000 = 20.00 %. Six months earlier (December 2023) 900 BPU, so the
    6-month pace is (1,200 − 900) ÷ 6 = 50.0. Province 16: a feed of 3,000 PU + 1,000 BPU hides the registry;
    no BPU universe there, so no rate and the "no universe loaded" note."""
    rows = [("16.06", month(12, 2023), "BPU", 900), ("16.06", month(6), "BPU", 1_200),
            ("16.06", month(6), "PU", 800), ("16.06", month(12, 2023), "PU", 800)]  # fmt: skip
    registry = pl.DataFrame([(r, 2, m, s, "desa", "apbd_kabkota", a) for r, m, s, a in rows], schema=FACT_SCHEMA,
                            orient="row")  # fmt: skip
    fed = pl.DataFrame([("16", month(6), "PU", "", "", 3_000), ("16", month(6), "BPU", "", "", 1_000)],
                       schema=FEED_SCHEMA, orient="row")  # fmt: skip
    wf = workforce([("16.06", 2024, "eligible", 10_000), ("16.06", 2024, "bpu_universe", 8_000),
                    ("16", 2024, "eligible", 50_000)])  # fmt: skip
    d = data(registry, fed, wf)
    kab = indicators(["16.06"], month(6), d, "bpu_universe")[0]
    assert (kab.covered, kab.denominator, kab.rate, kab.definition) == (1_200, 8_000, 15.0, "bpu_universe")
    assert kab.pace_6 == 50.0 and set(kab.by_segment) == {"BPU"}
    assert indicators(["16.06"], month(6), d, "eligible")[0].rate == 20.0
    # condensed facts (what the service reads) give the same answer
    assert indicators(["16.06"], month(6), data(condensed(registry, month(6)), fed, wf), "bpu_universe")[0] == kab
    prov = indicators(["16"], month(6), d, "bpu_universe")[0]
    assert (prov.covered, prov.source, prov.rate) == (1_000, "feed", None)
    assert any("Semesta PBPU" in n and "no BPU universe" in n for n in prov.notes)
