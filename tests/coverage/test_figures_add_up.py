"""Every figure adds up, one target year per screen, one definition of covered per card (issue 11 §18–§20).

§18: the rows of every children table add up to their parent — where BPJS's feed stops at kab/kota level and
the rows below are registry-only, a row for what cannot be placed lower makes up the difference — on the
page, in the API, in ``ucj coverage --json`` and in the xlsx; every row states its source; a rate missing
below the level that has a denominator says why.
§19: in December the headline names the closing year and the next one; every row's status, the map's colours
and the target column are judged against the year named above them, the target column in one unit (%).
§20: the covered card states its as-of month and definition; no "history too short" beside a projection line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from tests.coverage.test_dashboard_page import MUBA, login, make_sumsel_data
from ucj.cli.main import app
from ucj.coverage.models import CoverageFact
from ucj.coverage.services import bump_version

DEC = dt.date(2024, 12, 1)
REST_ID = "umpan BPJS — tidak dapat dirinci per kecamatan"
REST_EN = "BPJS feed — cannot be broken down by district"


def registry_fact(region: str, active: int) -> None:
    """Registry participants of one kecamatan in December 2024, rolled up to its kab/kota and the province."""
    codes = [region, region.rsplit(".", 1)[0], region.split(".")[0]]
    CoverageFact.objects.bulk_create(
        CoverageFact(region=code, level=len(code.split(".")), month=DEC, segment="BPU", ecosystem="desa",
                     payer="mandiri", active=active)
        for code in codes
    )  # fmt: skip
    bump_version()  # what every change of the facts does: the dashboards' answers are prepared again


def api(client: Client, region: str, by: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/coverage?region={region}&by={by}&as_of=2024-12")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def cli_json(region: str, by: str | None = None) -> dict[str, Any]:
    args = ["coverage", "--region", region, "--as-of", "2024-12", "--json", *(["--by", by] if by else [])]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def xlsx_rows(client: Client, region: str, by: str = "") -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    response = client.get(f"/api/v1/coverage/export.xlsx?region={region}&by={by}&as_of=2024-12")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows: list[list[Any]] = book.get_sheet_by_index(0).to_python()
    return rows


def assert_adds_up(client: Client, region: str, by: str, covered: int, rest: int | None) -> None:
    """Page, API, CLI json and xlsx: the children (+ the unplaceable row) add up to ``covered``."""
    for result in (api(client, region, by), cli_json(region, by or None)):
        assert result["region"]["covered"] == covered
        unplaced = result["unallocated"]
        assert (unplaced["covered"] if unplaced else None) == rest
        assert sum(c["covered"] for c in result["children"]) + (rest or 0) == covered
        if rest:
            assert (unplaced["source"], unplaced["label"], unplaced["label_en"]) == ("feed", REST_ID, REST_EN)
        assert all(c["source"] for c in result["children"])  # every row states its source
    response = client.get(f"/cakupan/?region={region}&by={by}&as_of=2024-12")
    ctx, body = response.context, response.content.decode()
    assert ctx["children_total"] == covered
    assert sum(r["covered"] for r in ctx["rows"]) + (rest or 0) == covered
    assert all(r["source_label"] for r in ctx["rows"])
    if rest:
        assert ctx["unallocated"]["covered"] == rest and 'id="row-unallocated"' in body and REST_ID in body
        assert 'id="map-unallocated"' in body  # the map names the row that has no polygon
        assert ctx["chart_data"]["unallocated"]["covered"] == rest
    rows = xlsx_rows(client, region, by)
    assert rows[1][2] == covered and sum(r[2] for r in rows[2:]) == covered
    assert all(r[16] for r in rows[1:])  # source column
    if rest:
        assert rows[-1][1:3] == [REST_ID, rest]


@pytest.mark.django_db
def test_a_feed_at_kab_level_adds_up_below(make_user: Callable[..., Any]) -> None:
    make_sumsel_data()
    registry_fact(f"{MUBA}.01", 5)  # Muba: feed 160 in December; registry 5 in one kecamatan
    client = login(make_user, "provinsi", "16")
    assert_adds_up(client, MUBA, "", 160, 155)
    assert_adds_up(client, "16", "kabkota", 490, None)  # kab/kota feeds: the province table adds up already
    assert_adds_up(client, "16", "kecamatan", 490, 490 - 5)
    kec = api(client, MUBA)["children"]
    assert {c["source"] for c in kec} == {"registry-partial"}
    assert all(c["rate"] is None and c["rate_note"].startswith("tanpa penyebut di tingkat ini") for c in kec)
    body = client.get(f"/cakupan/?region={MUBA}&as_of=2024-12").content.decode()
    assert "tanpa penyebut di tingkat ini" in body  # the missing rate says why


@pytest.fixture
def demo(db: Any) -> None:
    from ucj.demo.loader import load_demo

    load_demo()


def test_the_demo_story_adds_up(demo: None, make_user: Callable[..., Any]) -> None:
    client = login(make_user, "provinsi", "16")
    muba = api(client, MUBA, "kecamatan")
    placed = sum(c["covered"] for c in muba["children"])
    assert muba["region"]["covered"] == 94_804 and 0 < placed < 94_804 and len(muba["children"]) == 15
    assert_adds_up(client, MUBA, "kecamatan", 94_804, 94_804 - placed)
    assert_adds_up(client, "16", "kabkota", 1_048_000, None)  # the README's headline: 1,048,000 in Dec 2024


def test_one_target_year_per_screen_in_december(demo: None, make_user: Callable[..., Any]) -> None:
    """December 2024: 2024 closes (met), 2025 is the year every status and colour is judged against."""
    client = login(make_user, "provinsi", "16")
    response = client.get("/cakupan/?region=16&as_of=2024-12")
    ctx, body = response.context, response.content.decode()
    assert "Status 2025" in body and "Target 2025 (%)" in body and "terhadap target 2025" in body
    assert "Target 2024 (tahun yang ditutup)" in body and "2024: tercapai — surplus 12.000" in body
    assert "2025: kurang 352.000 pekerja" in body
    assert ctx["screen_year"] == 2025
    assert [(t["year"], t["closing"]) for t in ctx["headline_targets"]] == [(2024, True), (2025, False)]
    assert {r["target_year"] for r in ctx["rows"]} == {2025}
    palembang = next(r for r in ctx["rows"] if r["code"] == "16.71")  # its 2025 target is a count
    assert palembang["target_rate"] == round(100 * palembang["target_count"] / palembang["denominator"], 2)
    assert all(r["target_rate"] is not None for r in ctx["rows"])  # one unit: percent
    colours = {c["code"]: c["status"] for c in ctx["chart_data"]["children"]}
    assert colours == {r["code"]: r["status"] for r in ctx["rows"]}
    xlsx = xlsx_rows(client, "16")
    assert {r[5] for r in xlsx[1:]} == {2025} and all(isinstance(r[6], float) for r in xlsx[1:])


def test_one_definition_of_covered_per_card(demo: None, make_user: Callable[..., Any]) -> None:
    """A village card: covered with its month and source; a projection line never beside "no history"."""
    desa = login(make_user, "desa", "16.06.01.2001")
    for path in ("/", "/cakupan/"):
        response = desa.get(path)
        ctx, body = response.context, response.content.decode()
        card = body[body.index('id="card-covered"'):body.index('id="card-rate"')]
        assert "Tercakup per 2024-12" in card and "Tercakup sekarang" not in body
        assert str(ctx["top"]["covered"]) in card and "registri" in card
        projection = [p for p in ctx["chart_data"]["trend"]["projection"] if p is not None]
        assert projection and ctx["projection_end"] == projection[-1]
        assert "riwayat belum cukup" not in body
        assert "belum ada target" not in body  # the village inherits the 2025 rate shown in the headline
        assert f"{projection[-1]} pekerja dengan tren sekarang" in body
