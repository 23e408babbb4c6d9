"""Resolving each roster row's village against the real Sumsel reference list (no database)."""

from __future__ import annotations

import polars as pl
import pytest

from ucj.regions.reference import iter_reference
from ucj.registry.regionmatch import VILLAGE_COLUMNS, Resolution, VillageIndex, resolve_villages, villages_frame

TIGA_PULUH_LIMA_ILIR = "16.71.01.1001"  # Kel. 35 Ilir, Kec. Ilir Barat Dua, Kota Palembang
SUKARAMI_SEKAYU = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
SUKAMAJU_SAKO = "16.71.08.1001"  # Kel. Sukamaju, Kec. Sako, Kota Palembang


@pytest.fixture(scope="module")
def villages() -> pl.DataFrame:
    return villages_frame([(r.code, r.name) for r in iter_reference("16")])


@pytest.fixture(scope="module")
def all_codes(villages: pl.DataFrame) -> set[str]:
    return set(villages["code"].to_list())


@pytest.fixture(scope="module")
def index(villages: pl.DataFrame) -> VillageIndex:
    return VillageIndex(villages)


def test_villages_frame_has_one_row_per_desa_with_parent_names(villages: pl.DataFrame) -> None:
    assert villages.columns == list(VILLAGE_COLUMNS)
    assert villages.height == 3259 and villages["code"].is_unique().all()
    assert villages["code"].str.count_matches(r"\.").eq(3).all()  # only desa/kelurahan
    row = villages.filter(pl.col("code") == TIGA_PULUH_LIMA_ILIR).row(0, named=True)
    assert row == {
        "code": TIGA_PULUH_LIMA_ILIR, "name": "Tiga-puluh-lima Ilir", "name_key": "35ilir",
        "kec_code": "16.71.01", "kec_name": "Ilir Barat Dua", "kec_key": "ilirbarat2",
        "kab_code": "16.71", "kab_name": "Kota Palembang", "kab_key": "palembang",
    }  # fmt: skip


# --- by code -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["16.71.01.1001", "1671011001", "16 71 01 1001", "'1671011001"])
def test_by_code(index: VillageIndex, all_codes: set[str], text: str) -> None:
    assert index.resolve(text, None, None, None, all_codes) == Resolution(TIGA_PULUH_LIMA_ILIR)


def test_code_wins_over_names(index: VillageIndex, all_codes: set[str]) -> None:
    assert index.resolve("1671011001", "Sukarami", "Sekayu", None, all_codes).code == TIGA_PULUH_LIMA_ILIR


@pytest.mark.parametrize("text", ["16.71.01", "1671", "16", "abc", "16.71.01.10011"])
def test_code_that_is_not_a_village_code(index: VillageIndex, all_codes: set[str], text: str) -> None:
    assert index.resolve(text, None, None, None, all_codes) == Resolution(None, "REGION_NOT_VILLAGE", text)


def test_unknown_village_code(index: VillageIndex, all_codes: set[str]) -> None:
    assert index.resolve("1671019999", None, None, None, all_codes) == Resolution(
        None, "REGION_UNKNOWN", "16.71.01.9999", "-"
    )


# --- by names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desa", "kec", "kab", "code"),
    [
        ("35 Ilir", "Ilir Barat II", None, TIGA_PULUH_LIMA_ILIR),
        ("Kel. 35 Ilir", "Kec. Ilir Barat Dua", "Kota Palembang", TIGA_PULUH_LIMA_ILIR),
        ("TIGA PULUH LIMA ILIR", None, None, TIGA_PULUH_LIMA_ILIR),  # unique in Sumsel: no kecamatan needed
        ("Desa Sukarami", "Sekayu", None, SUKARAMI_SEKAYU),
        ("Sukarami", "Sekayu", "Kab. Musi Banyuasin", SUKARAMI_SEKAYU),
        ("Sukamaju", "Sako", None, SUKAMAJU_SAKO),
    ],
)
def test_by_names(
    index: VillageIndex, all_codes: set[str], desa: str, kec: str | None, kab: str | None, code: str
) -> None:
    assert index.resolve(None, desa, kec, kab, all_codes) == Resolution(code)


