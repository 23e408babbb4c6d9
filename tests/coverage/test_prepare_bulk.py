"""A new version's answers from one load of their data (issue 17 §5): at national size 552 province and kab/kota
answers (1,104 with the year-earlier ones) each reading the facts table made the preparation after a national
rebuild take longer than the rebuild itself. The answers prepared from preloaded data must equal the answers a
request computes from the database, and the facts table is read a fixed number of times, whatever the number
of answers.

A small national world: Sumsel (the dashboard tests' feed, denominators and targets, registry participants in
Desa Sukarami) and a second province, Jambi (15), with its own regions, participants, denominator and target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.coverage.test_dashboard_page import make_sumsel_data
from ucj.coverage import services
from ucj.coverage.models import CoverageFact, Target, Workforce
from ucj.coverage.services import default_answers, prepare_and_publish, published, rebuild_facts
from ucj.regions.models import Region
from ucj.registry.models import Participant

JAMBI = {
    "15": (1, "Jambi", "provinsi"), "15.01": (2, "Kerinci", "kabupaten"), "15.71": (2, "Kota Jambi", "kota"),
    "15.01.01": (3, "Gunung Kerinci", "kecamatan"), "15.71.01": (3, "Kota Baru", "kecamatan"),
    "15.01.01.2001": (4, "Siulak Deras", "desa"), "15.71.01.1001": (4, "Simpang III Sipin", "kelurahan"),
}  # fmt: skip
DEC = dt.date(2024, 12, 1)


def add_jambi() -> None:
    """A second province's regions (the tests' database holds Sumsel's)."""
    for code, (level, name, kind) in JAMBI.items():
        parent = code.rsplit(".", 1)[0] if "." in code else None
        Region.objects.create(code=code, name=name, level=level, kind=kind, parent_id=parent, name_key=name.lower())


def make_two_provinces() -> None:
    """Sumsel's dashboard data and Jambi, with registry participants in both."""
    add_jambi()
    make_sumsel_data()
    Workforce.objects.create(region_id="15", year=2024, definition="eligible", workers=900, source="BPJS 2024")
    Workforce.objects.create(region_id="15.01", year=2024, definition="eligible", workers=400, source="BPJS 2024")
    Target.objects.create(region_id="15", year=2024, definition="eligible", rate=Decimal("25"), source="RPJMD")
    people = [("16.06.01.2001", "BPU", "rentan", "mandiri"), ("15.01.01.2001", "BPU", "desa", "apbdes"),
              ("15.01.01.2001", "PU", "pekerja", "employer"),
              ("15.71.01.1001", "BPU", "rentan", "apbd_kabkota")]  # fmt: skip
    for n in range(40):
        desa, segment, ecosystem, payer = people[n % len(people)]
        Participant.objects.create(nik=f"{desa[:2]}0101410190{n:04d}", name=f"Warga {n}", desa_id=desa,
                                   segment=segment, ecosystem=ecosystem, payer=payer,
                                   coverage_start=dt.date(2024, 1 + n % 6, 1),
                                   paid_through=dt.date(2024, 6 + n % 7, 1))  # fmt: skip


def answers_of(version: dict[str, Any]) -> list[tuple[str, bytes]]:
    """Each default answer (and its year-earlier month) as the preparation stored it and as a request that
    misses computes it from the database, under the same version."""
    out = []
    month = version["as_of"]
    for code, by in default_answers():
        for as_of in (month, month.replace(year=month.year - 1)):
            if as_of < services.FIRST_MONTH:
                continue
            stored = cache.get(services._keys(version["id"], code, by, as_of, "eligible")[1])
            _, computed = services._compute(code, by, as_of, "eligible", version)  # no source: the queries
            out.append((code, stored))
            assert stored == computed, (code, as_of)
    return out


def fact_reads(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries
               if q["sql"].lstrip().upper().startswith("SELECT") and "coverage_coveragefact" in q["sql"])  # fmt: skip


@pytest.mark.django_db
def test_a_rebuild_prepares_every_answer_from_the_facts_in_memory(settings: Any) -> None:
    settings.UCJ_COVERAGE_PRECOMPUTE = "inline"  # no worker: the command line prepares after its rebuild
    make_two_provinces()
    with CaptureQueriesContext(connection) as queries:
        written = rebuild_facts(last=DEC)
    assert written == CoverageFact.objects.count() > 0
    version = published()
    assert [c for c, _ in default_answers()] == ["15", "15.01", "15.71", "16", "16.01", "16.06", "16.71"]
    found = answers_of(version)
    assert len(found) == 7 and all(body for _, body in found)
    # The facts just written are not read back per answer: the default list's probe and the latest month only.
    assert fact_reads(queries) <= 2


