"""Budget commitments (penganggaran) and their realisation, computed from the payments recorded against the bills of
each payer, never typed (docs/commitments.md, "Realisation rule")."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

from ucj.commitments import filecheck, institutions
from ucj.commitments.models import BudgetCommitment
from ucj.commitments.services.base import (
    CHECKS,
    KINDS,
    Values,
    _create,
    _delete,
    _get,
    _region_code,
    _require_visible,
    _update,
    _visible,
)
from ucj.contributions.models import Payment
from ucj.regions.models import in_region


def visible_budgets(user: Any, region: str | None = None, year: int | None = None) -> QuerySet[BudgetCommitment]:
    qs = _visible(KINDS["budget"], user, region)
    return qs.filter(year=year) if year else qs


def get_budget(user: Any, pk: int) -> BudgetCommitment:
    found: BudgetCommitment = _get(KINDS["budget"], user, pk)
    return found


def _check(obj: Any, code: str | None, level: int | None, kelurahan: bool) -> list[str]:
    """The payer's level, APBDes only in a desa and with its source, no negative allocation."""
    problems = []
    want = filecheck.PAYER_LEVELS[obj.payer]
    if level != want:
        words = filecheck.LEVEL_WORDS[want]
        problems.append(f"{obj.payer}: wilayah harus {words[0]} / the region must be a {words[1]}")
    if obj.payer == "apbdes" and kelurahan:
        problems.append(f"{code} adalah kelurahan: tidak ada APBDes / a kelurahan has no APBDes")
    if obj.payer == "apbdes" and not obj.source:
        problems.append("APBDes: isi sumber (ADD, Dana Desa, PAD) / give the source")
    if obj.payer != "apbdes" and obj.source:
        problems.append("Sumber hanya untuk APBDes / a source is for APBDes only")
    if obj.allocated < 0:
        problems.append("Pagu tidak boleh negatif / the allocation cannot be negative")
    return problems


CHECKS["budget"] = _check


def create_budget(user: Any, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    found: BudgetCommitment = _create(KINDS["budget"], user, values, request)
    return found


def update_budget(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    found: BudgetCommitment = _update(KINDS["budget"], user, pk, values, request)
    return found


def delete_budget(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["budget"], user, pk, request)


# ---------------------------------------------------------------- realisation (computed, never typed)

#: The bill payer whose paid bills realise each budget payer's allocation. A bantuan keuangan is spent by the
#: kab/kota through its own APBD, so it is realised by the kab/kota's APBD bills (shared/domain.md §6).
BILL_PAYER = {"apbd_provinsi": "apbd_provinsi", "apbd_kabkota": "apbd_kabkota", "bantuan_keuangan": "apbd_kabkota",
              "apbdes": "apbdes"}  # fmt: skip


def _paid(region: str, year: int) -> pl.DataFrame:
    """Rupiah paid in ``year`` (payment date) per bill region and bill payer, for the bills of budget payers in
    ``region`` and below (every payment recorded against a bill, partial ones too): one grouped query."""
    qs = (Payment.objects.filter(bill__isnull=False, paid_on__year=year, bill__payer__in=set(BILL_PAYER.values()))
          .filter(in_region("bill__region_id", region)).order_by()
          .values("bill__region_id", "bill__payer").annotate(paid=Sum("amount")))  # fmt: skip
    rows = [(r["bill__region_id"], r["bill__payer"], int(r["paid"] or 0)) for r in qs]
    return pl.DataFrame(rows, schema={"region": pl.String, "bill_payer": pl.String, "realised": pl.Int64},
                        orient="row")  # fmt: skip


def realisation(region: str, year: int, payer: str) -> int:
    """Rupiah paid in ``year`` on the bills of budget payer ``payer`` in exactly ``region``: the sum of the
    payments recorded against its bills whose payment date falls in ``year`` — a bill paid at once is one payment of
    its total, one paid in parts (:func:`ucj.contributions.bills.pay_bill_lines`) one payment per part; budget
    realisation is on a cash basis (docs/commitments.md)."""
    code = _region_code(region)
    paid = Payment.objects.filter(bill__isnull=False, paid_on__year=year, bill__payer=BILL_PAYER[payer],
                                  bill__region_id=code).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    return int(paid or 0)


def _pools(region: str, year: int) -> pl.DataFrame:
    """Allocations per pool (bill region × bill payer) in ``region`` for ``year`` with their realisation: several
    commitment rows share one pool (an APBDes's ADD and PAD lines; a kab/kota's APBD and the province's bantuan
    keuangan), because a bill does not say which line paid it."""
    rows = list(BudgetCommitment.objects.filter(in_region("region_id", region), year=year)
                .values_list("region_id", "payer", "allocated", "workers"))  # fmt: skip
    commitments = pl.DataFrame(rows, schema={"region": pl.String, "payer": pl.String, "allocated": pl.Int64,
                                             "workers": pl.Int64}, orient="row")  # fmt: skip
    pools = (commitments.with_columns(pl.col("payer").replace_strict(BILL_PAYER, return_dtype=pl.String)
                                      .alias("bill_payer"))
             .group_by("region", "bill_payer")
             .agg(pl.col("allocated").sum(), pl.col("workers").sum(), pl.len().alias("lines")))  # fmt: skip
    return pools.join(_paid(region, year), on=["region", "bill_payer"], how="full", coalesce=True).with_columns(
        pl.col("allocated").fill_null(0), pl.col("workers").fill_null(0), pl.col("lines").fill_null(0),
        pl.col("realised").fill_null(0),
    )  # fmt: skip


def budget_rows(user: Any, region: str, year: int) -> list[dict[str, Any]]:
    """The budget commitments of ``region`` and below for ``year``, each with its pool's allocation and
    realisation (``realised`` on the row itself only when it is alone in its pool)."""
    code = _require_visible(user, region)
    pools = {(r["region"], r["bill_payer"]): r for r in _pools(code, year).iter_rows(named=True)}
    out = []
    for row in visible_budgets(user, code, year).order_by("region_id", "payer", "source"):
        pool = pools.get((row.region_id, BILL_PAYER[row.payer]), {})
        alone = pool.get("lines") == 1
        out.append({"id": row.pk, "region": row.region_id, "year": row.year, "payer": row.payer,
                    "source": row.source, "allocated": row.allocated, "workers": row.workers,
                    "scenario": row.scenario_id, "document_ref": row.document_ref, "note": row.note,
                    "synthetic": row.synthetic, "realised": pool.get("realised", 0) if alone else None,
                    "pool": {"bill_payer": BILL_PAYER[row.payer], "lines": pool.get("lines", 0),
                             "allocated": pool.get("allocated", 0), "realised": pool.get("realised", 0),
                             "absorption_pct": institutions.pct(pool.get("realised"), pool.get("allocated"))},
                    })  # fmt: skip
    return out
