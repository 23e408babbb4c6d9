"""``{% commitment_card region %}``: the dashboard's card of a region's commitment status and the overdue follow-up
actions its owners must act on (issue 13 §5, §6). Figures from :func:`ucj.commitments.services.scorecard`."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from ucj.accounts.scoping import scope_for
from ucj.commitments import pages, services

register = template.Library()

#: Overdue actions listed on the card (the rest are counted and linked).
CARD_ACTIONS = 5


@register.inclusion_tag("commitments/_card.html", takes_context=True)
def commitment_card(context: template.Context, region: str | None) -> dict[str, Any]:
    """The card of ``region`` for this year, or nothing when the user does not see the region."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not region or user is None or not scope_for(user).covers(region):
        return {"show": False}
    year = pages.this_year()
    try:
        card = services.scorecard(user, region, year)
    except (Http404, services.CommitmentRefused):
        return {"show": False}
    overdue = services.visible_actions(user, region, overdue_only=True).select_related("owner").order_by("due_date")
    return {"show": True, "top": pages.row(card["region"]), "year": year, "region": region,
            "overdue": list(overdue[:CARD_ACTIONS]), "overdue_count": card["region"]["overdue_actions"]}  # fmt: skip
