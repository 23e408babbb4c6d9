"""Before/after of the in-memory candidate computation (issue 14 §6): ``ucj.targeting.candidates.compute`` of the
work tree against the same function at an earlier commit (its ``candidates.py`` and ``rules.py`` read with
``git show``), and the plain anti-join, on the same frames of ``targeting_bench.fill``, best of ``--repeat`` runs in
one process; asserts both versions give the same candidates and exclusion counts.

    .venv/bin/python bench/targeting_compare.py REV [--list-rows N] [--known-rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _old_module(rev: str) -> Any:
    """``candidates`` at ``rev``, importing that commit's ``rules`` (not the work tree's)."""
    folder = Path(tempfile.mkdtemp(prefix="ucj-tgtcmp-"))
    for name in ("candidates", "rules"):
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/ucj/targeting/{name}.py"],
                              check=True, capture_output=True, text=True).stdout  # fmt: skip
        text = text.replace("from ucj.targeting import rules\n", "import old_rules as rules\n")
        (folder / f"old_{name}.py").write_text(text)
    sys.path.insert(0, str(folder))
    import old_candidates

    return old_candidates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev")
    parser.add_argument("--list-rows", type=int, default=2_000_000)
    parser.add_argument("--known-rows", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")
    import django

    django.setup()
    import polars as pl
    from polars.testing import assert_frame_equal

    from targeting_bench import AS_OF, fill
    from ucj.registry.status import active_since
    from ucj.targeting import candidates as new

    old = _old_module(args.rev)
    villages = [f"16.06.{k:02d}.{2000 + j}" for k in range(1, 15) for j in range(1, 20)]
    lists, bpjs, registry = fill(args.list_rows, args.known_rows, villages, store=False)
    since = active_since(AS_OF, 3)
    known = pl.concat([bpjs.select("nik"), registry.select("nik")])
    cases = {"plain": lambda: lists.join(known, on="nik", how="anti"),
             "before": lambda: old.compute(lists, bpjs, registry, as_of=AS_OF, since=since),
             "after": lambda: new.compute(lists, bpjs, registry, as_of=AS_OF, since=since)}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in cases}
    outs: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, fn in cases.items():
            started = time.perf_counter()
            outs[name] = fn()
            times[name].append(time.perf_counter() - started)
    assert_frame_equal(outs["before"].frame, outs["after"].frame)
    assert outs["before"].excluded == outs["after"].excluded
    best = {name: min(t) for name, t in times.items()}
    print(f"{args.list_rows:,} list rows, {args.known_rows:,} BPJS + registry rows; load {os.getloadavg()[0]:.1f}; "
          f"best of {args.repeat} (s): plain anti-join {best['plain']:.3f}, before ({args.rev}) {best['before']:.3f} "
          f"({best['before'] / best['plain']:.2f}x), after {best['after']:.3f} ({best['after'] / best['plain']:.2f}x); "
          "same candidates and exclusion counts")  # fmt: skip
    print({name: [round(x, 3) for x in t] for name, t in times.items()})


if __name__ == "__main__":
    main()
