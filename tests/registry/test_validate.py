"""Validating whole rosters end to end (reader → validator, no database): per-row outcome, findings with the
user's row numbers and the column headers as written, derived fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from ucj.regions.reference import iter_reference
from ucj.registry.issues import Finding
from ucj.registry.reader import read_roster
from ucj.registry.regionmatch import villages_frame
from ucj.registry.validate import Validated, add_amount_column, validate_roster

TODAY = dt.date(2026, 11, 24)
#: Line 1 of every test file is a title, line 2 this header, so data rows start at row 3.
HEADER = "NIK;Nama Lengkap;Tempat/Tgl Lahir;L/P;Jabatan;Desa;Kecamatan;Penghasilan"
SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
TIGA_PULUH_LIMA_ILIR = "16.71.01.1001"  # Kel. 35 Ilir, Kec. Ilir Barat Dua, Kota Palembang

Check = Callable[..., Validated]


@pytest.fixture(scope="module")
def villages() -> pl.DataFrame:
    return villages_frame([(r.code, r.name) for r in iter_reference("16")])


@pytest.fixture(scope="module")
def all_codes(villages: pl.DataFrame) -> set[str]:
    return set(villages["code"].to_list())


@pytest.fixture
def check(write_csv: Callable[..., Path], villages: pl.DataFrame, all_codes: set[str]) -> Check:
    """Validate rows (``;``-separated text) under ``header``, below a title line."""

    def run(rows: list[str], header: str = HEADER, scope: str | None = None) -> Validated:
        path = write_csv(["Daftar peserta", header, *rows])
        raw = read_roster(path.read_bytes(), path.name)
        return validate_roster(raw, villages, scope=scope, all_codes=all_codes, today=TODAY)

    return run


def findings(result: Validated) -> list[tuple[int, str, str, str, str]]:
    """(row, column, code, value, extra) of every finding, sorted."""
    return sorted((f.row, f.column, f.code, f.value, f.extra) for f in result.findings_list())


def codes_by_row(result: Validated) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in result.findings_list():
        out.setdefault(f.row, set()).add(f.code)
    return out


def rejected_rows(result: Validated) -> list[int]:
    return result.rows.filter(pl.col("rejected"))["_row"].sort().to_list()


# --- clean rows --------------------------------------------------------------------------------------


def test_clean_rows_and_derived_fields(check: Check) -> None:
    result = check([
        "1606014101900012;Siti  Aminah;Sekayu, 01-01-1990;P;Sekretaris Desa;Sukarami;Sekayu;Rp 2.500.000",
        "1671011505850003;Budi;15 Mei 1985;L;Pedagang Pasar;35 Ilir;Ilir Barat II;2,5 juta",
        "1606012005800004;Joko;Palembang, 20-05-1980;L;Ketua BPD;Sukarami;Sekayu;",
        "1606012112750005;Rudi;21-12-1975;L;Kepala Desa;Desa Sukarami;Kec. Sekayu;2,500,000",
    ])  # fmt: skip
    assert result.findings.is_empty()
    assert rejected_rows(result) == [] and result.ok.height == 4
    rows = result.rows.sort("_row").to_dicts()
    assert [r["_row"] for r in rows] == [3, 4, 5, 6]
    assert [r["nik"] for r in rows] == ["1606014101900012", "1671011505850003", "1606012005800004", "1606012112750005"]
    assert [r["name"] for r in rows] == ["Siti Aminah", "Budi", "Joko", "Rudi"]  # inner spaces collapsed
    assert [r["birth_date"] for r in rows] == [dt.date(1990, 1, 1), dt.date(1985, 5, 15), dt.date(1980, 5, 20),
                                              dt.date(1975, 12, 21)]  # fmt: skip
    assert [r["sex"] for r in rows] == ["P", "L", "L", "L"]
    assert [r["desa_code"] for r in rows] == [SUKARAMI, TIGA_PULUH_LIMA_ILIR, SUKARAMI, SUKARAMI]
    assert [r["village_role"] for r in rows] == ["perangkat_desa", None, "bpd", "kepala_desa"]
    assert [r["ecosystem"] for r in rows] == ["desa", "pasar", "desa", "desa"]
    assert [r["segment"] for r in rows] == ["PU", "BPU", "BPU", "PU"]
    assert [r["income"] for r in rows] == [2_500_000, 2_500_000, None, 2_500_000]
    assert all(r["programs"] == "JKK,JKM" for r in rows)  # the default programmes
    assert all((r["jkk"], r["jkm"], r["jht"], r["jp"], r["jkp"]) == (True, True, False, False, False) for r in rows)


def test_the_accepted_rows_are_filtered_once_and_cannot_go_stale(check: Check) -> None:
    """An import reads ``ok`` six or more times (0.08–0.13 s each for a million rows): it is one frame, and an
    outcome whose rows could be replaced would make that cache lie, so the outcome is frozen."""
    result = check(["1606014101900012;Siti;01-01-1990;P;Sekretaris Desa;Sukarami;Sekayu;", "123;Budi;;L;;;;"])
    assert result.ok is result.ok and result.ok["_row"].to_list() == [3]
    with pytest.raises(AttributeError):
        result.rows = result.rows.head(0)  # type: ignore[misc]


def test_birth_date_and_sex_default_to_the_nik(check: Check) -> None:
    result = check(["1606015301900012;Siti;;;;Sukarami;Sekayu;"])
    assert result.findings.is_empty()
    row = result.rows.row(0, named=True)
    assert (row["birth_date"], row["sex"]) == (dt.date(1990, 1, 13), "P")


@pytest.mark.parametrize(
    "text",
    [
        "13-12-1980",
        "Palembang, 13-12-1980",
        "Palembang,13-12-1980",
        "Muara Enim, 13 Desember 1980",
        "13 Desember, 1980",  # the comma belongs to the date: no place to drop
        "Palembang, 13 Desember, 1980",
        "Tanjung Enim, 1980-12-13",
    ],
)
def test_place_before_the_birth_date_is_dropped(check: Check, text: str) -> None:
    result = check([f"1606011312800012;Joko;{text}"], header="NIK;Nama;Tempat/Tgl Lahir", scope=SUKARAMI)
    assert findings(result) == []
    assert result.rows.row(0, named=True)["birth_date"] == dt.date(1980, 12, 13)


def test_place_without_a_date_is_an_invalid_date(check: Check) -> None:
    result = check(["1606011312800012;Joko;Palembang"], header="NIK;Nama;Tempat/Tgl Lahir", scope=SUKARAMI)
    assert findings(result) == [(3, "Tempat/Tgl Lahir", "DATE_INVALID", "Palembang", "")]
    assert rejected_rows(result) == [3]


def test_optional_columns_are_read_and_given_words_override_derived_ones(check: Check) -> None:
    header = "NIK;Nama;Jabatan;Kode Desa;Program;Segmen;Ekosistem;Sumber Dana;Desil;Iuran s/d;TMT;No HP"
    result = check(
        ["1606014101900012;Siti;Ketua RT 03;1606012001;JKK JKM JHT;PU;pasar;APBD Kab;3;05-2026;Mei 2025;"
         "0812-3456-7890"],
        header=header,
    )  # fmt: skip
    assert result.findings.is_empty()
    row = result.rows.row(0, named=True)
    assert row["desa_code"] == SUKARAMI
    assert (row["village_role"], row["segment"], row["ecosystem"]) == ("rt", "PU", "pasar")
    assert row["payer"] == "apbd_kabkota"
    assert (row["programs"], row["jht"], row["jp"]) == ("JKK,JKM,JHT", True, False)
    assert row["poverty_decile"] == 3
    assert row["paid_through"] == dt.date(2026, 5, 31)  # a paid-through month counts to its last day
    assert row["coverage_start"] == dt.date(2025, 5, 1)
    assert row["phone"] == "081234567890"


# --- rejections --------------------------------------------------------------------------------------


def test_each_rejection_names_its_row_and_column(check: Check) -> None:
    result = check([
        "1606014101900012;Siti;01-01-1990;P;Kader;Sukarami;Sekayu;",  # 3: ok
        "160601410190001;Tanpa digit;;P;;Sukarami;Sekayu;",  # 4
        "16060141019OO012;Huruf O;;P;;Sukarami;Sekayu;",  # 5
        "1.60605E+15;Excel;;P;;Sukarami;Sekayu;",  # 6
        "1606013002900012;Tanggal NIK;;L;;Sukarami;Sekayu;",  # 7
        ";Tanpa NIK;;L;;Sukarami;Sekayu;",  # 8
        "1606011505850003;;15-05-1985;L;;Sukarami;Sekayu;",  # 9
        "1606011505850004;Tanggal;31-02-1985;L;;Sukarami;Sekayu;",  # 10
        "1606011505850005;Desa salah;15-05-1985;L;;Antah Berantah;Sekayu;",  # 11
        "1606011505850006;Ambigu;15-05-1985;L;;Sukamaju;;",  # 12: eleven Sukamaju in Sumsel
        "1606011505850007;Tanpa desa;15-05-1985;L;;;;",  # 13
        "1606011505850000;Nomor urut;15-05-1985;L;;Sukarami;Sekayu;",  # 14
    ])  # fmt: skip
    assert codes_by_row(result) == {
        4: {"NIK_LENGTH"}, 5: {"NIK_CHARS"}, 6: {"NIK_EXCEL_FLOAT"}, 7: {"NIK_DATE"}, 8: {"NIK_MISSING"},
        9: {"NAME_MISSING"}, 10: {"DATE_INVALID"}, 11: {"REGION_UNKNOWN"}, 12: {"REGION_AMBIGUOUS"},
        13: {"REGION_MISSING"}, 14: {"NIK_SERIAL"},
    }  # fmt: skip
    assert rejected_rows(result) == list(range(4, 15))
    assert result.ok["_row"].to_list() == [3]
    by_row = {f.row: f for f in result.findings_list()}
    assert (by_row[4].column, by_row[4].value, by_row[4].extra) == ("NIK", "160601410190001", "15")
    assert (by_row[5].value, by_row[5].extra) == ("16060141019OO012", "OO")
    assert by_row[6].value == "1.60605E+15"
    assert by_row[7].extra == "hari/day 30, bulan/month 02, tahun/year 90"
    assert (by_row[9].column, by_row[9].code) == ("Nama Lengkap", "NAME_MISSING")  # the header as written
    assert (by_row[10].column, by_row[10].value) == ("Tempat/Tgl Lahir", "31-02-1985")
    assert (by_row[11].column, by_row[11].value, by_row[11].extra) == ("Desa", "Antah Berantah, Kec. Sekayu", "-")
    assert by_row[12].column == "Desa" and by_row[12].extra.count("(16.") == 5
    assert (by_row[13].column, by_row[13].value) == ("Desa", "")


def test_duplicate_nik_names_the_first_row(check: Check) -> None:
    result = check([
        "1606014101900012;Siti;01-01-1990;P;;Sukarami;Sekayu;",  # 3
        "1606015305850003;Budi;13-05-1985;P;;Sukarami;Sekayu;",  # 4
        "1606 0141 0190 0012;Siti lagi;01-01-1990;P;;Sukarami;Sekayu;",  # 5: same NIK, spaced
        "'1606014101900012;Siti lagi;01-01-1990;P;;Sukarami;Sekayu;",  # 6
    ])  # fmt: skip
    assert findings(result) == [
        (5, "NIK", "DUPLICATE_IN_FILE", "1606014101900012", "3"),
        (6, "NIK", "DUPLICATE_IN_FILE", "1606014101900012", "3"),
    ]
    assert rejected_rows(result) == [5, 6]
    first = result.findings_list()[0]
    assert first.message("id") == "NIK sama dengan baris 3; hanya baris 3 yang dipakai."
    assert first.message("en") == "Same NIK as row 3; only row 3 is kept."


def test_invalid_niks_are_not_duplicates_of_each_other(check: Check) -> None:
    result = check([";Satu;;;;Sukarami;Sekayu;", ";Dua;;;;Sukarami;Sekayu;"])
    assert codes_by_row(result) == {3: {"NIK_MISSING"}, 4: {"NIK_MISSING"}}


def test_nik_typed_as_a_number_in_excel_is_rejected(write_xlsx: Callable[..., Path], villages: pl.DataFrame) -> None:
    path = write_xlsx([["NIK", "Nama", "Desa", "Kecamatan"], [1606014101900010, "Siti", "Sukarami", "Sekayu"],
                       [1606014101900012, "Budi", "Sukarami", "Sekayu"]])  # fmt: skip
    result = validate_roster(read_roster(path.read_bytes(), path.name), villages, today=TODAY)
    assert findings(result) == [(2, "NIK", "NIK_EXCEL_FLOAT", "1606014101900010", "1606014101900010")]
    assert rejected_rows(result) == [2]


# --- warnings ----------------------------------------------------------------------------------------


def test_birth_date_and_sex_mismatches_only_warn(check: Check) -> None:
    result = check(["1606014101900012;Siti;02-01-1990;L;;Sukarami;Sekayu;"])  # the NIK says 01-01-1990, woman
    assert findings(result) == [
        (3, "L/P", "SEX_MISMATCH", "L", "P"),
        (3, "Tempat/Tgl Lahir", "BIRTHDATE_MISMATCH", "02-01-1990", "01-01-1990"),
    ]
    assert all(f.severity == "warning" for f in result.findings_list())
    row = result.rows.row(0, named=True)
    assert not row["rejected"]
    assert (row["nik"], row["birth_date"], row["sex"]) == ("1606014101900012", dt.date(1990, 1, 2), "L")  # roster wins


def test_same_day_and_month_in_another_century_is_no_mismatch(check: Check) -> None:
    """The NIK holds two year digits only (read as 2005 here), so the roster's 1905 is no mismatch."""
    result = check(["1606010101050012;Tua;01-01-1905;L;;Sukarami;Sekayu;"])
    assert result.findings.is_empty()
    assert result.rows.row(0, named=True)["nik_birth"] == dt.date(2005, 1, 1)


