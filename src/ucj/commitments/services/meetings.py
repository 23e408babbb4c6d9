"""Coordination meetings and their follow-up actions (rencana tindak lanjut): owner region, due date, status;
overdue when the due date has passed and the action is neither done nor cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Field, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ucj.commitments.models import ActionStatus, FollowUpAction, Meeting
from ucj.commitments.services.base import (
    CHECKS,
    KINDS,
    CommitmentForbidden,
    CommitmentRefused,
    Values,
    _check_write,
    _children_to_change,
    _create,
    _delete,
    _get,
    _scope,
    _update,
    _visible,
)


def visible_meetings(user: Any, region: str | None = None) -> QuerySet[Meeting]:
    """Meetings held in the user's regions and those of the regions above them that gave one of their regions a
    follow-up action (read only: :func:`can_edit` says no); ``region``: those held there or concerning it."""
    return _visible(KINDS["meeting"], user, region)


def own_meetings(user: Any, region: str | None = None) -> QuerySet[Meeting]:
    """Meetings held in the user's regions (``region``: in that one): those an action may be given to."""
    return visible_meetings(user, region).filter(_scope(user).region_q("region_id"))


def visible_actions(user: Any, region: str | None = None, *, overdue_only: bool = False,
                    as_of: dt.date | None = None) -> QuerySet[FollowUpAction]:  # fmt: skip
    """Follow-up actions owned by the user's regions; ``overdue_only``: due before ``as_of`` (default today) and
    neither done nor cancelled (:func:`ucj.commitments.scorecard.is_overdue`)."""
    qs = _visible(KINDS["action"], user, region)
    if overdue_only:
        qs = qs.filter(_overdue_q(as_of or timezone.localdate()))
    return qs


def _overdue_q(as_of: dt.date) -> Q:
    """Actions that were late on ``as_of``: due before it and not done by then — neither cancelled (the day of a
    cancellation is not kept, so a cancelled action is never counted) nor done on or before that day (an action
    done later was still late then; one marked done without a day counts as done)."""
    done = Q(status=ActionStatus.SELESAI) & (Q(done_on__isnull=True) | Q(done_on__lte=as_of))
    return Q(due_date__lt=as_of) & ~Q(status=ActionStatus.BATAL) & ~done


def get_meeting(user: Any, pk: int) -> Meeting:
    found: Meeting = _get(KINDS["meeting"], user, pk)
    return found


def get_action(user: Any, pk: int) -> FollowUpAction:
    found: FollowUpAction = _get(KINDS["action"], user, pk)
    return found


def _check(obj: Any, code: str | None, level: int | None, kelurahan: bool) -> list[str]:
    if obj.done_on and obj.status != ActionStatus.SELESAI:
        return ["Tanggal selesai hanya untuk status selesai / a done date is for done actions only"]
    return []


CHECKS["action"] = _check


def create_meeting(user: Any, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    found: Meeting = _create(KINDS["meeting"], user, values, request)
    return found


def update_meeting(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    found: Meeting = _update(KINDS["meeting"], user, pk, values, request)
    return found


@transaction.atomic
def delete_meeting(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    """Delete a meeting with its follow-up actions, each audited; refused when the user may not change one of them
    (an action another office gave a region outside the user's)."""
    meeting = _get(KINDS["meeting"], user, pk, lock=True)
    _check_write(user, "meeting", meeting.region_id)
    actions = _children_to_change(user, KINDS["action"], FollowUpAction.objects.filter(meeting=meeting))
    for action in actions:
        _delete(KINDS["action"], user, action.pk, request, obj=action)
    _delete(KINDS["meeting"], user, pk, request, obj=meeting, more={"actions": [len(actions), 0]})


def _check_meeting(user: Any, values: Values) -> None:
    """An action is given to a meeting the user sees (404 otherwise) and may change (a meeting of a region above
    theirs is read only: 403)."""
    if values.get("meeting"):
        meeting = get_meeting(user, int(values["meeting"]))
        _check_write(user, "meeting", meeting.region_id)


def create_action(user: Any, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    _check_meeting(user, values)
    found: FollowUpAction = _create(KINDS["action"], user, values, request)
    return found


#: What the owner of an action given by a meeting of a region above theirs reports; the rest is that meeting's.
PROGRESS_FIELDS = frozenset({"status", "done_on", "note"})


def update_action(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    """Change an action. Its owner may change only its progress (:data:`PROGRESS_FIELDS`) when a meeting of a region
    above theirs decided it (403 otherwise): the decision and its due date are that meeting's."""
    action = get_action(user, pk)
    if values.get("meeting") and int(values["meeting"]) != action.meeting_id:
        _check_meeting(user, values)
    if not may_change_decision(user, action):
        _check_progress_only(action, values)
    found: FollowUpAction = _update(KINDS["action"], user, pk, values, request)
    return found


def delete_action(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    """Remove an action; one a meeting of a region above the user's decided is that region's to remove (403)."""
    action = get_action(user, pk)
    if not may_change_decision(user, action):
        _check_write(user, "meeting", action.meeting.region_id if action.meeting else None)
    _delete(KINDS["action"], user, pk, request)


def may_change_decision(user: Any, action: FollowUpAction) -> bool:
    """Whether ``user`` may change what the action's meeting decided (its decision, owner, due date, meeting)."""
    if action.meeting_id is None:
        return True
    try:
        _check_write(user, "meeting", Meeting.objects.values_list("region_id", flat=True).get(pk=action.meeting_id))
    except CommitmentForbidden:
        return False
    return True


def _check_progress_only(action: FollowUpAction, values: Values) -> None:
    """403 when ``values`` change anything of ``action`` but its progress (a form sends every field unchanged)."""
    for name, value in values.items():
        if name in PROGRESS_FIELDS:
            continue
        field = FollowUpAction._meta.get_field(name)
        assert isinstance(field, Field)  # the action's own columns only (KINDS["action"].fields)
        stored = getattr(action, field.attname)
        if field.is_relation:
            same = str(getattr(value, "pk", value) or "") == str(stored or "")
        else:
            same = field.to_python(value if value != "" else None) == stored
        if not same:
            where = action.meeting.region_id if action.meeting else ""
            raise CommitmentForbidden(f"Keputusan dan tenggat ini milik rapat wilayah {where}; Anda dapat mengubah "
                                      f"status dan catatannya / this decision and its due date belong to the "
                                      f"meeting of region {where}; you may change its status and note")  # fmt: skip


def set_action_status(user: Any, pk: int, status: str, *, done_on: dt.date | None = None, note: str | None = None,
                      request: HttpRequest | None = None) -> FollowUpAction:  # fmt: skip
    """Move a follow-up action to ``status``; ``selesai`` records the day it was done (default today)."""
    if status not in ActionStatus.values:
        raise CommitmentRefused(f"Status tidak dikenal / unknown status: {status} ({', '.join(ActionStatus.values)})")
    values: dict[str, Any] = {
        "status": status,
        "done_on": (done_on or timezone.localdate()) if status == ActionStatus.SELESAI else None,
    }
    if note is not None:
        values["note"] = note
    return update_action(user, pk, values, request=request)
