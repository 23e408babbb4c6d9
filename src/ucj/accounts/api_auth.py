"""API authentication: the browser session (with CSRF) or ``Authorization: Bearer TOKEN`` for scripts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer, SessionAuth

from ucj.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token), revoked=False).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


session_auth: APIKeyCookie = SessionAuth(csrf=True)
API_AUTH = [BearerToken(), session_auth]