def test_same_name_in_several_places_is_ambiguous_and_lists_candidates(
    index: VillageIndex, all_codes: set[str]
) -> None:
    result = index.resolve(None, "Sukamaju", None, None, all_codes)
    assert (result.code, result.error, result.value) == (None, "REGION_AMBIGUOUS", "Sukamaju")
    candidates = result.extra.split("; ")
    assert len(candidates) == 5  # the first five by code, of the eleven in Sumsel
    assert candidates[0] == "Sukamaju, Kec. Baturaja Barat, Kabupaten Ogan Komering Ulu (16.01.13.2012)"
    assert candidates[4] == "Suka Maju, Kec. Plakat Tinggi, Kabupaten Musi Banyuasin (16.06.10.2005)"


def test_unknown_name_suggests_close_candidates(index: VillageIndex, all_codes: set[str]) -> None:
    # two letters off (one letter off is read with a warning: REGION_NAME_NEAR, below)
    result = index.resolve(None, "Sukarammii", "Sekayu", None, all_codes)
    assert (result.code, result.error, result.value) == (None, "REGION_UNKNOWN", "Sukarammii, Kec. Sekayu")
    assert result.extra == "Sukarami, Kec. Sekayu, Kabupaten Musi Banyuasin (16.06.01.2001)"


def test_unknown_name_without_close_candidates(index: VillageIndex, all_codes: set[str]) -> None:
    result = index.resolve(None, "Antah Berantah", "Sekayu", None, all_codes)
    assert result == Resolution(None, "REGION_UNKNOWN", "Antah Berantah, Kec. Sekayu", "-")


def test_wrong_kabupaten_makes_a_known_name_unknown(index: VillageIndex, all_codes: set[str]) -> None:
    result = index.resolve(None, "Sukarami", "Sekayu", "Kota Palembang", all_codes)
    assert (result.error, result.value) == ("REGION_UNKNOWN", "Sukarami, Kec. Sekayu, Kota Palembang")
    assert result.extra.endswith(f"({SUKARAMI_SEKAYU})")


def test_nothing_to_go_on(index: VillageIndex, all_codes: set[str]) -> None:
    assert index.resolve(None, None, None, None, all_codes) == Resolution(None, "REGION_MISSING")


# --- upload scope ------------------------------------------------------------------------------------


def test_code_outside_the_scope(villages: pl.DataFrame, all_codes: set[str]) -> None:
    index = VillageIndex(villages, "16.71")
    assert index.resolve(SUKARAMI_SEKAYU, None, None, None, all_codes) == Resolution(
        None, "REGION_OUTSIDE", SUKARAMI_SEKAYU, "16.71"
    )
    assert index.resolve(TIGA_PULUH_LIMA_ILIR, None, None, None, all_codes) == Resolution(TIGA_PULUH_LIMA_ILIR)


def test_code_outside_the_scope_is_unknown_without_the_list_of_all_codes(villages: pl.DataFrame) -> None:
    index = VillageIndex(villages, "16.71")
    assert index.resolve(SUKARAMI_SEKAYU, None, None, None, set()).error == "REGION_UNKNOWN"


def test_desa_scope_fixes_the_village_when_the_row_names_none(villages: pl.DataFrame, all_codes: set[str]) -> None:
    index = VillageIndex(villages, SUKARAMI_SEKAYU)
    assert index.resolve(None, None, None, None, all_codes) == Resolution(SUKARAMI_SEKAYU)
    assert index.resolve(None, "Sukarami", "Sekayu", None, all_codes) == Resolution(SUKARAMI_SEKAYU)
    assert index.resolve(TIGA_PULUH_LIMA_ILIR, None, None, None, all_codes).error == "REGION_OUTSIDE"


