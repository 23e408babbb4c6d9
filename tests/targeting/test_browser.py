"""In a real browser (Debian's chromium via Playwright): a village operator opens their worklist from the menu,
marks Siti Aminah contacted, is refused a closing status without a reason, puts the contacted people into a
collective registration file and downloads it (Siti's and Budi's full NIKs inside); another village's worklist
answers 404. World: :mod:`tests.targeting.web_world`. ``UCJ_SCREENSHOT_DIR`` keeps screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database
from tests.coverage.test_dashboard_browser import shoot
from tests.targeting.web_world import LUMPATAN, SUKARAMI, make_worklists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("operator", role="desa", region=SUKARAMI, password=PASSWORD)
    make_worklists()
    with chromium_tab(live_server.url, accept_downloads=True) as tab:
        tab.goto(tab.base + "/")
        tab.fill("#id_username", "operator")
        tab.fill("#id_password", PASSWORD)
        tab.click("main button[type=submit]")
        tab.wait_for_url(tab.base + "/")
        yield tab


def test_a_village_operator_works_through_the_worklist(page: Any, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    from ucj.targeting.models import Enrolment, SubmissionFile

    with page.expect_navigation():
        page.click("header nav >> text=Sasaran")
    page.click(".subnav >> text=Daftar kerja desa")
    page.wait_for_url(f"**/sasaran/daftar-kerja/{SUKARAMI}/")
    siti = Enrolment.objects.get(name="Siti Aminah")
    row = page.locator(f"#e{siti.pk}")
    assert "Teridentifikasi" in row.inner_text() and "16**************" in row.inner_text()

    # a closing status needs a reason: refused, nothing changes
    row.locator("select[name=status]").select_option("declined")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "Tulis alasannya" in page.inner_text(".messages")
    assert Enrolment.objects.get(pk=siti.pk).status == "identified"

    row = page.locator(f"#e{siti.pk}")
    row.locator("select[name=status]").select_option("contacted")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "Status disimpan: Sudah dihubungi" in page.inner_text(".messages")
    assert page.locator(f"#e{siti.pk}").get_attribute("data-status") == "contacted"

    # Budi was contacted already: two people go into the collective file
    submit = page.locator("#submit-form button")
    assert "Ajukan 2 orang" in submit.inner_text()
    with page.expect_navigation():
        submit.click()
    made = SubmissionFile.objects.get()
    assert made.people == 2 and "2 orang diajukan" in page.inner_text(".messages")
    assert page.locator(f"#e{siti.pk}").get_attribute("data-status") == "submitted"
    shoot(page, "targeting-worklist.png")
    with page.expect_download() as download:
        page.click(f"#submission-files >> text={made.file_name}")
    saved = tmp_path / "kolektif.xlsx"
    download.value.save_as(saved)
    sheet = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    niks = {str(c) for r in sheet[1:] for c in r}
    assert {"1606014101900012", "1606011505850003"} <= niks

    # her history: who, when, from → to
    page.click(f"#e{siti.pk} >> text=16**************")
    page.wait_for_selector("#history")
    history = page.inner_text("#history")
    assert "operator" in history and "Sudah dihubungi" in history and "Diajukan ke BPJS" in history
    shoot(page, "targeting-person.png")
    page.click(".subnav >> text=Corong pendaftaran")
    page.wait_for_selector("#funnel-stages")
    shoot(page, "targeting-funnel.png")

    assert page.problems == []

    response = page.goto(f"{page.base}/sasaran/daftar-kerja/{LUMPATAN}/")  # the console reports this 404
    assert response.status == 404 and "Hasan Basri" not in page.content()
