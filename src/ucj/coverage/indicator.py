"""The coverage indicator (pure): covered workers, denominator, rate, target, gap, pace and projection.

**Which data counts (one rule).** For a region *C* and month *m*: BPJS's participation feed wins where it
exists, because it counts every active participant, also those no roster has reached UCJ. Feed regions of a
month are taken at their highest level (a province feed hides kab/kota feeds of the same month). Then

* *C* at or above feed regions: covered = the feed counts of the feed regions inside *C* + the registry count of
  the rest of *C* (registry of *C* minus registry of those feed regions);
* *C* inside a feed region (a kecamatan of a kab/kota with a feed): covered = the registry count of *C*; the
  feed cannot be split, and the result says so (``source = "registry-partial"``);
* no feed that month: the registry.

Every result says which source it used (``registry``, ``feed``, ``feed+registry``, ``registry-partial``).

**Pace and projection.** Pace = average monthly change over the last 3 and 6 months (``None`` without that
much history). The projection continues the 6-month pace (the 3-month pace when only 3 months exist) to the end
of the target year; the month the target is reached is the first month the projected count meets it.

**Target in force.** The target of the as-of year while months of it remain; in December (or when the year's
target is already the last month) the next year's target becomes the one to pace for. The year's own target is
always reported (met, surplus or gap). A region without its own target takes the rate of its nearest ancestor
that has one (``target_from`` says which).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from ucj.coverage.facts import DIMENSIONS, month_from_number, month_number

FEED_SCHEMA = {"region": pl.String, "month": pl.Date, "segment": pl.String, "ecosystem": pl.String,
               "payer": pl.String, "active": pl.Int64}  # fmt: skip
WORKFORCE_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "workers": pl.Int64,
                    "source": pl.String}  # fmt: skip
TARGET_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "rate": pl.Float64,
                 "count": pl.Int64, "source": pl.String}  # fmt: skip


@dataclass
class Data:
    """The inputs: registry facts (any level), feed rows, denominators and targets (Polars frames)."""

    registry: pl.DataFrame
    feed: pl.DataFrame
    workforce: pl.DataFrame
    targets: pl.DataFrame


@dataclass
class Target:
    year: int
    rate: float | None  # percent
    count: int | None
    source: str
    region: str  # the region whose target it is (an ancestor when inherited)
    gap: int | None = None
    surplus: int | None = None
    met: bool | None = None
    months_remaining: int | None = None
    pace_needed: int | None = None  # workers per remaining month
    projected: int | None = None  # covered at the end of the target year on the current trend
    projected_rate: float | None = None
    reached: str | None = None  # "YYYY-MM" on the current trend, "met", or None (not on this trend)


@dataclass
class Indicator:
    region: str
    as_of: str
    covered: int
    source: str
    definition: str
    denominator: int | None
    denominator_year: int | None
    denominator_source: str
    rate: float | None
    pace_3: float | None
    pace_6: float | None
    year_target: Target | None
    next_target: Target | None
    by_ecosystem: dict[str, dict[str, int | None]] = field(default_factory=dict)
    by_segment: dict[str, dict[str, int | None]] = field(default_factory=dict)
    by_payer: dict[str, dict[str, int | None]] = field(default_factory=dict)
    vulnerable_covered: int = 0
    vulnerable_total: int | None = None
    vulnerable_rate: float | None = None
    series: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(code: str, ancestor: str) -> bool:
    return code == ancestor or code.startswith(ancestor + ".")


def _top_level(codes: set[str]) -> set[str]:
    return {c for c in codes if not any(_inside(c, o) and c != o for o in codes)}


def covered_cells(regions: list[str], data: Data) -> pl.DataFrame:
    """Covered workers per region × month × dimensions, with the source used (see the module doc)."""
    feed = data.feed.cast(FEED_SCHEMA)  # type: ignore[arg-type]
    registry = data.registry.select("region", "month", *DIMENSIONS, "active")
    feed_regions: dict[dt.date, set[str]] = {}
    for month, codes in feed.group_by("month").agg(pl.col("region").unique()).iter_rows():
        feed_regions[month] = _top_level(set(codes))
    parts: list[pl.DataFrame] = []
    empty = pl.DataFrame(schema={**FEED_SCHEMA, "source": pl.String})
    for code in regions:
        parts.append(registry.filter(pl.col("region") == code).with_columns(
            pl.lit(code).alias("region"), pl.lit("registry").alias("source")))  # fmt: skip
        for month, fregions in feed_regions.items():
            if any(_inside(code, f) and code != f for f in fregions):
                continue  # inside a feed region: registry only (marked below)
            inner = [f for f in fregions if _inside(f, code)]
            if not inner:
                continue
            at = pl.col("month") == month
            parts.append(feed.filter(at & pl.col("region").is_in(inner)).with_columns(
                pl.lit(code).alias("region"), pl.lit("feed").alias("source")))  # fmt: skip
            parts.append(registry.filter(at & pl.col("region").is_in(inner)).with_columns(
                pl.lit(code).alias("region"), -pl.col("active"), pl.lit("registry").alias("source")))  # fmt: skip
    cells = pl.concat([p.select(list(empty.schema)) for p in parts]) if parts else empty
    partial = pl.DataFrame(
        [(c, m) for c in regions for m, fr in feed_regions.items() if any(_inside(c, f) and c != f for f in fr)],
        schema={"region": pl.String, "month": pl.Date}, orient="row",
    )  # fmt: skip
    return cells.join(partial.with_columns(pl.lit(True).alias("partial")), on=["region", "month"], how="left")


def _source(now: pl.DataFrame, partial: bool) -> str:
    if partial:
        return "registry-partial"
    if not (now["source"] == "feed").any():
        return "registry"
    rest = now.filter(pl.col("source") == "registry")["active"].sum()  # registry outside the feed regions
    return "feed+registry" if rest else "feed"


def _pick(frame: pl.DataFrame, region: str, year: int, definition: str, latest: bool = True) -> dict[str, Any] | None:
    rows = frame.filter((pl.col("region") == region) & (pl.col("definition") == definition))
    exact = rows.filter(pl.col("year") == year)
    if exact.height:
        return exact.row(0, named=True)
    if not latest:
        return None
    before = rows.filter(pl.col("year") < year).sort("year")
    return before.row(-1, named=True) if before.height else None


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _target(data: Data, region: str, year: int, definition: str, denominator: int | None) -> Target | None:
    targets = data.targets.cast(TARGET_SCHEMA)  # type: ignore[arg-type]
    for code in _ancestors(region):
        row = _pick(targets, code, year, definition, latest=False)
        if row is None:
            continue
        if code != region and row["rate"] is None:
            continue  # a count cannot be inherited by a smaller region
        rate = row["rate"]
        count = row["count"] if code == region else None
        if count is None and rate is not None and denominator is not None:
            count = math.ceil(Decimal(str(rate)) * denominator / 100)
        return Target(year, rate, count, row["source"], code)
    return None


def _months_between(a: dt.date, b: dt.date) -> int:
    return month_number(b) - month_number(a)


def _assess(t: Target, covered: int, as_of: dt.date, pace: float | None, denominator: int | None) -> Target:
    if t.count is None:
        return t
    end = dt.date(t.year, 12, 1)
    t.gap, t.surplus = max(0, t.count - covered), max(0, covered - t.count)
    t.met = covered >= t.count
    t.months_remaining = max(0, _months_between(as_of, end))
    if t.months_remaining:
        t.pace_needed = math.ceil(t.gap / t.months_remaining)
    if pace is not None:
        t.projected = max(0, round(covered + pace * t.months_remaining))
        if denominator:
            t.projected_rate = round(100 * t.projected / denominator, 2)
    if t.met:
        t.reached = "met"
    elif pace is not None and pace > 0:
        months = math.ceil(t.gap / pace)
        t.reached = f"{month_from_number(month_number(as_of) + months):%Y-%m}"
    return t


def _breakdown(cells: pl.DataFrame, dim: str, as_of: dt.date) -> dict[str, dict[str, int | None]]:
    six = month_from_number(month_number(as_of) - 6)
    now = cells.filter(pl.col("month") == as_of).group_by(dim).agg(pl.col("active").sum())
    then = cells.filter(pl.col("month") == six).group_by(dim).agg(pl.col("active").sum().alias("then"))
    has_then = cells.filter(pl.col("month") == six).height > 0
    out: dict[str, dict[str, int | None]] = {}
    for key, active, before in now.join(then, on=dim, how="full", coalesce=True).sort(dim).iter_rows():
        out[key or "tidak diketahui"] = {
            "covered": int(active or 0), "change_6": int((active or 0) - (before or 0)) if has_then else None,
        }  # fmt: skip
    return out


def indicators(
    regions: list[str], as_of: dt.date, data: Data, definition: str = "eligible",
    vulnerable_definition: str = "vulnerable",
) -> list[Indicator]:  # fmt: skip
    """The indicator for each region in ``regions`` as of the month of ``as_of``."""
    as_of = as_of.replace(day=1)
    cells = covered_cells(regions, data).filter(pl.col("month") <= as_of)
    workforce = data.workforce.cast(WORKFORCE_SCHEMA)  # type: ignore[arg-type]
    out = []
    for code in regions:
        mine = cells.filter(pl.col("region") == code)
        out.append(_one(code, mine, as_of, workforce, data, definition, vulnerable_definition))
    return out


def _one(code: str, cells: pl.DataFrame, as_of: dt.date, workforce: pl.DataFrame, data: Data, definition: str,
         vulnerable_definition: str) -> Indicator:  # fmt: skip
    totals = cells.group_by("month").agg(pl.col("active").sum()).sort("month")
    series = {m: int(a) for m, a in totals.iter_rows()}
    covered = series.get(as_of, 0)
    now = cells.filter(pl.col("month") == as_of)
    notes = []
    if not now.height:
        notes.append("Tidak ada data untuk bulan ini / no data for this month")

    def back(n: int) -> int | None:
        month = month_from_number(month_number(as_of) - n)
        first = min(series) if series else None
        return series.get(month, 0) if first is not None and first <= month else None

    pace_3 = (covered - b) / 3 if (b := back(3)) is not None else None
    pace_6 = (covered - b) / 6 if (b := back(6)) is not None else None
    pace = pace_6 if pace_6 is not None else pace_3
    den = _pick(workforce, code, as_of.year, definition)
    denominator = int(den["workers"]) if den else None
    if den is None:
        notes.append(f"Jumlah pekerja ({definition}) belum ada / no {definition} workforce for this region")
    rate = round(100 * covered / denominator, 2) if denominator else None
    year_t = _target(data, code, as_of.year, definition, denominator)
    if year_t:
        _assess(year_t, covered, as_of, pace, denominator)
    next_t = year_t
    if year_t is None or year_t.months_remaining == 0:
        next_t = _target(data, code, as_of.year + 1, definition, denominator)
        if next_t:
            _assess(next_t, covered, as_of, pace, denominator)
    vulnerable = _pick(workforce, code, as_of.year, vulnerable_definition)
    v_covered = int(now.filter(pl.col("ecosystem") == "rentan")["active"].sum())
    v_total = int(vulnerable["workers"]) if vulnerable else None
    partial = bool(now["partial"].fill_null(False).any()) if now.height else False
    return Indicator(
        region=code, as_of=f"{as_of:%Y-%m}", covered=covered, source=_source(now, partial),
        definition=definition, denominator=denominator, denominator_year=int(den["year"]) if den else None,
        denominator_source=den["source"] if den else "", rate=rate,
        pace_3=round(pace_3, 1) if pace_3 is not None else None,
        pace_6=round(pace_6, 1) if pace_6 is not None else None,
        year_target=year_t, next_target=next_t if next_t is not year_t else None,
        by_ecosystem=_breakdown(cells, "ecosystem", as_of), by_segment=_breakdown(cells, "segment", as_of),
        by_payer=_breakdown(cells, "payer", as_of), vulnerable_covered=v_covered, vulnerable_total=v_total,
        vulnerable_rate=round(100 * v_covered / v_total, 2) if v_total else None,
        series=[(f"{m:%Y-%m}", a) for m, a in series.items()], notes=notes,
    )  # fmt: skip
