"""``ucj scorecard`` and ``ucj commitments template|load|institutions`` (world: tests/commitments/backend_world.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import flat
from tests.commitments.backend_world import MUBA, SUKARAMI, YEAR, make_world
from ucj.commitments.models import VillageInstitution

cli = cli_fixtures.cli


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


def test_scorecard_json_shape(world: dict[str, Any], cli: Callable[..., Result]) -> None:
    result = cli("scorecard", "--region", "16", "--year", YEAR, "--by", "kabkota", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"region", "children"} and len(data["children"]) == 17
    muba = next(c for c in data["children"] if c["code"] == MUBA)
    assert muba["institutions"]["kepala_desa"] == {"positions": 3, "registered": 2, "active": 2}
    assert muba["institutions"]["rw"] == {"positions": 5, "registered": 3, "active": 3}
    assert (muba["status"], muba["score"], muba["overdue_actions"]) == ("kuning", 50, 1)
    assert muba["budget"] == {"allocated": 16_000_000, "realised": 0, "absorption_pct": 0.0, "workers_funded": 65,
                              "gap": None}  # fmt: skip
    alone = json.loads(cli("scorecard", "--region", MUBA, "--year", YEAR, "--json").stdout)
    assert alone["children"] == [] and alone["region"]["code"] == MUBA


def test_scorecard_text(world: dict[str, Any], cli: Callable[..., Result]) -> None:
    result = cli("scorecard", "--region", MUBA, "--year", YEAR, "--by", "kecamatan")
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "Musi Banyuasin" in text and "status kuning, skor/score 50" in text and "budget:" in text


def test_scorecard_refusals(world: dict[str, Any], cli: Callable[..., Result], make_user: Any) -> None:
    assert cli("scorecard", "--region", "99", "--year", YEAR, "--json").exit_code == 1
    assert cli("scorecard", "--region", MUBA, "--year", YEAR, "--by", "provinsi").exit_code == 2
    assert cli("scorecard", "--region", MUBA, "--year", YEAR, "--by", "kabkota", "--json").exit_code == 2
    make_user("kabkota", "16.71", username="plg")
    result = cli("scorecard", "--region", MUBA, "--year", YEAR, "--user", "plg", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "NOT_FOUND"


def test_template_then_load(db: Any, cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "komitmen.xlsx"
    assert cli("commitments", "template", "--out", out).exit_code == 0 and out.stat().st_size > 0
    dry = cli("commitments", "load", out, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["stored"] is False and not VillageInstitution.objects.exists()
    loaded = cli("commitments", "load", out)
    assert loaded.exit_code == 0, loaded.output
    assert "DISIMPAN" in flat(loaded.stdout) and VillageInstitution.objects.get().desa_id == SUKARAMI


def test_load_rejects_with_exit_1(db: Any, cli: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "kelembagaan.csv"
    bad.write_text("Kode Desa,Kepala Desa,Perangkat Desa,BPD,RT,RW\n16.06.01.2001,3,1,1,1,1\n")
    result = cli("commitments", "load", bad, "--json")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    assert [(i["row"], i["code"]) for i in issues] == [(2, "KEPALA_DESA_COUNT")] and issues[0]["message_en"]
    assert cli("commitments", "load", tmp_path / "missing.csv").exit_code == 1


def test_institutions_command(world: dict[str, Any], cli: Callable[..., Result]) -> None:
    result = cli("commitments", "institutions", "--region", "16.06.01", "--json")
    data = json.loads(result.stdout)
    assert data["region"]["villages"]["fully_protected"] == 2
    assert "2/2/2" in flat(cli("commitments", "institutions", "--region", "16.06.01").stdout)
