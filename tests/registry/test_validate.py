"""Validating whole rosters: outcomes per row, findings with the user's row numbers, derived fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from ucj.regions.reference import iter_reference
from ucj.registry.reader import read_roster
from ucj.registry.regionmatch import villages_frame
from ucj.registry.validate import Validated, add_amount_column, validate_roster

TODAY = dt.date(2026, 11, 24)
HEADER = "NIK;Nama Lengkap;Tempat/Tgl Lahir;L/P;Jabatan;Desa;Kecamatan;Penghasilan"


@pytest.fixture(scope="module")
def villages() -> pl.DataFrame:
    return villages_frame([(r.code, r.name) for r in iter_reference("16")])


@pytest.fixture
def check(write_csv: Callable[..., Path], villages: pl.DataFrame) -> Callable[..., Validated]:
    def run(rows: list[str], scope: str | None = None) -> Validated:
        path = write_csv(["Daftar peserta", HEADER, *rows])
        return validate_roster(read_roster(path.read_bytes(), path.name), villages, scope=scope, today=TODAY)

    return run


def codes(result: Validated) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in result.findings_list():
        out.setdefault(f.row, set()).add(f.code)
    return out


def test_clean_rows_and_derived_fields(check: Callable[..., Validated]) -> None:
    result = check([
        "1606014101900012;Siti  Aminah;Sekayu, 01-01-1990;P;Sekretaris Desa;Sukarami;Sekayu;Rp 2.500.000",
        "1671011505850003;Budi;15 Mei 1985;L;Pedagang Pasar;35 Ilir;Ilir Barat II;2,5 juta",
        "1606012005800004;Joko;20-05-1980;L;Ketua BPD;Sukarami;Sekayu;",
    ])  # fmt: skip
    assert result.findings.is_empty()
    rows = result.rows.sort("_row").to_dicts()
    assert [r["desa_code"] for r in rows] == ["16.06.01.2001", "16.71.01.1001", "16.06.01.2001"]
    assert [r["village_role"] for r in rows] == ["perangkat_desa", None, "bpd"]
    assert [r["ecosystem"] for r in rows] == ["desa", "pasar", "desa"]
    assert [r["segment"] for r in rows] == ["PU", "BPU", "BPU"]
    assert [r["income"] for r in rows] == [2_500_000, 2_500_000, None]
    assert rows[0]["name"] == "Siti Aminah" and rows[0]["birth_date"] == dt.date(1990, 1, 1)
    assert all(r["programs"] == "JKK,JKM" and r["jkk"] and r["jkm"] and not r["jht"] for r in rows)


def test_each_rejection_names_its_row_and_column(check: Callable[..., Validated]) -> None:
    result = check([
        "1606014101900012;Siti;01-01-1990;P;Kader;Sukarami;Sekayu;",  # row 3: ok
        "1606014101900012;Siti lagi;01-01-1990;P;Kader;Sukarami;Sekayu;",  # row 4: duplicate of 3
        "160601410190001;Tanpa digit;;P;;Sukarami;Sekayu;",  # row 5: 15 digits
        "1606011505850003;;15-05-1985;L;;Sukarami;Sekayu;",  # row 6: no name
        "1606011505850004;Tanggal;31-02-1985;L;;Sukarami;Sekayu;",  # row 7: impossible date
        "1606011505850005;Desa salah;15-05-1985;L;;Antah Berantah;Sekayu;",  # row 8: unknown village
        "1606011505850006;Ambigu;15-05-1985;L;;Sukamaju;;",  # row 9: several Sukamaju in Sumsel
    ])  # fmt: skip
    assert codes(result) == {
        4: {"DUPLICATE_IN_FILE"}, 5: {"NIK_LENGTH"}, 6: {"NAME_MISSING"}, 7: {"DATE_INVALID"},
        8: {"REGION_UNKNOWN"}, 9: {"REGION_AMBIGUOUS"},
    }  # fmt: skip
    assert result.rows.filter(pl.col("rejected"))["_row"].sort().to_list() == [4, 5, 6, 7, 8, 9]
    dup = next(f for f in result.findings_list() if f.code == "DUPLICATE_IN_FILE")
    assert dup.column == "NIK" and dup.extra == "3" and "baris 3" in dup.message("id")
    ambiguous = next(f for f in result.findings_list() if f.code == "REGION_AMBIGUOUS")
    assert ambiguous.column == "Desa" and ambiguous.extra.count("Sukamaju") >= 2


def test_warnings_do_not_reject(check: Callable[..., Validated]) -> None:
    result = check(["1606014101900012;Siti;02-01-1990;L;;Sukarami;Sekayu;"])  # NIK says 01-01-1990, woman
    assert codes(result) == {3: {"BIRTHDATE_MISMATCH", "SEX_MISMATCH"}}
    row = result.rows.row(0, named=True)
    assert not row["rejected"] and row["birth_date"] == dt.date(1990, 1, 2) and row["sex"] == "L"


def test_upload_scope_of_one_village(write_csv: Callable[..., Path], villages: pl.DataFrame) -> None:
    path = write_csv(["NIK,Nama", "1606014101900012,Siti"])
    result = validate_roster(read_roster(path.read_bytes(), "x.csv"), villages, scope="16.06.01.2001", today=TODAY)
    assert result.rows["desa_code"].to_list() == ["16.06.01.2001"] and result.findings.is_empty()


@pytest.mark.parametrize(
    ("text", "amount"),
    [("Rp 2.500.000", 2_500_000), ("2,500,000", 2_500_000), ("2500000", 2_500_000), ("2,5 juta", 2_500_000),
     ("1.5jt", 1_500_000), ("Rp. 750.000,00", 750_000), ("banyak", None)],
)  # fmt: skip
def test_amounts(text: str, amount: int | None) -> None:
    frame = add_amount_column(pl.DataFrame({"t": [text]}), "t", "amount")
    assert frame["amount"][0] == amount
