"""Dates as people type them into rosters."""

from __future__ import annotations

import datetime as dt

import pytest

from ucj.registry.dates import parse_date

TODAY = dt.date(2026, 11, 24)
DEC13 = dt.date(1980, 12, 13)


@pytest.mark.parametrize(
    "text",
    ["13-12-1980", "13/12/1980", "13.12.1980", "1980-12-13", "13 Desember 1980", "13 Des 1980", "13-Dec-1980",
     "13 des. 1980", "13-12-80", "1980-12-13 00:00:00", "29568", "29568.0", " 13 DESEMBER 1980 "],
)  # fmt: skip
def test_readable(text: str) -> None:
    assert parse_date(text, TODAY) == DEC13


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13 Pebruari 1980", dt.date(1980, 2, 13)), ("1 Mei 2001", dt.date(2001, 5, 1)), ("2001-5-1", dt.date(2001, 5, 1)),
     ("29-02-2000", dt.date(2000, 2, 29)), ("5 Agustus 1970", dt.date(1970, 8, 5)), ("1-1-05", dt.date(2005, 1, 1))],
)  # fmt: skip
def test_variants(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["30-02-1990", "31/04/1990", "29-02-1900", "12-13-1980", "x", "", None, "13 Dusember 1980"]
)
def test_unreadable(text: str | None) -> None:
    assert parse_date(text, TODAY) is None


def test_month_only_for_periods() -> None:
    assert parse_date("05-2025", month_only=True) == dt.date(2025, 5, 1)
    assert parse_date("Mei 2025", month_only=True) == dt.date(2025, 5, 1)
    assert parse_date("05-2025") is None  # not accepted as a birth date
