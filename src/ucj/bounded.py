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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Generic, TypeVar

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


Decode = Callable[[dict[str, Any], IO[bytes]], T]
Refuse = Callable[[str, str], Exception]


def run(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout_seconds: float,
        decode: Decode[T], refuse: Refuse) -> T:  # fmt: skip
    """Run ``python -m module *args`` on ``data`` and ``decode`` its header and the rest of its answer. A refusal the
    child wrote, a timeout and a limit hit (out of memory, CPU or output size) raise ``refuse(code, value)``."""
    with start(module, args, data, memory_bytes=memory_bytes, timeout_seconds=timeout_seconds, decode=decode,
               refuse=refuse) as child:  # fmt: skip
        return child.wait()


@dataclass
class Running(Generic[T]):
    """A child started by :func:`start`, working while its parent goes on. :meth:`wait` gives its answer; leaving
    the ``with`` block kills a child still running and frees its memory files (always use it as a context)."""

    proc: subprocess.Popen[bytes]
    source: IO[bytes]
    result: IO[bytes]
    deadline: float  # time.monotonic()
    memory_bytes: int
    timeout_seconds: float
    decode: Decode[T]
    refuse: Refuse

    def __enter__(self) -> Running[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.source.close()
        self.result.close()

    def wait(self) -> T:
        """The decoded answer, once the child has finished (killed at its deadline: ``FILE_PARSE_LIMIT``)."""
        try:
            code = self.proc.wait(timeout=max(self.deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired as exc:
            self.proc.kill()
            self.proc.wait()
            raise self.refuse("FILE_PARSE_LIMIT", f"> {self.timeout_seconds:.0f} s") from exc
        size = self.result.seek(0, os.SEEK_END)
        self.result.seek(0)
        if code != 0 or size < _HEADER.size:
            # Out of memory shows as MemoryError (EXIT_MEMORY), a crash of the parser's allocator or SIGXFSZ;
            # either way a limit was hit.
            raise self.refuse("FILE_PARSE_LIMIT", f"> {self.memory_bytes // (1024 * 1024):,} MB")
        (head,) = _HEADER.unpack(self.result.read(_HEADER.size))
        meta = json.loads(self.result.read(head))
        if "error" in meta:
            raise self.refuse(str(meta["error"]), str(meta.get("value", "")))
        return self.decode(meta, self.result)


def start(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout_seconds: float,
          decode: Decode[T], refuse: Refuse) -> Running[T]:  # fmt: skip
    """Start ``python -m module *args`` on ``data`` and return at once (see :class:`Running`; :func:`run` waits)."""
    source, result = memory_file(f"{module}-in"), memory_file(f"{module}-out")
    try:
        source.write(data)
        source.seek(0)
        # The child's stderr may quote cell values: it is dropped, never logged.
        proc = subprocess.Popen([sys.executable, "-m", module, *args], stdin=source, stdout=result,  # noqa: S603
                                stderr=subprocess.DEVNULL)  # fmt: skip
    except BaseException:  # no child (e.g. no memory to fork): the memory files are not left open
        source.close()
        result.close()
        raise
    return Running(proc, source, result, time.monotonic() + timeout_seconds, memory_bytes, timeout_seconds, decode,
                   refuse)  # fmt: skip


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
