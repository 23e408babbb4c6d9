"""Parsing an untrusted file in a child process within hard bounds (stdlib only: the child imports this before it
sets its limits, and before any parser or Polars).

The parent hands the file to ``python -m MODULE ARGS…`` on stdin and reads the answer from its stdout; both are
anonymous in-memory files (``memfd``; an unlinked temporary file where there is none), not pipes: pipes moved a
100 MB file in and the answer out a few KB per ``select`` round, which cost more than the parse itself. The child
sets its address-space, CPU and output-size limits (:func:`set_limits`) first; the parent kills it after the
timeout. The answer starts with a length-prefixed JSON header (:func:`write_meta`); ``{"error": code, "value": …}``
there is a refusal the child found; bulk data (an Arrow IPC file) may go into a third memory file of its own, read
from its start (:func:`start` ``data_file``). No pickle: the parent never runs anything the child wrote.

Used by the roster reader (:mod:`ucj.registry.sandbox`) and the commitments loader (:mod:`ucj.commitments.sheets`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
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
#: In the child's environment: the descriptor of the answer's data file (:func:`data_output`), when given.
DATA_FD = "UCJ_BOUNDED_DATA_FD"


def memory_file(name: str) -> IO[bytes]:
    """A read/write file that lives in memory only (the files hold personal data: never written to disk); it can
    be sealed (:func:`_sealed`)."""
    try:
        return open(os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING), "w+b")
    except (AttributeError, OSError):  # no memfd on this system
        return tempfile.TemporaryFile()


def _sealed(answer: IO[bytes]) -> IO[bytes]:
    """``answer`` made unchangeable (memfd seals: no write, no resize, by anyone, also a process the child may
    have left behind) and opened again read-only at its start, so a reader may map it and no other holder of the
    shared file position moves it; where it cannot be sealed (no memfd, a writable mapping of it exists), a copy
    of its bytes, read by offset. The caller closes what it gets."""
    import fcntl
    import io

    seals = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL
    answer.flush()
    fd = answer.fileno()
    try:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
        return open(f"/proc/self/fd/{fd}", "rb")  # a new open file: its own position
    except (AttributeError, OSError):
        copy, size = io.BytesIO(), os.fstat(fd).st_size
        while copy.tell() < size and (chunk := os.pread(fd, size - copy.tell(), copy.tell())):
            copy.write(chunk)
        copy.seek(0)
        return copy


Decode = Callable[[dict[str, Any], IO[bytes]], T]
Refuse = Callable[[str, str], Exception]


def run(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout_seconds: float,
        decode: Decode[T], refuse: Refuse, data_file: bool = False) -> T:  # fmt: skip
    """Run ``python -m module *args`` on ``data`` and ``decode`` its header and the rest of its answer. A refusal the
    child wrote, a timeout and a limit hit (out of memory, CPU or output size) raise ``refuse(code, value)``.
    ``data_file``: see :func:`start`."""
    with start(module, args, data, memory_bytes=memory_bytes, timeout_seconds=timeout_seconds, decode=decode,
               refuse=refuse, data_file=data_file) as child:  # fmt: skip
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
    data: IO[bytes] | None = None  # the answer's data file (start(data_file=True))

    def __enter__(self) -> Running[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._kill()
        self.source.close()
        self.result.close()
        if self.data is not None:
            self.data.close()

    def _kill(self) -> None:
        """Kill the child and every process it started (its own process group, :func:`start`): nothing it left
        behind keeps running, or keeps the memory files. A process that left the group itself (``setsid``) is
        beyond this; the rlimits it inherited still bound it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # an empty group: nothing left to kill
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def wait(self) -> T:
        """The decoded answer, once the child has finished (killed at its deadline: ``FILE_PARSE_LIMIT``)."""
        try:
            code = self.proc.wait(timeout=max(self.deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired as exc:
            self._kill()
            raise self.refuse("FILE_PARSE_LIMIT", f"> {self.timeout_seconds:.0f} s") from exc
        size = self.result.seek(0, os.SEEK_END)
        self.result.seek(0)
        if code != 0 or size < _HEADER.size:
            # Out of memory shows as MemoryError (EXIT_MEMORY), a crash of the parser's allocator or SIGXFSZ;
            # either way a limit was hit.
            raise self.refuse("FILE_PARSE_LIMIT", f"> {self.memory_bytes // (1024 * 1024):,} MB")
        (head,) = _HEADER.unpack(self.result.read(_HEADER.size))
        try:
            meta = json.loads(self.result.read(head))
        except ValueError as exc:
            raise self.refuse("FILE_UNREADABLE", "answer") from exc
        if "error" in meta:
            raise self.refuse(str(meta["error"]), str(meta.get("value", "")))
        try:
            if meta.get("data_file") and self.data is not None:
                with _sealed(self.data) as answer:
                    return self.decode(meta, answer)
            return self.decode(meta, self.result)
        except Exception as exc:  # an answer that cannot be read is a refusal too, never a traceback
            raise self.refuse("FILE_UNREADABLE", type(exc).__name__) from exc


def start(module: str, args: list[str], data: bytes, *, memory_bytes: int, timeout_seconds: float,
          decode: Decode[T], refuse: Refuse, data_file: bool = False) -> Running[T]:  # fmt: skip
    """Start ``python -m module *args`` on ``data`` and return at once (see :class:`Running`; :func:`run` waits).
    ``data_file``: the child may write the bulk of its answer into a memory file of its own (:func:`data_output`),
    which ``decode`` then gets from its start instead of the rest of stdout: an Arrow IPC file read at offset 0
    is memory-mapped by Polars (0.14–0.15 s for a million rows of 13 columns), one behind the header is copied
    first (0.27–0.40 s)."""
    opened: list[IO[bytes]] = []

    def new_file(part: str) -> IO[bytes]:
        opened.append(memory_file(f"{module}-{part}"))
        return opened[-1]

    try:
        source, result = new_file("in"), new_file("out")
        extra = new_file("data") if data_file else None
        source.write(data)
        source.seek(0)
        fds = (extra.fileno(),) if extra is not None else ()
        env = {**child_environment(), **({DATA_FD: str(extra.fileno())} if extra is not None else {})}
        # The child's stderr may quote cell values: it is dropped, never logged. Its own process group: it is
        # killed with whatever it started (Running._kill).
        proc = subprocess.Popen([sys.executable, "-m", module, *args], stdin=source, stdout=result,  # noqa: S603
                                stderr=subprocess.DEVNULL, pass_fds=fds, env=env, start_new_session=True)  # fmt: skip
    except BaseException:  # no memory file or no child (no memory to fork): none is left open
        for f in opened:
            f.close()
        raise
    return Running(proc, source, result, time.monotonic() + timeout_seconds, memory_bytes, timeout_seconds, decode,
                   refuse, extra)  # fmt: skip


#: What a child's environment keeps: how Python, the locale and the libraries' thread pools are set up.
_CHILD_KEEPS = ("PATH", "HOME", "TMPDIR", "LANG", "VIRTUAL_ENV", "SYSTEMROOT")
_CHILD_KEEPS_PREFIXES = ("PYTHON", "LC_", "POLARS_", "RAYON_")


def child_environment() -> dict[str, str]:
    """The parent's environment without what a child parsing an untrusted file has no use for: the secret key,
    the database's address and password, every other ``UCJ_``/``DJANGO_`` setting. Defence in depth only (the
    child runs as the same user), so a parser taken over by a hostile file finds no credential at hand."""
    return {k: v for k, v in os.environ.items() if k in _CHILD_KEEPS or k.startswith(_CHILD_KEEPS_PREFIXES)}


def data_output() -> IO[bytes] | None:
    """In the child: the data file the parent gave (``start(data_file=True)``), else None. Say so in the header
    (``"data_file": True``) when the bulk of the answer went there."""
    fd = os.environ.get(DATA_FD)
    # Unbuffered: nothing is left to flush when the child exits. The parent owns the file and closes it.
    return open(int(fd), "wb", buffering=0, closefd=False) if fd else None


def read_path(answer: IO[bytes]) -> str | IO[bytes]:
    """What a reader should open for ``answer`` from its current position: a path to the same file when that
    position is its start and the system names open files (``/proc/self/fd``), so a library can map it; else
    the file object itself. A mapping is safe only over a file nobody can change: the data file is sealed first
    (:func:`_sealed`); the stdout file is never at its start here (the header comes first)."""
    try:
        path = f"/proc/self/fd/{answer.fileno()}"
    except OSError:  # in memory only (a copy of a file that could not be sealed)
        return answer
    return path if answer.tell() == 0 and os.path.exists(path) else answer


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
