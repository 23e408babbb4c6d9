"""``{% synthetic_data as flag %}``: whether synthetic (demo) coverage data are loaded, for the page banner."""

from __future__ import annotations

from django import template

from ucj.coverage.models import FeedBatch, Target, Workforce

register = template.Library()


@register.simple_tag
def synthetic_data() -> bool:
    """True when any denominator, target or participation feed is marked synthetic (three EXISTS queries on
    small tables: they hold rows per region and year or per upload, not per person)."""
    return any(m.objects.filter(synthetic=True).exists() for m in (Workforce, Target, FeedBatch))
