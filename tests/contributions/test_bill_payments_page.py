"""The kab/kota officer's bills on the web (issue 16 item 5): no empty bills, only the payers the officer
handles, a duplicate links to the bill already there, the payment form keeps what was typed and shows errors as
errors, each bill lists its payments, partial payments per participant, the kwitansi (print page and PDF)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from tests.contributions.test_bill_pages import login, text
from ucj.accounts.models import AuditEvent
from ucj.contributions.bills import create_bill
from ucj.contributions.models import Bill, BillLine, Payment
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"
LIST = "/iuran/tagihan/"
FEB_END, MAR_END = dt.date(2024, 2, 29), dt.date(2024, 3, 31)


@pytest.fixture
def three(db: Any) -> list[Participant]:
    """Three BPU workers of Sukarami on the APBDes, paid through February: Rp 16.800 each for March 2024."""
    return [Participant.objects.create(nik=f"16060141019000{n:02d}", name=name, desa_id=SUKARAMI, segment="BPU",
                                       payer="apbdes", paid_through=FEB_END)
            for n, name in enumerate(["Siti Aminah", "Rahmat Hidayat", "Dewi Lestari"], start=1)]  # fmt: skip


@pytest.fixture
def bill(three: list[Participant], kab_user: Any) -> Bill:
    return create_bill(kab_user, "apbdes", SUKARAMI, dt.date(2024, 3, 1))


def detail(b: Bill) -> str:
    return f"{LIST}{b.pk}/"


def test_an_empty_bill_is_refused_on_the_page_with_the_reason(db: Any, kab_user: Any) -> None:
    response = login(kab_user).post(LIST, {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"})
    assert response.status_code == 200 and not Bill.objects.exists()
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Tidak ada peserta yang dapat ditagih" in errors and "tidak ada peserta dengan pembayar ini" in errors
    assert "nobody" not in errors  # one language at a time
    assert 'class="form-errors" role="alert"' in response.content.decode()


def test_the_kabkota_officer_is_offered_only_the_payers_he_bills(db: Any, kab_user: Any, make_user: Any) -> None:
    choices = [v for v, _ in login(kab_user).get(LIST).context["form"].fields["payer"].choices]
    assert choices == ["apbd_kabkota", "apbdes", "other"]
    desa = [v for v, _ in login(make_user("desa", SUKARAMI)).get(LIST).context["form"].fields["payer"].choices]
    assert desa == ["apbdes", "other"]
    response = login(kab_user).post(LIST, {"payer": "mandiri", "region": "16.06", "month": "2024-03"})
    assert "payer" in response.context["form"].errors and not Bill.objects.exists()


def test_a_duplicate_bill_links_to_the_bill_already_there(bill: Bill, kab_user: Any) -> None:
    client = login(kab_user)
    client.post(f"{detail(bill)}bayar/", {"paid_on": "2024-03-20", "amount": "50.400"})
    response = client.post(LIST, {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<a href="{detail(bill)}" id="existing-bill">Buka tagihan #{bill.pk}</a>' in body
    assert "sudah lunas" in text(response) and "already paid" not in text(response)
    assert Bill.objects.count() == 1


def test_the_payment_form_keeps_what_was_typed_and_shows_the_error_as_an_error(bill: Bill, kab_user: Any) -> None:
    typed = {"paid_on": "2024-03-20", "reference": "SP2D 00123/2024", "amount": "Rp 50.000,-"}
    response = login(kab_user).post(f"{detail(bill)}bayar/", typed)
    assert response.status_code == 200  # the page again, not a redirect that loses the input
    body = response.content.decode()
    assert 'value="SP2D 00123/2024"' in body and 'value="Rp 50.000,-"' in body and 'value="2024-03-20"' in body
    form_errors = body.split('class="form-errors" role="alert">', 1)[1].split("</div>", 1)[0]
    assert "Jumlah Rp 50.000 tidak sama dengan tagihan Rp 50.400" in form_errors
    assert "the amount differs" not in body
    assert '<ul class="messages">' not in body  # never in the green success box
    assert not Payment.objects.exists()


def test_partial_payment_per_participant_then_the_rest(bill: Bill, three: list[Participant], kab_user: Any) -> None:
    """Two of three participants paid with one SP2D (Rp 33.600), the third later (Rp 16.800): the bill is lunas
    after the second payment; paid-through moves only for those paid."""
    client = login(kab_user)
    lines = {line.participant_id: line.pk for line in BillLine.objects.filter(bill=bill)}
    page = client.get(detail(bill)).content.decode()
    assert f'name="lines" value="{lines[three[0].pk]}" form="pay-form"' in page
    first = client.post(f"{detail(bill)}bayar/", {
        "what": "chosen", "lines": [lines[three[0].pk], lines[three[1].pk]], "paid_on": "2024-03-20",
        "reference": "SP2D 1", "amount": "33.600"})  # fmt: skip
    payment = Payment.objects.get()
    assert first.status_code == 302 and first["Location"] == f"{detail(bill)}#payment-{payment.pk}"
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.OPEN
    assert [Participant.objects.get(pk=p.pk).paid_through for p in three] == [MAR_END, MAR_END, FEB_END]
    shown = text(client.get(detail(bill)))
    assert "Dibayar sebagian: Rp 33.600 dari Rp 50.400" in shown and "Sisa tagihan: Rp 16.800" in shown
    assert AuditEvent.objects.filter(action="bill.pay_part").count() == 1
    # the rest: "whole rest" now means Rp 16.800
    client.post(f"{detail(bill)}bayar/", {"what": "all", "paid_on": "2024-03-25", "reference": "SP2D 2",
                                          "amount": "16.800"})  # fmt: skip
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    assert Participant.objects.get(pk=three[2].pk).paid_through == MAR_END
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [16_800, 33_600]


def test_ticking_nobody_is_a_field_error(bill: Bill, kab_user: Any) -> None:
    response = login(kab_user).post(f"{detail(bill)}bayar/", {"what": "chosen", "paid_on": "2024-03-20",
                                                              "amount": "16.800"})  # fmt: skip
    assert response.context["form"].errors["what"] == ["Centang peserta yang dibayar di tabel rincian."]


def test_each_bill_lists_its_payments(bill: Bill, kab_user: Any) -> None:
    client = login(kab_user)
    client.post(f"{detail(bill)}bayar/", {"paid_on": "2024-03-20", "reference": "SP2D 77", "amount": "50400"})
    page = client.get(detail(bill))
    rows = page.content.decode().split('<table id="payments">', 1)[1].split("</table>", 1)[0]
    payment = Payment.objects.get()
    assert f'id="payment-{payment.pk}"' in rows
    flat = text(type("R", (), {"content": rows.encode()})())
    assert flat.startswith("Tanggal bayar") and "2024-03-20 SP2D 77 50.400 3 " + kab_user.username in flat


def test_the_kwitansi_prints_and_downloads_as_pdf(bill: Bill, kab_user: Any, viewer_user: Any) -> None:
    client = login(kab_user)
    client.post(f"{detail(bill)}bayar/", {"paid_on": "2024-03-20", "reference": "SP2D 77", "amount": "50.400"})
    payment = Payment.objects.get()
    url = f"{detail(bill)}kwitansi/{payment.pk}/"
    page = text(client.get(url))
    number = f"KW-{bill.pk:05d}-{payment.pk:05d}"
    assert f"Kwitansi Nomor: {number}" in page and "Rp 50.400" in page
    assert "Lima puluh ribu empat ratus rupiah" in page and "SP2D 77" in page
    assert "Siti Aminah" not in page  # participants are counted, never named
    response = client.get(url, {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="kwitansi-{number}.pdf"' in response["Content-Disposition"]
    pdf = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert number in pdf and "50.400" in pdf and "Lima puluh ribu empat ratus rupiah" in pdf
    assert AuditEvent.objects.filter(action="bill.receipt").count() == 1
    assert login(viewer_user).get(url).status_code == 200  # viewers read bills and their receipts
    assert client.get(f"{detail(bill)}kwitansi/999999/").status_code == 404


def test_rule_ids_get_human_labels_with_the_id_in_a_tooltip(bill: Bill, kab_user: Any) -> None:
    body = login(kab_user).get(detail(bill)).content.decode()
    assert '<span title="BPU.JKK@' in body and "JKK bukan penerima upah, berlaku" in body
    assert "<code>BPU.JKK" not in body


def test_the_english_page_has_no_indonesian_refusal(db: Any, kab_user: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(kab_user)
    client.cookies["django_language"] = "en"
    response = client.post(LIST, {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03"})
    errors = " ".join(response.context["form"].non_field_errors())
    assert errors.startswith("nobody can be billed") and "Tidak ada" not in errors


def test_the_api_pays_part_of_a_bill_by_participant(bill: Bill, three: list[Participant], kab_user: Any) -> None:
    """The same partial payment through POST /api/v1/bills/{id}/payments with the participants' public ids."""
    client = login(kab_user)
    url = f"/api/v1/bills/{bill.pk}/payments"
    body = {"paid_on": "2024-03-20", "reference": "SP2D 9", "amount": 16_800, "participants": [three[0].public_hex]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["amount"] == 16_800
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.OPEN
    lines = client.get(f"/api/v1/bills/{bill.pk}/lines").json()
    assert sorted(line["payment"] is not None for line in lines) == [False, False, True]
    again = client.post(url, body, content_type="application/json")  # already paid: refused, both languages
    assert again.status_code == 400 and "sudah dibayar / " in again.json()["detail"]
    rest = client.post(url, {"paid_on": "2024-03-21", "amount": 33_600}, content_type="application/json")
    assert rest.status_code == 201 and Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
