"""Workbooks for download: rejected rows ready to fix and upload again."""

from __future__ import annotations

import io

from ucj.registry.columns import fold_header
from ucj.registry.models import ImportBatch
from ucj.registry.reader import ORIGIN_BATCH_HEADER, ORIGIN_ROW_HEADER
from ucj.xlsx import workbook

REASON_HEADER = "Alasan penolakan / Reason rejected"
ROW_HEADER = ORIGIN_ROW_HEADER
BATCH_HEADER = ORIGIN_BATCH_HEADER
_ADDED = {fold_header(h) for h in (REASON_HEADER, ROW_HEADER, BATCH_HEADER, "Baris asal / Source row")}


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """The batch's rejected rows with their original columns, plus the reasons and where each row came from
    (``UCJ baris``: the row number in the uploaded file, ``UCJ batch``: this batch).

    Every cell is written as text so that NIKs keep all 16 digits when the file is opened in Excel. The
    added columns are ignored as data when the fixed file is uploaded again; the origin columns let that
    import recognise a NIK that was damaged by Excel and is still unchanged (see ucj.registry.reimport).
    Columns a previous round trip added are left out, so each row carries exactly one origin.
    """
    headers = list((batch.columns or {}).get("headers") or [])
    rows = list(batch.rejected_rows.order_by("row").values_list("row", "cells", "reasons"))
    width = max([len(headers)] + [len(c) for _, c, _ in rows]) if rows or headers else 0
    headers += [f"Kolom {i + 1}" for i in range(len(headers), width)]
    keep = [i for i, h in enumerate(headers) if fold_header(h) not in _ADDED]
    buf = io.BytesIO()
    book = workbook(buf)  # text stays text (ucj.xlsx)
    sheet = book.add_worksheet("Ditolak")
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#FDE2E1", "text_wrap": True})
    sheet.write_row(0, 0, [*(headers[i] for i in keep), REASON_HEADER, ROW_HEADER, BATCH_HEADER], bold)
    out = len(keep)
    for r, (source_row, cells, reasons) in enumerate(rows, start=1):
        for c, i in enumerate(keep):
            value = cells[i] if i < len(cells) else None
            sheet.write_string(r, c, "" if value is None else str(value), text)
        sheet.write_string(r, out, reasons)
        sheet.write_number(r, out + 1, source_row)
        sheet.write_number(r, out + 2, batch.pk)
    sheet.set_column(0, max(out - 1, 0), 18, text)
    sheet.set_column(out, out, 80)
    sheet.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
