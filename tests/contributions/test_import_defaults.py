"""Roster imports apply the per-region village-role defaults (issue 4): a region's own row beats the national
one, the roster's values always win, the report counts what was filled, and a re-import changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ucj.contributions.models import RoleDefault
from ucj.registry.models import Participant
from ucj.registry.services import ImportReport, import_roster

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin (16.06)
PALEMBANG = "16.71.01.1001"  # Kel. 35 Ilir, Kota Palembang: national defaults
HEADER = "NIK,Nama,Jabatan,Kode Desa,Segmen,Pembayar,Program,Penghasilan"


def nik(day: int, serial: int, kec: str = "160601") -> str:
    return f"{kec}{day:02d}0585{serial:04d}"


KADES, KADES_BPU, RT, RT_PLG, TANI, DAGANG = (nik(1, 1), nik(2, 2), nik(3, 3), nik(4, 4, "167101"), nik(5, 5),
                                               nik(6, 6))  # fmt: skip


def lines() -> list[str]:
    return [
        HEADER,
        f"{KADES},Budi,Kepala Desa,{SUKARAMI},,,,2500000",  # national kepala_desa: PU, apbdes, class 1
        f"{KADES_BPU},Joko,Kepala Desa,{SUKARAMI},BPU,mandiri,,",  # the roster's segment and payer win
        f"{RT},Siti,Ketua RT 03,{SUKARAMI},,,,",  # Musi Banyuasin's own RT row
        f"{RT_PLG},Ani,Ketua RT 01,{PALEMBANG},,,,",  # national RT row
        f"{TANI},Ahmad,Petani,{SUKARAMI},,,JKK JKM JHT,",  # vulnerable worker: 'rentan'; programmes given
        f"{DAGANG},Rina,Pedagang Pasar,{SUKARAMI},,,,",  # no role, not rentan: no default
    ]


@pytest.fixture
def muba_rt() -> RoleDefault:
    """Kab. Musi Banyuasin registers RT heads as PU paid from the village budget, with JHT, risk class 2."""
    return RoleDefault.objects.create(region_id="16.06", role="rt", segment="PU", programs="JKK,JKM,JHT",
                                      payer="apbdes", risk_class=2, income=None, source="Perbup (test)")  # fmt: skip


def run(path: Path, **kwargs: Any) -> ImportReport:
    return import_roster(path.read_bytes(), path.name, **kwargs)


def stored(number: str) -> tuple[Any, ...]:
    p = Participant.objects.get(nik=number)
    return p.segment, p.payer, ",".join(p.programs), p.risk_class, p.income


def test_import_applies_regional_then_national_defaults(write_csv: Callable[..., Path], muba_rt: Any) -> None:
    assert RoleDefault.objects.filter(region=None, role="rt").exists()  # the shipped national rows
    report = run(write_csv(lines()))
    assert (report.rows, report.accepted, report.rejected) == (6, 6, 0)

    assert stored(KADES) == ("PU", "apbdes", "JKK,JKM", 1, 2_500_000)
    assert stored(KADES_BPU) == ("BPU", "mandiri", "JKK,JKM", 1, None)
    assert stored(RT) == ("PU", "apbdes", "JKK,JKM,JHT", 2, None)  # 16.06 beats national, as a whole row
    assert stored(RT_PLG) == ("BPU", "apbd_kabkota", "JKK,JKM", None, 1_000_000)
    assert stored(TANI) == ("BPU", "apbd_kabkota", "JKK,JKM,JHT", None, 1_000_000)
    assert stored(DAGANG) == ("BPU", "", "JKK,JKM", None, None)

    assert report.defaults_applied == {"segment": 4, "payer": 4, "programs": 4, "risk_class": 3, "income": 2}
    assert report.as_json()["defaults_applied"] == report.defaults_applied


def test_reimport_of_unchanged_file_rewrites_nothing(write_csv: Callable[..., Path], muba_rt: Any) -> None:
    path = write_csv(lines())
    first = run(path)
    before = {p.nik: (p.updated_at, p.source_batch_id) for p in Participant.objects.all()}
    again = run(path)
    assert (again.accepted, again.updated, again.rejected) == (0, 6, 0)
    after = {p.nik: (p.updated_at, p.source_batch_id) for p in Participant.objects.all()}
    assert after == before  # no row differed, so none was rewritten
    assert {b for _, b in after.values()} == {first.batch_id}


def test_region_operator_import_and_roster_without_occupation_keeps_stored_values(
    write_csv: Callable[..., Path], desa_user: Any, muba_rt: Any
) -> None:
    """A village operator's roster needs no village column; the village's kab defaults apply. A later roster
    without the position column gives no role, so nothing is defaulted and the stored values stay."""
    report = run(write_csv(["NIK,Nama,Jabatan", f"{RT},Siti,Ketua RT 03"]), user=desa_user)
    assert report.accepted == 1
    assert stored(RT) == ("PU", "apbdes", "JKK,JKM,JHT", 2, None)
    Participant.objects.filter(nik=RT).update(payer="mandiri")  # e.g. corrected on the participant page
    later = run(write_csv(["NIK,Nama", f"{RT},Siti"], name="v2.csv"), user=desa_user)
    assert later.updated == 1 and later.defaults_applied == dict.fromkeys(later.defaults_applied, 0)
    assert stored(RT) == ("PU", "mandiri", "JKK,JKM,JHT", 2, None)


def test_dry_run_reports_defaults(write_csv: Callable[..., Path], kab_user: Any) -> None:
    report = run(write_csv(lines()[:4]), user=kab_user, dry_run=True)
    assert (report.accepted, report.rejected) == (3, 0)
    assert report.defaults_applied["payer"] == 2  # Joko's payer came from the roster
    assert not Participant.objects.exists()


def test_a_recorded_payer_survives_a_reimport_but_not_a_roster_value(
    write_csv: Callable[..., Path], muba_rt: Any
) -> None:
    path = write_csv(lines())
    run(path)
    Participant.objects.filter(nik=RT_PLG).update(payer="apbd_provinsi", income=1_500_000)  # corrected by hand
    run(path)
    assert stored(RT_PLG)[1::3] == ("apbd_provinsi", 1_500_000)  # defaults do not override what is recorded
    run(write_csv([HEADER, f"{RT_PLG},Ani,Ketua RT 01,{PALEMBANG},,mandiri,,"]))
    assert stored(RT_PLG)[1] == "mandiri"  # the roster's own value does
