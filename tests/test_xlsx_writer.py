"""ucj.xlsx.Book (issue 17 §4): the workbook writer every export uses reads back with the same content as the
values written — text as text (escaped, forbidden characters removed), numbers as numbers with their number
formats, dates as dates — through both paths (Python rows and Polars frames); its XML is well formed; and
CSV exports guard text against formula injection. Workbooks are read back with calamine and from their XML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ucj.xlsx import MAX_TEXT, Book, csv_bytes, csv_frame, csv_safe_text

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HOSTILE = ['=HYPERLINK("http://evil.example/x","klik")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1", "http://evil.example/a"]  # fmt: skip


def read(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def sheet_xml(data: bytes, index: int = 1) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read(f"xl/worksheets/sheet{index}.xml"))  # noqa: S314 (ours; raises if malformed)


def formats(data: bytes, index: int = 1) -> dict[str, str]:
    """Cell reference → its number format code (``General`` when none), from styles.xml."""
    builtin = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 49: "@"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))  # noqa: S314 (written by the test)
    custom = {int(f.get("numFmtId", 0)): f.get("formatCode", "") for f in styles.iterfind(".//m:numFmt", NS)}
    xfs = [int(xf.get("numFmtId", 0)) for xf in styles.find("m:cellXfs", NS) or []]
    out = {}
    for cell in sheet_xml(data, index).iterfind(".//m:c", NS):
        fmt = xfs[int(cell.get("s", 0))]
        out[cell.get("r", "")] = custom.get(fmt) or builtin.get(fmt, str(fmt))
    return out


def bold_cells(data: bytes, index: int = 1) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))  # noqa: S314 (written by the test)
    fonts = [f.find("m:b", NS) is not None for f in styles.find("m:fonts", NS) or []]
    xfs = [fonts[int(xf.get("fontId", 0))] for xf in styles.find("m:cellXfs", NS) or []]
    return {c.get("r", "") for c in sheet_xml(data, index).iterfind(".//m:c", NS) if xfs[int(c.get("s", 0))]}


def test_rows_and_frames_read_back_typed() -> None:
    day, moment = dt.date(2024, 2, 29), dt.datetime(2024, 3, 1, 12, 30)
    values = ["Siti & <Aminah> \"x\" 'y'", 1_606_014, 2.5, day, moment, True, None, "  spasi  ", "baris\nbaru",
              "Ñoño 😀"]  # fmt: skip
    book = Book()
    money = book.style(num_format="#,##0")
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    rows = book.add_sheet("Baris")
    rows.set_column(1, 1, 14, money)
    rows.freeze_panes(1, 0)
    rows.write_row(0, [f"H{i}" for i in range(len(values))], head)
    rows.write_row(1, values)
    frame = book.add_sheet("Frame")
    frame.set_column(1, 1, 14, money)
    frame.write_frame(0, pl.DataFrame(
        {"text": [values[0], None], "int": [1_606_014, None], "float": [2.5, float("nan")], "date": [day, None],
         "moment": [moment, None], "flag": [True, None]}
    ))  # fmt: skip
    data = book.to_bytes()
    got = read(data)
    assert got["Baris"][0] == [f"H{i}" for i in range(len(values))]
    assert got["Baris"][1] == [values[0], 1_606_014, 2.5, day, moment, True, "", "  spasi  ", "baris\nbaru",
                               "Ñoño 😀"]  # fmt: skip
    assert got["Frame"] == [[values[0], 1_606_014, 2.5, day, moment, True]]  # the row of nulls is empty
    assert len(sheet_xml(data, 2).findall(".//m:row", NS)) == 2 and len(sheet_xml(data, 2).findall(".//m:c", NS)) == 6
    assert formats(data)["B2"] == "#,##0" and formats(data)["D2"] == "yyyy-mm-dd"
    assert formats(data)["E2"] == "yyyy-mm-dd hh:mm" and formats(data)["A2"] == "General"
    assert formats(data, 2)["B1"] == "#,##0" and formats(data, 2)["D1"] == "yyyy-mm-dd"
    assert bold_cells(data) == {f"{chr(65 + i)}1" for i in range(len(values))}
    xml = sheet_xml(data)
    col = xml.find(".//m:cols/m:col", NS)
    assert col is not None and (col.get("min"), col.get("width"), col.get("customWidth")) == ("2", "14", "1")
    pane = xml.find(".//m:pane", NS)
    assert pane is not None and (pane.get("ySplit"), pane.get("state")) == ("1", "frozen")


def test_text_is_cleaned_escaped_and_never_a_formula() -> None:
    dirty = ["a\x00b\x08c\x0bd\x1fe\ufffef", "_x0041_ tetap", "x" * (MAX_TEXT + 10), *HOSTILE]
    expected = ["abcdef", "_x0041_ tetap", "x" * MAX_TEXT, *HOSTILE]
    book = Book()
    book.add_sheet("Baris").write_rows(0, [[v] for v in dirty])
    book.add_sheet("Frame").write_frame(0, pl.DataFrame({"v": dirty}))
    data = book.to_bytes()
    for name in ("Baris", "Frame"):
        assert [r[0] for r in read(data)[name]] == expected
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in z.namelist():
            text = z.read(part).decode()
            assert not re.search(r"<f[ >]", text) and "<hyperlink" not in text and "/hyperlink" not in text
            if part.endswith(".xml"):
                ET.fromstring(text)  # noqa: S314 (written by the test)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=40), min_size=1, max_size=20),
       st.lists(st.integers(-(2**50), 2**50) | st.none(), min_size=1, max_size=20))  # fmt: skip
def test_any_text_and_number_round_trip(texts: list[str], numbers: list[int | None]) -> None:
    n = min(len(texts), len(numbers))
    texts, numbers = texts[:n], numbers[:n]
    book = Book()
    book.add_sheet("Baris").write_rows(0, [[t, x] for t, x in zip(texts, numbers, strict=True)])
    frame = pl.DataFrame({"t": texts, "x": numbers}, schema={"t": pl.String, "x": pl.Int64})
    book.add_sheet("Frame").write_frame(0, frame)
    clean = [re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", t) for t in texts]
    got = read(book.to_bytes())
    for name in ("Baris", "Frame"):
        rows = got.get(name, []) + [["", ""]] * (n - len(got.get(name, [])))  # calamine drops empty end rows
        rows = [r + [""] * (2 - len(r)) for r in rows]
        assert [r[0] for r in rows] == clean
        assert [r[1] for r in rows] == ["" if x is None else x for x in numbers]


def test_numpy_and_decimal_numbers_are_numbers() -> None:
    import decimal

    import numpy as np

    book = Book()
    book.add_sheet("x").write_row(0, [np.int64(5), np.float64(2.5), decimal.Decimal("1.25"), float("inf")])
    assert read(book.to_bytes())["x"] == [[5, 2.5, 1.25]]  # infinity: left empty (the last cell)


def test_sheet_names_are_made_valid_and_unique() -> None:
    book = Book()
    for name in ("APBD Kabupaten/Kota", "APBD Kabupaten/Kota", "a" * 40, "[x]:*?"):
        book.add_sheet(name).write_row(0, ["x"])
    names = list(read(book.to_bytes()))
    assert names == ["APBD Kabupaten-Kota", "APBD Kabupaten-Kota-2", "a" * 31, "-x----"]


def test_rows_must_come_in_order_and_layout_first() -> None:
    book = Book()
    sheet = book.add_sheet("x")
    sheet.write_row(3, ["a"])
    with pytest.raises(ValueError):
        sheet.write_row(2, ["b"])
    with pytest.raises(RuntimeError):
        sheet.set_column(0, 0, 10)


def test_csv_guard() -> None:
    """OWASP CSV injection: text beginning with = + - @ TAB CR is prefixed with a single quote; numbers are
    numbers (a negative number is not text and stays as it is)."""
    assert [csv_safe_text(v) for v in ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "Siti", "1-2", ""]] == [
        "'=1+1", "'+1", "'-1+1", "'@SUM(A1)", "'\tx", "'\rx", "Siti", "1-2", ""]  # fmt: skip
    rows = [[text, -5, dt.date(2024, 3, 1), None] for text in HOSTILE]
    for data in (csv_bytes(["=Nama", "Jumlah", "Tanggal", "Kosong"], rows),
                 csv_frame(pl.DataFrame(rows, schema={"=Nama": pl.String, "Jumlah": pl.Int64, "Tanggal": pl.Date,
                                                      "Kosong": pl.String}, orient="row"))):  # fmt: skip
        assert data.startswith(b"\xef\xbb\xbf")
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert parsed[0] == ["'=Nama", "Jumlah", "Tanggal", "Kosong"]
        assert [r[0] for r in parsed[1:]] == ["'" + h if h[0] in "=+-@\t\r" else h for h in HOSTILE]
        assert {tuple(r[1:]) for r in parsed[1:]} == {("-5", "2024-03-01", "")}


# --- the bill, the largest export: the same content as xlsx and as CSV ---------------------------------------

SUKARAMI = "16.06.01.2001"


@pytest.mark.django_db
def test_bill_workbook_and_csv_hold_the_lines(admin_user: Any) -> None:
    from ucj.contributions.bills import create_bill
    from ucj.contributions.exports import LINE_HEADERS, bill_csv, bill_xlsx
    from ucj.contributions.models import BillLine
    from ucj.registry.models import Participant

    for i, (name, paid) in enumerate([("Siti Aminah", dt.date(2024, 2, 29)), ("-Budi", None)]):
        Participant.objects.create(nik=f"16060141019000{i + 10}", name=name, desa_id=SUKARAMI, segment="BPU",
                                   payer="apbdes", paid_through=paid)  # fmt: skip
    bill = create_bill(admin_user, "apbdes", SUKARAMI, dt.date(2024, 3, 1))
    data = bill_xlsx(bill, admin_user)
    sheet = read(data)["Rincian"]
    assert sheet[0] == LINE_HEADERS
    lines = {ln.participant.nik: ln for ln in BillLine.objects.filter(bill=bill).select_related("participant")}
    assert len(sheet) == 1 + len(lines)
    for row in sheet[1:]:
        line = lines[row[1]]
        p = line.participant
        assert row[:8] == [row[0], p.nik, p.name, "Sukarami", SUKARAMI, "BPU", f"{line.first_month:%Y-%m}",
                           line.months]  # fmt: skip
        assert row[8:17] == [line.jkk, line.jkm, line.jht, line.jp, line.jkp, line.employer, line.worker,
                             line.government, line.amount]  # fmt: skip
        assert all(isinstance(v, (int, float)) for v in row[8:17])
        assert row[17] == ("aktif" if p.paid_through else "nonaktif") and row[19] == line.tariff + 1
    assert sorted(r[0] for r in sheet[1:]) == [1, 2]
    fmt = formats(data, 2)
    assert fmt["B2"] == "@" and fmt["Q2"] == "#,##0" and fmt["I3"] == "#,##0" and fmt["A2"] == "General"
    parsed = list(csv.reader(io.StringIO(bill_csv(bill, admin_user).decode("utf-8-sig"), newline="")))
    assert parsed[0] == LINE_HEADERS
    as_text = [[str(v) if not isinstance(v, float) else str(int(v)) for v in r] for r in sheet[1:]]
    as_text = [[("'" + v if v.startswith("-") else v) if c == 2 else v for c, v in enumerate(r)] for r in as_text]
    assert parsed[1:] == as_text  # the same cells; the name "-Budi" quoted against formula injection
