"""Pages for transfers between villages and the NIK conflict review queue (services: :mod:`.transfers`,
:mod:`.conflicts`). Every decision is a POST with CSRF; records outside the user's regions answer 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.privacy import mask_nik
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.bilingual import in_language
from ucj.registry.conflicts import DecisionRefused, conflicts_for, decide_conflict, side_by_side
from ucj.registry.issues import NIK_NOT_AVAILABLE
from ucj.registry.models import ImportBatch, ImportIssue, NikConflict
from ucj.registry.transfers import TransferRefused, decide_transfer, may_decide, request_transfer, transfers_for


def _writer(request: HttpRequest) -> None:
    if not scope_for(request.user).can(REGISTRY_WRITE_ROLES):
        raise PermissionDenied


# --- transfers -------------------------------------------------------------------------------------------


def transfer_list(request: HttpRequest) -> HttpResponse:
    """Incoming requests (people now in the user's villages; decided here) and outgoing ones (asked by the
    user or into the user's villages; the person stays hidden until approval)."""
    _writer(request)
    scope = scope_for(request.user)
    incoming: list[dict[str, Any]] = []
    outgoing: list[dict[str, Any]] = []
    for t in transfers_for(request.user)[:500]:
        # The name only where the person is now inside the user's regions: the requester learns nothing
        # (not the name, not the village) before approval.
        here = scope.can(REGISTRY_WRITE_ROLES, t.participant.desa_id)
        entry = {"t": t, "nik": mask_nik(t.participant.nik), "name": t.participant.name if here else "",
                 "can_decide": may_decide(request.user, t)}  # fmt: skip
        (incoming if scope.can(REGISTRY_WRITE_ROLES, t.from_desa_id) else outgoing).append(entry)
    return render(request, "registry/transfers.html", {"incoming": incoming, "outgoing": outgoing})


def _not_available_issue(request: HttpRequest, batch_id: str | None, row: str | None) -> tuple[ImportBatch, int]:
    """The batch and row of a ``NIK_NOT_AVAILABLE`` finding the user may ask about, else 404."""
    try:
        pk, number = int(batch_id or ""), int(row or "")
    except ValueError as exc:
        raise Http404 from exc
    issue = ImportIssue.objects.filter(batch_id=pk, row=number, code=NIK_NOT_AVAILABLE).select_related("batch").first()
    if issue is None or not scope_for(request.user).can(REGISTRY_WRITE_ROLES, issue.extra or None):
        raise Http404
    return issue.batch, number


@require_http_methods(["GET", "POST"])
def transfer_request(request: HttpRequest) -> HttpResponse:
    """Ask for the person of one ``NIK_NOT_AVAILABLE`` row to move into the row's village."""
    _writer(request)
    source = request.POST if request.method == "POST" else request.GET
    batch, row = _not_available_issue(request, source.get("batch"), source.get("row"))
    if request.method == "POST":
        try:
            request_transfer(batch, row, actor=request.user, reason=request.POST.get("reason", ""), request=request)
        except TransferRefused:
            messages.error(request, _("Permintaan pindah tidak dapat dibuat untuk baris ini."))
            return redirect("registry:import", pk=batch.pk)
        messages.success(request, _("Permintaan pindah dikirim ke desa tempat orang ini terdaftar."))
        return redirect("registry:transfers")
    return render(request, "registry/transfer_request.html", {"batch": batch, "row": row})


@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse one incoming request (write scope over the person's current village)."""
    transfer = transfers_for(request.user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    if not scope_for(request.user).can(REGISTRY_WRITE_ROLES, transfer.participant.desa_id):
        raise Http404  # an outgoing request: the requester does not decide (nor learn where the person is)
    try:
        decide_transfer(transfer, request.POST.get("decision") == "approve", actor=request.user,
                        note=request.POST.get("note", ""), request=request)  # fmt: skip
    except TransferRefused:
        messages.error(request, _("Permintaan ini sudah diputuskan."))
    else:
        messages.success(request, _("Keputusan disimpan."))
    return redirect("registry:transfers")


# --- NIK conflicts ---------------------------------------------------------------------------------------


def conflict_list(request: HttpRequest) -> HttpResponse:
    """Open conflicts in the user's villages first, then the decided ones."""
    _writer(request)
    qs = conflicts_for(request.user).order_by("status", "-created_at", "-id")
    status = request.GET.get("status", "open")
    if status in NikConflict.Status.values:
        qs = qs.filter(status=status)
    rows = [{"c": c, "nik": mask_nik(c.participant.nik)} for c in qs[:500]]
    return render(request, "registry/conflicts.html", {"rows": rows, "status": status,
                                                       "statuses": NikConflict.Status.choices})  # fmt: skip


@require_http_methods(["GET", "POST"])
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Stored and incoming values side by side; keep, replace or reject."""
    conflict = conflicts_for(request.user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    if request.method == "POST":
        try:
            decide_conflict(conflict, request.POST.get("decision", ""), actor=request.user, request=request)
        except DecisionRefused as err:  # bilingual for the CLI and API; one language on the page
            messages.error(request, in_language(str(err), get_language()))
        else:
            messages.success(request, _("Keputusan disimpan."))
        return redirect("registry:conflict", pk=conflict.pk)
    audit.record("nik_conflict_view", request=request, object_type="nik_conflict", object_id=conflict.pk,
                 region_code=conflict.participant.desa_id)  # fmt: skip
    return render(request, "registry/conflict.html", {"c": conflict, "rows": _labelled(side_by_side(conflict)),
                                                      "nik": conflict.participant.nik})  # fmt: skip


def _labelled(rows: list[tuple[str, Any, Any, bool]]) -> list[tuple[str, Any, Any, bool]]:
    from ucj.registry.models import Participant

    out = []
    for name, stored, incoming, differs in rows:
        label = str(getattr(Participant._meta.get_field(name), "verbose_name", name))
        out.append((label, stored, incoming, differs))
    return out
