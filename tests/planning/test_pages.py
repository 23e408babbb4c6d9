"""The planning pages: the form with defaults from the data, an answer without saving, saving (planning roles
only), a saved scenario, the comparison, infeasible answers, bad input, English, scoping."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.coverage.test_dashboard_page import login
from tests.planning.conftest import MUBA, PALEMBANG, UNIT_COST
from ucj.planning.models import Scenario

pytestmark = pytest.mark.usefixtures("plan_world")
FORM = {"region": "16", "year": "2025", "question": "max_coverage", "budget": "20.160.000",
        "start_month": "1", "months": "12", "share_provinsi": "60", "share_kabkota": "40", "limit_provinsi": "",
        "groups": ["rentan", "rt_rw", "rentan_belum_terdata"], "floor": "none", "floor_share": "",
        "name": ""}  # fmt: skip


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_form_starts_from_the_data(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get("/rencana/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["year"].value() == 2025  # the data end in December 2024: next year's budget
    assert (form["region"].value(), form["share_provinsi"].value(), form["share_kabkota"].value()) == ("16", 100, 0)
    assert {c[0] for c in form.fields["region"].choices} >= {"16", MUBA, PALEMBANG}
    muba = login(make_user, "kabkota", MUBA).get("/rencana/").context["form"]
    assert [c[0] for c in muba.fields["region"].choices] == [MUBA] and muba["share_kabkota"].value() == 100


def test_the_dashboard_links_to_a_plan_for_its_region(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    assert "/rencana/?region=16.06&amp;year=2025" in client.get("/cakupan/?region=16.06").content.decode()
    assert client.get("/rencana/?region=16.06").context["form"]["region"].value() == MUBA


def test_hitung_answers_without_saving(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").post("/rencana/", {**FORM, "run": "1"})
    assert response.status_code == 200 and not Scenario.objects.exists()
    page = text(response)
    assert "Pekerja didanai 100" in page and "Biaya Rp 20.160.000" in page and "32,67% → 39,33%" in page
    assert "APBD provinsi: Rp 12.096.000" in page
    assert response.context["result"]["by_payer"] == {"apbd_provinsi": 60 * UNIT_COST, "apbd_kabkota": 40 * UNIT_COST}


def test_simpan_saves_and_shows_the_scenario(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    response = client.post("/rencana/", {**FORM, "name": "Rp 20 juta", "save": "1"})
    saved = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rencana/{saved.pk}/"
    page = client.get(f"/rencana/{saved.pk}/")
    assert page.status_code == 200 and "Rp 20 juta" in text(page)
    assert f"/api/v1/plans/{saved.pk}/rka.xlsx" in page.content.decode()


@pytest.mark.parametrize("role", ["viewer", "bpjs"])
def test_only_planning_roles_may_save(make_user: Callable[..., Any], role: str) -> None:
    client = login(make_user, role, "16")
    assert 'name="save"' not in client.get("/rencana/").content.decode()
    assert client.post("/rencana/", {**FORM, "save": "1"}).status_code == 403
    assert client.post("/rencana/", {**FORM, "run": "1"}).status_code == 200  # looking is fine
    assert not Scenario.objects.exists()


def test_a_region_outside_the_scope_is_not_offered(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "kabkota", MUBA).post("/rencana/", {**FORM, "region": PALEMBANG, "run": "1"})
    assert response.status_code == 200 and "region" in response.context["form"].errors


def test_saved_scenarios_stay_in_their_region(make_user: Callable[..., Any]) -> None:
    login(make_user, "provinsi", "16").post("/rencana/", {**FORM, "name": "Provinsi", "save": "1"})
    saved = Scenario.objects.get()
    muba = login(make_user, "kabkota", MUBA)
    assert muba.get(f"/rencana/{saved.pk}/").status_code == 404
    assert muba.get(f"/rencana/banding/?ids={saved.pk}").status_code == 404
    assert "Provinsi" not in text(muba.get("/rencana/"))


def test_infeasible_scenario_lists_the_reasons(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").post("/rencana/", {**FORM, "floor": "target", "run": "1"})
    page = text(response)
    assert "Skenario ini tidak dapat dipenuhi" in page
    assert "Anggaran Rp 20.160.000 tidak cukup untuk batas bawah semua wilayah" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"budget": "dua puluh juta"}, "budget"), ({"share_kabkota": "30"}, "share_kabkota"), ({"budget": ""}, "budget")],
)
def test_bad_input_is_a_form_error(make_user: Callable[..., Any], changes: dict[str, str], field: str) -> None:
    response = login(make_user, "provinsi", "16").post("/rencana/", {**FORM, **changes, "run": "1"})
    assert response.status_code == 200 and field in response.context["form"].errors


def test_months_past_december_are_refused_in_one_language(make_user: Callable[..., Any]) -> None:
    """The service's message is bilingual (CLI, API); the page shows the half of its language (issue 16 item 9)."""
    client = login(make_user, "provinsi", "16")
    response = client.post("/rencana/", {**FORM, "start_month": "6", "run": "1"})
    assert "melewati Desember" in text(response) and "run past December" not in text(response)
    client.post("/i18n/setlang/", {"language": "en", "next": "/rencana/"})
    english = text(client.post("/rencana/", {**FORM, "start_month": "6", "run": "1"}))
    assert "run past December" in english and "melewati Desember" not in english


