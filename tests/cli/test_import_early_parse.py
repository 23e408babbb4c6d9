"""``ucj import roster`` starts a large file's parse child before Django starts (issue 17 §3): the same report
and the same refusals as when the file is parsed after start-up, and a child whose answer is not needed (the
import was refused first) does not outlive the command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli.test_import_cli import ROSTER
from ucj.bounded import Running
from ucj.registry import sandbox
from ucj.registry.models import ImportBatch
from ucj.registry.reader import ReadLimits

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[Running[Any] | None]:
    """Every file counts as large (parsed in the child), and what ``start_reading`` returned is recorded."""
    settings.UCJ_PARSE_INPROCESS_MB = 0
    seen: list[Running[Any] | None] = []
    real = sandbox.start_reading

    def spy(*args: Any) -> Running[Any] | None:
        seen.append(real(*args))
        return seen[-1]

    monkeypatch.setattr(sandbox, "start_reading", spy)
    return seen


def test_a_large_file_gives_the_same_report(
    cli: Callable[..., Result], write_csv: Callable[..., Path], started: list[Running[Any] | None]
) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--json")
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and started[0] is not None  # parsed by the child started before boot
    report = json.loads(result.stdout)
    assert (report["rows"], report["accepted"], report["updated"], report["rejected"]) == (4, 2, 0, 2)
    errors = {(i["row"], i["code"]) for i in report["issues"] if i["severity"] == "error"}
    assert errors == {(4, "NIK_LENGTH"), (5, "NAME_MISSING")}


def test_the_child_refuses_as_the_parent_would(
    cli: Callable[..., Result], tmp_path: Path, started: list[Running[Any] | None]
) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(b"%PDF-1.4\n")
    result = cli("import", "roster", path, "--json")
    assert result.exit_code == 1 and started[0] is not None
    assert json.loads(result.stdout)["error"]["code"] == "FILE_NOT_SPREADSHEET"
    assert ImportBatch.objects.get().error_code == "FILE_NOT_SPREADSHEET"


def test_a_refused_import_ends_its_child(
    cli: Callable[..., Result], write_csv: Callable[..., Path], started: list[Running[Any] | None]
) -> None:
    result = cli("import", "roster", write_csv(ROSTER), "--user", "nobody", "--json")
    assert result.exit_code == 1
    child = started[0]
    assert child is not None
    assert child.proc.poll() is not None  # finished or killed, and waited for: no process left behind
    assert child.source.closed and child.result.closed


def test_only_a_file_parsed_in_the_child_anyway_starts_early(
    write_csv: Callable[..., Path], write_xlsx: Callable[..., Path]
) -> None:
    limits = ReadLimits(inprocess_bytes=200_000)
    small = write_csv(ROSTER).read_bytes()
    assert sandbox.start_reading(small, "r.csv", limits) is None
    # 5,000 rows of one repeated cell: a few KB compressed, over 200 KB declared uncompressed (the work size)
    book = write_xlsx([["NIK", "Nama"]] + [["1606014101900012", "Siti Aminah"]] * 5_000).read_bytes()
    assert len(book) < limits.inprocess_bytes
    with sandbox.start_reading(book, "r.xlsx", limits) as child:
        assert child is not None and child.wait().frame.height == 5_000
