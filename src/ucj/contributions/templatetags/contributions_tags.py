"""Template tags of the contributions app: the overdue block of a participant's page (registry detail)."""

from __future__ import annotations

from typing import Any

from django import template

from ucj.contributions.bills import BillRefused, participant_overdue
from ucj.contributions.rules import RuleMissing

register = template.Library()


@register.inclusion_tag("contributions/_participant_overdue.html")
def overdue_block(participant: Any, amounts_shown: bool = True) -> dict[str, Any]:
    """The participant's months past their due date today, with the contribution and the late fine.

    ``amounts_shown`` is false when the page masks the participant's wage (a PU contribution would reveal it):
    the months and due dates are shown, the amounts are not."""
    try:
        overdue = participant_overdue(participant)
    except (RuleMissing, BillRefused) as err:  # say why (no wage, no rule in force) instead of failing the page
        return {"overdue": None, "problem": str(err), "amounts_shown": amounts_shown}
    return {"overdue": overdue, "problem": "", "amounts_shown": amounts_shown}


@register.filter
def rule_labels(ids: str | list[str]) -> list[tuple[str, str]]:
    """Rule ids → ``(id, label)`` pairs: the label on screen, the id in a tooltip (issue 16 item 10)."""
    from ucj.contributions.rulelabels import rule_labels as labels

    return labels(ids)
