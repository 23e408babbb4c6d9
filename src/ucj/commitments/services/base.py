"""What every commitment change shares: who may do what (one table), the kinds of rows (model, region field,
editable fields), the scoped reads and the one audited path of every create, update and delete. The concept
modules (:mod:`.regulations`, :mod:`.budgets`, :mod:`.villages`, :mod:`.ecosystem`, :mod:`.meetings`) name their
operations on top of it and register their domain rules in :data:`CHECKS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.models import Role
from ucj.accounts.scoping import Scope, scope_for
from ucj.commitments import institutions
from ucj.commitments import scorecard as rule
from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    MandatedGroup,
    Meeting,
    Partner,
    Tracked,
    VillageInstitution,
)
from ucj.regions.codes import level_of, lineage, normalize_code
from ucj.regions.models import Region, in_region


class CommitmentRefused(ValueError):
    """A change that cannot be made; the message says why (Indonesian / English)."""


class CommitmentForbidden(CommitmentRefused):
    """The user's role may not make this change in that region (pages and API answer 403)."""


Values = Mapping[str, Any]

# ---------------------------------------------------------------- who may do what (one table)

_GOV = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA})
#: Roles that may create and change each kind inside their regions. Viewers only read. A village operator
#: keeps their village's institutions and its APBDes line (issue 13 §8); BPJS staff work the ecosystems.
WRITE_ROLES: dict[str, frozenset[str]] = {
    "instrument": _GOV,
    "budget": _GOV,
    "institution": _GOV | {Role.DESA},
    "unit": _GOV | {Role.BPJS},
    "partner": _GOV | {Role.BPJS},
    "meeting": _GOV | {Role.BPJS},
    "action": _GOV | {Role.BPJS},
}
APBDES_ROLES = _GOV | {Role.DESA}
#: A desa's own regulations (Perdes, Perkades, a kepala desa's decision...): also its village operator's.
VILLAGE_INSTRUMENT_ROLES = _GOV | {Role.DESA}
EVERYWHERE = Scope(grants=(), everywhere=True)


def _scope(user_or_scope: Any) -> Scope:
    if isinstance(user_or_scope, Scope):
        return user_or_scope
    return EVERYWHERE if user_or_scope is None else scope_for(user_or_scope)


def _roles(kind: str, payer: str | None = None, region: str | None = None) -> frozenset[str]:
    if kind == "budget" and payer == "apbdes":
        return APBDES_ROLES
    if kind == "instrument" and region and level_of(region) == 4:
        return VILLAGE_INSTRUMENT_ROLES
    return WRITE_ROLES[kind]


def can_edit(user: Any, kind: str, region: str | None, *, payer: str | None = None) -> bool:
    """Whether ``user`` may create/change rows of ``kind`` (``instrument``, ``budget``, ``institution``, ``unit``,
    ``partner``, ``meeting``, ``action``) in ``region`` (pages use it to show or hide the buttons). National
    instruments (``region`` None) are an administrator's."""
    scope = _scope(user)
    if region is None:
        return scope.everywhere if kind == "instrument" else scope.can(_roles(kind, payer))
    return scope.can(_roles(kind, payer, region), region)


def _check_write(user: Any, kind: str, region: str | None, payer: str | None = None) -> None:
    if not can_edit(user, kind, region, payer=payer):
        where = region or "nasional / national"
        raise CommitmentForbidden(f"Anda tidak berhak mengubah data ini di wilayah {where} / "
                                  f"you may not change this in region {where}")  # fmt: skip


# ---------------------------------------------------------------- kinds (model, region field, editable fields)


@dataclass(frozen=True)
class _Kind:
    name: str
    model: type[Tracked]
    region: str  # the region field (a foreign key to Region)
    fields: tuple[str, ...]  # what values may set
    villages_only: bool = False


KINDS: dict[str, _Kind] = {k.name: k for k in (
    _Kind("instrument", Instrument, "region", ("region", "kind", "number", "date", "title", "status", "groups",
                                               "payer", "note")),
    _Kind("budget", BudgetCommitment, "region", ("region", "year", "payer", "source", "allocated", "workers",
                                                 "scenario", "document_ref", "note")),
    _Kind("institution", VillageInstitution, "desa", ("desa", *institutions.POSITION_FIELDS, "source"), True),
    _Kind("unit", EcosystemUnit, "desa", ("kind", "name", "subtype", "desa", "manager", "workers", "note"), True),
    _Kind("partner", Partner, "region", ("region", "name", "kind", "unit", "agreement_kind", "agreement_number",
                                         "agreement_date", "valid_until", "note")),
    _Kind("meeting", Meeting, "region", ("region", "date", "title", "place", "organiser", "summary")),
    _Kind("action", FollowUpAction, "owner", ("meeting", "owner", "decision", "due_date", "status", "done_on",
                                              "note")),
)}  # fmt: skip
_RELATED = {"region", "desa", "owner", "meeting", "scenario", "unit"}
_DATES = {"date", "agreement_date", "valid_until", "due_date", "done_on"}


