"""In a real browser (Debian's chromium via Playwright): the officer of Kab. Musi Banyuasin opens Komitmen, reads
the scorecard, adds their Perbup with its PDF, downloads it back, and sees the scorecard change — without a
console error (CSP violation, script error).

Hand-computed: Musi Banyuasin starts with no regulation (kurang, 0 points), no budget (kurang, 0), none of its
242 villages fully protected (kurang, 0) and no overdue action (baik, 2); RT/RW, units and coverage have no data
and are left out → 2 / (2 × 4) = 25 → "Tertinggal". A Perbup in force makes regulation baik → 4 / 8 = 50 →
"Perlu perhatian" (not "Sesuai jalur": the budget lever is still kurang).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database
from tests.coverage.test_dashboard_browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
MUBA = "16.06"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    settings.DATA_DIR = tmp_path
    create_user("petugas", role="kabkota", region=MUBA, password=PASSWORD)
    with chromium_tab(live_server.url) as tab:
        login(tab, "petugas")
        yield tab


def login(tab: Any, username: str) -> None:
    """Open Komitmen, sign in on the login page it leads to, and land back on Komitmen."""
    tab.goto(tab.base + "/komitmen/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    tab.wait_for_url(tab.base + "/komitmen/")


def test_kabkota_adds_a_regulation_with_its_pdf_and_the_scorecard_changes(page: Any, tmp_path: Path) -> None:
    assert "Kabupaten Musi Banyuasin" in page.inner_text("h1")
    assert page.inner_text("#top-score").strip() == "25"
    assert "Tertinggal" in page.inner_text("#card-status .value")
    assert page.inner_text("#card-regulation .value").strip() == "belum ada"
    page.wait_for_selector("#score-map[data-ready='1']", state="attached")  # asked for the kecamatan's shapes
    if page.get_attribute("#score-map", "data-kind") == "none":  # none loaded here: the page says so
        assert "Tidak ada peta" in page.inner_text("#score-map-note")
    assert page.locator("#score-table tbody tr").count() > 0  # the kecamatan of Musi Banyuasin, ranked

    page.click("nav.subnav >> text=Regulasi")
    page.wait_for_url("**/komitmen/regulasi/**")
    with page.expect_navigation():
        page.click("#add-instrument")
    assert page.input_value("#id_region") == MUBA  # the only region the officer may write
    document = tmp_path / "Perbup Muba 7 2026.pdf"
    document.write_bytes(PDF)
    page.select_option("#id_kind", "perbup")
    page.fill("#id_number", "7 Tahun 2026")
    page.fill("#id_date", "2026-03-02")
    page.fill("#id_title", "Perlindungan jaminan sosial ketenagakerjaan aparat desa dan RT/RW")
    page.select_option("#id_status", "ditetapkan")
    for group in ("kepala_desa", "perangkat_desa", "rt", "rw"):
        page.check(f"input[name=groups][value={group}]")
    page.select_option("#id_payer", "apbd_kabkota")
    page.set_input_files("#id_document", str(document))
    shoot(page, "commitments-regulation-form.png")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/komitmen/regulasi/" in page.url and "Tersimpan." in page.inner_text(".messages")
    row = page.locator("#instrument-table tbody tr", has_text="7 Tahun 2026")
    assert "Ditetapkan" in row.inner_text() and "Ketua RT" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="Unduh PDF").click()
    assert download.value.suggested_filename == "Perbup Muba 7 2026.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    page.click("nav.subnav >> text=Skor komitmen")
    page.wait_for_url("**/komitmen/?**")
    assert page.inner_text("#top-score").strip() == "50"
    assert "Perlu perhatian" in page.inner_text("#card-status .value")
    assert page.inner_text("#card-regulation .value").strip() == "berlaku"
    assert "Kepala desa, Perangkat desa, Ketua RT, Ketua RW" in page.inner_text("#regulation-groups")
    assert "Penganggaran" in page.inner_text("#card-status .reasons")  # what still holds the status back
    shoot(page, "commitments-scorecard.png")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert page.problems == []


def test_province_map_shows_status_by_shape_and_colour(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The province's 17 kab/kota on the map: one shape per status besides its colour (no kab/kota has a
    commitment here, so all are "Tertinggal" but Musi Banyuasin, given a Perbup in force)."""
    from ucj.accounts.services import create_user
    from ucj.commitments.models import Instrument

    prepare_database(monkeypatch)
    create_user("analis", role="provinsi", region="16", password=PASSWORD)
    Instrument.objects.create(region_id=MUBA, kind="perbup", number="7", title="Aparat desa", status="ditetapkan")
    with chromium_tab(live_server.url) as tab:
        login(tab, "analis")
        tab.wait_for_selector("#score-map[data-ready='1']", state="attached")
        assert tab.get_attribute("#score-map", "data-kind") in ("circles", "choropleth")
        first = tab.locator("#score-table tbody tr").first
        assert first.get_attribute("data-code") == MUBA and "Perlu perhatian" in first.inner_text()
        if tab.get_attribute("#score-map", "data-kind") == "circles":
            symbols = tab.evaluate("Object.fromEntries(echarts.getInstanceByDom(document.getElementById('score-map'))"
                                   ".getOption().series[0].data.map(d => [d.code, d.symbol]))")  # fmt: skip
            assert symbols[MUBA] == "triangle" and symbols["16.71"] == "rect"
        with tab.expect_navigation():
            first.get_by_role("link").click()
        assert f"region={MUBA}" in tab.url and "Musi Banyuasin" in tab.inner_text("h1")
        assert tab.problems == []


