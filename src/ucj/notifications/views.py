"""The notification pages: the list (mark one or all read) and the bell the header refreshes."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from ucj.notifications import services

PAGE = 50


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's newest notifications; POST ``id`` marks one read (404 if it is not the user's unread one),
    POST without it marks all read."""
    if request.method == "POST":
        raw = request.POST.get("id", "")
        if raw:
            if not raw.isdigit() or not services.mark_read(request.user, int(raw)):
                raise Http404
        else:
            services.mark_read(request.user)
        return redirect("notifications:list")
    language = get_language()
    items = [(n, n.text(language)) for n in services.for_user(request.user)[:PAGE]]
    return render(request, "notifications/list.html",
                  {"items": items, "unread": services.unread_count(request.user)})  # fmt: skip


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell alone (htmx refreshes it every minute)."""
    return render(request, "notifications/_bell.html", {"unread": services.unread_count(request.user)})
