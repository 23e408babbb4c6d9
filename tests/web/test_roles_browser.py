"""In a real browser (Debian's chromium via Playwright), issue 16: the kab/kota officer makes a bill with the
region picker, records a partial payment (after a refused one that keeps what was typed), pays the rest and
opens the kwitansi; the analyst drills down the dashboard with the region picker (keyboard only) and plans for
a kab/kota, read per kecamatan. At 1366×768 and 390×844: no page wider than the screen, no console errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database, sign_in
from tests.registry.test_operator_browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SIZES = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]
SUKARAMI = "16.06.01.2001"


@pytest.fixture
def site(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from tests.planning.conftest import make_plan_world
    from ucj.accounts.services import create_user
    from ucj.registry.models import Participant

    prepare_database(monkeypatch)
    make_plan_world()  # coverage facts, targets and the planner's candidates (tests/planning/conftest.py)
    for n, name in enumerate(["Siti Aminah", "Rahmat Hidayat", "Dewi Lestari"], start=1):
        Participant.objects.create(nik=f"16060141019005{n:02d}", name=name, desa_id=SUKARAMI, segment="BPU",
                                   payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip
    create_user("petugas-kab", role="kabkota", region="16.06", password=PASSWORD)
    create_user("analis", role="provinsi", region="16", password=PASSWORD)
    return str(live_server.url)


@pytest.fixture(params=SIZES, ids=["desktop", "phone"])
def tab(site: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    with chromium_tab(site, viewport=request.param) as page:
        yield page


def pick(tab: Any, picker: str, name: str) -> None:
    """Type ``name`` into a region picker and choose the first match with the keyboard."""
    tab.fill(picker, name)
    tab.wait_for_selector(f"{picker} ~ ul[role=tree] li[role=treeitem]")
    tab.press(picker, "Enter")


def test_kabkota_officer_bills_pays_in_part_and_prints_the_kwitansi(tab: Any) -> None:
    from ucj.contributions.models import Bill, Payment

    sign_in(tab, "petugas-kab", "/iuran/tagihan/")
    assert tab.locator("#id_payer option").all_inner_texts() == ["APBD kabupaten/kota", "APBDes/ADD",
                                                                  "Lainnya (CSR, ...)"]  # fmt: skip
    tab.select_option("#id_payer", "apbdes")
    pick(tab, "#id_region-picker", "Sukarami")  # a desa: not among the fallback select's kab/kota
    assert tab.input_value("#id_region") == SUKARAMI
    tab.fill("#id_month", "2024-03")
    fits(tab)
    tab.click("main form button[type=submit]")
    tab.wait_for_selector("#pay-form")
    bill = Bill.objects.get()
    assert (bill.region_id, bill.participants, bill.total) == (SUKARAMI, 3, 50_400)
    fits(tab)

    # A refused payment keeps what was typed, with the error in red next to the form.
    tab.check("input[name=lines] >> nth=0")
    tab.check("input[name=lines] >> nth=1")
    tab.check("#id_what_1")
    tab.fill("#id_paid_on", "2024-03-20")
    tab.fill("#id_reference", "SP2D 00123/2024")
    tab.fill("#id_amount", "Rp 30.000")
    tab.click("#pay-form button[type=submit]")
    tab.wait_for_selector("#pay-form .form-errors")
    assert "tidak sama dengan iuran 2 peserta yang dipilih Rp 33.600" in tab.inner_text("#pay-form .form-errors")
    assert tab.input_value("#id_reference") == "SP2D 00123/2024" and tab.input_value("#id_amount") == "Rp 30.000"
    assert tab.is_checked("input[name=lines] >> nth=0") and not Payment.objects.exists()
    colour = tab.eval_on_selector("#pay-form .form-errors", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(254, 228, 226)"  # red, not the green of a success
    fits(tab)

    tab.fill("#id_amount", "33.600")
    tab.click("#pay-form button[type=submit]")
    tab.wait_for_selector("text=Pembayaran dicatat")
    assert "Dibayar sebagian: Rp 33.600 dari Rp 50.400" in tab.inner_text("#bill-status")
    assert "SP2D 00123/2024" in tab.inner_text("#payments")
    fits(tab)

    tab.fill("#id_paid_on", "2024-03-25")
    tab.fill("#id_amount", "16.800")
    tab.click("#pay-form button[type=submit]")
    tab.wait_for_selector("text=Pembayaran dicatat")
    assert tab.inner_text("#bill-status").strip() == "Lunas"
    assert Bill.objects.get().status == Bill.Status.PAID and Payment.objects.count() == 2

    tab.click("#payments a >> text=Kwitansi >> nth=0")
    tab.wait_for_selector(".receipt")
    first = Payment.objects.order_by("pk").first()
    assert first is not None
    assert f"KW-{bill.pk:05d}-{first.pk:05d}" in tab.inner_text(".receipt")
    assert "Tiga puluh tiga ribu enam ratus rupiah" in tab.inner_text(".receipt")
    fits(tab)
    pdf = tab.request.get(tab.url + "?format=pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    assert tab.problems == []


def test_analyst_drills_down_with_the_region_picker_and_plans_a_kabkota(tab: Any) -> None:
    sign_in(tab, "analis", "/cakupan/")
    tab.wait_for_selector("#region-picker")
    fits(tab)
    # Keyboard only: open the tree, open Sumatera Selatan, go to its first kab/kota, choose it.
    tab.focus("#region-picker")
    tab.press("#region-picker", "ArrowDown")
    tab.wait_for_selector("#region-tree li[aria-level='1'].active")
    tab.press("#region-picker", "ArrowRight")
    tab.wait_for_selector("#region-tree li[aria-level='2']")
    assert tab.get_attribute("#region-tree li[aria-level='1']", "aria-expanded") == "true"
    tab.press("#region-picker", "ArrowRight")  # to the first child
    tab.wait_for_selector("#region-tree li[aria-level='2'].active")
    code = tab.get_attribute("#region-tree li[aria-level='2'].active", "data-code")
    with tab.expect_navigation():
        tab.press("#region-picker", "Enter")
    assert f"region={code}" in tab.url.replace("%2E", ".")
    fits(tab)

    # By name: Musi Banyuasin, then its plan.
    with tab.expect_navigation():
        pick(tab, "#region-picker", "Musi Banyuasin")
    assert "region=16.06" in tab.url and "Musi Banyuasin" in tab.inner_text("h1")
    fits(tab)
    tab.goto(tab.base + "/rencana/?region=16.06")
    tab.fill("#id_budget", "20,16 juta")
    tab.click("button[name=run]")
    tab.wait_for_selector("#kecamatan-table")
    assert tab.inner_text("#card-funded .value").strip() == "100"
    tab.wait_for_selector("#chart-regions svg")
    assert "Pekerja rentan belum terdata per desa" in tab.inner_text("#kecamatan-table")
    fits(tab)
    assert tab.problems == []
