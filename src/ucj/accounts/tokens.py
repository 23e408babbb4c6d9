"""API tokens: checking a bearer token, listing and revoking a user's tokens (the CLI, the API auth, the admin).

A token is refused once revoked or expired (``UCJ_TOKEN_DAYS`` after it was issued). Its last-use time is
written at most once a minute (:data:`LAST_USE_EVERY`) and never waits for the database: a busy SQLite (a long
import holds the write lock) must not turn token requests into errors.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.models import ApiToken
from ucj.dbbusy import no_wait

LAST_USE_EVERY = dt.timedelta(minutes=1)
log = logging.getLogger(__name__)


def authenticate(token: str) -> Any:
    """The active user of a valid, unrevoked, unexpired token, or None."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), digest=ApiToken.hash(token), revoked=False)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
        _stamp(row.pk, now)
    return row.user


def _stamp(pk: int, now: dt.datetime) -> None:
    """Best effort: when the database is busy the stamp waits for the next request a minute later."""
    try:
        with no_wait(), transaction.atomic():  # a savepoint inside a caller's transaction: a failure stays here
            ApiToken.objects.filter(pk=pk).update(last_used_at=now)
    except DatabaseError as exc:
        log.info("token last-use not recorded (%s)", type(exc).__name__)


def list_tokens(user: Any) -> list[dict[str, Any]]:
    """A user's tokens, newest first: name, prefix, state and dates — never the token or its digest."""
    now = timezone.now()
    return [
        {"id": t.pk, "name": t.name, "prefix": t.prefix, "state": t.state(now), "created_at": t.created_at,
         "last_used_at": t.last_used_at, "expires_at": t.expires_at}
        for t in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
    ]  # fmt: skip


@transaction.atomic
def revoke_all(user: Any, *, actor: Any = None) -> int:
    """Revoke every unrevoked token of ``user``; audited. Returns how many were revoked."""
    count = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    audit.record("token_revoked", actor=actor, object_type="user", object_id=user.pk,
                 summary=f"{count} token dicabut / revoked ({user.username})")  # fmt: skip
    return count
