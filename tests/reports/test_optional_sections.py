"""The sections other packages provide (issue 15 §1): the commitments scorecard and the enrolment funnel, arranged
into tables from their services' answers; left out cleanly when a service answers with nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ucj.reports import content, optional, services

DEC = dt.date(2024, 12, 1)


def entry(code: str, name: str, score: float | None, status: str) -> dict[str, Any]:
    return {"code": code, "name": name, "score": score, "status": status,
            "regulation": {"in_force": code == "16.06", "own_draft": 1 if code == "16.71" else 0},
            "budget": {"allocated": 2_000_000_000, "absorption_pct": 45.5, "workers_funded": 9_000},
            "villages": {"total": 4, "fully_protected": 1},
            "institutions": {"rt": {"positions": 10, "registered": 6, "active": 5},
                             "rw": {"positions": 4, "registered": 2, "active": 2}},
            "ecosystem_units": {"covered": 3, "total": 8}, "coverage": {"rate": 40.0, "target": 50.0},
            "overdue_actions": 2}  # fmt: skip


def test_the_scorecard_table_has_one_row_per_region() -> None:
    answer = {"region": entry("16", "Sumatera Selatan", 61.0, "kuning"),
              "children": [entry("16.06", "Musi Banyuasin", 75.0, "hijau"), entry("16.71", "Palembang", None, "merah")]}
    table = content.generic_table("komitmen", "Kartu skor", optional.scorecard_table(answer) or {})
    assert [c.label for c in table.columns][:5] == ["Kode", "Wilayah", "Status", "Skor", "Regulasi"]
    muba = table.rows[1]
    # villages fully protected 1 of 4 = 25 %; RT/RW active 5 + 2 of 10 + 4 positions
    assert muba[:5] == ["16.06", "Musi Banyuasin", "Sesuai jalur", 75.0, "berlaku"]
    assert muba[5:] == [2_000_000_000, 45.5, 9_000, 25.0, 7, 14, 3, 8, 40.0, 50.0, 2]
    assert table.rows[2][4] == "draf" and table.rows[0][4] == "—"
    assert optional.scorecard_table({"region": None}) is None


def test_the_funnel_rows_add_up_to_the_total() -> None:
    answer = {"total": 10, "stages": {"identified": 4, "contacted": 2, "submitted": 1, "registered": 0, "active": 1},
              "closed": {"declined": 1, "not_found": 1, "moved": 0, "deceased": 0},
              "reached": {"identified": 10, "contacted": 4, "submitted": 2, "registered": 1, "active": 1},
              "conversion": {"contacted": 0.4, "submitted": 0.5, "registered": 0.5, "active": 1.0, "overall": 0.1},
              "median_days_to_active": 12.5}  # fmt: skip
    data = optional.funnel_table(answer)
    assert data is not None
    table = content.generic_table("corong", "Corong", data)
    assert [r[1] for r in table.rows] == [4, 2, 1, 0, 1, 2]  # the stages, then the closed people
    assert sum(r[1] for r in table.rows) == table.total[1] == 10  # type: ignore[index]
    assert [r[3] for r in table.rows[:5]] == [None, 40.0, 50.0, 50.0, 100.0] and table.total[3] == 10.0  # type: ignore[index]
    section = content.funnel(data, "id", lambda s: s)
    assert section.paragraphs == ["Median hari dari teridentifikasi sampai aktif: 12,5"]
    assert optional.funnel_table({"total": 0}) is None


def test_the_report_includes_what_the_services_answer(sumsel: None) -> None:
    report = services.build_monthly("16", DEC, "id")
    keys = [s.key for s in report.sections]
    assert "komitmen" in keys  # the scorecard answers for every kab/kota, data or not
    assert "pendaftaran" not in keys  # nobody in a worklist: no funnel section, no placeholder
    table = next(s for s in report.sections if s.key == "komitmen").tables[0]
    assert table.rows[0][0] == "16" and len(table.rows) == 18
