"""Payments are checked (issue 11 point 5): the amount must be the computed contribution for the months it
covers, ``through`` cannot run past the payment month plus ``UCJ_PREPAY_MONTHS``, an impossible month is a
clear 400 / exit 1 / form error (never a 500), and paid-through is not editable on the participant form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from typer.testing import CliRunner

from ucj.accounts.models import ApiToken
from ucj.cli.main import app
from ucj.contributions.bills import BillRefused, create_bill, participant_due, pay_participant
from ucj.contributions.models import Bill, Payment
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"
MARCH = dt.date(2024, 3, 1)
MONTHLY = 16_800  # BPU lowest band, JKK + JKM


@pytest.fixture
def siti(db: Any) -> Participant:
    """BPU, APBDes of Sukarami, paid through February 2024."""
    return Participant.objects.create(nik="1606014101900012", name="Siti Aminah", desa_id=SUKARAMI, segment="BPU",
                                      payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip


def paid_through(p: Participant) -> dt.date | None:
    return Participant.objects.values_list("paid_through", flat=True).get(pk=p.pk)


def month_plus(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- the amount


def test_the_due_amount_covers_the_unpaid_months_through_the_month_paid(siti: Participant) -> None:
    due = participant_due(siti, through=dt.date(2024, 6, 1), paid_on=dt.date(2024, 3, 5))
    assert (due.first_month, due.months, due.amount) == (MARCH, 4, 4 * MONTHLY)


def test_a_wrong_amount_is_refused_with_the_amount_due(siti: Participant, desa_user: Any) -> None:
    for amount in (1, 4 * MONTHLY - 1, 4 * MONTHLY + 1, 10**12):
        with pytest.raises(BillRefused, match=r"Rp 67\.200.*2024-03.*2024-06.*/ the contribution"):
            pay_participant(desa_user, siti, through=dt.date(2024, 6, 1), amount=amount, paid_on=dt.date(2024, 3, 5))
    assert paid_through(siti) == dt.date(2024, 2, 29) and not Payment.objects.exists()
    payment = pay_participant(desa_user, siti, through=dt.date(2024, 6, 1), amount=4 * MONTHLY,
                              paid_on=dt.date(2024, 3, 5))  # fmt: skip
    assert (payment.amount, paid_through(siti)) == (4 * MONTHLY, dt.date(2024, 6, 30))


def test_a_lapsed_participant_resumes_from_the_month_of_payment(siti: Participant, desa_user: Any) -> None:
    # paid through February, paying in August: non-active (3 unpaid months), so August only — no arrears
    due = participant_due(siti, through=dt.date(2024, 8, 1), paid_on=dt.date(2024, 8, 10))
    assert (due.first_month, due.months, due.amount) == (dt.date(2024, 8, 1), 1, MONTHLY)


# ---------------------------------------------------------------- how far ahead


def test_paying_ahead_is_limited_by_the_setting(siti: Participant, desa_user: Any) -> None:
    today = timezone.localdate()
    Participant.objects.filter(pk=siti.pk).update(paid_through=None)
    siti.refresh_from_db()
    limit = month_plus(today, 12)
    with pytest.raises(BillRefused, match=r"paling jauh 12 bulan.*at most 12 months ahead"):
        pay_participant(desa_user, siti, through=month_plus(today, 13), amount=14 * MONTHLY, paid_on=today)
    due = participant_due(siti, through=limit, paid_on=today)
    assert due.months == 13  # this month and the 12 ahead
    with override_settings(UCJ_PREPAY_MONTHS=2), pytest.raises(BillRefused, match="paling jauh 2 bulan"):
        pay_participant(desa_user, siti, through=month_plus(today, 3), amount=4 * MONTHLY, paid_on=today)
    assert paid_through(siti) is None


def test_a_payment_date_in_the_future_is_refused(siti: Participant, desa_user: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(BillRefused, match=r"masa depan / .*future"):
        pay_participant(desa_user, siti, through=tomorrow, amount=MONTHLY, paid_on=tomorrow)


def test_the_last_month_of_the_calendar_is_refused_not_a_crash(siti: Participant, desa_user: Any) -> None:
    with pytest.raises(BillRefused, match="9999-12"):
        pay_participant(desa_user, siti, through=dt.date(9999, 12, 1), amount=MONTHLY, paid_on=MARCH)
    with pytest.raises(BillRefused, match="9999-12"):
        create_bill(desa_user, "apbdes", SUKARAMI, dt.date(9999, 12, 1))
    assert not Bill.objects.exists()


# ---------------------------------------------------------------- API, CLI, page


def bearer(user: Any) -> Client:
    _, token = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_refuses_9999_12_with_400(siti: Participant, desa_user: Any) -> None:
    client = bearer(desa_user)
    answer = client.post(f"/api/v1/participants/{siti.public_hex}/payments",
                         {"through": "9999-12", "amount": MONTHLY}, content_type="application/json")  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert "9999-12" in answer.json()["detail"] and " / " in answer.json()["detail"]
    made = client.post("/api/v1/bills", {"payer": "apbdes", "region": SUKARAMI, "month": "9999-12"},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 400 and " / " in made.json()["detail"]
    assert paid_through(siti) == dt.date(2024, 2, 29)


def test_api_shows_the_amount_due(siti: Participant, desa_user: Any) -> None:
    client = bearer(desa_user)
    answer = client.get(f"/api/v1/participants/{siti.public_hex}/payments/due",
                        {"through": "2024-06", "paid_on": "2024-03-05"})  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"first_month": "2024-03", "through": "2024-06", "months": 4, "amount": 4 * MONTHLY}
    wrong = client.post(f"/api/v1/participants/{siti.public_hex}/payments",
                        {"through": "2024-06", "amount": 5, "paid_on": "2024-03-05"},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 400 and "67.200" in wrong.json()["detail"]
    bad = client.get(f"/api/v1/participants/{siti.public_hex}/payments/due", {"through": "9999-12"})
    assert bad.status_code == 400


def test_cli_refuses_9999_12(siti: Participant, desa_user: Any) -> None:
    result = CliRunner().invoke(app, ["contributions", "pay", "--nik", siti.nik, "--through", "9999-12", "--amount",
                                      "16800", "--user", desa_user.username, "--json"])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "9999-12" in json.loads(result.stdout)["error"]["message"]
    assert paid_through(siti) == dt.date(2024, 2, 29)


def test_bill_page_refuses_9999_12(siti: Participant, desa_user: Any) -> None:
    client = Client()
    client.force_login(desa_user)
    page = client.post("/iuran/tagihan/", {"payer": "apbdes", "region": SUKARAMI, "month": "9999-12"})
    assert page.status_code == 200
    assert "9999-12" in page.content.decode() and not Bill.objects.exists()


def test_the_bill_page_says_what_must_be_paid(siti: Participant, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    client = Client()
    client.force_login(desa_user)
    text = client.get(f"/iuran/tagihan/{bill.pk}/").content.decode()
    # the rest of the bill, or the participants ticked, each paid in full (issue 16: partial = a subset)
    assert "Sisa tagihan: Rp" in text and "iuran tiap peserta dibayar penuh" in text


# ---------------------------------------------------------------- paid-through only through payments


def test_paid_through_is_not_on_the_participant_form(siti: Participant, desa_user: Any) -> None:
    from ucj.registry.forms import ParticipantForm

    assert "paid_through" not in ParticipantForm.base_fields
    client = Client()
    client.force_login(desa_user)
    edit = client.get(f"/registri/peserta/{siti.public_hex}/ubah/")
    assert edit.status_code == 200 and 'name="paid_through"' not in edit.content.decode()


def test_cli_pay_with_a_wrong_amount_is_refused(siti: Participant, desa_user: Any) -> None:
    result = CliRunner().invoke(app, ["contributions", "pay", "--nik", siti.nik, "--through", "2024-06", "--amount",
                                      "16800", "--paid-on", "2024-03-05", "--user", desa_user.username])  # fmt: skip
    assert result.exit_code == 1 and "67.200" in result.output
    assert paid_through(siti) == dt.date(2024, 2, 29)
