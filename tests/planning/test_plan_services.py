"""Planning on the small Sumsel of ``conftest.py``: the data a scenario is solved on, the three questions
of the issue, infeasibility, saving and comparing, and the enrolment list."""

from __future__ import annotations

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


def test_co_funding_splits_every_kabupatens_cost() -> None:
    result = services.run(spec(question="min_budget", floor="target", shares={"apbd_provinsi": 0.6,
                                                                              "apbd_kabkota": 0.4}))  # fmt: skip
    rows = by_region(result)
    assert {c: rows[c]["funded"] for c in (MUBA, PALEMBANG, OKU)} == {MUBA: 40, PALEMBANG: 20, OKU: 200}
    assert rows[OKU]["by_payer"] == {
        "apbd_provinsi": 200 * UNIT_COST * 6 // 10,
        "apbd_kabkota": 200 * UNIT_COST * 4 // 10,
    }
    assert sum(result["by_payer"].values()) == result["cost"] == 260 * UNIT_COST
    assert all(r["met_after"] for r in rows.values() if r["target_count"])


def test_a_kabupaten_budget_ceiling_binds() -> None:
    limit = 30 * UNIT_COST * 4 // 10  # OKU's 40 % share of 30 workers
    result = services.run(spec(budget=10**12, shares={"apbd_provinsi": 0.6, "apbd_kabkota": 0.4},
                               kab_limits={OKU: limit}))  # fmt: skip
    oku = by_region(result)[OKU]
    assert oku["funded"] == 30 and oku["by_payer"]["apbd_kabkota"] <= limit


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
