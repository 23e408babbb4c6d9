"""REST endpoints for transfers and the NIK conflict queue (same services and scoping as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from ucj.accounts import audit
from ucj.accounts.privacy import mask_nik
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.registry.conflicts import DecisionRefused, conflicts_for, decide_conflict, side_by_side
from ucj.registry.models import ImportBatch, NikConflict, TransferRequest
from ucj.registry.transfers import TransferRefused, decide_transfer, request_transfer, transfers_for

router = Router(tags=["registry"])


class Problem(Schema):
    code: str
    message: str
    message_en: str


def _problem(code: str, err: Exception) -> dict[str, str]:
    text = str(err)
    indonesian, _, english = text.partition(" / ")
    return {"code": code, "message": indonesian, "message_en": english or indonesian}


class TransferOut(Schema):
    id: int
    nik: str  # masked
    name: str  # "" unless the person is now inside the caller's regions
    direction: Literal["incoming", "outgoing"]
    from_desa: str | None  # None on the requester's side (where the person is stays hidden)
    to_desa: str
    status: str
    batch_id: int | None
    row: int | None
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


def _transfer_out(t: TransferRequest, user: Any) -> TransferOut:
    scope = scope_for(user)
    incoming = scope.can(REGISTRY_WRITE_ROLES, t.from_desa_id)
    here = scope.can(REGISTRY_WRITE_ROLES, t.participant.desa_id)
    return TransferOut(
        id=t.pk, nik=mask_nik(t.participant.nik), name=t.participant.name if here else "",
        direction="incoming" if incoming else "outgoing", from_desa=t.from_desa_id if incoming else None,
        to_desa=t.to_desa_id, status=t.status, batch_id=t.batch_id, row=t.row, reason=t.reason,
        created_at=t.created_at, decided_at=t.decided_at,
    )  # fmt: skip


def _writer(request: HttpRequest) -> None:
    if not scope_for(request.user).can(REGISTRY_WRITE_ROLES):
        raise PermissionDenied


@router.get("/transfers", response=list[TransferOut])
def list_transfers(request: HttpRequest, status: str = "") -> list[TransferOut]:
    """Transfer requests into and out of the caller's regions (newest first, at most 500)."""
    _writer(request)
    qs = transfers_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_transfer_out(t, request.user) for t in qs[:500]]


class TransferIn(Schema):
    batch_id: int
    row: int
    reason: str = ""


@router.post("/transfers", response={201: TransferOut, 404: Problem, 409: Problem})
def post_transfer(request: HttpRequest, body: TransferIn) -> Any:
    """Request the person of a ``NIK_NOT_AVAILABLE`` row (batch, row) to move into that row's village."""
    _writer(request)
    batch = ImportBatch.objects.filter(pk=body.batch_id).first()
    if batch is None:
        raise Http404
    try:
        t = request_transfer(batch, body.row, actor=request.user, reason=body.reason, request=request)
    except TransferRefused as err:
        return Status(409, _problem("TRANSFER_NOT_POSSIBLE", err))
    return Status(201, _transfer_out(t, request.user))


class DecisionIn(Schema):
    decision: str
    note: str = ""


@router.post("/transfers/{transfer_id}/decision", response={200: TransferOut, 400: Problem, 409: Problem})
def post_transfer_decision(request: HttpRequest, transfer_id: int, body: DecisionIn) -> Any:
    """``approve`` or ``refuse`` an incoming request (write scope over the person's current village)."""
    t = transfers_for(request.user).filter(pk=transfer_id).first()
    if t is None or not scope_for(request.user).can(REGISTRY_WRITE_ROLES, t.participant.desa_id):
        raise Http404
    if body.decision not in ("approve", "refuse"):
        return Status(400, {"code": "DECISION_UNKNOWN", "message": "Keputusan: approve atau refuse",
                            "message_en": "decision: approve or refuse"})  # fmt: skip
    try:
        t = decide_transfer(t, body.decision == "approve", actor=request.user, note=body.note, request=request)
    except TransferRefused as err:
        return Status(409, _problem("TRANSFER_DECIDED", err))
    return Status(200, _transfer_out(t, request.user))


class ConflictOut(Schema):
    id: int
    nik: str
    participant: str  # opaque id
    status: str
    batch_id: int | None
    row: int | None
    fields: list[dict[str, Any]]  # field, stored, incoming, differs
    created_at: dt.datetime
    decided_at: dt.datetime | None


def _conflict_out(c: NikConflict, *, full: bool = False) -> ConflictOut:
    """One conflict; the full NIK only on the (audited) single-conflict read."""
    return ConflictOut(
        id=c.pk, nik=c.participant.nik if full else mask_nik(c.participant.nik), participant=c.participant.public_hex,
        status=c.status, batch_id=c.batch_id, row=c.row, created_at=c.created_at, decided_at=c.decided_at,
        fields=[{"field": f, "stored": s, "incoming": i, "differs": d} for f, s, i, d in side_by_side(c)],
    )  # fmt: skip


@router.get("/nik-conflicts", response=list[ConflictOut])
def list_conflicts(request: HttpRequest, status: str = "open") -> list[ConflictOut]:
    """NIK conflicts in the caller's write scope (default: open ones; at most 500)."""
    _writer(request)
    qs = conflicts_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_conflict_out(c) for c in qs[:500]]


@router.get("/nik-conflicts/{conflict_id}", response=ConflictOut)
def get_conflict(request: HttpRequest, conflict_id: int) -> ConflictOut:
    """One conflict, stored and incoming values side by side (personal data: the read is audited)."""
    c = conflicts_for(request.user).filter(pk=conflict_id).first()
    if c is None:
        raise Http404
    audit.record("nik_conflict_view", request=request, object_type="nik_conflict", object_id=c.pk,
                 region_code=c.participant.desa_id, summary="api")  # fmt: skip
    return _conflict_out(c, full=True)


@router.post("/nik-conflicts/{conflict_id}/decision", response={200: ConflictOut, 409: Problem})
def post_conflict_decision(request: HttpRequest, conflict_id: int, body: DecisionIn) -> Any:
    """``keep``, ``replace`` or ``reject`` an open conflict (audited)."""
    c = conflicts_for(request.user).filter(pk=conflict_id).first()
    if c is None:
        raise Http404
    try:
        c = decide_conflict(c, body.decision, actor=request.user, request=request)
    except DecisionRefused as err:
        return Status(409, _problem("DECISION_REFUSED", err))
    return Status(200, _conflict_out(conflicts_for(request.user).get(pk=c.pk)))
