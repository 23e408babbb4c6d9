"""Authorisation matrix: every role × every page and endpoint × own-region and other-region records.

Own = Desa Sukarami (16.06.01.2001, Kab. Musi Banyuasin); other = Palembang (16.71). Out-of-scope records
answer 404 so their existence does not leak; writes a role may not make answer 403; anonymous users are
sent to the login page (pages) or get 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.accounts.conftest import World

ALL = ("admin", "provinsi", "kab_muba", "kab_plg", "desa", "bpjs", "viewer")
LOGIN = 302


def url(world: World, name: str) -> tuple[str, str]:
    """(method, path) for a matrix row."""
    own, other = world.own.public_hex, world.other.public_hex
    return {
        "home": ("get", "/"),
        "registry": ("get", "/registri/"),
        "detail_own": ("get", f"/registri/peserta/{own}/"),
        "detail_other": ("get", f"/registri/peserta/{other}/"),
        "detail_bogus": ("get", "/registri/peserta/zzzzzzzzzzzzzzzz/"),
        "edit_own": ("get", f"/registri/peserta/{own}/ubah/"),
        "edit_other": ("get", f"/registri/peserta/{other}/ubah/"),
        "imports": ("get", "/registri/impor/"),
        "upload": ("get", "/registri/impor/unggah/"),
        "batch_own": ("get", f"/registri/impor/{world.own_batch.pk}/"),
        "batch_other": ("get", f"/registri/impor/{world.other_batch.pk}/"),
        "rejected_own": ("get", f"/registri/impor/{world.own_batch.pk}/ditolak.xlsx"),
        "rejected_other": ("get", f"/registri/impor/{world.other_batch.pk}/ditolak.xlsx"),
        "audit": ("get", "/akun/audit/"),
        "admin": ("get", "/admin/"),
        "api_list": ("get", "/api/v1/participants"),
        "api_own": ("get", f"/api/v1/participants/{own}"),
        "api_other": ("get", f"/api/v1/participants/{other}"),
        "api_batch_own": ("get", f"/api/v1/imports/{world.own_batch.pk}"),
        "api_batch_other": ("get", f"/api/v1/imports/{world.other_batch.pk}"),
        "api_docs": ("get", "/api/v1/docs"),
        "api_schema": ("get", "/api/v1/openapi.json"),
    }[name]


# (target, expected status per role: admin, provinsi, kab_muba, kab_plg, desa, bpjs, viewer, anon)
MATRIX: list[tuple[str, tuple[int, ...]]] = [
    ("home",            (200, 200, 200, 200, 200, 200, 200, LOGIN)),
    ("registry",        (200, 200, 200, 200, 200, 200, 200, LOGIN)),
    ("detail_own",      (200, 200, 200, 404, 200, 200, 200, LOGIN)),
    ("detail_other",    (200, 200, 404, 200, 404, 200, 200, LOGIN)),
    ("detail_bogus",    (404, 404, 404, 404, 404, 404, 404, LOGIN)),
    ("edit_own",        (200, 200, 200, 404, 200, 200, 403, LOGIN)),
    ("edit_other",      (200, 200, 404, 200, 404, 200, 403, LOGIN)),
    ("imports",         (200, 200, 200, 200, 200, 200, 200, LOGIN)),
    ("upload",          (200, 200, 200, 200, 200, 200, 403, LOGIN)),
    ("batch_own",       (200, 200, 200, 404, 200, 200, 200, LOGIN)),
    ("batch_other",     (200, 200, 404, 200, 404, 200, 200, LOGIN)),
    ("rejected_own",    (200, 200, 200, 404, 200, 200, 403, LOGIN)),
    ("rejected_other",  (200, 200, 404, 200, 404, 200, 403, LOGIN)),
    ("audit",           (200, 200, 403, 403, 403, 403, 403, LOGIN)),
    ("admin",           (200, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    ("api_list",        (200, 200, 200, 200, 200, 200, 200, 401)),
    ("api_own",         (200, 200, 200, 404, 200, 200, 200, 401)),
    ("api_other",       (200, 200, 404, 200, 404, 200, 200, 401)),
    ("api_batch_own",   (200, 200, 200, 404, 200, 200, 200, 401)),
    ("api_batch_other", (200, 200, 404, 200, 404, 200, 200, 401)),
    ("api_docs",        (200, 200, 200, 200, 200, 200, 200, LOGIN)),
    ("api_schema",      (200, 200, 200, 200, 200, 200, 200, LOGIN)),
]  # fmt: skip
CASES = [(target, role, status) for target, row in MATRIX for role, status in zip((*ALL, "anon"), row, strict=True)]


@pytest.mark.parametrize(("target", "role", "status"), CASES, ids=[f"{t}-{r}" for t, r, _ in CASES])
def test_access(world: World, client_for: Callable[[str], Client], target: str, role: str, status: int) -> None:
    method, path = url(world, target)
    response = getattr(client_for(role), method)(path)
    assert response.status_code == status, f"{role} {path}"
    if status == LOGIN and role == "anon" and not path.startswith("/admin/"):
        assert response["Location"].startswith("/akun/masuk/")


EDIT = {"name": "Nama Baru", "desa_code": "", "segment": "BPU", "ecosystem": "desa", "jkk": "on", "jkm": "on"}


@pytest.mark.parametrize(
    ("role", "record", "status"),
    [("desa", "own", 302), ("desa", "other", 404), ("kab_plg", "own", 404), ("kab_muba", "own", 302),
     ("viewer", "own", 403), ("provinsi", "other", 302)],
)  # fmt: skip
def test_edit_post(world: World, client_for: Callable[[str], Client], role: str, record: str, status: int) -> None:
    p = world.own if record == "own" else world.other
    response = client_for(role).post(f"/registri/peserta/{p.public_hex}/ubah/", {**EDIT, "desa_code": p.desa_id})
    assert response.status_code == status
    p.refresh_from_db()
    assert (p.name == "Nama Baru") is (status == 302)


@pytest.mark.parametrize("role", [*ALL, "anon"])
def test_search_and_language_posts(world: World, client_for: Callable[[str], Client], role: str) -> None:
    client = client_for(role)
    search = client.post("/registri/cari/", {"q": "Siti"})
    assert search.status_code == 302
    assert search["Location"].startswith("/akun/masuk/" if role == "anon" else "/registri/")
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    assert language.status_code == 302 and client.cookies["django_language"].value == "en"


def test_moving_a_participant_out_of_ones_region_is_refused(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("desa").post(
        f"/registri/peserta/{world.own.public_hex}/ubah/", {**EDIT, "desa_code": "16.71.01.1001"}
    )
    assert response.status_code == 200 and "di luar wilayah" in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.desa_id == "16.06.01.2001"


@pytest.mark.parametrize(
    ("role", "query", "visible"),
    [("desa", "", {"own"}), ("desa", "?region=16.71", set()), ("kab_muba", "", {"own"}),
     ("kab_plg", "", {"other"}), ("provinsi", "", {"own", "other"}), ("viewer", "?segment=PU", {"other"}),
     ("admin", "?region=16.06", {"own"})],
)  # fmt: skip
def test_api_lists_only_the_callers_regions(
    world: World, client_for: Callable[[str], Client], role: str, query: str, visible: set[str]
) -> None:
    data = client_for(role).get(f"/api/v1/participants{query}").json()
    ids = {item["id"] for item in data["items"]}
    expected = {getattr(world, name).public_hex for name in visible}
    assert ids == expected and data["count"] == len(expected) and data["count_capped"] is False


def test_page_list_shows_only_own_region(world: World, client_for: Callable[[str], Client]) -> None:
    body = client_for("desa").get("/registri/?region=16.71").content.decode()
    assert world.other.public_hex not in body  # a region outside the scope is not even a choice
    body = client_for("desa").get("/registri/").content.decode()
    assert world.own.public_hex in body and world.other.public_hex not in body


CSV = "NIK,Nama,Kode Desa\n1606011301900044,Ani,16.06.01.2001\n1671011301900045,Rudi,16.71.01.1001\n"


def upload(client: Client, region: str = "") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/imports/roster", {"file": SimpleUploadedFile("r.csv", CSV.encode()), "region": region})


def test_api_import_rejects_rows_of_other_villages(world: World, client_for: Callable[[str], Client]) -> None:
    report = upload(client_for("desa")).json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert [i["code"] for i in report["issues"]] == ["REGION_OUTSIDE"]


@pytest.mark.parametrize(("role", "region", "status"), [("desa", "16.71", 403), ("viewer", "", 403), ("anon", "", 401)])
def test_api_import_refused(
    world: World, client_for: Callable[[str], Client], role: str, region: str, status: int
) -> None:
    assert upload(client_for(role), region).status_code == status


def test_bearer_token_goes_through_the_same_scoping(world: World, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    _, token = ApiToken.issue(make_user("kabkota", "16.71"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/participants/{world.other.public_hex}").status_code == 200
    assert client.get(f"/api/v1/participants/{world.own.public_hex}").status_code == 404
    assert Client(HTTP_AUTHORIZATION="Bearer ucj_wrong").get("/api/v1/participants").status_code == 401
