"""Workbooks for download: rejected rows ready to fix and upload again."""

from __future__ import annotations

from typing import Any

import polars as pl

from ucj.registry.columns import fold_header
from ucj.registry.models import ImportBatch
from ucj.registry.reader import ORIGIN_BATCH_HEADER, ORIGIN_ROW_HEADER
from ucj.xlsx import Book

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
    headers, keep, rows = rejected_table(batch)
    book = Book()  # text stays text (ucj.xlsx)
    sheet = book.add_sheet("Ditolak")
    text = book.style(num_format="@")
    bold = book.style(bold=True, fill="#FDE2E1", wrap=True)
    out = len(keep)
    sheet.set_column(0, max(out - 1, 0), 18, text)
    sheet.set_column(out, out, 80)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, [*(headers[i] for i in keep), REASON_HEADER, ROW_HEADER, BATCH_HEADER], bold)
    columns: dict[str, Any] = {
        f"c{c}": pl.Series([cell_text(cells, i) for _, cells, _ in rows], dtype=pl.String) for c, i in enumerate(keep)
    }
    columns["reason"] = pl.Series([reasons for _, _, reasons in rows], dtype=pl.String)
    columns["row"] = pl.Series([source_row for source_row, _, _ in rows], dtype=pl.Int64)
    columns["batch"] = pl.Series([batch.pk] * len(rows), dtype=pl.Int64)
    sheet.write_frame(1, pl.DataFrame(columns), styles={out: 0, out + 1: 0, out + 2: 0})
    return book.to_bytes()


def rejected_table(batch: ImportBatch, limit: int | None = None) -> tuple[list[str], list[int], list[Any]]:
    """The rejected rows of ``batch`` (the first ``limit``): every header (a row longer than the header row
    gets "Kolom N"), the positions of the columns to give back (those an earlier round trip added are left out,
    so each row carries exactly one origin), and ``(row, cells, reasons)`` in row order. The workbook and the
    fix-in-the-browser page both build on it."""
    headers = list((batch.columns or {}).get("headers") or [])
    rows = list(batch.rejected_rows.order_by("row").values_list("row", "cells", "reasons")[:limit])
    width = max([len(headers)] + [len(c) for _, c, _ in rows]) if rows or headers else 0
    headers += [f"Kolom {i + 1}" for i in range(len(headers), width)]
    keep = [i for i, h in enumerate(headers) if fold_header(h) not in _ADDED]
    return headers, keep, rows


def cell_text(cells: list[Any], i: int) -> str:
    """A stored cell as text ("" for none)."""
    value = cells[i] if i < len(cells) else None
    return "" if value is None else str(value)