def test_kabkota_reads_the_provinces_meeting_and_removes_a_regulation(page: Any) -> None:
    """The province's meeting shows on Musi Banyuasin's meetings page; its own page lists Muba's actions (owner,
    due date, status) read only; a Perbup entered by mistake is removed after the confirmation page."""
    import datetime as dt

    from ucj.commitments.models import FollowUpAction, Instrument, Meeting

    meeting = Meeting.objects.create(region_id="16", date=dt.date(2024, 12, 13), title="Kelembagaan desa",
                                     place="Novotel Palembang", organiser="Ditjen Bina Pemdes")  # fmt: skip
    FollowUpAction.objects.create(meeting=meeting, owner_id=MUBA, decision="Susun Perbup RT/RW",
                                  due_date=dt.date(2025, 3, 31))  # fmt: skip
    FollowUpAction.objects.create(meeting=meeting, owner_id="16.71", decision="Palembang",
                                  due_date=dt.date(2025, 1, 31))  # fmt: skip
    wrong = Instrument.objects.create(region_id=MUBA, kind="perbup", number="99", title="Salah input", status="draf")

    page.click("nav.subnav >> text=Rapat dan tindak lanjut")
    page.wait_for_url("**/komitmen/rapat/**")
    with page.expect_navigation():
        page.click("#meeting-table >> text=Kelembagaan desa")
    assert "Kelembagaan desa" in page.inner_text("h1") and "rapat wilayah di atas Anda" in page.inner_text("main")
    rows = page.locator("#action-table tbody tr")
    assert rows.count() == 1 and "Susun Perbup RT/RW" in rows.first.inner_text()
    assert "2025-03-31" in rows.first.inner_text() and "terlambat" in rows.first.inner_text()
    assert page.locator("#edit-meeting").count() == 0 and page.locator("#delete-meeting").count() == 0

    page.click("nav.subnav >> text=Regulasi")
    page.wait_for_url("**/komitmen/regulasi/**")
    row = page.locator("#instrument-table tbody tr", has_text="Salah input")
    with page.expect_navigation():
        row.get_by_role("link", name="Hapus").click()
    assert "Salah input" in page.inner_text("#delete-row")
    with page.expect_navigation():
        page.click("#delete-form button[type=submit]")
    assert "Dihapus" in page.inner_text(".messages")
    assert page.locator("#instrument-table tbody tr", has_text="Salah input").count() == 0
    assert not Instrument.objects.filter(pk=wrong.pk).exists()
    assert page.problems == []
