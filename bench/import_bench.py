"""Roster import benchmark: `ucj import roster FILE --json` end to end, against a baseline measured in the same run.

One run:

1. generates a synthetic roster CSV (``--rows``, default 1,000,000; all Sumsel desa codes, ~2% bad rows, with an
   "Iuran s/d" column) and a ``--xlsx-rows`` (default 100,000) .xlsx written with XlsxWriter, into bench/out/;
2. baseline: the in-memory part of the import, no database: ``read_roster`` + ``validate_roster`` (with the
   villages frame the import builds). A plain ``pl.read_csv(infer_schema=False)`` is timed as a reference too;
3. ``ucj import roster FILE --json`` as a subprocess on a fresh SQLite database and on a fresh PostgreSQL database
   (regions loaded first, not timed), then a re-import of the same file (every row 'updated');
4. the .xlsx imported end to end on SQLite.

It prints rows, seconds, rows/s and the ratio to the baseline for every case, the goals with PASS/MISS, and a
per-stage breakdown of every import; the same goes to bench/out/import.json.

The floor (issue 17 §3), measured in the same run: interpreter start (``python -c pass``) + the baseline above
+ the store floor — the rows the import inserts (``ucj.registry.store._new_rows``, sorted by NIK) written
into an empty copy of the participant table as the migrations made it (its primary key and unique NIK index
during the load, its secondary indexes built after it, as the issue's floors were measured): one
``executemany`` in one transaction on SQLite (the application's pragmas), one ``COPY`` on PostgreSQL. The
narrow floor of earlier runs (a table with the NIK index only: no primary key, no secondary index) is printed
beside it. Goals: a new registry within 1.25x the floor;
with ``--before SRC`` (the ``src`` folder of an older checkout, e.g. from ``git archive``), every case also
runs on that code, interleaved with this code (``--repeat`` rounds, medians), and the re-import of an
unchanged file must be >= 3x faster than before.

    .venv/bin/python bench/import_bench.py [--rows N] [--json] [--skip-postgres] [--plain] [--cprofile]
        [--before /path/to/old/src] [--repeat R] [--no-xlsx] [--skip-sqlite]

Not part of the test suite (pytest only collects tests/).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Only the standard library at module level: this file is also the child process that runs the CLI
# (--as-cli), which must not import more than `ucj` itself does.

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
UCJ = str(Path(sys.executable).with_name("ucj"))
PG_ADMIN = os.environ.get("UCJ_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
GOAL_RATE = {"sqlite": 70_000, "postgres": 70_000}  # issue 17 §3: the 2-core floor is ~90k rows/s
GOAL_XLSX_SECONDS = 3.0
GOAL_FLOOR_RATIO = 1.25  # a new registry's import within this multiple of the floor
GOAL_AGAIN_SPEEDUP = 3.0  # re-import of an unchanged file, before / after
_STAGES_ENV, _PROFILE_ENV, _DETAIL_ENV = "UCJ_BENCH_STAGES", "UCJ_BENCH_CPROFILE", "UCJ_BENCH_DETAIL"

#: Stage boundaries recorded by the child (see _run_cli_child), in order, and the label of the span that
#: starts at each. "reading" … "done" are the progress stages of ucj.registry.services.import_roster.
SPANS = [
    ("start", "CLI imports, settings, read file, start a large file's parse child"),
    ("boot", "boot: django.setup + migration check"),
    ("booted", "import services, sha256, batch row"),
    ("reading", "read_roster (parse file; a child started before boot: the wait)"),
    ("validating", "validate (villages, validate_roster, findings list, written frame)"),
    ("writing", "write: SQLite Arrow stage of a large new batch (sqlite_stage)"),
    ("matching", "write: look up known NIKs (_stored)"),
    ("inserting", "write: insert new rows"),
    ("updating", "write: compare + update known rows"),
    ("findings", "findings, rejected rows, batch, audit, COMMIT"),
    ("done", "report JSON to stdout"),
    ("exit", "interpreter teardown"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- inputs ----------------------------------------------------------------------------------------


def desa_codes() -> list[str]:
    from ucj.regions.reference import iter_reference

    return [r.code for r in iter_reference("16") if r.level == 4]


def make_csv(rows: int, codes: list[str]) -> Path:
    from ucj.demo.synth import synthetic_roster

    path = OUT / f"roster-{rows}.csv"
    synthetic_roster(rows, codes, seed=11, paid_until=dt.date.today()).write_csv(path)
    return path


def roster(rows: int) -> Path:
    """bench/out/roster-N.csv, generated when missing (registry_bench.py loads its registry from it)."""
    path = OUT / f"roster-{rows}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        make_csv(rows, desa_codes())
    return path


def make_xlsx(rows: int, codes: list[str]) -> Path:
    """An .xlsx as a village would send it: NIKs as text cells, "No" and "Penghasilan" as numbers."""
    import xlsxwriter

    from ucj.demo.synth import synthetic_roster

    path = OUT / f"roster-{rows}.xlsx"
    frame = synthetic_roster(rows, codes, seed=12, paid_until=dt.date.today())
    numeric = {frame.columns.index(c) for c in ("No", "Penghasilan")}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Daftar")
    sheet.write_row(0, 0, frame.columns)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in numeric:
                sheet.write_number(r, c, int(value))
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


# --- baseline ----------------------------------------------------------------------------------------


def baseline(path: Path) -> dict[str, float]:
    """Seconds for the in-memory part of the import: read_roster + validate_roster (plus a plain Polars read)."""
    import polars as pl

    from ucj.regions.reference import iter_reference
    from ucj.registry.reader import read_roster
    from ucj.registry.regionmatch import villages_frame
    from ucj.registry.validate import validate_roster

    villages = villages_frame([(r.code, r.name) for r in iter_reference("16")])  # what villages_for() builds
    all_codes = set(villages["code"].to_list())
    t0 = time.perf_counter()
    pl.read_csv(path, infer_schema=False)
    t1 = time.perf_counter()
    raw = read_roster(path.read_bytes(), path.name, _limits(path))
    t2 = time.perf_counter()
    checked = validate_roster(raw, villages, all_codes=all_codes)
    checked.findings_list()  # the import turns the findings into objects too
    t3 = time.perf_counter()
    return {"plain_read": t1 - t0, "read_roster": t2 - t1, "validate": t3 - t2, "seconds": t3 - t1,
            "rejected": int(checked.rows["rejected"].sum())}  # fmt: skip


# --- end-to-end runs ---------------------------------------------------------------------------------


def run_import(
    path: Path, env: dict[str, str], *, plain: bool, profile: Path | None = None, detail: bool = False,
    src: str | None = None,
) -> dict[str, Any]:
    """Run the import CLI as a child process; wall time, counts, stage spans, CPU time and peak RSS. ``src``:
    run that ``src`` folder's code instead (``--before``). ``--again``: a re-import is not refused (code older
    than that option, e.g. the code the issue measured, never refused one)."""
    with tempfile.TemporaryDirectory(prefix="ucj-bench-run-") as tmp:
        stages_file, stdout_file = Path(tmp) / "stages.json", Path(tmp) / "stdout.json"
        child_env = dict(env)
        again = ["--again"]
        if src:
            child_env["PYTHONPATH"] = src
            again = again if "--again" in (Path(src) / "ucj" / "cli" / "imports.py").read_text() else []
        if plain:
            cmd = [UCJ, "import", "roster", str(path), "--json", *again]
        else:
            cmd = [sys.executable, __file__, "--as-cli", "import", "roster", str(path), "--json", *again]
            child_env[_STAGES_ENV] = str(stages_file)
            if profile:
                child_env[_PROFILE_ENV] = str(profile)
            if detail:
                child_env[_DETAIL_ENV] = "1"
        with stdout_file.open("w") as sink:
            wall0, t0 = time.time(), time.perf_counter()
            proc = subprocess.Popen(cmd, env=child_env, stdout=sink)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - t0
            wall1 = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = stdout_file.read_text()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {text[:2000]}")
        report = json.loads(text)
        timed = json.loads(stages_file.read_text()) if stages_file.exists() else {"marks": [], "detail": {}}
    stages = _spans(wall0, timed["marks"], wall1) if timed["marks"] else {}
    functions = {k: {"seconds": round(v[0], 3), "calls": v[1]} for k, v in timed["detail"].items()}
    return {
        "seconds": seconds,
        **{k: report[k] for k in ("rows", "accepted", "updated", "rejected", "warnings")},
        "cpu_user_s": round(usage.ru_utime, 2),
        "cpu_sys_s": round(usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "stages": stages,
        **({"functions": functions} if functions else {}),
    }


def _spans(wall0: float, marks: list[list[Any]], wall1: float) -> dict[str, float]:
    """Seconds per span, from the child's (stage, wall-clock) marks; the first span is process start-up."""
    spans = {"process start-up (python)": marks[0][1] - wall0}
    labels = dict(SPANS)
    seen = [(name, t) for name, t in marks if name in labels]
    for (name, t), (_, t_next) in zip(seen, [*seen[1:], ("end", wall1)], strict=True):
        spans[labels[name]] = spans.get(labels[name], 0.0) + t_next - t
    return {k: round(v, 3) for k, v in spans.items()}


