"""NIK rules (shared/domain.md §5): PP KK CC DD MM YY SSSS, women's day + 40, Excel damage, warnings.

``check_nik`` checks one value and ``add_nik_columns`` a whole column; both run the same expressions, and the
property tests below hold them (and the independent ``lokal`` parser) to that.
"""

from __future__ import annotations

import datetime as dt

import lokal
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.accounts.policy import mask_nik
from ucj.regions.reference import kecamatan_prefixes
from ucj.registry.nik import NIK_OUTPUTS, add_nik_columns, check_nik

TODAY = dt.date(2026, 11, 24)
#: 16.71.01 = Kec. Ilir Barat Dua, Kota Palembang: a real kecamatan, so no region warning.
PALEMBANG = "167101"


def nik(day: int, month: int, yy: int, serial: int = 12, prefix: str = PALEMBANG) -> str:
    """Assemble a NIK from its parts (``day`` already +40 for a woman)."""
    return f"{prefix}{day:02d}{month:02d}{yy:02d}{serial:04d}"


# --- valid NIKs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean", "birth", "sex"),
    [
        pytest.param("1671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L", id="man"),
        pytest.param("1671015301900012", "1671015301900012", dt.date(1990, 1, 13), "P", id="woman-day+40"),
        pytest.param("1671014101900012", "1671014101900012", dt.date(1990, 1, 1), "P", id="woman-day-41"),
        pytest.param("1671017112900012", "1671017112900012", dt.date(1990, 12, 31), "P", id="woman-day-71"),
        pytest.param(" 1671 0153 0190 0012 ", "1671015301900012", dt.date(1990, 1, 13), "P", id="spaces"),
        pytest.param("1671\u00a00153\u00a00190\u00a00012", "1671015301900012", dt.date(1990, 1, 13), "P",
                     id="non-breaking-spaces"),
        pytest.param("16.71.01.530190.0012", "1671015301900012", dt.date(1990, 1, 13), "P", id="dots"),
        pytest.param("1671-0153-0190-0012", "1671015301900012", dt.date(1990, 1, 13), "P", id="hyphens"),
        pytest.param("'1671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L", id="leading-apostrophe"),
        pytest.param(" ' 1671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L", id="spaced-apostrophe"),
        pytest.param("\u20181671011301900012", "1671011301900012", dt.date(1990, 1, 13), "L", id="curly-quote"),
        pytest.param("1671012902000001", "1671012902000001", dt.date(2000, 2, 29), "L", id="leap-day-2000"),
        pytest.param("1671016902000001", "1671016902000001", dt.date(2000, 2, 29), "P", id="leap-day-woman"),
        pytest.param("1671013112999999", "1671013112999999", dt.date(1999, 12, 31), "L", id="serial-9999"),
        pytest.param("1671010101900001", "1671010101900001", dt.date(1990, 1, 1), "L", id="serial-0001"),
    ],
)  # fmt: skip
def test_valid_nik_gives_clean_value_birth_date_and_sex(raw: str, clean: str, birth: dt.date, sex: str) -> None:
    result = check_nik(raw, today=TODAY)
    assert result.valid
    assert (result.nik, result.birth_date, result.sex) == (clean, birth, sex)
    assert (result.error, result.error_detail, result.warning) == (None, None, None)


def test_integer_value_is_read_as_its_digits() -> None:
    assert check_nik(1671011301900012, today=TODAY).nik == "1671011301900012"


@pytest.mark.parametrize(
    ("today", "yy", "year"),
    [
        # Rule: 20yy when that person would already be 15 (MIN_WORKING_AGE) on ``today``, else 19yy.
        (dt.date(2026, 11, 24), 0, 2000),
        (dt.date(2026, 11, 24), 8, 2008),
        (dt.date(2026, 11, 24), 11, 2011),  # 15 in 2026
        (dt.date(2026, 11, 24), 12, 1912),  # would be 14: must be 1912
        (dt.date(2026, 11, 24), 90, 1990),
        (dt.date(2030, 1, 1), 15, 2015),
        (dt.date(2030, 1, 1), 16, 1916),
        (dt.date(2010, 6, 1), 95, 1995),
        (dt.date(2010, 6, 1), 0, 1900),
    ],
)
def test_century_is_inferred_from_working_age(today: dt.date, yy: int, year: int) -> None:
    result = check_nik(nik(15, 6, yy), today=today)
    assert result.birth_date == dt.date(year, 6, 15)


