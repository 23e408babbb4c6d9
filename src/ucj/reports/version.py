"""The report's data version: what a monthly report was computed on, so issuing it again returns the issued
report only when nothing it reads has changed (issue 15 §5).

The coverage version (:func:`ucj.coverage.services.current_version`) moves with the registry, feeds,
denominators and targets, but a report also reads budget plans (section 6), bills and payments (realisation;
the scorecard's budget), the commitments tables (section 7) and the targeting tables (section 8), and none of
those bump it. The report's version is therefore a digest of the coverage version and each of those tables'
change markers: the highest id (an insertion), and on the small tables the row count (a deletion) and the latest
change time where the table has one (an edit in place). The large tables (payments, enrolments and their events)
are append-only for what the report reads, so their highest id — the primary key's index — is enough. Each table
is one aggregate query, milliseconds against seconds to render a report. The markers are global, not per region:
a change anywhere gives every region a new version, which costs at most a re-render and never serves a stale
report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Count, Max

from ucj.coverage.services import current_version

#: Per source the report reads: (app label, model, its change-time field, or None for a large append-only table
#: marked by its highest id alone) — the tables whose edits do not bump the coverage version. A bill is paid by a
#: Payment row; every status change of an enrolment writes an EnrolmentEvent; list people are replaced with their
#: list, whose ``loaded_at`` moves.
SOURCES: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "planning": (("planning", "Scenario", "created_at"),),
    "contributions": (("contributions", "Bill", "created_at"), ("contributions", "Payment", None)),
    "commitments": tuple(("commitments", m, "updated_at") for m in (
        "Instrument", "BudgetCommitment", "VillageInstitution", "EcosystemUnit", "Partner", "Meeting",
        "FollowUpAction")),
    "targeting": (("targeting", "ListSource", "loaded_at"), ("targeting", "BpjsFile", "loaded_at"),
                  ("targeting", "Enrolment", None), ("targeting", "EnrolmentEvent", None)),
}  # fmt: skip


def _marker(app: str, model: str, changed: str | None) -> list[Any]:
    """[highest id, rows, latest change time] of one table, or [highest id] of a large one (one query)."""
    from django.apps import apps

    aggs: dict[str, Any] = {"last": Max("pk")}
    if changed is not None:
        aggs.update(n=Count("pk"), at=Max(changed))
    found = apps.get_model(app, model).objects.order_by().aggregate(**aggs)
    if changed is None:
        return [found["last"]]
    at = found["at"]
    return [found["last"], found["n"], at.isoformat() if at is not None else None]


def markers() -> dict[str, Any]:
    """The coverage version and every other source's change markers."""
    out: dict[str, Any] = {"coverage": current_version()}
    for source, tables in SOURCES.items():
        out[source] = {f"{app}.{model}": _marker(app, model, changed) for app, model, changed in tables}
    return out


def digest(found: dict[str, Any]) -> str:
    """The version of a set of markers: the first 32 hex digits of the SHA-256 of their canonical JSON."""
    text = json.dumps(found, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def report_version() -> tuple[str, dict[str, Any]]:
    """The report's data version now, with the markers it digests."""
    found = markers()
    return digest(found), found
