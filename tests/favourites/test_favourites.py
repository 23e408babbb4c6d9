"""Issue 16 item 15: a user keeps the dashboard, registry or planning page with its filters as a named favourite,
finds it in the header, opens and removes it; nobody sees or removes another user's; only those pages of this
site can be kept (no other host, no other page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.favourites import rules, services
from ucj.favourites.models import Favourite

pytestmark = pytest.mark.django_db
DASHBOARD = "/cakupan/?region=16.06&as_of=2024-12&definition=eligible"


def client_of(user: Any, language: str = "id") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def test_which_urls_may_be_kept() -> None:
    assert rules.clean_url(DASHBOARD) == DASHBOARD
    assert rules.clean_url("/registri/") == "/registri/"
    assert rules.clean_url("/rencana/?region=16.06&budget=1") == "/rencana/?region=16.06&budget=1"
    for bad in ("https://evil.example/cakupan/", "//evil.example/cakupan/", "/akun/audit/", "/cakupan/umpan/",
                "javascript:alert(1)", "", "/cakupan/?" + "x" * 600):  # fmt: skip
        assert rules.clean_url(bad) is None, bad


def test_save_open_and_remove_a_favourite(make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", "16.06")
    client = client_of(user)
    saved = client.post("/favorit/", {"name": "  Muba   Desember ", "url": DASHBOARD})
    assert saved.status_code == 302 and saved["Location"] == DASHBOARD
    favourite = Favourite.objects.get()
    assert (favourite.user, favourite.name, favourite.url) == (user, "Muba Desember", DASHBOARD)
    home = client.get("/").content.decode()
    assert f'<a href="{DASHBOARD.replace("&", "&amp;")}">Muba Desember</a>' in home  # in the header's menu
    # The same name again points at the new view (no second entry).
    client.post("/favorit/", {"name": "Muba Desember", "url": "/cakupan/?region=16.06&as_of=2024-11"})
    assert list(Favourite.objects.values_list("url", flat=True)) == ["/cakupan/?region=16.06&as_of=2024-11"]
    assert "Muba Desember" in client.get("/favorit/").content.decode()
    assert client.post(f"/favorit/{favourite.pk}/hapus/").status_code == 302
    assert not Favourite.objects.exists()


def test_the_header_offers_to_save_only_pages_with_filters(make_user: Callable[..., Any]) -> None:
    client = client_of(make_user("provinsi", "16"))
    assert 'name="url" value="/registri/"' in client.get("/registri/").content.decode()
    assert 'name="url"' not in client.get("/iuran/").content.decode()


def test_a_refused_favourite_says_why_in_one_language(make_user: Callable[..., Any]) -> None:
    user = make_user("provinsi", "16")
    page = client_of(user, "en").post("/favorit/", {"name": "x", "url": "https://evil.example/cakupan/"},
                                      follow=True).content.decode()  # fmt: skip
    assert "only the dashboard, the registry and planning can be saved" in page and "Hanya dasbor" not in page
    assert not Favourite.objects.exists()
    page = client_of(user).post("/favorit/", {"name": " ", "url": "/registri/"}, follow=True).content.decode()
    assert "Beri nama tampilan ini" in page and "give this view" not in page


def test_favourites_are_the_users_own(make_user: Callable[..., Any]) -> None:
    owner, other = make_user("kabkota", "16.06"), make_user("kabkota", "16.06")
    mine = services.save(owner, "Muba", DASHBOARD)
    stranger = client_of(other)
    assert "Muba" not in stranger.get("/favorit/").content.decode()
    assert DASHBOARD.replace("&", "&amp;") not in stranger.get("/").content.decode()
    assert stranger.post(f"/favorit/{mine.pk}/hapus/").status_code == 404
    assert Favourite.objects.filter(pk=mine.pk).exists()
    assert Client().get("/favorit/").status_code == 302  # anonymous: to the login page


def test_a_user_keeps_a_bounded_number(make_user: Callable[..., Any]) -> None:
    user = make_user("provinsi", "16")
    for n in range(rules.MAX_PER_USER):
        services.save(user, f"v{n}", "/registri/")
    with pytest.raises(services.FavouriteRefused):
        services.save(user, "one more", "/registri/")
    services.save(user, "v0", "/rencana/")  # renaming an existing one is still allowed
