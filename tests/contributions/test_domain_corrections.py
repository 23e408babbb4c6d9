"""Issue 12 (contributions part): the corrections of shared/domain.md §1.2, §1.7 and §6 (2026-11-30).

Every test names its hand-computed expectation and its source in the docstring.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl
import pytest

from ucj.contributions.billing import INPUT_SCHEMA, compute_bill, is_kelurahan, payer_refusal
from ucj.contributions.calculator import Breakdown, Inputs, calculate
from ucj.contributions.rules import RuleBook, shipped_rules

RULES = shipped_rules()
BOOK = RuleBook(RULES)


def calc(segment: str, when: str, book: RuleBook = BOOK, **kw: Any) -> Breakdown:
    year, mon = when.split("-")
    return calculate(book, Inputs(segment=segment, month=dt.date(int(year), int(mon), 1), **kw))


def by_program(b: Breakdown) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in b.components:
        out[c.program] = out.get(c.program, 0) + c.amount
    return out


# ---------------------------------------------------------------- 1. JKK for JKP participants


def test_jkk_for_a_jkp_participant_is_the_full_class_rate() -> None:
    """Class 3, Rp 8,000,000, JKP member, May 2025: JKK = 0.89 % × 8,000,000 = 71,200 (was 60,000 = 0.75 %).

    Source: PP 6/2025 Pasal 11(5) ("tanpa menambah atau mengurangi beban iuran"); PP 49/2023 Pasal 16A;
    shared/domain.md §1.2 corrected 2026-11-30."""
    b = calc("PU", "2025-05", wage=8_000_000, risk_class=3, jkp=True)
    jkk = next(c for c in b.components if c.program == "JKK")
    assert (jkk.amount, jkk.employer) == (71_200, 71_200)
    assert jkk.rule == "PU.JKK/3@2015-07-01" and "0.14" in jkk.note  # recomposition shown as information only


# ---------------------------------------------------------------- 2. construction


def test_construction_1_billion_has_a_jkm_part() -> None:
    """Rp 1 bn: JKK 0.21 % × 100 M + 0.17 % × 400 M + 0.13 % × 500 M = 210,000 + 680,000 + 650,000 = 1,540,000;
    JKM 0.03 % × 100 M + 0.02 % × 400 M + 0.02 % × 500 M = 30,000 + 80,000 + 100,000 = 210,000; total 1,750,000.
    Source: PP 44/2015 jo. PP 49/2020 Pasal 12(2); shared/domain.md §1.7 corrected."""
    b = calc("JAKON", "2024-03", contract_value=1_000_000_000)
    assert by_program(b) == {"JKK": 1_540_000, "JKM": 210_000}
    assert b.total == 1_750_000 and not any("JKK+JKM" in c.program for c in b.components)
    assert b.warnings == []


def test_construction_10_billion() -> None:
    """Rp 10 bn → JKK 10,440,000 + JKM 1,110,000 = 11,550,000 (shared/domain.md §1.7 worked example)."""
    b = calc("JAKON", "2024-03", contract_value=10_000_000_000)
    assert by_program(b) == {"JKK": 10_440_000, "JKM": 1_110_000} and b.total == 11_550_000


# ---------------------------------------------------------------- 3. kelurahan are not desa


@pytest.mark.parametrize(("code", "kelurahan"), [("16.71.01.1001", True), ("16.74.02.2001", False),
                                                 ("16.71.01", False), ("16.04.12.2026", False)])  # fmt: skip
def test_kelurahan_by_the_fourth_code_segment(code: str, kelurahan: bool) -> None:
    """4th segment starting with 1 = kelurahan, with 2 = desa (Kemendagri codes, shared/domain.md §4.1)."""
    assert is_kelurahan(code) is kelurahan


def test_an_apbdes_bill_for_a_kelurahan_is_refused_in_both_languages() -> None:
    """A kelurahan has no APBDes (shared/domain.md §6): refused, naming apbd_kabkota; other payers are fine."""
    message = payer_refusal("apbdes", "16.71.01.1001")
    assert message is not None and "kelurahan" in message and " / " in message and "apbd_kabkota" in message
    assert payer_refusal("apbdes", "16.74.02.2001") is None
    assert payer_refusal("apbd_kabkota", "16.71") is None


# ---------------------------------------------------------------- 4. PP 7/2025 labour-intensive industries


@pytest.mark.parametrize(("when", "sector", "employees", "jkk"), [
    ("2025-02", "textile", 60, 13_500),  # 0.54 % × 5 M × 50 %
    ("2026-01", "food", 50, 13_500),  # last month (PP 36/2025 extension)
    ("2025-01", "textile", 60, 27_000),  # before
    ("2026-02", "textile", 60, 27_000),  # after
    ("2025-05", "textile", 49, 27_000),  # fewer than 50 workers
    ("2025-05", "other", 500, 27_000),  # not a labour-intensive industry
])  # fmt: skip
def test_pp_7_2025_halves_jkk_for_labour_intensive_industries(when: str, sector: str, employees: int,
                                                              jkk: int) -> None:  # fmt: skip
    """Class 2, Rp 5,000,000: JKK 27,000; 50 % off = 13,500 for the six industries with ≥ 50 workers, contribution
    months Feb 2025–Jan 2026. Source: PP 7/2025 jo. PP 36/2025 as reported by radiodms and kontan (Feb 2025) [S];
    shared/domain.md §6."""
    b = calc("PU", when, wage=5_000_000, risk_class=2, sector=sector, employees=employees)
    assert by_program(b)["JKK"] == jkk
    assert by_program(b)["JKM"] == 15_000  # JKM untouched


def test_pp_7_2025_asks_for_the_employee_count() -> None:
    """Without the number of workers the relief is not applied, and the warning says what to give."""
    b = calc("PU", "2025-05", wage=5_000_000, risk_class=2, sector="furniture")
    assert by_program(b)["JKK"] == 27_000 and any("RELIEF.PP7-2025" in w for w in b.warnings)


def test_pp_50_2025_other_sector_row_covers_every_non_transport_sector() -> None:
    """PP 50/2025 'other sectors' Apr–Dec 2026: a BPU in the food sector gets 50 % too: 8,400."""
    assert calc("BPU", "2026-05", wage=1_000_000, sector="food").total == 8_400


# ---------------------------------------------------------------- 6. wage below the regional minimum


def test_pu_wage_below_the_umk_warns() -> None:
    """UMK Kota Palembang 2025 Rp 3,916,635 (SK Gubernur Sumsel; news [S]); a wage of 3,500,000 warns; the
    contribution is still on the actual wage (0.24 % × 3.5 M = 8,400)."""
    b = calc("PU", "2025-06", wage=3_500_000, region="16.71.01.1001")
    assert any("MIN.WAGE/16.71" in w for w in b.warnings) and by_program(b)["JKK"] == 8_400
    assert not any("MIN.WAGE" in w for w in calc("PU", "2025-06", wage=4_000_000, region="16.71").warnings)


def test_the_ump_applies_where_no_umk_is_loaded() -> None:
    """Kab. Lahat (16.04) has no UMK: the UMP Sumsel 2026 Rp 3,942,963 (Kepgub 963/KPTS/Disnakertrans/2025) applies."""
    b = calc("PU", "2026-03", wage=3_900_000, region="16.04")
    assert any("MIN.WAGE/16@2026-01-01" in w for w in b.warnings)
    assert not any("MIN.WAGE" in w for w in calc("PU", "2026-03", wage=3_900_000).warnings)  # no region: silent


def test_a_bill_counts_pu_wages_below_the_minimum() -> None:
    """Two PU in Palembang, June 2025: 3,000,000 (< 3,916,635) is counted, 5,000,000 is not."""
    rows = [{"id": i, "segment": "PU", "income": wage, "risk_class": 1, "jkp": False, "jkk": True, "jkm": True,
             "jht": False, "jp": False, "payer": "employer", "occupation": "", "paid_through": dt.date(2025, 5, 31),
             "coverage_start": None, "desa_id": "16.71.01.1001"} for i, wage in ((1, 3_000_000), (2, 5_000_000))]
    result = compute_bill(pl.DataFrame(rows, schema=INPUT_SCHEMA), dt.date(2025, 6, 1), BOOK)
    assert {n["code"]: n["count"] for n in result.notes}.get("WAGE_BELOW_MINIMUM") == 1


# ---------------------------------------------------------------- 7. PP 49/2020 JP deferral


@pytest.mark.parametrize(("when", "due", "deferred"), [
    ("2015-07", 150_000, 0), ("2020-07", 150_000, 0), ("2020-08", 1_500, 148_500), ("2021-01", 1_500, 148_500),
    ("2021-02", 150_000, 0),
])  # fmt: skip
def test_jp_deferral_only_for_august_2020_to_january_2021(when: str, due: int, deferred: int) -> None:
    """JP 3 % × 5,000,000 = 150,000; Aug 2020–Jan 2021: 1 % due (1,500), 99 % deferred (148,500), payable
    15 May 2021–15 Apr 2022. Source: PP 49/2020 as cited by transkepri [S]; shared/domain.md §6."""
    jp = next(c for c in calc("PU", when, wage=5_000_000).components if c.program == "JP")
    assert (jp.amount, jp.deferred) == (due, deferred)
    assert any(r.startswith("DEFERRAL.PP49-2020") for r in jp.rules) is bool(deferred)


# ---------------------------------------------------------------- 8. APBDes and PP 50/2025


def test_apbdes_relief_is_a_setting_with_a_warning_either_way() -> None:
    """BPU Rp 1,000,000 paid by APBDes, May 2026: relief applies by default (16,800 × 50 % = 8,400), full with
    UCJ_APBDES_RELIEF=exclude (16,800); both carry the warning. Source: PP 50/2025 Pasal 2–4 (APBN/APBD excluded);
    whether Dana Desa counts as APBN is open (shared/domain.md §6)."""
    default = calc("BPU", "2026-05", wage=1_000_000, payer="apbdes")
    excluded = calc("BPU", "2026-05", RuleBook(RULES, apbdes_relief=False), wage=1_000_000, payer="apbdes")
    assert (default.total, excluded.total) == (8_400, 16_800)
    for b in (default, excluded):
        assert any("UCJ_APBDES_RELIEF" in w for w in b.warnings)
    assert not any("UCJ_APBDES_RELIEF" in w for w in calc("BPU", "2026-05", wage=1_000_000).warnings)
    assert not any("UCJ_APBDES_RELIEF" in w for w in calc("BPU", "2025-05", wage=1_000_000, payer="apbdes").warnings)


def test_an_apbdes_bill_notes_the_open_question() -> None:
    """Every affected bill line is counted in a note naming the setting."""
    rows = [{"id": 1, "segment": "BPU", "income": 1_000_000, "risk_class": None, "jkp": False, "jkk": True,
             "jkm": True, "jht": False, "jp": False, "payer": "apbdes", "occupation": "anggota bpd",
             "paid_through": dt.date(2026, 4, 30), "coverage_start": None, "desa_id": "16.06.01.2001"}]
    result = compute_bill(pl.DataFrame(rows, schema=INPUT_SCHEMA), dt.date(2026, 5, 1), BOOK)
    notes = {n["code"]: n for n in result.notes}
    assert notes["APBDES_RELIEF_OPEN"]["count"] == 1 and result.total == 8_400


# ---------------------------------------------------------------- 9. citations

REGULATION = re.compile(r"\b(PP|Permenaker|Perpres|UU|Keputusan Gubernur|SK Gubernur|UMP|UMK)\b[^;]*?(\d{4})")
CITED = re.compile(r"\b(?:PP|Permenaker|Perpres|UU)\s+(?:No\.\s*)?\d+/(\d{4})")


def test_every_shipped_row_cites_a_plausible_regulation() -> None:
    """Every row has a source naming a regulation with a year; the first regulation cited (the one the row comes
    from) is not dated after the row starts; the temporary PP 50/2025 is cited only by its own relief rows (the
    BPU rates come from PP 44/2015 Lampiran II and its amendments)."""
    for rule in RULES:
        assert rule.source.strip() and REGULATION.search(rule.source), rule.id
        years = [int(y) for y in CITED.findall(rule.source)]
        if years:
            assert years[0] <= rule.valid_from.year, rule.id
        if "PP 50/2025" in rule.source:
            assert rule.code == "RELIEF.PP50-2025", rule.id
    bands = [r for r in RULES if r.code in ("BPU.BAND", "BPU.JKK")]
    assert bands and all("PP 44/2015 Lampiran II" in r.source for r in bands)


# ---------------------------------------------------------------- 10. BPU bands: an actionable warning


def test_missing_band_warning_names_the_gap_and_how_to_load_it() -> None:
    """Rp 3,000,000 lies between the two known bands (≤ 1,099,999 and ≥ 20,700,000): the warning names the
    missing range and `ucj rules load`; the lowest band (the common Rp 16,800 case) gives no warning."""
    b = calc("BPU", "2024-03", wage=3_000_000)
    assert len(b.warnings) == 1
    assert "1.100.000" in b.warnings[0] and "20.699.999" in b.warnings[0] and "ucj rules load" in b.warnings[0]
    assert calc("BPU", "2024-03", wage=1_000_000).warnings == []
    assert calc("BPU", "2024-03").warnings == []
