"""Writing validated participants in bulk (the hot path: no per-row ORM calls).

1. Which NIKs are already registered: one query for the whole batch (``= ANY(array)`` on PostgreSQL,
   ``IN (SELECT value FROM json_each(?))`` on SQLite, or one pass over the table or a NIK range for a batch
   about its size, see :func:`_sqlite_range`). While the fingerprint guard is in place
   (:mod:`ucj.registry.fingerprint`) that read takes only NIK, id, village and roster fingerprint (and on
   PostgreSQL the row version); a row whose fingerprint is its batch row's needs nothing more (``updated``
   with nothing to write, or ``foreign``). The other known NIKs are read again in full: the stored village,
   name, birth date and every column the batch gives. On SQLite a large import that is not part of a larger
   transaction reads through a child process and Arrow (:mod:`ucj.registry.arrow_read`,
   :func:`snapshot_file`): 1M full rows in 2.1–3.6 s instead of 4.4–6.2 s.
2. New people are inserted sorted by NIK so the unique index grows in order, with ``ON CONFLICT (nik) DO
   NOTHING``: ``COPY`` into a temporary table and one ``INSERT … SELECT`` on PostgreSQL, one ``executemany``
   on SQLite. A duplicate never raises (PostgreSQL would print the NIK in its log), and a NIK that a
   concurrent import registered in the meantime is matched again and handled as a known one. A large batch
   on PostgreSQL that gets the registry's insert lock alone (:func:`_insert_lock`) is ``COPY``-ed straight
   into the table instead (no other import can add a NIK between its match and its insert). A large batch
   on SQLite is inserted from its Arrow stage (:func:`sqlite_stage`) by an ``INSERT … SELECT`` per half.
3. Known NIKs are classified (vectorised): a stored village outside the writer's regions → ``foreign``
   (untouched); another person (name or birth date, :mod:`ucj.registry.identity`) → ``conflict``
   (untouched, a person decides); else ``updated``.
4. Updated rows are rewritten when a value differs: ``COPY`` into a temporary table and one ``UPDATE … FROM``
   on PostgreSQL, one ``executemany`` of ``UPDATE … WHERE nik = ?`` on SQLite. A blank cell (NULL) keeps the
   stored value. Rewritten rows carry their new fingerprint; rows compared and found equal get theirs
   (:func:`_record_fingerprints`; once per row after the upgrade, e.g. 1M rows ~6 s on SQLite).

The caller owns the transaction, so a batch is all-or-nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Field

from ucj.bulk import copy_frame, quote, sqlite_file, sqlite_rows, sqlite_values
from ucj.registry import fingerprint
from ucj.registry.identity import differs_expr
from ucj.registry.models import Participant

log = logging.getLogger(__name__)
#: Columns copied from the roster; on update a NULL (blank cell) keeps the stored value.
DATA_COLUMNS = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer",
    "jkk", "jkm", "jht", "jp", "jkp", "income", "risk_class", "poverty_decile", "kpj", "phone", "address",
    "coverage_start", "paid_through", "employer_sector", "employer_size", "unit_name",
)  # fmt: skip
#: Text columns stored as '' rather than NULL.
_BLANK_TEXT = ("sex", "occupation", "village_role", "payer", "kpj", "phone", "address")
#: Columns the validator fills with a default when their cells are blank. They are NULL in the written
#: frame then, so an update keeps the stored value; a new row gets the model default (the same default).
_DEFAULTED = ("segment", "ecosystem", "jkk", "jkm", "jht", "jp", "jkp")
#: Nullable columns without a model default.
_NULLABLE = ("birth_date", "income", "risk_class", "poverty_decile", "coverage_start", "paid_through",
             "employer_sector", "employer_size", "unit_name")
_INSERT_COLUMNS = ("nik", *DATA_COLUMNS, "source_batch_id", "source_row", fingerprint.COLUMN)  # timestamps: defaults
_STAGE = "ucj_stage_participant"
_STAGE_NEW = "ucj_stage_new_participant"
#: What became of a written row (see :func:`write_participants`).
ACCEPTED, UPDATED, FOREIGN, CONFLICT = "accepted", "updated", "foreign", "conflict"
#: Stored columns every match reads, whatever the batch gives: who the person is and where.
_IDENTITY = {"id": pl.Int64(), "desa_id": pl.String(), "name": pl.String(), "birth_date": pl.Date()}
#: The stored columns the coverage facts count by (:data:`ucj.coverage.facts.PARTICIPANT_SCHEMA`): read for every
#: known NIK, so the store can hand the facts the before/after rows of what it changed (see ``changes``).
FACTS_COLUMNS = {"segment": pl.String(), "ecosystem": pl.String(), "payer": pl.String(),
                 "coverage_start": pl.Date(), "paid_through": pl.Date()}  # fmt: skip
_PRINT = fingerprint.COLUMN
#: What the first read of a batch's known NIKs takes when fingerprints are trusted (:mod:`ucj.registry.fingerprint`):
#: the full row is read only where the fingerprint differs.
_PRINTS = {"nik": pl.String(), "id": pl.Int64(), "desa_id": pl.String(), _PRINT: pl.Int64()}
#: PostgreSQL: the row version (``xmin``, the transaction that wrote it) read with the fingerprints. An import
#: records a fingerprint only on a row still at that version: a page that changed the row after the read (and
#: before the import's write) leaves it without one. SQLite needs none: its writers take turns.
_ROW_VERSION = "__row_version"
#: Above this many NIKs, SQLite looks known NIKs up by one range scan of the NIK index instead of probing it
#: once per NIK, when the range holds at most ``_RANGE_SPREAD`` times as many stored rows as the batch has.
_RANGE_MIN, _RANGE_SPREAD = 20_000, 4
_FLAGS = "__flags"  # SQLite: the batch's boolean columns read as the bits of one integer (see _stored)
#: From this many new rows, a SQLite insert that at least doubles the table rebuilds its secondary indexes
#: afterwards instead of growing them row by row (see :func:`_drop_secondary_indexes`).
_REBUILD_MIN = 50_000
#: PostgreSQL: a batch of at least this many rows tries to take the registry's insert lock alone, and then
#: copies its new people straight into the table (see :func:`_insert_lock`).
_DIRECT_MIN = 5_000
#: Key of the transaction-scoped advisory lock every import takes on PostgreSQL before it matches NIKs: shared
#: for the staged insert (``ON CONFLICT``: imports run side by side), exclusive for a direct ``COPY``.
_INSERT_LOCK = 0x55434A_5245474E  # "UCJ" "REGN"
#: SQLite: from this many rows, an import that is not part of a larger transaction hands its rows to SQLite
#: through Arrow (see :func:`sqlite_stage`) instead of one Python tuple per row.
_STAGE_MIN = 50_000
_STAGE_SCHEMA = "ucj_stage"
#: SQLite: the participant timestamps' database default, Django's ``Now()`` (``%%``: a query with parameters).
_NOW = "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', 'NOW')"
#: Fields where a stored value beats a village-role default (see :func:`_keep_stored`).
KEEP_STORED = ("payer", "income", "risk_class")
Progress = Callable[[str, int], None]


def _blank_to_null(ok: pl.DataFrame) -> dict[str, pl.Expr]:
    """Derived values whose source cells were all blank become NULL: the segment and ecosystem come from their
    own column or the occupation, the programme flags from the programme column. A value filled by a village-
    role default (``defaulted_<field>``, see :mod:`ucj.contributions.defaults`) is written: the role it
    depends on came from the roster."""
    c, have = pl.col, set(ok.columns)
    exprs: dict[str, pl.Expr] = {}

    def blank(cond: pl.Expr, field: str) -> pl.Expr:
        flag = f"defaulted_{field}"
        return cond & ~c(flag) if flag in have else cond

    for name, given in (("segment", "segment_given"), ("ecosystem", "ecosystem_given")):
        if {given, "occupation"} <= have:
            cond = blank(c(given).is_null() & c("occupation").is_null(), name)
            exprs[name] = pl.when(cond).then(None).otherwise(c(name))
    if "programs_raw" in have:
        for name in ("jkk", "jkm", "jht", "jp", "jkp"):
            exprs[name] = pl.when(blank(c("programs_raw").is_null(), "programs")).then(None).otherwise(c(name))
    return exprs


def written_frame(ok: pl.DataFrame) -> pl.DataFrame:
    """The validated rows as participant columns (NULL = keep the stored value on update)."""
    derived = _blank_to_null(ok)
    absent = {"risk_class": pl.Int16, "employer_sector": pl.String, "employer_size": pl.Int64, "unit_name": pl.String}
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in absent.items() if c not in ok.columns]
    frame = ok.with_columns(missing).select(
        "nik",
        *[
            pl.col("desa_code").alias("desa_id") if c == "desa_id" else derived.get(c, pl.col(c)).alias(c)
            for c in DATA_COLUMNS
        ],
        pl.col("_row").alias("source_row"),
        *[pl.col(f"defaulted_{c}") for c in KEEP_STORED if f"defaulted_{c}" in ok.columns],
    )
    # Everything that decides what applying the row writes: not its place in the file (source_row).
    return frame.with_columns(fingerprint.of_rows(frame, [c for c in frame.columns if c != "source_row"]))


def _keep_stored(old: pl.DataFrame, stored: pl.DataFrame, numeric: bool | None = None) -> pl.DataFrame:
    """A region default never overrides what is already recorded for a known participant (a payer corrected
    on the participant page survives the village re-uploading its roster); the roster's own values do."""
    cols = [c for c in KEEP_STORED if c in stored.columns and f"defaulted_{c}" in old.columns]
    if not cols or old.is_empty():
        return old
    joined = nik_join(old, stored.select("nik", *[pl.col(c).alias(f"{c}__stored") for c in cols]), "left",
                      numeric=numeric)
    recorded = {c: pl.col(f"{c}__stored").is_not_null() & (pl.col(f"{c}__stored").cast(pl.String) != "")
                for c in cols}  # fmt: skip
    return joined.with_columns(
        [pl.when(pl.col(f"defaulted_{c}") & recorded[c]).then(None).otherwise(pl.col(c)).alias(c) for c in cols]
    ).select(old.columns)


