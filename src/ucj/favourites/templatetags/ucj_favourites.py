"""``{% favourite_menu %}``: the header's list of the user's favourites, and a form to keep the page shown when it
is one whose filters can be kept."""

from __future__ import annotations

from typing import Any

from django import template

from ucj.favourites.rules import clean_url
from ucj.favourites.services import for_user

register = template.Library()


@register.inclusion_tag("favourites/_menu.html", takes_context=True)
def favourite_menu(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    here = clean_url(request.get_full_path())
    return {"show": True, "favourites": list(for_user(user)[:30]), "here": here,
            "csrf_token": context.get("csrf_token")}  # fmt: skip
