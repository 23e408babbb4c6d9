"""Issue 16 item 14: a background import or report tells the user who started it that it finished — a bell
with the unread count in the header, a list page to mark them read — and nobody else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.registry.test_crash_safety import ROSTER, SUKARAMI
from ucj.notifications import services
from ucj.notifications.models import Notification
from ucj.registry import jobs
from ucj.registry.models import ImportBatch

pytestmark = pytest.mark.django_db


def logged_in(user: Any, language: str = "id") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def test_a_background_import_notifies_its_uploader_only(make_user: Callable[..., Any]) -> None:
    uploader, neighbour = make_user("desa", SUKARAMI), make_user("desa", SUKARAMI)
    batch = jobs.queue_roster_import(ROSTER, "daftar-sukarami.csv", user=uploader, region=SUKARAMI)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    note = Notification.objects.get()
    assert (note.user, note.kind, note.link) == (uploader, "import", f"/registri/impor/{batch.pk}/")
    assert note.message == "Impor daftar-sukarami.csv selesai: 1 baris, 1 baru, 0 diperbarui, 0 ditolak."
    assert note.message_en == "Import daftar-sukarami.csv finished: 1 rows, 1 new, 0 updated, 0 rejected."

    page = logged_in(uploader).get("/")
    assert b'id="bell"' in page.content and b'<span class="badge warn">1</span>' in page.content
    assert "Impor daftar-sukarami.csv selesai" in logged_in(uploader).get("/pemberitahuan/").content.decode()
    english = logged_in(uploader, "en").get("/pemberitahuan/").content.decode()
    assert "Import daftar-sukarami.csv finished" in english and "selesai" not in english

    # The neighbour (same village, same role) sees no count, no notification, and cannot mark it read.
    other = logged_in(neighbour)
    assert b'class="badge warn"' not in other.get("/pemberitahuan/bel/").content
    assert "daftar-sukarami" not in other.get("/pemberitahuan/").content.decode()
    assert other.post("/pemberitahuan/", {"id": note.pk}).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_failed_import_says_why_in_one_language(make_user: Callable[..., Any]) -> None:
    uploader = make_user("desa", SUKARAMI)
    jobs.queue_roster_import(b"%PDF-1.4 not a roster", "daftar.pdf", user=uploader, region=SUKARAMI)
    note = Notification.objects.get(user=uploader)
    assert note.message.startswith("Impor daftar.pdf gagal: ") and " / " not in note.message
    assert note.message_en.startswith("Import daftar.pdf failed: ") and " / " not in note.message_en


def test_marking_read_one_then_all(make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", "16.06")
    first, second, third = (services.notify(user, "report", f"Laporan {n}", f"Report {n}", "/laporan/")
                            for n in range(3))  # fmt: skip
    assert first and second and third
    client = logged_in(user)
    assert b'<span class="badge warn">3</span>' in client.get(reverse("notifications:bell")).content
    assert client.post("/pemberitahuan/", {"id": second.pk}).status_code == 302
    assert services.unread_count(user) == 2
    assert client.post("/pemberitahuan/", {"id": second.pk}).status_code == 404  # already read
    assert client.post("/pemberitahuan/", {"id": "x"}).status_code == 404
    client.post("/pemberitahuan/", {})
    assert services.unread_count(user) == 0
    assert b'class="badge warn"' not in client.get(reverse("notifications:bell")).content


def test_nobody_to_tell_stores_nothing(make_user: Callable[..., Any]) -> None:
    assert services.notify(None, "import", "x", "x") is None
    gone = make_user("desa", SUKARAMI)
    gone.is_active = False
    gone.save()
    assert services.notify(gone, "import", "x", "x") is None
    jobs.queue_roster_import(ROSTER, "daftar.csv", user=None, region=SUKARAMI)  # the command line: no uploader
    assert not Notification.objects.exists()


def test_pages_need_a_login() -> None:
    for url in ("/pemberitahuan/", "/pemberitahuan/bel/"):
        assert Client().get(url).status_code == 302


def test_a_background_report_notifies_whoever_issued_it(make_user: Callable[..., Any], settings: Any,
                                                        tmp_path: Path) -> None:  # fmt: skip
    from tests.coverage.test_dashboard_page import MUBA, make_sumsel_data
    from ucj.reports.services import issue

    settings.DATA_DIR = tmp_path
    make_sumsel_data(synthetic=True)
    officer = make_user("kabkota", MUBA)
    report = issue(officer, MUBA, dt.date(2024, 12, 1), fmt="xlsx", background=True)
    report.refresh_from_db()
    assert report.status == "done"
    note = Notification.objects.get()
    assert (note.user, note.kind, note.link) == (officer, "report", f"/laporan/{report.pk}/")
    assert note.message.startswith("Laporan ") and note.message.endswith("12/2024 (XLSX) siap diunduh.")


def test_a_failed_background_report_notifies_whoever_issued_it(make_user: Callable[..., Any], settings: Any,
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A report whose rendering fails still rings the issuer's bell: before, the job re-raised before notifying,
    so the officer waited on a report that would never come."""
    from tests.coverage.test_dashboard_page import MUBA, make_sumsel_data
    from ucj.reports import services as report_services

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("layout engine crashed")

    settings.DATA_DIR = tmp_path
    make_sumsel_data(synthetic=True)
    monkeypatch.setattr(report_services, "make", broken)
    officer = make_user("kabkota", MUBA)
    report = report_services.issue(officer, MUBA, dt.date(2024, 12, 1), fmt="xlsx", background=True)
    report.refresh_from_db()
    assert report.status == "failed"
    note = Notification.objects.get()
    assert (note.user, note.kind, note.link) == (officer, "report", f"/laporan/{report.pk}/")
    assert note.message.endswith("12/2024 (XLSX) gagal dibuat.")
    assert note.message_en.endswith("12/2024 (XLSX) could not be made.")


def test_a_report_left_by_a_dead_worker_notifies_its_issuer_once(make_user: Callable[..., Any], settings: Any,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    from tests.coverage.test_dashboard_page import MUBA, make_sumsel_data
    from ucj.reports import services as report_services
    from ucj.reports.models import IssuedReport

    settings.DATA_DIR = tmp_path
    make_sumsel_data(synthetic=True)
    officer = make_user("kabkota", MUBA)
    stuck = IssuedReport.objects.create(region_id=MUBA, month=dt.date(2024, 12, 1), format="xlsx",
                                        issued_by=officer, data_version="v",
                                        report_version=report_services.report_version()[0])  # fmt: skip
    IssuedReport.objects.filter(pk=stuck.pk).update(issued_at=stuck.issued_at - report_services.STALE_AFTER)
    assert report_services.fail_stale() == 1
    assert report_services.fail_stale() == 0
    note = Notification.objects.get()
    assert note.user == officer and note.message.endswith("gagal dibuat.")
