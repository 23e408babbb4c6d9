"""Reading a roster file into a frame of text cells (pure: bytes in, Polars out).

Handles what village and market rosters look like in practice: ``.xlsx``/``.xls`` or ``.csv`` with any
delimiter, UTF-8 or Windows-1252 (or both mixed, line by line), title rows above the header, merged cells,
blank and trailing rows, NIKs that Excel stored as numbers. Every cell stays text here; the validator decides
what it means.

Hostile files are bounded before anything is parsed (:func:`precheck`): the upload size, an xlsx's real
uncompressed size (measured by inflating each part, not trusted from the zip directory), its row count, and
XML entity declarations (billion laughs) — see :class:`ReadLimits` and docs/architecture.md, "Limits".
Cells holding a NUL byte or more than ``max_cell_chars`` characters are cleaned here and flagged per row
(``_cell_problem``), so such values never reach the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import python_calamine as calamine

from ucj.registry.columns import ColumnMap, fold_header, header_score, map_columns
from ucj.registry.issues import Finding, RosterFileError
from ucj.registry.limits import DEFAULT_LIMITS, ReadLimits

HEADER_SCAN_ROWS = 30
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_DELIMITERS = [",", ";", "\t", "|"]
_MB = 1024 * 1024
#: Headers of the columns the rejected-rows workbook adds (see ucj.registry.exports): where a row came from.
ORIGIN_BATCH_HEADER = "UCJ batch"
ORIGIN_ROW_HEADER = "UCJ baris"
# A valid UTF-8 multi-byte sequence: when a file that is not valid UTF-8 as a whole holds some, it mixes
# encodings (e.g. rows pasted from a UTF-8 export into a Windows-1252 file).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass
class RawRoster:
    """The cells of one roster: ``c0…cN`` hold the original columns as text, ``_row`` the row number the
    user sees in the spreadsheet, ``_nik_numeric`` whether the NIK cell was stored as a number."""

    frame: pl.DataFrame
    columns: ColumnMap
    header_row: int
    kind: str
    sheet: str | None = None
    #: File-level warnings (row 0), e.g. mixed encodings.
    notes: list[Finding] = field(default_factory=list)

    def origin_column(self, header: str) -> str | None:
        """The frame column of an origin column the rejected-rows workbook added (``UCJ batch``/``UCJ baris``),
        or None. Such columns are ignored as data (no canonical field maps them)."""
        wanted = fold_header(header)
        for i, h in enumerate(self.columns.headers):
            if fold_header(h) == wanted and f"c{i}" in self.frame.columns:
                return f"c{i}"
        return None

    def field(self, name: str) -> pl.Expr:
        """The text of a canonical field, or a null column when the file has no such column."""
        if name in self.columns.used:
            return pl.col(f"c{self.columns.used[name]}")
        return pl.lit(None, dtype=pl.String)


@dataclass(frozen=True)
class FileFacts:
    """What :func:`inspect_file` learned without parsing: the work size in bytes (an xlsx's real uncompressed
    size, else the file size) and whether an xlsx declares merged cells (the Arrow reader cannot see them). Both
    flags stay True for a workbook whose worksheets the precheck could not look at (an .xls, an .ods, an .xlsb)."""

    work: int
    merged_cells: bool = True
    #: Some worksheet value (``<v>``) is not an integer of at most 7 digits (a fraction, an exponent, a long
    #: number, ``-0``, a formula's text): the Arrow reader then asks for the cell types it needs.
    odd_values: bool = True


def read_roster(data: bytes, filename: str = "", limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
    """Read a roster file; raises :class:`RosterFileError` for a file that cannot be a roster. Runs
    :func:`precheck` first, so a file beyond ``limits`` is refused before it is parsed."""
    return parse_roster(data, limits, inspect_file(data, filename, limits))


def parse_roster(data: bytes, limits: ReadLimits = DEFAULT_LIMITS, facts: FileFacts | None = None) -> RawRoster:
    """:func:`read_roster` after :func:`inspect_file` has passed the same bytes (the bounded reader and its child
    call this with its ``facts``, so an xlsx is inflated once, not twice)."""
    if data.startswith(_OLE_MAGIC):
        return _finish(_read_workbook(data, "xls", limits), limits)
    if data.startswith(_ZIP_MAGIC):
        raw = None
        if facts is not None and not facts.merged_cells:
            from ucj.registry.xlsx_arrow import read_xlsx

            raw = read_xlsx(data, limits, odd_values=facts.odd_values)
        return _finish(raw or _read_workbook(data, "xlsx", limits), limits)
    return _finish(_read_csv(data, limits), limits)


def precheck(data: bytes, filename: str, limits: ReadLimits = DEFAULT_LIMITS) -> int:
    """Refuse a file that is empty, not a spreadsheet, or beyond ``limits`` without parsing it; returns its
    work size in bytes (an xlsx's real uncompressed size, else the file size)."""
    return inspect_file(data, filename, limits).work


def inspect_file(data: bytes, filename: str, limits: ReadLimits = DEFAULT_LIMITS) -> FileFacts:
    """:func:`precheck`, returning what it learned (:class:`FileFacts`)."""
    if len(data) > limits.max_bytes:
        raise RosterFileError("FILE_TOO_LARGE", f"{len(data) / _MB:.1f} MB > {limits.max_bytes / _MB:.0f} MB")
    if not data or not data.strip():
        raise RosterFileError("FILE_EMPTY")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data:
            raise RosterFileError("FILE_PASSWORD")
        return FileFacts(len(data))
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_precheck(data, limits)
    if _looks_binary(data):
        raise RosterFileError("FILE_NOT_SPREADSHEET", _describe(filename))
    lines = data.count(b"\n")
    if lines > limits.max_rows + HEADER_SCAN_ROWS:
        raise RosterFileError("FILE_TOO_MANY_ROWS", f"{lines:,} > {limits.max_rows:,}")
    return FileFacts(len(data), merged_cells=False, odd_values=False)


def _looks_binary(data: bytes) -> bool:
    """A known binary format, or many NUL bytes (UTF-16 or a binary file). A few NULs inside cells of a text
    file are not a reason to refuse the file: those rows get a finding (see :func:`_finish`)."""
    head = data[:4096]
    return head.count(b"\x00") > max(8, len(head) // 100) or head.startswith(
        (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
    )


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_XML_DANGER = (b"<!DOCTYPE", b"<!ENTITY")
_ROW_TAG = b"<row"
#: In ``<mergeCells>``/``<mergeCell>``. As text in a cell it only sends the file to the cell-by-cell reader.
_MERGE_TAG = b"mergeCell"
_CHUNK = 1 << 20


def _xlsx_precheck(data: bytes, limits: ReadLimits) -> FileFacts:
    """Inflate every part of the zip, counting real output bytes (a zip directory can lie about sizes),
    stopping as soon as the total passes ``max_uncompressed``. XML parts must declare no DTD or entities
    (Excel never writes them; they are how a billion-laughs file expands), and no sheet may hold more rows
    than ``max_rows``. Zips that are not workbooks are left to the reader, which refuses them clearly."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return FileFacts(len(data))
    if len(infos) > 10_000:
        raise RosterFileError("FILE_UNSAFE", f"{len(infos):,} parts")
    if sum(i.file_size for i in infos) > limits.max_uncompressed:  # an honest bomb: refused without inflating
        raise RosterFileError("FILE_TOO_LARGE_UNCOMPRESSED", f"> {limits.max_uncompressed / _MB:.0f} MB")
    total = 0
    merged = odd = False
    # Merged cells and values are looked for in an .xlsx's XML worksheets only: a zip whose sheets are not there
    # (an .ods, an .xlsb's binary sheets; calamine reads both) promises nothing and is read cell by cell.
    sheets = [i.filename for i in infos if i.filename.startswith("xl/worksheets/") and not i.is_dir()]
    unseen = not sheets or not all(name.endswith((".xml", ".rels")) for name in sheets)
    for info in infos:
        budget = limits.max_uncompressed - total
        sheet = info.filename.startswith("xl/worksheets/")
        size, rows, danger, merges, odd_here = _inflate_part(data, info, budget, values=sheet and not odd)
        total += size
        merged, odd = merged or merges, odd or odd_here
        if total > limits.max_uncompressed:
            raise RosterFileError("FILE_TOO_LARGE_UNCOMPRESSED", f"> {limits.max_uncompressed / _MB:.0f} MB")
        if danger:
            raise RosterFileError("FILE_UNSAFE", "DTD/ENTITY")
        if rows > limits.max_rows + HEADER_SCAN_ROWS:
            raise RosterFileError("FILE_TOO_MANY_ROWS", f"{rows:,} > {limits.max_rows:,}")
    return FileFacts(total, merged or unseen, odd or unseen)


#: A worksheet value that is not an integer of at most 7 digits (never a false "no": a value cut at the end of a
#: window is looked at again in the next one). The pattern starts with a literal, which ``re`` searches fast;
#: namespace-prefixed value elements (``<x:v>``, :data:`_PREFIXED_VALUE`) count as odd.
_ODD_VALUE = re.compile(rb"<v(?!>(?:-?[1-9][0-9]{0,6}|0)</v>)")
_PREFIXED_VALUE = re.compile(rb":v[ >]")
_ODD_VALUE_SPAN = len(b"<v>-1234567</v>")
_SHEET_DATA = b"<sheetData"


def _inflate_part(
    data: bytes, info: zipfile.ZipInfo, budget: int, values: bool = False
) -> tuple[int, int, bool, bool, bool]:
    """(real uncompressed size up to just past ``budget``, ``<row`` tags seen, DTD/entity seen, merged cells
    declared, odd) of one part. With ``values`` odd is an odd value seen (:data:`_ODD_VALUE`); without, sheet
    data seen (a worksheet where workbooks do not keep them: its values were not looked at)."""
    try:
        header = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    except struct.error as exc:
        raise RosterFileError("FILE_UNREADABLE", "zip") from exc
    start = info.header_offset + _LOCAL_HEADER.size + header[10] + header[11]
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        stored = raw.tobytes()
        odd = _odd_value(stored) if values else _SHEET_DATA in stored
        return len(stored), stored.count(_ROW_TAG), any(d in stored for d in _XML_DANGER), _MERGE_TAG in stored, odd
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise RosterFileError("FILE_UNSAFE", f"zip method {info.compress_type}")
    inflater = zlib.decompressobj(-15)
    size = rows = 0
    merged = odd = False
    tail = vtail = b""
    pending: bytes | memoryview = raw
    while pending and size <= budget:
        try:
            chunk = inflater.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise RosterFileError("FILE_UNREADABLE", "zip") from exc
        pending = inflater.unconsumed_tail
        size += len(chunk)
        window = tail + chunk
        rows += window.count(_ROW_TAG)
        if any(d in window for d in _XML_DANGER):
            return size, rows, True, merged, odd
        merged = merged or _MERGE_TAG in window
        if not values:
            odd = odd or _SHEET_DATA in window
        elif not odd:
            seen = vtail + chunk
            last = not pending and inflater.eof
            found = _ODD_VALUE.search(seen)
            # a match in the last few bytes may be a value cut by the window: it is looked at again next time
            cut = found is not None and not last and found.start() >= len(seen) - _ODD_VALUE_SPAN
            odd = (found is not None and not cut) or _PREFIXED_VALUE.search(seen) is not None
            vtail = seen[-_ODD_VALUE_SPAN:]
        tail = chunk[-(len(b"<!DOCTYPE") - 1) :] if chunk else tail
        if not chunk and not pending:
            break
    if values and not odd and vtail and not inflater.eof:  # a part cut short (budget, damaged): what is left
        odd = _odd_value(vtail)
    return size, rows, False, merged, odd


def _odd_value(xml: bytes) -> bool:
    return _ODD_VALUE.search(xml) is not None or _PREFIXED_VALUE.search(xml) is not None


def _describe(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else "tanpa ekstensi/no extension"


# --- CSV -----------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) when valid, else the best guess, falling back to Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for files that are not UTF-8 (~10–40 ms to import)

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


def decode_roster_text(data: bytes) -> tuple[str, int]:
    """Like :func:`decode_text`, but a file mixing UTF-8 and a legacy encoding is decoded line by line, each
    line with its own encoding; returns the text and the number of legacy lines in a mixed file (0 if not)."""
    try:
        return data.decode("utf-8-sig"), 0
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _decode_legacy(data: bytes) -> tuple[str, int]:
    """:func:`decode_roster_text` of bytes that are not valid UTF-8."""
    if not _UTF8_MULTIBYTE.search(data):
        return decode_text(data), 0
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    legacy = {i for i, line in enumerate(lines) if not _is_utf8(line)}
    encoding = _legacy_encoding(b"\n".join(lines[i] for i in sorted(legacy)[:2000]))
    out = [line.decode(encoding, errors="replace") if i in legacy else line.decode("utf-8")
           for i, line in enumerate(lines)]  # fmt: skip
    utf8_multibyte = any(not line.isascii() for i, line in enumerate(lines) if i not in legacy)
    return "\n".join(out), len(legacy) if utf8_multibyte else 0


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy_encoding(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:200_000]).best()
    encoding = best.encoding if best and best.encoding not in {"ascii", "utf_8"} else "cp1252"
    try:
        sample.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return "cp1252"
    return encoding


#: Header scan lines are cut to this length: they only need the header row, and Python's csv module refuses
#: fields over 128 KB (a 5 MB cell in a title row would otherwise end the import with a traceback).
_HEAD_LINE_CHARS = 60_000


def _read_csv(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
    try:  # valid UTF-8 (the common case): Polars parses the bytes as they are, no decode + re-encode copy
        text, mixed = data.decode("utf-8-sig"), 0
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    except UnicodeDecodeError:
        text, mixed = _decode_legacy(data)
        body = text.encode("utf-8")
    head = [line[:_HEAD_LINE_CHARS] for line in _first_lines(text, HEADER_SCAN_ROWS + 5)]
    delim = _sniff_delimiter(head)
    records = list(csv.reader(head, delimiter=delim))
    header_idx = _find_header(records)
    headers = records[header_idx]
    if len(headers) > limits.max_columns:
        raise RosterFileError("FILE_TOO_MANY_COLUMNS", f"{len(headers):,} > {limits.max_columns:,}")
    cmap = map_columns(headers)
    width = max(len(headers), 1)
    del text
    frame = pl.read_csv(
        body,
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
    notes = [Finding(row=0, column="", code="ENCODING_MIXED", value=f"{mixed:,}")] if mixed else []
    return RawRoster(frame=frame, columns=cmap, header_row=header_idx + 1, kind="csv", notes=notes)


def _first_lines(text: str, count: int) -> list[str]:
    """``text.splitlines()[:count]`` without splitting the whole file (a million lines) for the header scan. A
    line cut at the end of the prefix is never among the first ``count`` when the prefix holds more lines."""
    size = 1 << 20
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > count:
            return lines[:count]
        size *= 8
    return text.splitlines()[:count]


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


def _read_workbook(data: bytes, kind: str, limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
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
            header_idx = _find_header([[cell_text(c) or "" for c in r] for r in rows[:HEADER_SCAN_ROWS]])
        except RosterFileError as err:
            first_error = first_error or err
            continue
        if len(rows[header_idx]) > limits.max_columns:
            raise RosterFileError("FILE_TOO_MANY_COLUMNS", f"{len(rows[header_idx]):,} > {limits.max_columns:,}")
        return _sheet_roster(rows, header_idx, sheet.merged_cell_ranges or [], kind, name)
    raise first_error or RosterFileError("FILE_NO_ROWS")


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a person typed (None when blank): whole floats without ".0", dates as ISO
    text, booleans as 1/0. Shared by every reader of uploaded workbooks (rosters, the BPJS feed, commitments)."""
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
    headers = [cell_text(c) or "" for c in rows[header_idx]]
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
    return RawRoster(frame=frame, columns=cmap, header_row=header_idx + 1, kind=kind, sheet=sheet)


def _column_text(body: Cells, i: int) -> list[str | None]:
    """One column as text; most cells already are text, so only the others go through cell_text."""
    if all(len(r) > i for r in body):
        return [(v or None) if v.__class__ is str else cell_text(v) for v in (r[i] for r in body)]
    return [cell_text(r[i]) if i < len(r) else None for r in body]


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


def _finish(raw: RawRoster, limits: ReadLimits = DEFAULT_LIMITS, *, fast_path: bool = True) -> RawRoster:
    """Trim cells and drop rows that are entirely blank (they are not rows a user meant). A cell holding a NUL
    byte (which PostgreSQL refuses in text) or more than ``max_cell_chars`` characters is cleaned (NUL removed,
    text cut) and its row flagged in ``_cell_problem`` as ``CODE\theader\textra`` (the validator rejects it).

    ``fast_path=False`` does the NUL and length work on every column and reads the footer patterns on every row
    — the same result, slower (tests compare the two)."""
    cells = [c for c in raw.frame.columns if c.startswith("c")]
    headers = raw.columns.headers
    # One look at each column first: the NUL and length work is only needed where some cell can have either
    # (a cell of at most max_cell_chars bytes has at most as many characters: the cheap byte count decides).
    facts = raw.frame.select(
        [pl.col(c).str.contains("\x00", literal=True).any().alias(f"nul{i}") for i, c in enumerate(cells)]
        + [pl.col(c).str.len_bytes().max().alias(f"len{i}") for i, c in enumerate(cells)]
    ).row(0, named=True)
    problems, cleaned = [], []
    for i, c in enumerate(cells):
        header = headers[i] if i < len(headers) and headers[i] else f"Kolom {i + 1}"
        too_long = f"CELL_TOO_LONG\t{header}\t{limits.max_cell_chars}"
        nul = bool(facts[f"nul{i}"]) or not fast_path
        long = (facts[f"len{i}"] or 0) > limits.max_cell_chars or not fast_path
        if nul or long:  # another column's problem stays null here, as coalesce would have skipped it
            problems.append(
                pl.when(pl.col(c).str.contains("\x00", literal=True)).then(pl.lit(f"CELL_NUL\t{header}\t"))
                .when(pl.col(c).str.len_chars() > limits.max_cell_chars).then(pl.lit(too_long))
            )  # fmt: skip
        text = pl.col(c).str.replace_all("\x00", "", literal=True) if nul else pl.col(c)
        text = text.str.strip_chars()
        cleaned.append((text.str.slice(0, limits.max_cell_chars) if long else text).replace("", None))
    problem = pl.coalesce(problems) if problems else pl.lit(None, dtype=pl.String)
    frame = raw.frame.with_columns(problem.alias("_cell_problem")).with_columns(cleaned)
    frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in cells]))
    frame, footer = _drop_footer(frame, cells, raw.columns.used.get("nik"), fast_path=fast_path)
    if frame.height == 0:
        raise RosterFileError("FILE_NO_ROWS")
    if footer:
        raw.notes.append(Finding(row=footer[0], column="", code="FOOTER_ROWS_SKIPPED", value=str(len(footer)),
                                 extra=_row_ranges(footer)))  # fmt: skip
    raw.frame = frame
    return raw


