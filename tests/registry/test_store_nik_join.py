"""Issue 17 §3: the store joins a batch with the stored rows, and looks NIKs up among others, through the NIK as a
64-bit number when every NIK is 16 digits (:func:`ucj.registry.store.nik_join`, :func:`~ucj.registry.store.nik_in`).
They must give exactly the rows, columns and answers of the same on the text, for valid NIKs and for anything else
a NIK column might hold."""

from __future__ import annotations

import random

import polars as pl
import pytest

from ucj.registry.store import nik_in, nik_join

HOSTILE = [
    "", " ", "\x00", "1606011301900044\x00", "+606011301900044", " 606011301900044", "0606011301900044",
    "606011301900044", "١٦٠٦٠١١٣٠١٩٠٠٠٤٤", "1606011301900044" * 40, "1606-0113-0190-0044", "18446744073709551615",
    "99999999999999999999", "1606011301900044 ", "1e15", "0x16060113019000",
]  # fmt: skip


def frames(rng: random.Random, niks: list[str | None]) -> tuple[pl.DataFrame, pl.DataFrame]:
    left_niks = rng.sample(niks, k=len(niks) * 2 // 3)
    right_niks = rng.sample(niks, k=len(niks) * 2 // 3)
    left = pl.DataFrame({"nik": left_niks, "name": [f"L{i}" for i in range(len(left_niks))],
                         "phone": [rng.choice(["0811", None, ""]) for _ in left_niks]})  # fmt: skip
    right = pl.DataFrame({"nik": right_niks, "name": [f"R{i}" for i in range(len(right_niks))],
                          "id": list(range(len(right_niks)))})  # fmt: skip
    return left, right


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all(), nulls_last=True)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("hostile", [False, True])
def test_the_numeric_join_equals_the_text_join(seed: int, hostile: bool) -> None:
    rng = random.Random(seed)
    niks: list[str | None] = list({f"{rng.randrange(10**15, 10**16)}" for _ in range(300)})
    if hostile:
        niks += [*HOSTILE, None]
    left, right = frames(rng, niks)
    for how in ("left", "inner"):
        for suffix in ("_right", "__stored"):
            fast = nik_join(left, right, how, suffix=suffix)
            plain = left.join(right, on="nik", how=how, suffix=suffix)  # type: ignore[arg-type]
            assert fast.columns == plain.columns and fast.schema == plain.schema
            assert ordered(fast).equals(ordered(plain))
    mask = nik_in(left["nik"], right["nik"])
    assert mask.equals(left["nik"].is_in(right["nik"].implode()), check_names=False)


def test_empty_sides() -> None:
    left = pl.DataFrame({"nik": ["1606011301900044"], "a": [1]})
    right = pl.DataFrame(schema={"nik": pl.String(), "b": pl.Int64()})
    for l_, r_ in ((left, right), (left.clear(), right), (left.clear(), pl.DataFrame({"nik": ["1"], "b": [2]}))):
        assert ordered(nik_join(l_, r_, "left")).equals(ordered(l_.join(r_, on="nik", how="left")))
