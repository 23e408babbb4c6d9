"""An import moves the coverage facts by the difference of the rows it changed (issue 17 §3): the result equals
a full rebuild, the registry is not read again when the stored facts are current, a kecamatan whose facts are
not current is recounted, and an unchanged roster imported again changes nothing (not even the version)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ucj.coverage import services as coverage_services
from ucj.coverage.models import CoverageFact
from ucj.coverage.services import current_version, rebuild_facts
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db
SUKARAMI, LUMPATAN = "16.06.01.2001", "16.06.01.2002"  # Kec. Sekayu, Kab. Musi Banyuasin
OTHER_KEC = "16.06.02.2001"  # another kecamatan of the same kab/kota (a move crosses kecamatan)
PALEMBANG = "16.71.01.1001"  # another kab/kota


def facts() -> list[tuple[Any, ...]]:
    return sorted(CoverageFact.objects.values_list("region", "level", "month", "segment", "ecosystem", "payer",
                                                   "active"))  # fmt: skip


def first_roster(paid: str) -> list[str]:
    return [
        "NIK,Nama,Jabatan,Kode Desa,Iuran s/d",
        f"1606014107850001,Siti,Ketua RT 01,{SUKARAMI},{paid}",
        f"1606010107850002,Budi,Petani,{SUKARAMI},{paid}",
        f"1606010107850003,Ahmad,Nelayan,{LUMPATAN},{paid}",
        f"1606010107850004,Joko,Petani,{PALEMBANG},{paid}",
    ]


def second_roster(paid: str) -> list[str]:
    """Siti unchanged, Budi lapsed, Ahmad moved to another kecamatan and to another occupation (segment),
    Joko took another occupation, one new person."""
    return [
        "NIK,Nama,Jabatan,Kode Desa,Iuran s/d",
        f"1606014107850001,Siti,Ketua RT 01,{SUKARAMI},{paid}",
        f"1606010107850002,Budi,Petani,{SUKARAMI},2020-01-31",
        f"1606010107850003,Ahmad,Kepala Desa,{OTHER_KEC},{paid}",
        f"1606010107850004,Joko,Kepala Desa,{PALEMBANG},{paid}",
        f"1606010107850005,Dewi,Petani,{PALEMBANG},{paid}",
    ]


def load(write_csv: Callable[..., Path], lines: list[str], capture: Any, name: str) -> None:
    path = write_csv(lines, name=name)
    with capture(execute=True):
        import_roster(path.read_bytes(), path.name)


def no_registry_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the registry was read again to count the facts")

    monkeypatch.setattr(coverage_services, "_participants", refuse)


def test_import_after_import_equals_a_rebuild_without_reading_the_registry(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid = f"{timezone.localdate():%Y-%m-%d}"
    load(write_csv, first_roster(paid), django_capture_on_commit_callbacks, "a.csv")
    after_first = facts()
    rebuild_facts()
    assert facts() == after_first
    with monkeypatch.context() as patched:
        no_registry_reads(patched)
        load(write_csv, second_roster(paid), django_capture_on_commit_callbacks, "b.csv")
    incremental = facts()
    rebuild_facts()
    assert facts() == incremental != after_first


def test_a_kecamatan_without_current_facts_is_recounted(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any
) -> None:
    paid = f"{timezone.localdate():%Y-%m-%d}"
    load(write_csv, first_roster(paid), django_capture_on_commit_callbacks, "a.csv")
    # Facts computed in an earlier month (or never): the stored rows do not hold the current month.
    month = timezone.localdate().replace(day=1)
    CoverageFact.objects.filter(month=month).delete()
    load(write_csv, second_roster(paid), django_capture_on_commit_callbacks, "b.csv")
    touched = {"16.06.01", "16.06.02", "16.71.01"}
    incremental = [f for f in facts() if f[1] == 3 and f[0] in touched]
    rebuild_facts()
    assert [f for f in facts() if f[1] == 3 and f[0] in touched] == incremental


def test_an_unchanged_roster_imported_again_changes_no_fact_and_no_version(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid = f"{timezone.localdate():%Y-%m-%d}"
    load(write_csv, first_roster(paid), django_capture_on_commit_callbacks, "a.csv")
    before, version = facts(), current_version()
    no_registry_reads(monkeypatch)
    path = write_csv(first_roster(paid), name="again.csv")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_roster(path.read_bytes(), path.name)
    assert report.updated == 4
    assert facts() == before
    assert current_version() == version


def test_a_first_load_into_an_empty_registry_counts_nobody_again(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kecamatan of a first load has no facts yet; the registry held nobody, so the people there are the
    load's own arrivals: no per-kecamatan count of the registry (issue 17 §3), and the facts equal a rebuild."""
    from ucj.coverage import delta

    def refuse(kecamatan: list[str]) -> dict[str, int]:
        raise AssertionError("the registry was counted per kecamatan")

    paid = f"{timezone.localdate():%Y-%m-%d}"
    with monkeypatch.context() as patched:
        patched.setattr(delta, "_people_per_kecamatan", refuse)
        load(write_csv, first_roster(paid), django_capture_on_commit_callbacks, "a.csv")
    loaded = facts()
    rebuild_facts()
    assert facts() == loaded
    # Not empty any more: a kecamatan without facts is counted (someone may be there already).
    CoverageFact.objects.all().delete()
    counted: list[list[str]] = []
    real = delta._people_per_kecamatan
    monkeypatch.setattr(delta, "_people_per_kecamatan", lambda k: counted.append(k) or real(k))
    load(write_csv, second_roster(paid), django_capture_on_commit_callbacks, "b.csv")
    assert counted


def test_a_first_load_prepares_the_dashboards_from_the_facts_it_wrote(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts table holds exactly what a first load wrote: the new version's answers start from that frame
    instead of reading the table back. A later load, which leaves other facts in place, reads them as before."""
    from ucj.bulk import read_frame
    from ucj.coverage.facts import FACT_SCHEMA

    given: list[Any] = []
    real = coverage_services.schedule_publication
    monkeypatch.setattr(coverage_services, "schedule_publication",
                        lambda facts=None, read_ns=None: given.append(facts) or real(facts, read_ns))  # fmt: skip
    paid = f"{timezone.localdate():%Y-%m-%d}"
    load(write_csv, first_roster(paid), django_capture_on_commit_callbacks, "a.csv")
    stored = read_frame(CoverageFact.objects.all(), dict(FACT_SCHEMA))
    assert given[-1] is not None
    assert given[-1].sort(list(FACT_SCHEMA)).equals(stored.sort(list(FACT_SCHEMA)))
    one = ["NIK,Nama,Jabatan,Kode Desa,Iuran s/d", f"1606010107850005,Dewi,Petani,{PALEMBANG},{paid}"]
    load(write_csv, one, django_capture_on_commit_callbacks, "b.csv")  # Kab. Musi Banyuasin's facts stay
    assert given[-1] is None
