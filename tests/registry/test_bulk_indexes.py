"""A large first load on SQLite rebuilds the participant table's secondary indexes after the insert (issue 17
§3): the indexes afterwards are exactly those before, and a failed import rolls the drop back with the rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from ucj.registry import store
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL keeps its indexes"),
]
SUKARAMI = "16.06.01.2001"


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s ORDER BY name",
                    [Participant._meta.db_table])  # fmt: skip
        return list(cur.fetchall())


def roster(write_csv: Callable[..., Path]) -> Path:
    return write_csv(["NIK,Nama,Kode Desa"] + [f"16060101078{i:05d},Orang {i},{SUKARAMI}" for i in range(1, 30)])


def test_indexes_are_rebuilt_as_they_were(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_REBUILD_MIN", 1)
    before = indexes()
    assert any(sql for _, sql in before)  # there is a secondary index to rebuild
    path = roster(write_csv)
    assert import_roster(path.read_bytes(), path.name).accepted == 29
    assert indexes() == before


def test_a_failed_import_keeps_the_indexes(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, fails_before_commit: None
) -> None:
    monkeypatch.setattr(store, "_REBUILD_MIN", 1)
    before = indexes()
    path = roster(write_csv)
    with pytest.raises(RuntimeError):
        import_roster(path.read_bytes(), path.name)
    assert indexes() == before
    assert not Participant.objects.exists()
