"""Findings and rejected rows are stored exactly as found, whichever bulk path writes them (COPY on
PostgreSQL, executemany on SQLite; issue 17 §3): commas, quotes, line breaks, backslashes, empty and
non-ASCII cells survive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ucj.registry.models import ImportIssue, RejectedRow
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"


def test_tricky_cells_round_trip(write_csv: Callable[..., Path]) -> None:
    path = write_csv([
        "NIK,Nama,Kode Desa,Keterangan",
        f'12345,"Siti, ""Ibu"" Aminah",{SUKARAMI},"baris\nkedua \\ garis miring"',
        f"1606014101900012,,{SUKARAMI},Śląsk ñ 東",
        f"1606010101900013,Budi,{SUKARAMI},",
    ])  # fmt: skip
    report = import_roster(path.read_bytes(), path.name)
    assert report.rejected == 2 and report.accepted == 1
    stored = sorted(ImportIssue.objects.filter(batch_id=report.batch_id).values_list("row", "code", "value"))
    assert stored == sorted((f.row, f.code, f.value) for f in report.findings)
    cells = dict(RejectedRow.objects.filter(batch_id=report.batch_id).values_list("row", "cells"))
    assert cells[2][:2] == ["12345", 'Siti, "Ibu" Aminah'] and cells[2][3] == "baris\nkedua \\ garis miring"
    assert cells[3][3] == "Śląsk ñ 東" and cells[3][1] in ("", None)
    assert all(r.reasons for r in RejectedRow.objects.filter(batch_id=report.batch_id))
