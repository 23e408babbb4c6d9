"""Issue 11 points 1, 2, 9 and 11: a roster writes only inside its uploader's regions, never overwrites another
person on a registered NIK, tells a dry run nothing about NIKs elsewhere, and never makes the database raise
on a duplicate NIK. Transfers and the NIK conflict queue decide what the import leaves alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client

from ucj.accounts.models import AuditEvent
from ucj.registry import store
from ucj.registry.conflicts import DecisionRefused, decide_conflict
from ucj.registry.models import ImportBatch, ImportIssue, NikConflict, Participant, TransferRequest
from ucj.registry.services import ImportReport, import_roster
from ucj.registry.transfers import TransferRefused, decide_transfer, request_transfer

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kab. Musi Banyuasin (the desa_user's village)
LUMPATAN = "16.06.01.2002"
PALEMBANG = "16.71.01.1001"  # a kelurahan of Kota Palembang
HEADER = "NIK,Nama,Tgl Lahir,Kode Desa,No HP,Penghasilan"
PLG_NIK = "1671011505850003"  # born 15-05-1985
MUBA_NIK = "1606014101900012"  # Siti, born 01-01-1990


def run(write_csv: Callable[..., Path], lines: list[str], name: str = "r.csv", **kw: Any) -> ImportReport:
    path = write_csv([HEADER, *lines], name=name)
    return import_roster(path.read_bytes(), path.name, **kw)


@pytest.fixture
def palembang_person(write_csv: Callable[..., Path]) -> Participant:
    """Budi, registered in Palembang by the command line (no user: every region)."""
    run(write_csv, [f"{PLG_NIK},Budi Palembang,15-05-1985,{PALEMBANG},081299990000,7000000"], name="plg.csv")
    return Participant.objects.get(nik=PLG_NIK)


def errors(report: ImportReport, row: int = 2) -> list[str]:
    return [f.code for f in report.findings if f.row == row and f.severity == "error"]


# --- 1. cross-region takeover -----------------------------------------------------------------------------


def test_desa_operator_cannot_take_over_a_palembang_participant(
    write_csv: Callable[..., Path], desa_user: Any, palembang_person: Participant
) -> None:
    before = Participant.objects.filter(pk=palembang_person.pk).values().get()
    report = run(write_csv, [f"{PLG_NIK},Budi Palembang,15-05-1985,{SUKARAMI},0811,1000000"], user=desa_user)

    assert (report.accepted, report.updated, report.rejected) == (0, 0, 1)
    assert errors(report) == ["NIK_NOT_AVAILABLE"]
    assert Participant.objects.filter(pk=palembang_person.pk).values().get() == before  # untouched, not moved
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.updated, batch.rejected) == (0, 1)
    # The finding reveals nothing about where the person is.
    for lang in ("id", "en"):
        text = ImportIssue.objects.get(batch=batch, code="NIK_NOT_AVAILABLE").message(lang)
        assert "16.71" not in text and "Palembang" not in text and "updated" not in text.lower()
    assert "16.71" not in str(report.as_json()["issues"])


def test_takeover_dry_run_reveals_nothing_and_is_audited(
    write_csv: Callable[..., Path], desa_user: Any, palembang_person: Participant
) -> None:
    new_nik = "1606011301900044"
    report = run(
        write_csv,
        [f"{PLG_NIK},Budi Palembang,15-05-1985,{SUKARAMI},,", f"{new_nik},Ani Rahma,13-01-1990,{SUKARAMI},,"],
        user=desa_user,
        dry_run=True,
    )
    assert (report.accepted, report.updated, report.rejected) == (1, 0, 1)
    assert errors(report) == ["NIK_NOT_AVAILABLE"]
    assert Participant.objects.get(pk=palembang_person.pk).desa_id == PALEMBANG
    event = AuditEvent.objects.get(action="import_dry_run")
    assert event.actor == desa_user and event.region_code == SUKARAMI
    assert event.changes["updated"] == 0 and event.changes["rejected"] == 1
    assert PLG_NIK not in str(event.changes) + event.summary and new_nik not in str(event.changes) + event.summary


def test_kab_user_updates_inside_the_kabupaten_but_not_outside(
    write_csv: Callable[..., Path], kab_user: Any, palembang_person: Participant
) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},,"], name="siti.csv")
    report = run(
        write_csv,
        [f"{MUBA_NIK},SITI AMINAH,,{LUMPATAN},0812,", f"{PLG_NIK},Budi Palembang,,{SUKARAMI},,"],
        user=kab_user,
    )
    assert (report.updated, report.rejected) == (1, 1)
    assert Participant.objects.get(nik=MUBA_NIK).desa_id == LUMPATAN  # a move inside the kabupaten
    assert Participant.objects.get(nik=PLG_NIK).desa_id == PALEMBANG


def test_admin_and_cli_keep_writing_everywhere(
    write_csv: Callable[..., Path], admin_user: Any, palembang_person: Participant
) -> None:
    report = run(write_csv, [f"{PLG_NIK},Budi Palembang,,{PALEMBANG},0813,"], user=admin_user)
    assert (report.updated, report.rejected) == (1, 0)
    assert Participant.objects.get(nik=PLG_NIK).phone == "0813"


# --- transfers ------------------------------------------------------------------------------------------


def _refused_row(write_csv: Callable[..., Path], desa_user: Any) -> ImportBatch:
    report = run(write_csv, [f"{PLG_NIK},Budi Palembang,,{SUKARAMI},,"], user=desa_user, name="move.csv")
    return ImportBatch.objects.get(pk=report.batch_id)


def test_transfer_requested_then_approved_by_the_current_region(
    write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any], palembang_person: Participant
) -> None:
    batch = _refused_row(write_csv, desa_user)
    requester = Client()
    requester.force_login(desa_user)
    page = requester.get(f"/registri/pindah/minta/?batch={batch.pk}&row=2")
    assert page.status_code == 200
    response = requester.post("/registri/pindah/minta/", {"batch": batch.pk, "row": 2, "reason": "pindah domisili"})
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.from_desa_id, transfer.to_desa_id, transfer.status) == (PALEMBANG, SUKARAMI, "pending")

    # Before approval the requester sees neither the person nor where they are.
    listing = requester.get("/registri/pindah/").content.decode()
    assert "Budi" not in listing and PALEMBANG not in listing
    assert requester.get(f"/registri/peserta/{palembang_person.public_hex}/").status_code == 404
    # ... and cannot decide it.
    assert requester.post(f"/registri/pindah/{transfer.pk}/putuskan/", {"decision": "approve"}).status_code == 404
    assert Participant.objects.get(pk=palembang_person.pk).desa_id == PALEMBANG

    competing = TransferRequest.objects.create(
        participant=palembang_person, from_desa_id=PALEMBANG, to_desa_id=LUMPATAN, row=9
    )  # another village asked too: closed when the first one is approved
    plg = Client()
    plg.force_login(make_user("kabkota", "16.71"))
    incoming = plg.get("/registri/pindah/").content.decode()
    assert "Budi Palembang" in incoming
    assert plg.post(f"/registri/pindah/{transfer.pk}/putuskan/", {"decision": "approve"}).status_code == 302

    moved = Participant.objects.get(pk=palembang_person.pk)
    assert moved.desa_id == SUKARAMI
    transfer.refresh_from_db()
    assert transfer.status == "approved" and transfer.decided_at is not None
    competing.refresh_from_db()
    assert competing.status == "refused"
    events = AuditEvent.objects.filter(action="transfer_approve")
    assert {e.region_code for e in events} == {PALEMBANG, SUKARAMI}
    for e in events:
        assert e.changes["desa_id"] == {"before": PALEMBANG, "after": SUKARAMI}
    assert AuditEvent.objects.filter(action="participant_update", region_code=SUKARAMI).exists()
    assert requester.get(f"/registri/peserta/{moved.public_hex}/").status_code == 200
    # Now a re-import of the row updates the person.
    again = run(write_csv, [f"{PLG_NIK},Budi Palembang,,{SUKARAMI},0814,"], user=desa_user, name="again.csv")
    assert (again.updated, again.rejected) == (1, 0)


def test_transfer_refused_stays_put_and_is_audited_both_sides(
    write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any], palembang_person: Participant
) -> None:
    batch = _refused_row(write_csv, desa_user)
    transfer = request_transfer(batch, 2, actor=desa_user)
    assert request_transfer(batch, 2, actor=desa_user).pk == transfer.pk  # asking twice: the same request
    with pytest.raises(TransferRefused):
        decide_transfer(transfer, True, actor=desa_user)  # the requester does not decide
    decide_transfer(transfer, False, actor=make_user("desa", PALEMBANG), note="bukan warga")
    assert Participant.objects.get(pk=palembang_person.pk).desa_id == PALEMBANG
    assert {e.region_code for e in AuditEvent.objects.filter(action="transfer_refuse")} == {PALEMBANG, SUKARAMI}
    with pytest.raises(TransferRefused):
        decide_transfer(transfer, True, actor=make_user("admin"))  # already decided


def test_transfer_request_needs_a_not_available_row_of_ones_own(
    write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any], palembang_person: Participant
) -> None:
    batch = _refused_row(write_csv, desa_user)
    other = make_user("desa", LUMPATAN)
    with pytest.raises(TransferRefused):
        request_transfer(batch, 2, actor=other)  # not the row's village
    with pytest.raises(TransferRefused):
        request_transfer(batch, 3, actor=desa_user)  # no such finding
    client = Client()
    client.force_login(other)
    assert client.get(f"/registri/pindah/minta/?batch={batch.pk}&row=2").status_code == 404
    assert not TransferRequest.objects.exists()


# --- 2. another person on a registered NIK -----------------------------------------------------------


def test_another_person_on_a_registered_nik_goes_to_review(write_csv: Callable[..., Path], desa_user: Any) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,1500000"], name="v1.csv")
    report = run(write_csv, [f"{MUBA_NIK},Rina Wati,,{SUKARAMI},0899,"], user=desa_user, name="v2.csv")

    assert (report.updated, report.rejected) == (0, 1)
    assert errors(report) == ["NIK_CONFLICT"]
    siti = Participant.objects.get(nik=MUBA_NIK)
    assert (siti.name, siti.phone) == ("Siti Aminah", "0811")
    conflict = NikConflict.objects.get()
    assert conflict.participant == siti and conflict.status == "open" and conflict.row == 2
    assert conflict.incoming["name"] == "Rina Wati" and conflict.incoming["phone"] == "0899"
    assert row_codes(report) == [3]


def row_codes(report: ImportReport) -> list[int]:
    from ucj.registry.services import row_outcomes

    return row_outcomes(ImportBatch.objects.get(pk=report.batch_id))


def test_another_birth_date_is_another_person(write_csv: Callable[..., Path]) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},,"], name="v1.csv")
    report = run(write_csv, [f"{MUBA_NIK},Siti Aminah,02-01-1990,{SUKARAMI},,"], name="v2.csv")
    assert errors(report) == ["NIK_CONFLICT"]
    assert Participant.objects.get(nik=MUBA_NIK).birth_date == dt.date(1990, 1, 1)


def test_genuine_updates_of_the_same_person_go_through(write_csv: Callable[..., Path], desa_user: Any) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    report = run(write_csv, [f'{MUBA_NIK},"HJ. SITI  AMINAH, S.Pd.",,{SUKARAMI},0822,'], user=desa_user, name="v2.csv")
    assert (report.updated, report.rejected) == (1, 0)
    siti = Participant.objects.get(nik=MUBA_NIK)
    assert siti.name.startswith("HJ. SITI") and siti.name.endswith("S.Pd.") and siti.phone == "0822"
    assert not NikConflict.objects.exists()


def test_conflict_decisions(write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any]) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    for i, name in enumerate(("Rina Wati", "Dewi Sartika", "Lina Marlina")):
        run(write_csv, [f"{MUBA_NIK},{name},,{SUKARAMI},08{i},"], user=desa_user, name=f"c{i}.csv")
    replace, keep, reject = NikConflict.objects.order_by("pk")
    with pytest.raises(DecisionRefused):
        decide_conflict(keep, "keep", actor=make_user("kabkota", "16.71"))
    with pytest.raises(DecisionRefused):
        decide_conflict(keep, "keep", actor=make_user("viewer", "16"))

    decide_conflict(keep, "keep", actor=desa_user)
    decide_conflict(reject, "reject", actor=desa_user)
    assert Participant.objects.get(nik=MUBA_NIK).name == "Siti Aminah"
    decide_conflict(replace, "replace", actor=desa_user)
    siti = Participant.objects.get(nik=MUBA_NIK)
    assert (siti.name, siti.phone) == ("Rina Wati", "080")
    update = AuditEvent.objects.get(action="participant_update")
    assert update.changes["name"] == {"before": "Siti Aminah", "after": "Rina Wati"}
    assert {e.action for e in AuditEvent.objects.filter(object_type="nik_conflict")} == {
        "nik_conflict_keep", "nik_conflict_reject", "nik_conflict_replace"
    }  # fmt: skip
    assert [c.status for c in NikConflict.objects.order_by("pk")] == ["replaced", "kept", "rejected"]
    with pytest.raises(DecisionRefused):
        decide_conflict(keep, "replace", actor=desa_user)  # decided once


def test_conflict_pages(write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any]) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    run(write_csv, [f"{MUBA_NIK},Rina Wati,,{SUKARAMI},0899,"], user=desa_user, name="v2.csv")
    conflict = NikConflict.objects.get()
    client = Client()
    client.force_login(desa_user)
    listing = client.get("/registri/konflik/").content.decode()
    assert "Rina Wati" in listing and "Siti Aminah" in listing
    page = client.get(f"/registri/konflik/{conflict.pk}/").content.decode()
    assert "Rina Wati" in page and "Siti Aminah" in page and 'value="replace"' in page
    assert client.post(f"/registri/konflik/{conflict.pk}/", {"decision": "keep"}).status_code == 302
    assert NikConflict.objects.get().status == "kept"
    for role, region in (("kabkota", "16.71"), ("viewer", "16")):
        other = Client()
        other.force_login(make_user(role, region))
        assert other.get(f"/registri/konflik/{conflict.pk}/").status_code == 404
        assert other.post(f"/registri/konflik/{conflict.pk}/", {"decision": "replace"}).status_code == 404


# --- 11. bulk writes never raise on a duplicate NIK --------------------------------------------------------


def test_a_duplicate_missed_by_the_match_does_not_raise(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import registered the NIK after this one matched (simulated: the first match finds nothing).
    The insert skips it (ON CONFLICT DO NOTHING: the database raises no unique violation, whose DETAIL
    would carry the NIK into PostgreSQL's log) and the row is matched again as a known NIK."""
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    real, calls = store._stored, []

    def blind_first(cur: Any, frame: pl.DataFrame, *rest: Any) -> pl.DataFrame:
        calls.append(frame.height)
        found = real(cur, frame, *rest)
        return found.clear() if len(calls) == 1 else found

    monkeypatch.setattr(store, "_stored", blind_first)
    report = run(
        write_csv, [f"{MUBA_NIK},Siti Aminah,,{SUKARAMI},0822,", f"1606011301900044,Ani,,{SUKARAMI},,"], name="v2.csv"
    )
    assert (report.accepted, report.updated, report.rejected) == (1, 1, 0)
    assert Participant.objects.get(nik=MUBA_NIK).phone == "0822"
    assert Participant.objects.count() == 2


