"""Reading roster files: delimiters, encodings, title rows, merged cells, Excel number cells, bad files.

``_row`` and ``header_row`` must be the row numbers the user sees in a spreadsheet program, blank lines
included, because every finding points the user there.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from ucj.registry.issues import ISSUE_TYPES, RosterFileError
from ucj.registry.nik import add_nik_columns
from ucj.registry.reader import RawRoster, read_roster

HEADER = ["No", "NIK", "Nama", "Tgl Lahir", "Desa"]
ROWS = [["1", "1606011301900012", "Siti Aminah", "13-01-1990", "Sukarami"],
        ["2", "1606015305850003", "Budi", "13-05-1985", "Sukarami"]]  # fmt: skip
COLUMNS_USED = {"nik": 1, "name": 2, "birth_date": 3, "desa": 4}


def read(path: Path) -> RawRoster:
    return read_roster(path.read_bytes(), path.name)


def refusal(data: bytes, filename: str = "upload.xlsx") -> RosterFileError:
    with pytest.raises(RosterFileError) as err:
        read_roster(data, filename)
    return err.value


# --- CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_any_delimiter(write_csv: Callable[..., Path], delimiter: str) -> None:
    raw = read(write_csv([delimiter.join(r) for r in [HEADER, *ROWS]]))
    assert (raw.kind, raw.header_row, raw.sheet) == ("csv", 1, None)
    assert raw.columns.used == COLUMNS_USED and raw.columns.ignored == ["No"]
    assert raw.frame["_row"].to_list() == [2, 3]
    assert raw.frame["c1"].to_list() == ["1606011301900012", "1606015305850003"]
    assert raw.frame["c2"].to_list() == ["Siti Aminah", "Budi"]
    assert raw.frame["_nik_numeric"].to_list() == [False, False]


def test_windows_1252_is_decoded(write_csv: Callable[..., Path]) -> None:
    lines = [";".join(HEADER), "1;1606011301900012;Andr\u00e9 \u2013 Situmorang;13-01-1990;Sukarami"]
    raw = read(write_csv(lines, encoding="cp1252"))
    assert raw.frame["c2"].to_list() == ["Andr\u00e9 \u2013 Situmorang"]


def test_utf8_with_byte_order_mark_and_windows_line_ends() -> None:
    raw = read_roster("\ufeffNIK;Nama\r\n1606011301900012;Andr\u00e9\r\n".encode(), "x.csv")
    assert raw.columns.used == {"nik": 0, "name": 1}  # the BOM does not stick to the first header
    assert raw.frame.select("_row", "c0", "c1").rows() == [(2, "1606011301900012", "Andr\u00e9")]


def test_title_rows_blank_lines_and_row_numbers(write_csv: Callable[..., Path]) -> None:
    lines = [
        "DAFTAR PERANGKAT DESA SUKARAMI",  # 1
        "Kecamatan Sekayu",  # 2
        "",  # 3
        ",".join(HEADER),  # 4
        "",  # 5: blank line right under the header
        ",".join(ROWS[0]),  # 6
        "",  # 7
        ",".join(ROWS[1]),  # 8
        ",,,,",  # 9: empty cells only
        " , , ,",  # 10: spaces only
        "",
    ]
    raw = read(write_csv(lines))
    assert raw.header_row == 4
    assert raw.frame["_row"].to_list() == [6, 8]  # blank and trailing rows dropped, numbering kept
    assert raw.frame["c2"].to_list() == ["Siti Aminah", "Budi"]


def test_rows_shorter_or_longer_than_the_header() -> None:
    data = b"NIK,Nama,Desa\n1606011301900012,Siti\n1606015305850003,Budi,Sukarami,catatan,lagi\n"
    raw = read_roster(data, "x.csv")
    assert raw.frame.select("_row", "c0", "c1", "c2").rows() == [
        (2, "1606011301900012", "Siti", None),
        (3, "1606015305850003", "Budi", "Sukarami"),  # cells beyond the header are dropped
    ]


def test_quoted_cells_keep_their_delimiters_and_cells_are_trimmed() -> None:
    raw = read_roster(b'"Daftar, peserta"\nNIK,Nama,Desa\n 1606011301900012 ,"Aminah, Siti",  Sukarami \n', "x.csv")
    assert raw.header_row == 2
    assert raw.frame.select("c0", "c1", "c2").rows() == [("1606011301900012", "Aminah, Siti", "Sukarami")]


@pytest.mark.parametrize(
    ("lines", "delimiter"),
    [
        pytest.param(
            ["NIK;Nama;Tempat/Tgl Lahir;Desa",
             "1606011301900012;Siti;Palembang, 13-01-1990;Sukarami",
             "1606015305850003;Budi;Sekayu, 13-05-1985;Sukarami",
             "1606011407800004;Joko;Sekayu, 14-07-1980;Sukarami;pindah"],
            ";", id="semicolon-file-with-commas-in-cells",
        ),
        pytest.param(
            ["NIK,Nama,Alamat,Desa",
             "1606011301900012,Siti,Jl. Mawar; RT 03,Sukarami",
             "1606015305850003,Budi,Jl. Melati; RT 04,Sukarami",
             "1606011407800004,Joko,Jl. Kenanga; RT 05,Sukarami,pindah"],
            ",", id="comma-file-with-semicolons-in-cells",
        ),
    ],
)  # fmt: skip
def test_delimiter_is_the_one_that_gives_a_header_row(write_csv: Callable[..., Path], lines: list[str],
                                                       delimiter: str) -> None:  # fmt: skip
    """Every row splits alike on the other delimiter, but one ragged row must not make it win: the header decides."""
    raw = read(write_csv(lines))
    assert raw.columns.headers == lines[0].split(delimiter)
    assert raw.frame.select("_row", "c0", "c1").rows() == [
        (2, "1606011301900012", "Siti"), (3, "1606015305850003", "Budi"), (4, "1606011407800004", "Joko"),
    ]  # fmt: skip
    assert raw.frame["c2"][0] in {"Palembang, 13-01-1990", "Jl. Mawar; RT 03"}


def test_quoted_line_breaks_stay_inside_one_spreadsheet_row() -> None:
    """A spreadsheet shows a quoted multi-line cell in one row, so the rows after it keep the user's numbers."""
    data = (b'"Daftar peserta\nDesa Sukarami"\n'  # row 1
            b"NIK,Nama,Alamat\n"  # row 2
            b'1606011301900012,Siti,"Jl. Mawar\nRT 03"\n'  # row 3
            b"\n"  # row 4
            b"1606015305850003,Budi,x\n")  # row 5  # fmt: skip
    raw = read_roster(data, "x.csv")
    assert raw.header_row == 2
    assert raw.frame.select("_row", "c1", "c2").rows() == [(3, "Siti", "Jl. Mawar\nRT 03"), (5, "Budi", "x")]


