"""``ucj contributions calc`` and ``ucj rules list/load/export``: JSON shape, exit codes 0/1/2, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import flat
from ucj.accounts.models import AuditEvent
from ucj.contributions.models import ContributionRule
from ucj.contributions.rules import COLUMNS, read_rules, shipped_rules

pytestmark = pytest.mark.django_db
cli = cli_fixtures.cli  # the ``ucj`` CliRunner fixture of tests/cli
UCJ = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ucj"
PU_EXAMPLE = ("contributions", "calc", "--segment", "PU", "--wage", "5000000", "--risk-class", "2", "--month",
              "2024-03")  # fmt: skip


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(result: Result) -> str:
    """A clean refusal: exit 1 via typer.Exit, no traceback; returns the message."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return flat(result.stderr or result.stdout)


# ---------------------------------------------------------------- calc


def test_pu_example_json(cli: Callable[..., Result]) -> None:
    data = ok_json(cli(*PU_EXAMPLE, "--json"))
    assert {"components", "total", "employer_total", "worker_total", "government_total", "warnings"} <= set(data)
    assert (data["total"], data["employer_total"], data["worker_total"], data["government_total"]) == (
        477_000, 327_000, 150_000, 0)  # fmt: skip
    assert [(c["program"], c["amount"]) for c in data["components"]] == [
        ("JKK", 27_000), ("JKM", 15_000), ("JHT", 285_000), ("JP", 150_000)]  # fmt: skip
    for c in data["components"]:
        assert {"program", "base", "rate", "amount", "employer", "worker", "government", "rule"} <= set(c)
        assert c["rule"] and c["source"]
    assert data["month"] == "2024-03" and data["segment"] == "PU"


def test_pu_example_table(cli: Callable[..., Result]) -> None:
    result = cli(*PU_EXAMPLE)
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    for word in ("27.000", "15.000", "185.000", "100.000", "327.000", "150.000", "477.000", "PU.JKK/2@2015-07-01",
                 "PP 44/2015", "PU.JP.CEILING@2024-03-01"):  # fmt: skip
        assert word in text


@pytest.mark.parametrize(("args", "total"), [
    (("--segment", "BPU", "--income", "1000000", "--month", "2024-03"), 16_800),
    (("--segment", "bpu", "--income", "1.000.000", "--programs", "JKK,JKM,JHT", "--month", "2024-03"), 36_800),
    (("--segment", "BPU", "--income", "1000000", "--month", "2026-05"), 8_400),
    (("--segment", "BPU", "--income", "1000000", "--month", "2026-05", "--payer", "apbd"), 16_800),
    (("--segment", "BPU", "--income", "1000000", "--month", "2026-05", "--payer", "apbd_provinsi"), 16_800),
    (("--segment", "BPU", "--income", "1000000", "--month", "2026-02", "--sector", "transport"), 8_400),
    (("--segment", "BPU", "--income", "1000000", "--month", "2026-02", "--sector", "other"), 16_800),
    (("--segment", "BPU", "--wage", "1000000", "--month", "2020-09"), 168),
    (("--segment", "JAKON", "--contract-value", "2000000000", "--month", "2024-03"), 2_950_000),
    (("--segment", "PMI", "--contract-months", "30", "--month", "2024-03"), 37_500 + 332_500 + 6 * 13_500),
    (("--segment", "PMI", "--contract-months", "12", "--no-pre-placement", "--month", "2024-03"), 189_000),
    (("--segment", "PU", "--wage", "5000000", "--risk-class", "2", "--jkp", "--month", "2023-11"), 488_000),
])  # fmt: skip
def test_other_segments(cli: Callable[..., Result], args: tuple[str, ...], total: int) -> None:
    assert ok_json(cli("contributions", "calc", *args, "--json"))["total"] == total


def test_payer_apbd_is_the_kabkota_budget(cli: Callable[..., Result]) -> None:
    data = ok_json(cli("contributions", "calc", "--segment", "BPU", "--income", "1000000", "--payer", "apbd",
                       "--month", "2024-03", "--json"))  # fmt: skip
    assert data["government_total"] == 16_800 and data["worker_total"] == 0


def test_month_defaults_to_this_month(cli: Callable[..., Result]) -> None:
    import datetime as dt

    data = ok_json(cli("contributions", "calc", "--segment", "BPU", "--income", "1000000", "--json"))
    assert data["month"] == f"{dt.date.today():%Y-%m}"


