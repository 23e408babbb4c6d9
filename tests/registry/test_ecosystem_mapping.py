"""The occupation → ecosystem mapping per region as configuration (issue 12 item 17): the shipped default in the
database, a region's own rows loaded by ``ucj import ecosystems`` (admin only, audited, all or nothing) and the
roster import applying them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ucj.accounts.models import AuditEvent
from ucj.cli.main import app
from ucj.registry.models import EcosystemRule, Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
PALEMBANG_KEL = "16.71.01.1001"  # a kelurahan of Kota Palembang


def nik(day: int, serial: int, kec: str) -> str:
    return f"{kec}{day:02d}0190{serial:04d}"


def roster(write_csv: Callable[..., Path]) -> Path:
    return write_csv([
        "NIK,Nama,Tgl Lahir,L/P,Jabatan,Kode Desa",
        f"{nik(1, 1, '160601')},Ahmad Nelayan,01-01-1990,L,Nelayan,{SUKARAMI}",
        f"{nik(2, 2, '160601')},Budi Pkl,02-01-1990,L,Pedagang Kaki Lima,{SUKARAMI}",
        f"{nik(3, 3, '160601')},Cici Pasar,03-01-1990,L,Pedagang Pasar,{SUKARAMI}",
        f"{nik(4, 4, '167101')},Dedi Nelayan,04-01-1990,L,Nelayan,{PALEMBANG_KEL}",
    ], name="nelayan.csv")  # fmt: skip


def ecosystems() -> dict[str, str]:
    return dict(Participant.objects.values_list("name", "ecosystem"))


def test_shipped_default_is_in_the_database_and_applied(write_csv: Callable[..., Path]) -> None:
    """Meeting report (shared/context; domain.md §6): the desa ecosystem holds a village's fishermen and street
    vendors; market workers are pasar. Migration registry 0004 loads the shipped rows (42 national rows of
    registry/data/ecosystem_mapping.csv). Before: Nelayan → rentan, PKL → pasar."""
    assert EcosystemRule.objects.filter(region__isnull=True).count() == 42
    assert EcosystemRule.objects.get(region__isnull=True, keyword="nelayan").ecosystem == "desa"
    import_roster(roster(write_csv).read_bytes(), "nelayan.csv")
    assert ecosystems() == {"Ahmad Nelayan": "desa", "Budi Pkl": "desa", "Cici Pasar": "pasar",
                            "Dedi Nelayan": "desa"}  # fmt: skip


def test_a_regions_rows_beat_the_default(write_csv: Callable[..., Path], tmp_path: Path, admin_user: Any,
                                         make_user: Callable[..., Any]) -> None:  # fmt: skip
    """Kota Palembang (16.71) has no desa: its fishermen are counted as rentan there, and its market traders
    are kept in pasar by the default. Hand expectation: Palembang's Dedi → rentan (the region's row), Sukarami's
    Ahmad → desa (national default). Loading is admin only, audited, all or nothing."""
    mapping = tmp_path / "map.csv"
    mapping.write_text("region;keyword;ecosystem;source\n16.71;Nelayan;rentan;Perwali (contoh)\n", encoding="utf-8")
    runner = CliRunner()
    kab = make_user("kabkota", "16.06")
    refused = runner.invoke(app, ["import", "ecosystems", str(mapping), "--user", kab.username, "--json"])
    assert refused.exit_code != 0 and not EcosystemRule.objects.filter(region_id="16.71").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("region,keyword,ecosystem\n16.71,nelayan,laut\n99.99,petani,rentan\n", encoding="utf-8")
    rejected = runner.invoke(app, ["import", "ecosystems", str(bad), "--user", admin_user.username, "--json"])
    assert rejected.exit_code != 0 and "line 2" in rejected.output and "line 3" in rejected.output
    assert not EcosystemRule.objects.filter(region_id="16.71").exists()  # all or nothing
    ok = runner.invoke(app, ["import", "ecosystems", str(mapping), "--user", admin_user.username, "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["created"] == 1
    assert EcosystemRule.objects.get(region_id="16.71", keyword="nelayan").ecosystem == "rentan"
    assert AuditEvent.objects.filter(action="ecosystem_mapping.load").exists()
    import_roster(roster(write_csv).read_bytes(), "nelayan.csv")
    assert ecosystems()["Dedi Nelayan"] == "rentan" and ecosystems()["Ahmad Nelayan"] == "desa"
