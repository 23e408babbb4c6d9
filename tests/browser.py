"""What the browser tests share: Debian's chromium through Playwright (never a downloaded browser), a tab
that records console errors and page errors, and the database state transactional tests must restore."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "Ucj-Browser-Test-1"


def prepare_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transactional tests start from an emptied database, the migrations' data too: the Sumsel regions and
    the shipped contribution rules come back here. Playwright's sync API runs an event loop in this thread;
    the ORM calls of the tests are plain synchronous ones."""
    from ucj.contributions.rules import shipped_rules
    from ucj.contributions.services import load_rules
    from ucj.regions.services import load_regions

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_regions("16")
    load_rules(shipped_rules())


@contextmanager
def chromium_tab(base_url: str, **context: Any) -> Iterator[Any]:
    """A new tab (1366×768, Indonesian unless ``locale`` says otherwise) with ``tab.base`` and ``tab.problems``
    (console errors other than a missing favicon, and uncaught page errors). Skips without chromium."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        options = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID", **context}
        tab = browser.new_context(**options).new_page()
        tab.set_default_timeout(15_000)
        tab.base = base_url
        tab.problems = []
        tab.on("console", lambda m: tab.problems.append(f"console: {m.text} ({m.location.get('url')})")
               if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)  # fmt: skip
        tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
        try:
            yield tab
        finally:
            browser.close()


def sign_in(tab: Any, username: str, landing: str = "/") -> None:
    """Open ``landing``, sign in as ``username`` (password :data:`PASSWORD`) on the login page it leads to, and
    wait until the browser is back on ``landing``."""
    tab.goto(tab.base + landing)
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    tab.wait_for_url(tab.base + landing)
