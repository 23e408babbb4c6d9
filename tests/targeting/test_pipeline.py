"""The enrolment pipeline: worklists from candidates and from a plan, allowed transitions only, reasons, the
collective registration file, paid contributions setting "active", scope and audit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import python_calamine as calamine
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from tests.targeting.lists_world import AS_OF, EXPECTED_ORDER, SUKARAMI, load_world
from ucj.accounts.models import AuditEvent
from ucj.registry.models import Participant
from ucj.registry.signals import announce_change
from ucj.targeting import services
from ucj.targeting.models import Enrolment, EnrolmentEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def worklist() -> dict[str, Enrolment]:
    """The world's four candidates on Sukarami's worklist, by NIK."""
    load_world()
    assert services.create_worklist(None, SUKARAMI, as_of=AS_OF) == {"created": 4, "already": 0}
    return {e.nik: e for e in Enrolment.objects.all()}


def test_worklist_in_priority_order_and_not_duplicated(worklist: dict[str, Enrolment]) -> None:
    frame = services.worklist(None, SUKARAMI, context="export")
    assert frame["nik"].to_list() == EXPECTED_ORDER
    assert set(frame["status"]) == {"identified"}
    assert frame["next"].to_list()[0] == ["contacted", "declined", "not_found", "moved", "deceased"]
    assert services.create_worklist(None, "16.06", as_of=AS_OF) == {"created": 0, "already": 4}
    assert EnrolmentEvent.objects.filter(via="worklist", to_status="identified").count() == 4
    assert {e.region_id for e in worklist.values()} == {"16.06"}


def test_allowed_transitions_only(worklist: dict[str, Enrolment], desa_user: Any) -> None:
    siti = worklist["1606014101900012"]
    services.transition(desa_user, siti, "contacted")
    for refused in ("submitted", "registered", "active", "identified_typo"):
        with pytest.raises(services.TransitionRefused):
            services.transition(desa_user, siti, refused)
    with pytest.raises(services.TransitionRefused, match="Alasan"):
        services.transition(desa_user, siti, "declined")
    services.transition(desa_user, siti, "declined", reason="  sudah punya   asuransi ")
    siti.refresh_from_db()
    assert (siti.status, siti.reason) == ("declined", "sudah punya asuransi")
    events = list(EnrolmentEvent.objects.filter(enrolment=siti).values_list("from_status", "to_status", "via",
                                                                             "actor_id"))  # fmt: skip
    assert events == [("", "identified", "worklist", None), ("identified", "contacted", "manual", desa_user.pk),
                      ("contacted", "declined", "manual", desa_user.pk)]  # fmt: skip
    audit = AuditEvent.objects.filter(action="targeting.transition").order_by("id").last()
    assert audit is not None and audit.changes == {"status": ["contacted", "declined"],
                                                   "reason": "sudah punya asuransi"}  # fmt: skip
    with pytest.raises(services.TransitionRefused):  # a declined person may only be reopened
        services.transition(desa_user, siti, "deceased", reason="wafat")


def test_closed_statuses_reopen_only_to_identified(worklist: dict[str, Enrolment], desa_user: Any) -> None:
    budi = worklist["1606011505850003"]
    services.transition(desa_user, budi, "not_found", reason="tidak di alamat")
    with pytest.raises(services.TransitionRefused):
        services.transition(desa_user, budi, "contacted")
    services.transition(desa_user, budi, "identified")
    services.transition(desa_user, budi, "deceased", reason="wafat")
    with pytest.raises(services.TransitionRefused):
        services.transition(desa_user, budi, "identified")
    # a deceased person is no candidate any more
    result = services.candidates(None, SUKARAMI, as_of=AS_OF, context="export")
    assert "1606011505850003" not in result.frame["nik"].to_list()
    assert result.excluded["deceased"] == 1


def test_scope_of_transitions(worklist: dict[str, Enrolment], make_user: Callable[..., Any]) -> None:
    siti = worklist["1606014101900012"]
    with pytest.raises(Http404):
        services.transition(make_user("desa", "16.06.01.2002"), siti, "contacted")
    with pytest.raises(services.TargetingRefused):
        services.transition(make_user("viewer", "16"), siti, "contacted")
    with pytest.raises(Http404):
        services.get_enrolment(make_user("kabkota", "16.71"), siti.pk)
    assert services.worklist(make_user("viewer", "16"), SUKARAMI)["next"].to_list()[0] == []
    with pytest.raises(services.TargetingRefused):
        services.create_worklist(make_user("desa", SUKARAMI), SUKARAMI)


def test_collective_file_submits_the_contacted(worklist: dict[str, Enrolment], desa_user: Any) -> None:
    with pytest.raises(services.TransitionRefused):
        services.submission_file(desa_user, SUKARAMI)  # nobody contacted yet
    for nik in ("1606011505850003", "1606012303880008"):
        services.transition(desa_user, worklist[nik], "contacted")
    sub = services.submission_file(desa_user, SUKARAMI)
    assert sub.people == 2 and sub.fmt == "xlsx"
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(bytes(sub.content))).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["NIK", "NAMA LENGKAP", "TANGGAL LAHIR", "JENIS KELAMIN"]
    assert [r[0] for r in rows[1:]] == ["1606011505850003", "1606012303880008"]  # text, in priority order
    assert rows[1][3] == "L" and rows[1][4] == "Petani" and rows[1][6] == "Sukarami"
    statuses = dict(Enrolment.objects.values_list("nik", "status"))
    assert statuses["1606011505850003"] == statuses["1606012303880008"] == "submitted"
    assert Enrolment.objects.get(nik="1606011505850003").submission == sub
    assert AuditEvent.objects.filter(action="targeting.submission_file").exists()


@override_settings(UCJ_TARGETING_SUBMISSION_COLUMNS="No. KTP=nik|Nama=name|Desa=desa_name")
def test_collective_file_columns_are_a_setting_and_csv_is_formula_safe(
        worklist: dict[str, Enrolment], desa_user: Any) -> None:  # fmt: skip
    Enrolment.objects.filter(pk=worklist["1606014101900012"].pk).update(status="contacted", name="=HYPERLINK(1)")
    sub = services.submission_file(desa_user, SUKARAMI, fmt="csv")
    lines = bytes(sub.content).decode("utf-8-sig").splitlines()
    assert lines == ["No. KTP,Nama,Desa", "1606014101900012,'=HYPERLINK(1),Sukarami"]


def test_registered_become_active_when_paid(worklist: dict[str, Enrolment],
                                           django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    joko = worklist["1606010101800005"]
    Enrolment.objects.filter(pk=joko.pk).update(status="registered")
    person = Participant.objects.create(nik=joko.nik, name="Joko Susilo", desa_id=SUKARAMI)
    assert services.sync_payments([SUKARAMI]) == 0  # not paid
    Participant.objects.filter(pk=person.pk).update(paid_through=timezone.localdate().replace(day=1))
    with django_capture_on_commit_callbacks(execute=True):
        announce_change([SUKARAMI])  # what a payment announces; the targeting receiver runs after the commit
    joko.refresh_from_db()
    assert joko.status == "active" and joko.active_at is not None
    assert EnrolmentEvent.objects.filter(enrolment=joko, via="payment", to_status="active").count() == 1
    assert services.sync_payments([SUKARAMI]) == 0  # once


def test_worklist_from_a_plan(kab_user: Any) -> None:
    from unittest import mock

    import polars as pl

    from ucj.planning.models import Scenario

    scenario = Scenario.objects.create(name="Rencana 2027", region_id="16.06", year=2027, question="budget", spec={},
                                       result={})  # fmt: skip
    people = pl.DataFrame({"desa": [SUKARAMI, SUKARAMI], "nik": ["1606011505850003", "16**************"],
                           "name": ["Budi Santoso", "A****"], "decile": [1, 2]})  # fmt: skip
    with mock.patch("ucj.planning.services.enrolment", return_value={"people": people}):
        out = services.worklist_from_plan(kab_user, scenario)
    assert out == {"created": 1, "already": 0, "masked": 1}
    budi = Enrolment.objects.get()
    assert (budi.plan_id, budi.sources, budi.status) == (scenario.pk, "rencana/plan: Rencana 2027", "identified")
    assert dt.date.today() >= budi.identified_at.date()


def test_the_collective_file_takes_sex_and_occupation_from_the_registry_when_no_list_has_them(
        kab_user: Any, desa_user: Any) -> None:  # fmt: skip
    """JENIS KELAMIN and PEKERJAAN are in the default columns; an enrolment keeps neither. A person put on the
    worklist from a budget plan is in the registry, not in any list: the file takes their occupation from the
    registry (it was empty) as the birth date (a plan gives none), and the sex from the NIK (day 65: a woman)."""
    from unittest import mock

    import polars as pl

    from ucj.planning.models import Scenario

    Participant.objects.create(nik="1606016505900021", name="Rini", desa_id=SUKARAMI, sex="P", occupation="Nelayan",
                               birth_date=dt.date(1990, 5, 25))  # fmt: skip
    scenario = Scenario.objects.create(name="Rencana 2027", region_id="16.06", year=2027, question="budget", spec={},
                                       result={})  # fmt: skip
    people = pl.DataFrame({"desa": [SUKARAMI], "nik": ["1606016505900021"], "name": ["Rini"], "decile": [1]})
    with mock.patch("ucj.planning.services.enrolment", return_value={"people": people}):
        services.worklist_from_plan(kab_user, scenario)
    services.transition(desa_user, Enrolment.objects.get(), "contacted")
    sub = services.submission_file(desa_user, SUKARAMI)
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(bytes(sub.content))).get_sheet_by_index(0).to_python()
    assert rows[0][3:5] == ["JENIS KELAMIN", "PEKERJAAN"]
    assert rows[1][:5] == ["1606016505900021", "Rini", dt.date(1990, 5, 25), "P", "Nelayan"]
