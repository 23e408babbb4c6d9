"""The planning page's layout and language (issue 16 items 7, 9, 11): labels above aligned fields with each error
next to its field, a kab/kota plan broken down by kecamatan (not one full-width bar), groups in the page's
language, the region as a picker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.coverage.test_dashboard_page import login
from tests.planning.conftest import MUBA, UNIT_COST
from tests.planning.test_pages import text

pytestmark = pytest.mark.usefixtures("plan_world")
KAB = {"region": MUBA, "year": "2025", "question": "max_coverage", "budget": "Rp 20.160.000,-", "start_month": "1",
       "months": "12", "share_provinsi": "0", "share_kabkota": "100", "groups": ["rentan", "rt_rw",
       "rentan_belum_terdata"], "floor": "none", "run": "1"}  # fmt: skip


def test_a_kabkota_plan_breaks_down_by_kecamatan(make_user: Callable[..., Any]) -> None:
    """Rp 20.160.000 = 100 workers × Rp 201.600 in Musi Banyuasin: the 13 listed candidates of Desa Sukarami
    (kecamatan 16.06.01) and unlisted vulnerable workers counted per kab/kota only; the rows add up to 100."""
    response = login(make_user, "kabkota", MUBA).post("/rencana/", KAB)
    result = response.context["result"]
    assert result["funded"] == 100
    rows = result["kecamatan"]
    assert sum(r["funded"] for r in rows) == 100 and sum(r["cost"] for r in rows) == 100 * UNIT_COST
    listed = [r for r in rows if r["code"]]
    assert [r["code"] for r in listed] == ["16.06.01"] and listed[0]["villages"] == 1
    assert listed[0]["funded"] == sum(d["funded"] for d in result["desa"])
    assert rows[-1]["code"] == "" and rows[-1]["name"] == "Pekerja rentan belum terdata per desa"
    assert result["chart"]["names"] == [r["name"] for r in rows]  # the chart shows the kecamatan, not one bar
    body = response.content.decode()
    assert 'id="kecamatan-table"' in body and "Per kecamatan" in text(response)


def test_a_province_plan_keeps_the_kabkota_rows(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").post("/rencana/", {**KAB, "region": "16", "share_provinsi": "100",
                                                                     "share_kabkota": "0"})  # fmt: skip
    assert response.context["result"]["kecamatan"] == [] and 'id="kecamatan-table"' not in response.content.decode()


def test_each_error_is_next_to_its_field(make_user: Callable[..., Any]) -> None:
    response = login(make_user, "kabkota", MUBA).post("/rencana/", {**KAB, "budget": "dua puluh juta",
                                                                    "months": "13"})  # fmt: skip
    body = response.content.decode()
    budget = body.split('<label for="id_budget">', 1)[1].split("</p>", 1)[0]
    assert 'class="field-error" id="id_budget-error">Tulis jumlah rupiah dengan angka' in budget
    months = body.split('<label for="id_months">', 1)[1].split("</p>", 1)[0]
    assert 'class="field-error"' in months and "Tulis jumlah" not in months


def test_english_page_has_english_group_names(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "kabkota", MUBA)
    client.post("/i18n/setlang/", {"language": "en", "next": "/rencana/"})
    response = client.post("/rencana/", KAB)
    groups = [label for _key, label in response.context["form"].fields["groups"].choices]
    rows = [g["label"] for g in response.context["result"]["group_rows"]]
    from ucj.planning.groups import GROUPS

    assert groups == [names[1] for names in GROUPS.values()] and set(rows) <= set(groups)
    assert not set(groups) & {names[0] for names in GROUPS.values()} - {names[1] for names in GROUPS.values()}


def test_the_region_is_a_picker(make_user: Callable[..., Any]) -> None:
    body = login(make_user, "provinsi", "16").get("/rencana/").content.decode()
    assert 'data-region-picker=""' in body and 'data-max-level="2"' in body
