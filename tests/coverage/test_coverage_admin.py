"""The admin of denominators and targets (admin and provinsi inside their regions, audited) and of feeds
(read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.accounts.models import AuditEvent
from ucj.coverage.models import FeedBatch, FeedRow, Target, Workforce

pytestmark = pytest.mark.django_db
WORKFORCE = "/admin/coverage/workforce/"
TARGETS = "/admin/coverage/target/"
FEED_ROWS = "/admin/coverage/feedrow/"
FEED_BATCHES = "/admin/coverage/feedbatch/"


def staff(user: Any) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    return staff(admin_user)


def workforce_data(**change: str) -> dict[str, str]:
    data = {"region": "16", "year": "2025", "definition": "eligible", "workers": "3000000",
            "source": "BPJS Kanwil Sumbagsel", "_save": "Save"}  # fmt: skip
    return {**data, **change}


def target_data(**change: str) -> dict[str, str]:
    data = {"region": "16", "year": "2025", "definition": "eligible", "rate": "50", "count": "",
            "source": "BPJS Kanwil Sumbagsel Agustus 2024", "_save": "Save"}  # fmt: skip
    return {**data, **change}


def test_admin_adds_changes_and_deletes_workforce_audited(admin_client: Client, admin_user: Any) -> None:
    response = admin_client.post(f"{WORKFORCE}add/", workforce_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Workforce.objects.get()
    created = AuditEvent.objects.get(action="workforce.create")
    assert created.actor == admin_user and created.region_code == "16"
    assert created.changes["workers"] == ["", "3000000"]
    assert admin_client.post(f"{WORKFORCE}{row.pk}/change/", workforce_data(workers="2900000")).status_code == 302
    assert AuditEvent.objects.get(action="workforce.update").changes == {"workers": ["3000000", "2900000"]}
    assert admin_client.post(f"{WORKFORCE}{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Workforce.objects.exists()
    assert AuditEvent.objects.get(action="workforce.delete").changes["workers"] == ["2900000", ""]


def test_target_needs_rate_or_count(admin_client: Client) -> None:
    response = admin_client.post(f"{TARGETS}add/", target_data(rate=""))
    assert response.status_code == 200 and "Isi target persen atau target jumlah pekerja." in response.content.decode()
    response = admin_client.post(f"{TARGETS}add/", target_data(rate="120"))
    assert response.status_code == 200 and not Target.objects.exists()
    assert admin_client.post(f"{TARGETS}add/", target_data()).status_code == 302
    assert Target.objects.get().rate == 50
    assert AuditEvent.objects.get(action="target.create").changes["rate"] == ["", "50"]


def test_provinsi_edits_inside_its_region_only(make_user: Callable[..., Any]) -> None:
    analyst = make_user("provinsi", "16.06")
    client = staff(analyst)
    Workforce.objects.create(region_id="16.71", year=2025, definition="eligible", workers=1, source="x")
    assert client.get(WORKFORCE).status_code == 200
    assert "16.71" not in client.get(WORKFORCE).content.decode()  # outside rows are not listed
    assert client.post(f"{WORKFORCE}add/", workforce_data(region="16.06")).status_code == 302
    refused = client.post(f"{WORKFORCE}add/", workforce_data(region="16.04"))
    assert refused.status_code == 200 and "Wilayah di luar wilayah Anda." in refused.content.decode()
    assert set(Workforce.objects.values_list("region_id", flat=True)) == {"16.06", "16.71"}
    assert AuditEvent.objects.get(action="workforce.create").actor == analyst


@pytest.mark.parametrize(("role", "region"), [("kabkota", "16.06"), ("bpjs", "16"), ("viewer", "16")])
def test_other_roles_cannot_edit(make_user: Callable[..., Any], role: str, region: str) -> None:
    client = staff(make_user(role, region))
    assert client.get(WORKFORCE).status_code == 403
    assert client.post(f"{TARGETS}add/", target_data()).status_code == 403
    assert not Target.objects.exists()


def test_feeds_are_read_only(admin_client: Client, make_user: Callable[..., Any]) -> None:
    batch = FeedBatch.objects.create(file_name="feed.csv", sha256="0" * 64, rows=1, accepted=1)
    row = FeedRow.objects.create(batch=batch, region_id="16.06", month=dt.date(2024, 3, 1), segment="PU", active=5)
    assert admin_client.get(FEED_ROWS).status_code == 200
    assert admin_client.get(FEED_BATCHES).status_code == 200
    page = admin_client.get(f"{FEED_ROWS}{row.pk}/change/")
    assert page.status_code == 200 and 'name="active"' not in page.content.decode()
    assert admin_client.post(f"{FEED_ROWS}{row.pk}/change/", {"active": "9"}).status_code == 403
    assert admin_client.post(f"{FEED_ROWS}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{FEED_BATCHES}add/").status_code == 403
    assert FeedRow.objects.get().active == 5
    outsider = staff(make_user("kabkota", "16.71"))
    assert "16.06" not in outsider.get(FEED_ROWS).content.decode().split("<tbody>")[-1]
