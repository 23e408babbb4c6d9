"""API authentication: the browser session (with CSRF) or ``Authorization: Bearer TOKEN`` for scripts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer, SessionAuth

from ucj.accounts import tokens


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """The token's user (revoked, expired or unknown tokens: None, i.e. 401); see :mod:`ucj.accounts.tokens`."""
        user = tokens.authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


session_auth: APIKeyCookie = SessionAuth(csrf=True)
API_AUTH = [BearerToken(), session_auth]
