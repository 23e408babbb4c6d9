"""Issue 17 §3 (SQLite): a large import's commit does not copy its write-ahead log into the database file itself;
a thread does, beside the facts refresh and the dashboards that follow the commit, and the import waits for it.
The automatic checkpoint is off only for the import's transaction; a failed import starts no checkpoint.

The test database lives in memory (no file to checkpoint): the thread is pointed at a scratch file and recorded."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ucj.coverage import delta
from ucj.registry import checkpoint
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL has no WAL file to copy"),
]
SUKARAMI = "16.06.01.2001"


@pytest.fixture(autouse=True)
def regions() -> None:
    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """What happened, in order: the checkpoint (with the automatic checkpoint setting the import left on its own
    connection meanwhile) and the facts refresh. Every batch counts as large."""
    seen: list[str] = []
    scratch = tmp_path / "scratch.sqlite3"
    sqlite3.connect(scratch).close()
    monkeypatch.setattr(checkpoint, "ASIDE_MIN", 1)
    monkeypatch.setattr(checkpoint, "sqlite_file", lambda: scratch)
    real_checkpoint, real_apply = checkpoint._checkpoint, delta.apply_changes

    def spy_checkpoint(path: Path) -> None:
        seen.append("checkpoint")
        real_checkpoint(path)

    def spy_apply(*args: Any, **kwargs: Any) -> Any:
        # the checkpoint thread is running or has run by now (it was started by the first commit hook)
        started = "checkpoint" in seen or any(t.name == "ucj-wal-checkpoint" for t in threading.enumerate())
        seen.append(f"facts (autocheckpoint {autocheckpoint()}{', checkpoint started' if started else ''})")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(checkpoint, "_checkpoint", spy_checkpoint)
    monkeypatch.setattr(delta, "apply_changes", spy_apply)
    return seen


def autocheckpoint() -> int:
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint")
        return int(cur.fetchone()[0])


def roster(write_csv: Callable[..., Path]) -> Path:
    return write_csv(["NIK,Nama,Kode Desa"] + [f"16060101078{i:05d},Orang {i},{SUKARAMI}" for i in range(1, 30)])


def test_the_log_is_copied_beside_the_facts_refresh(write_csv: Callable[..., Path], events: list[str]) -> None:
    before = autocheckpoint()
    path = roster(write_csv)
    assert import_roster(path.read_bytes(), path.name).accepted == 29
    # started first after the commit, done before the import returned; the facts ran without the automatic one
    assert sorted(events) == ["checkpoint", "facts (autocheckpoint 0, checkpoint started)"]
    assert autocheckpoint() == before
    assert Participant.objects.count() == 29


def test_a_failed_import_starts_no_checkpoint(
    write_csv: Callable[..., Path], events: list[str], fails_before_commit: None
) -> None:
    before = autocheckpoint()
    path = roster(write_csv)
    with pytest.raises(RuntimeError):
        import_roster(path.read_bytes(), path.name)
    assert events == [] and autocheckpoint() == before
    assert not Participant.objects.exists()


def test_a_small_import_commits_as_before(write_csv: Callable[..., Path], events: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(checkpoint, "ASIDE_MIN", 1_000)
    path = roster(write_csv)
    import_roster(path.read_bytes(), path.name)
    assert "checkpoint" not in events and events == [f"facts (autocheckpoint {autocheckpoint()})"]
