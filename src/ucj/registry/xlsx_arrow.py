"""The cells of an .xlsx roster through fastexcel (Arrow, no Python object per cell), exactly as the
cell-by-cell reader (:func:`ucj.registry.reader._read_workbook`) reads them — or None, and that reader runs.

fastexcel turns every cell into text in Rust: strings as they are, numbers with at most nine decimals and no
exponent, dates as ``YYYY-MM-DD HH:MM:SS``, booleans as ``true``/``false``. The cell-by-cell reader keeps the
cell's type instead: a number becomes its integer digits or Python's ``repr``, a date ``YYYY-MM-DD``, a
boolean ``1``/``0``, and the NIK column remembers which cells were numbers (``_nik_numeric``: a 16-digit number
ending in 0 is a NIK Excel damaged). Where the text alone cannot tell the two readers apart, this reader asks
fastexcel for the cell types of those columns only, in one more load:

* the NIK column, when it holds number-like text: which cells are numbers (``boolean`` is non-null for
  numbers and booleans, never for text). A number there must render as 8–17 integer digits (always an exact
  integer), else the file goes to the cell-by-cell reader.
* other columns with number-like text that could hide a difference — a decimal point, ``-0``, at most 7
  digits (below 2^23 a float may carry a fraction under 5e-10 that nine decimals round away) or 18 and more
  (``repr`` switches to an exponent): the ``float`` value. Text that is not a number's rendering stays; a
  number's rendering becomes the old text (``repr`` of a float with a fraction); a case where text and number
  would read differently and cannot be told apart sends the file to the cell-by-cell reader.

Sheets with date or boolean cells (or text that reads like their renderings), a header row holding numbers,
merged cells (:attr:`~ucj.registry.reader.FileFacts.merged_cells`, decided by the caller) and anything
fastexcel refuses go to the cell-by-cell reader too: the result is always the same frame. Rows and columns
keep their sheet positions (``skip_rows=0``, the first column's absolute index), as the other reader's
``to_python(skip_empty_area=False)`` does.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from ucj.registry.columns import map_columns
from ucj.registry.issues import RosterFileError
from ucj.registry.reader import HEADER_SCAN_ROWS, RawRoster, ReadLimits, _find_header

_DATE_OR_BOOL = r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?|true|false)$"
_NUMBER = r"^-?\d+(\.\d+)?$"
_ASCII_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
#: How a number cell reads when every stored value is an integer of at most 7 digits (FileFacts.odd_values).
_SHORT_INTEGER = r"^(-?[1-9][0-9]{0,6}|0)$"
#: Number-like text whose old reading may differ: a decimal point, -0, up to 7 or from 18 digits.
_UNSURE = r"^(-?\d*\.\d+|-0|-?\d{1,7}|-?\d{18,})$"
#: A number in the NIK column reads the same either way: 8–17 integer digits.
_NIK_EXACT = r"^\d{8,17}$"


class _Unsure(Exception):
    """The Arrow reading may differ from the cell-by-cell one: use that reader."""


def read_xlsx(data: bytes, limits: ReadLimits, odd_values: bool = True) -> RawRoster | None:
    """The roster of the first sheet with a header row, as :func:`ucj.registry.reader._read_workbook` reads it
    (before :func:`ucj.registry.reader._finish`), or None when only that reader can say (see the module).
    ``odd_values`` False (:attr:`ucj.registry.reader.FileFacts.odd_values`) promises every number cell holds an
    integer of at most 7 digits: no number then needs its type but a short one in the NIK column."""
    try:
        import fastexcel

        book = fastexcel.read_excel(data)
        for name in book.sheet_names:
            raw = _sheet(book, name, limits, odd_values)
            if raw is not None:
                return raw
    except (_Unsure, RosterFileError):
        return None
    except Exception:  # fastexcel's errors (damaged parts, cell errors): the other reader words them
        return None
    return None  # no sheet with a header row: the other reader finds the same and says which error


def _sheet(book: Any, name: str, limits: ReadLimits, odd_values: bool) -> RawRoster | None:
    sheet = book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    frame = _positioned(pl.DataFrame(sheet), [c.absolute_index for c in sheet.available_columns()])
    if frame.height == 0 or frame.width == 0:
        return None
    cells = frame.columns
    if frame.select(pl.any_horizontal(pl.col(cells).str.contains(_DATE_OR_BOOL).any())).item():
        raise _Unsure
    head = [[v or "" for v in row] for row in frame.head(HEADER_SCAN_ROWS).rows()]
    try:
        header_idx = _find_header(head)
    except RosterFileError:
        return None
    headers = head[header_idx]
    if any(pl.Series(headers, dtype=pl.String).str.contains(_NUMBER)):
        raise _Unsure  # a number in the header row: its text must be the old reader's
    if len(headers) > limits.max_columns:
        raise RosterFileError("FILE_TOO_MANY_COLUMNS", f"{len(headers):,} > {limits.max_columns:,}")
    cmap = map_columns(headers)
    body = frame.slice(header_idx + 1)
    nik = cmap.used.get("nik")
    body, numeric = _typed(book, name, body, header_idx + 1, nik, odd_values)
    body = body.with_columns(
        pl.int_range(header_idx + 2, header_idx + 2 + body.height, dtype=pl.Int64).alias("_row"),
        numeric.alias("_nik_numeric"),
    )
    return RawRoster(frame=body, columns=cmap, header_row=header_idx + 1, kind="xlsx", sheet=name)


def _positioned(frame: pl.DataFrame, where: list[int]) -> pl.DataFrame:
    """Columns named ``c<sheet column>`` from column A (empty ones before the first used column), empty text
    as null (the other reader's cells)."""
    first = where[0] if where else 0
    if where != list(range(first, first + len(where))) or len(where) != frame.width:
        raise _Unsure
    named = frame.rename({old: f"c{i}" for old, i in zip(frame.columns, where, strict=True)})
    named = named.with_columns(pl.col(named.columns).replace("", None)) if named.width else named
    lead = [pl.lit(None, dtype=pl.String).alias(f"c{i}") for i in range(first)]
    return named.select(*lead, *named.columns) if lead else named


def _typed(
    book: Any, name: str, body: pl.DataFrame, start: int, nik: int | None, odd_values: bool
) -> tuple[pl.DataFrame, pl.Series]:
    """``body`` (the sheet from row ``start``) with the old reader's text where a column's type matters, and the
    NIK-was-a-number flags."""
    asks: dict[int, str] = {}
    could_be_number = _NUMBER if odd_values else _SHORT_INTEGER
    if nik is not None and f"c{nik}" in body.columns and body[f"c{nik}"].str.contains(could_be_number).any():
        asks[nik] = "boolean"
    for column in body.columns if odd_values else []:
        index = int(column[1:])
        if index != nik and body[column].str.contains(_UNSURE).any():
            asks[index] = "float"
    numeric = pl.Series("_nik_numeric", [False] * body.height, dtype=pl.Boolean)
    if not asks:
        return body, numeric
    order = sorted(asks)
    # use_columns and dtypes take the sheet's (absolute) column indexes, like our c<N>
    typed = pl.DataFrame(book.load_sheet(name, header_row=None, skip_rows=0, use_columns=order, dtypes=asks))
    typed = typed.rename(dict(zip(typed.columns, [f"c{i}" for i in order], strict=True))).slice(start)
    if typed.height != body.height:
        raise _Unsure
    fixed = []
    for index in order:
        column = f"c{index}"
        if asks[index] == "boolean":
            numeric = typed[column].is_not_null().alias("_nik_numeric")
            if not body[column].filter(numeric).str.contains(_NIK_EXACT).all():
                raise _Unsure
        else:
            fixed.append(_old_column(body[column], typed[column]))
    return (body.with_columns(fixed) if fixed else body), numeric


def _old_column(texts: pl.Series, values: pl.Series) -> pl.Series:
    """:func:`_old_texts` of a column; only the cells where the readers may differ go through Python (a number
    text with a point, ``-0``, 18 digits or more, or a value with a fraction)."""
    digits = texts.str.strip_chars_start("-").str.len_bytes()
    doubt = (
        texts.str.contains(_ASCII_NUMBER).fill_null(False)
        & values.is_not_null()
        & (texts.str.contains(".", literal=True) | (values != values.floor()) | (texts == "-0") | (digits >= 18))
    )
    rows = doubt.arg_true()
    if rows.len() == 0:
        return texts
    old = _old_texts(texts.gather(rows).to_list(), values.gather(rows).to_list())
    return texts.scatter(rows, pl.Series(old, dtype=pl.String))


def _old_texts(texts: list[str | None], values: list[float | None]) -> list[str | None]:
    """The cell-by-cell reader's text of each cell, from fastexcel's text and the cell's value as a float
    (null for text that is not a number; text that is a number parses to the value it reads as). A number
    cell's text is never ``-0``-free of doubt, never has leading or trailing zeros nor more than nine decimals."""
    out: list[str | None] = []
    for text, value in zip(texts, values, strict=True):
        if text is None or value is None or not _is_number_text(text):
            out.append(text)
        elif "." not in text:  # integer digits
            if value != math.trunc(value):  # only a number cell hides a fraction (text digits parse exactly)
                out.append(repr(value))
            elif text == "-0" or len(text.lstrip("-")) >= 18:  # text, or a number the old reader wrote as repr
                raise _Unsure
            else:
                out.append(text)
        elif repr(value) == text or text.endswith("0") or len(text.partition(".")[2]) > 9:
            out.append(text)  # the same either way, or never a number cell's text
        else:
            raise _Unsure
    return out


def _is_number_text(text: str) -> bool:
    """``-?[0-9]+(\\.[0-9]+)?`` in ASCII digits (what fastexcel writes for a number cell)."""
    whole, point, fraction = text.removeprefix("-").partition(".")
    digits = whole + fraction
    return digits.isascii() and digits.isdigit() and whole != "" and (fraction != "" or point == "")
