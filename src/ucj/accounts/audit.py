"""Writing the audit trail: one named function every page, API call, CLI command and job uses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ucj.accounts.clientip import client_ip
from ucj.accounts.models import AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the forwarded address behind a trusted proxy (UCJ_TRUSTED_PROXIES)."""
    if request is None:
        return None
    return client_ip(request)


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: object = "",
    region_code: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``summary`` and ``changes`` must not contain a full NIK (mask it first)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        region_code=region_code or "",
        address=client_address(request),
        summary=summary[:300],
        changes=changes or {},
    )
