"""The bill pages under ``/iuran/tagihan/``: scope, the make-a-bill form, masking, the .xlsx, recording payment."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ucj.accounts.models import AuditEvent
from ucj.contributions.bills import create_bill
from ucj.contributions.models import Bill, Payment
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI, PRABUMULIH = "16.06.01.2001", "16.74.03.2003"  # desa Pangkul, Kota Prabumulih (a kelurahan has no APBDes)
MARCH = dt.date(2024, 3, 1)
LIST = "/iuran/tagihan/"
SITI_NIK, SITI_MASKED = "1606014101900012", "16**************"


@pytest.fixture
def bills(admin_user: Any) -> dict[str, Bill]:
    """An APBDes bill of Sukarami (Siti Aminah, BPU, Rp 16.800) and one of a desa in Prabumulih."""
    Participant.objects.create(nik=SITI_NIK, name="Siti Aminah", desa_id=SUKARAMI, segment="BPU", payer="apbdes",
                               paid_through=dt.date(2024, 2, 29))  # fmt: skip
    Participant.objects.create(nik="1671011505850003", name="Budi Santoso", desa_id=PRABUMULIH, segment="BPU",
                               payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip
    return {"own": create_bill(admin_user, "apbdes", SUKARAMI, MARCH),
            "other": create_bill(admin_user, "apbdes", PRABUMULIH, MARCH)}  # fmt: skip


def login(user: Any, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def detail(bill: Bill) -> str:
    return f"{LIST}{bill.pk}/"


def workbook_rows(response: Any, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name(sheet).to_python()


@pytest.mark.parametrize("path", [LIST, f"{LIST}1/", f"{LIST}1/tagihan.xlsx"])
def test_login_required(db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=")


def test_anonymous_payment_post_goes_to_login(bills: dict[str, Bill]) -> None:
    response = Client().post(f"{detail(bills['own'])}bayar/", {"paid_on": "2024-03-20", "amount": "16800"})
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
    assert Bill.objects.get(pk=bills["own"].pk).status == Bill.Status.OPEN


@pytest.mark.parametrize(("role", "region", "names"), [
    ("desa", SUKARAMI, {"own"}), ("kabkota", "16.74", {"other"}), ("viewer", "16", {"own", "other"}),
    ("admin", None, {"own", "other"}), ("desa", "16.06.01.2002", set()),
])  # fmt: skip
def test_the_list_shows_only_bills_in_scope(
    bills: dict[str, Bill], make_user: Callable[..., Any], role: str, region: str | None, names: set[str]
) -> None:
    response = login(make_user(role, region)).get(LIST)
    assert response.status_code == 200
    assert {b.pk for b in response.context["page"]} == {bills[n].pk for n in names}
    body = response.content.decode()
    for name, bill in bills.items():
        assert (f'href="{detail(bill)}"' in body) is (name in names)
    if not names:
        assert "Belum ada tagihan." in body


def test_a_desa_operator_makes_the_apbdes_bill_of_her_desa(db: Any, desa_user: Any) -> None:
    Participant.objects.create(nik=SITI_NIK, name="Siti Aminah", desa_id=SUKARAMI, segment="BPU", payer="apbdes",
                               paid_through=dt.date(2024, 2, 29))  # fmt: skip
    client = login(desa_user)
    form = client.get(LIST).context["form"]
    assert [code for code, _ in form.fields["region"].choices] == [SUKARAMI]  # only her own village is offered
    response = client.post(LIST, {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"})
    bill = Bill.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(bill)
    assert (bill.payer, bill.region_id, bill.month, bill.total, bill.created_by) == (
        "apbdes", SUKARAMI, MARCH, 16_800, desa_user)  # fmt: skip
    page = text(client.get(response["Location"]))
    assert "16.800" in page and "Belum dibayar" in page and "Catat pembayaran" in page


@pytest.mark.parametrize(("data", "error"), [
    ({"payer": "apbdes", "region": "16.06.01.2002", "month": "2024-03"}, "region"),  # not her village
    ({"payer": "apbdes", "region": SUKARAMI, "month": "03/2024"}, "month"),
])  # fmt: skip
def test_form_errors_stay_on_the_page(db: Any, desa_user: Any, data: dict[str, str], error: str) -> None:
    response = login(desa_user).post(LIST, data)
    assert response.status_code == 200 and response.context["form"].errors[error]
    assert not Bill.objects.exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(db: Any, kab_user: Any) -> None:
    """A kabupaten officer may pick the kabupaten, but an APBDes bill is for one village."""
    response = login(kab_user).post(LIST, {"payer": "apbdes", "region": "16.06", "month": "2024-03"})
    assert response.status_code == 200
    assert "harus untuk satu desa/kelurahan" in " ".join(response.context["form"].non_field_errors())
    assert not Bill.objects.exists()


def test_a_viewer_reads_bills_but_cannot_make_or_pay_them(bills: dict[str, Bill], viewer_user: Any) -> None:
    client = login(viewer_user)
    listing = client.get(LIST)
    assert listing.status_code == 200 and listing.context["form"] is None
    assert "Buat tagihan" not in listing.content.decode()
    assert client.post(LIST, {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"}).status_code == 403
    page = client.get(detail(bills["own"]))
    assert page.status_code == 200 and page.context["form"] is None and "Catat pembayaran" not in text(page)
    pay = client.post(f"{detail(bills['own'])}bayar/", {"paid_on": "2024-03-20", "amount": "16800"})
    assert pay.status_code == 403
    assert Bill.objects.filter(status=Bill.Status.PAID).count() == 0 and Bill.objects.count() == 2


def test_the_detail_masks_niks_always_and_names_for_the_viewer(
    bills: dict[str, Bill], desa_user: Any, viewer_user: Any
) -> None:
    operator = login(desa_user).get(detail(bills["own"])).content.decode()
    assert SITI_MASKED in operator and SITI_NIK not in operator and "Siti Aminah" in operator
    viewer = login(viewer_user).get(detail(bills["own"])).content.decode()
    assert SITI_MASKED in viewer and SITI_NIK not in viewer and "Siti Aminah" not in viewer and "S*** A*****" in viewer


@pytest.mark.parametrize("suffix", ["", "tagihan.xlsx"])
def test_bills_outside_the_scope_are_not_found(bills: dict[str, Bill], desa_user: Any, suffix: str) -> None:
    client = login(desa_user)
    assert client.get(detail(bills["other"]) + suffix).status_code == 404
    assert client.get(f"{LIST}999999/{suffix}").status_code == 404
    assert not AuditEvent.objects.filter(action="bill.export").exists()


def test_paying_a_bill_outside_the_scope_is_not_found(bills: dict[str, Bill], desa_user: Any) -> None:
    response = login(desa_user).post(f"{detail(bills['other'])}bayar/", {"paid_on": "2024-03-20", "amount": "16800"})
    assert response.status_code == 404
    assert Bill.objects.get(pk=bills["other"].pk).status == Bill.Status.OPEN


def test_the_xlsx_for_the_operator_has_full_niks_and_is_audited(bills: dict[str, Bill], desa_user: Any) -> None:
    bill = bills["own"]
    response = login(desa_user).get(f"{detail(bill)}tagihan.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="tagihan-apbdes-16.06.01.2001-2024-03.xlsx"' in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Ringkasan", "Rincian", "Aturan", "Catatan", "Tunggakan"]
    header, line = workbook_rows(response, "Rincian")
    assert header[:3] == ["No", "NIK", "Nama"]
    assert line[1:6] == [SITI_NIK, "Siti Aminah", "Sukarami", SUKARAMI, "BPU"]  # the NIK stays text
    assert line[16] == 16_800
    summary = dict((r[0], r[1]) for r in workbook_rows(response, "Ringkasan"))
    assert summary["JUMLAH (Rp)"] == 16_800 and summary["Bulan iuran"] == "2024-03"
    event = AuditEvent.objects.get(action="bill.export")
    assert (event.actor, event.object_id, event.region_code) == (desa_user, str(bill.pk), SUKARAMI)
    assert SITI_NIK not in event.summary


def test_the_xlsx_for_the_viewer_is_masked(bills: dict[str, Bill], viewer_user: Any) -> None:
    response = login(viewer_user).get(f"{detail(bills['own'])}tagihan.xlsx")
    assert response.status_code == 200
    line = workbook_rows(response, "Rincian")[1]
    assert line[1:3] == [SITI_MASKED, "S*** A*****"]
    assert SITI_NIK.encode() not in response.content
    assert AuditEvent.objects.filter(action="bill.export", actor=viewer_user).count() == 1


def csrf_client(user: Any, page: str) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, and the token of the page it just loaded."""
    client = login(user, enforce_csrf_checks=True)
    assert client.get(page).status_code == 200
    return client, client.cookies["csrftoken"].value


