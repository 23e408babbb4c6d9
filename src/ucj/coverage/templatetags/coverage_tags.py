"""``{% synthetic_data as flag %}``: whether synthetic (demo) coverage data are loaded, for the page banner."""

from __future__ import annotations

from django import template
from django.core.cache import cache

from ucj.coverage.models import FeedBatch, Target, Workforce
from ucj.coverage.services import current_version

register = template.Library()


@register.simple_tag
def synthetic_data() -> bool:
    """True when any denominator, target or participation feed is marked synthetic. Every page shows the
    banner, so the answer is cached until those data change (every change bumps the coverage version)."""
    key = f"ucj:synthetic:{current_version()}"
    flag = cache.get(key)
    if flag is None:
        flag = any(m.objects.filter(synthetic=True).exists() for m in (Workforce, Target, FeedBatch))
        cache.set(key, flag)
    return bool(flag)
