"""Reading rosters (issue 17 §3): the 100,000-row .xlsx as a process, the .xlsx and CSV parse in-process and in
the bounded reader's child process.

Every case runs in a fresh process of the code measured (``--before SRC`` runs each one on the code in SRC too,
alternating which goes first per round), ``--repeat`` rounds (default 3), medians:

* ``xlsx parse, in-process`` — ``read_roster`` of ``bench/out/roster-100000.xlsx`` (after: the Arrow reader,
  ucj.registry.xlsx_arrow; before: the cell-by-cell calamine read); the parse only, not the process start;
* ``xlsx parse, bounded`` — ``read_roster_bounded`` of the same file: above ``inprocess_bytes`` it is parsed
  by the child process (ucj.registry.sandbox), so this is the parse as an import does it;
* ``csv parse, in-process`` / ``csv parse, bounded`` — the same for ``bench/out/roster-<N>.csv``
  (``--csv-rows``, default 1,000,000; ``--skip-csv`` leaves them out);
* ``xlsx import, in-process`` — ``import_roster`` of the .xlsx in a started process (Django set up, a fresh
  SQLite database with the Sumsel regions): the baseline of the next case;
* ``xlsx import as a process`` — ``ucj import roster FILE --json`` on a fresh SQLite database, spawn to exit.
  Goal (issue 17 §3): ≤ 3 s.

Ratios printed: each bounded parse to the in-process parse of the same code (the child's cost), the process
import to the in-process import, and after/before. The files come from import_bench.py (``--reuse``); missing
ones are generated the same way. Results also go to bench/out/read.json.

    .venv/bin/python bench/read_bench.py [--repeat 3] [--before SRC] [--skip-csv] [--csv-rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_bench  # bench/: how the roster files are made

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
UCJ = str(Path(sys.executable).with_name("ucj"))
GOAL_XLSX_S = 3.0

#: CPU seconds of this process and its waited-for children (the parse child), for the child scripts.
_CPU = """
import resource
def cpu():
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
"""

#: Runs in a child process of the code measured: prints the seconds of one parse.
_PARSE = (
    _CPU
    + """
import dataclasses, json, sys, time
from ucj.registry.reader import DEFAULT_LIMITS, read_roster
from ucj.registry.sandbox import read_roster_bounded
path, how = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
limits = dataclasses.replace(DEFAULT_LIMITS, max_bytes=max(DEFAULT_LIMITS.max_bytes, len(data) + 1),
                             memory_bytes=8192 * 1024 * 1024)
read = read_roster if how == "in-process" else read_roster_bounded
t0, c0 = time.perf_counter(), cpu()
raw = read(data, path.rsplit("/", 1)[-1], limits)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "rows": raw.frame.height}))
"""
)

#: Runs in a child process of the code measured: boot, then the seconds of import_roster alone.
_IMPORT = (
    _CPU
    + """
import json, sys, time
from ucj.cli.setup import boot
boot()
from ucj.registry.services import import_roster
data = open(sys.argv[1], "rb").read()
t0, c0 = time.perf_counter(), cpu()
report = import_roster(data, sys.argv[1].rsplit("/", 1)[-1])
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "rows": report.rows}))
"""
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of the part the child script times."""
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), float(result["cpu"])


def process(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``ucj ARGS``, spawn to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([UCJ, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="SRC", help="also run every case on the code in SRC (an old src/)")
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")
    xlsx = OUT / f"roster-{args.xlsx_rows}.xlsx"
    if not xlsx.exists():
        log(f"generating {xlsx.name} …")
        xlsx = import_bench.make_xlsx(args.xlsx_rows, import_bench.desa_codes())
    csv = None if args.skip_csv else import_bench.roster(args.csv_rows)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"warning: load average {load_before[0]:.1f}; other work on the machine skews the figures")
    variants = [("after", None), *([("before", args.before)] if args.before else [])]
    samples: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ucj-bench-read-") as tmp:
        base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
        base.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches, as an installed package has them
        base["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        templates = {}
        for variant, src in variants:  # one database with the regions per variant, copied for every import
            env = dict(base, UCJ_DATA_DIR=str(Path(tmp) / f"template-{variant}"))
            env.update({"PYTHONPATH": src} if src else {})
            subprocess.run([UCJ, "regions", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
            templates[variant] = env["UCJ_DATA_DIR"]
        for r in range(args.repeat):
            for variant, src in variants if r % 2 == 0 else list(reversed(variants)):
                tag = "" if variant == "after" else " [before]"
                env = dict(base, **({"PYTHONPATH": src} if src else {}))
                log(f"round {r + 1}: {variant} …")
                for how in ("in-process", "bounded"):
                    for kind, path in (("xlsx", xlsx), ("csv", csv)):
                        if path is not None:
                            seconds, used = child(_PARSE, [str(path), how], env)
                            samples.setdefault(f"{kind} parse, {how}{tag}", []).append(seconds)
                            cpu.setdefault(f"{kind} parse, {how}{tag}", []).append(used)
                for how in ("in-process", "as a process"):
                    data = Path(tmp) / f"data-{variant}-{r}-{how}"
                    shutil.copytree(templates[variant], data)
                    run_env = dict(env, UCJ_DATA_DIR=str(data))
                    if how == "in-process":
                        seconds, used = child(_IMPORT, [str(xlsx)], run_env)
                    else:
                        seconds, used = process(["import", "roster", str(xlsx), "--json"], run_env)
                    samples.setdefault(f"xlsx import {how}{tag}", []).append(seconds)
                    cpu.setdefault(f"xlsx import {how}{tag}", []).append(used)
                    shutil.rmtree(data)
    medians = {k: statistics.median(v) for k, v in samples.items()}
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "files": {"xlsx": str(xlsx), "csv": str(csv) if csv else None},
        "samples": {k: [round(x, 3) for x in v] for k, v in samples.items()},
        "medians": {k: round(v, 3) for k, v in medians.items()},
        "cpu_medians": {k: round(statistics.median(v), 3) for k, v in cpu.items()},
    }
    (OUT / "read.json").write_text(json.dumps(result, indent=2))
    print(f"\nRead benchmark, {result['when']}, load average {result['load_avg_before'][0]} before / "
          f"{result['load_avg_after'][0]} after, {args.repeat} rounds (medians)\n")  # fmt: skip
    used = result["cpu_medians"]
    print(f"{'case':<36} {'median s':>9} {'× baseline':>11} {'after/before':>13} {'CPU s':>7} {'× baseline':>11} "
          f"{'after/before':>13}")  # fmt: skip
    for case in medians:
        tag = " [before]" if case.endswith(" [before]") else ""
        plain = case.removesuffix(" [before]")
        baseline = plain.replace("bounded", "in-process").replace("as a process", "in-process") + tag
        columns = []
        for values in (medians, used):
            ratio = f"{values[case] / values[baseline]:.2f}" if baseline != case else ""
            change = f"{values[case] / values[case + ' [before]']:.2f}" if case + " [before]" in values else ""
            columns.append(f"{values[case]:>7.3f} {ratio:>11} {change:>13}")
        print(f"{case:<36} {columns[0]:>9}  {columns[1]}")
    measured = medians["xlsx import as a process"]
    verdict = "PASS" if measured <= GOAL_XLSX_S else "MISS"
    goal = f"{args.xlsx_rows:,}-row .xlsx as a process <= {GOAL_XLSX_S} s"
    print(f"\nGoal\n  {verdict}  {goal}, measured {measured:.2f} s")


if __name__ == "__main__":
    main()
