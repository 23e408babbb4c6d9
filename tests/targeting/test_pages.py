"""The village worklist pages (``/sasaran/daftar-kerja/``): content in priority order, the status changes the
pipeline allows (and the ones it refuses), history, the collective registration file, masking per role and
scope. The world: :mod:`tests.targeting.web_world`."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.targeting.web_world import (
    LUMPATAN,
    PALEMBANG,
    SUKARAMI,
    SUKARAMI_PEOPLE,
    Worklists,
    client_for_fixture,  # noqa: F401 (fixture)
    worklists_fixture,  # noqa: F401 (fixture)
)
from ucj.accounts.models import AuditEvent
from ucj.targeting.models import Enrolment, EnrolmentEvent, SubmissionFile

pytestmark = pytest.mark.django_db
WORKLIST = f"/sasaran/daftar-kerja/{SUKARAMI}/"


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def status_of(e: Enrolment) -> str:
    return Enrolment.objects.get(pk=e.pk).status


def test_anonymous_users_are_sent_to_the_login(worklists: Worklists) -> None:
    for path in ("/sasaran/", WORKLIST, f"/sasaran/orang/{worklists.people['Siti Aminah'].pk}/", "/sasaran/muatan/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=")


def test_a_village_operator_lands_on_their_worklist(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    assert client.get("/sasaran/daftar-kerja/")["Location"] == WORKLIST
    response = client.get(WORKLIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["name"] for r in rows] == [p[1] for p in SUKARAMI_PEOPLE]  # priority order, full names
    assert {r["nik"] for r in rows} == {"16**************"}  # a list never shows a full NIK
    page = text(response)
    assert "Siti Aminah" in page and "Hasan Basri" not in page and "Orang Palembang" not in page
    assert "1606014101900012" not in response.content.decode()
    assert 'class="row-action"' in response.content.decode() and 'id="submit-form"' in response.content.decode()


def test_the_village_operator_sees_only_their_village(worklists: Worklists,
                                                      client_for: Callable[[str], Client]) -> None:  # fmt: skip
    client = client_for("desa")
    assert client.get(f"/sasaran/daftar-kerja/{LUMPATAN}/").status_code == 404
    assert client.get(f"/sasaran/daftar-kerja/{PALEMBANG}/").status_code == 404
    assert client.get(f"/sasaran/orang/{worklists.lumpatan.pk}/").status_code == 404
    assert client.post(f"/sasaran/orang/{worklists.lumpatan.pk}/status/", {"status": "contacted"}).status_code == 404
    assert status_of(worklists.lumpatan) == "identified"


def test_the_kabkota_officer_sees_the_villages_of_the_regency(worklists: Worklists,
                                                              client_for: Callable[[str], Client]) -> None:  # fmt: skip
    client = client_for("kab_muba")
    assert client.get(WORKLIST).status_code == 200
    lumpatan = client.get(f"/sasaran/daftar-kerja/{LUMPATAN}/")
    assert lumpatan.status_code == 200 and [r["name"] for r in lumpatan.context["rows"]] == ["Hasan Basri"]
    assert client.get(f"/sasaran/daftar-kerja/{PALEMBANG}/").status_code == 404
    assert client.get("/sasaran/daftar-kerja/16.06.01/").status_code == 404  # a kecamatan is not a worklist


def test_a_viewer_reads_masked_and_without_actions(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    client = client_for("viewer")
    response = client.get(WORKLIST)
    assert response.status_code == 200 and not response.context["can_act"]
    body = response.content.decode()
    assert "Siti Aminah" not in body and "S*** A*****" in body
    assert 'class="row-action"' not in body and 'id="submit-form"' not in body
    siti = worklists.people["Siti Aminah"]
    assert client.post(f"/sasaran/orang/{siti.pk}/status/", {"status": "contacted"}).status_code == 403
    assert client.post(f"{WORKLIST}ajukan/").status_code == 403
    person = client.get(f"/sasaran/orang/{siti.pk}/")
    assert person.status_code == 200 and "Siti Aminah" not in person.content.decode()
    assert 'id="status-form"' not in person.content.decode()
    assert status_of(siti) == "identified" and not SubmissionFile.objects.exists()


def test_mark_contacted_records_who_when_and_from_to(worklists: Worklists,
                                                     client_for: Callable[[str], Client]) -> None:  # fmt: skip
    client = client_for("desa")
    siti = worklists.people["Siti Aminah"]
    response = client.post(f"/sasaran/orang/{siti.pk}/status/", {"status": "contacted"})
    assert response.status_code == 302 and response["Location"] == f"{WORKLIST}#e{siti.pk}"
    assert status_of(siti) == "contacted"
    last = EnrolmentEvent.objects.filter(enrolment=siti).order_by("id").last()
    assert last is not None and (last.from_status, last.to_status, last.via) == ("identified", "contacted", "manual")
    assert last.actor_name.startswith("desa-")
    history = client.get(f"/sasaran/orang/{siti.pk}/")
    rows = [r for r in history.context["history"]]
    assert [(str(r["from"]), str(r["to"])) for r in rows][-1] == ("Teridentifikasi", "Sudah dihubungi")
    assert "Siti Aminah" in text(history) and last.actor_name in text(history)
    assert AuditEvent.objects.filter(action="targeting.enrolment_view", object_id=str(siti.pk)).exists()


def test_a_closing_status_needs_a_reason(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    siti = worklists.people["Siti Aminah"]
    response = client.post(f"/sasaran/orang/{siti.pk}/status/", {"status": "declined", "reason": "  "}, follow=True)
    assert status_of(siti) == "identified" and "Tulis alasannya" in text(response)
    client.post(f"/sasaran/orang/{siti.pk}/", {"status": "moved", "reason": "Pindah ke Palembang"})
    saved = Enrolment.objects.get(pk=siti.pk)
    assert (saved.status, saved.reason) == ("moved", "Pindah ke Palembang")


@pytest.mark.parametrize(("name", "to"), [
    ("Siti Aminah", "registered"),  # registered and active are set by BPJS files and paid bills, never typed
    ("Siti Aminah", "active"),
    ("Siti Aminah", "submitted"),  # submitted only by issuing the collective file
    ("Joko Susilo", "active"),
    ("Budi Santoso", "registered"),
    ("Rudi Hartono", "contacted"),  # declined reopens to identified only
])  # fmt: skip
def test_transitions_outside_the_pipeline_are_refused(worklists: Worklists, client_for: Callable[[str], Client],
                                                      name: str, to: str) -> None:  # fmt: skip
    client = client_for("desa")
    person = worklists.people[name]
    before = status_of(person)
    client.post(f"/sasaran/orang/{person.pk}/status/", {"status": to, "reason": "coba"})
    client.post(f"/sasaran/orang/{person.pk}/", {"status": to, "reason": "coba"})
    assert status_of(person) == before
    assert EnrolmentEvent.objects.filter(enrolment=person, to_status=to, via="manual").count() == 0


def test_rows_offer_only_the_allowed_changes(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    rows = {r["name"]: [c[0] for c in r["choices"]] for r in client_for("desa").get(WORKLIST).context["rows"]}
    assert rows["Siti Aminah"] == ["contacted", "declined", "not_found", "moved", "deceased"]
    assert rows["Joko Susilo"] == ["moved", "deceased"]  # registered: never back, never to active by hand
    assert rows["Dewi Lestari"] == ["moved", "deceased"]
    assert rows["Rudi Hartono"] == ["identified"]


def test_a_refusal_is_said_in_the_pages_language(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    """Nobody contacted in Lumpatan: the service refuses the collective file, in Indonesian or in English."""
    client = client_for("kab_muba")
    url = f"/sasaran/daftar-kerja/{LUMPATAN}/ajukan/"
    indonesian = text(client.post(url, follow=True))
    assert "Tidak ada orang berstatus 'sudah dihubungi'" in indonesian and "nobody" not in indonesian
    client.cookies["django_language"] = "en"
    english = text(client.post(url, follow=True))
    assert "nobody is in status 'contacted'" in english and "Tidak ada orang" not in english
    assert not SubmissionFile.objects.exists()


def test_submit_puts_contacted_people_in_a_collective_file(worklists: Worklists,
                                                           client_for: Callable[[str], Client]) -> None:  # fmt: skip
    from python_calamine import CalamineWorkbook

    client = client_for("desa")
    siti, budi = worklists.people["Siti Aminah"], worklists.people["Budi Santoso"]
    client.post(f"/sasaran/orang/{siti.pk}/status/", {"status": "contacted"})
    response = client.post(f"{WORKLIST}ajukan/")
    assert response.status_code == 302
    made = SubmissionFile.objects.get()
    assert made.people == 2 and made.region_id in (SUKARAMI, "16.06")
    assert (status_of(siti), status_of(budi)) == ("submitted", "submitted")
    assert status_of(worklists.people["Ani Rahma"]) == "submitted"  # already submitted: unchanged
    page = client.get(WORKLIST)
    assert made.file_name in text(page)
    download = client.get(f"/sasaran/berkas-kolektif/{made.pk}/")
    assert download.status_code == 200 and made.file_name in download["Content-Disposition"]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0).to_python()
    cells = {str(c) for row in sheet for c in row}
    assert {"1606014101900012", "1606011505850003"} <= cells and "1606015203920004" not in cells
    assert AuditEvent.objects.filter(action="targeting.submission_download", object_id=str(made.pk)).exists()
    assert client_for("viewer").get(f"/sasaran/berkas-kolektif/{made.pk}/").status_code == 403
    assert client_for("kab_plg").get(f"/sasaran/berkas-kolektif/{made.pk}/").status_code == 404


def test_the_worklist_workbook(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    from python_calamine import CalamineWorkbook

    response = client_for("desa").get(f"{WORKLIST}daftar-kerja.xlsx")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    text_cells = " ".join(str(c) for row in sheet for c in row)
    assert all(name in text_cells for _, name, *_ in SUKARAMI_PEOPLE) and "Hasan Basri" not in text_cells
    assert "1606014101900012" in text_cells  # the operator's workbook: full NIKs (audited)
    assert AuditEvent.objects.filter(action="targeting.worklist_export", region_code=SUKARAMI).count() == 1
    masked = client_for("viewer").get(f"{WORKLIST}daftar-kerja.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(masked.content)).get_sheet_by_index(0).to_python()
    cells = " ".join(str(c) for row in sheet for c in row)
    assert "Siti Aminah" not in cells and "1606014101900012" not in cells and "S*** A*****" in cells


def test_the_worklist_in_english(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    client.cookies["django_language"] = "en"
    page = text(client.get(WORKLIST))
    assert "Village worklist" in page and "Contacted" in page


def test_a_village_of_thousands_pages_through_its_worklist(worklists: Worklists,
                                                           client_for: Callable[[str], Client]) -> None:  # fmt: skip
    """A village with more people than a page: 50 a page in priority order (as the registry's lists), numbered on,
    the pager keeps the status filter; the workbook still holds everyone."""
    from tests.targeting.web_world import enrol

    for i in range(120):
        enrol(f"16060101019{i:05d}", f"Orang {i:03d}", SUKARAMI, priority=100 + i)
    client = client_for("desa")
    first = client.get(WORKLIST)
    assert [r["name"] for r in first.context["rows"]][:6] == [p[1] for p in SUKARAMI_PEOPLE]
    assert len(first.context["rows"]) == 50 and 'aria-label="Halaman"' in first.content.decode()
    last = client.get(WORKLIST + "?status=identified&page=3")
    names = [r["name"] for r in last.context["rows"]]
    assert names == [f"Orang {i:03d}" for i in range(99, 120)]  # 1 + 120 identified people: the third page of 50
    assert "status=identified&amp;page=2" in last.content.decode()
    assert ">101<" in last.content.decode()  # numbered on from the pages before
