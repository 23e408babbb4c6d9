"""Domain words: village roles, ecosystems, default segments, programmes."""

from __future__ import annotations

import polars as pl
import pytest

from ucj.registry.vocab import (
    VILLAGE_ROLES,
    default_mapping,
    default_segment,
    ecosystem_for,
    ecosystems_for,
    programs_from,
    village_role,
)


@pytest.mark.parametrize(
    ("position", "role"),
    [
        ("Ketua BPD", "bpd"),
        ("Anggota BPD merangkap Ketua RT 02", "bpd"),  # the first matching role wins: BPD before RT
        ("Anggota BPD", "bpd"),
        ("Anggota Badan Permusyawaratan Desa", "bpd"),
        ("Kepala Desa", "kepala_desa"),
        ("KADES", "kepala_desa"),
        ("Pj. Kepala Desa", "kepala_desa"),
        ("Lurah", "kepala_desa"),
        ("Sekretaris Desa", "perangkat_desa"),
        ("Kaur Keuangan", "perangkat_desa"),
        ("Kasi Pemerintahan", "perangkat_desa"),
        ("Kepala Dusun III", "perangkat_desa"),
        ("Staf Kelurahan", "perangkat_desa"),
        ("Ketua RT 03", "rt"),
        ("RT 05", "rt"),
        ("Ketua RW", "rw"),
        ("Ketua RW 02", "rw"),
        ("Kader Posyandu", "lkd"),
        ("Ketua PKK", "lkd"),
        ("Anggota Linmas", "lkd"),
        ("Pedagang Sayur", None),
        ("Ibu Rumah Tangga", None),
        ("IRT", None),  # "rt" only as a word of its own
        ("Kartini", None),
        ("", None),
        (None, None),
    ],
)
def test_village_role(position: str | None, role: str | None) -> None:
    assert village_role(position) == role
    assert role is None or role in VILLAGE_ROLES


@pytest.mark.parametrize(
    ("position", "ecosystem"),
    [
        ("Pedagang Sayur", "pasar"),
        ("Kuli Pasar", "pasar"),
        ("PKL", "desa"),  # a village's street vendors are in the desa ecosystem (meeting report, issue 12 item 17)
        ("Pedagang Kaki Lima", "desa"),
        ("Pekerja Minimarket", "pasar"),  # modern markets too
        ("Buruh Pasar", "pasar"),  # the market words come first
        ("Pelaku UMKM", "umkm"),
        ("Penjahit", "umkm"),
        ("Warung Kopi", "umkm"),
        ("Petani", "rentan"),
        ("Nelayan", "desa"),  # a village's fishermen (meeting report, issue 12 item 17)
        ("Ojek", "rentan"),
        ("Buruh Harian Lepas", "rentan"),
        ("Guru Honorer", "lainnya"),
        ("", "lainnya"),
        (None, "lainnya"),
    ],
)
def test_ecosystem_from_occupation(position: str | None, ecosystem: str) -> None:
    assert ecosystem_for(position, None) == ecosystem


@pytest.mark.parametrize("role", VILLAGE_ROLES)
def test_every_village_role_is_in_the_desa_ecosystem(role: str) -> None:
    assert ecosystem_for("Pedagang", role) == "desa"


@pytest.mark.parametrize(
    ("role", "segment"),
    [("kepala_desa", "PU"), ("perangkat_desa", "PU"), ("bpd", "BPU"), ("rt", "BPU"), ("rw", "BPU"),
     ("lkd", "BPU"), (None, "BPU")],
)  # fmt: skip
def test_default_segment(role: str | None, segment: str) -> None:
    """Siltap earners (kepala and perangkat desa) are wage earners; everybody else is BPU."""
    assert default_segment(role) == segment


@pytest.mark.parametrize(
    ("text", "programs"),
    [
        ("JKK, JKM + JHT", ("JKK", "JKM", "JHT")),
        ("jkk-jkm", ("JKK", "JKM")),
        ("JHT JKK", ("JKK", "JHT")),  # in canonical order
        ("JKK/JKM/JHT/JP/JKP", ("JKK", "JKM", "JHT", "JP", "JKP")),
        ("JKP", ("JKP",)),  # not JP
        ("JP", ("JP",)),
        ("JKKM", None),
        ("tidak ada", None),
        ("", None),
        (None, None),
    ],
)
def test_programs_from(text: str | None, programs: tuple[str, ...] | None) -> None:
    assert programs_from(text) == programs


