"""Kelurahan are not desa (issue 12 item 3): the roster findings, the bill refusal through the service, the demo.

Source: Kemendagri codes, 4th segment starting with 1 = kelurahan (shared/domain.md §4.1); a kelurahan has no
APBDes, BPD or kepala desa and its RT/RW are paid from the kab/kota APBD (shared/domain.md §6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from ucj.demo.synth import synthetic_roster
from ucj.registry.issues import ISSUE_TYPES

KELURAHAN = "16.71.01.1001"  # Kel. 35 Ilir, Kota Palembang
DESA = "16.06.01.2001"  # Desa Sukarami, Musi Banyuasin


def test_the_finding_codes_are_warnings_in_both_languages() -> None:
    for code in ("KELURAHAN_VILLAGE_ROLE", "KELURAHAN_APBDES"):
        kind = ISSUE_TYPES[code]
        assert kind.severity == "warning" and "kelurahan" in kind.id and "kelurahan" in kind.en


def test_a_kelurahan_roster_naming_a_kepala_desa_or_apbdes_gets_warnings(write_csv: Any) -> None:
    """Rows 2–3 (kelurahan: 'Kepala Desa'; payer APBDes) are flagged; row 4 (a desa) is not; all are kept."""
    from ucj.regions.reference import iter_reference
    from ucj.registry.reader import read_roster
    from ucj.registry.regionmatch import villages_frame
    from ucj.registry.validate import validate_roster

    path = write_csv(["NIK,Nama,Jabatan,Kode Desa,Pembayar",
                      f"1671014101900012,Siti Aminah,Kepala Desa,{KELURAHAN},",
                      f"1671014101900013,Ani Lestari,Ketua RT,{KELURAHAN},APBDes",
                      f"1606014101900014,Budi Santoso,Kepala Desa,{DESA},APBDes"])  # fmt: skip
    villages = villages_frame([(r.code, r.name) for r in iter_reference("16")])
    validated = validate_roster(read_roster(path.read_bytes(), path.name), villages,
                                all_codes=set(villages["code"]), today=dt.date(2026, 11, 30))  # fmt: skip
    found = {(f.row, f.code) for f in validated.findings_list() if f.code.startswith("KELURAHAN")}
    assert found == {(2, "KELURAHAN_VILLAGE_ROLE"), (3, "KELURAHAN_APBDES")}
    assert not validated.rows["rejected"].any()


@pytest.mark.django_db
def test_the_bill_service_refuses_apbdes_for_a_kelurahan(admin_user: Any) -> None:
    from ucj.contributions.bills import BillRefused, create_bill

    with pytest.raises(BillRefused, match="kelurahan"):
        create_bill(admin_user, "apbdes", KELURAHAN, dt.date(2024, 3, 1))


def test_the_demo_roster_has_no_village_offices_in_kelurahan() -> None:
    """The synthetic roster puts no kepala desa, perangkat desa or BPD in a kelurahan (so the import's defaults
    bill none of them to APBDes)."""
    roster = synthetic_roster(3_000, [KELURAHAN, "16.71.01.1002", DESA], seed=3, error_rate=0)
    in_kelurahan = roster.filter(pl.col("Kode Desa").str.contains(r"^\d{2}\.\d{2}\.\d{2}\.1"))
    offices = {"Kepala Desa", "Sekretaris Desa", "Kaur Keuangan", "Kasi Pemerintahan", "Kepala Dusun", "Anggota BPD"}
    assert in_kelurahan.height > 0 and not set(in_kelurahan["Jabatan"]) & offices
    assert set(roster.filter(pl.col("Kode Desa") == DESA)["Jabatan"]) & offices  # desa keep them


@pytest.mark.django_db
def test_the_loaded_demo_bills_no_kelurahan_participant_to_apbdes() -> None:
    """After `ucj demo` (the real import with the national role defaults) no participant of a kelurahan is paid
    from APBDes; kelurahan RT/RW are paid by the kab/kota APBD."""
    from ucj.demo.loader import load_demo
    from ucj.registry.models import Participant

    load_demo()
    in_kelurahan = Participant.objects.filter(desa__code__regex=r"^\d{2}\.\d{2}\.\d{2}\.1")
    assert in_kelurahan.exists()
    assert not in_kelurahan.filter(payer="apbdes").exists()
    assert in_kelurahan.filter(village_role__in=["rt", "rw"], payer="apbd_kabkota").exists()
