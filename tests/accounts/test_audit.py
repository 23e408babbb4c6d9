"""The audit trail: who did what to which record, when and from where — and who may read it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.accounts.conftest import PALEMBANG, ROLES, SUKARAMI, World, roster_file
from tests.conftest import DEMO_PASSWORD
from ucj.accounts import audit
from ucj.accounts.models import AuditEvent
from ucj.registry.models import ImportBatch

ADDRESS = "10.1.2.3"
EDIT = {"name": "Siti Aminah Lubis", "desa_code": SUKARAMI, "segment": "BPU", "ecosystem": "desa", "jkk": "on",
        "jkm": "on", "jht": "on", "occupation": "Kader Posyandu", "paid_through": "2026-10-31",
        "phone": "081234567890"}  # fmt: skip
NIK_RUN = re.compile(r"(?<!\d)\d{16}(?!\d)")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def client_at(make_user: Callable[..., Any]) -> Callable[[str], tuple[Client, Any]]:
    """A client from ADDRESS logged in as a fresh user of a test role; returns (client, user)."""

    def make(role: str) -> tuple[Client, Any]:
        name, region = ROLES[role]
        user = make_user(name, region)
        client = Client(REMOTE_ADDR=ADDRESS)
        client.force_login(user)
        return client, user

    return make


# --- what is recorded ---------------------------------------------------------------------------------------


def test_login_success_and_failure(world: World, make_user: Callable[..., Any]) -> None:
    user = make_user("desa", SUKARAMI, username="operator")
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post("/akun/masuk/", {"username": "operator", "password": "salah-sekali"})
    client.post("/akun/masuk/", {"username": "operator", "password": DEMO_PASSWORD})
    [failed], [ok] = events("login_failed"), events("login")
    assert failed.actor is None and failed.summary == "username=operator" and failed.address == ADDRESS
    assert "salah-sekali" not in failed.summary + str(failed.changes)  # the password is never recorded
    assert ok.actor == user and ok.actor_name == "operator" and ok.address == ADDRESS
    assert (ok.object_type, ok.object_id) == ("user", str(user.pk))
    client.post("/akun/keluar/")
    [out] = events("logout")
    assert out.actor == user and out.address == ADDRESS


def test_participant_edit_keeps_before_and_after_without_the_nik(
    world: World, client_at: Callable[[str], tuple[Client, Any]]
) -> None:
    client, user = client_at("desa")
    assert client.post(f"/registri/peserta/{world.own.public_hex}/ubah/", EDIT).status_code == 302
    [event] = events("participant_update")
    assert event.actor == user and event.address == ADDRESS
    assert (event.object_type, event.object_id) == ("participant", world.own.public_hex)
    assert event.region_code == SUKARAMI
    assert event.changes["name"] == {"before": "Siti Aminah", "after": "Siti Aminah Lubis"}
    assert event.changes["jht"] == {"before": False, "after": True}
    assert set(event.changes) == {"name", "jht"} and event.summary == "jht, name"
    assert world.own.nik not in str(event.changes) + event.summary + event.object_id
    # the detail page shows the history to the roles that see full data
    body = client.get(f"/registri/peserta/{world.own.public_hex}/").content.decode()
    assert "Siti Aminah Lubis" in body and user.username in body


def test_unchanged_or_refused_edits_record_nothing(
    world: World, client_at: Callable[[str], tuple[Client, Any]]
) -> None:
    same = {**EDIT, "name": "Siti Aminah", "jht": ""}
    client_at("desa")[0].post(f"/registri/peserta/{world.own.public_hex}/ubah/", same)
    client_at("viewer")[0].post(f"/registri/peserta/{world.own.public_hex}/ubah/", EDIT)
    client_at("kab_plg")[0].post(f"/registri/peserta/{world.own.public_hex}/ubah/", EDIT)
    client_at("desa")[0].post(f"/registri/peserta/{world.own.public_hex}/ubah/", {**EDIT, "desa_code": PALEMBANG})
    assert events("participant_update") == []


def test_full_reads_are_audited_masked_reads_are_not(
    world: World, client_at: Callable[[str], tuple[Client, Any]]
) -> None:
    bpjs, bpjs_user = client_at("bpjs")
    bpjs.get(f"/registri/peserta/{world.own.public_hex}/")
    bpjs.get(f"/api/v1/participants/{world.other.public_hex}")
    bpjs.get("/api/v1/participants")  # a list: masked, not a read of full data
    viewer, _ = client_at("viewer")
    viewer.get(f"/registri/peserta/{world.own.public_hex}/")
    viewer.get(f"/api/v1/participants/{world.own.public_hex}")
    client_at("kab_plg")[0].get(f"/registri/peserta/{world.own.public_hex}/")  # 404: nothing was read
    views = sorted(events("participant_view"), key=lambda e: e.summary)
    assert [(e.summary, e.object_id, e.region_code) for e in views] == [
        ("", world.own.public_hex, SUKARAMI),
        ("api", world.other.public_hex, PALEMBANG),
    ]
    assert all(e.actor == bpjs_user and e.address == ADDRESS and e.object_type == "participant" for e in views)


def test_api_detail_read_with_a_token_is_audited(world: World, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    user = make_user("kabkota", "16.06")
    _, token = ApiToken.issue(user)
    client = Client(REMOTE_ADDR="10.7.7.7", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/participants/{world.own.public_hex}").status_code == 200
    [event] = events("participant_view")
    assert (event.actor, event.address, event.summary, event.region_code) == (user, "10.7.7.7", "api", SUKARAMI)


def test_roster_import_is_audited(world: World, client_at: Callable[[str], tuple[Client, Any]]) -> None:
    client, user = client_at("desa")
    client.post("/registri/impor/unggah/", {"file": roster_file(), "region": ""})
    [imported] = events("import_roster")
    assert imported.actor == user and imported.address == ADDRESS and imported.region_code == SUKARAMI
    assert imported.object_type == "import_batch"
    assert imported.summary == "roster.csv: 2 rows, 1 accepted, 0 updated, 1 rejected"
    assert imported.changes["sha256"] == ImportBatch.objects.get(pk=imported.object_id).sha256
    api, api_user = client_at("kab_plg")
    report = api.post("/api/v1/imports/roster", {"file": roster_file()}).json()
    [by_api] = AuditEvent.objects.filter(action="import_roster", actor=api_user)
    assert by_api.object_id == str(report["batch_id"]) and by_api.region_code == PALEMBANG
    assert by_api.address == ADDRESS


def test_refused_and_dry_run_imports_record_no_import(
    world: World, client_at: Callable[[str], tuple[Client, Any]]
) -> None:
    client, _ = client_at("desa")
    client.post("/api/v1/imports/roster", {"file": roster_file(), "region": "16.71"})
    client.post("/api/v1/imports/roster", {"file": roster_file(), "dry_run": "true"})
    assert events("import_roster") == []


def test_rejected_rows_export_is_audited(world: World, client_at: Callable[[str], tuple[Client, Any]]) -> None:
    client, _ = client_at("desa")
    client.post("/registri/impor/unggah/", {"file": roster_file(), "region": ""})
    [imported] = events("import_roster")
    kab, kab_user = client_at("kab_muba")
    assert kab.get(f"/registri/impor/{imported.object_id}/ditolak.xlsx").status_code == 200
    [exported] = events("export_rejected_rows")
    assert exported.actor == kab_user and exported.address == ADDRESS
    assert (exported.object_type, exported.object_id) == ("import_batch", imported.object_id)
    assert exported.region_code == SUKARAMI and exported.summary == "1 rows"
    assert client_at("viewer")[0].get(f"/registri/impor/{imported.object_id}/ditolak.xlsx").status_code == 403
    assert len(events("export_rejected_rows")) == 1  # a refused export is not an export


def test_token_issue_through_the_cli_is_audited(
    make_user: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from ucj.accounts.models import ApiToken
    from ucj.cli.users import token

    user = make_user("bpjs", "16", username="skrip-bpjs")
    token("skrip-bpjs", name="laporan")
    clear = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(user=user)
    [event] = events("token_issued")
    assert (event.object_type, event.object_id) == ("user", str(user.pk))
    assert event.summary == f"token {row.prefix}… (laporan)" and clear not in event.summary
    assert row.digest == ApiToken.hash(clear)


def test_no_audit_entry_holds_a_nik(world: World, client_at: Callable[[str], tuple[Client, Any]]) -> None:
    """A whole working session: import, view, edit, export, API reads — then scan the trail."""
    client, _ = client_at("desa")
    client.post("/registri/impor/unggah/", {"file": roster_file(), "region": ""})
    client.get(f"/registri/peserta/{world.own.public_hex}/")
    client.post(f"/registri/peserta/{world.own.public_hex}/ubah/", EDIT)
    client.get(f"/api/v1/participants/{world.own.public_hex}")
    batch = ImportBatch.objects.latest("pk")
    client.get(f"/registri/impor/{batch.pk}/ditolak.xlsx")
    client.post("/api/v1/imports/roster", {"file": roster_file()})
    Client(REMOTE_ADDR=ADDRESS).post("/akun/masuk/", {"username": world.own.nik, "password": "x"})
    trail = list(AuditEvent.objects.exclude(action="login_failed"))
    assert {e.action for e in trail} >= {"import_roster", "participant_view", "participant_update",
                                         "export_rejected_rows"}  # fmt: skip
    for e in trail:
        assert not NIK_RUN.search(f"{e.summary} {e.object_id} {e.changes}"), (e.action, e.summary)


# --- who reads the trail -------------------------------------------------------------------------------------


@pytest.fixture
def trail(db: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    ani, budi = make_user("desa", SUKARAMI, username="ani"), make_user("kabkota", "16.71", username="budi")
    audit.record("participant_update", actor=ani, region_code=SUKARAMI, summary="muba-edit")
    audit.record("participant_view", actor=ani, region_code=SUKARAMI, summary="muba-view")
    audit.record("participant_update", actor=budi, region_code=PALEMBANG, summary="plg-edit")
    audit.record("participant_update", region_code="11.01.01.2001", summary="aceh-edit")
    audit.record("login", actor=budi, summary="no-region")
    return {"ani": ani, "budi": budi}


MARKERS = {"muba-edit", "muba-view", "plg-edit", "aceh-edit", "no-region", "own-action"}


def shown(client: Client, query: str = "") -> set[str]:
    """The fixture's events on the audit page (user creation and login events of the set-up left out)."""
    response = client.get(f"/akun/audit/{query}")
    assert response.status_code == 200
    return {e.summary for e in response.context["page"]} & MARKERS