def test_desa_ecosystem_holds_fishermen_and_street_vendors_by_default() -> None:
    """Issue 12 item 17. The meeting report (shared/context, BPJS Kanwil Sumbagsel, 13 Dec 2024; domain.md §6):
    the desa ecosystem is "kepala desa, perangkat desa, BPD, RT RW, nelayan, pedagang kaki lima"; the pasar
    ecosystem the workers of traditional and modern markets. Before: Nelayan → rentan, PKL → pasar."""
    assert ecosystem_for("Nelayan", None) == ecosystem_for("Pedagang Kaki Lima", None) == "desa"
    assert ecosystem_for("Pedagang Kaki-Lima Keliling", None) == "desa"  # the longer keyword beats "pedagang"
    assert ecosystem_for("Pedagang Pasar Tradisional", None) == ecosystem_for("Pramuniaga Swalayan", None) == "pasar"
    table = default_mapping()
    assert set(table["region"]) == {""}  # shipped rows are the national default
    assert table.filter(table["keyword"] == "nelayan")["ecosystem"].to_list() == ["desa"]


def test_ecosystem_mapping_per_region_most_specific_wins() -> None:
    """Issue 12 item 17: a region's own row beats the default, the most specific region first. Hand-made table:
    national nelayan → desa; Kota Palembang (16.71) nelayan → rentan; kecamatan 16.71.01 nelayan → lainnya;
    Musi Banyuasin (16.06) pedagang → umkm. Rows: a Palembang fisherman outside 16.71.01 → rentan, inside →
    lainnya; a Muba fisherman → desa (national); a Muba "Pedagang Kaki Lima" → umkm (the region's row beats the
    longer national keyword); no desa code → national; a village role is always desa."""
    table = [("", "nelayan", "desa"), ("", "pedagang kaki lima", "desa"), ("16.71", "Nelayan", "rentan"),
             ("16.71.01", "nelayan", "lainnya"), ("16.06", "pedagang", "umkm")]  # fmt: skip
    rows = pl.DataFrame({
        "occupation": ["Nelayan", "Nelayan", "Nelayan", "Pedagang Kaki Lima", "Nelayan", "Nelayan", None, "Guru"],
        "village_role": [None, None, None, None, None, "rt", None, None],
        "desa_code": ["16.71.02.1001", "16.71.01.1003", "16.06.01.2001", "16.06.01.2001", None, "16.71.02.1001",
                      "16.06.01.2001", "16.06.01.2001"],
    })  # fmt: skip
    got = ecosystems_for(rows, pl.DataFrame(table, schema=["region", "keyword", "ecosystem"], orient="row"))
    assert got.to_list() == ["rentan", "lainnya", "desa", "umkm", "desa", "desa", "lainnya", "lainnya"]


def test_ecosystem_mapping_is_vectorised() -> None:
    """Issue 12 item 17: the mapping runs as joins over distinct values, not a Python call per row: 200,000
    rows of 4 occupations over 2 villages give the same answer as one call per distinct pair."""
    occupations = ["Nelayan", "Pedagang Pasar", "Petani", "Guru"]
    rows = pl.DataFrame({
        "occupation": [occupations[i % 4] for i in range(200_000)], "village_role": [None] * 200_000,
        "desa_code": [("16.06.01.2001", "16.71.01.1001")[i % 3 % 2] for i in range(200_000)],
    }, schema={"occupation": pl.String, "village_role": pl.String, "desa_code": pl.String})  # fmt: skip
    got = ecosystems_for(rows)
    expected = {o: ecosystem_for(o, None) for o in occupations}
    assert got.to_list() == [expected[o] for o in rows["occupation"]]
    assert expected == {"Nelayan": "desa", "Pedagang Pasar": "pasar", "Petani": "rentan", "Guru": "lainnya"}
