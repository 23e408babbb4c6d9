"""Loading person lists and BPJS files through the pages (a dry run with findings by row, then the confirmation),
and the candidate page built from them. Data and hand-computed outcomes: :mod:`tests.targeting.lists_world`
(on 30 November 2026)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.targeting.lists_world import AS_OF, BPJS, DTSEN, EXPECTED_EXCLUDED, POPULATION, SUKARAMI, add_lina
from tests.targeting.test_pages import text
from tests.targeting.web_world import client_for_fixture  # noqa: F401 (fixture)
from ucj.accounts.models import AuditEvent
from ucj.targeting.models import BpjsFile, Enrolment, ListPerson, ListSource

pytestmark = pytest.mark.django_db
LIST_URL, BPJS_URL = "/sasaran/muatan/daftar/unggah/", "/sasaran/muatan/bpjs/unggah/"
#: DTSEN with a row whose NIK Excel turned into a number (row 4 of the file: title, header, Budi, this one).
DAMAGED = DTSEN.replace("1606015203920004;Ani Rahma", "1,60602E+15;Ani Rahma")


@pytest.fixture(autouse=True)
def on_30_november(monkeypatch: pytest.MonkeyPatch) -> None:
    """The world's day: ages, the lapse rule and BPJS dates are computed on 30 November 2026."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)


