"""``/api/v1/targeting/…``: scoped like the pages (404 outside, 403 for roles that may not act, 401 anonymous),
NIKs masked in lists, the same reports as the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.targeting.lists_world import AS_OF, BPJS, POPULATION, SUKARAMI, load_world
from ucj.targeting.models import Enrolment

pytestmark = pytest.mark.django_db
API = "/api/v1/targeting"


@pytest.fixture
def login(make_user: Callable[..., Any]) -> Callable[..., Client]:
    def make(role: str, region: str | None = None) -> Client:
        client = Client()
        client.force_login(make_user(role, region))
        return client

    return make


def test_anonymous_is_401() -> None:
    assert Client().get(f"{API}/funnel", {"region": "16.06"}).status_code == 401


def test_list_upload_and_loads(login: Callable[..., Client]) -> None:
    desa = login("desa", SUKARAMI)
    upload = SimpleUploadedFile("penduduk.csv", POPULATION.encode())
    response = desa.post(f"{API}/lists", {"file": upload, "source": "Penduduk Sukarami"})
    assert response.status_code == 200, response.content
    assert (response.json()["accepted"], response.json()["region"]) == (5, SUKARAMI)
    assert [s["name"] for s in desa.get(f"{API}/lists").json()] == ["Penduduk Sukarami"]
    assert login("kabkota", "16.71").get(f"{API}/lists").json() == []
    viewer = login("viewer", "16")
    refused = viewer.post(f"{API}/lists", {"file": SimpleUploadedFile("p.csv", POPULATION.encode()), "source": "X"})
    assert refused.status_code == 403
    assert desa.post(f"{API}/lists", {"source": "X"}).status_code == 400


def test_bpjs_upload(login: Callable[..., Client]) -> None:
    load_world()
    bpjs = login("bpjs", "16")
    response = bpjs.post(f"{API}/bpjs-files", {"file": SimpleUploadedFile("b.csv", BPJS.encode()),
                                               "as_of": "2026-11-02"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 4
    assert len(bpjs.get(f"{API}/bpjs-files").json()) == 2
    desa = login("desa", SUKARAMI)
    assert desa.post(f"{API}/bpjs-files", {"file": SimpleUploadedFile("b.csv", BPJS.encode())}).status_code == 403


def test_candidates_masked_and_scoped(login: Callable[..., Client]) -> None:
    load_world()
    kab = login("kabkota", "16.06")
    response = kab.get(f"{API}/candidates", {"region": SUKARAMI, "as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4 and body["excluded"]["active"]["count"] == 2
    assert {c["nik"] for c in body["candidates"]} == {"16" + "*" * 14}
    assert body["candidates"][0]["name"] == "Siti Aminah"
    assert login("kabkota", "16.71").get(f"{API}/candidates", {"region": SUKARAMI}).status_code == 404
    assert kab.get(f"{API}/candidates", {"region": "99.99"}).status_code == 404


def test_worklist_transition_submission_funnel(login: Callable[..., Client]) -> None:
    load_world()
    kab = login("kabkota", "16.06")
    made = kab.post(f"{API}/worklists", {"region": SUKARAMI, "as_of": AS_OF.isoformat()},
                    content_type="application/json")  # fmt: skip
    assert made.json() == {"created": 4, "already": 0}
    desa = login("desa", SUKARAMI)
    assert desa.post(f"{API}/worklists", {"region": SUKARAMI}, content_type="application/json").status_code == 403
    rows = desa.get(f"{API}/worklists/{SUKARAMI}").json()
    assert [r["priority"] for r in rows] == [1, 2, 3, 4] and rows[0]["nik"] == "16" + "*" * 14
    first = rows[0]["id"]
    moved = desa.post(f"{API}/enrolments/{first}/transition", {"to": "contacted"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "contacted"
    typed = desa.post(f"{API}/enrolments/{first}/transition", {"to": "active"}, content_type="application/json")
    assert typed.status_code == 400 and typed.json()["code"] == "TRANSITION_REFUSED"
    other = login("desa", "16.06.01.2002")
    assert other.post(f"{API}/enrolments/{first}/transition", {"to": "declined", "reason": "x"},
                      content_type="application/json").status_code == 404  # fmt: skip
    assert login("viewer", "16").post(f"{API}/enrolments/{first}/transition", {"to": "not_found", "reason": "x"},
                                      content_type="application/json").status_code == 403  # fmt: skip
    sub = desa.post(f"{API}/submissions", {"region": SUKARAMI}, content_type="application/json")
    assert sub.status_code == 200 and sub.json()["people"] == 1
    download = desa.get(sub.json()["download"])
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.xlsx"')
    assert login("viewer", "16").get(sub.json()["download"]).status_code in (403, 404)
    again = desa.post(f"{API}/submissions", {"region": SUKARAMI}, content_type="application/json")
    assert again.status_code == 400
    funnel = desa.get(f"{API}/funnel", {"region": SUKARAMI}).json()
    assert funnel["stages"] == {"identified": 3, "contacted": 0, "submitted": 1, "registered": 0, "active": 0}
    assert funnel["total"] == Enrolment.objects.count() == 4
    xlsx = kab.get(f"{API}/worklists/{SUKARAMI}/xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert login("kabkota", "16.71").get(f"{API}/funnel", {"region": SUKARAMI}).status_code == 404


def test_dry_runs_over_the_rate_answer_429_as_the_registry(login: Callable[..., Client], settings: Any) -> None:
    """Over UCJ_DRY_RUN_RATE a dry run is throttled, not forbidden: 429 RATE_LIMITED (as the registry's roster
    upload), for lists and BPJS files; a real load is not a dry run."""
    from django.core.cache import cache

    cache.clear()
    settings.UCJ_DRY_RUN_RATE = "1/hour"
    desa = login("desa", SUKARAMI)
    form = {"source": "Penduduk Sukarami", "dry_run": "true"}
    assert desa.post(f"{API}/lists", {"file": SimpleUploadedFile("p.csv", POPULATION.encode()), **form}).status_code \
        == 200  # fmt: skip
    over = desa.post(f"{API}/lists", {"file": SimpleUploadedFile("p.csv", POPULATION.encode()), **form})
    assert over.status_code == 429 and over.json()["code"] == "RATE_LIMITED"
    bpjs = login("bpjs", "16")
    assert bpjs.post(f"{API}/bpjs-files", {"file": SimpleUploadedFile("b.csv", BPJS.encode()), "dry_run": "true"})\
        .status_code == 200  # fmt: skip
    over = bpjs.post(f"{API}/bpjs-files", {"file": SimpleUploadedFile("b.csv", BPJS.encode()), "dry_run": "true"})
    assert over.status_code == 429 and over.json()["code"] == "RATE_LIMITED"
    loaded = desa.post(f"{API}/lists", {"file": SimpleUploadedFile("p.csv", POPULATION.encode()),
                                        "source": "Penduduk Sukarami"})  # fmt: skip
    assert loaded.status_code == 200