def test_missing_band_warning_is_printed(cli: Callable[..., Result]) -> None:
    data = ok_json(cli("contributions", "calc", "--segment", "BPU", "--income", "3000000", "--month", "2024-03",
                       "--json"))  # fmt: skip
    assert data["total"] == 36_800 and "BPU.BAND" in data["warnings"][0]
    text = flat(cli("contributions", "calc", "--segment", "BPU", "--income", "3000000", "--month", "2024-03").stdout)
    assert "BPU.BAND" in text and "warning" in text


@pytest.mark.parametrize(("args", "words"), [
    (("--segment", "PU", "--wage", "5000000", "--month", "2027-03"), ["PU.JP.CEILING", "2027-03", "no"]),
    (("--segment", "PU", "--wage", "5000000", "--month", "2024-3"), ["month", "YYYY-MM"]),
    (("--segment", "PU", "--wage", "5000000", "--month", "maret"), ["month", "bukan bulan"]),
    (("--segment", "PU", "--wage", "lima juta", "--month", "2024-03"), ["wage", "not an amount of rupiah"]),
    (("--segment", "PU", "--month", "2024-03"), ["wage", "required"]),
    (("--segment", "XX", "--wage", "5000000"), ["segment", "unknown"]),
    (("--segment", "PU", "--wage", "5000000", "--risk-class", "9"), ["risk_class", "1-5"]),
    (("--segment", "BPU", "--income", "1000000", "--payer", "bank"), ["payer", "unknown"]),
    (("--segment", "BPU", "--income", "1000000", "--sector", "ojol"), ["sector", "unknown"]),
    (("--segment", "BPU", "--income", "1000000", "--programs", "JKK,JP"), ["programs", "JP", "BPU"]),
    (("--segment", "BPU", "--income", "1000000", "--programs", "XYZ"), ["programs", "XYZ"]),
    (("--segment", "BPU", "--wage", "1000000", "--income", "2000000"), ["wage/income"]),
    (("--segment", "JAKON"), ["contract_value"]),
    (("--segment", "PMI", "--month", "2024-03"), ["contract_months"]),
])  # fmt: skip
def test_bad_input_is_refused_without_traceback(cli: Callable[..., Result], args: tuple[str, ...],
                                                words: list[str]) -> None:  # fmt: skip
    message = refused(cli("contributions", "calc", *args))
    assert "Ditolak / rejected" in message
    for word in words:
        assert word in message
    data = json.loads(cli("contributions", "calc", *args, "--json").stdout)
    assert data["error"]["code"] in {"INPUT_REJECTED", "RULE_MISSING"} and " / " in data["error"]["message"]


