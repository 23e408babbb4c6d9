"""A budget scenario (pure): what the analyst asks, turned into an optimisation problem and back into the
answer a budget hearing needs — workers funded, cost per payer, coverage reached against the target, per
kab/kota and per group.

Units of the problem are *region × group × decile* cells of eligible workers not yet covered: listed
participants per desa (from the registry) and the unlisted vulnerable workers per kab/kota (see
:mod:`ucj.planning.groups`). **One payer per participant** (domain.md §6): a region funds whole workers, so the
decision is how many workers of a cell each payer funds — the province some, each kab/kota others, a village
its own — never a share of one worker's contribution. "Province 60 % / kab-kota 40 %" is each payer's share of
the budget. Every worker costs the contribution of a BPU participant in the lowest income band for the chosen
programmes, paid by *its* payer, month by month from the contributions engine (APBD-paid workers get no
PP 50/2025 relief), so a plan reconciles with the bills of the same workers and months.

A year's budget is the **renewals** — the workers each payer already funds, paid again, less expected lapses —
plus the new workers; the coverage projection subtracts the BPU expected to lapse (``lapse_rate``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import polars as pl

from ucj.planning.groups import GROUPS, UNLISTED, VILLAGE_OFFICE_GROUPS
from ucj.planning.optimiser import PayerBudget, Plan, Problem, priority_weight

Question = Literal["max_coverage", "min_budget"]
FloorRule = Literal["none", "target", "share"]
#: Payers that fund a plan (the subsidy payers of domain.md §2): APBD of the province or the kab/kota,
#: APBDes, APBN, other (CSR…).
PLAN_PAYERS = ("apbd_provinsi", "apbd_kabkota", "apbdes", "apbn", "other")
#: Payers whose workers are renewed from public budgets (the registry's payer of a participant).
RENEWAL_PAYERS = ("apbd_provinsi", "apbd_kabkota", "apbdes", "apbn")
PLAN_PROGRAMS = ("JKK", "JKM", "JHT")
#: Where an APBDes payment comes from (domain.md §6): code → (Bahasa Indonesia, English).
APBDES_SOURCES: dict[str, tuple[str, str]] = {
    "add": ("ADD (alokasi dana desa)", "ADD (village fund allocation from the kab/kota)"),
    "dana_desa": ("Dana Desa", "Dana Desa (APBN village fund)"),
    "pad_desa": ("PAD desa", "village own revenue (PAD desa)"),
}
#: Dana Desa pays only village cash-for-work (PKTD) workers (Permendes 16/2025, news only): village officials,
#: BPD, RT/RW and other poor or vulnerable villagers are an APBD/ADD matter (Permendagri 15/2023 Lampiran).
DANA_DESA_GROUPS = ("pktd",)


def is_kelurahan(desa: str | None) -> bool:
    """A village code whose 4th segment starts with 1 is a kelurahan: no APBDes (domain.md §6)."""
    parts = (desa or "").split(".")
    return len(parts) == 4 and parts[3].startswith("1")


class ScenarioError(ValueError):
    """A scenario that cannot be planned as asked; the message names the field, in Indonesian and English."""


@dataclass(frozen=True)
class Spec:
    """What a scenario asks. ``shares``: payer → its share of the budget (sums to 1); each payer funds whole
    workers, the plan chooses whom. ``kab_limits``: each kab/kota's own ceiling for the workers its APBD funds;
    ``payer_limits``: a ceiling for a payer (e.g. the province's APBD). ``apbdes_source``: where APBDes money
    comes from (:data:`APBDES_SOURCES`). ``lapse_rate``: share of BPU (and renewed workers) expected to lapse in
    the year, 0–1; ``None`` = estimated from the registry or the setting (``UCJ_PLAN_LAPSE_RATE``).
    ``bantuan``: the province's bantuan keuangan (earmarked grant) per kab/kota: the kab/kota pays the workers
    and must spend at least the grant on them; the province's spending includes it."""

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
    apbdes_source: str = "add"
    lapse_rate: float | None = None
    bantuan: dict[str, int] = field(default_factory=dict)  # kab/kota → the province's earmarked grant (Rp)

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
    if spec.apbdes_source not in APBDES_SOURCES:
        errors.append(f"apbdes_source: '{spec.apbdes_source}' tidak dikenal / unknown ({', '.join(APBDES_SOURCES)})")
    if spec.lapse_rate is not None and not 0 <= spec.lapse_rate < 1:
        errors.append("lapse_rate: 0–1 (mis. 0.1 = 10 % setahun) / 0–1 (e.g. 0.1 = 10 % a year)")
    if spec.bantuan and "apbd_kabkota" not in payers_of(spec):
        errors.append("bantuan: bantuan keuangan provinsi dibelanjakan kab/kota; beri porsi apbd_kabkota / a "
                      "province grant is spent by the kab/kota: give apbd_kabkota a share")  # fmt: skip
    if any(a < 0 for a in spec.bantuan.values()):
        errors.append("bantuan: tidak boleh negatif / must not be negative")
    if not errors:
        errors += forbidden(spec)
    if errors:
        raise ScenarioError("; ".join(errors))


def payers_of(spec: Spec) -> list[str]:
    """The payers that fund workers in this scenario, in a fixed order."""
    return [p for p in PLAN_PAYERS if spec.shares.get(p, 0) > 0]


def may_fund(payer: str, group: str, spec: Spec) -> bool:
    """Whether ``payer`` may pay for a worker of ``group`` at all (the village's own budget pays named villagers
    only; Dana Desa only PKTD workers). Kelurahan are excluded per unit (:func:`columns`)."""
    if payer != "apbdes":
        return True
    if group == UNLISTED:
        return False
    return spec.apbdes_source != "dana_desa" or group in DANA_DESA_GROUPS


def forbidden(spec: Spec) -> list[str]:
    """What the rules forbid in this scenario, with the reason (bilingual): a chosen group that no payer of the
    plan may fund (Dana Desa for village officials, BPD, RT/RW or other villagers; APBDes for workers not yet
    named in a village)."""
    payers = payers_of(spec)
    out = []
    for group in spec.groups:
        if payers and not any(may_fund(p, group, spec) for p in payers):
            if group == UNLISTED:
                out.append(f"groups: {group}: APBDes membayar warga desa yang sudah terdata, bukan pekerja rentan "
                           f"yang belum terdata (dana APBD kab/kota atau provinsi) / APBDes pays named villagers, "
                           f"not vulnerable workers not yet listed (fund them from the kab/kota or province APBD)")
            elif group in VILLAGE_OFFICE_GROUPS:
                out.append(f"groups: {group}: iuran kepala/perangkat desa, BPD, RT/RW dan LKD tidak boleh dibayar "
                           f"dari Dana Desa (Permendagri 15/2023 Lampiran); pilih ADD atau PAD desa / village "
                           f"officials', BPD, RT/RW and LKD contributions may not be paid from Dana Desa "
                           f"(Permendagri 15/2023 Lampiran); choose ADD or PAD desa")
            else:
                out.append(f"groups: {group}: Dana Desa hanya untuk pekerja padat karya tunai desa (PKTD, Permendes "
                           f"16/2025); warga miskin/rentan lain dibayar APBD / Dana Desa pays only village "
                           f"cash-for-work (PKTD) workers (Permendes 16/2025); other poor or vulnerable villagers "
                           f"are an APBD matter")
    return out


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


def columns(units: pl.DataFrame, spec: Spec, costs: dict[str, int]) -> pl.DataFrame:
    """One row per unit × payer that may fund it, with the payer's place (``apbd_kabkota:16.06``,
    ``apbdes:16.06.01.2001``) and the payer's cost per worker. A kab/kota pays for workers in its own area, a
    village for its own named villagers (never in a kelurahan), the province, APBN or others anywhere."""
    parts = []
    for payer in payers_of(spec):
        allowed = [g for g in spec.groups if may_fund(payer, g, spec)]
        mine = units.filter(pl.col("group").is_in(allowed))
        if payer == "apbdes":
            mine = mine.filter(pl.col("desa").is_not_null())
            mine = mine.filter(~pl.col("desa").map_elements(is_kelurahan, return_dtype=pl.Boolean))
            place = pl.lit("apbdes:") + pl.col("desa")
        elif payer == "apbd_kabkota":
            place = pl.lit("apbd_kabkota:") + pl.col("region")
        else:
            place = pl.lit(payer)
        parts.append(mine.with_columns(place.alias("payer"), pl.lit(payer).alias("kind"),
                                       pl.lit(costs[payer]).cast(pl.Int64).alias("cost")))  # fmt: skip
    if not parts:
        return units.clear().with_columns(pl.lit("").alias("payer"), pl.lit("").alias("kind"),
                                          pl.lit(0).cast(pl.Int64).alias("cost"))  # fmt: skip
    return pl.concat(parts, how="vertical_relaxed")


def half_up(value: float | Decimal) -> int:
    return int(Decimal(str(value)).to_integral_value(ROUND_HALF_UP))


def renewal_lines(renewals: pl.DataFrame, costs: dict[str, int], lapse_rate: float) -> list[dict[str, Any]]:
    """Per payer place: the workers it already funds (``renewals``: ``payer``, ``kind``, ``region``,
    ``workers``), those expected to lapse (rate × workers, half up), those paid again and what they cost at the
    payer's cost per worker for the plan's months."""
    out = []
    for payer, kind, region, workers in renewals.sort("payer").select("payer", "kind", "region", "workers").rows():
        lapses = half_up(lapse_rate * workers)
        paid = workers - lapses
        out.append({"payer": payer, "kind": kind, "region": region, "workers": int(workers), "lapses": lapses,
                    "paid": paid, "cost": paid * costs[kind]})  # fmt: skip
    return out


def lapses_by_region(regions: pl.DataFrame, renewals: list[dict[str, Any]], lapse_rate: float) -> dict[str, int]:
    """Workers expected to lapse in the year per kab/kota: the self-paying BPU covered there (``bpu_self``)
    and the renewed workers, each times the lapse rate (half up)."""
    out = {r: half_up(lapse_rate * (n or 0)) for r, n in regions.select("region", "bpu_self").iter_rows()}
    for line in renewals:
        out[line["region"]] = out.get(line["region"], 0) + line["lapses"]
    return out


def problem(spec: Spec, pool: pl.DataFrame, regions: pl.DataFrame, costs: dict[str, int], region_gap: int | None,
            renewals: list[dict[str, Any]] | None = None, lapses: dict[str, int] | None = None) -> Problem:
    """The optimisation problem of ``spec`` over the candidate ``pool`` (units: ``unit``, ``region`` = kab/kota,
    ``group``, ``decile``, ``available``), the kab/kota figures ``regions`` (``region``, ``gap``,
    ``target_count``), the cost per worker of each payer, the renewals (:func:`renewal_lines`, already owed from
    each payer's budget) and the expected lapses per kab/kota (the floors replace them)."""
    renewals, lapses = renewals or [], lapses or {}
    units = pool.filter(pl.col("group").is_in(list(spec.groups)) & (pl.col("available") > 0))
    if spec.max_decile is not None:
        units = units.filter(pl.col("decile").is_null() | (pl.col("decile") <= spec.max_decile))
    units = split_at_gap(units, regions)
    units = columns(units.with_columns(weights(units, regions, spec).alias("weight")), spec, costs)
    available = dict(units.unique("unit").group_by("region").agg(pl.col("available").sum()).iter_rows())
    owed: dict[str, int] = {}
    for line in renewals:
        owed[line["kind"]] = owed.get(line["kind"], 0) + line["cost"]
        owed[line["payer"]] = owed.get(line["payer"], 0) + line["cost"]
    fixed = sum(line["cost"] for line in renewals)
    kinds = payers_of(spec)
    # A grant is the province's spending and the kab/kota's money for workers: it counts against the province's
    # ceiling and share, raises the kab/kota's, and the kab/kota must spend at least the grant on its workers.
    grants = {r: a for r, a in spec.bantuan.items() if a > 0}
    given = {"apbd_provinsi": sum(grants.values())}  # counted against the province's ceiling and share
    raised = {"apbd_kabkota": sum(grants.values())}  # added to the kab/kota's, whose workers it pays
    budgets = [PayerBudget(p, limit + raised.get(p, 0), fixed=owed.get(p, 0) + given.get(p, 0))
               for p, limit in spec.payer_limits.items()]  # fmt: skip
    budgets += [PayerBudget(f"apbd_kabkota:{r}", limit + grants.get(r, 0), fixed=owed.get(f"apbd_kabkota:{r}", 0))
                for r, limit in spec.kab_limits.items()]  # fmt: skip
    budgets += [PayerBudget(f"apbd_kabkota:{r}", 10**18, fixed=owed.get(f"apbd_kabkota:{r}", 0), floor=a)
                for r, a in grants.items()]  # fmt: skip
    if len(kinds) > 1 and spec.question == "max_coverage" and spec.budget is not None:
        budgets += [PayerBudget(p, math.floor(Decimal(spec.budget) * Decimal(str(spec.shares[p]))) + raised.get(p, 0),
                                fixed=owed.get(p, 0) + given.get(p, 0)) for p in kinds]  # fmt: skip
    elif len(kinds) > 1:  # the least budget: each payer funds about its share of the new workers' cost
        tolerance = max(costs[p] for p in kinds)
        budgets += [PayerBudget(p, tolerance, share=spec.shares[p]) for p in kinds]
    floor = floors(regions, available, spec)
    if spec.floor == "target":  # each kab/kota also replaces the workers expected to lapse
        floor = {r: n + lapses.get(r, 0) for r, n in floor.items()}
    total_floor = region_gap + sum(lapses.values()) if spec.question == "min_budget" and region_gap is not None \
        else None  # fmt: skip
    return Problem(
        units=units.select("unit", "region", "available", "weight", "cost", "payer", "kind", "group", "decile",
                           "desa"),
        budget=spec.budget if spec.question == "max_coverage" else None,
        floors=floor, total_floor=total_floor, payer_budgets=budgets, fixed_cost=fixed,
    )  # fmt: skip


def summary(plan: Plan, spec: Spec, regions: pl.DataFrame, costs: dict[str, int],
            renewals: list[dict[str, Any]] | None = None, lapses: dict[str, int] | None = None) -> dict[str, Any]:
    """The answer: totals in two lines (renewals and new workers), per kab/kota (new workers, renewals, cost
    per payer, coverage before and after less the expected lapses, gap left), per payer place, per group and
    per desa of the listed workers; the problems when the scenario is infeasible."""
    renewals, lapses = renewals or [], lapses or {}
    kinds = payers_of(spec)
    out: dict[str, Any] = {
        "status": plan.status, "method": plan.method, "seconds": round(plan.seconds, 3),
        "unit_cost": costs[kinds[0]] if kinds else 0, "unit_costs": {p: costs[p] for p in kinds},
        "problems": [{"code": p.code, "region": p.region, "needed": p.needed, "possible": p.possible,
                      "unit": p.unit, "message": p.message("id"), "message_en": p.message("en")}
                     for p in plan.problems],
    }  # fmt: skip
    if plan.status != "optimal":
        return out
    alloc = plan.allocation.filter(pl.col("funded") > 0)
    alloc = alloc.with_columns((pl.col("funded") * pl.col("cost")).alias("amount"))
    funded = dict(alloc.group_by("region").agg(pl.col("funded").sum()).iter_rows())
    by_region_payer: dict[str, dict[str, int]] = {}
    for region, kind, amount in alloc.group_by("region", "kind").agg(pl.col("amount").sum()).iter_rows():
        by_region_payer.setdefault(region, {})[kind] = int(amount)
    renewed: dict[str, dict[str, int]] = {}
    for line in renewals:
        mine = renewed.setdefault(line["region"], {"renewals": 0, "renewal_cost": 0})
        mine["renewals"] += line["paid"]
        mine["renewal_cost"] += line["cost"]
        amounts = by_region_payer.setdefault(line["region"], {})
        amounts[line["kind"]] = amounts.get(line["kind"], 0) + line["cost"]
    rows = []
    for r in regions.sort("region").iter_rows(named=True):
        n = int(funded.get(r["region"], 0))
        again = renewed.get(r["region"], {"renewals": 0, "renewal_cost": 0})
        payer_amounts = by_region_payer.get(r["region"], {})
        lost = lapses.get(r["region"], 0)
        after = (r["covered"] or 0) - lost + n
        target = r["target_count"]
        rows.append({
            **r, "funded": n, "new_cost": sum(a for k, a in payer_amounts.items()) - again["renewal_cost"],
            **again, "lapses": lost, "cost": sum(payer_amounts.values()),
            "by_payer": {k: payer_amounts[k] for k in PLAN_PAYERS if k in payer_amounts}, "covered_after": after,
            "rate_after": round(100 * after / r["denominator"], 2) if r["denominator"] else None,
            "gap_after": max(0, target - after) if target is not None else None,
            "met_after": after >= target if target is not None else None,
        })  # fmt: skip
    grants = {r: a for r, a in spec.bantuan.items() if a > 0}
    for row in rows:  # a grant is the province's money spent by the kab/kota
        grant = grants.get(row["region"], 0)
        if grant:
            row["bantuan"] = grant
            row["by_payer"]["apbd_kabkota"] = row["by_payer"].get("apbd_kabkota", 0) - grant
            row["by_payer"]["apbd_provinsi"] = row["by_payer"].get("apbd_provinsi", 0) + grant
            row["by_payer"] = {k: row["by_payer"][k] for k in PLAN_PAYERS if k in row["by_payer"]}
    by_payer: dict[str, int] = {}
    for row in rows:
        for payer, amount in row["by_payer"].items():
            by_payer[payer] = by_payer.get(payer, 0) + amount
    places: dict[str, dict[str, Any]] = {}
    per_place = alloc.group_by("payer", "kind").agg(pl.col("funded").sum(), pl.col("amount").sum())
    for payer, kind, n, amount in per_place.iter_rows():
        places[payer] = {"payer": payer, "kind": kind, "funded": int(n), "new_cost": int(amount), "renewals": 0,
                         "renewal_cost": 0}  # fmt: skip
    for line in renewals:
        place = places.setdefault(line["payer"], {"payer": line["payer"], "kind": line["kind"], "funded": 0,
                                                  "new_cost": 0, "renewals": 0, "renewal_cost": 0})  # fmt: skip
        place["renewals"] += line["paid"]
        place["renewal_cost"] += line["cost"]
    for place in places.values():
        place["cost"] = place["new_cost"] + place["renewal_cost"]
    groups = alloc.group_by("group").agg(pl.col("funded").sum(), pl.col("amount").sum()).sort("group")
    desa = alloc.filter(pl.col("desa").is_not_null()).group_by("desa", "region").agg(pl.col("funded").sum(),
                                                                                      pl.col("amount").sum())
    units = alloc.select("unit", "region", "desa", "group", "decile", "payer", "kind", "funded")
    new_cost = int(alloc["amount"].sum())
    renewal_cost = sum(line["cost"] for line in renewals)
    out.update({
        "allocation": units.sort("unit", "payer").to_dicts(),
        "funded": plan.funded, "new_cost": new_cost, "cost": new_cost + renewal_cost, "by_payer": by_payer,
        "renewals": {"workers": sum(x["workers"] for x in renewals), "lapses": sum(x["lapses"] for x in renewals),
                     "paid": sum(x["paid"] for x in renewals), "cost": renewal_cost},
        "renewal_lines": renewals, "lapses": sum(lapses.values()), "bantuan": grants,
        "payers": sorted(places.values(), key=lambda p: (PLAN_PAYERS.index(p["kind"]), p["payer"])),
        "regions": rows,
        "groups": [{"group": g, "funded": int(n), "cost": int(a)} for g, n, a in groups.iter_rows()],
        "desa": [{"desa": d, "region": r, "funded": int(n), "cost": int(a)}
                 for d, r, n, a in desa.sort("desa").iter_rows()],
    })  # fmt: skip
    return out