# --- the command line ---------------------------------------------------------------------------------


def test_review_from_the_command_line(
    write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any], palembang_person: Participant
) -> None:
    import json

    from typer.testing import CliRunner

    from ucj.cli.main import app

    runner = CliRunner()
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    run(write_csv, [f"{MUBA_NIK},Rina Wati,,{SUKARAMI},0899,"], user=desa_user, name="v2.csv")
    listed = json.loads(runner.invoke(app, ["review", "conflicts", "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["nik"] != MUBA_NIK  # masked
    refused = runner.invoke(app, ["review", "conflict", str(listed[0]["id"]), "keep", "--as", "nobody"])
    assert refused.exit_code == 1
    plg = make_user("kabkota", "16.71", username="plg")
    outside = runner.invoke(app, ["review", "conflict", str(listed[0]["id"]), "keep", "--as", "plg"])
    assert outside.exit_code == 1 and "Traceback" not in outside.output
    kept = runner.invoke(
        app, ["review", "conflict", str(listed[0]["id"]), "keep", "--as", desa_user.username, "--json"]
    )
    assert kept.exit_code == 0 and json.loads(kept.stdout)["status"] == "kept"

    batch = _refused_row(write_csv, desa_user)
    request_transfer(batch, 2, actor=desa_user)
    pending = json.loads(runner.invoke(app, ["review", "transfers", "--json"]).stdout)
    assert [(t["from"], t["to"]) for t in pending] == [(PALEMBANG, SUKARAMI)]
    by_requester = runner.invoke(
        app, ["review", "transfer", str(pending[0]["id"]), "approve", "--as", desa_user.username]
    )
    assert by_requester.exit_code == 1
    approved = runner.invoke(app, ["review", "transfer", str(pending[0]["id"]), "approve", "--as", plg.username])
    assert approved.exit_code == 0
    assert Participant.objects.get(pk=palembang_person.pk).desa_id == SUKARAMI


def test_conflict_reads_are_audited_and_lists_mask(write_csv: Callable[..., Path], desa_user: Any) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    run(write_csv, [f"{MUBA_NIK},Rina Wati,,{SUKARAMI},0899,"], user=desa_user, name="v2.csv")
    conflict = NikConflict.objects.get()
    client = Client()
    client.force_login(desa_user)
    listed = client.get("/api/v1/nik-conflicts").json()
    assert listed[0]["nik"] != MUBA_NIK and "Rina Wati" in str(listed)
    assert not AuditEvent.objects.filter(action="nik_conflict_view").exists()
    one = client.get(f"/api/v1/nik-conflicts/{conflict.pk}").json()
    assert one["nik"] == MUBA_NIK
    client.get(f"/registri/konflik/{conflict.pk}/")
    events = AuditEvent.objects.filter(action="nik_conflict_view")
    assert events.count() == 2 and {e.region_code for e in events} == {SUKARAMI}


def test_dry_runs_are_rate_limited_per_user(
    write_csv: Callable[..., Path], desa_user: Any, make_user: Callable[..., Any], settings: Any
) -> None:
    """Issue 11 §8–9: dry runs are audited and rate-limited (UCJ_DRY_RUN_RATE), in the service and the API (429);
    real imports and other users are not counted."""
    from django.core.cache import cache

    from ucj.registry.services import ImportThrottled

    cache.clear()
    settings.UCJ_DRY_RUN_RATE = "2/hour"
    line = [f"1606011301900044,Ani Rahma,13-01-1990,{SUKARAMI},,"]
    for _ in range(2):
        run(write_csv, line, user=desa_user, dry_run=True)
    with pytest.raises(ImportThrottled):
        run(write_csv, line, user=desa_user, dry_run=True)
    assert AuditEvent.objects.filter(action="import_dry_run").count() == 2
    assert run(write_csv, line, user=desa_user).accepted == 1  # a real import is not a dry run
    other = make_user("desa", LUMPATAN)
    assert run(write_csv, [line[0].replace(SUKARAMI, LUMPATAN)], user=other, dry_run=True).rows == 1

    web = Client()
    web.force_login(desa_user)
    path = write_csv([HEADER, *line], name="api.csv")
    with path.open("rb") as fh:
        answer = web.post("/api/v1/imports/roster", {"file": fh, "dry_run": "true"})
    assert answer.status_code == 429 and answer.json()["code"] == "RATE_LIMITED"
