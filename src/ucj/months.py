"""Contribution and coverage months as people type them on the command line, in the API and in forms (pure)."""

from __future__ import annotations

import datetime as dt


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month; ValueError with a bilingual message otherwise."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"Bulan harus YYYY-MM / the month must be YYYY-MM: {text}") from None
