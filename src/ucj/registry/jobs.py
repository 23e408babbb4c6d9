"""Imports that run in the background worker: queueing an upload, recovering after a dead worker, retrying,
and keeping uploaded files (personal data) no longer than needed (issue 11 §6).

An upload is stored under ``MEDIA_ROOT/imports/`` (owner-only) and deleted by the job whatever happens to
it. Only when a worker dies in the middle does a file outlive its job: the next worker start marks the batch
``failed`` with ``WORKER_DIED`` and keeps the file ``UCJ_RETRY_KEEP_HOURS`` so the import can be retried;
after that it is deleted and a retry asks for the file again.

An import run in its own process (``ucj import roster``, the API's synchronous import) keeps no file: if that
process is killed, its transaction rolls back and nothing is stored, but its batch would say ``running`` for
ever. After ``UCJ_IMPORT_ABANDONED_HOURS`` such a batch is marked ``failed`` with ``PROCESS_DIED``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ucj.accounts import audit
from ucj.registry.models import ImportBatch
from ucj.registry.services import ImportRefused

WORKER_DIED = "WORKER_DIED"
PROCESS_DIED = "PROCESS_DIED"
UPLOAD_MISSING = "UPLOAD_MISSING"
_TASK_PATH = "ucj.registry.tasks.run_roster_import"
#: A queued batch younger than this may still be between its creation and its enqueueing.
_QUEUE_GRACE = dt.timedelta(minutes=5)


def upload_dir(kind: str = "imports") -> Path:
    """``MEDIA_ROOT/<kind>``, created owner-only (0700)."""
    folder = Path(settings.MEDIA_ROOT) / kind
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT).chmod(0o700)
    return folder


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def queue_roster_import(
    data: bytes, file_name: str, *, user: Any, region: str | None, address: str | None = None
) -> ImportBatch:
    """Store an uploaded roster and queue its import; returns the queued batch."""
    from ucj.registry.tasks import run_roster_import

    batch = ImportBatch.objects.create(
        file_name=file_name[:255], sha256=hashlib.sha256(data).hexdigest(), file_size=len(data),
        user=user if getattr(user, "is_authenticated", False) else None, region_id=region,
        status=ImportBatch.Status.QUEUED,
    )  # fmt: skip
    name = f"{batch.pk}-{batch.sha256[:16]}.bin"
    write_private(upload_dir() / name, data)
    ImportBatch.objects.filter(pk=batch.pk).update(stored_file=f"imports/{name}")
    run_roster_import.enqueue(batch.pk, address)
    batch.refresh_from_db()
    return batch


def stored_path(batch: ImportBatch) -> Path | None:
    """The batch's uploaded file if it is still on disk."""
    if not batch.stored_file:
        return None
    path = Path(settings.MEDIA_ROOT) / batch.stored_file
    return path if path.is_file() else None


def recover_orphans() -> list[int]:
    """Fail the batches a dead worker left behind: every worker batch still ``running`` (call this only while
    holding the single-worker lock, before taking jobs) and every ``queued`` one whose job is gone. Their task
    records are closed too. Returns the batch ids."""
    running = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).exclude(stored_file="")
    orphans = set(running.values_list("pk", flat=True))
    queued = ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED, created_at__lt=timezone.now() - _QUEUE_GRACE)
    pending = _pending_task_batches()  # without a database queue (immediate jobs) nothing can still be waiting
    orphans |= {pk for pk in queued.exclude(stored_file="").values_list("pk", flat=True) if pk not in pending}
    if orphans:
        ImportBatch.objects.filter(pk__in=orphans).update(
            status=ImportBatch.Status.FAILED, error_code=WORKER_DIED, finished_at=timezone.now(),
            error_message="Proses impor berhenti karena worker mati; coba lagi / the import stopped because the "
            "worker died; retry it",
        )  # fmt: skip
    _close_dead_tasks()
    return sorted(orphans | set(fail_abandoned()))


