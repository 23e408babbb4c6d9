"""Every ``/api/v1/targeting`` endpoint, as a kab/kota officer of Musi Banyuasin asking for Palembang's records
(404: their existence does not leak) and as an anonymous caller (401). The site-wide list of routes in
tests/accounts/test_matrix.py takes the targeting API routes from ``ROUTES`` here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts.conftest import PALEMBANG
from tests.routes import site_routes
from ucj.targeting.models import Enrolment, SubmissionFile

pytestmark = pytest.mark.django_db
API = "/api/v1/targeting"

#: (method, path with {placeholders}, JSON body) — each names a record or region of Palembang (16.71).
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/candidates?region=16.71", None),
    ("post", "/worklists", {"region": "16.71"}),
    ("post", "/worklists/from-plan/{plan}", None),
    ("get", "/worklists/{desa}", None),
    ("get", "/worklists/{desa}/xlsx", None),
    ("post", "/enrolments/{enrolment}/transition", {"to": "contacted"}),
    ("post", "/submissions", {"region": "16.71"}),
    ("get", "/submissions/{submission}/file", None),
    ("get", "/funnel?region=16.71", None),
]
#: Lists and uploads: no record to name; their scope is tested in test_api.py (lists hold the caller's rows only,
#: uploads outside the caller's region are findings).
UNNAMED = {"/lists", "/bpjs-files", "/submissions", "/worklists"}
#: The routes as Django lists them (what tests/accounts/test_matrix.py compares with the whole site).
ROUTES = {
    "api/v1/targeting/lists", "api/v1/targeting/bpjs-files", "api/v1/targeting/candidates",
    "api/v1/targeting/worklists", "api/v1/targeting/worklists/from-plan/<scenario_id>",
    "api/v1/targeting/worklists/<desa>", "api/v1/targeting/worklists/<desa>/xlsx",
    "api/v1/targeting/enrolments/<enrolment_id>/transition", "api/v1/targeting/submissions",
    "api/v1/targeting/submissions/<submission_id>/file", "api/v1/targeting/funnel",
}  # fmt: skip


@pytest.fixture
def palembang() -> dict[str, Any]:
    """A Palembang person on a worklist, a collective file issued there and a Palembang plan."""
    from ucj.planning.scenario import Spec
    from ucj.planning.services import save

    enrolment = Enrolment.objects.create(nik="1671011505850003", region_id="16.71", desa_id=PALEMBANG,
                                         name="Budi Palembang", birth_date=dt.date(1985, 5, 15))  # fmt: skip
    submission = SubmissionFile.objects.create(region_id="16.71", file_name="kolektif.xlsx", content=b"x")
    plan = save(None, "Rencana Palembang", Spec(region="16.71", year=2025, budget=1_000_000))
    return {"desa": PALEMBANG, "enrolment": enrolment.pk, "submission": submission.pk, "plan": plan.pk}


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_outside_the_scope_is_404_and_anonymous_401(
    palembang: dict[str, Any], client_for: Any, method: str, path: str, body: dict[str, Any] | None
) -> None:
    url = API + path.format(**palembang)
    assert _call(client_for("kab_muba"), method, url, body).status_code == 404
    assert _call(client_for("anon"), method, url, body).status_code == 401


@pytest.mark.parametrize("path", sorted(UNNAMED))
def test_lists_need_a_login(client_for: Any, path: str) -> None:
    assert client_for("anon").get(API + path).status_code in (401, 405)
    upload = {"file": SimpleUploadedFile("x.csv", b"NIK\n"), "source": "X"}
    assert client_for("anon").post(API + path, upload).status_code == 401


def test_the_tests_cover_every_targeting_endpoint() -> None:
    """A new endpoint must get a row here (and in ROUTES, which the site-wide list uses)."""
    assert site_routes("api/v1/targeting") == ROUTES
