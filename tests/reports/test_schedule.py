"""The monthly issue (issue 15 §5): on the first day of a month the worker's job issues the previous month's report
(PDF and xlsx) for the province and each kab/kota, queues the next run for the first of the next month, and does
nothing when ``UCJ_MONTHLY_REPORTS`` is off. PDF rendering is replaced by a stub here (18 real PDFs would take
about 40 s; the PDF itself is tested in test_reports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ucj.regions.models import Region
from ucj.reports import tasks
from ucj.reports.models import IssuedReport

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def stub_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    def render(report: Any, progress: Any = None) -> bytes:
        return b"%PDF-1.7 " + report.title.encode()

    monkeypatch.setattr("ucj.reports.pdf.render_pdf", render)


def test_next_run_is_the_first_of_the_next_month() -> None:
    tz = timezone.get_current_timezone()
    assert tasks.next_run(dt.datetime(2024, 12, 15, 9, tzinfo=tz)) == dt.datetime(2025, 1, 1, 1, tzinfo=tz)
    assert tasks.next_run(dt.datetime(2025, 1, 1, 0, 30, tzinfo=tz)) == dt.datetime(2025, 2, 1, 1, tzinfo=tz)
    assert tasks.previous_month(dt.date(2025, 1, 1)) == dt.date(2024, 12, 1)


def test_the_job_issues_the_province_and_every_kabkota(sumsel: None, stub_pdf: None) -> None:
    result = tasks.issue_monthly_reports.call("2024-12-01")
    regions = Region.objects.filter(level__in=(1, 2)).count()  # Sumsel and its 17 kab/kota
    assert result == {"issued": 2 * regions, "month": "2024-12"} and regions == 18
    issued = IssuedReport.objects.filter(scheduled=True, month=dt.date(2024, 12, 1), status="done")
    assert issued.count() == 36 and set(issued.values_list("format", flat=True)) == {"pdf", "xlsx"}
    assert issued.filter(issued_by__isnull=True).count() == 36
    assert tasks.issue_monthly_reports.call("2024-12-01")["issued"] == 36  # again: the same reports, not copies
    assert IssuedReport.objects.count() == 36


def test_switched_off_it_does_nothing(sumsel: None, settings: Any) -> None:
    settings.UCJ_MONTHLY_REPORTS = "0"
    assert tasks.issue_monthly_reports.call("2024-12-01") == {"issued": 0, "enabled": False}
    assert tasks.ensure_scheduled() is False
    assert not IssuedReport.objects.exists()


def test_the_worker_start_queues_the_next_run_once(db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    # Not the first day of a month (in Jakarta): that day also queues the missing pack (the test below).
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: dt.date(2025, 1, 15))
    assert tasks.ensure_scheduled() is True
    assert tasks.ensure_scheduled() is True
    waiting = DBTaskResult.objects.filter(task_path="ucj.reports.tasks.issue_monthly_reports", status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after == tasks.next_run(timezone.now())


def test_a_worker_started_on_the_first_day_issues_the_missing_pack(
    db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: dt.date(2025, 1, 1))
    assert tasks.ensure_scheduled() is True
    queued = DBTaskResult.objects.filter(task_path="ucj.reports.tasks.issue_monthly_reports", status="READY")
    # the December pack at once (its month as the argument); that job queues the next run when it has run
    assert [r.args_kwargs["args"] for r in queued] == [["2024-12-01"]]
    queued.update(status="SUCCESSFUL")
    tasks._queue_next()
    later = DBTaskResult.objects.filter(task_path="ucj.reports.tasks.issue_monthly_reports", status="READY").get()
    assert later.args_kwargs["args"] == [] and later.run_after == tasks.next_run(timezone.now())