def test_windows_line_ends_and_blank_lines_keep_row_numbers() -> None:
    raw = read_roster(b"Daftar\r\n\r\nNIK;Nama\r\n1606011301900012;Siti\r\n\r\n1606015305850003;Budi\r\n\r\n", "x.csv")
    assert raw.header_row == 3
    assert raw.frame.select("_row", "c1").rows() == [(4, "Siti"), (6, "Budi")]


def test_field_gives_a_column_or_nulls() -> None:
    raw = read_roster(b"NIK;Nama\n1606011301900012;Siti\n", "x.csv")
    out = raw.frame.select(raw.field("name").alias("name"), raw.field("birth_date").alias("birth"))
    assert out.rows() == [("Siti", None)]
    assert out.schema["birth"] == pl.String


# --- Excel -------------------------------------------------------------------------------------------


@pytest.fixture
def roster_xlsx(write_xlsx: Callable[..., Path]) -> RawRoster:
    rows: list[list[object]] = [
        ["DAFTAR PEKERJA RENTAN"],  # row 1, merged over the table width
        [],  # row 2
        ["NIK", "Nama", "Tanggal Lahir", "Desa", "Kecamatan"],  # row 3
        ["1606011301900012", "Siti", dt.date(1990, 1, 13), "Sukarami", "Sekayu"],  # 4: real date cell
        [1606011301900010, "Budi", "13 Mei 1985", None, "Sekayu"],  # 5: NIK typed as a number
        ["1606011301900013", "Joko", 25600, None, "Sekayu"],  # 6: date as a bare serial number
        [],  # 7
        [None, "   ", None, None, None],  # 8: spaces only
    ]
    path = write_xlsx(rows, merge=[(0, 0, 0, 4, "DAFTAR PEKERJA RENTAN"), (3, 3, 5, 3, "Sukarami")])
    return read(path)


def test_xlsx_title_rows_and_row_numbers(roster_xlsx: RawRoster) -> None:
    assert (roster_xlsx.kind, roster_xlsx.sheet, roster_xlsx.header_row) == ("xlsx", "Data", 3)
    assert roster_xlsx.columns.used == {"nik": 0, "name": 1, "birth_date": 2, "desa": 3, "kecamatan": 4}
    assert roster_xlsx.frame["_row"].to_list() == [4, 5, 6]  # rows 7 and 8 are blank
    assert roster_xlsx.frame["c1"].to_list() == ["Siti", "Budi", "Joko"]


def test_xlsx_merged_cell_fills_every_row_it_spans(roster_xlsx: RawRoster) -> None:
    assert roster_xlsx.frame["c3"].to_list() == ["Sukarami"] * 3


def test_xlsx_date_cells_become_iso_text(roster_xlsx: RawRoster) -> None:
    assert roster_xlsx.frame["c2"].to_list() == ["1990-01-13", "13 Mei 1985", "25600"]


