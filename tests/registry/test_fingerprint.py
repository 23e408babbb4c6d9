"""Issue 17 §3: roster fingerprints (:mod:`ucj.registry.fingerprint`). A re-imported row whose fingerprint is the
stored one is neither read in full nor compared; whatever else changes a data column (a page, the admin, any
``UPDATE``) clears the fingerprint through the guard trigger, so the roster is then compared in full, as before.
Every outcome and stored value equals what the full comparison gives (the same scenarios with the guard removed)."""

from __future__ import annotations

import contextlib
import importlib
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection, transaction

from ucj.registry import fingerprint, services, store
from ucj.registry.issues import NIK_NOT_AVAILABLE
from ucj.registry.models import Participant
from ucj.registry.services import import_roster, update_participant

pytestmark = pytest.mark.django_db

SUKARAMI, OTHER = "16.06.01.2001", "16.06.01.1009"
HEADER = "NIK,Nama,Kode Desa,Tanggal Lahir,No HP,Penghasilan,Jabatan,Iuran s/d"


def nik(i: int) -> str:
    return f"16060141019{i:05d}"


def line(i: int, phone: str = "0811", name: str | None = None, desa: str = SUKARAMI, role: str = "") -> str:
    return f"{nik(i)},{name or f'Orang {i}'},{desa},01-01-1990,{phone},{1_500_000 + i},{role},31-12-2025"


