"""Overdue follow-up actions are counted on the day a scorecard describes, not today: 31 December for a past year
(``ucj scorecard --year``), the period's last day for a report, today only for the current year.

The world (tests/commitments/backend_world.py): the 13 December 2024 meeting's actions — Muba due 2025-03-31 open,
Muba due 2025-06-30 done, Sukarami due 2099, Palembang due 2025-01-31 in progress. On 31 December 2024 none was
due yet; on 15 April 2025 Muba's first and Palembang's were late; an action done after the day counted was still
late on that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.accounts import conftest as accounts
from tests.commitments.backend_world import MUBA, PALEMBANG, make_world
from ucj.commitments import services
from ucj.commitments.models import FollowUpAction
from ucj.reports import optional

client_for = accounts.client_for  # the fixture: a client logged in per role


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


def _overdue(card: dict[str, Any]) -> dict[str, int]:
    return {e["code"]: e["overdue_actions"] for e in [card["region"], *card["children"]]}


def test_a_past_years_scorecard_counts_overdue_on_31_december(world: dict[str, Any]) -> None:
    card = services.scorecard(None, "16", 2024, by="kabkota")
    assert card["as_of"] == "2024-12-31"
    counts = _overdue(card)
    assert counts["16"] == 0 and counts[MUBA] == 0 and counts[PALEMBANG] == 0  # everything was due in 2025
    assert card["region"]["scores"]["actions"] == "baik"


def test_an_as_of_day_counts_what_was_late_then(world: dict[str, Any]) -> None:
    counts = _overdue(services.scorecard(None, "16", 2025, by="kabkota", as_of=dt.date(2025, 4, 15)))
    assert (counts["16"], counts[MUBA], counts[PALEMBANG]) == (2, 1, 1)
    counts = _overdue(services.scorecard(None, "16", 2025, by="kabkota", as_of=dt.date(2025, 2, 15)))
    assert (counts["16"], counts[MUBA], counts[PALEMBANG]) == (1, 0, 1)  # Muba's was due on 31 March


def test_an_action_done_later_was_late_on_the_day_counted(world: dict[str, Any]) -> None:
    late = FollowUpAction.objects.get(owner_id=MUBA, status="rencana")
    services.set_action_status(None, late.pk, "selesai", done_on=dt.date(2025, 5, 2))
    assert _overdue(services.scorecard(None, MUBA, 2025, as_of=dt.date(2025, 4, 15)))[MUBA] == 1
    assert _overdue(services.scorecard(None, MUBA, 2025, as_of=dt.date(2025, 5, 2)))[MUBA] == 0
    assert _overdue(services.scorecard(None, MUBA, 2025))[MUBA] == 0  # 31 December 2025: done by then
    # a cancelled action was never late (the day it was cancelled is not kept)
    plg = FollowUpAction.objects.get(owner_id=PALEMBANG)
    services.set_action_status(None, plg.pk, "batal")
    assert _overdue(services.scorecard(None, PALEMBANG, 2025, as_of=dt.date(2025, 4, 15)))[PALEMBANG] == 0


def test_a_days_activity_and_elapsed_share_follow_the_as_of_day(world: dict[str, Any]) -> None:
    card = services.scorecard(None, MUBA, 2025, as_of=dt.date(2025, 4, 15))
    assert card["as_of"] == "2025-04-15"
    with pytest.raises(services.CommitmentRefused):  # a day outside the year asked
        services.scorecard(None, MUBA, 2025, as_of=dt.date(2024, 12, 31))


def test_the_current_years_scorecard_counts_on_today(world: dict[str, Any]) -> None:
    today = timezone.localdate()  # the project's day (Asia/Jakarta), not the machine's
    counts = _overdue(services.scorecard(None, "16", today.year, by="kabkota"))
    assert (counts["16"], counts[MUBA], counts[PALEMBANG]) == (2, 1, 1)
    later = services.scorecard(None, "16", today.year, as_of=dt.date(today.year, 12, 31))
    assert later["as_of"] == today.isoformat()  # a day not yet come is counted as today


def test_a_reports_scorecard_counts_overdue_at_the_months_end(world: dict[str, Any]) -> None:
    december = optional.scorecard("16", dt.date(2024, 12, 1))
    assert december["as_of"] == "2024-12-31" and _overdue(december)["16"] == 0
    february = optional.scorecard("16", dt.date(2025, 2, 1))
    assert february["as_of"] == "2025-02-28" and _overdue(february)["16"] == 1  # Palembang's, due 31 January
    assert _overdue(february)[PALEMBANG] == 1 and _overdue(february)[MUBA] == 0


def test_the_dashboard_card_lists_the_actions_late_today_in_a_past_years_card(
    world: dict[str, Any], client_for: Any, monkeypatch: Any
) -> None:
    """The card scores the dashboard's year (here 2024: nothing was late on 31 December) but its list is what the
    owners must act on now: the count beside the list is today's."""
    import html
    import re

    monkeypatch.setattr("ucj.commitments.services.default_year", lambda: 2024)
    page = client_for("kab_muba").get("/cakupan/").content.decode()
    card = re.search(r'<section class="card commitment-card".*?</section>', page, re.S)
    assert card, "no commitment card"
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card[0])).split())
    assert "Komitmen daerah 2024" in words and "1 tindak lanjut terlambat" in words
    assert "tenggat 2025-03-31" in words