@dataclass(frozen=True)
class Stage:
    """What :func:`sqlite_stage` prepared before the import's transaction: the batch's rows in insert form
    (``frame``, as :func:`_new_rows` makes them) in the attached scratch databases, or ``None`` when the batch is
    mostly registered already (no scratch written); ``changes``: the connection's count of changed rows then,
    outside any transaction (see :func:`snapshot_file`)."""

    frame: pl.DataFrame | None
    rows: int
    changes: int = -1
    #: The attached scratch databases, each a table ``rows`` holding a part of ``frame`` in order.
    schemas: tuple[str, ...] = ()
    #: :func:`written_frame` of the batch, made for the stage: the import uses it again instead of redoing it.
    written: pl.DataFrame | None = None


@contextlib.contextmanager
def sqlite_stage(ok: pl.DataFrame, batch_id: int) -> Iterator[Stage | None]:
    """SQLite, a batch of ``_STAGE_MIN`` rows or more: its rows in insert form (:func:`_new_rows` of every
    row, sorted by NIK) written by the Arrow driver (ADBC) into scratch database files (two halves), attached to
    Django's connection as ``ucj_stage_0`` and ``ucj_stage_1`` (read-only) for the duration; ``None`` (the
    ``executemany`` path) otherwise.

    Enter it *before* the import's transaction: SQLite refuses ``ATTACH`` inside one. The insert is then an
    ``INSERT … SELECT`` per part inside the import's transaction, so the batch stays all-or-nothing; the scratch
    files are only read there. The driver bundles its own SQLite library, so it only ever opens the scratch file, never
    the registry's database (two SQLite libraries holding one file in one process can lose each other's
    locks). The files are created 0600 beside the database and removed afterwards; one left by a killed
    process is removed by the next stage in that directory. Without the driver, inside a larger transaction
    (a form entry, a dry run) or for a small batch: ``None``. When a sample of the batch's NIKs is mostly
    registered already (a re-import: few rows to insert, the stage would be wasted), a :class:`Stage` without
    scratch (``frame`` ``None``): the import's lookup may then read the registry in a child
    (:func:`snapshot_file`), and inserts its few new rows by ``executemany``."""
    if connection.vendor != "sqlite" or ok.height < _STAGE_MIN or connection.in_atomic_block:
        yield None
        return
    connection.ensure_connection()
    changes = connection.connection.total_changes
    if _mostly_known(ok):
        # No scratch: the stage would be wasted. The import may still read its known NIKs through a child
        # (snapshot_file), as nothing has been written in the transaction that starts next.
        yield Stage(None, 0, changes)
        return
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:  # pragma: no cover - a dependency; the executemany path works without it
        yield None
        return
    frame = written_frame(ok)
    rows = _new_rows(frame.drop([c for c in frame.columns if c.startswith("defaulted_")]), batch_id)
    folder = _stage_folder()
    _remove_stale_stages(folder)
    # Two scratch files, each half of the sorted rows, written side by side by two threads (one SQLite file has
    # one writer at a time; the driver works without the GIL): 1M rows in 0.80–1.01 s against 1.54–1.87 s for
    # one file (load 1.7–1.9). The halves are inserted in order, so the NIK index still grows in order.
    half = (rows.height + 1) // 2
    parts = [part for part in (rows[:half], rows[half:]) if part.height]
    paths: list[Path] = []
    attached: list[str] = []
    try:
        for _ in parts:
            fd, name = tempfile.mkstemp(prefix=f"ucj-stage-{os.getpid()}-", suffix=".sqlite3", dir=folder)
            os.close(fd)
            paths.append(Path(name))

        def ingest(path: Path, part: pl.DataFrame) -> None:
            with adbc.connect(str(path), autocommit=True) as scratch, scratch.cursor() as cur:
                cur.adbc_ingest("rows", sqlite_values(part), mode="create")

        with ThreadPoolExecutor(len(parts)) as pool:
            list(pool.map(ingest, paths, parts))
        with connection.cursor() as cur:
            for i, path in enumerate(paths):
                schema = f"{_STAGE_SCHEMA}_{i}"
                cur.execute(f"ATTACH DATABASE %s AS {schema}", [path.as_uri() + "?mode=ro"])
                attached.append(schema)
        yield Stage(rows, rows.height, changes, tuple(attached), frame)
    finally:
        try:
            if attached and connection.connection is not None:
                with connection.cursor() as cur:
                    for schema in attached:
                        cur.execute(f"DETACH DATABASE {schema}")
        finally:
            for path in paths:
                path.unlink(missing_ok=True)


