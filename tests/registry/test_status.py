"""Active status from the paid-through month: non-active after ``lapse_months`` (3) unpaid months."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ucj.registry.status import active_since, is_active, month_start


@pytest.mark.parametrize(
    ("paid_through", "as_of", "active"),
    [
        (dt.date(2026, 9, 30), dt.date(2026, 11, 15), True),  # Oct and Nov unpaid: 2 months
        (dt.date(2026, 8, 31), dt.date(2026, 11, 15), False),  # Sep, Oct and Nov unpaid: lapsed
        (dt.date(2026, 9, 30), dt.date(2026, 11, 30), True),  # the whole month of November
        (dt.date(2026, 9, 30), dt.date(2026, 12, 1), False),  # from 1 December
        (dt.date(2026, 11, 30), dt.date(2026, 11, 15), True),  # paid for the current month
        (dt.date(2027, 3, 31), dt.date(2026, 11, 15), True),  # paid in advance
        (dt.date(2025, 11, 30), dt.date(2026, 1, 31), True),  # across the year end: Dec and Jan unpaid
        (dt.date(2025, 10, 31), dt.date(2026, 1, 1), False),  # Nov, Dec and Jan unpaid
        (dt.date(2025, 12, 31), dt.date(2026, 2, 28), True),
        (dt.date(2025, 11, 30), dt.date(2026, 2, 1), False),
        (dt.date(2025, 10, 31), dt.date(2025, 12, 31), True),  # in December
        (dt.date(2025, 9, 30), dt.date(2025, 12, 31), False),
        (None, dt.date(2026, 1, 1), False),  # never paid
    ],
)
def test_three_month_lapse_rule(paid_through: dt.date | None, as_of: dt.date, active: bool) -> None:
    assert is_active(paid_through, as_of) is active


@pytest.mark.parametrize(
    ("as_of", "since"),
    [
        (dt.date(2026, 11, 15), dt.date(2026, 9, 1)),
        (dt.date(2026, 11, 1), dt.date(2026, 9, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 1, 1)),
        (dt.date(2026, 2, 10), dt.date(2025, 12, 1)),  # year boundary
        (dt.date(2026, 1, 10), dt.date(2025, 11, 1)),
        (dt.date(2025, 12, 31), dt.date(2025, 10, 1)),
    ],
)
def test_active_since(as_of: dt.date, since: dt.date) -> None:
    assert active_since(as_of) == since


@pytest.mark.parametrize(
    ("lapse_months", "since"), [(1, dt.date(2026, 1, 1)), (2, dt.date(2025, 12, 1)), (6, dt.date(2025, 8, 1))]
)
def test_lapse_months_is_configurable(lapse_months: int, since: dt.date) -> None:
    as_of = dt.date(2026, 1, 20)
    assert active_since(as_of, lapse_months) == since
    assert is_active(since, as_of, lapse_months)
    assert not is_active(since - dt.timedelta(days=1), as_of, lapse_months)


@pytest.mark.parametrize(
    ("year", "month", "first"),
    [(2026, 1, dt.date(2026, 1, 1)), (2026, 0, dt.date(2025, 12, 1)), (2026, -1, dt.date(2025, 11, 1)),
     (2026, -12, dt.date(2024, 12, 1)), (2026, 13, dt.date(2027, 1, 1)), (2026, 25, dt.date(2028, 1, 1))],
)  # fmt: skip
def test_month_start_wraps_out_of_range_months(year: int, month: int, first: dt.date) -> None:
    assert month_start(year, month) == first


@given(
    paid_through=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    as_of=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    lapse_months=st.integers(1, 12),
)
def test_index_friendly_threshold_agrees_with_is_active(
    paid_through: dt.date, as_of: dt.date, lapse_months: int
) -> None:
    """The database filters ``paid_through >= active_since(as_of)``; it must say what ``is_active`` says."""
    assert (paid_through >= active_since(as_of, lapse_months)) is is_active(paid_through, as_of, lapse_months)
