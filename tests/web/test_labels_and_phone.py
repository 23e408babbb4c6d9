"""Labels instead of raw codes, the language switch, the favicon and the dashboard's region picker (issue 16
items 8, 10, 13)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.coverage.test_dashboard_page import make_sumsel_data
from ucj.accounts import audit

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "src" / "ucj" / "web" / "static" / "ucj"


def client_for(make_user: Callable[..., Any], role: str, region: str | None) -> Client:
    client = Client()
    client.force_login(make_user(role, region))
    return client


def test_the_language_switch_waits_for_its_button_and_names_english_in_english(make_user: Callable[..., Any]) -> None:
    body = client_for(make_user, "viewer", "16").get("/iuran/").content.decode()
    form = body.split('class="lang"', 1)[1].split("</form>", 1)[0]
    assert "data-autosubmit" not in form  # an arrow key in the select no longer switches the language
    assert '<button type="submit" class="lang-go">Ganti</button>' in form
    assert '<option value="en" lang="en">English</option>' in form
    assert '<option value="id" lang="id" selected>Bahasa Indonesia</option>' in form


def test_every_page_links_the_favicon(make_user: Callable[..., Any]) -> None:
    body = client_for(make_user, "viewer", "16").get("/iuran/").content.decode()
    assert '<link rel="icon" href="/static/ucj/favicon.svg" type="image/svg+xml">' in body
    assert (STATIC / "favicon.svg").read_text().startswith("<svg")


def test_audit_actions_have_labels_with_the_code_in_a_tooltip(make_user: Callable[..., Any]) -> None:
    admin = make_user("admin")
    audit.record("bill.create", actor=admin, object_type="bill", object_id=1, region_code="16.06", summary="x")
    body = client_for(make_user, "provinsi", "16").get("/akun/audit/").content.decode()
    assert '<span title="bill.create">Tagihan dibuat</span>' in body


def test_the_dashboard_picks_a_region_with_the_picker(make_user: Callable[..., Any]) -> None:
    make_sumsel_data()
    client = client_for(make_user, "provinsi", "16")
    body = client.get("/cakupan/").content.decode()
    select = body.split('<select id="region"', 1)[1].split("</select>", 1)[0]
    assert "data-region-picker" in select and "data-autosubmit" in select and 'data-max-level="4"' in select
    assert '<option value="16" selected>' in select and '<option value="16.06">' in select
    response = client.get("/cakupan/", {"region": "16.06.01"})  # a kecamatan picked in the tree
    assert response.status_code == 200 and '<option value="16.06.01" selected>' in response.content.decode()


def test_the_map_tells_status_by_shape_too() -> None:
    script = (STATIC.parents[2] / "coverage" / "static" / "coverage" / "dashboard.js").read_text()
    assert 'STATUS_SYMBOLS = { met: "circle", on_track: "diamond", behind: "triangle", unknown: "rect" }' in script
    assert "symbol: STATUS_SYMBOLS[c.status]" in script


def test_import_stages_and_fields_are_labelled() -> None:
    from ucj.web.templatetags.ucj_labels import field_label, payer_label, stage_label

    assert stage_label("writing") == "menyimpan" and stage_label("") == "antrian"
    assert field_label("birth_date") == "tanggal lahir" and payer_label("apbd_kabkota") == "APBD kabupaten/kota"
