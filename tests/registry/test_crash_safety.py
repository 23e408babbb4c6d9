"""Crash safety of background imports (issue 11 §6): a dead worker's batches become failed and retryable, the
uploaded file is deleted on every path, one worker per data folder, ``ucj serve`` supervises its worker, and
data files are owner-only."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import DEMO_PASSWORD
from ucj.accounts.models import AuditEvent
from ucj.cli.server import Supervisor, acquire_worker_lock
from ucj.registry import jobs
from ucj.registry.models import ImportBatch, Participant

SUKARAMI = "16.06.01.2001"
ROSTER = f"NIK,Nama,Kode Desa\n1606014101900012,Siti Aminah,{SUKARAMI}\n".encode()


def uploads() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def stranded(status: str, data: bytes = ROSTER, age: dt.timedelta = dt.timedelta(hours=1)) -> ImportBatch:
    """A batch as a worker that died would leave it: its file stored, its status never settled."""
    batch = ImportBatch.objects.create(file_name="daftar.csv", sha256="x" * 64, status=status, stored_file="")
    name = f"{batch.pk}-dead.bin"
    jobs.write_private(jobs.upload_dir() / name, data)
    ImportBatch.objects.filter(pk=batch.pk).update(stored_file=f"imports/{name}", created_at=timezone.now() - age)
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_worker_start_fails_batches_a_dead_worker_left() -> None:
    running = stranded(ImportBatch.Status.RUNNING)
    queued_orphan = stranded(ImportBatch.Status.QUEUED)  # its job is gone (immediate backend: nothing waits)
    just_queued = stranded(ImportBatch.Status.QUEUED, age=dt.timedelta(seconds=5))  # maybe being enqueued now
    cli_batch = ImportBatch.objects.create(file_name="cli.csv", sha256="y" * 64, status=ImportBatch.Status.RUNNING)

    assert jobs.recover_orphans() == sorted([running.pk, queued_orphan.pk])

    for batch in (running, queued_orphan):
        batch.refresh_from_db()
        assert (batch.status, batch.error_code) == (ImportBatch.Status.FAILED, jobs.WORKER_DIED)
        assert "worker" in batch.error_message and batch.finished_at is not None
        assert jobs.stored_path(batch) is not None  # kept for a retry
    just_queued.refresh_from_db()
    cli_batch.refresh_from_db()
    assert just_queued.status == ImportBatch.Status.QUEUED
    assert cli_batch.status == ImportBatch.Status.RUNNING  # an import run by the CLI has no worker to lose


@pytest.mark.django_db
def test_an_import_whose_process_was_killed_does_not_say_running_for_ever(settings: Any) -> None:
    """``ucj import roster`` killed mid-way: its transaction rolled back, but its batch said ``running`` for ever."""
    settings.UCJ_IMPORT_ABANDONED_HOURS = 6
    killed = ImportBatch.objects.create(file_name="cli.csv", sha256="y" * 64, status=ImportBatch.Status.RUNNING)
    alive = ImportBatch.objects.create(file_name="big.csv", sha256="z" * 64, status=ImportBatch.Status.RUNNING)
    ImportBatch.objects.filter(pk=killed.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))
    ImportBatch.objects.filter(pk=alive.pk).update(created_at=timezone.now() - dt.timedelta(hours=5))

    assert jobs.recover_orphans() == [killed.pk]

    killed.refresh_from_db()
    alive.refresh_from_db()
    assert (killed.status, killed.error_code) == (ImportBatch.Status.FAILED, jobs.PROCESS_DIED)
    assert "impor berkas itu lagi / " in killed.error_message and killed.finished_at is not None
    assert alive.status == ImportBatch.Status.RUNNING
    # after each background import too, so a deployment whose worker never restarts catches them
    later = ImportBatch.objects.filter(pk=alive.pk)
    later.update(created_at=timezone.now() - dt.timedelta(hours=8))
    jobs.queue_roster_import(ROSTER, "daftar.csv", user=None, region=SUKARAMI)
    assert later.get().status == ImportBatch.Status.FAILED


@pytest.mark.django_db
def test_retry_requeues_when_the_file_is_still_there(make_user: Callable[..., Any]) -> None:
    user = make_user("desa", SUKARAMI)
    batch = stranded(ImportBatch.Status.RUNNING)
    ImportBatch.objects.filter(pk=batch.pk).update(user=user, region_id=SUKARAMI)
    jobs.recover_orphans()
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    page = client.get(reverse("registry:import", args=[batch.pk])).content.decode()
    assert reverse("registry:retry", args=[batch.pk]) in page

    response = client.post(reverse("registry:retry", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.accepted, batch.error_code) == (ImportBatch.Status.DONE, 1, "")
    assert Participant.objects.filter(nik="1606014101900012").exists()
    assert jobs.stored_path(batch) is None  # deleted after the import
    assert AuditEvent.objects.filter(action="import_retry", object_id=str(batch.pk), actor=user).exists()


@pytest.mark.django_db
def test_retry_without_the_file_says_upload_again(make_user: Callable[..., Any]) -> None:
    from ucj.registry.services import ImportRefused

    batch = stranded(ImportBatch.Status.RUNNING)
    jobs.recover_orphans()
    batch.refresh_from_db()
    jobs.stored_path(batch).unlink()  # type: ignore[union-attr]
    with pytest.raises(ImportRefused, match=r"unggah berkas itu lagi / .*upload it again"):
        jobs.retry_import(batch, user=None)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


@pytest.mark.django_db
def test_a_stranger_cannot_retry(make_user: Callable[..., Any]) -> None:
    batch = stranded(ImportBatch.Status.RUNNING)
    ImportBatch.objects.filter(pk=batch.pk).update(region_id="16.71")
    jobs.recover_orphans()
    user = make_user("desa", SUKARAMI)
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert client.post(reverse("registry:retry", args=[batch.pk])).status_code == 404


@pytest.mark.django_db
def test_stale_uploads_are_purged_after_the_retry_window() -> None:
    kept = stranded(ImportBatch.Status.RUNNING)
    jobs.recover_orphans()
    kept.refresh_from_db()
    jobs.purge_stale_uploads()
    assert jobs.stored_path(kept) is not None
    later = timezone.now() + dt.timedelta(hours=settings.UCJ_RETRY_KEEP_HOURS + 1)
    assert jobs.purge_stale_uploads(now=later) >= 1 and jobs.stored_path(kept) is None


# --- the uploaded file is deleted on every path ---------------------------------------------------------


def _upload(client: Client, data: bytes, name: str = "daftar.csv", region: str = "") -> Any:
    from io import BytesIO

    fh = BytesIO(data)
    fh.name = name
    return client.post(reverse("registry:upload"), {"file": fh, "region": region})


@pytest.fixture
def desa_client(make_user: Callable[..., Any]) -> Client:
    user = make_user("desa", SUKARAMI)
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (ROSTER, ImportBatch.Status.DONE, ""),  # success
        (b"%PDF-1.4 not a roster", ImportBatch.Status.FAILED, "FILE_NOT_SPREADSHEET"),  # file refused
        (ROSTER.replace(SUKARAMI.encode(), b"16.71.01.1001"), ImportBatch.Status.DONE, ""),  # rows refused
    ],
)
def test_uploaded_file_is_deleted_after_the_job(desa_client: Client, data: bytes, status: str, code: str) -> None:
    _upload(desa_client, data)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.error_code) == (status, code)
    assert uploads() == []


@pytest.mark.django_db
def test_uploaded_file_is_deleted_when_the_import_raises(
    desa_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucj.registry import tasks

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "import_roster", boom)
    _upload(desa_client, ROSTER)  # the job fails (the immediate backend keeps its exception in the result)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.error_code) == (ImportBatch.Status.FAILED, "INTERNAL")
    assert uploads() == []


@pytest.mark.django_db
def test_uploaded_file_is_deleted_when_the_user_may_not_import_there(
    make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grant withdrawn between the upload and the job: the import is refused, the file still goes."""
    from ucj.registry import tasks
    from ucj.registry.services import ImportRefused

    def refused(*args: Any, **kwargs: Any) -> Any:
        jobs.ImportBatch.objects.filter(status="running").update(status="failed", error_code="REFUSED")
        raise ImportRefused("no")

    monkeypatch.setattr(tasks, "import_roster", refused)
    user = make_user("desa", SUKARAMI)
    batch = jobs.queue_roster_import(ROSTER, "daftar.csv", user=user, region=SUKARAMI)
    batch.refresh_from_db()
    assert batch.error_code == "REFUSED" and uploads() == []


