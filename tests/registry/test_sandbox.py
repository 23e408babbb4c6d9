"""The bounded reader's child process (ucj.registry.sandbox) hands back exactly what the in-process reader reads,
through in-memory files instead of pipes (issue 17 §3), and the CSV reader's shortcuts (no decode + re-encode of
UTF-8, only the head split into lines) read the same cells as before."""

from __future__ import annotations

import dataclasses
import io
import os

import pytest
import xlsxwriter

from ucj import bounded
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


def test_the_cells_come_back_in_a_memory_file_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Arrow IPC file starts its own memory file, which Polars then reads by path (mapped: 0.14–0.15 s for a
    million rows) instead of from behind the header on stdout (copied first: 0.27–0.40 s)."""
    read_from: list[object] = []
    real_read_path = bounded.read_path

    def read_path(answer: io.BufferedIOBase) -> object:
        read_from.append(real_read_path(answer))  # type: ignore[arg-type]
        return read_from[-1]

    monkeypatch.setattr(bounded, "read_path", read_path)
    data = ("NIK,Nama,Kode Desa,Alamat\n" + csv_rows(50)).encode()
    assert sandbox.read_in_child(data, "x.csv", DEFAULT_LIMITS).frame.equals(parse_roster(data).frame)
    assert len(read_from) == 1 and str(read_from[0]).startswith("/proc/self/fd/")


def test_the_data_file_is_sealed_before_it_is_read() -> None:
    """Read through a mapping, the data file must not change under it: once the child has finished, the file
    is sealed, so no process (also one a compromised child left behind) can write or resize it."""
    data = ("NIK,Nama,Kode Desa,Alamat\n" + csv_rows(50)).encode()
    with sandbox._start(data, "x.csv", DEFAULT_LIMITS, None) as child:
        assert child.wait().frame.height == 50
        assert child.data is not None
        with pytest.raises(PermissionError):
            os.write(child.data.fileno(), b"changed")