def test_other_warnings(check: Check) -> None:
    result = check([
        "9999014101900012;Siti;01-01-1990;X;;Sukarami;Sekayu;banyak",  # 3
        "1606014101900013;Ani;01-01-1990;Perempuan;;Sukarami;Sekayu;-",  # 4
    ])  # fmt: skip
    assert findings(result) == [
        (3, "L/P", "SEX_INVALID", "X", ""),
        (3, "NIK", "NIK_REGION_UNKNOWN", "999901", ""),
        (3, "Penghasilan", "NUMBER_INVALID", "banyak", ""),
        (4, "Penghasilan", "NUMBER_INVALID", "-", ""),
    ]
    assert rejected_rows(result) == []
    assert result.rows.sort("_row")["sex"].to_list() == ["P", "P"]  # unreadable sex: the NIK's


@pytest.mark.parametrize(("text", "decile"), [("3", 3), ("10", 10), ("11", None), ("0", None), ("-1", None),
                                              ("abc", None)])  # fmt: skip
def test_decile_outside_1_to_10_is_ignored_with_a_warning(check: Check, text: str, decile: int | None) -> None:
    result = check([f"1606014101900012;Siti;{text}"], header="NIK;Nama;Desil", scope=SUKARAMI)
    assert result.rows["poverty_decile"].to_list() == [decile]
    expected = [] if decile else [(3, "Desil", "NUMBER_INVALID", text, "")]
    assert findings(result) == expected and rejected_rows(result) == []


