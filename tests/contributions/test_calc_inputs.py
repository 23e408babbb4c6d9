"""Issue 12 inputs on every surface: employer sector and size (PP 7/2025), the participant's region (UMK/UMP),
the JP deferral (PP 49/2020) — CLI, API and page give the same answer as the pure calculator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.cli import conftest as cli_fixtures

pytestmark = pytest.mark.django_db
cli = cli_fixtures.cli
# PU class 2, Rp 5,000,000, textile, 60 workers, May 2025: JKK 0.54 % × 5 M × 50 % = 13,500 (PP 7/2025 jo.
# PP 36/2025, news [S]); JKM 15,000, JHT 285,000, JP 150,000 → 463,500.
TEXTILE = {"segment": "PU", "wage": "5000000", "risk_class": "2", "month": "2025-05", "sector": "textile",
           "employees": "60"}  # fmt: skip


@pytest.fixture
def client(make_user: Callable[..., Any]) -> Client:
    c = Client()
    c.force_login(make_user("viewer", "16"))
    return c


def test_cli_sector_and_employees(cli: Callable[..., Any]) -> None:
    result = cli("contributions", "calc", "--segment", "PU", "--wage", "5000000", "--risk-class", "2", "--month",
                 "2025-05", "--sector", "textile", "--employees", "60", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["components"][0]["amount"] == 13_500 and data["total"] == 463_500
    assert "RELIEF.PP7-2025/textile@2025-02-01" in data["components"][0]["rules"]


def test_cli_region_warns_below_the_umk(cli: Callable[..., Any]) -> None:
    """UMK Palembang 2025 Rp 3,916,635 (news [S]): a wage of 3,000,000 warns, in the text output too."""
    result = cli("contributions", "calc", "--segment", "PU", "--wage", "3000000", "--month", "2025-05", "--region",
                 "16.71")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "MIN.WAGE/16.71" in " ".join(result.stdout.split())
    bad = cli("contributions", "calc", "--segment", "PU", "--wage", "3000000", "--region", "Palembang", "--json")
    assert bad.exit_code == 1 and "region" in bad.stdout + bad.stderr


def test_cli_prints_the_deferred_jp(cli: Callable[..., Any]) -> None:
    result = cli("contributions", "calc", "--segment", "PU", "--wage", "5000000", "--month", "2020-09")
    assert result.exit_code == 0 and "148.500" in result.stdout and "deferred" in result.stdout


def test_api_fields(client: Client) -> None:
    data = client.get("/api/v1/contributions/calc", TEXTILE).json()
    assert data["total"] == 463_500 and data["components"][0]["deferred"] == 0
    deferred = client.get("/api/v1/contributions/calc", {"segment": "PU", "wage": "5000000", "month": "2020-09"}).json()
    assert [c["deferred"] for c in deferred["components"] if c["program"] == "JP"] == [148_500]
    bad = client.get("/api/v1/contributions/calc", {**TEXTILE, "employees": "banyak"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("employees:")


def test_page_fields(client: Client) -> None:
    response = client.get("/iuran/", {**TEXTILE, "payer": "employer", "region": "16.71"})
    assert response.context["form"].errors == {}
    assert response.context["breakdown"].total == 463_500
    page = response.content.decode()
    assert 'name="employees"' in page and 'name="region"' in page and "textile" in page


@override_settings(UCJ_APBDES_RELIEF="exclude")
def test_the_apbdes_setting_reaches_the_service(client: Client) -> None:
    """UCJ_APBDES_RELIEF=exclude: BPU Rp 1,000,000 paid by APBDes in May 2026 pays the full 16,800, with the warning."""
    data = client.get("/api/v1/contributions/calc", {"segment": "BPU", "income": "1000000", "month": "2026-05",
                                                     "payer": "apbdes"}).json()  # fmt: skip
    assert data["total"] == 16_800 and any("UCJ_APBDES_RELIEF" in w for w in data["warnings"])


def test_an_admin_loads_minimum_wages_with_ucj_rules_load(cli: Callable[..., Any], admin_user: Any,
                                                          tmp_path: Any) -> None:  # fmt: skip
    """A MIN.WAGE row is an ordinary rule row: `ucj rules load` adds it (audited) and the calculator warns at once.
    (The amount below is a test value, not a published UMK.)"""
    from ucj.contributions.rules import COLUMNS

    path = tmp_path / "umk.csv"
    path.write_text(",".join(COLUMNS) + "\nMIN.WAGE,16.74,2026-01-01,2026-12-31,,,,,4000000,,,,,,,SK Gubernur (uji),\n",
                    encoding="utf-8")  # fmt: skip
    result = cli("rules", "load", str(path), "--user", admin_user.username, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1
    calc = cli("contributions", "calc", "--segment", "PU", "--wage", "3990000", "--month", "2026-05", "--region",
               "16.74.03.2003", "--json")  # fmt: skip
    assert any("MIN.WAGE/16.74@2026-01-01" in w for w in json.loads(calc.stdout)["warnings"])
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COLUMNS) + "\nMIN.WAGE,Palembang,2026-01-01,,,,,,4000000,,,,,,,SK,\n", encoding="utf-8")
    refused = cli("rules", "load", str(bad), "--user", admin_user.username)
    assert refused.exit_code == 1 and "province or kab/kota code" in " ".join((refused.stdout + refused.stderr).split())