@pytest.mark.django_db
def test_a_version_prepared_from_the_database_reads_the_facts_a_fixed_number_of_times() -> None:
    make_two_provinces()
    rebuild_facts(last=DEC)
    before = published()["id"]
    with CaptureQueriesContext(connection) as queries:
        assert prepare_and_publish()
    version = published()
    assert version["id"] != before
    assert len(answers_of(version)) == 7
    # default list + latest month + (detailed, totals) for the month and the same month a year earlier, not
    # two or more per answer (the old code read them 14+ times here, 2,208+ times for Indonesia)
    assert fact_reads(queries) <= 6


@pytest.mark.django_db
def test_a_drill_down_to_villages_still_reads_the_database() -> None:
    make_two_provinces()
    rebuild_facts(last=DEC)
    source = services.Preloaded()
    assert source.serves("15.01", None) and not source.serves("15.01.01", None)
    assert source.children("15", None) == ["15.01", "15.71"] and source.children("15", "kecamatan") == [
        "15.01.01", "15.71.01"]  # fmt: skip


ASKED = [("16", None, dt.date(2024, 6, 1), "eligible"), ("15", "kecamatan", DEC, "eligible"),
         ("15.01", "desa", DEC, "eligible"), ("15", "kecamatan", DEC, "bpu_universe"),
         ("15.01", None, DEC, "bpu_universe"), ("15.01.01.2001", "kecamatan", DEC, "eligible")]  # fmt: skip


def add_kecamatan_feed_and_bpu_data() -> None:
    """A feed of kecamatan 15.01.01 inside kab/kota 15.01 (its registry is subtracted there: loaded as an asked
    region in one answer, as an extra feed region's facts in another), PU-only months in it (the BPU definition
    keeps them at 0), BPU denominators and count targets below the province."""
    from ucj.coverage.models import FeedBatch, FeedRow

    batch = FeedBatch.objects.create(file_name="kec.csv", sha256="1" * 64)
    FeedRow.objects.bulk_create(
        FeedRow(batch=batch, region_id="15.01.01", month=dt.date(2024, m, 1), segment="BPU" if m % 3 else "PU",
                ecosystem="desa", payer="apbdes", active=5 + m)
        for m in range(1, 13)
    )  # fmt: skip
    for code, workers in (("15", 700), ("15.01", 300), ("15.01.01", 120), ("16", 900)):
        Workforce.objects.create(region_id=code, year=2024, definition="bpu_universe", workers=workers, source="BPS")
    Target.objects.create(region_id="15.01", year=2024, definition="eligible", count=30, source="RKPD Kerinci")
    Target.objects.create(region_id="15", year=2024, definition="bpu_universe", rate=Decimal("10"), source="RPJMD")


@pytest.mark.django_db
def test_a_version_computes_its_answers_in_one_indicator_call_per_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven default answers and six asked ones (another month, drill-downs by kecamatan and to villages, the BPU
    definition, a village asked by kecamatan) take one call per month and definition, plus one per answer that
    lists villages or is a village, which read the database as a request does; every answer equals the one a
    request computes alone."""
    make_two_provinces()
    add_kecamatan_feed_and_bpu_data()
    rebuild_facts(last=DEC)
    for code, by, month, definition in ASKED:
        services.coverage(code, by, month, definition)
    calls: list[tuple[int, dt.date, str]] = []
    real = services.indicators

    def spy(regions: list[str], as_of: dt.date, data: Any, definition: str = "eligible") -> Any:
        calls.append((len(regions), as_of, definition))
        return real(regions, as_of, data, definition)

    monkeypatch.setattr(services, "indicators", spy)
    assert prepare_and_publish()
    version = published()
    sources = services.Preloaded()

    def regions(*answers: tuple[str, str | None]) -> int:
        return len({r for code, by in answers for r in [code, *sources.children(code, by)]})

    june = dt.date(2024, 6, 1)
    assert sorted(calls, key=str) == sorted([
        (regions(*default_answers(), ("15", "kecamatan")), DEC, "eligible"),  # the defaults and a drill-down
        (regions(("15", "kecamatan"), ("15.01", None)), DEC, "bpu_universe"),
        (regions(("16", None)), june, "eligible"),
        (2, DEC, "eligible"),  # 15.01 by villages: from the database
        (1, DEC, "eligible"),  # a village asked by kecamatan: from the database
    ], key=str)  # fmt: skip
    monkeypatch.setattr(services, "indicators", real)
    answers_of(version)
    for code, by, month, definition in ASKED:
        stored = cache.get(services._keys(version["id"], code, by, month, definition)[1])
        assert stored == services._compute(code, by, month, definition, version)[1], (code, by, definition)
