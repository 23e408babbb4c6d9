"""Export speed (issue 17 §4): every xlsx export against a plain XlsxWriter ``constant_memory`` loop over the
same cells, measured in the same run.

Cases (a fresh SQLite database by default; ``--postgres`` uses UCJ_BENCH_POSTGRES, created and dropped):

* **bill**: ``bill_xlsx`` of a bill of ``--lines`` (default 100,000) lines — read, mask, status, write; and
  ``bill_csv``, the CSV option for very large exports;
* **rejected rows**: ``rejected_rows_xlsx`` of a batch of ``--rejected`` (default 20,000) rows × 12 columns;
* **enrolment**: ``enrolment_xlsx`` of a plan's list of ``--lines`` workers (11 columns) and its per-village
  table (pure: the frames are made in memory);
* **small workbook**: a dashboard-sized sheet (20 rows × 18 columns, like the coverage and RKA workbooks)
  through ``ucj.xlsx.Book``.

Baseline: each workbook UCJ wrote is read back with calamine, and the same cells (sheet by sheet, row by row)
are written by ``xlsxwriter.Workbook(..., {"constant_memory": True})`` with ``write_row`` — the plain
XlsxWriter floor. Each case and its baseline alternate, ``--repeat`` times (median). ``--before`` also times
the previous bill export (XlsxWriter ``in_memory``, one Python call per cell), loaded from git history.

Goal: every xlsx export ≤ 0.3 × its baseline. The machine is shared (2 cores; other agents may be running):
the load average is printed before and after, and ratios matter more than seconds.

    .venv/bin/python bench/export_bench.py [--lines 100000] [--rejected 20000] [--repeat 3] [--before] [--postgres]

Writes bench/out/export.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdb import drop_database, setup_database

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MONTH = dt.date(2026, 5, 1)
GOAL = 0.30
#: The commit before the fast writer: its contributions/exports.py is the "before" bill export.
BEFORE_COMMIT = "3e53926^"


def cells_of(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    """The sheets of a workbook as calamine reads them (empty cells as None)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [(name, [[None if v == "" else v for v in row] for row in book.get_sheet_by_name(name).to_python()])
            for name in book.sheet_names]  # fmt: skip


