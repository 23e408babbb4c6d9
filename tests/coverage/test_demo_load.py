"""``ucj demo``'s data in the database: the coverage service shows the December 2024 Sumsel meeting figures,
the feed went through the real import, everything is labelled synthetic, and a second load changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from ucj.coverage.models import FeedBatch, FeedRow, Target, Workforce
from ucj.coverage.services import coverage, latest_month
from ucj.demo import story
from ucj.demo.loader import DEMO_PLANS, load_demo
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db


def check_meeting_figures(result: dict[str, Any]) -> None:
    top = result["region"]
    assert result["as_of"] == "2024-12"
    assert (top["denominator"], top["covered"], top["rate"], top["source"]) == (2_800_000, 1_048_000, 37.43, "feed")
    assert top["denominator_source"].startswith("SINTETIS (demo)")
    year = top["year_target"]
    assert (year["year"], year["rate"], year["count"], year["met"], year["surplus"]) == (
        2024, 37.0, 1_036_000, True, 12_000)  # fmt: skip
    nxt = top["next_target"]
    assert (nxt["year"], nxt["rate"], nxt["count"], nxt["gap"], nxt["months_remaining"], nxt["pace_needed"]) == (
        2025, 50.0, 1_400_000, 352_000, 12, 29_334)  # fmt: skip
    assert (top["vulnerable_covered"], top["vulnerable_total"]) == (65_000, 937_000)
    assert top["by_ecosystem"]["rentan"]["covered"] == 65_000
    eco = top["by_ecosystem"]
    growth = {k: v["change_6"] for k, v in eco.items()}
    assert growth["desa"] + growth["rentan"] > 0.8 * sum(growth.values())  # desa and rentan carry the growth
    assert len(top["series"]) == 12 and top["series"][0][0] == "2024-01"
    children = {c["region"]: c for c in result["children"]}
    assert len(children) == 17 and sum(c["covered"] for c in children.values()) == 1_048_000
    assert sum(c["denominator"] for c in children.values()) == 2_800_000
    assert children["16.06"]["rate"] == 41.65
    assert children["16.06"]["next_target"]["rate"] == 52.15 and children["16.06"]["next_target"]["region"] == "16.06"
    assert children["16.01"]["next_target"]["region"] == "16"  # inherits the province's 50 %
    assert children["16.71"]["next_target"]["rate"] is None and children["16.71"]["next_target"]["count"]
    assert {c["rate"] > 37 for c in children.values()} == {True, False}
    # issue 12 item 16: the feed names payers, so APBD and APBDes are not zero at province and kab/kota
    for row in (top, children["16.06"]):
        assert all(row["by_payer"][p]["covered"] > 0 for p in ("apbd_provinsi", "apbd_kabkota", "apbdes"))
    assert sum(v["covered"] for v in top["by_payer"].values()) == 1_048_000
    assert top["by_payer"].get("tidak diketahui", {"covered": 0})["covered"] == 0  # every feed cell attributed
    muba = {k: v["change_6"] for k, v in children["16.06"]["by_payer"].items()}
    assert muba["apbd_kabkota"] > 0.6 * sum(muba.values())  # Muba's growth: paid by the kabupaten


def check_payer_table() -> None:
    """Issue 12 item 16 on the dashboard: the province page lists who pays, with the December 2024 feed's sums per
    payer (the province is feed-only, so the feed's cells are the whole answer)."""
    from django.test import Client

    from ucj.accounts.services import create_user

    dec = story.feed().filter(pl.col("month") == dt.date(2024, 12, 1))
    expected = dict(dec.group_by("payer").agg(pl.col("active").sum()).iter_rows())
    client = Client()
    client.force_login(create_user("payer.viewer", role="provinsi", region="16", password="Ucj-Test-2025!x"))
    page = client.get("/cakupan/?region=16&as_of=2024-12")
    rows = {p["key"]: p["covered"] for p in page.context["payers"]}
    assert rows == expected and rows["apbdes"] > 0 and rows["apbd_kabkota"] > 0
    assert 'data-payer="apbdes"' in page.content.decode() and "APBDes/ADD" in page.content.decode()


def check_bappenas(result: dict[str, Any]) -> None:
    """Issue 12 item 18, the Bappenas indicator 06.02.021 on the demo: BPU participants of the December 2024
    feed ÷ the BPU universe of 2,770,000 informal workers (BPS Sakernas Aug 2023, domain.md §4.2) × 100."""
    dec = story.feed().filter((pl.col("month") == dt.date(2024, 12, 1)) & (pl.col("segment") == "BPU"))
    bpu = int(dec["active"].sum())
    top = result["region"]
    assert (top["definition"], top["covered"], top["denominator"]) == ("bpu_universe", bpu, 2_770_000)
    assert top["rate"] == round(100 * bpu / 2_770_000, 2) and 0 < top["rate"] < 37.43
    assert set(top["by_segment"]) == {"BPU"} and top["denominator_year"] == 2023


def check_demo_plans(saved: int) -> None:
    """The meeting's questions answered: Rp 201,600 a worker for 2025 (JKK + JKM through APBD, no relief), both
    APBD paying whole workers (issue 12 item 11), the kab/kota-paid workers renewed first (item 12; lapse rate 0:
    the demo registry has too little history, docs/planning.md). R = the registry's BPU paid by an APBD and
    active in January 2025 (paid through November 2024 or later). Least budget for 50 %: 352,000 new workers +
    R renewals. Rp 20 bn, 60/40: the province's Rp 12 bn buys ⌊12e9 / 201,600⌋ = 59,523 workers, the kab/kota's
    Rp 8 bn ⌊8e9 / 201,600⌋ = 39,682 workers' worth, R of them renewals: 99,205 − R new (hand count)."""
    from ucj.planning.models import Scenario

    assert saved == 3
    renewals = Participant.objects.filter(segment="BPU", payer__in=["apbd_provinsi", "apbd_kabkota"],
                                          paid_through__gte=dt.date(2024, 11, 1)).count()  # fmt: skip
    least, split, each = (Scenario.objects.get(name=name).result for name, _ in DEMO_PLANS)
    assert least["renewals"]["paid"] == split["renewals"]["paid"] == renewals > 0
    assert (least["status"], least["funded"]) == ("optimal", 352_000)
    assert least["cost"] == (352_000 + renewals) * 201_600  # Rp 70,963,200,000 new + the renewals
    assert least["region_after"]["rate"] == 50.0
    assert split["funded"] == 99_205 - renewals and split["cost"] == 99_205 * 201_600
    assert split["by_payer"] == {"apbd_provinsi": 59_523 * 201_600, "apbd_kabkota": 39_682 * 201_600}
    assert each["status"] == "optimal" and each["funded"] >= 352_000
    assert all(r["met_after"] for r in each["regions"] if r["target_count"])


def test_demo_loads_the_meeting_figures_and_is_idempotent() -> None:
    summary = load_demo()
    assert summary.facts > 0 and "DEMO-feed-bpjs-2024.csv" in summary.story
    assert latest_month() == dt.date(2024, 12, 1)  # the dashboard opens on the latest feed month
    check_meeting_figures(coverage("16"))
    check_bappenas(coverage("16", definition="bpu_universe"))

    batch = FeedBatch.objects.get(file_name=story.FEED_FILE)
    assert batch.synthetic and batch.user is not None and batch.user.username == "bpjs.sumsel"
    assert FeedRow.objects.count() == story.feed().height == batch.accepted
    assert Workforce.objects.filter(synthetic=True).count() == 72 and not Workforce.objects.filter(synthetic=False)
    assert Target.objects.filter(synthetic=True).count() == 4
    assert Workforce.objects.get(region_id="16", year=2023, definition="bps_employed").workers == 4_400_000
    assert Workforce.objects.get(region_id="16", year=2024, definition="vulnerable").workers == 937_000

    # the rosters' coverage falls in 2024, so the drill-down shows registry data for the same period
    dates = Participant.objects.filter(paid_through__isnull=False)
    assert dates.exists()
    assert not dates.filter(paid_through__gt=dt.date(2024, 12, 31)).exists()
    assert dates.filter(coverage_start__gte=dt.date(2024, 1, 1)).count() > 0.9 * dates.count()
    kec = coverage("16.06", "kecamatan")
    sekayu = next(c for c in kec["children"] if c["region"] == "16.06.01")
    assert sekayu["source"] == "registry-partial" and sekayu["covered"] > 0
    assert sekayu["series"][0][0] == "2024-01"
    village = coverage("16.06.01", "desa")
    assert any(c["region"] == "16.06.01.2001" and c["covered"] > 0 for c in village["children"])

    check_demo_plans(summary.plans)
    check_payer_table()

    counts = (Participant.objects.count(), FeedRow.objects.count(), FeedBatch.objects.count(),
              Workforce.objects.count(), Target.objects.count())  # fmt: skip
    again = load_demo()
    assert again.plans == 0
    assert "sudah dimuat" in again.story and not again.participants_loaded
    assert counts == (Participant.objects.count(), FeedRow.objects.count(), FeedBatch.objects.count(),
                      Workforce.objects.count(), Target.objects.count())  # fmt: skip
    check_meeting_figures(coverage("16"))


def test_real_denominators_and_targets_are_not_overwritten() -> None:
    Workforce.objects.create(region_id="16", year=2024, definition="eligible", workers=3_000_000, source="BPJS")
    Target.objects.create(region_id="16", year=2025, definition="eligible", rate=51, source="Gubernur")
    from ucj.demo.loader import load_story

    load_story(feed_user=None)
    assert Workforce.objects.get(region_id="16", year=2024, definition="eligible").workers == 3_000_000
    assert float(Target.objects.get(region_id="16", year=2025).rate or 0) == 51
    assert Workforce.objects.get(region_id="16.06", year=2024, definition="eligible").synthetic
    assert FeedBatch.objects.get(file_name=story.FEED_FILE).user is None
