"""Writing validated participants in bulk (the hot path: no per-row ORM calls).

Rows are staged in a temporary table — ``COPY`` on PostgreSQL, one ``executemany`` on SQLite — and then
merged with two set-based statements: ``UPDATE … FROM`` for NIKs already in the registry and
``INSERT … SELECT`` for new ones. The caller owns the transaction, so a batch is all-or-nothing.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable

import numpy as np
import polars as pl
from django.db import connection
from django.utils import timezone

from ucj.registry.models import Participant

#: Columns copied from the roster; on update a NULL (blank cell) keeps the stored value.
DATA_COLUMNS = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer",
    "jkk", "jkm", "jht", "jp", "jkp", "income", "poverty_decile", "kpj", "phone", "address", "coverage_start",
    "paid_through",
)  # fmt: skip
#: Text columns stored as '' rather than NULL.
_BLANK_TEXT = {"sex", "occupation", "village_role", "payer", "kpj", "phone", "address"}
_STAGE = "ucj_stage_participant"
_STAGE_COLUMNS = ("nik", *DATA_COLUMNS, "source_row", "public_id")
Progress = Callable[[str, int], None]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def stage_frame(ok: pl.DataFrame) -> pl.DataFrame:
    """The validated rows in stage-table column order."""
    return ok.select(
        "nik",
        *[pl.col("desa_code").alias("desa_id") if c == "desa_id" else pl.col(c) for c in DATA_COLUMNS],
        pl.col("_row").alias("source_row"),
        pl.Series("public_id", public_ids(ok.height), dtype=pl.Int64),
    )


def write_participants(ok: pl.DataFrame, batch_id: int, progress: Progress | None = None) -> pl.DataFrame:
    """Insert or update the validated rows; returns ``(source_row, updated)`` for each row written."""
    progress = progress or (lambda stage, pct: None)
    frame = stage_frame(ok)
    table = _q(Participant._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cur.execute(_create_stage_sql())
        progress("staging", 55)
        _load_stage(cur, frame)
        progress("merging", 75)
        cur.execute(f"CREATE INDEX {_STAGE}_nik ON {_STAGE} (nik)")
        cur.execute(f"SELECT s.source_row FROM {_STAGE} s JOIN {table} p ON p.nik = s.nik")  # noqa: S608
        updated_rows = [r[0] for r in cur.fetchall()]
        now = timezone.now()
        if updated_rows:
            sets = ", ".join(f"{_q(c)} = COALESCE(s.{_q(c)}, {table}.{_q(c)})" for c in DATA_COLUMNS)
            cur.execute(
                f"UPDATE {table} SET {sets}, source_batch_id = %s, source_row = s.source_row, updated_at = %s "  # noqa: S608
                f"FROM {_STAGE} s WHERE {table}.nik = s.nik",
                [batch_id, now],
            )
        progress("inserting", 85)
        _insert_new(cur, table, batch_id, now)
        cur.execute(f"DROP TABLE {_STAGE}")
    return frame.select(
        "source_row", pl.col("source_row").is_in(pl.Series(updated_rows, dtype=pl.Int64).implode()).alias("updated")
    )


def _create_stage_sql() -> str:
    fields = {f.column: f for f in Participant._meta.concrete_fields}
    cols = []
    for c in _STAGE_COLUMNS:
        if c in ("source_row", "public_id"):
            cols.append(f"{c} bigint")
        else:
            cols.append(f"{_q(c)} {fields[c].db_type(connection)}".replace(" UNIQUE", ""))
    return f"CREATE TEMPORARY TABLE {_STAGE} ({', '.join(cols)})"


def _load_stage(cur: object, frame: pl.DataFrame) -> None:
    cols = ", ".join(_q(c) for c in _STAGE_COLUMNS)
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        frame.write_csv(buf, include_header=False, null_value="", date_format="%Y-%m-%d")
        raw = cur.cursor  # type: ignore[attr-defined]
        with raw.copy(f"COPY {_STAGE} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buf.getvalue())
        return
    # SQLite stores dates as ISO text and booleans as 0/1.
    prepared = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
    )
    marks = ", ".join(["%s"] * len(_STAGE_COLUMNS))
    cur.executemany(f"INSERT INTO {_STAGE} ({cols}) VALUES ({marks})", prepared.rows())  # type: ignore[attr-defined]  # noqa: S608


def _insert_new(cur: object, table: str, batch_id: int, now: object) -> None:
    """INSERT … SELECT the staged rows whose NIK is not in the registry yet."""
    values = ", ".join(f"COALESCE(s.{_q(c)}, '')" if c in _BLANK_TEXT else f"s.{_q(c)}" for c in DATA_COLUMNS)
    cols = ", ".join(_q(c) for c in DATA_COLUMNS)
    cur.execute(  # type: ignore[attr-defined]
        f"INSERT INTO {table} (nik, {cols}, public_id, source_batch_id, source_row, created_at, updated_at) "  # noqa: S608
        f"SELECT s.nik, {values}, s.public_id, %s, s.source_row, %s, %s FROM {_STAGE} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} p WHERE p.nik = s.nik)",
        [batch_id, now, now],
    )


def public_ids(n: int) -> np.ndarray:
    """``n`` random opaque ids (63-bit, positive) for URLs and the API: they reveal neither order nor NIK."""
    rng = np.random.default_rng(secrets.randbits(128))
    return rng.integers(1, 2**63 - 1, size=n, dtype=np.int64)
