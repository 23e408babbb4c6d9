"""In a real browser (Debian's chromium via Playwright): a village operator logs in, uploads a roster, reads
the outcome, downloads the rejected rows, cannot open another village's record, and switches language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROSTER = (
    "DAFTAR PERANGKAT DESA SUKARAMI\n\n"
    "NIK;Nama;Tgl Lahir;L/P;Jabatan\n"
    "1606014101900012;Siti Aminah;01-01-1990;P;Sekretaris Desa\n"
    "1606011505850003;Budi Santoso;15 Mei 1985;L;Ketua RT\n"
    "1.60601E+15;Joko;01-01-1970;L;Nelayan\n"
)


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("operator", role="desa", region="16.06.01.2001", password=PASSWORD)
    with chromium_tab(live_server.url, accept_downloads=True, locale="en-US") as tab:
        yield tab


def login(page: Any) -> None:
    page.goto(page.base + "/")
    assert "/akun/masuk/" in page.url
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(page.base + "/")


def test_upload_outcome_download_and_scope(page: Any, tmp_path: Path) -> None:
    from ucj.registry.models import Participant

    login(page)
    assert page.locator("html").get_attribute("lang") == "id"  # Indonesian first, whatever the browser says
    roster = tmp_path / "perangkat.csv"
    roster.write_text(ROSTER)
    page.goto(page.base + "/registri/impor/unggah/")
    page.set_input_files("#id_file", str(roster))
    page.click("main button[type=submit]")  # not the header's logout button
    page.click("text=Simpan impor")  # the outcome is previewed first (issue 16 item 3)
    page.wait_for_selector("text=ditolak")
    assert "/registri/impor/" in page.url
    cards = dict(zip(page.locator(".card .label").all_inner_texts(), page.locator(".card .value").all_inner_texts(),
                     strict=True))  # fmt: skip
    assert (cards["baris"], cards["diterima (baru)"], cards["ditolak"]) == ("3", "2", "1")
    body = page.inner_text("main")
    assert "NIK_EXCEL_FLOAT" in body and "rusak oleh Excel" in body
    assert "Sekretaris Desa" not in body and "Siti Aminah" not in body  # the outcome lists findings, not people
    assert "Joko" in body  # ... with the name of the rejected row beside its number (issue 16 item 3)
    with page.expect_download() as download:
        page.click("text=Unduh baris ditolak")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "ditolak.xlsx"
    download.value.save_as(saved)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert [r[:2] for r in rows[1:]] == [["1.60601E+15", "Joko"]]
    assert Participant.objects.filter(desa_id="16.06.01.2001").count() == 2

    # a NIK search is posted: it stays out of the address bar
    page.goto(page.base + "/registri/")
    page.fill("#id_q", "1606014101900012")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert "1606014101900012" not in page.url and "Siti Aminah" in page.inner_text("main")

    other = Participant.objects.create(nik="1671011505850009", name="Orang Palembang", desa_id="16.71.01.1001")
    response = page.goto(f"{page.base}/registri/peserta/{other.public_hex}/")
    assert response.status == 404 and "Orang Palembang" not in page.content()


def test_switch_to_english(page: Any) -> None:
    login(page)
    page.select_option("#lang", "en")  # choosing alone does not switch (issue 16 item 13: no switch on an arrow key)
    assert page.locator("html").get_attribute("lang") == "id"
    with page.expect_navigation():
        page.click(".lang-go")
    assert page.locator("html").get_attribute("lang") == "en"
