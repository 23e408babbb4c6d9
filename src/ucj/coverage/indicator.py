"""The coverage indicator (pure): covered workers, denominator, rate, target, gap, pace and projection.

**Which data counts (one rule).** For a region *C* and month *m*: BPJS's participation feed wins where it
exists, because it counts every active participant, also those no roster has reached UCJ. Then

* feed regions inside *C* (or *C* itself): covered = the feed counts of the highest of them (a province feed
  hides kab/kota feeds of the same month) + the registry count of the rest of *C* (registry of *C* minus the
  registry of those feed regions);
* *C* strictly inside a feed region, with no feed of its own or below (a kecamatan of a kab/kota with a feed):
  covered = the registry count of *C*; the feed cannot be split, and the result says so
  (``source = "registry-partial"``);
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
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

import polars as pl

from ucj.coverage.facts import DIMENSIONS, month_from_number, month_number
from ucj.regions.codes import lineage

FEED_SCHEMA = {"region": pl.String, "month": pl.Date, "segment": pl.String, "ecosystem": pl.String,
               "payer": pl.String, "active": pl.Int64}  # fmt: skip
WORKFORCE_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "workers": pl.Int64,
                    "source": pl.String}  # fmt: skip
TARGET_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "rate": pl.Float64,
                 "count": pl.Int64, "source": pl.String}  # fmt: skip
#: Definitions whose numerator is not every covered worker but the participants of these segments. Bappenas
#: reference code 06.02.021 (shared/domain.md §3.1): BPU participants in JKK & JKM ÷ the BPU universe (informal
#: workers) × 100. JKK and JKM are the base package every BPU participant has (domain.md §1.5), so the BPU
#: segment is the numerator; the registry and the feed both carry the segment.
NUMERATOR_SEGMENTS: dict[str, tuple[str, ...]] = {"bpu_universe": ("BPU",)}
#: What a missing denominator means, per definition (the generic note otherwise).
MISSING_DENOMINATOR = {
    "bpu_universe": "Semesta PBPU (pekerja informal) belum dimuat untuk wilayah ini: indikator Bappenas 06.02.021 "
    "tidak dapat dihitung; muat dengan 'ucj coverage load-workforce' (definisi bpu_universe) / no BPU universe "
    "(informal workers) loaded for this region: the Bappenas indicator 06.02.021 cannot be computed; load one with "
    "'ucj coverage load-workforce' (definition bpu_universe)",
}


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
        """Plain data for JSON and the cache (shallow: ``dataclasses.asdict`` deep-copies every series)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("year_target", "next_target"):
            out[name] = asdict(out[name]) if out[name] is not None else None
        return out


def _top_level(codes: set[str]) -> set[str]:
    """The codes with no ancestor among ``codes`` (a lookup per ancestor, not a comparison with every code)."""
    return {c for c in codes if not any(a in codes for a in lineage(c)[:-1])}


_PAIRS = {"region": pl.String, "month": pl.Date, "feed_region": pl.String}


def feed_context(regions: list[str], feed: pl.DataFrame) -> tuple[pl.DataFrame, set[tuple[str, dt.date]]]:
    """Which feed regions stand for each asked region per month (the highest feed regions inside it), and the
    (region, month) pairs that lie strictly inside a feed region without one of their own (registry-partial)."""
    pairs: list[tuple[str, dt.date, str]] = []
    partial: set[tuple[str, dt.date]] = set()
    for month, codes in feed.group_by("month").agg(pl.col("region").unique()).iter_rows():
        # Each feed region under each of its ancestors (and itself): a lookup per asked region instead of a
        # scan of the month's feed regions, which a batch of every kecamatan in Indonesia would make quadratic.
        # ``fed`` (the feed regions themselves) is not ``below``, whose keys are their ancestors too.
        below: dict[str, set[str]] = {}
        for f in codes:
            for a in lineage(f):
                below.setdefault(a, set()).add(f)
        fed = set(codes)
        for code in regions:
            inner = below.get(code)
            if inner:
                pairs += [(code, month, f) for f in _top_level(inner)]
            elif any(a in fed for a in lineage(code)):
                partial.add((code, month))
    return pl.DataFrame(pairs, schema=_PAIRS, orient="row"), partial


