"""Village institutions (kelembagaan desa): the positions of each village against the registry people of each
role, registered and active, per desa and summed to kecamatan, kab/kota and province."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from ucj.accounts.scoping import Scope
from ucj.bulk import read_frame
from ucj.commitments import institutions
from ucj.commitments.models import VillageInstitution
from ucj.commitments.services.base import (
    CHECKS,
    KINDS,
    CommitmentRefused,
    Values,
    _as_of,
    _create,
    _delete,
    _get,
    _region_code,
    _require_visible,
    _scope,
    _update,
    _visible,
)
from ucj.regions.codes import level_of
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since


def visible_institutions(user: Any, region: str | None = None) -> QuerySet[VillageInstitution]:
    return _visible(KINDS["institution"], user, region)


def get_institution(user: Any, desa: str) -> VillageInstitution:
    found: VillageInstitution = _get(KINDS["institution"], user, _region_code(desa))
    return found


def _check(obj: Any, code: str | None, level: int | None, kelurahan: bool) -> list[str]:
    """A kelurahan has no kepala desa, perangkat desa nor BPD; a desa one kepala desa."""
    problems = []
    if kelurahan and any(getattr(obj, r) for r in institutions.DESA_ONLY):
        problems.append(f"{code} adalah kelurahan: tidak ada kepala desa, perangkat desa atau BPD / a kelurahan "
                        "has no kepala desa, perangkat desa or BPD")  # fmt: skip
    if (obj.kepala_desa or 0) > 1:
        problems.append("Satu desa mempunyai satu kepala desa / a desa has one kepala desa")
    return problems


CHECKS["institution"] = _check


def set_institution(user: Any, desa: str, values: Values, *,
                    request: HttpRequest | None = None) -> VillageInstitution:  # fmt: skip
    """Create or update the positions of village ``desa``."""
    code = _region_code(desa)
    if not _scope(user).covers(code):
        raise Http404  # a village outside the user's regions, with positions or not
    rest = {k: v for k, v in values.items() if k != "desa"}
    if VillageInstitution.objects.filter(desa_id=code).exists():
        found: VillageInstitution = _update(KINDS["institution"], user, code, rest, request)
    else:
        found = _create(KINDS["institution"], user, {**rest, "desa": code}, request)
    return found


def delete_institution(user: Any, desa: str, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["institution"], user, _region_code(desa), request)


def _people(region: str, as_of: dt.date) -> pl.DataFrame:
    """Registry people of each village role per village: registered and active on ``as_of`` (one grouped query)."""
    # ``village_role > ''`` is the predicate of the partial index participant_village_role (registry migration
    # 0007): the count reads that small index alone (village, role, paid-through), not the region's participants.
    qs = (Participant.objects.filter(in_region("desa_id", region, villages_only=True), village_role__gt="",
                                     village_role__in=[*institutions.ROLES, "lkd"]).order_by()
          .values("desa_id", "village_role").annotate(registered=Count("*"), active=_active_count(as_of)))  # fmt: skip
    return read_frame(qs, {"desa_id": pl.String, "village_role": pl.String, "registered": pl.Int64,
                           "active": pl.Int64}).rename({"desa_id": "desa", "village_role": "role"})  # fmt: skip


def _active_count(as_of: dt.date) -> Count:
    """People active on ``as_of`` (paid through the lapse window, as ``registry.status``) counted from the indexed
    paid-through column itself, so the grouped count needs no other column of the row."""
    since = active_since(as_of, settings.UCJ_LAPSE_MONTHS)
    return Count("paid_through", filter=Q(paid_through__gte=since))


def _desa_rows(region: str, as_of: dt.date) -> pl.DataFrame:
    villages = Region.objects.filter(in_region("code", region), level=4).values_list("code", flat=True)
    positions = read_frame(
        VillageInstitution.objects.filter(in_region("desa_id", region, villages_only=True)).order_by(),
        {"desa_id": pl.String, **{f: pl.Int64 for f in institutions.POSITION_FIELDS}},
    ).rename({"desa_id": "desa"})  # fmt: skip
    return institutions.per_desa(list(villages), positions, _people(region, as_of))


def _levels(code: str, by: str | None) -> tuple[str, str | None]:
    names = {v: k for k, v in institutions.LEVEL_SEGMENTS.items()}
    own = names[level_of(code)]
    if by is None:
        return own, None
    if by not in institutions.LEVEL_SEGMENTS or institutions.LEVEL_SEGMENTS[by] <= level_of(code):
        below = ", ".join(k for k, v in institutions.LEVEL_SEGMENTS.items() if v > level_of(code))
        raise CommitmentRefused(f"--by harus di bawah {own} / must be below {own}: {below}")
    return own, by


def institutions_table(user_or_scope: Any | Scope, region: str, by: str | None = None,
                       as_of: dt.date | None = None) -> dict[str, Any]:  # fmt: skip
    """``{"region": {...}, "children": [...]}``: per role positions, registered and active people, and villages
    fully protected, for ``region`` and its children at level ``by``; every level is the sum of its villages."""
    code = _require_visible(user_or_scope, region)
    own, child = _levels(code, by)
    rows = _desa_rows(code, as_of or _as_of())
    names = _names(code, child)
    top = _entry_institutions(institutions.roll_up(rows, own), code, names)
    children = []
    if child:
        rolled = institutions.roll_up(rows, child)
        children = [_entry_institutions(rolled, c, names) for c in _child_codes(code, child)]
    return {"region": top, "children": children}


def _entry_institutions(rolled: pl.DataFrame, code: str, names: dict[str, str]) -> dict[str, Any]:
    found = rolled.filter(pl.col("code") == code)
    row = found.row(0, named=True) if found.height else {"villages": 0}
    return {"code": code, "name": names.get(code, ""), **institutions.entry(row)}


def _child_codes(code: str, by: str) -> list[str]:
    return list(Region.objects.filter(in_region("code", code), level=institutions.LEVEL_SEGMENTS[by])
                .order_by("code").values_list("code", flat=True))  # fmt: skip


def _names(code: str, by: str | None) -> dict[str, str]:
    q = Q(code=code)
    if by:
        q |= in_region("code", code) & Q(level=institutions.LEVEL_SEGMENTS[by])
    return dict(Region.objects.filter(q).values_list("code", "name"))
