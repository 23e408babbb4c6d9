"""Reading a roster file into a frame of text cells (pure: bytes in, Polars out).

Handles what village and market rosters look like in practice: ``.xlsx``/``.xls`` or ``.csv`` with any
delimiter, UTF-8 or Windows-1252, title rows above the header, merged cells, blank and trailing rows,
NIKs that Excel stored as numbers. Every cell stays text here; the validator decides what it means.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import polars as pl
import python_calamine as calamine
from charset_normalizer import from_bytes

from ucj.registry.columns import ColumnMap, header_score, map_columns
from ucj.registry.issues import RosterFileError

HEADER_SCAN_ROWS = 30
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_DELIMITERS = [",", ";", "\t", "|"]


@dataclass
class RawRoster:
    """The cells of one roster: ``c0…cN`` hold the original columns as text, ``_row`` the row number the
    user sees in the spreadsheet, ``_nik_numeric`` whether the NIK cell was stored as a number."""

    frame: pl.DataFrame
    columns: ColumnMap
    header_row: int
    kind: str
    sheet: str | None = None

    def field(self, name: str) -> pl.Expr:
        """The text of a canonical field, or a null column when the file has no such column."""
        if name in self.columns.used:
            return pl.col(f"c{self.columns.used[name]}")
        return pl.lit(None, dtype=pl.String)


def read_roster(data: bytes, filename: str = "") -> RawRoster:
    """Read a roster file; raises :class:`RosterFileError` for a file that cannot be a roster."""
    if not data or not data.strip():
        raise RosterFileError("FILE_EMPTY")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data[:1_000_000] or _ENCRYPTED_MARK in data:
            raise RosterFileError("FILE_PASSWORD")
        return _read_workbook(data, "xls")
    if data.startswith(_ZIP_MAGIC):
        return _read_workbook(data, "xlsx")
    if _looks_binary(data):
        raise RosterFileError("FILE_NOT_SPREADSHEET", _describe(filename))
    return _read_csv(data)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))


def _describe(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else "tanpa ekstensi/no extension"


# --- CSV -----------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) when valid, else the best guess, falling back to Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best and best.encoding not in {"ascii", "utf_8"} else "cp1252"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that gives a header row naming the NIK and another known column, then the one that splits
    the most lines into the same, largest number of fields (commas inside cells of a ';' file, such as
    "Palembang, 13-12-1980", must not win over a ragged ';' row)."""
    best, best_score = ",", (False, 0, 0)
    for delim in _DELIMITERS:
        records = list(csv.reader(lines, delimiter=delim))
        counts = [len(row) for row in records if any(c.strip() for c in row)]
        if not counts:
            continue
        widest = max(counts)
        scores = [header_score(list(row)) for row in records[:HEADER_SCAN_ROWS]]
        header = any(nik and known >= 2 for nik, known in scores)
        score = (header, sum(1 for c in counts if c == widest) if widest > 1 else 0, widest)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(data: bytes) -> RawRoster:
    text = decode_text(data)
    head = text.splitlines()[: HEADER_SCAN_ROWS + 5]
    delim = _sniff_delimiter(head)
    records = list(csv.reader(head, delimiter=delim))
    header_idx = _find_header(records)
    headers = records[header_idx]
    cmap = map_columns(headers)
    width = max(len(headers), 1)
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator=delim,
        has_header=False,
        skip_rows=header_idx + 1,
        schema={f"c{i}": pl.String for i in range(width)},
        truncate_ragged_lines=True,
        missing_columns="insert",  # the first data row may be shorter or longer than the header row
        extra_columns="ignore",
        quote_char='"',
    )
    frame = frame.with_row_index("_row", offset=header_idx + 2).with_columns(
        pl.col("_row").cast(pl.Int64), pl.lit(False).alias("_nik_numeric")
    )
    return _finish(RawRoster(frame=frame, columns=cmap, header_row=header_idx + 1, kind="csv"))


