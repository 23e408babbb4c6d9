"""The optimiser (pure): small instances against brute force, the inverse question against the forward one,
LP vs MILP, and every infeasibility message. One payer per worker (issue 12 item 11, domain.md §6): a unit that
several payers may fund has one column per payer, and the columns share the unit's cap."""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucj.planning.optimiser import (
    PayerBudget,
    PlanInputError,
    Problem,
    maximise_coverage,
    minimise_cost,
    priority_weight,
)

COST = 16_800 * 12  # Rp 201,600: a BPU worker at the lowest band, JKK + JKM, for a year


def units(rows: list[tuple[str, int, float, int]]) -> pl.DataFrame:
    """(region, available, weight, cost) per unit; units are named u0, u1, …; one payer each (``p``)."""
    return pl.DataFrame(
        [(f"u{i}", r, a, w, c, "p") for i, (r, a, w, c) in enumerate(rows)],
        schema={"unit": pl.String, "region": pl.String, "available": pl.Int64, "weight": pl.Float64,
                "cost": pl.Int64, "payer": pl.String}, orient="row",
    )  # fmt: skip


def columns(rows: list[tuple[str, str, str, int, float, int]]) -> pl.DataFrame:
    """(unit, payer, region, available, weight, cost) per unit × payer."""
    return pl.DataFrame(rows, schema={"unit": pl.String, "payer": pl.String, "region": pl.String,
                                      "available": pl.Int64, "weight": pl.Float64, "cost": pl.Int64},
                        orient="row")  # fmt: skip


def _pays(payer: str, name: str) -> bool:
    return payer == name or payer.startswith(name + ":")


def feasible(problem: Problem, x: tuple[int, ...]) -> bool:
    frame = problem.units
    costs, payers = frame["cost"].to_list(), frame["payer"].to_list()
    cost = sum(xi * c for xi, c in zip(x, costs, strict=True))
    if problem.budget is not None and cost + problem.fixed_cost > problem.budget:
        return False
    regions = frame["region"].to_list()
    for code, n in problem.floors.items():
        if sum(xi for xi, r in zip(x, regions, strict=True) if r == code) < n:
            return False
    if problem.total_floor is not None and sum(x) < problem.total_floor:
        return False
    caps: dict[str, int] = {}
    for xi, unit in zip(x, frame["unit"], strict=True):
        caps[unit] = caps.get(unit, 0) + xi
    if any(caps[u] > a for u, a in zip(frame["unit"], frame["available"], strict=True)):
        return False
    for payer in problem.payer_budgets:
        paid = sum(xi * c for xi, c, p in zip(x, costs, payers, strict=True) if _pays(p, payer.name))
        if payer.share is None and paid + payer.fixed > payer.limit + 1e-9:
            return False
        if payer.share is not None and paid > payer.share * cost + payer.limit + 1e-9:
            return False
    return True


def brute(problem: Problem, maximise: bool = True) -> float | None:
    """The best objective over every integer allocation (None: infeasible)."""
    frame = problem.units
    best = None
    for x in itertools.product(*(range(a + 1) for a in frame["available"])):
        if not feasible(problem, x):
            continue
        value = sum(xi * v for xi, v in zip(x, frame["weight" if maximise else "cost"], strict=True))
        if best is None or (value > best if maximise else value < best):
            best = value
    return best


def funded(plan: Any) -> dict[str, int]:
    return dict(plan.allocation.select("unit", "funded").iter_rows())


# ---------------------------------------------------------------- by hand


def test_a_budget_buys_whole_workers() -> None:
    plan = maximise_coverage(Problem(units([("16.06", 5_000, 1, COST), ("16.71", 5_000, 1, COST)]),
                                     budget=1_000_000_000))  # fmt: skip
    assert plan.status == "optimal" and plan.funded == 1_000_000_000 // COST == 4_960
    assert plan.cost == 4_960 * COST and plan.method == "lp"


