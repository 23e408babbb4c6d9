"""A large first load rebuilds the participant table's secondary indexes after the insert (issue 17 §3), on SQLite
and, through the direct ``COPY``, on PostgreSQL: the indexes afterwards are exactly those before, a batch smaller
than the table keeps them, and a failed import rolls the drop back with the rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ucj.registry import store
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"


@pytest.fixture(autouse=True)
def small_batches_count_as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild (and on PostgreSQL the direct ``COPY`` it belongs to) for a batch of a few rows."""
    monkeypatch.setattr(store, "_REBUILD_MIN", 1)
    monkeypatch.setattr(store, "_DIRECT_MIN", 1)


def indexes() -> list[tuple[str, str]]:
    table = Participant._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
        else:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s ORDER BY name",
                        [table])  # fmt: skip
        return list(cur.fetchall())


def rebuilt(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What every call of the rebuild dropped (and re-created)."""
    calls: list[list[str]] = []
    drop = store._drop_secondary_indexes

    def spy(cur: Any, adding: int) -> list[str]:
        calls.append(drop(cur, adding))
        return calls[-1]

    monkeypatch.setattr(store, "_drop_secondary_indexes", spy)
    return calls


def roster(write_csv: Callable[..., Path]) -> Path:
    return write_csv(["NIK,Nama,Kode Desa"] + [f"16060101078{i:05d},Orang {i},{SUKARAMI}" for i in range(1, 30)])


def test_indexes_are_rebuilt_as_they_were(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    calls = rebuilt(monkeypatch)
    before = indexes()
    path = roster(write_csv)
    assert import_roster(path.read_bytes(), path.name).accepted == 29
    assert len(calls) == 1 and len(calls[0]) == 3  # region facts, village role, unit name: dropped and rebuilt
    assert indexes() == before


def test_a_batch_smaller_than_the_table_keeps_them(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = roster(write_csv)
    import_roster(path.read_bytes(), path.name)
    calls = rebuilt(monkeypatch)
    more = write_csv(["NIK,Nama,Kode Desa", f"1606010107900001,Orang baru,{SUKARAMI}"], name="more.csv")
    assert import_roster(more.read_bytes(), more.name).accepted == 1
    assert calls == [[]]  # looked, and the batch was too small to rebuild anything


def test_a_failed_import_keeps_the_indexes(write_csv: Callable[..., Path], fails_before_commit: None) -> None:
    before = indexes()
    path = roster(write_csv)
    with pytest.raises(RuntimeError):
        import_roster(path.read_bytes(), path.name)
    assert indexes() == before
    assert not Participant.objects.exists()