def _run_cli_child(argv: list[str]) -> None:
    """Child process: exactly what the `ucj` script does (ucj.cli.main.main), with the import's progress
    callback and the CLI's boot() timestamped. With UCJ_BENCH_CPROFILE set, the run is profiled into that file;
    with UCJ_BENCH_DETAIL set, the functions in DETAIL are timed (inclusive seconds and calls)."""
    marks: list[tuple[str, float]] = [("start", time.time())]
    detail: dict[str, list[float]] = {}
    import ucj.cli.imports as imports
    from ucj.cli.main import main as cli_main

    real_boot = imports.boot

    def boot(*args: Any, **kwargs: Any) -> None:
        marks.append(("boot", time.time()))
        real_boot(*args, **kwargs)
        if os.environ.get(_DETAIL_ENV):
            _instrument(detail)
        marks.append(("booted", time.time()))

    @contextlib.contextmanager
    def progress_bar(enabled: bool, label: str) -> Iterator[Callable[[str, int], None]]:
        yield lambda stage, pct: marks.append((stage, time.time()))

    imports.boot, imports.progress_bar = boot, progress_bar  # type: ignore[assignment]
    sys.argv = ["ucj", *argv]
    profiler = None
    if os.environ.get(_PROFILE_ENV):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    written = False

    def write_marks() -> None:
        nonlocal written
        if written:
            return
        written = True
        marks.append(("exit", time.time()))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.environ[_PROFILE_ENV])
        Path(os.environ[_STAGES_ENV]).write_text(json.dumps({"marks": marks, "detail": detail}))

    import ucj.cli.main as cli_module

    real_exit = getattr(cli_module, "fast_exit", None)
    if real_exit is not None:  # this code leaves by os._exit after flushing: write the marks first

        def fast_exit(code: Any) -> None:
            write_marks()
            real_exit(code)

        cli_module.fast_exit = fast_exit
    try:
        cli_main()
    finally:
        write_marks()


