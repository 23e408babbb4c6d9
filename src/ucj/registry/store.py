"""Writing validated participants in bulk (the hot path: no per-row ORM calls).

1. Which NIKs are already registered: one query for the whole batch (``= ANY(array)`` on PostgreSQL,
   ``IN (SELECT value FROM json_each(?))`` on SQLite).
2. New people go straight into the participant table, sorted by NIK so the unique index grows in order:
   ``COPY`` on PostgreSQL, one ``executemany`` on SQLite.
3. Known NIKs are updated: ``COPY`` into a temporary table and one ``UPDATE … FROM`` on PostgreSQL, one
   ``executemany`` of ``UPDATE … WHERE nik = ?`` on SQLite. A blank cell (NULL) keeps the stored value.

The caller owns the transaction, so a batch is all-or-nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import Field

from ucj.bulk import copy_frame, insert_frame, quote, sqlite_rows
from ucj.registry.models import Participant

#: Columns copied from the roster; on update a NULL (blank cell) keeps the stored value.
DATA_COLUMNS = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer",
    "jkk", "jkm", "jht", "jp", "jkp", "income", "risk_class", "poverty_decile", "kpj", "phone", "address",
    "coverage_start", "paid_through",
)  # fmt: skip
#: Text columns stored as '' rather than NULL.
_BLANK_TEXT = ("sex", "occupation", "village_role", "payer", "kpj", "phone", "address")
#: Columns the validator fills with a default when their cells are blank. They are NULL in the written
#: frame then, so an update keeps the stored value; a new row gets the model default (the same default).
_DEFAULTED = ("segment", "ecosystem", "jkk", "jkm", "jht", "jp", "jkp")
#: Nullable columns without a model default.
_NULLABLE = ("birth_date", "income", "risk_class", "poverty_decile", "coverage_start", "paid_through")
_INSERT_COLUMNS = ("nik", *DATA_COLUMNS, "source_batch_id", "source_row")  # timestamps: database defaults
_STAGE = "ucj_stage_participant"
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
    missing = [pl.lit(None, dtype=pl.Int16).alias(c) for c in ("risk_class",) if c not in ok.columns]
    return ok.with_columns(missing).select(
        "nik",
        *[
            pl.col("desa_code").alias("desa_id") if c == "desa_id" else derived.get(c, pl.col(c)).alias(c)
            for c in DATA_COLUMNS
        ],
        pl.col("_row").alias("source_row"),
        *[pl.col(f"defaulted_{c}") for c in KEEP_STORED if f"defaulted_{c}" in ok.columns],
    )


def _keep_stored(old: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """A region default never overrides what is already recorded for a known participant (a payer corrected
    on the participant page survives the village re-uploading its roster); the roster's own values do."""
    cols = [c for c in KEEP_STORED if c in stored.columns and f"defaulted_{c}" in old.columns]
    if not cols or old.is_empty():
        return old
    joined = old.join(stored.select("nik", *[pl.col(c).alias(f"{c}__stored") for c in cols]), on="nik", how="left")
    recorded = {c: pl.col(f"{c}__stored").is_not_null() & (pl.col(f"{c}__stored").cast(pl.String) != "")
                for c in cols}  # fmt: skip
    return joined.with_columns(
        [pl.when(pl.col(f"defaulted_{c}") & recorded[c]).then(None).otherwise(pl.col(c)).alias(c) for c in cols]
    ).select(old.columns)


def write_participants(ok: pl.DataFrame, batch_id: int, progress: Progress | None = None) -> pl.DataFrame:
    """Insert or update the validated rows; returns ``(source_row, updated)`` for each row written.

    A row whose NIK is registered counts as updated; it is only rewritten when a value differs, so a
    re-uploaded roster costs a read, not a million writes.
    """
    tell = progress or (lambda stage, pct: None)
    frame = written_frame(ok)
    with connection.cursor() as cur:
        tell("matching", 55)
        stored = _stored(cur, frame)
        is_known = pl.col("nik").is_in(stored["nik"].implode())
        flags = [c for c in frame.columns if c.startswith("defaulted_")]
        new, old = frame.filter(~is_known).drop(flags), _keep_stored(frame.filter(is_known), stored).drop(flags)
        tell("inserting", 65)
        if new.height:
            _insert(cur, _new_rows(new, batch_id))
        tell("updating", 85)
        changed = _changed(old, stored)
        if changed.height:
            _update(cur, changed, batch_id)
    return frame.select("source_row", is_known.alias("updated"))