# --- footer and signature rows ----------------------------------------------------------------------------
#
# Village rosters end with a totals row and a signature block under the table ("Jumlah … 25 orang",
# "Sukarami, 3 Januari 2025", "Mengetahui,", "Kepala Desa Sukarami", "( H. Ahmad )", "NIP …"). Those are not
# people: counting them as rows (and rejecting them for a missing NIK) made the outcome wrong. The rule:
#
# * a totals row: its first non-empty cell starts with "jumlah", "total" or "sub total" and its NIK cell has
#   fewer than FOOTER_NIK_DIGITS digits — anywhere in the table (subtotals per dusun too);
# * the signature block: after the last row whose NIK cell has at least FOOTER_NIK_DIGITS digits, from the first
#   row whose first non-empty cell starts with a signature word (``_SIGNATURE``) or is a place-and-date line, to
#   the end — but only when that trailing part has such a signature row at all. Rows of that part before it (a
#   person without a NIK written under the table) stay data and are rejected as before. Only the first
#   non-empty cell counts: a person's row starts with its number, NIK or name, never with "Kepala Desa" (their
#   position, "Sekretaris Desa", is further right).
#
# Nothing is silently lost: the rows left out are reported as one informational finding (FOOTER_ROWS_SKIPPED,
# with their row numbers), and they are neither counted nor rejected.

