"""The REST API: ``/api/v1/`` with OpenAPI docs at ``/api/v1/docs``; every endpoint needs authentication."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.openapi import docs as ninja_docs

from ucj import __version__
from ucj.accounts.api_auth import API_AUTH
from ucj.commitments.api import router as commitments_router
from ucj.contributions.api import router as contributions_router
from ucj.contributions.bills_api import router as bills_router
from ucj.coverage.api import router as coverage_router
from ucj.dbbusy import MESSAGE, is_busy_error, retry_after
from ucj.favourites.api import router as favourites_router
from ucj.notifications.api import router as notifications_router
from ucj.planning.api import router as planning_router
from ucj.registry.api import router as registry_router
from ucj.registry.trust_api import router as trust_router
from ucj.reports.api import router as reports_router
from ucj.targeting.api import router as targeting_router


class LocalSwagger(Swagger):
    """The Swagger page from django-ninja's bundled template and static files, never its CDN page (the app is
    installed under its label by :mod:`ucj.web.ninja_assets`, which django-ninja's own check does not see)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api,
                   "add_csrf": ninja_docs._csrf_needed(api)}  # fmt: skip
        return render(request, self.template, context)


api = NinjaAPI(
    title="UCJ API",
    version=__version__,
    description="Universal Coverage Jamsostek — registry, contributions, coverage, budget planning. "
    "Session or Bearer token.",
    auth=API_AUTH,
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_decorator=login_required,  # the docs and schema are served locally (no CDN) and only to users
)
# Before the registry router: its GET /imports/{batch_id} would otherwise capture /imports/feed.
api.add_router("/", coverage_router)
api.add_router("/", registry_router)
api.add_router("/", contributions_router)
api.add_router("/", bills_router)
api.add_router("/", planning_router)
api.add_router("/", trust_router)
api.add_router("/", commitments_router)
api.add_router("/", targeting_router)
api.add_router("/", reports_router)
api.add_router("/", notifications_router)
api.add_router("/", favourites_router)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Tidak ditemukan / not found"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Tidak diizinkan / forbidden"}, status=403)


@api.exception_handler(DatabaseError)
def _database_busy(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A locked or busy database (an import holds SQLite's write lock): 503 with Retry-After, not 500."""
    if not is_busy_error(exc):
        raise exc
    response = api.create_response(request, {"detail": MESSAGE}, status=503)
    response["Retry-After"] = str(retry_after())
    return response
