"""Planning on the small Sumsel of ``conftest.py``: the data a scenario is solved on, the three questions
of the issue, infeasibility, saving and comparing, and the enrolment list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.planning.conftest import MUBA, OKU, PALEMBANG, SUKARAMI, UNIT_COST, person
from ucj.accounts.models import AuditEvent
from ucj.coverage.services import bump_version
from ucj.planning import services
from ucj.planning.scenario import ScenarioError, Spec

pytestmark = pytest.mark.usefixtures("plan_world")


def spec(**kw: Any) -> Spec:
    values: dict[str, Any] = {"region": "16", "year": 2025, "shares": {"apbd_provinsi": 1.0}}
    values.update(kw)
    return Spec(**values)


def by_region(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["region"]: r for r in result["regions"]}


# ---------------------------------------------------------------- the data


def test_figures_per_kabkota_and_the_pool() -> None:
    data = services.plan_data("16", 2025)
    rows = {r["region"]: r for r in data.regions.iter_rows(named=True)}
    assert {c: (rows[c]["covered"], rows[c]["target_count"], rows[c]["gap"]) for c in (MUBA, PALEMBANG, OKU)} == {
        MUBA: (160, 200, 40), PALEMBANG: (280, 300, 20), OKU: (50, 250, 200),
    }  # fmt: skip
    assert data.region_gap == 260
    pool = data.pool
    listed = pool.filter(pool["desa"].is_not_null())
    assert int(listed["available"].sum()) == 13 and set(listed["desa"]) == {SUKARAMI}
    assert {(g, d, n) for g, d, n in listed.select("group", "decile", "available").iter_rows()} == {
        ("rentan", 1, 5), ("rentan", 5, 5), ("rt_rw", None, 3),
    }  # fmt: skip
    unlisted = dict(pool.filter(pool["desa"].is_null()).select("region", "available").iter_rows())
    assert {c: unlisted[c] for c in (MUBA, PALEMBANG, OKU)} == {MUBA: 290, PALEMBANG: 200, OKU: 250}


def test_the_pool_follows_the_data() -> None:
    assert services.plan_data("16", 2025).pool["available"].sum() == 753
    person(20, poverty_decile=2, ecosystem="pasar")  # a trader: not one of the unlisted vulnerable
    assert services.plan_data("16", 2025).pool["available"].sum() == 753  # cached until the data change
    bump_version()  # what every import, payment and edit does
    assert services.plan_data("16", 2025).pool["available"].sum() == 754


def test_the_unit_cost_is_the_contribution_engines_apbd_amount() -> None:
    cost, lines = services.unit_cost(spec())
    assert cost == UNIT_COST
    assert {(x["program"], x["amount"]) for x in lines} == {("JKK", 10_000), ("JKM", 6_800)}
    assert len(lines) == 24 and all(x["source"] for x in lines)
    with_jht, _ = services.unit_cost(spec(programs=("JKK", "JKM", "JHT")))
    assert with_jht == 36_800 * 12


def test_a_non_apbd_payer_gets_the_pp50_2025_relief_in_2026() -> None:
    cost, _ = services.unit_cost(spec(year=2026, shares={"other": 1.0}, start_month=5, months=1))
    assert cost == 8_400  # May 2026, other sectors: JKK + JKM at 50 %
    apbd, _ = services.unit_cost(spec(year=2026, shares={"apbd_kabkota": 0.5, "other": 0.5}, start_month=5, months=1))
    assert apbd == 16_800  # any APBD share: no relief (PP 50/2025)


# ---------------------------------------------------------------- the three questions


def test_what_reaching_the_target_costs() -> None:
    result = services.run(spec(question="min_budget"))
    assert result["status"] == "optimal"
    assert result["funded"] == 260 and result["cost"] == 260 * UNIT_COST  # Rp 52,416,000
    assert result["region_after"] == {"covered": 750, "rate": 50.0, "gap": 0, "met": True}


def test_what_a_budget_buys_poorest_first() -> None:
    result = services.run(spec(budget=20 * UNIT_COST + UNIT_COST - 1))  # 20 workers and not quite a 21st
    assert (result["funded"], result["cost"]) == (20, 20 * UNIT_COST)
    cells = {(a["desa"], a["group"], a["decile"]): a["funded"] for a in result["allocation"]}
    assert cells[(SUKARAMI, "rentan", 1)] == 5 and cells[(SUKARAMI, "rentan", 5)] == 5  # listed poor first
    assert sum(by_region(result)[c]["funded"] for c in (MUBA, PALEMBANG, OKU)) == 20


def test_a_budget_closes_gaps_before_lifting_a_region_past_its_target() -> None:
    result = services.run(spec(budget=250 * UNIT_COST))
    funded = {c: by_region(result)[c]["funded"] for c in (MUBA, PALEMBANG, OKU)}
    # the 13 listed first, then OKU (80 % of its target missing) up to its gap of 200, then Muba (20 %)
    assert funded == {OKU: 200, MUBA: 50, PALEMBANG: 0}
    assert by_region(result)[OKU]["gap_after"] == 0


def test_only_the_poorest_deciles() -> None:
    result = services.run(spec(budget=10**12, groups=("rentan", "rt_rw"), max_decile=4))
    assert {(a["group"], a["decile"]): a["funded"] for a in result["allocation"]} == {
        ("rentan", 1): 5,
        ("rt_rw", None): 3,
    }


def test_co_funding_gives_every_worker_one_payer() -> None:
    """Issue 12 item 11 (domain.md §6 "Regional payers": one payer per participant). Province 60 % / kab-kota
    40 % for the least budget with every kab/kota at its target: 40 + 20 + 200 = 260 workers at Rp 201,600
    (no renewals, lapse rate 0: the fixture has no history). Each payer funds its share of the workers plus at
    most one worker: the province 155–157 workers (0.6 × 260 = 156), the kab/kota the rest — every amount a
    whole number of workers, none split 60/40."""
    result = services.run(spec(question="min_budget", floor="target", shares={"apbd_provinsi": 0.6,
                                                                              "apbd_kabkota": 0.4}))  # fmt: skip
    rows = by_region(result)
    assert {c: rows[c]["funded"] for c in (MUBA, PALEMBANG, OKU)} == {MUBA: 40, PALEMBANG: 20, OKU: 200}
    assert sum(result["by_payer"].values()) == result["cost"] == 260 * UNIT_COST
    province = result["by_payer"]["apbd_provinsi"] // UNIT_COST
    assert result["by_payer"]["apbd_provinsi"] % UNIT_COST == 0 and 155 <= province <= 157
    assert all(a % UNIT_COST == 0 for r in rows.values() for a in r["by_payer"].values())
    assert {p["payer"] for p in result["payers"]} <= {"apbd_provinsi", *(f"apbd_kabkota:{c}" for c in rows)}
    assert all(r["met_after"] for r in rows.values() if r["target_count"])


def test_each_payer_funds_workers_within_its_ceiling() -> None:
    """Issue 12 item 11: the province (ceiling 100 workers' worth) and each kab/kota fund different workers.
    Budget unlimited; OKU's own ceiling is 30 workers' worth; Muba and Palembang have none, so they fund all
    their own available workers (303 and 200). OKU has 250 available: its APBD funds 30 and the province its
    100 there, as nowhere else is left (hand count): OKU 130 workers = 30 by the kab/kota, 100 by the province."""
    result = services.run(spec(budget=10**12, shares={"apbd_provinsi": 0.5, "apbd_kabkota": 0.5},
                               payer_limits={"apbd_provinsi": 100 * UNIT_COST},
                               kab_limits={OKU: 30 * UNIT_COST}))  # fmt: skip
    rows = by_region(result)
    assert {c: rows[c]["funded"] for c in (MUBA, PALEMBANG, OKU)} == {MUBA: 303, PALEMBANG: 200, OKU: 130}
    assert rows[OKU]["by_payer"] == {"apbd_provinsi": 100 * UNIT_COST, "apbd_kabkota": 30 * UNIT_COST}
    assert result["by_payer"]["apbd_provinsi"] == 100 * UNIT_COST


def test_renewals_are_paid_first_and_shown_on_their_own_line() -> None:
    """Issue 12 item 12: four Muba workers already paid by the kab/kota APBD (active in January 2025) are paid
    again: with a 25 % lapse rate one is expected to lapse (0.25 × 4 = 1), so 3 × Rp 201,600 = Rp 604,800 of a
    budget of 10 workers' worth goes to renewals and 7 new workers are funded (hand count). Muba's coverage
    after: its 160 covered are all self-paying BPU in the feed (make_sumsel_data), 0.25 × 160 = 40 expected to
    lapse, plus the 1 lapsed renewal: 160 − 41 + 7 = 126."""
    for n in range(30, 34):
        person(n, payer="apbd_kabkota", paid_through=dt.date(2024, 12, 31))
    bump_version()
    result = services.run(spec(region=MUBA, budget=10 * UNIT_COST, shares={"apbd_kabkota": 1.0}, lapse_rate=0.25))
    assert result["renewals"] == {"workers": 4, "lapses": 1, "paid": 3, "cost": 3 * UNIT_COST}
    assert (result["funded"], result["new_cost"], result["cost"]) == (7, 7 * UNIT_COST, 10 * UNIT_COST)
    assert by_region(result)[MUBA]["covered_after"] == 126 and result["lapses"] == 41
    assert result["lapse"] == {"rate": 0.25, "source": "scenario"}


def test_the_least_budget_includes_renewals_and_replaces_lapses() -> None:
    """Issue 12 items 12 and 14: the least budget for Muba's target (gap 40) with two renewed workers and a
    50 % lapse rate: 1 renewal paid (Rp 201,600) and 1 lapses; of the 160 self-paying BPU covered 80 are
    expected to lapse. New workers: 40 + 1 + 80 = 121 (hand count); cost (1 + 121) × Rp 201,600 =
    Rp 24,595,200, and the target is met after the lapses (160 − 81 + 121 = 200)."""
    for n in range(30, 32):
        person(n, payer="apbd_kabkota", paid_through=dt.date(2024, 12, 31))
    bump_version()
    result = services.run(spec(region=MUBA, question="min_budget", shares={"apbd_kabkota": 1.0}, lapse_rate=0.5))
    assert result["renewals"]["paid"] == 1 and result["lapses"] == 81
    assert result["funded"] == 121 and result["cost"] == 122 * UNIT_COST == 24_595_200
    assert result["region_after"]["met"] is True


def test_the_lapse_rate_comes_from_the_registry_history(settings: Any) -> None:
    """Issue 12 item 14, the estimator of docs/planning.md: BPU who were active in December 2023 (and had
    started by then), the share whose paid-through stopped before the active window of December 2024. Six
    such workers (the fixture's two paid through June 2025 and four here), one paid only through June 2024:
    1 / 6 = 16.67 % (hand count) once the sample reaches the minimum; below it the setting applies."""
    for n in range(40, 43):
        person(n, paid_through=dt.date(2024, 12, 31), coverage_start=dt.date(2023, 1, 1))
    person(43, paid_through=dt.date(2024, 6, 30), coverage_start=dt.date(2023, 1, 1))
    bump_version()
    settings.UCJ_PLAN_LAPSE_MIN_SAMPLE = 6
    estimate = services.lapse_estimate(MUBA, dt.date(2024, 12, 1))
    assert (estimate["rate"], estimate["sample"], estimate["lapsed"]) == (0.1667, 6, 1)
    settings.UCJ_PLAN_LAPSE_MIN_SAMPLE = 7
    settings.UCJ_PLAN_LAPSE_RATE = 0.1
    assert services.lapse_estimate(MUBA, dt.date(2024, 12, 1))["rate"] is None
    data = services.plan_data(MUBA, 2025)
    assert services.lapse_rate(spec(region=MUBA), data)["rate"] in (0.1, 0.1667)  # cached data or not: a rate


def test_dana_desa_pays_only_pktd_workers() -> None:
    """Issue 12 item 13 (domain.md §2 and §6; Permendagri 15/2023 Lampiran, Permendes 16/2025): a plan paid
    from APBDes Dana Desa for RT/RW heads is refused with the reason in both languages; from ADD it runs; Dana
    Desa for PKTD workers (occupation "pekerja padat karya desa") runs and names the village as payer."""
    dana_desa = spec(region=MUBA, budget=10**9, shares={"apbdes": 1.0}, apbdes_source="dana_desa", groups=("rt_rw",))
    with pytest.raises(ScenarioError, match="Permendagri 15/2023") as refused:
        services.run(dana_desa)
    assert "Dana Desa" in str(refused.value) and "may not be paid" in str(refused.value)
    add = services.run(spec(region=MUBA, budget=10**9, shares={"apbdes": 1.0}, groups=("rt_rw",)))
    assert add["funded"] == 3 and [p["payer"] for p in add["payers"]] == [f"apbdes:{SUKARAMI}"]
    for n in range(50, 52):
        person(n, occupation="Pekerja padat karya desa (PKTD)", ecosystem="desa")
    bump_version()
    pktd = services.run(spec(region=MUBA, budget=10**9, shares={"apbdes": 1.0}, apbdes_source="dana_desa",
                             groups=("pktd",)))  # fmt: skip
    assert pktd["funded"] == 2 and pktd["spec"]["apbdes_source"] == "dana_desa"


def test_apbdes_never_pays_in_a_kelurahan_nor_unlisted_workers() -> None:
    """Issue 12 items 3 and 13: a kelurahan (4th code segment starting with 1) has no APBDes; APBDes pays named
    villagers only, so a plan asking APBDes alone for unlisted vulnerable workers is refused."""
    from ucj.planning.scenario import is_kelurahan

    assert is_kelurahan("16.71.01.1001") and not is_kelurahan(SUKARAMI)
    with pytest.raises(ScenarioError, match="APBDes pays named villagers"):
        services.run(spec(budget=10**9, shares={"apbdes": 1.0}, groups=("rentan_belum_terdata",)))


# ---------------------------------------------------------------- infeasible and refused


def test_floors_above_the_budget_say_by_how_much() -> None:
    result = services.run(spec(budget=100 * UNIT_COST, floor="target"))
    assert result["status"] == "infeasible"
    [problem] = [p for p in result["problems"] if p["code"] == "BUDGET_BELOW_FLOORS"]
    assert (problem["needed"], problem["possible"]) == (260 * UNIT_COST, 100 * UNIT_COST)
    assert "Rp" in problem["message"] and problem["message_en"]


def test_a_target_beyond_every_available_worker() -> None:
    result = services.run(spec(region=MUBA, question="min_budget", shares={"apbd_kabkota": 1.0}))
    assert result["status"] == "optimal" and result["funded"] == 40  # Muba's gap
    result = services.run(spec(region=MUBA, question="min_budget", shares={"apbd_kabkota": 1.0}, groups=("rt_rw",)))
    assert result["status"] == "infeasible"
    [problem] = result["problems"]
    assert (problem["code"], problem["needed"], problem["possible"]) == ("TOTAL_FLOOR_ABOVE_AVAILABLE", 40, 3)
    assert problem["message"] == ("Target memerlukan 40 pekerja lagi, tetapi hanya 3 pekerja eligible yang belum "
                                  "tercakup (kurang 37).")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget": None}, "budget"),
        ({"shares": {"apbd_provinsi": 0.5}}, "shares"),
        ({"shares": {"mandiri": 1.0}}, "shares"),
        ({"start_month": 6, "months": 12}, "months"),
        ({"programs": ("JHT",)}, "programs"),
        ({"groups": ("pns",)}, "groups"),
    ],
)
def test_bad_scenarios_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError, match=field):
        services.run(spec(**changes))


def test_a_year_without_rules_is_a_clear_refusal() -> None:
    from ucj.contributions.models import ContributionRule

    ContributionRule.objects.filter(code="BPU.JKM").delete()
    with pytest.raises(ScenarioError, match=r"BPU\.JKM"):
        services.run(spec(budget=UNIT_COST))


def test_region_outside_the_users_scope_is_refused(make_user: Callable[..., Any]) -> None:
    with pytest.raises(services.PlanRefused) as refused:
        services.run(spec(region=PALEMBANG, budget=UNIT_COST, shares={"apbd_kabkota": 1.0}), make_user("kabkota", MUBA))
    assert refused.value.status == 404


@pytest.mark.parametrize("role", ["viewer", "bpjs"])
def test_only_governments_save_plans(make_user: Callable[..., Any], role: str) -> None:
    user = make_user(role, "16")
    assert services.run(spec(budget=UNIT_COST), user)["funded"] == 1  # may look
    with pytest.raises(services.PlanRefused) as refused:
        services.save(user, "Coba", spec(budget=UNIT_COST))
    assert refused.value.status == 403


# ---------------------------------------------------------------- saved plans


def test_saved_plans_are_audited_scoped_and_comparable(make_user: Callable[..., Any]) -> None:
    province, muba = make_user("provinsi", "16"), make_user("kabkota", MUBA)
    a = services.save(province, "Rp 20 juta", spec(budget=100 * UNIT_COST))
    b = services.save(muba, "Muba sendiri", spec(region=MUBA, budget=10 * UNIT_COST, shares={"apbd_kabkota": 1.0}))
    assert AuditEvent.objects.filter(action="save_plan").count() == 2
    assert set(services.visible(muba)) == {b} and set(services.visible(province)) == {a, b}
    rows = services.compare([a, b])
    assert [(r["name"], r["funded"], r["cost"]) for r in rows] == [
        ("Rp 20 juta", 100, 100 * UNIT_COST), ("Muba sendiri", 10, 10 * UNIT_COST),
    ]  # fmt: skip
    assert rows[1]["rate_after"] == 42.5  # Muba (160 + 10) / 400


def test_enrolment_lists_the_funded_listed_workers(make_user: Callable[..., Any]) -> None:
    muba = make_user("kabkota", MUBA)
    saved = services.save(muba, "Muba", spec(region=MUBA, budget=7 * UNIT_COST, shares={"apbd_kabkota": 1.0}))
    lists = services.enrolment(saved, muba)
    people = lists["people"]
    assert people.height == 7
    assert people["decile"].to_list() == [1, 1, 1, 1, 1, 5, 5]  # the poorest cells first
    assert people["nik"].to_list()[0] == "1606014101900001"  # full view for the kabupaten officer
    assert lists["villages"].row(0, named=True)["tagihan_per_bulan"] == 7 * 16_800
    viewer = services.enrolment(saved, make_user("viewer", "16"))["people"]
    assert viewer["nik"][0] == "16**************" and "*" in viewer["name"][0]  # no birth-date or serial digit
    assert AuditEvent.objects.filter(action="export_enrolment").count() == 2


def test_a_province_grant_is_spent_by_the_kabupaten() -> None:
    """Issue 12 item 11, the other way regions co-fund (domain.md §6): the province gives OKU a bantuan keuangan
    of 20 workers' worth, which OKU's APBD spends on workers it funds. Budget 100 workers' worth, half each:
    the province's half includes the grant, so it funds 50 − 20 = 30 workers itself; the kab/kota spend their
    half plus the grant, 70 workers, OKU at least 20 of them (hand count). Per payer the grant is the
    province's: province 30 + 20 = 50 workers' worth, kab/kota 70 − 20 = 50. The RKA has the grant on the
    province's sheet and OKU's workers on the kab/kota's; a grant beyond what OKU can spend is refused."""
    result = services.run(spec(budget=100 * UNIT_COST, shares={"apbd_provinsi": 0.5, "apbd_kabkota": 0.5},
                               groups=("rentan_belum_terdata",), bantuan={OKU: 20 * UNIT_COST}))  # fmt: skip
    assert result["funded"] == 100 and result["cost"] == 100 * UNIT_COST
    assert result["by_payer"] == {"apbd_provinsi": 50 * UNIT_COST, "apbd_kabkota": 50 * UNIT_COST}
    places = {p["payer"]: p["funded"] for p in result["payers"]}
    assert places["apbd_provinsi"] == 30 and places[f"apbd_kabkota:{OKU}"] >= 20
    assert sum(n for p, n in places.items() if p.startswith("apbd_kabkota:")) == 70
    assert by_region(result)[OKU]["bantuan"] == 20 * UNIT_COST
    from ucj.planning.exports import rka_lines

    lines = rka_lines(result)
    [grant] = [line for line in lines if line["what"] == "bantuan keuangan"]
    assert (grant["payer"], grant["region"], grant["amount"]) == ("apbd_provinsi", OKU, 20 * UNIT_COST)
    assert sum(line["amount"] for line in lines if line["what"] != "bantuan keuangan") == result["cost"]
    too_much = services.run(spec(budget=10**12, shares={"apbd_provinsi": 0.5, "apbd_kabkota": 0.5},
                                 bantuan={OKU: 10**11}))  # fmt: skip
    assert [p["code"] for p in too_much["problems"]] == ["GRANT_ABOVE_AVAILABLE"]
    assert "bantuan keuangan" in too_much["problems"][0]["message"] and "grant" in too_much["problems"][0]["message_en"]
