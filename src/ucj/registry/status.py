"""Active / non-active status from the paid-through month (pure).

A participant stays active while fewer than ``lapse_months`` consecutive months are unpaid; BPJS makes a
BPU participant non-active after 3 consecutive unpaid months (BPJS FAQ reproduced by an official Perisai
agent, perisaiblora.blogspot.com, Apr 2023; star.grid.id), and a PU participant when the employer has not
paid for 3 consecutive months (bpjsketenagakerjaan.go.id article 18884). Sources conflict (shared/domain.md
§1.5, open question 3), so the number of months is configuration (``UCJ_LAPSE_MONTHS``).
"""

from __future__ import annotations

import datetime as dt


def month_start(year: int, month: int) -> dt.date:
    """First day of a month given possibly out-of-range month numbers (month 0 = December of year-1)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def active_since(as_of: dt.date, lapse_months: int = 3) -> dt.date:
    """Smallest paid-through date that still counts as active on ``as_of``.

    With 3 lapse months, on any day of November a participant paid through August has three unpaid months
    (Sep, Oct, Nov) and is non-active; paid through September (two unpaid months) is still active.
    """
    return month_start(as_of.year, as_of.month - lapse_months + 1)


def is_active(paid_through: dt.date | None, as_of: dt.date, lapse_months: int = 3) -> bool:
    """True when the participant's protection is active on ``as_of``."""
    if paid_through is None:
        return False
    unpaid = (as_of.year - paid_through.year) * 12 + (as_of.month - paid_through.month)
    return unpaid < lapse_months