def _code_of(kind: _Kind, obj: Any) -> str | None:
    code: str | None = getattr(obj, f"{kind.region}_id")
    return code


def _visible_q(kind: _Kind, scope: Scope) -> Q:
    q = scope.region_q(f"{kind.region}_id", villages_only=kind.villages_only)
    if kind.name == "instrument":  # national rows and those of the regions above the user's apply to them too
        q |= Q(region__isnull=True) | Q(region_id__in=_ancestors(scope.regions))
    elif kind.name == "meeting":  # a meeting above the user's regions that gave them an action (read only)
        q |= _concerning(_ancestors(scope.regions), scope.region_q("owner_id"))
    return q


def _concerning(regions: list[str], owners: Q) -> Q:
    """Meetings held by ``regions`` with a follow-up action whose owner matches ``owners``."""
    if not regions:
        return Q(pk__in=[])
    return Q(region_id__in=regions, pk__in=FollowUpAction.objects.filter(owners).values("meeting_id"))


def _ancestors(codes: tuple[str, ...]) -> list[str]:
    """The ancestors of any of ``codes`` (not the codes themselves)."""
    return sorted({a for code in codes for a in lineage(code)[:-1]})


def _visible(kind: _Kind, user: Any, region: str | None = None) -> QuerySet[Any]:
    qs = kind.model.objects.filter(_visible_q(kind, _scope(user)))  # type: ignore[attr-defined]
    if region:
        code = _region_code(region)
        within = in_region(f"{kind.region}_id", code, villages_only=kind.villages_only)
        if kind.name == "instrument":  # a region's page lists what applies there: its own, above it, national
            within |= Q(region__isnull=True) | Q(region_id__in=_ancestors((code,)))
        elif kind.name == "meeting":  # and the meetings above it that gave it an action
            within |= _concerning(_ancestors((code,)), in_region("owner_id", code))
        qs = qs.filter(within)
    return qs


