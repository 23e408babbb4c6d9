"""Every money field takes Indonesian number forms through ucj.amounts (issue 16 item 6): the calculator page,
the calculator API and CLI parameters, the budget planner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.contributions.calculator import CalcError
from ucj.contributions.forms import build_inputs

pytestmark = pytest.mark.django_db
PU = {"segment": "PU", "risk_class": "2", "month": "2024-03", "payer": "employer", "sector": "other"}


@pytest.fixture
def client(make_user: Callable[..., Any]) -> Client:
    c = Client()
    c.force_login(make_user("desa", "16.06.01.2001"))
    return c


@pytest.mark.parametrize("wage", ["5000000", "5.000.000", "Rp 5.000.000,-", "5 juta", "5,0 jt"])
def test_the_calculator_page_reads_the_wage_as_typed(client: Client, wage: str) -> None:
    # PU, wage Rp 5.000.000, risk class 2 in March 2024: JKK 0.54 % + JKM 0.30 % + JHT 5.7 % + JP 3 % = Rp 477.000
    response = client.get("/iuran/", {**PU, "wage": wage})
    assert response.status_code == 200 and response.context["form"].errors == {}
    assert response.context["breakdown"].total == 477_000
    assert response.context["form"]["wage"].value() == wage  # the form shows what was typed


def test_a_wage_that_is_not_an_amount_is_a_field_error(client: Client) -> None:
    response = client.get("/iuran/", {**PU, "wage": "lima juta"})
    assert response.context["breakdown"] is None
    assert "1,5 juta" in response.context["form"].errors["wage"][0]


def test_the_api_and_cli_parameters_share_the_parser() -> None:
    inputs = build_inputs(segment="JAKON", contract_value="Rp 2 miliar", month="2024-03")
    assert inputs.contract_value == 2_000_000_000
    assert build_inputs(segment="BPU", income="1,5 juta", month="2024-03").wage == 1_500_000
    with pytest.raises(CalcError, match=r"^wage: 'Rp 1.500,50' bukan rupiah utuh / .*whole number of rupiah"):
        build_inputs(segment="PU", wage="Rp 1.500,50")


def test_the_api_takes_the_forms_too(client: Client) -> None:
    data = client.get("/api/v1/contributions/calc", {"segment": "BPU", "income": "Rp 1.000.000,-",
                                                     "month": "2024-03"}).json()  # fmt: skip
    assert data["total"] == 16_800
