"""Active / non-active status over many participants: one aggregate query on the covering index.

Status is never stored: it follows from paid-through and the lapse rule (:mod:`ucj.registry.status`), so a
payment or a new date changes it at once and nothing needs recomputing row by row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from ucj.regions.codes import normalize_code
from ucj.regions.models import in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since


def status_summary(region: str, as_of: dt.date, lapse: int | None = None) -> dict[str, Any]:
    """Counts of active and non-active participants per segment and payer in ``region`` on ``as_of``."""
    lapse = lapse or settings.UCJ_LAPSE_MONTHS
    code = normalize_code(region) or region
    since = active_since(as_of, lapse)
    rows = (
        Participant.objects.filter(in_region("desa_id", code, villages_only=True))
        .values("segment", "payer")
        .annotate(active=Count("id", filter=Q(paid_through__gte=since)), total=Count("id"))
        .order_by("segment", "payer")
    )
    out = [{"segment": r["segment"], "payer": r["payer"], "active": r["active"],
            "inactive": r["total"] - r["active"]} for r in rows]  # fmt: skip
    return {
        "region": code, "as_of": as_of.isoformat(), "lapse_months": lapse, "active_since": since.isoformat(),
        "active": sum(r["active"] for r in out), "inactive": sum(r["inactive"] for r in out), "rows": out,
    }  # fmt: skip