def test_higher_weights_are_funded_first() -> None:
    plan = maximise_coverage(Problem(units([("a", 3, 1, 100), ("a", 3, 5, 100), ("b", 3, 2, 100)]), budget=500))
    assert funded(plan) == {"u0": 0, "u1": 3, "u2": 2}


def test_floors_take_their_share_before_the_priorities() -> None:
    plan = maximise_coverage(Problem(units([("a", 10, 1, 100), ("b", 10, 9, 100)]), budget=1_000, floors={"a": 4}))
    assert funded(plan) == {"u0": 4, "u1": 6}


def test_unequal_costs() -> None:
    problem = Problem(units([("a", 4, 3, 300), ("a", 5, 1, 100), ("b", 2, 2, 250)]), budget=1_000)
    plan = maximise_coverage(problem)
    assert plan.objective == pytest.approx(brute(problem))


def test_a_ceiling_over_unequal_costs_needs_the_milp() -> None:
    problem = Problem(units([("a", 5, 5, 300), ("a", 5, 2, 200), ("b", 5, 1, 200)]), budget=1_250,
                      payer_budgets=[PayerBudget("p", 1_250)])  # fmt: skip
    plan = maximise_coverage(problem)  # the LP would fund 4.17 of u0 (Rp 1,250 / 300)
    assert plan.method == "milp" and plan.objective == pytest.approx(brute(problem))


def test_equal_costs_stay_in_worker_units_and_need_no_milp() -> None:
    problem = Problem(units([("a", 5, 3, 300), ("b", 5, 2, 300)]), budget=10_000,
                      payer_budgets=[PayerBudget("p", 1_300)])  # fmt: skip
    plan = maximise_coverage(problem)  # 300 × x ≤ 1,300 becomes x ≤ 4 workers
    assert plan.method == "lp" and funded(plan) == {"u0": 4, "u1": 0}


def test_one_payer_per_worker_within_each_payers_ceiling() -> None:
    """Issue 12 item 11 (domain.md §6 "Regional payers"): the province and kab/kota a fund whole workers, never
    a share of one. Unit ua (5 workers in a, weight 3) may be funded by the province or by kab/kota a; unit ub
    (5 in b, weight 1) only by the province. Every worker costs Rp 100. Province ceiling Rp 600 → 6 workers,
    kab/kota a Rp 400 → 4 workers. Best by hand: a funds 4 of ua, the province the 5th of ua and 5 of ub
    (0 + 1 + 5 = 6 province workers, Rp 600); funded 10, objective 5 × 3 + 5 × 1 = 20."""
    problem = Problem(columns([("ua", "apbd_provinsi", "a", 5, 3, 100), ("ua", "apbd_kabkota:a", "a", 5, 3, 100),
                               ("ub", "apbd_provinsi", "b", 5, 1, 100)]),
                      budget=10_000,
                      payer_budgets=[PayerBudget("apbd_provinsi", 600), PayerBudget("apbd_kabkota", 400)])  # fmt: skip
    plan = maximise_coverage(problem)
    got = {(u, p): n for u, p, n in plan.allocation.select("unit", "payer", "funded").iter_rows()}
    assert got == {("ua", "apbd_provinsi"): 1, ("ua", "apbd_kabkota:a"): 4, ("ub", "apbd_provinsi"): 5}
    assert plan.funded == 10 and plan.cost == 1_000 and plan.objective == pytest.approx(20)
    assert plan.objective == pytest.approx(brute(problem))


