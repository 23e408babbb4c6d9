"""In a real browser (Debian's chromium via Playwright), issue 16 "Done when": the BPJS officer loads the
participation feed on /cakupan/umpan/ (check, save, the feed named on the dashboard) and the admin goes through
the users and the contribution rules (the rules page filtered by month, the users, their role grants and the rule
rows in the admin) — at 1366×768 and 390×844, in Indonesian and in English: no page wider than the screen, no
console errors, and no string of the other language (a catalogued message left untranslated, or an English
translation shown on an Indonesian page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, chromium_tab, prepare_database, sign_in
from tests.registry.test_operator_browser import FEED, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SIZES = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]
LANGUAGES = ["id", "en"]
#: Catalogue strings at least this long (with a space, no placeholder) are looked for on the pages: shorter ones
#: ("Status", "Admin") are the same words in both languages or parts of names.
MIN_CHARS = 16


@cache
def other_language_strings() -> dict[str, frozenset[str]]:
    """Per page language, the catalogued strings that must not show: on an English page the Indonesian message
    ids, on an Indonesian page their English translations (where the two differ)."""
    from tests.test_i18n import CATALOGS, catalog_entries

    indonesian: set[str] = set()
    english: set[str] = set()
    for po in CATALOGS:
        for entry in catalog_entries(po)[1]:
            translated = entry.msgstr.get(0, "")
            if not translated or translated == entry.msgid:
                continue
            for text, bucket in ((entry.msgid, indonesian), (translated, english)):
                if len(text) >= MIN_CHARS and " " in text and not re.search(r"%|\{|<|\n", text):
                    bucket.add(text)
    return {"en": frozenset(indonesian - english), "id": frozenset(english - indonesian)}


#: The page's visible text without the parts marked as being in another language (``lang``: data such as a rule's
#: legal source, written in Indonesian whatever the interface language).
VISIBLE_IN_PAGE_LANGUAGE = """language => {
    const other = [...document.querySelectorAll('body [lang]')].filter(e => !e.lang.startsWith(language));
    const shown = other.map(e => e.style.display);
    other.forEach(e => { e.style.display = 'none'; });
    const text = document.body.innerText;
    other.forEach((e, i) => { e.style.display = shown[i]; });
    return text;
}"""


def one_language(tab: Any, language: str) -> None:
    """The page is in ``language`` (``lang`` attribute) and shows no catalogued string of the other one."""
    assert tab.locator("html").get_attribute("lang") == language, tab.url
    text = " ".join(tab.evaluate(VISIBLE_IN_PAGE_LANGUAGE, language).split())
    stray = sorted(s for s in other_language_strings()[language] if s in text)
    assert stray == [], f"{tab.url} ({language}): {stray[:5]}"


def check(tab: Any, language: str) -> None:
    fits(tab)
    one_language(tab, language)


@pytest.fixture
def site(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from ucj.accounts.services import create_user

    prepare_database(monkeypatch)
    create_user("petugas-bpjs", role="bpjs", region="16", password=PASSWORD)
    create_user("admin-ucj", role="admin", region=None, password=PASSWORD)
    create_user("operator", role="desa", region="16.06.01.2001", password=PASSWORD)
    return str(live_server.url)


@pytest.fixture(params=[(s, lang) for s in SIZES for lang in LANGUAGES],
                ids=[f"{s}-{lang}" for s in ("desktop", "phone") for lang in LANGUAGES])  # fmt: skip
def tab(site: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    size, language = request.param
    with chromium_tab(site, viewport=size) as page:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        page.language = language
        yield page


def test_bpjs_officer_loads_the_feed_in_either_language(tab: Any, tmp_path: Path) -> None:
    from ucj.coverage.models import FeedBatch

    language = tab.language
    feed = tmp_path / "umpan-kepesertaan-bpjs-ketenagakerjaan-sumsel-desember-2024.csv"
    feed.write_text(FEED)
    sign_in(tab, "petugas-bpjs", "/cakupan/umpan/")
    check(tab, language)
    tab.set_input_files("#id_file", str(feed))
    tab.click("main button[type=submit]")
    tab.wait_for_selector("#feed-counts")
    assert tab.locator("#feed-counts .value").all_inner_texts() == ["2", "2", "0", "0"]
    assert not FeedBatch.objects.exists()  # a check stores nothing
    check(tab, language)
    tab.click("main button[name=save]")
    tab.wait_for_url(re.compile(r"/cakupan/umpan/\d+/"))
    assert FeedBatch.objects.count() == 1 and "2024-12" in tab.inner_text("main")
    check(tab, language)
    tab.goto(tab.base + "/cakupan/?region=16&as_of=2024-12")
    named = "umpan BPJS s.d. Desember 2024, dimuat" if language == "id" else "BPJS feed"
    assert named in tab.inner_text("main")
    check(tab, language)
    tab.goto(tab.base + "/registri/impor/")
    assert feed.name[:30] in tab.inner_text("main")  # the feed load listed under imports
    check(tab, language)
    assert tab.problems == []


def test_admin_reads_the_rules_and_manages_users_in_either_language(tab: Any) -> None:
    language = tab.language
    sign_in(tab, "admin-ucj", "/iuran/aturan/")
    assert tab.locator("main table tbody tr").count() > 0
    check(tab, language)
    tab.fill("#id_month", "2025-01")
    tab.click("main form button[type=submit]")
    tab.wait_for_url(re.compile(r"month=2025-01"))
    in_force = tab.locator("main table tbody tr").count()
    assert in_force > 0
    check(tab, language)

    tab.click("header a[href='/admin/']")
    tab.wait_for_url(tab.base + "/admin/")
    fits(tab)
    tab.goto(tab.base + "/admin/auth/user/")
    assert "operator" in tab.inner_text("#result_list") and "petugas-bpjs" in tab.inner_text("#result_list")
    fits(tab)
    tab.click("#result_list a >> text=operator")
    tab.wait_for_selector("#id_username")
    assert tab.input_value("#id_username") == "operator"
    fits(tab)
    tab.goto(tab.base + "/admin/accounts/roleassignment/")
    assert "16.06.01.2001" in tab.inner_text("#result_list")
    fits(tab)
    tab.goto(tab.base + "/admin/contributions/contributionrule/")
    assert tab.locator("#result_list tbody tr").count() > 0
    fits(tab)
    assert tab.problems == []