@pytest.fixture
def roster(write_csv: Callable[..., Path]) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def make(lines: list[str]) -> Path:
        return write_csv([HEADER, *lines], name=f"r{next(counter)}.csv")

    return make


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of NIKs of every full read of stored rows (``_stored`` without ``columns``)."""
    sizes: list[int] = []
    real = store._stored

    def spy(cur: Any, frame: pl.DataFrame, child: Any = None, columns: Any = None) -> pl.DataFrame:
        if columns is None:
            sizes.append(frame.height)
        return real(cur, frame, child, columns)

    monkeypatch.setattr(store, "_stored", spy)
    return sizes


def run(path: Path, **kwargs: Any) -> Any:
    return import_roster(path.read_bytes(), path.name, **kwargs)


def prints() -> dict[str, int | None]:
    return dict(Participant.objects.values_list("nik", "roster_fingerprint"))


def drop_guard() -> None:
    with connection.cursor() as cur:
        for sql in fingerprint.uninstall_sql(connection.vendor):
            cur.execute(sql)


def is_guarded() -> bool:
    with connection.cursor() as cur:
        return fingerprint.guarded(cur, connection.vendor)


# --- the guard ------------------------------------------------------------------------------------------------


def test_the_guard_is_installed_and_names_every_compared_column() -> None:
    assert set(fingerprint.GUARDED) == set(store.DATA_COLUMNS) - {"paid_through"}
    assert is_guarded()
    drop_guard()
    assert not is_guarded()


def test_the_migration_installed_what_install_sql_makes_today() -> None:
    """Migration 0009 writes its guard out as it was then; today's ``install_sql`` still makes the same one (when
    they part, a new migration installs the new guard)."""
    migration = importlib.import_module("ucj.registry.migrations.0009_participant_roster_fingerprint")
    for vendor in ("sqlite", "postgresql"):
        assert fingerprint.install_sql(vendor)[-len(migration.INSTALL[vendor]):] == migration.INSTALL[vendor]
        assert fingerprint.uninstall_sql(vendor) == migration.UNINSTALL[vendor]


def test_an_edit_of_a_data_column_clears_the_fingerprint(roster: Callable[..., Path], admin_user: Any) -> None:
    run(roster([line(1), line(2), line(3), line(4)]))
    assert None not in prints().values()
    one, two, three = (Participant.objects.get(nik=nik(i)) for i in (1, 2, 3))

    update_participant(one, {"phone": "0899"}, actor=admin_user)  # the participant page
    Participant.objects.filter(pk=two.pk).update(address="Jl. Baru")  # any UPDATE naming a data column
    Participant.objects.filter(pk=three.pk).update(paid_through="2026-12-31")  # payments: not a roster's business

    after = prints()
    assert after[nik(1)] is None and after[nik(2)] is None
    assert after[nik(3)] is not None and after[nik(4)] is not None


def test_installing_the_guard_clears_every_fingerprint(roster: Callable[..., Path]) -> None:
    """Rows written while no guard watched are never trusted."""
    run(roster([line(1), line(2)]))
    drop_guard()
    Participant.objects.filter(nik=nik(1)).update(phone="0899")  # unseen: no guard
    assert None not in prints().values()
    with connection.cursor() as cur:
        for sql in fingerprint.install_sql(connection.vendor):
            cur.execute(sql)
    assert is_guarded() and set(prints().values()) == {None}


def test_a_guard_missing_a_column_is_not_trusted() -> None:
    with connection.cursor() as cur:
        for sql in fingerprint.install_sql(connection.vendor, guarded=fingerprint.GUARDED[:-1]):
            cur.execute(sql)
    assert not is_guarded()


# --- re-imports -----------------------------------------------------------------------------------------------


def test_an_unchanged_reimport_reads_no_stored_row_in_full(roster: Callable[..., Path], full_reads: list[int]) -> None:
    path = roster([line(i) for i in range(1, 21)])
    first = run(path)
    stamps = dict(Participant.objects.values_list("nik", "source_batch_id"))

    again = run(path)

    assert (again.accepted, again.updated, again.rejected) == (0, 20, 0)
    assert full_reads[-1] == 0
    assert dict(Participant.objects.values_list("nik", "source_batch_id")) == stamps  # nothing rewritten
    assert set(stamps.values()) == {first.batch_id}


def test_a_page_edit_is_compared_in_full_and_the_roster_wins_as_before(
    roster: Callable[..., Path], admin_user: Any, full_reads: list[int]
) -> None:
    path = roster([line(i) for i in range(1, 6)])
    run(path)
    update_participant(Participant.objects.get(nik=nik(2)), {"phone": "0899"}, actor=admin_user)

    again = run(path)

    assert full_reads[-1] == 1  # only the edited row
    assert again.updated == 5
    assert Participant.objects.get(nik=nik(2)).phone == "0811"  # the roster's value, as the full comparison gives
    assert None not in prints().values()


def test_a_page_saving_a_copy_read_before_an_import_leaves_no_fingerprint(
    roster: Callable[..., Path], admin_user: Any
) -> None:
    """A page reads a person, an import rewrites them (a new fingerprint), then the page saves its copy, which
    still carries the old fingerprint (the guard sees a fingerprint change and would not fire). Re-importing the
    first roster must compare that row in full and restore its value, as before fingerprints."""
    old = roster([line(1), line(2)])
    run(old)
    page_copy = Participant.objects.get(nik=nik(2))
    run(roster([line(1), line(2, phone="0822")]))

    update_participant(page_copy, {"phone": "0899"}, actor=admin_user)
    run(old)

    assert Participant.objects.get(nik=nik(2)).phone == "0811"  # the full comparison's answer
    assert prints()[nik(2)] is not None


def test_a_changed_row_is_rewritten_with_its_new_fingerprint(
    roster: Callable[..., Path], full_reads: list[int]
) -> None:
    run(roster([line(1), line(2)]))
    before = prints()

    second = run(roster([line(1), line(2, phone="0822"), line(3)]))

    assert (second.accepted, second.updated) == (1, 2)
    assert full_reads[-1] == 1
    after = prints()
    assert after[nik(1)] == before[nik(1)]
    assert after[nik(2)] not in (None, before[nik(2)])
    assert Participant.objects.get(nik=nik(2)).source_batch_id == second.batch_id
    run(roster([line(1), line(2, phone="0822"), line(3)]))
    assert full_reads[-1] == 0


def test_rows_without_a_fingerprint_are_compared_once_then_skipped(
    roster: Callable[..., Path], full_reads: list[int]
) -> None:
    """Rows registered before fingerprints existed (NULL) get theirs the first time they are found equal."""
    path = roster([line(i) for i in range(1, 11)])
    run(path)
    Participant.objects.update(roster_fingerprint=None)

    run(path)
    assert full_reads[-1] == 10 and None not in prints().values()
    run(path)
    assert full_reads[-1] == 0


def test_without_the_guard_every_row_is_compared(roster: Callable[..., Path], full_reads: list[int]) -> None:
    path = roster([line(i) for i in range(1, 6)])
    run(path)
    drop_guard()
    Participant.objects.filter(nik=nik(3)).update(phone="0899")  # unseen by any guard

    again = run(path)

    assert full_reads[-1] == 5 and again.updated == 5
    assert Participant.objects.get(nik=nik(3)).phone == "0811"


def test_a_region_default_that_changed_changes_the_fingerprint(
    roster: Callable[..., Path], full_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint is of the row as written, region defaults included: the same file under other rules is
    compared in full."""
    path = roster([line(1, role="Kepala Desa"), line(2)])
    run(path)
    real = store.written_frame

    def other_rules(ok: pl.DataFrame) -> pl.DataFrame:
        frame = real(ok)
        return frame.with_columns(fingerprint.of_rows(frame.with_columns(pl.lit("x").alias("__rule")),
                                                      ["nik", "__rule"]))  # fmt: skip

    monkeypatch.setattr(store, "written_frame", other_rules)
    run(path)
    assert full_reads[-1] == 2


# --- the same outcomes and stored values as the full comparison -------------------------------------------------


