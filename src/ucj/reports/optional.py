"""The sections other packages provide: the commitments scorecard (issue 13, ``ucj.commitments.services
.scorecard``) and the enrolment funnel (issue 14, ``ucj.targeting.services.funnel``). This shell asks them for the
report's region and month; :func:`ucj.reports.content.scorecard` and :func:`~ucj.reports.content.funnel` lay the
answers out as designed tables — the figures are theirs."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from ucj.accounts.models import Role
from ucj.accounts.scoping import Scope
from ucj.regions.models import in_region


def region_scope(code: str) -> Scope:
    """A scope that reaches exactly the report's region: the report holds that region's aggregates whoever
    issues it (everyone who may read the report sees the region)."""
    return Scope(grants=((Role.PROVINSI, code),))


def child_level(code: str) -> str:
    return "kabkota" if code.count(".") == 0 else "kecamatan"


def scorecard(code: str, month: dt.date) -> dict[str, Any]:
    """The scorecard of the report's year for the region and its children (every region has one, data or not), as
    of the month's last day (overdue follow-up actions, active people, the budget year elapsed)."""
    from ucj.commitments.services import scorecard as service

    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return service(region_scope(code), code, month.year, child_level(code), as_of=end)


def has_targeting_data(code: str) -> bool:
    """Whether anyone in the region is on a loaded list or in a worklist (two indexed range lookups): without
    either the region has no targeting data and the funnel section is left out."""
    from ucj.targeting.models import Enrolment, ListPerson

    return (ListPerson.objects.filter(in_region("desa_id", code, villages_only=True)).exists()
            or Enrolment.objects.filter(in_region("desa_id", code, villages_only=True)).exists())  # fmt: skip


def funnel(code: str, month: dt.date) -> dict[str, Any] | None:
    """The funnel as of the month's last day with its children, or None when the region has no targeting data.
    Lists loaded but empty worklists answer with zeros: that is news for the meeting."""
    if not has_targeting_data(code):
        return None
    from ucj.targeting.services import funnel as service

    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return service(region_scope(code), code, as_of=end, by=child_level(code))


def stage_labels() -> dict[str, str]:
    """The enrolment stages and closing statuses by name, in the active language (the targeting catalog's)."""
    from ucj.targeting.models import Status

    return {s.value: str(s.label) for s in Status}