def xlsxwriter_floor(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """The baseline: a plain XlsxWriter loop in constant_memory mode over the same cells."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})  # fmt: skip
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


def alternate(case: Callable[[], bytes], baseline: Callable[[], Any], repeat: int) -> tuple[float, float, bytes]:
    """Median seconds of ``case`` and ``baseline``, run alternately."""
    ours, base, data = [], [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        data = case()
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline()
        base.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(base), data


def load() -> float:
    return os.getloadavg()[0]


def fill_rejected(rows: int) -> Any:
    from ucj.registry.models import ImportBatch, RejectedRow

    headers = ["No", "NIK", "Nama", "Tgl Lahir", "L/P", "Jabatan", "Desa", "Kecamatan", "Kode Desa", "No HP",
               "Penghasilan", "Iuran s/d"]  # fmt: skip
    batch = ImportBatch.objects.create(file_name="bench.csv", sha256="0" * 64, region_id="16", status="done",
                                       rejected=rows, columns={"headers": headers})  # fmt: skip
    RejectedRow.objects.bulk_create(
        [RejectedRow(batch=batch, row=i + 2, reasons="NIK_LENGTH: NIK harus 16 digit / NIK must be 16 digits",
                     cells=[str(i + 1), f"160601{i:09d}", f"Warga Sintetis {i}", "01-02-1980", "P", "Ketua RT",
                            "Sukarami", "Sekayu", "16.06.01.2001", "0812000000", "1500000", "2024-03"])
         for i in range(rows)], batch_size=5_000)  # fmt: skip
    return batch


def enrolment_frames(lines: int) -> tuple[Any, Any, Any]:
    import polars as pl

    i = pl.int_range(0, lines, eager=True)
    people = pl.DataFrame({"i": i}).select(
        (pl.lit("16.06.01.") + (2001 + pl.col("i") % 300).cast(pl.String)).alias("desa"),
        pl.lit("Desa Sintetis").alias("desa_name"), pl.lit("16.06").alias("region"),
        (pl.lit("16") + (pl.col("i") + 10**13).cast(pl.String).str.slice(1)).alias("nik"),
        pl.lit("Warga Sintetis").alias("name"), pl.lit("rt_rw").alias("group"),
        (pl.col("i") % 4 + 1).cast(pl.Int64).alias("decile"), pl.lit("APBD Kabupaten/Kota").alias("pembayar"),
        pl.lit(16_800).alias("monthly"), pl.lit(12).alias("months"), pl.lit(201_600).alias("period"),
    )  # fmt: skip
    villages = people.group_by("desa", "desa_name", "region", "pembayar").agg(
        pl.len().alias("pekerja"), pl.col("monthly").sum().alias("tagihan_per_bulan"),
        pl.col("period").sum().alias("tagihan_periode"),
    ).sort("desa")  # fmt: skip
    unlisted = pl.DataFrame({"region": ["16.06"], "nama": ["Musi Banyuasin"], "pembayar": ["APBD Kabupaten/Kota"],
                             "pekerja": [120], "biaya_periode": [120 * 201_600]})  # fmt: skip
    return people, villages, unlisted


def small_workbook() -> bytes:
    from ucj.xlsx import Book

    book = Book()
    head = book.style(bold=True, fill="#E3F1EA", wrap=True)
    pct = book.style(num_format="0.00")
    sheet = book.add_sheet("Cakupan")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.freeze_panes(1, 2)
    sheet.write_row(0, [f"Kolom {c}" for c in range(18)], head)
    sheet.write_rows(1, [[f"16.{r:02d}", f"Kabupaten {r}", *[r * 1000 + c for c in range(14)], "di atas target",
                          "BPJS"] for r in range(20)], [None, None, None, None, pct] + [None] * 13)  # fmt: skip
    return book.to_bytes()


def before_bill_export() -> Callable[[Any, Any], bytes] | None:
    """The bill export as it was before the fast writer (git history), or None when git cannot give it."""
    try:
        source = subprocess.run(["git", "show", f"{BEFORE_COMMIT}:src/ucj/contributions/exports.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("ucj_bench_old_exports")
    exec(compile(source, "old_exports.py", "exec"), module.__dict__)  # noqa: S102 (our own history)
    return module.bill_xlsx  # type: ignore[no-any-return]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from billing_bench import fill
    from ucj.accounts.services import create_user
    from ucj.contributions.bills import create_bill
    from ucj.contributions.exports import bill_csv, bill_xlsx
    from ucj.planning.exports import enrolment_xlsx
    from ucj.registry.exports import rejected_rows_xlsx

    fill(args.lines + args.lines // 5, args.lines)
    user = create_user("bench-admin", role="admin", region=None, password="Bench-Password-1")  # noqa: S106 (throwaway database)
    bill = create_bill(user, "apbd_kabkota", "16.06", MONTH)
    batch = fill_rejected(args.rejected)
    people, villages, unlisted = enrolment_frames(args.lines)
    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("bill .xlsx (read + mask + write)", lambda: bill_xlsx(bill, user)),
        ("rejected rows .xlsx", lambda: rejected_rows_xlsx(batch)),
        ("enrolment list .xlsx", lambda: enrolment_xlsx("bench", people, villages, unlisted)),
        ("small workbook (coverage/RKA size)", small_workbook),
    ]
    results = []
    for label, case in cases:
        sheets = cells_of(case())
        cells = sum(len(row) for _, rows in sheets for row in rows)
        ours, base, _ = alternate(case, lambda s=sheets: xlsxwriter_floor(s), args.repeat)  # type: ignore[misc]
        results.append({"case": label, "cells": cells, "seconds": ours, "baseline": base, "ratio": ours / base,
                        "goal": GOAL, "met": ours / base <= GOAL})  # fmt: skip
        print(f"  {label}: {ours:.2f} s vs {base:.2f} s", file=sys.stderr)
    bill_sheets = cells_of(bill_xlsx(bill, user))
    bill_cells = sum(len(row) for _, rows in bill_sheets for row in rows)
    csv_s, base_s, _ = alternate(lambda: bill_csv(bill, user), lambda: xlsxwriter_floor(bill_sheets), args.repeat)
    results.append({"case": "bill .csv (format=csv)", "cells": bill_cells, "seconds": csv_s, "baseline": base_s,
                    "ratio": csv_s / base_s, "goal": None, "met": None})  # fmt: skip
    if args.before:
        old = before_bill_export()
        if old is not None:
            started = time.perf_counter()
            old(bill, user)
            seconds = time.perf_counter() - started
            base = results[0]["baseline"]
            results.append({"case": "before: bill .xlsx (XlsxWriter in_memory, per cell)", "cells": bill_cells,
                            "seconds": seconds, "baseline": base, "ratio": seconds / base, "goal": None,
                            "met": None})  # fmt: skip
    return {"lines": bill.participants, "rejected": args.rejected, "cases": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rejected", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", action="store_true", help="also time the previous bill export (slow)")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    load_before = load()
    if load_before > 0.5:
        print(f"warning: load average {load_before:.1f} — the machine is shared; figures will be noisy, "
              "ratios less so", file=sys.stderr)  # fmt: skip
    db_name = setup_database(args.postgres, "exportbench")
    try:
        result = run(args)
    finally:
        drop_database(db_name)
    result.update(database="postgresql" if args.postgres else "sqlite", load_before=load_before, load_after=load(),
                  measured=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "export.json").write_text(json.dumps(result, indent=2))
    print(f"{'case':<52} {'cells':>10} {'seconds':>8} {'baseline':>9} {'×base':>6}  goal ≤ {GOAL}")
    for c in result["cases"]:
        verdict = "" if c["met"] is None else ("met" if c["met"] else "MISS")
        print(f"{c['case']:<52} {c['cells']:>10,} {c['seconds']:>8.2f} {c['baseline']:>9.2f} {c['ratio']:>6.3f}  "
              f"{verdict}")  # fmt: skip
    print(f"load average {result['load_before']:.1f} before, {result['load_after']:.1f} after "
          "(2 cores shared with other agents)")  # fmt: skip


if __name__ == "__main__":
    main()
