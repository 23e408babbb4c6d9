"""Importing again: the same file twice, and fixed rejected rows coming back (issue 11 §3, §4).

* A file whose content (sha256) was already imported successfully into a batch the user can see is refused
  with :class:`DuplicateFile` unless the caller confirms (upload page checkbox, ``--again``, ``again=true``).
* The rejected-rows workbook (ucj.registry.exports) carries each row's batch and row number in the columns
  ``UCJ batch`` / ``UCJ baris``. When such a row comes back and its NIK cell is exactly the one that was
  rejected as ``NIK_EXCEL_FLOAT`` (Excel dropped the last digits), it stays rejected: exporting the cell as
  text must not turn a damaged NIK into an accepted one.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import Q, QuerySet

from ucj.accounts.scoping import scope_for
from ucj.registry.models import ImportBatch, RejectedRow
from ucj.registry.reader import ORIGIN_BATCH_HEADER, ORIGIN_ROW_HEADER, RawRoster
from ucj.registry.validate import Validated

#: The finding codes of an Excel-damaged NIK (a row rejected as the second one may come back again).
DAMAGED_NIK_CODES = ("NIK_EXCEL_FLOAT", "NIK_EXCEL_FLOAT_UNCHANGED")


class DuplicateFile(Exception):
    """The same file was already imported (``earlier``: that batch); the message is bilingual."""

    def __init__(self, earlier: ImportBatch) -> None:
        self.earlier = earlier
        when = earlier.finished_at or earlier.created_at
        super().__init__(
            f"Berkas yang sama sudah diimpor di batch #{earlier.pk} ({when:%d-%m-%Y %H:%M}) / "
            f"the same file was already imported in batch #{earlier.pk}"
        )


def batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    """Batches of the user's regions plus the user's own uploads (all batches for the operator, ``None``)."""
    if user is None:
        return ImportBatch.objects.all()
    scope = scope_for(user)
    return ImportBatch.objects.filter(scope.region_q("region_id") | Q(user=user))


def earlier_import(sha256: str, user: Any) -> ImportBatch | None:
    """The latest successful, stored import of a file with this content that ``user`` can see, if any."""
    return (
        batches_visible_to(user)
        .filter(sha256=sha256, status=ImportBatch.Status.DONE, dry_run=False, kind="roster")
        .order_by("-created_at", "-pk")
        .first()
    )


def keep_excel_damage(raw: RawRoster, checked: Validated, user: Any) -> Validated:
    """Reject again, with ``NIK_EXCEL_FLOAT_UNCHANGED``, every row that comes from a rejected-rows workbook
    and still has the NIK cell that was rejected as damaged by Excel. Only batches ``user`` can see are looked
    up (the origin columns are typed by whoever made the file)."""
    batch_col, row_col = raw.origin_column(ORIGIN_BATCH_HEADER), raw.origin_column(ORIGIN_ROW_HEADER)
    if batch_col is None or row_col is None or "nik" not in raw.columns.used:
        return checked
    refs = raw.frame.select(
        "_row",
        pl.col(batch_col).cast(pl.Int64, strict=False).alias("batch"),
        pl.col(row_col).cast(pl.Int64, strict=False).alias("row"),
        raw.field("nik").alias("nik_cell"),
    ).drop_nulls(["batch", "row", "nik_cell"])
    if refs.is_empty():
        return checked
    batches = {
        b.pk: b for b in batches_visible_to(user).filter(pk__in=refs["batch"].unique().to_list()).only("pk", "columns")
    }
    damaged = Q()
    for code in DAMAGED_NIK_CODES:
        damaged |= Q(reasons__contains=f"{code}:")
    originals = []
    for batch_id, row, cells in RejectedRow.objects.filter(damaged, batch_id__in=list(batches)).values_list(
        "batch_id", "row", "cells"
    ):
        index = column_index(batches[batch_id], "nik")
        if index is not None and index < len(cells) and cells[index]:
            originals.append((batch_id, row, str(cells[index]).strip()))
    if not originals:
        return checked
    known = pl.DataFrame(originals, schema={"batch": pl.Int64, "row": pl.Int64, "nik_cell": pl.String}, orient="row")
    hits = refs.join(known, on=["batch", "row", "nik_cell"], how="inner")
    if hits.is_empty():
        return checked
    added = hits.select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(raw.columns.header_of("nik")).alias("column"),
        pl.lit("NIK_EXCEL_FLOAT_UNCHANGED").alias("code"),
        pl.col("nik_cell").alias("value"),
        pl.col("batch").cast(pl.String).alias("extra"),
    )
    again = pl.col("_row").is_in(hits["_row"].implode())
    rows = checked.rows.with_columns((pl.col("rejected") | again).alias("rejected"))
    return Validated(rows=rows, findings=pl.concat([checked.findings, added.cast(checked.findings.schema)]))


def column_index(batch: ImportBatch, field: str) -> int | None:
    """The position of a canonical field's column (``nik``, ``name``, …) in the batch's stored cells (its header
    as the file wrote it), or None."""
    columns = batch.columns or {}
    header = (columns.get("used") or {}).get(field)
    headers = list(columns.get("headers") or [])
    return headers.index(header) if header in headers else None
