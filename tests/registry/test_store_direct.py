"""Issue 17 §3 (PostgreSQL): a large batch holding the registry's insert lock alone copies its new people straight
into the participant table; it falls back to the staged ``ON CONFLICT`` insert when another import holds the
lock, and when a writer that takes no lock registered one of its NIKs between the match and the copy. Threads
are ordered by events (no sleeps, no timing); ``_DIRECT_MIN`` is lowered so a few rows count as large."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from tests.registry.side_by_side import WAIT, import_side_by_side
from ucj.registry import store
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.services import import_roster

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises writers"),
]

SUKARAMI = "16.06.01.2001"
HEADER = "NIK,Nama,Kode Desa,No HP,Tanggal Lahir"
NIKS = [f"16060113019{i:05d}" for i in range(1, 9)]


@pytest.fixture(autouse=True)
def regions() -> None:
    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database


def roster(write_csv: Callable[..., Path], niks: list[str], phone: str, name: str = "roster.csv") -> Path:
    return write_csv([HEADER, *[f"{n},Orang {i},{SUKARAMI},{phone},01-02-1990" for i, n in enumerate(niks)]],
                     name=name)  # fmt: skip


def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The results of every direct copy tried (True: copied straight into the table)."""
    tried: list[bool] = []
    real = store._copy_direct

    def copy_direct(*args: Any) -> bool:
        tried.append(real(*args))
        return tried[-1]

    monkeypatch.setattr(store, "_copy_direct", copy_direct)
    return tried


def stored_rows() -> list[tuple[Any, ...]]:
    fields = [f.name for f in Participant._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at",
                                                                                  "source_batch")]  # fmt: skip
    return list(Participant.objects.order_by("nik").values_list(*fields))


def test_a_large_batch_copies_straight_into_the_table(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = roster(write_csv, NIKS, "0811")
    report = import_roster(path.read_bytes(), path.name)  # 8 rows: below _DIRECT_MIN, the staged insert
    staged = stored_rows()
    Participant.objects.all().delete()
    monkeypatch.setattr(store, "_DIRECT_MIN", 1)
    tried = spy(monkeypatch)
    direct = import_roster(path.read_bytes(), path.name)
    assert tried == [True]
    assert (direct.accepted, direct.updated, direct.rejected) == (report.accepted, 0, 0) == (8, 0, 0)
    assert stored_rows() == staged  # the same values, defaults included, whichever way they went in
    again = import_roster(path.read_bytes(), path.name)  # all known now: nothing new to copy
    assert (again.accepted, again.updated) == (0, 8)
    assert tried == [True]


def test_a_concurrent_import_holding_the_lock_sends_the_batch_the_staged_way(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A (small, shared lock) has inserted the shared NIKs and not committed; B (large) finds the lock taken,
    matches without seeing A's rows, inserts the staged way (waiting on A's rows in the unique index), then
    matches them again as known ones once A commits. Both finish; B updated what A inserted."""
    monkeypatch.setattr(store, "_DIRECT_MIN", 5)
    a_inserted, b_matched = threading.Event(), threading.Event()
    real_lock, real_stored, real_insert = store._insert_lock, store._stored, store._insert
    tried = spy(monkeypatch)

    def lock(cur: Any, rows: int) -> bool:
        if threading.current_thread().name == "B":
            assert a_inserted.wait(WAIT)  # B asks for the lock while A holds it (shared) with its rows inserted
        return real_lock(cur, rows)

    def stored(cur: Any, frame: Any, *rest: Any) -> Any:
        found = real_stored(cur, frame, *rest)
        if threading.current_thread().name == "B":
            b_matched.set()
        return found

    def insert(cur: Any, rows: Any, *rest: Any) -> Any:
        lost = real_insert(cur, rows, *rest)
        if threading.current_thread().name == "A":
            a_inserted.set()
            assert b_matched.wait(WAIT)
        return lost

    monkeypatch.setattr(store, "_insert_lock", lock)
    monkeypatch.setattr(store, "_stored", stored)
    monkeypatch.setattr(store, "_insert", insert)
    files = {"A": roster(write_csv, NIKS[:3], "0811", "a.csv"), "B": roster(write_csv, NIKS, "0822", "b.csv")}
    reports = import_side_by_side(files, a_inserted, b_matched)
    a, b = reports["A"], reports["B"]
    assert (a.accepted, a.updated, a.rejected) == (3, 0, 0)
    assert (b.accepted, b.updated, b.rejected) == (5, 3, 0)
    assert tried == []  # B never tried the direct copy: the lock was A's
    assert Participant.objects.count() == 8
    assert set(Participant.objects.values_list("phone", flat=True)) == {"0822"}
    assert ImportBatch.objects.filter(status="done").count() == 2


def test_a_nik_registered_by_a_writer_without_the_lock_falls_back(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the batch's match and its copy, a writer that takes no lock (here the ORM from another
    connection) registers one of its NIKs: the copy meets the unique index, its savepoint is rolled back, the
    staged insert skips that NIK and the batch matches it again as a known one — the whole batch still lands
    in one transaction."""
    monkeypatch.setattr(store, "_DIRECT_MIN", 1)
    tried = spy(monkeypatch)
    real_stored = store._stored
    late = NIKS[4]

    def register_meanwhile() -> None:
        try:
            Participant.objects.create(nik=late, name="Orang 4", desa_id=SUKARAMI, phone="0700")
        finally:
            connections.close_all()

    def stored(cur: Any, frame: Any, *rest: Any) -> Any:
        found = real_stored(cur, frame, *rest)
        if not tried and late in frame["nik"].to_list():
            writer = threading.Thread(target=register_meanwhile)
            writer.start()
            writer.join(WAIT)
        return found

    monkeypatch.setattr(store, "_stored", stored)
    path = roster(write_csv, NIKS, "0822")
    report = import_roster(path.read_bytes(), path.name)
    assert tried == [False]
    assert (report.accepted, report.updated, report.rejected) == (7, 1, 0)
    assert Participant.objects.count() == 8
    assert Participant.objects.get(nik=late).phone == "0822"  # matched again and updated, not duplicated


def test_the_unused_nik_pattern_index_is_gone() -> None:
    """Migration 0008: no ``varchar_pattern_ops`` index on the NIK (no query filters NIKs with LIKE)."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [Participant._meta.db_table])
        defs = [d for (d,) in cur.fetchall()]
    assert any("UNIQUE" in d and "(nik)" in d for d in defs)
    assert not any("pattern_ops" in d for d in defs)
