"""Reading an untrusted roster within hard bounds (pure: no Django).

:func:`read_roster_bounded` first refuses what :func:`ucj.registry.reader.precheck` can tell is too big or
unsafe without parsing (upload size, an xlsx's real uncompressed size and row count, XML entities). What
passes and is small (work size up to ``ReadLimits.inprocess_bytes``, the common village roster) is parsed
in-process: its memory is bounded by that size, and start-up stays fast. Anything larger is parsed by a
child process (``python -m ucj.registry.sandbox_child``, started by :func:`ucj.bounded.start`: memory, CPU and
output limits set before it parses, killed after ``timeout_seconds``, file and answer through in-memory files); it
hands the cells back as an Arrow IPC file after a JSON header (no pickle: the parent never runs anything the
child wrote).
"""

from __future__ import annotations

import dataclasses
import io
import json
import sys
import zipfile
from typing import IO, TYPE_CHECKING, Any

from ucj import bounded
from ucj.registry.limits import DEFAULT_LIMITS, ReadLimits

if TYPE_CHECKING:
    from ucj.registry.reader import FileFacts, RawRoster

# The reader (Polars, the spreadsheet libraries: ~0.2 s) is imported where a file is read, not with this module:
# the command line starts a large file's child (start_reading) before it imports them.


def read_roster_bounded(data: bytes, filename: str = "", limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
    """Read a roster like :func:`ucj.registry.reader.read_roster`, refusing with a ``RosterFileError`` whatever
    would exceed ``limits`` (``FILE_TOO_LARGE…``, ``FILE_TOO_MANY_ROWS``, ``FILE_UNSAFE``, ``FILE_PARSE_LIMIT``)."""
    from ucj.registry.reader import inspect_file, parse_roster

    facts = inspect_file(data, filename, limits)
    if facts.work <= limits.inprocess_bytes:
        return parse_roster(data, limits, facts)
    return read_in_child(data, filename, limits, facts)


def read_in_child(data: bytes, filename: str, limits: ReadLimits, facts: FileFacts | None = None) -> RawRoster:
    """Parse ``data`` in a child process under ``limits.memory_bytes`` and ``limits.timeout_seconds``
    (:func:`ucj.bounded.run`). With ``facts`` (``data`` passed :func:`ucj.registry.reader.inspect_file`), the child
    parses only; without, it inspects the file first."""
    with _start(data, filename, limits, facts) as child:
        return child.wait()


def start_reading(data: bytes, filename: str, limits: ReadLimits) -> bounded.Running[RawRoster] | None:
    """Start parsing ``data`` in the child now when it will be parsed there anyway (its size, or the uncompressed
    size a workbook declares, is over ``limits.inprocess_bytes``), so that the caller works meanwhile: the
    command line starts Django (0.4–0.6 s) while a large file is parsed on the other core. ``None`` otherwise.
    The child inspects the file itself, under its limits: the same refusals as :func:`read_roster_bounded`.
    Use the answer as a context (leaving it kills a child still running) and hand it to
    ``import_roster(reading=…)``."""
    if _declared_work(data) <= limits.inprocess_bytes:
        return None
    return _start(data, filename, limits, None)


def _start(data: bytes, filename: str, limits: ReadLimits, facts: FileFacts | None) -> bounded.Running[RawRoster]:
    from ucj.registry.issues import RosterFileError

    args = [json.dumps(dataclasses.asdict(limits)), filename, json.dumps(dataclasses.asdict(facts) if facts else None)]
    return bounded.start("ucj.registry.sandbox_child", args, data, memory_bytes=limits.memory_bytes,
                         timeout_seconds=limits.timeout_seconds, decode=_decode, refuse=RosterFileError,
                         data_file=True)  # fmt: skip


def _declared_work(data: bytes) -> int:
    """What a file claims to cost before anything is inflated: a zip's (an .xlsx's) declared uncompressed size,
    else its size. Only a hint for :func:`start_reading`: a workbook that declares less than it holds is
    inspected by :func:`read_roster_bounded` as any other."""
    if not data.startswith(b"PK\x03\x04"):
        return len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return len(data)


def _write(raw: RawRoster, out: IO[bytes]) -> None:
    """The JSON header, then the cells as an Arrow IPC file written straight to ``out`` (no copy in memory)."""
    meta = {
        "columns": dataclasses.asdict(raw.columns),
        "header_row": raw.header_row,
        "kind": raw.kind,
        "sheet": raw.sheet,
        "notes": [dataclasses.asdict(n) for n in raw.notes],
    }
    data = bounded.data_output()
    bounded.write_meta({**meta, "data_file": data is not None}, out)
    # Parent and child run the same Polars: its newest format keeps string views as they are (the default,
    # oldest level converts every string column: ~2.5x the write). The file format, not the stream: a million
    # rows of 13 columns are written in 0.14 s instead of 0.28 s and read back in 0.15–0.35 s instead of 0.55 s.
    import polars as pl

    raw.frame.write_ipc(data or out, compat_level=pl.CompatLevel.newest())


def _decode(meta: dict[str, Any], ipc: IO[bytes]) -> RawRoster:
    import polars as pl

    from ucj.registry.columns import ColumnMap
    from ucj.registry.issues import Finding
    from ucj.registry.reader import RawRoster

    columns = ColumnMap(**meta["columns"])
    notes = [Finding(**n) for n in meta["notes"]]
    frame = pl.read_ipc(bounded.read_path(ipc))  # the data file, or the IPC file after the header
    return RawRoster(frame=frame, columns=columns, header_row=int(meta["header_row"]), kind=str(meta["kind"]),
                     sheet=meta["sheet"], notes=notes)  # fmt: skip


def parse_in_child(argv: list[str]) -> int:
    """The child's work, under the limits :mod:`ucj.registry.sandbox_child` set before importing this module: the
    roster on stdin, the cells on stdout. ``argv`` is ``[_, LIMITS, FILENAME, FACTS]``; with FACTS (JSON, not
    ``null``) the parent inspected the same bytes, so the child only parses them."""
    from ucj.registry.issues import RosterFileError
    from ucj.registry.reader import FileFacts, inspect_file, parse_roster

    limits = ReadLimits(**json.loads(argv[1]))
    filename = argv[2] if len(argv) > 2 else ""
    known = json.loads(argv[3]) if len(argv) > 3 else None
    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        facts = FileFacts(**known) if known else inspect_file(data, filename, limits)
        raw = parse_roster(data, limits, facts)
    except RosterFileError as err:
        bounded.write_meta({"error": err.finding.code, "value": err.finding.value}, out)
    except MemoryError:
        return bounded.EXIT_MEMORY
    else:
        try:
            _write(raw, out)
        except MemoryError:
            return bounded.EXIT_MEMORY
    out.flush()
    return 0
