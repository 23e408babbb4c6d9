"""NIK rules (shared/domain.md §5): structure, normalisation, Excel damage, warnings."""

from __future__ import annotations

import datetime as dt

import lokal
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.regions.reference import kecamatan_prefixes
from ucj.registry.nik import add_nik_columns, check_nik, mask_nik

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("raw", "nik", "birth", "sex"),
    [
        ("1671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L"),
        ("1671015301900012", "1671015301900012", dt.date(1990, 1, 13), "P"),  # women: day + 40
        (" 16.71.01 530190-0012 ", "1671015301900012", dt.date(1990, 1, 13), "P"),
        ("'1671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L"),  # Excel text prefix
        ("1671012902000001", "1671012902000001", dt.date(2000, 2, 29), "L"),  # leap day, 2000
        ("1671010101080001", "1671010101080001", dt.date(2008, 1, 1), "L"),  # 18 in 2026: 20yy
        ("1671010101150001", "1671010101150001", dt.date(1915, 1, 1), "L"),  # would be 11: 19yy
    ],
)
def test_valid(raw: str, nik: str, birth: dt.date, sex: str) -> None:
    result = check_nik(raw, today=TODAY)
    assert (result.valid, result.nik, result.birth_date, result.sex, result.warning) == (True, nik, birth, sex, None)


@pytest.mark.parametrize(
    ("raw", "code", "detail"),
    [
        (None, "NIK_MISSING", None),
        ("", "NIK_MISSING", None),
        ("167101130190001", "NIK_LENGTH", "15"),
        ("16710113019000123", "NIK_LENGTH", "17"),
        ("16710113019O0012", "NIK_CHARS", "O"),
        ("1.60705E+15", "NIK_EXCEL_FLOAT", "1.60705E+15"),
        ("1607050101900000.0", "NIK_EXCEL_FLOAT", "1607050101900000.0"),
        ("1671013002900012", "NIK_DATE", "hari/day 30, bulan/month 02, tahun/year 90"),
        ("1671011313900012", "NIK_DATE", None),  # month 13
        ("1671010001900012", "NIK_DATE", None),  # day 00
        ("1671017201900012", "NIK_DATE", None),  # day 72 = 32 for a woman
        ("1671012902010001", "NIK_DATE", None),  # 29 Feb 2001
        ("1671011301900000", "NIK_SERIAL", None),
    ],
)
def test_rejected(raw: str | None, code: str, detail: str | None) -> None:
    result = check_nik(raw, today=TODAY)
    assert not result.valid and result.error == code and result.nik is None
    if detail is not None:
        assert result.error_detail == detail


def test_number_cell_ending_in_zero_is_excel_damage() -> None:
    """Excel keeps 15 significant digits: a 16-digit number typed into a cell ends in 0."""
    assert check_nik("1607050101900010", numeric=True).error == "NIK_EXCEL_FLOAT"
    assert check_nik("1607050101900010", numeric=False).valid  # the same text typed as text is fine
    assert check_nik("1607050101900012", numeric=True).valid  # written by a program, not Excel


def test_unknown_region_prefix_warns_but_does_not_reject() -> None:
    result = check_nik("9999011301900012", today=TODAY)
    assert result.valid and result.warning == "NIK_REGION_UNKNOWN"


def test_mask() -> None:
    assert mask_nik("1671014101900012") == "1671********0012"
    assert mask_nik("") == ""


SUMSEL_PREFIXES = sorted(p for p in kecamatan_prefixes() if p.startswith("16"))


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(SUMSEL_PREFIXES),
    birth=st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
)
def test_generated_niks_decode(prefix: str, birth: dt.date, female: bool, serial: int) -> None:
    nik = f"{prefix}{birth.day + (40 if female else 0):02d}{birth:%m%y}{serial:04d}"
    result = check_nik(nik, today=TODAY)
    assert result.valid and result.warning is None
    assert result.sex == ("P" if female else "L")
    assert (result.birth_date.day, result.birth_date.month, result.birth_date.year % 100) == (  # type: ignore[union-attr]
        birth.day, birth.month, birth.year % 100)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(lokal.PROVINCES)), st.text("0123456789", min_size=14, max_size=14))
def test_structure_agrees_with_lokal(province: str, rest: str) -> None:
    """Where both judge structure alike (known province, kab/kec not 00), validity agrees with lokal-id."""
    raw = province + rest
    if rest[:2] == "00" or rest[2:4] == "00":
        return
    theirs = lokal.parse_nik(raw, reference_date=dt.date(2099, 1, 1))  # century: ours differs, leap years agree
    assert check_nik(raw, today=TODAY).valid == theirs.valid


def test_vectorised_equals_single() -> None:
    raws = ["1671011301900012", "16710113019O0012", None, "1.6E+15", "1671013002900012", "9999011301900012"]
    frame = add_nik_columns(pl.DataFrame({"raw": raws}, schema={"raw": pl.String}), "raw", today=TODAY)
    for raw, row in zip(raws, frame.iter_rows(named=True), strict=True):
        single = check_nik(raw, today=TODAY)
        assert (row["nik"], row["nik_error"], row["nik_warning"], row["nik_birth"]) == (
            single.nik, single.error, single.warning, single.birth_date)  # fmt: skip
