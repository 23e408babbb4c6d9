"""A small Sumsel for planning, with expectations computed by hand.

Coverage data (``make_sumsel_data`` of the dashboard tests): as of 2024-12 Musi Banyuasin (16.06) covers 160
of 400 eligible workers, Palembang (16.71) 280 of 600, OKU (16.01) 50 of 500 (all 50 in ecosystem rentan);
the 2025 target is 50 % (province rate, inherited): counts 200, 300, 250 → gaps 40, 20, 200; Sumsel 750 − 490
= 260.

Vulnerable workers 2024 (added here): Muba 300, Palembang 200, OKU 300. Registry of Desa Sukarami (Muba),
none active in January 2025: five rentan workers of decile 1, five of decile 5, three RT heads (no decile);
two more are active (paid through June 2025) and one is paid for by an employer: never candidates.

Candidates: listed 13 (all in Muba); unlisted vulnerable = vulnerable − covered rentan − listed rentan
candidates: Muba 300 − 0 − 10 = 290, Palembang 200, OKU 300 − 50 = 250 → 753 available in all.
Unit cost 2025, JKK + JKM, APBD: Rp 16,800 × 12 = Rp 201,600.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.coverage.test_dashboard_page import make_sumsel_data
from ucj.coverage.models import Workforce
from ucj.coverage.services import bump_version
from ucj.registry.models import Participant

SUKARAMI = "16.06.01.2001"
MUBA, PALEMBANG, OKU = "16.06", "16.71", "16.01"
UNIT_COST = 16_800 * 12
VULNERABLE = {MUBA: 300, PALEMBANG: 200, OKU: 300}


def person(n: int, **kw: Any) -> Participant:
    values: dict[str, Any] = {"segment": "BPU", "payer": "", "ecosystem": "rentan", "paid_through": None,
                              "name": f"Warga {n:02d}", "desa_id": SUKARAMI}  # fmt: skip
    values.update(kw)
    return Participant.objects.create(nik=f"1606014101900{n:03d}", **values)


def make_plan_world() -> None:
    make_sumsel_data()
    for code, workers in VULNERABLE.items():
        Workforce.objects.create(region_id=code, year=2024, definition="vulnerable", workers=workers, source="P3KE")
    for n in range(1, 6):
        person(n, poverty_decile=1)
    for n in range(6, 11):
        person(n, poverty_decile=5)
    for n in range(11, 14):
        person(n, village_role="rt", ecosystem="desa", occupation="Ketua RT")
    person(14, paid_through=dt.date(2025, 6, 30), poverty_decile=1)
    person(15, paid_through=dt.date(2025, 6, 30), poverty_decile=1)
    person(16, payer="employer", segment="PU", poverty_decile=1)
    bump_version()


@pytest.fixture
def plan_world(db: Any) -> None:
    make_plan_world()
