"""Workbooks for download: rejected rows ready to fix and upload again."""

from __future__ import annotations

import io

import xlsxwriter

from ucj.registry.models import ImportBatch

REASON_HEADER = "Alasan penolakan / Reason rejected"
ROW_HEADER = "Baris asal / Source row"


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """The batch's rejected rows with their original columns, plus the reasons and the source row number.

    Every cell is written as text so that NIKs keep all 16 digits when the file is opened in Excel. The
    two extra columns are ignored when the fixed file is uploaded again.
    """
    headers = list((batch.columns or {}).get("headers") or [])
    rows = list(batch.rejected_rows.order_by("row").values_list("row", "cells", "reasons"))
    width = max([len(headers)] + [len(c) for _, c, _ in rows]) if rows or headers else 0
    headers += [f"Kolom {i + 1}" for i in range(len(headers), width)]
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Ditolak")
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#FDE2E1", "text_wrap": True})
    sheet.write_row(0, 0, [*headers, REASON_HEADER, ROW_HEADER], bold)
    for r, (source_row, cells, reasons) in enumerate(rows, start=1):
        for c in range(width):
            value = cells[c] if c < len(cells) else None
            sheet.write_string(r, c, "" if value is None else str(value), text)
        sheet.write_string(r, width, reasons)
        sheet.write_number(r, width + 1, source_row)
    sheet.set_column(0, max(width - 1, 0), 18, text)
    sheet.set_column(width, width, 80)
    sheet.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