def test_a_floor_the_second_payer_of_a_shared_unit_can_fund() -> None:
    """Hypothesis counterexample: unit u0 (1 worker in a, Rp 100) may be funded by the province (ceiling Rp 0)
    or by kab/kota a (Rp 100). The floor of 1 in a is met by kab/kota a alone (Rp 100 within the budget of
    Rp 100), so the plan is feasible; the diagnosis must count every payer of a shared unit, not only the first
    column's."""
    problem = Problem(columns([("u0", "apbd_provinsi", "a", 1, 1.0, 100), ("u0", "apbd_kabkota:a", "a", 1, 1.0, 100)]),
                      budget=100, floors={"a": 1},
                      payer_budgets=[PayerBudget("apbd_provinsi", 0), PayerBudget("apbd_kabkota", 100)])  # fmt: skip
    plan = maximise_coverage(problem)
    assert plan.status == "optimal" and plan.problems == []
    got = {(u, p): n for u, p, n in plan.allocation.select("unit", "payer", "funded").iter_rows()}
    assert got == {("u0", "apbd_provinsi"): 0, ("u0", "apbd_kabkota:a"): 1}
    assert plan.objective == pytest.approx(brute(problem)) == pytest.approx(1.0)


def test_the_cheapest_payer_of_a_shared_unit_sets_the_least_cost_of_a_floor() -> None:
    """A unit two payers may fund at different costs per worker (each payer's own contribution rates): the
    floor's least cost is the cheaper payer's, so a budget that only the cheaper payer fits is not "below the
    floors". 2 workers in a, province Rp 300 each, kab/kota a Rp 100 each; floor 2, budget Rp 200."""
    problem = Problem(columns([("u0", "apbd_provinsi", "a", 2, 1.0, 300), ("u0", "apbd_kabkota:a", "a", 2, 1.0, 100)]),
                      budget=200, floors={"a": 2})  # fmt: skip
    plan = maximise_coverage(problem)
    assert plan.status == "optimal" and plan.cost == 200 and plan.objective == pytest.approx(brute(problem))


def test_shares_of_the_least_budget_in_whole_workers() -> None:
    """Issue 12 item 11: "province 60 % / kab-kota 40 %" for the least budget: 7 workers needed at Rp 100, one
    unit both may fund. 60 % of 7 is 4.2 workers: each payer may fund its share plus one worker's tolerance, so
    the province funds 4 or 5 and kab/kota a the rest — whole workers, Rp 700 in all (hand count)."""
    problem = Problem(columns([("u", "apbd_provinsi", "a", 10, 1, 100), ("u", "apbd_kabkota:a", "a", 10, 1, 100)]),
                      total_floor=7, payer_budgets=[PayerBudget("apbd_provinsi", 100, share=0.6),
                                                    PayerBudget("apbd_kabkota", 100, share=0.4)])  # fmt: skip
    plan = minimise_cost(problem)
    got = dict(plan.allocation.select("payer", "funded").iter_rows())
    assert plan.cost == 700 and sum(got.values()) == 7 and got["apbd_provinsi"] in (4, 5)


def test_renewals_come_out_of_the_budget_first() -> None:
    """Issue 12 item 12: a budget of Rp 1,000 of which Rp 300 already pays renewals buys 7 new workers at
    Rp 100 (hand count); renewals above the budget are a shortfall naming both amounts."""
    plan = maximise_coverage(Problem(units([("a", 10, 1, 100)]), budget=1_000, fixed_cost=300))
    assert plan.funded == 7
    short = maximise_coverage(Problem(units([("a", 10, 1, 100)]), budget=200, fixed_cost=300))
    [p] = short.problems
    assert (p.code, p.needed, p.possible) == ("FIXED_ABOVE_BUDGET", 300, 200)


def test_the_least_budget_for_a_target() -> None:
    problem = Problem(units([("a", 5, 1, 300), ("a", 5, 1, 100), ("b", 5, 1, 200)]), total_floor=8, floors={"b": 2})
    plan = minimise_cost(problem)
    assert funded(plan) == {"u0": 0, "u1": 5, "u2": 3} and plan.cost == 500 + 600  # b's 200 beats a's 300
    assert plan.cost == brute(problem, maximise=False)


def test_the_inverse_answer_is_the_forward_threshold() -> None:
    rows = units([("a", 7, 1, COST), ("b", 9, 1, COST), ("c", 4, 1, COST)])
    least = minimise_cost(Problem(rows, total_floor=15)).cost
    assert maximise_coverage(Problem(rows, budget=least)).funded >= 15
    assert maximise_coverage(Problem(rows, budget=least - 1)).funded < 15


