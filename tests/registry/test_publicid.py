"""Opaque public ids: a keyed permutation of the primary key, 16 lowercase hex characters."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.registry import publicid

KEY = b"k" * 32
OTHER_KEY = b"another secret key"


@settings(max_examples=200)
@given(st.integers(1, publicid.MAX_ID))
def test_round_trip(pk: int) -> None:
    public = publicid.encode(pk, KEY)
    assert len(public) == 16 and public == public.lower() and int(public, 16) <= publicid.MAX_ID
    assert publicid.decode(public, KEY) == pk


@pytest.mark.parametrize("pk", [1, 2, 1000, publicid.MAX_ID])
def test_round_trip_at_the_edges(pk: int) -> None:
    assert publicid.decode(publicid.encode(pk, KEY), KEY) == pk


@pytest.mark.parametrize("pk", [0, -1, publicid.MAX_ID + 1])
def test_encode_refuses_ids_out_of_range(pk: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        publicid.encode(pk, KEY)


def test_consecutive_ids_look_unrelated() -> None:
    publics = [publicid.encode(pk, KEY) for pk in range(1, 101)]
    assert len(set(publics)) == 100
    assert publics != sorted(publics)
    assert all(abs(int(b, 16) - int(a, 16)) > 1 for a, b in itertools.pairwise(publics))


@settings(max_examples=50)
@given(st.integers(1, publicid.MAX_ID))
def test_different_keys_give_different_ids(pk: int) -> None:
    assert publicid.encode(pk, KEY) != publicid.encode(pk, OTHER_KEY)
    assert publicid.decode(publicid.encode(pk, KEY), OTHER_KEY) != pk


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("abc", id="short"),
        pytest.param("0123456789abcdef0", id="long"),
        pytest.param("not-hex-at-all!!", id="not-hex"),
        pytest.param("ffffffffffffffff", id="above-max"),
        pytest.param("4000000000000000", id="max-plus-one"),
        pytest.param("-000000000000001", id="minus-sign"),
        pytest.param("+000000000000001", id="plus-sign"),
        pytest.param("0x00000000000001", id="0x-prefix"),
        pytest.param(" 00000000000001 ", id="spaces"),
        pytest.param("0000_0000_000001", id="underscores"),
        pytest.param("\uff10" * 16, id="fullwidth-digits"),
    ],
)
def test_invalid_public_ids_decode_to_none(text: str) -> None:
    assert publicid.decode(text, KEY) is None


def test_only_the_spelling_encode_writes_is_accepted() -> None:
    public = publicid.encode(12345, KEY)
    assert public == "172c1eef8740485c"  # stable for a given key: URLs survive restarts
    assert publicid.decode(public, KEY) == 12345
    assert publicid.decode(public.upper(), KEY) is None
