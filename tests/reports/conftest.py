"""Fixtures of the report tests: the hand-made Sumsel data set of the dashboard tests (figures computed in
``tests/coverage/test_dashboard_page``), reports stored under a temporary data folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.coverage.test_dashboard_page import make_sumsel_data


@pytest.fixture(autouse=True)
def report_dir(settings: Any, tmp_path: Path) -> Path:
    """Issued files go to a fresh data folder per test."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def sumsel(db: Any) -> None:
    make_sumsel_data(synthetic=True)


@pytest.fixture
def client_for(make_user: Callable[..., Any]) -> Callable[..., Client]:
    def login(role: str, region: str | None) -> Client:
        client = Client()
        client.force_login(make_user(role, region))
        return client

    return login
