"""Domain words: village roles, ecosystems, default segments, programmes."""

from __future__ import annotations

import pytest

from ucj.registry.vocab import VILLAGE_ROLES, default_segment, ecosystem_for, programs_from, village_role


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
        ("PKL", "pasar"),
        ("Buruh Pasar", "pasar"),  # the market words come first
        ("Pelaku UMKM", "umkm"),
        ("Penjahit", "umkm"),
        ("Warung Kopi", "umkm"),
        ("Petani", "rentan"),
        ("Nelayan", "rentan"),
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