#: Functions timed with --detail ("module:function" or "module:Class.method"), inclusive of what they call.
#: Names that no longer exist are skipped, so the list may run ahead of or behind the code.
DETAIL = [
    "ucj.registry.reader:decode_text", "polars:read_csv", "ucj.registry.reader:_finish",
    "ucj.registry.reader:_read_workbook", "ucj.registry.reader:_sheet_roster", "ucj.registry.reader:_column_text",
    "ucj.registry.services:villages_for", "ucj.registry.validate:validate_roster",
    "ucj.registry.validate:add_nik_columns", "ucj.registry.validate:add_date_column",
    "ucj.registry.validate:add_amount_column", "ucj.registry.validate:_resolve_regions",
    "ucj.registry.validate:_derive", "ucj.registry.validate:_findings", "ucj.registry.services:_count",
    "ucj.registry.validate:Validated.findings_list", "ucj.registry.store:written_frame",
    "ucj.registry.store:_stored", "ucj.registry.store:_new_rows", "ucj.registry.store:_sqlite_rows",
    "ucj.registry.store:_insert", "ucj.registry.store:_copy", "ucj.registry.store:_changed",
    "ucj.registry.store:_update", "ucj.registry.services:_save_findings", "ucj.registry.services:_outcomes",
    "ucj.accounts.audit:record", "ucj.registry.services:ImportReport.as_json", "ucj.cli.output:emit_json",
    "ucj.registry.store:facts_changes", "ucj.registry.store:_sqlite_range", "ucj.coverage.delta:apply_changes",
    "ucj.coverage.services:refresh_facts", "ucj.coverage.services:prepare_and_publish",
    "ucj.registry.store:_mostly_known", "ucj.registry.store:_copy_direct", "ucj.registry.store:_whole_table",
    "ucj.registry.store:_drop_secondary_indexes", "ucj.bulk:sqlite_values", "ucj.registry.store:_child_rows",
    "ucj.registry.store:classify", "ucj.registry.store:_keep_stored",
    "ucj.bulk:copy_frame", "ucj.coverage.services:Preloaded", "ucj.registry.store:_by_fingerprint",
    "ucj.registry.store:_record_fingerprints", "ucj.registry.fingerprint:of_rows",
]  # fmt: skip


