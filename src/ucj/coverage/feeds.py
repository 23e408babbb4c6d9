"""The participation feed import (``ucj import feed``, ``POST /api/v1/imports/feed``): aggregate active-participant
counts from BPJS per region × month × segment (× ecosystem × payer), loaded all or nothing.

One rejected row and nothing is stored: the report lists every finding. Otherwise one transaction writes a
:class:`FeedBatch` and its :class:`FeedRow` rows; a row for a region × month × segment × ecosystem × payer that an
earlier feed already gave replaces the earlier count. The checks are in :mod:`ucj.coverage.feedcheck`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q

from ucj.accounts import audit
from ucj.accounts.scoping import COVERAGE_WRITE_ROLES, scope_for
from ucj.coverage import feedcheck
from ucj.coverage.feedcheck import Checked, Finding, RawTable
from ucj.coverage.models import FeedBatch, FeedRow
from ucj.coverage.services import bump_version
from ucj.regions.codes import common_ancestor
from ucj.regions.models import Region

FEED_KEY = ("region", "month", "segment", "ecosystem", "payer")
#: Findings kept with a loaded feed (its counts stay exact; a feed has a few hundred rows).
STORED_FINDINGS = 1000


class FeedRefused(Exception):
    """The user may not load coverage data at all (the message is bilingual)."""


@dataclass
class FeedReport:
    """What happened to a feed file: counts, every finding and the batch that records it (None when nothing
    was stored: a dry run or a rejected file)."""

    file_name: str
    sha256: str
    rows: int = 0
    accepted: int = 0
    replaced: int = 0
    rejected: int = 0
    skipped: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    stored: bool = False
    columns: dict[str, Any] = field(default_factory=dict)
    header_row: int | None = None
    months: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "stored": self.stored,
            "rows": self.rows,
            "accepted": self.accepted,
            "replaced": self.replaced,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "header_row": self.header_row,
            "columns": self.columns,
            "months": self.months,
            "regions": self.regions,
            "issues": [f.as_dict() for f in self.findings],
        }


def write_scope(user: Any, roles: frozenset[str]) -> tuple[str, ...] | None:
    """The region codes ``user`` may write coverage data for through ``roles`` (None: everywhere, also for
    ``user=None``, the operator at the command line). Raises :class:`FeedRefused` without any such role."""
    if user is None:
        return None
    scope = scope_for(user)
    if not scope.can(roles):
        raise FeedRefused("Anda tidak berhak memuat data cakupan / you may not load coverage data")
    if scope.everywhere:
        return None
    return tuple(sorted({code for role, code in scope.grants if role in roles and code}))


def regions_frame(codes: set[str]) -> pl.DataFrame:
    """Provinces and kab/kota (for names) plus the regions whose codes a file mentions."""
    qs = Region.objects.filter(Q(level__lte=2) | Q(code__in=sorted(codes))).values_list("code", "name", "level", "kind")
    return pl.DataFrame(
        list(qs), schema={"code": pl.String, "name": pl.String, "level": pl.Int64, "kind": pl.String}, orient="row"
    )


def check_feed(raw: RawTable, user: Any) -> Checked:
    scope = write_scope(user, COVERAGE_WRITE_ROLES)
    return feedcheck.validate_feed(raw, regions_frame(feedcheck.mentioned_codes(raw)), scope=scope)


def import_feed(
    data: bytes, file_name: str, *, user: Any = None, dry_run: bool = False, request: Any = None
) -> FeedReport:
    """Validate and load one participation feed, all or nothing. Raises :class:`feedcheck.FeedFileError` for a
    file that is not a feed and :class:`FeedRefused` when ``user`` may not load coverage data."""
    report = FeedReport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    write_scope(user, COVERAGE_WRITE_ROLES)  # refuse before reading the file
    raw = feedcheck.read_table(data, file_name, feedcheck.FEED_ALIASES, feedcheck.FEED_REQUIRED)
    report.columns, report.header_row = raw.columns.describe(), raw.header_row
    checked = check_feed(raw, user)
    report.findings = checked.findings_list()
    report.rows = checked.rows.height
    report.rejected = checked.rejected
    report.skipped = sum(1 for f in report.findings if f.code == "TOTAL_ROW_SKIPPED")
    ok = checked.ok.select(*FEED_KEY, "active", "_row")
    report.months = sorted({f"{m:%Y-%m}" for m in ok["month"].unique().to_list()})
    report.regions = sorted(ok["region"].unique().to_list())
    if report.rejected:
        return report  # all or nothing: one rejected row and nothing is stored
    if ok.height == 0:
        raise feedcheck.FeedFileError("FILE_NO_ROWS")
    report.accepted = ok.height
    if dry_run:
        report.replaced = len(_earlier(ok))
        return report
    with transaction.atomic():
        earlier = _earlier(ok)
        FeedRow.objects.filter(pk__in=earlier).delete()
        batch = FeedBatch.objects.create(
            file_name=file_name[:255], sha256=report.sha256, user=user if getattr(user, "pk", None) else None,
            rows=report.rows, accepted=report.accepted, rejected=0, months=report.months,
            findings=[f.as_dict() for f in report.findings[:STORED_FINDINGS]],
        )  # fmt: skip
        FeedRow.objects.bulk_create(
            [FeedRow(batch=batch, region_id=r, month=m, segment=s, ecosystem=e, payer=p, active=a)
             for r, m, s, e, p, a, _ in ok.iter_rows()],
            batch_size=2000,
        )  # fmt: skip
        report.replaced, report.batch_id, report.stored = len(earlier), batch.pk, True
        audit.record(
            "import_feed", actor=user, request=request, object_type="feed_batch", object_id=batch.pk,
            region_code=common_ancestor(report.regions) or "",
            summary=f"{batch.file_name}: {report.accepted} rows, {report.replaced} replaced, months "
            f"{', '.join(report.months)}",
            changes={"sha256": report.sha256, "months": report.months, "regions": report.regions,
                     "replaced": report.replaced},
        )  # fmt: skip
        transaction.on_commit(bump_version)
    return report


def _earlier(ok: pl.DataFrame) -> list[int]:
    """Ids of stored feed rows that cells of this file replace (same region × month × segment × ecosystem ×
    payer)."""
    wanted = {(r, m, s, e, p) for r, m, s, e, p, *_ in ok.iter_rows()}
    months = sorted({k[1] for k in wanted})
    regions = sorted({k[0] for k in wanted})
    ids: list[int] = []
    for start in range(0, len(regions), 500):
        rows = FeedRow.objects.filter(month__in=months, region_id__in=regions[start : start + 500]).values_list(
            "pk", *[f"{k}_id" if k == "region" else k for k in FEED_KEY]
        )
        ids.extend(pk for pk, *key in rows if tuple(key) in wanted)
    return ids
