"""Facts stay current: an import or a payment refreshes the facts of the touched kecamatan and above."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ucj.contributions.bills import pay_participant
from ucj.coverage.models import CoverageFact
from ucj.coverage.services import coverage, rebuild_facts
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"


def active_now(region: str) -> int:
    month = timezone.localdate().replace(day=1)
    return sum(CoverageFact.objects.filter(region=region, month=month).values_list("active", flat=True))


def roster(write_csv: Callable[..., Path], paid: str) -> Path:
    return write_csv([
        "NIK,Nama,Jabatan,Kode Desa,Iuran s/d",
        f"1606014107850001,Siti,Ketua RT 01,{SUKARAMI},{paid}",
        f"1606010107850002,Budi,Petani,{SUKARAMI},{paid}",
    ])  # fmt: skip


def test_an_import_refreshes_kecamatan_kab_and_province(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any
) -> None:
    paid = f"{timezone.localdate():%Y-%m-%d}"
    with django_capture_on_commit_callbacks(execute=True):
        path = roster(write_csv, paid)
        import_roster(path.read_bytes(), path.name)
    assert [active_now(code) for code in ("16.06.01", "16.06", "16")] == [2, 2, 2]
    assert coverage("16.06", as_of=timezone.localdate())["region"]["covered"] == 2


def test_a_payment_reactivates_and_refreshes(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, admin_user: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        path = roster(write_csv, "2020-01-31")  # long lapsed
        import_roster(path.read_bytes(), path.name)
    assert active_now("16") == 0
    person = Participant.objects.get(nik="1606014107850001")
    with django_capture_on_commit_callbacks(execute=True):
        pay_participant(admin_user, person, through=timezone.localdate(), amount=16_800, paid_on=dt.date.today())
    assert active_now("16.06.01") == 1 and active_now("16") == 1


def test_rebuild_equals_the_incremental_result(write_csv: Callable[..., Path],
                                               django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        path = roster(write_csv, f"{timezone.localdate():%Y-%m-%d}")
        import_roster(path.read_bytes(), path.name)
    incremental = sorted(CoverageFact.objects.values_list("region", "month", "segment", "ecosystem", "payer",
                                                          "active"))  # fmt: skip
    rebuild_facts()
    assert sorted(CoverageFact.objects.values_list("region", "month", "segment", "ecosystem", "payer",
                                                   "active")) == incremental  # fmt: skip