def test_rule_missing_json_code(cli: Callable[..., Result]) -> None:
    result = cli("contributions", "calc", "--segment", "PU", "--wage", "5000000", "--month", "2027-03", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "RULE_MISSING"


@pytest.mark.parametrize("args", [
    ("contributions", "calc"),  # --segment is required
    ("contributions", "calc", "--segment", "PU", "--risk-class", "dua"),
    ("contributions", "calc", "--segment", "PU", "--bogus"),
    ("rules", "load", "x.csv"),  # --user is required
])  # fmt: skip
def test_usage_errors_exit_2(cli: Callable[..., Result], args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_help(cli: Callable[..., Result]) -> None:
    result = cli("contributions", "calc", "--help")
    assert result.exit_code == 0
    for option in ("--segment", "--wage", "--income", "--risk-class", "--month", "--jkp", "--programs", "--payer",
                   "--sector", "--contract-value", "--contract-months", "--no-pre-placement", "--json"):  # fmt: skip
        assert option in result.stdout
    assert cli("rules", "--help").exit_code == 0


# ---------------------------------------------------------------- rules list / load / export


def test_rules_list(cli: Callable[..., Result]) -> None:
    every = ok_json(cli("rules", "list", "--json"))
    assert len(every) == ContributionRule.objects.count() == len(shipped_rules())
    ceilings = ok_json(cli("rules", "list", "--code", "PU.JP.CEILING", "--json"))
    assert len(ceilings) == 12 and all(r["code"] == "PU.JP.CEILING" for r in ceilings)
    (in_force,) = ok_json(cli("rules", "list", "--code", "PU.JP.CEILING", "--month", "2024-03", "--json"))
    assert (in_force["id"], in_force["amount"]) == ("PU.JP.CEILING@2024-03-01", "10042300")
    assert set(COLUMNS) <= set(in_force)
    text = flat(cli("rules", "list", "--month", "2026-05").stdout)
    assert "RELIEF.PP50-2025/other@2026-04-01" in text and "PP 50/2025" in text
    assert "RELIEF.PP49-2020" not in text
    assert "bukan bulan" in refused(cli("rules", "list", "--month", "05-2026"))


CSV_2027 = (
    ",".join(COLUMNS)
    + "\n"
    + ("PU.JP.CEILING,,2027-03-01,2028-02-29,,,,,11600000,,,,,,,penetapan BPJS Ketenagakerjaan 2027,uji\n")
)


def test_rules_load_needs_an_admin(cli: Callable[..., Result], make_user: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    make_user("provinsi", "16", username="analis")
    assert "only an admin" in refused(cli("rules", "load", path, "--user", "analis"))
    assert "unknown user" in refused(cli("rules", "load", path, "--user", "nobody"))
    assert not ContributionRule.objects.filter(valid_from="2027-03-01").exists()


def test_rules_load_dry_run_then_for_real(cli: Callable[..., Result], admin_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    calc_2027 = ("contributions", "calc", "--segment", "PU", "--wage", "12000000", "--month", "2027-03", "--json")
    dry = ok_json(cli("rules", "load", path, "--user", admin_user.username, "--dry-run", "--json"))
    assert dry == {"file": "rules.csv", "dry_run": True, "rules": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert not ContributionRule.objects.filter(valid_from="2027-03-01").exists()
    assert cli(*calc_2027).exit_code == 1

    real = ok_json(cli("rules", "load", path, "--user", admin_user.username, "--json"))
    assert real["created"] == 1 and real["dry_run"] is False
    assert ok_json(cli(*calc_2027))["components"][3]["base"] == 11_600_000
    event = AuditEvent.objects.filter(action="rules.load").latest("id")
    assert event.actor_name == admin_user.username and "rules.csv" in event.summary
    again = cli("rules", "load", path, "--user", admin_user.username)
    assert again.exit_code == 0 and "unchanged 1" in flat(again.stdout)


@pytest.mark.parametrize(("text", "words"), [
    (CSV_2027.replace("11600000", "sebelas juta"), ["line 2", "amount", "not a whole number"]),
    (CSV_2027.replace("penetapan BPJS Ketenagakerjaan 2027", ""), ["line 2", "source"]),
    (CSV_2027.replace("PU.JP.CEILING", "PU.JP.LIMIT"), ["line 2", "code", "not a known rule family"]),
    (CSV_2027.replace("2027-03-01", "2026-06-01"), ["overlap", "PU.JP.CEILING@2026-03-01"]),
    ("code,valid_from\n", ["required columns missing"]),
    (",".join(COLUMNS) + "\n", ["no rules"]),
])  # fmt: skip
def test_rules_load_errors(cli: Callable[..., Result], admin_user: Any, tmp_path: Path, text: str,
                           words: list[str]) -> None:  # fmt: skip
    path = tmp_path / "rules.csv"
    path.write_text(text, encoding="utf-8")
    before = ContributionRule.objects.count()
    message = refused(cli("rules", "load", path, "--user", admin_user.username))
    for word in words:
        assert word in message
    result = cli("rules", "load", path, "--user", admin_user.username, "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "RULE_REJECTED"
    assert ContributionRule.objects.count() == before


def test_rules_load_missing_file(cli: Callable[..., Result], admin_user: Any, tmp_path: Path) -> None:
    assert "file not found" in refused(cli("rules", "load", tmp_path / "none.csv", "--user", admin_user.username))


def test_rules_export_round_trips(cli: Callable[..., Result], admin_user: Any, tmp_path: Path) -> None:
    out = tmp_path / "aturan.csv"
    result = cli("rules", "export", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert sorted(read_rules(text), key=lambda r: r.id) == sorted(shipped_rules(), key=lambda r: r.id)
    loaded = ok_json(cli("rules", "load", out, "--user", admin_user.username, "--json"))
    assert (loaded["created"], loaded["updated"], loaded["unchanged"]) == (0, 0, len(shipped_rules()))


@pytest.mark.skipif(not UCJ.exists(), reason=f"no installed entry point at {UCJ}")
def test_the_real_command(tmp_path: Path) -> None:
    """The installed entry point on a fresh data folder (it migrates itself): JSON out, exit 1 on a bad month."""
    env = {**os.environ, "UCJ_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/ucj.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run([str(UCJ), *PU_EXAMPLE, "--json"], capture_output=True, text=True, env=env, timeout=120,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == 477_000
    bad = subprocess.run([str(UCJ), "contributions", "calc", "--segment", "PU", "--wage", "1", "--month", "2024/03"],
                         capture_output=True, text=True, env=env, timeout=120, check=False)  # fmt: skip
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "YYYY-MM" in bad.stderr
