"""In a real browser: a province analyst asks what Rp 20,160,000 buys with the province paying 60 % and each
kabupaten 40 %, reads the answer (figures of ``conftest``), saves it, saves the least budget for the target,
and compares the two; charts draw without a console error. ``UCJ_SCREENSHOT_DIR`` keeps screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database
from tests.coverage.test_dashboard_browser import shoot
from tests.planning.conftest import make_plan_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("analis", role="provinsi", region="16", password=PASSWORD)
    make_plan_world()
    with chromium_tab(live_server.url) as tab:
        tab.goto(tab.base + "/rencana/")
        tab.fill("#id_username", "analis")
        tab.fill("#id_password", PASSWORD)
        tab.click("main button[type=submit]")
        tab.wait_for_url(tab.base + "/rencana/")
        yield tab


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
