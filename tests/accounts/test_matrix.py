"""Authorisation matrix: every role × every page and endpoint × own-region and other-region records.

Own = Desa Sukarami (16.06.01.2001, Kab. Musi Banyuasin 16.06); other = Palembang (16.71.01.1001). Records
outside a user's regions answer 404 so their existence does not leak; actions a role may not take answer
403; anonymous users are sent to the login page (pages) or get 401 (API). Every decision comes from
``ucj.accounts.scoping``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts.conftest import PALEMBANG, SUKARAMI, World, roster_file
from tests.routes import site_routes
from ucj.contributions.models import Bill, BillLine
from ucj.registry.models import ImportBatch, Participant

ROLES = ("admin", "provinsi", "kab_muba", "kab_plg", "desa", "bpjs", "viewer", "anon")
LOGIN = "login"  # 302 to /akun/masuk/?next=…
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/ (Django admin: staff only)
DONE = "done"  # 302 after a successful POST (to the saved record or the import outcome)


def edit_data(p: Participant) -> dict[str, str]:
    return {"name": "Nama Baru", "desa_code": p.desa_id, "segment": "BPU", "ecosystem": "desa", "jkk": "on",
            "jkm": "on"}  # fmt: skip


class JSON(dict[str, Any]):
    """A POST body sent as application/json (the API's bodies), not as a form."""


def world_bills(world: World) -> tuple[int, int]:
    """Unpaid APBDes bills (February 2024, one line of Rp 0 each: a payment pays lines) of Sukarami and of the
    Palembang kelurahan."""
    month = dt.date(2024, 2, 1)
    own = Bill.objects.get_or_create(payer="apbdes", region_id=SUKARAMI, month=month)[0]
    other = Bill.objects.get_or_create(payer="apbdes", region_id=PALEMBANG, month=month)[0]
    for bill, person in ((own, world.own), (other, world.other)):
        BillLine.objects.get_or_create(bill=bill, participant=person, defaults={"first_month": month})
    return own.pk, other.pk


def feed_file() -> SimpleUploadedFile:
    """A participation feed of one Musi Banyuasin (16.06) count."""
    text = "Kode Wilayah,Bulan,Segmen,Peserta Aktif\n16.06,2024-03,PU,12345\n"
    return SimpleUploadedFile("feed.csv", text.encode(), content_type="text/csv")


def world_plans() -> tuple[int, int]:
    """Saved plans (Rp 1 million each) of Musi Banyuasin and of Palembang, saved from the command line."""
    from ucj.planning.scenario import Spec
    from ucj.planning.services import save

    plans = [
        save(None, f"Matriks {code}", Spec(region=code, year=2025, budget=1_000_000)) for code in ("16.06", "16.71")
    ]
    return plans[0].pk, plans[1].pk


PLAN_SPEC = {"region": "16.06", "year": 2025, "budget": 1_000_000, "shares": {"apbd_kabkota": 1.0}}
PLAN_FORM = {
    "region": "16.06",
    "year": "2025",
    "question": "max_coverage",
    "budget": "1.000.000",
    "start_month": "1",
    "months": "12",
    "share_provinsi": "0",
    "share_kabkota": "100",
    "groups": ["rentan"],
    "floor": "none",
}


def due(p: Participant) -> int:
    """What paying ``p`` through January 2027 costs today (a PU participant gets a wage first)."""
    from django.utils import timezone

    from ucj.contributions.bills import participant_due

    if p.segment == "PU" and not p.income:
        Participant.objects.filter(pk=p.pk).update(income=3_000_000)
        p.income = 3_000_000
    return participant_due(p, through=dt.date(2027, 1, 1), paid_on=timezone.localdate()).amount


def target(world: World, name: str) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, POST data) of one matrix row."""
    own, other = world.own.public_hex, world.other.public_hex
    own_b, other_b = world.own_batch.pk, world.other_batch.pk
    own_bill, other_bill = world_bills(world)
    own_plan, other_plan = world_plans() if "plan" in name else (0, 0)
    if "POST kab" in name:  # somebody the APBD of Musi Banyuasin pays for (an empty bill is refused)
        Participant.objects.create(nik="1606014101900099", name="Kader Kabupaten", desa_id=SUKARAMI, segment="BPU",
                                   payer="apbd_kabkota")  # fmt: skip
    if name.startswith("api pay due"):
        due(world.other)  # the PU participant gets a wage, else nothing is due
    pay = {"paid_on": "2024-03-20", "amount": "0"}
    return {
        "home": ("get", "/", None),
        "registry": ("get", "/registri/", None),
        "detail own": ("get", f"/registri/peserta/{own}/", None),
        "detail other": ("get", f"/registri/peserta/{other}/", None),
        "detail bogus id": ("get", "/registri/peserta/zzzzzzzzzzzzzzzz/", None),
        "detail raw pk": ("get", f"/registri/peserta/{world.other.pk}/", None),
        "edit own": ("get", f"/registri/peserta/{own}/ubah/", None),
        "edit other": ("get", f"/registri/peserta/{other}/ubah/", None),
        "edit own POST": ("post", f"/registri/peserta/{own}/ubah/", edit_data(world.own)),
        "edit other POST": ("post", f"/registri/peserta/{other}/ubah/", edit_data(world.other)),
        "imports": ("get", "/registri/impor/", None),
        "upload": ("get", "/registri/impor/unggah/", None),
        "upload POST": ("post", "/registri/impor/unggah/", {"file": roster_file(), "region": ""}),
        "batch own": ("get", f"/registri/impor/{own_b}/", None),
        "batch other": ("get", f"/registri/impor/{other_b}/", None),
        "rejected own": ("get", f"/registri/impor/{own_b}/ditolak.xlsx", None),
        "rejected other": ("get", f"/registri/impor/{other_b}/ditolak.xlsx", None),
        "retry own": ("post", f"/registri/impor/{own_b}/ulang/", {}),
        "retry other": ("post", f"/registri/impor/{other_b}/ulang/", {}),
        "audit": ("get", "/akun/audit/", None),
        "admin": ("get", "/admin/", None),
        "admin participants": ("get", "/admin/registry/participant/", None),
        "api list": ("get", "/api/v1/participants", None),
        "api search own nik": ("post", "/api/v1/participants/search", JSON(q=world.own.nik)),
        "api search nik prefix": ("post", "/api/v1/participants/search", JSON(q=world.own.nik[:15])),
        "api search name": ("post", "/api/v1/participants/search", JSON(q="Siti")),
        "api list search in url": ("get", "/api/v1/participants?nik=1606", None),
        "api own": ("get", f"/api/v1/participants/{own}", None),
        "api other": ("get", f"/api/v1/participants/{other}", None),
        "api raw pk": ("get", f"/api/v1/participants/{world.other.pk}", None),
        "api import": ("post", "/api/v1/imports/roster", {"file": roster_file(), "region": ""}),
        "api import own region": ("post", "/api/v1/imports/roster", {"file": roster_file(), "region": SUKARAMI}),
        "api import other region": ("post", "/api/v1/imports/roster", {"file": roster_file(), "region": "16.71"}),
        "api batch own": ("get", f"/api/v1/imports/{own_b}", None),
        "api batch other": ("get", f"/api/v1/imports/{other_b}", None),
        "iuran": (
            "get",
            "/iuran/?segment=PU&wage=5000000&risk_class=2&month=2024-03&payer=employer&sector=other",
            None,
        ),
        "iuran rules": ("get", "/iuran/aturan/?month=2024-03", None),
        "admin rules": ("get", "/admin/contributions/contributionrule/", None),
        "api calc": ("get", "/api/v1/contributions/calc?segment=PU&wage=5000000&risk_class=2&month=2024-03", None),
        "api rules": ("get", "/api/v1/contributions/rules?month=2024-03", None),
        "coverage": ("get", "/cakupan/", None),
        "coverage own kab": ("get", "/cakupan/?region=16.06", None),
        "coverage other kab": ("get", "/cakupan/?region=16.71", None),
        "api coverage": ("get", "/api/v1/coverage", None),
        "api coverage other kab": ("get", "/api/v1/coverage?region=16.71", None),
        "api coverage map": ("get", "/api/v1/coverage/map", None),
        "api coverage export own kab": ("get", "/api/v1/coverage/export.xlsx?region=16.06", None),
        "api root": ("get", "/api/v1/", None),
        "api docs": ("get", "/api/v1/docs", None),
        "api schema": ("get", "/api/v1/openapi.json", None),
        "bills": ("get", "/iuran/tagihan/", None),
        "bills POST kab": ("post", "/iuran/tagihan/", {"payer": "apbd_kabkota", "region": "16.06", "month": "2024-03"}),
        "bill own": ("get", f"/iuran/tagihan/{own_bill}/", None),
        "bill other": ("get", f"/iuran/tagihan/{other_bill}/", None),
        "bill own xlsx": ("get", f"/iuran/tagihan/{own_bill}/tagihan.xlsx", None),
        "bill other xlsx": ("get", f"/iuran/tagihan/{other_bill}/tagihan.xlsx", None),
        "bill own pay POST": ("post", f"/iuran/tagihan/{own_bill}/bayar/", pay),
        "bill other pay POST": ("post", f"/iuran/tagihan/{other_bill}/bayar/", pay),
        "api bills": ("get", "/api/v1/bills", None),
        "api bills POST kab": ("post", "/api/v1/bills", JSON(payer="apbd_kabkota", region="16.06", month="2024-03")),
        "api bill own": ("get", f"/api/v1/bills/{own_bill}", None),
        "api bill other": ("get", f"/api/v1/bills/{other_bill}", None),
        "api bill own lines": ("get", f"/api/v1/bills/{own_bill}/lines", None),
        "api bill own xlsx": ("get", f"/api/v1/bills/{own_bill}/xlsx", None),
        "api bill own pay": ("post", f"/api/v1/bills/{own_bill}/payments", JSON(reference="matrix")),
        "api bill other pay": ("post", f"/api/v1/bills/{other_bill}/payments", JSON(reference="matrix")),
        "api pay own": ("post", f"/api/v1/participants/{own}/payments", JSON(through="2027-01",
                                                                              amount=due(world.own))),
        "api pay other": ("post", f"/api/v1/participants/{other}/payments", JSON(through="2027-01",
                                                                                  amount=due(world.other))),
        "api pay due own": ("get", f"/api/v1/participants/{own}/payments/due?through=2027-01", None),
        "api pay due other": ("get", f"/api/v1/participants/{other}/payments/due?through=2027-01", None),
        "api status": ("get", "/api/v1/contributions/status", None),
        "api status own kab": ("get", "/api/v1/contributions/status?region=16.06", None),
        "api feed own kab": ("post", "/api/v1/imports/feed", {"file": feed_file(), "dry_run": "true"}),
        "plans": ("get", "/rencana/", None),
        "plans POST run own kab": ("post", "/rencana/", {**PLAN_FORM, "run": "1"}),
        "plans POST save own kab": ("post", "/rencana/", {**PLAN_FORM, "save": "1"}),
        "plan own": ("get", f"/rencana/{own_plan}/", None),
        "plan other": ("get", f"/rencana/{other_plan}/", None),
        "plans compare": ("get", f"/rencana/banding/?ids={own_plan},{other_plan}", None),
        "api plan run own kab": ("post", "/api/v1/plans/run", JSON(PLAN_SPEC)),
        "api plan save own kab": ("post", "/api/v1/plans", JSON(name="Matriks", spec=PLAN_SPEC)),
        "api plans": ("get", "/api/v1/plans", None),
        "api plan own": ("get", f"/api/v1/plans/{own_plan}", None),
        "api plan other": ("get", f"/api/v1/plans/{other_plan}", None),
        "api plan own rka": ("get", f"/api/v1/plans/{own_plan}/rka.xlsx", None),
        "api plan own enrolment": ("get", f"/api/v1/plans/{own_plan}/enrolment.xlsx", None),
        "api plans compare": ("get", f"/api/v1/plans/compare?ids={own_plan},{other_plan}", None),
    }[name]


# Expected answer per role:      admin  provinsi kab_muba kab_plg desa  bpjs  viewer anon
MATRIX: list[tuple[str, tuple[int | str, ...]]] = [
    ("home",                    (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("registry",                (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("detail own",              (200,   200,     200,     404,    200,  200,  200,   LOGIN)),
    ("detail other",            (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("detail bogus id",         (404,   404,     404,     404,    404,  404,  404,   LOGIN)),
    ("detail raw pk",           (404,   404,     404,     404,    404,  404,  404,   LOGIN)),
    ("edit own",                (200,   200,     200,     404,    200,  200,  403,   LOGIN)),
    ("edit other",              (200,   200,     404,     200,    404,  200,  403,   LOGIN)),
    ("edit own POST",           (DONE,  DONE,    DONE,    404,    DONE, DONE, 403,   LOGIN)),
    ("edit other POST",         (DONE,  DONE,    404,     DONE,   404,  DONE, 403,   LOGIN)),
    ("imports",                 (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("upload",                  (200,   200,     200,     200,    200,  200,  403,   LOGIN)),
    ("upload POST",             (DONE,  DONE,    DONE,    DONE,   DONE, DONE, 403,   LOGIN)),
    ("batch own",               (200,   200,     200,     404,    200,  200,  200,   LOGIN)),
    ("batch other",             (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("rejected own",            (200,   200,     200,     404,    200,  200,  403,   LOGIN)),
    ("rejected other",          (200,   200,     404,     200,    404,  200,  403,   LOGIN)),
    ("retry own",               (DONE,  DONE,    DONE,    404,    DONE, DONE, 403,   LOGIN)),  # not failed: a message
    ("retry other",             (DONE,  DONE,    404,     DONE,   404,  DONE, 403,   LOGIN)),
    ("audit",                   (200,   200,     403,     403,    403,  403,  403,   LOGIN)),
    ("admin",                   (200, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN,
                                 ADMIN_LOGIN)),
    ("admin participants",      (200, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN,
                                 LOGIN)),
    ("api list",                (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api search own nik",      (200,   200,     200,     200,    200,  200,  403,   401)),  # kab_plg: finds no one
    ("api search nik prefix",   (400,   400,     400,     400,    400,  400,  400,   401)),
    ("api search name",         (200,   200,     200,     200,    200,  200,  403,   401)),
    ("api list search in url",  (400,   400,     400,     400,    400,  400,  400,   401)),
    ("api own",                 (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api other",               (200,   200,     404,     200,    404,  200,  200,   401)),
    ("api raw pk",              (404,   404,     404,     404,    404,  404,  404,   401)),
    ("api import",              (200,   200,     200,     200,    200,  200,  403,   401)),
    ("api import own region",   (200,   200,     200,     403,    200,  200,  403,   401)),
    ("api import other region", (200,   200,     403,     200,    403,  200,  403,   401)),
    ("api batch own",           (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api batch other",         (200,   200,     404,     200,    404,  200,  200,   401)),
    ("iuran",                   (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("iuran rules",             (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("admin rules",             (200, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN,
                                 LOGIN)),
    ("api calc",                (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api rules",               (200,   200,     200,     200,    200,  200,  200,   401)),
    ("coverage",                (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("coverage own kab",        (200,   200,     200,     404,    404,  200,  200,   LOGIN)),
    ("coverage other kab",      (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("api coverage",            (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api coverage other kab",  (200,   200,     404,     200,    404,  200,  200,   401)),
    ("api coverage map",        (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api coverage export own kab", (200, 200,   200,     404,    404,  200,  200,   401)),
    ("api root",                (404,   404,     404,     404,    404,  404,  404,   404)),
    ("api docs",                (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("api schema",              (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("bills",                   (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("bills POST kab",          (DONE,  DONE,    DONE,    200,    200,  DONE, 403,   LOGIN)),  # 200: not a choice
    ("bill own",                (200,   200,     200,     404,    200,  200,  200,   LOGIN)),
    ("bill other",              (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("bill own xlsx",           (200,   200,     200,     404,    200,  200,  200,   LOGIN)),  # viewer: masked
    ("bill other xlsx",         (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("bill own pay POST",       (DONE,  DONE,    DONE,    404,    DONE, DONE, 403,   LOGIN)),
    ("bill other pay POST",     (DONE,  DONE,    404,     DONE,   404,  DONE, 403,   LOGIN)),
    ("api bills",               (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api bills POST kab",      (201,   201,     201,     403,    403,  201,  403,   401)),
    ("api bill own",            (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api bill other",          (200,   200,     404,     200,    404,  200,  200,   401)),
    ("api bill own lines",      (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api bill own xlsx",       (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api bill own pay",        (201,   201,     201,     404,    201,  201,  403,   401)),
    ("api bill other pay",      (201,   201,     404,     201,    404,  201,  403,   401)),
    ("api pay own",             (201,   201,     201,     404,    201,  201,  403,   401)),
    ("api pay other",           (201,   201,     404,     201,    404,  201,  403,   401)),
    ("api pay due own",         (200,   200,     200,     404,    200,  200,  200,   401)),
    ("api pay due other",       (200,   200,     404,     200,    404,  200,  200,   401)),
    ("api status",              (400,   200,     200,     200,    200,  200,  200,   401)),  # admin: name a region
    ("api status own kab",      (200,   200,     200,     400,    400,  200,  200,   401)),
    ("api feed own kab",        (200,   200,     200,     422,    403,  200,  403,   401)),  # 422: row refused
    ("plans",                   (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("plans POST run own kab",  (200,   200,     200,     200,    403,  200,  200,   LOGIN)),  # 200: form error
    ("plans POST save own kab", (DONE,  DONE,    DONE,    200,    403,  403,  403,   LOGIN)),
    ("plan own",                (200,   200,     200,     404,    404,  200,  200,   LOGIN)),
    ("plan other",              (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("plans compare",           (200,   200,     404,     404,    404,  200,  200,   LOGIN)),
    ("api plan run own kab",    (200,   200,     200,     404,    404,  200,  200,   401)),
    ("api plan save own kab",   (201,   201,     201,     404,    404,  403,  403,   401)),
    ("api plans",               (200,   200,     200,     200,    200,  200,  200,   401)),
    ("api plan own",            (200,   200,     200,     404,    404,  200,  200,   401)),
    ("api plan other",          (200,   200,     404,     200,    404,  200,  200,   401)),
    ("api plan own rka",        (200,   200,     200,     404,    404,  200,  200,   401)),
    ("api plan own enrolment",  (200,   200,     200,     404,    404,  200,  200,   401)),  # viewer: masked
    ("api plans compare",       (200,   200,     404,     404,    404,  200,  200,   401)),
]  # fmt: skip
CASES = [(name, role, expected) for name, row in MATRIX for role, expected in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_access(world: World, client_for: Callable[[str], Client], name: str, role: str, expected: int | str) -> None:
    assert_answer(client_for(role), role, *target(world, name), expected)


def assert_answer(client: Client, role: str, method: str, path: str, data: Any, expected: int | str) -> None:
    """One request of the matrix: the expected status, or a redirect to the login page, the admin login or
    (any other redirect) the page the action leads to."""
    if isinstance(data, JSON):
        response = client.post(path, data, content_type="application/json")
    else:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    if isinstance(expected, int):
        assert response.status_code == expected, f"{role} {method.upper()} {path}"
        return
    assert response.status_code == 302, f"{role} {method.upper()} {path}: {response.status_code}"
    location = response["Location"]
    if expected == LOGIN:
        assert location.startswith("/akun/masuk/?next=")
    elif expected == ADMIN_LOGIN:
        assert location.startswith("/admin/login/")
    else:
        assert not location.startswith(("/akun/masuk/", "/admin/login/")), location


def test_the_matrix_covers_every_url_of_the_site() -> None:
    """A new page or endpoint must get a row here (or in the focused tests below)."""
    known = {
        "", "akun/masuk/", "akun/keluar/", "akun/audit/", "i18n/setlang/", "registri/", "registri/cari/",
        "registri/peserta/<str:public_id>/", "registri/peserta/<str:public_id>/ubah/", "registri/impor/",
        "registri/impor/unggah/", "registri/impor/<int:pk>/", "registri/impor/<int:pk>/ditolak.xlsx",
        "registri/impor/<int:pk>/ulang/",
        "api/v1/participants", "api/v1/participants/<participant_id>", "api/v1/imports/roster",
        "api/v1/participants/search",
        "api/v1/imports/<batch_id>", "api/v1/openapi.json", "api/v1/docs", "api/v1/",
        "cakupan/", "api/v1/coverage", "api/v1/coverage/map", "api/v1/coverage/export.xlsx",
        "iuran/", "iuran/aturan/", "api/v1/contributions/calc", "api/v1/contributions/rules",
        "iuran/tagihan/", "iuran/tagihan/<int:pk>/", "iuran/tagihan/<int:pk>/tagihan.xlsx",
        "iuran/tagihan/<int:pk>/bayar/", "iuran/tagihan/<int:pk>/kwitansi/<int:payment>/", "wilayah/pilih/",
        "api/v1/bills", "api/v1/bills/<bill_id>", "api/v1/bills/<bill_id>/lines",
        "api/v1/bills/<bill_id>/xlsx", "api/v1/bills/<bill_id>/payments",
        "api/v1/participants/<participant_id>/payments", "api/v1/participants/<participant_id>/payments/due",
        "api/v1/contributions/status", "api/v1/imports/feed",
        "rencana/", "rencana/banding/", "rencana/<int:pk>/", "api/v1/plans/run", "api/v1/plans",
        "api/v1/plans/compare", "api/v1/plans/<plan_id>", "api/v1/plans/<plan_id>/rka.xlsx",
        "api/v1/plans/<plan_id>/enrolment.xlsx",
        "registri/pindah/", "registri/pindah/minta/", "registri/pindah/<int:pk>/putuskan/", "registri/konflik/",
        "registri/konflik/<int:pk>/", "api/v1/transfers", "api/v1/transfers/<transfer_id>/decision",
        "api/v1/nik-conflicts", "api/v1/nik-conflicts/<conflict_id>", "api/v1/nik-conflicts/<conflict_id>/decision",
        # issue 16: one worker, fixing rejected rows (tests/registry/test_operator_pages.py), the feed page
        # (tests/coverage/test_feed_upload_page.py)
        "registri/peserta/tambah/", "registri/impor/<int:pk>/perbaiki/", "cakupan/umpan/", "cakupan/umpan/<int:pk>/",
        # reports (issue 15): scope, 404 outside, 403 for a viewer issuing, 401/login in tests/reports/test_reports.py
        "laporan/", "laporan/<int:pk>/", "laporan/<int:pk>/unduh/", "api/v1/reports", "api/v1/reports/<report_id>",
        "api/v1/reports/<report_id>/file",
        # targeting pages (issue 14): every role in tests/targeting/test_web_matrix.py
        "sasaran/", "sasaran/corong.xlsx", "sasaran/kandidat/", "sasaran/kandidat.xlsx",
        "sasaran/kandidat/ke-daftar-kerja/", "sasaran/kandidat/dari-rencana/", "sasaran/daftar-kerja/",
        "sasaran/daftar-kerja/<str:code>/",
        "sasaran/daftar-kerja/<str:code>/daftar-kerja.xlsx", "sasaran/daftar-kerja/<str:code>/ajukan/",
        "sasaran/orang/<int:pk>/", "sasaran/orang/<int:pk>/status/", "sasaran/berkas-kolektif/<int:pk>/",
        "sasaran/muatan/", "sasaran/muatan/daftar/unggah/", "sasaran/muatan/daftar/<int:pk>/",
        "sasaran/muatan/bpjs/unggah/", "sasaran/muatan/bpjs/<int:pk>/",
        # commitments API (issue 13): every role, 404 outside the scope, 401 anonymous in tests/commitments/test_api.py
        "api/v1/commitments/scorecard", "api/v1/commitments/rules", "api/v1/commitments/institutions",
        "api/v1/commitments/institutions/<desa>", "api/v1/commitments/instruments",
        "api/v1/commitments/instruments/<pk>", "api/v1/commitments/instruments/<pk>/document",
        "api/v1/commitments/budgets", "api/v1/commitments/budgets/<pk>", "api/v1/commitments/units",
        "api/v1/commitments/units/<pk>", "api/v1/commitments/partners", "api/v1/commitments/partners/<pk>",
        "api/v1/commitments/meetings", "api/v1/commitments/meetings/<pk>", "api/v1/commitments/actions",
        "api/v1/commitments/actions/<pk>", "api/v1/commitments/actions/<pk>/status",
        # notifications (issue 16 item 14): the user's own only, tests/notifications/test_notifications.py
        "pemberitahuan/", "pemberitahuan/bel/", "api/v1/notifications", "api/v1/notifications/read",
        "api/v1/notifications/<notification_id>/read",
        # favourites (issue 16 item 15): the user's own only, tests/favourites/test_favourites.py
        "favorit/", "favorit/<int:pk>/hapus/", "api/v1/favourites", "api/v1/favourites/<favourite_id>",
    }  # fmt: skip
    # commitment pages (issue 13): every role in tests/commitments/test_web_matrix.py (which lists them: ROUTES)
    from tests.commitments.test_web_matrix import ROUTES as COMMITMENT_PAGES

    known |= set(COMMITMENT_PAGES)
    # targeting API (issue 14): 404 outside the scope, 401 anonymous in tests/targeting/test_api_scope.py
    from tests.targeting.test_api_scope import ROUTES as TARGETING_API

    known |= TARGETING_API
    assert site_routes() == known


# --- what each role sees in lists: counts per role, and edited region filters do not widen the scope ----

# role → participants visible (own = Sukarami, other = Palembang)
VISIBLE = [
    ("admin", {"own", "other"}),
    ("provinsi", {"own", "other"}),
    ("kab_muba", {"own"}),
    ("kab_plg", {"other"}),
    ("desa", {"own"}),
    ("bpjs", {"own", "other"}),
    ("viewer", {"own", "other"}),
]


@pytest.mark.parametrize(("role", "names"), VISIBLE)
def test_lists_count_only_the_callers_regions(
    world: World, client_for: Callable[[str], Client], role: str, names: set[str]
) -> None:
    client = client_for(role)
    expected = {getattr(world, n).public_hex for n in names}
    data = client.get("/api/v1/participants").json()
    assert {i["id"] for i in data["items"]} == expected
    assert data["count"] == len(expected) and data["count_capped"] is False
    page = client.get("/registri/")
    assert page.context["page"].count == len(expected)
    assert {r["p"].public_hex for r in page.context["rows"]} == expected
    assert client.get("/").context["total"] == len(expected)


@pytest.mark.parametrize(
    ("role", "query", "names"),
    [
        ("desa", "?region=16.71", set()),
        ("desa", f"?region={PALEMBANG}", set()),
        ("desa", "?region=16", {"own"}),  # a wider region than one's own still yields only one's own
        ("desa", "?region=1671011001", set()),  # undotted code
        ("kab_muba", "?region=16.71", set()),
        ("kab_plg", "?region=16.06", set()),
        ("kab_plg", "?region=16", {"other"}),
        ("viewer", "?segment=PU", {"other"}),
        ("viewer", "?ecosystem=desa", {"own"}),
        ("provinsi", "?region=16.06&status=aktif", {"own"}),
        ("admin", "?region=16.71", {"other"}),
        ("desa", "?page_size=100000&page=1", {"own"}),
    ],
)
def test_api_region_filter_cannot_widen_the_scope(
    world: World, client_for: Callable[[str], Client], role: str, query: str, names: set[str]
) -> None:
    data = client_for(role).get(f"/api/v1/participants{query}").json()
    assert {i["id"] for i in data["items"]} == {getattr(world, n).public_hex for n in names}
    assert data["count"] == len(names)


def test_api_unknown_region_code_is_not_found(world: World, client_for: Callable[[str], Client]) -> None:
    assert client_for("desa").get("/api/v1/participants?region=xx").status_code == 404


@pytest.mark.parametrize("query", ["?region=16.71", f"?region={PALEMBANG}", "?region=16.71&segment=PU"])
def test_registry_page_region_filter_cannot_widen_the_scope(
    world: World, client_for: Callable[[str], Client], query: str
) -> None:
    response = client_for("desa").get(f"/registri/{query}")
    body = response.content.decode()
    assert response.status_code == 200
    assert world.other.public_hex not in body and "Budi" not in body
    assert "16.71" not in dict(response.context["form"].fields["region"].choices)  # not even offered


def test_registry_page_region_choices_stay_inside_the_scope(world: World, client_for: Callable[[str], Client]) -> None:
    choices = [c for c, _ in client_for("kab_muba").get("/registri/").context["form"].fields["region"].choices if c]
    assert choices and all(c == "16.06" or c.startswith("16.06.") for c in choices)


def test_keyset_cursor_does_not_reach_other_regions(world: World, client_for: Callable[[str], Client]) -> None:
    """The paging cursors are plain ids; editing them only moves within the caller's own rows."""
    client = client_for("desa")
    for query in (f"?after={world.own.pk}", f"?before={world.other.pk + 1}", "?after=0", "?after=-5&before=x"):
        body = client.get(f"/registri/{query}").content.decode()
        assert world.other.public_hex not in body, query


