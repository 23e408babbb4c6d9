"""Registry pages: participant list, detail and edit; roster upload, progress, outcome and rejected rows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.policy import apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import (
    COVERAGE_WRITE_ROLES,
    FULL_NIK_ROLES,
    REGISTRY_WRITE_ROLES,
    Scope,
    get_visible_or_404,
    region_choices,
    scope_for,
    visible,
)
from ucj.regions.models import in_region
from ucj.registry.exports import rejected_rows_xlsx
from ucj.registry.findings import batch_row_names, shown_findings
from ucj.registry.forms import FilterForm, ParticipantForm, SearchForm
from ucj.registry.history import changes_of, payments_of, status_by_month
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.search import RATE_LIMITED, refusal_for, run_search, search_filter
from ucj.registry.services import AUDITED_FIELDS, update_participant
from ucj.registry.status import is_active
from ucj.web.paging import keyset_page

PAGE_SIZE = 50
SEARCH_KEY = "registry_search"


def participant_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = FilterForm(request.GET or None, regions=region_choices(scope))
    qs = visible(Participant.objects.all(), request.user).select_related("desa")
    if form.is_valid():
        data = form.cleaned_data
        if data["region"]:
            qs = qs.filter(in_region("desa_id", data["region"], villages_only=True))
        if data["segment"]:
            qs = qs.filter(segment=data["segment"])
        if data["ecosystem"]:
            qs = qs.filter(ecosystem=data["ecosystem"])
        today = timezone.localdate()
        if data["status"] == "aktif":
            qs = qs.active_on(today)
        elif data["status"] == "nonaktif":
            qs = qs.inactive_on(today)
    q = request.session.get(SEARCH_KEY, "")
    qs = search_filter(qs, request.user, q)  # a full 16-digit NIK or a name, only where the user sees in full
    refusal = refusal_for(request.user, q) if q else None
    page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE)
    rows = [_row_view(p, scope) for p in page.items]
    return render(
        request,
        "registry/list.html",
        {"form": form, "search": SearchForm(initial={"q": q}), "q": q, "page": page, "rows": rows,
         "can_import": scope.can(REGISTRY_WRITE_ROLES), "refusal": _(refusal.message) if refusal else "",
         "can_search": scope.can(FULL_NIK_ROLES)},
    )  # fmt: skip


@require_POST
def participant_search(request: HttpRequest) -> HttpResponse:
    """Keep the search term in the session (names and NIKs stay out of URLs and access logs). Each new term
    is rate-limited and audited (ucj.registry.search); over the limit: 429."""
    form = SearchForm(request.POST)
    term = form.data.get("q", "")[:100] if "clear" not in request.POST else ""
    if term.strip() and run_search(request, request.user, term, via="web") is RATE_LIMITED:
        request.session[SEARCH_KEY] = ""
        return render(request, "registry/search_limited.html",
                      {"message": RATE_LIMITED.message, "message_en": RATE_LIMITED.message_en}, status=429)  # fmt: skip
    request.session[SEARCH_KEY] = term
    # Carry over only the list's own non-personal filters: whatever else is posted stays out of the URL.
    posted = QueryDict(request.POST.get("filters", ""))
    query = urlencode([(k, v) for k in FilterForm.base_fields for v in posted.getlist(k)[:1] if v])
    return redirect(f"{_list_url()}?{query}" if query else _list_url())


def _list_url() -> str:
    return reverse("registry:list")


def _row_view(p: Participant, scope: Scope) -> dict[str, Any]:
    """One list row as the role's listing policy shows it (a list never shows a full NIK: that is one audited
    read away, on the person's page)."""
    shown = apply_record({"nik": p.nik, "name": p.name}, views_for(scope, p.desa_id, "listing"))
    return {"p": p, "nik": shown["nik"], "name": shown["name"]}


def _record_view(p: Participant, scope: Scope) -> dict[str, Any]:
    """The personal fields of one person as the role's record policy shows them."""
    fields = ("nik", "name", "birth_date", "sex", "phone", "income", "address", "kpj")
    return apply_record({f: getattr(p, f) for f in fields}, views_for(scope, p.desa_id, "record"))


