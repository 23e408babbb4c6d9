"""The sections other packages provide (issue 15 §1): the commitments scorecard and the enrolment funnel, as
designed tables from their services' answers (labels in the report's language, typed cells); the funnel is left
out only when the region has no targeting data at all."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from tests.coverage.test_dashboard_page import MUBA
from ucj.reports import content, services
from ucj.reports.workbook import monthly_workbook

DEC = dt.date(2024, 12, 1)
EN = {"baik": "good", "sedang": "fair", "kurang": "poor", "tanpa data": "no data", "Kode": "Code",
      "Wilayah": "Region", "Skor": "Score"}  # fmt: skip
LEVELS = {"regulation": "baik", "budget": "kurang", "villages": "sedang", "rt_rw": "baik", "units": None,
          "coverage": "sedang", "actions": "kurang"}  # fmt: skip


def entry(code: str, name: str, score: int | None, status: str) -> dict[str, Any]:
    """A scorecard entry shaped like ``ucj.commitments.services.scorecard``'s."""
    return {"code": code, "name": name, "level": "kabkota", "score": score, "status": status, "scores": LEVELS,
            "budget": {"allocated": 2_000_000_000, "realised": 910_000_000, "absorption_pct": 45.5,
                       "workers_funded": 9_000, "gap": None},
            "villages": {"total": 4, "reported": 4, "fully_protected": 1, "pct": 25.0},
            "institutions": {"kepala_desa": {"positions": 4, "registered": 4, "active": 4},
                             "rt": {"positions": 10, "registered": 6, "active": 5},
                             "rw": {"positions": 4, "registered": 2, "active": 2}, "lkd": None},
            "ecosystem_units": {"covered": 3, "total": 8}, "coverage": {"rate": 40.0, "target": 50.0},
            "overdue_actions": 3}  # fmt: skip


ANSWER = {"year": 2024, "region": entry("16", "Sumatera Selatan", 61, "kuning"),
          "children": [entry(MUBA, "Musi Banyuasin", 75, "hijau"), entry("16.71", "Palembang", None, "merah")]}


def test_the_scorecard_table_is_designed_not_guessed() -> None:
    section = content.scorecard(ANSWER, "id", lambda s: s)
    table = section.tables[0]
    heads = [c.label for c in table.columns]
    assert heads[:4] == ["Kode", "Wilayah", "Status", "Skor"]
    assert heads[4:11] == ["Kebijakan dan regulasi", "Penganggaran", "Desa terlindungi penuh", "Cakupan RT/RW",
                           "Unit ekosistem tercakup", "Cakupan terhadap target", "Tindak lanjut terlambat"]
    assert heads[11:] == ["Anggaran dialokasikan", "Anggaran terealisasi", "Serapan (%)",
                          "Desa terlindungi penuh (%)", "RT/RW aktif (%)", "Tindak lanjut terlambat (jumlah)"]
    kinds = [c.kind for c in table.columns]
    assert kinds[3] == content.INT and kinds[11:] == [content.RP, content.RP, content.PCT, content.PCT, content.PCT,
                                                      content.INT]  # fmt: skip
    assert [r[0] for r in table.rows] == ["16", MUBA, "16.71"]  # the region, then its children as ranked
    muba = table.rows[1]
    assert muba[:4] == [MUBA, "Musi Banyuasin", "Sesuai jalur", 75]
    assert muba[4:11] == ["baik", "kurang", "sedang", "baik", "tanpa data", "sedang", "kurang"]
    # RT/RW: (5 + 2) active of (10 + 4) positions = 50 %; villages 1 of 4 = 25 %
    assert muba[11:] == [2_000_000_000, 910_000_000, 45.5, 25.0, 50.0, 3]
    assert table.rows[2][2:4] == ["Tertinggal", None]


def test_the_scorecard_speaks_english() -> None:
    table = content.scorecard(ANSWER, "en", lambda s: EN.get(s, s)).tables[0]
    assert [c.label for c in table.columns][:6] == ["Code", "Region", "Status", "Score", "Policy and regulation",
                                                    "Budgeting"]  # fmt: skip
    assert table.rows[1][2:6] == ["On track", 75, "good", "poor"] and table.rows[1][8] == "no data"
    assert content.Table.shown(table, "en")["rows"][1][11] == ("Rp 2,000,000,000", True)


