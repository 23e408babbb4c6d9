"""The scorecard of a region and year (issue 13 §6, §8): every figure from a handful of grouped queries over the
region, summed per level in Polars; the rule itself is the pure :mod:`ucj.commitments.scorecard`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db.models import Q
from django.utils import timezone

from ucj.accounts.scoping import Scope
from ucj.commitments import institutions
from ucj.commitments import scorecard as rule
from ucj.commitments.models import FollowUpAction, Instrument, InstrumentStatus
from ucj.commitments.services.base import CommitmentRefused, _ancestors, _as_of, _require_visible, thresholds
from ucj.commitments.services.budgets import _pools
from ucj.commitments.services.ecosystem import _unit_frame
from ucj.commitments.services.meetings import _overdue_q
from ucj.commitments.services.villages import _child_codes, _desa_rows, _levels, _names
from ucj.regions.models import in_region


def default_year() -> int:
    """The year a scorecard opens on: that of the coverage dashboard's month (the latest month with data), so the
    registry's active people, the coverage rate and the budget year describe the same time (the demo's 2024)."""
    from ucj.coverage.services import latest_month

    return latest_month().year


def scorecard_rules() -> list[dict[str, Any]]:
    """The composite status rule as data (each score, its thresholds, in Indonesian and English)."""
    return rule.rules(thresholds())


def _prefix(column: str, level: str) -> pl.Expr:
    return pl.col(column).str.split(".").list.head(institutions.LEVEL_SEGMENTS[level]).list.join(".")


def _sum_by(frame: pl.DataFrame, column: str, level: str, aggs: list[pl.Expr]) -> dict[str, dict[str, Any]]:
    """Rows of ``frame`` whose region ``column`` lies at or below ``level``, summed per region of that level."""
    segments = institutions.LEVEL_SEGMENTS[level]
    inside = frame.filter(pl.col(column).str.count_matches(r"\.") >= segments - 1)
    rolled = inside.with_columns(_prefix(column, level).alias("_code")).group_by("_code").agg(aggs)
    return {r.pop("_code"): r for r in rolled.iter_rows(named=True)}


def _instrument_frame(code: str) -> pl.DataFrame:
    rows = list(Instrument.objects.filter(Q(region__isnull=True) | in_region("region_id", code)
                                          | Q(region_id__in=_ancestors((code,))))
                .values_list("pk", "region_id", "kind", "number", "status", "groups", "title"))  # fmt: skip
    return pl.DataFrame(rows, schema={"id": pl.Int64, "region": pl.String, "kind": pl.String, "number": pl.String,
                                      "status": pl.String, "groups": pl.Object, "title": pl.String},
                        orient="row")  # fmt: skip


def _regulation(instruments: pl.DataFrame, code: str) -> dict[str, Any]:
    """What applies in ``code``: its own instruments, those of the regions above it, national ones."""
    own, above, national, groups = [], 0, 0, set()
    ancestors = set(_ancestors((code,)))
    for row in instruments.iter_rows(named=True):
        in_force = row["status"] == InstrumentStatus.DITETAPKAN
        if row["region"] == code:
            own.append({"id": row["id"], "kind": row["kind"], "number": row["number"], "status": row["status"],
                        "title": row["title"]})  # fmt: skip
        elif row["region"] in ancestors:
            above += in_force
        elif row["region"] is None:
            national += in_force
        else:
            continue
        if in_force and row["region"] is not None:
            groups |= set(row["groups"] or [])
    in_force_own = sum(1 for i in own if i["status"] == InstrumentStatus.DITETAPKAN)
    draft_own = sum(1 for i in own if i["status"] in (InstrumentStatus.RENCANA, InstrumentStatus.DRAF))
    return {
        "in_force": in_force_own > 0,
        "own_in_force": in_force_own,
        "own_draft": draft_own,
        "above_in_force": above,
        "national_in_force": national,
        "groups": sorted(groups),
        "instruments": own,
    }


def _coverage(code: str, by: str | None, year: int) -> dict[str, dict[str, Any]]:
    """Rate and target of ``code`` and its children from the coverage services (the dashboard's numbers)."""
    from ucj.coverage import services as coverage

    latest = coverage.latest_month()
    as_of = dt.date(year, 12, 1) if year < latest.year else None
    answer = coverage.coverage(code, by, as_of)
    out = {}
    for item in [answer["region"], *answer["children"]]:
        target = item.get("year_target") or {}
        out[item["region"]] = {"rate": item.get("rate"), "target": target.get("rate"), "gap": target.get("gap"),
                               "covered": item.get("covered")}  # fmt: skip
    return out


def scorecard(user_or_scope: Any | Scope, region: str, year: int, by: str | None = None, *,
              as_of: dt.date | None = None) -> dict[str, Any]:  # fmt: skip
    """The scorecard of ``region`` for ``year`` (and of its children at level ``by``): issue 13 §8's JSON.

    ``as_of``: the day it describes — who is active, which follow-up actions were overdue, the share of the budget
    year elapsed — a day of ``year`` (a report gives its period's last day); by default today for the current
    year and 31 December for a past one. A day after today is counted as today.

    ``{"region": entry, "children": [entry...], "year", "as_of", "rules"}``; each entry has ``code``, ``name``,
    ``institutions`` (per role positions/registered/active), ``villages``, ``regulation``, ``budget``,
    ``ecosystem_units``, ``coverage``, ``overdue_actions``, ``score``, ``scores``, ``status`` and
    ``status_reasons``. Children are ranked by score (best first). All figures come from a handful of grouped
    queries over the region, summed per level in Polars: none per village."""
    code = _require_visible(user_or_scope, region)
    own, child = _levels(code, by)
    today = timezone.localdate()
    if as_of is not None and as_of.year != year:
        raise CommitmentRefused(f"Tanggal {as_of} di luar tahun {year} / the day lies outside year {year}")
    as_of = _as_of(year) if as_of is None else min(as_of, today)
    t = thresholds()
    levels = [own, *([child] if child else [])]
    codes = [code, *(_child_codes(code, child) if child else [])]
    names = _names(code, child)
    desa = _desa_rows(code, as_of)
    rolled = {lv: {r["code"]: r for r in institutions.roll_up(desa, lv).iter_rows(named=True)} for lv in levels}
    pools = _pools(code, year)
    money = {lv: _sum_by(pools, "region", lv, [pl.col("allocated").sum(), pl.col("realised").sum(),
                                               pl.col("workers").sum()]) for lv in levels}  # fmt: skip
    units = _unit_frame(code, as_of).with_columns(rule.unit_covered_expr(t).alias("unit_covered"))
    unit_sums = {lv: _unit_sums(units, lv) for lv in levels}
    overdue_rows = list(FollowUpAction.objects.filter(in_region("owner_id", code), _overdue_q(as_of))
                        .values_list("owner_id", flat=True))  # fmt: skip
    overdue_frame = pl.DataFrame({"owner": overdue_rows}, schema={"owner": pl.String})
    overdue = {lv: _sum_by(overdue_frame, "owner", lv, [pl.len().alias("n")]) for lv in levels}
    instruments = _instrument_frame(code)
    coverage = _coverage(code, child, year)
    share = rule.elapsed_share(year, as_of)
    entries = []
    for c in codes:
        lv = own if c == code else str(child)
        entries.append(_entry(c, names.get(c, ""), lv, rolled[lv].get(c, {"villages": 0}), money[lv].get(c, {}),
                              unit_sums[lv].get(c, _NO_UNITS), int(overdue[lv].get(c, {}).get("n") or 0),
                              _regulation(instruments, c), coverage.get(c, {}), share, t))  # fmt: skip
    top, children = entries[0], entries[1:]
    children.sort(key=lambda e: (-(e["score"] if e["score"] is not None else -1), e["code"]))
    return {"year": year, "as_of": as_of.isoformat(), "region": top, "children": children,
            "rules": rule.rules(t)}  # fmt: skip


_NO_UNITS: dict[str, Any] = {"total": 0, "covered": 0, "workers": 0, "known": 0, "covered_workers": 0, "by_kind": {}}


def _unit_sums(units: pl.DataFrame, level: str) -> dict[str, dict[str, Any]]:
    """Units per region of ``level``: counts, units covered, workers declared, known and covered, by kind."""
    keyed = units.with_columns(_prefix("desa", level).alias("_code"))
    aggs = [pl.len().alias("total"), pl.col("unit_covered").sum().alias("covered"), pl.col("workers").sum(),
            pl.col("known").sum(), pl.col("covered").sum().alias("covered_workers")]  # fmt: skip
    out = {r.pop("_code"): {**r, "by_kind": {}} for r in keyed.group_by("_code").agg(aggs).iter_rows(named=True)}
    for r in keyed.group_by("_code", "kind").agg(aggs).iter_rows(named=True):
        code, kind = r.pop("_code"), r.pop("kind")
        out[code]["by_kind"][kind] = {k: int(v or 0) for k, v in r.items()}
    for entry in out.values():
        for key in ("total", "covered", "workers", "known", "covered_workers"):
            entry[key] = int(entry[key] or 0)
    return out


def _entry(code: str, name: str, level: str, inst: dict[str, Any], pool: dict[str, Any], units: dict[str, Any],
           overdue: int, regulation: dict[str, Any], coverage: dict[str, Any], share: float,
           t: rule.Thresholds) -> dict[str, Any]:  # fmt: skip
    part = institutions.entry(inst)
    allocated, realised = int(pool.get("allocated") or 0), int(pool.get("realised") or 0)
    committed_realised = realised if allocated else 0
    budget = {"allocated": allocated, "realised": realised, "absorption_pct": institutions.pct(realised, allocated),
              "workers_funded": int(pool.get("workers") or 0), "gap": coverage.get("gap")}  # fmt: skip
    roles = part["institutions"]
    rt_rw = [roles[r] for r in ("rt", "rw") if roles.get(r)]
    inputs = rule.Inputs(
        own_in_force=regulation["in_force"], own_draft=regulation["own_draft"] > 0,
        above_in_force=regulation["above_in_force"] > 0, allocated=allocated, realised=committed_realised,
        elapsed_share=share, villages=part["villages"]["total"], fully_protected=part["villages"]["fully_protected"],
        rt_rw_positions=sum(r["positions"] for r in rt_rw), rt_rw_active=sum(r["active"] for r in rt_rw),
        units=units["total"], units_covered=units["covered"], rate=coverage.get("rate"),
        target=coverage.get("target"), overdue_actions=overdue,
    )  # fmt: skip
    verdict = rule.composite(rule.grade(inputs, t), t)
    return {"code": code, "name": name, "level": level, **part, "regulation": regulation, "budget": budget,
            "ecosystem_units": units, "coverage": {"rate": coverage.get("rate"), "target": coverage.get("target"),
                                                   "covered": coverage.get("covered")},
            "overdue_actions": inputs.overdue_actions, **verdict}  # fmt: skip
