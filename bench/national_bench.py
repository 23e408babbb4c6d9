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
* facts rebuild: ``coverage.services.rebuild_facts()`` as ``ucj coverage rebuild`` runs it without a worker
  (``UCJ_COVERAGE_PRECOMPUTE`` inline: the new version's 1,104 answers prepared from the facts in memory before
  it returns), its phases (participants read, ``registry_facts``, ``roll_up``, the table rewritten) and the
  preparation timed apart; then the worker's path, ``prepare_and_publish()`` reading the facts back —
  baselines: ``COUNT(*)`` of the participants, and one Polars ``group_by(kecamatan, segment, ecosystem,
  payer).len()`` of the same rows in memory. Afterwards ``UCJ_COVERAGE_PRECOMPUTE=worker``: a data change queues
  the preparation (no worker runs here);
* province dashboard: ``coverage.services.coverage_json(P, by="kabkota")`` (what ``GET /api/v1/coverage``
  returns) for the province P with most participants, cold (the version record deleted: a new version nobody
  prepared, what a drill-down meets right after a change) and warm — baseline: ``COUNT(*)`` of P's
  participants by the desa-code range (``in_region``);
* budget plan: ``planning.services.run(Spec(region=P, …))`` cold and for the next budget — baseline: the cold
  coverage answer the plan starts from;
* national plan: ``Spec(region="nasional")``, APBN, a 5 % floor in each of the 514 kab/kota, over every village:
  cold, right after a preparation and for the next budget — baseline: the national grouped candidate count
  alone;
* index-bound reads: a NIK lookup and a first page of a village's participants, with their plans, and the
  ``EXPLAIN`` of the queries docs/scale.md lists.

    .venv/bin/python bench/national_bench.py [--rows 20000000] [--slice 2000000] [--load-budget 480]
        [--repeat 3] [--keep] [--database NAME [--rebuild-only]]

``--keep`` leaves the database; ``--database NAME`` measures the dashboard, plans and reads on such a kept (or
otherwise loaded) database, skipping load and rebuild (``--rebuild-only``: the rebuild alone, with its phases),
and drops it at the end unless ``--keep``.

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
    ap.add_argument("--rebuild-only", action="store_true", help="with --database: time the facts rebuild only")
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
        suffix = "-rebuild" if args.rebuild_only else "-reuse" if args.database else ""
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

    if args.database and args.rebuild_only:
        out["rebuild_facts"] = rebuild(args)
        return
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


