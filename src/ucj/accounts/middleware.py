"""Authentication on every page: Django's LoginRequiredMiddleware, except the API (token or session auth is
enforced there by django-ninja, answering 401 instead of redirecting) and static files."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _Base
from django.http import HttpRequest, HttpResponseBase


class LoginRequiredMiddleware(_Base):
    exempt_prefixes = ("/api/", "/static/")

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
