"""The pure calculator against the shipped rules: the worked examples of issue #4 and the edges of every rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.contributions.calculator import Breakdown, CalcError, Inputs, calculate, share
from ucj.contributions.rules import PAYERS, RuleBook, RuleMissing, shipped_rules

BOOK = RuleBook(shipped_rules())


def month(text: str) -> dt.date:
    year, mon = text.split("-")
    return dt.date(int(year), int(mon), 1)


def calc(segment: str, when: str, **kw: Any) -> Breakdown:
    return calculate(BOOK, Inputs(segment=segment, month=month(when), **kw))


def by_program(b: Breakdown) -> dict[str, Any]:
    return {c.program: c for c in b.components}


# ---------------------------------------------------------------- the worked examples (issue #4)


def test_pu_5m_class_2_march_2024() -> None:
    b = calc("PU", "2024-03", wage=5_000_000, risk_class=2)
    p = by_program(b)
    assert list(p) == ["JKK", "JKM", "JHT", "JP"]
    assert (p["JKK"].amount, p["JKK"].employer) == (27_000, 27_000)
    assert (p["JKM"].amount, p["JKM"].employer) == (15_000, 15_000)
    assert (p["JHT"].employer, p["JHT"].worker) == (185_000, 100_000)
    assert (p["JP"].employer, p["JP"].worker) == (100_000, 50_000)
    assert (b.employer_total, b.worker_total, b.government_total, b.total) == (327_000, 150_000, 0, 477_000)
    assert b.warnings == []
    data = b.as_dict()
    assert set(data) >= {"components", "total", "employer_total", "worker_total", "government_total", "warnings"}
    assert data["components"][0]["rule"] == "PU.JKK/2@2015-07-01"
    assert "PP 44/2015" in data["components"][0]["source"]


@pytest.mark.parametrize(("when", "base"), [("2024-02", 9_559_600), ("2024-03", 10_042_300)])
def test_jp_base_is_capped_by_the_ceiling_of_the_month(when: str, base: int) -> None:
    jp = by_program(calc("PU", when, wage=10_300_000, risk_class=1))["JP"]
    assert jp.base == base
    assert (jp.employer, jp.worker) == (share(base, 200), share(base, 100))
    assert any(r.startswith("PU.JP.CEILING@") for r in jp.rules)


def test_bpu_lowest_band() -> None:
    assert calc("BPU", "2024-03", wage=1_000_000).total == 16_800
    with_jht = calc("BPU", "2024-03", wage=1_000_000, programs=("JKK", "JKM", "JHT"))
    assert with_jht.total == 36_800
    assert [(c.program, c.amount) for c in with_jht.components] == [("JKK", 10_000), ("JKM", 6_800), ("JHT", 20_000)]


def test_bpu_without_income_is_the_lowest_band_with_a_note() -> None:
    """The usual APBD case (Rp 16,800, Antara Kaltim): the lowest band, said in a note, not a warning (issue 12.10)."""
    b = calc("BPU", "2024-03")
    assert b.total == 16_800 and b.warnings == [] and "lowest band" in by_program(b)["JKK"].note


@pytest.mark.parametrize(("when", "payer", "sector", "total"), [
    ("2026-05", "mandiri", "other", 8_400),
    ("2026-05", "apbd_kabkota", "other", 16_800),
    ("2026-02", "mandiri", "transport", 8_400),
    ("2026-02", "mandiri", "other", 16_800),
])  # fmt: skip
def test_pp_50_2025_relief(when: str, payer: str, sector: str, total: int) -> None:
    assert calc("BPU", when, wage=1_000_000, payer=payer, sector=sector).total == total


def test_pp_49_2020_relief_bpu_september_2020() -> None:
    p = by_program(calc("BPU", "2020-09", wage=1_000_000))
    assert (p["JKK"].amount, p["JKM"].amount) == (100, 68)
    assert "RELIEF.PP49-2020@2020-08-01" in p["JKK"].rules and p["JKK"].factor is not None


def test_jakon_contract_2_billion() -> None:
    """JKK 0.21/0.17/0.13/0.11 % and JKM 0.03/0.02/0.02/0.01 % on the slices 100 M, 400 M, 500 M, 1 B
    (PP 44/2015 jo. PP 49/2020 Pasal 12(2), shared/domain.md §1.7): JKK 2,640,000 + JKM 310,000 = 2,950,000."""
    b = calc("JAKON", "2024-03", contract_value=2_000_000_000)
    assert [(c.program, c.amount) for c in b.components] == [
        ("JKK", 210_000), ("JKK", 680_000), ("JKK", 650_000), ("JKK", 1_100_000),
        ("JKM", 30_000), ("JKM", 80_000), ("JKM", 100_000), ("JKM", 100_000)]  # fmt: skip
    assert b.total == b.employer_total == 2_950_000 and b.period == "project"
    assert [c.base for c in b.components][:4] == [100_000_000, 400_000_000, 500_000_000, 1_000_000_000]


# ---------------------------------------------------------------- JP ceilings: every yearly boundary

CEILINGS = {2015: 7_000_000, 2016: 7_335_300, 2017: 7_703_500, 2018: 8_094_000, 2019: 8_512_400, 2020: 8_939_700,
            2021: 8_754_600, 2022: 9_077_600, 2023: 9_559_600, 2024: 10_042_300, 2025: 10_547_400,
            2026: 11_086_300}  # fmt: skip


@pytest.mark.parametrize("year", range(2016, 2027))
def test_every_jp_ceiling_changes_on_1_march(year: int) -> None:
    wage = 20_000_000
    february = by_program(calc("PU", f"{year}-02", wage=wage))["JP"].base
    march = by_program(calc("PU", f"{year}-03", wage=wage))["JP"].base
    assert (february, march) == (CEILINGS[year - 1], CEILINGS[year])


def test_the_2021_ceiling_is_lower_than_2020() -> None:
    jp = by_program(calc("PU", "2021-03", wage=9_000_000))["JP"]
    assert jp.base == 8_754_600 < 9_000_000
    assert by_program(calc("PU", "2021-02", wage=9_000_000))["JP"].base == 8_939_700


def test_jp_ceiling_starts_july_2015() -> None:
    assert by_program(calc("PU", "2015-07", wage=9_000_000))["JP"].base == 7_000_000
    with pytest.raises(RuleMissing):
        calc("PU", "2015-06", wage=9_000_000)


def test_march_2027_has_no_jp_ceiling() -> None:
    with pytest.raises(RuleMissing) as err:
        calc("PU", "2027-03", wage=5_000_000)
    assert "PU.JP.CEILING" in str(err.value) and "2027-03" in str(err.value)
    # without JP the month can still be computed
    assert calc("PU", "2027-03", wage=5_000_000, programs=("JKK", "JKM", "JHT")).total > 0


# ---------------------------------------------------------------- JKP


def test_jkp_member_pays_the_full_jkk_before_and_after_pp_49_2023() -> None:
    """The recomposition is BPJS-internal (PP 6/2025 Pasal 11(5); PP 49/2023 Pasal 16A): 0.54 % × 5 M = 27,000."""
    for when in ("2023-10", "2023-11", "2025-03"):
        jkk = by_program(calc("PU", when, wage=5_000_000, risk_class=2, jkp=True))["JKK"]
        assert (jkk.amount, jkk.rule) == (27_000, "PU.JKK/2@2015-07-01")
    assert by_program(calc("PU", "2023-11", wage=5_000_000, risk_class=2))["JKK"].amount == 27_000


@pytest.mark.parametrize(("risk", "rate"), [(1, 24), (2, 54), (3, 89), (4, 127), (5, 174)])
def test_full_jkk_for_every_risk_class_with_jkp(risk: int, rate: int) -> None:
    """Full class rates 0.24/0.54/0.89/1.27/1.74 % on the whole wage (shared/domain.md §1.2 corrected)."""
    jkk = by_program(calc("PU", "2024-03", wage=10_000_000, risk_class=risk, jkp=True))["JKK"]
    assert jkk.amount == share(10_000_000, rate) and "0.14" in jkk.note


@pytest.mark.parametrize(("wage", "government"), [(5_000_000, 11_000), (12_000_000, 11_000), (3_000_000, 6_600)])
def test_jkp_is_paid_by_the_government_on_the_capped_wage(wage: int, government: int) -> None:
    b = calc("PU", "2024-03", wage=wage, risk_class=2, jkp=True)
    jkp = by_program(b)["JKP"]
    assert jkp.base == min(wage, 5_000_000)
    assert (jkp.government, jkp.employer, jkp.worker, jkp.amount) == (government, 0, 0, government)
    assert b.government_total == government
    assert "PU.JKP.CAP@2021-02-02" in jkp.rules


def test_jkp_recomposition_by_period() -> None:
    before = by_program(calc("PU", "2025-02", wage=5_000_000, jkp=True))["JKP"]  # PP 37/2021 on 1 Feb 2025
    after = by_program(calc("PU", "2025-03", wage=5_000_000, jkp=True))["JKP"]  # PP 6/2025 from 7 Feb 2025
    assert (before.recomposed, after.recomposed) == (12_000, 7_000)
    assert before.rule == "PU.JKP@2021-02-02" and after.rule == "PU.JKP@2025-02-07"


def test_jkp_in_programs_means_jkp_membership() -> None:
    assert "JKP" in by_program(calc("PU", "2024-03", wage=5_000_000, programs=("JKK", "JKM", "JKP")))


def test_jkp_is_for_wage_earners_only() -> None:
    with pytest.raises(CalcError, match="jkp"):
        calc("BPU", "2024-03", wage=1_000_000, jkp=True)


# ---------------------------------------------------------------- BPU bands


@pytest.mark.parametrize("income", [1_100_000, 2_500_000, 20_699_999])
def test_bpu_income_outside_known_bands_warns_and_uses_the_income(income: int) -> None:
    b = calc("BPU", "2024-03", wage=income)
    jkk = by_program(b)["JKK"]
    assert jkk.base == income and jkk.amount == share(income, 100)
    assert len(b.warnings) == 1 and "BPU.BAND" in b.warnings[0]
    assert not any(r.startswith("BPU.BAND") for r in jkk.rules)


@pytest.mark.parametrize(("income", "basis"), [(0, 1_000_000), (1_099_999, 1_000_000), (20_700_000, 20_700_000),
                                               (50_000_000, 20_700_000)])  # fmt: skip
def test_bpu_known_bands_map_income_to_the_band_basis(income: int, basis: int) -> None:
    b = calc("BPU", "2024-03", wage=income, programs=("JKK", "JKM", "JHT"))
    p = by_program(b)
    assert p["JKK"].base == basis and p["JHT"].amount == share(basis, 200)
    assert b.warnings == []


def test_bpu_highest_band() -> None:
    p = by_program(calc("BPU", "2024-03", wage=25_000_000, programs=("JKK", "JKM", "JHT")))
    assert (p["JKK"].amount, p["JHT"].amount) == (207_000, 414_000)


@pytest.mark.parametrize(("payer", "party"), [("mandiri", "worker"), ("employer", "employer"), ("other", "employer"),
                                              ("apbn", "government"), ("apbd_provinsi", "government"),
                                              ("apbd_kabkota", "government"), ("apbdes", "government")])  # fmt: skip
def test_bpu_payer_decides_who_carries_it(payer: str, party: str) -> None:
    b = calc("BPU", "2024-03", wage=1_000_000, payer=payer)
    assert getattr(b, f"{party}_total") == b.total == 16_800


def test_bpu_may_not_take_jp() -> None:
    with pytest.raises(CalcError, match="programs"):
        calc("BPU", "2024-03", wage=1_000_000, programs=("JKK", "JKM", "JP"))


def test_bpu_without_the_base_package_warns() -> None:
    b = calc("BPU", "2024-03", wage=1_000_000, programs=("JHT",))
    assert [c.program for c in b.components] == ["JHT"] and any("JKK" in w for w in b.warnings)


# ---------------------------------------------------------------- PMI


@pytest.mark.parametrize(("months", "band", "extra"), [
    (6, 108_000, 0), (12, 189_000, 0), (24, 332_500, 0), (9, 108_000, 3 * 13_500), (18, 189_000, 6 * 13_500),
    (30, 332_500, 6 * 13_500), (3, 108_000, 0),
])  # fmt: skip
def test_pmi_bands_and_extra_months(months: int, band: int, extra: int) -> None:
    b = calc("PMI", "2024-03", contract_months=months)
    amounts = [c.amount for c in b.components]
    assert amounts == [37_500, band] + ([extra] if extra else [])
    assert b.total == 37_500 + band + extra and b.period == "contract"
    assert b.components[0].rule == "PMI.PRE@2023-03-01"


def test_pmi_without_pre_placement() -> None:
    b = calc("PMI", "2024-03", contract_months=24, pre_placement=False)
    assert b.total == 332_500


def test_pmi_before_permenaker_4_2023_is_missing() -> None:
    with pytest.raises(RuleMissing, match="PMI"):
        calc("PMI", "2023-02", contract_months=12)


# ---------------------------------------------------------------- reliefs


@pytest.mark.parametrize(("when", "relieved"), [("2020-07", False), ("2020-08", True), ("2021-01", True),
                                                ("2021-02", False)])  # fmt: skip
def test_pp_49_2020_for_pu_jkk_jkm(when: str, relieved: bool) -> None:
    p = by_program(calc("PU", when, wage=5_000_000, risk_class=2))
    expected = (270, 150) if relieved else (27_000, 15_000)
    assert (p["JKK"].amount, p["JKM"].amount) == expected
    assert p["JHT"].amount == 285_000  # JHT is not reduced
    # JP is deferred, not reduced: 1 % due in the month, 99 % later (PP 49/2020; shared/domain.md §6)
    assert (p["JP"].amount, p["JP"].deferred) == ((1_500, 148_500) if relieved else (150_000, 0))


def test_pp_49_2020_for_jakon() -> None:
    """1 % of JKK 210,000 + JKM 30,000 on a Rp 100 M contract = 2,100 + 300."""
    assert calc("JAKON", "2020-09", contract_value=100_000_000).total == 2_400


@pytest.mark.parametrize("payer", ["apbn", "apbd_provinsi", "apbd_kabkota"])
def test_pp_50_2025_not_for_state_budgets(payer: str) -> None:
    b = calc("BPU", "2026-06", wage=1_000_000, payer=payer)
    assert b.total == 16_800 and all(c.factor is None for c in b.components)


@pytest.mark.parametrize("payer", ["mandiri", "employer", "apbdes", "other"])
def test_pp_50_2025_for_other_payers(payer: str) -> None:
    assert calc("BPU", "2026-06", wage=1_000_000, payer=payer).total == 8_400


@pytest.mark.parametrize(("when", "sector", "total"), [
    ("2025-12", "transport", 16_800), ("2026-01", "transport", 8_400), ("2027-03", "transport", 8_400),
    ("2027-04", "transport", 16_800), ("2026-03", "other", 16_800), ("2026-04", "other", 8_400),
    ("2026-12", "other", 8_400), ("2027-01", "other", 16_800),
])  # fmt: skip
def test_pp_50_2025_periods(when: str, sector: str, total: int) -> None:
    assert calc("BPU", when, wage=1_000_000, sector=sector).total == total


def test_pp_50_2025_leaves_jht_alone() -> None:
    p = by_program(calc("BPU", "2026-05", wage=1_000_000, programs=("JKK", "JKM", "JHT")))
    assert (p["JKK"].amount, p["JKM"].amount, p["JHT"].amount) == (5_000, 3_400, 20_000)


def test_pp_50_2025_is_not_for_pu() -> None:
    assert calc("PU", "2026-05", wage=5_000_000, risk_class=2).total == 477_000


# ---------------------------------------------------------------- inputs


@pytest.mark.parametrize(("kw", "field"), [
    ({"segment": "XX"}, "segment"), ({"payer": "bank"}, "payer"), ({"sector": "fishing"}, "sector"),
    ({"risk_class": 6}, "risk_class"), ({"risk_class": 0}, "risk_class"), ({"wage": -1}, "wage"),
    ({"wage": None}, "wage"), ({"wage": 0}, "wage"),
])  # fmt: skip
def test_bad_inputs_name_the_field(kw: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"segment": "PU", "wage": 5_000_000, **kw}
    with pytest.raises(CalcError) as err:
        calculate(BOOK, Inputs(month=month("2024-03"), **args))
    assert str(err.value).startswith(f"{field}:") and " / " in str(err.value)


def test_jakon_and_pmi_need_their_amounts() -> None:
    with pytest.raises(CalcError, match="contract_value"):
        calc("JAKON", "2024-03")
    with pytest.raises(CalcError, match="contract_months"):
        calc("PMI", "2024-03")


def test_a_mid_month_date_means_its_month() -> None:
    b = calculate(BOOK, Inputs(segment="PU", month=dt.date(2024, 3, 17), wage=10_300_000))
    assert b.month == dt.date(2024, 3, 1) and by_program(b)["JP"].base == 10_042_300


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(("base", "rate", "factor", "expected"), [
    (100, 50, 100, 1),  # 0.5 → 1 (half up)
    (99, 50, 100, 0),  # 0.495 → 0
    (10_000, 54, 100, 54), (1_000_001, 24, 100, 2_400), (1_000_250, 24, 100, 2_401),  # 2400.6 → 2401
    (6_800, 10_000, 1, 68), (6_850, 10_000, 1, 69),  # 68.5 → 69
])  # fmt: skip
def test_share_rounds_half_up(base: int, rate: int, factor: int, expected: int) -> None:
    assert share(base, rate, factor) == expected


@settings(max_examples=300, deadline=None)
@given(
    segment=st.sampled_from(["PU", "BPU"]),
    year_month=st.tuples(st.integers(2016, 2026), st.integers(1, 12)),
    wage=st.integers(1, 200_000_000),
    risk=st.integers(1, 5),
    jkp=st.booleans(),
    payer=st.sampled_from(PAYERS),
    sector=st.sampled_from(["other", "transport"]),
    jht=st.booleans(),
)
def test_amounts_reconcile(segment: str, year_month: tuple[int, int], wage: int, risk: int, jkp: bool, payer: str,
                           sector: str, jht: bool) -> None:  # fmt: skip
    programs = ("JKK", "JKM", "JHT") if segment == "BPU" and jht else ()
    when = dt.date(*year_month, 1)
    inputs = Inputs(segment=segment, month=when, wage=wage, risk_class=risk, jkp=jkp and segment == "PU" and
                    when >= dt.date(2021, 3, 1), programs=programs, payer=payer, sector=sector)  # fmt: skip
    b = calculate(BOOK, inputs)
    for c in b.components:
        assert c.amount == c.employer + c.worker + c.government
        assert min(c.amount, c.employer, c.worker, c.government) >= 0
        assert c.rule == c.rules[0] and c.source
    assert b.total == sum(c.amount for c in b.components) == b.employer_total + b.worker_total + b.government_total
    data = b.as_dict()
    assert data["total"] == b.total and len(data["components"]) == len(b.components)


@settings(max_examples=200, deadline=None)
@given(value=st.integers(1, 50_000_000_000))
def test_jakon_tiers_sum_to_the_contract_value(value: int) -> None:
    b = calc("JAKON", "2024-03", contract_value=value)
    for program in ("JKK", "JKM"):
        assert sum(c.base for c in b.components if c.program == program) == value
    assert b.total == sum(c.amount for c in b.components)
