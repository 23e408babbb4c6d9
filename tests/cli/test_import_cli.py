"""``ucj import roster`` and ``ucj import rejected``: JSON reports, exit codes and refused files."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import python_calamine as calamine
import xlsxwriter
from typer.testing import Result

from tests.cli.conftest import flat
from ucj.accounts.models import AuditEvent
from ucj.registry.exports import BATCH_HEADER, REASON_HEADER, ROW_HEADER
from ucj.registry.models import ImportBatch, Participant

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"
SITI = "1606014101900012"  # born 1 Jan 1990, female, Kec. Sekayu
BUDI = "1606011505850003"
ROSTER = [
    "NIK,Nama,Tgl Lahir,L/P,Jabatan,Kode Desa",
    f"{SITI},Siti Aminah,01-01-1990,P,Kader Posyandu,{SUKARAMI}",
    f"{BUDI},Budi Santoso,15-05-1985,L,Kepala Desa,{SUKARAMI}",
    f"160601150585000,Salah Ketik,15-05-1985,L,Petani,{SUKARAMI}",  # 15 digits: rejected
    f"1606012012920004,,20-12-1992,L,Petani,{SUKARAMI}",  # no name: rejected
]
ISSUE_KEYS = {"row", "column", "code", "severity", "message"}


def refused(result: Result) -> str:
    """Assert a clean refusal (exit 1 through typer.Exit, no traceback) and return the message, unwrapped."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a crash reported as exit 1
    assert "Traceback" not in result.output
    return flat(result.stderr)


