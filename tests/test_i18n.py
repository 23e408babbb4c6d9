"""Bahasa Indonesia first, English switchable: the English catalog is complete, compiled and served.

The message ids are Indonesian; ``src/ucj/locale/en/LC_MESSAGES/django.po`` holds the English and the committed
``django.mo`` is what Django reads. How to update both: ``docs/i18n.md``.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ucj"
CATALOG = PACKAGE / "locale" / "en" / "LC_MESSAGES"
PO = CATALOG / "django.po"
MO = CATALOG / "django.mo"
# The project catalog, and those a package keeps of its own (src/ucj/<package>/locale/en/LC_MESSAGES/).
CATALOGS = [PO, *sorted(p for p in PACKAGE.glob("*/locale/en/LC_MESSAGES/django.po"))]
each_catalog = pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))

# Strings whose English is fixed by the glossary (docs/glossary.md); a change here is a deliberate one.
KNOWN = {
    "Registri peserta": "Participant registry",
    "Impor": "Imports",
    "Unggah daftar": "Upload roster",
    "Pekerja rentan": "Vulnerable workers",
    "Desa/kelurahan": "Village",
    "Kecamatan": "District",
    "Kabupaten/kota": "Regency/city",
    "Masuk": "Log in",
    "Keluar": "Log out",
    "Beranda": "Home",
}


# --- a tiny .po reader: msgctxt / msgid / msgid_plural / msgstr[n], continuation lines, flags ---------------


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> str:
        """The key GNU gettext uses in a .mo: ``context\\x04msgid`` when there is a context."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(token: str) -> str:
    # PO strings use C escapes (\" \\ \n \t), which a Python string literal reads the same way.
    value = ast.literal_eval(token)
    assert isinstance(value, str)
    return value


def parse_po(text: str) -> list[Entry]:
    """Every entry of a .po file, header (``msgid ""``) included, in file order."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line extends

    def close() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#~"):
            current = current or Entry(number)
            current.obsolete = True
            continue
        if line.startswith("#"):
            if target is not None and target[0] != "comment":  # a comment after msgstr starts a new entry
                close()
            current = current or Entry(number)
            target = ("comment", 0)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            assert current is not None and target is not None and target[0] != "comment", f"line {number}: {raw!r}"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        match = _KEYWORD.match(line)
        assert match, f"django.po line {number} is not valid PO syntax: {raw!r}"
        keyword, index, token = match.groups()
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            close()  # entries not separated by a blank line
        current = current or Entry(number)
        if keyword.startswith("msgstr"):
            slot = int(index) if index is not None else 0
            current.msgstr[slot] = _unquote(token)
            target = ("msgstr", slot)
        else:
            setattr(current, keyword, _unquote(token))
            target = (keyword, 0)
    close()
    return entries


def catalog_entries(po: Path = PO) -> tuple[Entry, list[Entry]]:
    """(header, messages) of an English .po file (the project's by default)."""
    entries = parse_po(po.read_text(encoding="utf-8"))
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the .po file must have exactly one header entry"
    return header[0], [e for e in entries if e is not header[0]]


def test_the_parser_reads_plurals_continuations_and_flags() -> None:
    sample = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid "%(n)s peserta"\nmsgid_plural "%(n)s peserta"\n'
        'msgstr[0] "%(n)s participant"\nmsgstr[1] "%(n)s participants"\n\n'
        '#, fuzzy\nmsgctxt "menu"\nmsgid ""\n"Satu "\n"\\"dua\\""\nmsgstr ""\n\n'
        '#~ msgid "lama"\n#~ msgstr "old"\n'
    )
    header, plural, fuzzy, old = parse_po(sample)
    assert header.msgstr == {0: "Language: en\n"}
    assert plural.msgid_plural == "%(n)s peserta" and plural.msgstr[1] == "%(n)s participants"
    assert "python-format" in plural.flags
    assert fuzzy.key == 'menu\x04Satu "dua"' and fuzzy.msgstr == {0: ""} and "fuzzy" in fuzzy.flags
    assert old.obsolete


