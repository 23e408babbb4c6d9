"""Period comparison on the dashboard (issue 16 item 15, as DHIS2's "same period last year"): a month against
the same month a year earlier — workers covered, rate, and the change of the rate in percentage points — for
the region and each of its child rows. Pure: it joins two indicator answers by region code."""

from __future__ import annotations

import datetime as dt
from typing import Any


def same_month_last_year(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1, day=1)


def compare_row(now: dict[str, Any], then: dict[str, Any] | None) -> dict[str, Any]:
    """One region's line: covered and rate now and then, the change of covered workers and of the rate (points,
    2 decimals; None when either rate is unknown, e.g. no denominator)."""
    rate, earlier_rate = now.get("rate"), (then or {}).get("rate")
    covered_then = then.get("covered") if then else None
    return {
        "code": now.get("code") or now.get("region"), "name": now.get("name", ""),
        "covered": now.get("covered"), "covered_then": covered_then,
        "covered_change": None if covered_then is None else now.get("covered", 0) - covered_then,
        "rate": rate, "rate_then": earlier_rate,
        "points": None if rate is None or earlier_rate is None else round(float(rate) - float(earlier_rate), 2),
    }  # fmt: skip


def compare(top_now: dict[str, Any], top_then: dict[str, Any], children_now: list[dict[str, Any]],
            children_then: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """The region's line and one line per child row in the order of ``children_now`` (the ranked table's)."""
    earlier = {row.get("code") or row.get("region"): row for row in children_then}
    return {
        "top": compare_row(top_now, top_then),
        "rows": [compare_row(row, earlier.get(row.get("code") or row.get("region"))) for row in children_now],
    }