def _mostly_known(ok: pl.DataFrame, sample: int = 1000) -> bool:
    """Whether at least half of a sample of the batch's NIKs is registered (an estimate; it only chooses the
    faster way to insert, the transaction matches every NIK itself)."""
    niks = ok["nik"].sample(min(sample, ok.height), seed=17).sort().to_list()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM json_each(%s) j JOIN {quote(Participant._meta.db_table)} p ON p.nik = j.value",  # noqa: S608
            [json.dumps(niks)],
        )
        return bool(2 * cur.fetchone()[0] >= len(niks))


def _stage_folder() -> Path | None:
    """The folder of the SQLite database file (``None``, the system's temporary folder, for one in memory)."""
    path = sqlite_file()
    return None if path is None else path.parent


def _remove_stale_stages(folder: Path | None) -> None:
    """Remove scratch files that a killed import left behind (their process is gone)."""
    for old in Path(folder or tempfile.gettempdir()).glob("ucj-stage-*.sqlite3*"):
        pid = old.name.split("-")[2]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            old.unlink(missing_ok=True)
        except PermissionError:  # another user's live process
            continue


def write_participants(
    ok: pl.DataFrame, batch_id: int, progress: Progress | None = None, *, writable: Sequence[str] | None = None,
    changes: list[pl.DataFrame] | None = None, stage: Stage | None = None,
) -> pl.DataFrame:
    """Insert or update the validated rows; returns ``source_row``, ``outcome`` and ``participant_id`` (the
    stored id of a known NIK) for every row of ``ok``.

    ``writable``: the region codes the writer may write into (``None``: everywhere — admins, the CLI). A
    known NIK registered in a village outside them is left alone (``foreign``); one registered to another
    person is left alone too (``conflict``); the rest are ``accepted`` (new) or ``updated``. An updated row is
    only rewritten when a value differs, so a re-uploaded roster costs a narrow read, not a million writes (its
    first time after the upgrade, a full read and its fingerprints written). The rows come back in any order.

    ``changes``: when given, the rows the coverage facts count (:data:`FACTS_COLUMNS`, ``desa_id`` and
    ``weight``) are appended to it: +1 for each inserted person and for the new values of each rewritten one,
    −1 for the stored values of each rewritten one, so the facts follow from the frames in memory instead of
    re-reading the registry (issue 17 §3).

    ``stage``: the batch's rows already handed to SQLite (:func:`sqlite_stage`); new people are inserted from
    there.

    A known row whose roster fingerprint is the stored one (:mod:`ucj.registry.fingerprint`) is neither read in
    full nor compared: applying it again would change nothing.
    """
    tell = progress or (lambda stage, pct: None)
    frame = stage.written if stage is not None and stage.written is not None else written_frame(ok)
    flags = [c for c in frame.columns if c.startswith("defaulted_")]
    with connection.cursor() as cur:
        tell("matching", 55)
        direct = _insert_lock(cur, frame.height)
        child = snapshot_file(stage)
        # Whether every NIK of the batch is 16 digits, asked once for the joins below (the stored rows read are
        # the batch's NIKs, exactly as written).
        numeric = _digits(frame["nik"])
        trusted = fingerprint.guarded(cur, connection.vendor, Participant._meta.db_table)
        if trusted:
            frame, registered, unchanged = _by_fingerprint(cur, frame, child, numeric)
            known_mask = registered & ~unchanged
            stored = _stored(cur, frame.filter(known_mask), child)
            if stored.height < known_mask.sum():
                # Gone between the two reads (PostgreSQL: a person deleted or re-keyed by hand): new after all.
                gone = known_mask & ~nik_in(frame["nik"], stored["nik"], numeric=numeric)
                registered, known_mask = registered & ~gone, known_mask & ~gone
            same = frame.filter(unchanged).select("nik", "__id", "__desa")
            frame = frame.drop("__id", "__desa")
        else:
            stored = _stored(cur, frame, child)
            registered = known_mask = nik_in(frame["nik"], stored["nik"], numeric=numeric)
            same = pl.DataFrame(schema={"nik": pl.String(), "__id": pl.Int64(), "__desa": pl.String()})
        new = frame.filter(~registered).drop(flags)
        tell("inserting", 65)
        # The stage holds every row of the batch in insert form already: the new ones are a filter of it.
        fresh = pl.col("nik").is_in(new["nik"].implode())
        in_stage = stage.frame if stage is not None else None
        if in_stage is None:
            inserted = _new_rows(new, batch_id)
        else:  # a new registry: every row of the stage is new
            inserted = in_stage if new.height == frame.height else in_stage.filter(fresh)
        lost = _insert(cur, inserted, batch_id, direct, stage) if new.height else []
        if lost:
            # A concurrent import registered these NIKs after our match: match them again, now as known ones.
            stored = pl.concat([stored, _stored(cur, frame.filter(pl.col("nik").is_in(lost)))], how="diagonal_relaxed")
            known_mask = known_mask | frame["nik"].is_in(pl.Series(lost, dtype=pl.String()).implode())
        known = frame.filter(known_mask)
        outcome = classify(known, stored, writable, numeric=numeric)
        tell("updating", 85)
        updated = outcome["outcome"] == UPDATED
        rewrite = known  # a re-imported roster: every known row is updated, no filter needed
        if outcome.height != known.height or not updated.all():
            rewrite = known.filter(pl.col("nik").is_in(outcome.filter(updated)["nik"].implode()))
        old = _keep_stored(rewrite, stored, numeric).drop(flags)
        # Paid-through moves only through payments (issue 11 §5): a roster states it for people it registers,
        # never for a registered NIK (NULL keeps the stored value).
        old = old.with_columns(pl.lit(None, dtype=old.schema["paid_through"]).alias("paid_through"))
        changed = _changed(old, stored, numeric)
        if changed.height:
            _update(cur, changed, batch_id)
        if trusted and changed.height < old.height:  # found equal: the next import need not compare them
            _record_fingerprints(cur, old.filter(~nik_in(old["nik"], changed["nik"], numeric=numeric)))
        if same.height:
            outcome = pl.concat([outcome, _same_outcome(same, writable)])
    if changes is not None:
        changes.extend(facts_changes(inserted.filter(~pl.col("nik").is_in(lost)), changed, stored))
    return (
        frame.select("source_row", "nik")
        .pipe(nik_join, outcome, "left", numeric=numeric)
        .select(
            "source_row",
            pl.col("outcome").fill_null(ACCEPTED),
            pl.col("participant_id"),
        )
    )