def _instrument(detail: dict[str, list[float]]) -> None:
    """Wrap each DETAIL function with a timer, everywhere the ucj modules refer to it by name."""
    import functools
    import importlib

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                acc = detail.setdefault(name, [0.0, 0])
                acc[0] += time.perf_counter() - t
                acc[1] += 1

        return inner

    for spec in DETAIL:
        module_name, _, attr = spec.partition(":")
        owner, _, method = attr.partition(".")
        try:
            module = importlib.import_module(module_name)
            target = getattr(module, owner)
        except (ImportError, AttributeError):
            continue
        if method:
            if callable(getattr(target, method, None)):
                setattr(target, method, timed(attr, getattr(target, method)))
            continue
        wrapped = timed(attr if module_name.startswith("ucj") else f"{module_name}.{attr}", target)
        for mod in [module, *(m for n, m in list(sys.modules.items()) if n.startswith("ucj."))]:
            for key, value in list(vars(mod).items()):
                if value is target:
                    setattr(mod, key, wrapped)


def _limits(path: Path) -> Any:
    """The reader's default limits, with room for this file (a million rows of CSV is ~100 MB)."""
    import dataclasses

    from ucj.registry.reader import DEFAULT_LIMITS

    size = path.stat().st_size
    return dataclasses.replace(DEFAULT_LIMITS, max_bytes=max(DEFAULT_LIMITS.max_bytes, size + 1))


def interpreter_start(repeat: int = 5) -> float:
    """Median seconds of ``python -c pass`` (the process floor)."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


def inserted_rows(path: Path) -> Any:
    """The rows a new registry's import inserts, as the store prepares them (sorted by NIK)."""
    import django

    os.environ.setdefault("UCJ_DATA_DIR", tempfile.mkdtemp(prefix="ucj-bench-floor-"))
    django.setup()
    from ucj.regions.reference import iter_reference
    from ucj.registry.reader import read_roster
    from ucj.registry.regionmatch import villages_frame
    from ucj.registry.store import _new_rows, written_frame
    from ucj.registry.validate import validate_roster

    villages = villages_frame([(r.code, r.name) for r in iter_reference("16")])
    raw = read_roster(path.read_bytes(), path.name, _limits(path))
    checked = validate_roster(raw, villages, all_codes=set(villages["code"]))
    frame = written_frame(checked.ok)
    return _new_rows(frame.drop([c for c in frame.columns if c.startswith("defaulted_")]), 1)


