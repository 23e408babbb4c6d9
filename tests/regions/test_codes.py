"""Kemendagri code rules and region-name matching keys."""

from __future__ import annotations

import pytest

from ucj.regions.codes import common_ancestor, contains, level_of, name_key, normalize_code, parent_of


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1671011001", "16.71.01.1001"), ("16.71.01.1001", "16.71.01.1001"), ("'1671", "16.71"), ("16", "16"),
     ("16 71 01", "16.71.01"), ("167", None), ("abc", None), ("", None)],
)  # fmt: skip
def test_normalize(raw: str, code: str | None) -> None:
    assert normalize_code(raw) == code


def test_hierarchy() -> None:
    assert level_of("16.71.01.1001") == 4 and parent_of("16.71.01.1001") == "16.71.01" and parent_of("16") is None
    assert contains("16.71", "16.71.01.1001") and contains("16.71", "16.71")
    assert not contains("16.7", "16.71") and not contains("16.71", "16.72.01")
    assert common_ancestor(["16.71.01.1001", "16.71.02.1003"]) == "16.71"
    assert common_ancestor(["16.71.01.1001", "16.06.01.2001"]) == "16"
    assert common_ancestor([]) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kel. Tiga-puluh-lima Ilir", "35 ILIR"), ("Ilir Barat II", "Ilir Barat Dua"), ("Desa Sukamaju", "Suka Maju"),
     ("Kabupaten Ogan Komering Ulu", "OGAN KOMERING ULU"), ("Tiga Belas Ilir", "13 Ilir"), ("Jenti'an", "Jentian")],
)  # fmt: skip
def test_name_keys_match(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
