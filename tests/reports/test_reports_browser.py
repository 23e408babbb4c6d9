"""In a real browser (Debian's chromium via Playwright): a kab/kota officer issues the December 2024 report of their
kab/kota on ``/laporan/``, downloads the PDF (its text holds their figures), and is refused another kab/kota's
issued report (404) — the download link, the archive filtered to that region and the API alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database
from tests.coverage.test_dashboard_page import MUBA, PALEMBANG, make_sumsel_data
from tests.reports.test_reports import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def officer_tab(live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    settings.DATA_DIR = tmp_path
    create_user("dinas", role="kabkota", region=MUBA, password=PASSWORD)
    make_sumsel_data(synthetic=True)
    with chromium_tab(live_server.url) as tab:
        yield tab


def test_an_officer_downloads_their_report_and_not_another_kabkotas(officer_tab: Any) -> None:
    from ucj.reports.services import issue

    page = officer_tab
    other = issue(None, PALEMBANG, dt.date(2024, 12, 1), fmt="xlsx", background=False)
    page.goto(page.base + "/laporan/")
    page.fill("#id_username", "dinas")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(page.base + "/laporan/")
    assert page.locator("#id_region option").all_inner_texts() == ["16.06 Kabupaten Musi Banyuasin"]
    assert "Kota Palembang" not in page.inner_text("main")  # the archive shows only their regions
    page.fill("#id_month", "2024-12")
    page.select_option("#id_format", "pdf")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_selector("a.download")  # rendered (the worker's job runs at once in tests), record shown
    assert "SHA-256" in page.inner_text("main")
    with page.expect_download() as info:
        page.click("a.download")
    download = info.value
    assert download.suggested_filename == "laporan-16.06-2024-12-id.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Laporan UCJ — Kabupaten Musi Banyuasin — Desember 2024" in text
    assert "umpan BPJS — tidak dapat dirinci per kecamatan 160" in text  # the kecamatan table adds up to 160
    for url in (f"/laporan/{other.pk}/unduh/", f"/laporan/{other.pk}/", f"/laporan/?region={PALEMBANG}",
                f"/api/v1/reports/{other.pk}/file"):  # fmt: skip
        assert page.request.get(page.base + url).status == 404, url
    assert page.problems == []  # before the refused page below, which logs its 404 in the console
    response = page.goto(page.base + f"/laporan/{other.pk}/unduh/")
    assert response is not None and response.status == 404
