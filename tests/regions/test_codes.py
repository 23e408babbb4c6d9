"""Kemendagri code rules (16 / 16.71 / 16.71.01 / 16.71.01.1001) and region-name matching keys."""

from __future__ import annotations

import pytest

from ucj.regions.codes import (
    LEVEL_DESA,
    LEVEL_KABKOTA,
    LEVEL_KECAMATAN,
    LEVEL_PROVINSI,
    common_ancestor,
    contains,
    level_of,
    lineage,
    name_key,
    normalize_code,
    parent_of,
)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1671011001", "16.71.01.1001"),
        ("16.71.01.1001", "16.71.01.1001"),
        ("16 71 01 1001", "16.71.01.1001"),
        ("16-71-01-1001", "16.71.01.1001"),
        (" '1671011001 ", "16.71.01.1001"),  # Excel text prefix
        ("167101", "16.71.01"),
        ("16 71 01", "16.71.01"),
        ("'1671", "16.71"),
        ("16", "16"),
        (1671, "16.71"),
    ],
)
def test_normalize_code(raw: object, code: str) -> None:
    assert normalize_code(raw) == code  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["", "1", "167", "16710", "1671011", "16710110011", "abc", "16.7", "16.71.1.1001", "16.71.01.1001x"]
)
def test_malformed_codes_are_none(raw: str) -> None:
    assert normalize_code(raw) is None


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("16", LEVEL_PROVINSI, None),
        ("16.71", LEVEL_KABKOTA, "16"),
        ("16.71.01", LEVEL_KECAMATAN, "16.71"),
        ("16.71.01.1001", LEVEL_DESA, "16.71.01"),
    ],
)
def test_level_and_parent(code: str, level: int, parent: str | None) -> None:
    assert (level_of(code), parent_of(code)) == (level, parent)


@pytest.mark.parametrize(
    ("ancestor", "code", "inside"),
    [
        ("16.71", "16.71.01.1001", True),
        ("16", "16.71.01.1001", True),
        ("16.71", "16.71", True),  # a region contains itself
        ("16.71.01.1001", "16.71.01.1001", True),
        ("16.7", "16.71", False),  # a prefix of the text is not an ancestor
        ("16.71", "16.72.01", False),
        ("16.71.01", "16.71", False),  # a child does not contain its parent
        ("16.71.01", "16.71.010.1001", False),
    ],
)
def test_contains(ancestor: str, code: str, inside: bool) -> None:
    assert contains(ancestor, code) is inside


def test_lineage_runs_from_the_province_down_to_the_code() -> None:
    assert lineage("16.71.01.1001") == ["16", "16.71", "16.71.01", "16.71.01.1001"]
    assert lineage("16") == ["16"]
    assert all(contains(a, "16.71.01.1001") for a in lineage("16.71.01.1001"))


@pytest.mark.parametrize(
    ("codes", "ancestor"),
    [
        (["16.71.01.1001", "16.71.02.1003"], "16.71"),
        (["16.71.01.1001", "16.71.01.1002"], "16.71.01"),
        (["16.71.01.1001", "16.06.01.2001"], "16"),
        (["16.71.01.1001"], "16.71.01.1001"),
        (["16.71", "16.71.01.1001"], "16.71"),
        (["16.71.01.1001", "31.71.01.1001"], None),
        ([], None),
    ],
)
def test_common_ancestor(codes: list[str], ancestor: str | None) -> None:
    assert common_ancestor(codes) == ancestor


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kel. Tiga-puluh-lima Ilir", "35 ILIR"),
        ("Tiga-puluh-lima Ilir", "Kelurahan 35 Ilir"),
        ("Ilir Barat II", "Ilir Barat Dua"),
        ("Kec. Ilir Barat II", "ILIR BARAT 2"),
        ("Tiga Belas Ilir", "13 Ilir"),
        ("Sebelas Ilir", "11 Ilir"),
        ("Sepuluh Ulu", "10 Ulu"),
        ("Dua Puluh Ilir", "20 Ilir"),
        ("Seberang Ulu Satu", "Seberang Ulu I"),
        ("Desa Sukamaju", "Suka Maju"),
        ("Ds. Sukarami", "SUKARAMI"),
        ("Kabupaten Ogan Komering Ulu", "OGAN KOMERING ULU"),
        ("Kab. Musi Banyuasin", "Kabupaten Musi Banyuasin"),
        ("Kota Palembang", "Palembang"),
        ("Jenti'an", "Jentian"),
        ("Jénti'an", "JENTIAN"),
        ("Alang-alang Lebar", "Alang Alang Lebar"),
    ],
)
def test_name_keys_match(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [("Kel. Tiga-puluh-lima Ilir", "35ilir"), ("Ilir Barat II", "ilirbarat2"), ("Lumpatan 2", "lumpatan2"),
     ("Sukarami", "sukarami")],
)  # fmt: skip
def test_name_key_values(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ilir Barat I", "Ilir Barat II"), ("Tiga-puluh-lima Ilir", "Tiga-puluh-dua Ilir"), ("Sukarami", "Sukaramai"),
     ("Lumpatan", "Lumpatan 2")],
)  # fmt: skip
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)
