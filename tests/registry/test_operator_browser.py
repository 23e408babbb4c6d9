"""In a real browser (Debian's chromium via Playwright), issue 16: the village operator adds one worker, uploads a
roster with a preview, fixes a rejected row on the page; the viewer meets no dead button. At 1366×768 and
390×844: no page wider than the screen, no console errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SIZES = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]
ROSTER = (
    "DAFTAR PERANGKAT DESA SUKARAMI\n\n"
    "NIK;Nama;Tgl Lahir;L/P;Jabatan\n"
    "1606014101900012;Siti Aminah;01-01-1990;P;Sekretaris Desa\n"
    "160601150585;Budi Santoso;15 Mei 1985;L;Ketua RT\n"
    ";Jumlah;;;\n"
    "Mengetahui,;;;;\n"
    "Kepala Desa Sukarami;;;;\n"
)


@pytest.fixture
def users(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("operator", role="desa", region="16.06.01.2001", password=PASSWORD)
    create_user("pemantau", role="viewer", region="16", password=PASSWORD)
    create_user("petugas-bpjs", role="bpjs", region="16", password=PASSWORD)
    return str(live_server.url)


@pytest.fixture(params=SIZES, ids=["desktop", "phone"])
def tab(users: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    with chromium_tab(users, viewport=request.param) as page:
        yield page


def fits(page: Any) -> None:
    """The page is no wider than the screen (tables scroll inside their own box)."""
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    culprits = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.id || ''))""")
    assert wide <= 0, f"{page.url}: {wide}px wider than the screen ({culprits})"


def test_operator_adds_uploads_with_preview_and_fixes_a_row(tab: Any, tmp_path: Path) -> None:
    from ucj.registry.models import ImportBatch, Participant

    sign_in(tab, "operator")
    tab.goto(tab.base + "/registri/")
    tab.click("text=Tambah satu pekerja")
    # A click does not wait for the page it opens: measured before that page has loaded, the document can be
    # missing (documentElement null) or still the list's (a flaky failure under load, -n 2).
    tab.wait_for_url("**/registri/peserta/tambah/")
    fits(tab)
    tab.fill("#id_nik", "1606014101900099")
    tab.fill("#id_name", "Rina Marlina")
    tab.fill("#id_position", "Kader Posyandu")
    tab.click("main button[type=submit]")
    tab.wait_for_selector("text=Pekerja ditambahkan")
    assert "Rina Marlina" in tab.inner_text("main") and "Formulir tambah pekerja" in tab.inner_text("main")
    fits(tab)

    roster = tmp_path / "perangkat-desa-sukarami-tahun-anggaran-2025-final-revisi.csv"
    roster.write_text(ROSTER)
    tab.goto(tab.base + "/registri/impor/unggah/")
    assert tab.is_checked("#id_preview")
    tab.set_input_files("#id_file", str(roster))
    tab.click("main button[type=submit]")
    tab.wait_for_selector("text=Periksa sebelum disimpan")
    counts = tab.locator("#preview-counts .value").all_inner_texts()
    assert counts == ["2", "1", "0", "1", "0"]  # the totals and signature rows are not rows
    assert "Budi Santoso" in tab.inner_text("main")  # the name beside the rejected row's number
    assert not ImportBatch.objects.filter(kind="roster").exists()
    fits(tab)
    tab.click("text=Simpan impor")
    tab.wait_for_selector("text=Perbaiki baris ditolak di sini")
    fits(tab)

    tab.click("text=Perbaiki baris ditolak di sini")
    nik = tab.locator("input[value='160601150585']")
    nik.fill("1606011505850003")
    fits(tab)
    tab.click("text=Periksa dan kirim ulang")
    tab.wait_for_selector("text=Periksa sebelum disimpan")
    assert tab.locator("#preview-counts .value").all_inner_texts()[:4] == ["1", "1", "0", "0"]
    tab.click("text=Simpan impor")
    tab.wait_for_selector("text=diterima (baru)")
    assert Participant.objects.get(nik="1606011505850003").name == "Budi Santoso"
    assert tab.problems == []


def test_viewer_meets_no_dead_button(tab: Any) -> None:
    from ucj.registry.models import ImportBatch

    batch = ImportBatch.objects.create(file_name="sukarami.csv", sha256="0" * 64, region_id="16.06.01.2001",
                                       status="done", rows=3, accepted=2, rejected=1)  # fmt: skip
    sign_in(tab, "pemantau")
    for path in ("/", "/registri/", "/registri/impor/", f"/registri/impor/{batch.pk}/"):
        tab.goto(tab.base + path)
        fits(tab)
        body = tab.inner_text("main")
        for dead in ("Unggah daftar", "Unduh baris ditolak", "Perbaiki baris ditolak", "Tambah satu pekerja",
                     "Muat umpan BPJS"):  # fmt: skip
            assert dead not in body, (path, dead)
        links = tab.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
        for href in sorted(set(links))[:25]:
            status = tab.request.get(tab.base + href, max_redirects=0).status
            assert status != 403, (path, href)  # every link shown leads somewhere the viewer may go
    assert tab.problems == []
    response = tab.goto(tab.base + "/registri/impor/unggah/")  # typed by hand: the branded 403 (its status is
    tab.problems = [p for p in tab.problems if "status of 403" not in p]  # logged by the browser, as it should)
    assert response.status == 403 and "Anda tidak berhak membuka halaman ini" in tab.inner_text("main")
    assert tab.locator("html").get_attribute("lang") == "id" and tab.locator("main a[href='/']").count() >= 1
    fits(tab)
    assert tab.problems == []


FEED = (
    "Kode Wilayah,Kabupaten/Kota,Bulan,Segmen,Ekosistem,Pembayar,Peserta Aktif\n"
    "16.06,Musi Banyuasin,2024-12,PU,,,12.345\n16.71,Kota Palembang,2024-12,BPU,,,2.000\n"
)


def test_bpjs_officer_loads_the_feed(tab: Any, tmp_path: Path) -> None:
    feed = tmp_path / "umpan-kepesertaan-bpjs-ketenagakerjaan-sumsel-desember-2024.csv"
    feed.write_text(FEED)
    sign_in(tab, "petugas-bpjs")
    tab.goto(tab.base + "/registri/impor/")
    tab.click("text=Muat umpan BPJS")
    tab.set_input_files("#id_file", str(feed))
    tab.click("main button[type=submit]")
    tab.wait_for_selector("text=Periksa umpan sebelum disimpan")
    assert tab.locator("#feed-counts .value").all_inner_texts() == ["2", "2", "0", "0"]
    fits(tab)
    tab.click("text=Simpan umpan")
    tab.wait_for_selector("text=Umpan dimuat")
    assert "2024-12" in tab.inner_text("main")
    fits(tab)
    tab.goto(tab.base + "/cakupan/?region=16&as_of=2024-12")
    assert "umpan BPJS s.d. Desember 2024, dimuat" in tab.inner_text("main")
    fits(tab)
    assert tab.problems == []