def store_floor_sqlite(rows: Any, database: Path) -> dict[str, float]:
    """Seconds to write ``rows`` in one transaction into an empty copy of ``database``'s participant table:
    ``table`` with its primary key and unique NIK index during the load and its secondary indexes built after
    it; ``narrow`` into a table with the NIK index only."""
    import sqlite3

    from ucj.bulk import sqlite_rows

    with contextlib.closing(sqlite3.connect(database)) as live:
        shape = live.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'registry_participant' AND sql IS NOT NULL"
        ).fetchall()
    table = [sql for kind, sql in shape if kind == "table"]
    indexes = [sql for kind, sql in shape if kind == "index"]
    values = sqlite_rows(rows)
    cols = ", ".join(rows.columns)
    marks = ", ".join("?" * rows.width)
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="ucj-bench-floor-") as tmp:
        for case in ("table", "narrow"):
            con = sqlite3.connect(Path(tmp) / f"{case}.sqlite3", isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY"):
                con.execute(f"PRAGMA {pragma}")
            if case == "table":
                con.execute(table[0])
            else:
                con.execute(f"CREATE TABLE registry_participant ({cols})")
                con.execute("CREATE UNIQUE INDEX floor_nik ON registry_participant (nik)")
            t0 = time.perf_counter()
            con.execute("BEGIN")
            con.executemany(f"INSERT INTO registry_participant ({cols}) VALUES ({marks})", values)  # noqa: S608
            for sql in indexes if case == "table" else []:
                con.execute(sql)
            con.execute("COMMIT")
            seconds[case] = time.perf_counter() - t0
            con.close()
    return seconds


def store_floor_postgres(rows: Any, url: str) -> dict[str, float]:
    """Seconds to ``COPY`` ``rows`` in one transaction into an empty copy of the participant table: ``table``
    with its primary key and unique NIK index during the load and its secondary indexes built after it;
    ``narrow`` into a table with the NIK index only."""
    import io

    import psycopg

    buf = io.BytesIO()
    rows.write_csv(buf, include_header=False, null_value="", date_format="%Y-%m-%d", quote_style="non_numeric")
    seconds = {}
    with psycopg.connect(url) as conn:
        for case in ("table", "narrow"):
            if case == "table":
                conn.execute("CREATE TABLE floor_participant (LIKE registry_participant INCLUDING ALL)")
                built = conn.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON "
                    "c.oid = i.indexrelid WHERE i.indrelid = 'floor_participant'::regclass AND NOT i.indisunique"
                ).fetchall()
                for name, _ in built:
                    conn.execute(f'DROP INDEX "{name}"')
            else:
                conn.execute("CREATE TABLE floor_participant (LIKE registry_participant INCLUDING DEFAULTS "
                             "INCLUDING IDENTITY)")  # fmt: skip
                conn.execute("CREATE UNIQUE INDEX floor_nik ON floor_participant (nik)")
                built = []
            conn.commit()
            t0 = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY floor_participant ({', '.join(rows.columns)}) FROM STDIN (FORMAT csv)") as copy,
            ):
                copy.write(buf.getvalue())
            for _, create in built:
                conn.execute(create)
            conn.commit()
            seconds[case] = time.perf_counter() - t0
            conn.execute("DROP TABLE floor_participant")
            conn.commit()
    return seconds


def _with_src(env: dict[str, str], src: str | None) -> dict[str, str]:
    """``env`` for running ``src``'s code (``--before``), so its database gets that code's own migrations."""
    return dict(env, PYTHONPATH=src) if src else env


@contextlib.contextmanager
def sqlite_env(src: str | None = None) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="ucj-bench-sqlite-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["UCJ_DATA_DIR"] = data_dir
        subprocess.run([UCJ, "regions", "load"], env=_with_src(env, src), check=True, stdout=subprocess.DEVNULL)
        yield env


@contextlib.contextmanager
def postgres_env(src: str | None = None) -> Iterator[dict[str, str] | None]:
    """A fresh database (dropped afterwards), or None with a printed message when PostgreSQL is unreachable."""
    import psycopg

    name = f"ucj_bench_{os.getpid()}_{int(time.time())}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        log(f"PostgreSQL skipped ({PG_ADMIN} unreachable): {type(exc).__name__}: {exc}".strip())
        yield None
        return
    try:
        with tempfile.TemporaryDirectory(prefix="ucj-bench-pg-") as data_dir:
            env = dict(os.environ, UCJ_DATA_DIR=data_dir, DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
            subprocess.run([UCJ, "regions", "load"], env=_with_src(env, src), check=True, stdout=subprocess.DEVNULL)
            yield env
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_settings() -> dict[str, str]:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            names = ("server_version", "shared_buffers", "synchronous_commit", "max_wal_size", "work_mem")
            return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}  # type: ignore[index]
    except Exception:
        return {}


