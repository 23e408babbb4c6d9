"""REST endpoints of favourites: the caller's own saved views, saving one and removing one (another user's is not
found). Saving goes through :func:`ucj.favourites.services.save`, the same rule as the page."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from ucj.favourites import services
from ucj.favourites.models import Favourite

router = Router(tags=["favorit / favourites"])


class FavouriteIn(Schema):
    name: str
    url: str  # a path of the dashboard, the registry or planning with its query, e.g. "/cakupan/?region=16.06"


class FavouriteOut(Schema):
    id: int
    name: str
    url: str
    created_at: str


class Detail(Schema):
    detail: str  # "indonesian / english"


def out(favourite: Favourite) -> dict[str, Any]:
    return {"id": favourite.pk, "name": favourite.name, "url": favourite.url,
            "created_at": favourite.created_at.isoformat()}  # fmt: skip


@router.get("/favourites", response=list[FavouriteOut])
def favourite_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's favourites, by name."""
    return [out(f) for f in services.for_user(request.user)]


@router.post("/favourites", response={200: FavouriteOut, 422: Detail})
def favourite_save(request: HttpRequest, payload: FavouriteIn) -> Any:
    """Keep a view under a name (the same name again points it at the new URL)."""
    try:
        return out(services.save(request.user, payload.name, payload.url))
    except services.FavouriteRefused as err:
        return Status(422, {"detail": str(err)})


@router.delete("/favourites/{favourite_id}", response={204: None})
def favourite_remove(request: HttpRequest, favourite_id: int) -> Any:
    """Remove one of the caller's favourites (404 for another user's)."""
    if not services.remove(request.user, favourite_id):
        raise Http404
    return Status(204, None)
