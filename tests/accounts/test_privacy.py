"""Personal data (UU 27/2022 PDP): masking per role, nothing in URLs, logs or error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client

from tests.accounts.conftest import World
from ucj.accounts.logfilter import PersonalDataFilter
from ucj.accounts.privacy import mask_name

FULL = ("admin", "provinsi", "kab_muba", "desa", "bpjs")


@pytest.mark.parametrize("role", [*FULL, "viewer"])
def test_lists_always_mask_nik(world: World, client_for: Callable[[str], Client], role: str) -> None:
    client = client_for(role)
    page = client.get("/registri/").content.decode()
    api = client.get("/api/v1/participants").json()["items"]
    assert world.own.nik not in page and "1606********0012" in page
    assert all("*" in item["nik"] for item in api)
    names_visible = role != "viewer"
    assert ("Siti Aminah" in page) is names_visible and (mask_name("Siti Aminah") in page) is not names_visible


@pytest.mark.parametrize(("role", "full"), [(r, True) for r in FULL] + [("viewer", False)])
def test_detail_shows_full_nik_only_to_roles_that_need_it(
    world: World, client_for: Callable[[str], Client], role: str, full: bool
) -> None:
    client = client_for(role)
    page = client.get(f"/registri/peserta/{world.own.public_hex}/").content.decode()
    api = client.get(f"/api/v1/participants/{world.own.public_hex}").json()
    assert (world.own.nik in page) is full and (api["nik"] == world.own.nik) is full
    assert ("Siti Aminah" in page) is full and (api["name"] == "Siti Aminah") is full


def test_search_term_stays_out_of_urls(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    response = client.post("/registri/cari/", {"q": world.own.nik, "filters": "segment=BPU"})
    assert response.status_code == 302 and world.own.nik not in response["Location"]
    assert response["Location"] == "/registri/?segment=BPU"
    page = client.get(response["Location"]).content.decode()
    assert world.own.public_hex in page  # found by NIK, which travelled in the POST body and the session


def test_not_found_page_leaks_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("kab_plg").get(f"/registri/peserta/{world.own.public_hex}/")
    body = response.content.decode()
    assert response.status_code == 404 and world.own.nik not in body and "Siti" not in body


def test_log_filter_masks_niks() -> None:
    record = logging.LogRecord("ucj", logging.INFO, __file__, 1, "peserta %s ditolak", ("1606014101900012",), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "peserta 1606********0012 ditolak"


def test_str_of_a_participant_has_no_personal_data(world: World) -> None:
    assert world.own.nik not in str(world.own) and "Siti" not in str(world.own)
