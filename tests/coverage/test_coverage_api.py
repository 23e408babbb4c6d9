"""``GET /api/v1/coverage``, ``/coverage/map`` and ``/coverage/export.xlsx``: shape, defaults, scoping, errors.
The data set and its hand-computed figures: ``test_dashboard_page``."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.coverage.test_dashboard_page import MUBA, PALEMBANG, login, make_sumsel_data


@pytest.fixture
def sumsel(db: Any) -> None:
    make_sumsel_data()


def test_coverage_shape_and_figures(sumsel: None, make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get("/api/v1/coverage?region=16&by=kabkota&as_of=2024-12")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"as_of", "region", "children", "unallocated", "data_time", "latest_month"}
    assert data["as_of"] == "2024-12"
    assert data["unallocated"] is None  # the kab/kota feeds add up to the province
    top = data["region"]
    assert (top["region"], top["name"], top["covered"], top["rate"], top["definition"]) == (
        "16", "Sumatera Selatan", 490, 32.67, "eligible")  # fmt: skip
    assert top["year_target"]["met"] is True and top["next_target"]["reached"] == "2025-11"
    assert top["series"][0] == ["2024-01", 40 + 10 + 100 + 15 + 50]
    assert {c["region"] for c in data["children"]} >= {MUBA, PALEMBANG} and len(data["children"]) == 17
    assert top["by_ecosystem"]["pasar"] == {"covered": 280, "change_6": 90}


def test_default_region_is_the_callers(sumsel: None, make_user: Callable[..., Any]) -> None:
    assert login(make_user, "kabkota", MUBA).get("/api/v1/coverage").json()["region"]["region"] == MUBA
    assert login(make_user, "admin", None).get("/api/v1/coverage").json()["region"]["region"] == "16"
    assert login(make_user, "viewer", "16").get("/api/v1/coverage").json()["region"]["covered"] == 490


def test_multi_region_user_defaults_to_the_province(sumsel: None, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import RoleAssignment

    user = make_user("kabkota", MUBA)
    RoleAssignment.objects.create(user=user, role="kabkota", region_id=PALEMBANG)
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/coverage").json()["region"]["region"] == MUBA  # 16 is wider than both: not theirs
    assert client.get(f"/api/v1/coverage?region={PALEMBANG}").status_code == 200
    assert client.get("/api/v1/coverage?region=16").status_code == 404
    user2 = make_user("provinsi", "16")
    RoleAssignment.objects.create(user=user2, role="desa", region_id="16.06.01.2001")
    client.force_login(user2)
    assert client.get("/api/v1/coverage").json()["region"]["region"] == "16"


@pytest.mark.parametrize("path", ["/api/v1/coverage", "/api/v1/coverage/map", "/api/v1/coverage/export.xlsx"])
def test_scoping(sumsel: None, make_user: Callable[..., Any], path: str) -> None:
    client = login(make_user, "kabkota", MUBA)
    assert client.get(f"{path}?region={MUBA}").status_code == 200
    assert client.get(f"{path}?region=1606").status_code == 200  # undotted code
    for other in ("16", PALEMBANG, "16.71.01.1001", "99", "xx"):
        response = client.get(f"{path}?region={other}")
        assert response.status_code == 404, other
    assert Client().get(path).status_code == 401


@pytest.mark.parametrize("query", ["as_of=2024-13", "as_of=12-2024", "by=provinsi", "definition=vulnerable",
                                   "by=desa"])  # fmt: skip
def test_bad_parameters_are_422(sumsel: None, make_user: Callable[..., Any], query: str) -> None:
    response = login(make_user, "provinsi", "16").get(f"/api/v1/coverage?region=16&{query}")
    assert response.status_code == 422 and response.json()["detail"]


def test_map_without_boundaries_gives_centroids(sumsel: None, make_user: Callable[..., Any]) -> None:
    data = login(make_user, "provinsi", "16").get("/api/v1/coverage/map?region=16").json()
    assert data["type"] == "FeatureCollection" and data["features"] == []
    assert len(data["centroids"]) == 17
    muba = next(c for c in data["centroids"] if c["code"] == MUBA)
    assert muba["name"] and -4 < muba["lat"] < -1.5 and 103 < muba["lng"] < 105
    kab = login(make_user, "kabkota", MUBA).get(f"/api/v1/coverage/map?region={MUBA}").json()
    assert kab["features"] == [] and kab["centroids"] == []  # kecamatan have no centres: the page says so


def test_map_with_boundaries(sumsel: None, make_user: Callable[..., Any]) -> None:
    from ucj.regions.models import RegionBoundary

    square = {"type": "Polygon", "coordinates": [[[103.0, -3.0], [104.0, -3.0], [104.0, -2.0], [103.0, -3.0]]]}
    RegionBoundary.objects.create(region_id=MUBA, geometry=square, source="test")
    RegionBoundary.objects.create(region_id="16.71.01", geometry=square, source="test")  # a kecamatan: not a child
    data = login(make_user, "provinsi", "16").get("/api/v1/coverage/map?region=16").json()
    properties = {"code": MUBA, "name": "Kabupaten Musi Banyuasin"}
    assert data["features"] == [{"type": "Feature", "id": MUBA, "properties": properties, "geometry": square}]


def test_export_xlsx_is_readable(sumsel: None, make_user: Callable[..., Any]) -> None:
    from python_calamine import CalamineWorkbook

    response = login(make_user, "provinsi", "16").get("/api/v1/coverage/export.xlsx?region=16&as_of=2024-12")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="cakupan-16-2024-12.xlsx"' in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Cakupan", "Ekosistem", "Tren", "Info"]
    rows = book.get_sheet_by_name("Cakupan").to_python()
    assert rows[0][:5] == ["Kode", "Wilayah", "Tercakup", "Pekerja (penyebut)", "Cakupan (%)"]
    assert rows[1][:5] == ["16", "Sumatera Selatan", 490, 1500, 32.67]
    assert [r[0] for r in rows[2:5]] == [PALEMBANG, MUBA, "16.01"]  # ranked by rate
    assert rows[1][8] == 260 and rows[1][10] == 22 and rows[1][14] == "2025-11"
    assert len(rows) == 1 + 1 + 17
    eco = book.get_sheet_by_name("Ekosistem").to_python()
    assert eco[1:] == [["Desa", 160, 60], ["Pasar", 280, 90], ["UMKM", 0, ""], ["Pekerja rentan", 50, 0]]
    trend = book.get_sheet_by_name("Tren").to_python()
    assert trend[12][:2] == ["2024-12", 490] and trend[-1][0] == "2025-12"


def test_export_of_a_kabupaten_for_its_officer(sumsel: None, make_user: Callable[..., Any]) -> None:
    from python_calamine import CalamineWorkbook

    response = login(make_user, "kabkota", MUBA).get("/api/v1/coverage/export.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[1][:3] == [MUBA, "Kabupaten Musi Banyuasin", 160]
    assert all(str(r[0]).startswith(MUBA + ".") for r in rows[2:-1])
    assert rows[-1][:3] == ["", "umpan BPJS — tidak dapat dirinci per kecamatan", 160]  # adds up to the kab


def test_openapi_documents_the_endpoints(db: Any, make_user: Callable[..., Any]) -> None:
    schema = login(make_user, "viewer", "16").get("/api/v1/openapi.json").json()
    assert {"/api/v1/coverage", "/api/v1/coverage/map", "/api/v1/coverage/export.xlsx"} <= set(schema["paths"])
    assert "CoverageOut" in schema["components"]["schemas"]


def test_bappenas_definition_selectable_with_a_clear_message_without_universe(
    sumsel: None, make_user: Callable[..., Any]
) -> None:
    """Issue 12 item 18: ``definition=bpu_universe`` (Bappenas 06.02.021, domain.md §3.1) is accepted by the API
    and the dashboard like the other definitions; with no BPU universe loaded the answer has no rate and says
    so. The test data (test_dashboard_page.make_sumsel_data) load no BPU universe."""
    client = login(make_user, "provinsi", "16")
    response = client.get("/api/v1/coverage?region=16&as_of=2024-12&definition=bpu_universe")
    assert response.status_code == 200
    top = response.json()["region"]
    assert (top["definition"], top["denominator"], top["rate"]) == ("bpu_universe", None, None)
    assert any("Semesta PBPU" in n and "no BPU universe" in n for n in top["notes"])
    page = client.get("/cakupan/?region=16&as_of=2024-12&definition=bpu_universe")
    assert page.status_code == 200 and page.context["params"].definition == "bpu_universe"
    assert 'value="bpu_universe" selected' in page.content.decode()
    assert "Semesta PBPU (pekerja informal) belum dimuat" in page.content.decode()
