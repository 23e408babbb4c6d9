"""Coverage operations: rebuild and refresh the monthly facts, and answer the indicator for a user's region.

Pages, the API, the CLI and jobs call these; the maths is in :mod:`ucj.coverage.facts` and
:mod:`ucj.coverage.indicator`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from ucj.bulk import insert_frame, read_frame
from ucj.coverage.cache import VERSION_KEY  # the version every cached answer's key includes
from ucj.coverage.facts import FACT_SCHEMA, LEVEL_LENGTHS, PARTICIPANT_SCHEMA, registry_facts, roll_up
from ucj.coverage.indicator import (
    FEED_SCHEMA,
    TARGET_SCHEMA,
    WORKFORCE_SCHEMA,
    Data,
    Indicator,
    condensed,
    detail_months,
    indicators,
)
from ucj.coverage.models import CoverageFact, FeedRow, Target, Workforce
from ucj.regions.codes import level_of
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant

FIRST_MONTH = dt.date(2024, 1, 1)  # facts history starts here (the demo's and the dashboard's first month)
BY_LEVEL = {"provinsi": 1, "kabkota": 2, "kecamatan": 3, "desa": 4}
_FEED_FIELDS = {"region_id" if k == "region" else k: t for k, t in FEED_SCHEMA.items()}  # FeedRow's field names


def _last_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _participants(within: Iterable[str] | None = None) -> pl.DataFrame:
    """Participant rows for the facts: all, or those in the given regions (index ranges on the desa code)."""
    qs = Participant.objects.order_by()
    if within is not None:
        q = Q(pk__in=[])
        for code in within:
            q |= in_region("desa_id", code, villages_only=True)
        qs = qs.filter(q)
    return read_frame(qs, PARTICIPANT_SCHEMA)


# The shape of the cached answers: bump it when code changes what they hold. The shared cache outlives a
# restart, so answers of the previous code would otherwise be served after an upgrade until they expire.
ANSWER_SHAPE = 2


def current_version() -> str:
    """The coverage data version (with :data:`ANSWER_SHAPE`), read from the cache every process shares (one
    query with the database cache). A missing version (never set, evicted) becomes a fresh random one, never an
    earlier value, so answers cached under an old version are never served again."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return f"{ANSWER_SHAPE}.{version}"


