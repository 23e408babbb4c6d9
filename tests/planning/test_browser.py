"""In a real browser: a province analyst asks what Rp 20,160,000 buys with the province paying 60 % and each
kabupaten 40 %, reads the answer (figures of ``conftest``), saves it, saves the least budget for the target,
and compares the two; charts draw without a console error. ``UCJ_SCREENSHOT_DIR`` keeps screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.coverage.test_dashboard_browser import ARGS, CHROMIUM, PASSWORD, shoot
from tests.planning.conftest import make_plan_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    from ucj.accounts.services import create_user
    from ucj.contributions.rules import shipped_rules
    from ucj.contributions.services import load_rules
    from ucj.regions.services import load_regions

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_regions("16")  # transactional tests start from an emptied database: the migrations' data too
    load_rules(shipped_rules())
    create_user("analis", role="provinsi", region="16", password=PASSWORD)
    make_plan_world()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
        tab.set_default_timeout(15_000)
        tab.base = live_server.url
        tab.problems = []
        tab.on("console", lambda m: tab.problems.append(f"{m.text} ({m.location.get('url')})")
               if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)  # fmt: skip
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))
        tab.goto(tab.base + "/rencana/")
        tab.fill("#id_username", "analis")
        tab.fill("#id_password", PASSWORD)
        tab.click("main button[type=submit]")
        tab.wait_for_url(tab.base + "/rencana/")
        yield tab
        browser.close()


def test_ask_save_and_compare(page: Any) -> None:
    page.fill("#id_budget", "20.160.000")
    page.fill("#id_share_provinsi", "60")
    page.fill("#id_share_kabkota", "40")
    page.click("button[name=run]")
    page.wait_for_selector("#card-funded, .errors, .problems")
    assert page.query_selector("#card-funded"), page.inner_text("main")
    assert page.inner_text("#card-funded .value").strip() == "100"
    assert "Rp 20.160.000" in page.inner_text("#card-cost")
    assert "APBD provinsi: Rp 12.096.000" in page.inner_text("#card-cost")
    page.wait_for_selector("#chart-regions svg")
    shoot(page, "plan-result.png")

    page.fill("#id_name", "Rp 20 juta")
    page.click("button[name=save]")
    page.wait_for_url("**/rencana/*/")
    assert page.inner_text("h1").strip() == "Rp 20 juta"

    page.goto(page.base + "/rencana/")
    page.check("#id_question_1")  # the least budget for the target
    page.fill("#id_budget", "")
    page.fill("#id_name", "Target 50 %")
    page.click("button[name=save]")
    page.wait_for_url("**/rencana/*/")
    assert page.inner_text("#card-funded .value").strip() == "260"

    page.goto(page.base + "/rencana/")
    for box in page.query_selector_all("input[name=ids]"):
        box.check()
    page.click("text=Bandingkan yang dipilih")
    page.wait_for_selector("#compare-table")
    table = page.inner_text("#compare-table")
    assert "Rp 20 juta" in table and "Target 50 %" in table and "260" in table
    page.wait_for_selector("#chart-compare svg")
    shoot(page, "plan-compare.png")
    assert page.problems == []