def _stored(cur: Any, frame: pl.DataFrame) -> pl.DataFrame:
    """The stored values of the batch's NIKs that the registry already holds: the NIK and every data column
    the batch gives a value for (only those can differ, see :func:`_changed`)."""
    given = [c for c in DATA_COLUMNS if frame[c].null_count() < frame.height]
    schema: dict[str, pl.DataType] = {"nik": pl.String(), **{c: frame.schema[c] for c in given}}
    table = quote(Participant._meta.db_table)
    niks = frame["nik"].to_list()
    if not niks:
        return pl.DataFrame(schema=schema)
    cols = ", ".join(f"p.{quote(c)}" for c in schema)
    if connection.vendor == "postgresql":
        # One text parameter: binding a million-element array costs seconds of client-side quoting.
        cur.execute(
            f"SELECT {cols} FROM {table} p WHERE p.nik = ANY(string_to_array(%s, ','))",  # noqa: S608
            [",".join(niks)],
        )
        return pl.DataFrame(cur.fetchall(), schema=schema, orient="row")
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
    if not cur.fetchone()[0]:
        return pl.DataFrame(schema=schema)
    # Expressions instead of bare columns: SQLite then hands back the stored text and integers as they
    # are, skipping the per-value Python converters Django registers for dates and booleans; Polars
    # parses them in bulk instead.
    raw = {c: pl.String() if t == pl.Date else pl.Int64() if t == pl.Boolean else t for c, t in schema.items()}
    exprs = ", ".join(
        f"p.{quote(c)} || ''" if t == pl.String() else f"p.{quote(c)} + 0" for c, t in raw.items()
    )  # fmt: skip
    # Walk the batch's NIKs and probe the unique index once each (no temporary index over the batch).
    cur.execute(f"SELECT {exprs} FROM json_each(%s) j JOIN {table} p ON p.nik = j.value", [json.dumps(niks)])  # noqa: S608
    rows = pl.DataFrame(cur.fetchall(), schema=raw, orient="row")
    return rows.with_columns(
        [pl.col(c).str.to_date("%Y-%m-%d") if t == pl.Date else pl.col(c).cast(t) for c, t in schema.items()]
    )


def _changed(old: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """Rows of ``old`` where some given (non-null) value differs from the stored one."""
    if old.is_empty():
        return old
    joined = old.join(stored, on="nik", how="left", suffix="__stored")
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
        .sort("nik")
    )


def _insert(cur: Any, rows: pl.DataFrame) -> None:
    insert_frame(cur, Participant._meta.db_table, rows)


def _update(cur: Any, old: pl.DataFrame, batch_id: int) -> None:
    table = quote(Participant._meta.db_table)
    if connection.vendor == "postgresql":
        fields = {f.column: f for f in Participant._meta.concrete_fields}
        columns = ", ".join(
            f"{quote(c)} {fields[c].db_type(connection)}" if c in fields and c != "nik" else f"{c} varchar(16)"
            if c == "nik" else f"{c} bigint"
            for c in old.columns
        )  # fmt: skip
        cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cur.execute(f"CREATE TEMPORARY TABLE {_STAGE} ({columns}) ON COMMIT DROP")
        copy_frame(cur, f"COPY {_STAGE} ({', '.join(quote(c) for c in old.columns)}) FROM STDIN (FORMAT csv)", old)
        sets = ", ".join(f"{quote(c)} = COALESCE(s.{quote(c)}, {table}.{quote(c)})" for c in DATA_COLUMNS)
        cur.execute(
            f"UPDATE {table} SET {sets}, source_batch_id = %s, source_row = s.source_row, "  # noqa: S608
            f"updated_at = CURRENT_TIMESTAMP FROM {_STAGE} s WHERE {table}.nik = s.nik",
            [batch_id],
        )
        cur.execute(f"DROP TABLE {_STAGE}")
        return
    sets = ", ".join(f"{quote(c)} = COALESCE(%s, {quote(c)})" for c in DATA_COLUMNS)
    ordered = old.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("_batch")).select(
        *DATA_COLUMNS, "_batch", "source_row", "nik"
    )
    cur.executemany(
        f"UPDATE {table} SET {sets}, source_batch_id = %s, source_row = %s, updated_at = CURRENT_TIMESTAMP "  # noqa: S608
        "WHERE nik = %s",
        sqlite_rows(ordered),
    )


def _model_default(name: str) -> Any:
    field = Participant._meta.get_field(name)
    assert isinstance(field, Field)
    return field.default