def _find_header(records: list[list[str]]) -> int:
    for i, cells in enumerate(records[:HEADER_SCAN_ROWS]):
        has_nik, score = header_score(list(cells))
        if has_nik and score >= 2:
            return i
    for i, cells in enumerate(records[:HEADER_SCAN_ROWS]):
        if header_score(list(cells))[0]:
            return i
    seen = next((r for r in records if any(str(c).strip() for c in r)), [])
    raise RosterFileError("FILE_NO_NIK_COLUMN", ", ".join(str(c).strip() for c in seen if str(c).strip())[:300])


# --- Excel ---------------------------------------------------------------------------------------


def _read_workbook(data: bytes, kind: str) -> RawRoster:
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for damaged/unsupported files
        if kind == "xlsx" and b"[Content_Types].xml" not in data[:200_000]:
            raise RosterFileError("FILE_NOT_SPREADSHEET", "zip") from exc
        raise RosterFileError("FILE_UNREADABLE", type(exc).__name__) from exc
    first_error: RosterFileError | None = None
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        try:
            header_idx = _find_header([[_cell_text(c) or "" for c in r] for r in rows[:HEADER_SCAN_ROWS]])
        except RosterFileError as err:
            first_error = first_error or err
            continue
        return _sheet_roster(rows, header_idx, sheet.merged_cell_ranges or [], kind, name)
    raise first_error or RosterFileError("FILE_NO_ROWS")


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


Cells = list[list[Any]]
Merged = list[tuple[tuple[int, int], tuple[int, int]]]


def _sheet_roster(rows: Cells, header_idx: int, merged: Merged, kind: str, sheet: str) -> RawRoster:
    headers = [_cell_text(c) or "" for c in rows[header_idx]]
    width = max(len(headers), 1)
    body = rows[header_idx + 1 :]
    _fill_merged(body, merged, header_idx + 1)
    cmap = map_columns(headers)
    nik_col = cmap.used.get("nik")
    columns = {f"c{i}": _column_text(body, i) for i in range(width)}
    numeric = [isinstance(r[nik_col], (int, float)) if nik_col is not None and nik_col < len(r) else False
               for r in body]  # fmt: skip
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    frame = frame.with_columns(
        pl.int_range(header_idx + 2, header_idx + 2 + len(body), dtype=pl.Int64).alias("_row"),
        pl.Series("_nik_numeric", numeric, dtype=pl.Boolean),
    )
    return _finish(RawRoster(frame=frame, columns=cmap, header_row=header_idx + 1, kind=kind, sheet=sheet))


def _column_text(body: Cells, i: int) -> list[str | None]:
    """One column as text; most cells already are text, so only the others go through _cell_text."""
    if all(len(r) > i for r in body):
        return [(v or None) if v.__class__ is str else _cell_text(v) for v in (r[i] for r in body)]
    return [_cell_text(r[i]) if i < len(r) else None for r in body]


def _fill_merged(body: Cells, merged: Merged, offset: int) -> None:
    """Give every cell of a merged area the value of its top-left cell (e.g. one 'Desa' cell spanning rows)."""
    for area in merged:
        (r0, c0), (r1, c1) = area
        if r1 < offset:
            continue
        top = body[r0 - offset][c0] if r0 >= offset and r0 - offset < len(body) else None
        if top in (None, ""):
            continue
        for r in range(max(r0, offset), r1 + 1):
            row = body[r - offset] if r - offset < len(body) else None
            if row is None:
                break
            for c in range(c0, c1 + 1):
                if c < len(row) and (r, c) != (r0, c0):
                    row[c] = top


def _finish(raw: RawRoster) -> RawRoster:
    """Trim cells and drop rows that are entirely blank (they are not rows a user meant)."""
    cells = [c for c in raw.frame.columns if c.startswith("c")]
    frame = raw.frame.with_columns([pl.col(c).str.strip_chars().replace("", None) for c in cells]).filter(
        pl.any_horizontal([pl.col(c).is_not_null() for c in cells])
    )
    if frame.height == 0:
        raise RosterFileError("FILE_NO_ROWS")
    raw.frame = frame
    return raw