def test_comparison_side_by_side(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    client.post("/rencana/", {**FORM, "name": "A", "save": "1"})
    client.post("/rencana/", {**FORM, "name": "B", "question": "min_budget", "budget": "", "save": "1"})
    a, b = Scenario.objects.order_by("pk")
    response = client.get(f"/rencana/banding/?ids={a.pk}&ids={b.pk}")
    assert response.status_code == 200
    assert [r["funded"] for r in response.context["rows"]] == [100, 260]
    assert "Kab/kota mencapai target" in text(response)


def test_english(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    client.post("/i18n/setlang/", {"language": "en", "next": "/rencana/"})
    page = text(client.post("/rencana/", {**FORM, "floor": "target", "run": "1"}))
    assert "Budget plans" in page and "cannot meet every region's floor" in page


def test_the_form_needs_csrf(make_user: Callable[..., Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("provinsi", "16"))
    assert client.post("/rencana/", {**FORM, "run": "1"}).status_code == 403


def test_login_required(db: Any) -> None:
    assert Client().get("/rencana/").status_code == 302


def test_the_form_refuses_dana_desa_for_rt_rw_with_the_reason(make_user: Callable[..., Any]) -> None:
    """Issue 12 item 13 (domain.md §2 and §6, Permendagri 15/2023 Lampiran): APBDes paying RT/RW heads from Dana
    Desa is a form error naming the rule, in Indonesian and English; from ADD the same plan runs."""
    client = login(make_user, "kabkota", MUBA)
    form = {**FORM, "region": MUBA, "share_provinsi": "0", "share_kabkota": "0", "share_apbdes": "100",
            "apbdes_source": "dana_desa", "groups": ["rt_rw"], "run": "1"}  # fmt: skip
    page = text(client.post("/rencana/", form))
    assert "tidak boleh dibayar dari Dana Desa (Permendagri 15/2023 Lampiran)" in page
    assert "may not be paid from Dana Desa" in page and "Pekerja didanai" not in page
    answer = client.post("/rencana/", {**form, "apbdes_source": "add"})
    assert answer.context["result"]["funded"] == 3  # the three RT heads of Sukarami, paid by its APBDes (ADD)


def test_the_answer_shows_renewals_new_workers_and_the_lapse_rate(make_user: Callable[..., Any]) -> None:
    """Issue 12 items 12 and 14: two workers Musi Banyuasin already pays are renewed (Rp 403,200) before new
    ones; a lapse rate of 10 % typed on the form: 0.1 × 2 renewals = 0.2 → 0 lapse among them (half up), and
    0.1 × 160 self-paying BPU = 16 expected lapses (hand count)."""
    from tests.planning.conftest import person
    from ucj.coverage.services import bump_version

    for n in (70, 71):
        person(n, payer="apbd_kabkota", paid_through=dt.date(2024, 12, 31))
    bump_version()
    client = login(make_user, "kabkota", MUBA)
    form = {**FORM, "region": MUBA, "share_provinsi": "0", "share_kabkota": "100", "lapse_rate": "10", "run": "1"}
    response = client.post("/rencana/", form)
    page = text(response)
    assert "Peserta lanjutan: 2 pekerja, Rp 403.200" in page
    assert "Laju berhenti 10,0 % setahun (isian skenario): 16 pekerja diperkirakan berhenti" in page
    assert response.context["result"]["renewals"]["cost"] == 2 * UNIT_COST


@pytest.mark.parametrize("budget", ["20.160.000", "Rp 20.160.000,-", "20,16 juta", "20160000"])
def test_the_budget_takes_indonesian_number_forms(make_user: Callable[..., Any], budget: str) -> None:
    """One parser for every money field (ucj.amounts): 20,16 juta = Rp 20.160.000 = 100 workers × Rp 201.600."""
    response = login(make_user, "provinsi", "16").post("/rencana/", {**FORM, "budget": budget, "run": "1"})
    assert response.status_code == 200 and response.context["form"].errors == {}
    assert response.context["form"].cleaned_data["budget"] == 20_160_000
