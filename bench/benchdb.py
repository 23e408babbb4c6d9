"""What the database benchmarks share: a throwaway database (SQLite in a temporary folder, or a fresh
PostgreSQL database), the Sumsel region tree, and the median-of-N timer."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

PG_BASE = os.environ.get("UCJ_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def setup_database(postgres: bool, prefix: str) -> str | None:
    """Set Django up on a new, migrated database with the Sumsel regions; the PostgreSQL database's name
    (for :func:`drop_database`) or None on SQLite."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "ucj.settings"
    os.environ["UCJ_DATA_DIR"] = tempfile.mkdtemp(prefix=f"ucj-{prefix}-")
    os.environ.pop("DATABASE_URL", None)
    name = None
    if postgres:
        import psycopg

        name = f"ucj_{prefix}_{os.getpid()}"
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = PG_BASE.rsplit("/", 1)[0] + "/" + name
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ucj.regions.services import load_regions

    load_regions("16")
    return name


def drop_database(name: str | None) -> None:
    """Drop the PostgreSQL database :func:`setup_database` made (nothing on SQLite)."""
    if not name:
        return
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def registry_bench_main(doc: str | None, run: Callable[[Any], dict[str, Any]], prefix: str) -> None:
    """The command line of a bench over a synthetic registry (``--rows``, ``--postgres``, ``--repeat``): run it and
    write its result to ``bench/out/<prefix>-<vendor>.json``."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="participants")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median)")
    result = run(parser.parse_args())
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    name = f"{prefix}-{result['vendor']}.json"
    (out / name).write_text(json.dumps(result, indent=2))
    print(f"written: bench/out/{name}")
