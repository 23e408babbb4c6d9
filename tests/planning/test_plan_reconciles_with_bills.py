"""A plan's cost equals the bills the contributions engine makes for the same workers and months: enrol the
listed workers a saved plan funds (APBD Musi Banyuasin pays, from January 2025), bill and pay each month of
the year, and add the bills up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.planning.conftest import MUBA, UNIT_COST, person
from ucj.contributions.bills import create_bill, pay_bill
from ucj.coverage.services import bump_version
from ucj.planning import services
from ucj.planning.exports import rka_lines
from ucj.planning.scenario import Spec
from ucj.registry.models import Participant

pytestmark = pytest.mark.usefixtures("plan_world")


@pytest.mark.parametrize("programs", [("JKK", "JKM"), ("JKK", "JKM", "JHT")])
def test_twelve_monthly_bills_add_up_to_the_plan(make_user: Callable[..., Any], programs: tuple[str, ...]) -> None:
    officer = make_user("kabkota", MUBA)
    spec = Spec(region=MUBA, year=2025, budget=8 * 36_800 * 12, shares={"apbd_kabkota": 1.0}, programs=programs,
                groups=("rentan", "rt_rw"))  # fmt: skip
    saved = services.save(officer, "Muba", spec)
    people = services.enrolment(saved, officer)["people"]
    assert people.height == saved.result["funded"] > 0
    Participant.objects.filter(nik__in=people["nik"].to_list()).update(
        payer="apbd_kabkota", segment="BPU", jkk=True, jkm=True, jht="JHT" in programs, income=None,
        coverage_start=dt.date(2025, 1, 1), paid_through=None,
    )  # fmt: skip
    total = 0
    for month in range(1, 13):
        bill = create_bill(officer, "apbd_kabkota", MUBA, dt.date(2025, month, 1))
        assert bill.participants == people.height
        total += bill.total
        pay_bill(officer, bill, paid_on=dt.date(2025, month, 20))
    assert total == saved.result["cost"] == people.height * saved.result["unit_cost"]
    if programs == ("JKK", "JKM"):
        assert saved.result["unit_cost"] == UNIT_COST


def test_mixed_payers_and_renewals_bill_what_the_plan_budgets(make_user: Callable[..., Any]) -> None:
    """Issue 12 items 11 and 12: the province and Musi Banyuasin fund *different* workers (one payer each), and
    two workers the kabupaten already pays are renewed. Budget 15 workers' worth = 15 × Rp 201,600 =
    Rp 3,024,000, half each (shares 50/50, lapse rate 0): the province's Rp 1,512,000 buys 7 workers
    (Rp 1,411,200); the kabupaten's Rp 1,512,000 first pays its 2 renewals (Rp 403,200), leaving Rp 1,108,800
    = 5 new workers. Plan: 12 new + 2 renewals = 14 × Rp 201,600 = Rp 2,822,400 (hand count; unit cost from
    PP 44/2015 as amended: JKK 10,000 + JKM 6,800 a month, no PP 50/2025 relief through APBD). Enrol the 12 under
    the payer the enrolment list names, bill each payer every month of 2025 and pay: the 24 bills add up to
    the plan, per payer too."""
    province, kab = make_user("provinsi", "16"), make_user("kabkota", MUBA)
    for n in (60, 61):  # already funded by the kabupaten, active in January 2025
        person(n, payer="apbd_kabkota", jkk=True, jkm=True, coverage_start=dt.date(2024, 1, 1),
               paid_through=dt.date(2024, 12, 31))  # fmt: skip
    bump_version()
    spec = Spec(region="16", year=2025, budget=15 * UNIT_COST, shares={"apbd_provinsi": 0.5, "apbd_kabkota": 0.5},
                groups=("rentan", "rt_rw"), lapse_rate=0.0)  # fmt: skip
    saved = services.save(province, "Campuran", spec)
    result = saved.result
    assert result["renewals"] == {"workers": 2, "lapses": 0, "paid": 2, "cost": 2 * UNIT_COST}
    assert result["funded"] == 12 and result["cost"] == 14 * UNIT_COST == 2_822_400
    assert result["by_payer"] == {"apbd_provinsi": 7 * UNIT_COST, "apbd_kabkota": 7 * UNIT_COST}
    people = services.enrolment(saved, province)["people"]
    kinds = ["apbd_provinsi" if p.startswith("APBD Provinsi") else "apbd_kabkota" for p in people["pembayar"]]
    assert (kinds.count("apbd_provinsi"), kinds.count("apbd_kabkota")) == (7, 5)
    for nik, kind in zip(people["nik"], kinds, strict=True):
        Participant.objects.filter(nik=nik).update(payer=kind, segment="BPU", jkk=True, jkm=True, jht=False,
                                                   income=None, coverage_start=dt.date(2025, 1, 1),
                                                   paid_through=None)  # fmt: skip
    totals = {"apbd_provinsi": 0, "apbd_kabkota": 0}
    for month in range(1, 13):
        for kind, region, user in (("apbd_provinsi", "16", province), ("apbd_kabkota", MUBA, kab)):
            bill = create_bill(user, kind, region, dt.date(2025, month, 1))
            totals[kind] += bill.total
            pay_bill(user, bill, paid_on=dt.date(2025, month, 20))
    assert totals == result["by_payer"]
    assert sum(totals.values()) == result["cost"]
    rka = rka_lines(result)
    assert sum(line["amount"] for line in rka) == result["cost"]
    assert {(line["payer"], line["what"]): line["workers"] for line in rka} == {
        ("apbd_provinsi", "peserta baru"): 7, (f"apbd_kabkota:{MUBA}", "peserta lanjutan"): 2,
        (f"apbd_kabkota:{MUBA}", "peserta baru"): 5,
    }  # fmt: skip