def covered_cells(regions: list[str], data: Data, pairs: pl.DataFrame | None = None) -> pl.DataFrame:
    """Covered workers per region × month × dimensions, with the source used (see the module doc): the
    registry of each region, plus the feed of the feed regions inside it, minus their registry counts."""
    feed = data.feed.cast(FEED_SCHEMA)  # type: ignore[arg-type]
    if pairs is None:
        pairs = feed_context(regions, feed)[0]
    columns = ["region", "month", *DIMENSIONS, "active", "source"]
    registry = data.registry.select("region", "month", *DIMENSIONS, "active")
    asked = pl.DataFrame({"region": regions}, schema={"region": pl.String})
    own = registry.join(asked, on="region", how="semi").with_columns(pl.lit("registry").alias("source"))
    by_feed = pairs.rename({"region": "asked", "feed_region": "region"})
    fed = feed.join(by_feed, on=["region", "month"])
    minus = registry.join(by_feed, on=["region", "month"]).with_columns(-pl.col("active"))
    return pl.concat([
        own.select(columns),
        fed.with_columns(pl.col("asked").alias("region"), pl.lit("feed").alias("source")).select(columns),
        minus.with_columns(pl.col("asked").alias("region"), pl.lit("registry").alias("source")).select(columns),
    ])  # fmt: skip


def _source(has_feed: bool, rest: int, partial: bool) -> str:
    if partial:
        return "registry-partial"
    if not has_feed:
        return "registry"
    return "feed+registry" if rest else "feed"  # rest: the registry outside the feed regions


