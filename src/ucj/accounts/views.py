"""Account pages: the audit trail (admin and province analysts, scoped by region)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ucj.accounts.models import AuditEvent
from ucj.accounts.scoping import AUDIT_ROLES, scope_for


def audit_log(request: HttpRequest) -> HttpResponse:
    """Filterable audit trail; a province analyst sees the events of their province (and their own)."""
    scope = scope_for(request.user)
    if not scope.can(AUDIT_ROLES):
        raise PermissionDenied
    qs = AuditEvent.objects.all()
    if not scope.everywhere:
        qs = qs.filter(scope.region_q("region_code", AUDIT_ROLES) | Q(actor=request.user))
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "")
    region = request.GET.get("region", "")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if region:
        qs = qs.filter(Q(region_code=region) | Q(region_code__startswith=region + "."))
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit.html",
        {"page": page, "actions": sorted(set(actions)), "action": action, "actor": actor, "region": region},
    )
