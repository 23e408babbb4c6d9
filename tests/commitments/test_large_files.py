"""A commitments file larger than ``UCJ_PARSE_INPROCESS_MB`` is read in a bounded child process (its own memory,
CPU and output limits, killed after ``UCJ_PARSE_TIMEOUT_S``), like a large roster, instead of being refused; only
what exceeds the reader's limits (``UCJ_MAX_UPLOAD_MB``, the unpacked size of an xlsx) or the child's is refused.

``UCJ_PARSE_INPROCESS_MB = 0`` sends every file to the child, so the world's small files stand in for large ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from ucj.commitments import loaders, sheets
from ucj.commitments.filecheck import CommitmentFileError
from ucj.commitments.loaders import load_file, template_bytes
from ucj.commitments.models import VillageInstitution

SUKARAMI, KAYU_ARA = "16.06.01.2001", "16.06.01.1009"
CSV = (f"Kode Desa;Nama Desa;Kepala Desa;Perangkat Desa;BPD;RT;RW\n{SUKARAMI};Sukarami;1;11;7;12;4\n"
       f"{KAYU_ARA};Kayu Ara;;;;15;5\n").encode()  # fmt: skip


@pytest.fixture
def large(settings: Any) -> Any:
    """Every file counts as large: it is read in the child."""
    settings.UCJ_PARSE_INPROCESS_MB = 0
    return settings


def test_a_large_csv_is_read_in_the_child_and_loaded(db: Any, large: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = sheets.read_in_child
    monkeypatch.setattr(sheets, "read_in_child", lambda *a, **k: calls.append("child") or real(*a, **k))
    report = load_file(CSV, "kelembagaan.csv")
    assert calls == ["child"]
    assert report.ok and report.stored and report.sheets[0].created == 2
    assert VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 11


def test_a_large_workbook_is_read_in_the_child(db: Any, large: Any) -> None:
    report = load_file(template_bytes(), "template.xlsx", dry_run=True)
    assert report.ok and {s.kind for s in report.sheets} >= {"institution", "budget", "instrument"}


def test_the_child_reads_what_the_process_reads(large: Any) -> None:
    limits = loaders.read_limits()
    for data, name in ((CSV, "k.csv"), (template_bytes(), "t.xlsx")):
        assert sheets.read_in_child(data, name, limits) == sheets.parse_sheets(data, name)


def test_the_child_is_bounded(db: Any, large: Any) -> None:
    """A child that runs out of its memory is refused with the reading limit, nothing stored."""
    large.UCJ_PARSE_MEMORY_MB = 16  # too little to start the parser at all
    with pytest.raises(CommitmentFileError) as refused:
        load_file(CSV, "kelembagaan.csv")
    assert refused.value.finding.code == "FILE_PARSE_LIMIT" and "16 MB" in refused.value.finding.value
    assert not VillageInstitution.objects.exists()


def test_a_damaged_workbook_in_the_child_is_unreadable(large: Any) -> None:
    damaged = template_bytes()[:2000]  # a zip cut short
    with pytest.raises(CommitmentFileError) as refused:
        loaders.read_sheets(damaged, "rusak.xlsx")
    assert refused.value.finding.code in ("FILE_UNREADABLE", "FILE_NOT_SPREADSHEET")


def test_beyond_the_upload_limit_is_still_refused(settings: Any) -> None:
    settings.UCJ_MAX_UPLOAD_MB = 0
    with pytest.raises(CommitmentFileError) as refused:
        loaders.read_sheets(CSV, "kelembagaan.csv")
    assert refused.value.finding.code == "FILE_TOO_LARGE"


def test_the_child_is_stopped_after_the_time_limit(db: Any, large: Any) -> None:
    large.UCJ_PARSE_TIMEOUT_S = 0
    with pytest.raises(CommitmentFileError) as refused:
        load_file(CSV, "kelembagaan.csv")
    assert refused.value.finding.code == "FILE_PARSE_LIMIT" and refused.value.finding.value == "> 0 s"
    assert not VillageInstitution.objects.exists()