# --- rejected NIKs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "detail"),
    [
        pytest.param(None, "NIK_MISSING", None, id="none"),
        pytest.param("", "NIK_MISSING", None, id="empty"),
        pytest.param("   ", "NIK_MISSING", None, id="blank"),
        pytest.param("'", "NIK_MISSING", None, id="only-apostrophe"),
        pytest.param("167101130190001", "NIK_LENGTH", "15", id="15-digits"),
        pytest.param("16710113019000123", "NIK_LENGTH", "17", id="17-digits"),
        pytest.param("1671 0113 0190 001", "NIK_LENGTH", "15", id="15-digits-spaced"),
        pytest.param("1671011301", "NIK_LENGTH", "10", id="10-digits"),
        pytest.param("16710113019O0012", "NIK_CHARS", "O", id="letter-O-for-zero"),
        pytest.param("167101130190001/2", "NIK_CHARS", "/", id="slash"),
        pytest.param("belum ada", "NIK_CHARS", "belumada", id="words"),
        pytest.param("1.60705E+15", "NIK_EXCEL_FLOAT", "1.60705E+15", id="scientific"),
        pytest.param("1,60705E+15", "NIK_EXCEL_FLOAT", "1,60705E+15", id="scientific-decimal-comma"),
        pytest.param("1.60705e15", "NIK_EXCEL_FLOAT", "1.60705e15", id="scientific-lowercase"),
        pytest.param("1607050101900000.0", "NIK_EXCEL_FLOAT", "1607050101900000.0", id="float-suffix"),
        pytest.param("1607050101900012,00", "NIK_EXCEL_FLOAT", "1607050101900012,00", id="float-suffix-comma"),
        pytest.param("1671013002900012", "NIK_DATE", "hari/day 30, bulan/month 02, tahun/year 90", id="30-feb"),
        pytest.param("1671011313900012", "NIK_DATE", "hari/day 13, bulan/month 13, tahun/year 90", id="month-13"),
        pytest.param("1671011300900012", "NIK_DATE", "hari/day 13, bulan/month 00, tahun/year 90", id="month-00"),
        pytest.param("1671010001900012", "NIK_DATE", "hari/day 00, bulan/month 01, tahun/year 90", id="day-00"),
        pytest.param("1671014001900012", "NIK_DATE", "hari/day 40, bulan/month 01, tahun/year 90", id="day-40"),
        pytest.param("1671017201900012", "NIK_DATE", "hari/day 72, bulan/month 01, tahun/year 90", id="day-72"),
        pytest.param("1671013104900012", "NIK_DATE", "hari/day 31, bulan/month 04, tahun/year 90", id="31-april"),
        pytest.param("1671012902010001", "NIK_DATE", "hari/day 29, bulan/month 02, tahun/year 01", id="29-feb-2001"),
        pytest.param("1671011301900000", "NIK_SERIAL", None, id="serial-0000"),
    ],
)  # fmt: skip
def test_rejected_nik_names_the_problem(raw: str | None, code: str, detail: str | None) -> None:
    result = check_nik(raw, today=TODAY)
    assert not result.valid
    assert (result.error, result.error_detail) == (code, detail)
    assert (result.nik, result.birth_date, result.sex, result.warning) == (None, None, None, None)


def test_number_cell_of_16_digits_ending_in_0_is_excel_damage() -> None:
    """Excel keeps 15 significant digits: a 16-digit NIK typed into a number cell comes back ending in 0."""
    damaged = check_nik("1671014101900010", numeric=True, today=TODAY)
    assert (damaged.error, damaged.error_detail) == ("NIK_EXCEL_FLOAT", "1671014101900010")
    # The same digits typed as text are a fine NIK, and a number cell not ending in 0 was written by a program.
    assert check_nik("1671014101900010", numeric=False, today=TODAY).valid
    assert check_nik("1671014101900012", numeric=True, today=TODAY).valid


# --- warnings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("9999011301900012", id="unknown-province"),
        pytest.param("1671991301900012", id="unknown-kecamatan-in-palembang"),
    ],
)
def test_unknown_region_prefix_warns_but_does_not_reject(raw: str) -> None:
    """The prefix is where the NIK was first issued and codes change with pemekaran: warn, never reject."""
    result = check_nik(raw, today=TODAY)
    assert result.valid and result.nik == raw
    assert result.warning == "NIK_REGION_UNKNOWN"
    assert (result.birth_date, result.sex) == (dt.date(1990, 1, 13), "L")


def test_rejected_nik_carries_no_region_warning() -> None:
    result = check_nik("9999011301900000", today=TODAY)
    assert (result.error, result.warning) == ("NIK_SERIAL", None)


# --- masking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [("1671014101900012", "16**************"), ("12345", "*****"), ("", ""), (None, "")],
)
def test_mask_hides_the_birth_date_and_the_serial(value: str | None, masked: str) -> None:
    assert mask_nik(value) == masked


