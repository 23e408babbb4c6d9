"""The funnel page (per region, drill-down to desa, xlsx) and the dashboard's funnel card, which must equal the
worklists. World: :mod:`tests.targeting.web_world` (Musi Banyuasin: Sukarami one person per status up to declined
— 6 people — and Lumpatan one identified person; Palembang one identified person)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client

from tests.coverage.test_dashboard_page import make_sumsel_data
from tests.targeting.test_pages import text
from tests.targeting.web_world import (
    LUMPATAN,
    SUKARAMI,
    Worklists,
    client_for_fixture,  # noqa: F401 (fixture)
    enrol,
    worklists_fixture,  # noqa: F401 (fixture)
)
from ucj.targeting.models import Enrolment, EnrolmentEvent

pytestmark = pytest.mark.django_db
#: Sukarami per status, in Status order: identified, contacted, submitted, registered, active, declined, not
#: found, moved, deceased.
SUKARAMI_COUNTS = [1, 1, 1, 1, 1, 1, 0, 0, 0]


def test_the_funnel_of_a_regency_drills_down_to_its_villages(worklists: Worklists,
                                                             client_for: Callable[[str], Client]) -> None:  # fmt: skip
    response = client_for("kab_muba").get("/sasaran/?region=16.06")
    assert response.status_code == 200
    stages = {s["key"]: s["count"] for s in response.context["stages"]}
    assert stages == {"identified": 2, "contacted": 1, "submitted": 1, "registered": 1, "active": 1, "declined": 1,
                      "not_found": 0, "moved": 0, "deceased": 0}  # fmt: skip
    # 7 reached "identified" (the declined one too), 1 is active: 14.3 %
    assert response.context["f"]["total"] == 7 and response.context["conversion"] == 14.3
    children = {c["region"]: c for c in response.context["children"]}
    assert set(children) == {SUKARAMI, LUMPATAN}
    assert children[SUKARAMI]["counts"] == SUKARAMI_COUNTS and children[SUKARAMI]["conversion"] == 16.7
    assert children[SUKARAMI]["url"] == f"/sasaran/daftar-kerja/{SUKARAMI}/"
    assert children[LUMPATAN]["total"] == 1
    page = text(response)
    assert "Corong pendaftaran — Kabupaten Musi Banyuasin" in page and "Orang Palembang" not in page
    assert "data-region-picker" in response.content.decode()  # any region of the user, down to a village


def test_the_province_funnel_rows_are_kabkota(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    response = client_for("provinsi").get("/sasaran/?region=16")
    children = {c["region"]: (c["total"], c["url"]) for c in response.context["children"]}
    assert children == {"16.06": (7, "/sasaran/?region=16.06"), "16.71": (1, "/sasaran/?region=16.71")}
    assert response.context["f"]["total"] == 8


def test_the_funnel_workbook(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    from python_calamine import CalamineWorkbook

    response = client_for("kab_muba").get("/sasaran/corong.xlsx?region=16.06")
    assert response.status_code == 200 and "corong-16.06.xlsx" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    by_code = {r[0]: [int(v) for v in r[2:11]] for r in rows[1:]}
    assert by_code == {"16.06": [2, 1, 1, 1, 1, 1, 0, 0, 0], SUKARAMI: SUKARAMI_COUNTS,
                       LUMPATAN: [1, 0, 0, 0, 0, 0, 0, 0, 0]}  # fmt: skip


def test_the_funnel_on_an_earlier_day(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    """Statuses at the end of a day come from the events: the day before anybody was listed, nobody."""
    client = client_for("kab_muba")
    before = client.get("/sasaran/?region=16.06&as_of=2026-01-01")
    assert before.context["f"]["total"] == 0 and before.context["f"]["as_of"] == "2026-01-01"
    assert "as_of=2026-01-01" in before.content.decode()  # the workbook link keeps the day
    assert client.get("/sasaran/?region=16.06&as_of=kemarin").context["f"]["total"] == 7  # a bad day: today
    workbook = client.get("/sasaran/corong.xlsx?region=16.06&as_of=2026-01-01")
    assert "corong-16.06-2026-01-01.xlsx" in workbook["Content-Disposition"]


def test_a_village_operator_sees_the_funnel_of_their_village(worklists: Worklists,
                                                              client_for: Callable[[str], Client]) -> None:  # fmt: skip
    response = client_for("desa").get("/sasaran/")
    assert response.context["region"].code == SUKARAMI and response.context["f"]["total"] == 6
    assert client_for("desa").get("/sasaran/?region=16.06").status_code == 404


def card(client: Client, region: str) -> dict[str, int]:
    """The figures of the dashboard's funnel card."""
    page = client.get(f"/cakupan/?region={region}").content.decode()
    return {key: int(page.split(f'id="funnel-{key}">')[1].split(" ")[0].replace(".", ""))
            for key in ("candidates", "worklists", "registered")}  # fmt: skip


def test_the_dashboard_card_equals_the_worklists(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    make_sumsel_data()
    client = client_for("kab_muba")
    figures = card(client, "16.06")
    in_worklists = sum(len(client.get(f"/sasaran/daftar-kerja/{code}/").context["rows"]) for code in
                       (SUKARAMI, LUMPATAN))  # fmt: skip
    assert in_worklists == 7 and figures["worklists"] == in_worklists
    # registered or beyond this quarter: Joko (registered) and Dewi (active), both moved today
    assert figures["registered"] == 2 and figures["candidates"] == 0  # no list loaded
    response = client.get("/cakupan/?region=16.06")
    assert response.context["target"]["gap"] == 40  # 50 % of 400 workers = 200, 160 covered
    assert "40 masih harus dijangkau" in text(response)
    enrol("1606010808880013", "Orang Baru", SUKARAMI)  # the card's cached figures follow the worklists
    assert card(client, "16.06")["worklists"] == 8


def test_registered_earlier_quarters_do_not_count(worklists: Worklists, client_for: Callable[[str], Client]) -> None:
    """Joko's move to "registered" happened last quarter: the card counts Dewi only."""
    joko = worklists.people["Joko Susilo"]
    EnrolmentEvent.objects.filter(enrolment=joko).update(at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    Enrolment.objects.filter(pk=joko.pk).update(identified_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    assert card(client_for("kab_muba"), "16.06")["registered"] == 1
