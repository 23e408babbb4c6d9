"""``{% notification_bell %}``: the header's bell with the user's unread count."""

from __future__ import annotations

from typing import Any

from django import template

from ucj.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: Any) -> dict[str, Any]:
    request = context.get("request")
    return {"unread": unread_count(getattr(request, "user", None))}
