"""The report's tables as a workbook (``ucj.xlsx.Book``: text stays text, never a formula).

Cells are numbers with number formats, not text: counts ``#,##0``, rates ``0.00`` (percent points, as in the
dashboard's export), rupiah ``"Rp" #,##0``, months real dates shown ``yyyy-mm``. A spreadsheet shows them in its
own locale (an Indonesian Excel writes 1.048.000 and 37,43). The ranked table's rows (kab/kota, plus the row for
what cannot be placed lower) add up to its total line, the region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ucj.reports import content
from ucj.xlsx import Book, Sheet

FORMATS = {content.INT: "#,##0", content.PCT: "0.00", content.DEC1: "0.0", content.RP: '"Rp" #,##0',
           content.MONTH: "yyyy-mm"}  # fmt: skip


class Styles:
    """The workbook's cell formats, one per column kind, plain and bold (total lines)."""

    def __init__(self, book: Book) -> None:
        self.head = book.style(bold=True, fill="#E3F1EA", wrap=True)
        self.plain = {kind: book.style(num_format=f) for kind, f in FORMATS.items()}
        self.bold = {kind: book.style(bold=True, num_format=f) for kind, f in FORMATS.items()}
        self.bold_text = book.style(bold=True)
        self.wrap = book.style(wrap=True)

    def of(self, kind: str, bold: bool = False) -> int | None:
        if kind == content.TEXT:
            return self.bold_text if bold else None
        return (self.bold if bold else self.plain)[kind]


def cell(value: Any, kind: str) -> Any:
    """A typed cell value: numbers stay numbers, a month ``YYYY-MM`` becomes its first day (a date)."""
    if kind == content.MONTH and isinstance(value, str):
        year, month = value.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    return value


def write_table(book: Book, styles: Styles, table: content.Table) -> Sheet:
    """One table on its own sheet: a title line, the header, the rows and the total line."""
    sheet = book.add_sheet(table.title[:31])
    for c, column in enumerate(table.columns):
        sheet.set_column(c, c, column.width)
    sheet.freeze_panes(2, 0)
    kinds = [c.kind for c in table.columns]
    sheet.write_row(0, [table.title], styles.bold_text)
    sheet.write_row(1, [c.label for c in table.columns], styles.head)
    plain = [styles.of(k) for k in kinds]
    sheet.write_rows(2, [[cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in table.rows], plain)
    row = 2 + len(table.rows)
    if table.total:
        sheet.write_row(row, [cell(v, k) for v, k in zip(table.total, kinds, strict=True)],
                        [styles.of(k, bold=True) for k in kinds])  # fmt: skip
        row += 1
    if table.note:
        sheet.write_row(row + 1, [table.note])
    return sheet


def monthly_workbook(report: content.Report) -> bytes:
    """The monthly report as xlsx: the headline figures ("Ringkasan"), every table of the PDF on its own sheet,
    and an information sheet (region, month, data version, sources and definitions, the synthetic mark)."""
    book = Book()
    styles = Styles(book)
    summary = book.add_sheet(report.sections[0].title[:31])
    summary.set_column(0, 0, 24)
    summary.set_column(1, 1, 46)
    summary.set_column(2, 2, 18)
    summary.set_column(3, 3, 60)
    summary.write_row(0, [report.title], styles.bold_text)
    for r, (values, row_styles) in enumerate(figure_rows(report, styles), start=2):
        summary.write_row(r, values, row_styles)
    for table in report.tables():
        write_table(book, styles, table)
    info = book.add_sheet("Info")
    info.set_column(0, 0, 100)
    lines = [[report.title], [f"{report.region} {report.region_name} · {report.month}"],
             [f"data: {report.data_version} · {report.generated[:19]}"]]  # fmt: skip
    lines += [[p] for s in report.sections for p in s.paragraphs]
    info.write_rows(0, lines, styles.wrap)
    return book.to_bytes()


def figure_rows(report: content.Report, styles: Styles) -> list[tuple[list[Any], list[int | None]]]:
    """The headline figures as rows (section, label, typed value, note) with each value's format."""
    return [([s, f.label, cell(f.value, f.kind), f.note], [None, None, styles.of(f.kind), None])
            for s, f in report.figures()]  # fmt: skip
