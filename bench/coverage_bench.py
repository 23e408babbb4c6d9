"""Coverage speed, against baselines measured in the same run.

**rebuild**: the full facts recompute of ``ucj coverage rebuild`` without the database: ``registry_facts(level=3)``
+ ``roll_up`` over N synthetic participants (default 20,000,000) in a Polars frame made with NumPy, desa codes
from the real Sumsel village list (``iter_reference("16")``), 24 months. Goal: under 10 s. Baseline: one
Polars ``group_by(kecamatan, segment, ecosystem, payer).len()`` over the same frame.

**api**: dashboard API latency. A fresh database (SQLite; ``--postgres`` uses UCJ_BENCH_POSTGRES, created and
dropped) with ``--api-rows`` participants (default 1,000,000, bulk-inserted with ``ucj.bulk.insert_frame``),
the demo story's denominators, targets and 2024 feed (``ucj.demo.loader.load_story``) and ``rebuild_facts()``;
served by waitress in a subprocess (this script with ``--serve``, the same WSGI application ``ucj serve``
runs). ``--clients`` (16) client threads with keep-alive connections and a Bearer token of a provinsi user
hit ``GET /api/v1/coverage?region=R`` for a mix of regions (the province, each kab/kota: the answers
dashboards open on) for ``--duration`` seconds:

* baseline: the same clients on ``GET /api/v1/contributions/rules?code=PU.JKM`` (token check + a tiny query):
  the floor of server, auth and HTTP;
* warm: every answer already cached;
* after change: another process (this script with ``--change``, standing in for the background worker)
  refreshes the facts of a random kecamatan every ``--change-every`` seconds (``refresh_facts``, what an import
  or a payment does): each change prepares every default answer of a new version and then publishes it, so
  the clients always ask right after a change;
* after change + drill-downs: the same, the mix also asking ``--desa-kecamatan`` kecamatan by desa (not
  prepared: the first request after each change computes them, single flight);
* before (invalidate on change): what a change did before issue 17 §1, an unprepared new version before each
  request, so every request computes (a reference, not a goal).

The server counts the answers it computes in each mode. Goal: p95 of every mode within 1.3× the baseline's p95
(issue 17 §1). Percentiles are per request, over all clients.

    .venv/bin/python bench/coverage_bench.py [--rows 20000000] [--api-rows 1000000] [--postgres]
        [--skip-rebuild] [--skip-api] [--duration 20] [--clients 16] [--threads 8] [--change-every 3]

Writes bench/out/coverage-<database>.json (a part skipped keeps its earlier figures). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from benchdb import drop_database, setup_database, timed

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

SEGMENTS = (["PU", "BPU", "JAKON", "PMI"], [0.45, 0.45, 0.08, 0.02])
ECOSYSTEMS = (["desa", "pasar", "umkm", "rentan", "lainnya"], [0.2, 0.1, 0.1, 0.15, 0.45])
PAYERS = (["mandiri", "employer", "apbd_kabkota", "apbd_provinsi", "apbdes", ""], [0.3, 0.4, 0.1, 0.05, 0.05, 0.1])
GOAL_REBUILD_S = 10.0
GOAL_P95_RATIO = 1.3  # every mode's p95 within this multiple of the baseline's p95 (issue 17 §1)


def sumsel_villages() -> list[str]:
    from ucj.regions.reference import iter_reference

    return [r.code for r in iter_reference("16") if r.level == 4]


def participants(n: int, villages: list[str], seed: int, first: dt.date, months: int) -> Any:
    """N participants: a village, segment, ecosystem, payer, a start month (10 % unknown) and a paid-through
    month (5 % never paid) spread over ``months`` months from six months before ``first``."""
    import polars as pl

    rng = np.random.default_rng(seed)

    def pick(values: tuple[list[str], list[float]]) -> pl.Series:
        return pl.Series(values[0]).gather(rng.choice(len(values[0]), n, p=values[1]))

    base = first.year * 12 + first.month - 1 - 6
    start = base + rng.integers(0, months + 6, n)
    paid = start + np.minimum(rng.geometric(0.08, n) - 1, 48)
    frame = pl.DataFrame({
        "desa_id": pl.Series(villages).gather(rng.integers(0, len(villages), n)),
        "segment": pick(SEGMENTS), "ecosystem": pick(ECOSYSTEMS), "payer": pick(PAYERS),
        "s": start.astype(np.int32), "p": paid.astype(np.int32),
        "no_start": rng.random(n) < 0.10, "never_paid": rng.random(n) < 0.05,
    })  # fmt: skip
    return frame.select(
        "desa_id", "segment", "ecosystem", "payer",
        pl.when(~pl.col("no_start")).then(pl.date(pl.col("s") // 12, pl.col("s") % 12 + 1, 1)).alias("coverage_start"),
        pl.when(~pl.col("never_paid")).then(pl.date(pl.col("p") // 12, pl.col("p") % 12 + 1, 1)).alias("paid_through"),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- rebuild


def bench_rebuild(args: argparse.Namespace) -> dict[str, Any]:
    import polars as pl

    from ucj.coverage.facts import registry_facts, roll_up

    first, last = dt.date(2024, 1, 1), dt.date(2025, 12, 1)
    started = time.perf_counter()
    frame = participants(args.rows, sumsel_villages(), 2024, first, 24)
    made = time.perf_counter() - started
    print(f"made {args.rows:,} participants in {made:.1f} s ({frame.estimated_size('mb'):,.0f} MB)", file=sys.stderr)

    def baseline() -> int:
        return frame.group_by(pl.col("desa_id").str.slice(0, 8), "segment", "ecosystem", "payer").len().height

    def kecamatan() -> pl.DataFrame:
        return registry_facts(frame, first, last, 3, level=3)

    def full() -> pl.DataFrame:
        return roll_up(registry_facts(frame, first, last, 3, level=3))

    base_s, groups = timed(baseline, args.repeat)
    kec_s, _ = timed(kecamatan, args.repeat)
    full_s, facts = timed(full, args.repeat)
    rows = [
        ("BASELINE: group_by(kecamatan, segment, ecosystem, payer).len()", base_s, groups),
        ("registry_facts(level=3)", kec_s, None),
        ("registry_facts(level=3) + roll_up (full rebuild, in memory)", full_s, facts.height),
    ]
    print(f"\nFacts rebuild in memory, {args.rows:,} participants, {first:%Y-%m}..{last:%Y-%m}, "
          f"median of {args.repeat}; {os.cpu_count()} CPUs\n")  # fmt: skip
    print(f"{'case':66} {'seconds':>8} {'× baseline':>10} {'out rows':>10}")
    for label, secs, out in rows:
        print(f"{label:66} {secs:>8.3f} {secs / base_s:>10.2f} {out or '':>10}")
    verdict = "PASS" if full_s < GOAL_REBUILD_S else "MISS"
    print(f"\n{verdict}  full rebuild under {GOAL_REBUILD_S:.0f} s: {full_s:.2f} s")
    by_level = facts.group_by("level").len().sort("level").rows()
    return {"participants": args.rows, "months": 24, "facts_by_level": by_level, "goal": verdict,
            "cases": [{"case": label, "seconds": round(secs, 4), "ratio": round(secs / base_s, 3)}
                      for label, secs, _ in rows]}  # fmt: skip


# ------------------------------------------------------------------------------------------- api


def fill(rows: int) -> dict[str, float]:
    """Participants (coverage mostly in 2024, like the demo), the demo story and the facts."""
    import polars as pl
    from django.db import connection, transaction

    from ucj.bulk import insert_frame
    from ucj.coverage.services import rebuild_facts
    from ucj.demo.loader import load_story
    from ucj.regions.models import Region

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    desas = list(Region.objects.filter(level=4, code__startswith="16.").values_list("code", flat=True))
    people = participants(rows, desas, 7, dt.date(2024, 1, 1), 12)
    i = pl.int_range(0, rows, eager=True)
    frame = people.with_columns(
        (pl.lit("16") + (i + 10**13).cast(pl.String).str.slice(1)).alias("nik"),
        pl.lit("Peserta Sintetis").alias("name"), pl.lit(1_500_000).alias("income"),
        pl.lit(True).alias("jkk"), pl.lit(True).alias("jkm"), pl.lit(False).alias("jht"), pl.lit(False).alias("jp"),
        pl.lit(False).alias("jkp"),
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cur:
        insert_frame(cur, "registry_participant", frame)
    seconds["insert participants"] = time.perf_counter() - started
    started = time.perf_counter()
    load_story(feed_user=None)
    seconds["demo story (workforce, targets, feed import)"] = time.perf_counter() - started
    started = time.perf_counter()
    facts = rebuild_facts()
    seconds[f"rebuild_facts ({facts:,} rows)"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return seconds


def serve_main(port: int, threads: int) -> None:
    """The server subprocess: the WSGI application ``ucj serve`` runs, under waitress. A request with header
    ``X-Bench-Cold: 1`` first publishes an unprepared version (the cache invalidation a change did before
    issue 17 §1); ``GET /__bench/computed`` answers how many coverage answers this process has computed."""
    import logging

    import django

    django.setup()
    from waitress import serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth": 16 clients > threads

    from ucj.coverage import services
    from ucj.wsgi import application

    computed = [0]
    real = services._compute

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed[0] += 1
        return real(*args, **kwargs)

    services._compute = counting  # type: ignore[assignment]

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/__bench/computed":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(computed[0]).encode()]
        if environ.get("HTTP_X_BENCH_COLD") == "1":
            services._write_version(services._record(uuid.uuid4().hex))
        return application(environ, start_response)

    serve(app, host="127.0.0.1", port=port, threads=threads, ident="ucj-bench", _quiet=True)


def change_main(every: float, duration: float, out: str) -> None:
    """The changer subprocess (the background worker's part): every ``every`` seconds refresh the facts of one
    random kecamatan (``refresh_facts``; its commit prepares and publishes a new version in this process, no
    worker running) until ``duration`` has passed; writes how long each change took to ``out``."""
    import django

    os.environ["UCJ_COVERAGE_PRECOMPUTE"] = "inline"
    django.setup()
    from ucj.coverage.services import default_answers, refresh_facts
    from ucj.coverage.tasks import lower_priority
    from ucj.regions.models import Region

    lower_priority()  # as the worker does for its preparation jobs (UCJ_COVERAGE_PREPARE_NICE)

    villages = list(Region.objects.filter(level=4, code__startswith="16.").values_list("code", flat=True))
    rng = random.Random(17)
    seconds: list[float] = []
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        refresh_facts([rng.choice(villages)])  # commit → prepare every default answer → publish
        seconds.append(time.perf_counter() - started)
        time.sleep(max(0.0, every - seconds[-1]))
    Path(out).write_text(json.dumps({"changes": len(seconds), "answers": len(default_answers()),
                                     "seconds": [round(x, 3) for x in seconds]}))  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def run_clients(port: int, urls: list[tuple[str, str]], headers: dict[str, str], clients: int,
                duration: float) -> dict[str, Any]:  # fmt: skip
    """``clients`` threads, each on its own keep-alive connection, requesting URLs (kind, path) in a shuffled
    cycle until ``duration`` has passed; every latency recorded."""
    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client(n: int) -> None:
        order = list(urls)
        random.Random(n).shuffle(order)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[str, float]] = []
        i = 0
        while time.perf_counter() < deadline:
            kind, path = order[i % len(order)]
            i += 1
            started = time.perf_counter()
            try:
                status = get(conn, path, headers)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(f"{type(exc).__name__}: {path}")
                continue
            if status != 200:
                with lock:
                    errors.append(f"{status}: {path}")
                continue
            mine.append((kind, time.perf_counter() - started))
        conn.close()
        with lock:
            samples.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    out: dict[str, Any] = {"all": stats([s for _, s in samples], elapsed)}
    for kind in sorted({k for k, _ in samples}):
        out[kind] = stats([s for k, s in samples if k == kind], elapsed)
    out["errors"] = len(errors)
    out["error_examples"] = sorted(set(errors))[:5]
    return out


def stats(latencies: list[float], elapsed: float) -> dict[str, float]:
    if not latencies:
        return {"requests": 0, "rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ms = np.array(latencies) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"requests": len(ms), "rps": round(len(ms) / elapsed, 1), "p50_ms": round(float(p50), 1),
            "p95_ms": round(float(p95), 1), "p99_ms": round(float(p99), 1),
            "max_ms": round(float(ms.max()), 1)}  # fmt: skip


def coverage_urls(desa_kecamatan: int) -> list[tuple[str, str]]:
    """The default answers (province, each kab/kota, as dashboards open them) and ``desa_kecamatan`` kecamatan
    by desa (drill-downs, not prepared)."""
    from ucj.regions.models import Region

    kab = list(Region.objects.filter(level=2, code__startswith="16.").order_by("code").values_list("code", flat=True))
    kec = list(Region.objects.filter(level=3, code__startswith="16.").order_by("code").values_list("code", flat=True))
    step = max(1, len(kec) // max(1, desa_kecamatan))
    urls = [("province", "/api/v1/coverage?region=16")]
    urls += [("kab/kota", f"/api/v1/coverage?region={k}") for k in kab]
    urls += [("kecamatan by desa", f"/api/v1/coverage?region={k}&by=desa") for k in kec[::step][:desa_kecamatan]]
    return urls


def computed(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/__bench/computed")
    count = int(conn.getresponse().read())
    conn.close()
    return count


def changing(args: argparse.Namespace, duration: float) -> tuple[subprocess.Popen[bytes], str]:
    out = tempfile.mktemp(prefix="ucj-covbench-changes-", suffix=".json")  # noqa: S306 (the child writes it)
    child = subprocess.Popen([sys.executable, __file__, "--change", str(args.change_every), "--duration",
                              str(duration), "--change-out", out], env=os.environ.copy())  # fmt: skip
    return child, out


def bench_api(args: argparse.Namespace) -> dict[str, Any]:
    db_name = setup_database(args.postgres, "covbench")
    server = None
    try:
        from django.db import connection, connections

        vendor = connection.vendor
        load = fill(args.api_rows)
        for label, secs in load.items():
            print(f"  {label}: {secs:.1f} s", file=sys.stderr)
        from ucj.accounts.models import ApiToken
        from ucj.accounts.services import create_user

        user = create_user("bench-provinsi", role="provinsi", region="16", password="Bench-Password-1")  # noqa: S106 (throwaway database)
        _, token = ApiToken.issue(user, "bench")
        urls = coverage_urls(args.desa_kecamatan)
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--threads", str(args.threads)], env=os.environ.copy()
        )
        auth = {"Authorization": f"Bearer {token}"}
        wait_for(port, auth)
        baseline_url = [("baseline", "/api/v1/contributions/rules?code=PU.JKM")]
        defaults = [u for u in urls if u[0] != "kecamatan by desa"]
        results: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        print(f"  baseline ({args.duration:.0f} s)…", file=sys.stderr)
        results["baseline"] = run_clients(port, baseline_url, auth, args.clients, args.duration)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for _, path in urls:  # fill the cache
            get(conn, path, auth)
        conn.close()
        for mode, mix, headers in (("warm", defaults, auth), ("after change", defaults, auth),
                                   ("after change + drill-downs", urls, auth),
                                   ("before (invalidate on change)", defaults, {**auth, "X-Bench-Cold": "1"})):
            print(f"  {mode} ({args.duration:.0f} s)…", file=sys.stderr)
            child = None
            if mode.startswith("after change"):
                child, out = changing(args, args.duration + 2)
                time.sleep(2)  # the first change is under way
            before = computed(port)
            results[mode] = run_clients(port, mix, headers, args.clients, args.duration)
            results[mode]["computed_by_server"] = computed(port) - before
            if child is not None:
                child.wait(timeout=600)
                changes[mode] = json.loads(Path(out).read_text())
                Path(out).unlink()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(db_name)

    base = results["baseline"]["all"]
    print(f"\nDashboard API, {vendor}, {args.api_rows:,} participants + demo feed; {args.clients} clients, "
          f"waitress {args.threads} threads, {args.duration:.0f} s per mode; {os.cpu_count()} CPUs shared with "
          f"other work (load at start {os.getloadavg()[0]:.1f})\n")  # fmt: skip
    print(f"{'mode':44} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'p95 ×base':>9} {'computed':>8} {'errors':>6}")  # fmt: skip
    verdicts = []
    for mode, r in results.items():
        for kind, s in r.items():
            if not isinstance(s, dict):
                continue
            label = f"{mode}: {kind}" if kind != "all" else f"{mode} (all)"
            extra = (r.get("computed_by_server", ""), r["errors"]) if kind == "all" else ("", "")
            print(f"{label:44} {s['requests']:>8,} {s['rps']:>7.1f} {s['p50_ms']:>7.1f} {s['p95_ms']:>7.1f} "
                  f"{s['p99_ms']:>7.1f} {s['p95_ms'] / base['p95_ms']:>9.2f} {extra[0]:>8} {extra[1]:>6}")  # fmt: skip
        if r["error_examples"]:
            print(f"  errors, e.g.: {r['error_examples']}")
    for mode, c in changes.items():
        secs = sorted(c["seconds"]) or [0.0]
        print(f"  {mode}: {c['changes']} change(s), each preparing the {c['answers']} default answers (and those "
              f"asked under the previous version) then publishing: "
              f"median {secs[len(secs) // 2]:.2f} s, max {secs[-1]:.2f} s (refresh + prepare + publish)")
    print()
    for mode in [m for m in results if m != "baseline" and not m.startswith("before")]:
        ratio = results[mode]["all"]["p95_ms"] / base["p95_ms"]
        verdict = "PASS" if ratio <= GOAL_P95_RATIO else "MISS"
        verdicts.append({"mode": mode, "p95_ms": results[mode]["all"]["p95_ms"], "ratio": round(ratio, 2),
                         "verdict": verdict})  # fmt: skip
        print(f"{verdict}  {vendor} {mode}: p95 {results[mode]['all']['p95_ms']:.1f} ms = {ratio:.2f}× baseline p95 "
              f"{base['p95_ms']:.1f} ms (goal ≤ {GOAL_P95_RATIO}×)")  # fmt: skip
    return {"database": vendor, "participants": args.api_rows, "clients": args.clients, "threads": args.threads,
            "duration_s": args.duration, "urls": len(urls), "load_seconds": load, "results": results,
            "changes": changes, "goals": verdicts}  # fmt: skip


def wait_for(port: int, headers: dict[str, str]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status = get(conn, "/api/v1/contributions/rules?code=PU.JKM", headers)
            conn.close()
            if status == 200:
                return
            raise RuntimeError(f"server answered {status}")
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="participants for the rebuild benchmark")
    parser.add_argument("--api-rows", type=int, default=1_000_000, help="participants in the API database")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per API mode")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (ucj serve's default: 8)")
    parser.add_argument("--desa-kecamatan", type=int, default=10, help="kecamatan asked by desa")
    parser.add_argument("--change-every", type=float, default=3.0, help="seconds between data changes")
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--change", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--change-out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_main(args.serve, args.threads)
        return
    if args.change:
        change_main(args.change, args.duration, args.change_out)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"coverage-{'postgresql' if args.postgres else 'sqlite'}.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}  # keep the part not re-run
    results["machine"] = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()}
    if not args.skip_rebuild:
        results["rebuild"] = bench_rebuild(args)
    if not args.skip_api:
        results["api"] = bench_api(args)
    path.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
