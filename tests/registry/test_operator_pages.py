"""A village operator's work in the browser without a spreadsheet tool (issue 16 item 3): add one worker with a
form (the roster import's rules and write path), see an upload's outcome before it is stored, fix rejected rows
on the page, findings with the person's name beside the row number (masked per role)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ucj.accounts.models import AuditEvent
from ucj.registry.models import ImportBatch, NikConflict, Participant

SUKARAMI, PALEMBANG = "16.06.01.2001", "16.71.01.1001"
ROSTER = (
    "NIK;Nama;Tgl Lahir;L/P;Jabatan\n"
    "1606014101900012;Siti Aminah;01-01-1990;P;Sekretaris Desa\n"
    "1606011505850003;Budi Santoso;15 Mei 1985;L;Ketua RT\n"
    "160601150585;Joko Susilo;01-01-1970;L;Nelayan\n"
    ";Jumlah;;;\n"
    "Mengetahui,;;;;\n"
    "Kepala Desa Sukarami;;;;\n"
)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def worker(**changes: str) -> dict[str, str]:
    return {"nik": "1606014101900012", "name": "Siti Aminah", "birth_date": "1990-01-01", "sex": "P",
            "position": "Sekretaris Desa", "village_code": SUKARAMI, "income": "Rp 2.500.000", **changes}  # fmt: skip


# --- one worker ---------------------------------------------------------------------------------------------


def test_operator_adds_one_worker_through_the_import(desa_user: Any) -> None:
    client = client_of(desa_user)
    page = client.get("/registri/peserta/tambah/").content.decode()
    assert 'type="hidden" name="village_code" value="16.06.01.2001"' in page and "Sukarami" in page
    response = client.post("/registri/peserta/tambah/", worker())
    person = Participant.objects.get(nik="1606014101900012")
    assert response.status_code == 302 and response["Location"] == f"/registri/peserta/{person.public_hex}/"
    assert (person.name, person.desa_id, person.income, person.village_role) == ("Siti Aminah", SUKARAMI, 2_500_000,
                                                                                 "perangkat_desa")  # fmt: skip
    batch = ImportBatch.objects.get(pk=person.source_batch_id)
    assert (batch.kind, batch.rows, batch.accepted, batch.user_id, batch.region_id) == ("form", 1, 1, desa_user.pk,
                                                                                        SUKARAMI)  # fmt: skip
    assert AuditEvent.objects.filter(action="import_roster", object_id=str(batch.pk)).exists()
    # the same NIK again updates the record (the roster rule), here the phone
    client.post("/registri/peserta/tambah/", worker(phone="0812 3456 7890"))
    person.refresh_from_db()
    assert person.phone == "081234567890" and Participant.objects.count() == 1


def test_a_rejected_entry_keeps_what_was_typed_and_stores_nothing(desa_user: Any) -> None:
    response = client_of(desa_user).post("/registri/peserta/tambah/", worker(nik="1606014101"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Siti Aminah"' in body and 'value="1606014101"' in body  # kept
    nik_field = body[body.index('id="id_nik"'):]
    assert "16" in nik_field[: nik_field.index("</p>")] and "error" in nik_field[: nik_field.index("</p>")]
    assert Participant.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_a_nik_registered_elsewhere_is_not_available_and_nothing_is_queued(desa_user: Any) -> None:
    Participant.objects.create(nik="1606014101900012", name="Orang Lain", desa_id=PALEMBANG)
    body = client_of(desa_user).post("/registri/peserta/tambah/", worker()).content.decode()
    assert "tidak dapat dipakai" in body or "tidak tersedia" in body
    assert Participant.objects.get().desa_id == PALEMBANG and ImportBatch.objects.count() == 0
    assert NikConflict.objects.count() == 0


def test_outside_the_operators_desa_is_refused(make_user: Callable[..., Any]) -> None:
    kab = client_of(make_user("kabkota", "16.06"))
    body = kab.post("/registri/peserta/tambah/", worker(village_code=PALEMBANG)).content.decode()
    assert "di luar wilayah Anda" in body and Participant.objects.count() == 0
    assert kab.post("/registri/peserta/tambah/", worker()).status_code == 302  # a desa of the kab: fine


def test_viewer_may_not_add(viewer_user: Any) -> None:
    assert client_of(viewer_user).get("/registri/peserta/tambah/").status_code == 403


# --- preview before storing ---------------------------------------------------------------------------------


def upload(client: Client, text: str = ROSTER, **extra: Any) -> Any:
    return client.post("/registri/impor/unggah/", {"file": SimpleUploadedFile("perangkat.csv", text.encode()), **extra})


def test_upload_shows_the_outcome_first_and_stores_on_save(desa_user: Any) -> None:
    client = client_of(desa_user)
    form = client.get("/registri/impor/unggah/").content.decode()
    assert re.search(r'<option value="16\.06\.01\.2001" selected>', form)  # the operator's one desa
    assert 'name="preview"' in form and "checked" in form[form.index('name="preview"') - 80:]
    preview = upload(client, preview="on", region=SUKARAMI)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Periksa sebelum disimpan" in body
    counts = re.findall(r'<div class="value[^"]*">([\d.]+)</div>', body)
    assert counts == ["3", "2", "0", "1", "0"]  # rows, new, updated, rejected, warnings: the footer is no row
    assert "Joko Susilo" in body and "FOOTER" not in body and "tidak dihitung sebagai peserta" in body
    assert Participant.objects.count() == 0 and ImportBatch.objects.count() == 0  # nothing stored yet
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    saved = client.post("/registri/impor/unggah/", {"token": token, "save": "1"})
    batch = ImportBatch.objects.get()
    assert saved["Location"] == f"/registri/impor/{batch.pk}/"
    assert (batch.rows, batch.accepted, batch.rejected) == (3, 2, 1) and Participant.objects.count() == 2


def test_cancel_after_the_preview_stores_nothing(desa_user: Any) -> None:
    client = client_of(desa_user)
    body = upload(client, preview="on").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    client.post("/registri/impor/unggah/", {"token": token, "cancel": "1"})
    assert ImportBatch.objects.count() == 0 and Participant.objects.count() == 0


def test_without_preview_the_upload_is_imported_at_once(desa_user: Any) -> None:
    response = upload(client_of(desa_user))
    assert response.status_code == 302 and ImportBatch.objects.get().accepted == 2


# --- findings with names, fixing rejected rows ---------------------------------------------------------------


@pytest.fixture
def imported(desa_user: Any) -> ImportBatch:
    upload(client_of(desa_user))
    return ImportBatch.objects.get()


def test_findings_show_the_name_masked_as_the_role_requires(
    imported: ImportBatch, desa_user: Any, viewer_user: Any
) -> None:
    page = f"/registri/impor/{imported.pk}/"
    assert "<td>Joko Susilo</td>" in client_of(desa_user).get(page).content.decode()
    viewer = client_of(viewer_user).get(page).content.decode()
    assert "Joko Susilo" not in viewer and "<td>J*** S*****</td>" in viewer


def test_fix_a_rejected_row_in_the_browser(imported: ImportBatch, desa_user: Any, viewer_user: Any) -> None:
    client = client_of(desa_user)
    assert "Perbaiki baris ditolak di sini" in client.get(f"/registri/impor/{imported.pk}/").content.decode()
    page = client.get(f"/registri/impor/{imported.pk}/perbaiki/").content.decode()
    assert 'value="160601150585"' in page and "Joko Susilo" in page and "NIK_" in page
    cells = dict(re.findall(r'name="(cell-4-\d+)" value="([^"]*)"', page))
    nik_cell = next(k for k, v in cells.items() if v == "160601150585")
    preview = client.post(f"/registri/impor/{imported.pk}/perbaiki/", {**cells, nik_cell: "1606011501700007",
                                                                       "row": "4"}).content.decode()  # fmt: skip
    assert re.findall(r'<div class="value[^"]*">([\d.]+)</div>', preview)[:4] == ["1", "1", "0", "0"]
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)  # type: ignore[union-attr]
    client.post("/registri/impor/unggah/", {"token": token, "save": "1"})
    joko = Participant.objects.get(nik="1606011501700007")
    assert (joko.name, joko.desa_id) == ("Joko Susilo", SUKARAMI)
    assert client_of(viewer_user).get(f"/registri/impor/{imported.pk}/perbaiki/").status_code == 403


def test_the_api_adds_one_worker_through_the_same_service(desa_user: Any, viewer_user: Any) -> None:
    import json

    body = json.dumps(worker(birth_date="1990-01-01", income="2500000"))
    created = client_of(desa_user).post("/api/v1/participants", body, content_type="application/json")
    person = Participant.objects.get()
    assert created.status_code == 201 and created.json()["participant_id"] == person.public_hex
    assert created.json()["accepted"] == 1 and ImportBatch.objects.get().kind == "form"
    bad = client_of(desa_user).post("/api/v1/participants", json.dumps(worker(nik="123")),
                                    content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["issues"][0]["code"].startswith("NIK_")
    refused = client_of(viewer_user).post("/api/v1/participants", body, content_type="application/json")
    assert refused.status_code == 403 and Participant.objects.count() == 1


def test_the_cli_adds_one_worker_through_the_same_service(db: Any, desa_user: Any) -> None:
    import json

    from typer.testing import CliRunner

    from ucj.cli.main import app

    args = ["import", "worker", "--nik", "1606014101900012", "--name", "Siti Aminah", "--desa", SUKARAMI,
            "--position", "Kader Posyandu", "--user", desa_user.username, "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 1 and ImportBatch.objects.get().kind == "form"
    bad = CliRunner().invoke(app, [*args[:2], "--nik", "123", *args[4:]])
    assert bad.exit_code == 1 and Participant.objects.count() == 1
    outside = CliRunner().invoke(app, [*args[:6], "--desa", PALEMBANG, *args[8:]])
    assert outside.exit_code != 0 and Participant.objects.count() == 1