@pytest.mark.django_db
def test_stored_upload_is_owner_only(make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from ucj.registry import tasks

    seen: list[int] = []
    monkeypatch.setattr(tasks, "run_roster_import", SimpleNamespace(enqueue=lambda *a: seen.append(0)))
    batch = jobs.queue_roster_import(ROSTER, "daftar.csv", user=make_user("desa", SUKARAMI), region=SUKARAMI)
    path = jobs.stored_path(batch)
    assert path is not None and seen
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700 and Path(settings.MEDIA_ROOT).stat().st_mode & 0o077 == 0


# --- one worker, supervised -------------------------------------------------------------------------------


def test_only_one_worker_holds_the_lock(tmp_path: Path) -> None:
    first = acquire_worker_lock(tmp_path)
    assert first is not None
    assert acquire_worker_lock(tmp_path) is None
    assert (tmp_path / "worker.lock").read_text() == str(os.getpid())
    assert (tmp_path / "worker.lock").stat().st_mode & 0o777 == 0o600
    os.close(first)  # a dead worker's lock is released by the kernel
    again = acquire_worker_lock(tmp_path)
    assert again is not None
    os.close(again)


@pytest.mark.django_db
def test_second_worker_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from ucj.cli.main import app
    from ucj.cli.server import EXIT_LOCKED

    held = acquire_worker_lock(Path(settings.DATA_DIR))
    assert held is not None
    try:
        result = CliRunner().invoke(app, ["worker"])
    finally:
        os.close(held)
    assert result.exit_code == EXIT_LOCKED
    assert "another worker is already running" in " ".join(result.stderr.split())


def test_supervisor_restarts_a_dying_worker_and_stops_it_with_the_server(tmp_path: Path) -> None:
    log = tmp_path / "starts"
    # A "worker" that records its start and dies at once the first two times, then keeps running.
    script = (
        "import os, sys, time, pathlib; p = pathlib.Path(sys.argv[1]); n = len(p.read_text()) if p.exists() else 0;"
        "p.write_text('x' * (n + 1)); sys.exit(1) if n < 2 else time.sleep(60)"
    )
    supervisor = Supervisor([sys.executable, "-c", script, str(log)], max_backoff=0.2)
    supervisor.start()
    deadline = time.monotonic() + 30
    while (not log.exists() or len(log.read_text()) < 3) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(log.read_text()) == 3 and supervisor.starts == 3
    child = supervisor.child
    assert child is not None and child.poll() is None
    supervisor.shutdown(timeout=5)
    supervisor.join(timeout=5)
    assert child.poll() is not None and not supervisor.is_alive()
    assert supervisor.starts == 3  # not restarted after the shutdown


def test_data_folder_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "UCJ_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "ucj.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("UCJ_SECRET_KEY", None)
    code = (  # a permissive umask, as under a plain WSGI server: the modes must not depend on it
        "import os; os.umask(0o022); import django; django.setup(); from django.db import connection;"
        "connection.cursor().execute('select 1')"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (data / "ucj.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_with_the_database_queue_a_waiting_job_is_not_an_orphan(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    waiting, lost, dead = (stranded(ImportBatch.Status.QUEUED) for _ in range(3))
    ImportBatch.objects.filter(pk=dead.pk).update(status=ImportBatch.Status.RUNNING)

    def job(batch: ImportBatch, status: str) -> DBTaskResult:
        return DBTaskResult.objects.create(
            task_path="ucj.registry.tasks.run_roster_import", args_kwargs={"args": [batch.pk, None], "kwargs": {}},
            status=status, backend_name="default", run_after=timezone.now(),
        )  # fmt: skip

    job(waiting, "READY")
    running_job = job(dead, "RUNNING")

    assert jobs.recover_orphans() == sorted([lost.pk, dead.pk])
    waiting.refresh_from_db()
    running_job.refresh_from_db()
    assert waiting.status == ImportBatch.Status.QUEUED  # the worker will still take it
    assert running_job.status == "FAILED"  # the dead worker's job is closed, not left running forever
