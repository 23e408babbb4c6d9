"""The enrolment pipeline's moves (issue 14 §4): by hand within :data:`ucj.targeting.rules.MANUAL` (audited), and by
the system — a collective file (submitted), BPJS files (registered/active), paid contributions (active). Every move
writes an :class:`~ucj.targeting.models.EnrolmentEvent`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Subquery
from django.http import Http404, HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.bulk import insert_frame, read_frame
from ucj.registry.models import Participant
from ucj.registry.status import active_since
from ucj.targeting import rules
from ucj.targeting.common import _CHUNK, PIPELINE_ROLES, TargetingRefused, TransitionRefused, _actor, _scope
from ucj.targeting.models import (
    Enrolment,
    EnrolmentEvent,
    Status,
)


def _apply_moves(moves: pl.DataFrame, via: str, user: Any, reason: str) -> None:
    """Move enrolments (``moves``: id, status, to, optional kpj) and write one event each, in bulk."""
    if moves.is_empty():
        return
    now = timezone.now()
    for (to,), part in moves.group_by(["to"]):
        ids = part["id"].to_list()
        for i in range(0, len(ids), _CHUNK):
            qs = Enrolment.objects.filter(pk__in=ids[i : i + _CHUNK])
            qs.update(status=to, status_at=now)
            if to == rules.ACTIVE_STAGE:
                qs.filter(active_at__isnull=True).update(active_at=now)
    if "kpj" in moves.columns:
        with_kpj = moves.filter(pl.col("kpj").fill_null("") != "").select("kpj", "id")
        table = connection.ops.quote_name(Enrolment._meta.db_table)
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET kpj = %s WHERE id = %s", with_kpj.rows())  # noqa: S608
    events = moves.select(
        pl.col("id").alias("enrolment_id"), pl.lit(getattr(_actor(user), "pk", None), dtype=pl.Int64).alias("actor_id"),
        pl.lit(getattr(user, "username", "") or "").alias("actor_name"), pl.lit(now).alias("at"),
        pl.col("status").alias("from_status"), pl.col("to").alias("to_status"), pl.lit(reason).alias("reason"),
        pl.lit(via).alias("via"),
    )  # fmt: skip
    with connection.cursor() as cur:
        insert_frame(cur, EnrolmentEvent._meta.db_table, events)


def transition(user: Any, enrolment: Enrolment, to: str, *, reason: str = "",
               request: HttpRequest | None = None) -> Enrolment:  # fmt: skip
    """Move one enrolment to ``to`` by hand (:data:`ucj.targeting.rules.MANUAL`): registered and active come only
    from BPJS files and paid contributions, submitted only from a collective registration file; declined,
    not found, moved and deceased need a reason. 404 outside the caller's regions, 403 for roles that only read;
    audited (never the NIK)."""
    scope = _scope(user)
    if not scope.covers(enrolment.desa_id):
        raise Http404
    if not scope.can(PIPELINE_ROLES, enrolment.desa_id):
        raise TargetingRefused("Anda tidak berhak mengubah status di desa ini / you may not change statuses here")
    reason = " ".join(reason.split())[:300]
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if to not in Status.values or not rules.allowed(current.status, to):
            raise TransitionRefused(
                f"Perubahan {current.status} → {to} tidak diizinkan; pilihan: "
                f"{', '.join(rules.next_statuses(current.status)) or '-'} / {current.status} → {to} is not allowed"
            )
        if to in rules.NEEDS_REASON and not reason:
            raise TransitionRefused("Alasan wajib diisi untuk status ini / a reason is required for this status")
        moves = pl.DataFrame({"id": [current.pk], "status": [current.status], "to": [to]})
        _apply_moves(moves, EnrolmentEvent.Via.MANUAL, user, reason)
        Enrolment.objects.filter(pk=current.pk).update(reason=reason)
        audit.record("targeting.transition", actor=_actor(user), request=request, object_type="enrolment",
                     object_id=current.pk, region_code=current.desa_id, summary=f"{current.status} → {to}",
                     changes={"status": [current.status, to], "reason": reason})  # fmt: skip
    enrolment.refresh_from_db()
    return enrolment


def sync_payments(desa_codes: Sequence[str]) -> int:
    """Registered enrolments whose registry participant (same NIK, in ``desa_codes``) is paid and active today
    (:mod:`ucj.registry.status`) become active — paid bills set "active", never a person. Returns how many."""
    since = active_since(timezone.localdate(), settings.UCJ_LAPSE_MONTHS)
    paid = Participant.objects.filter(desa_id__in=list(desa_codes), paid_through__gte=since).values("nik")
    qs = Enrolment.objects.filter(status__in=list(rules.PAYMENT_FROM), nik__in=Subquery(paid)).order_by()
    moves = read_frame(qs, {"id": pl.Int64, "status": pl.String}).with_columns(
        pl.lit(rules.ACTIVE_STAGE).alias("to"))  # fmt: skip
    if moves.is_empty():
        return 0
    with transaction.atomic():
        _apply_moves(moves, EnrolmentEvent.Via.PAYMENT, None, "")
    return moves.height
