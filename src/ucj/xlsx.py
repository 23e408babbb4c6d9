"""Every workbook UCJ writes is made here: text stays text, and large sheets are written near the floor.

**Text stays text (issue 11, formula / CSV injection).** A cell that reads ``=HYPERLINK("http://…","klik")`` or
``=cmd|' /C calc'!A0`` in a roster (a name, an address, an occupation) must come back out of an export as that
text, never as a formula or a link that runs when someone opens the file.

* :class:`Book` (the writer every export uses) has no way to write a formula or a link: it emits only
  ``<c t="inlineStr">`` text cells, ``<v>`` number cells and booleans — no ``<f>`` element and no hyperlink
  relationship exists in its code.
* :func:`workbook` (XlsxWriter, kept for the benchmark baseline and small ad-hoc sheets) turns
  ``strings_to_formulas`` and ``strings_to_urls`` off for every sheet; they cannot be turned back on.
* CSV (:func:`csv_bytes`): a text field that begins with ``=``, ``+``, ``-``, ``@``, a TAB or a CR is prefixed
  with a single quote ``'`` (OWASP, "CSV Injection"), so a spreadsheet opening the file shows it as text.
  Numbers are written as numbers and are never prefixed; text such as ``-1+1`` becomes ``'-1+1``.

**Why our own writer (issue 17 §4).** XlsxWriter costs ~6 µs per cell in Python (a 100,000-line bill of 20
columns: 11.9 s even in ``constant_memory`` mode). :meth:`Sheet.write_frame` builds each row's sheet XML in
Polars (vectorised string expressions, no Python per cell) and deflates it at level 1 — the same 2 M cells in
about a tenth of that time (``bench/export_bench.py``). The alternative measured, rustpy-xlsxwriter (MIT, Rust
bindings to rust_xlsxwriter), is as fast but is a 0.x single-maintainer binary wheel with link and formula
column features we would have to keep switched off; this module needs no new dependency and cannot emit a
formula at all. The format kept deliberately small and robust:

* strings are inline strings (``t="inlineStr"``, read by Excel, LibreOffice, openpyxl, calamine; Excel turns
  them into shared strings when it saves), XML-escaped (``& < >``), with the characters XML 1.0 forbids
  (C0 controls except TAB, LF, CR; U+FFFE, U+FFFF) removed, literal ``_xHHHH_`` escaped as Excel expects,
  cut at Excel's 32,767 characters, ``xml:space="preserve"`` so spaces survive, CR as ``&#13;`` so it survives
  XML's line-end normalisation;
* numbers are ``<v>`` number cells (NaN and infinities are left empty), booleans ``t="b"``, dates and datetimes
  Excel serial numbers with a ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm``) format unless the write names another;
* styles (bold, fill colour, wrap, number format), column widths and default column styles, frozen panes.

A sheet streams: columns and panes are set first, rows are written in order, and the sheet's XML is spooled
to a temporary file (bounded memory) until the workbook is closed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import numbers
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter

if TYPE_CHECKING:
    import polars as pl

SAFE_OPTIONS: dict[str, Any] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def workbook(target: Any, **options: Any) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook writing to ``target`` (a path or a binary buffer) that never writes a formula
    or a link from a string; ``options`` may add e.g. ``constant_memory`` but cannot turn the guards off."""
    merged = {**SAFE_OPTIONS, **options, "strings_to_formulas": False, "strings_to_urls": False}
    return xlsxwriter.Workbook(target, merged)


