"""In a real browser (Debian's chromium via Playwright): a province analyst opens the coverage dashboard, reads
the headline figures of a hand-made Sumsel data set (figures computed in ``test_dashboard_page``), drills down
to a kab/kota from the ranked table and from the map, and no console error (CSP violation, script error)
occurs. The map is a choropleth when the boundaries in ``../shared/geo`` are available, circles otherwise.

``UCJ_SCREENSHOT_DIR=/some/dir`` keeps screenshots of the dashboard at 1366×768 and on a phone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database
from tests.conftest import SHARED
from tests.coverage.test_dashboard_page import MUBA, PALEMBANG, make_sumsel_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BOUNDARIES = SHARED / "geo" / "sumsel_kabkota.geojson"


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("analis", role="provinsi", region="16", password=PASSWORD)
    make_sumsel_data(synthetic=True)
    with chromium_tab(live_server.url) as tab:
        yield tab


def login(page: Any) -> None:
    page.goto(page.base + "/cakupan/")
    assert "/akun/masuk/" in page.url
    page.fill("#id_username", "analis")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(page.base + "/cakupan/")


def card(page: Any, name: str, part: str = ".value") -> str:
    return str(page.inner_text(f"#card-{name} {part}")).strip()


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("UCJ_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def map_pixel(page: Any, code: str) -> tuple[float, float]:
    """Page coordinates of a kab/kota's centre point on the drawn map (ECharts converts lng/lat to pixels)."""
    from ucj.regions.models import Region

    region = Region.objects.get(code=code)
    page.wait_for_load_state("networkidle")  # boundaries and fonts loaded: the map will not be laid out again
    page.locator("#map-chart").scroll_into_view_if_needed()  # a mouse click lands only inside the viewport
    last = None
    for _ in range(20):  # on a loaded machine the chart may still be resizing: wait until the point holds still
        box = page.locator("#map-chart").bounding_box()
        x, y = page.evaluate(
            "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('map-chart'))"
            ".convertToPixel({seriesIndex: 0}, [lng, lat])",
            [region.lng, region.lat],
        )
        point = (round(box["x"] + x, 1), round(box["y"] + y, 1))
        if point == last:
            break
        last = point
        page.wait_for_timeout(150)
    assert last is not None
    return last


def dashboard_walk(page: Any, kind: str) -> None:
    login(page)
    assert "DATA SINTETIS (demo)" in page.inner_text("body")
    assert card(page, "covered") == "490"
    assert card(page, "rate") == "32,67%"
    assert "tercapai — surplus 40" in card(page, "rate", ".status")
    assert card(page, "pace") == "22"
    assert card(page, "projection") == "52,67%"
    assert "2025-11" in card(page, "projection", ".status")
    assert "dari 200 (25,00%)" in card(page, "vulnerable", ".sub")
    assert page.inner_text("#data-source") == "umpan BPJS (agregat)"
    first = page.locator("table.ranked tbody tr").first
    assert "Palembang" in first.inner_text() and "sesuai jalur" in first.inner_text()
    page.wait_for_selector("#map-chart[data-ready='1']")
    assert page.get_attribute("#map-chart", "data-kind") == kind
    page.wait_for_function("document.querySelector('#trend-chart canvas') !== null")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    shoot(page, f"dashboard-1366-{kind}.png")

    # drill down from the ranked table (keyboard: the row link is focusable and opens with Enter)
    link = page.get_by_role("link", name="Kabupaten Musi Banyuasin")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"region={MUBA}" in page.url
    assert "Musi Banyuasin" in page.inner_text("h1")
    assert card(page, "covered") == "160" and card(page, "rate") == "40,00%" and card(page, "pace") == "4"
    assert page.locator(".crumbs li").first.inner_text().strip().startswith("Sumatera Selatan")

    # back up through the breadcrumb, then drill down by clicking Palembang on the map
    with page.expect_navigation():
        page.click(".crumbs a")
    page.wait_for_selector("#map-chart[data-ready='1']")
    x, y = map_pixel(page, PALEMBANG)
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert f"region={PALEMBANG}" in page.url
    assert card(page, "covered") == "280" and card(page, "rate") == "46,67%"

    # a phone: one column, nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/cakupan/")
    page.wait_for_selector("#map-chart[data-ready='1']")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, f"dashboard-phone-{kind}.png")
    assert page.problems == []


def test_dashboard_with_choropleth(browser_page: Any) -> None:
    if not BOUNDARIES.is_file():
        pytest.skip("../shared/geo/sumsel_kabkota.geojson is absent: the choropleth is not tested")
    from ucj.regions.services import load_boundaries

    load_boundaries(BOUNDARIES.read_bytes(), source=BOUNDARIES.name)
    dashboard_walk(browser_page, "choropleth")


def test_dashboard_with_circles(browser_page: Any) -> None:
    dashboard_walk(browser_page, "circles")
