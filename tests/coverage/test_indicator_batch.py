"""One indicator call for many answers (issue 17 §1, §3, §5): a new version's answers are computed per month in
one :func:`~ucj.coverage.indicator.indicators` call over the regions of all of them, so a region's indicator
must not depend on which other regions the call holds. And the feed context of thousands of regions (every
kecamatan of a batch) is a lookup per region, with the same result as comparing every region with every feed
region, as the code before did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.coverage.test_indicator import data, feed, workforce
from ucj.coverage.facts import FACT_SCHEMA
from ucj.coverage.indicator import FEED_SCHEMA, TARGET_SCHEMA, feed_context, indicators
from ucj.regions.codes import contains

#: A small region tree: a province, two kab/kota, kecamatan and villages, and a second province.
CODES = ["16", "16.06", "16.71", "16.06.01", "16.06.02", "16.71.01", "16.06.01.2001", "16.06.02.2003",
         "16.71.01.1001", "15", "15.01", "15.01.01"]  # fmt: skip
MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)]


def feed_context_by_comparison(regions: list[str], feed_rows: pl.DataFrame) -> tuple[set[Any], set[Any]]:
    """The feed context as the code before computed it: every region against every feed region of a month."""
    pairs: set[tuple[str, dt.date, str]] = set()
    partial: set[tuple[str, dt.date]] = set()
    for month, codes in feed_rows.group_by("month").agg(pl.col("region").unique()).iter_rows():
        for code in regions:
            inside = {f for f in codes if contains(code, f)}
            inner = {c for c in inside if not any(contains(o, c) and c != o for o in inside)}
            if inner:
                pairs |= {(code, month, f) for f in inner}
            elif any(contains(f, code) for f in codes):
                partial.add((code, month))
    return pairs, partial


rows = st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(MONTHS), st.integers(0, 50)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(feed_rows=rows, regions=st.lists(st.sampled_from(CODES), unique=True, min_size=1))
def test_the_feed_context_equals_comparing_every_region_with_every_feed_region(
    feed_rows: list[tuple[str, dt.date, int]], regions: list[str]
) -> None:
    frame = feed(feed_rows)
    pairs, partial = feed_context(regions, frame)
    assert (set(pairs.iter_rows()), partial) == feed_context_by_comparison(regions, frame)


cells = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(MONTHS), st.sampled_from(["BPU", "PU"]),
              st.sampled_from(["desa", "rentan"]), st.integers(0, 50)),
    max_size=30,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    registry=cells, feed_rows=cells, as_of=st.sampled_from(MONTHS[6:]),
    definition=st.sampled_from(["eligible", "bpu_universe"]),
    workers=st.dictionaries(st.sampled_from(CODES), st.integers(1, 5_000), max_size=6),
    goals=st.dictionaries(st.sampled_from(CODES), st.tuples(st.integers(5, 60), st.none() | st.integers(1, 900)),
                          max_size=4),
)  # fmt: skip
def test_a_regions_indicator_does_not_depend_on_the_other_regions_of_the_call(
    registry: list[tuple[str, dt.date, str, str, int]], feed_rows: list[tuple[str, dt.date, str, str, int]],
    as_of: dt.date, definition: str, workers: dict[str, int], goals: dict[str, tuple[int, int | None]],
) -> None:  # fmt: skip
    """Any mix of segments and ecosystems, both definitions (the BPU one keeps a feed region's PU-only months at
    0), denominators and targets as rates or counts at any level."""
    everything = data(
        pl.DataFrame([(r, r.count(".") + 1, m, seg, eco, "mandiri", a) for r, m, seg, eco, a in registry],
                     schema=FACT_SCHEMA, orient="row"),
        pl.DataFrame([(r, m, seg, eco, "", a) for r, m, seg, eco, a in feed_rows], schema=FEED_SCHEMA, orient="row"),
        workforce([(code, 2024, d, n) for code, n in workers.items() for d in ("eligible", "bpu_universe")]),
        pl.DataFrame([(code, 2024, d, float(rate) if count is None else None, count, "RPJMD (test)")
                      for code, (rate, count) in goals.items() for d in ("eligible", "bpu_universe")],
                     schema=TARGET_SCHEMA, orient="row"),
    )  # fmt: skip
    together = {i.region: i for i in indicators(CODES, as_of, everything, definition)}
    for code in CODES:
        assert indicators([code], as_of, everything, definition)[0] == together[code], code
