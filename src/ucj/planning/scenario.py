"""A budget scenario (pure): what the analyst asks, turned into an optimisation problem and back into the
answer a budget hearing needs — workers funded, cost per payer, coverage reached against the target, per
kab/kota and per group.

Units of the problem are *region × group × decile* cells of eligible workers not yet covered: listed
participants per desa (from the registry) and the unlisted vulnerable workers per kab/kota (see
:mod:`ucj.planning.groups`). Every worker in the plan costs the same per month — the contribution of a BPU
participant in the lowest income band for the chosen programmes, paid by the scenario's payers, month by
month from the contributions engine (APBD-paid workers get no PP 50/2025 relief) — so the cost of a plan is
workers × that unit cost, and it reconciles with the bills of the same workers and months.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import polars as pl

from ucj.planning.groups import GROUPS
from ucj.planning.optimiser import PayerBudget, Plan, Problem, priority_weight

Question = Literal["max_coverage", "min_budget"]
FloorRule = Literal["none", "target", "share"]
#: Payers that fund a plan (the subsidy payers of domain.md §2): APBD of the province or the kab/kota,
#: APBDes, APBN, other (CSR…).
PLAN_PAYERS = ("apbd_provinsi", "apbd_kabkota", "apbdes", "apbn", "other")
PLAN_PROGRAMS = ("JKK", "JKM", "JHT")


class ScenarioError(ValueError):
    """A scenario that cannot be planned as asked; the message names the field, in Indonesian and English."""


@dataclass(frozen=True)
class Spec:
    """What a scenario asks. ``shares``: payer → share of every worker's contribution (sums to 1);
    ``kab_limits``: each kab/kota's own budget for its ``apbd_kabkota`` share; ``payer_limits``: a ceiling
    for a payer that pays everywhere (e.g. the province's APBD)."""

    region: str
    year: int
    question: Question = "max_coverage"
    budget: int | None = None
    start_month: int = 1
    months: int = 12
    shares: dict[str, float] = field(default_factory=lambda: {"apbd_kabkota": 1.0})
    payer_limits: dict[str, int] = field(default_factory=dict)
    kab_limits: dict[str, int] = field(default_factory=dict)
    groups: tuple[str, ...] = tuple(GROUPS)
    max_decile: int | None = None  # only listed workers of welfare decile ≤ this (unknown deciles stay eligible)
    programs: tuple[str, ...] = ("JKK", "JKM")
    floor: FloorRule = "none"
    floor_share: float = 0.0  # percent of each kab/kota's available workers, with floor="share"
    decile_step: float = 1.0  # priority: decile d weighs 1 + step × (10 − d); see optimiser.priority_weight
    gap_weight: float = 1.0  # priority: × (1 + gap_weight × the kab/kota's share of its target still missing)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["groups"], out["programs"] = list(self.groups), list(self.programs)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Spec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("groups", "programs"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(**known)


def check(spec: Spec) -> None:
    """Raise :class:`ScenarioError` for a scenario that makes no sense before any data is read."""
    errors = []
    if spec.question not in ("max_coverage", "min_budget"):
        errors.append(f"question: '{spec.question}' tidak dikenal / unknown (max_coverage, min_budget)")
    if spec.question == "max_coverage" and spec.budget is None and not spec.payer_limits and not spec.kab_limits:
        errors.append("budget: isi anggaran / give a budget (Rp)")
    if spec.budget is not None and spec.budget < 0:
        errors.append("budget: tidak boleh negatif / must not be negative")
    if not 1 <= spec.start_month <= 12 or not 1 <= spec.months <= 13 - spec.start_month:
        errors.append(f"months: {spec.months} bulan dari bulan {spec.start_month} melewati Desember / "
                      f"{spec.months} months from month {spec.start_month} run past December")  # fmt: skip
    unknown = [p for p in spec.shares if p not in PLAN_PAYERS]
    if unknown or not spec.shares:
        errors.append(f"shares: pembayar {', '.join(unknown) or '-'} tidak dikenal / unknown payer "
                      f"({', '.join(PLAN_PAYERS)})")  # fmt: skip
    elif any(s < 0 for s in spec.shares.values()) or abs(sum(spec.shares.values()) - 1) > 1e-9:
        errors.append("shares: porsi harus 0–100 % dan berjumlah 100 % / shares must be 0–100 % and add up to 100 %")
    if spec.kab_limits and "apbd_kabkota" not in spec.shares:
        errors.append("kab_limits: anggaran kab/kota tanpa porsi APBD kab/kota / kab/kota budgets without an "
                      "apbd_kabkota share")  # fmt: skip
    bad = [g for g in spec.groups if g not in GROUPS]
    if bad or not spec.groups:
        errors.append(f"groups: {', '.join(bad) or '-'} tidak dikenal / unknown ({', '.join(GROUPS)})")
    if not {"JKK", "JKM"} <= set(spec.programs) or not set(spec.programs) <= set(PLAN_PROGRAMS):
        errors.append("programs: JKK dan JKM wajib, JHT pilihan / JKK and JKM are required, JHT optional")
    if spec.max_decile is not None and not 1 <= spec.max_decile <= 10:
        errors.append("max_decile: desil 1–10 / decile 1–10")
    if spec.floor == "share" and not 0 < spec.floor_share <= 100:
        errors.append("floor_share: 0–100 %")
    if errors:
        raise ScenarioError("; ".join(errors))


def _gap_shares(regions: pl.DataFrame) -> pl.DataFrame:
    """Per kab/kota: its gap to the target (workers) and the share of its target still missing (0–1)."""
    return regions.select(
        "region",
        pl.col("gap").fill_null(0).alias("gap_left"),
        pl.when(pl.col("target_count") > 0)
        .then((pl.col("gap").cast(pl.Float64) / pl.col("target_count")).clip(0, 1))
        .otherwise(0.0)
        .alias("gap_share"),
    )


def split_at_gap(units: pl.DataFrame, regions: pl.DataFrame) -> pl.DataFrame:
    """Unlisted units cut in two at their kab/kota's gap: the workers that close the gap (``|gap``) keep the
    gap priority, the workers beyond it (``|extra``) do not — so a budget is spread over the regions behind
    their targets before it lifts any region past its own."""
    gaps = _gap_shares(regions).select("region", "gap_left")
    unlisted = units.filter(pl.col("desa").is_null()).join(gaps, on="region", how="left")
    within = pl.min_horizontal(pl.col("available"), pl.col("gap_left").fill_null(0).clip(0))
    parts = pl.concat([
        unlisted.with_columns(within.alias("available"), pl.lit(True).alias("closes_gap"),
                              (pl.col("unit") + "|gap").alias("unit")),
        unlisted.with_columns((pl.col("available") - within).alias("available"), pl.lit(False).alias("closes_gap"),
                              (pl.col("unit") + "|extra").alias("unit")),
    ]).drop("gap_left")  # fmt: skip
    listed = units.filter(pl.col("desa").is_not_null()).with_columns(pl.lit(True).alias("closes_gap"))
    return pl.concat([listed, parts.filter(pl.col("available") > 0)], how="vertical_relaxed")


def weights(units: pl.DataFrame, regions: pl.DataFrame, spec: Spec) -> pl.Series:
    """Priority of each unit: poorer deciles weigh more, and so do workers who close a gap of a kab/kota far
    from its target (``closes_gap``; listed workers always count as closing it)."""
    joined = units.join(_gap_shares(regions).select("region", "gap_share"), on="region", how="left")
    share = pl.when(pl.col("closes_gap")).then(pl.col("gap_share").fill_null(0.0)).otherwise(0.0)
    return joined.select(
        priority_weight(pl.col("decile"), share, decile_step=spec.decile_step, gap_weight=spec.gap_weight)
    ).to_series()


def floors(regions: pl.DataFrame, available: dict[str, int], spec: Spec) -> dict[str, int]:
    """Minimum workers to fund per kab/kota: its gap to its own target, or a share of its available workers."""
    if spec.floor == "target":
        return {r: int(g) for r, g in regions.select("region", "gap").iter_rows() if g and g > 0}
    if spec.floor == "share":
        share = Decimal(str(spec.floor_share)) / 100
        return {r: math.ceil(share * n) for r, n in available.items() if n > 0}
    return {}


def problem(spec: Spec, pool: pl.DataFrame, regions: pl.DataFrame, unit_cost: int, region_gap: int | None) -> Problem:
    """The optimisation problem of ``spec`` over the candidate ``pool`` (units: ``unit``, ``region`` = kab/kota,
    ``group``, ``decile``, ``available``) and the kab/kota figures ``regions`` (``region``, ``gap``,
    ``target_count``)."""
    units = pool.filter(pl.col("group").is_in(list(spec.groups)) & (pl.col("available") > 0))
    if spec.max_decile is not None:
        units = units.filter(pl.col("decile").is_null() | (pl.col("decile") <= spec.max_decile))
    units = split_at_gap(units, regions)
    units = units.with_columns(weights(units, regions, spec).alias("weight"), pl.lit(unit_cost).alias("cost"))
    available = dict(units.group_by("region").agg(pl.col("available").sum()).iter_rows())
    budgets = [PayerBudget(p, limit, {r: spec.shares.get(p, 0.0) for r in available})
               for p, limit in spec.payer_limits.items()]  # fmt: skip
    kab_share = spec.shares.get("apbd_kabkota", 0.0)
    budgets += [PayerBudget(f"apbd_kabkota:{r}", limit, {r: kab_share}) for r, limit in spec.kab_limits.items()]
    total_floor = region_gap if spec.question == "min_budget" else None
    return Problem(
        units=units.select("unit", "region", "available", "weight", "cost", "group", "decile", "desa"),
        budget=spec.budget if spec.question == "max_coverage" else None,
        floors=floors(regions, available, spec), total_floor=total_floor, payer_budgets=budgets,
    )  # fmt: skip


def split(amount: int, shares: dict[str, float]) -> dict[str, int]:
    """``amount`` split over the payers by share, whole rupiah half up; the last payer takes the remainder so
    the parts add up exactly."""
    out: dict[str, int] = {}
    payers = [p for p in PLAN_PAYERS if shares.get(p, 0) > 0]  # a fixed order: the last takes the remainder
    for payer in payers[:-1]:
        out[payer] = int((Decimal(amount) * Decimal(str(shares[payer]))).to_integral_value(ROUND_HALF_UP))
    if payers:
        out[payers[-1]] = amount - sum(out.values())
    return out


def summary(plan: Plan, spec: Spec, regions: pl.DataFrame, unit_cost: int) -> dict[str, Any]:
    """The answer: totals, per kab/kota (funded, cost per payer, coverage before and after, gap left), per group
    and per desa of the listed workers; the problems when the scenario is infeasible."""
    out: dict[str, Any] = {
        "status": plan.status, "method": plan.method, "seconds": round(plan.seconds, 3), "unit_cost": unit_cost,
        "problems": [{"code": p.code, "region": p.region, "needed": p.needed, "possible": p.possible,
                      "unit": p.unit, "message": p.message("id"), "message_en": p.message("en")}
                     for p in plan.problems],
    }  # fmt: skip
    if plan.status != "optimal":
        return out
    alloc = plan.allocation.filter(pl.col("funded") > 0)
    funded = dict(alloc.group_by("region").agg(pl.col("funded").sum()).iter_rows())
    rows = []
    for r in regions.sort("region").iter_rows(named=True):
        n = int(funded.get(r["region"], 0))
        cost = n * unit_cost
        after = (r["covered"] or 0) + n
        target = r["target_count"]
        rows.append({
            **r, "funded": n, "cost": cost, "by_payer": split(cost, spec.shares), "covered_after": after,
            "rate_after": round(100 * after / r["denominator"], 2) if r["denominator"] else None,
            "gap_after": max(0, target - after) if target is not None else None,
            "met_after": after >= target if target is not None else None,
        })  # fmt: skip
    by_payer: dict[str, int] = {}
    for row in rows:
        for payer, amount in row["by_payer"].items():
            by_payer[payer] = by_payer.get(payer, 0) + amount
    groups = alloc.group_by("group").agg(pl.col("funded").sum()).sort("group")
    desa = alloc.filter(pl.col("desa").is_not_null()).group_by("desa", "region").agg(pl.col("funded").sum())
    units = alloc.select("unit", "region", "desa", "group", "decile", "funded")
    out.update({
        "allocation": units.sort("unit").to_dicts(),
        "funded": plan.funded, "cost": plan.funded * unit_cost, "by_payer": by_payer, "regions": rows,
        "groups": [{"group": g, "funded": int(n), "cost": int(n) * unit_cost} for g, n in groups.iter_rows()],
        "desa": [{"desa": d, "region": r, "funded": int(n), "cost": int(n) * unit_cost}
                 for d, r, n in desa.sort("desa").iter_rows()],
    })  # fmt: skip
    return out
