"""A plan's cost equals the bills the contributions engine makes for the same workers and months: enrol the
listed workers a saved plan funds (APBD Musi Banyuasin pays, from January 2025), bill and pay each month of
the year, and add the bills up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.planning.conftest import MUBA, UNIT_COST
from ucj.contributions.bills import create_bill, pay_bill
from ucj.planning import services
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
