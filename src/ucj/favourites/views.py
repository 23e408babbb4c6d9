"""The favourites pages: the list (with removal) and saving the view the user is on."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.bilingual import in_language
from ucj.favourites import services


@require_http_methods(["GET", "POST"])
def favourite_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's favourites. POST ``name`` and ``url``: keep the view, then go back to it."""
    if request.method == "POST":
        url = request.POST.get("url", "")
        try:
            favourite = services.save(request.user, request.POST.get("name", ""), url)
        except services.FavouriteRefused as err:
            messages.error(request, in_language(str(err), get_language()))
            back = url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/") else ""
            return redirect(back or "favourites:list")
        messages.success(request, _("Tampilan disimpan sebagai favorit “%(name)s”.") % {"name": favourite.name})
        return redirect(favourite.url)
    return render(request, "favourites/list.html", {"favourites": services.for_user(request.user)})


@require_POST
def favourite_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.remove(request.user, pk):
        raise Http404
    messages.success(request, _("Favorit dihapus."))
    return redirect("favourites:list")