def _by_fingerprint(
    cur: Any, frame: pl.DataFrame, child: Path | None, numeric: bool
) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """Match the batch against the stored fingerprints (one narrow read, one join): ``frame`` with the stored
    ``__id`` and ``__desa`` of its known NIKs (and on PostgreSQL the row version read, :data:`_ROW_VERSION`; rows in
    any order), whether each row's NIK is registered, and whether its stored fingerprint is the row's own (it
    needs no reading in full)."""
    prints = _stored(cur, frame, child, _prints_columns())
    versions = [pl.col("xmin").alias(_ROW_VERSION)] if "xmin" in prints.columns else []
    joined = nik_join(
        frame,
        prints.select("nik", pl.col("id").alias("__id"), pl.col("desa_id").alias("__desa"),
                      pl.col(_PRINT).alias("__print"), *versions),
        "left", numeric=numeric,
    )  # fmt: skip
    unchanged = (joined["__print"] == joined[_PRINT]).fill_null(False)
    return joined.drop("__print"), joined["__id"].is_not_null(), unchanged


def _prints_columns() -> dict[str, pl.DataType]:
    """What the first read of known NIKs takes: :data:`_PRINTS`, and on PostgreSQL the row version."""
    return {**_PRINTS, "xmin": pl.Int64()} if connection.vendor == "postgresql" else _PRINTS


def _same_outcome(same: pl.DataFrame, writable: Sequence[str] | None) -> pl.DataFrame:
    """The outcomes of rows found unchanged by their fingerprint (``nik``, stored ``__id`` and ``__desa``):
    ``foreign`` outside the writer's regions (as :func:`classify` decides first), else ``updated`` (with nothing
    to write)."""
    inside = in_regions_expr("__desa", writable)
    return same.select(
        "nik", pl.when(inside).then(pl.lit(UPDATED)).otherwise(pl.lit(FOREIGN)).alias("outcome"),
        pl.col("__id").alias("participant_id"),
    )  # fmt: skip


def facts_changes(inserted: pl.DataFrame, changed: pl.DataFrame, stored: pl.DataFrame) -> list[pl.DataFrame]:
    """The rows the coverage facts count, weighted: +1 for each inserted row (as the database stores it:
    blank text '' and NULL dates), +1 for the new and −1 for the stored values of each changed row (a NULL
    cell keeps the stored value, as in :func:`_update`)."""
    cols = ["desa_id", *FACTS_COLUMNS]
    schema = {"desa_id": pl.String(), **FACTS_COLUMNS}

    def shaped(frame: pl.DataFrame, weight: int) -> pl.DataFrame:
        return frame.select(
            *[pl.col(c).cast(t) if c in frame.columns else pl.lit("" if t == pl.String() else None, t).alias(c)
              for c, t in schema.items()],
            pl.lit(weight, pl.Int8).alias("weight"),
        )  # fmt: skip

    parts = [shaped(inserted, 1)]  # always one frame, empty when nothing was inserted: "no change" is an answer
    if changed.height:
        before = changed.select("nik").join(stored.select("nik", *cols), on="nik", how="left")
        after = changed.select("nik", *[c for c in cols if c in changed.columns]).join(
            before, on="nik", how="left", suffix="__stored"
        )
        after = after.select(
            [pl.coalesce(c, f"{c}__stored").alias(c) if c in changed.columns else pl.col(f"{c}__stored").alias(c)
             for c in cols]
        )  # fmt: skip
        parts += [shaped(before, -1), shaped(after, 1)]
    return parts


def in_regions_expr(column: str, codes: Sequence[str] | None) -> pl.Expr:
    """True where region code ``column`` lies inside one of ``codes`` (``None``: everywhere)."""
    if codes is None:
        return pl.lit(True)
    if not codes:
        return pl.lit(False)
    c = pl.col(column)
    return pl.any_horizontal([(c == code) | c.str.starts_with(code + ".") for code in codes]).fill_null(False)


