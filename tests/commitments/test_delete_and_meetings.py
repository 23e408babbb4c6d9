"""Removing rows entered by mistake, editing a meeting, the meeting's own page, and the meetings of the regions
above a user that concern them (tests/commitments/backend_world.py: the province's 13 December 2024 meeting has
actions owned by Musi Banyuasin, Desa Sukarami and Palembang).

Removal is a real delete, confirmed on its own page and sent by POST with the CSRF token, scoped like an edit
(404 outside the user's regions, 403 for a role that may not change the row) and audited with every field of the
row as it was, so the trail alone says what was removed; a regulation's stored PDF goes with it. A regulation that
was repealed is not removed: its status becomes ``dicabut`` (docs/commitments.md, "Removing rows").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from tests.accounts import conftest as accounts
from tests.commitments import test_pages as pages_tests
from tests.commitments.backend_world import MUBA, PALEMBANG, SUKARAMI
from tests.commitments.test_pages import text
from ucj.accounts.models import AuditEvent
from ucj.commitments import services
from ucj.commitments.models import BudgetCommitment, EcosystemUnit, FollowUpAction, Instrument, Meeting, Partner

client_for = accounts.client_for  # the fixture: a client logged in per role ("anon": not logged in)
world = pages_tests.world  # the backend's world in 2026, documents under a temporary folder
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _documents(settings: Any) -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "commitments" / "documents").glob("*.pdf"))


# --- services ------------------------------------------------------------------------------------------------


def test_deleting_a_regulation_removes_its_pdf_and_audits_the_row(
    world: Any, make_user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    officer = make_user("kabkota", MUBA)
    perbup = Instrument.objects.get(region_id=MUBA)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_instrument(officer, perbup.pk, {}, document=services.Document(PDF, "perbup.pdf"))
    assert len(_documents(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_instrument(officer, perbup.pk)
    assert not Instrument.objects.filter(pk=perbup.pk).exists() and _documents(settings) == []
    event = AuditEvent.objects.get(action="commitments.instrument.delete")
    assert event.object_id == str(perbup.pk) and event.region_code == MUBA
    assert event.changes["title"] == ["Aparat desa", None] and event.changes["status"] == ["ditetapkan", None]
    assert event.changes["document_name"] == ["perbup.pdf", None] and len(event.changes["document_sha256"][0]) == 64


def test_deleting_is_scoped(world: Any, make_user: Any) -> None:
    officer = make_user("kabkota", MUBA)
    with pytest.raises(Http404):
        services.delete_instrument(officer, Instrument.objects.get(region_id=PALEMBANG).pk)
    with pytest.raises(services.CommitmentForbidden):  # the province's regulation: seen by Muba, not theirs
        services.delete_instrument(officer, Instrument.objects.get(region_id="16").pk)
    village = make_user("desa", SUKARAMI)
    with pytest.raises(Http404):  # the kab/kota's lines lie above the village
        services.delete_budget(village, BudgetCommitment.objects.get(region_id=MUBA, payer="apbd_kabkota").pk)
    services.delete_budget(village, BudgetCommitment.objects.get(region_id=SUKARAMI).pk)  # their APBDes line
    assert not BudgetCommitment.objects.filter(region_id=SUKARAMI).exists()


def test_deleting_a_meeting_deletes_and_audits_its_actions(world: Any, make_user: Any) -> None:
    meeting = world["meeting"]
    with pytest.raises(services.CommitmentForbidden):  # the province's meeting: Muba may not remove it
        services.delete_meeting(make_user("kabkota", MUBA), meeting.pk)
    services.delete_meeting(make_user("provinsi", "16"), meeting.pk)
    assert not Meeting.objects.exists() and not FollowUpAction.objects.exists()
    assert AuditEvent.objects.filter(action="commitments.action.delete").count() == 4
    gone = AuditEvent.objects.get(action="commitments.meeting.delete")
    assert gone.changes["title"] == ["Kelembagaan desa", None] and gone.changes["actions"] == [4, 0]


def test_a_meeting_with_an_action_the_user_may_not_change_is_not_deleted(world: Any, make_user: Any) -> None:
    officer = make_user("kabkota", MUBA)
    own = services.create_meeting(officer, {"region": MUBA, "date": "2026-02-02", "title": "Rakor kabupaten"})
    services.create_action(None, {"meeting": own.pk, "owner": PALEMBANG, "decision": "Bantu Muba"})  # an admin's
    with pytest.raises(services.CommitmentForbidden):
        services.delete_meeting(officer, own.pk)
    assert Meeting.objects.filter(pk=own.pk).exists() and FollowUpAction.objects.filter(meeting=own).count() == 1


def test_kabkota_sees_the_provinces_meeting_that_concerns_it_read_only(world: Any, make_user: Any) -> None:
    meeting = world["meeting"]
    muba = make_user("kabkota", MUBA)
    assert list(services.visible_meetings(muba)) == [meeting]
    assert list(services.visible_meetings(muba, MUBA)) == [meeting]
    assert services.get_meeting(muba, meeting.pk) == meeting
    assert list(services.visible_meetings(make_user("desa", SUKARAMI), SUKARAMI)) == [meeting]  # owns one too
    with pytest.raises(services.CommitmentForbidden):
        services.update_meeting(muba, meeting.pk, {"title": "Diubah"})
    with pytest.raises(services.CommitmentForbidden):  # no action added to a meeting it may not change
        services.create_action(muba, {"meeting": meeting.pk, "owner": MUBA, "decision": "Tambahan"})
    other = make_user("kabkota", "16.07")  # Muara Enim: no action of that meeting
    assert not services.visible_meetings(other).exists()
    with pytest.raises(Http404):
        services.get_meeting(other, meeting.pk)
    FollowUpAction.objects.filter(owner_id__in=[MUBA, SUKARAMI]).delete()
    assert not services.visible_meetings(muba).exists()  # no longer concerns Muba


# --- pages ---------------------------------------------------------------------------------------------------


def test_regulation_removed_from_its_page(
    world: Any, client_for: Callable[[str], Client], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    perbup = Instrument.objects.get(region_id=MUBA)
    services.update_instrument(None, perbup.pk, {}, document=services.Document(PDF, "perbup.pdf"))
    client = client_for("kab_muba")
    listing = client.get(f"/komitmen/regulasi/?region={MUBA}").content.decode()
    assert f'href="/komitmen/regulasi/{perbup.pk}/hapus/"' in listing
    confirm = client.get(f"/komitmen/regulasi/{perbup.pk}/hapus/")
    words = text(confirm)
    assert confirm.status_code == 200 and "Aparat desa" in words and "perbup.pdf" in words
    assert 'name="csrfmiddlewaretoken"' in confirm.content.decode() and 'method="post"' in confirm.content.decode()
    assert Instrument.objects.filter(pk=perbup.pk).exists()  # a GET only asks
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/komitmen/regulasi/{perbup.pk}/hapus/")
    assert done.status_code == 302 and done["Location"] == f"/komitmen/regulasi/?region={MUBA}"
    assert not Instrument.objects.filter(pk=perbup.pk).exists() and _documents(settings) == []
    assert "Dihapus" in text(client.get(done["Location"]))
    pergub = Instrument.objects.get(region_id="16")
    assert client.post(f"/komitmen/regulasi/{pergub.pk}/hapus/").status_code == 403
    assert f"/komitmen/regulasi/{pergub.pk}/hapus/" not in client.get("/komitmen/regulasi/").content.decode()


def test_delete_needs_the_csrf_token(world: Any, make_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("kabkota", MUBA))
    perbup = Instrument.objects.get(region_id=MUBA)
    assert client.post(f"/komitmen/regulasi/{perbup.pk}/hapus/").status_code == 403
    assert Instrument.objects.filter(pk=perbup.pk).exists()


def test_budget_unit_partner_and_action_removed_from_their_pages(
    world: Any, client_for: Callable[[str], Client]
) -> None:
    client = client_for("kab_muba")
    line = BudgetCommitment.objects.get(region_id=MUBA, payer="bantuan_keuangan")
    assert f"/komitmen/anggaran/{line.pk}/hapus/" in client.get(f"/komitmen/anggaran/?region={MUBA}").content.decode()
    assert "Bantuan keuangan provinsi" in text(client.get(f"/komitmen/anggaran/{line.pk}/hapus/"))
    assert client.post(f"/komitmen/anggaran/{line.pk}/hapus/").status_code == 302
    assert not BudgetCommitment.objects.filter(pk=line.pk).exists()
    unit = EcosystemUnit.objects.get(name="Pasar Sekayu")
    partner = services.create_partner(None, {"region": MUBA, "name": "Bank Sumsel Babel", "kind": "bank",
                                             "unit": unit.pk})  # fmt: skip
    units_page = client.get(f"/komitmen/ekosistem/?region={MUBA}").content.decode()
    assert f"/komitmen/ekosistem/{unit.pk}/hapus/" in units_page
    assert f"/komitmen/mitra/{partner.pk}/hapus/" in units_page
    assert "Bank Sumsel Babel" in text(client.get(f"/komitmen/ekosistem/{unit.pk}/hapus/"))  # tied partners named
    assert client.post(f"/komitmen/ekosistem/{unit.pk}/hapus/").status_code == 302
    partner.refresh_from_db()
    assert not EcosystemUnit.objects.filter(pk=unit.pk).exists() and partner.unit_id is None
    assert client.post(f"/komitmen/mitra/{partner.pk}/hapus/").status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()
    action = FollowUpAction.objects.create(owner_id=MUBA, decision="Sosialisasi di pasar", status="selesai")  # its own
    assert client.post(f"/komitmen/tindak-lanjut/{action.pk}/hapus/").status_code == 302
    assert not FollowUpAction.objects.filter(pk=action.pk).exists()
    assert {e.action for e in AuditEvent.objects.filter(action__endswith=".delete")} == {
        "commitments.budget.delete", "commitments.unit.delete", "commitments.partner.delete",
        "commitments.action.delete"}  # fmt: skip


def test_meeting_page_lists_its_actions_owners_due_dates_and_status(
    world: Any, client_for: Callable[[str], Client]
) -> None:
    meeting = world["meeting"]
    page = client_for("provinsi").get(f"/komitmen/rapat/{meeting.pk}/")
    words = text(page)
    assert page.status_code == 200
    assert "Kelembagaan desa" in words and "Novotel Palembang" in words and "Ditjen Bina Pemdes" in words
    assert "2024-12-13" in words and "Kabupaten Musi Banyuasin" in words and "Kota Palembang" in words
    assert "2025-03-31" in words and "terlambat" in words and "Selesai" in words
    body = page.content.decode()
    assert f"/komitmen/rapat/{meeting.pk}/ubah/" in body and f"/komitmen/rapat/{meeting.pk}/hapus/" in body
    assert f"/komitmen/tindak-lanjut/baru/?region=16&amp;meeting={meeting.pk}" in body
    assert len(re.findall(r'<tr data-id="\d+"', body)) == 4


def test_kabkota_reads_the_provinces_meeting_with_its_own_actions_only(
    world: Any, client_for: Callable[[str], Client]
) -> None:
    meeting = world["meeting"]
    client = client_for("kab_muba")
    listing = client.get("/komitmen/rapat/")
    assert f'href="/komitmen/rapat/{meeting.pk}/"' in listing.content.decode()
    assert "Kelembagaan desa" in text(listing)
    page = client.get(f"/komitmen/rapat/{meeting.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "Kelembagaan desa" in text(page)
    assert len(re.findall(r'<tr data-id="\d+"', body)) == 3  # Muba's two and Sukarami's, not Palembang's
    assert "Kota Palembang" not in text(page) and "rapat wilayah di atas Anda" in text(page)
    assert f"/komitmen/rapat/{meeting.pk}/ubah/" not in body and f"/komitmen/rapat/{meeting.pk}/hapus/" not in body
    assert client.get(f"/komitmen/rapat/{meeting.pk}/ubah/").status_code == 403
    assert client.post(f"/komitmen/rapat/{meeting.pk}/hapus/").status_code == 403
    assert client_for("desa").get(f"/komitmen/rapat/{meeting.pk}/").status_code == 200  # Sukarami owns one


def test_meeting_edited(world: Any, client_for: Callable[[str], Client]) -> None:
    meeting = world["meeting"]
    client = client_for("provinsi")
    form = client.get(f"/komitmen/rapat/{meeting.pk}/ubah/")
    assert form.status_code == 200 and 'value="Kelembagaan desa"' in form.content.decode()
    data = {"region": "16", "date": "2024-12-13", "title": "Kelembagaan desa (Sumsel)", "place": "Novotel Palembang",
            "organiser": "Ditjen Bina Pemdes Kemendagri", "summary": "Tiga pengungkit"}  # fmt: skip
    done = client.post(f"/komitmen/rapat/{meeting.pk}/ubah/", data)
    assert done.status_code == 302 and done["Location"] == f"/komitmen/rapat/{meeting.pk}/"
    meeting.refresh_from_db()
    assert (meeting.title, meeting.organiser, meeting.summary) == (
        "Kelembagaan desa (Sumsel)",
        "Ditjen Bina Pemdes Kemendagri",
        "Tiga pengungkit",
    )
    event = AuditEvent.objects.get(action="commitments.meeting.update")
    assert event.changes["title"] == ["Kelembagaan desa", "Kelembagaan desa (Sumsel)"]
    missing = client.post(f"/komitmen/rapat/{meeting.pk}/ubah/", {**data, "title": ""})
    assert missing.status_code == 200 and "title" in missing.context["form"].errors


def test_action_edited(world: Any, client_for: Callable[[str], Client], make_user: Any) -> None:
    """The province decided the action at its meeting: Muba, which owns it, reports progress (status, note) but
    neither rewrites the decision or its due date nor removes it; the province does."""
    action = FollowUpAction.objects.get(owner_id=MUBA, status="rencana")
    decision, due = action.decision, action.due_date
    client = client_for("kab_muba")
    form = client.get(f"/komitmen/tindak-lanjut/{action.pk}/ubah/").content.decode()
    assert re.search(r'<textarea[^>]*name="decision"[^>]*disabled', form)  # shown, not editable
    assert not re.search(r'<select[^>]*name="status"[^>]*disabled', form)
    data = {"owner": MUBA, "meeting": action.meeting_id, "decision": "Susun Perbup RT/RW", "due_date": "2026-06-30",
            "status": "berjalan", "note": ""}  # fmt: skip
    # the service refuses what the disabled fields would have changed (the API and a hand-made POST alike)
    with pytest.raises(services.CommitmentForbidden, match=r"status dan catatannya / .*status and note"):
        services.update_action(make_user("kabkota", MUBA), action.pk, data)
    client.post(f"/komitmen/tindak-lanjut/{action.pk}/ubah/", data)  # the page ignores the disabled fields
    action.refresh_from_db()
    assert (action.decision, action.due_date) == (decision, due)
    assert client.post(f"/komitmen/tindak-lanjut/{action.pk}/hapus/").status_code == 403
    progress = {"status": "berjalan", "note": "Draf di bagian hukum"}  # what a browser sends: no disabled fields
    assert client.post(f"/komitmen/tindak-lanjut/{action.pk}/ubah/", progress).status_code == 302
    action.refresh_from_db()
    assert (action.decision, action.due_date, action.status, action.note) == (decision, due, "berjalan",
                                                                              "Draf di bagian hukum")  # fmt: skip
    province = client_for("provinsi")
    assert province.post(f"/komitmen/tindak-lanjut/{action.pk}/ubah/", data).status_code == 302
    action.refresh_from_db()
    assert (action.decision, str(action.due_date)) == ("Susun Perbup RT/RW", "2026-06-30")
    other = FollowUpAction.objects.get(owner_id=PALEMBANG)
    assert client.get(f"/komitmen/tindak-lanjut/{other.pk}/ubah/").status_code == 404


def test_the_api_lists_the_provinces_meeting_read_only(world: Any, client_for: Callable[[str], Client]) -> None:
    meeting = world["meeting"]
    client = client_for("kab_muba")
    listed = client.get("/api/v1/commitments/meetings").json()
    assert [m["id"] for m in listed] == [meeting.pk] and listed[0]["region"] == "16"
    patch = client.patch(f"/api/v1/commitments/meetings/{meeting.pk}", {"title": "X"}, content_type="application/json")
    assert patch.status_code == 403
    assert client.delete(f"/api/v1/commitments/meetings/{meeting.pk}").status_code == 403
    assert client_for("kab_plg").get("/api/v1/commitments/meetings").json()[0]["id"] == meeting.pk


def test_a_status_changed_on_the_meetings_page_returns_there(world: Any, client_for: Callable[[str], Client]) -> None:
    meeting = world["meeting"]
    late = FollowUpAction.objects.get(owner_id=MUBA, status="rencana")
    client = client_for("kab_muba")
    assert f'name="meeting" value="{meeting.pk}"' in client.get(f"/komitmen/rapat/{meeting.pk}/").content.decode()
    done = client.post(f"/komitmen/tindak-lanjut/{late.pk}/status/", {f"a{late.pk}-status": "selesai",
                                                                     "meeting": str(meeting.pk)})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == f"/komitmen/rapat/{meeting.pk}/"
    late.refresh_from_db()
    assert late.status == "selesai"
    edit = client.get(f"/komitmen/tindak-lanjut/{late.pk}/ubah/")  # the province's meeting stays a choice
    assert (meeting.pk, f"2024-12-13 {meeting.title}") in list(edit.context["form"].fields["meeting"].choices)


def test_english(world: Any, client_for: Callable[[str], Client]) -> None:
    meeting = world["meeting"]
    client = client_for("kab_muba")
    client.cookies["django_language"] = "en"
    page = text(client.get(f"/komitmen/rapat/{meeting.pk}/"))
    assert "a meeting of a region above yours" in page and "Follow-up actions" in page and "Organiser" in page
    assert "rapat wilayah di atas Anda" not in page and "Penyelenggara" not in page
    perbup = Instrument.objects.get(region_id=MUBA)
    confirm = text(client.get(f"/komitmen/regulasi/{perbup.pk}/hapus/"))
    assert "Delete regulation" in confirm and "Yes, delete" in confirm and "set its status to Revoked" in confirm
    assert "Hapus regulasi" not in confirm and "Ya, hapus" not in confirm
    assert "Meetings of this region" in text(client.get("/komitmen/rapat/"))


def test_deleting_a_unit_audits_its_partners_and_spares_those_of_regions_above(world: Any, make_user: Any) -> None:
    """A unit's partners stay without it (on_delete SET_NULL): each partner's change is audited like an edit, and
    a partner the user may not change (the province's, tied to a unit of Musi Banyuasin) refuses the removal."""
    officer = make_user("kabkota", MUBA)
    unit = EcosystemUnit.objects.get(name="Pasar Sekayu")
    provincial = services.create_partner(None, {"region": "16", "name": "Bank Sumsel Babel", "kind": "bank",
                                                "unit": unit.pk})  # fmt: skip
    with pytest.raises(services.CommitmentForbidden):
        services.delete_unit(officer, unit.pk)
    provincial.refresh_from_db()
    assert provincial.unit_id == unit.pk and EcosystemUnit.objects.filter(pk=unit.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="commitments.", action__endswith=".delete").exists()

    provincial.delete()
    own = services.create_partner(None, {"region": MUBA, "name": "Koperasi Sekayu", "kind": "koperasi",
                                         "unit": unit.pk})  # fmt: skip
    services.delete_unit(officer, unit.pk)
    own.refresh_from_db()
    assert own.unit_id is None and not EcosystemUnit.objects.filter(pk=unit.pk).exists()
    event = AuditEvent.objects.get(action="commitments.partner.update", object_id=str(own.pk))
    assert event.changes == {"unit": [unit.pk, None]} and event.region_code == MUBA
