"""Start-up benchmark (issue 17 §2): a village's 50-row roster imported as a process, and ``ucj --help``.

Cases, each run ``--repeat`` times (default 5), interleaved so load drifts hit every case alike, medians:

* ``python -c pass`` — the interpreter's own start and exit (the floor of any process);
* ``ucj --help``;
* ``ucj import roster FILE --json`` — a new 50-row roster of one village (fresh NIKs each time) on a SQLite
  database with the Sumsel regions loaded;
* in-process: :func:`ucj.registry.services.import_roster` on the same kind of file inside an already started
  process (Django set up, modules imported, one warm-up import), the import's own cost.

It prints each median, the ratios to ``python -c pass`` and to the in-process import, and the goals (roster
as a process <= 0.8 s, ``ucj --help`` <= 0.2 s). ``--before SRC`` runs the process cases on the code in SRC
(an older checkout's ``src`` folder) too, interleaved. Results also go to bench/out/startup.json.

    .venv/bin/python bench/startup_bench.py [--repeat N] [--rows 50] [--before SRC] [--precompute MODE]

``--precompute`` sets ``UCJ_COVERAGE_PRECOMPUTE`` for the imports (default: unset, i.e. ``auto``: without a
running worker the CLI prepares the dashboards' answers itself after the import).

Every process runs with bytecode caches, as an installed package has them: ``PYTHONDONTWRITEBYTECODE`` is
dropped and ``PYTHONPYCACHEPREFIX`` points into the run's temporary folder (the work tree stays clean), and
each variant runs ``--help`` and one import untimed first. Without caches every run compiled ucj's modules
again (~0.1 s; this project's agent environment sets ``PYTHONDONTWRITEBYTECODE=1``). ``--no-bytecode-cache``
measures that way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
UCJ = str(Path(sys.executable).with_name("ucj"))
GOAL_ROSTER_S, GOAL_HELP_S = 0.8, 0.2

_IN_PROCESS = """
import json, sys, time
from ucj.cli.setup import boot
boot()
from ucj.registry.services import import_roster
times = []
for i, name in enumerate(sys.argv[1:]):
    data = open(name, 'rb').read()
    t0 = time.perf_counter()
    import_roster(data, name.rsplit('/', 1)[-1])
    if i:  # the first one warms up (lazy imports, caches)
        times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rosters(folder: Path, count: int, rows: int, offset: int) -> list[Path]:
    """``count`` rosters of ``rows`` people of one village, none sharing a NIK."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")
    from ucj.demo.synth import synthetic_roster
    from ucj.regions.reference import iter_reference

    village = next(r.code for r in iter_reference("16") if r.level == 4)
    paths = []
    for i in range(count):
        frame = synthetic_roster(rows, [village], seed=1000 + offset + i, paid_until=dt.date.today())
        path = folder / f"roster-{offset + i}.csv"
        frame.write_csv(path)
        paths.append(path)
    return paths


#: CPU seconds (user + system) of each timed process, by case: less swayed by other work than wall time.
CPU: dict[str, list[float]] = {}


def timed_run(cmd: list[str], env: dict[str, str], case: str | None = None) -> float:
    """Wall seconds of ``cmd``; its CPU seconds go to ``CPU[case]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr[-2000:]}")
    if case:
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        CPU.setdefault(case, []).append(used)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--before", metavar="SRC", help="also run the process cases on the code in SRC")
    parser.add_argument("--precompute", help="UCJ_COVERAGE_PRECOMPUTE for the imports (auto, inline, worker)")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile modules in every run")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"warning: load average {load_before[0]:.1f}; other work on the machine skews the figures")
    variants = [("after", None), *([("before", args.before)] if args.before else [])]
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ucj-bench-startup-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
        env["UCJ_DATA_DIR"] = str(folder / "data")
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        if args.precompute:
            env["UCJ_COVERAGE_PRECOMPUTE"] = args.precompute
        subprocess.run([UCJ, "regions", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
        timed = args.repeat * len(variants)
        files = rosters(folder, timed + len(variants) + args.repeat + 1, args.rows, 0)
        process_files, warm_files = files[:timed], files[timed : timed + len(variants)]
        inproc_files = files[timed + len(variants) :]
        subprocess.run([sys.executable, "-c", "pass"], check=True)  # warm the page cache once
        for (_variant, src), warm in zip(variants, warm_files, strict=True):  # compile, fill caches: untimed
            run_env = dict(env, **({"PYTHONPATH": src} if src else {}))
            timed_run([UCJ, "--help"], run_env)
            timed_run([UCJ, "import", "roster", str(warm), "--json"], run_env)
        for r in range(args.repeat):
            samples.setdefault("python -c pass", []).append(
                timed_run([sys.executable, "-c", "pass"], env, "python -c pass")
            )
            for n, (variant, src) in enumerate(variants if r % 2 == 0 else list(reversed(variants))):
                run_env = dict(env, **({"PYTHONPATH": src} if src else {}))
                tag = "" if variant == "after" else " [before]"
                log(f"round {r + 1}: {variant} …")
                case = f"ucj --help{tag}"
                samples.setdefault(case, []).append(timed_run([UCJ, "--help"], run_env, case))
                roster = process_files[r * len(variants) + n]
                case = f"{args.rows}-row roster as a process{tag}"
                samples.setdefault(case, []).append(
                    timed_run([UCJ, "import", "roster", str(roster), "--json"], run_env, case)
                )
        log("in-process imports …")
        out = subprocess.run(
            [sys.executable, "-c", _IN_PROCESS, *map(str, inproc_files)], env=env, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
        samples[f"{args.rows}-row roster in-process (import_roster)"] = json.loads(out.stdout.strip().splitlines()[-1])
    medians = {k: statistics.median(v) for k, v in samples.items()}
    floor = medians["python -c pass"]
    inproc = medians[f"{args.rows}-row roster in-process (import_roster)"]
    goals = [
        ("ucj --help", GOAL_HELP_S, medians["ucj --help"]),
        (f"{args.rows}-row roster as a process", GOAL_ROSTER_S, medians[f"{args.rows}-row roster as a process"]),
    ]
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "precompute": args.precompute or "auto",
        "bytecode_cache": not args.no_bytecode_cache,
        "samples": {k: [round(x, 3) for x in v] for k, v in samples.items()},
        "cpu_samples": {k: [round(x, 3) for x in v] for k, v in CPU.items()},
        "cpu_medians": {k: round(statistics.median(v), 3) for k, v in CPU.items()},
        "medians": {k: round(v, 3) for k, v in medians.items()},
        "goals": [{"case": c, "goal_s": g, "measured_s": round(m, 3), "result": "PASS" if m <= g else "MISS"}
                  for c, g, m in goals],
    }  # fmt: skip
    (OUT / "startup.json").write_text(json.dumps(result, indent=2))
    print(f"\nStart-up benchmark, {result['when']}, load average {result['load_avg_before'][0]} before / "
          f"{result['load_avg_after'][0]} after, UCJ_COVERAGE_PRECOMPUTE={result['precompute']}, "
          f"bytecode cache {'on' if result['bytecode_cache'] else 'off'}, {args.repeat} rounds\n")  # fmt: skip
    cpu = result["cpu_medians"]
    print(f"{'case':<52} {'median s':>9} {'×python':>8} {'×in-process':>12} {'CPU s':>7} {'CPU ×python':>12}")
    for case, seconds in medians.items():
        used = f"{cpu[case]:>7.3f} {cpu[case] / cpu['python -c pass']:>12.1f}" if case in cpu else ""
        print(f"{case:<52} {seconds:>9.3f} {seconds / floor:>8.1f} {seconds / inproc:>12.1f} {used}")
    for case in [c for c in medians if c.endswith("[before]")]:
        now, plain = medians[case.removesuffix(" [before]")], case.removesuffix(" [before]")
        print(f"  {plain}: after/before {now / medians[case]:.2f} (CPU {cpu[plain] / cpu[case]:.2f})")
    print("\nGoals")
    for g in result["goals"]:
        print(f"  {g['result']:<5} {g['case']:<40} <= {g['goal_s']} s, measured {g['measured_s']} s")


if __name__ == "__main__":
    main()
