"""``{% targeting_card region target %}``: the enrolment funnel on the coverage dashboard, beside the gap to the
target ("352.000 masih harus dijangkau" next to the candidates identified, the people in village worklists and
those registered this quarter). Every figure comes from :mod:`ucj.targeting.services`, through
:func:`ucj.targeting.pages.dashboard_figures`."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ucj.targeting.pages import dashboard_figures

register = template.Library()


@register.inclusion_tag("targeting/_funnel_card.html", takes_context=True)
def targeting_card(context: template.Context, region: str | None,
                   target: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """The card of ``region`` as the page's user may see it (the funnel is scoped like every other figure)."""
    request = context.get("request")
    if not region or request is None:
        return {"show": False}
    gap = (target or {}).get("gap")
    return {"show": True, "f": dashboard_figures(request.user, region), "gap": gap, "region": region,
            "url": f"{reverse('targeting:funnel')}?region={region}"}  # fmt: skip
