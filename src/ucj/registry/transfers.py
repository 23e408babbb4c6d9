"""Transfers: moving a participant into another village, decided by the village the person is in now.

A roster may create and update people only inside the uploader's write scope. A row whose NIK is registered
in a village outside it ends ``NIK_NOT_AVAILABLE`` and changes nothing; from that finding the uploader may
request a transfer (:func:`request_transfer`). A user with write scope over the person's *current* village
approves or refuses it (:func:`decide_transfer`); approval moves the person through
:func:`ucj.registry.services.update_participant`. Both villages get an audit entry with the old and the new
village. Until approval the requester sees nothing of the person: not the name, not where they are.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.registry.issues import NIK_NOT_AVAILABLE
from ucj.registry.models import ImportBatch, ImportIssue, Participant, TransferRequest


class TransferRefused(Exception):
    """The transfer cannot be requested or decided (bilingual message, never about the person)."""


_NOT_POSSIBLE = "Permintaan pindah tidak dapat dibuat untuk baris ini / a transfer cannot be requested for this row"


def request_transfer(
    batch: ImportBatch, row: int, *, actor: Any, reason: str = "", request: Any = None
) -> TransferRequest:
    """Ask for the person of ``row`` (a ``NIK_NOT_AVAILABLE`` finding of ``batch``) to move into the village
    that row named. Only the uploader of the batch, or a user with write scope over that village, may ask.
    Refusals say the same whatever the reason, so the answer tells nothing about the person."""
    issue = ImportIssue.objects.filter(batch=batch, row=row, code=NIK_NOT_AVAILABLE).first()
    scope = scope_for(actor)
    if issue is None or not issue.extra or not scope.can(REGISTRY_WRITE_ROLES, issue.extra):
        raise TransferRefused(_NOT_POSSIBLE)
    to_desa = issue.extra
    with transaction.atomic():
        person = Participant.objects.filter(nik=issue.value).first()
        if person is None or person.desa_id == to_desa or scope.can(REGISTRY_WRITE_ROLES, person.desa_id):
            # Gone, already here, or now inside the requester's regions: a re-import handles it.
            raise TransferRefused(_NOT_POSSIBLE)
        try:
            with transaction.atomic():
                transfer = TransferRequest.objects.create(
                    participant=person, from_desa_id=person.desa_id, to_desa_id=to_desa, batch=batch, row=row,
                    requested_by=actor, reason=reason[:500],
                )  # fmt: skip
        except IntegrityError:  # one pending request per person and village: return the open one
            transfer = TransferRequest.objects.get(
                participant=person, to_desa_id=to_desa, status=TransferRequest.Status.PENDING
            )
            return transfer
        for side, code in (("to", to_desa), ("from", person.desa_id)):
            audit.record(
                "transfer_request", actor=actor, request=request, object_type="transfer", object_id=transfer.pk,
                region_code=code, summary=f"{side}: batch {batch.pk} row {row}",
                changes={"desa_id": {"before": person.desa_id, "after": to_desa}} if side == "from" else {},
            )  # fmt: skip
    return transfer


def transfers_for(user: Any) -> QuerySet[TransferRequest]:
    """Requests the user may list: incoming ones (the person's current village lies in the user's write
    scope) and outgoing ones (the destination does, or the user asked)."""
    scope = scope_for(user)
    incoming = scope.region_q("from_desa_id", REGISTRY_WRITE_ROLES, villages_only=True)
    outgoing = scope.region_q("to_desa_id", REGISTRY_WRITE_ROLES, villages_only=True)
    mine = Q(requested_by=user) if getattr(user, "pk", None) else Q(pk__in=[])
    return TransferRequest.objects.filter(incoming | outgoing | mine).select_related(
        "participant", "from_desa", "to_desa", "requested_by", "decided_by"
    )


def may_decide(user: Any, transfer: TransferRequest) -> bool:
    """Whether ``user`` decides ``transfer``: write scope over the person's current village."""
    return transfer.status == TransferRequest.Status.PENDING and scope_for(user).can(
        REGISTRY_WRITE_ROLES, transfer.participant.desa_id
    )


def decide_transfer(
    transfer: TransferRequest, approve: bool, *, actor: Any, note: str = "", request: Any = None
) -> TransferRequest:
    """Approve (the person moves to ``to_desa``) or refuse a pending request. The decider needs write scope over
    the person's current village; both villages get an audit entry with the old and the new village."""
    from ucj.registry.services import update_participant

    with transaction.atomic():
        locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
        person = Participant.objects.select_for_update().get(pk=locked.participant_id)
        if locked.status != TransferRequest.Status.PENDING:
            raise TransferRefused("Permintaan ini sudah diputuskan / this request has already been decided")
        if not scope_for(actor).can(REGISTRY_WRITE_ROLES, person.desa_id):
            raise TransferRefused("Anda tidak berhak memutuskan permintaan ini / you may not decide this request")
        old = person.desa_id
        if approve:
            update_participant(person, {"desa_id": locked.to_desa_id}, actor=actor, request=request)
            locked.status = TransferRequest.Status.APPROVED
            # Other open requests for the person were addressed to the village they just left: closed.
            TransferRequest.objects.filter(participant=person, status=TransferRequest.Status.PENDING).exclude(
                pk=locked.pk
            ).update(status=TransferRequest.Status.REFUSED, decided_by=actor, decided_at=timezone.now(),
                     decision_note=f"superseded: moved by request #{locked.pk}")  # fmt: skip
        else:
            locked.status = TransferRequest.Status.REFUSED
        locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        action = "transfer_approve" if approve else "transfer_refuse"
        change = {"desa_id": {"before": old, "after": locked.to_desa_id if approve else old}}
        for code in dict.fromkeys((old, locked.to_desa_id)):
            audit.record(
                action, actor=actor, request=request, object_type="transfer", object_id=locked.pk,
                region_code=code, summary=f"participant {person.public_hex}: {old} -> {locked.to_desa_id}",
                changes={**change, "requested": {"from": old, "to": locked.to_desa_id}},
            )  # fmt: skip
    return locked