FUNNEL = {"region": MUBA, "total": 10,
          "stages": {"identified": 4, "contacted": 2, "submitted": 1, "registered": 0, "active": 1},
          "closed": {"declined": 1, "not_found": 1, "moved": 0, "deceased": 0},
          "reached": {"identified": 10, "contacted": 4, "submitted": 2, "registered": 1, "active": 1},
          "conversion": {"contacted": 0.4, "submitted": 0.5, "registered": 0.5, "active": 1.0, "overall": 0.1},
          "median_days_to_active": 12.5, "by": "kecamatan",
          "children": [{"region": "16.06.01", "name": "Babat Toman", "total": 10,
                        "stages": {"identified": 4, "contacted": 2, "submitted": 1, "registered": 0, "active": 1},
                        "closed": {"declined": 1, "not_found": 1, "moved": 0, "deceased": 0},
                        "conversion": {"overall": 0.1}}]}  # fmt: skip
STAGES = {"identified": "Teridentifikasi", "contacted": "Sudah dihubungi", "submitted": "Diajukan ke BPJS",
          "registered": "Terdaftar", "active": "Aktif", "declined": "Menolak", "not_found": "Tidak ditemukan",
          "moved": "Pindah", "deceased": "Meninggal"}  # fmt: skip


def test_the_funnel_stages_add_up_and_its_children_are_listed() -> None:
    section = content.funnel(FUNNEL, STAGES, "id", lambda s: s)
    figures = {f.label: (f.value, f.kind) for f in section.figures}
    assert figures == {"Orang dalam daftar kerja": (10, content.INT),
                       "Konversi teridentifikasi → aktif": (10.0, content.PCT),
                       "Median hari dari teridentifikasi sampai aktif": (12.5, content.DEC1)}  # fmt: skip
    stages, children = section.tables
    assert [r[0] for r in stages.rows] == list(STAGES.values())  # every stage and closing status, zeros too
    assert [r[1] for r in stages.rows] == [4, 2, 1, 0, 1, 1, 1, 0, 0]
    assert sum(r[1] for r in stages.rows) == stages.total[1] == 10  # type: ignore[index]
    assert [r[3] for r in stages.rows[:5]] == [None, 40.0, 50.0, 50.0, 100.0] and stages.total[3] == 10.0  # type: ignore[index]
    assert [c.kind for c in children.columns][2:] == [content.INT] * 7 + [content.PCT]
    assert children.rows == [["16.06.01", "Babat Toman", 10, 4, 2, 1, 0, 1, 2, 10.0]]
    assert content.Table.shown(stages, "id")["total"][3] == ("10,00 %", True)


def _sheet(data: bytes, start: str) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(next(n for n in book.sheet_names if n.startswith(start))).to_python()


def test_no_targeting_data_leaves_the_funnel_out(sumsel: None) -> None:
    report = services.build_monthly("16", DEC, "id")
    keys = [s.key for s in report.sections]
    assert "komitmen" in keys  # the scorecard answers for every kab/kota, data or not
    assert "pendaftaran" not in keys  # no list loaded anywhere in the region: no funnel, no placeholder
    table = next(s for s in report.sections if s.key == "komitmen").tables[0]
    assert table.rows[0][0] == "16" and len(table.rows) == 18
    cells = _sheet(monthly_workbook(report), "Kartu skor")
    assert isinstance(cells[2][3], float) and isinstance(cells[2][11], float)  # score and allocation: numbers


def test_a_loaded_list_with_empty_worklists_shows_the_funnels_zeros(sumsel: None) -> None:
    from ucj.targeting.models import ListPerson, ListSource

    source = ListSource.objects.create(name="P3KE 2024", kind="p3ke", region_id=MUBA, rows=1, accepted=1)
    ListPerson.objects.create(source=source, nik="1606010101900001", name="Contoh", desa_id="16.06.01.2001")
    muba = services.build_monthly(MUBA, DEC, "id")
    funnel = next(s for s in muba.sections if s.key == "pendaftaran")
    assert [f.value for f in funnel.figures] == [0, None, None]
    assert [r[1] for r in funnel.tables[0].rows] == [0] * 9 and funnel.tables[0].total[1] == 0  # type: ignore[index]
    assert "pendaftaran" in [s.key for s in services.build_monthly("16", DEC, "id").sections]  # the province too
    assert "pendaftaran" not in [s.key for s in services.build_monthly("16.71", DEC, "id").sections]  # not Palembang
