"""Reading roster files: delimiters, encodings, title rows, merged cells, Excel number cells, bad files."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from ucj.registry.issues import RosterFileError
from ucj.registry.reader import read_roster

HEADER = ["No", "NIK", "Nama", "Tgl Lahir", "Desa"]
ROWS = [["1", "1606011301900012", "Siti Aminah", "13-01-1990", "Sukarami"],
        ["2", "1606015305850003", "Budi", "13-05-1985", "Sukarami"]]  # fmt: skip


def read(path: Path):  # type: ignore[no-untyped-def]
    return read_roster(path.read_bytes(), path.name)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter(write_csv: Callable[..., Path], delimiter: str) -> None:
    raw = read(write_csv([delimiter.join(r) for r in [HEADER, *ROWS]]))
    assert raw.columns.used == {"nik": 1, "name": 2, "birth_date": 3, "desa": 4}
    assert raw.columns.ignored == ["No"]
    assert raw.frame["c2"].to_list() == ["Siti Aminah", "Budi"]


def test_windows_1252(write_csv: Callable[..., Path]) -> None:
    lines = [";".join(HEADER), "1;1606011301900012;Andr\u00e9 \u2013 Situmorang;13-01-1990;Sukarami"]
    raw = read(write_csv(lines, encoding="cp1252"))
    assert raw.frame["c2"].to_list() == ["Andr\u00e9 \u2013 Situmorang"]


def test_title_rows_blank_lines_and_row_numbers(write_csv: Callable[..., Path]) -> None:
    lines = ["DAFTAR PERANGKAT DESA SUKARAMI", "Kecamatan Sekayu", "", ",".join(HEADER), ",".join(ROWS[0]), "",
             ",".join(ROWS[1]), ",,,,", ""]  # fmt: skip
    raw = read(write_csv(lines))
    assert raw.header_row == 4
    assert raw.frame["_row"].to_list() == [5, 7]  # the row numbers a spreadsheet program shows


def test_xlsx_titles_merged_cells_dates_and_number_niks(write_xlsx: Callable[..., Path]) -> None:
    rows: list[list[object]] = [
        ["DAFTAR PEKERJA RENTAN"],
        [],
        ["NIK", "Nama", "Tanggal Lahir", "Desa", "Kecamatan"],
        ["1606011301900012", "Siti", dt.date(1990, 1, 13), "Sukarami", "Sekayu"],
        [1606011301900010, "Budi", "13 Mei 1985", None, "Sekayu"],
        ["1606011301900013", "Joko", "01-02-1970", None, "Sekayu"],
    ]
    path = write_xlsx(rows, merge=[(0, 0, 0, 4, "DAFTAR PEKERJA RENTAN"), (3, 3, 5, 3, "Sukarami")])
    raw = read(path)
    assert raw.kind == "xlsx" and raw.header_row == 3
    assert raw.frame["_row"].to_list() == [4, 5, 6]
    assert raw.frame["c3"].to_list() == ["Sukarami"] * 3  # the merged cell fills every row it spans
    assert raw.frame["c2"].to_list()[0] == "1990-01-13"  # a real date cell
    assert raw.frame["c0"].to_list()[1] == "1606011301900010"
    assert raw.frame["_nik_numeric"].to_list() == [False, True, False]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "FILE_EMPTY"), (b"   \n\n", "FILE_EMPTY"), (b"%PDF-1.7 binary", "FILE_NOT_SPREADSHEET"),
     (b"\x89PNG\r\n\x1a\n....", "FILE_NOT_SPREADSHEET"), (b"Nama,Alamat\nSiti,Jl. Merdeka\n", "FILE_NO_NIK_COLUMN"),
     (b"NIK,Nama\n", "FILE_NO_ROWS"), (b"PK\x03\x04 not really a zip", "FILE_NOT_SPREADSHEET")],
)  # fmt: skip
def test_file_refusals(data: bytes, code: str) -> None:
    with pytest.raises(RosterFileError) as err:
        read_roster(data, "upload.xlsx")
    assert err.value.code == code
    assert err.value.finding.message("id") and err.value.finding.message("en")


def test_no_nik_column_lists_the_headers_found() -> None:
    with pytest.raises(RosterFileError) as err:
        read_roster(b"Nama,Alamat\nSiti,Jl. Merdeka\n", "x.csv")
    assert "Nama, Alamat" in err.value.finding.message("en")


def test_password_protected_workbook(write_xlsx: Callable[..., Path]) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted test file")
    plain = write_xlsx([HEADER, *ROWS])
    encrypted = io.BytesIO()
    with plain.open("rb") as source:
        msoffcrypto.OfficeFile(source).encrypt("Rahasia-123", encrypted)
    with pytest.raises(RosterFileError) as err:
        read_roster(encrypted.getvalue(), "terkunci.xlsx")
    assert err.value.code == "FILE_PASSWORD"
