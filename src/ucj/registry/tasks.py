"""Background jobs of the registry (run by the DB-backed task worker, ``ucj worker``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django_tasks import task

from ucj.accounts.models import AuditEvent
from ucj.registry.issues import RosterFileError
from ucj.registry.models import ImportBatch
from ucj.registry.services import ImportRefused, import_roster


@task()
def run_roster_import(batch_id: int, address: str | None = None) -> dict[str, int]:
    """Import an uploaded roster that the upload page stored and queued (``address``: the uploader's, for the
    audit trail — the job itself runs without a request)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    path = Path(settings.MEDIA_ROOT) / batch.stored_file
    user = get_user_model().objects.filter(pk=batch.user_id).first() if batch.user_id else None
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.RUNNING)
    try:
        report = import_roster(path.read_bytes(), batch.file_name, user=user, region=batch.region_id, batch=batch)
    except (RosterFileError, ImportRefused):
        return {"rows": 0}  # recorded on the batch by import_roster
    finally:
        path.unlink(missing_ok=True)  # the upload holds personal data: keep it no longer than needed
    if address:
        AuditEvent.objects.filter(action="import_roster", object_type="import_batch", object_id=str(batch_id)).update(
            address=address
        )
    return {"rows": report.rows, "accepted": report.accepted, "rejected": report.rejected}
