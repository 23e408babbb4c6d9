"""Commitment operations (issue 13): every state change is one named function here that pages, the API, the CLI
and the loaders call; each is scoped through :mod:`ucj.accounts.scoping` and audited through
:mod:`ucj.accounts.audit`. The rules are in the pure modules :mod:`ucj.commitments.scorecard` and
:mod:`ucj.commitments.institutions`.

Conventions for the ``values`` mappings: keys are the model's field names; regions are given by code
(``region``, ``desa``, ``owner``), related rows by id (``meeting``, ``scenario``, ``unit``); dates as
``datetime.date`` or ISO text. ``update_*`` takes only the fields to change.

Errors: :class:`CommitmentRefused` (bad input; message in Indonesian / English), :class:`CommitmentForbidden`
(the role may not make that change there: 403), ``Http404`` (the record lies outside the user's regions).
A ``user`` of ``None`` is the command line without ``--user``: it reaches everything (like the registry's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.models import Role
from ucj.accounts.scoping import Scope, scope_for
from ucj.bulk import read_frame
from ucj.commitments import filecheck, institutions
from ucj.commitments import scorecard as rule
from ucj.commitments.models import (
    ActionStatus,
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    InstrumentStatus,
    MandatedGroup,
    Meeting,
    Partner,
    Tracked,
    VillageInstitution,
)
from ucj.contributions.models import Payment
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since


class CommitmentRefused(ValueError):
    """A change that cannot be made; the message says why (Indonesian / English)."""


class CommitmentForbidden(CommitmentRefused):
    """The user's role may not make this change in that region (pages and API answer 403)."""


@dataclass(frozen=True)
class Document:
    """An uploaded instrument document: its bytes and the name it was uploaded under."""

    content: bytes
    name: str


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
EVERYWHERE = Scope(grants=(), everywhere=True)


def _scope(user_or_scope: Any) -> Scope:
    if isinstance(user_or_scope, Scope):
        return user_or_scope
    return EVERYWHERE if user_or_scope is None else scope_for(user_or_scope)


def _roles(kind: str, payer: str | None = None) -> frozenset[str]:
    return APBDES_ROLES if kind == "budget" and payer == "apbdes" else WRITE_ROLES[kind]


def can_edit(user: Any, kind: str, region: str | None, *, payer: str | None = None) -> bool:
    """Whether ``user`` may create/change rows of ``kind`` (``instrument``, ``budget``, ``institution``, ``unit``,
    ``partner``, ``meeting``, ``action``) in ``region`` (pages use it to show or hide the buttons). National
    instruments (``region`` None) are an administrator's."""
    scope = _scope(user)
    if region is None:
        return scope.everywhere if kind == "instrument" else scope.can(_roles(kind, payer))
    return scope.can(_roles(kind, payer), region)


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
    return q


def _ancestors(codes: tuple[str, ...]) -> list[str]:
    out: set[str] = set()
    for code in codes:
        parts = code.split(".")
        out |= {".".join(parts[:i]) for i in range(1, len(parts))}
    return sorted(out)


def _visible(kind: _Kind, user: Any, region: str | None = None) -> QuerySet[Any]:
    qs = kind.model.objects.filter(_visible_q(kind, _scope(user)))  # type: ignore[attr-defined]
    if region:
        code = _region_code(region)
        within = in_region(f"{kind.region}_id", code, villages_only=kind.villages_only)
        if kind.name == "instrument":  # a region's page lists what applies there: its own, above it, national
            within |= Q(region__isnull=True) | Q(region_id__in=_ancestors((code,)))
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


# ---------------------------------------------------------------- reads

def visible_instruments(user: Any, region: str | None = None) -> QuerySet[Instrument]:
    """Instruments the user sees (their regions, the regions above them, national rows); ``region``: those that
    apply there."""
    return _visible(KINDS["instrument"], user, region)


def visible_budgets(user: Any, region: str | None = None, year: int | None = None) -> QuerySet[BudgetCommitment]:
    qs = _visible(KINDS["budget"], user, region)
    return qs.filter(year=year) if year else qs


def visible_institutions(user: Any, region: str | None = None) -> QuerySet[VillageInstitution]:
    return _visible(KINDS["institution"], user, region)


def visible_units(user: Any, region: str | None = None, kind: str | None = None) -> QuerySet[EcosystemUnit]:
    qs = _visible(KINDS["unit"], user, region)
    return qs.filter(kind=kind) if kind else qs


def visible_partners(user: Any, region: str | None = None) -> QuerySet[Partner]:
    return _visible(KINDS["partner"], user, region)