def test_unreadable_periods_reject_the_row(check: Check) -> None:
    result = check(["1606014101900012;Siti;13-2026;kemarin"], header="NIK;Nama;Iuran s/d;TMT", scope=SUKARAMI)
    assert findings(result) == [
        (3, "Iuran s/d", "DATE_INVALID", "13-2026", ""),
        (3, "TMT", "DATE_INVALID", "kemarin", ""),
    ]
    assert rejected_rows(result) == [3]


def test_unknown_words_are_ignored_with_a_warning(check: Check) -> None:
    result = check(["1606014101900012;Siti;Dermawan;Angkasa;Hamba Allah;JKX"],
                   header="NIK;Nama;Segmen;Ekosistem;Pembayar;Program", scope=SUKARAMI)  # fmt: skip
    assert findings(result) == [
        (3, "Ekosistem", "VALUE_UNKNOWN", "Angkasa", ""),
        (3, "Pembayar", "VALUE_UNKNOWN", "Hamba Allah", ""),
        (3, "Segmen", "VALUE_UNKNOWN", "Dermawan", ""),
    ]
    row = result.rows.row(0, named=True)
    assert (row["segment"], row["ecosystem"], row["payer"], row["programs"]) == ("BPU", "lainnya", None, "JKK,JKM")


# --- region scope ------------------------------------------------------------------------------------


