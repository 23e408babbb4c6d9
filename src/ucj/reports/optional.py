"""The sections other packages provide when they exist: the commitments scorecard (issue 13) and the enrolment
funnel (issue 14). Their answers are turned into one table each (pure arrangement; the figures are theirs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ucj.accounts.models import Role
from ucj.accounts.scoping import Scope
from ucj.reports import content


def region_scope(code: str) -> Scope:
    """A scope that reaches exactly the report's region: the report holds that region's aggregates whoever
    issues it (everyone who may read the report sees the region)."""
    return Scope(grants=((Role.PROVINSI, code),))


def _kind(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return content.TEXT
    if isinstance(value, float):
        return content.PCT if any(w in key for w in ("rate", "pct", "percent", "share")) else content.DEC1
    return content.RP if any(w in key for w in ("amount", "budget", "cost", "rupiah")) else content.INT


def _rows(answer: Any) -> list[dict[str, Any]]:
    """The first list of records in a service answer (a list, or a dict holding one)."""
    if isinstance(answer, list):
        return [r if isinstance(r, dict) else {"value": r} for r in answer]
    if isinstance(answer, dict):
        for key in ("rows", "lines", "stages", "items", "children"):
            if isinstance(answer.get(key), list):
                return _rows(answer[key])
        for value in answer.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return _rows(value)
    return []


def as_table(name: str, service: Callable[..., Any], code: str, month: dt.date) -> dict[str, Any] | None:
    """``{"columns", "rows"}`` from the service's answer for the region (None when it has no rows)."""
    scope = region_scope(code)
    answer = service(scope, code, month.year) if name == "scorecard" else service(scope, code, as_of=month)
    rows = _rows(answer)
    if not rows:
        return None
    keys = [k for k in rows[0] if not isinstance(rows[0][k], dict | list)]
    columns = [{"label": k, "kind": _kind(k, next((r.get(k) for r in rows if r.get(k) is not None), None))}
               for k in keys]  # fmt: skip
    return {"columns": columns, "rows": [[r.get(k) for k in keys] for r in rows]}
