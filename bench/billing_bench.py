"""Billing and status speed, against baselines measured in the same run.

Fills a fresh database (SQLite by default; ``--postgres`` uses UCJ_BENCH_POSTGRES, created and dropped) with
N synthetic participants (default 1,000,000) spread over Sumsel's villages, of whom ``--payer-rows``
(default 100,000) are paid by the APBD of Musi Banyuasin (16.06) with a mix of paid-through months. Then:

* **bill**: ``create_bill`` for that payer and one month (read participants, compute, store lines), and its
  parts: the pure ``compute_bill`` on the in-memory frame; the .xlsx export;
* **status**: ``status_summary`` (active / non-active per segment and payer) for the whole province and for
  one kabupaten, and the same in Polars over all participants read into memory.

Baselines: reading the payer's participants into Polars (``participants_frame``) for the bill; one
``COUNT(*)`` over the participant table for status.

    .venv/bin/python bench/billing_bench.py [--rows 1000000] [--payer-rows 100000] [--postgres]

Writes bench/out/billing.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchdb import drop_database, setup_database, timed

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MONTH = dt.date(2026, 5, 1)


def fill(rows: int, payer_rows: int) -> None:
    import polars as pl
    from django.db import connection, transaction

    from ucj.bulk import insert_frame
    from ucj.regions.models import Region

    desas = list(Region.objects.filter(level=4, code__startswith="16.").values_list("code", flat=True))
    muba = [c for c in desas if c.startswith("16.06.")]
    paid = [None, dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30), dt.date(2025, 12, 31)]
    i = pl.int_range(0, rows, eager=True)
    in_payer = i < payer_rows
    frame = pl.DataFrame({"i": i}).with_columns(
        (pl.lit("16") + (pl.col("i") + 10**13).cast(pl.String).str.slice(1)).alias("nik"),
        pl.lit("Peserta Sintetis").alias("name"),
        pl.when(in_payer).then(pl.Series(muba).gather(i % len(muba)))
        .otherwise(pl.Series(desas).gather(i % len(desas))).alias("desa_id"),
        pl.when(i % 5 == 0).then(pl.lit("PU")).otherwise(pl.lit("BPU")).alias("segment"),
        pl.when(in_payer).then(pl.lit("apbd_kabkota")).otherwise(pl.lit("mandiri")).alias("payer"),
        pl.lit("rentan").alias("ecosystem"),
        pl.when(i % 5 == 0).then(2_500_000 + (i % 97) * 10_000).otherwise(1_000_000).alias("income"),
        pl.lit(True).alias("jkk"), pl.lit(True).alias("jkm"), (i % 3 == 0).alias("jht"), (i % 5 == 0).alias("jp"),
        pl.lit(False).alias("jkp"), pl.Series(paid, dtype=pl.Date).gather(i % len(paid)).alias("paid_through"),
    ).drop("i")  # fmt: skip
    with transaction.atomic(), connection.cursor() as cur:
        insert_frame(cur, "registry_participant", frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--payer-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    db_name = setup_database(args.postgres, "billbench")
    try:
        started = time.perf_counter()
        fill(args.rows, args.payer_rows)
        print(f"loaded {args.rows:,} participants in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        results = run(args)
    finally:
        drop_database(db_name)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "billing.json").write_text(json.dumps(results, indent=2))


def run(args: argparse.Namespace) -> dict[str, Any]:
    import polars as pl
    from django.db import connection

    from ucj.accounts.services import create_user
    from ucj.contributions.billing import compute_bill, status_expr
    from ucj.contributions.bills import create_bill, participants_frame
    from ucj.contributions.exports import bill_xlsx
    from ucj.contributions.services import rulebook
    from ucj.contributions.status import status_summary

    user = create_user("bench-admin", role="admin", region=None, password="Bench-Password-1")  # noqa: S106 (throwaway database)
    book = rulebook()
    base_read, frame = timed(lambda: participants_frame("apbd_kabkota", "16.06"), args.repeat)
    compute, _ = timed(lambda: compute_bill(frame, MONTH, book), args.repeat)
    whole, bill = timed(lambda: create_bill(user, "apbd_kabkota", "16.06", MONTH), args.repeat)
    xlsx, _ = timed(lambda: bill_xlsx(bill, user), 1)

    def count_all() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM registry_participant")
            return int(cur.fetchone()[0])

    base_count, _ = timed(count_all, args.repeat)
    province, summary = timed(lambda: status_summary("16", dt.date(2026, 6, 15)), args.repeat)
    kab, _ = timed(lambda: status_summary("16.06", dt.date(2026, 6, 15)), args.repeat)

    def polars_status() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT paid_through FROM registry_participant")
            dates = pl.DataFrame(cur.fetchall(), schema={"paid_through": pl.Date}, orient="row")
        return int(dates.select(status_expr(dt.date(2026, 6, 15)))["active"].sum())

    in_memory, _ = timed(polars_status, 1)
    rows = [
        ("BASELINE: read the payer's participants into Polars", frame.height, base_read, base_read),
        ("compute_bill (pure, in memory)", frame.height, compute, base_read),
        ("create_bill (read + compute + store lines)", bill.participants, whole, base_read),
        ("bill .xlsx export", bill.participants, xlsx, base_read),
        ("BASELINE: COUNT(*) participants", args.rows, base_count, base_count),
        ("status_summary province (SQL aggregate)", args.rows, province, base_count),
        ("status_summary kabupaten", args.rows, kab, base_count),
        ("status in Polars (read all + status_expr)", args.rows, in_memory, base_count),
    ]
    print(f"\nBilling and status, {connection.vendor}, {args.rows:,} participants, bill of {bill.participants:,} "
          f"(Rp {bill.total:,}); median of {args.repeat}\n")  # fmt: skip
    print(f"{'case':52} {'rows':>10} {'seconds':>8} {'× baseline':>10}")
    for label, n, secs, baseline in rows:
        print(f"{label:52} {n:>10,} {secs:>8.3f} {secs / baseline:>10.2f}")
    print(f"\nactive {summary['active']:,} / non-active {summary['inactive']:,}")
    return {"database": connection.vendor, "rows": args.rows, "bill_participants": bill.participants,
            "cases": [{"case": label, "rows": n, "seconds": round(secs, 4), "ratio": round(secs / baseline, 3)}
                      for label, n, secs, baseline in rows]}  # fmt: skip


if __name__ == "__main__":
    main()