class _Index:
    """Denominator or target rows by (region, definition), years ascending: lookups without frame filters."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in frame.sort("year").iter_rows(named=True):
            self.rows.setdefault((row["region"], row["definition"]), []).append(row)

    def pick(self, region: str, year: int, definition: str, latest: bool = True) -> dict[str, Any] | None:
        """The row of ``year``; else (``latest``) the row of the latest earlier year."""
        rows = self.rows.get((region, definition), [])
        exact = [r for r in rows if r["year"] == year]
        if exact or not latest:
            return exact[0] if exact else None
        before = [r for r in rows if r["year"] < year]
        return before[-1] if before else None


def _target(targets: _Index, region: str, year: int, definition: str, denominator: int | None) -> Target | None:
    for code in reversed(lineage(region)):  # the region first, then its nearest ancestor
        row = targets.pick(code, year, definition, latest=False)
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
    end = dt.date(t.year, 12, 1)
    t.months_remaining = max(0, _months_between(as_of, end))
    if pace is not None:  # the trend line's end point, also where the target has no count (no denominator)
        t.projected = max(0, round(covered + pace * t.months_remaining))
        if denominator:
            t.projected_rate = round(100 * t.projected / denominator, 2)
    if t.count is None:
        return t
    t.gap, t.surplus = max(0, t.count - covered), max(0, covered - t.count)
    t.met = covered >= t.count
    if t.months_remaining:
        t.pace_needed = math.ceil(t.gap / t.months_remaining)
    if t.met:
        t.reached = "met"
    elif pace is not None and pace > 0:
        months = math.ceil(t.gap / pace)
        t.reached = f"{month_from_number(month_number(as_of) + months):%Y-%m}"
    return t


Breakdowns = dict[str, dict[str, dict[str, dict[str, int | None]]]]  # dimension → region → key → figures


def _breakdowns(cells: pl.DataFrame, as_of: dt.date, has_then: set[str]) -> Breakdowns:
    """Covered per ecosystem, segment and payer as of the month, with the change over 6 months (None without
    6 months of history), for every region in one pass per dimension."""
    six = month_from_number(month_number(as_of) - 6)
    both = cells.filter(pl.col("month").is_in([as_of, six]))
    out: Breakdowns = {}
    for dim in ("ecosystem", "segment", "payer"):
        per: dict[str, dict[str | None, list[int]]] = {}
        for region, key, month, active in both.group_by("region", dim, "month").agg(pl.col("active").sum()).iter_rows():
            per.setdefault(region, {}).setdefault(key, [0, 0])[0 if month == as_of else 1] += active
        out[dim] = {region: _figures(keys, region in has_then) for region, keys in per.items()}
    return out


def _figures(keys: dict[str | None, list[int]], has_then: bool) -> dict[str, dict[str, int | None]]:
    ordered = sorted(keys.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))  # unknown first
    return {(key or "tidak diketahui"): {"covered": now, "change_6": now - then if has_then else None}
            for key, (now, then) in ordered}  # fmt: skip


def detail_months(as_of: dt.date) -> list[dt.date]:
    """The months whose facts the indicator needs per dimension: the as-of month and six months before (the
    breakdowns' change); other months need only totals."""
    return [as_of.replace(day=1), month_from_number(month_number(as_of) - 6)]


def condensed(facts: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """``facts`` up to ``as_of`` with every dimension kept at :func:`detail_months` and summed to monthly
    totals per segment (other dimensions null) elsewhere: the same indicator from far fewer rows."""
    facts = facts.filter(pl.col("month") <= as_of)
    detailed = pl.col("month").is_in(detail_months(as_of))
    # Totals keep the segment: a definition may count some segments only (NUMERATOR_SEGMENTS).
    totals = facts.filter(~detailed).group_by("region", "level", "month", "segment").agg(pl.col("active").sum())
    return pl.concat([facts.filter(detailed), totals], how="diagonal").select(facts.columns)


def numerator_data(data: Data, definition: str) -> Data:
    """``data`` restricted to the segments the definition counts (:data:`NUMERATOR_SEGMENTS`); unchanged for a
    definition that counts every covered worker. Feed regions stay where a feed exists (a feed without a BPU
    row that month still stands for its region)."""
    segments = NUMERATOR_SEGMENTS.get(definition)
    if not segments:
        return data
    feed = data.feed.cast(FEED_SCHEMA)  # type: ignore[arg-type]
    kept = feed.filter(pl.col("segment").is_in(segments))
    # A feed region and month with no row of these segments still hides the registry: keep it with 0.
    emptied = feed.filter(~pl.col("segment").is_in(segments)).select("region", "month").unique().join(
        kept.select("region", "month").unique(), on=["region", "month"], how="anti"
    ).with_columns(pl.lit(segments[0]).alias("segment"), pl.lit("").alias("ecosystem"), pl.lit("").alias("payer"),
                   pl.lit(0, pl.Int64).alias("active"))  # fmt: skip
    registry = data.registry.filter(pl.col("segment").is_in(segments))
    return Data(registry, pl.concat([kept, emptied.select(list(FEED_SCHEMA))]), data.workforce, data.targets)


def indicators(
    regions: list[str], as_of: dt.date, data: Data, definition: str = "eligible",
    vulnerable_definition: str = "vulnerable",
) -> list[Indicator]:  # fmt: skip
    """The indicator for each region in ``regions`` as of the month of ``as_of`` (vectorised over regions:
    one pass over the cells, dictionary lookups for denominators and targets)."""
    as_of = as_of.replace(day=1)
    data = numerator_data(data, definition)
    feed = data.feed.cast(FEED_SCHEMA)  # type: ignore[arg-type]
    pairs, partial = feed_context(regions, feed)
    cells = covered_cells(regions, data, pairs).filter(pl.col("month") <= as_of)
    series: dict[str, dict[dt.date, int]] = {}
    for region, month, active in (
        cells.group_by("region", "month").agg(pl.col("active").sum()).sort("month").iter_rows()
    ):
        series.setdefault(region, {})[month] = int(active)
    now = cells.filter(pl.col("month") == as_of).group_by("region").agg(
        (pl.col("source") == "feed").any().alias("has_feed"),
        pl.col("active").filter(pl.col("source") == "registry").sum().alias("rest"),
        pl.col("active").filter(pl.col("ecosystem") == "rentan").sum().alias("rentan"),
    )  # fmt: skip
    current = {r: (f, int(rest), int(v)) for r, f, rest, v in now.iter_rows()}
    six = month_from_number(month_number(as_of) - 6)
    has_then = {r for r, s in series.items() if six in s}
    context = _Context(
        as_of, definition, vulnerable_definition, _Index(data.workforce.cast(WORKFORCE_SCHEMA)),  # type: ignore[arg-type]
        _Index(data.targets.cast(TARGET_SCHEMA)), _breakdowns(cells, as_of, has_then),  # type: ignore[arg-type]
    )  # fmt: skip
    return [_one(code, series.get(code, {}), current.get(code), (code, as_of) in partial, context) for code in regions]


@dataclass
class _Context:
    as_of: dt.date
    definition: str
    vulnerable_definition: str
    workforce: _Index
    targets: _Index
    breakdowns: Breakdowns


def _pace(series: dict[dt.date, int], as_of: dt.date, covered: int, months: int) -> float | None:
    """Average monthly change over the last ``months`` months; None when the history is shorter."""
    month = month_from_number(month_number(as_of) - months)
    if not series or min(series) > month:
        return None
    return (covered - series.get(month, 0)) / months


def _one(code: str, series: dict[dt.date, int], current: tuple[bool, int, int] | None, partial: bool,
         ctx: _Context) -> Indicator:  # fmt: skip
    as_of = ctx.as_of
    covered = series.get(as_of, 0)
    has_feed, rest, v_covered = current or (False, 0, 0)
    notes = [] if current else ["Tidak ada data untuk bulan ini / no data for this month"]
    pace_3, pace_6 = _pace(series, as_of, covered, 3), _pace(series, as_of, covered, 6)
    pace = pace_6 if pace_6 is not None else pace_3
    den = ctx.workforce.pick(code, as_of.year, ctx.definition)
    denominator = int(den["workers"]) if den else None
    if den is None:
        notes.append(MISSING_DENOMINATOR.get(ctx.definition) or
                     f"Jumlah pekerja ({ctx.definition}) belum ada / no {ctx.definition} workforce for this region")
    year_t = _target(ctx.targets, code, as_of.year, ctx.definition, denominator)
    if year_t:
        _assess(year_t, covered, as_of, pace, denominator)
    next_t = None
    if year_t is None or as_of.month == 12:  # nothing left of the year to pace for: the next year's target
        next_t = _target(ctx.targets, code, as_of.year + 1, ctx.definition, denominator)
        if next_t:
            _assess(next_t, covered, as_of, pace, denominator)
    vulnerable = ctx.workforce.pick(code, as_of.year, ctx.vulnerable_definition)
    v_total = int(vulnerable["workers"]) if vulnerable else None
    breakdown = {dim: ctx.breakdowns[dim].get(code, {}) for dim in ctx.breakdowns}
    return Indicator(
        region=code, as_of=f"{as_of:%Y-%m}", covered=covered, source=_source(has_feed, rest, partial),
        definition=ctx.definition, denominator=denominator, denominator_year=int(den["year"]) if den else None,
        denominator_source=den["source"] if den else "",
        rate=round(100 * covered / denominator, 2) if denominator else None,
        pace_3=round(pace_3, 1) if pace_3 is not None else None,
        pace_6=round(pace_6, 1) if pace_6 is not None else None,
        year_target=year_t, next_target=next_t,
        by_ecosystem=breakdown["ecosystem"], by_segment=breakdown["segment"], by_payer=breakdown["payer"],
        vulnerable_covered=v_covered, vulnerable_total=v_total,
        vulnerable_rate=round(100 * v_covered / v_total, 2) if v_total else None,
        series=[(f"{m:%Y-%m}", a) for m, a in series.items()], notes=notes,
    )  # fmt: skip


# --- reading results (plain dicts, as cached and as the API returns them) ---------------------------------


def target_in_force(indicator: dict[str, Any]) -> dict[str, Any] | None:
    """The target to pace for: the next year's once the as-of year has no month left, else the year's."""
    return indicator.get("next_target") or indicator.get("year_target")


def screen_year(top: dict[str, Any]) -> int | None:
    """The one target year a screen judges against (issue 11 §19): that of the region's target in force. Every
    row's status and every map colour uses this year, and the page names it above them."""
    t = target_in_force(top)
    return t["year"] if t else None


def target_for(indicator: dict[str, Any], year: int | None) -> dict[str, Any] | None:
    """The indicator's target of ``year`` (None: its target in force)."""
    if year is None:
        return target_in_force(indicator)
    return next((t for t in (indicator.get("year_target"), indicator.get("next_target")) if t and t["year"] == year),
                None)  # fmt: skip


def target_percent(t: dict[str, Any], denominator: int | None) -> float | None:
    """A target in one unit, percent: its rate, or its count over the denominator (a target set as a count)."""
    if t.get("rate") is not None:
        return float(t["rate"])
    if t.get("count") is not None and denominator:
        return round(100 * t["count"] / denominator, 2)
    return None


def headline_targets(top: dict[str, Any], year: int | None) -> list[dict[str, Any]]:
    """The targets a headline shows, each with ``closing`` and ``percent``: the target of ``year`` (the screen's
    year); in December also the closing year's result, named first, so one year's status is never shown under the
    other year's heading. The dashboard and the monthly report both call this."""
    shown = [(top["year_target"], True)] if top.get("next_target") and top.get("year_target") else []
    target = target_for(top, year)
    shown += [(target, False)] if target else []
    return [{**t, "closing": closing, "percent": target_percent(t, top["denominator"])} for t, closing in shown]
