"""A synthetic national registry on PostgreSQL (issue 17 §5), against baselines measured in the same run.

Creates a fresh database (``ucj_national_<pid>`` on UCJ_BENCH_POSTGRES, dropped at the end), migrates it and
loads the regions of every province (``load_regions(None)``, what ``ucj regions load --all`` runs). Then N
participants (default 20,000,000) spread uniformly over all 83,762 villages are made in Polars (the frame of
``coverage_bench.participants``: segment, ecosystem, payer, start and paid-through months over 2024-2025),
sorted by village (as imports arrive: region by region) and loaded by ``COPY`` in slices of ``--slice`` rows
into the migrated table with all its indexes. Loading stops early when ``--load-budget`` seconds are spent;
the figures then say how many rows were reached.

Timed (each beside its baseline):

* load: rows/s of the ``COPY`` slices (the last slice's rate shows whether it degrades as the indexes grow);
* facts rebuild: ``coverage.services.rebuild_facts()`` (``ucj coverage rebuild``) — baselines: ``COUNT(*)`` of
  the participants, and one Polars ``group_by(kecamatan, segment, ecosystem, payer).len()`` of the same rows
  in memory;
* province dashboard: ``coverage.services.coverage_json(P, by="kabkota")`` (what ``GET /api/v1/coverage``
  returns) for the province P with most participants, cold (the version record deleted: a new version nobody
  prepared, what a drill-down meets right after a change) and warm — baseline: ``COUNT(*)`` of P's
  participants by the desa-code range (``in_region``). ``UCJ_COVERAGE_PRECOMPUTE=worker`` is set so a data
  change queues the preparation of all 552 default answers instead of running it inline (no worker runs here);
  so ``rebuild_facts`` is timed without it (the run of 2026-11-30 still prepared inline: see bench/README.md);
* budget plan: ``planning.services.run(Spec(region=P, …))`` — a plan takes a province or a kab/kota
  (``check_region``: level ≤ 2), there is no national plan, so the largest province stands in — baseline: the
  cold coverage answer the plan starts from;
* index-bound reads: a NIK lookup and a first page of a village's participants, with their plans.

    .venv/bin/python bench/national_bench.py [--rows 20000000] [--slice 2000000] [--load-budget 480]
        [--repeat 3] [--keep] [--database NAME]

``--keep`` leaves the database; ``--database NAME`` measures the dashboard, plan and reads on such a kept (or
otherwise loaded) database, skipping load and rebuild, and drops it at the end unless ``--keep``.

Writes bench/out/national-postgresql.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import PG_BASE, timed  # noqa: E402


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--slice", type=int, default=2_000_000)
    ap.add_argument("--load-budget", type=float, default=480.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the database (default: drop it)")
    ap.add_argument("--database", help="measure on this existing, loaded database (skips load and rebuild)")
    args = ap.parse_args()

    import psycopg

    name = args.database or f"ucj_national_{os.getpid()}"
    if not args.database:
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    # A data change queues the preparation of the default answers for the worker (none runs here) instead of
    # preparing all 552 province and kab/kota answers inline: "cold" below is one answer computed on demand.
    os.environ.setdefault("UCJ_COVERAGE_PRECOMPUTE", "worker")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ucj.settings"
    os.environ["UCJ_DATA_DIR"] = tempfile.mkdtemp(prefix="ucj-national-")
    os.environ["DATABASE_URL"] = PG_BASE.rsplit("/", 1)[0] + "/" + name
    out: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                           "load_start": os.getloadavg(), "cpus": os.cpu_count()}  # fmt: skip
    try:
        run(args, out)
    finally:
        out["load_end"] = os.getloadavg()
        OUT.mkdir(exist_ok=True)
        suffix = "-reuse" if args.database else ""
        (OUT / f"national-postgresql{suffix}.json").write_text(json.dumps(out, indent=2, default=str))
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(PG_BASE, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            log(f"dropped {name}")
    print(json.dumps(out, indent=2, default=str))


def run(args: argparse.Namespace, out: dict[str, Any]) -> None:
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    import coverage_bench
    from ucj.bulk import insert_frame
    from ucj.regions.models import Region
    from ucj.regions.services import load_regions

    if args.database:
        measure(args, out, None)
        return
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    out["migrate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    load_regions(None)
    out["regions_s"] = time.perf_counter() - t
    levels = dict(Region.objects.values_list("level").annotate(n=django.db.models.Count("code")).order_by())
    out["regions"] = {str(k): v for k, v in sorted(levels.items())}
    log(f"migrated {out['migrate_s']:.1f} s, regions {out['regions']} in {out['regions_s']:.1f} s")

    desas = list(Region.objects.filter(level=4).values_list("code", flat=True))
    t = time.perf_counter()
    people = coverage_bench.participants(args.rows, desas, 17, dt.date(2024, 1, 1), 24).sort("desa_id")
    i = pl.int_range(0, args.rows, eager=True)
    frame = people.with_columns(
        (pl.col("desa_id").str.slice(0, 2) + (i + 10**14).cast(pl.String).str.slice(1)).alias("nik"),
        pl.lit("Peserta Sintetis").alias("name"), pl.lit(1_500_000).alias("income"),
        pl.lit(True).alias("jkk"), pl.lit(True).alias("jkm"), pl.lit(False).alias("jht"), pl.lit(False).alias("jp"),
        pl.lit(False).alias("jkp"),
    )  # fmt: skip
    del people
    out["generate_s"] = time.perf_counter() - t
    log(f"made {args.rows:,} participants in {out['generate_s']:.1f} s ({frame.estimated_size('mb'):,.0f} MB)")

    slices: list[dict[str, Any]] = []
    loaded, started = 0, time.perf_counter()
    while loaded < args.rows and time.perf_counter() - started < args.load_budget:
        part = frame.slice(loaded, args.slice)
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            insert_frame(cur, "registry_participant", part)
        secs = time.perf_counter() - t
        loaded += part.height
        slices.append({"rows": part.height, "s": secs, "rows_per_s": part.height / secs})
        log(f"COPY {loaded:,} rows ({part.height / secs:,.0f} rows/s for this slice)")
    out["load"] = {"rows": loaded, "s": time.perf_counter() - started, "slices": slices,
                   "reached_goal": loaded >= args.rows}  # fmt: skip
    frame = frame.head(loaded)
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_participant")
    out["analyze_s"] = time.perf_counter() - t

    measure(args, out, frame)


def measure(args: argparse.Namespace, out: dict[str, Any], frame: Any) -> None:
    import polars as pl
    from django.db import connection

    from ucj.coverage.services import bump_version, coverage, coverage_json, latest_month, rebuild_facts
    from ucj.planning import services as planning
    from ucj.planning.scenario import Spec
    from ucj.regions.models import Region, in_region
    from ucj.registry.models import Participant

    if frame is None:  # --database: the province with most participants, a NIK and a village from SQL
        with connection.cursor() as cur:
            cur.execute("SELECT left(desa_id, 2), COUNT(*) FROM registry_participant GROUP BY 1 ORDER BY 2 DESC")
            counts = cur.fetchall()
            cur.execute("SELECT nik, desa_id FROM registry_participant WHERE id = %s", [sum(n for _, n in counts) // 2])
            sample = cur.fetchone()

    def count_all() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM registry_participant")
            return int(cur.fetchone()[0])

    def polars_groups() -> int:
        return frame.group_by(pl.col("desa_id").str.slice(0, 8), "segment", "ecosystem", "payer").len().height

    out["baseline_count_s"], _ = timed(count_all, args.repeat)
    out["baseline_polars_group_by_s"], _ = timed(polars_groups, args.repeat) if frame is not None else (None, 0)
    log(f"baselines: COUNT(*) {out['baseline_count_s']:.2f} s, Polars group_by {out['baseline_polars_group_by_s']} s")

    loaded = frame.height if frame is not None else 0
    if args.database:
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM coverage_coveragefact")
            out["facts_present"] = cur.fetchone()[0]
    t = time.perf_counter()
    if frame is not None:
        facts = rebuild_facts()
        out["rebuild_facts"] = {"s": time.perf_counter() - t, "facts": facts}
        log(f"rebuild_facts: {facts:,} facts in {out['rebuild_facts']['s']:.1f} s")
        by_province = frame.group_by(pl.col("desa_id").str.slice(0, 2).alias("p")).len().sort("len", descending=True)
        province, people_p = by_province.row(0)
        nik, desa = frame["nik"][loaded // 2], frame["desa_id"][loaded // 2]
    else:
        province, people_p = counts[0]
        nik, desa = sample
    villages_p = Region.objects.filter(level=4, code__startswith=f"{province}.").count()
    out["province"] = {"code": province, "participants": people_p, "villages": villages_p}
    as_of = latest_month()

    def count_province() -> int:
        return Participant.objects.filter(in_region("desa_id", province, villages_only=True)).count()

    def cold(fn: Any) -> Any:
        def call() -> Any:
            bump_version()
            return fn()

        return call

    out["baseline_province_count_s"], _ = timed(count_province, args.repeat)
    out["dashboard_cold_s"], _ = timed(cold(lambda: coverage_json(province, by="kabkota", as_of=as_of)), args.repeat)
    out["dashboard_warm_s"], _ = timed(lambda: coverage_json(province, by="kabkota", as_of=as_of), args.repeat)
    log(f"province {province} ({people_p:,} people, {villages_p:,} villages):"
        f" COUNT {out['baseline_province_count_s']:.2f} s,"
        f" dashboard cold {out['dashboard_cold_s']:.2f} s, warm {out['dashboard_warm_s'] * 1000:.1f} ms")

    out["plan_baseline_cold_coverage_s"], _ = timed(cold(lambda: coverage(province, by="kabkota", as_of=as_of)),
                                                    args.repeat)  # fmt: skip
    spec = Spec(region=province, year=as_of.year + 1, budget=50 * 10**9)
    out["plan_cold_s"], result = timed(cold(lambda: planning.run(spec)), args.repeat)
    out["plan_warm_s"], _ = timed(lambda: planning.run(spec), args.repeat)
    out["plan"] = {"funded": result.get("funded"), "available": result.get("available"), "spec": spec.as_dict()}
    log(f"plan {province}: cold {out['plan_cold_s']:.1f} s, warm data {out['plan_warm_s']:.1f} s,"
        f" funded {result.get('funded')}")

    reads = {
        "nik lookup": ("SELECT id FROM registry_participant WHERE nik = %s", [nik]),
        "village page (50)": ("SELECT id, nik, name FROM registry_participant WHERE desa_id >= %s AND desa_id < %s "
                              "ORDER BY desa_id, id LIMIT 50", [desa, desa + "~"]),
    }  # fmt: skip
    out["reads"] = {}
    with connection.cursor() as cur:
        for label, (sql, params) in reads.items():
            def q(sql: str = sql, params: list[str] = params) -> Any:
                cur.execute(sql, params)
                return cur.fetchall()

            secs, _ = timed(q, 5)
            cur.execute("EXPLAIN " + sql, params)
            plan = " / ".join(r[0].strip() for r in cur.fetchall()[:3])
            out["reads"][label] = {"ms": secs * 1000, "plan": plan}
            log(f"{label}: {secs * 1000:.2f} ms — {plan}")
        cur.execute("SELECT pg_total_relation_size('registry_participant'), pg_database_size(current_database())")
        out["participant_bytes"], out["database_bytes"] = cur.fetchone()


if __name__ == "__main__":
    main()