def classify(
    known: pl.DataFrame, stored: pl.DataFrame, writable: Sequence[str] | None, *, numeric: bool | None = None
) -> pl.DataFrame:
    """``nik``, ``outcome`` and ``participant_id`` of the rows whose NIK is registered: ``foreign`` when the
    stored village lies outside ``writable`` (checked first: nothing about the person is compared for a
    writer who may not see them), ``conflict`` when the row describes another person, else ``updated``.
    ``numeric``: see :func:`nik_join`."""
    schema = {"nik": pl.String(), "outcome": pl.String(), "participant_id": pl.Int64()}
    if known.is_empty():
        return pl.DataFrame(schema=schema)
    ident = stored.select(
        "nik", pl.col("id").alias("participant_id"), pl.col("desa_id").alias("desa__stored"),
        pl.col("name").alias("name__stored"), pl.col("birth_date").alias("birth__stored"),
    )  # fmt: skip
    joined = nik_join(known.select("nik", "name", "birth_date"), ident, "inner", numeric=numeric)
    inside = in_regions_expr("desa__stored", writable)
    # Names are normalised only where the text differs at all: a re-uploaded roster mostly repeats them.
    maybe = joined.filter(
        inside
        & (pl.col("name").ne_missing(pl.col("name__stored")) | pl.col("birth_date").ne_missing(pl.col("birth__stored")))
    )
    other = maybe.filter(differs_expr("name", "name__stored", "birth_date", "birth__stored"))["nik"].implode()
    outcome = (
        pl.when(~inside)
        .then(pl.lit(FOREIGN))
        .when(pl.col("nik").is_in(other))
        .then(pl.lit(CONFLICT))
        .otherwise(pl.lit(UPDATED))
    )
    return joined.select("nik", outcome.alias("outcome"), "participant_id")


def snapshot_file(stage: Stage | None) -> Path | None:
    """The SQLite registry's file when a child process reading it now sees exactly what the import's transaction
    sees (:mod:`ucj.registry.arrow_read` gives the reasoning), else ``None``. All of: a ``stage`` entered outside
    any transaction (so not a form entry or dry run inside a larger one); the registry in a file (never in
    memory); the import's transaction begun with ``BEGIN IMMEDIATE`` (it holds the write lock: nobody else can
    commit); and nothing written by this connection since the stage was entered (the transaction's own writes
    would be invisible to the child)."""
    if stage is None or stage.changes < 0 or connection.vendor != "sqlite":
        return None
    raw = connection.connection
    if (getattr(connection, "transaction_mode", None) != "IMMEDIATE" or not connection.in_atomic_block
            or raw is None or not raw.in_transaction or raw.total_changes != stage.changes):  # fmt: skip
        return None
    return _database_file()


def _database_file() -> Path | None:
    """The SQLite database's file (``None`` for one in memory, e.g. the test database; tests point it elsewhere)."""
    return sqlite_file()


def _stored(
    cur: Any, frame: pl.DataFrame, child: Path | None = None, columns: dict[str, pl.DataType] | None = None
) -> pl.DataFrame:
    """The stored values of the batch's NIKs that the registry already holds: the NIK and every data column
    the batch gives a value for (only those can differ, see :func:`_changed`), or just ``columns``. ``child``:
    the SQLite registry's file, when a large read may go through a child process (:func:`snapshot_file`)."""
    if columns is None:
        given = [
            c for c in DATA_COLUMNS
            if frame[c].null_count() < frame.height and c not in _IDENTITY and c not in FACTS_COLUMNS
        ]  # fmt: skip
        schema: dict[str, pl.DataType] = {
            "nik": pl.String(), **_IDENTITY, **FACTS_COLUMNS, **{c: frame.schema[c] for c in given}
        }
    else:
        schema = dict(columns)
    table = quote(Participant._meta.db_table)
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    cols = ", ".join(f"p.{quote(c)}" for c in schema)
    if connection.vendor == "postgresql":
        niks = frame["nik"]
        # One text parameter: binding a million-element array costs seconds of client-side quoting. The rows
        # come back as CSV through COPY and are parsed by Polars in bulk: a million rows as Python tuples (a
        # date object per cell) cost seconds (issue 17 §3). FORCE_QUOTE: '' stays '', NULL stays NULL. A batch
        # about the size of the whole registry reads the table in one sequential scan instead (a semi-join in
        # Polars), not a million probes of the NIK index.
        whole = _whole_table(cur, table, len(niks))
        where, params = ("", []) if whole else (" WHERE p.nik = ANY(string_to_array(%s, ','))",
                                                [",".join(niks.to_list())])  # fmt: skip
        buf = io.BytesIO()
        with cur.cursor.copy(
            f"COPY (SELECT {cols} FROM {table} p{where}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)", params  # noqa: S608
        ) as copy:
            for chunk in copy:
                buf.write(chunk)
        text = pl.read_csv(buf.getvalue(), has_header=False, new_columns=list(schema), infer_schema=False,
                           schema={c: pl.String() for c in schema})  # fmt: skip
        found = text.with_columns(
            [pl.col(c) == "t" if t == pl.Boolean() else pl.col(c).str.to_date("%Y-%m-%d") if t == pl.Date()
             else pl.col(c).cast(t) for c, t in schema.items()]
        )  # fmt: skip
        return _in_batch(found, niks) if whole else found
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
    if not cur.fetchone()[0]:
        return pl.DataFrame(schema=schema)
    # Dates as expressions: SQLite then hands back the stored text as it is, skipping the per-value Python
    # converter Django registers for that declared type; Polars parses them in bulk instead. The booleans
    # (NOT NULL) come back as one integer, bit i the i-th of them: one Python object per row instead of five,
    # also skipping their converter. Text and integer columns have no converter and are read bare (an
    # expression costs SQLite a copy of every value).
    flags = [c for c, t in schema.items() if t == pl.Boolean]
    raw = {c: pl.String() if t == pl.Date else t for c, t in schema.items() if t != pl.Boolean}
    exprs = ", ".join(f"p.{quote(c)} || ''" if schema[c] == pl.Date else f"p.{quote(c)}" for c in raw)
    if flags:
        raw[_FLAGS] = pl.Int64()
        exprs += ", " + " | ".join(f"((p.{quote(c)} + 0) << {i})" for i, c in enumerate(flags))
    rows = _sqlite_range(cur, exprs, table, frame["nik"], raw, child)
    if rows is None:
        # Walk the batch's NIKs and probe the unique index once each (no temporary index over the batch), in
        # index order: neighbouring NIKs share pages (a file in any order reads like a sorted one).
        in_order = frame["nik"].sort().to_list()
        cur.execute(f"SELECT {exprs} FROM json_each(%s) j JOIN {table} p ON p.nik = j.value", [json.dumps(in_order)])  # noqa: S608
        rows = pl.DataFrame(cur.fetchall(), schema=raw, orient="row")
    return rows.with_columns(
        [((pl.col(_FLAGS) & (1 << i)) != 0).alias(c) for i, c in enumerate(flags)]
        + [pl.col(c).str.to_date("%Y-%m-%d") if t == pl.Date else pl.col(c).cast(t) for c, t in schema.items()
           if t != pl.Boolean]
    ).select(list(schema))  # fmt: skip


