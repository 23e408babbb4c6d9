"""Dashboards that never stall after a change (issue 17 §1): every data change prepares the default answers of
a new version and only then publishes it; requests only read; rare misses are computed once (single flight);
a failed preparation leaves the previous version served; every answer says how fresh it is.

No timings are asserted: computations are counted with spies.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from tests.coverage.test_dashboard_page import MUBA, OKU, PALEMBANG, login, make_sumsel_data
from ucj.coverage import services
from ucj.coverage.services import (
    bump_version,
    coverage,
    current_version,
    default_answers,
    prepare_and_publish,
    published,
)
from ucj.registry.services import import_roster

SUKARAMI = "16.06.01.2001"
DEC = dt.date(2024, 12, 1)


class Spy:
    """Counts calls of a function (thread-safe) and passes them on."""

    def __init__(self, real: Callable[..., Any], before: Callable[[int], None] | None = None) -> None:
        self.real, self.before, self.calls, self.lock = real, before, 0, threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.calls += 1
            n = self.calls
        if self.before:
            self.before(n)
        return self.real(*args, **kwargs)


def stored(version: str, code: str) -> bool:
    keys = services._keys(version, code, None, DEC, "eligible")
    return all(cache.get(k) is not None for k in keys)


@pytest.mark.django_db
def test_every_default_answer_is_stored_before_the_version_is_published(monkeypatch: pytest.MonkeyPatch) -> None:
    make_sumsel_data()
    old = current_version()
    assert default_answers() == [("16", None), (OKU, None), (MUBA, None), (PALEMBANG, None)]
    seen: list[str] = []
    real = services._write_version

    def publish(record: dict[str, Any]) -> None:
        assert current_version() == old  # readers still get the previous version, complete
        assert all(stored(record["id"], code) for code, _ in default_answers())  # the new one is complete
        assert record["as_of"] == DEC and record["data_time"]
        seen.append(record["id"])
        real(record)

    monkeypatch.setattr(services, "_write_version", publish)
    bump_version()  # what every import, payment, feed load and edit does once it commits
    assert seen == [current_version()] and seen[0] != old


@pytest.mark.django_db
def test_requests_after_a_change_are_served_without_computing(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, make_user: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    client = login(make_user, "provinsi", "16")
    assert client.get("/api/v1/coverage?region=16.06").json()["region"]["covered"] == 0  # warm, before
    paid = f"{timezone.localdate():%Y-%m-%d}"
    roster = write_csv([
        "NIK,Nama,Jabatan,Kode Desa,Iuran s/d",
        f"1606014107850001,Siti,Ketua RT 01,{SUKARAMI},{paid}",
        f"1606010107850002,Budi,Petani,{SUKARAMI},{paid}",
    ])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_roster(roster.read_bytes(), roster.name)  # refresh facts → prepare → publish, after the commit

    spy = Spy(services.indicators)
    monkeypatch.setattr(services, "indicators", spy)
    for code in ("16", "16.06"):  # the pages people open, by the page and by the API (with or without ``by``)
        body = client.get(f"/api/v1/coverage?region={code}").json()
        assert body["region"]["covered"] == 2
        assert body["data_time"] == published()["data_time"] and body["latest_month"] == f"{timezone.localdate():%Y-%m}"
        by = "kabkota" if code == "16" else "kecamatan"
        assert client.get(f"/api/v1/coverage?region={code}&by={by}").json()["region"]["covered"] == 2
        page = client.get(f"/cakupan/?region={code}")
        assert page.status_code == 200 and 'id="data-time"' in page.content.decode()
    assert spy.calls == 0


@pytest.mark.django_db
def test_a_failed_preparation_never_publishes_a_half_version(monkeypatch: pytest.MonkeyPatch) -> None:
    make_sumsel_data()  # version A published
    before = current_version()
    answer = coverage("16")
    written: list[str] = []
    real_set_many = cache.set_many

    def set_many(values: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        written.extend(values)
        return real_set_many(values, *args, **kwargs)

    def fail_third(n: int) -> None:  # the third answer fails, and every one after it
        if n >= 3:
            raise RuntimeError("database went away")

    monkeypatch.setattr(cache, "set_many", set_many)
    monkeypatch.setattr(services, "_result", Spy(services._result, fail_third))  # one call per answer
    with pytest.raises(RuntimeError):
        prepare_and_publish()
    assert current_version() == before
    assert written and cache.get_many(written) == {}  # the answers stored so far are gone again
    bump_version()  # the same through the job (the immediate backend records the failure)
    assert current_version() == before

    spy = Spy(services.indicators)
    monkeypatch.setattr(services, "indicators", spy)
    assert coverage("16") == answer and spy.calls == 0  # the previous version is still served, complete


@pytest.mark.django_db
def test_a_change_already_in_a_published_version_is_not_prepared_again(monkeypatch: pytest.MonkeyPatch) -> None:
    make_sumsel_data()
    spy = Spy(services._result)  # one call per answer prepared
    monkeypatch.setattr(services, "_result", spy)
    assert prepare_and_publish(requested_ns=published()["started_ns"] - 1) is False  # a burst of changes
    assert spy.calls == 0
    assert prepare_and_publish(requested_ns=published()["started_ns"] + 1) is True
    assert spy.calls == len(default_answers())


@pytest.mark.django_db
def test_an_older_preparation_never_replaces_a_newer_version() -> None:
    make_sumsel_data()
    newer = published()
    stale = services._record("stale", as_of=DEC, started_ns=newer["started_ns"] - 1)
    assert services._publish(stale) is False
    assert current_version() == newer["id"]


@pytest.mark.django_db
def test_answers_people_opened_are_prepared_by_the_next_versions(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A drill-down or another month computed on demand is prepared with the next version (and the one after),
    so after a change it is read, not computed; at most UCJ_COVERAGE_PREPARE_ASKED, the most recent."""
    settings.UCJ_COVERAGE_PREPARE_ASKED = 2
    make_sumsel_data()
    asked = [("16", "kecamatan", dt.date(2024, 12, 1)), ("16", None, dt.date(2024, 6, 1)),
             ("16", None, dt.date(2024, 9, 1))]  # fmt: skip
    for code, by, month in asked:
        coverage(code, by, month)
    bump_version()
    bump_version()
    spy = Spy(services.indicators)
    monkeypatch.setattr(services, "indicators", spy)
    assert coverage("16", as_of=dt.date(2024, 9, 1))["region"]["covered"] == 415
    assert coverage("16", as_of=dt.date(2024, 6, 1))["region"]["covered"] == 340
    assert spy.calls == 0
    coverage("16", "kecamatan", dt.date(2024, 12, 1))  # the oldest of three: beyond the limit of two
    assert spy.calls == 1