# --- main --------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--as-cli":
        _run_cli_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV roster rows (default 1,000,000)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help=".xlsx roster rows (default 100,000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only (progress on stderr)")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="no SQLite imports (.xlsx case still runs)")
    parser.add_argument("--plain", action="store_true",
                        help="run the .venv/bin/ucj script itself (no stage timestamps)")  # fmt: skip
    parser.add_argument("--cprofile", action="store_true", help="write bench/out/profile-<case>.prof per import")
    parser.add_argument("--detail", action="store_true", help="also time the main functions of the import (DETAIL)")
    parser.add_argument("--reuse", action="store_true", help="reuse bench/out/roster-N.* if present")
    parser.add_argument("--before", metavar="SRC", help="also run every import on the code in SRC (an old src/)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every import case (medians; default 1)")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx case")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")

    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"warning: load average {load_before[0]:.1f} before the run; other work on the machine skews the figures")
    codes = desa_codes()
    t0 = time.perf_counter()
    csv_path = OUT / f"roster-{args.rows}.csv"
    if not (args.reuse and csv_path.exists()):
        log(f"generating {args.rows:,}-row CSV over {len(codes):,} desa …")
        csv_path = make_csv(args.rows, codes)
    generated_csv = time.perf_counter() - t0
    # The upload cap (UCJ_MAX_UPLOAD_MB, default 50) is raised to fit the file, and the parsing child's address
    # space (UCJ_PARSE_MEMORY_MB, default 2048: a million-row CSV needs more) unless set; the other limits stay.
    os.environ["UCJ_MAX_UPLOAD_MB"] = str(max(50, csv_path.stat().st_size // 2**20 + 1))
    os.environ.setdefault("UCJ_PARSE_MEMORY_MB", "8192")
    log("baseline: read_roster + validate_roster in memory …")
    base = baseline(csv_path)
    cases: list[dict[str, Any]] = [
        {"case": "reference: pl.read_csv(infer_schema=False)", "db": None, "rows": args.rows,
         "seconds": base["plain_read"]},
        {"case": "BASELINE: read_roster + validate_roster", "db": None, "rows": args.rows,
         "seconds": base["seconds"], "read_roster_s": round(base["read_roster"], 3),
         "validate_s": round(base["validate"], 3), "rejected": base["rejected"]},
    ]  # fmt: skip

    def profile(case: str) -> Path | None:
        return OUT / f"profile-{case}.prof" if args.cprofile else None

    runs: list[dict[str, Any]] = []
    floors: dict[str, dict[str, float]] = {}
    log("floor: interpreter start, rows the store inserts …")
    start_floor = interpreter_start()
    new_rows = inserted_rows(csv_path)

    def floor(db: str, store: dict[str, float]) -> None:
        total = start_floor + base["seconds"] + store["table"]
        floors[db] = {"python_start_s": round(start_floor, 3), "read_validate_s": round(base["seconds"], 3),
                      "store_s": round(store["table"], 3), "seconds": round(total, 3),
                      "narrow_store_s": round(store["narrow"], 3),
                      "narrow_seconds": round(start_floor + base["seconds"] + store["narrow"], 3)}  # fmt: skip

    def imports(db: str, env: dict[str, str], label: str, variant: str, src: str | None) -> None:
        for kind, what in (("new", "import (new registry)"), ("again", "re-import same file")):
            log(f"{label}: {what} [{variant}] …")
            run = run_import(csv_path, env, plain=args.plain, profile=profile(f"{db}-{kind}"), detail=args.detail,
                             src=src)  # fmt: skip
            runs.append({"case": f"{label}: {what}", "db": db, "kind": kind, "variant": variant,
                         "rows": args.rows, **run})  # fmt: skip

    variants = [("after", None), *([("before", args.before)] if args.before else [])]
    pg_settings: dict[str, str] = {}
    for r in range(args.repeat):
        for variant, src in variants if r % 2 == 0 else reversed(variants):  # interleaved: load drifts
            if not args.skip_sqlite:
                with sqlite_env(src) as env:  # each variant's database has that code's migrations
                    if "sqlite" not in floors:
                        floor("sqlite", store_floor_sqlite(new_rows, Path(env["UCJ_DATA_DIR"]) / "ucj.sqlite3"))
                    imports("sqlite", env, "SQLite", variant, src)
            if args.skip_postgres:
                continue
            with postgres_env(src) as pg:
                if pg is None:
                    args.skip_postgres = True
                    continue
                pg_settings = _postgres_settings()
                if "postgres" not in floors:
                    floor("postgres", store_floor_postgres(new_rows, pg["DATABASE_URL"]))
                imports("postgres", pg, "PostgreSQL", variant, src)
    if args.skip_postgres:
        log("PostgreSQL skipped")
    cases.extend(_medians(runs))
    xlsx_path = OUT / f"roster-{args.xlsx_rows}.xlsx"
    t0 = time.perf_counter()
    if not (args.reuse and xlsx_path.exists()):
        log(f"generating {args.xlsx_rows:,}-row .xlsx …")
        xlsx_path = make_xlsx(args.xlsx_rows, codes)
    generated_xlsx = time.perf_counter() - t0
    if not args.no_xlsx:
        log("SQLite: .xlsx import …")
        with sqlite_env() as env:
            run = run_import(xlsx_path, env, plain=args.plain, profile=profile("sqlite-xlsx"), detail=args.detail)
        cases.append({"case": f"SQLite: {args.xlsx_rows:,}-row .xlsx import", "db": "sqlite", "kind": "xlsx",
                      "variant": "after", "rows": args.xlsx_rows, **run})  # fmt: skip

    base_rate = args.rows / base["seconds"]
    for c in cases:
        c["rows_per_s"] = round(c["rows"] / c["seconds"])
        c["ratio_to_baseline"] = round(c["rows_per_s"] / base_rate, 3)
        c["seconds"] = round(c["seconds"], 2)
    for c in cases:
        if c["db"] in floors and c.get("kind") in ("new", "again"):
            c["floor_s"] = floors[c["db"]]["seconds"]
            c["ratio_to_floor"] = round(c["seconds"] / c["floor_s"], 2)
    goals = _goals(cases, skipped_pg=not any(c["db"] == "postgres" for c in cases))
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_avg_before": [round(x, 2) for x in load_before],
                    "load_avg_after": [round(x, 2) for x in os.getloadavg()], "postgres": pg_settings},
        "files": {"csv": str(csv_path), "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
                  "csv_generate_s": round(generated_csv, 2), "xlsx": str(xlsx_path),
                  "xlsx_mb": round(xlsx_path.stat().st_size / 2**20, 1), "xlsx_generate_s": round(generated_xlsx, 2)},
        "runner": "ucj script" if args.plain else "ucj.cli.main.main() with timestamped progress",
        "before": args.before, "repeat": args.repeat, "floors": floors, "runs": runs,
        "cases": cases,
        "goals": goals,
    }  # fmt: skip
    (OUT / "import.json").write_text(json.dumps(result, indent=2))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)


