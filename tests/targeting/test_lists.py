"""Loading person lists: the world's candidates in the right order, reloading replaces a source, scope, findings
and masking (hand-computed expectations in tests/targeting/lists_world.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404

from tests.targeting.lists_world import (
    AS_OF,
    DTSEN,
    EXPECTED_EXCLUDED,
    EXPECTED_ORDER,
    POPULATION,
    SUKARAMI,
    load_world,
)  # fmt: skip
from ucj.accounts.models import AuditEvent
from ucj.targeting import services
from ucj.targeting.models import ListPerson, ListSource

pytestmark = pytest.mark.django_db


def test_two_lists_and_a_bpjs_file_give_the_candidates_in_order() -> None:
    reports = load_world()
    assert (reports["dtsen"].accepted, reports["population"].accepted) == (5, 5)
    assert (reports["dtsen"].kind, reports["population"].kind) == ("dtsen", "population")
    result = services.candidates(None, SUKARAMI, as_of=AS_OF, context="export")
    assert result.frame["nik"].to_list() == EXPECTED_ORDER
    assert result.excluded == EXPECTED_EXCLUDED
    rows = {r["nik"]: r for r in result.as_json()["candidates"]}
    budi = rows["1606011505850003"]
    assert (budi["decile"], budi["sources"], budi["priority"]) == (1, "DTSEN 2025, Penduduk Sukarami", 2)
    assert rows["1606014101900012"]["village_role"] == "rt"
    assert rows["1606010101800005"]["bpjs_status"] == "nonaktif"  # lapsed: reactivation
    assert rows["1606012303880008"]["decile"] is None
    assert {r["desa_name"] for r in rows.values()} == {"Sukarami"}


def test_max_decile_and_groups() -> None:
    load_world()
    poorest = services.candidates(None, SUKARAMI, as_of=AS_OF, max_decile=1, context="export")
    # decile 2 (Joko) leaves; unknown deciles stay
    assert poorest.frame["nik"].to_list() == ["1606014101900012", "1606011505850003", "1606012303880008"]
    assert poorest.excluded["decile_above"] == 1
    fishers = services.candidates(None, SUKARAMI, as_of=AS_OF, groups=["nelayan"], context="export")
    assert fishers.frame["nik"].to_list() == ["1606012303880008"]


def test_reloading_a_source_replaces_its_people() -> None:
    load_world()
    smaller = POPULATION.splitlines()[:2]  # header + Budi
    report = services.import_list("\n".join(smaller).encode(), "penduduk.csv", source="Penduduk Sukarami",
                                  region=SUKARAMI)  # fmt: skip
    assert (report.accepted, report.replaced) == (1, 5)
    source = ListSource.objects.get(name="Penduduk Sukarami")
    assert list(ListPerson.objects.filter(source=source).values_list("nik", flat=True)) == ["1606011505850003"]
    assert ListSource.objects.count() == 2
    result = services.candidates(None, SUKARAMI, as_of=AS_OF, context="export")
    assert result.frame["nik"].to_list() == ["1606011505850003", "1606010101800005"]


def test_findings_per_row_and_dry_run() -> None:
    text = DTSEN + "1.60601150585E+15;Rusak Excel;15-05-1985;L;16.06.01.2001;1;Petani\n" \
        "1606011505850003;Budi Lagi;15-05-1985;L;16.06.01.2001;1;Petani\n" \
        "1606011212900011;Di Luar;12-12-1990;L;16.71.01.1001;1;Petani\n"  # fmt: skip
    report = services.import_list(text.encode(), "dtsen.csv", source="DTSEN 2025", region="16.06", dry_run=True)
    codes = {(f.row, f.code) for f in report.findings}
    assert {(8, "NIK_EXCEL_FLOAT"), (9, "DUPLICATE_IN_FILE"), (10, "REGION_OUTSIDE")} <= codes
    assert (report.rows, report.accepted, report.rejected) == (8, 5, 3)
    assert not ListSource.objects.exists()
    assert AuditEvent.objects.filter(action="targeting.list_dry_run").count() == 1
    item = report.as_json()["issues"][0]
    assert item["message"] and item["message_en"] and item["message"] != item["message_en"]


def test_a_kabkota_officer_loads_for_their_own_region_only(make_user: Callable[..., Any]) -> None:
    palembang = make_user("kabkota", "16.71")
    with pytest.raises(services.TargetingRefused):
        services.import_list(DTSEN.encode(), "dtsen.csv", source="DTSEN 2025", user=palembang, region="16.06")
    report = services.import_list(DTSEN.encode(), "dtsen.csv", source="DTSEN 2025", user=palembang)
    # without --region the officer's own kab/kota applies: every Musi Banyuasin row is outside it
    assert report.accepted == 0
    assert {f.code for f in report.findings} == {"REGION_OUTSIDE"}
    viewer = make_user("viewer", "16")
    with pytest.raises(services.TargetingRefused):
        services.import_list(DTSEN.encode(), "dtsen.csv", source="DTSEN 2025", user=viewer)


def test_a_desa_operator_loads_their_village(desa_user: Any) -> None:
    report = services.import_list(POPULATION.encode(), "penduduk.csv", source="Penduduk Sukarami", user=desa_user)
    assert (report.region, report.accepted) == (SUKARAMI, 5)
    event = AuditEvent.objects.get(action="targeting.list_load")
    assert event.actor == desa_user and event.region_code == SUKARAMI
    assert "1606" not in event.summary  # never a NIK


def test_scope_and_masking(make_user: Callable[..., Any], desa_user: Any) -> None:
    load_world()
    kab = make_user("kabkota", "16.06")
    listed = services.candidates(kab, SUKARAMI, as_of=AS_OF)  # a list: never a full NIK
    assert listed.frame["nik"].to_list() == ["16" + "*" * 14] * 4
    assert listed.frame["name"].to_list()[0] == "Siti Aminah"
    exported = services.candidates(kab, SUKARAMI, as_of=AS_OF, context="export")
    assert exported.frame["nik"].to_list() == EXPECTED_ORDER
    viewer = make_user("viewer", "16")
    masked = services.candidates(viewer, SUKARAMI, as_of=AS_OF, context="export")
    assert masked.frame["name"].to_list()[0] == "S*** A*****"
    assert masked.frame["nik"].to_list()[0] == "16" + "*" * 14
    other = make_user("kabkota", "16.71")
    with pytest.raises(Http404):
        services.candidates(other, SUKARAMI, as_of=AS_OF)
    lumpatan = make_user("desa", "16.06.01.2002")
    # the kab/kota is reachable for a village operator, but only their own village's people are there
    assert services.candidates(lumpatan, "16.06", as_of=AS_OF).count == 0
    assert services.candidates(desa_user, "16.06", as_of=AS_OF).count == 4
