"""The bounded reader's child process (ucj.registry.sandbox) hands back exactly what the in-process reader reads,
through in-memory files instead of pipes (issue 17 §3), and the CSV reader's shortcuts (no decode + re-encode of
UTF-8, only the head split into lines) read the same cells as before."""

from __future__ import annotations

import dataclasses
import io

import pytest
import xlsxwriter

from ucj.registry import reader, sandbox
from ucj.registry.issues import RosterFileError
from ucj.registry.reader import DEFAULT_LIMITS, parse_roster, read_roster

SITI, BUDI = "1606014101900012", "1606011505850003"


def csv_rows(count: int) -> str:
    return "".join(f"{SITI[:-4]}{i % 10_000:04d},Orang {i},16.06.01.2001,Jl. Merdeka {i}\n" for i in range(count))


def xlsx(rows: list[list[object]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(("Daftar peserta\n\nNIK,Nama,Kode Desa,Alamat\n" + csv_rows(3000)).encode(), id="utf8"),
        pytest.param(b"\xef\xbb\xbfNIK;Nama\r\n" + f"{SITI};Siti Ba\u00e9z\r\n{BUDI};Budi\r\n".encode(), id="bom-crlf"),
        pytest.param(f"NIK,Nama\n{SITI},Andr\u00e9s\n{BUDI},Jos\u00e9\n".encode("cp1252"), id="windows-1252"),
        pytest.param(b"NIK,Nama\n" + f"{SITI},Ba\u00e9z\n".encode() + f"{BUDI},Andr\u00e9s\n".encode("cp1252"),
                     id="mixed-encodings"),
        pytest.param(xlsx([["Judul"], [], ["NIK", "Nama", "No"], [SITI, "Siti", 1], [int(BUDI), "Budi", 2]]),
                     id="xlsx"),
    ],
)  # fmt: skip
def test_the_child_reads_what_the_process_reads(data: bytes) -> None:
    here = parse_roster(data)
    there = sandbox.read_in_child(data, "daftar", DEFAULT_LIMITS)
    assert there.frame.equals(here.frame)
    assert (there.columns, there.header_row, there.kind, there.sheet, there.notes) == (
        here.columns, here.header_row, here.kind, here.sheet, here.notes
    )  # fmt: skip


def test_the_child_reports_a_file_refusal() -> None:
    with pytest.raises(RosterFileError) as err:
        sandbox.read_in_child(b"Nama,Alamat\nSiti,Jl. Merdeka\n", "x.csv", DEFAULT_LIMITS)
    assert (err.value.code, err.value.finding.value) == ("FILE_NO_NIK_COLUMN", "Nama, Alamat")


def test_a_child_over_its_memory_is_a_parse_limit() -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, memory_bytes=64 * 1024 * 1024)
    with pytest.raises(RosterFileError) as err:
        sandbox.read_in_child(("NIK,Nama\n" + csv_rows(10)).encode(), "x.csv", limits)
    assert err.value.code == "FILE_PARSE_LIMIT"


def test_bounded_reader_uses_the_child_above_the_in_process_size() -> None:
    data = ("NIK,Nama,Kode Desa,Alamat\n" + csv_rows(200)).encode()
    limits = dataclasses.replace(DEFAULT_LIMITS, inprocess_bytes=100)
    assert sandbox.read_roster_bounded(data, "x.csv", limits).frame.equals(read_roster(data, "x.csv").frame)


@pytest.mark.parametrize(
    "text",
    [
        "a\nb\r\nc\rd\x0be\x0cf\x1cg\x1dh\x1ei\x85j\u2028k\u2029l\n" * 3,
        "x" * (1 << 20) + "\nshort\n" * 50,  # a first line longer than the first prefix
        "a\r" * 100,  # old Mac line ends only
        "baris\r\n" * 400_000,  # "\r\n" split at a prefix boundary
        "",
        "one line, no end",
    ],
)
def test_first_lines_are_the_first_lines_of_the_whole_text(text: str) -> None:
    assert reader._first_lines(text, 35) == text.splitlines()[:35]


