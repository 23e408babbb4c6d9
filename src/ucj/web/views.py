"""Home page: the coverage dashboard of the signed-in user's region, with what its registry holds right now."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ucj.accounts.scoping import scope_for, visible
from ucj.coverage.views import dashboard_context
from ucj.regions.models import Region
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.status import active_since


def home(request: HttpRequest) -> HttpResponse:
    """The coverage dashboard (``ucj.coverage.views``), then registry counts and the latest imports."""
    today = timezone.localdate()
    people = visible(Participant.objects.all(), request.user)
    batches = visible(ImportBatch.objects.select_related("user"), request.user, "region_id")
    scope = scope_for(request.user)
    totals = people.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(paid_through__gte=active_since(today, settings.UCJ_LAPSE_MONTHS))),
    )  # one scan for both numbers
    return render(
        request,
        "web/home.html",
        {
            **dashboard_context(request),
            "total": totals["total"],
            "active": totals["active"],
            "regions": Region.objects.filter(code__in=scope.regions),
            "batches": batches[:5],
            "today": today,
        },
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler: a locked or busy database (an import holds SQLite's write lock) is a 503 with
    ``Retry-After`` wherever it was raised (a session saved after the view, a middleware); anything else is
    Django's plain 500 page, never a traceback."""
    import sys

    from django.views.defaults import server_error as plain

    from ucj.dbbusy import busy_response, is_busy_error

    if is_busy_error(sys.exc_info()[1]):
        return busy_response(request)
    return plain(request)
