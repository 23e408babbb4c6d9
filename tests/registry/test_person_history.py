"""The person page over time (issue 16 item 4): who changed what and when, from which batch or form, the payments
recorded and the status month by month; a named hook for the BPJS match."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.test import Client

from ucj.registry.history import status_by_month
from ucj.registry.models import Participant
from ucj.registry.services import add_participant, update_participant

SUKARAMI = "16.06.01.2001"


def test_status_by_month_follows_the_recorded_payments() -> None:
    payments = [{"paid_on": dt.date(2026, 6, 10), "paid_through": dt.date(2026, 6, 30)}]
    months = status_by_month(payments, today=dt.date(2026, 11, 15))
    assert [m["month"] for m in months][:2] == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert [m["state"] for m in months] == ["unknown"] * 6 + ["aktif"] * 3 + ["nonaktif"] * 3  # 3 lapse months


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_history_payments_and_status_on_the_person_page(desa_user: Any, viewer_user: Any) -> None:
    from ucj.contributions.models import Payment

    values = {"nik": "1606014101900012", "name": "Siti Aminah", "position": "Kader Posyandu", "village_code": SUKARAMI}
    report = add_participant(values, user=desa_user, desa=SUKARAMI)
    person = Participant.objects.get()
    update_participant(person, {"phone": "081234567890"}, actor=desa_user)
    Payment.objects.create(participant=person, paid_through=dt.date(2026, 9, 30), amount=16_800,
                           paid_on=dt.date(2026, 9, 20), reference="SP2D-0917", recorded_by=desa_user)  # fmt: skip
    page = client_of(desa_user).get(f"/registri/peserta/{person.public_hex}/").content.decode()
    history = page[page.index('id="history"'):]
    assert f"Formulir tambah pekerja (batch #{report.batch_id})" in history and "Terdaftar" in history
    assert "no. HP: — → 081234567890" in history  # the field by its label, before and after
    assert desa_user.username in history
    payments = page[page.index('id="payments"'):page.index('id="history"')]
    assert "20-09-2026" in payments and "09-2026" in payments and "SP2D-0917" in payments and "16.800" in payments
    assert 'class="status-strip"' in page

    viewer = client_of(viewer_user).get(f"/registri/peserta/{person.public_hex}/").content.decode()
    assert 'id="history"' not in viewer and "081234567890" not in viewer  # personal before/after values
    assert "SP2D-0917" in viewer and "16.800" not in viewer  # the payment, not its amount (it reveals the wage)


def test_the_template_names_a_hook_for_the_bpjs_match() -> None:
    template = Path(__file__).parents[2] / "src/ucj/registry/templates/registry/detail.html"
    assert "{% block bpjs_match %}" in template.read_text()
