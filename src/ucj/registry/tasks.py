"""Background jobs of the registry (run by the DB-backed task worker, ``ucj worker``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from ucj.accounts.models import AuditEvent
from ucj.notifications.services import import_finished
from ucj.registry.issues import RosterFileError
from ucj.registry.jobs import UPLOAD_MISSING, fail_abandoned, purge_stale_uploads, stored_path
from ucj.registry.models import ImportBatch
from ucj.registry.services import ImportRefused, import_roster


@task()
def run_roster_import(batch_id: int, address: str | None = None) -> dict[str, int]:
    """Import an uploaded roster that the upload page stored and queued (``address``: the uploader's, for the
    audit trail — the job itself runs without a request). The uploaded file is deleted on every path."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.QUEUED:
        return {"rows": 0}  # gone, or already settled (e.g. failed by the recovery at worker start)
    path = stored_path(batch)
    try:
        if path is None:
            _fail(batch_id, UPLOAD_MISSING, "Berkas unggahan tidak ditemukan; unggah lagi / the uploaded file is "
                  "missing; upload it again")  # fmt: skip
            return {"rows": 0}
        user = get_user_model().objects.filter(pk=batch.user_id).first() if batch.user_id else None
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.RUNNING)
        report = import_roster(path.read_bytes(), batch.file_name, user=user, region=batch.region_id, batch=batch)
    except (RosterFileError, ImportRefused):
        return {"rows": 0}  # recorded on the batch by import_roster
    except Exception as exc:
        # import_roster records its own failures; this catches what happens around it (reading the file...).
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING).update(
            status=ImportBatch.Status.FAILED, error_code="INTERNAL", error_message=type(exc).__name__,
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    finally:
        if path is not None:
            path.unlink(missing_ok=True)  # the upload holds personal data: keep it no longer than needed
        purge_stale_uploads()
        fail_abandoned()
        import_finished(batch_id)  # the uploader's bell: done or failed, whichever path ended the job
    if address:
        AuditEvent.objects.filter(action="import_roster", object_type="import_batch", object_id=str(batch_id)).update(
            address=address
        )
    return {"rows": report.rows, "accepted": report.accepted, "rejected": report.rejected}


def _fail(batch_id: int, code: str, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED, error_code=code, error_message=message, finished_at=timezone.now()
    )