def test_desa_scope_fixes_the_village_of_a_file_without_region_columns(check: Check) -> None:
    result = check(["1606014101900012;Siti", "1606014101900013;Ani"], header="NIK;Nama", scope=SUKARAMI)
    assert result.findings.is_empty()
    assert result.rows["desa_code"].to_list() == [SUKARAMI, SUKARAMI]


def test_village_code_outside_the_upload_scope(check: Check) -> None:
    result = check(["1606014101900012;Siti;1671011001", "1606014101900013;Ani;16.06.01.2001"],
                   header="NIK;Nama;Kode Desa", scope="16.06")  # fmt: skip
    assert findings(result) == [(3, "Kode Desa", "REGION_OUTSIDE", TIGA_PULUH_LIMA_ILIR, "16.06")]
    assert result.rows.sort("_row")["desa_code"].to_list() == [None, SUKARAMI]


def test_no_region_and_no_scope(check: Check) -> None:
    result = check(["1606014101900012;Siti"], header="NIK;Nama")
    assert findings(result) == [(3, "Kode desa", "REGION_MISSING", "", "")]  # no region column: a field label


# --- findings ----------------------------------------------------------------------------------------


def test_finding_as_dict() -> None:
    finding = Finding(row=7, column="NIK", code="NIK_LENGTH", value="123", extra="3")
    assert finding.as_dict() == {
        "row": 7, "column": "NIK", "code": "NIK_LENGTH", "severity": "error",
        "message": "NIK harus 16 digit, terisi 3 digit ('123').",
        "message_en": "NIK must have 16 digits, found 3 ('123').",
    }  # fmt: skip


# --- amounts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp 2.500.000", 2_500_000), ("Rp. 2.500.000", 2_500_000), ("2.500.000/bulan", 2_500_000),
        ("Rp. 750.000,00", 750_000), ("2,500,000", 2_500_000), ("2,500,000.00", 2_500_000),
        ("2500000", 2_500_000), ("2,5 juta", 2_500_000), ("2,5 Juta", 2_500_000), ("Rp2,5jt", 2_500_000),
        ("1.5jt", 1_500_000), ("1 juta", 1_000_000), ("1.500", 1_500), ("1,500", 1_500),
        ("banyak", None), ("-", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_amounts(text: str | None, amount: int | None) -> None:
    frame = add_amount_column(pl.DataFrame({"t": [text]}, schema={"t": pl.String}), "t", "amount")
    assert frame.columns == ["t", "amount"]
    assert frame["amount"][0] == amount
