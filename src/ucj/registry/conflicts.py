"""The NIK conflict review queue: a roster row whose NIK is registered to another person.

The import never overwrites such a record (:mod:`ucj.registry.store` classifies the row as ``conflict``); it
opens a :class:`~ucj.registry.models.NikConflict` with the row's values. A user with write scope over the
participant's village compares stored and incoming values and decides, through :func:`decide_conflict`:

* ``keep``: the stored record stays as it is;
* ``replace``: the incoming values are written through :func:`ucj.registry.services.update_participant`
  (audited with before/after);
* ``reject``: the row is discarded (e.g. a typo in the NIK; the uploader corrects and re-imports it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.registry.models import ImportBatch, NikConflict, Participant
from ucj.registry.store import CONFLICT, DATA_COLUMNS, written_frame

DECISIONS = {"keep": NikConflict.Status.KEPT, "replace": NikConflict.Status.REPLACED,
             "reject": NikConflict.Status.REJECTED}  # fmt: skip
#: Incoming fields shown side by side with the stored ones, in this order.
COMPARED = ("name", "birth_date", "sex", "desa_id", "occupation", "phone", "address", "income", "segment")


class DecisionRefused(Exception):
    """The decision cannot be made (bilingual message)."""


def open_conflicts(batch: ImportBatch, ok: pl.DataFrame, written: pl.DataFrame) -> int:
    """Open one conflict per row the store classified as ``conflict`` (one bulk insert); returns how many."""
    hits = written.filter(pl.col("outcome") == CONFLICT).select("source_row", "participant_id")
    if hits.is_empty():
        return 0
    incoming = (
        written_frame(ok.filter(pl.col("_row").cast(pl.Int64).is_in(hits["source_row"].implode())))
        .with_columns(pl.col("source_row").cast(pl.Int64))
        .join(hits, on="source_row")
    )
    objs = []
    for row in incoming.iter_rows(named=True):  # conflicts are few; one INSERT for all of them
        values = {c: _json(row[c]) for c in DATA_COLUMNS if row.get(c) is not None}
        objs.append(NikConflict(participant_id=row["participant_id"], batch=batch, row=row["source_row"],
                                incoming=values))  # fmt: skip
    NikConflict.objects.bulk_create(objs)
    return len(objs)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def conflicts_for(user: Any) -> QuerySet[NikConflict]:
    """Conflicts the user may review: the participant's village lies in the user's *write* scope (viewers and
    users of other regions reach none; a foreign id answers 404)."""
    region = scope_for(user).region_q("participant__desa_id", REGISTRY_WRITE_ROLES, villages_only=True)
    return NikConflict.objects.filter(region).select_related("participant", "participant__desa", "batch")


def side_by_side(conflict: NikConflict) -> list[tuple[str, Any, Any, bool]]:
    """``(field, stored, incoming, differs)`` for the compared fields (incoming ``None`` = blank cell)."""
    p = conflict.participant
    rows = []
    for name in COMPARED:
        stored = _json(getattr(p, name))
        incoming = conflict.incoming.get(name)
        rows.append((name, stored, incoming, incoming is not None and incoming != stored))
    return rows


def decide_conflict(conflict: NikConflict, decision: str, *, actor: Any, request: Any = None) -> NikConflict:
    """Keep, replace or reject one open conflict (``decision`` = ``keep``/``replace``/``reject``), audited in
    the participant's region. Raises :class:`DecisionRefused` when it is already decided, the actor lacks write
    scope over the participant (or, to replace, over the incoming village)."""
    from ucj.registry.services import AUDITED_FIELDS, update_participant

    if decision not in DECISIONS:
        raise DecisionRefused("Keputusan tidak dikenal / unknown decision")
    scope = scope_for(actor)
    with transaction.atomic():
        locked = NikConflict.objects.select_for_update().get(pk=conflict.pk)
        participant = Participant.objects.select_for_update().get(pk=locked.participant_id)
        if locked.status != NikConflict.Status.OPEN:
            raise DecisionRefused("Konflik ini sudah diputuskan / this conflict has already been decided")
        if not scope.can(REGISTRY_WRITE_ROLES, participant.desa_id):
            raise DecisionRefused("Anda tidak berhak memutuskan konflik ini / you may not decide this conflict")
        before_desa = participant.desa_id
        if decision == "replace":
            changes = _field_values(locked.incoming, AUDITED_FIELDS)
            target = changes.get("desa_id", participant.desa_id)
            if not scope.can(REGISTRY_WRITE_ROLES, target):
                raise DecisionRefused(
                    "Desa pada baris baru di luar wilayah Anda / the incoming village lies outside your regions"
                )
            update_participant(participant, changes, actor=actor, request=request)
        locked.status, locked.decided_by, locked.decided_at = DECISIONS[decision], actor, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            f"nik_conflict_{decision}", actor=actor, request=request, object_type="nik_conflict",
            object_id=locked.pk, region_code=before_desa,
            summary=f"participant {participant.public_hex}, batch {locked.batch_id} row {locked.row}",
        )  # fmt: skip
    return locked


def _field_values(incoming: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The incoming JSON values as model values (dates from ISO text), for the editable fields only."""
    out: dict[str, Any] = {}
    for name, value in incoming.items():
        if name not in allowed or value is None:
            continue
        field = Participant._meta.get_field(name)
        out[name] = field.to_python(value)  # type: ignore[union-attr]
    return out