def test_paying_through_the_form(bills: dict[str, Bill], desa_user: Any) -> None:
    bill = bills["own"]
    client, token = csrf_client(desa_user, detail(bill))
    data = {"paid_on": "2024-03-20", "reference": "TRF-42", "amount": str(bill.total)}
    assert client.post(f"{detail(bill)}bayar/", data).status_code == 403  # no token: refused
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.OPEN
    response = client.post(f"{detail(bill)}bayar/", {**data, "csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(f"{detail(bill)}#payment-{Payment.objects.get().pk}", 302)]
    page = text(response)
    assert "Pembayaran dicatat" in page and "Lunas" in page and "Catat pembayaran" not in page
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    assert Participant.objects.get(nik=SITI_NIK).paid_through == dt.date(2024, 3, 31)
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount, payment.paid_on) == ("TRF-42", 16_800, dt.date(2024, 3, 20))


@pytest.mark.parametrize(("data", "message"), [
    ({"paid_on": "2024-03-20", "amount": "1000"}, "tidak sama dengan tagihan"),
    ({"paid_on": "kemarin", "amount": "16800"}, "Masukkan tanggal yang valid"),
])  # fmt: skip
def test_a_refused_payment_is_an_error_on_the_form(
    bills: dict[str, Bill], desa_user: Any, data: dict[str, str], message: str
) -> None:
    bill = bills["own"]
    client, token = csrf_client(desa_user, detail(bill))
    response = client.post(f"{detail(bill)}bayar/", {**data, "csrfmiddlewaretoken": token}, follow=True)
    assert response.status_code == 200 and message in text(response) and response.redirect_chain == []
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.OPEN and not Payment.objects.exists()


def test_a_paid_bill_cannot_be_paid_again_through_the_form(bills: dict[str, Bill], desa_user: Any) -> None:
    bill = bills["own"]
    client = login(desa_user)
    data = {"paid_on": "2024-03-20", "amount": "16800"}
    client.post(f"{detail(bill)}bayar/", data)
    response = client.post(f"{detail(bill)}bayar/", data, follow=True)
    assert "sudah lunas" in text(response) and Payment.objects.count() == 1
