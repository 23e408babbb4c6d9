"""``ucj plan run|list|compare|rka|enrol``: the three questions from the command line, JSON and text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import flat
from tests.planning.conftest import MUBA, OKU, UNIT_COST
from ucj.planning.models import Scenario

pytestmark = pytest.mark.usefixtures("plan_world")
cli = cli_fixtures.cli


def test_what_reaching_the_target_costs(cli: Callable[..., Result]) -> None:
    result = cli("plan", "run", "--region", "16", "--year", "2025", "--minimise", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["funded"], data["cost"], data["region_after"]["rate"]) == (260, 260 * UNIT_COST, 50.0)


def test_budget_with_co_funding_in_text(cli: Callable[..., Result]) -> None:
    result = cli("plan", "run", "--year", "2025", "--budget", f"{100 * UNIT_COST:,}".replace(",", "."),
                 "--shares", "apbd_provinsi=60,apbd_kabkota=40")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "Didanai / funded 100 pekerja" in text and f"apbd_provinsi Rp {60 * UNIT_COST:,}" in text


def test_infeasible_plan_exits_1_with_the_reason(cli: Callable[..., Result]) -> None:
    result = cli("plan", "run", "--year", "2025", "--budget", str(10 * UNIT_COST), "--floor", "target")
    assert result.exit_code == 1
    assert "BUDGET_BELOW_FLOORS" not in result.stdout and "Rp" in flat(result.stdout)


def test_bad_input_is_refused_without_a_traceback(cli: Callable[..., Result]) -> None:
    result = cli("plan", "run", "--year", "2025", "--budget", "dua puluh miliar", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "USAGE"
    result = cli("plan", "run", "--year", "2025", "--budget", "1000", "--shares", "apbd_provinsi=50", "--json")
    assert result.exit_code == 1 and "shares" in json.loads(result.stdout)["error"]["message"]


def test_save_list_compare_and_workbooks(cli: Callable[..., Result], tmp_path: Path,
                                         make_user: Callable[..., Any]) -> None:  # fmt: skip
    make_user("kabkota", MUBA, username="dinas.muba")
    assert cli("plan", "run", "--year", "2025", "--minimise", "--floor", "target", "--save", "Target").exit_code == 0
    assert cli("plan", "run", "--region", MUBA, "--year", "2025", "--budget", str(7 * UNIT_COST), "--save", "Muba",
               "--user", "dinas.muba").exit_code == 0  # fmt: skip
    first, second = Scenario.objects.order_by("pk")
    assert by_id(json.loads(cli("plan", "list", "--json").stdout)) == {first.pk: 260, second.pk: 7}
    compared = json.loads(cli("plan", "compare", str(second.pk), str(first.pk), "--json").stdout)
    assert [c["name"] for c in compared] == ["Muba", "Target"] and compared[1]["regions_meeting_target"] == 3
    assert cli("plan", "compare", "999", "--json").exit_code == 1
    assert cli("plan", "rka", str(first.pk), "--out", tmp_path / "rka.xlsx").exit_code == 0
    enrol = cli("plan", "enrol", str(second.pk), "--out", tmp_path / "daftar.xlsx", "--user", "dinas.muba")
    assert enrol.exit_code == 0 and "7 pekerja terdaftar" in flat(enrol.stdout)
    assert (tmp_path / "rka.xlsx").stat().st_size > 0 and (tmp_path / "daftar.xlsx").stat().st_size > 0
    assert first.result["regions"][[r["region"] for r in first.result["regions"]].index(OKU)]["funded"] == 200


def by_id(rows: list[dict[str, Any]]) -> dict[int, int]:
    return {r["id"]: r["funded"] for r in rows}


def test_help_lists_the_commands(cli: Callable[..., Result]) -> None:
    text = flat(cli("plan", "--help").stdout)
    assert all(word in text for word in ("run", "list", "compare", "rka", "enrol"))
