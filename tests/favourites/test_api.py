"""Favourites over the API: the same rule as the page (only the dashboard, registry and planning, on this site),
the caller's own only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.accounts.models import ApiToken
from ucj.favourites.models import Favourite

pytestmark = pytest.mark.django_db
DASHBOARD = "/cakupan/?region=16.06&as_of=2024-12"


def token_client(user: Any) -> Client:
    _, token = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_save_list_and_remove_over_the_api(make_user: Callable[..., Any]) -> None:
    me, other = make_user("kabkota", "16.06"), make_user("kabkota", "16.06")
    client = token_client(me)
    saved = client.post("/api/v1/favourites", {"name": " Muba  Desember", "url": DASHBOARD},
                        content_type="application/json")  # fmt: skip
    assert saved.status_code == 200
    assert (saved.json()["name"], saved.json()["url"]) == ("Muba Desember", DASHBOARD)
    theirs = Favourite.objects.create(user=other, name="Milik orang lain", url="/registri/")
    assert [f["name"] for f in client.get("/api/v1/favourites").json()] == ["Muba Desember"]
    assert client.delete(f"/api/v1/favourites/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/v1/favourites/{saved.json()['id']}").status_code == 204
    assert list(Favourite.objects.values_list("name", flat=True)) == ["Milik orang lain"]


def test_a_view_off_the_site_is_refused_with_a_reason(make_user: Callable[..., Any]) -> None:
    refused = token_client(make_user("provinsi", "16")).post(
        "/api/v1/favourites", {"name": "x", "url": "https://evil.example/cakupan/"}, content_type="application/json")
    assert refused.status_code == 422
    assert "Hanya dasbor" in refused.json()["detail"] and "only the dashboard" in refused.json()["detail"]
    assert not Favourite.objects.exists()


def test_the_api_wants_authentication() -> None:
    assert Client().get("/api/v1/favourites").status_code == 401
