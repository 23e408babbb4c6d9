"""The targets a headline shows (issue 11; the dashboard and the monthly report share one rule): the target in
force, and in December the closing year's result named before the next year's target."""

from __future__ import annotations

from ucj.coverage.indicator import headline_targets

Y24 = {"year": 2024, "rate": 30.0, "count": 450, "gap": None, "surplus": 15}
Y25 = {"year": 2025, "rate": None, "count": 750, "gap": 285, "surplus": None}


def test_december_shows_the_closing_year_then_the_next() -> None:
    top = {"year_target": Y24, "next_target": Y25, "denominator": 1500}
    shown = headline_targets(top, 2025)
    assert [(t["year"], t["closing"], t["percent"]) for t in shown] == [(2024, True, 30.0), (2025, False, 50.0)]


def test_a_month_before_december_shows_the_target_in_force() -> None:
    top = {"year_target": Y24, "next_target": None, "denominator": 1500}
    assert [(t["year"], t["closing"]) for t in headline_targets(top, 2024)] == [(2024, False)]
    assert headline_targets({"year_target": None, "next_target": None, "denominator": 0}, None) == []
