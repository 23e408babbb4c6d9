"""The development-indicator sheet (issue 15 §4): baseline, yearly targets and realisation per region on the UCJ
rate and on the Bappenas indicator 06.02.021 (where a BPU universe is loaded), with the definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.coverage.test_dashboard_page import MUBA, PALEMBANG
from tests.reports.test_reports import sheet
from ucj.coverage.models import Workforce
from ucj.coverage.services import bump_version
from ucj.reports.devsheet import indicator_workbook

DEC = dt.date(2024, 12, 1)


def test_baseline_targets_and_realisation_per_region(sumsel: None) -> None:
    # Bappenas 06.02.021 for the province only: 1,000 informal workers; the feed is all BPU, so 490 / 1,000.
    Workforce.objects.create(region_id="16", year=2024, definition="bpu_universe", workers=1000, source="Sakernas")
    bump_version()
    data = indicator_workbook("16", DEC, "id")
    rows = sheet(data, "Pekerja eligible")
    header = rows[1]
    assert header[:3] == ["Kode", "Wilayah", "Baseline 2024 (%)"]
    assert header[3:] == ["Target 2024 (%)", "Realisasi 2024 (%)", "Tercakup 2024", "Penyebut 2024",
                          "Target 2025 (%)", "Realisasi 2025 (%)", "Tercakup 2025", "Penyebut 2025"]  # fmt: skip
    by_code: dict[str, list[Any]] = {r[0]: r for r in rows[2:] if r[0]}
    # Sumsel (hand-computed in test_dashboard_page): 490 of 1,500 = 32.67 %; targets 30 % (2024), 50 % (2025).
    assert by_code["16"][2:11] == [32.67, 30.0, 32.67, 490, 1500, 50.0, "", "", 1500]
    assert by_code[PALEMBANG][2:7] == [46.67, 30.0, 46.67, 280, 600]  # the province's rate inherited
    assert by_code[MUBA][2:7] == [40.0, 30.0, 40.0, 160, 400]
    bpu = sheet(data, "Semesta PBPU")
    bpu_rows = {r[0]: r for r in bpu[2:] if r[0]}
    assert bpu_rows["16"][2:7] == [49.0, "", 49.0, 490, 1000]  # no target on this definition
    assert bpu_rows[MUBA][2] == ""  # no BPU universe for the kab/kota: empty, and the sheet says why
    assert any("06.02.021" in str(c) for r in bpu for c in r)
    definitions = sheet(data, "Definisi")
    assert any("semesta PBPU" in str(c) for r in definitions for c in r)
