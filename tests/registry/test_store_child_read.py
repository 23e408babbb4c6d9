"""Issue 17 §3 (SQLite): a large batch's known NIKs are looked up by a child process that reads the registry file
through Arrow (:mod:`ucj.registry.arrow_read`), when that child sees exactly what the import's transaction sees
(:func:`ucj.registry.store.snapshot_file`). The child's rows equal the in-process read for hostile text; a
re-import through the child gives the same outcomes and stored rows as through the in-process read; the child is
refused inside a larger transaction, after the transaction wrote, and for a database in memory; a failing child
falls back to the in-process read.

The test database lives in memory, which no child can open: the tests that run the child point
``store._database_file`` at a copy of its participant table made at that moment, from the import's own connection
before anything is written: what the registry file would hold. (The backup API waits for ever there: the shared
in-memory database is locked by the transaction.)"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection, transaction

from tests.registry.test_store_stage import stored_rows
from ucj.registry import arrow_read, store
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.services import import_roster

SUKARAMI = "16.06.01.2001"
HEADER = "NIK,Nama,Kode Desa,No HP,Alamat,Tanggal Lahir,Penghasilan,Pekerjaan"
#: Text no CSV or JSON made by string concatenation would survive.
HOSTILE = ['Siti "Ina", Aminah', "Budi\nSantoso", "Tab\there", "Ñoño 名前 ☃", "", "a,b,,c", '""', "x\r\ny", "\\N"]

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL reads by COPY")


def in_process(path: Path, sql: str, params: list[str], schema: dict[str, Any]) -> pl.DataFrame:
    con = sqlite3.connect(path)
    try:
        return pl.DataFrame(con.execute(sql, params).fetchall(), schema=schema, orient="row")
    finally:
        con.close()


def test_the_child_reads_what_sqlite3_reads_for_any_text(tmp_path: Path) -> None:
    """Quotes, commas, newlines, tabs, NUL, unicode, blanks and NULLs come back as stored, and a column that is
    NULL in its first thousands of rows is still read as text (the driver types a column from every row)."""
    path = tmp_path / "registry.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE p (nik varchar(16), name text, phone text, income bigint, born date)")
    texts = [*HOSTILE, "nul\x00inside", None, "x" * 5000]
    rows = [(f"{i:016d}", None, None, None, None) for i in range(3000)]  # NULL first: the type comes later
    rows += [(f"9{i:015d}", t, t if i % 2 else None, i * 1000 if i % 3 else None, "2020-02-29" if i % 2 else None)
             for i, t in enumerate(texts * 3)]  # fmt: skip
    con.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    schema = {"nik": pl.String(), "name": pl.String(), "phone": pl.String(), "income": pl.Int64(),
              "born": pl.String()}  # fmt: skip
    sql = "SELECT nik, name, phone, income, born || '' FROM p"
    whole = in_process(path, sql, [], schema)
    for parts in [
        [(sql, [])],
        [(sql + " WHERE nik BETWEEN ? AND ?", ["9", "9999"])],
        # Two parts read side by side; the first is NULL throughout (integers to the driver), the second text.
        [(sql + " WHERE rowid <= ?", [3000]), (sql + " WHERE rowid > ?", [3000])],
    ]:
        child = arrow_read.read(path, parts, list(schema))
        typed = child.select([pl.col(c).cast(t) for c, t in schema.items()])
        expected = pl.concat([in_process(path, sql, params, schema) for sql, params in parts])
        assert typed.equals(expected) and typed.height in (whole.height, len(texts) * 3)
    assert typed.equals(whole) and whole.height == 3000 + len(texts) * 3
    assert "nul\x00inside" in typed["name"].to_list() and "Budi\nSantoso" in typed["name"].to_list()


def test_a_child_that_cannot_read_says_so(tmp_path: Path) -> None:
    with pytest.raises(arrow_read.ChildReadError):
        arrow_read.read(tmp_path / "absent.sqlite3", [("SELECT 1", [])], ["one"])


# --- through the import ---------------------------------------------------------------------------------------


def roster(write_csv: Callable[..., Path], numbers: range, phone: str, name: str = "roster.csv") -> Path:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [f"16060113019{i:05d},{cell(f'Orang {HOSTILE[i % len(HOSTILE)]} {i}')},{SUKARAMI},{phone},"
             f"{cell(HOSTILE[(i + 3) % len(HOSTILE)])},13-01-1990,{1_000_000 + i if i % 3 else ''},"
             f"{cell('Petani, sawah') if i % 2 else ''}" for i in numbers]  # fmt: skip
    return write_csv([HEADER, *lines], name=name)


@pytest.fixture
def child_reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Makes a few rows count as large, points the registry file at a copy of the in-memory database made when
    the lookup asks for it, and records what every child read did ("child" or "fallback")."""
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    monkeypatch.setattr(store, "_RANGE_MIN", 1)
    seen: list[str] = []
    copies = itertools.count()

    def database_file() -> Path:
        copy = tmp_path / f"copy-{next(copies)}.sqlite3"
        table = Participant._meta.db_table
        raw = connection.connection  # the import's own connection: what its transaction sees
        (create,) = raw.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
        cur = raw.execute(f"SELECT * FROM {table}")  # noqa: S608
        rows = cur.fetchall()
        target = sqlite3.connect(copy)
        target.execute(create)
        target.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cur.description))})", rows)  # noqa: S608
        target.commit()
        target.close()
        return copy

    real_rows = store._child_rows

    def child_rows(*args: Any) -> Any:
        found = real_rows(*args)
        seen.append("fallback" if found is None else "child")
        return found

    monkeypatch.setattr(store, "_database_file", database_file)
    monkeypatch.setattr(store, "_child_rows", child_rows)
    return seen


