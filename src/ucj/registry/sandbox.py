"""Reading an untrusted roster within hard bounds (pure: no Django).

:func:`read_roster_bounded` first refuses what :func:`ucj.registry.reader.precheck` can tell is too big or
unsafe without parsing (upload size, an xlsx's real uncompressed size and row count, XML entities). What
passes and is small (work size up to ``ReadLimits.inprocess_bytes``, the common village roster) is parsed
in-process: its memory is bounded by that size, and start-up stays fast. Anything larger is parsed by a
child process (``python -m ucj.registry.sandbox``) that sets its own address-space (``RLIMIT_AS``) and CPU
limits before it imports a parser, and is killed after ``timeout_seconds``; it hands the cells back as an
Arrow IPC stream with a JSON header (no pickle: the parent never runs anything the child wrote).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import struct
import subprocess
import sys

from ucj.registry.reader import DEFAULT_LIMITS, RawRoster, ReadLimits, precheck, read_roster

_HEADER = struct.Struct("<Q")
_EXIT_MEMORY = 3


def read_roster_bounded(data: bytes, filename: str = "", limits: ReadLimits = DEFAULT_LIMITS) -> RawRoster:
    """Read a roster like :func:`ucj.registry.reader.read_roster`, refusing with a ``RosterFileError`` whatever
    would exceed ``limits`` (``FILE_TOO_LARGE…``, ``FILE_TOO_MANY_ROWS``, ``FILE_UNSAFE``, ``FILE_PARSE_LIMIT``)."""
    work = precheck(data, filename, limits)
    if work <= limits.inprocess_bytes:
        return read_roster(data, filename, limits)
    return read_in_child(data, filename, limits)


def read_in_child(data: bytes, filename: str, limits: ReadLimits) -> RawRoster:
    """Parse ``data`` in a child process under ``limits.memory_bytes`` and ``limits.timeout_seconds``."""
    from ucj.registry.issues import RosterFileError

    cmd = [sys.executable, "-m", "ucj.registry.sandbox", json.dumps(dataclasses.asdict(limits)), filename]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=limits.timeout_seconds, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise RosterFileError("FILE_PARSE_LIMIT", f"> {limits.timeout_seconds:.0f} s") from exc
    if proc.returncode != 0 or len(proc.stdout) < _HEADER.size:
        # Out of memory shows as MemoryError (exit 3) or as a crash of the parser's allocator; either way the
        # limit was hit. (The child's stderr may quote cell values: it is dropped, never logged.)
        raise RosterFileError("FILE_PARSE_LIMIT", f"> {limits.memory_bytes // (1024 * 1024):,} MB")
    (size,) = _HEADER.unpack_from(proc.stdout)
    meta = json.loads(proc.stdout[_HEADER.size : _HEADER.size + size])
    if "error" in meta:
        raise RosterFileError(meta["error"], meta.get("value", ""))
    return _decode(meta, proc.stdout[_HEADER.size + size :])


def _encode(raw: RawRoster) -> bytes:
    meta = {
        "columns": dataclasses.asdict(raw.columns),
        "header_row": raw.header_row,
        "kind": raw.kind,
        "sheet": raw.sheet,
        "notes": [dataclasses.asdict(n) for n in raw.notes],
    }
    head = json.dumps(meta).encode()
    buf = io.BytesIO()
    raw.frame.write_ipc_stream(buf)
    return _HEADER.pack(len(head)) + head + buf.getvalue()


def _decode(meta: dict[str, object], ipc: bytes) -> RawRoster:
    import polars as pl

    from ucj.registry.columns import ColumnMap
    from ucj.registry.issues import Finding

    columns = ColumnMap(**meta["columns"])  # type: ignore[arg-type]
    notes = [Finding(**n) for n in meta["notes"]]  # type: ignore[attr-defined]
    frame = pl.read_ipc_stream(io.BytesIO(ipc))
    return RawRoster(frame=frame, columns=columns, header_row=int(meta["header_row"]),  # type: ignore[call-overload]
                     kind=str(meta["kind"]), sheet=meta["sheet"], notes=notes)  # type: ignore[arg-type]  # fmt: skip


def _child_main(argv: list[str]) -> int:
    import resource

    limits = ReadLimits(**json.loads(argv[1]))
    filename = argv[2] if len(argv) > 2 else ""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.timeout_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    from ucj.registry.issues import RosterFileError

    data = sys.stdin.buffer.read()
    try:
        out = _encode(read_roster(data, filename, limits))
    except RosterFileError as err:
        head = json.dumps({"error": err.finding.code, "value": err.finding.value}).encode()
        out = _HEADER.pack(len(head)) + head
    except MemoryError:
        return _EXIT_MEMORY
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv))
