"""The budget optimiser (pure: Polars and numpy in, HiGHS inside, no Django).

Worker units (shared/stack-figures.md 4e): one integer variable per (unit, payer) pair — how many workers of
a cell of eligible workers not yet covered that payer funds, whole workers, never a share of one worker's
contribution (one payer per participant, domain.md §6). ``0 ≤ x ≤ available``, and when a unit can be funded
by several payers their variables share the unit's cap Σ_p x[u,p] ≤ available[u].

* forward — maximise Σ weight·x subject to Σ cost·x ≤ budget, per-payer ceilings Σ_{p} cost·x ≤ limit (over
  the workers that payer funds), per-region floors Σ_{v∈k} x ≥ floor_k and a total floor;
* inverse — minimise Σ cost·x subject to the floors and the total floor (and payer shares of the total).

With one payer per unit each column has one entry in the budget row and one in its region's floor row, so with
integer bounds and right-hand sides the matrix is totally unimodular and the LP vertex is integral: solve the
LP. Extra rows (payer ceilings, unit caps shared by payers, relative shares) can break that, so the answer is
always checked and re-solved as a MILP when fractional; ``Plan.method`` says which.

Infeasible scenarios are diagnosed before solving, constraint by constraint, with the shortfall in workers or
rupiah (:class:`Shortfall`), so the user never sees a solver status.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
import polars as pl

UNIT_COLUMNS = ("unit", "region", "available", "weight", "cost")
_INF = highspy.kHighsInf
_BANNER = threading.Lock()
_quiet = False


class PlanInputError(ValueError):
    """A problem that cannot be built (bilingual message naming the field)."""


@dataclass(frozen=True)
class PayerBudget:
    """A ceiling on what one payer spends on the workers it funds: the columns whose ``payer`` is ``name`` or
    starts with ``name:`` (``apbd_kabkota`` covers every ``apbd_kabkota:16.06``…). ``limit`` in rupiah, or with
    ``share`` a share of the plan's total cost: Σ_payer cost·x ≤ share × Σ cost·x + ``limit`` (the limit then
    is the tolerance of one worker, so whole workers can always be split). ``fixed``: what the payer already
    spends beside these workers (renewals, grants), counted against the limit. ``floor``: the least it must
    spend on its workers (an earmarked grant it received), renewals counted."""

    name: str
    limit: int
    share: float | None = None
    fixed: int = 0
    floor: int = 0


@dataclass(frozen=True)
class Problem:
    units: pl.DataFrame  # UNIT_COLUMNS (one row per unit × payer; ``payer`` optional), plus columns to carry
    budget: int | None = None
    floors: dict[str, int] = field(default_factory=dict)
    total_floor: int | None = None
    payer_budgets: list[PayerBudget] = field(default_factory=list)
    fixed_cost: int = 0  # already owed from the budget beside these workers (renewals), rupiah


def _rp(value: int, lang: str) -> str:
    text = f"{value:,}"
    return "Rp " + (text.replace(",", ".") if lang == "id" else text)


def _n(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


_MESSAGES = {
    "FLOOR_ABOVE_AVAILABLE": (
        "{region}: batas bawah {needed} pekerja, tetapi hanya {possible} pekerja eligible yang belum tercakup "
        "(kurang {short}).",
        "{region}: the floor is {needed} workers, but only {possible} eligible workers are not yet covered "
        "({short} short).",
    ),
    "TOTAL_FLOOR_ABOVE_AVAILABLE": (
        "Target memerlukan {needed} pekerja lagi, tetapi hanya {possible} pekerja eligible yang belum tercakup "
        "(kurang {short}).",
        "The target needs {needed} more workers, but only {possible} eligible workers are not yet covered "
        "({short} short).",
    ),
    "BUDGET_BELOW_FLOORS": (
        "Anggaran {possible} tidak cukup untuk batas bawah semua wilayah: paling sedikit {needed} (kurang {short}).",
        "The budget of {possible} cannot meet every region's floor: at least {needed} is needed ({short} short).",
    ),
    "PAYER_BUDGET_BELOW_FLOORS": (
        "{region}: anggaran pembayar yang dapat mendanai wilayah ini ({payer}) paling banyak {possible}, batas "
        "bawahnya perlu paling sedikit {needed} (kurang {short}).",
        "{region}: the payers that may fund this region ({payer}) have at most {possible}; its floor needs at "
        "least {needed} ({short} short).",
    ),
    "FIXED_ABOVE_BUDGET": (
        "Anggaran {payer} {possible} tidak cukup untuk peserta lanjutan dan hibah yang sudah terikat: {needed} "
        "(kurang {short}).",
        "The {payer} budget of {possible} does not cover the renewals and grants it already owes: {needed} "
        "({short} short).",
    ),
    "GRANT_ABOVE_AVAILABLE": (
        "{payer}: bantuan keuangan {needed} harus dibelanjakan untuk iuran, tetapi pekerja eligible yang dapat "
        "didanainya hanya senilai {possible} (kurang {short}).",
        "{payer}: the grant of {needed} must be spent on contributions, but the eligible workers it may fund are "
        "worth only {possible} ({short} short).",
    ),
    "SOLVER_INFEASIBLE": (
        "Batasan-batasan ini tidak dapat dipenuhi bersama; longgarkan batas bawah atau tambah anggaran.",
        "These constraints cannot all be met together; relax the floors or raise the budget.",
    ),
}


@dataclass(frozen=True)
class Shortfall:
    """One constraint that cannot be met, by how much (``unit``: workers or rupiah)."""

    code: str
    region: str | None
    needed: int
    possible: int
    unit: Literal["workers", "rupiah"]
    payer: str = ""

    def message(self, lang: str = "id") -> str:
        template = _MESSAGES[self.code][1 if lang == "en" else 0]
        fmt = _rp if self.unit == "rupiah" else _n
        short = self.needed - self.possible
        return template.format(region=self.region or "", payer=self.payer, needed=fmt(self.needed, lang),
                               possible=fmt(self.possible, lang), short=fmt(short, lang))  # fmt: skip


@dataclass(frozen=True)
class Plan:
    status: Literal["optimal", "infeasible"]
    allocation: pl.DataFrame  # the units with ``funded``
    funded: int
    cost: int
    objective: float
    method: Literal["lp", "milp", ""]
    problems: list[Shortfall]
    seconds: float


def priority_weight(decile: pl.Expr, gap_share: pl.Expr, *, decile_step: float = 1.0,
                    gap_weight: float = 1.0) -> pl.Expr:  # fmt: skip
    """Priority of a unit: decile *d* (1 = poorest) weighs ``1 + decile_step × (10 − d)`` (unknown decile as 10),
    times ``1 + gap_weight × gap_share`` (the share of its region's target still missing, 0–1). A policy knob:
    it decides who is funded first, never what a worker costs."""
    d = decile.cast(pl.Float64).fill_null(10.0).clip(1, 10)
    return ((1 + decile_step * (10 - d)) * (1 + gap_weight * gap_share.cast(pl.Float64).clip(0, 1))).alias("weight")


# ---------------------------------------------------------------- checks


def _check(problem: Problem) -> pl.DataFrame:
    units = problem.units
    missing = [c for c in UNIT_COLUMNS if c not in units.columns]
    if missing:
        raise PlanInputError(f"units: kolom tidak ada / missing columns: {', '.join(missing)}")
    for column, low in (("available", 0), ("cost", 0)):
        bad = units.filter(pl.col(column).is_null() | (pl.col(column) < low))
        if bad.height:
            raise PlanInputError(f"{column}: unit '{bad['unit'][0]}' bernilai negatif atau kosong / negative or "
                                 "empty")  # fmt: skip
    bad = units.filter(pl.col("weight").is_null() | (pl.col("weight") <= 0))
    if bad.height:
        raise PlanInputError(f"weight: unit '{bad['unit'][0]}' harus > 0 / must be > 0")
    if any(n < 0 for n in problem.floors.values()) or (problem.total_floor or 0) < 0:
        raise PlanInputError("floors: batas bawah tidak boleh negatif / floors must not be negative")
    for payer in problem.payer_budgets:
        if (payer.share is not None and not 0 <= payer.share <= 1) or payer.limit < 0 or payer.fixed < 0:
            raise PlanInputError(f"payer_budgets: {payer.name}: porsi 0–1 dan batas ≥ 0 / shares 0–1, limit ≥ 0")
    if "payer" not in units.columns:
        units = units.with_columns(pl.lit("").alias("payer"))
    return units.with_columns(pl.col("available").cast(pl.Int64), pl.col("cost").cast(pl.Int64))


def _of_payer(units: pl.DataFrame, name: str) -> np.ndarray:
    """Row positions of the columns a payer funds (its own name, or ``name:…`` for one of its places)."""
    payer = units["payer"]
    return np.nonzero(((payer == name) | payer.str.starts_with(name + ":")).to_numpy())[0]


def _unique_units(units: pl.DataFrame) -> pl.DataFrame:
    """One row per unit: its cap counted once however many payers may fund it, and its least cost over those
    payers (each pays its own rate), so the costs derived from it are lower bounds. The payers are not kept:
    ask the unit × payer columns who may fund a unit."""
    return units.group_by("unit", maintain_order=True).agg(
        pl.col("region").first(), pl.col("available").first(), pl.col("cost").min()
    )


def _cheapest(units: pl.DataFrame, region: str, need: int) -> int:
    """The least cost of funding ``need`` workers in ``region``: cheapest units first (exact here)."""
    rows = units.filter(pl.col("region") == region).sort("cost")
    costs, avail = rows["cost"].to_numpy(), rows["available"].to_numpy()
    taken = np.minimum(avail, np.maximum(0, need - (np.cumsum(avail) - avail)))
    return int((taken * costs).sum())


def diagnose(problem: Problem, units: pl.DataFrame) -> list[Shortfall]:
    """Every constraint that cannot be met, checked one by one (caps vs floors, then money vs floors)."""
    problems = [Shortfall("FIXED_ABOVE_BUDGET", None, p.fixed, p.limit, "rupiah", p.name)
                for p in problem.payer_budgets if p.share is None and p.fixed > p.limit]  # fmt: skip
    for p in problem.payer_budgets:
        if p.floor > p.fixed:
            cols = _of_payer(units, p.name)
            worth = int((units["available"].to_numpy()[cols] * units["cost"].to_numpy()[cols]).sum()) + p.fixed
            if worth < p.floor:
                problems.append(Shortfall("GRANT_ABOVE_AVAILABLE", None, p.floor, worth, "rupiah", p.name))
    if problem.budget is not None and problem.fixed_cost > problem.budget:
        problems.append(Shortfall("FIXED_ABOVE_BUDGET", None, problem.fixed_cost, problem.budget, "rupiah",
                                  "total"))  # fmt: skip
    if problems:
        return problems
    columns, units = units, _unique_units(units)
    available = dict(units.group_by("region").agg(pl.col("available").sum()).iter_rows())
    problems = [Shortfall("FLOOR_ABOVE_AVAILABLE", r, n, int(available.get(r, 0)), "workers")
                for r, n in sorted(problem.floors.items()) if n > available.get(r, 0)]  # fmt: skip
    total = int(units["available"].sum())
    if problem.total_floor is not None and problem.total_floor > total:
        problems.append(Shortfall("TOTAL_FLOOR_ABOVE_AVAILABLE", None, problem.total_floor, total, "workers"))
    if problems:
        return problems
    floor_cost = {r: _cheapest(units, r, n) for r, n in problem.floors.items() if n > 0}
    if problem.budget is not None and sum(floor_cost.values()) + problem.fixed_cost > problem.budget:
        problems.append(Shortfall("BUDGET_BELOW_FLOORS", None, sum(floor_cost.values()) + problem.fixed_cost,
                                  problem.budget, "rupiah"))  # fmt: skip
    ceilings = [p for p in problem.payer_budgets if p.share is None]
    for region, need in sorted(floor_cost.items()):
        capacity: int | None = 0
        payers = columns.filter(pl.col("region") == region)["payer"].unique().to_list()  # every column's payer
        for name in payers:  # the most the payers who may fund this region could spend (a necessary condition)
            limits = [p.limit - p.fixed for p in ceilings if name == p.name or name.startswith(p.name + ":")]
            if not limits:
                capacity = None  # a payer without a ceiling: money is no limit here
                break
            capacity = (capacity or 0) + min(limits)
        if capacity is not None and capacity < need:
            problems.append(Shortfall("PAYER_BUDGET_BELOW_FLOORS", region, need, capacity, "rupiah",
                                      ", ".join(sorted(payers))))  # fmt: skip
    return problems


# ---------------------------------------------------------------- the model


class _Rows:
    """Constraint rows in coordinate form (row, column, value) with their bounds: sparse, so the national case
    (83,762 columns, 515+ rows) builds in milliseconds."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols: np.ndarray, vals: np.ndarray, lower: float, upper: float) -> None:
        """Add a row. A row whose coefficients are all one value *v* (a budget when every worker costs the same)
        is divided by *v* with its bound rounded to whole workers — ⌊B / v⌋ workers for a budget B — which keeps
        the model in worker units and the LP vertex integral (shared/stack-figures.md 4e)."""
        if len(vals) and vals[0] > 0 and np.all(vals == vals[0]):
            v = float(vals[0])
            lower = math.ceil(lower / v - 1e-9) if lower > -_INF else lower
            upper = math.floor(upper / v + 1e-9) if upper < _INF else upper
            vals = np.ones(len(vals))
        self.rows.append(np.full(len(cols), len(self.lower), dtype=np.int64))
        self.cols.append(cols.astype(np.int64))
        self.vals.append(vals.astype(np.float64))
        self.lower.append(lower)
        self.upper.append(upper)

    def colwise(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, index, value) of the column-wise matrix HiGHS takes."""
        if not self.rows:
            return np.zeros(n + 1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0)
        rows, cols, vals = (np.concatenate(x) for x in (self.rows, self.cols, self.vals))
        order = np.lexsort((rows, cols))
        start = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n))])
        return start.astype(np.int32), rows[order].astype(np.int32), vals[order]


def _rows(problem: Problem, units: pl.DataFrame) -> _Rows:
    cost = units["cost"].to_numpy().astype(np.float64)
    region = units["region"].to_numpy()
    everyone = np.arange(units.height)
    rows = _Rows()
    if problem.budget is not None:
        rows.add(everyone, cost, -_INF, float(problem.budget - problem.fixed_cost))
    floors = {code: n for code, n in problem.floors.items() if n > 0}
    if floors:
        order = np.argsort(region, kind="stable")
        codes, first = np.unique(region[order], return_index=True)
        bounds = dict(zip(codes.tolist(), np.append(first, len(order)).tolist()[1:], strict=True))
        starts = dict(zip(codes.tolist(), first.tolist(), strict=True))
        for code, n in sorted(floors.items()):
            cols = order[starts[code] : bounds[code]] if code in starts else np.zeros(0, dtype=np.int64)
            rows.add(cols, np.ones(len(cols)), float(n), _INF)
    if problem.total_floor is not None and problem.total_floor > 0:
        rows.add(everyone, np.ones(units.height), float(problem.total_floor), _INF)
    shared = units.with_row_index("i").filter(pl.col("unit").is_duplicated())
    for group in shared.group_by("unit", maintain_order=True).agg("i", pl.col("available").first()).iter_rows():
        cols = np.asarray(group[1], dtype=np.int64)  # one cap for the payers that may fund the same unit
        rows.add(cols, np.ones(len(cols)), -_INF, float(group[2]))
    for payer in problem.payer_budgets:
        cols = _of_payer(units, payer.name)
        if payer.share is None:
            lower = float(payer.floor - payer.fixed) if payer.floor > payer.fixed else -_INF
            rows.add(cols, cost[cols], lower, float(payer.limit - payer.fixed))
        else:  # Σ_payer c·x − share·Σ c·x ≤ tolerance (one worker), whole workers stay possible
            coef = -payer.share * cost
            coef[cols] += cost[cols]
            nonzero = np.nonzero(np.abs(coef) > 1e-12)[0]
            rows.add(nonzero, coef[nonzero], -_INF, float(payer.limit))
    return rows


def _highs() -> highspy.Highs:
    """A silent solver. HiGHS writes its banner to file descriptor 1 when the first instance is made, before
    ``output_flag`` can be set (ERGO-Code/HiGHS#2749); that would corrupt ``ucj plan --json``, so the first
    construction runs with stdout pointed at /dev/null."""
    global _quiet
    with _BANNER:
        if not _quiet:
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
            _quiet = True
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _solve(problem: Problem, units: pl.DataFrame, maximise: bool, integer: bool) -> tuple[str, np.ndarray, float]:
    n = units.height
    rows = _rows(problem, units)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows.lower)
    objective = units["weight"] if maximise else units["cost"]
    lp.col_cost_ = objective.to_numpy().astype(np.float64)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = units["available"].to_numpy().astype(np.float64)
    lp.row_lower_, lp.row_upper_ = np.array(rows.lower, dtype=np.float64), np.array(rows.upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = rows.colwise(n)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = _highs()
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return "infeasible", np.zeros(n), 0.0
    return "optimal", np.asarray(h.getSolution().col_value), float(h.getInfo().objective_function_value)


def _optimise(problem: Problem, maximise: bool) -> Plan:
    started = time.perf_counter()
    units = _check(problem)
    problems = diagnose(problem, units)
    if problems:
        return Plan("infeasible", units.clear(), 0, 0, 0.0, "", problems, time.perf_counter() - started)
    live = units.filter(pl.col("available") > 0)
    method: Literal["lp", "milp"] = "lp"
    status, x, objective = (
        _solve(problem, live, maximise, integer=False) if live.height else ("optimal", np.zeros(0), 0.0)
    )
    if status == "optimal" and not np.allclose(x, np.round(x), rtol=0, atol=1e-6):
        method = "milp"
        status, x, objective = _solve(problem, live, maximise, integer=True)
    if status != "optimal":
        shortfall = Shortfall("SOLVER_INFEASIBLE", None, 0, 0, "workers")
        return Plan("infeasible", units.clear(), 0, 0, 0.0, method, [shortfall], time.perf_counter() - started)
    funded = live.select("unit", "payer").with_columns(pl.Series("funded", np.round(x).astype(np.int64)))
    allocation = units.join(funded, on=["unit", "payer"], how="left").with_columns(pl.col("funded").fill_null(0))
    cost = int((allocation["funded"] * allocation["cost"]).sum())
    return Plan("optimal", allocation, int(allocation["funded"].sum()), cost, objective, method, [],
                time.perf_counter() - started)  # fmt: skip


def maximise_coverage(problem: Problem) -> Plan:
    """Fund the most workers, weighted by priority, within the budget(s), floors and caps."""
    return _optimise(problem, maximise=True)


def minimise_cost(problem: Problem) -> Plan:
    """The least budget meeting the floors and the total floor within the caps (the budget is not a limit)."""
    return _optimise(Problem(problem.units, None, problem.floors, problem.total_floor, problem.payer_budgets,
                             problem.fixed_cost), maximise=False)  # fmt: skip


def describe(plan: Plan) -> dict[str, Any]:
    """The plan's figures without the allocation (for logs and benchmarks)."""
    return {"status": plan.status, "funded": plan.funded, "cost": plan.cost, "method": plan.method,
            "seconds": round(plan.seconds, 3), "problems": [p.code for p in plan.problems]}  # fmt: skip
