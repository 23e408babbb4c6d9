"""The bounded child (ucj.bounded) that parses untrusted files: its memory files are never left open, its data file
is sealed before the parent maps it, it gets no credential, nothing it starts outlives it, and an answer the parent
cannot read is a refusal. The roster's own child is tested in tests/registry/test_sandbox.py."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from ucj import bounded
from ucj.registry import sandbox
from ucj.registry.issues import RosterFileError
from ucj.registry.reader import DEFAULT_LIMITS


def run_child(mode: str, decode: Any, data_file: bool = False) -> Any:
    """:func:`ucj.bounded.run` of ``tests.bounded_child MODE``."""
    return bounded.run("tests.bounded_child", [mode], b"", memory_bytes=0, timeout_seconds=60, decode=decode,
                       refuse=RosterFileError, data_file=data_file)  # fmt: skip


def no_fork(*args: object, **kwargs: object) -> None:
    raise OSError(12, "Cannot allocate memory")


@pytest.mark.parametrize(("fails", "made"), [("fork", 3), ("third file", 2)])
def test_no_memory_file_stays_open_when_the_child_cannot_start(
    monkeypatch: pytest.MonkeyPatch, fails: str, made: int
) -> None:
    """No child (no memory to fork), or no third memory file (too many open files): the files made are closed."""
    opened: list[Any] = []
    real_memory_file = bounded.memory_file

    def memory_file(name: str) -> Any:
        if fails == "third file" and len(opened) == 2:
            raise OSError(24, "Too many open files")
        opened.append(real_memory_file(name))
        return opened[-1]

    monkeypatch.setattr(bounded, "memory_file", memory_file)
    if fails == "fork":
        monkeypatch.setattr(bounded.subprocess, "Popen", no_fork)
    with pytest.raises(OSError):
        sandbox.read_in_child(b"NIK,Nama\n", "a.csv", DEFAULT_LIMITS)
    assert len(opened) == made and all(f.closed for f in opened)


def test_a_file_read_from_the_middle_is_handed_over_as_it_is() -> None:
    answer = bounded.memory_file("answer")
    answer.write(b"header and data")
    answer.seek(0)
    assert bounded.read_path(answer) == f"/proc/self/fd/{answer.fileno()}"
    answer.seek(7)
    assert bounded.read_path(answer) is answer
    answer.close()


def test_a_file_that_cannot_be_sealed_is_read_from_a_copy() -> None:
    with tempfile.TemporaryFile() as plain:  # no memfd: no seals
        plain.write(b"ARROW1 and the rest")  # the shared position stays at the end: the copy reads by offset
        with bounded._sealed(plain) as copy:
            assert copy is not plain and copy.read() == b"ARROW1 and the rest"
            copy.seek(0)
            assert bounded.read_path(copy) is copy


def test_a_sealed_file_cannot_grow_shrink_or_change_and_is_read_from_its_own_start() -> None:
    answer = bounded.memory_file("answer")
    answer.write(b"ARROW1 and the rest")
    answer.flush()
    with bounded._sealed(answer) as reader:
        answer.seek(7)  # another holder of the shared position moves it: the reader's own position stays
        assert reader.tell() == 0 and bounded.read_path(reader).startswith("/proc/self/fd/")
        assert reader.read() == b"ARROW1 and the rest"
        for change in (lambda: os.write(answer.fileno(), b"x"), lambda: os.ftruncate(answer.fileno(), 3),
                       lambda: os.ftruncate(answer.fileno(), 1 << 20)):  # fmt: skip
            with pytest.raises(PermissionError):
                change()
    answer.close()


@pytest.mark.parametrize("data_file", [False, True])
def test_a_child_gets_no_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch, data_file: bool) -> None:
    """A parser taken over by a hostile file finds no credential in its environment (defence in depth)."""
    secrets = {"UCJ_SECRET_KEY": "s3cret", "DATABASE_URL": "postgres://ucj:pw@db/ucj", "DJANGO_SETTINGS_MODULE": "x"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    keys = run_child("env", lambda meta, _: meta["keys"], data_file)
    assert not set(secrets) & set(keys)
    assert {"PATH", "PYTHONHASHSEED"} <= set(keys) and (bounded.DATA_FD in keys) == data_file


def test_what_a_child_leaves_running_is_killed_with_it() -> None:
    """A parser taken over by a hostile file may start processes of its own: they are killed with the child
    (its process group), so none keeps running or keeps the memory files."""
    pid = run_child("spawn", lambda meta, _: int(meta["pid"]))

    def alive() -> bool:
        try:
            return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()  # a zombie has ended
        except FileNotFoundError:
            return False

    try:
        for _ in range(100):  # the kill is sent on leaving run(); the kernel takes a moment to deliver it
            if not alive():
                break
            time.sleep(0.05)
        assert not alive()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)  # never left behind, also when the assertion fails


def test_an_answer_that_cannot_be_read_is_a_refusal() -> None:
    """A child's answer the parent cannot decode (a compromised parser's, a bug's) is refused like a file the
    child refused, never a traceback; the SQLite read child's caller then reads in-process instead."""

    def garbled(meta: dict[str, object], answer: object) -> None:
        raise ValueError("not an Arrow file")

    with pytest.raises(RosterFileError) as err:
        run_child("env", garbled)
    assert (err.value.code, err.value.finding.value) == ("FILE_UNREADABLE", "ValueError")