def _goals(cases: list[dict[str, Any]], *, skipped_pg: bool) -> list[dict[str, Any]]:
    def case(db: str, kind: str, variant: str = "after") -> dict[str, Any] | None:
        return next((c for c in cases if c["db"] == db and c.get("kind") == kind and c.get("variant") == variant),
                    None)  # fmt: skip

    goals = []
    for db, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        c = case(db, "new")
        goal = f"{label} end to end >= {GOAL_RATE[db]:,} rows/s"
        if c is None:
            goals.append({"goal": goal, "measured": None, "result": "SKIPPED" if skipped_pg else "n/a"})
            continue
        c["goal"] = "PASS" if c["rows_per_s"] >= GOAL_RATE[db] else "MISS"
        goals.append({"goal": goal, "measured": f"{c['rows_per_s']:,} rows/s", "result": c["goal"]})
        if "floor_s" in c:
            ok = c["ratio_to_floor"] <= GOAL_FLOOR_RATIO
            goals.append({"goal": f"{label} new registry within {GOAL_FLOOR_RATIO}x the floor ({c['floor_s']} s)",
                          "measured": f"{c['ratio_to_floor']}x", "result": "PASS" if ok else "MISS"})  # fmt: skip
        again, old = case(db, "again"), case(db, "again", "before")
        if again is not None and old is not None:
            speedup = round(old["seconds"] / again["seconds"], 2)
            goals.append({"goal": f"{label} unchanged re-import >= {GOAL_AGAIN_SPEEDUP:g}x faster than before",
                          "measured": f"{speedup}x ({old['seconds']} -> {again['seconds']} s)",
                          "result": "PASS" if speedup >= GOAL_AGAIN_SPEEDUP else "MISS"})  # fmt: skip
    c = case("sqlite", "xlsx")
    if c is None:
        return goals
    c["goal"] = "PASS" if c["seconds"] < GOAL_XLSX_SECONDS else "MISS"
    goals.append({"goal": f"{c['rows']:,}-row .xlsx under {GOAL_XLSX_SECONDS:g} s (SQLite)",
                  "measured": f"{c['seconds']} s", "result": c["goal"]})  # fmt: skip
    return goals


