"""Coverage operations: rebuild and refresh the monthly facts, and answer the indicator for a user's region.

Pages, the API, the CLI and jobs call these; the maths is in :mod:`ucj.coverage.facts` and
:mod:`ucj.coverage.indicator`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from ucj.bulk import insert_frame, read_frame, stream_frame
from ucj.coverage.cache import PUBLISH_LOCK, VERSION_KEY, always_write, cache_lock
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
from ucj.regions.codes import level_of, lineage
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant

FIRST_MONTH = dt.date(2024, 1, 1)  # facts history starts here (the demo's and the dashboard's first month)
BY_LEVEL = {"provinsi": 1, "kabkota": 2, "kecamatan": 3, "desa": 4}
DEFAULT_DEFINITION = "eligible"  # the denominator a dashboard opens on
FLIGHT_POLL_S = 0.05  # how often a request waiting for another process's computation looks for its answer
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
    return stream_frame(qs, PARTICIPANT_SCHEMA)  # all 20 M of a national rebuild without a tuple per row


# The shape of the cached answers: bump it when code changes what they hold. The shared cache outlives a
# restart, so answers of the previous code would otherwise be served after an upgrade until they expire.
ANSWER_SHAPE = 3  # 3: answers carry their data time and the publication record is a dict


def published() -> dict[str, Any]:
    """The published coverage version, read from the cache every process shares (one query with the database
    cache): ``id`` (with :data:`ANSWER_SHAPE`; every cached answer's key includes it), ``data_time`` (ISO time
    its data were read), ``as_of`` (the month dashboards open on, None when unknown), ``started_ns`` (when the
    preparation of a version made by :func:`prepare_and_publish` started; 0 otherwise) and ``previous`` (the
    version it replaced). A missing version
    (never set, evicted) becomes a fresh random one, never an earlier value, so answers cached under an old
    version are never served again."""
    record = cache.get(VERSION_KEY)
    if not isinstance(record, dict):  # missing, or the plain id an earlier release stored
        cache.add(VERSION_KEY, _record(uuid.uuid4().hex), None)
        record = cache.get(VERSION_KEY)
        if not isinstance(record, dict):  # the earlier release's value is still there: replace it
            record = _record(uuid.uuid4().hex)
            cache.set(VERSION_KEY, record, None)
    if not str(record.get("id", "")).startswith(f"{ANSWER_SHAPE}."):  # published by other code: not ours
        record = _record(uuid.uuid4().hex)
        cache.set(VERSION_KEY, record, None)
    return record


def _record(token: str, *, as_of: dt.date | None = None, started_ns: int = 0,
            data_time: dt.datetime | None = None) -> dict[str, Any]:  # fmt: skip
    return {"id": f"{ANSWER_SHAPE}.{token}", "data_time": (data_time or timezone.now()).isoformat(),
            "as_of": as_of, "started_ns": started_ns, "previous": None}  # fmt: skip


def current_version() -> str:
    """The id of the published coverage version (see :func:`published`)."""
    return str(published()["id"])


def bump_version(facts: pl.DataFrame | None = None, read_ns: int | None = None) -> None:
    """The coverage data changed (facts, feeds, denominators, targets): prepare the dashboards' default answers
    of a new version and publish it (:func:`schedule_publication`), after the current transaction commits.
    Until then every process keeps serving the complete previous version; nothing is invalidated early, so no
    request waits for a computation after a change. Immediate jobs (the tests' task backend) run at once, in
    the caller's transaction, as they do for imports. ``facts``: every stored fact, as the caller just wrote
    them from data read at ``read_ns`` (the full rebuild): a preparation in this process starts from them
    instead of reading them back."""
    if connection.in_atomic_block and not _immediate_jobs():
        transaction.on_commit(lambda: schedule_publication(facts, read_ns))
    else:
        schedule_publication(facts, read_ns)


def _immediate_jobs() -> bool:
    return "ImmediateBackend" in str(settings.TASKS["default"]["BACKEND"])


def schedule_publication(facts: pl.DataFrame | None = None, read_ns: int | None = None) -> None:
    """Prepare and publish a new version where it does not hold up the caller: in the background worker when
    one runs (a queued job), else in this process now (the command line, a server without a worker). Called
    after the change committed; the time of the call tells a later job whether a newer version already holds
    this change. ``facts``/``read_ns``: see :func:`bump_version` (the worker reads the facts itself)."""
    requested_ns = time.time_ns()
    if _worker_runs():
        from ucj.coverage.tasks import publish_coverage

        publish_coverage.enqueue(requested_ns)
    else:
        prepare_and_publish(requested_ns, facts=facts, read_ns=read_ns)


def _worker_runs() -> bool:
    """Whether a background worker will run a queued job: ``UCJ_COVERAGE_PRECOMPUTE`` worker (always) or
    inline (never); auto: the database queue's worker holds its lock on ``UCJ_DATA_DIR/worker.lock`` (immediate
    jobs, as in the tests, run at once anyway)."""
    mode = settings.UCJ_COVERAGE_PRECOMPUTE
    if mode in ("worker", "inline"):
        return bool(mode == "worker")
    backend = str(settings.TASKS["default"]["BACKEND"])
    if "django_tasks_db" not in backend:
        return "Dummy" not in backend  # immediate jobs run now; another queue has its own workers
    import fcntl

    from ucj.cli.server import LOCK_NAME

    path = Path(settings.DATA_DIR) / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # fails while a worker holds its exclusive lock
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def default_answers() -> list[tuple[str, str | None]]:
    """The answers dashboards open on, prepared for every new version: every province and kab/kota with data
    (registry facts or BPJS's feed), each by its next level. One index probe per province and kab/kota on the
    facts (not a scan of tens of millions of fact rows at national size)."""
    with_facts = Exists(CoverageFact.objects.filter(region=OuterRef("code")))
    codes = set(Region.objects.filter(with_facts, level__in=(1, 2)).values_list("code", flat=True))
    for region in FeedRow.objects.order_by().values_list("region_id", flat=True).distinct():
        parts = region.split(".")
        codes |= {".".join(parts[:n]) for n in (1, 2) if len(parts) >= n}
    known = Region.objects.filter(code__in=codes, level__in=(1, 2)).values_list("code", flat=True)
    return [(code, None) for code in sorted(known)]


def prepare_and_publish(requested_ns: int | None = None, *, facts: pl.DataFrame | None = None,
                        read_ns: int | None = None) -> bool:  # fmt: skip
    """Compute every default answer (:func:`default_answers`, the latest month, the default definition) of a
    new version, and those computed on demand under the published one (:func:`_remember_asked`), store them
    all in the shared cache, and only then publish the version (one cache write): a
    reader gets the complete previous version or the complete new one. Returns False when nothing was
    published: a version prepared after ``requested_ns`` (the change) is already out, or a newer one won.
    An error leaves the previous version in place and removes the answers stored so far.

    The answers read their data from one load of everything they need (:class:`Preloaded`: the condensed facts
    of every region, the feed, denominators, targets, region names), not one set of queries per answer: 38
    provinces and 514 kab/kota (1,104 answers with the year-earlier ones) would otherwise read the national
    facts table a thousand times. ``facts``: every stored fact as the caller (the full rebuild) just wrote
    them from data read at ``read_ns``, used instead of reading them back."""
    current = published()
    if requested_ns is not None and int(current.get("started_ns") or 0) >= requested_ns:
        return False  # a version whose data were read after this change is already published
    # When its data were read: a change committed later gets a preparation of its own.
    started_ns = min(read_ns, time.time_ns()) if read_ns else time.time_ns()
    source = Preloaded(facts)
    as_of = latest_month().replace(day=1)
    record = _record(uuid.uuid4().hex, as_of=as_of, started_ns=started_ns)
    asked = _asked(current["id"])
    wanted = [(code, by, as_of, DEFAULT_DEFINITION) for code, by in default_answers()]
    wanted += [(code, by, dt.date.fromisoformat(month), definition) for code, by, month, definition in asked]
    # each answer's same month a year earlier, which the dashboard shows beside it (issue 16 item 15)
    wanted += [(code, by, month.replace(year=month.year - 1), definition) for code, by, month, definition in wanted
               if month.replace(year=month.year - 1) >= FIRST_MONTH]  # fmt: skip
    keys: list[str] = []
    try:
        with always_write():
            for pair, (result, body) in _compute_many(_distinct(wanted, record["id"]), record, source):
                keys += pair
                cache.set_many(dict(zip(pair, (result, body), strict=True)), None)  # lives as long as the version
            cache.set_many({_keys_key(record["id"]): keys, _asked_key(record["id"]): asked}, None)
            return _publish(record)
    except BaseException:
        cache.delete_many([*keys, _keys_key(record["id"]), _asked_key(record["id"])])
        raise


Answer = tuple[str, str | None, dt.date, str]  # region, by, month, definition


def _distinct(wanted: list[Answer], version: str) -> dict[tuple[str, str], Answer]:
    """``wanted`` by cache keys: an answer asked for that is a default one too (the page without ``by``, the API
    with it) is prepared once."""
    out: dict[tuple[str, str], Answer] = {}
    for answer in wanted:
        out.setdefault(_keys(version, *answer), answer)
    return out


def _compute_many(answers: dict[tuple[str, str], Answer], version: dict[str, Any],
                  source: Preloaded) -> Iterator[tuple[tuple[str, str], tuple[dict[str, Any], bytes]]]:  # fmt: skip
    """Each answer's keys with what :func:`_compute` gives for it. The answers ``source`` serves are computed
    together per month and definition: the indicator of a region does not depend on the other regions of the
    call (:func:`ucj.coverage.indicator.indicators` is vectorised over regions), so one call over every region
    of a month's answers (a province, its kab/kota and their kecamatan) replaces one call per answer — 36 for
    Sumsel, 1,104 for Indonesia. Answers showing villages read the database one by one, as a request does."""
    groups: dict[tuple[dt.date, str], list[tuple[tuple[str, str], str, str | None]]] = {}
    for pair, (code, by, month, definition) in answers.items():
        if source.serves(code, by):
            groups.setdefault((month, definition), []).append((pair, code, by))
        else:
            yield pair, _compute(code, by, month, definition, version)
    for (month, definition), members in groups.items():
        shown = {pair: [code, *source.children(code, by)] for pair, code, by in members}
        regions = sorted({region for listed in shown.values() for region in listed})
        found = {i.region: i for i in indicators(regions, month, load_data(regions, month, source), definition)}
        names = source.names(regions)
        for pair, code, by in members:
            # A region in several answers (a kab/kota: a row of its province's, the top of its own) lends them one
            # Indicator; each answer's dicts are its own (as_dict), their lists read-only, stored apart (pickled).
            yield pair, _result(code, by, month, [found[r] for r in shown[pair]], names, version)


def _asked_key(version: str) -> str:
    """Where the answers computed on demand under a version are listed: the next version prepares them too."""
    return f"ucj:coverage-asked:{version}"


def _asked(version: str) -> list[tuple[str, str | None, str, str]]:
    asked: list[tuple[str, str | None, str, str]] = cache.get(_asked_key(version)) or []
    return asked


def _remember_asked(version: str, code: str, by: str | None, as_of: dt.date, definition: str) -> None:
    """Note an answer computed on demand (a drill-down, another month) so the next versions prepare it: what
    people open after a change is then read, not computed. The most recent ``UCJ_COVERAGE_PREPARE_ASKED``
    are kept. Best effort: two processes noting at once may lose one note (that answer is computed on demand
    once more)."""
    limit = settings.UCJ_COVERAGE_PREPARE_ASKED
    if limit <= 0:
        return
    item = (code, by, as_of.isoformat(), definition)
    asked = _asked(version)
    if item not in asked:
        cache.set(_asked_key(version), [item, *asked][:limit], None)


def _publish(record: dict[str, Any]) -> bool:
    """Make ``record`` the published version unless a version whose data were read later already is (two
    preparations finishing out of order). The previous version's answers stay (a request that has just read
    its id still finds them); those of the version before it are deleted."""
    with cache_lock(PUBLISH_LOCK):
        current = published()
        if int(current.get("started_ns") or 0) >= record["started_ns"]:
            _forget(record["id"])
            return False
        record["previous"] = current["id"]
        _write_version(record)
    if current.get("previous"):
        _forget(current["previous"])
    return True


def _keys_key(version: str) -> str:
    """Where the keys of a version's prepared answers are listed (not in the version record, which every
    request reads)."""
    return f"~ucj:coverage:prepared:{version}"


def _forget(version: str) -> None:
    """Delete a version's prepared answers (they never expire by themselves)."""
    keys = cache.get(_keys_key(version)) or []
    cache.delete_many([*keys, _keys_key(version), _asked_key(version)])


