"""Denominators and targets as data: ``ucj coverage load-workforce`` / ``load-targets`` — all or nothing, upsert by
region × year × definition, admin/provinsi only, audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import flat
from ucj.accounts.models import AuditEvent
from ucj.coverage.feedcheck import FeedFileError
from ucj.coverage.feeds import FeedRefused
from ucj.coverage.loaders import load_targets, load_workforce
from ucj.coverage.models import Target, Workforce

pytestmark = pytest.mark.django_db
cli = cli_fixtures.cli  # the ``ucj`` CliRunner fixture of tests/cli

WORKFORCE = [
    "region,year,definition,workers,source",
    '16,2024,eligible,2.800.000,"BPJS Kanwil Sumbagsel (sriwijayamedia.com, Sep 2024)"',
    "16,2024,bps_employed,4.400.000,BPS Sakernas Agustus 2023",
    "16.06,2025,eligible,213582,BPS 2025 (jpnn.com)",
]
TARGETS = [
    "kode,tahun,definisi,target (%),target (pekerja),sumber",
    '16,2024,eligible,"37,58",,Rakortek Januari 2024',
    "16,2025,eligible,50,1500000,BPJS Kanwil Sumbagsel Agustus 2024",
    "16.06,2025,eligible,52.15,,Target nasional UCJ 2025",
]


def load(fn: Callable[..., Any], path: Path, **kwargs: Any) -> Any:
    return fn(path.read_bytes(), path.name, **kwargs)


def workforce() -> dict[tuple[str, int, str], tuple[int, str]]:
    return {(w.region_id, w.year, w.definition): (w.workers, w.source) for w in Workforce.objects.all()}


def test_workforce_is_loaded_and_audited(write_csv: Callable[..., Path], admin_user: Any) -> None:
    report = load(load_workforce, write_csv(WORKFORCE), user=admin_user)
    assert (report.rows, report.created, report.updated, report.rejected, report.stored) == (3, 3, 0, 0, True)
    assert workforce()[("16", 2024, "eligible")] == (2_800_000, "BPJS Kanwil Sumbagsel (sriwijayamedia.com, Sep 2024)")
    assert workforce()[("16", 2024, "bps_employed")][0] == 4_400_000
    event = AuditEvent.objects.get(action="load_workforce")
    assert event.actor == admin_user and event.region_code == "16" and event.changes["rows_changed"] == 3
    assert event.changes["rows"][0]["after"]["workers"] == 2_800_000


def test_workforce_upsert_by_region_year_definition(write_csv: Callable[..., Path]) -> None:
    load(load_workforce, write_csv(WORKFORCE))
    Workforce.objects.filter(region_id="16.06").update(synthetic=True)
    again = load(load_workforce, write_csv([WORKFORCE[0], WORKFORCE[1], "16,2024,bps_employed,4.500.000,BPS 2024",
                                            WORKFORCE[3]], "koreksi.csv"))  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 2, 1)  # demo row replaced by real data
    assert workforce()[("16", 2024, "bps_employed")] == (4_500_000, "BPS 2024")
    assert Workforce.objects.count() == 3 and not Workforce.objects.filter(synthetic=True).exists()
    [event] = AuditEvent.objects.filter(action="load_workforce").order_by("-pk")[:1]
    changed = {c["key"]: c for c in event.changes["rows"]}
    assert changed["16 2024 bps_employed"]["before"]["workers"] == 4_400_000


def test_workforce_one_bad_row_stores_nothing(write_csv: Callable[..., Path]) -> None:
    report = load(load_workforce, write_csv([*WORKFORCE, "16.71,2024,eligible,-5,", "16.99,2024,semua,1,x"]))
    assert report.rejected == 2 and not report.stored and not Workforce.objects.exists()
    assert {(f.row, f.code) for f in report.findings} == {(5, "COUNT_NEGATIVE"), (5, "SOURCE_MISSING"),
                                                          (6, "REGION_UNKNOWN"), (6, "DEFINITION_UNKNOWN")}  # fmt: skip
    assert not AuditEvent.objects.filter(action="load_workforce").exists()


def test_targets_rate_and_count(write_csv: Callable[..., Path], make_user: Callable[..., Any]) -> None:
    report = load(load_targets, write_csv(TARGETS), user=make_user("provinsi", "16"))
    assert report.created == 3 and report.stored
    rows = {(t.region_id, t.year): (t.rate, t.count, t.source) for t in Target.objects.all()}
    assert rows[("16", 2024)] == (Decimal("37.58"), None, "Rakortek Januari 2024")
    assert rows[("16", 2025)][:2] == (Decimal("50.00"), 1_500_000)
    assert rows[("16.06", 2025)][0] == Decimal("52.15")
    again = load(load_targets, write_csv([TARGETS[0], "16,2025,eligible,51,,Gubernur Agustus 2025"], "t2.csv"))
    assert (again.created, again.updated) == (0, 1)
    assert Target.objects.get(region_id="16", year=2025).count is None
    assert AuditEvent.objects.filter(action="load_targets").count() == 2


def test_targets_without_rate_or_count_are_refused(write_csv: Callable[..., Path]) -> None:
    report = load(load_targets, write_csv([*TARGETS, "16.71,2025,eligible,,,x", "16.04,2025,eligible,150,,x"]))
    assert {(f.row, f.code) for f in report.findings} == {(5, "TARGET_MISSING"), (6, "RATE_INVALID")}
    assert not Target.objects.exists()


def test_only_admin_and_provinsi_load(write_csv: Callable[..., Path], make_user: Callable[..., Any]) -> None:
    for role, region in (("kabkota", "16.06"), ("bpjs", "16"), ("desa", "16.06.01.2001"), ("viewer", "16")):
        with pytest.raises(FeedRefused):
            load(load_workforce, write_csv(WORKFORCE), user=make_user(role, region))
    analyst = make_user("provinsi", "16.06")  # a provinsi grant over one kab/kota only reaches that kab/kota
    report = load(load_workforce, write_csv(WORKFORCE), user=analyst)
    assert {(f.row, f.code) for f in report.findings} == {(2, "REGION_OUTSIDE"), (3, "REGION_OUTSIDE")}
    assert not Workforce.objects.exists()


def test_file_errors(write_csv: Callable[..., Path]) -> None:
    with pytest.raises(FeedFileError) as err:
        load(load_targets, write_csv(["region,year,definition,rate", "16,2025,eligible,50"]))
    assert err.value.code == "FILE_MISSING_COLUMN" and "Sumber" in err.value.finding.value


def test_dry_run(write_csv: Callable[..., Path]) -> None:
    report = load(load_workforce, write_csv(WORKFORCE), dry_run=True)
    assert (report.created, report.stored) == (3, False) and not Workforce.objects.exists()


# ---------------------------------------------------------------- CLI


def test_cli_load_workforce_json(cli: Callable[..., Result], write_csv: Callable[..., Path], admin_user: Any) -> None:
    result = cli("coverage", "load-workforce", write_csv(WORKFORCE), "--json", "--user", admin_user.username)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 3 and Workforce.objects.count() == 3


def test_cli_load_targets_rejected(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("coverage", "load-targets", write_csv([*TARGETS, "16,2026,eligible,abc,,x"]), "--json")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    report = json.loads(result.stdout)
    assert [(i["row"], i["code"]) for i in report["issues"]] == [(5, "RATE_INVALID")] and not Target.objects.exists()
    human = cli("coverage", "load-targets", write_csv([*TARGETS, "16,2026,eligible,abc,,x"]))
    assert human.exit_code == 1 and "REJECTED, nothing stored" in flat(human.stdout)
    ok = cli("coverage", "load-targets", write_csv(TARGETS))
    assert ok.exit_code == 0 and "baru/created 3" in flat(ok.stdout)


def test_cli_refusals(cli: Callable[..., Result], write_csv: Callable[..., Path], kab_user: Any,
                      tmp_path: Path) -> None:  # fmt: skip
    refused = cli("coverage", "load-targets", write_csv(TARGETS), "--json", "--user", kab_user.username)
    assert refused.exit_code == 1 and json.loads(refused.stdout)["error"]["code"] == "REFUSED"
    assert cli("coverage", "load-workforce", tmp_path / "none.csv").exit_code == 1
    assert cli("coverage", "load-workforce").exit_code == 2
