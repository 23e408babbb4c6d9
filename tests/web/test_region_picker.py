"""The region picker (issue 16 item 8): /wilayah/pilih/ answers one level at a time or a name search, only inside
the user's regions; the form field takes a desa picked in the tree; the fallback select stays for no JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
URL = "/wilayah/pilih/"


def client_for(make_user: Callable[..., Any], role: str, region: str | None) -> Client:
    client = Client()
    client.force_login(make_user(role, region))
    return client


def codes(response: Any) -> list[str]:
    assert response.status_code == 200
    return [r["code"] for r in response.json()["regions"]]


def test_the_tree_opens_one_level_at_a_time_inside_the_scope(make_user: Callable[..., Any]) -> None:
    kab = client_for(make_user, "kabkota", "16.06")
    assert codes(kab.get(URL)) == ["16.06"]  # the officer's own kabupaten is the root
    root = kab.get(URL).json()["regions"][0]
    assert (root["name"], root["level"], root["children"]) == ("Kabupaten Musi Banyuasin", 2, True)
    kecamatan = codes(kab.get(URL, {"parent": "16.06"}))
    assert kecamatan and all(c.startswith("16.06.") and c.count(".") == 2 for c in kecamatan)
    desa = codes(kab.get(URL, {"parent": "16.06.01"}))
    assert "16.06.01.2001" in desa and all(c.count(".") == 3 for c in desa)
    assert codes(kab.get(URL, {"parent": "16.71"})) == []  # Palembang: outside, nothing (not even its size)
    assert codes(kab.get(URL, {"parent": "16.06", "max_level": "2"})) == []  # planning stops at kab/kota


def test_search_finds_villages_by_name_with_their_path_only_in_scope(make_user: Callable[..., Any]) -> None:
    kab = client_for(make_user, "kabkota", "16.06")
    found = kab.get(URL, {"q": "sukarami"}).json()["regions"]
    assert [r["code"] for r in found] == ["16.06.01.2001"]
    assert found[0]["path"].startswith("Sumatera Selatan › Kabupaten Musi Banyuasin ›")
    admin = client_for(make_user, "admin", None)
    assert len(codes(admin.get(URL, {"q": "sukarami"}))) > 1  # other Sukarami villages of the province too
    assert codes(admin.get(URL))[:1] == ["16"]


def test_login_required(db: Any) -> None:
    assert Client().get(URL).status_code == 302


def test_a_desa_picked_in_the_tree_is_a_valid_bill_region_and_stays_shown(make_user: Callable[..., Any]) -> None:
    kab = client_for(make_user, "kabkota", "16.06")
    page = kab.get("/iuran/tagihan/").content.decode()
    assert 'data-region-picker=""' in page and 'data-url="/wilayah/pilih/"' in page
    response = kab.post("/iuran/tagihan/", {"payer": "apbdes", "region": "16.06.01.2001", "month": "2024-03"})
    form = response.context["form"]
    assert "region" not in form.errors  # refused for having nobody to bill, not for the region
    assert '<option value="16.06.01.2001" selected>' in response.content.decode()
    outside = kab.post("/iuran/tagihan/", {"payer": "apbdes", "region": "16.71.01.1001", "month": "2024-03"})
    assert "region" in outside.context["form"].errors


def test_the_registry_list_filters_by_a_desa_picked_in_the_tree(make_user: Callable[..., Any]) -> None:
    kab = client_for(make_user, "kabkota", "16.06")
    response = kab.get("/registri/", {"region": "16.06.01.2001"})
    assert response.status_code == 200 and response.context["form"].is_valid()
    assert '<option value="16.06.01.2001" selected>' in response.content.decode()
