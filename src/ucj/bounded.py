"""Parsing an untrusted file in a child process within hard bounds (stdlib only: the child imports this before it
sets its limits, and before any parser or Polars).

The parent hands the file to ``python -m MODULE ARGS…`` on stdin and reads the answer from its stdout; both are
anonymous in-memory files (``memfd``; an unlinked temporary file where there is none), not pipes: pipes moved a
100 MB file in and the answer out a few KB per ``select`` round, which cost more than the parse itself. The child
sets its address-space, CPU and output-size limits (:func:`set_limits`) first; the parent kills it after the
timeout. The answer starts with a length-prefixed JSON header (:func:`write_meta`); ``{"error": code, "value": …}``
there is a refusal the child found. No pickle: the parent never runs anything the child wrote.

Used by the roster reader (:mod:`ucj.registry.sandbox`) and the commitments loader (:mod:`ucj.commitments.sheets`).
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import IO, Any, TypeVar

T = TypeVar("T")
_HEADER = struct.Struct("<Q")
#: The child's exit code when it ran out of memory in Python (a MemoryError it caught).
EXIT_MEMORY = 3


def memory_file(name: str) -> IO[bytes]:
    """A read/write file that lives in memory only (the files hold personal data: never written to disk)."""
    try:
        return open(os.memfd_create(name, os.MFD_CLOEXEC), "w+b")
    except (AttributeError, OSError):  # no memfd on this system
        return tempfile.TemporaryFile()


def run(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout_seconds: float,
        decode: Callable[[dict[str, Any], IO[bytes]], T], refuse: Callable[[str, str], Exception]) -> T:  # fmt: skip
    """Run ``python -m module *args`` on ``data`` and ``decode`` its header and the rest of its answer. A refusal the
    child wrote, a timeout and a limit hit (out of memory, CPU or output size) raise ``refuse(code, value)``."""
    cmd = [sys.executable, "-m", module, *args]
    with memory_file(f"{module}-in") as source, memory_file(f"{module}-out") as result:
        source.write(data)
        source.seek(0)
        try:
            # The child's stderr may quote cell values: it is dropped, never logged.
            proc = subprocess.run(cmd, stdin=source, stdout=result, stderr=subprocess.DEVNULL,  # noqa: S603
                                  timeout=timeout_seconds, check=False)  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise refuse("FILE_PARSE_LIMIT", f"> {timeout_seconds:.0f} s") from exc
        size = result.seek(0, os.SEEK_END)
        result.seek(0)
        if proc.returncode != 0 or size < _HEADER.size:
            # Out of memory shows as MemoryError (EXIT_MEMORY), a crash of the parser's allocator or SIGXFSZ;
            # either way a limit was hit.
            raise refuse("FILE_PARSE_LIMIT", f"> {memory_bytes // (1024 * 1024):,} MB")
        (head,) = _HEADER.unpack(result.read(_HEADER.size))
        meta = json.loads(result.read(head))
        if "error" in meta:
            raise refuse(str(meta["error"]), str(meta.get("value", "")))
        return decode(meta, result)


def set_limits(memory_bytes: int, timeout_seconds: float) -> None:
    """In the child, before anything large is imported: address space and output size ``memory_bytes``, CPU time
    the timeout (the parent's wall-clock kill covers a child that sleeps)."""
    import resource

    cpu = math.ceil(timeout_seconds)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (memory_bytes, memory_bytes))


def write_meta(meta: dict[str, Any], out: IO[bytes]) -> None:
    """The answer's header (the child's side of :func:`run`)."""
    head = json.dumps(meta).encode()
    out.write(_HEADER.pack(len(head)) + head)
