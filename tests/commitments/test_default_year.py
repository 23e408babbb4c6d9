"""The year the pages, the dashboard card and the API open on when none is asked: ``services.default_year()`` — the
year of the coverage dashboard's month (the demo's 2024), not the calendar year, so the registry's active people,
the coverage rate and the budget year describe the same time. Here it is pinned to 2025 while the calendar says
2026 (the world's figures are for 2026: tests/commitments/backend_world.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.accounts import conftest as accounts
from tests.commitments.backend_world import MUBA, YEAR, make_world
from ucj.commitments import services
from ucj.coverage.models import CoverageFact

DATA_YEAR = YEAR - 1
client_for = accounts.client_for  # the fixture: a client logged in per role


@pytest.fixture
def world(db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("ucj.commitments.pages.this_year", lambda: YEAR)
    monkeypatch.setattr("ucj.commitments.services.default_year", lambda: DATA_YEAR)
    return make_world()


def test_default_year_is_the_dashboards_year(db: Any) -> None:
    CoverageFact.objects.create(month=dt.date(2024, 11, 1), level=1, region="16", segment="pu", ecosystem="desa",
                                payer="mandiri", active=3)  # fmt: skip
    assert services.default_year() == 2024


@pytest.mark.parametrize("path", ["/komitmen/", "/komitmen/anggaran/"])
def test_pages_open_on_the_default_year(world: Any, client_for: Callable[[str], Client], path: str) -> None:
    client = client_for("kab_muba")
    assert client.get(path).context["where"].year == DATA_YEAR
    assert client.get(path, {"year": YEAR}).context["where"].year == YEAR  # an asked year wins


def test_api_answers_for_the_default_year(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("provinsi")
    assert client.get("/api/v1/commitments/scorecard", {"region": MUBA}).json()["year"] == DATA_YEAR
    assert client.get("/api/v1/commitments/scorecard", {"region": MUBA, "year": YEAR}).json()["year"] == YEAR
    assert client.get("/api/v1/commitments/budgets", {"region": MUBA}).json() == []  # the world's budgets are 2026
    assert len(client.get("/api/v1/commitments/budgets", {"region": MUBA, "year": YEAR}).json()) == 3  # + an APBDes


def test_dashboard_card_shows_the_default_year(world: Any, client_for: Callable[[str], Client]) -> None:
    page = client_for("kab_muba").get("/cakupan/").content.decode()
    card = re.search(r'<section class="card commitment-card".*?</section>', page, re.S)
    assert card and f"Komitmen daerah {DATA_YEAR}" in card[0] and f"year={DATA_YEAR}" in card[0]