def test_admin_reads_everything_and_filters(trail: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    admin = client_for("admin")
    assert shown(admin) == {"muba-edit", "muba-view", "plg-edit", "aceh-edit", "no-region"}
    assert shown(admin, "?action=participant_update&region=16") == {"muba-edit", "plg-edit"}
    assert shown(admin, "?actor=ani") == {"muba-edit", "muba-view"}
    assert shown(admin, "?region=16.71") == {"plg-edit"}
    assert shown(admin, "?region=11") == {"aceh-edit"}
    assert shown(admin, "?region=16.7") == set()  # a region filter is a whole code, not a text prefix
    assert shown(admin, "?actor=budi&action=login") == {"no-region"}


def test_province_analyst_reads_the_province(trail: dict[str, Any], make_user: Callable[..., Any]) -> None:
    analyst = make_user("provinsi", "16", username="analis")
    client = Client()
    client.force_login(analyst)
    audit.record("participant_view", actor=analyst, summary="own-action")
    assert shown(client) == {"muba-edit", "muba-view", "plg-edit", "own-action"}  # not Aceh, not others' logins
    assert shown(client, "?region=11") == set()  # filtering for another province does not widen the scope
    assert shown(client, "?action=participant_update") == {"muba-edit", "plg-edit"}
    assert shown(client, "?actor=ani&region=16.06") == {"muba-edit", "muba-view"}


@pytest.mark.parametrize("role", ["kab_muba", "kab_plg", "desa", "bpjs", "viewer"])
def test_other_roles_may_not_read_the_trail(
    trail: dict[str, Any], client_for: Callable[[str], Client], role: str
) -> None:
    response = client_for(role).get("/akun/audit/?region=16")
    assert response.status_code == 403 and b"muba-edit" not in response.content


def test_nobody_edits_the_trail_through_the_admin(trail: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    event = AuditEvent.objects.get(summary="aceh-edit")
    admin = client_for("admin")
    assert admin.get(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"summary": "x"}).status_code == 403
    assert admin.get("/admin/accounts/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.summary == "aceh-edit"