@pytest.mark.django_db
def test_prepared_answers_live_one_version_longer_then_go() -> None:
    make_sumsel_data()  # version A
    first = current_version()
    bump_version()  # B: a request that has just read A's id still finds A's answers
    assert stored(first, "16")
    bump_version()  # C: A's prepared answers are deleted (they never expire by themselves)
    assert not stored(first, "16") and cache.get(services._keys_key(first)) is None
    assert stored(current_version(), "16")


@pytest.fixture
def clean_cache() -> Iterator[None]:
    """Tests that commit for real: the cache table is not emptied by the database flush."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_missing_answer_is_computed_once_for_many_requests(
    monkeypatch: pytest.MonkeyPatch, clean_cache: None
) -> None:
    make_sumsel_data()
    month = dt.date(2024, 6, 1)  # another month: not prepared
    key = services._keys(current_version(), "16", None, month, "eligible")[0]
    started = threading.Barrier(6)

    def hold(n: int) -> None:  # the first computation lasts until every thread has asked (bounded)
        deadline = time.monotonic() + 10
        while services._flights.get(key, (None, 0))[1] < 6 and time.monotonic() < deadline:
            time.sleep(0.01)

    spy = Spy(services._compute, hold)
    monkeypatch.setattr(services, "_compute", spy)
    answers: list[dict[str, Any]] = []

    def ask() -> None:
        try:
            if connection.vendor == "sqlite":
                # The in-memory test database is in shared-cache mode, where a reader fails at once ("database table
                # is locked: ucj_cache") while another thread writes the cache table, e.g. the computing thread's
                # lock (1 run in 6 on a slow machine); a file database in WAL mode, as deployed, never blocks a
                # reader. Uncommitted reads take no read locks: these threads read as they would there.
                with connection.cursor() as cur:
                    cur.execute("PRAGMA read_uncommitted = true")
            started.wait(5)
            answers.append(coverage("16", as_of=month))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert spy.calls == 1
    assert len(answers) == 6 and all(a == answers[0] for a in answers)
    assert answers[0]["as_of"] == "2024-06" and answers[0]["region"]["covered"] == 340


@pytest.mark.django_db
def test_a_request_waits_for_the_answer_another_process_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    make_sumsel_data()
    month = dt.date(2024, 6, 1)
    key, json_key = services._keys(current_version(), "16", None, month, "eligible")
    cache.add(f"{key}:computing", 4242, 60)  # another process computes this answer
    theirs = {"as_of": "2024-06", "computed": "elsewhere"}
    polls: list[int] = []

    def pause() -> None:  # meanwhile, the other process finishes and stores its answer
        polls.append(1)
        cache.set_many({key: theirs, json_key: b"{}"})

    monkeypatch.setattr(services, "_pause", pause)
    spy = Spy(services._compute)
    monkeypatch.setattr(services, "_compute", spy)
    assert coverage("16", as_of=month) == theirs
    assert spy.calls == 0 and polls == [1]


@pytest.mark.django_db
def test_the_wait_for_another_process_is_bounded(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    make_sumsel_data()
    settings.UCJ_COVERAGE_FLIGHT_WAIT_MS = 0  # the other process died holding the lock: do not wait on it
    month = dt.date(2024, 6, 1)
    key, _ = services._keys(current_version(), "16", None, month, "eligible")
    cache.add(f"{key}:computing", 4242, 60)
    spy = Spy(services._compute)
    monkeypatch.setattr(services, "_compute", spy)
    assert coverage("16", as_of=month)["region"]["covered"] == 340
    assert spy.calls == 1


@pytest.mark.django_db
def test_a_lock_left_by_this_process_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: the lock's delete can be skipped beside an import's write lock. A lock this process left behind is
    stale (the thread asking holds the process's lock for the key), so nobody waits for it."""
    make_sumsel_data()
    month = dt.date(2024, 6, 1)
    key, _ = services._keys(current_version(), "16", None, month, "eligible")
    cache.add(f"{key}:computing", services._HOLDER, 60)
    polls: list[int] = []
    monkeypatch.setattr(services, "_pause", lambda: polls.append(1))
    assert coverage("16", as_of=month)["region"]["covered"] == 340
    assert polls == []


@pytest.mark.django_db
def test_the_preparation_runs_in_the_worker_when_one_runs(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    """With the database job queue, a change is prepared by the worker (a queued job) when one holds the worker
    lock, else in the changing process itself (the command line) after the commit."""
    import os

    from ucj.cli.server import acquire_worker_lock
    from ucj.coverage import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.DATA_DIR = tmp_path
    queued: list[int] = []
    monkeypatch.setattr(tasks, "publish_coverage", SimpleNamespace(enqueue=queued.append))
    inline = Spy(lambda requested, **handover: True)
    monkeypatch.setattr(services, "prepare_and_publish", inline)

    services.schedule_publication()  # no worker
    assert (inline.calls, queued) == (1, [])
    lock = acquire_worker_lock(tmp_path)
    assert lock is not None
    try:
        services.schedule_publication()
        assert inline.calls == 1 and len(queued) == 1
    finally:
        os.close(lock)
