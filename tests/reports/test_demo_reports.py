"""``ucj demo`` issues the December 2024 reports of Sumatera Selatan and Musi Banyuasin (issue 15 "Done when")."""

from __future__ import annotations

from ucj.reports.demo import issue_demo_reports


def test_the_demo_issues_the_province_and_muba_reports_once(sumsel: None) -> None:
    issued = issue_demo_reports()
    assert [(r.region_id, f"{r.month:%Y-%m}", r.format, r.status) for r in issued] == [
        ("16", "2024-12", "pdf", "done"), ("16.06", "2024-12", "pdf", "done")]  # fmt: skip
    assert [r.pk for r in issue_demo_reports()] == [r.pk for r in issued]  # unchanged data: the issued ones
