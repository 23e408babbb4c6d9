"""The enrolment funnel (issue 14 §5): counts per stage from the worklists, conversion, median days from identified
to active, as of a day (from the events), by sub-region. No personal data."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import polars as pl
from django.db.models import Subquery
from django.utils import timezone

from ucj.accounts.scoping import Scope
from ucj.bulk import read_frame
from ucj.regions.models import in_region
from ucj.targeting import rules
from ucj.targeting.common import _names, _reachable, _region_or_404, _scope
from ucj.targeting.models import (
    Enrolment,
    EnrolmentEvent,
)

_LEVEL_LENGTH = {"kabkota": 5, "kecamatan": 8, "desa": 13}


def funnel(user_or_scope: Any, region: str, as_of: dt.date | None = None, by: str | None = None) -> dict[str, Any]:
    """The enrolment funnel of ``region`` (the villages the caller reaches inside it), from the worklists:

    * ``stages``: people whose status is each stage now (or on ``as_of``, from the events); ``closed``: the
      closing statuses; ``total``; ``reached``: people at or beyond each stage (closed people count as
      identified only); ``conversion``: reached[stage] / reached[previous] and ``overall`` active / identified;
    * ``median_days_to_active``: median days from identified to (first) active;
    * ``children`` (``by`` = "kabkota", "kecamatan" or "desa"): the same counts per sub-region, for drill-down.

    404 when ``region`` is outside the caller's regions. Holds no personal data."""
    scope = _scope(user_or_scope)
    code = _region_or_404(region)
    _reachable(scope, code)
    if by is not None and by not in _LEVEL_LENGTH:
        raise ValueError("by: kabkota, kecamatan or desa")
    frame = _statuses(scope, code, as_of)
    out: dict[str, Any] = {"region": code, "name": _names([code]).get(code, ""),
                           "as_of": as_of.isoformat() if as_of else None, **_counts(frame)}  # fmt: skip
    out["median_days_to_active"] = _median_days(scope, code, as_of)
    if by is not None:
        keyed = frame.with_columns(pl.col("desa").str.slice(0, _LEVEL_LENGTH[by]).alias("key"))
        keys = sorted(keyed["key"].unique().to_list())
        names = _names(keys)
        out["by"] = by
        out["children"] = [{"region": k, "name": names.get(k, ""), **_counts(keyed.filter(pl.col("key") == k))}
                           for k in keys]  # fmt: skip
    return out


def _statuses(scope: Scope, code: str, as_of: dt.date | None) -> pl.DataFrame:
    """One row per enrolment: desa and status (now, or as of the end of ``as_of`` from the events)."""
    qs = Enrolment.objects.filter(in_region("desa_id", code, villages_only=True)).filter(
        scope.region_q("desa_id", villages_only=True)).order_by()  # fmt: skip
    if as_of is None:
        return read_frame(qs, {"desa_id": pl.String, "status": pl.String}).rename({"desa_id": "desa"})
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    events = read_frame(EnrolmentEvent.objects.filter(enrolment__in=Subquery(qs.values("pk")), at__lt=end).order_by(),
                        {"enrolment_id": pl.Int64, "enrolment__desa_id": pl.String, "to_status": pl.String, "at":
                         pl.Datetime("us", "UTC"), "id": pl.Int64})  # fmt: skip
    return events.sort("at", "id").unique("enrolment_id", keep="last").select(
        pl.col("enrolment__desa_id").alias("desa"), pl.col("to_status").alias("status"))


def _counts(frame: pl.DataFrame) -> dict[str, Any]:
    counts = dict(zip(*frame["status"].value_counts().to_dict(as_series=False).values(), strict=True)) \
        if frame.height else {}  # fmt: skip
    stages = {s: int(counts.get(s, 0)) for s in rules.STAGES}
    closed = {s: int(counts.get(s, 0)) for s in rules.CLOSED}
    reached: dict[str, int] = {}
    running = 0
    for stage in reversed(rules.STAGES):
        running += stages[stage]
        reached[stage] = running
    reached[rules.IDENTIFIED] += sum(closed.values())
    reached = {s: reached[s] for s in rules.STAGES}
    conversion: dict[str, float | None] = {}
    for prev, stage in zip(rules.STAGES, rules.STAGES[1:], strict=False):
        conversion[stage] = round(reached[stage] / reached[prev], 4) if reached[prev] else None
    first = reached[rules.IDENTIFIED]
    conversion["overall"] = round(reached[rules.ACTIVE_STAGE] / first, 4) if first else None
    return {"total": frame.height, "stages": stages, "closed": closed, "reached": reached, "conversion": conversion}


def _median_days(scope: Scope, code: str, as_of: dt.date | None) -> float | None:
    qs = Enrolment.objects.filter(in_region("desa_id", code, villages_only=True), active_at__isnull=False).filter(
        scope.region_q("desa_id", villages_only=True))  # fmt: skip
    if as_of is not None:
        qs = qs.filter(active_at__date__lte=as_of)
    stamp = pl.Datetime("us", "UTC")
    pairs = read_frame(qs.order_by(), {"identified_at": stamp, "active_at": stamp})
    if pairs.is_empty():
        return None
    days = (pairs["active_at"] - pairs["identified_at"]).dt.total_seconds() / 86400
    return round(float(statistics.median(days.to_list())), 1)
