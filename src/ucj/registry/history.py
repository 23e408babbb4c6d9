"""A person's record over time (issue 16 item 4): who changed what and when, from which batch or form (the audit
trail and the batch that last wrote the record), the payments recorded for them, and their status month by month
as those payments make it (ucj.registry.status)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ucj.accounts.models import AuditEvent
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.status import is_active, month_start

#: Audit actions about one person that the page lists (views are not changes).
CHANGE_ACTIONS = ("participant_update", "participant.pay")
#: Months of the status strip.
STATUS_MONTHS = 12


@dataclass
class Change:
    """One line of the history: when, who, what (``kind``), the fields before/after, and its source."""

    at: dt.datetime
    who: str
    kind: str  # "registered", "batch", "form", "edit", "payment"
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    batch: ImportBatch | None = None
    row: int | None = None
    summary: str = ""


def changes_of(p: Participant) -> list[Change]:
    """The person's history, newest first: audited edits and payments, the batch (upload or one-worker form) that
    last wrote the record, and the registration."""
    out = [Change(p.created_at, "", "registered")]
    batch = p.source_batch
    if batch is not None:
        out.append(Change(batch.finished_at or batch.created_at, batch.user.username if batch.user else "",
                          "form" if batch.kind == "form" else "batch", batch=batch, row=p.source_row))  # fmt: skip
    events = AuditEvent.objects.filter(object_type="participant", object_id=p.public_hex, action__in=CHANGE_ACTIONS)
    for e in events.order_by("-at")[:200]:
        if e.action == "participant_update":
            fields = [(field_label(name), v.get("before"), v.get("after")) for name, v in sorted(e.changes.items())
                      if isinstance(v, dict)]  # fmt: skip
            out.append(Change(e.at, e.actor_name, "edit", fields=fields))
        else:
            out.append(Change(e.at, e.actor_name, "payment", summary=e.summary))
    return sorted(out, key=lambda c: c.at, reverse=True)


def field_label(name: str) -> str:
    """A participant field's label in the page's language (``desa_id`` → "desa/kelurahan"), else its name."""
    try:
        model_field = Participant._meta.get_field(name.removesuffix("_id"))
    except Exception:  # an audited name that is no longer a field: shown as recorded
        return name
    return str(getattr(model_field, "verbose_name", name))


def payments_of(p: Participant) -> list[dict[str, Any]]:
    """Payments recorded for the person: their own (``pay_participant``) and those of bills that list them, with
    the person's share of a bill (its line), newest first."""
    from ucj.contributions.models import BillLine, Payment

    lines = {line.bill_id: line for line in BillLine.objects.filter(participant=p)}
    rows = Payment.objects.filter(Q(participant=p) | Q(bill_id__in=list(lines))).select_related("recorded_by")
    return [
        {"paid_on": pay.paid_on, "paid_through": pay.paid_through, "reference": pay.reference,
         "bill_id": pay.bill_id, "who": pay.recorded_by.username if pay.recorded_by else "",
         "amount": lines[pay.bill_id].amount if pay.bill_id in lines else pay.amount}
        for pay in rows.order_by("-paid_on", "-pk")[:200]
    ]  # fmt: skip


def status_by_month(payments: list[dict[str, Any]], today: dt.date | None = None) -> list[dict[str, Any]]:
    """Active or not at the end of each of the last ``STATUS_MONTHS`` months, by the payments recorded up to
    then (active while fewer than ``UCJ_LAPSE_MONTHS`` months are unpaid: ucj.registry.status). A month with no
    payment recorded by then is "unknown", not "inactive": the roster may carry an earlier paid-through."""
    today = today or timezone.localdate()
    lapse = settings.UCJ_LAPSE_MONTHS
    out = []
    for back in range(STATUS_MONTHS - 1, -1, -1):
        end = month_start(today.year, today.month - back + 1) - dt.timedelta(days=1)  # the month's last day
        known = [p["paid_through"] for p in payments if p["paid_on"] <= end]
        state = "unknown" if not known else "aktif" if is_active(max(known), min(end, today), lapse) else "nonaktif"
        out.append({"month": end.replace(day=1), "state": state})  # ("unknown": no payment recorded by then)
    return out
