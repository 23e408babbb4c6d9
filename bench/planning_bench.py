"""Budget planning speed, against baselines measured in the same run.

(a) The optimiser alone (pure, in memory) on the model of shared/stack-figures.md 4e: maximise the
    poverty-weighted workers funded with a budget of 20 % of the cost of covering every vulnerable worker
    (Rp 201,600 a worker for a year), each kab/kota funding at least 15 % of its vulnerable workers, never more
    than are there:
    * province: the 3,259 Sumsel villages × 3 groups (9,777 units) in 17 kab/kota — goal well under 1 s;
    * national: 83,762 villages in 514 kab/kota floors — goal under 3 s;
    plus the inverse question (least budget for 30 % of everyone) on both.
    Baseline: a greedy numpy allocation (best weight per rupiah first while the budget lasts, floors ignored).
(b) ``services.run`` end to end on a database (SQLite by default, ``--postgres``) holding ``--rows``
    participants and the demo story: coverage figures, candidate pool, unit cost, solve, summary — a province
    and a kabupaten, cold cache. Baseline: the cold coverage answer the plan starts from.

    .venv/bin/python bench/planning_bench.py [--rows 1000000] [--postgres] [--skip-service] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchdb import drop_database, setup_database, timed

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
COST = 16_800 * 12
GOALS = {"province": 1.0, "national": 3.0}


def synthetic_units(villages: int, regions: int, groups: int, seed: int) -> Any:
    """Units (village × group) with lognormal vulnerable counts, a poverty decile and a region each."""
    import polars as pl

    rng = np.random.default_rng(seed)
    n = villages * groups
    region = np.sort(rng.integers(0, regions, villages)).repeat(groups)
    return pl.DataFrame({
        "unit": np.arange(n).astype(str), "region": region.astype(str),
        "available": np.maximum(1, rng.lognormal(4.0, 0.9, n)).astype(np.int64),
        "weight": (11 - rng.integers(1, 11, n)).astype(np.float64), "cost": np.full(n, COST, dtype=np.int64),
    })  # fmt: skip


def greedy(units: Any, budget: int) -> int:
    """Baseline: best weight per rupiah first while the budget lasts (floors ignored)."""
    order = np.argsort(-(units["weight"].to_numpy() / units["cost"].to_numpy()), kind="stable")
    avail, cost = units["available"].to_numpy()[order], units["cost"].to_numpy()[order]
    spend = np.cumsum(avail * cost)
    full = spend <= budget
    funded = int(avail[full].sum())
    rest = budget - (int(spend[full][-1]) if full.any() else 0)
    return funded + (rest // int(cost[~full][0]) if (~full).any() else 0)


def bench_optimiser(args: argparse.Namespace) -> list[dict[str, Any]]:
    import polars as pl

    from ucj.planning.optimiser import Problem, maximise_coverage, minimise_cost

    cases = {"province": synthetic_units(3_259, 17, 3, 16), "national": synthetic_units(83_762, 514, 1, 0)}
    rows = []
    for name, units in cases.items():
        total = int(units["available"].sum())
        budget = total * COST // 5
        per_region = units.group_by("region").agg(pl.col("available").sum().alias("n"))
        floors = {r: -(-15 * n // 100) for r, n in per_region.iter_rows()}
        problem = Problem(units, budget=budget, floors=floors)
        base, base_funded = timed(lambda u=units, b=budget: greedy(u, b), args.repeat)
        forward, plan = timed(lambda p=problem: maximise_coverage(p), args.repeat)
        inverse, least = timed(lambda u=units, t=total: minimise_cost(Problem(u, total_floor=3 * t // 10)), args.repeat)
        rows.append({"case": name, "units": units.height, "floors": len(floors), "budget": budget,
                     "baseline_s": base, "baseline_funded": base_funded, "forward_s": forward,
                     "funded": plan.funded, "method": plan.method, "status": plan.status,
                     "inverse_s": inverse, "least_budget": least.cost, "inverse_method": least.method,
                     "goal_s": GOALS[name]})  # fmt: skip
    print(f"\nOptimiser alone (median of {args.repeat}; {os.cpu_count()} CPUs)\n")
    print(f"{'case':9} {'units':>7} {'floors':>6} {'greedy s':>9} {'forward s':>9} {'× greedy':>8} {'method':>6} "
          f"{'inverse s':>9} {'funded':>10} {'goal':>8}")  # fmt: skip
    for r in rows:
        ok = "met" if max(r["forward_s"], r["inverse_s"]) < r["goal_s"] else "MISSED"
        print(f"{r['case']:9} {r['units']:>7,} {r['floors']:>6} {r['baseline_s']:>9.3f} {r['forward_s']:>9.3f} "
              f"{r['forward_s'] / r['baseline_s']:>8.1f} {r['method']:>6} {r['inverse_s']:>9.3f} {r['funded']:>10,} "
              f"{ok:>8}")  # fmt: skip
    return rows


def bench_service(args: argparse.Namespace) -> dict[str, Any]:
    import coverage_bench

    db_name = setup_database(args.postgres, "planbench")
    try:
        from django.db import connection

        for label, secs in coverage_bench.fill(args.rows).items():
            print(f"  {label}: {secs:.1f} s", file=sys.stderr)
        from ucj.coverage.services import bump_version, coverage, latest_month
        from ucj.planning import services
        from ucj.planning.scenario import Spec

        def cold(fn: Any) -> Any:
            def run() -> Any:
                bump_version()
                return fn()

            return run

        as_of = latest_month()
        base, _ = timed(cold(lambda: coverage("16", by="kabkota", as_of=as_of)), args.repeat)
        shares = {"apbd_provinsi": 0.6, "apbd_kabkota": 0.4}
        cases = {
            "province, Rp 20 bn, 60/40": Spec(region="16", year=2025, budget=20 * 10**9, shares=shares),
            "province, least budget for 50 %": Spec(region="16", year=2025, question="min_budget", shares=shares),
            "kabupaten 16.06, Rp 2 bn": Spec(region="16.06", year=2025, budget=2 * 10**9),
        }
        rows = []
        for label, spec in cases.items():
            secs, result = timed(cold(lambda s=spec: services.run(s)), args.repeat)
            rows.append({"case": label, "seconds": secs, "status": result["status"], "funded": result.get("funded"),
                         "units": result["available"], "solve_s": result["seconds"]})  # fmt: skip
        services.run(cases["province, Rp 20 bn, 60/40"])  # the data of the province, read once
        budgets = iter(range(21, 21 + args.repeat))
        secs, result = timed(lambda: services.run(Spec(region="16", year=2025, budget=next(budgets) * 10**9,
                                                       shares=shares)), args.repeat)  # fmt: skip
        rows.append({"case": "province, next budget (same data)", "seconds": secs, "status": result["status"],
                     "funded": result.get("funded"), "units": result["available"],
                     "solve_s": result["seconds"]})  # fmt: skip
        vendor = connection.vendor
    finally:
        drop_database(db_name)
    print(f"\nservices.run end to end, {vendor}, {args.rows:,} participants + demo story (cold cache, median of "
          f"{args.repeat}); baseline: cold coverage of the province by kab/kota {base * 1000:.0f} ms\n")  # fmt: skip
    print(f"{'case':34} {'seconds':>8} {'solve s':>8} {'× base':>7} {'funded':>10} {'status':>10}")
    for r in rows:
        print(f"{r['case']:34} {r['seconds']:>8.3f} {r['solve_s']:>8.3f} {r['seconds'] / base:>7.1f} "
              f"{r['funded'] or 0:>10,} {r['status']:>10}")  # fmt: skip
    return {"vendor": vendor, "rows": args.rows, "baseline_s": base, "cases": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="participants for the service benchmark")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--skip-service", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"optimiser": bench_optimiser(args)}
    if not args.skip_service:
        results["service"] = bench_service(args)
    OUT.mkdir(parents=True, exist_ok=True)
    name = "planning-postgresql.json" if args.postgres else "planning.json"
    (OUT / name).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - started:.0f} s in all)", file=sys.stderr)
