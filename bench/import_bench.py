"""Roster import benchmark: end-to-end `ucj import roster` against a baseline measured in the same run.

Baseline = the in-memory part alone: Polars reads the CSV and the same validation runs (no database). Each
case prints rows/s and its ratio to the baseline, so the figures compare across machines.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--skip-postgres] [--json]

Writes bench/out/import.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
UCJ = str(Path(sys.executable).with_name("ucj"))
PG_ADMIN = os.environ.get("UCJ_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
GOALS = {"sqlite": 150_000, "postgres": 200_000}


def roster(rows: int) -> Path:
    from ucj.demo.synth import synthetic_roster
    from ucj.regions.reference import iter_reference

    path = OUT / f"roster-{rows}.csv"
    if not path.exists():
        codes = [r.code for r in iter_reference("16") if r.level == 4]
        synthetic_roster(rows, codes, seed=11, paid_until=dt.date.today()).write_csv(path)
    return path


def baseline(path: Path) -> float:
    """Seconds for Polars read + the same validation, in memory."""
    from ucj.regions.reference import iter_reference
    from ucj.registry.reader import read_roster
    from ucj.registry.regionmatch import villages_frame
    from ucj.registry.validate import validate_roster

    villages = villages_frame([(r.code, r.name) for r in iter_reference("16")])
    data = path.read_bytes()
    started = time.perf_counter()
    pl.read_csv(path, infer_schema=False)  # plain read, as a reference point
    validate_roster(read_roster(data, path.name), villages)
    return time.perf_counter() - started


def run_import(path: Path, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    out = OUT / "last-import.json"
    started = time.perf_counter()
    with out.open("w") as sink:
        subprocess.run([UCJ, "import", "roster", str(path), "--json"], env=env, stdout=sink, check=True)
    seconds = time.perf_counter() - started
    report = json.loads(out.read_text())
    return seconds, {k: report[k] for k in ("rows", "accepted", "updated", "rejected")}


def sqlite_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["UCJ_DATA_DIR"] = tempfile.mkdtemp(prefix="ucj-bench-")
    subprocess.run([UCJ, "regions", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def postgres_env() -> tuple[dict[str, str], str] | None:
    import psycopg

    name = f"ucj_bench_{os.getpid()}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}")
        return None
    env = dict(os.environ, UCJ_DATA_DIR=tempfile.mkdtemp(prefix="ucj-bench-pg-"),
               DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + name)  # fmt: skip
    subprocess.run([UCJ, "regions", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env, name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def xlsx_roster(rows: int) -> Path:
    path = OUT / f"roster-{rows}.xlsx"
    if path.exists():
        return path
    from ucj.demo.synth import synthetic_roster
    from ucj.regions.reference import iter_reference

    codes = [r.code for r in iter_reference("16") if r.level == 4]
    frame = synthetic_roster(rows, codes, seed=12, paid_until=dt.date.today())
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Daftar")
    sheet.write_row(0, 0, frame.columns)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, c, str(value))
    book.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")

    path = roster(args.rows)
    base = baseline(path)
    results: list[dict[str, object]] = [{"case": "baseline: Polars read + validate (memory)", "rows": args.rows,
                                         "seconds": base}]  # fmt: skip
    env = sqlite_env()
    for label in ("SQLite: import (new registry)", "SQLite: re-import same file (all NIKs known)"):
        seconds, counts = run_import(path, env)
        results.append({"case": label, "rows": args.rows, "seconds": seconds, "db": "sqlite", **counts})
    if not args.skip_postgres and (pg := postgres_env()):
        pg_env, name = pg
        try:
            for label in ("PostgreSQL: import (new registry)", "PostgreSQL: re-import same file"):
                seconds, counts = run_import(path, pg_env)
                results.append({"case": label, "rows": args.rows, "seconds": seconds, "db": "postgres", **counts})
        finally:
            drop_postgres(name)
    xlsx = xlsx_roster(args.xlsx_rows)
    seconds, counts = run_import(xlsx, sqlite_env())
    results.append({"case": f"SQLite: {args.xlsx_rows:,}-row .xlsx", "rows": args.xlsx_rows, "seconds": seconds,
                    "goal_seconds": 3.0, **counts})  # fmt: skip

    base_rate = args.rows / base
    for r in results:
        r["rows_per_s"] = round(int(r["rows"]) / float(r["seconds"]))  # type: ignore[call-overload]
        r["ratio_to_baseline"] = round(float(r["rows_per_s"]) / base_rate, 3)  # type: ignore[arg-type]
        r["seconds"] = round(float(r["seconds"]), 2)  # type: ignore[arg-type]
        goal = GOALS.get(str(r.get("db"))) if "re-import" not in str(r["case"]) else None
        if goal:
            r["goal"] = f">= {goal:,} rows/s: " + ("PASS" if int(r["rows_per_s"]) >= goal else "MISS")  # type: ignore[call-overload]
        if "goal_seconds" in r:
            r["goal"] = "< 3 s: " + ("PASS" if float(r["seconds"]) < 3.0 else "MISS")  # type: ignore[arg-type]
    (OUT / "import.json").write_text(json.dumps(results, indent=2))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'case':<48} {'rows':>10} {'s':>8} {'rows/s':>10} {'× base':>7}  goal")
    for r in results:
        print(f"{r['case']:<48} {r['rows']:>10,} {r['seconds']:>8} {r['rows_per_s']:>10,} "
              f"{r['ratio_to_baseline']:>7}  {r.get('goal', '')}")  # fmt: skip


if __name__ == "__main__":
    main()