def _get(kind: _Kind, user: Any, pk: Any, *, lock: bool = False) -> Any:
    qs = kind.model.objects.filter(_visible_q(kind, _scope(user)))  # type: ignore[attr-defined]
    if lock:
        qs = qs.select_for_update()
    lookup = {f"{kind.region}_id": pk} if kind.name == "institution" else {"pk": pk}
    try:
        return qs.get(**lookup)
    except (kind.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _region_code(value: Any) -> str:
    code = normalize_code(str(value or ""))
    if code is None:
        raise CommitmentRefused(f"Kode wilayah tidak valid / malformed region code: {value}")
    return code


# ---------------------------------------------------------------- the generic change (one path for every kind)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _assign(kind: _Kind, obj: Any, values: Values) -> dict[str, list[Any]]:
    """Set ``values`` on ``obj`` (refusing unknown fields) and return the before/after of what changed."""
    unknown = sorted(set(values) - set(kind.fields))
    if unknown:
        raise CommitmentRefused(f"Kolom tidak dikenal / unknown fields: {', '.join(unknown)}")
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        attr = f"{name}_id" if name in _RELATED else name
        if name in ("region", "desa", "owner"):
            value = _region_code(value) if value not in (None, "") else None
        elif name in _RELATED:
            value = int(value) if value not in (None, "") else None
        elif name in _DATES and isinstance(value, str):
            value = _date(value, name)
        elif name == "groups":
            value = _groups(value)
        elif value is None and isinstance(obj._meta.get_field(name), models.CharField):
            value = ""
        before = getattr(obj, attr)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(obj, attr, value)
    return changes


def _date(text: str, name: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommitmentRefused(f"{name}: tanggal tidak valid (YYYY-MM-DD) / not a date: {text}") from exc


def _groups(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    codes = sorted({str(v).strip() for v in items if str(v).strip()})
    unknown = [c for c in codes if c not in MandatedGroup.values]
    if unknown:
        raise CommitmentRefused(f"Kelompok tidak dikenal / unknown groups: {', '.join(unknown)} "
                                f"({', '.join(MandatedGroup.values)})")  # fmt: skip
    return codes


#: Domain rules per kind (``kind name → check(obj, code, level, kelurahan) → problems``), registered by the concept
#: modules; :func:`_validate` runs the one of the row's kind after the model's own checks.
CHECKS: dict[str, Callable[[Any, str | None, int | None, bool], list[str]]] = {}


def _validate(kind: _Kind, obj: Any) -> None:
    """The model's own checks (choices, lengths, uniqueness, related rows) and the domain rules."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        parts = [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.message_dict.items()]
        raise CommitmentRefused("; ".join(parts)) from exc
    code = _code_of(kind, obj)
    level = level_of(code) if code else None
    kelurahan = bool(code) and institutions.is_kelurahan(code or "")
    problems: list[str] = []
    if code and not Region.objects.filter(code=code).exists():
        problems.append(f"Kode wilayah tidak dikenal / unknown region code: {code}")
    elif kind.villages_only and level != 4:
        problems.append(f"{code}: harus kode desa/kelurahan / must be a village code")
    elif kind.name in CHECKS:
        problems += CHECKS[kind.name](obj, code, level, kelurahan)
    if problems:
        raise CommitmentRefused("; ".join(problems))


def _payer(kind: _Kind, obj: Any) -> str | None:
    return obj.payer if kind.name == "budget" else None


@transaction.atomic
def _create(kind: _Kind, user: Any, values: Values, request: HttpRequest | None, **extra: Any) -> Any:
    obj = kind.model(**extra)
    changes = _assign(kind, obj, values)
    _check_write(user, kind.name, _code_of(kind, obj), _payer(kind, obj))
    _validate(kind, obj)
    obj.updated_by = _user(user)
    obj.save()
    _audit(f"commitments.{kind.name}.create", kind, obj, user, request, changes)
    return obj


@transaction.atomic
def _update(kind: _Kind, user: Any, pk: Any, values: Values, request: HttpRequest | None) -> Any:
    obj = _get(kind, user, pk, lock=True)
    _check_write(user, kind.name, _code_of(kind, obj), _payer(kind, obj))  # allowed where it is now...
    changes = _assign(kind, obj, values)
    _check_write(user, kind.name, _code_of(kind, obj), _payer(kind, obj))  # ...and where it goes
    _validate(kind, obj)
    if changes:
        obj.updated_by = _user(user)
        obj.synthetic = False  # a person edited it: no longer demo data
        obj.save()
        _audit(f"commitments.{kind.name}.update", kind, obj, user, request, changes)
    return obj


@transaction.atomic
def _delete(kind: _Kind, user: Any, pk: Any, request: HttpRequest | None, *, obj: Any = None,
            more: dict[str, list[Any]] | None = None) -> Any:  # fmt: skip
    """Delete one row (``obj``, already locked, or the one of ``pk``); the audit event keeps every field of the row
    as it was (``[before, None]``), so the trail alone says what was removed."""
    if obj is None:
        obj = _get(kind, user, pk, lock=True)
    _check_write(user, kind.name, _code_of(kind, obj), _payer(kind, obj))
    _audit(f"commitments.{kind.name}.delete", kind, obj, user, request, {**_snapshot(obj), **(more or {})})
    obj.delete()
    return obj


def _children_to_change(user: Any, kind: _Kind, children: Any) -> list[Any]:
    """The rows of ``children`` (a queryset of ``kind``) locked, in order, each checked writable by ``user``: a row
    that takes them along when it goes is refused before anything changes if any of them may not change."""
    rows = list(children.select_for_update().order_by("pk"))
    for row in rows:
        _check_write(user, kind.name, _code_of(kind, row), _payer(kind, row))
    return rows


def _snapshot(obj: Any) -> dict[str, list[Any]]:
    """Every stored field of ``obj`` (but the bookkeeping of who changed it last) as ``{name: [value, None]}``."""
    skip = {"id", "updated_by", "updated_at"}
    return {f.name: [_plain(getattr(obj, f.attname)), None] for f in obj._meta.concrete_fields if f.name not in skip}


def _audit(action: str, kind: _Kind, obj: Any, user: Any, request: HttpRequest | None,
           changes: dict[str, list[Any]]) -> None:  # fmt: skip
    # Commitment rows hold no personal data (counts, titles, amounts), so before/after go into the trail as is.
    audit.record(action, actor=user, request=request, object_type=kind.name, object_id=obj.pk,
                 region_code=_code_of(kind, obj) or "", summary=str(obj), changes=changes)  # fmt: skip


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _require_visible(user_or_scope: Any, region: str) -> str:
    code = _region_code(region)
    if not _scope(user_or_scope).covers(code) or not Region.objects.filter(code=code).exists():
        raise Http404
    return code


def _as_of(year: int | None = None) -> dt.date:
    """The day a year's figures describe: today for the current year, 31 December for a past one."""
    today = timezone.localdate()
    return today if year is None or year >= today.year else dt.date(year, 12, 31)


def thresholds() -> rule.Thresholds:
    """The scorecard thresholds: the defaults of :class:`ucj.commitments.scorecard.Thresholds`, overridden by the
    ``UCJ_SCORECARD`` setting (a dict) when present."""
    return rule.Thresholds.from_mapping(getattr(settings, "UCJ_SCORECARD", None))
