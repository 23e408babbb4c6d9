"""The funnel equals the worklists: counts per stage, reached, conversion, median days, drill-down, as of a date,
scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from ucj.targeting import services
from ucj.targeting.models import Enrolment, EnrolmentEvent

pytestmark = pytest.mark.django_db

SUKARAMI, LUMPATAN, PALEMBANG = "16.06.01.2001", "16.06.01.2002", "16.71.01.1001"
T0 = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)


def enrol(nik: str, desa: str, path: list[str], days: list[int], reason: str = "") -> Enrolment:
    """An enrolment that went through ``path`` (statuses after identified) on ``days`` after T0."""
    e = Enrolment.objects.create(nik=nik, name="X", desa_id=desa, region_id=desa[:5], status=path[-1] if path else
                                 "identified", reason=reason)  # fmt: skip
    Enrolment.objects.filter(pk=e.pk).update(identified_at=T0)
    events = [EnrolmentEvent(enrolment=e, to_status="identified", via="worklist")]
    previous = "identified"
    for status, day in zip(path, days, strict=True):
        events.append(EnrolmentEvent(enrolment=e, from_status=previous, to_status=status))
        previous = status
        if status == "active":
            Enrolment.objects.filter(pk=e.pk).update(active_at=T0 + dt.timedelta(days=day))
    made = EnrolmentEvent.objects.bulk_create(events)
    for event, day in zip(made, [0, *days], strict=True):  # auto_now_add: set the times afterwards
        EnrolmentEvent.objects.filter(pk=event.pk).update(at=T0 + dt.timedelta(days=day))
    return e


@pytest.fixture
def pipeline() -> None:
    """Sukarami: 2 identified, 1 contacted, 1 submitted, 1 registered, 2 active (after 30 and 50 days),
    1 declined; Lumpatan: 1 active (after 10 days); Palembang: 1 identified."""
    enrol("1606010000000001", SUKARAMI, [], [])
    enrol("1606010000000002", SUKARAMI, [], [])
    enrol("1606010000000003", SUKARAMI, ["contacted"], [5])
    enrol("1606010000000004", SUKARAMI, ["contacted", "submitted"], [5, 10])
    enrol("1606010000000005", SUKARAMI, ["contacted", "submitted", "registered"], [5, 10, 20])
    enrol("1606010000000006", SUKARAMI, ["contacted", "submitted", "registered", "active"], [5, 10, 20, 30])
    enrol("1606010000000007", SUKARAMI, ["contacted", "submitted", "active"], [5, 10, 50])
    enrol("1606010000000008", SUKARAMI, ["declined"], [3], reason="tidak mau")
    enrol("1606010000000009", LUMPATAN, ["contacted", "submitted", "active"], [2, 4, 10])
    enrol("1671010000000010", PALEMBANG, [], [])


def test_funnel_equals_the_worklists(pipeline: None) -> None:
    out = services.funnel(None, SUKARAMI)
    assert out["stages"] == {"identified": 2, "contacted": 1, "submitted": 1, "registered": 1, "active": 2}
    assert out["closed"] == {"declined": 1, "not_found": 0, "moved": 0, "deceased": 0}
    assert out["total"] == 8
    assert out["reached"] == {"identified": 8, "contacted": 5, "submitted": 4, "registered": 3, "active": 2}
    assert out["conversion"] == {"contacted": 0.625, "submitted": 0.8, "registered": 0.75, "active": 0.6667,
                                 "overall": 0.25}  # fmt: skip
    assert out["median_days_to_active"] == 40.0
    worklist = services.worklist(None, SUKARAMI)
    assert worklist.height == out["total"]
    for stage, n in out["stages"].items():
        assert worklist.filter(worklist["status"] == stage).height == n


def test_drill_down_and_region_totals(pipeline: None) -> None:
    muba = services.funnel(None, "16.06", by="desa")
    assert muba["total"] == 9 and muba["stages"]["active"] == 3
    assert muba["median_days_to_active"] == 30.0  # 10, 30, 50 days
    assert [(c["region"], c["name"], c["total"]) for c in muba["children"]] == [(SUKARAMI, "Sukarami", 8),
                                                                               (LUMPATAN, "Lumpatan", 1)]  # fmt: skip
    assert sum(c["stages"]["active"] for c in muba["children"]) == muba["stages"]["active"]
    province = services.funnel(None, "16", by="kabkota")
    assert [c["region"] for c in province["children"]] == ["16.06", "16.71"] and province["total"] == 10


def test_funnel_as_of_a_date_from_the_events(pipeline: None) -> None:
    early = services.funnel(None, SUKARAMI, as_of=dt.date(2026, 9, 7))  # day 6: contacts done, nothing submitted
    assert early["stages"] == {"identified": 2, "contacted": 5, "submitted": 0, "registered": 0, "active": 0}
    assert early["closed"]["declined"] == 1 and early["median_days_to_active"] is None
    assert services.funnel(None, SUKARAMI, as_of=timezone.localdate())["stages"] == \
        services.funnel(None, SUKARAMI)["stages"]  # fmt: skip


def test_funnel_scope(pipeline: None, make_user: Callable[..., Any]) -> None:
    lumpatan = make_user("desa", LUMPATAN)
    assert services.funnel(lumpatan, "16.06")["total"] == 1  # only their village inside the kab/kota
    with pytest.raises(Http404):
        services.funnel(lumpatan, SUKARAMI)
    with pytest.raises(Http404):
        services.funnel(make_user("kabkota", "16.71"), "16.06")
    from ucj.accounts.scoping import scope_for

    viewer = make_user("viewer", "16")
    assert services.funnel(scope_for(viewer), "16")["total"] == 10  # a Scope works as well as a user