def scenario(seed: int, roster: Callable[..., Path], admin_user: Any, *, guard: bool) -> dict[str, Any]:
    """Import a roster, let pages and payments change some people, then import a second roster repeating most
    rows (some changed, some new); everything stored and reported, batch ids as their order of import."""
    rng = random.Random(seed)
    if not guard:
        drop_guard()
    first = [line(i, phone=rng.choice(["0811", "0812", ""])) for i in range(1, 41)]
    reports = [run(roster(first))]
    for i in rng.sample(range(1, 41), 8):
        person = Participant.objects.get(nik=nik(i))
        field, value = rng.choice([("phone", "0899"), ("name", "Orang Lain"), ("desa_id", OTHER), ("address", "X")])
        update_participant(person, {field: value}, actor=admin_user)
    Participant.objects.filter(nik__in=[nik(i) for i in rng.sample(range(1, 41), 5)]).update(paid_through="2027-01-31")
    second = [rng.choice([row, row.replace(",0811,", ",0822,")]) for row in first if rng.random() < 0.9]
    second += [line(i) for i in range(41, 46)]
    rng.shuffle(second)
    reports.append(run(roster(second)))
    batches = {r.batch_id: k for k, r in enumerate(reports)}
    fields = [f.attname for f in Participant._meta.concrete_fields
              if f.attname not in ("id", "roster_fingerprint", "created_at", "updated_at")]  # fmt: skip
    stored = [
        {**row, "source_batch_id": batches.get(row["source_batch_id"])}
        for row in Participant.objects.order_by("nik").values(*fields)
    ]
    outcomes = [
        (r.accepted, r.updated, r.rejected, sorted((f.row, f.code) for f in r.findings)) for r in reports
    ]
    return {"stored": stored, "outcomes": outcomes}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fingerprints_change_nothing_but_the_work(
    seed: int, roster: Callable[..., Path], admin_user: Any, full_reads: list[int]
) -> None:
    with rolled_back():
        fast = scenario(seed, roster, admin_user, guard=True)
        compared = full_reads[-1]
    with rolled_back():
        full = scenario(seed, roster, admin_user, guard=False)
    assert fast == full
    assert compared < len([r for r in fast["stored"] if r["source_batch_id"] is not None]) - 5  # work was skipped


def test_outside_the_writers_regions_stays_foreign(
    roster: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, full_reads: list[int]
) -> None:
    """An equal fingerprint decides nothing about the writer: a village outside their regions is still refused."""
    path = roster([line(1), line(2)])
    run(path)
    monkeypatch.setattr(services, "_write_codes", lambda user: ["16.07"])

    again = run(path)

    assert full_reads[-1] == 0
    assert (again.updated, again.rejected) == (0, 2)
    assert {f.code for f in again.findings if f.severity == "error"} == {NIK_NOT_AVAILABLE}


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a scenario, then undo everything it wrote."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_a_row_changed_after_the_read_gets_no_fingerprint(
    roster: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL runs a page's edit beside an import: a row the import read and found equal, then changed by a
    page before the import records its fingerprint, is left without one (its row version moved), so the next
    import compares it in full. Without that check it would carry the roster's fingerprint over the page's
    values, and the next import would skip it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writers take turns")
    import psycopg

    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database
    path = roster([line(i) for i in range(1, 6)])
    run(path)
    Participant.objects.update(roster_fingerprint=None)  # registered before fingerprints: compared in full
    real = store._record_fingerprints

    def page_edits_first(cur: Any, rows: pl.DataFrame) -> None:
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("UPDATE registry_participant SET phone = '0899' WHERE nik = %s", [nik(3)])
        real(cur, rows)

    monkeypatch.setattr(store, "_record_fingerprints", page_edits_first)
    run(path)
    monkeypatch.setattr(store, "_record_fingerprints", real)

    assert prints()[nik(3)] is None and Participant.objects.get(nik=nik(3)).phone == "0899"
    assert None not in [v for k, v in prints().items() if k != nik(3)]
    run(path)
    assert Participant.objects.get(nik=nik(3)).phone == "0811"  # compared in full: the roster's value, as before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_a_nik_registered_meanwhile_by_another_import_gets_no_fingerprint(
    roster: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NIK another import registers between this import's read and its insert is matched again, without the
    row version; a page that then changes it before this import records the fingerprint must not be hidden."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writers take turns")
    import psycopg

    from ucj.regions.services import load_regions

    load_regions("16")
    path = roster([line(1)])
    run(path)
    row = Participant.objects.filter(nik=nik(1)).values().get()
    Participant.objects.filter(nik=nik(1)).delete()
    columns = [c for c in row if c not in ("id", "source_batch_id", "roster_fingerprint")]
    params = connection.get_connection_params()
    real_insert, real_record = store._insert, store._record_fingerprints

    def other_import_first(cur: Any, rows: pl.DataFrame, *rest: Any) -> list[str]:
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute(
                f"INSERT INTO registry_participant ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
                [row[c] for c in columns],
            )
        return real_insert(cur, rows, *rest)

    def page_edits_first(cur: Any, rows: pl.DataFrame) -> None:
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("UPDATE registry_participant SET phone = '0899' WHERE nik = %s", [nik(1)])
        real_record(cur, rows)

    monkeypatch.setattr(store, "_insert", other_import_first)
    monkeypatch.setattr(store, "_record_fingerprints", page_edits_first)
    report = run(path)
    monkeypatch.undo()

    assert (report.accepted, report.updated) == (0, 1)
    assert prints()[nik(1)] is None
    run(path)
    assert Participant.objects.get(nik=nik(1)).phone == "0811"
