"""The favourite operations: :func:`save` (the one state change for pages and API alike) and :func:`remove`,
always on the caller's own favourites."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ucj.favourites.models import Favourite
from ucj.favourites.rules import MAX_PER_USER, clean_url


class FavouriteRefused(ValueError):
    """A favourite that cannot be kept; the message is bilingual (``"indonesian / english"``)."""


def for_user(user: Any) -> QuerySet[Favourite]:
    return Favourite.objects.filter(user_id=user.pk)


def save(user: Any, name: str, url: str) -> Favourite:
    """Keep ``url`` under ``name`` for ``user``; the same name again points it at the new URL."""
    name = " ".join((name or "").split())[:80]
    stored = clean_url(url)
    if not name:
        raise FavouriteRefused("Beri nama tampilan ini / give this view a name")
    if stored is None:
        raise FavouriteRefused("Hanya dasbor, registri dan rencana yang dapat disimpan / only the dashboard, the "
                               "registry and planning can be saved")  # fmt: skip
    mine = for_user(user)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_PER_USER:
        raise FavouriteRefused(f"Paling banyak {MAX_PER_USER} favorit; hapus satu dulu / at most {MAX_PER_USER} "
                               "favourites; remove one first")  # fmt: skip
    favourite, _created = Favourite.objects.update_or_create(user=user, name=name, defaults={"url": stored})
    return favourite


def remove(user: Any, pk: int) -> bool:
    """Remove one of the user's favourites; another user's is not found (False)."""
    deleted, _rows = for_user(user).filter(pk=pk).delete()
    return bool(deleted)
