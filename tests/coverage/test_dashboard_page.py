"""The coverage dashboard page (``/cakupan/`` and the home page): login, scoping, and the headline figures of a
small hand-made data set whose expectations are computed by hand below.

Data (eligible workers 2024; feed of active participants per kab/kota, one ecosystem each, Jan–Dec 2024):

* 16.06 Musi Banyuasin: 400 workers, feed 40 + 10·m (desa) → Dec 160, Sep 130, Jun 100
* 16.71 Palembang:      600 workers, feed 100 + 15·m (pasar) → Dec 280, Sep 235, Jun 190
* 16.01 OKU:            500 workers, feed 50 flat (rentan)
* 16 Sumsel: 1,500 workers, 200 poor/vulnerable workers; target 2024 30 %, 2025 50 % (inherited below).

As of 2024-12, Sumsel: covered 490, rate 32.67 %; 2024 target 450 → met, surplus 40; December, so the 2025
target is the one to pace for: 750, gap 260, 12 months left → 22 per month; pace 3 = (490 − 415)/3 = 25,
pace 6 = (490 − 340)/6 = 25; projected 490 + 25·12 = 790 = 52.67 %; reached after ⌈260/25⌉ = 11 months →
2025-11. Vulnerable covered 50 of 200 (25 %). Ranked: Palembang 46.67 % (on track), Muba 40 % (on track),
OKU 10 % (behind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

MUBA, PALEMBANG, OKU = "16.06", "16.71", "16.01"
FEED = {
    MUBA: (lambda m: 40 + 10 * m, "desa"),
    PALEMBANG: (lambda m: 100 + 15 * m, "pasar"),
    OKU: (lambda m: 50, "rentan"),
}
WORKERS = {"16": 1500, MUBA: 400, PALEMBANG: 600, OKU: 500}


def make_sumsel_data(months: int = 12, synthetic: bool = False) -> None:
    """Feed rows Jan..``months`` 2024, denominators and targets as described in the module doc."""
    from ucj.coverage.models import FeedBatch, FeedRow, Target, Workforce
    from ucj.coverage.services import bump_version

    batch = FeedBatch.objects.create(file_name="feed.csv", sha256="0" * 64, synthetic=synthetic)
    FeedRow.objects.bulk_create(
        FeedRow(batch=batch, region_id=code, month=dt.date(2024, m, 1), segment="BPU", ecosystem=eco, payer="mandiri",
                active=count(m))
        for code, (count, eco) in FEED.items() for m in range(1, months + 1)
    )  # fmt: skip
    for code, workers in WORKERS.items():
        Workforce.objects.create(region_id=code, year=2024, definition="eligible", workers=workers,
                                 source="BPJS pekerja eligible 2024", synthetic=synthetic)  # fmt: skip
    Workforce.objects.create(region_id="16", year=2024, definition="vulnerable", workers=200, source="P3KE 2024")
    Target.objects.create(region_id="16", year=2024, definition="eligible", rate=Decimal("30"), source="RPJMD")
    Target.objects.create(region_id="16", year=2025, definition="eligible", rate=Decimal("50"), source="RPJMD")
    bump_version()


@pytest.fixture
def sumsel(db: Any) -> None:
    make_sumsel_data()


def login(make_user: Callable[..., Any], role: str, region: str | None) -> Client:
    client = Client()
    client.force_login(make_user(role, region))
    return client


def test_the_dashboard_needs_a_login(db: Any) -> None:
    response = Client().get("/cakupan/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=/cakupan/")


def test_headline_figures_of_the_province(sumsel: None, make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get("/cakupan/")
    assert response.status_code == 200
    ctx = response.context
    top = ctx["top"]
    assert (top["region"], top["covered"], top["rate"], top["source"]) == ("16", 490, 32.67, "feed")
    assert (ctx["year_target"]["count"], ctx["year_target"]["met"], ctx["year_target"]["surplus"]) == (450, True, 40)
    t = ctx["target"]
    assert (t["year"], t["count"], t["gap"], t["months_remaining"], t["pace_needed"]) == (2025, 750, 260, 12, 22)
    assert (top["pace_3"], top["pace_6"], t["projected"], t["projected_rate"], t["reached"]) == (
        25.0, 25.0, 790, 52.67, "2025-11")  # fmt: skip
    assert (top["vulnerable_covered"], top["vulnerable_total"], top["vulnerable_rate"]) == (50, 200, 25.0)
    body = response.content.decode()
    expected = ["490", "32,67%", "tercapai — surplus 40", "22", "52,67%", "target tercapai pada 2025-11",
                "umpan BPJS (agregat)", "Pekerja eligible", "BPJS pekerja eligible 2024",
                "dari 200 (25,00%)"]  # fmt: skip
    for text in expected:
        assert text in body, text


def test_ranked_table_status_and_drill_down_links(sumsel: None, make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get("/cakupan/")
    rows = response.context["rows"]
    assert [(r["code"], r["rate"], r["status"]) for r in rows[:3]] == [
        (PALEMBANG, 46.67, "on_track"), (MUBA, 40.0, "on_track"), (OKU, 10.0, "behind")]  # fmt: skip
    assert len(rows) == 17  # every kab/kota of Sumsel, those without data last
    assert all(r["status"] == "unknown" for r in rows[3:]) and all(r["rate"] is None for r in rows[3:])
    body = response.content.decode()
    assert 'href="/cakupan/?region=16.71&amp;as_of=2024-12&amp;definition=eligible"' in body
    assert "sesuai jalur" in body and "tertinggal" in body  # status in words, not colour only


def test_drill_down_to_a_kabupaten(sumsel: None, make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get(f"/cakupan/?region={MUBA}")
    ctx = response.context
    assert (ctx["top"]["covered"], ctx["top"]["rate"], ctx["target"]["pace_needed"]) == (160, 40.0, 4)
    assert [b["code"] for b in ctx["breadcrumb"]] == ["16", MUBA]
    assert ctx["breadcrumb"][0]["url"] == "/cakupan/?region=16&as_of=2024-12&definition=eligible"
    assert ctx["rows"] and all(r["code"].startswith(MUBA + ".") for r in ctx["rows"])  # its kecamatan
    assert ctx["top"]["source"] == "feed"
    assert all(r["covered"] == 0 for r in ctx["rows"])  # a kab feed cannot be split over its kecamatan


def test_ecosystems_trend_and_months(sumsel: None, make_user: Callable[..., Any]) -> None:
    ctx = login(make_user, "provinsi", "16").get("/cakupan/?as_of=2024-09").context
    assert ctx["top"]["covered"] == 130 + 235 + 50
    eco = {e["key"]: (e["covered"], e["change_6"]) for e in ctx["ecosystems"]}
    assert eco == {"desa": (130, 60), "pasar": (235, 90), "rentan": (50, 0), "umkm": (0, None)}
    trend = ctx["chart_data"]["trend"]
    assert trend["months"][0] == "2024-01" and trend["months"][-1] == "2024-12"  # to the end of the target year
    assert trend["covered"][8] == 415 and trend["covered"][9] is None
    assert trend["projection"][8] == 415 and trend["projection"][11] == 415 + 3 * 25
    assert trend["target"][0] == 450
    assert "2024-01" in ctx["months"] and ctx["months"][0] >= "2024-12"


def test_kab_user_sees_own_kab_and_below_only(sumsel: None, make_user: Callable[..., Any]) -> None:
    client = login(make_user, "kabkota", MUBA)
    own = client.get("/cakupan/")
    assert own.status_code == 200 and own.context["top"]["region"] == MUBA
    assert client.get(f"/cakupan/?region={MUBA}.01").status_code == 200
    for other in ("16", PALEMBANG, "16.71.01", "99", "not-a-code", "1671"):
        assert client.get(f"/cakupan/?region={other}").status_code == 404, other
    crumbs = own.context["breadcrumb"]
    assert crumbs[0]["code"] == "16" and crumbs[0]["url"] is None  # the province is named, not linked
    assert "Palembang" not in own.content.decode()


def test_home_page_shows_the_dashboard_and_the_registry(sumsel: None, make_user: Callable[..., Any]) -> None:
    response = login(make_user, "provinsi", "16").get("/")
    assert response.status_code == 200
    assert response.context["top"]["covered"] == 490 and response.context["total"] == 0
    body = response.content.decode()
    assert "Impor terakhir" in body and 'id="coverage-data"' in body


def test_user_without_a_region_gets_a_notice(db: Any) -> None:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_user("tanpa-wilayah"))
    response = client.get("/cakupan/")
    assert response.status_code == 200 and response.context["no_region"] is True
    assert client.get("/cakupan/?region=16").status_code == 404


def test_no_inline_script_or_style_and_data_in_json_script(sumsel: None, make_user: Callable[..., Any]) -> None:
    import json
    import re

    body = login(make_user, "provinsi", "16").get("/cakupan/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S)
    for attrs, content in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        assert content.strip() == "" or 'type="application/json"' in attrs
    assert " style=" not in body and "<style" not in body
    assert "vendor/echarts/echarts.min.js" in body and "coverage/dashboard.js" in body
    found = re.search(r'<script id="coverage-data" type="application/json">(.*?)</script>', body, re.S)
    assert found
    data = json.loads(found[1])
    assert data["map_url"] == "/api/v1/coverage/map?region=16&as_of=2024-12&definition=eligible"
    assert data["drill_url"] == "/cakupan/?region=__CODE__&as_of=2024-12&definition=eligible"


def test_synthetic_banner_on_every_page(db: Any, make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    assert "DATA SINTETIS (demo)" not in client.get("/registri/").content.decode()
    make_sumsel_data(synthetic=True)
    for path in ("/", "/cakupan/", "/registri/", "/akun/masuk/"):
        assert "DATA SINTETIS (demo)" in client.get(path).content.decode(), path
    assert "DATA SINTETIS (demo)" in Client().get("/akun/masuk/").content.decode()


def test_a_month_without_feed_and_bad_parameters_fall_back(sumsel: None, make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    ctx = client.get("/cakupan/?as_of=2023-05&by=desa&definition=nonsense").context
    assert ctx["top"]["covered"] == 0 and ctx["top"]["notes"]
    assert ctx["params"].by is None and ctx["params"].definition == "eligible"
    assert client.get("/cakupan/?as_of=bad").context["result"]["as_of"] == "2024-12"


def test_english(sumsel: None, make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    client.cookies["django_language"] = "en"
    body = client.get("/cakupan/").content.decode()
    assert "Covered as of 2024-12" in body and "on track" in body and "Tercakup per" not in body
    assert "BPJS feed (aggregate)" in body
