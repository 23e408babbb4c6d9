"""``/api/v1/plans…``: run, save, list, show, compare and the two workbooks; scoping and errors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from tests.coverage.test_dashboard_page import login
from tests.planning.conftest import MUBA, PALEMBANG, UNIT_COST

pytestmark = pytest.mark.usefixtures("plan_world")
SPEC = {"region": "16", "year": 2025, "budget": 100 * UNIT_COST, "shares": {"apbd_provinsi": 0.6, "apbd_kabkota": 0.4}}


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_run_answers_without_saving(make_user: Callable[..., Any]) -> None:
    response = post(login(make_user, "viewer", "16"), "/api/v1/plans/run", SPEC)
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["funded"], data["cost"]) == ("optimal", 100, 100 * UNIT_COST)
    assert data["by_payer"] == {"apbd_provinsi": 60 * UNIT_COST, "apbd_kabkota": 40 * UNIT_COST}
    assert len(data["regions"]) == 17 and data["unit_cost"] == UNIT_COST


def test_bad_scenario_is_422_with_the_field(make_user: Callable[..., Any]) -> None:
    response = post(login(make_user, "provinsi", "16"), "/api/v1/plans/run", {**SPEC, "shares": {"apbd_provinsi": 0.5}})
    assert response.status_code == 422 and "shares" in response.json()["detail"]


def test_scoping(make_user: Callable[..., Any]) -> None:
    muba = login(make_user, "kabkota", MUBA)
    assert post(muba, "/api/v1/plans/run", {**SPEC, "region": PALEMBANG}).status_code == 404
    assert post(login(make_user, "viewer", "16"), "/api/v1/plans", {"name": "x", "spec": SPEC}).status_code == 403
    saved = post(login(make_user, "provinsi", "16"), "/api/v1/plans", {"name": "Provinsi", "spec": SPEC})
    assert saved.status_code == 201
    plan = saved.json()["id"]
    assert muba.get(f"/api/v1/plans/{plan}").status_code == 404
    assert muba.get(f"/api/v1/plans/{plan}/rka.xlsx").status_code == 404
    assert muba.get("/api/v1/plans").json() == []
    assert muba.get(f"/api/v1/plans/compare?ids={plan}").status_code == 404


def test_save_show_list_compare_and_workbooks(make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    first = post(client, "/api/v1/plans", {"name": "Rp 20 M", "spec": SPEC}).json()["id"]
    second = post(client, "/api/v1/plans", {"name": "Target", "spec": {**SPEC, "question": "min_budget",
                                                                        "budget": None}}).json()["id"]  # fmt: skip
    assert client.get(f"/api/v1/plans/{first}").json()["name"] == "Rp 20 M"
    assert [p["id"] for p in client.get("/api/v1/plans").json()] == [second, first]
    compared = client.get(f"/api/v1/plans/compare?ids={first},{second}").json()
    assert [(c["funded"], c["gap_after"]) for c in compared] == [(100, 160), (260, 0)]
    rka = CalamineWorkbook.from_filelike(io.BytesIO(client.get(f"/api/v1/plans/{second}/rka.xlsx").content))
    assert rka.sheet_names == ["Ringkasan", "APBD Provinsi", "APBD Kabupaten-Kota"]
    saved = client.get(f"/api/v1/plans/{second}").json()
    for sheet in rka.sheet_names[1:]:
        lines = [row for row in rka.get_sheet_by_name(sheet).to_python()[1:] if row[5] != ""]
        assert lines and all(row[5] * row[7] == row[8] for row in lines)  # volume × unit price = amount
        assert all(row[7] in (10_000, 6_800) for row in lines)  # the full monthly JKK / JKM, never a share
    kab = rka.get_sheet_by_name("APBD Kabupaten-Kota").to_python()
    assert kab[-1][8] == saved["by_payer"]["apbd_kabkota"] and kab[-1][8] % UNIT_COST == 0  # whole workers
    enrol = CalamineWorkbook.from_filelike(io.BytesIO(client.get(f"/api/v1/plans/{second}/enrolment.xlsx").content))
    assert enrol.sheet_names == ["Daftar pendaftaran", "Tagihan per desa", "Belum terdata", "Keterangan"]