def participant_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    p = _get_participant(request, public_id, "source_batch__user")
    scope = scope_for(request.user)
    full = scope.sees_full_nik(p.desa_id)
    if full:
        audit.record("participant_view", request=request, object_type="participant", object_id=p.public_hex,
                     region_code=p.desa_id)  # fmt: skip
    # The change history quotes personal values (before/after): only with the audited full view. Payments and the
    # status by month are shown to every role that sees the person (amounts only with the full view: a PU
    # contribution reveals the wage).
    payments = payments_of(p)
    return render(
        request,
        "registry/detail.html",
        {"p": p, "v": _record_view(p, scope), "full": full,
         "active": is_active(p.paid_through, timezone.localdate(), settings.UCJ_LAPSE_MONTHS),
         "history": changes_of(p) if full else [], "payments": payments, "status_months": status_by_month(payments),
         "can_edit": scope.can(REGISTRY_WRITE_ROLES, p.desa_id)},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    p = _get_participant(request, public_id)
    scope = scope_for(request.user)
    if not scope.can(REGISTRY_WRITE_ROLES, p.desa_id):
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, instance=Participant.objects.get(pk=p.pk))
    if request.method == "POST" and form.is_valid():
        if not scope.can(REGISTRY_WRITE_ROLES, form.cleaned_data["desa_code"]):
            form.add_error("desa_code", _("Desa ini di luar wilayah Anda."))
        else:
            changes = {f: form.cleaned_data[f] for f in AUDITED_FIELDS if f in form.cleaned_data}
            changes["desa_id"] = form.cleaned_data["desa_code"]
            fresh = Participant.objects.get(pk=p.pk)
            if update_participant(fresh, changes, actor=request.user, request=request):
                messages.success(request, _("Perubahan disimpan."))
            return redirect("registry:detail", public_id=p.public_hex)
    return render(request, "registry/edit.html", {"p": p, "form": form})


def _get_participant(request: HttpRequest, public_id: str, *related: str) -> Participant:
    qs = Participant.objects.by_public_id(public_id).select_related("desa", *related)
    result: Participant = get_visible_or_404(qs, request.user)
    return result


# --- imports -------------------------------------------------------------------------------------------


# The upload page and the retry of a failed import: ucj.registry.upload_views.


def _visible_batches(request: HttpRequest) -> QuerySet[ImportBatch]:
    """Batches of the user's regions, plus the user's own uploads (so a failed upload is still visible)."""
    scope = scope_for(request.user)
    own = Q(user=request.user)
    return ImportBatch.objects.filter(scope.region_q("region_id") | own).select_related("user", "region")


def import_list(request: HttpRequest) -> HttpResponse:
    from ucj.coverage.feed_views import LISTED
    from ucj.coverage.models import FeedBatch

    page = Paginator(_visible_batches(request), 25).get_page(request.GET.get("page"))
    can_feed = scope_for(request.user).can(COVERAGE_WRITE_ROLES)
    feeds = FeedBatch.objects.select_related("user")[:LISTED]  # aggregate counts: no personal data
    return render(request, "registry/imports.html", {"page": page, "feeds": feeds, "can_feed": can_feed})


def _get_batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = _visible_batches(request).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    issues = Paginator(batch.issues.all(), 100).get_page(request.GET.get("page"))
    lang = "en" if (get_language() or "id").startswith("en") else "id"
    # Findings quote cell values (a malformed NIK, ...): masked for roles without full view of the region.
    # ... and birth dates: shown as the role's record policy allows (viewers: the year only).
    # ... and the person's name beside the row number, masked the same way (viewers: initials).
    views = views_for(request.user, batch.region_id, "record")
    names = batch_row_names(batch, {issue.row for issue in issues})
    messages_ = shown_findings(issues, names, views, lang)
    partial = request.headers.get("HX-Request") == "true"  # htmx polling asks only for the status block
    template = "registry/_import_status.html" if partial else "registry/import.html"
    # The rejected rows carry full NIKs (a workbook to fix and upload again): offered only to roles whose
    # export policy shows them (import_rejected refuses the others).
    can_fix = views_for(request.user, batch.region_id, "export").full_nik
    can_retry = scope_for(request.user).can(REGISTRY_WRITE_ROLES, batch.region_id) or batch.user_id == request.user.pk
    return render(request, template, {"batch": batch, "issues": issues, "issue_rows": messages_,
                                      "can_fix_rejected": can_fix, "can_retry": can_retry})  # fmt: skip


def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the rejected rows (personal data: audited). A bulk workbook of the cells as uploaded, so only
    for roles whose export policy shows full NIKs there (a masked copy could not be fixed and re-imported)."""
    batch = _get_batch(request, pk)
    if not views_for(request.user, batch.region_id, "export").full_nik:
        raise PermissionDenied
    audit.record("export_rejected_rows", request=request, object_type="import_batch", object_id=batch.pk,
                 region_code=batch.region_id or "", summary=f"{batch.rejected} rows")  # fmt: skip
    response = HttpResponse(
        rejected_rows_xlsx(batch), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ditolak-import-{batch.pk}.xlsx"'
    return response
