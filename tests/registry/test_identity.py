"""Same person or another one on a NIK (ucj.registry.identity): the pure rule and its Polars twin agree."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ucj.registry.identity import differs_expr, name_key, name_key_expr, same_person

SAME = [
    ("Siti Aminah", "SITI AMINAH"),
    ("Siti Aminah", "Hj. Siti Aminah"),
    ("Siti Aminah", "Siti Aminah, S.Pd."),
    ("Siti Aminah", "HJ SITI AMINAH S.PD"),
    ("Agus Salim", "Agus Salim, S.Sos."),
    ("Budi Santoso", "Dr. Ir. Budi Santoso, M.Si."),
    ("Ahmad Fauzi", "Drs. H. Ahmad Fauzi, S.H."),
    ("Ahmad Fauzi", "H.Ahmad  Fauzi"),
    ("Nur Aini", "Nuraini"),
    ("Ma'ruf Amin", "Maruf Amin"),
    ("Muhammad Yusuf", "muhammad-yusuf"),
    ("José Rizal", "Jose Rizal"),
]
OTHER = [
    ("Siti Aminah", "Rina Wati"),
    ("Siti Aminah", "Siti Aminah Lubis"),  # another name part: a person decides
    ("Budi Santoso", "Budi Susanto"),
    ("Hasan", "Husin"),
    ("Sholeh", "Soleh"),  # spelling variants are not normalised: review, not silent overwrite
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert same_person(a, None, b, None)


@pytest.mark.parametrize(("a", "b"), OTHER)
def test_other_name(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)
    assert not same_person(a, None, b, None)


def test_birth_dates_count_only_when_both_are_known() -> None:
    d1, d2 = dt.date(1990, 1, 1), dt.date(1990, 1, 2)
    assert same_person("Siti", d1, "SITI", d1)
    assert not same_person("Siti", d1, "Siti", d2)
    assert same_person("Siti", d1, "Siti", None) and same_person("Siti", None, "Siti", d2)
    assert same_person("", d1, "Siti", d1)  # a blank name decides nothing


def test_polars_twin_agrees_with_the_pure_rule() -> None:
    names = [n for pair in SAME + OTHER for n in pair] + ["", "  ", "S.H.", "Hj."]
    keys = pl.DataFrame({"n": names}).select(name_key_expr(pl.col("n")))["n"].to_list()
    assert keys == [name_key(n) for n in names]


def test_vectorised_difference() -> None:
    d1, d2 = dt.date(1990, 1, 1), dt.date(1990, 1, 2)
    frame = pl.DataFrame(
        {
            "name": ["Hj. Siti Aminah", "Rina", "Siti", None, "Siti"],
            "stored": ["Siti Aminah", "Siti", "Siti", "Siti", "Siti"],
            "birth": [d1, d1, d2, d1, None],
            "stored_birth": [d1, d1, d1, d1, d1],
        }
    )
    out = frame.select(differs_expr("name", "stored", "birth", "stored_birth"))["name"].to_list()
    assert out == [False, True, True, False, False]
