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
from ucj.accounts.models import AuditEvent
from ucj.accounts.privacy import mask_digits, mask_name, mask_nik
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, Scope, get_visible_or_404, scope_for, visible
from ucj.regions.models import Region, in_region
from ucj.registry.exports import rejected_rows_xlsx
from ucj.registry.forms import FilterForm, ParticipantForm, SearchForm
from ucj.registry.models import ImportBatch, Participant, ParticipantQuerySet
from ucj.registry.services import AUDITED_FIELDS, update_participant
from ucj.registry.status import is_active
from ucj.web.paging import keyset_page

PAGE_SIZE = 50
SEARCH_KEY = "registry_search"


def _search(qs: ParticipantQuerySet, q: str) -> ParticipantQuerySet:
    """NIK prefix (index range, no LIKE) when the term is digits, else a name search."""
    q = q.strip()
    if not q:
        return qs
    digits = q.replace(" ", "")
    if digits.isdigit():
        return qs.filter(nik__gte=digits, nik__lt=digits + "A")  # 'A' sorts after every digit
    return qs.filter(name__icontains=q)


def participant_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = FilterForm(request.GET or None, regions=_filter_regions(scope))
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
    qs = _search(qs, q)
    page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE)
    rows = [_row_view(p, scope.sees_full_nik(p.desa_id)) for p in page.items]
    return render(
        request,
        "registry/list.html",
        {"form": form, "search": SearchForm(initial={"q": q}), "q": q, "page": page, "rows": rows,
         "can_import": scope.can(REGISTRY_WRITE_ROLES)},
    )  # fmt: skip


def _filter_regions(scope: Scope) -> list[tuple[str, str]]:
    """The regions a user can narrow the list to: the two levels below each of their regions."""
    if scope.everywhere:
        qs = Region.objects.filter(level__lte=2)
    else:
        wanted = Q(pk__in=[])
        for code in scope.regions:
            depth = code.count(".") + 1
            wanted |= Q(code=code) | (in_region("code", code, villages_only=False) & Q(level__lte=min(depth + 2, 4)))
        qs = Region.objects.filter(wanted)
    rows = qs.order_by("code").values_list("code", "name", "level")[:1000]
    return [(code, f"{'· ' * (level - 1)}{name} ({code})") for code, name, level in rows]


@require_POST
def participant_search(request: HttpRequest) -> HttpResponse:
    """Keep the search term in the session (names and NIKs stay out of URLs and access logs)."""
    form = SearchForm(request.POST)
    request.session[SEARCH_KEY] = form.data.get("q", "")[:100] if "clear" not in request.POST else ""
    # Carry over only the list's own non-personal filters: whatever else is posted stays out of the URL.
    posted = QueryDict(request.POST.get("filters", ""))
    query = urlencode([(k, v) for k in FilterForm.base_fields for v in posted.getlist(k)[:1] if v])
    return redirect(f"{_list_url()}?{query}" if query else _list_url())


def _list_url() -> str:
    return reverse("registry:list")


def _row_view(p: Participant, full: bool) -> dict[str, Any]:
    return {
        "p": p,
        "nik": mask_nik(p.nik),  # lists always mask; the full NIK is only on the audited detail page
        "name": p.name if full else mask_name(p.name),
    }


def participant_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    p = _get_participant(request, public_id)
    scope = scope_for(request.user)
    full = scope.sees_full_nik(p.desa_id)
    if full:
        audit.record("participant_view", request=request, object_type="participant", object_id=p.public_hex,
                     region_code=p.desa_id)  # fmt: skip
    history = (
        AuditEvent.objects.filter(object_type="participant", object_id=p.public_hex, action="participant_update")
        if full
        else AuditEvent.objects.none()
    )
    return render(
        request,
        "registry/detail.html",
        {"p": p, "nik": p.nik if full else mask_nik(p.nik), "name": p.name if full else mask_name(p.name),
         "full": full, "active": is_active(p.paid_through, timezone.localdate(), settings.UCJ_LAPSE_MONTHS),
         "history": history[:20] if full else [],
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


def _get_participant(request: HttpRequest, public_id: str) -> Participant:
    qs = Participant.objects.by_public_id(public_id).select_related("desa")
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
    page = Paginator(_visible_batches(request), 25).get_page(request.GET.get("page"))
    return render(request, "registry/imports.html", {"page": page})


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
    full = scope_for(request.user).sees_full_nik(batch.region_id)
    messages_ = [(issue, issue.message(lang) if full else mask_digits(issue.message(lang))) for issue in issues]
    partial = request.headers.get("HX-Request") == "true"  # htmx polling asks only for the status block
    template = "registry/_import_status.html" if partial else "registry/import.html"
    return render(request, template, {"batch": batch, "issues": issues, "issue_rows": messages_})


def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the rejected rows (personal data: audited)."""
    batch = _get_batch(request, pk)
    if not scope_for(request.user).sees_full_nik(batch.region_id):
        raise PermissionDenied
    audit.record("export_rejected_rows", request=request, object_type="import_batch", object_id=batch.pk,
                 region_code=batch.region_id or "", summary=f"{batch.rejected} rows")  # fmt: skip
    response = HttpResponse(
        rejected_rows_xlsx(batch), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ditolak-import-{batch.pk}.xlsx"'
    return response