#: A NIK attempt has at least this many digits (a damaged "1.60601E+15" has 6; a footer's NIP is after the block).
FOOTER_NIK_DIGITS = 6
_TOTAL = r"^(jumlah|total|sub\s?total)\b"
_SIGNATURE = (r"^(mengetahui|diketahui|menyetujui|disetujui|kepala desa|kades\b|lurah\b|camat\b|sekretaris desa|"
              r"ttd\b|tanda tangan|nip\b|nip\.|dibuat oleh|yang membuat|an\. kepala|a\.n\.)")  # fmt: skip
_PLACE_DATE = r"^[a-z .'-]+,\s*\d{1,2}(\s+[a-z]+\s+|[-/.]\d{1,2}[-/.])\d{2,4}$"


#: A cell with at least FOOTER_NIK_DIGITS digits (``\d``, any script, as counted before: a DFA match, not a count).
_NIK_ATTEMPT = rf"\d(?:\D*\d){{{FOOTER_NIK_DIGITS - 1}}}"


def _drop_footer(
    frame: pl.DataFrame, cells: list[str], nik_index: int | None, *, fast_path: bool = True
) -> tuple[pl.DataFrame, list[int]]:
    """``frame`` without its totals rows and signature block (rule above), and the row numbers left out.

    Both parts of the rule concern rows whose NIK cell is not a NIK attempt only (the tail after the last NIK
    row has none either), so the first-cell patterns are read on those rows alone."""
    if nik_index is None or f"c{nik_index}" not in frame.columns or frame.height == 0:
        return frame, []
    nik_cell = pl.col(f"c{nik_index}")
    attempt = (
        nik_cell.str.contains(_NIK_ATTEMPT).fill_null(False)
        if fast_path
        else nik_cell.str.count_matches(r"\d").fill_null(0) >= FOOTER_NIK_DIGITS
    )
    nik = frame.select(attempt).to_series()
    with_nik = nik.arg_true()
    last_nik = int(with_nik[-1]) if with_nik.len() else -1
    first = pl.coalesce([pl.col(c) for c in cells]).str.to_lowercase()  # the row's first non-empty cell
    flags = (
        frame.select("_row", *cells)
        .with_row_index("i")
        .with_columns(nik.alias("_nik"))
        .filter(~nik if fast_path else pl.lit(True))
        .select(
            "i",
            "_nik",
            pl.col("_row"),
            first.str.contains(_TOTAL).fill_null(False).alias("total"),
            first.str.contains(_SIGNATURE).fill_null(False).alias("sign"),
            first.str.contains(_PLACE_DATE).fill_null(False).alias("dated"),
        )
    )
    tail = flags.filter(pl.col("i") > last_nik)
    start = tail.filter(pl.col("sign") | pl.col("dated"))["i"].min() if tail["sign"].any() else None
    footer = pl.col("total") & ~pl.col("_nik")
    if start is not None:
        footer = footer | (pl.col("i") >= start)
    left = flags.filter(footer)["_row"].to_list()
    if not left:
        return frame, []
    return frame.filter(~pl.col("_row").is_in(left)), [int(r) for r in left]


def _row_ranges(rows: list[int]) -> str:
    """``[15, 18, 19, 20]`` → ``"15, 18–20"``."""
    parts: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(parts)
