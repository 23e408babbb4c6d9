"""``{% commitment_card region %}``: the dashboard's card of a region's commitment status and the overdue follow-up
actions its owners must act on (issue 13 §5, §6). Figures from :func:`ucj.commitments.services.scorecard`."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from ucj.accounts.scoping import scope_for
from ucj.commitments import pages, services
from ucj.contributions.models import Payment

register = template.Library()

#: Overdue actions listed on the card (the rest are counted and linked).
CARD_ACTIONS = 5
#: How long a card entry is kept; its key changes with every input, so this only bounds the cache's size.
CARD_SECONDS = 3600
#: Every table of commitment rows (those the services write).
CARD_MODELS = tuple(kind.model for kind in services.KINDS.values())


@register.inclusion_tag("commitments/_card.html", takes_context=True)
def commitment_card(context: template.Context, region: str | None) -> dict[str, Any]:
    """The card of ``region`` for the scorecard's default year (:func:`services.default_year`, that of the
    dashboard's month), or nothing when the user does not see the region."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not region or user is None or not scope_for(user).covers(region):
        return {"show": False}
    year = services.default_year()
    try:
        entry = region_entry(user, region, year)
    except (Http404, services.CommitmentRefused):
        return {"show": False}
    # The score is the year's (overdue actions counted on its last day for a past year); the list is what the owners
    # must act on now, so its count is today's.
    overdue = services.visible_actions(user, region, overdue_only=True).select_related("owner").order_by("due_date")
    return {"show": True, "top": pages.row(entry), "year": year, "region": region,
            "overdue": list(overdue[:CARD_ACTIONS]), "overdue_count": overdue.count()}  # fmt: skip


def region_entry(user: Any, region: str, year: int) -> dict[str, Any]:
    """The region's own scorecard entry (:func:`services.scorecard`, no children), cached: the dashboard is read
    far more often than its inputs change, and the entry reads every village's institutions and registry roles.
    The key changes with every input — the commitment rows, the registry (the coverage version: imports,
    edits and payments move it), recorded payments (realisation), the day (overdue actions) — so a change shows
    at once. The entry is the same for everyone who sees the region (the caller's access is checked first)."""
    key = f"ucj:commitments:card:{region}:{year}:{_stamp()}"
    entry: dict[str, Any] | None = cache.get(key)
    if entry is None:
        entry = services.scorecard(user, region, year)["region"]
        cache.set(key, entry, CARD_SECONDS)
    return entry


def _stamp() -> str:
    """A digest of what the entry reads (rows and last change of each commitment table, the coverage version,
    the newest payment, today, and the settings the rule reads: thresholds and lapse months, since the cache is
    shared and outlives a restart with changed settings). A few indexed aggregates over small tables."""
    from ucj.coverage.services import current_version

    tables = [m._default_manager.aggregate(n=Count("id"), at=Max("updated_at")) for m in CARD_MODELS]
    newest_payment = Payment.objects.aggregate(m=Max("id"))["m"]
    rule = (services.thresholds(), settings.UCJ_LAPSE_MONTHS)
    stamp = (tables, current_version(), newest_payment, timezone.localdate().isoformat(), rule)
    return hashlib.sha256(repr(stamp).encode()).hexdigest()[:32]
