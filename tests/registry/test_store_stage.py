"""Issue 17 §3 (SQLite): a large batch is handed to SQLite through Arrow (a scratch database written by the ADBC
driver, attached before the import's transaction) and inserted from there inside the transaction. The stored
rows equal those of the ``executemany`` path, a failed import leaves nothing (the batch stays all-or-nothing),
the scratch file never outlives the import, and a re-import of mostly registered NIKs writes no scratch.
``_STAGE_MIN`` is lowered so a few rows count as large."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ucj.registry import services, store
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL copies (test_store_direct)"),
]

SUKARAMI = "16.06.01.2001"
HEADER = "NIK,Nama,Kode Desa,No HP,Tanggal Lahir,Penghasilan,Program"


@pytest.fixture(autouse=True)
def regions() -> None:
    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database


def roster(write_csv: Callable[..., Path], numbers: range, phone: str, name: str = "roster.csv") -> Path:
    lines = [f"16060113019{i:05d},Orang {i},{SUKARAMI},{phone},13-01-1990,{1_000_000 + i if i % 3 else ''},"
             f"{'JKK' if i % 2 else ''}" for i in numbers]  # fmt: skip
    return write_csv([HEADER, *lines], name=name)


def stored_rows() -> list[tuple[Any, ...]]:
    skip = ("id", "created_at", "updated_at", "source_batch")
    fields = [f.name for f in Participant._meta.concrete_fields if f.name not in skip]
    return list(Participant.objects.order_by("nik").values_list(*fields))


def stages(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What every ``sqlite_stage`` yielded (a Stage or None)."""
    seen: list[Any] = []
    real = store.sqlite_stage

    def spy(*args: Any) -> Any:
        context = real(*args)

        class Wrapped:
            def __enter__(self) -> Any:
                seen.append(context.__enter__())
                return seen[-1]

            def __exit__(self, *exc: Any) -> Any:
                return context.__exit__(*exc)

        return Wrapped()

    monkeypatch.setattr(services, "sqlite_stage", spy)
    return seen


def scratch_files() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(f"ucj-stage-{os.getpid()}-*"))


def attached() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("PRAGMA database_list")
        return [name for _, name, _ in cur.fetchall()]


def test_the_staged_insert_stores_what_executemany_stores(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = roster(write_csv, range(1, 41), "0811")
    plain = import_roster(path.read_bytes(), path.name)  # 40 rows: below _STAGE_MIN
    expected = stored_rows()
    Participant.objects.all().delete()
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    seen = stages(monkeypatch)
    staged = import_roster(path.read_bytes(), path.name)
    assert isinstance(seen[0], store.Stage) and seen[0].rows == 40
    assert seen[0].schemas == ("ucj_stage_0", "ucj_stage_1")  # two halves, written side by side
    assert (staged.accepted, staged.rejected) == (plain.accepted, plain.rejected) == (40, 0)
    assert stored_rows() == expected
    assert scratch_files() == [] and not [n for n in attached() if n.startswith("ucj_stage")]


def test_known_niks_in_the_stage_are_matched_not_inserted(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = roster(write_csv, range(1, 11), "0811", "a.csv")
    import_roster(first.read_bytes(), first.name)
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    seen = stages(monkeypatch)
    second = roster(write_csv, range(1, 41), "0822", "b.csv")  # 10 known, 30 new: a quarter known
    report = import_roster(second.read_bytes(), second.name)
    assert isinstance(seen[0], store.Stage)
    assert (report.accepted, report.updated) == (30, 10)
    assert Participant.objects.count() == 40
    assert set(Participant.objects.values_list("phone", flat=True)) == {"0822"}
    again = import_roster(second.read_bytes(), second.name)  # all known: the sample says so, no scratch written
    assert isinstance(seen[1], store.Stage) and seen[1].frame is None and (again.accepted, again.updated) == (0, 40)


def test_a_failed_import_leaves_nothing(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    seen = stages(monkeypatch)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "open_conflicts", broken)
    path = roster(write_csv, range(1, 41), "0811")
    with pytest.raises(RuntimeError):
        import_roster(path.read_bytes(), path.name)
    assert isinstance(seen[0], store.Stage)
    assert not Participant.objects.exists()
    assert scratch_files() == [] and not [n for n in attached() if n.startswith("ucj_stage")]


def test_a_scratch_file_left_by_a_killed_import_is_removed(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = 2**22 + 12345  # above Linux's default pid_max: no such process
    left = Path(tempfile.gettempdir()) / f"ucj-stage-{gone}-abc.sqlite3"
    left.write_bytes(b"")
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    path = roster(write_csv, range(1, 5), "0811")
    assert import_roster(path.read_bytes(), path.name).accepted == 4
    assert not left.exists()


def test_the_staged_insert_stamps_rows_as_the_database_default_does(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage binds the timestamps' default once per insert (evaluated per row it cost a second per million):
    the stored text has the default's form, and created = updated, as one INSERT … SELECT stamped them before."""
    plain = roster(write_csv, range(1, 11), "0811", "a.csv")
    import_roster(plain.read_bytes(), plain.name)  # executemany: the database default
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    seen = stages(monkeypatch)
    staged = roster(write_csv, range(11, 31), "0811", "b.csv")
    import_roster(staged.read_bytes(), staged.name)
    assert isinstance(seen[0], store.Stage) and seen[0].frame is not None
    with connection.cursor() as cur:
        cur.execute("SELECT nik, created_at || '', updated_at || '' FROM registry_participant ORDER BY nik")
        rows = cur.fetchall()
    form = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}")
    assert len(rows) == 30 and all(form.fullmatch(c) and c == u for _, c, u in rows)
    assert len({c for nik, c, _ in rows if nik >= "1606011301900011"}) == 1  # one statement, one 'now'
    newest = max(dt.datetime.fromisoformat(c) for _, c, _ in rows)
    assert abs((dt.datetime.now(dt.UTC).replace(tzinfo=None) - newest).total_seconds()) < 600


def test_the_scratch_files_are_owner_only_while_attached(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_STAGE_MIN", 1)
    modes: dict[str, int] = {}
    real = store.sqlite_stage

    @contextlib.contextmanager
    def spy(*args: Any) -> Any:
        with real(*args) as stage:
            with connection.cursor() as cur:
                cur.execute("PRAGMA database_list")
                modes.update({name: os.stat(file).st_mode & 0o777 for _, name, file in cur.fetchall()
                              if name.startswith("ucj_stage")})  # fmt: skip
            yield stage

    monkeypatch.setattr(services, "sqlite_stage", spy)
    path = roster(write_csv, range(1, 41), "0811")
    assert import_roster(path.read_bytes(), path.name).accepted == 40
    assert modes == {"ucj_stage_0": 0o600, "ucj_stage_1": 0o600}
    assert scratch_files() == []