# --- (a) complete: every entry translated, nothing fuzzy or obsolete --------------------------------------------


@each_catalog
def test_every_entry_is_translated_and_none_is_fuzzy(po: Path) -> None:
    header, messages = catalog_entries(po)
    assert po != PO or len(messages) > 150  # the whole interface, not a stub
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]

    assert [e.msgid for e in messages if "fuzzy" in e.flags] == []
    assert [e.msgid for e in messages if e.obsolete] == []  # makemessages --no-obsolete drops them
    untranslated = [e.msgid for e in messages if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    assert untranslated == []
    keys = [e.key for e in messages]
    assert len(keys) == len(set(keys)), "duplicate msgid"
    for entry in messages:
        expected_forms = {0, 1} if entry.msgid_plural is not None else {0}
        assert set(entry.msgstr) == expected_forms, entry.msgid


@each_catalog
def test_placeholders_are_kept(po: Path) -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in catalog_entries(po)[1]:
        wanted = sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        for form in entry.msgstr.values():
            assert sorted(placeholder.findall(form)) == wanted, (entry.msgid, form)


# --- (b) the committed .mo is the compiled .po ----------------------------------------------------------------


@each_catalog
def test_compiled_catalog_matches_the_po_file(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    mo: dict[Any, str] = dict(compiled._catalog)  # type: ignore[attr-defined]
    mo.pop("", None)  # the header

    _header, messages = catalog_entries(po)
    expected: dict[Any, str] = {}
    for entry in messages:
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, i): text for i, text in entry.msgstr.items()})
    missing_or_different = {k: (v, mo.get(k)) for k, v in expected.items() if mo.get(k) != v}
    assert missing_or_different == {}, "django.mo is stale: run compilemessages (docs/i18n.md)"
    assert set(mo) - set(expected) == set(), "django.mo has entries the .po no longer has: run compilemessages"
    if po != PO:
        return
    assert compiled.ngettext("%(n)s peserta", "%(n)s peserta", 1) == "%(n)s participant"
    assert compiled.ngettext("%(n)s peserta", "%(n)s peserta", 3) == "%(n)s participants"


# --- (c) Django serves it -------------------------------------------------------------------------------------


def test_translation_in_django() -> None:
    with translation.override("en"):
        for indonesian, english in KNOWN.items():
            assert translation.gettext(indonesian) == english
        assert translation.ngettext("%(n)s peserta", "%(n)s peserta", 1) % {"n": 1} == "1 participant"
        assert translation.ngettext("%(n)s peserta", "%(n)s peserta", 2) % {"n": 2} == "2 participants"
        assert translation.gettext("Halaman %(n)s dari %(total)s") % {"n": 2, "total": 5} == "Page 2 of 5"
    with translation.override("id"):
        assert translation.gettext("Registri peserta") == "Registri peserta"
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]


def test_lazy_model_labels_follow_the_active_language() -> None:
    from ucj.accounts.models import Role

    label = Role.DESA.label
    with translation.override("en"):
        assert str(label) == "Village operator"
    with translation.override("id"):
        assert str(label) == "Operator desa"


# --- (d) Indonesian by default, English by choice -------------------------------------------------------------


@pytest.mark.django_db
def test_indonesian_by_default_english_by_choice(make_user: Callable[..., Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(make_user("provinsi", "16"))

    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in page
    assert "Beranda" in page and "Keluar" in page and "Log out" not in page
    assert response.headers["Content-Language"] == "id"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Home" in page and "Log out" in page
    assert "Beranda" not in page and "Keluar" not in page
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_language_selector_sets_the_cookie(make_user: Callable[..., Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(make_user("provinsi", "16"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log out" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Keluar" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_cookie_value_falls_back_to_indonesian(make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user("provinsi", "16"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="id">' in client.get("/").content.decode()
