"""Background jobs of reports (run by the database task worker, ``ucj worker``, like imports): rendering an
issued report, and the monthly issue on the first day of every month.

**The schedule.** django-tasks has no periodic jobs, so the monthly job re-queues itself: :func:`ensure_scheduled`
(called when the worker starts) queues :func:`issue_monthly_reports` to run after 01:00 on the first day of the
next month unless one is already waiting; the job issues the previous month's report (PDF and xlsx, Indonesian)
for every province and each of its kab/kota, then queues the next month. ``UCJ_MONTHLY_REPORTS=0`` switches it off
(the job then does nothing and queues nothing). A worker started on the first day of a month before the job ran
issues that month's pack at once (reports already issued on the same data are not issued twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)
_SCHEDULE_PATH = "ucj.reports.tasks.issue_monthly_reports"
RUN_HOUR = 1  # local time on the first day: after the night's imports


def enabled() -> bool:
    """``UCJ_MONTHLY_REPORTS`` (default on): issue the monthly reports on the first day of each month."""
    value = getattr(settings, "UCJ_MONTHLY_REPORTS", None)
    if value is None:
        value = os.environ.get("UCJ_MONTHLY_REPORTS", "1")
    return str(value).strip().lower() not in {"0", "false", "no", "off"}


@task()
def render_report(report_id: int) -> dict[str, Any]:
    """Render a queued report into the archive (:func:`ucj.reports.services.run`)."""
    from ucj.notifications.services import report_finished  # the issuer's bell (issue 16 item 14)
    from ucj.reports.services import run

    try:
        report = run(report_id)
    finally:  # a failed rendering (recorded on the row, re-raised for the worker's log) rings the bell too
        report_finished(report_id)
    return {"status": report.status, "sha256": report.sha256}


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def next_run(now: dt.datetime) -> dt.datetime:
    """01:00 local time on the first day of the month after ``now``."""
    local = timezone.localtime(now)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return local.replace(year=year, month=month, day=1, hour=RUN_HOUR, minute=0, second=0, microsecond=0)


def issue_pack(month: dt.date) -> list[int]:
    """Issue ``month``'s report (PDF and xlsx, Indonesian) for every province and each of its kab/kota, rendered
    here (this runs in the worker already); returns the issued report ids."""
    from ucj.regions.models import Region
    from ucj.reports.services import issue, shared_builds

    issued = []
    with shared_builds():  # the PDF and the xlsx of a region share one gathering of its figures
        for code in Region.objects.filter(level__in=(1, 2)).order_by("code").values_list("code", flat=True):
            for fmt in ("pdf", "xlsx"):
                try:
                    report = issue(None, code, month, fmt=fmt, lang="id", background=False, scheduled=True)
                    issued.append(report.pk)
                except Exception:  # one region's failure (recorded on its row) must not stop the others
                    log.exception("scheduled report %s %s failed", code, fmt)
    return issued


@task()
def issue_monthly_reports(month: str = "") -> dict[str, Any]:
    """The first-of-the-month job: issue the previous month's pack, then queue the next run."""
    if not enabled():
        return {"issued": 0, "enabled": False}
    target = dt.date.fromisoformat(month) if month else previous_month(timezone.localdate())
    issued = issue_pack(target)
    _queue_next()
    return {"issued": len(issued), "month": f"{target:%Y-%m}"}


def _waiting() -> bool:
    """Whether a monthly job is already waiting in the database queue."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=_SCHEDULE_PATH, status="READY").exists()


def _queue_next() -> None:
    backend = settings.TASKS["default"]["BACKEND"]
    if "django_tasks_db" not in backend or _waiting():
        return  # only a database queue can hold a job for later
    issue_monthly_reports.using(run_after=next_run(timezone.now())).enqueue()


def ensure_scheduled() -> bool:
    """Called at worker start: queue the next monthly run unless one waits, and on the first day of a month issue
    that month's pack now if it was not issued yet. False when switched off."""
    if not enabled():
        return False
    from ucj.reports.models import IssuedReport

    today = timezone.localdate()
    if today.day == 1 and not IssuedReport.objects.filter(scheduled=True, month=previous_month(today)).exists():
        issue_monthly_reports.enqueue(f"{previous_month(today):%Y-%m-%d}")
    _queue_next()
    return True