def _write_version(record: dict[str, Any]) -> None:
    """The publication itself: one write of the version record (readers switch here)."""
    cache.set(VERSION_KEY, record, None)


@transaction.atomic
def rebuild_facts(first: dt.date = FIRST_MONTH, last: dt.date | None = None) -> int:
    """Recompute every registry fact from the participants (``ucj coverage rebuild``); returns rows written.

    On PostgreSQL the table is emptied with ``TRUNCATE`` and its index built once after the ``COPY`` (not row by
    row: 24.6 M facts at national size), then analysed, so the dashboards' index probes are planned on real
    statistics at once. Until the transaction commits a dashboard miss waits for it (prepared answers are read
    from the cache as usual). The new version's answers are prepared from the facts in memory."""
    read_ns = time.time_ns()
    kecamatan = registry_facts(_participants(), first, last or _last_month(), settings.UCJ_LAPSE_MONTHS, level=3)
    facts = roll_up(kecamatan)
    del kecamatan
    if connection.vendor == "postgresql":
        _replace_all(facts)
    else:
        CoverageFact.objects.all().delete()
        _write(facts)
    bump_version(facts, read_ns)
    return facts.height


def _replace_all(facts: pl.DataFrame) -> None:
    """PostgreSQL: every fact replaced by ``facts`` (inside the caller's transaction): truncate, drop the index,
    copy, build the index, analyse."""
    table = CoverageFact._meta.db_table
    with connection.cursor() as cur, connection.schema_editor(atomic=False) as editor:
        cur.execute(f"TRUNCATE {editor.quote_name(table)}")
        for index in CoverageFact._meta.indexes:
            editor.remove_index(CoverageFact, index)
        _write(facts)
        for index in CoverageFact._meta.indexes:
            editor.add_index(CoverageFact, index)
        cur.execute(f"ANALYZE {editor.quote_name(table)}")


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


