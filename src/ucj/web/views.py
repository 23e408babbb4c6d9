"""Home page: the coverage dashboard of the signed-in user's region, with what its registry holds right now."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ucj.accounts.scoping import scope_for, visible
from ucj.coverage.views import dashboard_context
from ucj.regions.models import Region
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.status import active_since
from ucj.web import regionpicker as picker


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


def _error_page(request: HttpRequest, status: int, heading: str, text: str) -> HttpResponse:
    """A branded error page in the user's language (``<html lang>`` from the active language) with a way back:
    the previous page when the browser says where it came from on this site, else the home page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": heading}, status=status)
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or back.endswith(request.path):
        back = ""
    context = {"status": status, "heading": heading, "text": text, "back": back}
    return render(request, "web/error.html", context, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the role may not take this action (ucj.accounts.scoping); never says more than that."""
    text = _("Peran Anda tidak mencakup tindakan ini. Jika Anda memerlukannya, hubungi admin wilayah Anda.")
    return _error_page(request, 403, _("Anda tidak berhak membuka halaman ini"), text)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the page does not exist or the record lies outside the user's regions (the two are not told apart,
    so a record's existence does not leak)."""
    return _error_page(request, 404, _("Halaman tidak ditemukan"),
                       _("Alamat ini tidak ada, atau datanya di luar wilayah Anda."))  # fmt: skip


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler: a locked or busy database (an import holds SQLite's write lock) is a 503 with
    ``Retry-After`` wherever it was raised (a session saved after the view, a middleware); anything else is
    a branded page in the user's language, never a traceback. The page is rendered without the request's
    context processors (they read the database, which may be what failed)."""
    import sys

    from django.views.defaults import server_error as plain

    from ucj.dbbusy import busy_response, is_busy_error

    if is_busy_error(sys.exc_info()[1]):
        return busy_response(request)
    try:
        body = loader.get_template("web/500.html").render({"home": reverse("home")})
    except Exception:  # the error page must never fail: Django's plain page then
        return plain(request)
    return HttpResponse(body, status=500)


def region_options(request: HttpRequest) -> JsonResponse:
    """``/wilayah/pilih/?parent=&q=&max_level=``: regions for the region picker, inside the user's scope
    (:mod:`ucj.web.regionpicker`). Region names and codes are public reference data; nothing personal."""
    raw = request.GET.get("max_level", "4")
    max_level = min(max(int(raw), 1), 4) if raw.isdigit() else 4
    rows = picker.region_options(scope_for(request.user), parent=request.GET.get("parent") or None,
                                 query=request.GET.get("q", "")[:60], max_level=max_level)  # fmt: skip
    return JsonResponse({"regions": rows})
