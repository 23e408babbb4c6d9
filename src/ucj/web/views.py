"""Home page: what the signed-in user's region holds right now."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ucj.accounts.scoping import scope_for, visible
from ucj.regions.models import Region
from ucj.registry.models import ImportBatch, Participant


def home(request: HttpRequest) -> HttpResponse:
    """Headline counts for the user's regions and the latest imports."""
    today = timezone.localdate()
    people = visible(Participant.objects.all(), request.user)
    batches = visible(ImportBatch.objects.select_related("user"), request.user, "region_id")
    scope = scope_for(request.user)
    return render(
        request,
        "web/home.html",
        {
            "total": people.count(),
            "active": people.active_on(today).count(),
            "regions": Region.objects.filter(code__in=scope.regions),
            "batches": batches[:5],
            "today": today,
        },
    )
