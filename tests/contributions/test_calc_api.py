"""``GET /api/v1/contributions/calc`` and ``/contributions/rules``: authentication, every role, 400 messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.accounts.models import ApiToken
from ucj.contributions.rules import shipped_rules

pytestmark = pytest.mark.django_db
CALC = "/api/v1/contributions/calc"
RULES = "/api/v1/contributions/rules"
PU_EXAMPLE = {"segment": "PU", "wage": "5000000", "risk_class": "2", "month": "2024-03"}
ROLES = [("admin", None), ("provinsi", "16"), ("kabkota", "16.06"), ("desa", "16.06.01.2001"), ("bpjs", "16"),
         ("viewer", "16")]  # fmt: skip


@pytest.fixture
def client(make_user: Callable[..., Any]) -> Client:
    c = Client()
    c.force_login(make_user("viewer", "16"))
    return c


def test_anonymous_gets_401() -> None:
    assert Client().get(CALC, PU_EXAMPLE).status_code == 401
    assert Client().get(RULES).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer ucj_wrong").get(CALC, PU_EXAMPLE).status_code == 401


@pytest.mark.parametrize(("role", "region"), ROLES)
def test_every_role_may_calculate(make_user: Callable[..., Any], role: str, region: str | None) -> None:
    c = Client()
    c.force_login(make_user(role, region))
    response = c.get(CALC, PU_EXAMPLE)
    assert response.status_code == 200
    assert response.json()["total"] == 477_000
    assert c.get(RULES).status_code == 200


def test_bearer_token(make_user: Callable[..., Any]) -> None:
    _, token = ApiToken.issue(make_user("desa", "16.06.01.2001"))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(CALC, PU_EXAMPLE)
    assert response.status_code == 200 and response.json()["employer_total"] == 327_000


def test_the_pu_example(client: Client) -> None:
    data = client.get(CALC, PU_EXAMPLE).json()
    assert (data["total"], data["employer_total"], data["worker_total"], data["government_total"]) == (
        477_000, 327_000, 150_000, 0)  # fmt: skip
    assert data["warnings"] == [] and data["segment"] == "PU" and data["month"] == "2024-03"
    jkk, jkm, jht, jp = data["components"]
    assert (jkk["program"], jkk["amount"], jkk["rate"], jkk["rule"]) == ("JKK", 27_000, 0.54, "PU.JKK/2@2015-07-01")
    assert (jht["employer"], jht["worker"]) == (185_000, 100_000)
    assert (jp["employer"], jp["worker"], jp["base"]) == (100_000, 50_000, 5_000_000)
    assert "PU.JP.CEILING@2024-03-01" in jp["rules"] and "PP 45/2015" in jp["source"]
    assert jkm["amount"] == 15_000


@pytest.mark.parametrize(("params", "total"), [
    ({"segment": "PU", "wage": "10300000", "month": "2024-02", "programs": "JP"}, 286_788),
    ({"segment": "BPU", "income": "1000000", "month": "2024-03"}, 16_800),
    ({"segment": "BPU", "income": "1.000.000", "month": "2024-03", "programs": "JKK,JKM,JHT"}, 36_800),
    ({"segment": "BPU", "income": "1000000", "month": "2026-05"}, 8_400),
    ({"segment": "BPU", "income": "1000000", "month": "2026-05", "payer": "apbd"}, 16_800),
    ({"segment": "BPU", "income": "1000000", "month": "2026-02", "sector": "transport"}, 8_400),
    ({"segment": "BPU", "month": "2020-09"}, 168),
    ({"segment": "JAKON", "contract_value": "2000000000", "month": "2024-03"}, 2_950_000),
    ({"segment": "PMI", "contract_months": "24", "month": "2024-03"}, 370_000),
    ({"segment": "PMI", "contract_months": "24", "month": "2024-03", "pre_placement": "false"}, 332_500),
    ({"segment": "PU", "wage": "5000000", "risk_class": "2", "month": "2023-11", "jkp": "true"}, 488_000),
])  # fmt: skip
def test_segments(client: Client, params: dict[str, str], total: int) -> None:
    response = client.get(CALC, params)
    assert response.status_code == 200, response.content
    assert response.json()["total"] == total


@pytest.mark.parametrize(("params", "words"), [
    ({"segment": "PU", "wage": "5000000", "month": "2027-03"}, ["PU.JP.CEILING", "Tidak ada aturan", "no "]),
    ({"segment": "PU", "wage": "5000000", "month": "03-2024"}, ["month", "YYYY-MM", "TTTT-BB"]),
    ({"segment": "PU", "wage": "abc"}, ["wage", "bukan angka rupiah", "not an amount of rupiah"]),
    ({"segment": "PU", "wage": "5000000", "risk_class": "x"}, ["risk_class"]),
    ({"segment": "PU", "wage": "5000000", "risk_class": "8"}, ["risk_class", "1-5"]),
    ({"segment": "PU", "wage": "5000000", "jkp": "mungkin"}, ["jkp"]),
    ({"segment": "PU"}, ["wage"]),
    ({"segment": "ZZ", "wage": "1"}, ["segment", "tidak dikenal", "unknown"]),
    ({"segment": "BPU", "payer": "bank"}, ["payer"]),
    ({"segment": "BPU", "programs": "JP"}, ["programs", "JP"]),
    ({"segment": "JAKON", "contract_value": "-5"}, ["contract_value"]),
])  # fmt: skip
def test_bad_parameters_answer_400_in_both_languages(client: Client, params: dict[str, str],
                                                     words: list[str]) -> None:  # fmt: skip
    response = client.get(CALC, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert " / " in body["detail"] and body["code"] in {"INPUT_REJECTED", "RULE_MISSING"}
    for word in words:
        assert word in body["detail"]


def test_segment_is_required(client: Client) -> None:
    assert client.get(CALC).status_code in (400, 422)


def test_rules_endpoint(client: Client) -> None:
    every = client.get(RULES).json()
    assert len(every) == len(shipped_rules())
    (ceiling,) = client.get(RULES, {"month": "2024-03", "code": "PU.JP.CEILING"}).json()
    assert (ceiling["id"], ceiling["amount"], ceiling["valid_from"], ceiling["valid_to"]) == (
        "PU.JP.CEILING@2024-03-01", 10_042_300, "2024-03-01", "2025-02-28")  # fmt: skip
    assert "PP 45/2015" in ceiling["source"]
    reliefs = client.get(RULES, {"month": "2026-05"}).json()
    relief = next(r for r in reliefs if r["id"] == "RELIEF.PP50-2025/other@2026-04-01")
    assert relief["excluded_payers"] == ["apbn", "apbd_provinsi", "apbd_kabkota"] and relief["factor"] == "0.50"
    assert relief["segments"] == ["BPU"]
    bad = client.get(RULES, {"month": "2026"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["detail"]


def test_the_schema_documents_the_endpoints(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/contributions/calc" in schema["paths"] and "/api/v1/contributions/rules" in schema["paths"]
    assert "BreakdownOut" in schema["components"]["schemas"]