def test_wider_scope_does_not_fix_the_village(villages: pl.DataFrame, all_codes: set[str]) -> None:
    index = VillageIndex(villages, "16.06")
    assert index.resolve(None, None, None, None, all_codes) == Resolution(None, "REGION_MISSING")


@pytest.mark.parametrize(("scope", "code"), [("16.71", SUKAMAJU_SAKO), ("16.01", "16.01.13.2012")])
def test_scope_narrows_name_matching(villages: pl.DataFrame, all_codes: set[str], scope: str, code: str) -> None:
    """Eleven Sumsel villages are called Sukamaju, but only one lies in Palembang and one in OKU."""
    assert VillageIndex(villages, scope).resolve(None, "Sukamaju", None, None, all_codes) == Resolution(code)


def test_names_outside_the_scope_are_not_found(villages: pl.DataFrame, all_codes: set[str]) -> None:
    result = VillageIndex(villages, "16.06").resolve(None, "35 Ilir", None, None, all_codes)
    assert (result.error, result.value) == ("REGION_UNKNOWN", "35 Ilir")


# --- whole frames ------------------------------------------------------------------------------------


def test_resolve_villages_adds_one_result_per_combination(villages: pl.DataFrame, all_codes: set[str]) -> None:
    combos = pl.DataFrame(
        {
            "code_text": ["1671011001", None, None, "16.71.01"],
            "desa": [None, "35 Ilir", "Sukamaju", None],
            "kec": [None, "Ilir Barat II", None, None],
            "kab": [None, None, None, None],
        },
        schema={k: pl.String for k in ("code_text", "desa", "kec", "kab")},
    )
    out = resolve_villages(combos, villages, None, all_codes)
    assert out.columns == ["code_text", "desa", "kec", "kab", "desa_code", "region_error", "region_value",
                           "region_extra"]  # fmt: skip
    assert out["desa_code"].to_list() == [TIGA_PULUH_LIMA_ILIR, TIGA_PULUH_LIMA_ILIR, None, None]
    assert out["region_error"].to_list() == [None, None, "REGION_AMBIGUOUS", "REGION_NOT_VILLAGE"]
    assert out["region_value"].to_list() == ["", "", "Sukamaju", "16.71.01"]


# --- a village name one letter off (issue 16 item 3) ------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "near"), [
    ("sukarame", "sukarami", True), ("sukarmi", "sukarami", True), ("sukaraami", "sukarami", True),
    ("sukarami", "sukarami", False), ("sukamaju", "sukarami", False), ("", "a", True), ("ab", "ba", False),
])  # fmt: skip
def test_one_edit_apart(a: str, b: str, near: bool) -> None:
    from ucj.registry.regionmatch import one_edit_apart

    assert one_edit_apart(a, b) is near and one_edit_apart(b, a) is near


def test_one_letter_off_in_the_operators_desa_is_read_with_a_warning(villages: pl.DataFrame) -> None:
    index = VillageIndex(villages, SUKARAMI_SEKAYU)  # a village operator's upload
    got = index.resolve(None, "Sukarame", None, None, set())
    assert (got.code, got.error, got.value) == (SUKARAMI_SEKAYU, "REGION_NAME_NEAR", "Sukarame")
    assert got.extra == "Sukarami, Kec. Sekayu, Kabupaten Musi Banyuasin (16.06.01.2001)"


def test_one_letter_off_with_the_kecamatan_named_is_read_too(index: VillageIndex) -> None:
    got = index.resolve(None, "Sukaramy", "Sekayu", None, set())
    assert (got.code, got.error) == (SUKARAMI_SEKAYU, "REGION_NAME_NEAR")


def test_across_a_province_it_is_only_suggested(index: VillageIndex) -> None:
    got = index.resolve(None, "Sukaramy", None, "Musi Banyuasin", set())
    assert got.code is None and got.error == "REGION_UNKNOWN"
    assert "Sukarami, Kec. Sekayu" in got.extra  # the rejection names the candidate