def test_no_units_and_no_floors_is_an_empty_plan() -> None:
    plan = maximise_coverage(Problem(units([]), budget=1_000))
    assert (plan.status, plan.funded, plan.cost) == ("optimal", 0, 0)


def test_units_with_nothing_available_are_fine() -> None:
    plan = maximise_coverage(Problem(units([("a", 0, 1, 100), ("b", 2, 1, 100)]), budget=1_000))
    assert funded(plan) == {"u0": 0, "u1": 2}


# ---------------------------------------------------------------- infeasible


def test_a_floor_above_the_available_workers() -> None:
    plan = maximise_coverage(Problem(units([("16.06", 3_200, 1, COST)]), budget=10**12, floors={"16.06": 5_000}))
    assert plan.status == "infeasible"
    [p] = plan.problems
    assert (p.code, p.region, p.needed, p.possible, p.unit) == ("FLOOR_ABOVE_AVAILABLE", "16.06", 5_000, 3_200,
                                                                "workers")  # fmt: skip
    assert p.message() == ("16.06: batas bawah 5.000 pekerja, tetapi hanya 3.200 pekerja eligible yang belum "
                           "tercakup (kurang 1.800).")  # fmt: skip
    assert p.message("en") == ("16.06: the floor is 5,000 workers, but only 3,200 eligible workers are not yet "
                               "covered (1,800 short).")  # fmt: skip


def test_every_region_short_of_workers_is_listed() -> None:
    plan = maximise_coverage(Problem(units([("a", 1, 1, 10), ("b", 1, 1, 10)]), budget=100,
                                     floors={"a": 2, "b": 3, "c": 1}))  # fmt: skip
    assert [(p.region, p.needed, p.possible) for p in plan.problems] == [("a", 2, 1), ("b", 3, 1), ("c", 1, 0)]


def test_a_budget_below_the_floors() -> None:
    plan = maximise_coverage(Problem(units([("a", 10, 1, 300), ("a", 10, 1, 100), ("b", 10, 1, 200)]), budget=1_000,
                                     floors={"a": 12, "b": 1}))  # fmt: skip
    [p] = plan.problems
    assert (p.code, p.needed, p.possible, p.unit) == ("BUDGET_BELOW_FLOORS", 10 * 100 + 2 * 300 + 200, 1_000, "rupiah")
    assert p.message() == ("Anggaran Rp 1.000 tidak cukup untuk batas bawah semua wilayah: paling sedikit Rp 1.800 "
                           "(kurang Rp 800).")  # fmt: skip


def test_a_payer_ceiling_below_the_floor_it_alone_can_fund() -> None:
    plan = maximise_coverage(Problem(columns([("u", "apbd_kabkota:a", "a", 10, 1, 1_000)]), budget=10**9,
                                     floors={"a": 5}, payer_budgets=[PayerBudget("apbd_kabkota", 3_000)]))  # fmt: skip
    [p] = plan.problems
    assert (p.code, p.region, p.needed, p.possible) == ("PAYER_BUDGET_BELOW_FLOORS", "a", 5_000, 3_000)
    assert "apbd_kabkota:a" in p.message("en") and "Rp 2,000 short" in p.message("en")


def test_a_target_beyond_everyone() -> None:
    plan = minimise_cost(Problem(units([("a", 10, 1, 1)]), total_floor=25))
    assert [(p.code, p.needed, p.possible) for p in plan.problems] == [("TOTAL_FLOOR_ABOVE_AVAILABLE", 25, 10)]


