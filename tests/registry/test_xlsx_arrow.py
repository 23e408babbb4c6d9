"""The .xlsx roster read through fastexcel (ucj.registry.xlsx_arrow, issue 17 §3) gives exactly the frame of the
cell-by-cell calamine read on every kind of workbook the roster tests use — text and number NIKs, Excel-damaged
NIKs, dates as cells, serials and text, formulas, NUL bytes, title rows, several sheets, a table away from A1,
booleans, errors, odd numbers — or declines (None) and the cell-by-cell reader reads it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import xlsxwriter

from ucj.registry import reader, xlsx_arrow
from ucj.registry.nik import add_nik_columns
from ucj.registry.reader import DEFAULT_LIMITS, RawRoster

SITI, BUDI, JOKO = "1606011301900012", "1606011505850003", "1606012012920004"
DAMAGED = 1606011301900010  # a 16-digit NIK typed into Excel: 15 significant digits kept, the last became 0
HEADER = ["No", "NIK", "Nama", "Tanggal Lahir", "Kode Desa", "Penghasilan"]


class Formula:
    def __init__(self, formula: str, value: Any) -> None:
        self.formula, self.value = formula, value


def workbook(*sheets: tuple[str, list[list[Any]]], at: tuple[int, int] = (0, 0), merge: bool = False) -> bytes:
    """Cells written with their type: str as text, int/float as numbers, bool, date/datetime/time as date
    cells, Formula with its cached value, None left empty. The last sheet starts at ``at``."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for n, (name, rows) in enumerate(sheets):
        sheet = book.add_worksheet(name)
        r0, c0 = at if n == len(sheets) - 1 else (0, 0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                write(sheet, r0 + r, c0 + c, value, date, stamp)
        if merge:
            sheet.merge_range(r0 + 2, c0 + 4, r0 + 3, c0 + 4, "16.06.01.2001")
    book.close()
    return buf.getvalue()


def write(sheet: Any, r: int, c: int, value: Any, date: Any, stamp: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        sheet.write_formula(r, c, value.formula, None, value.value)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(r, c, value, stamp)
    elif isinstance(value, (dt.date, dt.time)):
        sheet.write_datetime(r, c, value, date)
    else:
        sheet.write_string(r, c, value)


#: XlsxWriter writes numbers with 16 significant digits; these stand for values Excel stores with 17.
STORED = {b"<v>0.125</v>": b"<v>3.0000000000000004</v>", b"<v>0.375</v>": b"<v>0.30000000000000004</v>"}


def exact(data: bytes) -> bytes:
    """``data`` with the stand-in numbers of STORED replaced by the values they stand for."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            for old, new in STORED.items():
                body = body.replace(old, new)
            dst.writestr(info.filename, body)
    return out.getvalue()


def both(data: bytes) -> tuple[RawRoster, RawRoster | None]:
    """(the cell-by-cell reading, the Arrow reading or None), each finished like every roster. The Arrow
    reading is made twice: with what the precheck learned (``odd_values``) and without (it then asks for the
    cell types of every column that may need them); both must be the cell-by-cell reading or None."""
    old = reader._finish(reader._read_workbook(data, "xlsx", DEFAULT_LIMITS), DEFAULT_LIMITS)
    facts = reader.inspect_file(data, "x.xlsx")
    fast = xlsx_arrow.read_xlsx(data, DEFAULT_LIMITS, odd_values=facts.odd_values)
    careful = xlsx_arrow.read_xlsx(data, DEFAULT_LIMITS, odd_values=True)
    if careful is not None:
        same(old, reader._finish(careful, DEFAULT_LIMITS))
    return old, (reader._finish(fast, DEFAULT_LIMITS) if fast is not None else None)


def same(old: RawRoster, new: RawRoster) -> None:
    assert new.frame.equals(old.frame), f"\n{old.frame}\n{new.frame}"
    assert new.frame.schema == old.frame.schema
    assert (new.columns, new.header_row, new.kind, new.sheet, new.notes) == (
        old.columns, old.header_row, old.kind, old.sheet, old.notes
    )  # fmt: skip


def roster(*rows: list[Any]) -> list[list[Any]]:
    return [["DAFTAR PEKERJA RENTAN DESA SUKARAMI"], [], HEADER, *rows]


ROWS: dict[str, list[list[Any]]] = {
    "text NIKs, numbers for No and income": roster(
        [1, SITI, "Siti Aminah", "13-01-1990", "16.06.01.2001", 2500000],
        [2, BUDI, "Budi", "15/05/1985", "16.06.01.2001", 1800000],
        [3, JOKO, " Joko ", "20 Desember 1992", "16.06.01.2001", None],
    ),
    "Excel-damaged NIKs: numbers, scientific and float text": roster(
        [1, DAMAGED, "Siti", "13-01-1990", "16.06.01.2001", 2500000],
        [2, "1.60601E+15", "Budi", "15/05/1985", "16.06.01.2001", 1800000],
        [3, "1606012012920004.0", "Joko", "1992-12-20", "16.06.01.2001", 0],
        [4, float(DAMAGED), "Ani", None, "16.06.01.2001", 2500000.5],
        [5, "'1606011301900012", "Ina", None, None, None],
    ),
    "program-written exact number NIKs": roster([1, int(SITI), "Siti", None, "16.06.01.2001", 1]),
    "dates as text and serial numbers": roster(
        [1, SITI, "Siti", 32886, "16.06.01.2001", 1], [2, BUDI, "Budi", "25600", "16.06.01.2001", 2]
    ),
    "formulas": roster(
        [
            Formula("=1", 1),
            Formula('="1606011301900012"', SITI),
            Formula('="Sit"&"i"', "Siti"),
            None,
            "16.06.01.2001",
            Formula("=2500000*1.1", 2750000.0000000005),
        ],
        [
            Formula("=A4+1", 2),
            Formula("=1606011301900000+10", DAMAGED),
            "Budi",
            Formula("=32886", 32886),
            "16.06.01.2001",
            Formula("=1/0", "#DIV/0!"),
        ],
        [3, JOKO, Formula("=NA()", "#N/A"), None, "16.06.01.2001", Formula('=HYPERLINK("x","y")', "y")],
    ),
    "hidden fraction in a small number": roster([1, SITI, "Siti", None, "16.06.01.2001", 0.125]),  # 3.0000000000000004
    "decimals": roster(
        [1.5, SITI, "Siti", None, "16.06.01.2001", 1234.5678], [2, BUDI, "Budi", None, "16.06.01.2001", "2.50"]
    ),
    "decimal that nine places round": roster([1, SITI, "Siti", None, "16.06.01.2001", 0.375]),  # 0.30000000000000004
    "a short decimal": roster([1, SITI, "Siti", None, "16.06.01.2001", 0.30000000000000004]),  # stored as 0.3
    "odd numbers": roster(
        [-0.0, SITI, "Siti", None, "16.06.01.2001", 1e20], [-5, BUDI, "Budi", None, "16.06.01.2001", 1e-7]
    ),
    "long text numbers": roster([1, SITI, "Siti", None, "16.06.01.2001", "123456789012345678901"]),
    "NUL, spaces and empty text": roster(
        [1, SITI, "Siti\x00Aminah", None, "16.06.01.2001", None],
        [2, BUDI, "   ", "", "16.06.01.2001", None],
        [None, None, "", None, None, None],
        [3, JOKO, "Joko", None, "16.06.01.2001", None],
    ),
    "date cells": roster([1, SITI, "Siti", dt.date(1990, 1, 13), "16.06.01.2001", 1]),
    "date and time cells": roster([1, SITI, "Siti", dt.datetime(1990, 1, 13, 10, 30), "16.06.01.2001", 1]),
    "text that reads like a date cell": roster([1, SITI, "Siti", "1990-01-13 00:00:00", "16.06.01.2001", 1]),
    "booleans": roster([1, SITI, "Siti", None, "16.06.01.2001", True]),
    "a number in the header row": [["NIK", "Nama", 2024], [SITI, "Siti", 1]],
    "footer and signature rows": roster(
        [1, SITI, "Siti", None, "16.06.01.2001", 1],
        ["Jumlah", None, None, None, None, 1],
        ["Sukarami, 3 Januari 2025"],
        ["Kepala Desa Sukarami"],
    ),
    "no title rows": [HEADER, [1, SITI, "Siti", None, "16.06.01.2001", 1]],
}
FAST = {
    "text NIKs, numbers for No and income", "Excel-damaged NIKs: numbers, scientific and float text",
    "program-written exact number NIKs", "dates as text and serial numbers", "formulas",
    "hidden fraction in a small number", "decimals", "a short decimal", "NUL, spaces and empty text",
    "long text numbers",
    "footer and signature rows", "no title rows",
}  # fmt: skip


@pytest.mark.parametrize("case", ROWS)
def test_arrow_read_is_the_cell_by_cell_read(case: str) -> None:
    old, new = both(exact(workbook(("Data", ROWS[case]))))
    if case in FAST:
        assert new is not None, "the Arrow reader declined"
        same(old, new)
    else:  # it declines, and the cell-by-cell reader reads the file
        assert new is None


def test_damaged_nik_numbers_are_flagged_and_rejected() -> None:
    old, new = both(workbook(("Data", ROWS["Excel-damaged NIKs: numbers, scientific and float text"])))
    assert new is not None
    assert new.frame["_nik_numeric"].to_list() == [True, False, False, True, False]
    checked = add_nik_columns(new.frame, "c1", "_nik_numeric", today=dt.date(2026, 11, 24))
    assert checked["nik_error"].to_list()[:4] == ["NIK_EXCEL_FLOAT"] * 4
    before = add_nik_columns(old.frame, "c1", "_nik_numeric", today=dt.date(2026, 11, 24))
    assert checked["nik_error"].to_list() == before["nik_error"].to_list()


def test_a_hidden_fraction_reads_as_the_old_reader() -> None:
    _, new = both(exact(workbook(("Data", ROWS["hidden fraction in a small number"]))))
    assert new is not None and new.frame["c5"].to_list() == ["3.0000000000000004"]


def test_formula_values_read_as_the_old_reader() -> None:
    _, new = both(workbook(("Data", ROWS["formulas"])))
    assert new is not None
    assert new.frame["c5"].to_list() == ["2750000.0000000005", None, "y"]
    assert new.frame["c1"].to_list() == [SITI, str(DAMAGED), JOKO]
    assert new.frame["_nik_numeric"].to_list() == [False, True, False]


@pytest.mark.parametrize("at", [(0, 0), (1, 1), (4, 2)])
def test_roster_on_a_later_sheet_away_from_a1(at: tuple[int, int]) -> None:
    data = workbook(("Sampul", [["Nama", "Alamat"]]), ("Kosong", []),
                    ("Peserta", ROWS["text NIKs, numbers for No and income"]), at=at)  # fmt: skip
    old, new = both(data)
    assert new is not None and new.sheet == "Peserta"
    same(old, new)
    assert new.frame["_row"].to_list()[0] == at[0] + 4


@pytest.mark.parametrize(
    ("value", "odd"),
    [("<v>1</v>", False), ("<v>0</v>", False), ("<v>-1234567</v>", False), ("<v>12345678</v>", True),
     ("<v>1.5</v>", True), ("<v>1E+20</v>", True), ("<v>-0</v>", True), ("<v>007</v>", True),
     ('<v xml:space="preserve">1</v>', True), ("<x:v>1</x:v>", True), ("<v>Siti</v>", True)],
)  # fmt: skip
def test_the_precheck_sees_every_value_that_is_not_a_short_integer(value: str, odd: bool) -> None:
    base = workbook(("Data", [["NIK", "Nama"], [SITI, "Siti"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # pad so that the value falls on every position around the 1 MB inflate window once
                cell = f'<c r="C2">{value}</c>'.encode()
                body = body.replace(b"</row></sheetData>", b"".join(
                    b'<c r="D2"><is><t>' + b"x" * pad + b"</t></is></c>" + cell for pad in (1_048_000, 550, 7)
                ) + b"</row></sheetData>")  # fmt: skip
            dst.writestr(info.filename, body)
    assert reader.inspect_file(out.getvalue(), "x.xlsx").odd_values is odd


def test_values_cut_by_every_inflate_window_are_seen() -> None:
    odd = b"<v>3.0000000000000004</v>"
    for shift in range(0, 40):
        xml = (
            b'<worksheet><sheetData><row r="1">'
            + b" " * (reader._CHUNK - 40 + shift)
            + odd
            + b"</row></sheetData></worksheet>"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/worksheets/sheet1.xml", xml)
        assert reader.inspect_file(out.getvalue(), "x.xlsx").odd_values, shift


def test_a_sheet_kept_elsewhere_in_the_zip_counts_as_odd() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "xl/data/lembar1.xml", b'<worksheet><sheetData><row r="1"><c><v>1.5</v></c></row></sheetData></worksheet>'
        )
    assert reader.inspect_file(out.getvalue(), "x.xlsx").odd_values


def test_sheets_without_a_header_decline() -> None:
    data = workbook(("Data", [["Nama", "Alamat"], ["Siti", "Jl. Merdeka"]]))
    assert xlsx_arrow.read_xlsx(data, DEFAULT_LIMITS) is None


def test_merged_cells_are_seen_by_the_precheck_and_read_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = workbook(("Data", ROWS["text NIKs, numbers for No and income"]))
    merged = workbook(("Data", ROWS["text NIKs, numbers for No and income"]), merge=True)
    assert not reader.inspect_file(plain, "a.xlsx").merged_cells
    assert reader.inspect_file(merged, "b.xlsx").merged_cells
    used: list[str] = []
    arrow = xlsx_arrow.read_xlsx

    def spy(data: bytes, limits: Any, **facts: Any) -> Any:
        used.append("arrow")
        return arrow(data, limits, **facts)

    monkeypatch.setattr(xlsx_arrow, "read_xlsx", spy)
    assert reader.read_roster(merged, "b.xlsx").frame["c4"].to_list() == ["16.06.01.2001"] * 3
    assert used == []
    reader.read_roster(plain, "a.xlsx")
    assert used == ["arrow"]


def test_the_bounded_reader_gives_the_same_roster_either_way(write_xlsx: Callable[..., Any]) -> None:
    from ucj.registry import sandbox

    data = workbook(("Data", ROWS["Excel-damaged NIKs: numbers, scientific and float text"]))
    old, _ = both(data)
    same(old, sandbox.read_roster_bounded(data, "x.xlsx"))
    same(old, sandbox.read_in_child(data, "x.xlsx", DEFAULT_LIMITS, reader.inspect_file(data, "x.xlsx")))


def _ods(rows: list[list[Any]]) -> bytes:
    """An OpenDocument spreadsheet (a zip, like an .xlsx, read by calamine too): str as text cells, numbers as
    float cells."""

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="float" office:value="{value!r}"><text:p>{value}</text:p>' \
               "</table:table-cell>"  # fmt: skip

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')  # fmt: skip
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Data">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")  # fmt: skip
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_zip_without_xml_worksheets_is_read_cell_by_cell() -> None:
    """The precheck sees merged cells and values only in an .xlsx's XML worksheets: an .ods (or an .xlsb, binary
    sheets) promises nothing, so its Excel-damaged NIK numbers are still flagged and its numbers read as before."""
    data = _ods([HEADER, [1, float(DAMAGED), "Siti", "13/01/1990", "16.06.01.2001", 0.30000000000000004],
                 [2, BUDI, "Budi", "15/05/1985", "16.06.01.2001", 1e20]])  # fmt: skip
    facts = reader.inspect_file(data, "daftar.ods")
    assert facts.merged_cells and facts.odd_values
    old = reader._finish(reader._read_workbook(data, "xlsx", DEFAULT_LIMITS), DEFAULT_LIMITS)
    got = reader.read_roster(data, "daftar.ods")
    same(old, got)
    assert got.frame["_nik_numeric"].to_list() == [True, False]
    checked = add_nik_columns(got.frame, "c1", "_nik_numeric", today=dt.date(2026, 11, 24))
    assert checked["nik_error"].to_list()[0] == "NIK_EXCEL_FLOAT"

    xlsb = io.BytesIO()
    with zipfile.ZipFile(xlsb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00\x00\x94\x03\x00")
    facts = reader.inspect_file(xlsb.getvalue(), "daftar.xlsb")
    assert facts.merged_cells and facts.odd_values
