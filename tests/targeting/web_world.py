"""A small targeting world for the page tests: worklists of Desa Sukarami and Desa Lumpatan (Kab. Musi
Banyuasin, 16.06) and of a Palembang kelurahan (16.71), one person at each pipeline stage in Sukarami.

Sukarami (16.06.01.2001), in priority order:

====  ==================  ====================  ==========  ======  ==============
 pr.  NIK                 name                  status      decile  note
====  ==================  ====================  ==========  ======  ==============
  1   1606014101900012    Siti Aminah           identified  —       Ketua RT
  2   1606011505850003    Budi Santoso          contacted   1
  3   1606015203920004    Ani Rahma             submitted   1
  4   1606010101800005    Joko Susilo           registered  2       KPJ 24010000005
  5   1606014404950006    Dewi Lestari          active      3
  6   1606010202700007    Rudi Hartono          declined    4       "punya asuransi lain"
====  ==================  ====================  ==========  ======  ==============

Lumpatan (16.06.01.2002): Hasan Basri, identified. Palembang (16.71.01.1001): Orang Palembang, identified.
So Musi Banyuasin holds 7 people in worklists, Sukarami 6, Palembang 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.accounts import conftest as accounts
from ucj.targeting.models import Enrolment, EnrolmentEvent

SUKARAMI, LUMPATAN, PALEMBANG = "16.06.01.2001", "16.06.01.2002", "16.71.01.1001"
MUBA, PLG = "16.06", "16.71"
BORN = dt.date(1990, 1, 1)
#: (nik, name, status, decile, village_role, kpj, reason)
SUKARAMI_PEOPLE = [
    ("1606014101900012", "Siti Aminah", "identified", None, "rt", "", ""),
    ("1606011505850003", "Budi Santoso", "contacted", 1, "", "", ""),
    ("1606015203920004", "Ani Rahma", "submitted", 1, "", "", ""),
    ("1606010101800005", "Joko Susilo", "registered", 2, "", "24010000005", ""),
    ("1606014404950006", "Dewi Lestari", "active", 3, "", "24010000006", ""),
    ("1606010202700007", "Rudi Hartono", "declined", 4, "", "", "punya asuransi lain"),
]


@dataclass
class Worklists:
    people: dict[str, Enrolment]  # by name
    lumpatan: Enrolment
    palembang: Enrolment


def enrol(nik: str, name: str, desa: str, status: str = "identified", priority: int = 1, **kw: Any) -> Enrolment:
    e = Enrolment.objects.create(nik=nik, name=name, desa_id=desa, region_id=desa[:5], status=status,
                                 priority=priority, birth_date=BORN, sources="DTSEN 2025", **kw)  # fmt: skip
    EnrolmentEvent.objects.create(enrolment=e, to_status="identified", via="worklist", actor_name="kab")
    if status != "identified":
        EnrolmentEvent.objects.create(enrolment=e, from_status="identified", to_status=status, actor_name="ops",
                                      reason=kw.get("reason", ""))  # fmt: skip
    return e


def make_worklists() -> Worklists:
    people = {}
    for n, (nik, name, status, decile, role, kpj, reason) in enumerate(SUKARAMI_PEOPLE, start=1):
        people[name] = enrol(nik, name, SUKARAMI, status, n, decile=decile, village_role=role, kpj=kpj,
                             reason=reason)  # fmt: skip
    lumpatan = enrol("1606012303880008", "Hasan Basri", LUMPATAN)
    palembang = enrol("1671011505850009", "Orang Palembang", PALEMBANG)
    return Worklists(people, lumpatan, palembang)


# Test modules import these two fixtures under these names (so the tests' arguments do not shadow them).
@pytest.fixture(name="worklists")
def worklists_fixture(db: Any) -> Worklists:
    return make_worklists()


#: ``client_for("desa")``: a client logged in with a role of ``tests.accounts.conftest.ROLES`` (that fixture, here).
client_for_fixture = pytest.fixture(name="client_for")(accounts.client_for._get_wrapped_function())
