"""The coverage cache is shared by every process (issue 17 §0): an import run by another process (the background
worker, the CLI) shows on the web server's dashboard and API at once, not after the cached answers expire.

The "other process" is a real one: ``ucj`` subprocesses set up a database of their own and import a roster into
it, while this test process plays the web server (Django's test client) on the same database.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.utils import timezone

from ucj.coverage.services import VERSION_KEY, bump_version, current_version

SUKARAMI = "16.06.01.2001"
UCJ = str(Path(sys.executable).with_name("ucj"))


@contextmanager
def own_database(tmp_path: Path) -> Iterator[str]:
    """Point this process's default connection at a fresh database (an SQLite file, or a new PostgreSQL
    database) that subprocesses can open too; yields its URL. The test database is left untouched."""
    handler = connections
    saved = handler["default"]
    # OPTIONS copied too: tests shorten the busy timeout on this connection only, never the test database's
    settings = {**saved.settings_dict, "OPTIONS": dict(saved.settings_dict.get("OPTIONS", {}))}
    if saved.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "shared.sqlite3")
        url = f"sqlite:///{settings['NAME']}"
        drop = None
    else:
        import psycopg

        settings["NAME"] = f"{saved.settings_dict['NAME']}_xproc"
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        url = f"{base}/{settings['NAME']}"

        def admin(sql: str) -> None:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(sql)

        admin(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
        admin(f'CREATE DATABASE "{settings["NAME"]}"')
        drop = f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)'
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    handler["default"] = wrapper
    try:
        yield url
    finally:
        wrapper.close()
        handler["default"] = saved
        if drop:
            admin(drop)


def ucj(url: str, data_dir: Path, *args: str) -> None:
    """Run ``ucj …`` as its own process against the database at ``url`` (production settings, not the tests')."""
    env = {**os.environ, "DATABASE_URL": url, "UCJ_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ucj.settings"}
    done = subprocess.run([UCJ, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_by_another_process_shows_at_once(tmp_path: Path, django_db_blocker: Any) -> None:
    month = f"{timezone.localdate():%Y-%m}"
    paid = f"{timezone.localdate():%Y-%m-%d}"
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([
        "NIK,Nama,Jabatan,Kode Desa,Iuran s/d",
        f"1606014107850001,Siti,Ketua RT 01,{SUKARAMI},{paid}",
        f"1606010107850002,Budi,Petani,{SUKARAMI},{paid}",
    ]))  # fmt: skip
    with django_db_blocker.unblock(), own_database(tmp_path) as url:
        ucj(url, tmp_path, "regions", "load", "--province", "16")  # migrates the new database, like every ucj
        from ucj.accounts.services import create_user

        web = Client()
        web.force_login(create_user("kab-xproc", role="kabkota", region="16.06", password="Ucj-Test-Password-1"))
        api = f"/api/v1/coverage?region=16.06&as_of={month}"
        page = f"/cakupan/?region=16.06&as_of={month}"
        assert web.get(api).json()["region"]["covered"] == 0  # warm: these answers are now cached
        assert 'id="card-covered"' in web.get(page).content.decode()

        ucj(url, tmp_path, "import", "roster", str(roster), "--json")  # another process imports

        body = web.get(api).json()
        assert body["region"]["covered"] == 2
        assert {c["region"]: c["covered"] for c in body["children"]}["16.06.01"] == 2
        html = web.get(page).content.decode()
        card = html[html.index('id="card-covered"'):][:400]
        assert '<div class="value">2</div>' in card


@pytest.mark.django_db
def test_the_version_is_never_reused() -> None:
    """A bump sets a fresh random version (two processes bumping at once cannot end on the same value), and a
    version lost from the cache is replaced by a fresh one, never by an earlier value."""
    from django.core.cache import cache

    first = current_version()
    bump_version()
    second = current_version()
    assert second != first
    cache.delete(VERSION_KEY)
    assert current_version() not in {first, second}


@pytest.mark.django_db
def test_answers_of_another_code_shape_are_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared cache outlives a restart: an answer cached by the previous code (another shape) is not
    served after an upgrade."""
    from ucj.coverage import services

    stale = {"as_of": "2024-12", "region": {}, "children": []}  # the shape before "unallocated"
    monkeypatch.setattr(services, "ANSWER_SHAPE", services.ANSWER_SHAPE - 1)
    services.cache.set(f"ucj:coverage:{services.current_version()}:16:None:2024-12-01:eligible", stale)
    monkeypatch.undo()
    assert "unallocated" in services.coverage("16", as_of=dt.date(2024, 12, 1))


def test_every_process_shares_the_cache_settings() -> None:
    """No per-process local-memory cache: the database cache by default (Redis when configured)."""
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {"ucj.coverage.cache.SharedDatabaseCache", "django.core.cache.backends.redis.RedisCache"}


def test_a_held_write_lock_never_fails_a_dashboard_read(tmp_path: Path, django_db_blocker: Any) -> None:
    """SQLite: while an import holds the write lock, a dashboard read that meets an expired cache entry (Django's
    database cache deletes it) or misses (stores the answer) still answers 200; the cache writes are skipped."""
    import sqlite3

    with django_db_blocker.unblock(), own_database(tmp_path) as url:
        if not url.startswith("sqlite"):
            pytest.skip("SQLite's single write lock only")
        ucj(url, tmp_path, "regions", "load", "--province", "16")
        connections["default"].settings_dict["OPTIONS"]["timeout"] = 1  # fail fast where Django would wait
        connections["default"].close()
        from ucj.accounts.services import create_user

        web = Client()
        web.force_login(create_user("kab-lock", role="kabkota", region="16.06", password="Ucj-Test-Password-1"))
        api = "/api/v1/coverage?region=16.06&as_of=2024-12"
        assert web.get(api).status_code == 200
        current_version()
        from django.db import connection

        with connection.cursor() as cur:  # every stored answer expires now
            cur.execute("UPDATE ucj_cache SET expires = '2000-01-01 00:00:00' WHERE cache_key NOT LIKE '%version'")
        other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # an import in another process holds the write lock
        try:
            assert web.get(api).status_code == 200  # expired entry met, answer recomputed, nothing stored
            assert web.get("/cakupan/?region=16.06&as_of=2024-12").status_code == 200
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert web.get(api).status_code == 200
