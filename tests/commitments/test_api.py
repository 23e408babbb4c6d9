"""REST endpoints of commitments: the scorecard JSON, the authorisation matrix (anonymous 401, outside the scope
404, a role that may not change something 403, viewers read only), documents up and down, realisation computed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.commitments.backend_world import MUBA, PALEMBANG, SUKARAMI, YEAR, make_world
from tests.routes import site_routes
from ucj.commitments.models import BudgetCommitment, FollowUpAction, Instrument

API = "/api/v1/commitments"
PDF = b"%PDF-1.7\n%%EOF\n"
ROLES: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None), "provinsi": ("provinsi", "16"), "kab_muba": ("kabkota", MUBA),
    "kab_plg": ("kabkota", PALEMBANG), "desa": ("desa", SUKARAMI), "bpjs": ("bpjs", "16"), "viewer": ("viewer", "16"),
}  # fmt: skip


@pytest.fixture
def world(db: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.DATA_DIR = tmp_path
    return make_world()


@pytest.fixture
def client_for(make_user: Any) -> Any:
    def make(role: str) -> Client:
        client = Client()
        if role != "anon":
            client.force_login(make_user(*ROLES[role]))
        return client

    return make


def _json(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def test_scorecard_json(world: dict[str, Any], client_for: Any) -> None:
    response = client_for("provinsi").get(f"{API}/scorecard", {"region": "16", "year": YEAR, "by": "kabkota"})
    assert response.status_code == 200
    body = response.json()
    muba = next(c for c in body["children"] if c["code"] == MUBA)
    assert muba["institutions"]["rt"] == {"positions": 10, "registered": 7, "active": 6}
    assert muba["villages"] == {"total": 242, "reported": 4, "fully_protected": 2, "pct": 0.8}
    assert muba["status"] == "kuning" and muba["score"] == 50
    assert [r["score"] for r in body["rules"]][-1] == "status"


def test_anonymous_is_401(world: dict[str, Any], client_for: Any) -> None:
    anon = client_for("anon")
    assert anon.get(f"{API}/scorecard", {"region": "16", "year": YEAR}).status_code == 401
    assert _json(anon, "post", f"{API}/instruments", {"kind": "perbup", "title": "x"}).status_code == 401


@pytest.mark.parametrize(("role", "region", "expected"), [
    ("provinsi", MUBA, 200), ("kab_muba", MUBA, 200), ("kab_plg", MUBA, 404), ("desa", SUKARAMI, 200),
    ("desa", MUBA, 404), ("viewer", "16", 200), ("bpjs", PALEMBANG, 200),
])  # fmt: skip
def test_scorecard_scope(world: dict[str, Any], client_for: Any, role: str, region: str, expected: int) -> None:
    assert client_for(role).get(f"{API}/scorecard", {"region": region, "year": YEAR}).status_code == expected


INSTRUMENT = {"region": MUBA, "kind": "perbup", "title": "Perlindungan aparat desa", "status": "draf",
              "groups": ["rt", "rw"]}  # fmt: skip


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 201), ("provinsi", 201), ("kab_muba", 201), ("kab_plg", 403), ("desa", 403), ("bpjs", 403),
    ("viewer", 403),
])  # fmt: skip
def test_create_instrument_matrix(world: dict[str, Any], client_for: Any, role: str, expected: int) -> None:
    assert _json(client_for(role), "post", f"{API}/instruments", INSTRUMENT).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [
    ("kab_muba", 200), ("kab_plg", 404), ("desa", 403), ("viewer", 403), ("provinsi", 200),
])  # fmt: skip
def test_update_instrument_matrix(world: dict[str, Any], client_for: Any, role: str, expected: int) -> None:
    perbup = Instrument.objects.get(region_id=MUBA)
    response = _json(client_for(role), "patch", f"{API}/instruments/{perbup.pk}", {"status": "dicabut"})
    assert response.status_code == expected
    perbup.refresh_from_db()
    assert perbup.status == ("dicabut" if expected == 200 else "ditetapkan")


def test_bad_input_is_422_with_reason(world: dict[str, Any], client_for: Any) -> None:
    response = _json(client_for("kab_muba"), "post", f"{API}/instruments", {**INSTRUMENT, "groups": ["alien"]})
    assert response.status_code == 422 and "unknown groups" in response.json()["detail"]


def test_document_upload_and_download(world: dict[str, Any], client_for: Any, settings: Any) -> None:
    officer = client_for("kab_muba")
    created = _json(officer, "post", f"{API}/instruments", INSTRUMENT).json()
    url = f"{API}/instruments/{created['id']}/document"
    bad = officer.post(url, {"file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>")})
    assert bad.status_code == 422
    good = officer.post(url, {"file": SimpleUploadedFile("Perbup 9.pdf", PDF, content_type="application/pdf")})
    assert good.status_code == 200 and good.json()["document"] == url
    download = client_for("viewer").get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "Perbup 9.pdf" in download["Content-Disposition"]
    assert client_for("kab_plg").get(url).status_code == 404
    settings.UCJ_MAX_DOCUMENT_MB = 0
    big = officer.post(url, {"file": SimpleUploadedFile("big.pdf", PDF)})
    assert big.status_code == 413


def test_institutions_put_by_village_operator(world: dict[str, Any], client_for: Any) -> None:
    operator = client_for("desa")
    response = _json(operator, "put", f"{API}/institutions/{SUKARAMI}", {"rt": 6, "rw": 2})
    assert response.status_code == 200 and response.json()["rt"] == 6 and response.json()["kepala_desa"] == 1
    assert _json(operator, "put", f"{API}/institutions/16.06.01.2002", {"rt": 6}).status_code == 404
    assert _json(client_for("viewer"), "put", f"{API}/institutions/{SUKARAMI}", {"rt": 1}).status_code == 403
    table = operator.get(f"{API}/institutions", {"region": SUKARAMI}).json()
    assert table["region"]["institutions"]["rt"]["positions"] == 6


def test_budget_lines_with_computed_realisation(world: dict[str, Any], client_for: Any) -> None:
    rows = client_for("kab_muba").get(f"{API}/budgets", {"region": MUBA, "year": YEAR}).json()
    assert {(r["payer"], r["allocated"]) for r in rows} == {("apbd_kabkota", 10_000_000),
                                                            ("bantuan_keuangan", 5_000_000), ("apbdes", 1_000_000)}
    assert all(r["pool"]["realised"] == 0 for r in rows)  # nothing paid in this world
    operator = client_for("desa")
    apbdes = {"region": SUKARAMI, "year": YEAR + 1, "payer": "apbdes", "source": "add", "allocated": 750_000}
    assert _json(operator, "post", f"{API}/budgets", apbdes).status_code == 201
    assert _json(operator, "post", f"{API}/budgets", {**apbdes, "region": MUBA, "payer": "apbd_kabkota",
                                                      "source": ""}).status_code == 403  # fmt: skip
    line = BudgetCommitment.objects.get(region_id=MUBA, payer="apbd_kabkota")
    assert _json(client_for("kab_plg"), "patch", f"{API}/budgets/{line.pk}", {"allocated": 1}).status_code == 404
    assert _json(client_for("kab_muba"), "patch", f"{API}/budgets/{line.pk}", {"realised": 9}).status_code == 200
    line.refresh_from_db()
    assert line.allocated == 10_000_000  # a realisation cannot be typed: the field is not taken


def test_actions_overdue_and_status(world: dict[str, Any], client_for: Any) -> None:
    officer = client_for("kab_muba")
    overdue = officer.get(f"{API}/actions", {"overdue": "true"}).json()
    assert [a["owner"] for a in overdue] == [MUBA] and overdue[0]["overdue"] is True
    done = _json(officer, "post", f"{API}/actions/{overdue[0]['id']}/status", {"status": "selesai"})
    assert done.status_code == 200 and done.json()["overdue"] is False and done.json()["done_on"]
    palembang = FollowUpAction.objects.get(owner_id=PALEMBANG)
    assert _json(officer, "post", f"{API}/actions/{palembang.pk}/status", {"status": "selesai"}).status_code == 404


def test_units_show_workers_known_and_covered(world: dict[str, Any], client_for: Any) -> None:
    units = {u["name"]: u for u in client_for("bpjs").get(f"{API}/units", {"region": MUBA}).json()}
    assert units["Pasar Sekayu"]["known"] == 4 and units["Pasar Sekayu"]["covered"] == 3
    assert units["Pasar Sekayu"]["unit_covered"] is False and units["Kelompok Nelayan Maju"]["unit_covered"] is True
    new = {"kind": "pasar", "name": "Pasar Baru", "subtype": "modern", "desa": SUKARAMI, "workers": 80}
    assert _json(client_for("bpjs"), "post", f"{API}/units", new).status_code == 201
    assert _json(client_for("desa"), "post", f"{API}/units", new).status_code == 403


def test_openapi_documents_the_endpoints(world: dict[str, Any], client_for: Any) -> None:
    schema = client_for("viewer").get("/api/v1/openapi.json").json()
    assert f"{API}/scorecard" in schema["paths"] and "Entry" in schema["components"]["schemas"]


def _palembang_rows(world: dict[str, Any]) -> dict[str, Any]:
    """One row of each kind that Palembang owns (outside Musi Banyuasin)."""
    from ucj.commitments import services

    unit = services.create_unit(None, {"kind": "pasar", "name": "Pasar 16 Ilir", "desa": "16.71.01.1001"})
    return {
        "instrument": Instrument.objects.get(region_id=PALEMBANG).pk,
        "budget": services.create_budget(None, {"region": PALEMBANG, "year": YEAR, "payer": "apbd_kabkota",
                                                "allocated": 1}).pk,
        "unit": unit.pk,
        "partner": services.create_partner(None, {"region": PALEMBANG, "name": "Bank", "kind": "bank"}).pk,
        "meeting": services.create_meeting(None, {"region": PALEMBANG, "date": "2025-01-10", "title": "Rapat"}).pk,
        "action": FollowUpAction.objects.get(owner_id=PALEMBANG).pk,
        "desa": "16.71.01.1001",
    }


#: Every endpoint: (method, path with {kind} placeholders, body). Outside the caller's regions → 404.
ENDPOINTS = [
    ("get", "/instruments/{instrument}", None), ("patch", "/instruments/{instrument}", {"note": "x"}),
    ("delete", "/instruments/{instrument}", None), ("get", "/instruments/{instrument}/document", None),
    ("delete", "/instruments/{instrument}/document", None),
    ("patch", "/budgets/{budget}", {"workers": 2}), ("delete", "/budgets/{budget}", None),
    ("patch", "/units/{unit}", {"workers": 2}), ("delete", "/units/{unit}", None),
    ("patch", "/partners/{partner}", {"note": "x"}), ("delete", "/partners/{partner}", None),
    ("patch", "/meetings/{meeting}", {"place": "x"}), ("delete", "/meetings/{meeting}", None),
    ("patch", "/actions/{action}", {"note": "x"}), ("post", "/actions/{action}/status", {"status": "selesai"}),
    ("delete", "/actions/{action}", None),
    ("get", "/institutions/{desa}", None), ("put", "/institutions/{desa}", {"rt": 1}),
    ("delete", "/institutions/{desa}", None),
    ("get", "/budgets?region=16.71&year=2026", None), ("get", "/units?region=16.71", None),
    ("get", "/institutions?region=16.71", None), ("get", "/scorecard?region=16.71&year=2026", None),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_outside_the_scope_is_404_and_anonymous_401(
    world: dict[str, Any], client_for: Any, method: str, path: str, body: dict[str, Any] | None
) -> None:
    url = API + path.format(**_palembang_rows(world))
    assert _json(client_for("kab_muba"), method, url, body).status_code == 404
    assert _json(client_for("anon"), method, url, body).status_code == 401


@pytest.mark.parametrize("path", ["/instruments", "/partners", "/meetings", "/actions", "/rules"])
def test_lists_hold_only_the_callers_regions(world: dict[str, Any], client_for: Any, path: str) -> None:
    rows = _palembang_rows(world)
    body = client_for("kab_muba").get(API + path).json()
    assert client_for("anon").get(API + path).status_code == 401
    if path != "/rules":
        assert all(r.get("region", r.get("owner")) in (None, "16") or str(r.get("region", r.get("owner"))).startswith(
            MUBA) for r in body)  # fmt: skip
        assert rows  # Palembang's rows exist, and none was listed


def test_the_tests_cover_every_commitments_endpoint() -> None:
    """A new endpoint must get a row in ENDPOINTS or a test above (site-wide list: tests/accounts/test_matrix.py)."""
    mine = {r.removeprefix("api/v1/commitments") for r in site_routes("api/v1/commitments")}
    covered = {re.sub(r"\{\w+\}", "<pk>", p.split("?")[0].replace("{desa}", "<desa>")) for _, p, _ in ENDPOINTS}
    covered |= {"/instruments", "/partners", "/meetings", "/actions", "/rules", "/units", "/budgets"}  # lists, POSTs
    assert mine <= covered, sorted(mine - covered)