def _stored_facts(regions: list[str] | None, as_of: dt.date) -> pl.DataFrame:
    """Stored facts of ``regions`` (None: every region) up to ``as_of``, condensed in SQL like
    :func:`indicator.condensed`: every dimension at the two months the breakdowns compare, monthly totals per
    segment for the rest (a few hundred rows instead of tens of thousands)."""
    detailed = detail_months(as_of)
    facts = CoverageFact.objects.filter(month__lte=as_of).order_by()
    if regions is not None:
        facts = facts.filter(region__in=regions)
    read = read_frame if regions is not None else stream_frame  # the whole table: millions of rows
    detail = read(facts.filter(month__in=detailed), FACT_SCHEMA)
    totals = read(
        facts.exclude(month__in=detailed).values("region", "level", "month", "segment").annotate(total=Sum("active")),
        {"region": pl.String, "level": pl.Int8, "month": pl.Date, "segment": pl.String, "total": pl.Int64},
    )
    return pl.concat([detail, totals.rename({"total": "active"})], how="diagonal").select(list(FACT_SCHEMA))


class Queries:
    """Where an answer's data come from: the database, a few queries per answer (a miss, a drill-down)."""

    def stored_facts(self, regions: list[str], as_of: dt.date) -> pl.DataFrame:
        return _stored_facts(regions, as_of)

    def feed(self, regions: list[str], ancestors: set[str]) -> pl.DataFrame:
        """The feed inside the asked regions, and that of their ancestors."""
        feed_q = Q(region_id__in=ancestors)
        for code in regions:
            feed_q |= in_region("region_id", code)
        return _feed_frame(FeedRow.objects.filter(feed_q))

    def workforce(self, regions: list[str]) -> pl.DataFrame:
        return _workforce_frame(Workforce.objects.filter(region_id__in=regions))

    def targets(self, ancestors: set[str]) -> pl.DataFrame:
        return _targets_frame(Target.objects.filter(region_id__in=ancestors))

    def children(self, code: str, by: str | None) -> list[str]:
        return child_regions(code, by)

    def names(self, codes: list[str]) -> dict[str, str]:
        return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _feed_frame(qs: Any) -> pl.DataFrame:
    return read_frame(qs.order_by(), _FEED_FIELDS).rename({"region_id": "region"})


