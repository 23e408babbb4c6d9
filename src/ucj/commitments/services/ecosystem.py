"""Ecosystem units (markets, UMKM groups, cooperatives, fishermen's and farmers' groups) with workers known vs
covered, and the partners of a region with their agreements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from ucj.bulk import read_frame
from ucj.commitments import institutions
from ucj.commitments import scorecard as rule
from ucj.commitments.models import EcosystemUnit, Partner
from ucj.commitments.services.base import (
    CHECKS,
    KINDS,
    CommitmentRefused,
    Values,
    _as_of,
    _check_write,
    _children_to_change,
    _create,
    _delete,
    _get,
    _require_visible,
    _update,
    _visible,
    thresholds,
)
from ucj.commitments.services.villages import _active_count
from ucj.regions.models import in_region
from ucj.registry.models import Participant


def visible_units(user: Any, region: str | None = None, kind: str | None = None) -> QuerySet[EcosystemUnit]:
    qs = _visible(KINDS["unit"], user, region)
    return qs.filter(kind=kind) if kind else qs


def visible_partners(user: Any, region: str | None = None) -> QuerySet[Partner]:
    return _visible(KINDS["partner"], user, region)


def get_unit(user: Any, pk: int) -> EcosystemUnit:
    found: EcosystemUnit = _get(KINDS["unit"], user, pk)
    return found


def get_partner(user: Any, pk: int) -> Partner:
    found: Partner = _get(KINDS["partner"], user, pk)
    return found


def _check(obj: Any, code: str | None, level: int | None, kelurahan: bool) -> list[str]:
    if obj.subtype and obj.kind != "pasar":
        return ["Tipe tradisional/modern hanya untuk pasar / traditional/modern is for markets only"]
    return []


CHECKS["unit"] = _check


def create_unit(user: Any, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    found: EcosystemUnit = _create(KINDS["unit"], user, values, request)
    return found


def update_unit(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    found: EcosystemUnit = _update(KINDS["unit"], user, pk, values, request)
    return found


@transaction.atomic
def delete_unit(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    """Delete a unit; its partners stay without a unit, each change audited as an edit of the partner. Refused when
    the user may not change one of them (a partner of a region above theirs tied to a unit of their region)."""
    unit = _get(KINDS["unit"], user, pk, lock=True)
    _check_write(user, "unit", unit.desa_id)
    partners = _children_to_change(user, KINDS["partner"], Partner.objects.filter(unit=unit))
    for partner in partners:
        _update(KINDS["partner"], user, partner.pk, {"unit": None}, request)
    _delete(KINDS["unit"], user, pk, request, obj=unit)


def create_partner(user: Any, values: Values, *, request: HttpRequest | None = None) -> Partner:
    found: Partner = _create(KINDS["partner"], user, values, request)
    _check_unit(user, found)
    return found


def update_partner(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> Partner:
    found: Partner = _update(KINDS["partner"], user, pk, values, request)
    _check_unit(user, found)
    return found


def _check_unit(user: Any, partner: Partner) -> None:
    """A partner's unit must be one the user sees, inside the partner's region."""
    if partner.unit_id is None:
        return
    unit = get_unit(user, partner.unit_id)
    if not (unit.desa_id == partner.region_id or unit.desa_id.startswith(partner.region_id + ".")):
        raise CommitmentRefused("Unit di luar wilayah mitra / the unit lies outside the partner's region")


def delete_partner(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["partner"], user, pk, request)


# ---------------------------------------------------------------- ecosystem units: workers known vs covered


def _unit_frame(region: str, as_of: dt.date) -> pl.DataFrame:
    """Every unit in ``region`` with the registry people naming it (same village, folded name): known and active."""
    units = pl.DataFrame(list(EcosystemUnit.objects.filter(in_region("desa_id", region, villages_only=True))
                              .values_list("pk", "kind", "name", "subtype", "desa_id", "workers")),
                         schema={"id": pl.Int64, "kind": pl.String, "name": pl.String, "subtype": pl.String,
                                 "desa": pl.String, "workers": pl.Int64}, orient="row")  # fmt: skip
    # ``unit_name > ''``: the partial index participant_unit_name (registry migration 0007) answers alone.
    qs = (Participant.objects.filter(in_region("desa_id", region, villages_only=True), unit_name__gt="").order_by()
          .values("desa_id", "unit_name").annotate(known=Count("*"), covered=_active_count(as_of)))  # fmt: skip
    people = read_frame(qs, {"desa_id": pl.String, "unit_name": pl.String, "known": pl.Int64, "covered": pl.Int64})
    people = (people.with_columns(_fold(pl.col("unit_name")).alias("key")).group_by("desa_id", "key")
              .agg(pl.col("known").sum(), pl.col("covered").sum()).rename({"desa_id": "desa"}))  # fmt: skip
    return units.with_columns(_fold(pl.col("name")).alias("key")).join(
        people, on=["desa", "key"], how="left").with_columns(
        pl.col("known").fill_null(0), pl.col("covered").fill_null(0)).drop("key")  # fmt: skip


def _fold(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


def unit_rows(user: Any, region: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Ecosystem units of ``region`` with workers known vs covered (registry people naming the unit)."""
    code = _require_visible(user, region)
    covered = rule.unit_covered_expr(thresholds()).alias("unit_covered")
    frame = _unit_frame(code, as_of or _as_of()).with_columns(covered)
    return [{**r, "covered_pct": institutions.pct(r["covered"], r["workers"] or r["known"])}
            for r in frame.sort("desa", "kind", "name").iter_rows(named=True)]  # fmt: skip