def _sqlite_range(
    cur: Any, exprs: str, table: str, niks: pl.Series, raw: dict[str, Any], child: Path | None = None
) -> pl.DataFrame | None:
    """A large batch's stored rows by one scan, kept where the NIK is in the batch (a Polars semi-join), or
    ``None`` when the batch is small or the stored people it could concern outnumber it by far (then probing
    each NIK reads less). The scan is of the whole table in storage order when the table holds at most half as many
    rows again as the batch (no index walk: a registry re-imported whole), else of the NIK index between
    the batch's smallest and largest NIK. A re-imported roster of a million known NIKs is read in one pass
    instead of a million separate probes (issue 17 §3). ``child``: the registry's file, read by a child through
    Arrow (:mod:`ucj.registry.arrow_read`; in-process if the child fails)."""
    if len(niks) < _RANGE_MIN:
        return None
    lo, hi = niks.min(), niks.max()
    sql = f"SELECT {exprs} FROM {table} p"  # noqa: S608
    if _whole_table(cur, table, len(niks)):
        where, params = "", []
        cur.execute(f"SELECT max(id) FROM {table}")  # noqa: S608
        half = (cur.fetchone()[0] or 0) // 2
        parts = [(" WHERE p.id <= %s", [half]), (" WHERE p.id > %s", [half])]
    else:
        cur.execute(f"SELECT count(*) FROM {table} WHERE nik BETWEEN %s AND %s", [lo, hi])  # noqa: S608
        if cur.fetchone()[0] > _RANGE_SPREAD * len(niks):
            return None
        where, params = " WHERE p.nik BETWEEN %s AND %s", [lo, hi]
        mid = niks.sample(min(1001, len(niks)), seed=17).sort()[min(500, len(niks) // 2)]  # about the median
        parts = [(" WHERE p.nik >= %s AND p.nik < %s", [lo, mid]), (" WHERE p.nik >= %s AND p.nik <= %s", [mid, hi])]
    found = _child_rows(child, [(sql + w, p) for w, p in parts], raw) if child is not None else None
    if found is None:
        cur.execute(sql + where, params)
        found = pl.DataFrame(cur.fetchall(), schema=raw, orient="row")
    return _in_batch(found, niks)


def _child_rows(path: Path, parts: list[tuple[str, list[Any]]], raw: dict[str, Any]) -> pl.DataFrame | None:
    """The rows of the queries ``parts`` (together: one scan, split in two for the child's two threads) read by a
    child through Arrow (:mod:`ucj.registry.arrow_read`), typed as ``raw``; ``None`` when the child gives no answer
    or its values do not fit those types (the caller reads in-process: the same rows, and the same error if a
    value is odd). 1M rows: 2.1–2.6 s against 4.4–4.7 s in-process (same run, load 1.5)."""
    from ucj.registry import arrow_read

    try:
        found = arrow_read.read(path, [(sql.replace("%s", "?"), params) for sql, params in parts], list(raw))
        return found.select([pl.col(c).cast(t) for c, t in raw.items()])
    except (arrow_read.ChildReadError, pl.exceptions.PolarsError, OSError, ValueError) as exc:  # e.g. no fork
        log.warning("participant lookup read in-process: the child read failed (%s)", type(exc).__name__)
        return None


def _whole_table(cur: Any, table: str, batch: int) -> bool:
    """Whether a batch of ``batch`` NIKs (at least ``_RANGE_MIN``) should read the whole participant table: it
    holds at most half as many rows again as the batch (a row read in storage order costs about two thirds of
    one read through the NIK index). Counts no further than that."""
    if batch < _RANGE_MIN:
        return False
    limit = batch * 3 // 2
    cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [limit + 1])  # noqa: S608
    return bool(cur.fetchone()[0] <= limit)


def nik_join(
    left: pl.DataFrame, right: pl.DataFrame, how: Any, suffix: str = "_right", *, numeric: bool | None = None
) -> pl.DataFrame:
    """``left.join(right, on="nik", how=how, suffix=suffix)``, the same rows and columns. When every NIK on both
    sides is 16 digits (valid NIKs are) the join goes through the NIK as an unsigned 64-bit number, which is then
    an exact image of the text: a million rows join in 0.41–0.45 s instead of 1.21–1.29 s (load 2.1–2.2). Any
    other NIK: the join on the text. ``numeric``: that answer, when the caller already knows it for frames these
    are parts of (the check costs ~35 ms a million NIKs per side; ``None``: checked here)."""
    if not (_digits(left["nik"]) and _digits(right["nik"]) if numeric is None else numeric):
        return left.join(right, on="nik", how=how, suffix=suffix)
    key = "__nik_key"
    number = pl.col("nik").cast(pl.UInt64).alias(key)
    joined = left.with_columns(number).join(right.with_columns(number).drop("nik"), on=key, how=how, suffix=suffix)
    return joined.drop(key)


def nik_in(niks: pl.Series, among: pl.Series, *, numeric: bool | None = None) -> pl.Series:
    """``niks.is_in(among)``, through the NIKs as numbers when all are 16 digits (as :func:`nik_join`)."""
    if _digits(niks) and _digits(among) if numeric is None else numeric:
        return niks.cast(pl.UInt64).is_in(among.cast(pl.UInt64).implode())
    return niks.is_in(among.implode())


def _digits(niks: pl.Series) -> bool:
    """Whether every NIK is exactly 16 ASCII digits (35 ms for a million)."""
    return bool(niks.str.contains("^[0-9]{16}$").all()) and niks.null_count() == 0


def _in_batch(rows: pl.DataFrame, niks: pl.Series) -> pl.DataFrame:
    """The rows whose NIK is one of ``niks`` (a semi-join, as a filter: 0.25 s for a million NIKs in a million
    rows against 0.70 s for Polars' semi-join)."""
    return rows.filter(nik_in(rows["nik"], niks))


def _changed(old: pl.DataFrame, stored: pl.DataFrame, numeric: bool | None = None) -> pl.DataFrame:
    """Rows of ``old`` where some given (non-null) value differs from the stored one."""
    if old.is_empty():
        return old
    joined = nik_join(old, stored, "left", suffix="__stored", numeric=numeric)
    compared = [c for c in DATA_COLUMNS if c in stored.columns]
    if not compared:
        return old.clear()
    differs = pl.any_horizontal(
        [pl.col(c).is_not_null() & pl.col(c).ne_missing(pl.col(f"{c}__stored")) for c in compared]
    )
    return joined.filter(differs).select(old.columns)


def _new_rows(new: pl.DataFrame, batch_id: int) -> pl.DataFrame:
    """Rows for INSERT, sorted by NIK. Columns that are blank in every row are left out: the database
    fills them (NULL, or '' for text), so a typical roster binds a third fewer values per row."""
    fill = [pl.col(c).fill_null(_model_default(c)) for c in _DEFAULTED] + [pl.col(c).fill_null("") for c in _BLANK_TEXT]
    blank = {c for c in (*_BLANK_TEXT, *_NULLABLE) if new[c].null_count() == new.height}
    return (
        new.with_columns(fill)
        .with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("source_batch_id"))
        .select([c for c in _INSERT_COLUMNS if c not in blank])
        .sort(_nik_order())
    )


