"""Reading a commitments file as text cells within hard bounds (pure: no Django).

:func:`read_sheets` refuses first what :func:`ucj.registry.reader.precheck` can tell is too big or unsafe without
parsing (the upload size ``UCJ_MAX_UPLOAD_MB``, an xlsx's real unpacked size and row count, XML entities). A file
whose work size is at most ``UCJ_PARSE_INPROCESS_MB`` is parsed in-process; a larger one by a child process
(``python -m ucj.commitments.sheets``) that sets its own address-space, CPU and output-size limits
(``UCJ_PARSE_MEMORY_MB``) before it imports a parser, and is killed after ``UCJ_PARSE_TIMEOUT_S`` — the bounds
the roster reader puts on a large roster, through the same runner (:mod:`ucj.bounded`); the cells come back as JSON
(text only: the parent never runs anything the child wrote).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the reader (and Polars) is imported where used: the child sets its limits first
    from ucj.registry.reader import ReadLimits

#: Rows scanned for a header (title rows above it are skipped).
HEADER_SCAN_ROWS = 30
_OLE_OR_ZIP = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass
class RawSheet:
    """One sheet of a workbook (or the one table of a CSV) as text cells."""

    name: str
    records: list[list[str]]


class SheetsRefused(Exception):
    """The file cannot be read: a finding code of :mod:`ucj.commitments.filecheck` and its value."""

    def __init__(self, code: str, value: str = "") -> None:
        self.code, self.value = code, value
        super().__init__(f"{code}: {value}")


def read_sheets(data: bytes, file_name: str, limits: ReadLimits) -> list[RawSheet]:
    """Every sheet of ``data`` as text cells, parsed in-process when small, else in a bounded child. Raises the
    reader's ``RosterFileError`` (the precheck) or :class:`SheetsRefused`."""
    from ucj.registry.reader import precheck

    size = precheck(data, file_name, limits)
    if size <= limits.inprocess_bytes:
        return parse_sheets(data, file_name)
    return read_in_child(data, file_name, limits)


def parse_sheets(data: bytes, file_name: str) -> list[RawSheet]:
    """The sheets of a workbook (xlsx, xls) or the table of a CSV (delimiter and encoding detected)."""
    from ucj.registry.reader import cell_text, decode_text

    if data.startswith(_OLE_OR_ZIP):
        import python_calamine as calamine

        try:
            book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            return [RawSheet(name, [[cell_text(c) or "" for c in r]
                                    for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)])
                    for name in book.sheet_names]  # fmt: skip
        except Exception as exc:  # calamine raises several error types for damaged files
            raise SheetsRefused("FILE_UNREADABLE", type(exc).__name__) from exc
    lines = decode_text(data).splitlines()
    head = lines[:HEADER_SCAN_ROWS]
    best = max((",", ";", "\t", "|"), key=lambda d: max((len(r) for r in csv.reader(head, delimiter=d)), default=0))
    return [RawSheet(file_name, [[c.strip() for c in r] for r in csv.reader(lines, delimiter=best)])]


def read_in_child(data: bytes, file_name: str, limits: ReadLimits) -> list[RawSheet]:
    """:func:`parse_sheets` in a child process under ``limits.memory_bytes`` and ``limits.timeout_seconds``
    (:func:`ucj.bounded.run`)."""
    from ucj import bounded

    bounds = {"memory_bytes": limits.memory_bytes, "timeout_seconds": limits.timeout_seconds}
    return bounded.run("ucj.commitments.sheets", [json.dumps(bounds), file_name], data,
                       memory_bytes=limits.memory_bytes, timeout_seconds=limits.timeout_seconds,
                       decode=_decode, refuse=SheetsRefused)  # fmt: skip


def _decode(meta: dict[str, Any], result: IO[bytes]) -> list[RawSheet]:
    return [RawSheet(str(s["name"]), [[str(c) for c in r] for r in s["records"]]) for s in json.loads(result.read())]


def _child_main(argv: list[str]) -> int:
    """``python -m ucj.commitments.sheets BOUNDS FILENAME``: the file on stdin; on stdout a length-prefixed JSON
    header (``{}`` or ``{"error": code, "value": …}``) and the sheets as JSON. The limits are set before any parser
    (or Polars) is imported."""
    from ucj import bounded

    limits: dict[str, Any] = json.loads(argv[1])
    bounded.set_limits(int(limits["memory_bytes"]), float(limits["timeout_seconds"]))
    file_name = argv[2] if len(argv) > 2 else ""
    out = sys.stdout.buffer
    try:
        found = parse_sheets(sys.stdin.buffer.read(), file_name)
        body = json.dumps([dataclasses.asdict(s) for s in found]).encode()
    except SheetsRefused as err:
        bounded.write_meta({"error": err.code, "value": err.value}, out)
    except MemoryError:
        return bounded.EXIT_MEMORY
    else:
        bounded.write_meta({}, out)
        out.write(body)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv))
