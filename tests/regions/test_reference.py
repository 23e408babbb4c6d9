"""ucj.regions.reference: the kecamatan prefixes of the NIK check come from lokal's province/kab/kecamatan table
without loading the 83,762 villages (issue 17 §2), and are the same set as walking the region tree."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ucj.regions import reference


def test_kecamatan_prefixes_are_those_of_the_region_tree(monkeypatch: Any) -> None:
    walked = frozenset(
        w.code.replace(".", "")
        for p in reference.wilayah.list_wilayah(None)
        for k in reference.wilayah.list_wilayah(p.code)
        for w in reference.wilayah.list_wilayah(k.code)
    )
    assert reference.kecamatan_prefixes.__wrapped__() == walked
    assert len(walked) == 7_285 and "160601" in walked
    # a lokal without the private table: the walk
    monkeypatch.setattr(reference, "wilayah", SimpleNamespace(list_wilayah=reference.wilayah.list_wilayah))
    assert reference.kecamatan_prefixes.__wrapped__() == walked
