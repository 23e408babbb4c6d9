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


def test_code_lists_fill_the_rka_lines(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Issue 12 item 15: each region's own code list (UCJ ships none) loaded with ``ucj plan codes load`` fills
    the account code, programme and activity of its RKA lines; a bad file is refused with the line and the
    field, and nothing is loaded. The codes here are made up for the test."""
    from python_calamine import CalamineWorkbook

    bad = tmp_path / "bad.csv"
    bad.write_text("region,payer,program,code,programme,activity\n16,apbd_provinsi,JKK,,P,K\n99,apbd_desa,X,1,P,K\n")
    refused = cli("plan", "codes", "load", str(bad))
    assert refused.exit_code != 0 and "baris 2: code kosong" in flat(refused.output)
    assert "line 3: unknown region" in flat(refused.output) and not Scenario.objects.exists()
    good = tmp_path / "codes.csv"
    good.write_text("region,payer,program,code,programme,activity\n"
                    "16,apbd_provinsi,,9.99.01,Program Uji Provinsi,Kegiatan Uji Provinsi\n"
                    f"{OKU},apbd_kabkota,JKM,8.88.02,Program Uji OKU,Kegiatan Uji OKU\n")  # fmt: skip
    assert cli("plan", "codes", "load", str(good)).exit_code == 0
    # every kab/kota at its target: OKU needs 200 and the province funds at most 157 of the 260 workers, so
    # OKU's own APBD funds some of them
    saved = cli("plan", "run", "--year", "2025", "--minimise", "--shares", "apbd_provinsi=60,apbd_kabkota=40",
                "--floor", "target", "--save", "Kode", "--json")  # fmt: skip
    assert saved.exit_code == 0, saved.output
    plan_id = json.loads(saved.stdout)["id"]
    assert cli("plan", "rka", str(plan_id), "--out", str(tmp_path / "rka.xlsx")).exit_code == 0
    book = CalamineWorkbook.from_path(str(tmp_path / "rka.xlsx"))
    province = book.get_sheet_by_name("APBD Provinsi").to_python()[1:-1]
    assert province and {tuple(r[:3]) for r in province} == {("9.99.01", "Program Uji Provinsi",
                                                              "Kegiatan Uji Provinsi")}  # fmt: skip
    kab = [r for r in book.get_sheet_by_name("APBD Kabupaten-Kota").to_python()[1:-1] if r[3].startswith(OKU)]
    jkm = {tuple(r[:3]) for r in kab if "(JKM)" in r[4]}
    jkk = {tuple(r[:3]) for r in kab if "(JKK)" in r[4]}
    assert jkm == {("8.88.02", "Program Uji OKU", "Kegiatan Uji OKU")}
    assert jkk and all(code == "" for code, _, _ in jkk)  # no code for JKK in OKU's list: left for the officer