# --- the fast writer ---------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TEXT = 32_767  # Excel's limit for one cell
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
FRAME_CHUNK_ROWS = 20_000  # rows rendered per Polars pass: bounds the memory of one pass
SPOOL_BYTES = 8 * 1024 * 1024  # sheet XML kept in memory up to this, then in a temporary file
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_UNIX_EPOCH_SERIAL = 25_569  # 1970-01-01 as an Excel serial day
# XML 1.0 forbids these characters outright; a roster cell may carry them (copied from other software).
_ILLEGAL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"  # one pattern for Python's re and Polars (Rust)
_ILLEGAL_RE = re.compile(_ILLEGAL)
_ILLEGAL_CHARS = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]]
# XML's own characters, and CR: a parser turns a literal CR into LF, a character reference keeps it
_ESCAPED, _ESCAPES = ["&", "<", ">", "\r"], ["&amp;", "&lt;", "&gt;", "&#13;"]
_LOOKALIKE = r"_(x[0-9A-Fa-f]{4}_)"  # Excel reads _xHHHH_ as an escaped character: keep such text literal
_LOOKALIKE_RE = re.compile(_LOOKALIKE)
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def col_letter(index: int) -> str:
    """Excel's column name of a zero-based column index (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def escape_text(value: str) -> str:
    """A cell's text as XML character data: forbidden characters removed, ``& < >`` escaped, literal
    ``_xHHHH_`` kept literal, at most 32,767 characters."""
    value = _ILLEGAL_RE.sub("", value)[:MAX_TEXT]
    value = _LOOKALIKE_RE.sub(r"_x005F_\1", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    return escape_text(value).replace('"', "&quot;")


class Book:
    """A workbook written by UCJ's own streaming writer (see the module docstring). Use :meth:`style` for
    cell formats, :meth:`add_sheet` for sheets (in order), then :meth:`to_bytes` once."""

    def __init__(self) -> None:
        self._sheets: list[Sheet] = []
        self._styles: dict[tuple[bool, str | None, bool, int], int] = {}
        self._fills: list[str] = []
        self._formats: dict[str, int] = {}
        self.date_style = self.style(num_format=DATE_FORMAT)
        self.datetime_style = self.style(num_format=DATETIME_FORMAT)

    def style(self, *, bold: bool = False, fill: str | None = None, wrap: bool = False,
              num_format: str | None = None) -> int:  # fmt: skip
        """The index of a cell format: bold font, solid ``fill`` colour (``#RRGGBB``), wrapped text, number
        format (``#,##0``, ``0.00``, ``@``, ``yyyy-mm-dd`` …). Equal formats share one index."""
        if fill is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", fill):
            raise ValueError("fill must be #RRGGBB")
        fmt = 0
        if num_format:
            fmt = _BUILTIN_FORMATS.get(num_format) or self._formats.setdefault(num_format, 164 + len(self._formats))
        key = (bold, fill.upper() if fill else None, wrap, fmt)
        if key not in self._styles:
            if key[1] and key[1] not in self._fills:
                self._fills.append(key[1])
            self._styles[key] = len(self._styles) + 1  # 0 is the default format
        return self._styles[key]

    def add_sheet(self, name: str) -> Sheet:
        """A new sheet after the others; the previous sheet takes no more rows. ``name`` is made valid
        (no ``[]:*?/\\``, at most 31 characters, unique)."""
        if self._sheets:
            self._sheets[-1].finish()
        clean = _SHEET_NAME_BAD.sub("-", _ILLEGAL_RE.sub("", name)).strip("'")[:31] or f"Sheet{len(self._sheets) + 1}"
        taken = {s.name.casefold() for s in self._sheets}
        base, n = clean, 1
        while clean.casefold() in taken:
            n += 1
            clean = f"{base[: 31 - len(str(n)) - 1]}-{n}"
        sheet = Sheet(self, clean)
        self._sheets.append(sheet)
        return sheet

    def save(self, target: IO[bytes]) -> None:
        """Write the workbook (a zip) to a binary file object."""
        if not self._sheets:
            self.add_sheet("Sheet1")
        for sheet in self._sheets:
            sheet.finish()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("[Content_Types].xml", self._content_types())
            z.writestr("_rels/.rels", _HEAD + f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
                       f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
            z.writestr("xl/workbook.xml", self._workbook_xml())
            z.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
            z.writestr("xl/styles.xml", self._styles_xml())
            for i, sheet in enumerate(self._sheets, start=1):
                with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                    sheet.copy_to(out)

    def to_bytes(self) -> bytes:
        """The workbook as bytes."""
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    def _content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self._sheets) + 1)
        )
        return (_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + sheets + "</Types>")  # fmt: skip

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self._sheets, start=1))  # fmt: skip
        return (_HEAD + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
                f"<sheets>{sheets}</sheets></workbook>")  # fmt: skip

    def _workbook_rels(self) -> str:
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        items = [f'<Relationship Id="rId{i}" Type="{rel}worksheet" Target="worksheets/sheet{i}.xml"/>'
                 for i in range(1, len(self._sheets) + 1)]  # fmt: skip
        items.append(f'<Relationship Id="rId{len(self._sheets) + 1}" Type="{rel}styles" Target="styles.xml"/>')
        return (_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(items) + "</Relationships>")  # fmt: skip

    def _styles_xml(self) -> str:
        fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(code)}"/>' for code, i in self._formats.items())
        num_fmts = f'<numFmts count="{len(self._formats)}">{fmts}</numFmts>' if self._formats else ""
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        fonts = f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
        fills += [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c[1:]}"/><bgColor indexed="64"/>'
                  "</patternFill></fill>" for c in self._fills]  # fmt: skip
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for (bold, fill, wrap, fmt), _index in sorted(self._styles.items(), key=lambda kv: kv[1]):
            fill_id = self._fills.index(fill) + 2 if fill else 0
            xf = f'<xf numFmtId="{fmt}" fontId="{int(bold)}" fillId="{fill_id}" borderId="0" xfId="0"'
            xf += ' applyNumberFormat="1"' if fmt else ""
            xf += ' applyFont="1"' if bold else ""
            xf += ' applyFill="1"' if fill else ""
            xfs.append(xf + (' applyAlignment="1"><alignment wrapText="1"/></xf>' if wrap else "/>"))
        return (_HEAD + f'<styleSheet xmlns="{_NS}">{num_fmts}{fonts}<fills count="{len(fills)}">{"".join(fills)}'
                '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>")  # fmt: skip


class Sheet:
    """One worksheet of a :class:`Book`. Set columns and panes first, then write rows in increasing order
    (:meth:`write_row`, :meth:`write_rows`, :meth:`write_frame`)."""

    def __init__(self, book: Book, name: str) -> None:
        self.book, self.name = book, name
        self._cols: dict[int, tuple[float | None, int | None]] = {}
        self._freeze: tuple[int, int] | None = None
        self._out: tempfile.SpooledTemporaryFile[bytes] | None = None
        self._next_row = 0
        self._done = False

    # -- layout (before any row) --

    def set_column(self, first: int, last: int, width: float | None = None, style: int | None = None) -> None:
        """Width (Excel character units) and default format of columns ``first``..``last`` (zero-based)."""
        if self._out is not None:
            raise RuntimeError("set columns before writing rows")
        for c in range(first, last + 1):
            self._cols[c] = (width, style)

    def freeze_panes(self, rows: int, cols: int = 0) -> None:
        """Keep the first ``rows`` rows and ``cols`` columns in view."""
        if self._out is not None:
            raise RuntimeError("freeze panes before writing rows")
        self._freeze = (rows, cols)

    # -- rows --

    def write_row(self, row: int, values: Sequence[Any], style: int | Sequence[int | None] | None = None) -> None:
        """One row of Python values from column A (``None`` leaves a cell empty). ``style``: one format for
        every cell, or one per cell; else each column's format."""
        self.write_rows(row, [values], style)

    def write_rows(self, first_row: int, rows: Iterable[Sequence[Any]],
                   style: int | Sequence[int | None] | None = None) -> None:  # fmt: skip
        """Rows of Python values from ``first_row`` on (for small sheets; large ones: :meth:`write_frame`)."""
        out = self._stream(first_row)
        parts: list[str] = []
        r = first_row - 1
        letters: list[str] = []
        for r, values in enumerate(rows, start=first_row):
            if r >= MAX_ROWS or len(values) > MAX_COLS:
                raise ValueError("more rows or columns than Excel allows")
            while len(letters) < len(values):
                letters.append(col_letter(len(letters)))
            n = str(r + 1)
            styles = [style] * len(values) if style is None or isinstance(style, int) else list(style)
            cells = [self._cell(letters[c] + n, v, styles[c] if c < len(styles) else None,
                                self._cols.get(c, (0, None))[1]) for c, v in enumerate(values)]  # fmt: skip
            parts.append(f'<row r="{n}">{"".join(cells)}</row>')
            if len(parts) >= 2000:
                out.write("".join(parts).encode())
                parts.clear()
        out.write("".join(parts).encode())
        self._next_row = max(self._next_row, r + 1)

    def _cell(self, ref: str, value: Any, style: int | None, column_style: int | None) -> str:
        """One cell's XML: ``style`` if given; else dates take a date format, other values the column's."""
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86_400
            return f'<c r="{ref}"{_s(self.book.datetime_style if style is None else style)}><v>{serial!r}</v></c>'
        if isinstance(value, dt.date):
            serial = (value - _EXCEL_EPOCH.date()).days
            return f'<c r="{ref}"{_s(self.book.date_style if style is None else style)}><v>{serial}</v></c>'
        style = column_style if style is None else style
        if isinstance(value, bool):
            return f'<c r="{ref}"{_s(style)} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (numbers.Real, Decimal)):  # numpy's numbers too
            number = int(value) if isinstance(value, numbers.Integral) else float(value)
            if isinstance(number, float) and not math.isfinite(number):
                return ""
            return f'<c r="{ref}"{_s(style)}><v>{number!r}</v></c>'
        text = escape_text(str(value))
        return f'<c r="{ref}"{_s(style)} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    def write_frame(self, first_row: int, frame: pl.DataFrame, styles: dict[int, int] | None = None) -> None:
        """A Polars frame's rows from ``first_row`` on, built as sheet XML in Polars (no Python per cell).
        String columns become text cells, numeric columns number cells, dates and datetimes dated number
        cells; nulls stay empty. ``styles`` maps a column index to a format (else the column's format)."""
        import polars as pl

        out = self._stream(first_row)
        if frame.width > MAX_COLS or first_row + frame.height > MAX_ROWS:
            raise ValueError("more rows or columns than Excel allows")
        styles = styles or {}
        texts = [n for n, t in frame.schema.items() if t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum)]
        # One pass over the text columns says which escaping steps any value needs, so the common case (names,
        # codes, no control characters) skips the regular expressions.
        needs = frame.select(
            *[pl.col(n).cast(pl.String).str.contains_any(_ILLEGAL_CHARS).any().alias(f"illegal{i}")
              for i, n in enumerate(texts)],
            *[pl.col(n).cast(pl.String).str.contains("_x", literal=True).any().alias(f"look{i}")
              for i, n in enumerate(texts)],
            *[pl.col(n).cast(pl.String).str.contains_any(_ESCAPED).any().alias(f"esc{i}")
              for i, n in enumerate(texts)],
            *[(pl.col(n).cast(pl.String).str.len_chars().max() > MAX_TEXT).alias(f"long{i}")
              for i, n in enumerate(texts)],
        ).row(0, named=True) if texts and frame.height else {}  # fmt: skip
        nulls = frame.null_count().row(0, named=True)
        specs: list[tuple[str, str, pl.Expr, str, bool]] = []  # before row number, before value, value, after, nulls
        for c, (name, dtype) in enumerate(frame.schema.items()):
            explicit = styles.get(c)
            style = explicit if explicit is not None else self._cols.get(c, (0, None))[1]
            col, kind, nullable = pl.col(name), "n", bool(nulls[name])
            if name in texts:
                i = texts.index(name)
                value = col.cast(pl.String)
                if needs.get(f"illegal{i}"):
                    value = value.str.replace_all(_ILLEGAL, "")
                if needs.get(f"long{i}"):
                    value = value.str.slice(0, MAX_TEXT)
                if needs.get(f"look{i}"):
                    value = value.str.replace_all(_LOOKALIKE, "_x005F_$1")
                if needs.get(f"esc{i}"):
                    value = value.str.replace_many(_ESCAPED, _ESCAPES)
                kind = "s"
            elif dtype == pl.Boolean:
                value, kind = col.cast(pl.Int8).cast(pl.String), "b"
            elif dtype == pl.Date:
                value = (col.cast(pl.Int64) + _UNIX_EPOCH_SERIAL).cast(pl.String)
                style = self.book.date_style if explicit is None else explicit
            elif isinstance(dtype, pl.Datetime):
                value = (col.dt.epoch("ms") / 86_400_000 + _UNIX_EPOCH_SERIAL).cast(pl.String)
                style = self.book.datetime_style if explicit is None else explicit
            elif dtype.is_integer():
                value = col.cast(pl.String)
            elif dtype.is_numeric():
                as_float = col.cast(pl.Float64)
                value, nullable = pl.when(as_float.is_finite()).then(as_float.cast(pl.String)), True
            else:  # anything else is shown as its text
                value, kind = col.cast(pl.String).str.replace_all(_ILLEGAL, "").str.slice(0, MAX_TEXT), "s"
                value, nullable = value.str.replace_many(_ESCAPED, _ESCAPES), True
            tail = {"s": f'"{_s(style)} t="inlineStr"><is><t xml:space="preserve">', "b": f'"{_s(style)} t="b"><v>',
                    "n": f'"{_s(style)}><v>'}[kind]  # fmt: skip
            close = "</t></is></c>" if kind == "s" else "</v></c>"
            specs.append((f'<c r="{col_letter(c)}', tail, value, close, nullable))
        for start in range(0, frame.height, FRAME_CHUNK_ROWS):
            n = (pl.int_range(0, pl.len(), dtype=pl.Int64) + (first_row + start + 1)).cast(pl.String)
            parts: list[pl.Expr] = [pl.lit('<row r="'), n, pl.lit('">')]
            for head, tail, value, close, nullable in specs:
                cell = [pl.lit(head), n, pl.lit(tail), value, pl.lit(close)]
                # a column with nulls is one expression per cell (a null cell is left out); others are flat
                parts += [pl.concat_str(cell).fill_null("")] if nullable else cell
            parts.append(pl.lit("</row>"))
            xml = frame.slice(start, FRAME_CHUNK_ROWS).select(pl.concat_str(parts).alias("x"))
            out.write(xml.get_column("x").str.join("").item().encode())
        self._next_row = max(self._next_row, first_row + frame.height)

    # -- plumbing --

    def _stream(self, first_row: int) -> tempfile.SpooledTemporaryFile[bytes]:
        if self._done:
            raise RuntimeError("this sheet is finished (a later sheet was added)")
        if first_row < self._next_row:
            raise ValueError("rows must be written in increasing order")
        if self._out is None:
            self._out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by copy_to)
            self._out.write(self._sheet_head().encode())
        return self._out

    def _sheet_head(self) -> str:
        view = '<sheetView workbookViewId="0"'
        if self._freeze and any(self._freeze):
            top, left = self._freeze
            pane = "<pane"
            pane += f' xSplit="{left}"' if left else ""
            pane += f' ySplit="{top}"' if top else ""
            active = "bottomRight" if top and left else ("bottomLeft" if top else "topRight")
            pane += f' topLeftCell="{col_letter(left)}{top + 1}" activePane="{active}" state="frozen"/>'
            view += f'>{pane}<selection pane="{active}"/></sheetView>'
        else:
            view += "/>"
        cols = ""
        if self._cols:
            items = []
            for c in sorted(self._cols):
                width, style = self._cols[c]
                attrs = f' width="{width}" customWidth="1"' if width is not None else ' width="8.43"'
                attrs += f' style="{style}"' if style else ""
                items.append(f'<col min="{c + 1}" max="{c + 1}"{attrs}/>')
            cols = f"<cols>{''.join(items)}</cols>"
        return (_HEAD + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheetViews>{view}</sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>')  # fmt: skip

    def finish(self) -> None:
        """No more rows: close the sheet's XML."""
        if self._done:
            return
        if self._out is None:
            self._stream(self._next_row)
        assert self._out is not None
        self._out.write(b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                        b'footer="0.3"/></worksheet>')  # fmt: skip
        self._done = True

    def copy_to(self, target: IO[bytes]) -> None:
        """Copy the finished sheet's XML into ``target`` and release it."""
        assert self._out is not None and self._done
        self._out.seek(0)
        shutil.copyfileobj(self._out, target, 1024 * 1024)
        self._out.close()


def _s(style: int | None) -> str:
    return f' s="{style}"' if style else ""


# --- CSV -----------------------------------------------------------------------------------------------------

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_text(value: str) -> str:
    """A text field as CSV may carry it: prefixed with ``'`` when it begins with ``= + - @``, TAB or CR (OWASP
    CSV injection guidance), so a spreadsheet shows it as text instead of evaluating it."""
    return "'" + value if value.startswith(_CSV_TRIGGERS) else value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file (UTF-8 with BOM so Excel reads the encoding, comma separated, CRLF lines): text guarded by
    :func:`csv_safe_text`, numbers as numbers, dates ISO, ``None`` empty."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe_text(str(h)) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date)
                         else csv_safe_text(v) if isinstance(v, str) else v for v in row])  # fmt: skip
    return buf.getvalue().encode()


def csv_frame(frame: pl.DataFrame) -> bytes:
    """A Polars frame as CSV in one vectorised pass, with the same guard as :func:`csv_bytes` on every
    string column (and the header)."""
    import polars as pl

    pattern = r"^[=+\-@\t\r]"
    guarded = frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    ).rename({name: csv_safe_text(name) for name in frame.columns})  # fmt: skip
    return b"\xef\xbb\xbf" + guarded.write_csv(line_terminator="\r\n", date_format="%Y-%m-%d").encode()