def reimport(write_csv: Callable[..., Path]) -> tuple[list[tuple[int, int, int, list[str]]], list[tuple[Any, ...]]]:
    """A first import, a changed roster over it (known NIKs with new phones, another person, new NIKs), then the
    same roster once more (unchanged): each report's counts and finding codes, and the stored rows."""
    first = roster(write_csv, range(1, 61), "0811", "a.csv")
    import_roster(first.read_bytes(), first.name)
    second = roster(write_csv, range(1, 81), "0822", "b.csv")
    other = second.read_text().replace(f'"Orang {HOSTILE[3]} 3"', '"Dewi Lestari"')  # another person: a conflict
    second.write_text(other)
    reports = [import_roster(second.read_bytes(), second.name) for _ in range(2)]
    counts = [(r.accepted, r.updated, r.rejected, sorted(f.code for f in r.findings)) for r in reports]
    return counts, stored_rows()


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reimport_through_the_child_equals_the_in_process_read(
    write_csv: Callable[..., Path], child_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database
    through_child = reimport(write_csv)
    assert "child" in child_reads and "fallback" not in child_reads
    Participant.objects.all().delete()
    ImportBatch.objects.all().delete()
    monkeypatch.setattr(store, "_database_file", lambda: None)  # as for a database in memory: in-process
    child_reads.clear()
    in_process_read = reimport(write_csv)
    assert child_reads == []
    assert through_child == in_process_read
    counts, _ = through_child
    assert counts[0][:2] == (20, 59) and counts[1][:2] == (0, 79)  # one known NIK is another person: a conflict
    assert Participant.objects.filter(phone="0822").count() == 79


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_child_falls_back_to_the_in_process_read(
    write_csv: Callable[..., Path], child_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucj.regions.services import load_regions

    load_regions("16")
    expected = reimport(write_csv)
    Participant.objects.all().delete()
    ImportBatch.objects.all().delete()
    child_reads.clear()

    def broken(*args: Any) -> Any:
        raise arrow_read.ChildReadError("FILE_PARSE_LIMIT")

    monkeypatch.setattr(arrow_read, "read", broken)
    assert reimport(write_csv) == expected
    assert child_reads and set(child_reads) == {"fallback"}


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_child_is_refused_inside_a_larger_transaction(
    write_csv: Callable[..., Path], child_reads: list[str]
) -> None:
    from ucj.regions.services import load_regions

    load_regions("16")
    first = roster(write_csv, range(1, 41), "0811", "a.csv")
    import_roster(first.read_bytes(), first.name)
    child_reads.clear()
    second = roster(write_csv, range(1, 41), "0822", "b.csv")
    with transaction.atomic():  # e.g. a caller that already wrote in its transaction: the child would not see it
        report = import_roster(second.read_bytes(), second.name)
    assert child_reads == []
    assert report.updated == 40 and set(Participant.objects.values_list("phone", flat=True)) == {"0822"}


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_snapshot_file_only_before_the_transaction_writes(child_reads: list[str]) -> None:
    connection.ensure_connection()
    stage = store.Stage(None, 0, connection.connection.total_changes)
    assert store.snapshot_file(stage) is None  # no transaction yet: nothing holds the write lock
    with transaction.atomic():
        assert store.snapshot_file(stage) is not None
        assert store.snapshot_file(None) is None  # no stage: maybe inside a larger transaction
        ImportBatch.objects.create(file_name="x.csv", sha256="0" * 64)
        assert store.snapshot_file(stage) is None  # the child would not see that row


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_child_for_a_database_in_memory() -> None:
    connection.ensure_connection()
    stage = store.Stage(None, 0, connection.connection.total_changes)
    with transaction.atomic():
        assert store.snapshot_file(stage) is None  # the test database is in memory: no file a child could open
