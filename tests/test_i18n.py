"""Bahasa Indonesia first, English switchable: the English catalog is complete and compiled."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOG = Path(__file__).resolve().parents[1] / "src" / "ucj" / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> list[str]:
    """The .po file's entries (blocks separated by blank lines), header excluded."""
    blocks = CATALOG.joinpath("django.po").read_text(encoding="utf-8").strip().split("\n\n")
    return [b for b in blocks[1:] if "msgid" in b]


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    entries = po_entries()
    assert len(entries) > 150
    # An empty translation is a `msgstr ""` line with no continuation line after it.
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\n(?!")', e + "\n", re.M)]
    assert untranslated == []
    assert not any("#, fuzzy" in e for e in entries)


def test_compiled_catalog_matches_the_po_file() -> None:
    with CATALOG.joinpath("django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = compiled._catalog  # type: ignore[attr-defined]
    singular = [k for k in catalog if isinstance(k, str) and k]
    assert len(singular) + len({k[0] for k in catalog if isinstance(k, tuple)}) >= len(po_entries())
    assert compiled.gettext("Registri peserta") == "Participant registry"


def test_translation_in_django() -> None:
    with translation.override("en"):
        assert translation.gettext("Registri peserta") == "Participant registry"
        assert translation.ngettext("%(n)s peserta", "%(n)s peserta", 2) % {"n": 2} == "2 participants"
    with translation.override("id"):
        assert translation.gettext("Registri peserta") == "Registri peserta"


@pytest.mark.django_db
def test_indonesian_by_default_english_by_choice(make_user: Callable[..., Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(make_user("provinsi", "16"))
    page = client.get("/").content.decode()
    assert '<html lang="id">' in page and "Beranda" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Home" in page and "Beranda" not in page
