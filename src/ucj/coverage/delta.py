"""Coverage facts after an import, from the rows the import changed (issue 17 §3).

The facts are sums over participants (:func:`ucj.coverage.facts.registry_facts`), so the facts after a change
are the stored facts plus the facts of the new rows minus the facts of the rows they replaced. The store hands
over exactly those rows (:func:`ucj.registry.store.facts_changes`, weight +1 / −1), so a million-row import no
longer re-reads a million participants through Python tuples to recount them.

A kecamatan's stored facts are only a valid starting point when they were computed for the same months. They
are when they hold the current month (:func:`_fresh`), or when the kecamatan had nobody before the change
(then there is nothing to start from). Any other affected kecamatan is recounted from the database, as
:func:`ucj.coverage.services.refresh_facts` does. The kab/kota and province levels always equal the sum of
their kecamatan rows, so they move by the rolled-up difference of the kecamatan level; a negative result
would mean they were not, and then the whole refresh falls back to :func:`refresh_facts`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from ucj.bulk import insert_frame, read_frame
from ucj.coverage.facts import DIMENSIONS, FACT_SCHEMA, LEVEL_LENGTHS, registry_facts, roll_up
from ucj.coverage.models import CoverageFact
from ucj.regions.models import in_region
from ucj.registry.models import Participant

_KEYS = ["region", "level", "month", *DIMENSIONS]


def _summed(*parts: pl.DataFrame) -> pl.DataFrame:
    """Facts added up per key (zero rows dropped)."""
    frames = [p.select(list(FACT_SCHEMA)) for p in parts if p.height]
    if not frames:
        return pl.DataFrame(schema=FACT_SCHEMA)
    return (
        pl.concat(frames)
        .group_by(_KEYS)
        .agg(pl.col("active").sum())
        .filter(pl.col("active") != 0)
        .select(list(FACT_SCHEMA))
    )


def _negated(facts: pl.DataFrame) -> pl.DataFrame:
    return facts.with_columns(-pl.col("active"))


def _stored(level: int, regions: list[str]) -> pl.DataFrame:
    if not regions:
        return pl.DataFrame(schema=FACT_SCHEMA)
    return read_frame(CoverageFact.objects.filter(level=level, region__in=regions).order_by(), FACT_SCHEMA)


def _people_per_kecamatan(kecamatan: list[str]) -> dict[str, int]:
    """Participants per kecamatan now (one index range per kecamatan on the desa code)."""
    q = Q(pk__in=[])
    for code in kecamatan:
        q |= in_region("desa_id", code, villages_only=True)
    rows = (
        Participant.objects.filter(q)
        .order_by()
        .annotate(kec=Substr("desa_id", 1, LEVEL_LENGTHS[3]))
        .values_list("kec")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def _registry_was_empty(changes: pl.DataFrame) -> bool:
    """Whether nobody was registered before this change: the registry now holds exactly its net arrivals (one
    ``COUNT``, instead of counting the people of every kecamatan a first load reaches — 3–5 s at a million)."""
    return Participant.objects.count() == int(changes["weight"].cast(pl.Int64).sum())


def _fresh(stored3: pl.DataFrame, last: dt.date) -> set[str]:
    """Kecamatan whose stored facts were computed this month (they hold the current month)."""
    return set(stored3.filter(pl.col("month") == last)["region"].unique().to_list())


@transaction.atomic
def apply_changes(desa_codes: Iterable[str], changes: pl.DataFrame, first: dt.date | None = None) -> int:
    """Bring the facts up to date after a change described by ``changes`` (columns ``desa_id``, the
    :data:`~ucj.coverage.facts.DIMENSIONS`, ``coverage_start``, ``paid_through`` and ``weight`` ±1); returns the
    fact rows written. Nothing is written, and the coverage version stays, when the change moves no fact (a
    roster imported again unchanged, or only phone numbers corrected)."""
    from ucj.coverage import services

    read_ns = time.time_ns()
    first = first or services.FIRST_MONTH
    last = timezone.localdate().replace(day=1)
    lapse = settings.UCJ_LAPSE_MONTHS
    plus = registry_facts(changes.filter(pl.col("weight") > 0), first, last, lapse, level=3)
    minus = registry_facts(changes.filter(pl.col("weight") < 0), first, last, lapse, level=3)
    delta3 = _summed(plus, _negated(minus))
    if delta3.is_empty():
        return 0
    kecamatan = sorted(set(delta3["region"].to_list()))
    stored3 = _stored(3, kecamatan)
    unsure = sorted(set(kecamatan) - _fresh(stored3, last))
    recount: list[str] = []
    if unsure:
        # Nobody there before the change: the people there now are all this change's net arrivals.
        net = (
            changes.group_by(pl.col("desa_id").str.slice(0, LEVEL_LENGTHS[3]).alias("kec"))
            .agg(pl.col("weight").cast(pl.Int64).sum())
            .filter(pl.col("kec").is_in(unsure))
        )
        arrived = dict(zip(net["kec"].to_list(), net["weight"].to_list(), strict=True))
        now = arrived if _registry_was_empty(changes) else _people_per_kecamatan(unsure)
        recount = [k for k in unsure if now.get(k, 0) != arrived.get(k, 0)]
    moved = stored3.filter(~pl.col("region").is_in(recount))
    new3 = _summed(moved, delta3.filter(~pl.col("region").is_in(recount))).filter(pl.col("active") > 0)
    if recount:
        counted = registry_facts(services._participants(recount), first, last, lapse, level=3)
        new3 = pl.concat([new3, counted.select(list(FACT_SCHEMA))])
    diff3 = _summed(new3, _negated(stored3))
    parents = {level: sorted({k[: LEVEL_LENGTHS[level]] for k in kecamatan}) for level in (2, 1)}
    new_upper = []
    for level in (2, 1):
        rolled = roll_up(diff3, (level,)).filter(pl.col("level") == level) if diff3.height else diff3
        upper = _summed(_stored(level, parents[level]), rolled)
        if upper.filter(pl.col("active") < 0).height:
            # The upper levels were not the sum of their kecamatan: recount the plain way.
            return services.refresh_facts(desa_codes, first)
        new_upper.append(upper)
    CoverageFact.objects.filter(level=3, region__in=kecamatan).delete()
    for level in (2, 1):
        CoverageFact.objects.filter(level=level, region__in=parents[level]).delete()
    written = pl.concat([new3, *new_upper]).sort(_KEYS)
    if written.height:
        with connection.cursor() as cur:
            insert_frame(cur, CoverageFact._meta.db_table, written)
    # A first load: the table holds exactly the facts just written (one COUNT tells), so the new version's answers
    # are prepared from them instead of reading them back (0.1-0.2 s of a 100,000-row import).
    whole = written if CoverageFact.objects.count() == written.height else None
    services.bump_version(whole, read_ns)
    return written.height