def test_import_json_report(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert {"rows", "accepted", "updated", "rejected", "warnings", "batch_id", "issues"} <= set(report)
    assert (report["rows"], report["accepted"], report["updated"], report["rejected"]) == (4, 2, 0, 2)
    assert report["dry_run"] is False
    assert isinstance(report["batch_id"], int)
    assert report["issues"] and all(set(issue) >= ISSUE_KEYS for issue in report["issues"])
    errors = {(i["row"], i["code"]) for i in report["issues"] if i["severity"] == "error"}
    assert errors == {(4, "NIK_LENGTH"), (5, "NAME_MISSING")}
    nik_issue = next(i for i in report["issues"] if i["code"] == "NIK_LENGTH")
    assert nik_issue["column"] == "NIK" and "16 digit" in nik_issue["message"]
    batch = ImportBatch.objects.get(pk=report["batch_id"])
    assert (batch.status, batch.accepted, batch.rejected) == (ImportBatch.Status.DONE, 2, 2)
    assert Participant.objects.count() == 2


def test_import_json_reimport_counts_updates(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    path = write_csv(ROSTER)
    assert cli("import", "roster", path, "--json").exit_code == 0
    assert cli("import", "roster", path, "--json").exit_code == 1  # the same file: confirmed with --again
    again = json.loads(cli("import", "roster", path, "--json", "--again").stdout)
    assert (again["accepted"], again["updated"], again["rejected"]) == (0, 2, 2)


def test_dry_run_json(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["batch_id"] is None and report["dry_run"] is True
    assert (report["accepted"], report["updated"], report["rejected"]) == (2, 0, 2)
    assert not ImportBatch.objects.exists() and not Participant.objects.exists()


def test_human_report(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "roster", write_csv(ROSTER))
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    batch = ImportBatch.objects.get()
    assert f"batch #{batch.pk}" in out
    assert "diterima/accepted 2" in out and "ditolak/rejected 2" in out
    assert "NIK_LENGTH" in out and "NAME_MISSING" in out
    assert f"ucj import rejected {batch.pk} --out ditolak.xlsx" in out


def test_file_text_is_not_read_as_markup(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    """Cells and headers come from the file: brackets in them are shown as written, never parsed as Rich markup."""
    lines = [
        "NIK,Nama [sesuai KTP],Tgl Lahir,Kode Desa",
        f"{SITI},Siti Aminah,[/tgl],{SUKARAMI}",
    ]
    result = cli("import", "roster", write_csv(lines, name="daftar [final].csv"))
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "daftar [final].csv" in out and "Nama [sesuai KTP]" in out and "[/tgl]" in out
    assert "daftar [final].csv" in flat(result.stderr)  # the progress bar's label
    missing = cli("import", "roster", Path(lines[0]) / "[/x].csv")
    assert "[/x].csv" in refused(missing)


def test_import_as_user_applies_their_region(
    cli: Callable[..., Result], write_csv: Callable[..., Path], desa_user: Any
) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--user", desa_user.username, "--region", "16.71", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "REFUSED"
    ok = cli("import", "roster", write_csv(ROSTER), "--user", desa_user.username, "--json")
    assert ok.exit_code == 0, ok.output
    assert ImportBatch.objects.get().user == desa_user
    assert AuditEvent.objects.get(action="import_roster").actor == desa_user
    unknown = cli("import", "roster", write_csv(ROSTER), "--user", "nobody")
    assert "unknown user: nobody" in refused(unknown)


# --- refused files: exit 1, a bilingual message, no traceback ------------------------------------------------


def test_file_not_found(cli: Callable[..., Result], tmp_path: Path) -> None:
    message = refused(cli("import", "roster", tmp_path / "tidak-ada.xlsx"))
    assert "Berkas tidak ada / file not found" in message and "tidak-ada.xlsx" in message


def test_file_not_found_json(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("import", "roster", tmp_path / "tidak-ada.csv", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "FILE_NOT_FOUND"


def test_empty_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "kosong.csv"
    path.write_bytes(b"")
    assert "Berkas kosong. / The file is empty." in refused(cli("import", "roster", path))
    assert not ImportBatch.objects.exclude(status=ImportBatch.Status.FAILED).exists()


def test_pdf_renamed_xlsx(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    message = refused(cli("import", "roster", path))
    assert "Berkas bukan spreadsheet yang dikenal (xlsx)" in message
    assert "The file is not a known spreadsheet (xlsx)" in message
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and batch.error_code == "FILE_NOT_SPREADSHEET"


def test_pdf_renamed_xlsx_json(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(b"%PDF-1.4\n")
    result = cli("import", "roster", path, "--json")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "FILE_NOT_SPREADSHEET"
    assert "bukan spreadsheet" in error["message"] and "not a known spreadsheet" in error["message"]


def test_csv_without_nik_column(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    path = write_csv(["Nama,Alamat,No HP", "Siti Aminah,Jl. Merdeka 1,0812"], name="tanpa-nik.csv")
    message = refused(cli("import", "roster", path))
    assert "Tidak ada kolom NIK" in message and "No NIK column" in message
    assert "Nama, Alamat, No HP" in message  # the headers that were found


def test_password_protected_xlsx(cli: Callable[..., Result], tmp_path: Path) -> None:
    try:
        import msoffcrypto
    except ImportError:
        pytest.skip("msoffcrypto-tool is not installed in the venv: cannot make a password-protected workbook")
    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, ["NIK", "Nama"])
    book.close()
    plain.seek(0)
    encrypted = io.BytesIO()
    msoffcrypto.OfficeFile(plain).encrypt("Rahasia-123", encrypted)
    path = tmp_path / "terkunci.xlsx"
    path.write_bytes(encrypted.getvalue())
    message = refused(cli("import", "roster", path))
    assert "dilindungi kata sandi" in message and "password-protected" in message


def test_usage_error_is_exit_2(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert not ImportBatch.objects.exists()
    assert cli("import", "roster").exit_code == 2  # missing FILE argument


# --- rejected rows -----------------------------------------------------------------------------------------


def test_import_rejected_writes_workbook(
    cli: Callable[..., Result], write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    batch_id = json.loads(cli("import", "roster", write_csv(ROSTER), "--json").stdout)["batch_id"]
    out = tmp_path / "ditolak.xlsx"
    result = cli("import", "rejected", batch_id, "--out", out)
    assert result.exit_code == 0, result.output
    assert "2 baris ditolak" in flat(result.stdout)
    rows = calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == [*ROSTER[0].split(","), REASON_HEADER, ROW_HEADER, BATCH_HEADER]
    assert [r[0] for r in rows[1:]] == ["160601150585000", "1606012012920004"]
    assert [r[-2:] for r in rows[1:]] == [[4, batch_id], [5, batch_id]]
    event = AuditEvent.objects.get(action="export_rejected_rows")
    assert event.object_id == str(batch_id) and event.region_code == SUKARAMI


def test_import_rejected_unknown_batch(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    assert "no such batch: 999999" in refused(cli("import", "rejected", 999999, "--out", out))
    assert not out.exists()