def rebuild(args: argparse.Namespace) -> dict[str, Any]:
    """``rebuild_facts()`` as ``ucj coverage rebuild`` runs it without a worker (``UCJ_COVERAGE_PRECOMPUTE``
    inline: the new version's default answers are prepared in the same process, from the facts in memory, before
    it returns), with the preparation timed apart; then the worker's path, a preparation reading the facts back
    from the database (``prepare_and_publish()``, what ``publish_coverage`` runs)."""
    from django.conf import settings
    from django.core.cache import cache

    from ucj.coverage import services

    real = services.prepare_and_publish
    prepared: dict[str, Any] = {}

    def timed_prepare(*a: Any, **kw: Any) -> bool:
        t = time.perf_counter()
        done = real(*a, **kw)
        prepared.update(s=time.perf_counter() - t, published=done, from_memory=kw.get("facts") is not None)
        return done

    phases: dict[str, float] = {}
    wrapped = {name: getattr(services, name) for name in ("_participants", "registry_facts", "roll_up", "_replace_all")}

    def phase(name: str, fn: Any) -> Any:
        def call(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t

        return call

    settings.UCJ_COVERAGE_PRECOMPUTE = "inline"
    services.prepare_and_publish = timed_prepare
    for name, fn in wrapped.items():
        setattr(services, name, phase(name, fn))
    try:
        t = time.perf_counter()
        facts = services.rebuild_facts()
        total = time.perf_counter() - t
    finally:
        services.prepare_and_publish = real
        for name, fn in wrapped.items():
            setattr(services, name, fn)
        settings.UCJ_COVERAGE_PRECOMPUTE = "worker"
    version = services.published()
    answers = len(cache.get(services._keys_key(version["id"])) or []) // 2
    result = {"s": total, "facts": facts, "prepare_inline": prepared, "facts_only_s": total - prepared.get("s", 0),
              "answers_prepared": answers, "defaults": len(services.default_answers()), "phases": phases}  # fmt: skip
    log(f"rebuild_facts: {facts:,} facts, {total:.1f} s in all, of which preparing {answers} answers"
        f" {prepared.get('s', 0):.1f} s (from memory: {prepared.get('from_memory')}); phases"
        f" {({k: round(v, 1) for k, v in phases.items()})}")
    t = time.perf_counter()
    result["prepare_from_database_s"] = (real(), time.perf_counter() - t)[1]
    log(f"prepare_and_publish from the database (the worker's path): {result['prepare_from_database_s']:.1f} s")
    return result


def measure(args: argparse.Namespace, out: dict[str, Any], frame: Any) -> None:
    import polars as pl
    from django.core.cache import cache
    from django.db import connection

    from ucj.coverage.cache import VERSION_KEY
    from ucj.coverage.services import coverage, coverage_json, latest_month
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
    if frame is not None:
        out["rebuild_facts"] = rebuild(args)
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
        """``fn`` on a version nobody prepared (the published record deleted: a new random version)."""

        def call() -> Any:
            cache.delete(VERSION_KEY)
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

    # The national plan: every village's candidates, 514 kab/kota floors, APBN paying. Cold = a version nobody
    # prepared (the 38 province answers are computed on demand), then prepared (the state after a data change:
    # the worker prepared every province's answer), then the next budget on the same data.
    nat = Spec(region=planning.NATIONAL, year=as_of.year + 1, budget=500 * 10**9, shares={"apbn": 1.0},
               floor="share", floor_share=5.0)  # fmt: skip
    start = dt.date(nat.year, 1, 1)
    out["national_baseline_candidates_s"], pool = timed(
        lambda: planning._candidate_counts(planning.NATIONAL, start), 1)  # fmt: skip
    out["national_plan_cold_s"], national = timed(cold(lambda: planning.run(nat)), 1)
    services_prepare()
    out["national_plan_prepared_s"], _ = timed(lambda: planning.run(nat), 1)
    nat2 = Spec.from_dict({**nat.as_dict(), "budget": 250 * 10**9})
    out["national_plan_warm_s"], national2 = timed(lambda: planning.run(nat2), args.repeat)
    out["national_plan"] = {
        "funded": national.get("funded"), "available": national.get("available"), "status": national.get("status"),
        "floors": len(national.get("regions", [])), "villages": int(pool["desa"].n_unique()),
        "candidate_rows": pool.height, "funded_next_budget": national2.get("funded"), "spec": nat.as_dict(),
    }
    log(f"national plan: candidates alone {out['national_baseline_candidates_s']:.1f} s, cold"
        f" {out['national_plan_cold_s']:.1f} s, prepared {out['national_plan_prepared_s']:.1f} s, next budget"
        f" {out['national_plan_warm_s']:.1f} s — {out['national_plan']}")

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
        cur.execute("SELECT pg_total_relation_size('registry_participant'), pg_database_size(current_database()),"
                    " pg_total_relation_size('coverage_coveragefact')")
        out["participant_bytes"], out["database_bytes"], out["facts_bytes"] = cur.fetchone()
    out["explain"] = explain(province, desa, as_of)
    for label, plan in out["explain"].items():
        log(f"EXPLAIN {label}: {plan}")


def services_prepare() -> None:
    from ucj.coverage.services import prepare_and_publish

    prepare_and_publish()


def explain(province: str, desa: str, as_of: dt.date) -> dict[str, str]:
    """The plans of the queries that must stay index-bound (docs/scale.md), on the national data."""
    from django.db import connection
    from django.db.models import Count

    from ucj.coverage.indicator import detail_months
    from ucj.coverage.models import CoverageFact
    from ucj.coverage.services import child_regions
    from ucj.planning.services import _not_covered
    from ucj.regions.models import in_region
    from ucj.registry.models import Participant

    regions = [province, *child_regions(province, "kabkota")]
    kecamatan = desa[:8]
    queries = {
        "dashboard facts (province + kab/kota, detail months)": CoverageFact.objects.filter(
            region__in=regions, month__lte=as_of, month__in=detail_months(as_of)).order_by(),
        "default answers probe": None,
        "kecamatan refresh read": Participant.objects.filter(in_region("desa_id", kecamatan, villages_only=True))
            .order_by().values_list("desa_id", "segment", "ecosystem", "payer", "coverage_start", "paid_through"),
        "plan candidates of the province (grouped)": _not_covered(province, dt.date(as_of.year + 1, 1, 1))
            .values("desa_id", "village_role", "occupation", "ecosystem", "poverty_decile").annotate(n=Count("id")),
    }  # fmt: skip
    out = {}
    for label, qs in queries.items():
        if qs is None:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN SELECT 1 FROM coverage_coveragefact WHERE region = %s LIMIT 1", [province])
                out[label] = " / ".join(r[0].strip() for r in cur.fetchall()[:3])
            continue
        out[label] = " / ".join(line.strip() for line in qs.explain().splitlines()[:4])
    return out


if __name__ == "__main__":
    main()
