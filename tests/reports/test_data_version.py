"""The report's data version covers every source the report reads (issue 15 §5): the coverage version, and the
budget plans, bills and payments, commitments and targeting tables, none of which bump the coverage version. A
change in any of them makes the next issue a new report beside the issued one (which stays as it was)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.coverage.test_dashboard_page import MUBA
from ucj.coverage.services import current_version
from ucj.reports import services

DEC = dt.date(2024, 12, 1)


def add_plan() -> None:
    from ucj.planning.models import Scenario

    Scenario.objects.create(name="APBD 2024 tambahan", region_id=MUBA, year=2024, question="budget", spec={},
                            result={"status": "ok", "unit_cost": 16_800, "funded": 100, "cost": 1_680_000})  # fmt: skip


def add_bill() -> None:
    from ucj.contributions.models import Bill

    Bill.objects.create(payer="apbd_kabkota", region_id=MUBA, month=DEC, participants=1, months=1, total=16_800)


def add_instrument() -> None:
    from ucj.commitments.models import Instrument

    Instrument.objects.create(region_id=MUBA, kind="perbup", title="Perlindungan pekerja rentan", status="draf")


def add_list() -> None:
    from ucj.targeting.models import ListSource

    ListSource.objects.create(name="P3KE 2024", kind="p3ke", region_id=MUBA)


@pytest.mark.parametrize("change", [add_plan, add_bill, add_instrument, add_list])
def test_a_change_the_coverage_version_misses_makes_a_new_report(
    sumsel: None, make_user: Callable[..., Any], change: Callable[[], None]
) -> None:
    user = make_user("kabkota", MUBA)
    first = services.issue(user, MUBA, DEC, fmt="xlsx", background=False)
    assert services.issue(user, MUBA, DEC, fmt="xlsx", background=False).pk == first.pk  # nothing changed
    coverage_version = current_version()
    change()
    assert current_version() == coverage_version  # the coverage version did not move…
    later = services.issue(user, MUBA, DEC, fmt="xlsx", background=False)
    assert later.pk != first.pk  # …but the report's data version did: a new report
    assert later.report_version != first.report_version and later.data_version == first.data_version
    assert set(services.visible(user).values_list("pk", flat=True)) == {first.pk, later.pk}  # the archive: both
    first.refresh_from_db()
    assert services.read(first)  # the issued one is untouched (its bytes still match its SHA-256)


def test_the_new_report_holds_the_new_figures(sumsel: None, make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", MUBA)
    first = services.issue(user, MUBA, DEC, fmt="xlsx", background=False)
    add_bill()
    later = services.issue(user, MUBA, DEC, fmt="xlsx", background=False)
    from tests.reports.test_reports import sheet

    assert not any(s.startswith("Realisasi") for s in _sheets(services.read(first)))
    rows = sheet(services.read(later), "Realisasi")
    assert rows[2][3] == 16_800  # billed, a number


def test_the_version_is_a_digest_of_every_source(sumsel: None) -> None:
    version, markers = services.report_version()
    assert set(markers) == {"coverage", "planning", "contributions", "commitments", "targeting"}
    assert markers["coverage"] == current_version()
    assert services.report_version() == (version, markers)  # stable while nothing changes
    add_list()
    assert services.report_version()[0] != version


def _sheets(data: bytes) -> list[str]:
    import io

    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
