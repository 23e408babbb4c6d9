"""Active status from the paid-through month, and opaque public ids."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ucj.registry import publicid
from ucj.registry.status import active_since, is_active

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("paid_through", "as_of", "active"),
    [(dt.date(2026, 9, 30), dt.date(2026, 11, 15), True),  # Oct, Nov unpaid: 2 months
     (dt.date(2026, 8, 31), dt.date(2026, 11, 15), False),  # Sep, Oct, Nov unpaid: lapsed
     (dt.date(2025, 11, 30), dt.date(2026, 1, 31), True),  # across the year end
     (dt.date(2025, 10, 31), dt.date(2026, 1, 1), False),
     (None, dt.date(2026, 1, 1), False)],
)  # fmt: skip
def test_three_month_lapse_rule(paid_through: dt.date | None, as_of: dt.date, active: bool) -> None:
    assert is_active(paid_through, as_of) is active
    if paid_through:  # the index-friendly threshold says the same
        assert (paid_through >= active_since(as_of)) is active


@given(st.integers(1, publicid.MAX_ID))
def test_public_id_round_trip(pk: int) -> None:
    public = publicid.encode(pk, KEY)
    assert len(public) == 16 and publicid.decode(public, KEY) == pk


def test_public_ids_hide_order_and_depend_on_the_key() -> None:
    assert publicid.encode(1, KEY) != publicid.encode(1, b"other")
    assert int(publicid.encode(2, KEY), 16) - int(publicid.encode(1, KEY), 16) != 1
    assert publicid.decode("not-hex-at-all!!", KEY) is None and publicid.decode("abc", KEY) is None