def csv(content: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def preview_list(client: Client, content: str = DTSEN, **form: str) -> Any:
    data = {"file": csv(content, "dtsen.csv"), "source": "DTSEN 2025", "region": "16.06", **form}
    return client.post(LIST_URL, data)


def test_a_list_is_checked_first_then_loaded(client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    response = preview_list(client, DAMAGED)
    assert response.status_code == 200 and response.context["confirm"] is not None
    report = response.context["r"]
    assert (report.rows, report.accepted, report.rejected) == (5, 4, 1)
    assert [(f["row"], f["code"]) for f in response.context["findings"]] == [(4, "NIK_EXCEL_FLOAT")]
    page = text(response)
    assert "NIK_EXCEL_FLOAT" in page and "Belum ada yang disimpan" in page
    assert not ListSource.objects.exists()  # a dry run stores nothing
    token = response.context["confirm"]["token"].value()
    loaded = client.post(LIST_URL, {"token": token, "load": "1"})
    source = ListSource.objects.get()
    assert loaded.status_code == 302 and loaded["Location"] == f"/sasaran/muatan/daftar/{source.pk}/"
    assert (source.name, source.kind, source.region_id, source.accepted, source.rejected) == (
        "DTSEN 2025", "dtsen", "16.06", 4, 1)  # fmt: skip
    assert ListPerson.objects.filter(source=source).count() == 4
    detail = text(client.get(loaded["Location"]))
    assert "DTSEN 2025" in detail and "NIK_EXCEL_FLOAT" in detail
    assert "DTSEN 2025" in text(client.get("/sasaran/muatan/"))
    again = client.post(LIST_URL, {"token": token, "load": "1"}, follow=True)  # the held file is used up
    assert "sudah tidak tersedia" in text(again) and ListSource.objects.count() == 1


def test_cancel_loads_nothing(client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    token = preview_list(client).context["confirm"]["token"].value()
    assert client.post(LIST_URL, {"token": token, "cancel": "1"})["Location"] == LIST_URL
    assert client.post(LIST_URL, {"token": token, "load": "1"}).status_code == 302
    assert not ListSource.objects.exists()


def test_a_village_loads_only_its_own_population(client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    form = client.get(LIST_URL).context["form"]
    assert [c for c, _ in form.fields["region"].choices] == [SUKARAMI]
    refused = preview_list(client)  # region 16.06: not offered
    assert refused.status_code == 200 and "region" in refused.context["form"].errors
    response = client.post(LIST_URL, {"file": csv(POPULATION, "penduduk.csv"), "source": "Penduduk Sukarami",
                                      "region": SUKARAMI})  # fmt: skip
    assert response.status_code == 200 and response.context["r"].accepted == 5
    assert response.context["r"].kind == "population"  # told from the source name


def test_a_file_that_is_no_list_is_refused_on_the_form(client_for: Callable[[str], Client]) -> None:
    response = preview_list(client_for("kab_muba"), "apa ini\nbukan daftar\n")
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert "confirm" not in response.context


def test_bpjs_file_answer_then_load(client_for: Callable[[str], Client]) -> None:
    from ucj.targeting import services

    add_lina()
    services.import_list(DTSEN.encode(), "dtsen.csv", source="DTSEN 2025", region="16.06")
    services.import_list(POPULATION.encode(), "penduduk.csv", source="Penduduk Sukarami", region=SUKARAMI)
    joko = Enrolment.objects.create(nik="1606010101800005", name="Joko Susilo", desa_id=SUKARAMI, region_id="16.06")
    client = client_for("bpjs")
    response = client.post(BPJS_URL, {"file": csv(BPJS, "bpjs.csv"), "as_of": "2026-11-01"})
    assert response.status_code == 200 and response.context["confirm"] is not None
    page = text(response)
    assert "1606011212900011" in page  # BPJS knows, no list or registry does
    assert "1606015010900010" in page  # Lina: in the registry, unknown to BPJS
    assert "Hasan Basri Bin Umar" in page and "Hasan Basri" in page  # a name disagreement, for review
    assert [(f["row"], f["code"]) for f in response.context["findings"]] == [(4, "NAME_DISAGREES")]
    assert not BpjsFile.objects.exists()
    loaded = client.post(BPJS_URL, {"token": response.context["confirm"]["token"].value(), "load": "1"})
    bfile = BpjsFile.objects.get()
    assert loaded.status_code == 200 and loaded.context["confirm"] is None and bfile.as_of == dt.date(2026, 11, 1)
    assert loaded.context["moved"] == [("registered", "Terdaftar", 1)]
    assert Enrolment.objects.get(pk=joko.pk).status == "registered"  # BPJS knows him (non-aktif): registered
    detail = text(client.get(f"/sasaran/muatan/bpjs/{bfile.pk}/"))
    assert "NIK dikenal BPJS, tidak ada di daftar maupun registri 1" in detail


def test_candidates_page_in_priority_order_with_exclusions(client_for: Callable[[str], Client]) -> None:
    from python_calamine import CalamineWorkbook

    from tests.targeting.lists_world import EXPECTED_ORDER, load_world

    load_world()
    client = client_for("kab_muba")
    response = client.get("/sasaran/kandidat/?region=16.06")
    assert response.status_code == 200
    rows = response.context["rows"]
    # Budi is in both lists: the village's own export gives his name as written there
    assert [r["name"] for r in rows] == ["Siti Aminah", "BUDI SANTOSO", "Joko Susilo", "Hasan Basri"]
    assert {r["nik"] for r in rows} == {"16**************"}  # a list never shows a full NIK
    assert {code: n for code, _, n in response.context["excluded"]} == EXPECTED_EXCLUDED
    assert "TNI/Polri" in text(response)
    decile = client.get("/sasaran/kandidat/?region=16.06&max_decile=1")
    # unknown deciles stay (the limit cannot be checked); Joko (decile 2) is left out and counted
    assert [r["name"] for r in decile.context["rows"]] == ["Siti Aminah", "BUDI SANTOSO", "Hasan Basri"]
    assert {code: n for code, _, n in decile.context["excluded"]}["decile_above"] == 1
    download = client.get("/sasaran/kandidat.xlsx?region=16.06")
    assert download.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0).to_python()
    assert [str(r[1]) for r in sheet[1:]] == EXPECTED_ORDER  # the workbook: full NIKs for the kab/kota
    assert AuditEvent.objects.filter(action="targeting.candidates_export", region_code="16.06").count() == 1
    village = client_for("provinsi").get(f"/sasaran/kandidat/?region={SUKARAMI}")  # picked in the region tree
    assert village.context["form"].is_valid() and village.context["result"].count == 4
    assert "data-region-picker" in village.content.decode()
    viewer = client_for("viewer").get("/sasaran/kandidat/?region=16.06")
    assert "Siti Aminah" not in viewer.content.decode() and "S*** A*****" in viewer.content.decode()
    assert 'id="to-worklists"' not in viewer.content.decode()


def test_candidates_go_on_the_worklists(client_for: Callable[[str], Client]) -> None:
    from tests.targeting.lists_world import EXPECTED_ORDER, load_world

    load_world()
    client = client_for("kab_muba")
    assert 'id="to-worklists"' in client.get("/sasaran/kandidat/?region=16.06").content.decode()
    response = client.post("/sasaran/kandidat/ke-daftar-kerja/", {"region": "16.06"}, follow=True)
    assert "4 orang ditambahkan" in text(response)
    worklist = client_for("desa").get(f"/sasaran/daftar-kerja/{SUKARAMI}/").context["rows"]
    assert [r["status"] for r in worklist] == ["identified"] * 4
    assert sorted(Enrolment.objects.values_list("nik", flat=True)) == sorted(EXPECTED_ORDER)
    again = client.post("/sasaran/kandidat/ke-daftar-kerja/", {"region": "16.06"}, follow=True)
    assert "0 orang ditambahkan" in text(again) and Enrolment.objects.count() == 4
    assert client.post("/sasaran/kandidat/ke-daftar-kerja/", {"region": "16.06", "max_decile": "11"}).status_code == 400


def test_a_saved_plan_goes_on_the_worklists(client_for: Callable[[str], Client]) -> None:
    """The plan's enrolment list (ucj.planning.services.enrolment, here two people: one the officer sees in full,
    one masked) feeds the same worklists."""
    from unittest import mock

    import polars as pl

    from ucj.planning.models import Scenario

    scenario = Scenario.objects.create(name="Rencana 2027", region_id="16.06", year=2027, question="budget", spec={},
                                       result={})  # fmt: skip
    people = pl.DataFrame({"desa": [SUKARAMI, SUKARAMI], "nik": ["1606011505850003", "16**************"],
                           "name": ["Budi Santoso", "A****"], "decile": [1, 2]})  # fmt: skip
    client = client_for("kab_muba")
    page = client.get("/sasaran/kandidat/?region=16.06")
    assert 'id="plan-to-worklists"' in page.content.decode() and "Rencana 2027" in text(page)
    with mock.patch("ucj.planning.services.enrolment", return_value={"people": people}):
        response = client.post("/sasaran/kandidat/dari-rencana/", {"plan": str(scenario.pk)}, follow=True)
    assert "Dari rencana “Rencana 2027”: 1 orang ditambahkan" in text(response)
    assert "1 orang rencana itu tidak dapat Anda lihat" in text(response)
    budi = Enrolment.objects.get()
    assert (budi.nik, budi.plan_id, budi.desa_id) == ("1606011505850003", scenario.pk, SUKARAMI)
    assert client_for("viewer").post("/sasaran/kandidat/dari-rencana/", {"plan": str(scenario.pk)}).status_code == 403
    assert client_for("kab_plg").post("/sasaran/kandidat/dari-rencana/", {"plan": str(scenario.pk)}).status_code == 404
    assert 'id="plan-to-worklists"' not in client_for("viewer").get("/sasaran/kandidat/?region=16.06").content.decode()


def test_a_file_over_the_upload_limit_is_refused_unread(client_for: Callable[[str], Client],
                                                        settings: Any) -> None:  # fmt: skip
    settings.UCJ_MAX_UPLOAD_MB = 0  # every file is too large
    response = preview_list(client_for("kab_muba"))
    assert response.status_code == 413 and "Berkas terlalu besar" in text(response)
    assert not ListSource.objects.exists()


def test_a_dry_run_over_the_rate_is_429_on_the_form(client_for: Callable[[str], Client], settings: Any) -> None:
    """The upload page's first step is a dry run: over UCJ_DRY_RUN_RATE it answers 429 with the message on the form
    (as the registry throttles dry runs), not 403 — the officer may load lists, just not check so many."""
    from django.core.cache import cache

    cache.clear()
    settings.UCJ_DRY_RUN_RATE = "1/hour"
    client = client_for("kab_muba")
    assert preview_list(client).status_code == 200
    over = preview_list(client)
    assert over.status_code == 429 and "Terlalu banyak uji coba" in text(over)
    assert not ListSource.objects.exists()
