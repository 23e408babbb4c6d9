"""Importing again (issue 11 §3, §4): a NIK damaged by Excel stays rejected through the rejected-rows round trip
while its cell is unchanged, and the same file a second time needs a confirmation (page, CLI, API)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import python_calamine as calamine
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from tests.conftest import DEMO_PASSWORD
from ucj.cli.main import app
from ucj.registry.exports import rejected_rows_xlsx
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"
GOOD = "1606014101900012"  # Siti, a valid NIK
DAMAGED = 1606011505850120.0  # Budi's NIK 1606011505850123 after Excel kept 15 digits (stored as a number)
FIXED = "1606011505850123"


def damaged_roster(write_xlsx: Callable[..., Path]) -> Path:
    return write_xlsx(
        [["NIK", "Nama", "Kode Desa"], [GOOD, "Siti Aminah", SUKARAMI], [DAMAGED, "Budi Santoso", SUKARAMI]],
        name="daftar.xlsx",
    )


def sheet(data: bytes) -> list[list[Any]]:
    return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def round_trip(batch_id: int, write_xlsx: Callable[..., Path], name: str, fix: dict[int, str] | None = None) -> Path:
    """The rejected-rows workbook as the user uploads it back (optionally with NIKs retyped, by source row)."""
    rows = sheet(rejected_rows_xlsx(ImportBatch.objects.get(pk=batch_id)))
    header, body = rows[0], [list(r) for r in rows[1:]]
    for row in body:
        source = int(row[header.index("UCJ baris")])
        if fix and source in fix:
            row[header.index("NIK")] = fix[source]
    return write_xlsx([header, *body], name=name)


def run(path: Path, **kwargs: Any) -> Any:
    return import_roster(path.read_bytes(), path.name, **kwargs)


def codes(report: Any, row: int) -> set[str]:
    return {f.code for f in report.findings if f.row == row and f.severity == "error"}


# --- §3 the rejected-rows round trip ----------------------------------------------------------------------


def test_workbook_carries_batch_and_row(write_xlsx: Callable[..., Path]) -> None:
    first = run(damaged_roster(write_xlsx))
    rows = sheet(rejected_rows_xlsx(ImportBatch.objects.get(pk=first.batch_id)))
    assert rows[0][-2:] == ["UCJ baris", "UCJ batch"]
    assert rows[1][-2:] == [3, first.batch_id]
    assert rows[1][0] == "1606011505850120" and "NIK_EXCEL_FLOAT" in rows[1][-3]


def test_unchanged_damaged_nik_stays_rejected(write_xlsx: Callable[..., Path]) -> None:
    first = run(damaged_roster(write_xlsx))
    assert codes(first, 3) == {"NIK_EXCEL_FLOAT"}

    second = run(round_trip(first.batch_id, write_xlsx, "ditolak.xlsx"))

    assert (second.rows, second.accepted, second.rejected) == (1, 0, 1)
    [finding] = [f for f in second.findings if f.severity == "error"]
    assert (finding.row, finding.code, finding.column) == (2, "NIK_EXCEL_FLOAT_UNCHANGED", "NIK")
    assert f"#{first.batch_id}" in finding.message("id") and "Excel" in finding.message("en")
    assert not Participant.objects.filter(nik="1606011505850120").exists()
    batch = ImportBatch.objects.get(pk=second.batch_id)
    assert {"UCJ batch", "UCJ baris"} <= set(batch.columns["ignored"])  # not data


def test_the_workbook_uploaded_back_as_it_is_accepts_no_damaged_nik(
    write_xlsx: Callable[..., Path], tmp_path: Path
) -> None:
    """The bug as reported: download the rejected rows, upload them unchanged — the damaged NIK got in."""
    first = run(damaged_roster(write_xlsx))
    path = tmp_path / "ditolak-import.xlsx"
    path.write_bytes(rejected_rows_xlsx(ImportBatch.objects.get(pk=first.batch_id)))
    second = run(path)
    assert (second.accepted, second.updated, second.rejected) == (0, 0, 1)
    assert not Participant.objects.filter(nik="1606011505850120").exists()


def test_still_unchanged_after_a_second_round_trip(write_xlsx: Callable[..., Path]) -> None:
    first = run(damaged_roster(write_xlsx))
    second = run(round_trip(first.batch_id, write_xlsx, "ditolak.xlsx"))
    rows = sheet(rejected_rows_xlsx(ImportBatch.objects.get(pk=second.batch_id)))
    assert rows[0].count("UCJ batch") == 1 and rows[1][-1] == second.batch_id  # one origin per row: the latest

    third = run(round_trip(second.batch_id, write_xlsx, "ditolak-2.xlsx"))
    assert codes(third, 2) == {"NIK_EXCEL_FLOAT_UNCHANGED"} and third.accepted == 0


def test_retyped_nik_is_accepted(write_xlsx: Callable[..., Path]) -> None:
    first = run(damaged_roster(write_xlsx))
    second = run(round_trip(first.batch_id, write_xlsx, "diperbaiki.xlsx", fix={3: FIXED}))
    assert (second.accepted, second.rejected) == (1, 0)
    assert Participant.objects.get(nik=FIXED).name == "Budi Santoso"


def test_origin_in_a_batch_the_user_cannot_see_is_not_looked_up(
    write_xlsx: Callable[..., Path], make_user: Callable[..., Any]
) -> None:
    first = run(damaged_roster(write_xlsx))  # the operator's batch (no user)
    ImportBatch.objects.filter(pk=first.batch_id).update(region_id="16.71")  # a Palembang batch
    desa = make_user("desa", SUKARAMI)
    second = run(round_trip(first.batch_id, write_xlsx, "ditolak.xlsx"), user=desa)
    assert "NIK_EXCEL_FLOAT_UNCHANGED" not in {f.code for f in second.findings}


# --- §4 the same file again ---------------------------------------------------------------------------------


def test_same_file_is_refused_with_the_earlier_batch(write_xlsx: Callable[..., Path]) -> None:
    from ucj.registry.reimport import DuplicateFile

    path = damaged_roster(write_xlsx)
    first = run(path, refuse_repeat=True)
    with pytest.raises(DuplicateFile) as err:
        run(path, refuse_repeat=True)
    assert err.value.earlier.pk == first.batch_id and f"#{first.batch_id}" in str(err.value)
    assert ImportBatch.objects.count() == 1  # the refusal records nothing
    assert run(path, refuse_repeat=True, dry_run=True).dry_run  # a dry run is never refused
    again = run(path, refuse_repeat=False)
    assert again.batch_id != first.batch_id and again.updated == 1


def test_a_failed_or_invisible_earlier_import_does_not_count(
    write_xlsx: Callable[..., Path], make_user: Callable[..., Any]
) -> None:
    path = damaged_roster(write_xlsx)
    first = run(path)
    ImportBatch.objects.filter(pk=first.batch_id).update(region_id="16.71")
    desa = make_user("desa", SUKARAMI)
    assert run(path, user=desa, refuse_repeat=True).batch_id  # the Palembang batch is not the village's
    ImportBatch.objects.exclude(pk=first.batch_id).update(status=ImportBatch.Status.FAILED)
    assert run(path, user=desa, refuse_repeat=True).batch_id


def test_cli_refuses_the_same_file_unless_again(write_xlsx: Callable[..., Path]) -> None:
    path = damaged_roster(write_xlsx)
    runner = CliRunner()
    assert runner.invoke(app, ["import", "roster", str(path), "--json"]).exit_code == 0
    refused = runner.invoke(app, ["import", "roster", str(path), "--json"])
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "FILE_ALREADY_IMPORTED"
    message = error["message"]
    assert "sudah diimpor" in message and "already imported" in message and "--again" in message
    human = runner.invoke(app, ["import", "roster", str(path)])
    assert human.exit_code == 1 and "--again" in " ".join(human.stderr.split())
    forced = runner.invoke(app, ["import", "roster", str(path), "--again", "--json"])
    assert forced.exit_code == 0 and json.loads(forced.stdout)["updated"] == 1


def test_api_answers_409_with_the_earlier_batch(write_xlsx: Callable[..., Path], make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    user = make_user("desa", SUKARAMI)
    _, token = ApiToken.issue(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    data = damaged_roster(write_xlsx).read_bytes()

    def post(**extra: str) -> Any:
        return client.post("/api/v1/imports/roster", {"file": _named(data), **extra})

    first = post()
    assert first.status_code == 200
    repeat = post()
    assert repeat.status_code == 409
    assert repeat.json()["batch_id"] == first.json()["batch_id"] and repeat.json()["code"] == "FILE_ALREADY_IMPORTED"
    assert post(again="true").status_code == 200


def _named(data: bytes) -> io.BytesIO:
    fh = io.BytesIO(data)
    fh.name = "daftar.xlsx"
    return fh


def test_upload_page_asks_before_importing_the_same_file_again(
    write_xlsx: Callable[..., Path], make_user: Callable[..., Any]
) -> None:
    user = make_user("desa", SUKARAMI)
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    data = damaged_roster(write_xlsx).read_bytes()
    url = reverse("registry:upload")
    client.post(url, {"file": _named(data), "region": ""})
    first = ImportBatch.objects.get()
    assert first.status == ImportBatch.Status.DONE

    step = client.post(url, {"file": _named(data), "region": ""})
    assert step.status_code == 200 and ImportBatch.objects.count() == 1  # nothing queued yet
    html = step.content.decode()
    assert reverse("registry:import", args=[first.pk]) in html and 'name="again"' in html
    token = step.context["confirm"]["token"].value()

    unticked = client.post(url, {"token": token})
    assert unticked.status_code == 200 and ImportBatch.objects.count() == 1
    confirmed = client.post(url, {"token": token, "again": "on"})
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("registry:import", args=[second.pk])
    assert second.status == ImportBatch.Status.DONE and second.sha256 == first.sha256
    assert client.post(url, {"token": token, "again": "on"}).status_code == 302  # used once: back to the form
    assert ImportBatch.objects.count() == 2


def test_upload_page_cancel_deletes_the_held_file(
    write_xlsx: Callable[..., Path], make_user: Callable[..., Any]
) -> None:
    from django.conf import settings

    user = make_user("desa", SUKARAMI)
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    data = damaged_roster(write_xlsx).read_bytes()
    url = reverse("registry:upload")
    client.post(url, {"file": _named(data), "region": ""})
    token = client.post(url, {"file": _named(data), "region": ""}).context["confirm"]["token"].value()
    held = Path(settings.MEDIA_ROOT) / "pending" / f"{token}.bin"
    assert held.is_file() and held.stat().st_mode & 0o077 == 0
    assert client.post(url, {"token": token, "cancel": "1"}).status_code == 302
    assert not held.exists() and ImportBatch.objects.count() == 1