def visible_meetings(user: Any, region: str | None = None) -> QuerySet[Meeting]:
    return _visible(KINDS["meeting"], user, region)


def visible_actions(user: Any, region: str | None = None, *, overdue_only: bool = False,
                    as_of: dt.date | None = None) -> QuerySet[FollowUpAction]:  # fmt: skip
    """Follow-up actions owned by the user's regions; ``overdue_only``: due before ``as_of`` (default today) and
    neither done nor cancelled (:func:`ucj.commitments.scorecard.is_overdue`)."""
    qs = _visible(KINDS["action"], user, region)
    if overdue_only:
        qs = qs.filter(_overdue_q(as_of or timezone.localdate()))
    return qs


def _overdue_q(as_of: dt.date) -> Q:
    return Q(due_date__lt=as_of) & ~Q(status__in=rule.DONE_STATUSES)


def get_instrument(user: Any, pk: int) -> Instrument:
    found: Instrument = _get(KINDS["instrument"], user, pk)
    return found


def get_budget(user: Any, pk: int) -> BudgetCommitment:
    found: BudgetCommitment = _get(KINDS["budget"], user, pk)
    return found


def get_institution(user: Any, desa: str) -> VillageInstitution:
    found: VillageInstitution = _get(KINDS["institution"], user, _region_code(desa))
    return found


def get_unit(user: Any, pk: int) -> EcosystemUnit:
    found: EcosystemUnit = _get(KINDS["unit"], user, pk)
    return found


def get_partner(user: Any, pk: int) -> Partner:
    found: Partner = _get(KINDS["partner"], user, pk)
    return found


def get_meeting(user: Any, pk: int) -> Meeting:
    found: Meeting = _get(KINDS["meeting"], user, pk)
    return found


def get_action(user: Any, pk: int) -> FollowUpAction:
    found: FollowUpAction = _get(KINDS["action"], user, pk)
    return found


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
    elif kind.name == "instrument":
        allowed = filecheck.INSTRUMENT_LEVELS.get(obj.kind)
        if code and allowed is not None and (level not in allowed or (obj.kind in ("perdes", "perkades")
                                                                      and kelurahan)):  # fmt: skip
            problems.append(f"{obj.kind} tidak dikeluarkan oleh wilayah {code} / not issued by region {code}")
    elif kind.name == "budget":
        want = filecheck.PAYER_LEVELS[obj.payer]
        if level != want:
            words = filecheck.LEVEL_WORDS[want]
            problems.append(f"{obj.payer}: wilayah harus {words[0]} / the region must be a {words[1]}")
        if obj.payer == "apbdes" and kelurahan:
            problems.append(f"{code} adalah kelurahan: tidak ada APBDes / a kelurahan has no APBDes")
        if obj.payer == "apbdes" and not obj.source:
            problems.append("APBDes: isi sumber (ADD, Dana Desa, PAD) / give the source")
        if obj.payer != "apbdes" and obj.source:
            problems.append("Sumber hanya untuk APBDes / a source is for APBDes only")
        if obj.allocated < 0:
            problems.append("Pagu tidak boleh negatif / the allocation cannot be negative")
    elif kind.name == "institution":
        if kelurahan and any(getattr(obj, r) for r in institutions.DESA_ONLY):
            problems.append(f"{code} adalah kelurahan: tidak ada kepala desa, perangkat desa atau BPD / a kelurahan "
                            "has no kepala desa, perangkat desa or BPD")  # fmt: skip
        if (obj.kepala_desa or 0) > 1:
            problems.append("Satu desa mempunyai satu kepala desa / a desa has one kepala desa")
    elif kind.name == "unit" and obj.subtype and obj.kind != "pasar":
        problems.append("Tipe tradisional/modern hanya untuk pasar / traditional/modern is for markets only")
    elif kind.name == "action" and obj.done_on and obj.status != ActionStatus.SELESAI:
        problems.append("Tanggal selesai hanya untuk status selesai / a done date is for done actions only")
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
def _delete(kind: _Kind, user: Any, pk: Any, request: HttpRequest | None) -> Any:
    obj = _get(kind, user, pk, lock=True)
    _check_write(user, kind.name, _code_of(kind, obj), _payer(kind, obj))
    _audit(f"commitments.{kind.name}.delete", kind, obj, user, request, {})
    obj.delete()
    return obj


def _audit(action: str, kind: _Kind, obj: Any, user: Any, request: HttpRequest | None,
           changes: dict[str, list[Any]]) -> None:  # fmt: skip
    # Commitment rows hold no personal data (counts, titles, amounts), so before/after go into the trail as is.
    audit.record(action, actor=user, request=request, object_type=kind.name, object_id=obj.pk,
                 region_code=_code_of(kind, obj) or "", summary=str(obj), changes=changes)  # fmt: skip


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# ---------------------------------------------------------------- instruments and their documents