# --- properties --------------------------------------------------------------------------------------

SUMSEL_PREFIXES = sorted(p for p in kecamatan_prefixes() if p.startswith("16"))


def test_sumsel_prefixes_are_real_kecamatan_codes() -> None:
    assert PALEMBANG in SUMSEL_PREFIXES and "160601" in SUMSEL_PREFIXES  # Ilir Barat Dua, Sekayu
    assert all(len(p) == 6 and p.isdigit() for p in SUMSEL_PREFIXES) and len(SUMSEL_PREFIXES) > 200


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(SUMSEL_PREFIXES),
    # With TODAY in 2026, two-digit years 12..99 are 19yy and 00..11 are 20yy, so these decode exactly.
    birth=st.dates(dt.date(1912, 1, 1), dt.date(2011, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
)
def test_generated_sumsel_niks_are_valid_and_decode(prefix: str, birth: dt.date, female: bool, serial: int) -> None:
    raw = nik(birth.day + (40 if female else 0), birth.month, birth.year % 100, serial, prefix)
    result = check_nik(raw, today=TODAY)
    assert result.valid and result.nik == raw and result.warning is None
    assert result.birth_date == birth
    assert result.sex == ("P" if female else "L")


# Where lokal and UCJ judge structure alike: lokal rejects an unknown province and a kab/kec code of 00,
# which UCJ only warns about, so the province is real and those parts are never 00. Near-valid parts make
# both outcomes frequent; fully random digits cover the rest.
_PART = st.integers(1, 99).map(lambda n: f"{n:02d}")
_NEAR_VALID_REST = st.builds(
    lambda kk, cc, dd, mm, yy, serial: f"{kk}{cc}{dd:02d}{mm:02d}{yy:02d}{serial:04d}",
    _PART, _PART, st.integers(0, 75), st.integers(0, 13), st.integers(0, 99), st.integers(0, 9999),
)  # fmt: skip
_RANDOM_REST = st.text("0123456789", min_size=14, max_size=14).filter(lambda r: r[:2] != "00" and r[2:4] != "00")


@settings(max_examples=200, deadline=None)
@given(province=st.sampled_from(sorted(lokal.PROVINCES)), rest=st.one_of(_NEAR_VALID_REST, _RANDOM_REST))
def test_validity_agrees_with_lokal(province: str, rest: str) -> None:
    raw = province + rest
    # lokal infers the century differently; only 29 February of year 00 could tell them apart, and with this
    # reference date both read 00 as 2000. Only validity is compared.
    theirs = lokal.parse_nik(raw, reference_date=TODAY)
    assert check_nik(raw, today=TODAY).valid == theirs.valid


_RAW_VALUES = st.one_of(
    st.none(),
    st.text("0123456789", min_size=14, max_size=18),
    st.builds(lambda p, r: p + r, st.sampled_from(SUMSEL_PREFIXES), _NEAR_VALID_REST.map(lambda r: r[4:])),
    st.text("0123456789 .-'OE+", max_size=20),
    st.sampled_from(["1.60705E+15", "1607050101900000.0", "1671014101900010", "9999011301900012", ""]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_RAW_VALUES, st.booleans()), min_size=1, max_size=25))
def test_vectorised_columns_equal_single_checks(cells: list[tuple[str | None, bool]]) -> None:
    frame = pl.DataFrame(
        {"raw": [raw for raw, _ in cells], "numeric": [num for _, num in cells]},
        schema={"raw": pl.String, "numeric": pl.Boolean},
    )
    out = add_nik_columns(frame, "raw", "numeric", today=TODAY)
    assert sorted(out.columns) == sorted(["raw", "numeric", *NIK_OUTPUTS])  # helper columns are dropped
    for (raw, numeric), row in zip(cells, out.iter_rows(named=True), strict=True):
        single = check_nik(raw, numeric=numeric, today=TODAY)
        assert (row["nik"], row["nik_error"], row["nik_error_detail"], row["nik_warning"], row["nik_birth"],
                row["nik_sex"]) == (single.nik, single.error, single.error_detail, single.warning,
                                    single.birth_date, single.sex)  # fmt: skip


def test_vectorised_without_numeric_column_treats_cells_as_text() -> None:
    frame = pl.DataFrame({"raw": ["1671014101900010", "16710141019O0012", None]})
    out = add_nik_columns(frame, "raw", today=TODAY)
    assert out["nik"].to_list() == ["1671014101900010", None, None]
    assert out["nik_error"].to_list() == [None, "NIK_CHARS", "NIK_MISSING"]
    assert out["nik_sex"].to_list() == ["P", None, None]
