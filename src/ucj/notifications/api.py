"""REST endpoints of the bell: the caller's own notifications and marking them read (never anyone else's: another
user's notification is not found)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from ucj.notifications import services
from ucj.notifications.models import Notification

router = Router(tags=["pemberitahuan / notifications"])
MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str  # import or report
    message: str  # in the caller's language (Indonesian unless English is chosen)
    message_id: str  # Indonesian
    message_en: str  # English
    link: str  # a path on this site
    created_at: str
    read_at: str | None


class NotificationList(Schema):
    unread: int
    notifications: list[NotificationOut]


class Marked(Schema):
    marked: int


def out(note: Notification, language: str | None) -> dict[str, Any]:
    return {"id": note.pk, "kind": note.kind, "message": note.text(language), "message_id": note.message,
            "message_en": note.message_en, "link": note.link, "created_at": note.created_at.isoformat(),
            "read_at": note.read_at.isoformat() if note.read_at else None}  # fmt: skip


@router.get("/notifications", response=NotificationList)
def notification_list(request: HttpRequest, unread: bool = False, limit: int = 50) -> dict[str, Any]:
    """The caller's notifications, newest first (``unread=true``: only those not read yet; at most ``limit``,
    200 at most)."""
    mine = services.for_user(request.user)
    if unread:
        mine = mine.filter(read_at__isnull=True)
    language = get_language()
    notes = [out(n, language) for n in mine[: max(1, min(limit, MAX_LIMIT))]]
    return {"unread": services.unread_count(request.user), "notifications": notes}


@router.post("/notifications/read", response=Marked)
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    """Mark every notification of the caller read."""
    return {"marked": services.mark_read(request.user)}


@router.post("/notifications/{notification_id}/read", response=Marked)
def mark_one_read(request: HttpRequest, notification_id: int) -> dict[str, int]:
    """Mark one of the caller's notifications read (404 for another user's; 0 when it was read already)."""
    if not services.for_user(request.user).filter(pk=notification_id).exists():
        raise Http404
    return {"marked": services.mark_read(request.user, notification_id)}