def test_xlsx_nik_typed_as_a_number_is_flagged_and_later_rejected(roster_xlsx: RawRoster) -> None:
    assert roster_xlsx.frame["c0"].to_list() == ["1606011301900012", "1606011301900010", "1606011301900013"]
    assert roster_xlsx.frame["_nik_numeric"].to_list() == [False, True, False]
    checked = add_nik_columns(roster_xlsx.frame, "c0", "_nik_numeric", today=dt.date(2026, 11, 24))
    assert checked["nik_error"].to_list() == [None, "NIK_EXCEL_FLOAT", None]


def test_xlsx_roster_on_a_later_sheet() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    cover = book.add_worksheet("Sampul")
    cover.write_row(0, 0, ["Nama", "Alamat"])  # no NIK column: not the roster
    data = book.add_worksheet("Peserta")
    data.write_row(1, 1, ["NIK", "Nama"])  # the table starts at B2
    data.write_row(2, 1, ["1606011301900012", "Siti"])
    book.close()
    raw = read_roster(buffer.getvalue(), "x.xlsx")
    assert (raw.sheet, raw.header_row, raw.columns.used) == ("Peserta", 2, {"nik": 1, "name": 2})
    assert raw.frame.select("_row", "c1", "c2").rows() == [(3, "1606011301900012", "Siti")]


# --- files that are refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "code", "value"),
    [
        pytest.param(b"", "x.csv", "FILE_EMPTY", "", id="empty"),
        pytest.param(b"   \r\n\n\t", "x.csv", "FILE_EMPTY", "", id="whitespace"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "daftar.pdf", "FILE_NOT_SPREADSHEET", "pdf", id="pdf"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Foto.PNG", "FILE_NOT_SPREADSHEET", "png", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan", "FILE_NOT_SPREADSHEET", "tanpa ekstensi/no extension",
                     id="jpeg-without-extension"),
        pytest.param(b"PK\x03\x04 not really a zip", "x.xlsx", "FILE_NOT_SPREADSHEET", "zip", id="broken-zip"),
        pytest.param(b"Nama,Alamat\nSiti,Jl. Merdeka\n", "x.csv", "FILE_NO_NIK_COLUMN", "Nama, Alamat",
                     id="no-nik-column"),
        pytest.param(b"Daftar peserta\n\nNama;Desa\nSiti;Sukarami\n", "x.csv", "FILE_NO_NIK_COLUMN", "Daftar peserta",
                     id="no-nik-column-under-a-title"),
        pytest.param(b"NIK,Nama\n", "x.csv", "FILE_NO_ROWS", "", id="header-only"),
        pytest.param(b"Daftar\nNIK,Nama\n\n,\n\n", "x.csv", "FILE_NO_ROWS", "", id="header-and-blank-lines"),
    ],
)  # fmt: skip
def test_refused_files(data: bytes, filename: str, code: str, value: str) -> None:
    err = refusal(data, filename)
    assert (err.code, err.finding.value, err.finding.row) == (code, value, 0)
    assert ISSUE_TYPES[code].severity == "error"
    assert str(err) == err.finding.message("en")


def test_no_nik_column_message_lists_the_headers_found() -> None:
    err = refusal(b"Nama,Alamat\nSiti,Jl. Merdeka\n", "x.csv")
    assert err.finding.message("en") == (
        "No NIK column (a header such as 'NIK' or 'No. KTP'). Headers found: Nama, Alamat."
    )
    assert err.finding.message("id").endswith("Judul yang terbaca: Nama, Alamat.")


def test_xlsx_without_nik_column_or_rows(write_xlsx: Callable[..., Path]) -> None:
    no_nik = write_xlsx([["Nama", "Alamat"], ["Siti", "Jl. Merdeka"]], name="a.xlsx")
    err = refusal(no_nik.read_bytes())
    assert (err.code, err.finding.value) == ("FILE_NO_NIK_COLUMN", "Nama, Alamat")
    header_only = write_xlsx([["Daftar"], ["NIK", "Nama"]], name="b.xlsx")
    assert refusal(header_only.read_bytes()).code == "FILE_NO_ROWS"


def test_office_file_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<document/>")
    assert refusal(buffer.getvalue(), "surat.docx").code == "FILE_UNREADABLE"


def test_password_protected_workbook(write_xlsx: Callable[..., Path]) -> None:
    plain = write_xlsx([HEADER, *ROWS])
    encrypted = io.BytesIO()
    with plain.open("rb") as source:
        OOXMLFile(source).encrypt("Rahasia-123", encrypted)
    assert encrypted.getvalue().startswith(b"\xd0\xcf\x11\xe0")  # an OLE container, as Excel writes it
    err = refusal(encrypted.getvalue(), "terkunci.xlsx")
    assert err.code == "FILE_PASSWORD"
    assert "kata sandi" in err.finding.message("id")