@pytest.mark.parametrize(
    ("frame", "kw", "field"),
    [
        (units([("a", -1, 1, 10)]), {}, "available"),
        (units([("a", 1, 0, 10)]), {}, "weight"),
        (units([("a", 1, 1, -10)]), {}, "cost"),
        (units([("a", 1, 1, 10)]), {"floors": {"a": -3}}, "floors"),
        (units([("a", 1, 1, 10)]), {"payer_budgets": [PayerBudget("x", 10, share=1.5)]}, "payer_budgets"),
        (units([("a", 1, 1, 10)]).drop("cost"), {}, "cost"),
    ],
)
def test_bad_input_names_the_field(frame: pl.DataFrame, kw: dict[str, Any], field: str) -> None:
    with pytest.raises(PlanInputError, match=field):
        maximise_coverage(Problem(frame, budget=100, **kw))


# ---------------------------------------------------------------- against brute force


instance = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 3), st.sampled_from([1.0, 2.0, 3.5]),
              st.sampled_from([100, 150, 250])),
    min_size=1, max_size=4,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=instance, budget=st.integers(0, 1_500), floor_a=st.integers(0, 3),
       limit=st.one_of(st.none(), st.integers(0, 800)))  # fmt: skip
def test_the_optimum_equals_brute_force(rows: list[tuple[str, int, float, int]], budget: int, floor_a: int,
                                        limit: int | None) -> None:  # fmt: skip
    payers = [PayerBudget("p", limit)] if limit is not None else []
    problem = Problem(units(rows), budget=budget, floors={"a": floor_a} if floor_a else {}, payer_budgets=payers)
    plan = maximise_coverage(problem)
    best = brute(problem)
    if plan.status == "infeasible":
        assert best is None
        return
    x = tuple(plan.allocation["funded"].to_list())
    assert feasible(problem, x) and all(0 <= xi <= a for xi, a in zip(x, problem.units["available"], strict=True))
    assert plan.objective == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(rows=instance, target=st.integers(0, 8))
def test_the_least_cost_equals_brute_force(rows: list[tuple[str, int, float, int]], target: int) -> None:
    problem = Problem(units(rows), total_floor=target)
    plan = minimise_cost(problem)
    best = brute(problem, maximise=False)
    assert (plan.status == "infeasible") == (best is None)
    if best is not None:
        assert plan.cost == best


def test_priority_weight_prefers_the_poor_and_the_far_behind() -> None:
    frame = pl.DataFrame({"decile": [1, 10, None, 1], "gap": [0.0, 0.0, 0.0, 0.5]})
    weights = frame.select(priority_weight(pl.col("decile"), pl.col("gap"))).to_series().to_list()
    assert weights == [10.0, 1.0, 1.0, 15.0]


two_payers = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 2), st.sampled_from([1.0, 2.0, 3.5]),
              st.sampled_from([100, 150])),
    min_size=1, max_size=3,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=two_payers, budget=st.integers(0, 900), province=st.integers(0, 500), kab=st.integers(0, 500),
       floor_a=st.integers(0, 2))  # fmt: skip
def test_one_payer_per_worker_equals_brute_force(rows: list[tuple[str, int, float, int]], budget: int,
                                                 province: int, kab: int, floor_a: int) -> None:  # fmt: skip
    """Every unit may be funded by the province or by its kab/kota (two columns sharing the unit's cap), each
    payer under its own ceiling: the optimum equals brute force over every integer split."""
    cols = [(f"u{i}", payer, r, a, w, c) for i, (r, a, w, c) in enumerate(rows)
            for payer in ("apbd_provinsi", f"apbd_kabkota:{r}")]  # fmt: skip
    problem = Problem(columns(cols), budget=budget, floors={"a": floor_a} if floor_a else {},
                      payer_budgets=[PayerBudget("apbd_provinsi", province),
                                     PayerBudget("apbd_kabkota", kab)])  # fmt: skip
    plan = maximise_coverage(problem)
    best = brute(problem)
    if plan.status == "infeasible":
        assert best is None
        return
    x = tuple(plan.allocation["funded"].to_list())
    assert feasible(problem, x) and plan.objective == pytest.approx(best)