# --- writes: editing, moving, uploading -------------------------------------------------------------------


def test_moving_a_participant_out_of_ones_region_is_refused(world: World, client_for: Callable[[str], Client]) -> None:
    data = {**edit_data(world.own), "desa_code": PALEMBANG}
    response = client_for("desa").post(f"/registri/peserta/{world.own.public_hex}/ubah/", data)
    assert response.status_code == 200 and "di luar wilayah" in response.content.decode()
    world.own.refresh_from_db()
    assert (world.own.desa_id, world.own.name) == (SUKARAMI, "Siti Aminah")


def test_kab_officer_may_move_within_the_kabupaten_only(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    inside = {**edit_data(world.own), "desa_code": "16.06.01.2002"}
    assert client.post(f"/registri/peserta/{world.own.public_hex}/ubah/", inside).status_code == 302
    world.own.refresh_from_db()
    assert world.own.desa_id == "16.06.01.2002"
    outside = {**edit_data(world.own), "desa_code": PALEMBANG}
    assert client.post(f"/registri/peserta/{world.own.public_hex}/ubah/", outside).status_code == 200
    world.own.refresh_from_db()
    assert world.own.desa_id == "16.06.01.2002"


@pytest.mark.parametrize(("role", "record", "changed"), [
    ("desa", "own", True), ("desa", "other", False), ("kab_plg", "own", False), ("kab_plg", "other", True),
    ("viewer", "own", False), ("viewer", "other", False), ("anon", "own", False),
])  # fmt: skip
def test_refused_edits_change_nothing(
    world: World, client_for: Callable[[str], Client], role: str, record: str, changed: bool
) -> None:
    p = world.own if record == "own" else world.other
    before = p.name
    client_for(role).post(f"/registri/peserta/{p.public_hex}/ubah/", edit_data(p))
    p.refresh_from_db()
    assert (p.name != before) is changed


def test_web_upload_into_another_region_is_refused(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    before = ImportBatch.objects.count()
    response = client.post("/registri/impor/unggah/", {"file": roster_file(), "region": "16.71"})
    assert response.status_code == 200 and response.context["form"].errors["region"]  # not one of the choices
    assert ImportBatch.objects.count() == before
    choices = [c for c, _ in client.get("/registri/impor/unggah/").context["form"].fields["region"].choices if c]
    assert choices == [SUKARAMI]


def test_web_upload_rejects_rows_of_other_villages(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("desa").post("/registri/impor/unggah/", {"file": roster_file(), "region": ""})
    batch = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (batch.accepted, batch.rejected, batch.region_id) == (1, 1, SUKARAMI)
    assert list(batch.issues.values_list("code", flat=True)) == ["REGION_OUTSIDE"]
    assert not Participant.objects.filter(nik="1671011301900045").exists()


@pytest.mark.parametrize(("role", "accepted", "outside"), [
    ("desa", 1, [PALEMBANG]), ("kab_muba", 1, [PALEMBANG]), ("kab_plg", 1, [SUKARAMI]), ("provinsi", 2, []),
])  # fmt: skip
def test_api_import_rejects_rows_outside_the_callers_regions(
    world: World, client_for: Callable[[str], Client], role: str, accepted: int, outside: list[str]
) -> None:
    report = client_for(role).post("/api/v1/imports/roster", {"file": roster_file()}).json()
    assert (report["accepted"], report["rejected"]) == (accepted, 2 - accepted)
    assert [i["code"] for i in report["issues"]] == ["REGION_OUTSIDE"] * len(outside)
    assert all(code in i["message"] for i, code in zip(report["issues"], outside, strict=True))


def test_api_import_into_another_region_is_refused_and_writes_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    before = (Participant.objects.count(), ImportBatch.objects.count())
    response = client_for("desa").post("/api/v1/imports/roster", {"file": roster_file(), "region": "16.71"})
    assert response.status_code == 403 and response.json()["code"] == "REFUSED"
    assert (Participant.objects.count(), ImportBatch.objects.count()) == before
    response = client_for("desa").post("/api/v1/imports/roster", {"file": roster_file(), "region": "16.06"})
    assert response.status_code == 403  # the parent kabupaten is wider than the village: refused too


def test_api_import_dry_run_writes_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    before = Participant.objects.count()
    report = client_for("desa").post("/api/v1/imports/roster", {"file": roster_file(), "dry_run": "true"}).json()
    assert report["dry_run"] is True and report["accepted"] == 1 and report["batch_id"] is None
    assert Participant.objects.count() == before


def test_the_uploaders_batch_outside_scope_stays_hidden_from_others(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """An upload is visible to its uploader and to users of its region, nobody else."""
    report = client_for("kab_plg").post("/api/v1/imports/roster", {"file": roster_file()}).json()
    batch = ImportBatch.objects.get(pk=report["batch_id"])
    assert batch.region_id == PALEMBANG
    assert client_for("desa").get(f"/registri/impor/{batch.pk}/").status_code == 404
    assert client_for("desa").get(f"/api/v1/imports/{batch.pk}").status_code == 404
    assert client_for("provinsi").get(f"/api/v1/imports/{batch.pk}").status_code == 200


# --- sessions, tokens, CSRF, users without a role -------------------------------------------------------


def test_bearer_token_goes_through_the_same_scoping(world: World, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    _, token = ApiToken.issue(make_user("kabkota", "16.71"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/participants/{world.other.public_hex}").status_code == 200
    assert client.get(f"/api/v1/participants/{world.own.public_hex}").status_code == 404
    assert [i["id"] for i in client.get("/api/v1/participants").json()["items"]] == [world.other.public_hex]
    assert client.get(f"/api/v1/imports/{world.own_batch.pk}").status_code == 404
    # a bearer token is for the API only: the pages still want a login
    assert client.get("/registri/").status_code == 302


def test_bearer_token_import_needs_no_csrf_and_is_scoped(world: World, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    _, token = ApiToken.issue(make_user("desa", SUKARAMI))
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    report = client.post("/api/v1/imports/roster", {"file": roster_file()})
    assert report.status_code == 200 and (report.json()["accepted"], report.json()["rejected"]) == (1, 1)
    refused = client.post("/api/v1/imports/roster", {"file": roster_file(), "region": "16.71"})
    assert refused.status_code == 403


@pytest.mark.parametrize("header", ["Bearer ucj_wrong", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz"])
def test_bad_tokens_are_refused(world: World, header: str) -> None:
    assert Client(HTTP_AUTHORIZATION=header).get("/api/v1/participants").status_code == 401


def test_revoked_token_and_inactive_user_are_refused(world: World, make_user: Callable[..., Any]) -> None:
    from ucj.accounts.models import ApiToken

    row, token = ApiToken.issue(make_user("provinsi", "16"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/participants").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked=True)
    assert client.get("/api/v1/participants").status_code == 401
    user = make_user("provinsi", "16")
    _, token = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/participants").status_code == 401


def test_session_api_write_needs_csrf(world: World, make_user: Callable[..., Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("desa", SUKARAMI))
    response = client.post("/api/v1/imports/roster", {"file": roster_file()})
    assert response.status_code == 403
    assert not Participant.objects.filter(nik="1606011301900044").exists()


def test_deactivated_users_session_stops_working(world: World, make_user: Callable[..., Any]) -> None:
    user = make_user("provinsi", "16")
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/participants").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/participants").status_code == 401
    assert client.get(f"/registri/peserta/{world.own.public_hex}/")["Location"].startswith("/akun/masuk/")


def test_user_without_a_role_sees_nothing(world: World) -> None:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_user("tanpa-peran"))
    assert client.get("/api/v1/participants").json()["count"] == 0
    assert client.get(f"/api/v1/participants/{world.own.public_hex}").status_code == 404
    assert client.get(f"/registri/peserta/{world.own.public_hex}/").status_code == 404
    assert client.get("/registri/impor/unggah/").status_code == 403
    assert client.get("/akun/audit/").status_code == 403
    assert client.post("/api/v1/imports/roster", {"file": roster_file()}).status_code == 403
    assert client.get("/").context["total"] == 0


def test_search_and_language_posts_need_no_more_than_a_login(world: World, client_for: Callable[[str], Client]) -> None:
    for role in ROLES:
        client = client_for(role)
        search = client.post("/registri/cari/", {"q": "Siti"})
        assert search.status_code == 302
        assert search["Location"].startswith("/akun/masuk/" if role == "anon" else "/registri/")
        language = client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
        assert language.status_code == 302 and client.cookies["django_language"].value == "en"


def test_language_switch_does_not_redirect_off_site(client_for: Callable[[str], Client]) -> None:
    response = client_for("anon").post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_next_does_not_redirect_off_site(make_user: Callable[..., Any]) -> None:
    from tests.conftest import DEMO_PASSWORD

    make_user("desa", SUKARAMI, username="pengarah")
    response = Client().post("/akun/masuk/?next=https://evil.example/", {"username": "pengarah",
                                                                          "password": DEMO_PASSWORD})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/"


# --- import scope, transfers and the NIK conflict queue (issue 11 §1, §2) ----------------------------------


def world_trust(world: World) -> dict[str, int]:
    """A pending transfer of the Palembang participant into Sukarami (asked from a Sukarami batch's
    ``NIK_NOT_AVAILABLE`` row 2) and one open NIK conflict on each participant."""
    from ucj.registry.models import ImportIssue, NikConflict, TransferRequest

    ImportIssue.objects.create(batch=world.own_batch, row=2, column="NIK", code="NIK_NOT_AVAILABLE",
                               severity="error", value=world.other.nik, extra=SUKARAMI)  # fmt: skip
    transfer = TransferRequest.objects.create(participant=world.other, from_desa_id=PALEMBANG, to_desa_id=SUKARAMI,
                                              batch=world.own_batch, row=2)  # fmt: skip
    own_c, other_c = (
        NikConflict.objects.create(participant=p, batch=b, row=2, incoming={"name": "Orang Lain"})
        for p, b in ((world.own, world.own_batch), (world.other, world.other_batch))
    )
    return {"transfer": transfer.pk, "own_c": own_c.pk, "other_c": other_c.pk, "own_b": world.own_batch.pk}


def trust_target(world: World, name: str) -> tuple[str, str, dict[str, Any] | None]:
    ids = world_trust(world)
    t, own_c, other_c, own_b = ids["transfer"], ids["own_c"], ids["other_c"], ids["own_b"]
    return {
        "transfers": ("get", "/registri/pindah/", None),
        "transfer request own row": ("get", f"/registri/pindah/minta/?batch={own_b}&row=2", None),
        "transfer request POST": ("post", "/registri/pindah/minta/", {"batch": str(own_b), "row": "2"}),
        "transfer decide POST": ("post", f"/registri/pindah/{t}/putuskan/", {"decision": "refuse"}),
        "conflicts": ("get", "/registri/konflik/", None),
        "conflict own": ("get", f"/registri/konflik/{own_c}/", None),
        "conflict other": ("get", f"/registri/konflik/{other_c}/", None),
        "conflict own POST": ("post", f"/registri/konflik/{own_c}/", {"decision": "keep"}),
        "conflict other POST": ("post", f"/registri/konflik/{other_c}/", {"decision": "keep"}),
        "api transfers": ("get", "/api/v1/transfers", None),
        "api transfer request": ("post", "/api/v1/transfers", JSON(batch_id=own_b, row=2)),
        "api transfer decide": ("post", f"/api/v1/transfers/{t}/decision", JSON(decision="refuse")),
        "api conflicts": ("get", "/api/v1/nik-conflicts", None),
        "api conflict own": ("get", f"/api/v1/nik-conflicts/{own_c}", None),
        "api conflict other": ("get", f"/api/v1/nik-conflicts/{other_c}", None),
        "api conflict own decide": ("post", f"/api/v1/nik-conflicts/{own_c}/decision", JSON(decision="keep")),
        "api conflict other decide": ("post", f"/api/v1/nik-conflicts/{other_c}/decision", JSON(decision="keep")),
    }[name]


# The transfer is of the Palembang participant, asked from Sukarami: the current region (Palembang) decides,
# the requester's side (kab_muba, desa) gets 404. A request is possible only from outside the person's
# region (admin, provinsi and bpjs reach Palembang: 409/"not possible", a re-import handles it).
# Expected answer per role:      admin  provinsi kab_muba kab_plg desa  bpjs  viewer anon
TRUST_MATRIX: list[tuple[str, tuple[int | str, ...]]] = [
    ("transfers",               (200,   200,     200,     200,    200,  200,  403,   LOGIN)),
    ("transfer request own row", (200,  200,     200,     404,    200,  200,  403,   LOGIN)),
    ("transfer request POST",   (DONE,  DONE,    DONE,    404,    DONE, DONE, 403,   LOGIN)),
    ("transfer decide POST",    (DONE,  DONE,    404,     DONE,   404,  DONE, 404,   LOGIN)),
    ("conflicts",               (200,   200,     200,     200,    200,  200,  403,   LOGIN)),
    ("conflict own",            (200,   200,     200,     404,    200,  200,  404,   LOGIN)),
    ("conflict other",          (200,   200,     404,     200,    404,  200,  404,   LOGIN)),
    ("conflict own POST",       (DONE,  DONE,    DONE,    404,    DONE, DONE, 404,   LOGIN)),
    ("conflict other POST",     (DONE,  DONE,    404,     DONE,   404,  DONE, 404,   LOGIN)),
    ("api transfers",           (200,   200,     200,     200,    200,  200,  403,   401)),
    ("api transfer request",    (409,   409,     201,     409,    201,  409,  403,   401)),
    ("api transfer decide",     (200,   200,     404,     200,    404,  200,  404,   401)),
    ("api conflicts",           (200,   200,     200,     200,    200,  200,  403,   401)),
    ("api conflict own",        (200,   200,     200,     404,    200,  200,  404,   401)),
    ("api conflict other",      (200,   200,     404,     200,    404,  200,  404,   401)),
    ("api conflict own decide", (200,   200,     200,     404,    200,  200,  404,   401)),
    ("api conflict other decide", (200, 200,     404,     200,    404,  200,  404,   401)),
]  # fmt: skip
TRUST_CASES = [(name, role, expected) for name, row in TRUST_MATRIX for role, expected in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("name", "role", "expected"), TRUST_CASES, ids=[f"{n}-{r}" for n, r, _ in TRUST_CASES])
def test_trust_access(
    world: World, client_for: Callable[[str], Client], name: str, role: str, expected: int | str
) -> None:
    assert_answer(client_for(role), role, *trust_target(world, name), expected)


def test_transfer_requester_learns_nothing_before_approval(world: World, client_for: Callable[[str], Client]) -> None:
    """The requester side lists its request without the person's name or current village, in pages and API."""
    world_trust(world)
    for role in ("desa", "kab_muba"):
        client = client_for(role)
        page = client.get("/registri/pindah/").content.decode()
        api = client.get("/api/v1/transfers").json()
        assert "Budi Palembang" not in page and PALEMBANG not in page
        assert api[0]["direction"] == "outgoing" and api[0]["from_desa"] is None and api[0]["name"] == ""
        assert world.other.nik not in page and world.other.nik not in str(api)


def test_an_import_cannot_reach_a_record_outside_the_uploaders_regions(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """The page upload of a Sukarami operator with the Palembang participant's NIK leaves that record alone."""
    text = f"NIK,Nama,Kode Desa\n{world.other.nik},Budi Palembang,{SUKARAMI}\n"
    before = Participant.objects.filter(pk=world.other.pk).values().get()
    response = client_for("desa").post("/api/v1/imports/roster", {"file": roster_file(text)})
    assert response.status_code == 200
    body = response.json()
    assert (body["updated"], body["rejected"]) == (0, 1)
    assert [i["code"] for i in body["issues"] if i["severity"] == "error"] == ["NIK_NOT_AVAILABLE"]
    assert PALEMBANG not in str(body) and "16.71" not in str(body)
    assert Participant.objects.filter(pk=world.other.pk).values().get() == before


# --- search rules (issue 11, point 8): no search reveals what the pages mask ------------------------------------

#: term → (role → expected: "own" / "other" found, "" none found, or a refusal code)
SEARCH_RULES: list[tuple[str, dict[str, str]]] = [
    ("own nik", {"admin": "own", "provinsi": "own", "kab_muba": "own", "kab_plg": "", "desa": "own", "bpjs": "own",
                 "viewer": "NIK_NOT_ALLOWED"}),
    ("other nik", {"admin": "other", "provinsi": "other", "kab_muba": "", "kab_plg": "other", "desa": "",
                   "bpjs": "other", "viewer": "NIK_NOT_ALLOWED"}),
    ("own nik prefix", {r: "NIK_PARTIAL" for r in ROLES if r != "anon"}),
    ("own nik spaced", {"admin": "own", "provinsi": "own", "kab_muba": "own", "kab_plg": "", "desa": "own",
                        "bpjs": "own", "viewer": "NIK_NOT_ALLOWED"}),
    ("own name", {"admin": "own", "provinsi": "own", "kab_muba": "own", "kab_plg": "", "desa": "own", "bpjs": "own",
                  "viewer": "NAME_NOT_ALLOWED"}),
]  # fmt: skip
SEARCH_CASES = [(term, role, want) for term, row in SEARCH_RULES for role, want in row.items()]


def _term(world: World, term: str) -> str:
    nik = world.own.nik
    return {"own nik": nik, "other nik": world.other.nik, "own nik prefix": nik[:12],
            "own nik spaced": f"{nik[:6]} {nik[6:12]} {nik[12:]}", "own name": "siti amin"}[term]  # fmt: skip


@pytest.mark.parametrize(("term", "role", "want"), SEARCH_CASES, ids=[f"{t}-{r}" for t, r, _ in SEARCH_CASES])
def test_search_rules(world: World, client_for: Callable[[str], Client], term: str, role: str, want: str) -> None:
    """Page and API agree: full NIK (16 digits) or name, only among people the role sees in full; prefixes refused."""
    client = client_for(role)
    q = _term(world, term)
    ids = {"own": [world.own.public_hex], "other": [world.other.public_hex], "": []}
    api = client.post("/api/v1/participants/search", {"q": q}, content_type="application/json")
    assert client.post("/registri/cari/", {"q": q}).status_code == 302
    page = client.get("/registri/")
    found = [r["p"].public_hex for r in page.context["rows"]]
    if want in ids:
        assert api.status_code == 200 and [i["id"] for i in api.json()["items"]] == ids[want]
        assert found == ids[want]
    else:
        assert api.status_code in (400, 403) and api.json()["code"] == want
        assert found == []


def test_searches_are_audited_without_the_term(world: World, client_for: Callable[[str], Client]) -> None:
    from ucj.accounts.models import AuditEvent

    client = client_for("kab_muba")
    client.post("/registri/cari/", {"q": world.own.nik})
    client.post("/api/v1/participants/search", {"q": world.own.nik[:10]}, content_type="application/json")
    events = list(AuditEvent.objects.filter(action="participant_search").order_by("at", "pk"))
    assert [(e.changes["kind"], e.changes["outcome"], e.changes["found"]) for e in events] == [
        ("nik", "ok", 1), ("nik_partial", "NIK_PARTIAL", None),
    ]  # fmt: skip
    for e in events:
        assert world.own.nik[:10] not in f"{e.summary}{e.changes}" and e.actor_name.startswith("kabkota")


def test_search_rate_limit_is_per_user_and_bilingual(
    world: World, client_for: Callable[[str], Client], settings: Any
) -> None:
    settings.UCJ_SEARCH_RATE = "2/hour"
    client = client_for("desa")
    assert [client.post("/registri/cari/", {"q": "Siti"}).status_code for _ in range(2)] == [302, 302]
    assert client.post("/registri/cari/", {"q": "Siti"}).status_code == 429
    api = client.post("/api/v1/participants/search", {"q": "Siti"}, content_type="application/json")
    assert api.status_code == 429 and api.json()["message"] and api.json()["message_en"]
    assert client_for("desa").post("/registri/cari/", {"q": "Siti"}).status_code == 302
