"""Issue 16 item 15: the dashboard compares the month shown with the same month a year earlier — covered, rate
and the change in points — for the region and each child row (pure join in ucj.coverage.comparison).

Data: the dashboard's hand-made set (tests/coverage/test_dashboard_page.py: March 2024 Muba 40 + 10·3 = 70,
Palembang 100 + 15·3 = 145, OKU 50) and March 2025 feed rows Muba 200, Palembang 300, OKU 60, with the same
workers in 2025 (400, 600, 500; Sumsel 1,500). So Muba 17.50 % → 50.00 % (+32.50), Palembang 24.17 % → 50.00 %
(+25.83), OKU 10.00 % → 12.00 % (+2.00); Sumsel 265 → 560 workers, 17.67 % → 37.33 %."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.coverage.test_dashboard_page import MUBA, OKU, PALEMBANG, WORKERS, login, make_sumsel_data
from ucj.coverage.comparison import compare, compare_row, same_month_last_year

MARCH_2025 = {MUBA: 200, PALEMBANG: 300, OKU: 60}


@pytest.fixture
def two_years(db: Any) -> None:
    from ucj.coverage.models import FeedBatch, FeedRow, Workforce
    from ucj.coverage.services import bump_version

    make_sumsel_data()
    batch = FeedBatch.objects.create(file_name="feed-2025.csv", sha256="1" * 64)
    FeedRow.objects.bulk_create(FeedRow(batch=batch, region_id=code, month=dt.date(2025, 3, 1), segment="BPU",
                                        ecosystem="desa", payer="mandiri", active=n)
                                for code, n in MARCH_2025.items())  # fmt: skip
    for code, workers in WORKERS.items():
        Workforce.objects.create(region_id=code, year=2025, definition="eligible", workers=workers, source="2025")
    bump_version()


def test_the_pure_join() -> None:
    assert same_month_last_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 1)
    line = compare_row({"code": "a", "name": "A", "covered": 30, "rate": 12.5}, {"covered": 20, "rate": 10.0})
    assert (line["covered_change"], line["points"]) == (10, 2.5)
    assert compare_row({"code": "a", "covered": 30, "rate": None}, None)["points"] is None
    both = compare({"region": "x", "covered": 5, "rate": 1.0}, {"covered": 4, "rate": 0.5},
                   [{"code": "b", "covered": 3, "rate": 2.0}, {"code": "c", "covered": 2, "rate": 1.0}],
                   [{"code": "c", "covered": 1, "rate": 0.5}])  # fmt: skip
    assert [(r["code"], r["covered_then"], r["points"]) for r in both["rows"]] == [("b", None, None), ("c", 1, 0.5)]
    assert both["top"]["points"] == 0.5


def test_the_dashboard_compares_with_the_same_month_last_year(two_years: None,
                                                              make_user: Callable[..., Any]) -> None:  # fmt: skip
    page = login(make_user, "provinsi", "16").get("/cakupan/?region=16&as_of=2025-03")
    comparison = page.context["year_on_year"]
    assert (comparison["month"], comparison["earlier"]) == ("2025-03", "2024-03")
    lines = {r["code"]: (r["covered_then"], r["covered"], r["points"]) for r in comparison["rows"] if r["covered"]}
    assert lines == {MUBA: (70, 200, 32.5), PALEMBANG: (145, 300, 25.83), OKU: (50, 60, 2.0)}
    top = comparison["top"]
    assert (top["covered_then"], top["covered"], top["covered_change"]) == (265, 560, 295)
    assert top["points"] in (19.66, 19.67)  # 37.33 − 17.67 of the rounded rates, or of the exact ones
    html = page.content.decode()
    section = html[html.index('id="year-on-year"') :]
    assert "Perbandingan 2025-03 dengan 2024-03" in section
    assert re.search(rf'data-code="{MUBA}">.*?17,50%.*?50,00%.*?\+32,50', section, re.S)


def test_no_comparison_before_the_history_starts(two_years: None, make_user: Callable[..., Any]) -> None:
    page = login(make_user, "provinsi", "16").get("/cakupan/?region=16&as_of=2024-12")
    assert page.context["year_on_year"] is None and 'id="year-on-year"' not in page.content.decode()
