"""Rosters may name an ecosystem unit (issue 13 §4): a "Nama Pasar"/"Kelompok" column fills the participant's unit,
a blank cell keeps it, and each unit shows the workers the registry knows vs those covered (active)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ucj.commitments import services
from ucj.registry.columns import field_for
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

SUKARAMI = "16.06.01.2001"


def test_headers_that_name_a_unit() -> None:
    assert {field_for(h) for h in ("Pasar", "Nama Pasar", "Kelompok", "NAMA KELOMPOK", "Unit")} == {"unit_name"}


def test_roster_unit_column_and_unit_rows(db: Any) -> None:
    paid = (dt.date.today() + dt.timedelta(days=40)).isoformat()  # active now
    roster = ("NIK,Nama,Kode Desa,Pekerjaan,Nama Pasar,Dibayar Sampai\n"
              f"1606014101900012,Siti Aminah,{SUKARAMI},Pedagang Pasar,Pasar Sekayu,{paid}\n"
              f"1606011505850003,Budi Santoso,{SUKARAMI},Pedagang Pasar,pasar sekayu,2020-01-31\n"
              f"1606010101800001,Rahmat,{SUKARAMI},Pedagang Pasar,Pasar Lain,{paid}\n")  # fmt: skip
    report = import_roster(roster.encode(), "pasar.csv")
    assert report.rejected == 0, report
    assert Participant.objects.get(nik="1606014101900012").unit_name == "Pasar Sekayu"
    services.create_unit(None, {"kind": "pasar", "name": "Pasar Sekayu", "subtype": "tradisional", "desa": SUKARAMI,
                                "workers": 2})  # fmt: skip
    rows = services.unit_rows(None, "16.06")
    assert [(r["name"], r["known"], r["covered"], r["unit_covered"], r["covered_pct"]) for r in rows] == [
        ("Pasar Sekayu", 2, 1, False, 50.0)]  # fmt: skip
    again = "NIK,Nama,Kode Desa,Nama Pasar\n1606014101900012,Siti Aminah,16.06.01.2001,\n"
    import_roster(again.encode(), "ulang.csv")
    assert Participant.objects.get(nik="1606014101900012").unit_name == "Pasar Sekayu"  # a blank cell keeps it
