"""``ucj import list``, ``ucj import bpjs`` and ``ucj target``: JSON reports, full NIKs for the operator, masking
with --user, refusals without tracebacks, the workbook."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import python_calamine as calamine
from typer.testing import Result

from tests.cli.conftest import cli  # noqa: F401 (fixture)
from tests.targeting.lists_world import AS_OF, BPJS, DTSEN, EXPECTED_ORDER, POPULATION, SUKARAMI, add_lina
from ucj.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(cli: Callable[..., Result], tmp_path: Path) -> Callable[..., Result]:  # noqa: F811
    add_lina()
    for name, text in (("dtsen.csv", DTSEN), ("penduduk.csv", POPULATION), ("bpjs.csv", BPJS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    first = cli("import", "list", tmp_path / "dtsen.csv", "--source", "DTSEN 2025", "--region", "16.06", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["accepted"] == 5
    second = cli("import", "list", tmp_path / "penduduk.csv", "--source", "Penduduk Sukarami", "--region", SUKARAMI)
    assert second.exit_code == 0, second.output
    assert "diterima/accepted 5" in " ".join(second.stdout.split())
    third = cli("import", "bpjs", tmp_path / "bpjs.csv", "--as-of", "2026-11-01", "--json")
    assert third.exit_code == 0, third.output
    report = json.loads(third.stdout)
    assert (report["unknown"], report["not_in_bpjs"]["count"]) == ({"count": 1, "nik": ["1606011212900011"]}, 1)
    return cli


def test_target_json_as_the_operator(loaded: Callable[..., Result]) -> None:
    result = loaded("target", "--region", SUKARAMI, "--as-of", AS_OF.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["count"] == 4
    assert [c["nik"] for c in out["candidates"]] == EXPECTED_ORDER  # the operator sees full NIKs
    first = out["candidates"][0]
    assert {"nik", "name", "desa", "decile", "sources", "reason", "priority"} <= set(first)
    assert {k: v["count"] for k, v in out["excluded"].items()} == {"active": 2, "asn": 1, "tni_polri": 1,
                                                                   "under_age": 1}  # fmt: skip
    assert AuditEvent.objects.filter(action="targeting.candidates_export").exists()


def test_target_masks_for_a_viewer_and_writes_a_workbook(loaded: Callable[..., Result], tmp_path: Path,
                                                         make_user: Callable[..., Any]) -> None:  # fmt: skip
    make_user("viewer", "16", username="pembaca")
    out = tmp_path / "kandidat.xlsx"
    result = loaded("target", "--region", SUKARAMI, "--as-of", AS_OF.isoformat(), "--json", "--user", "pembaca",
                    "--out", out, "--max-decile", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["candidates"]
    assert [c["nik"] for c in shown] == ["16" + "*" * 14] * 3
    assert shown[0]["name"] == "S*** A*****"
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.read_bytes()))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["priority", "nik", "name"] and len(rows) == 4
    assert book.sheet_names == ["Sasaran", "Dikecualikan"]


def test_target_worklist_and_people_table(loaded: Callable[..., Result]) -> None:
    result = loaded("target", "--region", SUKARAMI, "--as-of", AS_OF.isoformat(), "--worklist")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "4 kandidat" in text and "baru/new 4" in text and "Siti Aminah" in text


def test_refusals_without_traceback(loaded: Callable[..., Result], tmp_path: Path,
                                    make_user: Callable[..., Any]) -> None:  # fmt: skip
    make_user("kabkota", "16.71", username="plg")
    outside = loaded("target", "--region", SUKARAMI, "--user", "plg", "--json")
    assert outside.exit_code == 1 and json.loads(outside.stdout)["error"]["code"] == "NOT_FOUND"
    (tmp_path / "x.csv").write_text("nama,alamat\nA,B\n", encoding="utf-8")
    bad = loaded("import", "list", tmp_path / "x.csv", "--source", "X", "--json")
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["code"] == "FILE_NO_NIK_COLUMN"
    refused = loaded("import", "bpjs", tmp_path / "bpjs.csv", "--user", "plg", "--as-of", "kemarin")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