def fail_abandoned(now: dt.datetime | None = None) -> list[int]:
    """Fail the in-process imports (no stored file) still ``running`` after ``UCJ_IMPORT_ABANDONED_HOURS``: their
    process was killed (an import of a million rows takes under a minute), their transaction rolled back, so
    nothing of them was stored. Returns the batch ids."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=settings.UCJ_IMPORT_ABANDONED_HOURS)
    abandoned = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING, stored_file="", created_at__lt=since)
    ids = sorted(abandoned.values_list("pk", flat=True))
    ImportBatch.objects.filter(pk__in=ids, status=ImportBatch.Status.RUNNING).update(
        status=ImportBatch.Status.FAILED, error_code=PROCESS_DIED, finished_at=now,
        error_message="Proses impor terhenti sebelum selesai; tidak ada yang tersimpan, impor berkas itu lagi / "
        "the import's process stopped before it finished; nothing was stored, import the file again",
    )  # fmt: skip
    return ids


def _pending_task_batches() -> set[int]:
    """Batch ids with a roster job waiting in the database queue (none when jobs are not kept in the database)."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return set()
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=_TASK_PATH, status="READY").values_list("args_kwargs", flat=True)
    return {int(a["args"][0]) for a in waiting if a.get("args")}


def _close_dead_tasks() -> None:
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path=_TASK_PATH, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now(), exception_class_path="ucj.registry.jobs.WorkerDied",
        traceback="",
    )  # fmt: skip


def retry_import(batch: ImportBatch, *, user: Any, request: Any = None) -> ImportBatch:
    """Queue a failed import again if its uploaded file still exists; else :class:`ImportRefused` asks the user
    to upload it again. Audited."""
    from ucj.registry.tasks import run_roster_import

    if batch.status != ImportBatch.Status.FAILED:
        raise ImportRefused("Hanya impor yang gagal dapat diulang / only a failed import can be retried")
    if stored_path(batch) is None:
        raise ImportRefused(
            "Berkas unggahan sudah tidak disimpan; unggah berkas itu lagi / the uploaded file is no longer kept; "
            "upload it again"
        )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.QUEUED, error_code="", error_message="", progress=0, stage="", finished_at=None
    )
    audit.record("import_retry", actor=user, request=request, object_type="import_batch", object_id=batch.pk,
                 region_code=batch.region_id or "", summary=batch.error_code)  # fmt: skip
    run_roster_import.enqueue(batch.pk, audit.client_address(request) if request is not None else None)
    batch.refresh_from_db()
    return batch


def purge_stale_uploads(now: dt.datetime | None = None) -> int:
    """Delete uploaded files that no job will read any more: files of finished batches and files older than
    ``UCJ_RETRY_KEEP_HOURS`` (a dead worker's upload kept for a retry, an unconfirmed repeat upload). Returns
    how many were deleted."""
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(hours=settings.UCJ_RETRY_KEEP_HOURS)).timestamp()
    live = set(
        ImportBatch.objects.filter(Q(status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING])
                                   | Q(status=ImportBatch.Status.FAILED, error_code=WORKER_DIED))
        .exclude(stored_file="").values_list("stored_file", flat=True)
    )  # fmt: skip
    settled = (now - _QUEUE_GRACE).timestamp()  # a file just written may not be linked to its batch yet
    removed = 0
    for kind in ("imports", "pending"):
        folder = Path(settings.MEDIA_ROOT) / kind
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            mtime = path.stat().st_mtime
            orphan = kind == "imports" and f"imports/{path.name}" not in live and mtime < settled
            if mtime < cutoff or orphan:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# --- a repeat upload waiting for the user's confirmation -------------------------------------------------


def hold_upload(data: bytes) -> str:
    """Keep an upload that needs a confirmation (same file again); returns its token."""
    token = secrets.token_urlsafe(18)
    write_private(upload_dir("pending") / f"{token}.bin", data)
    return token


def take_held_upload(token: str) -> bytes | None:
    """The held upload's bytes (the file is deleted), or None when it is gone."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = upload_dir("pending") / f"{token}.bin"
    try:
        return path.read_bytes()
    except OSError:
        return None
    finally:
        path.unlink(missing_ok=True)