def _workforce_frame(qs: Any) -> pl.DataFrame:
    rows = qs.values_list("region_id", "year", "definition", "workers", "source")
    return pl.DataFrame(list(rows), schema=WORKFORCE_SCHEMA, orient="row")


def _targets_frame(qs: Any) -> pl.DataFrame:
    rows = qs.values_list("region_id", "year", "definition", "rate", "count", "source")
    return pl.DataFrame([(r, y, d, float(rate) if rate is not None else None, c, s) for r, y, d, rate, c, s in rows],
                        schema=TARGET_SCHEMA, orient="row")  # fmt: skip


def _province_parts(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``frame`` split by the province of its ``region`` (the first two digits)."""
    if frame.is_empty():
        return {}
    parts = frame.with_columns(pl.col("region").str.slice(0, 2).alias("_p")).partition_by("_p", as_dict=True)
    return {str(key[0]): part.drop("_p") for key, part in parts.items()}


class Preloaded(Queries):
    """The data of many answers loaded once (a new version's preparation): the condensed facts of every region
    per month asked (one read of the facts table, or the caller's facts in memory), the whole feed, denominators
    and targets, and the regions down to kecamatan, each split by province. An answer filters the part of its
    province in memory. Answers that show villages (children at desa level) read the database as usual."""

    def __init__(self, facts: pl.DataFrame | None = None) -> None:
        self._facts = facts
        self._condensed: dict[dt.date, dict[str, pl.DataFrame]] = {}
        self._feed = _province_parts(_feed_frame(FeedRow.objects.all()))
        self._workforce = _province_parts(_workforce_frame(Workforce.objects.all()))
        self._targets = _province_parts(_targets_frame(Target.objects.all()))
        self._names: dict[str, str] = {}
        self._children: dict[tuple[str, int], list[str]] = {}
        for code, name in Region.objects.filter(level__lte=3).order_by("code").values_list("code", "name"):
            self._names[code] = name
            parts = code.split(".")
            for up in range(len(parts)):  # every ancestor ("" = above the provinces) lists it at its level
                self._children.setdefault((".".join(parts[:up]), len(parts)), []).append(code)

    def serves(self, code: str, by: str | None) -> bool:
        """Whether an answer's regions are all preloaded (down to kecamatan): the region itself too, so a village
        asked with a ``by`` above its level reads the database, names included."""
        return level_of(code) <= 3 and BY_LEVEL.get(by or "", level_of(code) + 1) <= 3

    def _facts_of(self, as_of: dt.date) -> dict[str, pl.DataFrame]:
        if as_of not in self._condensed:
            if self._facts is not None:
                self._condensed[as_of] = _province_parts(condensed(self._facts, as_of))
            else:
                self._condensed[as_of] = _province_parts(_stored_facts(None, as_of))
        return self._condensed[as_of]

    @staticmethod
    def _of(parts: dict[str, pl.DataFrame], codes: Iterable[str], schema: dict[str, Any]) -> pl.DataFrame:
        wanted = sorted(set(codes))
        found = [parts[p] for p in sorted({c[:2] for c in wanted}) if p in parts]
        if not found:
            return pl.DataFrame(schema=schema)
        frame = pl.concat(found) if len(found) > 1 else found[0]
        return frame.filter(pl.col("region").is_in(wanted))

    def stored_facts(self, regions: list[str], as_of: dt.date) -> pl.DataFrame:
        return self._of(self._facts_of(as_of), regions, FACT_SCHEMA)

    def feed(self, regions: list[str], ancestors: set[str]) -> pl.DataFrame:
        found = [self._feed[p] for p in sorted({c[:2] for c in [*regions, *ancestors]}) if p in self._feed]
        if not found:
            return pl.DataFrame(schema=FEED_SCHEMA)
        frame = pl.concat(found) if len(found) > 1 else found[0]
        kept = _within(frame["region"].unique().to_list(), set(regions), ancestors | set(regions))
        return frame.filter(pl.col("region").is_in(kept))

    def workforce(self, regions: list[str]) -> pl.DataFrame:
        return self._of(self._workforce, regions, WORKFORCE_SCHEMA)

    def targets(self, ancestors: set[str]) -> pl.DataFrame:
        return self._of(self._targets, ancestors, TARGET_SCHEMA)

    def children(self, code: str, by: str | None) -> list[str]:
        level = BY_LEVEL.get(by or "", level_of(code) + 1)
        return list(self._children.get((code, level), [])) if level > level_of(code) else []

    def names(self, codes: list[str]) -> dict[str, str]:
        return {c: self._names[c] for c in codes if c in self._names}


QUERIES = Queries()


def load_data(regions: list[str], as_of: dt.date, source: Queries = QUERIES) -> Data:
    """The facts (condensed for ``as_of``), feed rows, denominators and targets the indicator of these
    regions needs, from ``source`` (the database, or data preloaded for many answers)."""
    registry = source.stored_facts([c for c in regions if level_of(c) < 4], as_of)
    villages = [c for c in regions if level_of(c) == 4]
    if villages:  # desa facts are not stored: computed from the participants of these villages
        live = registry_facts(_participants(villages), FIRST_MONTH, as_of, settings.UCJ_LAPSE_MONTHS, level=4)
        registry = pl.concat([registry, condensed(live, as_of)])
    ancestors = {a for code in regions for a in lineage(code)}
    # The feed inside the asked regions, and that of their ancestors: a region inside a feed region is
    # reported as registry-partial (see the indicator).
    feed = source.feed(regions, ancestors)
    workforce = source.workforce(regions)
    targets = source.targets(ancestors)
    # Registry facts of feed regions inside the asked regions are needed to subtract them (see indicator).
    asked = set(regions)
    feed_regions = set(_within(feed["region"].unique().to_list(), asked)) - asked
    if feed_regions:
        extra = source.stored_facts(sorted(feed_regions), as_of)
        registry = pl.concat([registry, extra])
    return Data(registry, feed, workforce, targets)


def _within(codes: Iterable[str], regions: set[str], also: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The ``codes`` strictly inside one of ``regions`` (a proper ancestor is one of them), or in ``also``: set
    lookups per code, not a comparison with every region (thousands in a batch of answers)."""
    return sorted(c for c in codes if c in also or any(a in regions for a in lineage(c)[:-1]))


def latest_month() -> dt.date:
    """The month a dashboard opens on: the latest month of BPJS's feed when there is one (the reference count
    for the whole region), else the latest month with registry facts, else the current month."""
    feed = FeedRow.objects.order_by("-month").values_list("month", flat=True).first()
    if feed:
        return feed
    fact = CoverageFact.objects.filter(level=1).order_by("-month").values_list("month", flat=True).first()
    return fact or _last_month()


def _keys(version: str, code: str, by: str | None, as_of: dt.date, definition: str) -> tuple[str, str]:
    """The cache keys of an answer (the dict, the JSON bytes). ``by`` is normalised to the level the table
    shows, so the page (no ``by``) and the API (``by=kabkota``) share one answer."""
    level = BY_LEVEL.get(by or "", level_of(code) + 1)
    shown = next((name for name, lv in BY_LEVEL.items() if lv == level), None)
    tail = f"{version}:{code}:{shown}:{as_of}:{definition}"
    return f"ucj:coverage:{tail}", f"ucj:coverage-json:{tail}"


def _compute(code: str, by: str | None, as_of: dt.date, definition: str, version: dict[str, Any],
             source: Preloaded | None = None) -> tuple[dict[str, Any], bytes]:  # fmt: skip
    """The answer of region ``code`` and its children, as a dict and as JSON bytes, with the data time of
    ``version``; its data from ``source`` when it holds them (a version's preparation), else the database."""
    reader: Queries = source if source is not None and source.serves(code, by) else QUERIES
    regions = [code, *reader.children(code, by)]
    found = indicators(regions, as_of, load_data(regions, as_of, reader), definition)
    return _result(code, by, as_of, found, reader.names(regions), version)


def _result(code: str, by: str | None, as_of: dt.date, found: list[Indicator], names: dict[str, str],
            version: dict[str, Any]) -> tuple[dict[str, Any], bytes]:  # fmt: skip
    """An answer from the indicators of its region (first) and of its children."""
    top, rows = _with_name(found[0], names), [_with_name(i, names) for i in found[1:]]
    child_level = BY_LEVEL.get(by or "", level_of(code) + 1)
    latest = version.get("as_of")
    result = {"as_of": f"{as_of:%Y-%m}", "region": top, "children": rows,
              "unallocated": unallocated(top, rows, child_level),
              # How fresh the figures are: when the data of this version were read, and the latest month with
              # data when it was published (None for a version not prepared by this code).
              "data_time": version.get("data_time"),
              "latest_month": f"{latest:%Y-%m}" if latest else None}  # fmt: skip
    return result, json.dumps(result, ensure_ascii=False).encode()


def _answer(code: str, by: str | None, as_of: dt.date | None, definition: str, part: int) -> Any:
    """Part 0 (dict) or 1 (JSON bytes) of an answer of the published version: a cache read when prepared or
    cached; else computed once (single flight per version and key, :func:`single_flight`) and cached."""
    version = published()
    month = (as_of or version.get("as_of") or latest_month()).replace(day=1)
    keys = _keys(version["id"], code, by, month, definition)
    hit = cache.get(keys[part])
    if hit is not None:
        return hit

    def compute() -> None:
        result, body = _compute(code, by, month, definition, version)
        cache.set_many(dict(zip(keys, (result, body), strict=True)))  # settings.CACHES TIMEOUT (UCJ_CACHE_TIMEOUT)
        computed[:] = [result, body]
        _remember_asked(version["id"], code, by, month, definition)

    computed: list[Any] = []
    found = single_flight(keys[part], compute)
    return found if found is not None else computed[part]


def coverage(code: str, by: str | None = None, as_of: dt.date | None = None,
             definition: str = "eligible") -> dict[str, Any]:  # fmt: skip
    """The indicator of region ``code`` and of its children (``by`` level) of the published version; the
    default month is the version's latest month."""
    result: dict[str, Any] = _answer(code, by, as_of, definition, 0)
    return result


def coverage_json(code: str, by: str | None = None, as_of: dt.date | None = None,
                  definition: str = "eligible") -> bytes:  # fmt: skip
    """:func:`coverage` as JSON bytes, cached the same way: a warm API answer is a cache read, with no schema
    validation or encoding per request (the shape is :class:`ucj.coverage.api.CoverageOut`)."""
    body: bytes = _answer(code, by, as_of, definition, 1)
    return body


def _pause() -> None:
    """A request waiting for another process's computation looks for its answer again after this pause."""
    time.sleep(FLIGHT_POLL_S)


_HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process, in flight locks
_flights: dict[str, tuple[threading.Lock, int]] = {}
_flights_guard = threading.Lock()


@contextmanager
def _process_flight(key: str, wait: float) -> Iterator[None]:
    """One thread of this process at a time per key (the others wait at most ``wait`` seconds)."""
    with _flights_guard:
        lock, users = _flights.get(key, (threading.Lock(), 0))
        _flights[key] = (lock, users + 1)
    got = lock.acquire(timeout=wait)
    try:
        yield
    finally:
        if got:
            lock.release()
        with _flights_guard:
            lock, users = _flights[key]
            if users <= 1:
                del _flights[key]
            else:
                _flights[key] = (lock, users - 1)


def single_flight(key: str, compute: Callable[[], None]) -> Any:
    """The cached value of ``key``, or None after ``compute()`` (which stores it) ran here. Of the requests
    missing the same key at once, one computes and the others wait for its answer: threads of this process on
    a lock, other processes on a cache lock (``add``), polling; each wait is bounded by
    ``UCJ_COVERAGE_FLIGHT_WAIT_MS``, after which a waiter computes itself (a stuck or dead computation never
    blocks a page)."""
    wait = settings.UCJ_COVERAGE_FLIGHT_WAIT_MS / 1000
    deadline = time.monotonic() + wait
    with _process_flight(key, wait):
        hit = cache.get(key)
        if hit is not None:
            return hit
        lock_key = f"{key}:computing"
        mine = cache.add(lock_key, _HOLDER, timeout=max(1, int(wait) + 1))
        if not mine:  # another process computes it (or the write was skipped: then nobody holds the lock)
            while time.monotonic() < deadline:
                values = cache.get_many([key, lock_key])
                if values.get(key) is not None:
                    return values[key]
                # Gone, or left by this process (its delete skipped beside an import's write lock): nobody
                # computes it now, since this thread holds the process's lock for the key.
                if values.get(lock_key, _HOLDER) == _HOLDER:
                    break
                _pause()
            hit = cache.get(key)
            if hit is not None:
                return hit
        try:
            compute()
        finally:
            if mine:
                cache.delete(lock_key)
        return None


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
