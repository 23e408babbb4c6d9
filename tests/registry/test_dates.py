"""Dates as people type them into rosters: day first, Indonesian month names, Excel serials."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.registry.dates import MONTHS, add_date_column, parse_date, safe_date

TODAY = dt.date(2026, 11, 24)
DEC13 = dt.date(1980, 12, 13)


@pytest.mark.parametrize(
    "text",
    [
        "13-12-1980", "13/12/1980", "13.12.1980", "1980-12-13", "1980/12/13", "13 Desember 1980", "13 Des 1980",
        "13 des. 1980", "13-Dec-1980", "13 December 1980", " 13 DESEMBER 1980 ", "13 - 12 - 1980",
        "13 Desember, 1980", "13-12-80", "13/12/80", "1980-12-13 00:00:00", "1980-12-13T00:00:00",
        "13/12/1980 08:30", "29568", "29568.0", "29568.00",
    ],
)  # fmt: skip
def test_the_usual_ways_of_writing_13_december_1980(text: str) -> None:
    assert parse_date(text, TODAY) == DEC13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13 Pebruari 1980", dt.date(1980, 2, 13)),
        ("13 Februari 1980", dt.date(1980, 2, 13)),
        ("1 Mei 2001", dt.date(2001, 5, 1)),
        ("5 Agustus 1970", dt.date(1970, 8, 5)),
        ("5 Agt 1970", dt.date(1970, 8, 5)),
        ("17 Nopember 1965", dt.date(1965, 11, 17)),
        ("17-Okt-1965", dt.date(1965, 10, 17)),
        ("2001-5-1", dt.date(2001, 5, 1)),
        ("1/5/2001", dt.date(2001, 5, 1)),  # day first: 1 May, not 5 January
        ("29-02-2000", dt.date(2000, 2, 29)),  # leap year
        ("29-02-1996", dt.date(1996, 2, 29)),
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("44197", dt.date(2021, 1, 1)),  # Excel serial
    ],
)
def test_variants(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Two-digit years: 20yy up to the current year, else 19yy.
        ("13-12-80", dt.date(2026, 11, 24), dt.date(1980, 12, 13)),
        ("1-1-05", dt.date(2026, 11, 24), dt.date(2005, 1, 1)),
        ("01-01-26", dt.date(2026, 11, 24), dt.date(2026, 1, 1)),
        ("01-01-27", dt.date(2026, 11, 24), dt.date(1927, 1, 1)),
        ("01-01-27", dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
        ("01-01-00", dt.date(2026, 11, 24), dt.date(2000, 1, 1)),
    ],
)
def test_two_digit_years(text: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("30-02-1990", id="30-february"),
        pytest.param("31/04/1990", id="31-april"),
        pytest.param("29-02-1900", id="1900-not-leap"),
        pytest.param("29-02-2001", id="2001-not-leap"),
        pytest.param("00-12-1980", id="day-0"),
        pytest.param("12-13-1980", id="month-first"),
        pytest.param("13 Dusember 1980", id="misspelt-month"),
        pytest.param("1980", id="year-only-is-not-an-excel-serial"),
        pytest.param("400", id="too-small-for-a-serial"),
        pytest.param("9999999", id="too-large-for-a-serial"),
        pytest.param("13121980", id="no-separators"),
        pytest.param("Desember 1980", id="month-year-is-not-a-birth-date"),
        pytest.param("05-2025", id="numeric-month-year"),
        pytest.param("x", id="word"),
        pytest.param("-", id="dash"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
    ],
)
def test_unreadable_or_impossible_dates_are_none(text: str | None) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-2025", dt.date(2025, 5, 1)),
        ("5/2025", dt.date(2025, 5, 1)),
        ("Mei 2025", dt.date(2025, 5, 1)),
        ("Des. 2025", dt.date(2025, 12, 1)),
        ("31-05-2025", dt.date(2025, 5, 31)),  # a full date stays a full date
        ("13-2025", None),
        ("Mai 2025", None),
    ],
)
def test_month_only_reads_periods_as_their_first_day(text: str, expected: dt.date | None) -> None:
    """For "paid through" periods, never for birth dates."""
    assert parse_date(text, TODAY, month_only=True) == expected


@pytest.mark.parametrize("text", ["05-2025", "Mei 2025"])
def test_month_without_day_is_refused_unless_month_only(text: str) -> None:
    assert parse_date(text, TODAY, month_only=False) is None


def test_every_month_name_is_understood() -> None:
    for name, month in MONTHS.items():
        assert parse_date(f"2 {name} 1999", TODAY) == dt.date(1999, month, 2), name
        assert parse_date(f"2 {name.upper()} 1999", TODAY) == dt.date(1999, month, 2), name


def test_add_date_column_parses_a_column_and_keeps_only_the_output() -> None:
    frame = pl.DataFrame({"id": [1, 2, 3, 4], "raw": ["13-12-1980", "x", None, "Mei 2025"]})
    out = add_date_column(frame, "raw", "born", TODAY)
    assert out.columns == ["id", "raw", "born"]
    assert out.schema["born"] == pl.Date
    assert out["born"].to_list() == [DEC13, None, None, None]
    periods = add_date_column(frame, "raw", "paid", TODAY, month_only=True)
    assert periods["paid"].to_list() == [DEC13, None, None, dt.date(2025, 5, 1)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=24), st.from_regex(r"\A\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}\Z")),
                max_size=10),
       st.booleans())  # fmt: skip
def test_never_raises_and_column_equals_single_parses(texts: list[str | None], month_only: bool) -> None:
    frame = pl.DataFrame({"raw": texts}, schema={"raw": pl.String})
    column = add_date_column(frame, "raw", "out", TODAY, month_only=month_only)["out"].to_list()
    assert column == [parse_date(t, TODAY, month_only=month_only) for t in texts]


def _python_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None or not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_MAYBE = st.one_of(st.none(), st.integers(-5, 40))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1700, 2300)), _MAYBE, _MAYBE), max_size=30))
def test_safe_date_never_raises_and_matches_python(parts: list[tuple[int | None, int | None, int | None]]) -> None:
    frame = pl.DataFrame(parts, schema={"y": pl.Int32, "m": pl.Int32, "d": pl.Int32}, orient="row")
    got = frame.select(safe_date(pl.col("y"), pl.col("m"), pl.col("d")).alias("date"))["date"].to_list()
    assert got == [_python_date(*p) for p in parts]


@pytest.mark.parametrize(
    ("y", "m", "d", "expected"),
    [(2000, 2, 29, dt.date(2000, 2, 29)), (1900, 2, 29, None), (2024, 2, 29, dt.date(2024, 2, 29)),
     (2023, 2, 29, None), (1990, 13, 1, None), (1990, 0, 1, None), (1990, 1, 0, None), (1990, 4, 31, None),
     (1799, 1, 1, None), (2201, 1, 1, None)],
)  # fmt: skip
def test_safe_date_examples(y: int, m: int, d: int, expected: dt.date | None) -> None:
    assert pl.select(safe_date(pl.lit(y), pl.lit(m), pl.lit(d))).item() == expected
