"""The commitment pages (``/komitmen/``): every page renders for each role with the world's hand-computed figures
(tests/commitments/backend_world.py), forms keep what was typed and show errors beside their fields, changes go
through the services and are scoped (a kab/kota officer edits their own region only; a village operator their
desa's institutions and APBDes line; viewers read with no edit buttons; other regions 404; anonymous → login)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.accounts import conftest as accounts
from tests.commitments.backend_world import make_world

ROLES = accounts.ROLES
client_for = accounts.client_for  # the fixture: a client logged in per role ("anon": not logged in)
PAGES = ["/komitmen/", "/komitmen/regulasi/", "/komitmen/anggaran/", "/komitmen/kelembagaan/", "/komitmen/ekosistem/",
         "/komitmen/rapat/"]  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_every_role(world: Any, client_for: Callable[[str], Client], role: str,
                                           path: str) -> None:  # fmt: skip
    response = client_for(role).get(path)
    assert response.status_code == 200, text(response)[:2000]