def _nik_order() -> list[pl.Expr]:
    """Sort keys that order rows by NIK: its number first, then its text. A valid NIK is 16 digits, so the number
    orders like the text, and Polars sorts a million integers in 0.24 s against 1.2–1.5 s for the strings (the
    text only breaks ties, e.g. of anything that is not a number)."""
    return [pl.col("nik").cast(pl.UInt64, strict=False), pl.col("nik")]


def _insert_lock(cur: Any, rows: int) -> bool:
    """PostgreSQL: take the registry's insert lock for this transaction, before the NIKs are matched; ``True``
    when this batch holds it alone and may ``COPY`` its new people straight into the table.

    Every import takes it: shared (blocking) for the staged insert, whose ``ON CONFLICT`` lets imports run side
    by side; a batch of :data:`_DIRECT_MIN` rows or more first tries it exclusively without waiting. Held
    alone, no other import can register a NIK between this batch's match and its insert, so a direct ``COPY``
    meets no duplicate (the unique index still guarantees it; :func:`_copy_direct` falls back if a writer that
    takes no lock got there first). Held by others, the batch takes the staged path at once instead of
    waiting for them. Other imports wait for an exclusive holder's commit (as on SQLite, whose writers are
    serialised anyway). Transaction-scoped: released by the commit or the rollback, also of a killed import.
    """
    if connection.vendor != "postgresql":
        return False
    if rows >= _DIRECT_MIN:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [_INSERT_LOCK])
        if cur.fetchone()[0]:
            return True
    cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_INSERT_LOCK])
    return False


def _copy_direct(cur: Any, table: str, cols: str, rows: pl.DataFrame) -> bool:
    """``COPY`` new participants straight into the table (PostgreSQL, insert lock held alone); ``False``, with
    nothing written, when a NIK turned out to be registered after all (a writer outside the imports): the
    savepoint is rolled back and the caller takes the staged ``ON CONFLICT`` path."""
    from psycopg.errors import UniqueViolation

    try:
        with transaction.atomic():
            rebuilt = _drop_secondary_indexes(cur, rows.height)
            copy_frame(cur, f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)", rows)
            if rebuilt:
                # 1M rows: COPY 3.7-4.2 s and the three builds 1.4-1.8 s, against 6.4-6.7 s into the indexes.
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for create in rebuilt:
                cur.execute(create)
    except UniqueViolation:
        return False
    return True


def _insert(
    cur: Any, rows: pl.DataFrame, batch_id: int, direct: bool = False, stage: Stage | None = None
) -> list[str]:
    """Insert new participants, skipping NIKs registered meanwhile (``ON CONFLICT (nik) DO NOTHING``: the
    database never raises on a duplicate); returns the NIKs that were not inserted by this call. ``direct``:
    this batch holds the insert lock alone (:func:`_insert_lock`), so it copies straight into the table.
    ``stage``: SQLite, every row of the batch in insert form in the attached scratch databases; the known NIKs
    among them are skipped by the same ``ON CONFLICT``."""
    table = quote(Participant._meta.db_table)
    cols = ", ".join(quote(c) for c in rows.columns)
    if direct and _copy_direct(cur, table, cols, rows):
        return []
    if connection.vendor == "postgresql":
        with _pg_stage(cur, _STAGE_NEW, rows):
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {_STAGE_NEW} ORDER BY nik "  # noqa: S608
                "ON CONFLICT (nik) DO NOTHING"
            )
            inserted = cur.rowcount
    else:
        marks = ", ".join(["%s"] * rows.width)
        # From a stage, SQLite's own INSERT … SELECT grows the indexes no slower than it rebuilds them (1M rows,
        # 2026-11-30: 2.2 s keeping them against 2.1 + 1.7 s with the rebuild); row by row from Python, the
        # rebuild wins.
        in_stage, schemas = (stage.frame, stage.schemas) if stage is not None else (None, ())
        rebuilt = _drop_secondary_indexes(cur, rows.height) if in_stage is None else []
        if in_stage is not None:
            staged = ", ".join(quote(c) for c in in_stage.columns)
            # The timestamps' default (strftime of 'now') is the same for every row of one INSERT … SELECT (SQLite
            # fixes 'now' per statement step), so it is evaluated once and bound: evaluated per row it cost 1.0 s
            # of 3.2 s for a million rows (2.2 s bound; load 2.5–2.8). WHERE true: SQLite's grammar wants it
            # between a SELECT and an upsert clause.
            cur.execute(f"SELECT {_NOW}", [])
            (now,) = cur.fetchone()
            inserted = 0
            for schema in schemas:  # in NIK order: the first part's NIKs are all below the second's
                cur.execute(
                    f"INSERT INTO {table} ({staged}, created_at, updated_at) SELECT {staged}, %s, %s "  # noqa: S608
                    f"FROM {schema}.rows WHERE true ON CONFLICT (nik) DO NOTHING",
                    [now, now],
                )
                inserted += cur.rowcount
        else:
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT (nik) DO NOTHING",  # noqa: S608
                sqlite_rows(rows),
            )
            inserted = cur.rowcount
        for create in rebuilt:
            cur.execute(create)
    if inserted == rows.height:
        return []
    # Which ones were not ours: their stored row does not carry this batch and row.
    mine = _read(
        cur, rows["nik"].to_list(), {"nik": pl.String(), "source_batch_id": pl.Int64(), "source_row": pl.Int64()}
    )
    ours = (
        rows.select("nik", pl.col("source_row").cast(pl.Int64))
        .join(mine, on=["nik", "source_row"], how="inner")
        .filter(pl.col("source_batch_id") == batch_id)
    )
    return rows.filter(~pl.col("nik").is_in(ours["nik"].implode()))["nik"].to_list()


