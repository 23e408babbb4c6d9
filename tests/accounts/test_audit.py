"""The audit trail: who did what to which record, when and from where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts.conftest import World
from tests.conftest import DEMO_PASSWORD
from ucj.accounts.models import AuditEvent


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_logins_and_failures(world: World, make_user: Callable[..., Any]) -> None:
    user = make_user("desa", "16.06.01.2001", username="operator")
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/akun/masuk/", {"username": "operator", "password": "salah"})
    client.post("/akun/masuk/", {"username": "operator", "password": DEMO_PASSWORD})
    failed, ok = events("login_failed"), events("login")
    assert len(failed) == 1 and failed[0].summary == "username=operator" and failed[0].address == "10.1.2.3"
    assert len(ok) == 1 and ok[0].actor == user and ok[0].address == "10.1.2.3"


def test_edit_keeps_before_and_after_without_the_nik(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    client.post(f"/registri/peserta/{world.own.public_hex}/ubah/", {
        "name": "Siti Aminah Lubis", "desa_code": "16.06.01.2001", "segment": "BPU", "ecosystem": "desa",
        "jkk": "on", "jkm": "on", "jht": "on", "occupation": "Kader Posyandu", "paid_through": "2026-10-31",
    })  # fmt: skip
    [event] = events("participant_update")
    assert event.region_code == "16.06.01.2001" and event.object_id == world.own.public_hex
    assert event.changes["name"] == {"before": "Siti Aminah", "after": "Siti Aminah Lubis"}
    assert event.changes["jht"] == {"before": False, "after": True}
    assert world.own.nik not in str(event.changes) + event.summary


def test_reads_of_full_personal_data_are_audited(world: World, client_for: Callable[[str], Client]) -> None:
    client_for("bpjs").get(f"/registri/peserta/{world.own.public_hex}/")
    client_for("bpjs").get(f"/api/v1/participants/{world.own.public_hex}")
    client_for("viewer").get(f"/registri/peserta/{world.own.public_hex}/")  # masked view: not a PII read
    views = events("participant_view")
    assert len(views) == 2 and {e.summary for e in views} == {"", "api"}
    assert all(e.actor.username.startswith("bpjs") for e in views)  # type: ignore[union-attr]


def test_import_and_export_are_audited(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    csv = b"NIK,Nama,Kode Desa\n1606011301900044,Ani,16.06.01.2001\n160601130190004,Salah,16.06.01.2001\n"
    client.post("/registri/impor/unggah/", {"file": SimpleUploadedFile("r.csv", csv), "region": ""})
    [imported] = events("import_roster")
    assert imported.region_code == "16.06.01.2001" and "1 rejected" in imported.summary
    assert client.get(f"/registri/impor/{imported.object_id}/ditolak.xlsx").status_code == 200
    [exported] = events("export_rejected_rows")
    assert exported.object_id == imported.object_id and exported.actor == imported.actor


def test_audit_page_is_scoped(world: World, client_for: Callable[[str], Client], make_user: Callable[..., Any]) -> None:
    from ucj.accounts import audit

    audit.record("participant_update", region_code="16.06.01.2001", summary="muba")
    audit.record("participant_update", region_code="11.01.01.2001", summary="aceh")
    body = client_for("provinsi").get("/akun/audit/?action=participant_update").content.decode()
    assert "muba" in body and "aceh" not in body
    admin = client_for("admin").get("/akun/audit/?region=11").content.decode()
    assert "aceh" in admin and "muba" not in admin