def bump_version() -> None:
    """Invalidate every cached coverage answer in every process (call after any change to facts, feeds,
    denominators or targets). A new random version, not an increment: two processes bumping at once cannot
    end on the same value. Inside a transaction the version is set again once it commits: a process that read
    the old data between the first bump and the commit may have cached it under the new version."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


@transaction.atomic
def rebuild_facts(first: dt.date = FIRST_MONTH, last: dt.date | None = None) -> int:
    """Recompute every registry fact from the participants (``ucj coverage rebuild``); returns rows written."""
    kecamatan = registry_facts(_participants(), first, last or _last_month(), settings.UCJ_LAPSE_MONTHS, level=3)
    facts = roll_up(kecamatan)
    CoverageFact.objects.all().delete()
    _write(facts)
    bump_version()
    return facts.height


@transaction.atomic
def refresh_facts(desa_codes: Iterable[str], first: dt.date = FIRST_MONTH) -> int:
    """Recompute the facts of the kecamatan of the given villages and of the kab/kota and province above
    them (after an import or a payment touched those villages); returns rows written."""
    kecamatan = sorted({c[: LEVEL_LENGTHS[3]] for c in desa_codes})
    if not kecamatan:
        return 0
    facts = registry_facts(_participants(kecamatan), first, _last_month(), settings.UCJ_LAPSE_MONTHS, level=3)
    CoverageFact.objects.filter(level=3, region__in=kecamatan).delete()
    _write(facts)
    written = facts.height
    for level in (2, 1):
        parents = sorted({c[: LEVEL_LENGTHS[level]] for c in kecamatan})
        children = Q(pk__in=[])
        for parent in parents:
            children |= in_region("region", parent)
        below = _facts_frame(CoverageFact.objects.filter(children, level=level + 1))
        rolled = roll_up(below, (level,)).filter(pl.col("level") == level)
        CoverageFact.objects.filter(level=level, region__in=parents).delete()
        _write(rolled)
        written += rolled.height
    bump_version()
    return written


def refresh_after_change(sender: object = None, *, desa_codes: list[str], **kwargs: Any) -> None:
    """Receiver of ``participants_changed``: imports and payments keep the facts current."""
    refresh_facts(desa_codes)


def _write(facts: pl.DataFrame) -> None:
    if facts.height:
        with connection.cursor() as cur:
            insert_frame(cur, CoverageFact._meta.db_table, facts.select(list(FACT_SCHEMA)))


def _facts_frame(qs: Any) -> pl.DataFrame:
    return read_frame(qs.order_by(), FACT_SCHEMA)


def child_regions(code: str, by: str | None) -> list[str]:
    """The regions a table shows: the children of ``code`` at level ``by`` (default: the next level)."""
    level = BY_LEVEL.get(by or "", level_of(code) + 1)
    if level <= level_of(code):
        return []
    return list(Region.objects.filter(in_region("code", code), level=level).order_by("code")
                .values_list("code", flat=True))  # fmt: skip


def _stored_facts(regions: list[str], as_of: dt.date) -> pl.DataFrame:
    """Stored facts of ``regions`` up to ``as_of``, condensed in SQL like :func:`indicator.condensed`: every
    dimension at the two months the breakdowns compare, monthly totals for the rest (a few hundred rows
    instead of tens of thousands)."""
    detailed = detail_months(as_of)
    facts = CoverageFact.objects.filter(region__in=regions, month__lte=as_of).order_by()
    detail = _facts_frame(facts.filter(month__in=detailed))
    totals = read_frame(
        facts.exclude(month__in=detailed).values("region", "level", "month").annotate(total=Sum("active")),
        {"region": pl.String, "level": pl.Int8, "month": pl.Date, "total": pl.Int64},
    )
    return pl.concat([detail, totals.rename({"total": "active"})], how="diagonal").select(list(FACT_SCHEMA))


def load_data(regions: list[str], as_of: dt.date) -> Data:
    """The facts (condensed for ``as_of``), feed rows, denominators and targets the indicator of these
    regions needs."""
    registry = _stored_facts([c for c in regions if level_of(c) < 4], as_of)
    villages = [c for c in regions if level_of(c) == 4]
    if villages:  # desa facts are not stored: computed from the participants of these villages
        live = registry_facts(_participants(villages), FIRST_MONTH, as_of, settings.UCJ_LAPSE_MONTHS, level=4)
        registry = pl.concat([registry, condensed(live, as_of)])
    ancestors = {a for code in regions for a in _ancestor_codes(code)}
    # The feed inside the asked regions, and that of their ancestors: a region inside a feed region is
    # reported as registry-partial (see the indicator).
    feed_q = Q(region_id__in=ancestors)
    for code in regions:
        feed_q |= in_region("region_id", code)
    feed = read_frame(FeedRow.objects.filter(feed_q).order_by(), _FEED_FIELDS)
    feed = feed.rename({"region_id": "region"})
    workforce = pl.DataFrame(
        list(Workforce.objects.filter(region_id__in=regions).values_list("region_id", "year", "definition",
                                                                         "workers", "source")),
        schema=WORKFORCE_SCHEMA, orient="row",
    )  # fmt: skip
    targets = pl.DataFrame(
        [(r, y, d, float(rate) if rate is not None else None, c, s) for r, y, d, rate, c, s in
         Target.objects.filter(region_id__in=ancestors).values_list("region_id", "year", "definition", "rate",
                                                                    "count", "source")],
        schema=TARGET_SCHEMA, orient="row",
    )  # fmt: skip
    # Registry facts of feed regions inside the asked regions are needed to subtract them (see indicator).
    feed_regions = {f for f in feed["region"].unique().to_list() if f not in regions
                    and any(f.startswith(c + ".") for c in regions)}  # fmt: skip
    if feed_regions:
        extra = _stored_facts(sorted(feed_regions), as_of)
        registry = pl.concat([registry, extra])
    return Data(registry, feed, workforce, targets)


def _ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def latest_month() -> dt.date:
    """The month a dashboard opens on: the latest month of BPJS's feed when there is one (the reference count
    for the whole region), else the latest month with registry facts, else the current month."""
    feed = FeedRow.objects.order_by("-month").values_list("month", flat=True).first()
    if feed:
        return feed
    fact = CoverageFact.objects.filter(level=1).order_by("-month").values_list("month", flat=True).first()
    return fact or _last_month()


def coverage(code: str, by: str | None = None, as_of: dt.date | None = None,
             definition: str = "eligible") -> dict[str, Any]:  # fmt: skip
    """The indicator of region ``code`` and of its children (``by`` level), cached until the data change."""
    as_of = (as_of or latest_month()).replace(day=1)
    key = f"ucj:coverage:{current_version()}:{code}:{by}:{as_of}:{definition}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    children = child_regions(code, by)
    data = load_data([code, *children], as_of)
    found = indicators([code, *children], as_of, data, definition)
    names = dict(Region.objects.filter(code__in=[code, *children]).values_list("code", "name"))
    top, rows = _with_name(found[0], names), [_with_name(i, names) for i in found[1:]]
    child_level = BY_LEVEL.get(by or "", level_of(code) + 1)
    result = {"as_of": f"{as_of:%Y-%m}", "region": top, "children": rows,
              "unallocated": unallocated(top, rows, child_level)}  # fmt: skip
    cache.set(key, result)  # settings.CACHES TIMEOUT (UCJ_CACHE_TIMEOUT)
    return result


def coverage_json(code: str, by: str | None = None, as_of: dt.date | None = None,
                  definition: str = "eligible") -> bytes:  # fmt: skip
    """:func:`coverage` as JSON bytes, cached the same way: a warm API answer is a cache read, with no schema
    validation or encoding per request (the shape is :class:`ucj.coverage.api.CoverageOut`)."""
    as_of = (as_of or latest_month()).replace(day=1)
    key = f"ucj:coverage-json:{current_version()}:{code}:{by}:{as_of}:{definition}"
    body: bytes | None = cache.get(key)
    if body is None:
        body = json.dumps(coverage(code, by, as_of, definition), ensure_ascii=False).encode()
        cache.set(key, body)
    return body


# What a children table cannot place lower, by the level of its rows (issue 11 §18): Indonesian, English.
LEVEL_WORDS = {2: ("kab/kota", "regency/city"), 3: ("kecamatan", "district"), 4: ("desa", "village")}
SOURCE_WORDS = {"feed": ("umpan BPJS", "BPJS feed"), "registry": ("registri", "registry")}
NO_DENOMINATOR = "tanpa penyebut di tingkat ini / no denominator at this level"


def unallocated(top: dict[str, Any], children: list[dict[str, Any]], child_level: int) -> dict[str, Any] | None:
    """The row that makes a children table add up to its parent, or None when the children already do: the
    covered workers the data cannot place at the children's level, typically BPJS's feed, which stops at
    kab/kota (or province) level while the rows below it are registry-only. Negative when the registry below
    counts more than the feed above."""
    if not children:
        return None
    rest = top["covered"] - sum(c["covered"] for c in children)
    if rest == 0:
        return None
    source = "feed" if top["source"] in ("feed", "feed+registry") else "registry"
    word, word_en = LEVEL_WORDS.get(child_level, ("", ""))
    what, what_en = SOURCE_WORDS[source]
    return {"covered": rest, "source": source, "level": child_level,
            "label": f"{what} — tidak dapat dirinci per {word}",
            "label_en": f"{what_en} — cannot be broken down by {word_en}"}  # fmt: skip


def _with_name(indicator: Indicator, names: dict[str, str]) -> dict[str, Any]:
    out = indicator.as_dict()
    out["name"] = names.get(indicator.region, "")
    # Why a rate is missing: no denominator (workers) at this region's level, e.g. a kecamatan under a
    # kab/kota-level count.
    out["rate_note"] = NO_DENOMINATOR if out["rate"] is None and not out["denominator"] else None
    return out
