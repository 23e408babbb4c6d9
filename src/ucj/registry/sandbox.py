"""Reading an untrusted roster within hard bounds (pure: no Django).

:func:`read_roster_bounded` first refuses what :func:`ucj.registry.reader.precheck` can tell is too big or
unsafe without parsing (upload size, an xlsx's real uncompressed size and row count, XML entities). What
passes and is small (work size up to ``ReadLimits.inprocess_bytes``, the common village roster) is parsed
in-process: its memory is bounded by that size, and start-up stays fast. Anything larger is parsed by a
child process (``python -m ucj.registry.sandbox``) that sets its own address-space (``RLIMIT_AS``) and CPU
limits before it imports a parser, and is killed after ``timeout_seconds``; it hands the cells back as an
Arrow IPC stream with a JSON header (no pickle: the parent never runs anything the child wrote).

The file goes to the child, and the cells come back, through anonymous in-memory files (``memfd``; an unlinked
temporary file where there is none), not pipes: ``subprocess.run(input=…, capture_output=True)`` moved a
100 MB roster in and the frame out a few KB per ``select`` round, which cost more than the parse itself. The
child's output file is bounded by ``RLIMIT_FSIZE`` (the memory limit), like its memory.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
from typing import IO

from ucj.registry.reader import DEFAULT_LIMITS, FileFacts, RawRoster, ReadLimits, inspect_file, parse_roster

_HEADER = struct.Struct("<Q")
_EXIT_MEMORY = 3


def read_roster_bounded(data: bytes, filename: str = "", limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
    """Read a roster like :func:`ucj.registry.reader.read_roster`, refusing with a ``RosterFileError`` whatever
    would exceed ``limits`` (``FILE_TOO_LARGE…``, ``FILE_TOO_MANY_ROWS``, ``FILE_UNSAFE``, ``FILE_PARSE_LIMIT``)."""
    facts = inspect_file(data, filename, limits)
    if facts.work <= limits.inprocess_bytes:
        return parse_roster(data, limits, facts)
    return read_in_child(data, filename, limits, facts)


def read_in_child(data: bytes, filename: str, limits: ReadLimits, facts: FileFacts | None = None) -> RawRoster:
    """Parse ``data`` in a child process under ``limits.memory_bytes`` and ``limits.timeout_seconds``. With
    ``facts`` (``data`` passed :func:`ucj.registry.reader.inspect_file`), the child parses only; without, it
    inspects the file first."""
    from ucj.registry.issues import RosterFileError

    args = [json.dumps(dataclasses.asdict(limits)), filename, json.dumps(dataclasses.asdict(facts) if facts else None)]
    cmd = [sys.executable, "-m", "ucj.registry.sandbox", *args]
    with _memory_file("ucj-roster") as source, _memory_file("ucj-cells") as result:
        source.write(data)
        source.seek(0)
        try:
            # The child's stderr may quote cell values: it is dropped, never logged.
            proc = subprocess.run(cmd, stdin=source, stdout=result, stderr=subprocess.DEVNULL,  # noqa: S603
                                  timeout=limits.timeout_seconds, check=False)  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise RosterFileError("FILE_PARSE_LIMIT", f"> {limits.timeout_seconds:.0f} s") from exc
        size = result.seek(0, os.SEEK_END)
        result.seek(0)
        if proc.returncode != 0 or size < _HEADER.size:
            # Out of memory shows as MemoryError (exit 3), a crash of the parser's allocator or SIGXFSZ; either
            # way a limit was hit.
            raise RosterFileError("FILE_PARSE_LIMIT", f"> {limits.memory_bytes // (1024 * 1024):,} MB")
        (head,) = _HEADER.unpack(result.read(_HEADER.size))
        meta = json.loads(result.read(head))
        if "error" in meta:
            raise RosterFileError(meta["error"], meta.get("value", ""))
        return _decode(meta, result)


def _memory_file(name: str) -> IO[bytes]:
    """A read/write file that lives in memory only (the roster holds personal data: never written to disk)."""
    try:
        return open(os.memfd_create(name, os.MFD_CLOEXEC), "w+b")
    except (AttributeError, OSError):  # no memfd on this system
        return tempfile.TemporaryFile()


def _write(raw: RawRoster, out: IO[bytes]) -> None:
    """The JSON header, then the cells as an Arrow IPC stream written straight to ``out`` (no copy in memory)."""
    meta = {
        "columns": dataclasses.asdict(raw.columns),
        "header_row": raw.header_row,
        "kind": raw.kind,
        "sheet": raw.sheet,
        "notes": [dataclasses.asdict(n) for n in raw.notes],
    }
    _write_meta(meta, out)
    # Parent and child run the same Polars: its newest format keeps string views as they are (the default,
    # oldest level converts every string column: ~2.5x the write).
    import polars as pl

    raw.frame.write_ipc_stream(out, compat_level=pl.CompatLevel.newest())


def _write_meta(meta: dict[str, object], out: IO[bytes]) -> None:
    head = json.dumps(meta).encode()
    out.write(_HEADER.pack(len(head)) + head)


def _decode(meta: dict[str, object], ipc: IO[bytes]) -> RawRoster:
    import polars as pl

    from ucj.registry.columns import ColumnMap
    from ucj.registry.issues import Finding

    columns = ColumnMap(**meta["columns"])  # type: ignore[arg-type]
    notes = [Finding(**n) for n in meta["notes"]]  # type: ignore[attr-defined]
    frame = pl.read_ipc_stream(ipc)
    return RawRoster(frame=frame, columns=columns, header_row=int(meta["header_row"]),  # type: ignore[call-overload]
                     kind=str(meta["kind"]), sheet=meta["sheet"], notes=notes)  # type: ignore[arg-type]  # fmt: skip


def _child_main(argv: list[str]) -> int:
    """``python -m ucj.registry.sandbox LIMITS FILENAME FACTS``: the roster on stdin, the cells on stdout. With
    FACTS (JSON, not ``null``) the parent inspected the same bytes, so the child only parses them."""
    import resource

    limits = ReadLimits(**json.loads(argv[1]))
    filename = argv[2] if len(argv) > 2 else ""
    known = json.loads(argv[3]) if len(argv) > 3 else None
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.timeout_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.memory_bytes, limits.memory_bytes))
    from ucj.registry.issues import RosterFileError

    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        facts = FileFacts(**known) if known else inspect_file(data, filename, limits)
        raw = parse_roster(data, limits, facts)
    except RosterFileError as err:
        _write_meta({"error": err.finding.code, "value": err.finding.value}, out)
    except MemoryError:
        return _EXIT_MEMORY
    else:
        try:
            _write(raw, out)
        except MemoryError:
            return _EXIT_MEMORY
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv))
