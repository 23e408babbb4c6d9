"""A small commitments world with hand-computed expectations (backend tests of issue 13).

Dates: "today" is whatever the clock says, so people are active when paid through 2099 and non-active when paid
through 2020 (the lapse rule needs three unpaid months).

Village institutions (positions) and registry people (registered / active):

==================  ======  =========  ===========  =====  =====  =====
village             kind    kepala     perangkat    BPD    RT     RW
==================  ======  =========  ===========  =====  =====  =====
16.06.01.2001 Sukarami   desa  1 (1/1)   3 (3/3)   2 (2/2)  2 (3/2)  1 (1/1)   fully protected
16.06.01.2002 Lumpatan   desa  1 (1/1)   2 (1/1)   1 (0/0)  3 (0/0)  1 (0/0)   not
16.06.01.1009 Kayu Ara   kel.  —         —         —        4 (4/4)  2 (2/2)   fully protected
16.06.02.2001 Danau Cala desa  1 (0/0)   1 (0/0)   1 (0/0)  1 (0/0)  1 (0/0)   not
==================  ======  =========  ===========  =====  =====  =====

Kayu Ara also has its lurah registered with role kepala_desa: a kelurahan has no kepala desa, so it is counted
nowhere. Kecamatan 16.06.01 (14 villages): kepala 2 (2/2), perangkat 5 (4/4), BPD 3 (2/2), RT 9 (7/6), RW 4 (3/3),
3 reported, 2 fully protected (14.3 %). Kab. Musi Banyuasin (242 villages) adds Danau Cala: kepala 3 (2/2),
perangkat 6, BPD 4, RT 10, RW 5; 4 reported, 2 fully protected (0.8 %).

Units: Pasar Sekayu (Sukarami, 4 traders declared) has 4 people naming it ("PASAR  sekayu"), 3 active → 75 % <
80 %: not covered; Kelompok Nelayan Maju (Lumpatan, none declared) has 2 people, both active → covered.

Instruments: national Inpres 2/2021 in force; Pergub 16 in force (pekerja rentan); Perbup Muba in force (kepala
desa, perangkat, BPD, RT, RW); Perwali Palembang draft.

Follow-up actions (meeting 13 Dec 2024): Muba due 2025-03-31 open (overdue), Muba due 2025-06-30 done,
Sukarami due 2099 (not yet due), Palembang due 2025-01-31 in progress (overdue) → Muba 1, province 2.

Budget 2026: Muba APBD kab 10,000,000 for 40 workers, bantuan keuangan 5,000,000 for 20 (one pool: the kab/kota's
APBD bills), Sukarami APBDes ADD 1,000,000 for 5.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    Meeting,
    VillageInstitution,
)
from ucj.registry.models import Participant

SUKARAMI, LUMPATAN, KAYU_ARA, DANAU_CALA = "16.06.01.2001", "16.06.01.2002", "16.06.01.1009", "16.06.02.2001"
MUBA, PALEMBANG, KEC = "16.06", "16.71", "16.06.01"
ACTIVE, LAPSED = dt.date(2099, 12, 31), dt.date(2020, 1, 31)
YEAR = 2026

_serial = iter(range(1, 10_000))


def person(desa: str, role: str = "", paid: dt.date | None = ACTIVE, **kw: Any) -> Participant:
    n = next(_serial)
    return Participant.objects.create(nik=f"1606014101900{n:03d}"[-16:], name=f"Warga {n}", desa_id=desa,
                                      village_role=role, ecosystem="desa" if role else "pasar", segment="BPU",
                                      paid_through=paid, **kw)  # fmt: skip


def people(desa: str, role: str, active: int, lapsed: int = 0) -> None:
    for _ in range(active):
        person(desa, role)
    for _ in range(lapsed):
        person(desa, role, LAPSED)


def make_world() -> dict[str, Any]:
    global _serial
    _serial = iter(range(1, 900))  # NIK serials of this world (each test's database starts empty)
    VillageInstitution.objects.create(desa_id=SUKARAMI, kepala_desa=1, perangkat_desa=3, bpd=2, rt=2, rw=1)
    VillageInstitution.objects.create(desa_id=LUMPATAN, kepala_desa=1, perangkat_desa=2, bpd=1, rt=3, rw=1)
    VillageInstitution.objects.create(desa_id=KAYU_ARA, rt=4, rw=2)
    VillageInstitution.objects.create(desa_id=DANAU_CALA, kepala_desa=1, perangkat_desa=1, bpd=1, rt=1, rw=1)
    people(SUKARAMI, "kepala_desa", 1)
    people(SUKARAMI, "perangkat_desa", 3)
    people(SUKARAMI, "bpd", 2)
    people(SUKARAMI, "rt", 2, lapsed=1)
    people(SUKARAMI, "rw", 1)
    people(LUMPATAN, "kepala_desa", 1)
    people(LUMPATAN, "perangkat_desa", 1)
    people(KAYU_ARA, "rt", 4)
    people(KAYU_ARA, "rw", 2)
    people(KAYU_ARA, "kepala_desa", 1)  # the lurah: no kepala desa in a kelurahan
    for paid in (ACTIVE, ACTIVE, ACTIVE, LAPSED):
        person(SUKARAMI, paid=paid, unit_name="PASAR  sekayu")
    for _ in range(2):
        person(LUMPATAN, unit_name="Kelompok Nelayan Maju")
    units = [
        EcosystemUnit.objects.create(kind="pasar", name="Pasar Sekayu", subtype="tradisional", desa_id=SUKARAMI,
                                     workers=4),
        EcosystemUnit.objects.create(kind="kelompok_nelayan", name="Kelompok Nelayan Maju", desa_id=LUMPATAN),
    ]  # fmt: skip
    Instrument.objects.create(region=None, kind="instruksi", number="2 Tahun 2021", status="ditetapkan",
                              title="Optimalisasi pelaksanaan program jaminan sosial ketenagakerjaan")  # fmt: skip
    Instrument.objects.create(region_id="16", kind="pergub", number="1 Tahun 2024", status="ditetapkan",
                              title="Pekerja rentan", groups=["pekerja_rentan"])  # fmt: skip
    Instrument.objects.create(region_id=MUBA, kind="perbup", number="5 Tahun 2025", status="ditetapkan",
                              title="Aparat desa", groups=["bpd", "kepala_desa", "perangkat_desa", "rt", "rw"])
    Instrument.objects.create(region_id=PALEMBANG, kind="perwali", number="", status="draf", title="Draf")
    meeting = Meeting.objects.create(region_id="16", date=dt.date(2024, 12, 13), title="Kelembagaan desa",
                                     place="Novotel Palembang", organiser="Ditjen Bina Pemdes")  # fmt: skip
    for owner, due, status in ((MUBA, dt.date(2025, 3, 31), "rencana"), (MUBA, dt.date(2025, 6, 30), "selesai"),
                               (SUKARAMI, dt.date(2099, 1, 1), "rencana"),
                               (PALEMBANG, dt.date(2025, 1, 31), "berjalan")):  # fmt: skip
        FollowUpAction.objects.create(meeting=meeting, owner_id=owner, decision="RTL", due_date=due, status=status)
    BudgetCommitment.objects.create(region_id=MUBA, year=YEAR, payer="apbd_kabkota", allocated=10_000_000, workers=40)
    BudgetCommitment.objects.create(region_id=MUBA, year=YEAR, payer="bantuan_keuangan", allocated=5_000_000,
                                    workers=20)  # fmt: skip
    BudgetCommitment.objects.create(region_id=SUKARAMI, year=YEAR, payer="apbdes", source="add", allocated=1_000_000,
                                    workers=5)  # fmt: skip
    return {"units": units, "meeting": meeting}
