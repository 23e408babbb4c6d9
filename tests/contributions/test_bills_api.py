"""``/api/v1/bills``, the payment endpoints and ``/api/v1/contributions/status``: auth, scope, masking, refusals."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ucj.accounts.models import ApiToken, AuditEvent
from ucj.contributions.bills import create_bill
from ucj.contributions.models import Bill, Payment
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI, PRABUMULIH = "16.06.01.2001", "16.74.03.2003"  # desa Pangkul, Kota Prabumulih (a kelurahan has no APBDes)
MARCH = dt.date(2024, 3, 1)
SITI_NIK, SITI_MASKED = "1606014101900012", "16**************"
BILLS = "/api/v1/bills"
STATUS = "/api/v1/contributions/status"
APBDES_MARCH = {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"}


@pytest.fixture
def people(db: Any) -> dict[str, Participant]:
    """Siti (BPU, APBDes of Sukarami, paid through February 2024) and Budi (the same in a desa of Prabumulih)."""
    common: dict[str, Any] = {"segment": "BPU", "payer": "apbdes", "paid_through": dt.date(2024, 2, 29)}
    return {
        "own": Participant.objects.create(nik=SITI_NIK, name="Siti Aminah", desa_id=SUKARAMI, **common),
        "other": Participant.objects.create(nik="1671011505850003", name="Budi Santoso", desa_id=PRABUMULIH, **common),
    }


@pytest.fixture
def bills(people: dict[str, Participant], admin_user: Any) -> dict[str, Bill]:
    return {"own": create_bill(admin_user, "apbdes", SUKARAMI, MARCH),
            "other": create_bill(admin_user, "apbdes", PRABUMULIH, MARCH)}  # fmt: skip


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any, **kw: Any) -> Client:
    _, token = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **kw)


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data, content_type="application/json")


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize(("method", "path"), [
    ("get", BILLS), ("post", BILLS), ("get", f"{BILLS}/1"), ("get", f"{BILLS}/1/lines"), ("get", f"{BILLS}/1/xlsx"),
    ("post", f"{BILLS}/1/payments"), ("post", "/api/v1/participants/0123456789abcdef/payments"), ("get", STATUS),
])  # fmt: skip
def test_anonymous_gets_401(db: Any, method: str, path: str) -> None:
    assert getattr(Client(), method)(path).status_code == 401
    assert getattr(Client(HTTP_AUTHORIZATION="Bearer ucj_wrong"), method)(path).status_code == 401


# ---------------------------------------------------------------- making bills


def test_post_a_bill(people: dict[str, Participant], desa_user: Any) -> None:
    response = post(bearer(desa_user, enforce_csrf_checks=True), BILLS, APBDES_MARCH)  # a token needs no CSRF
    assert response.status_code == 201
    data = response.json()
    bill = Bill.objects.get()
    assert data == {
        "id": bill.pk, "payer": "apbdes", "region": SUKARAMI, "month": "2024-03", "status": "open",
        "participants": 1, "participant_months": 1, "total": 16_800, "employer_total": 0, "worker_total": 0,
        "government_total": 16_800, "program_totals": {"JKK": 10_000, "JKM": 6_800, "JHT": 0, "JP": 0, "JKP": 0},
        "tariffs": data["tariffs"], "notes": [], "due_date": "2024-03-15", "overdue": data["overdue"],
    }  # fmt: skip
    assert data["tariffs"][0]["month"] == "2024-03" and data["tariffs"][0]["segment"] == "BPU"
    # BPU March 2024 is due Friday 15 March 2024 and long overdue; BPU has no late fine (docs/contributions.md)
    (late,) = data["overdue"]["months"]
    assert (late["month"], late["due_date"], late["amount"], late["fine_rate"], late["fine"]) == (
        "2024-03", "2024-03-15", 16_800, None, 0)
    assert AuditEvent.objects.filter(action="bill.create", actor=desa_user, object_id=str(bill.pk)).exists()


@pytest.mark.parametrize(("body", "indonesian", "english"), [
    ({**APBDES_MARCH, "month": "Maret 2024"}, "Bulan harus YYYY-MM", "the month must be YYYY-MM"),
    ({**APBDES_MARCH, "payer": "pemda"}, "Pembayar tidak dikenal", "unknown payer"),
    ({**APBDES_MARCH, "region": "16.06.01.9999"}, "Kode wilayah tidak dikenal", "unknown region code"),
    ({**APBDES_MARCH, "payer": "apbd_kabkota"}, "harus untuk satu kabupaten/kota", "is for one kab/kota"),
])  # fmt: skip
def test_a_bad_bill_request_is_400_in_both_languages(
    people: dict[str, Participant], desa_user: Any, body: dict[str, str], indonesian: str, english: str
) -> None:
    response = post(login(desa_user), BILLS, body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert indonesian in detail and english in detail and " / " in detail
    assert not Bill.objects.exists()


def test_a_missing_field_is_a_validation_error(db: Any, desa_user: Any) -> None:
    response = post(login(desa_user), BILLS, {"payer": "apbdes", "region": SUKARAMI})
    assert response.status_code == 422


@pytest.mark.parametrize(("role", "region"), [("viewer", "16"), ("desa", "16.06.01.2002"), ("kabkota", "16.71")])
def test_billing_outside_ones_scope_or_role_is_403(
    people: dict[str, Participant], make_user: Callable[..., Any], role: str, region: str
) -> None:
    response = post(login(make_user(role, region)), BILLS, APBDES_MARCH)
    assert response.status_code == 403
    assert "tidak berhak" in response.json()["detail"] and "may not bill" in response.json()["detail"]
    assert not Bill.objects.exists()


def test_a_paid_bill_is_not_replaced(bills: dict[str, Bill], desa_user: Any) -> None:
    client = login(desa_user)
    assert post(client, f"{BILLS}/{bills['own'].pk}/payments", {}).status_code == 201
    response = post(client, BILLS, APBDES_MARCH)
    assert response.status_code == 400 and "already paid" in response.json()["detail"]


# ---------------------------------------------------------------- reading bills


@pytest.mark.parametrize(("role", "region", "names"), [
    ("desa", SUKARAMI, {"own"}), ("kabkota", "16.74", {"other"}), ("viewer", "16", {"own", "other"}),
    ("admin", None, {"own", "other"}),
])  # fmt: skip
def test_reading_is_scoped(
    bills: dict[str, Bill], make_user: Callable[..., Any], role: str, region: str | None, names: set[str]
) -> None:
    client = bearer(make_user(role, region))
    assert {b["id"] for b in client.get(BILLS).json()} == {bills[n].pk for n in names}
    for name, bill in bills.items():
        expected = 200 if name in names else 404
        for suffix in ("", "/lines", "/xlsx"):
            assert client.get(f"{BILLS}/{bill.pk}{suffix}").status_code == expected, (name, suffix)


def test_list_filters(bills: dict[str, Bill], viewer_user: Any) -> None:
    client = login(viewer_user)
    assert [b["region"] for b in client.get(BILLS, {"region": PRABUMULIH}).json()] == [PRABUMULIH]
    assert len(client.get(BILLS, {"month": "2024-03", "payer": "apbdes"}).json()) == 2
    assert client.get(BILLS, {"month": "2024-04"}).json() == []
    assert client.get(BILLS, {"month": "bukan-bulan"}).json() == []
    assert client.get(BILLS, {"payer": "mandiri"}).json() == []


def test_one_bill(bills: dict[str, Bill], desa_user: Any) -> None:
    data = login(desa_user).get(f"{BILLS}/{bills['own'].pk}").json()
    assert (data["id"], data["total"], data["status"], data["month"]) == (bills["own"].pk, 16_800, "open", "2024-03")
    assert login(desa_user).get(f"{BILLS}/999999").status_code == 404


@pytest.mark.parametrize(("role", "name"), [("desa", "Siti Aminah"), ("viewer", "S*** A*****")])
def test_lines_mask_the_nik_always_and_the_name_for_viewers(
    bills: dict[str, Bill], people: dict[str, Participant], make_user: Callable[..., Any], role: str, name: str
) -> None:
    user = make_user(role, SUKARAMI if role == "desa" else "16")
    response = login(user).get(f"{BILLS}/{bills['own'].pk}/lines")
    assert response.status_code == 200
    assert response.json() == [{
        "participant": people["own"].public_hex, "nik": SITI_MASKED, "name": name, "desa": SUKARAMI,
        "first_month": "2024-03", "months": 1, "jkk": 10_000, "jkm": 6_800, "jht": 0, "jp": 0, "jkp": 0,
        "employer": 0, "worker": 0, "government": 16_800, "amount": 16_800, "lapses_if_unpaid": False, "payment": None,
    }]  # fmt: skip
    assert SITI_NIK not in response.content.decode()


def test_lines_are_paged(bills: dict[str, Bill], desa_user: Any) -> None:
    client = login(desa_user)
    assert len(client.get(f"{BILLS}/{bills['own'].pk}/lines", {"page": 1, "page_size": 1}).json()) == 1
    assert client.get(f"{BILLS}/{bills['own'].pk}/lines", {"page": 2, "page_size": 1}).json() == []
    assert len(client.get(f"{BILLS}/{bills['own'].pk}/lines", {"page": 0, "page_size": 0}).json()) == 1


@pytest.mark.parametrize(("role", "nik"), [("desa", SITI_NIK), ("viewer", SITI_MASKED)])
def test_the_xlsx_is_masked_for_viewers_and_audited(
    bills: dict[str, Bill], make_user: Callable[..., Any], role: str, nik: str
) -> None:
    user = make_user(role, SUKARAMI if role == "desa" else "16")
    response = bearer(user).get(f"{BILLS}/{bills['own'].pk}/xlsx")
    assert response.status_code == 200
    assert 'filename="tagihan-apbdes-16.06.01.2001-2024-03.xlsx"' in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("Rincian").to_python()
    assert rows[1][1] == nik
    assert AuditEvent.objects.filter(action="bill.export", actor=user, object_id=str(bills["own"].pk)).count() == 1


# ---------------------------------------------------------------- payments


def test_pay_a_bill(bills: dict[str, Bill], people: dict[str, Participant], desa_user: Any) -> None:
    bill = bills["own"]
    response = post(login(desa_user), f"{BILLS}/{bill.pk}/payments",
                    {"paid_on": "2024-03-20", "reference": "TRF-1", "amount": 16_800})  # fmt: skip
    assert response.status_code == 201
    payment = Payment.objects.get()
    assert response.json() == {"id": payment.pk, "paid_through": "2024-03-31", "amount": 16_800}
    assert (payment.paid_on, payment.reference) == (dt.date(2024, 3, 20), "TRF-1")
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert Participant.objects.get(pk=people["own"].pk).paid_through == dt.date(2024, 3, 31)
    assert Participant.objects.get(pk=people["other"].pk).paid_through == dt.date(2024, 2, 29)


def test_bill_payment_refusals(bills: dict[str, Bill], desa_user: Any, viewer_user: Any) -> None:
    path = f"{BILLS}/{bills['own'].pk}/payments"
    wrong = post(login(desa_user), path, {"amount": 1})
    assert wrong.status_code == 400 and "the amount differs" in wrong.json()["detail"]
    assert post(login(viewer_user), path, {}).status_code == 403  # sees the bill, may not pay it
    assert post(login(desa_user), f"{BILLS}/{bills['other'].pk}/payments", {}).status_code == 404
    assert post(login(desa_user), path, {"paid_on": "kemarin"}).status_code == 422
    assert not Payment.objects.exists()
    assert post(login(desa_user), path, {}).status_code == 201
    again = post(login(desa_user), path, {})
    assert again.status_code == 400 and "sudah lunas / this bill is already paid" in again.json()["detail"]


def test_pay_for_one_participant(people: dict[str, Participant], desa_user: Any) -> None:
    path = f"/api/v1/participants/{people['own'].public_hex}/payments"
    body = {"through": "2024-05", "amount": 50_400, "reference": "KW-1", "paid_on": "2024-03-10"}  # Mar-May
    response = post(bearer(desa_user), path, body)
    assert response.status_code == 201
    assert response.json()["paid_through"] == "2024-05-31" and response.json()["amount"] == 50_400
    assert Participant.objects.get(pk=people["own"].pk).paid_through == dt.date(2024, 5, 31)
    backwards = post(bearer(desa_user), path, {"through": "2024-04", "amount": 16_800})
    assert backwards.status_code == 400 and "already paid through 2024-05" in backwards.json()["detail"]
    month = post(bearer(desa_user), path, {"through": "Mei", "amount": 16_800})
    assert month.status_code == 400 and "Bulan harus YYYY-MM" in month.json()["detail"]
    assert Payment.objects.count() == 1


def test_participant_payment_scope(people: dict[str, Participant], desa_user: Any, viewer_user: Any) -> None:
    body = {"through": "2024-03", "amount": 16_800}
    assert post(login(desa_user), f"/api/v1/participants/{people['other'].public_hex}/payments",
                body).status_code == 404  # fmt: skip
    assert post(login(desa_user), f"/api/v1/participants/{people['other'].pk}/payments", body).status_code == 404
    assert post(login(viewer_user), f"/api/v1/participants/{people['own'].public_hex}/payments",
                body).status_code == 403  # fmt: skip
    assert not Payment.objects.exists()


# ---------------------------------------------------------------- status


def test_status_of_the_callers_only_region(people: dict[str, Participant], desa_user: Any) -> None:
    data = login(desa_user).get(STATUS, {"as_of": "2024-04-15"}).json()
    assert (data["region"], data["as_of"], data["active"], data["inactive"]) == (SUKARAMI, "2024-04-15", 1, 0)
    assert data["rows"] == [{"segment": "BPU", "payer": "apbdes", "active": 1, "inactive": 0}]
    later = login(desa_user).get(STATUS, {"as_of": "2024-05-01"}).json()  # Mar, Apr, May unpaid: lapsed
    assert (later["active"], later["inactive"]) == (0, 1)


def test_status_needs_a_region_when_the_caller_has_many(people: dict[str, Participant], admin_user: Any) -> None:
    client = login(admin_user)
    response = client.get(STATUS)
    assert response.status_code == 400
    assert response.json()["detail"] == "Sebutkan wilayah (region) / give a region code"
    data = client.get(STATUS, {"region": "16", "as_of": "2024-04-15"}).json()
    assert (data["region"], data["active"]) == ("16", 2)


def test_status_outside_the_scope_is_refused(people: dict[str, Participant], kab_user: Any) -> None:
    client = login(kab_user)
    assert client.get(STATUS, {"as_of": "2024-04-15"}).json()["active"] == 1  # its kabupaten by default
    for region in ("16.71", "16", PRABUMULIH):
        response = client.get(STATUS, {"region": region})
        assert response.status_code == 400 and "outside your scope" in response.json()["detail"], region