def _print(result: dict[str, Any]) -> None:
    files, cases = result["files"], result["cases"]
    machine = result["machine"]
    print(f"\nImport benchmark, {result['when']}, {machine['cpus']} CPUs, Python {machine['python']}, load average "
          f"{machine['load_avg_before'][0]} before / {machine['load_avg_after'][0]} after; CSV {files['csv_mb']} MB, "
          f".xlsx {files['xlsx_mb']} MB\n")  # fmt: skip
    print(f"{'case':<50} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'×base':>6} {'CPU s':>6} {'RSS MB':>7}  goal")
    for c in cases:
        cpu = f"{c['cpu_user_s'] + c['cpu_sys_s']:.1f}" if "cpu_user_s" in c else ""
        rss, goal = c.get("peak_rss_mb", ""), c.get("goal", "")
        print(f"{c['case']:<50} {c['rows']:>10,} {c['seconds']:>8.2f} {c['rows_per_s']:>10,} "
              f"{c['ratio_to_baseline']:>6.3f} {cpu:>6} {rss:>7}  {goal}")  # fmt: skip
    floors = result.get("floors") or {}
    for db, f in floors.items():
        print(f"\nfloor {db}: python start {f['python_start_s']} + read/validate {f['read_validate_s']} + store "
              f"{f['store_s']} (the participant table's shape, secondary indexes built after) = {f['seconds']} s; "
              f"narrow floor (NIK index only) {f['narrow_seconds']} s")  # fmt: skip
    before = {(c["db"], c["kind"]): c for c in cases if c.get("variant") == "before"}
    if before:
        print(f"\n{'case':<50} {'before s':>9} {'after s':>8} {'after/before':>13} {'after/floor':>12}")
        for c in cases:
            old = before.get((c["db"], c.get("kind")))
            if c.get("variant") == "after" and old is not None:
                print(f"{c['case']:<50} {old['seconds']:>9.2f} {c['seconds']:>8.2f} "
                      f"{c['seconds'] / old['seconds']:>13.2f} {c.get('ratio_to_floor', ''):>12}")  # fmt: skip
    print("\nGoals")
    for g in result["goals"]:
        print(f"  {g['result']:<7} {g['goal']:<45} measured {g['measured']}")
    staged = [c for c in cases if c.get("stages")]
    if not staged:
        return
    print("\nWhere the time goes (seconds per stage)")
    names = list(dict.fromkeys(k for c in staged for k in c["stages"]))
    heads = [_short(c) for c in staged]
    print(f"{'stage':<66}" + "".join(f"{h:>13}" for h in heads))
    for name in names:
        print(f"{name:<66}" + "".join(f"{c['stages'].get(name, 0):>13.2f}" for c in staged))
    print(f"{'total (wall)':<66}" + "".join(f"{c['seconds']:>13.2f}" for c in staged))
    timed = [c for c in staged if c.get("functions")]
    if not timed:
        return
    print("\nFunctions (--detail; inclusive seconds, nested calls are counted in their callers too)")
    print(f"{'function':<66}" + "".join(f"{_short(c):>13}" for c in timed))
    for name in dict.fromkeys(k for c in timed for k in c["functions"]):
        cells = [c["functions"].get(name) for c in timed]
        print(f"{name:<66}" + "".join(f"{f['seconds']:>13.2f}" if f else f"{'':>13}" for f in cells))


def _short(case: dict[str, Any]) -> str:
    db = {"sqlite": "SQLite", "postgres": "PG"}[case["db"]]
    return f"{db} {case['kind']}" + (" old" if case.get("variant") == "before" else "")


def _medians(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One case per (database, kind, variant): the run with the median wall time (and how many runs)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run["db"], run["kind"], run["variant"]), []).append(run)
    out = []
    for (_, _, variant), group in groups.items():
        ordered = sorted(group, key=lambda r: r["seconds"])
        median = dict(ordered[len(ordered) // 2])
        median["runs"] = [round(r["seconds"], 2) for r in group]
        if variant == "before":
            median["case"] += " [before]"
        out.append(median)
    return sorted(out, key=lambda c: (c["db"] != "sqlite", c["kind"], c["variant"] != "before"))


if __name__ == "__main__":
    main()
