"""Issue 16 item 10 on the rules page: each rule row is named in words in the page's language, its id kept on a
detail line (not the raw id alone); the legal source and note are marked as Indonesian data (``lang="id"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "label"), [("id", "JKM penerima upah"), ("en", "JKM, wage earners")])
def test_rule_rows_are_named_in_words(make_user: Callable[..., Any], language: str, label: str) -> None:
    from ucj.contributions.rules import shipped_rules
    from ucj.contributions.services import load_rules

    load_rules(shipped_rules())
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(make_user("admin"))
    page = client.get("/iuran/aturan/?code=PU.JKM").content.decode()
    row = page[page.index("<tbody>"):page.index("</tbody>")]  # fmt: skip
    assert f'<span class="rule-name">{label}' in row
    assert "<small><code>PU.JKM@2015-07-01</code></small>" in row and '<td lang="id">PP 44/2015' in row
