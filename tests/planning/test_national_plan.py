"""A budget plan for the whole country (issue 17 §5): region ``nasional``, every province's kab/kota as floors
and every village's candidates, for users who reach every region (the national administrator) only; not saved
(a saved plan belongs to one province or kab/kota).

A small national world: the planning tests' Sumsel (tests/planning/conftest.py) and Jambi (15) with 12 listed
candidates in two villages and 100 vulnerable workers of Kerinci (15.01) not listed. A national plan is the two
provinces' plans side by side: the same candidates, the same kab/kota rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import conftest as cli_fixtures
from tests.coverage.test_dashboard_page import login
from tests.coverage.test_prepare_bulk import add_jambi
from tests.planning.conftest import UNIT_COST, make_plan_world
from ucj.coverage.models import Workforce
from ucj.coverage.services import bump_version
from ucj.planning import services
from ucj.planning.models import Scenario
from ucj.planning.scenario import ScenarioError, Spec
from ucj.registry.models import Participant

EVERYONE = 10_000 * UNIT_COST  # more than every candidate costs
cli = cli_fixtures.cli


@pytest.fixture
def national_world(db: Any) -> None:
    make_plan_world()
    add_jambi()
    Workforce.objects.create(region_id="15.01", year=2024, definition="vulnerable", workers=100, source="P3KE")
    for n in range(12):
        desa = ("15.01.01.2001", "15.71.01.1001")[n % 2]
        Participant.objects.create(nik=f"150101410190{n:04d}", name=f"Warga {n}", desa_id=desa, segment="BPU",
                                   payer="", ecosystem="rentan", poverty_decile=1 + n % 3,
                                   paid_through=dt.date(2024, 1, 31) if n % 4 == 0 else None)  # fmt: skip
    bump_version()


def spec(region: str, budget: int = EVERYONE) -> Spec:
    return Spec(region=region, year=2025, budget=budget, shares={"apbn": 1.0})


@pytest.mark.usefixtures("national_world")
def test_a_national_plan_covers_every_province() -> None:
    country, sumsel, jambi = (services.run(spec(code)) for code in ("nasional", "16", "15"))
    assert country["spec"]["region"] == "nasional" and country["status"] == "optimal"
    assert country["available"] == sumsel["available"] + jambi["available"] > 100
    assert country["funded"] == country["available"] == sumsel["funded"] + jambi["funded"]
    kab = {row["region"] for row in country["regions"]}
    assert {r["region"] for r in sumsel["regions"]} | {r["region"] for r in jambi["regions"]} == kab
    assert len(kab) == 17 + 2
    assert {row["desa"] for row in country["desa"]} >= {"16.06.01.2001", "15.01.01.2001", "15.71.01.1001"}
    assert all(row["name"] for row in country["desa"])
    before = country["region_before"]
    assert before["covered"] == sumsel["region_before"]["covered"] + jambi["region_before"]["covered"]
    # Jambi has no 2025 target: the country has none either (a sum over some provinces is not the country's)
    assert before["target_count"] is None and before["gap"] is None


@pytest.mark.usefixtures("national_world")
def test_only_the_national_administrator_plans_for_the_country(make_user: Callable[..., Any]) -> None:
    body = json.dumps({"region": "nasional", "year": 2025, "budget": EVERYONE, "shares": {"apbn": 1.0}})
    admin = login(make_user, "admin", None).post("/api/v1/plans/run", body, content_type="application/json")
    assert admin.status_code == 200 and admin.json()["spec"]["region"] == "nasional"
    for role, region in (("provinsi", "16"), ("kabkota", "16.06"), ("viewer", "16")):
        refused = login(make_user, role, region).post("/api/v1/plans/run", body, content_type="application/json")
        assert refused.status_code == 403 and "nasional" in refused.json()["detail"]
    assert services.check_region(None, "National") == "nasional"  # the command line's operator


@pytest.mark.usefixtures("national_world")
def test_a_national_plan_is_not_saved(make_user: Callable[..., Any], admin_user: Any) -> None:
    with pytest.raises(ScenarioError, match="nasional"):
        services.save(admin_user, "Indonesia", spec("nasional"))
    client = login(make_user, "admin", None)
    body = json.dumps({"name": "Indonesia", "spec": {"region": "nasional", "year": 2025, "budget": EVERYONE,
                                                     "shares": {"apbn": 1.0}}})  # fmt: skip
    assert client.post("/api/v1/plans", body, content_type="application/json").status_code == 422
    assert not Scenario.objects.exists()


@pytest.mark.usefixtures("national_world")
def test_the_page_offers_the_country_to_the_national_administrator(make_user: Callable[..., Any]) -> None:
    admin = login(make_user, "admin", None)
    choices = dict(admin.get("/rencana/").context["form"].fields["region"].choices)
    assert "nasional" in choices and "16" in choices
    form = {"region": "nasional", "year": "2025", "question": "max_coverage", "budget": "20.160.000",
            "start_month": "1", "months": "12", "share_provinsi": "0", "share_kabkota": "100",
            "groups": ["rentan", "rt_rw", "rentan_belum_terdata"], "floor": "none", "run": "1"}  # fmt: skip
    response = admin.post("/rencana/", form)
    assert response.status_code == 200 and response.context["result"]["funded"] == 100
    province = login(make_user, "provinsi", "16")
    assert "nasional" not in dict(province.get("/rencana/").context["form"].fields["region"].choices)
    assert province.post("/rencana/", form).context["form"].errors["region"]


@pytest.mark.usefixtures("national_world")
def test_the_command_line_plans_for_the_country(cli: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    result = cli("plan", "run", "--region", "nasional", "--year", "2025", "--budget", str(EVERYONE), "--shares",
                 "apbn=100", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["spec"]["region"] == "nasional" and data["funded"] == data["available"]
    make_user("provinsi", "16", username="analis")
    refused = cli("plan", "run", "--region", "nasional", "--year", "2025", "--budget", str(EVERYONE), "--user",
                  "analis", "--json")  # fmt: skip
    assert refused.exit_code != 0 and "nasional" in refused.output