def _drop_secondary_indexes(cur: Any, adding: int) -> list[str]:
    """When a batch at least doubles a large table, drop its secondary indexes (not the primary key nor the
    NIK's unique index, which ``ON CONFLICT`` and the direct ``COPY`` need) and return their ``CREATE INDEX``
    statements for after the insert: building an index once over sorted keys is cheaper than growing it row by
    row in the order of NIKs. Safe inside the import's transaction: DDL is transactional on both databases (a
    failed or killed import rolls the indexes back with the rows). On SQLite, readers in WAL mode keep their
    snapshot, indexes included; on PostgreSQL, ``DROP INDEX`` locks the table, so readers of the participant
    table wait for the commit of such a load (a first load, mostly; dashboards read the coverage facts)."""
    if adding < _REBUILD_MIN:
        return []
    table = Participant._meta.db_table
    cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s) t", [adding])  # noqa: S608
    if cur.fetchone()[0] >= adding:
        return []
    if connection.vendor == "postgresql":
        cur.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary",
            [table],
        )
    else:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table])  # fmt: skip
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f"DROP INDEX {quote(name)}")
    return [sql for _, sql in found]


def _read(cur: Any, niks: list[str], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Plain columns (text and integers) of the participants with these NIKs."""
    table = quote(Participant._meta.db_table)
    cols = ", ".join(f"p.{quote(c)}" for c in schema)
    if connection.vendor == "postgresql":
        cur.execute(f"SELECT {cols} FROM {table} p WHERE p.nik = ANY(string_to_array(%s, ','))", [",".join(niks)])  # noqa: S608
    else:
        cur.execute(f"SELECT {cols} FROM json_each(%s) j JOIN {table} p ON p.nik = j.value", [json.dumps(niks)])  # noqa: S608
    return pl.DataFrame(cur.fetchall(), schema=schema, orient="row")


@contextlib.contextmanager
def _pg_stage(cur: Any, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """PostgreSQL: ``frame`` copied into the temporary table ``name`` for the block (dropped after it, and at the
    commit in any case)."""
    cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.execute(f"CREATE TEMPORARY TABLE {name} ({_stage_columns(frame)}) ON COMMIT DROP")
    copy_frame(cur, f"COPY {name} ({', '.join(quote(c) for c in frame.columns)}) FROM STDIN (FORMAT csv)", frame)
    yield
    cur.execute(f"DROP TABLE {name}")


def _stage_columns(frame: pl.DataFrame) -> str:
    """Column definitions of a temporary table for ``frame`` (the participant's own column types)."""
    fields = {f.column: f for f in Participant._meta.concrete_fields}
    return ", ".join(
        f"{quote(c)} {fields[c].db_type(connection)}" if c in fields and c != "nik" else f"{c} varchar(16)"
        if c == "nik" else f"{c} bigint"
        for c in frame.columns
    )  # fmt: skip


def _update(cur: Any, old: pl.DataFrame, batch_id: int) -> None:
    table = quote(Participant._meta.db_table)
    if connection.vendor == "postgresql":
        sets = ", ".join(f"{quote(c)} = COALESCE(s.{quote(c)}, {table}.{quote(c)})" for c in DATA_COLUMNS)
        with _pg_stage(cur, _STAGE, old):
            cur.execute(
                f"UPDATE {table} SET {sets}, source_batch_id = %s, source_row = s.source_row, "  # noqa: S608
                f"{_PRINT} = {_if_unchanged(table, old)}, updated_at = CURRENT_TIMESTAMP "
                f"FROM {_STAGE} s WHERE {table}.nik = s.nik",
                [batch_id],
            )
        return
    sets = ", ".join(f"{quote(c)} = COALESCE(%s, {quote(c)})" for c in DATA_COLUMNS)
    ordered = old.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("_batch")).select(
        *DATA_COLUMNS, "_batch", "source_row", _PRINT, "nik"
    )
    cur.executemany(
        f"UPDATE {table} SET {sets}, source_batch_id = %s, source_row = %s, {_PRINT} = %s, "  # noqa: S608
        "updated_at = CURRENT_TIMESTAMP WHERE nik = %s",
        sqlite_rows(ordered),
    )


def _if_unchanged(table: str, staged: pl.DataFrame) -> str:
    """PostgreSQL: the new fingerprint for a row of the stage ``s``, or NULL when the row is no longer the
    version the import read (:data:`_ROW_VERSION`; ``xmin`` is that of the row the UPDATE is about to replace)."""
    if _ROW_VERSION not in staged.columns:  # fingerprints are not trusted (no guard): nothing to protect
        return f"s.{_PRINT}"
    # No version: a NIK another import registered after the read (matched again without one).
    return f"CASE WHEN {table}.xmin = s.{_ROW_VERSION}::text::xid THEN s.{_PRINT} END"


def _record_fingerprints(cur: Any, rows: pl.DataFrame) -> None:
    """Store the fingerprints of known rows that were compared in full and found equal (nothing else about them
    changes, so the guard is not woken: the fingerprint is not a guarded column)."""
    if rows.is_empty():
        return
    table = quote(Participant._meta.db_table)
    if connection.vendor == "postgresql":
        if _ROW_VERSION in rows.columns:
            prints = rows.select("nik", _PRINT, _ROW_VERSION)
            # A row without a version (matched again after a concurrent insert) stays without a fingerprint.
            versioned = f" AND s.{_ROW_VERSION} IS NOT NULL"
        else:
            prints, versioned = rows.select("nik", _PRINT), ""
        with _pg_stage(cur, _STAGE, prints):
            cur.execute(
                f"UPDATE {table} SET {_PRINT} = {_if_unchanged(table, prints)} FROM {_STAGE} s "  # noqa: S608
                f"WHERE {table}.nik = s.nik{versioned}"
            )
        return
    # In NIK order: each UPDATE then finds its row on the page the last one left in the cache.
    prints = rows.select("nik", _PRINT).sort(_nik_order())
    cur.executemany(f"UPDATE {table} SET {_PRINT} = %s WHERE nik = %s", sqlite_rows(prints.select(_PRINT, "nik")))  # noqa: S608


def _model_default(name: str) -> Any:
    field = Participant._meta.get_field(name)
    assert isinstance(field, Field)
    return field.default
