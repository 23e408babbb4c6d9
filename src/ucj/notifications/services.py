"""The notification operations: :func:`notify` (the one state change; jobs call it), reading and marking read
(always of the caller's own notifications), and the messages of the jobs that notify."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ucj.bilingual import in_language
from ucj.notifications.models import Notification

log = logging.getLogger(__name__)
MAX_MESSAGE = 400  # Notification.message's length


def notify(user: Any, kind: str, message: str, message_en: str, link: str = "") -> Notification | None:
    """Tell ``user`` that something finished (``message`` in Indonesian, ``message_en`` in English, ``link`` a
    path on this site). Nobody to tell (a job started from the command line or the schedule, a deleted or
    deactivated user) stores nothing and returns None."""
    if user is None or not getattr(user, "is_active", False):
        return None
    return Notification.objects.create(user=user, kind=kind, message=message[:MAX_MESSAGE],
                                       message_en=message_en[:MAX_MESSAGE], link=link[:300])  # fmt: skip


def for_user(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody sees another user's)."""
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return for_user(user).filter(read_at__isnull=True).count()


def mark_read(user: Any, pk: int | None = None) -> int:
    """Mark one of the user's notifications (``pk``) or all of them read; returns how many changed. Another
    user's notification changes nothing (0: the page answers 404)."""
    unread = for_user(user).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def import_finished(batch_id: int) -> Notification | None:
    """Tell the uploader that a background roster import ended (done or failed), with its counts or reason.
    Never raises: a job's outcome is already stored on the batch, a lost notification must not fail it."""
    from ucj.registry.models import ImportBatch

    try:
        batch = ImportBatch.objects.select_related("user").filter(pk=batch_id).first()
        if batch is None or batch.user is None or batch.status not in (ImportBatch.Status.DONE,
                                                                       ImportBatch.Status.FAILED):  # fmt: skip
            return None
        link = reverse("registry:import", args=[batch.pk])
        name = batch.file_name
        if batch.status == ImportBatch.Status.DONE:
            return notify(batch.user, Notification.Kind.IMPORT,
                          f"Impor {name} selesai: {batch.rows} baris, {batch.accepted} baru, {batch.updated} "
                          f"diperbarui, {batch.rejected} ditolak.",
                          f"Import {name} finished: {batch.rows} rows, {batch.accepted} new, {batch.updated} "
                          f"updated, {batch.rejected} rejected.", link)  # fmt: skip
        reason = batch.error_message or batch.error_code
        return notify(batch.user, Notification.Kind.IMPORT, f"Impor {name} gagal: {in_language(reason, 'id')}",
                      f"Import {name} failed: {in_language(reason, 'en')}", link)  # fmt: skip
    except Exception:  # see the docstring
        log.exception("notification of import batch %s failed", batch_id)
        return None


def report_finished(report_id: int) -> Notification | None:
    """Tell whoever issued a report that it is ready (or failed). Never raises, like :func:`import_finished`."""
    from ucj.reports.models import IssuedReport

    try:
        report = IssuedReport.objects.select_related("issued_by", "region").filter(pk=report_id).first()
        if report is None or report.issued_by is None:
            return None
        what = f"{report.region.name} {report.month:%m/%Y} ({report.format.upper()})"
        link = reverse("reports:detail", args=[report.pk])
        if report.status == IssuedReport.Status.DONE:
            return notify(report.issued_by, Notification.Kind.REPORT, f"Laporan {what} siap diunduh.",
                          f"Report {what} is ready to download.", link)  # fmt: skip
        if report.status == IssuedReport.Status.FAILED:
            return notify(report.issued_by, Notification.Kind.REPORT, f"Laporan {what} gagal dibuat.",
                          f"Report {what} could not be made.", link)  # fmt: skip
        return None
    except Exception:  # see import_finished
        log.exception("notification of report %s failed", report_id)
        return None
