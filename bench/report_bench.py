"""Report speed (issue 15 §6): the province's monthly report on a registry of 1,000,000 participants, against a
baseline measured in the same run.

Database: a fresh SQLite (default) or PostgreSQL (``--postgres``) database with the Sumsel regions and the kab/kota
boundaries of ``../shared/geo`` (so the map is a real choropleth), ``--rows`` participants (coverage mostly in 2024,
as in the demo), the demo story (denominators, targets, the BPJS feed) and the coverage facts
(``coverage_bench.fill``).

"Cold" cases start with an empty shared cache (``cache.clear()``: no coverage answer is stored, so the report
computes the dashboard's answer itself from the facts); "published" cases run on a prepared version, as after every
data change (the worker prepares the dashboards' answers before publishing them, docs/coverage.md).

* baseline: the dashboard's services alone — ``coverage("16")`` cold (what ``/cakupan/`` computes on a miss);
* the report's data: ``services.build_monthly`` (the dashboard's answer + arrangement + plans, bills, map,
  commitments scorecard and enrolment funnel when those packages exist);
* the province's PDF and xlsx end to end (``services.make``: data, layout, WeasyPrint), cold and published;
* the kab/kota (16.06, by kecamatan) PDF; the development-indicator sheet (two definitions × each year);
* the province's PDF without the commitments scorecard section (the report before issue 13 landed);
* where the time goes: the commitments scorecard alone (``ucj.commitments.services.scorecard``, province by
  kab/kota), which the report includes since issue 13 landed, and the layout + PDF alone (``pdf.render_pdf`` of
  a report already built); the report's data version (:func:`ucj.reports.version.report_version`: the change
  markers of every source, read on each issue).

Goal: the province PDF under 10 s.

    .venv/bin/python bench/report_bench.py [--rows 1000000] [--postgres] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from benchdb import drop_database, registry_bench_main, setup_database, timed

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))
GOAL_S = 10.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    import coverage_bench

    db_name = setup_database(args.postgres, "reportbench")
    try:
        for label, secs in coverage_bench.fill(args.rows).items():
            print(f"  {label}: {secs:.1f} s", file=sys.stderr)
        from django.core.cache import cache
        from django.db import connection

        from ucj.coverage.services import bump_version, coverage
        from ucj.regions.services import load_boundaries
        from ucj.reports import services
        from ucj.reports.pdf import render_pdf

        geo = SHARED / "geo" / "sumsel_kabkota.geojson"
        if geo.exists():
            load_boundaries(geo.read_bytes(), source="shared/geo")
        month = dt.date(2024, 12, 1)
        built = services.build_monthly("16", month, "id")

        from ucj.reports import optional

        def without_scorecard() -> Any:
            """The report as it was before issue 13 landed: no scorecard section."""
            real = optional.scorecard
            optional.scorecard = lambda code, month: None  # type: ignore[assignment,return-value]
            try:
                return services.make("monthly", "16", month, "pdf", "id")
            finally:
                optional.scorecard = real

        def scorecard_alone() -> Any:
            return optional.scorecard("16", month)

        def cold(fn: Any) -> Any:
            def measured() -> Any:
                cache.clear()
                return fn()

            return measured

        base, _ = timed(cold(lambda: coverage("16", None, month)), args.repeat)
        cases = {
            "province: report data (build_monthly)": cold(lambda: services.build_monthly("16", month, "id")),
            "province: PDF end to end": cold(lambda: services.make("monthly", "16", month, "pdf", "id")),
            "province: xlsx end to end": cold(lambda: services.make("monthly", "16", month, "xlsx", "id")),
            "kabupaten 16.06: PDF end to end": cold(lambda: services.make("monthly", "16.06", month, "pdf", "id")),
            "province: indicator sheet (xlsx)": cold(lambda: services.make("indicator", "16", month, "xlsx", "id")),
            "province: PDF end to end, without the scorecard": cold(without_scorecard),
            "  part: commitments scorecard alone": scorecard_alone,
            "  part: the report's data version (every source's markers)": services.report_version,
            "  part: layout + PDF alone (report built)": lambda: render_pdf(built),
            # last: a prepared, published version, the state after every data change
            "province: PDF, published version": lambda: services.make("monthly", "16", month, "pdf", "id"),
        }
        rows = []
        for label, fn in cases.items():
            if label.endswith("published version"):
                cache.clear()
                bump_version()  # prepares the dashboards' answers and publishes them (not timed)
            secs, result = timed(fn, args.repeat)
            size = len(result) if isinstance(result, bytes) else None
            rows.append({"case": label, "seconds": secs, "ratio": secs / base, "bytes": size})
            print(f"  {label}: {secs:.2f} s", file=sys.stderr)
        vendor = connection.vendor
    finally:
        drop_database(db_name)
    pdf = next(r for r in rows if r["case"] == "province: PDF end to end")
    print(f"\nReports, {vendor}, {args.rows:,} participants + demo story, December 2024 (empty cache unless noted, "
          f"median of {args.repeat}); baseline: the dashboard's services alone, coverage('16') cold "
          f"{base:.2f} s\n")  # fmt: skip
    print(f"{'case':50} {'seconds':>8} {'× base':>7} {'bytes':>10}")
    for r in rows:
        print(f"{r['case']:50} {r['seconds']:>8.2f} {r['ratio']:>7.1f} {r['bytes'] or 0:>10,}")
    verdict = "met" if pdf["seconds"] < GOAL_S else "MISSED"
    print(f"\nGoal: province PDF < {GOAL_S:.0f} s — {verdict} ({pdf['seconds']:.2f} s)")
    return {"vendor": vendor, "rows": args.rows, "baseline_s": base, "goal_s": GOAL_S, "cases": rows}


def main() -> None:
    registry_bench_main(__doc__, run, "report")

if __name__ == "__main__":
    main()
