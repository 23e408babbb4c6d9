"""A busy database answers 503 with Retry-After, never 500 (issue 11 point 14, SQLite half).

The concurrency test runs the real roster import in one thread, held inside its write transaction, beside
logins, dashboard and coverage reads and token-authenticated API reads in other threads, on an SQLite file in
WAL mode (as deployed). Readers answer 200; requests that must write (a login stores its session, a failed
login its attempt) wait for the busy timeout and answer 503 with ``Retry-After``; nothing answers 500.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory

from tests.conftest import DEMO_PASSWORD
from tests.coverage.test_shared_cache import own_database, ucj
from ucj.dbbusy import busy_response, is_busy_error

SUKARAMI = "16.06.01.2001"
ROSTER = "NIK,Nama,Kode Desa\n" + "".join(f"16060141019{i:05d},Peserta {i},{SUKARAMI}\n" for i in range(1, 200))


class FakePgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("could not obtain lock")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "busy"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (OperationalError("database is locked"), True),
        (OperationalError("database table is locked: ucj_cache"), True),
        (OperationalError("database is busy"), True),
        (FakePgError("55P03"), True),  # lock_not_available (lock_timeout)
        (FakePgError("40001"), True),  # serialization_failure
        (FakePgError("40P01"), True),  # deadlock_detected
        (FakePgError("23505"), False),  # a unique violation is a bug, not a busy database
        (OperationalError("no such table: x"), False),
        (ValueError("database is locked"), False),
    ],
)
def test_busy_errors_are_recognised(exc: BaseException, busy: bool) -> None:
    assert is_busy_error(exc) is busy
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = exc
    assert is_busy_error(wrapped) is busy


def test_the_busy_answer(settings: Any) -> None:
    settings.UCJ_BUSY_RETRY_AFTER = 7
    api = busy_response(RequestFactory().get("/api/v1/coverage"))
    assert (api.status_code, api["Retry-After"], api["Content-Type"]) == (503, "7", "application/json")
    assert "coba lagi" in api.content.decode() and "try again" in api.content.decode()
    page = busy_response(RequestFactory().get("/registri/"))
    assert page.status_code == 503 and page["Retry-After"] == "7" and "try again" in page.content.decode()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(settings: Any) -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert "journal_mode=WAL" in options["init_command"] and options["timeout"] == settings.UCJ_SQLITE_BUSY_TIMEOUT
    assert options["transaction_mode"] == "IMMEDIATE"


def test_an_import_beside_logins_reads_and_tokens(tmp_path: Path, django_db_blocker: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with django_db_blocker.unblock(), own_database(tmp_path) as url:
        if not url.startswith("sqlite"):
            pytest.skip("SQLite's single write lock (PostgreSQL: tests/registry/test_concurrent_import.py)")
        ucj(url, tmp_path, "regions", "load", "--province", "16")  # migrates the file database too
        # every thread opens its own connection to the file, failing fast where it would wait 30 s
        saved = connections.settings["default"]
        file_settings = {**connections["default"].settings_dict}
        file_settings["OPTIONS"] = {**file_settings["OPTIONS"], "timeout": 1}
        connections.settings["default"] = file_settings
        connections["default"].settings_dict["OPTIONS"]["timeout"] = 1
        try:
            _run_beside_an_import(monkeypatch)
        finally:
            connections.settings["default"] = saved


def _run_beside_an_import(monkeypatch: pytest.MonkeyPatch) -> None:
    from ucj.accounts.models import ApiToken
    from ucj.accounts.services import create_user
    from ucj.registry import services
    from ucj.registry.models import ImportBatch, Participant

    create_user("op-login", role="desa", region=SUKARAMI, password=DEMO_PASSWORD)
    reader = create_user("kab-reader", role="kabkota", region="16.06", password=DEMO_PASSWORD)
    _, token = ApiToken.issue(reader)
    web = Client(raise_request_exception=False)
    web.force_login(reader)  # the session is written before the import takes the lock
    assert web.get("/").status_code == 200  # warm: the first answer is computed before the lock
    connection.close()

    inside, release = threading.Event(), threading.Event()
    original = services.write_participants

    def held(*args: Any, **kwargs: Any) -> Any:
        written = original(*args, **kwargs)
        inside.set()  # the import now holds SQLite's write lock inside its transaction
        assert release.wait(120)
        return written

    monkeypatch.setattr(services, "write_participants", held)

    def run_import() -> Any:
        try:
            return services.import_roster(ROSTER.encode(), "besar.csv", region=SUKARAMI)
        finally:
            connection.close()

    def request(name: str) -> tuple[str, int, str | None]:
        try:
            if name == "login":
                answer = Client(raise_request_exception=False).post(
                    "/akun/masuk/", {"username": "op-login", "password": DEMO_PASSWORD})
            elif name == "login failed":
                answer = Client(raise_request_exception=False, REMOTE_ADDR="10.7.7.7").post(
                    "/akun/masuk/", {"username": "op-login", "password": "salah-sekali"})
            elif name == "token api":
                answer = Client(raise_request_exception=False).get(
                    "/api/v1/participants", headers={"authorization": f"Bearer {token}"})
            else:
                answer = web.get({"dashboard": "/", "coverage page": "/cakupan/?region=16.06",
                                  "coverage api": "/api/v1/coverage?region=16.06", "registry": "/registri/"}[name])
            return name, answer.status_code, answer.get("Retry-After")
        finally:
            connection.close()

    names = ["login", "login failed", "token api", "dashboard", "coverage page", "coverage api", "registry"]
    with ThreadPoolExecutor(max_workers=len(names) + 1) as pool:
        importing = pool.submit(run_import)
        assert inside.wait(120), "the import never reached its write"
        answers = list(pool.map(request, names))
        release.set()
        report = importing.result(timeout=120)
    got = {name: (status, retry) for name, status, retry in answers}
    for name in ("token api", "dashboard", "coverage page", "coverage api", "registry"):
        assert got[name][0] == 200, (name, got)  # readers never see the lock
    for name in ("login", "login failed"):
        assert got[name] == (503, "5"), (name, got)  # writers wait, then 503 with Retry-After
    assert all(status != 500 for status, _ in got.values()), got

    assert report.accepted == 199
    assert ImportBatch.objects.get(pk=report.batch_id).status == "done"
    assert Participant.objects.filter(desa_id=SUKARAMI).count() == 199
    login = Client(raise_request_exception=False).post("/akun/masuk/", {"username": "op-login",
                                                                        "password": DEMO_PASSWORD})
    assert login.status_code == 302  # once the import is done, logins go through