def test_a_child_that_cannot_start_leaves_no_memory_file_open(monkeypatch: pytest.MonkeyPatch) -> None:
    from ucj import bounded

    opened: list[object] = []
    real_memory_file = bounded.memory_file

    def memory_file(name: str) -> object:
        opened.append(real_memory_file(name))
        return opened[-1]

    def no_fork(*args: object, **kwargs: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(bounded, "memory_file", memory_file)
    monkeypatch.setattr(bounded.subprocess, "Popen", no_fork)
    with pytest.raises(OSError):
        sandbox.read_in_child(b"NIK,Nama\n", "a.csv", DEFAULT_LIMITS)
    assert len(opened) == 3 and all(f.closed for f in opened)  # type: ignore[attr-defined]


def test_the_cells_come_back_in_a_memory_file_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Arrow IPC file starts its own memory file, which Polars then reads by path (mapped: 0.14–0.15 s for a
    million rows) instead of from behind the header on stdout (copied first: 0.27–0.40 s)."""
    from ucj import bounded

    read_from: list[object] = []
    real_read_path = bounded.read_path

    def read_path(answer: io.BufferedIOBase) -> object:
        read_from.append(real_read_path(answer))  # type: ignore[arg-type]
        return read_from[-1]

    monkeypatch.setattr(bounded, "read_path", read_path)
    data = ("NIK,Nama,Kode Desa,Alamat\n" + csv_rows(50)).encode()
    assert sandbox.read_in_child(data, "x.csv", DEFAULT_LIMITS).frame.equals(parse_roster(data).frame)
    assert len(read_from) == 1 and str(read_from[0]).startswith("/proc/self/fd/")


def test_a_file_read_from_the_middle_is_handed_over_as_it_is() -> None:
    from ucj import bounded

    answer = bounded.memory_file("answer")
    answer.write(b"header and data")
    answer.seek(0)
    assert bounded.read_path(answer) == f"/proc/self/fd/{answer.fileno()}"
    answer.seek(7)
    assert bounded.read_path(answer) is answer
    answer.close()


def test_the_data_file_is_sealed_before_it_is_read() -> None:
    """Read through a mapping, the data file must not change under it: once the child has finished, the file
    is sealed, so no process (also one a compromised child left behind) can write or resize it."""
    import os

    data = ("NIK,Nama,Kode Desa,Alamat\n" + csv_rows(50)).encode()
    with sandbox._start(data, "x.csv", DEFAULT_LIMITS, None) as child:
        assert child.wait().frame.height == 50
        assert child.data is not None
        with pytest.raises(PermissionError):
            os.write(child.data.fileno(), b"changed")


def test_a_file_that_cannot_be_sealed_is_read_from_a_copy() -> None:
    import tempfile

    from ucj import bounded

    with tempfile.TemporaryFile() as plain:  # no memfd: no seals
        plain.write(b"ARROW1 and the rest")  # the shared position stays at the end: the copy reads by offset
        with bounded._sealed(plain) as copy:
            assert copy is not plain and copy.read() == b"ARROW1 and the rest"
            copy.seek(0)
            assert bounded.read_path(copy) is copy


def test_a_sealed_file_cannot_grow_shrink_or_change_and_is_read_from_its_own_start() -> None:
    import os

    from ucj import bounded

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


def test_no_memory_file_stays_open_when_one_cannot_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from ucj import bounded

    opened: list[object] = []
    real_memory_file = bounded.memory_file

    def memory_file(name: str) -> object:
        if len(opened) == 2:
            raise OSError(24, "Too many open files")
        opened.append(real_memory_file(name))
        return opened[-1]

    monkeypatch.setattr(bounded, "memory_file", memory_file)
    with pytest.raises(OSError):
        sandbox.read_in_child(b"NIK,Nama\n", "a.csv", DEFAULT_LIMITS)
    assert len(opened) == 2 and all(f.closed for f in opened)  # type: ignore[attr-defined]


@pytest.mark.parametrize("data_file", [False, True])
def test_a_child_gets_no_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch, data_file: bool) -> None:
    """A parser taken over by a hostile file finds no credential in its environment (defence in depth)."""
    from ucj import bounded

    secrets = {"UCJ_SECRET_KEY": "s3cret", "DATABASE_URL": "postgres://ucj:pw@db/ucj", "DJANGO_SETTINGS_MODULE": "x"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    keys = bounded.run("tests.registry.env_child", [], b"", memory_bytes=0, timeout_seconds=60,
                       decode=lambda meta, _: meta["keys"], refuse=RosterFileError, data_file=data_file)  # fmt: skip
    assert not set(secrets) & set(keys)
    assert {"PATH", "PYTHONHASHSEED"} <= set(keys) and (bounded.DATA_FD in keys) == data_file


def test_what_a_child_leaves_running_is_killed_with_it() -> None:
    """A parser taken over by a hostile file may start processes of its own: they are killed with the child
    (its process group), so none keeps running or keeps the memory files."""
    import contextlib
    import os
    import time
    from pathlib import Path

    from ucj import bounded

    pid = bounded.run("tests.registry.spawn_child", [], b"", memory_bytes=0, timeout_seconds=60,
                      decode=lambda meta, _: int(meta["pid"]), refuse=RosterFileError)  # fmt: skip

    def alive() -> bool:
        status = Path(f"/proc/{pid}/status")
        try:
            return "\nState:\tZ" not in status.read_text()  # a zombie has ended
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
    from ucj import bounded

    def garbled(meta: dict[str, object], answer: object) -> None:
        raise ValueError("not an Arrow file")

    with pytest.raises(RosterFileError) as err:
        bounded.run("tests.registry.env_child", [], b"", memory_bytes=0, timeout_seconds=60, decode=garbled,
                    refuse=RosterFileError)  # fmt: skip
    assert (err.value.code, err.value.finding.value) == ("FILE_UNREADABLE", "ValueError")
