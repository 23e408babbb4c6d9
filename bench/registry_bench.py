"""Registry page and API latency on a large registry, against a baseline measured in the same run.

Loads N synthetic participants (default 1,000,000) with `ucj import roster` into a fresh SQLite database,
then times, in-process with Django's test client, the list page for a province, a kabupaten and a village
user with the usual filters and searches, and the API list. Baseline: one full scan of the
participant table (a substring test on every name), the floor of any query no index can serve.

    .venv/bin/python bench/registry_bench.py [--rows 1000000] [--repeat 15]

Writes bench/out/registry.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
UCJ = str(Path(sys.executable).with_name("ucj"))
CASES = [
    ("list", "/registri/", None),
    ("segment=PU", "/registri/?segment=PU", None),
    ("status=aktif", "/registri/?status=aktif", None),
    ("ecosystem=pasar", "/registri/?ecosystem=pasar", None),
    ("next page", "/registri/?after=500000", None),
    ("name search 'Siti'", "/registri/", "Siti"),
    ("NIK prefix '160601'", "/registri/", "160601"),
    ("API list 100", "/api/v1/participants?page_size=100", None),
    ("home", "/", None),
]
USERS = [("provinsi", "16"), ("kabkota", "16.06"), ("desa", "16.06.01.2001")]


def load(rows: int, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from import_bench import roster

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"UCJ_DATA_DIR": data_dir}
    subprocess.run([UCJ, "regions", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([UCJ, "import", "roster", str(roster(rows)), "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="ucj-regbench-")
    load(args.rows, data_dir)

    os.environ.update(UCJ_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="ucj.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from ucj.accounts.services import create_user

    setup_test_environment()

    def timed(fn: object, repeat: int) -> tuple[float, float]:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]

    def count() -> None:
        with connection.cursor() as cur:
            # A full scan of the table (no index helps a substring match): the floor of an unindexed query.
            cur.execute("SELECT COUNT(*), SUM(name LIKE %s) FROM registry_participant", ["%zzz%"])
            assert cur.fetchone()[0] >= args.rows * 0.9  # the registry really holds the rows

    base_p50, _ = timed(count, args.repeat)
    results = [{"case": "baseline: full table scan", "user": "-", "p50_ms": round(base_p50, 1)}]
    for role, region in USERS:
        client = Client()
        client.force_login(create_user(f"bench-{role}", role=role, region=region, password=None))
        for label, url, search in CASES:
            session = client.session
            session["registry_search"] = search or ""
            session.save()
            p50, p95 = timed(lambda url=url, client=client: client.get(url), args.repeat)  # type: ignore[misc]
            results.append({"case": label, "user": f"{role} {region}", "p50_ms": round(p50, 1),
                            "p95_ms": round(p95, 1), "ratio_to_baseline": round(p50 / base_p50, 2)})  # fmt: skip
    (OUT / "registry.json").write_text(json.dumps({"rows": args.rows, "results": results}, indent=2))
    print(f"registry of {args.rows:,} participants (SQLite); baseline full scan p50 {base_p50:.1f} ms")
    print(f"{'user':<24} {'case':<22} {'p50 ms':>8} {'p95 ms':>8} {'× base':>7}")
    for r in results[1:]:
        print(f"{r['user']:<24} {r['case']:<22} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['ratio_to_baseline']:>7}")


if __name__ == "__main__":
    main()
