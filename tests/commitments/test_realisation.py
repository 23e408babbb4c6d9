"""Budget realisation is computed from the bills the payer paid — never typed — and matches them exactly.

Bills are made and paid through the real contributions services: the APBD of Kab. Musi Banyuasin pays for three BPU
participants in Desa Sukarami, the APBDes of Sukarami for two. Paid in 2026: Muba's January and February bills and
Sukarami's January bill; not counted: Muba's March bill (open), Muba's December 2025 bill (paid in 2025) and the
province's bill (another payer). Muba's April bill is paid in part (one participant's line): that payment counts —
realisation is money paid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.commitments.backend_world import MUBA, SUKARAMI, YEAR, make_world
from ucj.commitments import services
from ucj.contributions.bills import create_bill, pay_bill, pay_bill_lines
from ucj.contributions.models import Bill, BillLine, Payment
from ucj.registry.models import Participant


def _payer(n: int, payer: str) -> None:
    Participant.objects.create(nik=f"16060155019{n:05d}", name=f"Pekerja {n}", desa_id=SUKARAMI, segment="BPU",
                               payer=payer, paid_through=dt.date(2025, 11, 30))  # fmt: skip


@pytest.fixture
def bills(db: Any, admin_user: Any) -> dict[str, Any]:
    make_world()
    for n in range(3):
        _payer(900 + n, "apbd_kabkota")
    for n in range(2):
        _payer(950 + n, "apbdes")
    _payer(970, "apbd_provinsi")
    made: dict[str, Any] = {}
    for key, payer, region, month, paid_on in (
        ("dec", "apbd_kabkota", MUBA, dt.date(2025, 12, 1), dt.date(2025, 12, 20)),
        ("jan", "apbd_kabkota", MUBA, dt.date(2026, 1, 1), dt.date(2026, 2, 10)),
        ("feb", "apbd_kabkota", MUBA, dt.date(2026, 2, 1), dt.date(2026, 3, 10)),
        ("mar", "apbd_kabkota", MUBA, dt.date(2026, 3, 1), None),
        ("des", "apbdes", SUKARAMI, dt.date(2026, 1, 1), dt.date(2026, 1, 25)),
        ("prov", "apbd_provinsi", "16", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
    ):  # fmt: skip
        bill = create_bill(None, payer, region, month)
        if paid_on:
            pay_bill(admin_user, bill, paid_on=paid_on)
        made[key] = Bill.objects.get(pk=bill.pk)
    april = create_bill(None, "apbd_kabkota", MUBA, dt.date(2026, 4, 1))
    one = BillLine.objects.filter(bill=april).order_by("pk").first()
    assert one is not None
    made["apr_part"] = pay_bill_lines(admin_user, april, lines=[one.pk], paid_on=dt.date(2026, 5, 5))
    return made


def test_realisation_equals_the_paid_bills_exactly(bills: dict[str, Any]) -> None:
    part = bills["apr_part"]
    assert isinstance(part, Payment) and 0 < part.amount < Bill.objects.get(pk=bills["apr_part"].bill.pk).total
    muba = bills["jan"].total + bills["feb"].total + part.amount
    assert bills["jan"].total > 0 and bills["mar"].status == "open"
    assert services.realisation(MUBA, YEAR, "apbd_kabkota") == muba
    assert services.realisation(MUBA, YEAR, "bantuan_keuangan") == muba  # spent through the kab/kota's APBD
    assert services.realisation(MUBA, 2025, "apbd_kabkota") == bills["dec"].total
    assert services.realisation(SUKARAMI, YEAR, "apbdes") == bills["des"].total
    assert services.realisation("16", YEAR, "apbd_provinsi") == bills["prov"].total
    assert services.realisation("16.06.01", YEAR, "apbd_kabkota") == 0  # bills are for the payer's own region


def test_budget_rows_share_a_pool(bills: dict[str, Any]) -> None:
    rows = {(r["region"], r["payer"]): r for r in services.budget_rows(None, MUBA, YEAR)}
    apbd, bankeu = rows[(MUBA, "apbd_kabkota")], rows[(MUBA, "bantuan_keuangan")]
    paid = bills["jan"].total + bills["feb"].total + bills["apr_part"].amount
    assert apbd["realised"] is None and bankeu["realised"] is None  # a bill does not say which line paid it
    assert apbd["pool"] == bankeu["pool"] == {"bill_payer": "apbd_kabkota", "lines": 2, "allocated": 15_000_000,
                                              "realised": paid,
                                              "absorption_pct": round(100 * paid / 15_000_000, 1)}  # fmt: skip
    assert rows[(SUKARAMI, "apbdes")]["realised"] == bills["des"].total


def test_scorecard_budget_of_the_kabkota(bills: dict[str, Any]) -> None:
    card = services.scorecard(None, MUBA, YEAR)
    budget = card["region"]["budget"]
    realised = bills["jan"].total + bills["feb"].total + bills["apr_part"].amount + bills["des"].total
    assert budget["allocated"] == 16_000_000 and budget["workers_funded"] == 65
    assert budget["realised"] == realised
    assert budget["absorption_pct"] == round(100 * realised / 16_000_000, 1)
    province = services.scorecard(None, "16", YEAR)["region"]["budget"]
    # The province's own bill was paid without a commitment of the province: shown, as paid money
    assert province["realised"] == realised + bills["prov"].total
