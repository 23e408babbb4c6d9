"""Workbooks and CSV of targeting (candidates, worklists, collective registration files): written by
:mod:`ucj.xlsx` (text cells stay text, never formulas) and :func:`ucj.xlsx.csv_frame` (formula-guarded)."""

from __future__ import annotations

import polars as pl

from ucj.xlsx import Book, csv_frame


def frame_xlsx(sheets: dict[str, pl.DataFrame], notes: dict[str, list[tuple[str, object]]] | None = None) -> bytes:
    """One sheet per frame (bold header row, frozen), plus optional key/value sheets (``notes``)."""
    book = Book()
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    for name, frame in sheets.items():
        sheet = book.add_sheet(name)
        sheet.freeze_panes(1)
        for i in range(frame.width):
            sheet.set_column(i, i, 18)
        sheet.write_row(0, list(frame.columns), head)
        if frame.height:
            sheet.write_frame(1, frame.with_columns(pl.col(pl.List(pl.String)).list.join(", ")))
    for name, rows in (notes or {}).items():
        sheet = book.add_sheet(name)
        sheet.set_column(0, 0, 40)
        sheet.write_rows(0, [(k, v) for k, v in rows])
    return book.to_bytes()


def frame_bytes(frame: pl.DataFrame, fmt: str, sheet: str) -> bytes:
    """``frame`` as ``xlsx`` or ``csv``."""
    if fmt == "csv":
        return csv_frame(frame.with_columns(pl.col(pl.List(pl.String)).list.join(", ")))
    return frame_xlsx({sheet: frame})
