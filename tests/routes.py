"""The site's URL routes as Django lists them (``"registri/impor/<int:pk>/"``), for the tests that make sure every
page and endpoint has a row in an authorisation matrix."""

from __future__ import annotations

from typing import Any


def site_routes(startswith: str = "", *, admin: bool = False) -> set[str]:
    """Every route of the URL map beginning with ``startswith``; Django admin's only when ``admin``."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for p in patterns:
            if isinstance(p, URLResolver):
                if admin or prefix + str(p.pattern) != "admin/":
                    found |= walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.add(prefix + str(p.pattern))
        return found

    return {r for r in walk(get_resolver().url_patterns, "") if r.startswith(startswith)}