def create_instrument(user: Any, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    with transaction.atomic():
        found: Instrument = _create(KINDS["instrument"], user, values, request)
        if document is not None:
            _attach(found, document, user, request)
    return found


def update_instrument(user: Any, pk: int, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    with transaction.atomic():
        found: Instrument = _update(KINDS["instrument"], user, pk, values, request)
        if document is not None:
            _attach(found, document, user, request)
    return found


def delete_instrument(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        gone: Instrument = _delete(KINDS["instrument"], user, pk, request)
        path = gone.document_path
        transaction.on_commit(lambda: _drop_file(path))


def remove_document(user: Any, pk: int, *, request: HttpRequest | None = None) -> Instrument:
    """Remove an instrument's document (the instrument stays)."""
    with transaction.atomic():
        found = _get(KINDS["instrument"], user, pk, lock=True)
        _check_write(user, "instrument", found.region_id)
        old = found.document_path
        if old:
            found.document_path, found.document_sha256, found.document_size, found.document_name = "", "", 0, ""
            found.updated_by = _user(user)
            found.save()
            _audit("commitments.instrument.document_remove", KINDS["instrument"], found, user, request,
                   {"document": [old, None]})  # fmt: skip
            transaction.on_commit(lambda: _drop_file(old))
    result: Instrument = found
    return result


def instrument_document(user: Any, pk: int) -> tuple[Path, str]:
    """The stored PDF of an instrument the user sees and the name to download it under (404 otherwise)."""
    found = get_instrument(user, pk)
    if not found.document_path:
        raise Http404
    path = _documents_dir() / Path(found.document_path).name
    if not path.is_file():
        raise Http404
    return path, found.document_name or f"{found.kind}-{found.pk}.pdf"


def max_document_bytes() -> int:
    """``UCJ_MAX_DOCUMENT_MB`` (default 20 MB): the largest instrument document accepted."""
    return int(settings.UCJ_MAX_DOCUMENT_MB) * 1024 * 1024


PDF_MAGIC = b"%PDF-"


def check_document(document: Document) -> None:
    """Refuse a document that is too large or not a PDF (by its first bytes, not its name)."""
    limit = max_document_bytes()
    if len(document.content) > limit:
        size = f"{len(document.content) / 2**20:.1f} MB > {limit / 2**20:.0f} MB"
        raise CommitmentRefused(f"Dokumen terlalu besar: {size} / the document is too large (UCJ_MAX_DOCUMENT_MB)")
    if not document.content.startswith(PDF_MAGIC):
        raise CommitmentRefused("Dokumen harus PDF / the document must be a PDF")


def _documents_dir() -> Path:
    path = Path(settings.DATA_DIR) / "commitments" / "documents"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    """The uploaded name without folders or control characters, ending in .pdf (kept for the download)."""
    base = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", os.path.basename(str(name or "").replace("\\", "/"))).strip(" .")
    base = base[:190] or "dokumen"
    return base if base.lower().endswith(".pdf") else base + ".pdf"


def _attach(found: Instrument, document: Document, user: Any, request: HttpRequest | None) -> None:
    """Store the PDF under ``UCJ_DATA_DIR/commitments/documents/<sha256>.pdf`` (0600, written once) and point the
    instrument at it; the previous file is removed after the commit when nothing else points at it."""
    check_document(document)
    digest = hashlib.sha256(document.content).hexdigest()
    target = _documents_dir() / f"{digest}.pdf"
    if not target.exists():
        partial = target.with_suffix(f".{os.getpid()}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(document.content)
        os.replace(partial, target)
    old = found.document_path
    found.document_path, found.document_sha256 = target.name, digest
    found.document_size, found.document_name = len(document.content), _safe_name(document.name)
    found.updated_by = _user(user)
    found.save()
    _audit("commitments.instrument.document", KINDS["instrument"], found, user, request,
           {"document": [old or None, target.name], "size": [None, found.document_size]})  # fmt: skip
    if old and old != target.name:
        transaction.on_commit(lambda: _drop_file(old))


def _drop_file(name: str) -> None:
    if name and not Instrument.objects.filter(document_path=name).exists():
        (_documents_dir() / Path(name).name).unlink(missing_ok=True)


# ---------------------------------------------------------------- the other kinds

def create_budget(user: Any, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    found: BudgetCommitment = _create(KINDS["budget"], user, values, request)
    return found


def update_budget(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    found: BudgetCommitment = _update(KINDS["budget"], user, pk, values, request)
    return found


def delete_budget(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["budget"], user, pk, request)


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


def create_unit(user: Any, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    found: EcosystemUnit = _create(KINDS["unit"], user, values, request)
    return found


def update_unit(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    found: EcosystemUnit = _update(KINDS["unit"], user, pk, values, request)
    return found


def delete_unit(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["unit"], user, pk, request)


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


def create_meeting(user: Any, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    found: Meeting = _create(KINDS["meeting"], user, values, request)
    return found


def update_meeting(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    found: Meeting = _update(KINDS["meeting"], user, pk, values, request)
    return found


def delete_meeting(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["meeting"], user, pk, request)


def create_action(user: Any, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    if values.get("meeting"):
        get_meeting(user, int(values["meeting"]))  # a meeting the user sees (404 otherwise)
    found: FollowUpAction = _create(KINDS["action"], user, values, request)
    return found


def update_action(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    if values.get("meeting"):
        get_meeting(user, int(values["meeting"]))
    found: FollowUpAction = _update(KINDS["action"], user, pk, values, request)
    return found


def delete_action(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    _delete(KINDS["action"], user, pk, request)


def set_action_status(user: Any, pk: int, status: str, *, done_on: dt.date | None = None, note: str | None = None,
                      request: HttpRequest | None = None) -> FollowUpAction:  # fmt: skip
    """Move a follow-up action to ``status``; ``selesai`` records the day it was done (default today)."""
    if status not in ActionStatus.values:
        raise CommitmentRefused(f"Status tidak dikenal / unknown status: {status} ({', '.join(ActionStatus.values)})")
    values: dict[str, Any] = {"status": status,
                              "done_on": (done_on or timezone.localdate()) if status == ActionStatus.SELESAI else None}
    if note is not None:
        values["note"] = note
    return update_action(user, pk, values, request=request)


# ---------------------------------------------------------------- realisation (computed, never typed)

#: The bill payer whose paid bills realise each budget payer's allocation. A bantuan keuangan is spent by the
#: kab/kota through its own APBD, so it is realised by the kab/kota's APBD bills (shared/domain.md §6).
BILL_PAYER = {"apbd_provinsi": "apbd_provinsi", "apbd_kabkota": "apbd_kabkota", "bantuan_keuangan": "apbd_kabkota",
              "apbdes": "apbdes"}  # fmt: skip


def _paid(region: str, year: int) -> pl.DataFrame:
    """Rupiah paid in ``year`` (payment date) per bill region and bill payer, for the bills of budget payers in
    ``region`` and below (every payment recorded against a bill, partial ones too): one grouped query."""
    qs = (Payment.objects.filter(bill__isnull=False, paid_on__year=year, bill__payer__in=set(BILL_PAYER.values()))
          .filter(in_region("bill__region_id", region)).order_by()
          .values("bill__region_id", "bill__payer").annotate(paid=Sum("amount")))  # fmt: skip
    rows = [(r["bill__region_id"], r["bill__payer"], int(r["paid"] or 0)) for r in qs]
    return pl.DataFrame(rows, schema={"region": pl.String, "bill_payer": pl.String, "realised": pl.Int64},
                        orient="row")  # fmt: skip


def realisation(region: str, year: int, payer: str) -> int:
    """Rupiah paid in ``year`` on the bills of budget payer ``payer`` in exactly ``region``: the sum of the
    payments recorded against its bills whose payment date falls in ``year`` — a bill paid at once is one payment of
    its total, one paid in parts (:func:`ucj.contributions.bills.pay_bill_lines`) one payment per part; budget
    realisation is on a cash basis (docs/commitments.md)."""
    code = _region_code(region)
    paid = Payment.objects.filter(bill__isnull=False, paid_on__year=year, bill__payer=BILL_PAYER[payer],
                                  bill__region_id=code).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    return int(paid or 0)


def _pools(region: str, year: int) -> pl.DataFrame:
    """Allocations per pool (bill region × bill payer) in ``region`` for ``year`` with their realisation: several
    commitment rows share one pool (an APBDes's ADD and PAD lines; a kab/kota's APBD and the province's bantuan
    keuangan), because a bill does not say which line paid it."""
    rows = list(BudgetCommitment.objects.filter(in_region("region_id", region), year=year)
                .values_list("region_id", "payer", "allocated", "workers"))  # fmt: skip
    commitments = pl.DataFrame(rows, schema={"region": pl.String, "payer": pl.String, "allocated": pl.Int64,
                                             "workers": pl.Int64}, orient="row")  # fmt: skip
    pools = (commitments.with_columns(pl.col("payer").replace_strict(BILL_PAYER, return_dtype=pl.String)
                                      .alias("bill_payer"))
             .group_by("region", "bill_payer")
             .agg(pl.col("allocated").sum(), pl.col("workers").sum(), pl.len().alias("lines")))  # fmt: skip
    return pools.join(_paid(region, year), on=["region", "bill_payer"], how="full", coalesce=True).with_columns(
        pl.col("allocated").fill_null(0), pl.col("workers").fill_null(0), pl.col("lines").fill_null(0),
        pl.col("realised").fill_null(0),
    )  # fmt: skip


def budget_rows(user: Any, region: str, year: int) -> list[dict[str, Any]]:
    """The budget commitments of ``region`` and below for ``year``, each with its pool's allocation and
    realisation (``realised`` on the row itself only when it is alone in its pool)."""
    code = _require_visible(user, region)
    pools = {(r["region"], r["bill_payer"]): r for r in _pools(code, year).iter_rows(named=True)}
    out = []
    for row in visible_budgets(user, code, year).order_by("region_id", "payer", "source"):
        pool = pools.get((row.region_id, BILL_PAYER[row.payer]), {})
        alone = pool.get("lines") == 1
        out.append({"id": row.pk, "region": row.region_id, "year": row.year, "payer": row.payer,
                    "source": row.source, "allocated": row.allocated, "workers": row.workers,
                    "scenario": row.scenario_id, "document_ref": row.document_ref, "note": row.note,
                    "synthetic": row.synthetic, "realised": pool.get("realised", 0) if alone else None,
                    "pool": {"bill_payer": BILL_PAYER[row.payer], "lines": pool.get("lines", 0),
                             "allocated": pool.get("allocated", 0), "realised": pool.get("realised", 0),
                             "absorption_pct": institutions.pct(pool.get("realised"), pool.get("allocated"))},
                    })  # fmt: skip
    return out


def _require_visible(user_or_scope: Any, region: str) -> str:
    code = _region_code(region)
    if not _scope(user_or_scope).covers(code) or not Region.objects.filter(code=code).exists():
        raise Http404
    return code


# ---------------------------------------------------------------- village institutions against the registry

def _as_of(year: int | None = None) -> dt.date:
    today = timezone.localdate()
    return today if year is None or year >= today.year else dt.date(year, 12, 31)


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


# ---------------------------------------------------------------- the scorecard

def default_year() -> int:
    """The year a scorecard opens on: that of the coverage dashboard's month (the latest month with data), so the
    registry's active people, the coverage rate and the budget year describe the same time (the demo's 2024)."""
    from ucj.coverage.services import latest_month

    return latest_month().year


def thresholds() -> rule.Thresholds:
    """The scorecard thresholds: the defaults of :class:`ucj.commitments.scorecard.Thresholds`, overridden by the
    ``UCJ_SCORECARD`` setting (a dict) when present."""
    return rule.Thresholds.from_mapping(getattr(settings, "UCJ_SCORECARD", None))


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
    return {"in_force": in_force_own > 0, "own_in_force": in_force_own, "own_draft": draft_own,
            "above_in_force": above, "national_in_force": national, "groups": sorted(groups), "instruments": own}


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


def scorecard(user_or_scope: Any | Scope, region: str, year: int, by: str | None = None) -> dict[str, Any]:
    """The scorecard of ``region`` for ``year`` (and of its children at level ``by``): issue 13 §8's JSON.

    ``{"region": entry, "children": [entry...], "year", "as_of", "rules"}``; each entry has ``code``, ``name``,
    ``institutions`` (per role positions/registered/active), ``villages``, ``regulation``, ``budget``,
    ``ecosystem_units``, ``coverage``, ``overdue_actions``, ``score``, ``scores``, ``status`` and
    ``status_reasons``. Children are ranked by score (best first). All figures come from a handful of grouped
    queries over the region, summed per level in Polars: none per village."""
    code = _require_visible(user_or_scope, region)
    own, child = _levels(code, by)
    today = timezone.localdate()
    as_of = _as_of(year)
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
    overdue_rows = list(FollowUpAction.objects.filter(in_region("owner_id", code), _overdue_q(today))
                        .values_list("owner_id", flat=True))  # fmt: skip
    overdue_frame = pl.DataFrame({"owner": overdue_rows}, schema={"owner": pl.String})
    overdue = {lv: _sum_by(overdue_frame, "owner", lv, [pl.len().alias("n")]) for lv in levels}
    instruments = _instrument_frame(code)
    coverage = _coverage(code, child, year)
    share = rule.elapsed_share(year, today)
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
