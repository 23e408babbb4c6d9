"""Targeting pages (``/sasaran/``): the funnel per region, candidates, village worklists, and the loads of person
lists and BPJS files with their dry-run previews.

Every figure and every change comes from :mod:`ucj.targeting.services`; this module arranges pages. Regions
and records outside the caller's scope answer 404, actions the role may not take 403 (and their buttons are not
shown); people are shown as :mod:`ucj.accounts.policy` allows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.policy import apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import Scope, region_choices, scope_for
from ucj.bilingual import in_language
from ucj.coverage.views import default_region
from ucj.planning.services import visible as visible_plans
from ucj.regions.codes import level_of
from ucj.regions.models import Region
from ucj.registry.issues import RosterFileError
from ucj.registry.jobs import hold_upload, take_held_upload
from ucj.registry.models import VillageRole
from ucj.targeting import services
from ucj.targeting.forms import (
    BpjsUploadForm,
    CandidateFilterForm,
    ConfirmForm,
    ListUploadForm,
    RegionForm,
    StatusForm,
)
from ucj.targeting.models import Enrolment, ListSource, Status, SubmissionFile
from ucj.targeting.pages import (
    FINDINGS_SHOWN,
    bpjs_count_rows,
    disagreement_rows,
    exclusion_label,
    finding_rows,
    funnel_workbook,
    group_choices,
    lang,
    overall_percent,
    region_or_404,
    status_counts,
    write_regions,
)
from ucj.targeting.rules import NEEDS_REASON, next_statuses
from ucj.targeting.services import BPJS_FILE_ROLES, LIST_ROLES, PIPELINE_ROLES, WORKLIST_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELD_KEY = "targeting_held_upload"
#: Rows a candidate page lists (the count and the workbook hold them all).
CANDIDATES_SHOWN = 500
#: People per worklist page (as the registry's participant list: 50; the workbook holds them all).
WORKLIST_PAGE_SIZE = 50


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _said(err: Exception) -> str:
    """A service's bilingual refusal ("indonesian / english") in the page's language."""
    return in_language(str(err), get_language())


def _refused(err: Exception) -> PermissionDenied:
    return PermissionDenied(_said(err))


# --- the funnel -----------------------------------------------------------------------------------------

#: The funnel's rows below a region: the next level (a province shows its kab/kota, a kab/kota its desa).
CHILD_LEVEL = {1: "kabkota", 2: "desa", 3: "desa"}


def _funnel_query(request: HttpRequest) -> tuple[Region, dt.date | None]:
    """The region (``?region=``, default the user's) and the day (``?as_of=YYYY-MM-DD``, default today: a bad
    date is ignored) of the funnel."""
    scope = scope_for(request.user)
    region = region_or_404(scope, request.GET.get("region") or default_region(scope))
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = None
    return region, as_of


def _funnel_of(request: HttpRequest) -> tuple[Region, dict[str, Any]]:
    region, as_of = _funnel_query(request)
    return region, services.funnel(request.user, region.code, as_of=as_of, by=CHILD_LEVEL.get(region.level))


def funnel(request: HttpRequest) -> HttpResponse:
    """Counts at each stage of the region (``?region=``, on ``?as_of=``), conversion and median days identified →
    active, and the same per kab/kota or desa below, each a link one level down."""
    region, result = _funnel_of(request)
    children = [{"region": c["region"], "name": c["name"], "url": _drill_url(c["region"]),
                 "counts": status_counts(c), "total": c["total"], "conversion": overall_percent(c)}
                for c in result.get("children", [])]  # fmt: skip
    counts = status_counts(result)
    stages = [{"key": s.value, "label": s.label, "count": n} for s, n in zip(Status, counts, strict=True)]
    scope = scope_for(request.user)
    picker = RegionForm(initial={"region": region.code}, regions=region_choices(scope), scope=scope)
    return render(request, "targeting/funnel.html",
                  {"section": "funnel", "region": region, "f": result, "children": children, "stages": stages,
                   "conversion": overall_percent(result), "statuses": Status.choices, "picker": picker,
                   "crumbs": _crumbs(region.code, reverse("targeting:funnel"), scope_for(request.user))})  # fmt: skip


def _drill_url(code: str) -> str:
    """A child row leads one level down: the funnel of a kab/kota or kecamatan, the worklist of a desa."""
    if level_of(code) == 4:
        return reverse("targeting:worklist", args=[code])
    return f"{reverse('targeting:funnel')}?region={code}"


def funnel_xlsx(request: HttpRequest) -> HttpResponse:
    """The funnel of the region and its children as a workbook (counts only: no personal data)."""
    region, result = _funnel_of(request)
    day = f"-{result['as_of']}" if result["as_of"] else ""
    return _xlsx(funnel_workbook(result), f"corong-{region.code}{day}.xlsx")


def _crumbs(code: str, url: str, scope: Scope) -> list[dict[str, Any]]:
    """The region's ancestors, each a link when the user may open its funnel."""
    parts = code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), "url": f"{url}?region={c}" if c != code and scope.covers(c) else None}
            for c in codes]  # fmt: skip


# --- candidates -----------------------------------------------------------------------------------------


def _candidate_filters(request: HttpRequest) -> tuple[CandidateFilterForm, Region]:
    """The filter form and the region asked for (404 outside the user's regions, whatever the filters)."""
    scope = scope_for(request.user)
    data = request.GET.copy() if request.method == "GET" else request.POST.copy()
    region = region_or_404(scope, data.get("region") or default_region(scope))
    data["region"] = region.code
    return CandidateFilterForm(data, regions=region_choices(scope), scope=scope, groups=group_choices()), region


def _valid_filters(request: HttpRequest) -> tuple[dict[str, Any], Region]:
    """Filters of the download and of "put on worklists" (bad values: 400, nothing done)."""
    form, region = _candidate_filters(request)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    return form.cleaned_data, region


def candidates(request: HttpRequest) -> HttpResponse:
    """The ranked candidates of a region (filters in the query string: no personal data there)."""
    form, region = _candidate_filters(request)
    context: dict[str, Any] = {"section": "candidates", "form": form, "region": region}
    if form.is_valid():
        data = form.cleaned_data
        result = services.candidates(request.user, region.code, max_decile=data["max_decile"],
                                     groups=data["groups"] or None)  # fmt: skip
        context.update(result=result, rows=result.frame.head(CANDIDATES_SHOWN).to_dicts(),
                       more=max(0, result.count - CANDIDATES_SHOWN), query=request.GET.urlencode(),
                       excluded=[(code, exclusion_label(code), n) for code, n in
                                 sorted(result.excluded.items(), key=lambda kv: -kv[1]) if n],
                       can_worklist=scope_for(request.user).can(WORKLIST_ROLES, region.code))  # fmt: skip
        if context["can_worklist"]:
            context["plans"] = visible_plans(request.user).filter(region_id=region.code).order_by("-id")[:50]
    return render(request, "targeting/candidates.html", context)


def candidates_xlsx(request: HttpRequest) -> HttpResponse:
    """The candidates as a workbook: the export policy's view of the people (audited: personal data)."""
    data, region = _valid_filters(request)
    result = services.candidates(request.user, region.code, max_decile=data["max_decile"],
                                 groups=data["groups"] or None, context="export")  # fmt: skip
    audit.record("targeting.candidates_export", request=request, object_type="region", object_id=region.code,
                 region_code=region.code, summary=f"{result.count} kandidat")  # fmt: skip
    return _xlsx(services.candidates_xlsx(result), f"kandidat-{region.code}.xlsx")


@require_POST
def candidates_to_worklists(request: HttpRequest) -> HttpResponse:
    """Put the filtered candidates on their villages' worklists (status "identified")."""
    data, region = _valid_filters(request)
    if not scope_for(request.user).can(WORKLIST_ROLES, region.code):
        raise PermissionDenied
    try:
        added = services.create_worklist(request.user, region.code, max_decile=data["max_decile"],
                                         groups=data["groups"] or None, request=request)  # fmt: skip
    except services.TargetingRefused as err:
        raise _refused(err) from err
    messages.success(request, _("%(n)s orang ditambahkan ke daftar kerja desa; %(m)s sudah ada di sana.")
                     % {"n": added.get("created", 0), "m": added.get("already", 0)})  # fmt: skip
    return redirect(f"{reverse('targeting:funnel')}?region={region.code}")


@require_POST
def plan_to_worklists(request: HttpRequest) -> HttpResponse:
    """Put a saved budget plan's enrolment list on its villages' worklists, in the plan's order."""
    plan = request.POST.get("plan", "")
    scenario = visible_plans(request.user).filter(pk=int(plan)).first() if plan.isdigit() else None
    if scenario is None:
        raise Http404
    if not scope_for(request.user).can(WORKLIST_ROLES, scenario.region_id):
        raise PermissionDenied
    try:
        out = services.worklist_from_plan(request.user, scenario, request=request)
    except services.TargetingRefused as err:
        raise _refused(err) from err
    messages.success(request, _("Dari rencana “%(name)s”: %(n)s orang ditambahkan ke daftar kerja desa; %(m)s sudah "
                                "ada di sana.") % {"name": scenario.name, "n": out.get("created", 0),
                                                   "m": out.get("already", 0)})  # fmt: skip
    if out.get("masked"):
        messages.warning(request, _("%(n)s orang rencana itu tidak dapat Anda lihat NIK-nya secara lengkap dan tidak "
                                    "ditambahkan.") % {"n": out["masked"]})  # fmt: skip
    return redirect(f"{reverse('targeting:funnel')}?region={scenario.region_id}")


# --- worklists ------------------------------------------------------------------------------------------


def worklists(request: HttpRequest) -> HttpResponse:
    """A village operator goes to their village's worklist; others pick a village from the funnel."""
    scope = scope_for(request.user)
    villages = [c for c in scope.regions if level_of(c) == 4]
    if len(villages) == 1 and not scope.everywhere and len(scope.regions) == 1:
        return redirect("targeting:worklist", code=villages[0])
    return redirect(f"{reverse('targeting:funnel')}?region={default_region(scope) or ''}")


def worklist(request: HttpRequest, code: str) -> HttpResponse:
    """One village's people with their status, the change each may take, and the collective files."""
    scope = scope_for(request.user)
    desa = region_or_404(scope, code, level=4)
    status = request.GET.get("status") if request.GET.get("status") in Status.values else None
    page = Paginator(services.worklist(request.user, desa.code, status=status).to_dicts(), WORKLIST_PAGE_SIZE)\
        .get_page(request.GET.get("page"))  # fmt: skip
    rows = page.object_list
    can_act = scope.can(PIPELINE_ROLES, desa.code)
    labels, roles = dict(Status.choices), dict(VillageRole.choices)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["choices"] = [(s, labels[s]) for s in row.get("next") or []]
        row["role_label"] = roles.get(row["village_role"] or "", row["village_role"])
    counts = status_counts(services.funnel(request.user, desa.code))
    files = services.submission_files(request.user).filter(region_id=desa.code).select_related("created_by")[:20]
    return render(request, "targeting/worklist.html",
                  {"section": "worklist", "desa": desa, "rows": rows, "page": page, "can_act": can_act,
                   "status": status,
                   "statuses": Status.choices, "counts": list(zip(Status.labels, counts, strict=True)),
                   "contacted": counts[list(Status).index(Status.CONTACTED)], "files": files,
                   "closing": sorted(NEEDS_REASON),
                   "can_download": scope.can(PIPELINE_ROLES, desa.code)
                   and views_for(request.user, desa.code, "export").full_nik})  # fmt: skip


def worklist_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    desa = region_or_404(scope_for(request.user), code, level=4)
    return _xlsx(services.worklist_xlsx(request.user, desa.code, request=request), f"daftar-kerja-{desa.code}.xlsx")


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    return services.get_enrolment(request.user, pk)


@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One person of a worklist: who they are (as the role may see), their history, and the status form."""
    enrolment = _enrolment(request, pk)
    scope = scope_for(request.user)
    can_act = scope.can(PIPELINE_ROLES, enrolment.desa_id)
    form = _status_form(enrolment, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        if form.is_valid() and _transition(request, enrolment, form.cleaned_data["status"],
                                           form.cleaned_data["reason"]):  # fmt: skip
            return redirect("targeting:person", pk=enrolment.pk)
    views = views_for(request.user, enrolment.desa_id, "record")
    if views.full_nik:
        audit.record("targeting.enrolment_view", request=request, object_type="enrolment", object_id=enrolment.pk,
                     region_code=enrolment.desa_id)  # fmt: skip
    shown = apply_record({"nik": enrolment.nik, "name": enrolment.name, "birth_date": enrolment.birth_date,
                          "kpj": enrolment.kpj}, views)  # fmt: skip
    events = enrolment.events.all().order_by("at", "id")
    labels = dict(Status.choices)
    history = [{"e": e, "from": labels.get(e.from_status, e.from_status or "—"),
                "to": labels.get(e.to_status, e.to_status)} for e in events]  # fmt: skip
    return render(request, "targeting/person.html",
                  {"section": "worklist", "e": enrolment, "v": shown, "history": history, "form": form,
                   "can_act": can_act and bool(form.fields["status"].choices)})  # type: ignore[attr-defined]  # fmt: skip


def _status_form(enrolment: Enrolment, data: Any) -> StatusForm:
    labels = dict(Status.choices)
    allowed = [(s, labels[s]) for s in next_statuses(enrolment.status)]
    return StatusForm(data, allowed=allowed, needs_reason=NEEDS_REASON)


def _transition(request: HttpRequest, enrolment: Enrolment, to: str, reason: str) -> bool:
    """One change through the service; a refused one is said on the page (nothing changes)."""
    try:
        services.transition(request.user, enrolment, to, reason=reason, request=request)
    except services.TargetingRefused as err:
        raise _refused(err) from err
    except services.TransitionRefused as err:
        messages.error(request, _said(err))
        return False
    messages.success(request, _("Status disimpan: %(status)s.") % {"status": dict(Status.choices).get(to, to)})
    return True


@require_POST
def worklist_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A change posted from a worklist row; back to the worklist either way."""
    enrolment = _enrolment(request, pk)
    if not scope_for(request.user).can(PIPELINE_ROLES, enrolment.desa_id):
        raise PermissionDenied
    form = _status_form(enrolment, request.POST)
    if form.is_valid():
        _transition(request, enrolment, form.cleaned_data["status"], form.cleaned_data["reason"])
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("targeting:worklist", args=[enrolment.desa_id]) + f"#e{enrolment.pk}")


@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """Put the village's contacted people into a collective registration file for BPJS (they become
    "submitted"); the file is then downloaded from the worklist."""
    scope = scope_for(request.user)
    desa = region_or_404(scope, code, level=4)
    if not scope.can(PIPELINE_ROLES, desa.code):
        raise PermissionDenied
    try:
        made = services.submission_file(request.user, desa.code, request=request)
    except services.TargetingRefused as err:
        raise _refused(err) from err
    except services.TransitionRefused as err:
        messages.error(request, _said(err))
        return redirect("targeting:worklist", code=desa.code)
    messages.success(request, _("%(n)s orang diajukan dalam berkas %(name)s.") % {"n": made.people,
                                                                                 "name": made.file_name})  # fmt: skip
    return redirect(reverse("targeting:worklist", args=[desa.code]) + "#files")


def submission_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A collective registration file (full NIKs for BPJS): write roles with a full export view only; audited."""
    scope = scope_for(request.user)
    made = SubmissionFile.objects.filter(scope.region_q("region_id"), pk=pk).first()  # with its content
    if made is None:
        raise Http404
    if not scope.can(PIPELINE_ROLES, made.region_id) or not views_for(request.user, made.region_id, "export").full_nik:
        raise PermissionDenied
    audit.record("targeting.submission_download", request=request, object_type="submission_file", object_id=made.pk,
                 region_code=made.region_id, summary=f"{made.people} orang")  # fmt: skip
    content_type = XLSX if made.fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(bytes(made.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    return response


# --- loads: person lists and BPJS files -----------------------------------------------------------------


def loads(request: HttpRequest) -> HttpResponse:
    """The person lists and BPJS files of the user's regions, with their counts."""
    scope = scope_for(request.user)
    return render(request, "targeting/loads.html",
                  {"section": "loads",
                   "sources": services.list_sources(request.user).select_related("region", "loaded_by")[:200],
                   "files": services.bpjs_files(request.user).select_related("loaded_by")[:100],
                   "can_list": scope.can(LIST_ROLES),
                   "can_bpjs": scope.can(BPJS_FILE_ROLES)})  # fmt: skip


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = services.list_sources(request.user).filter(pk=pk).select_related("region", "loaded_by").first()
    if source is None:
        raise Http404
    return render(request, "targeting/source.html",
                  {"section": "loads", "s": source, "counts": sorted(source.finding_counts.items())})  # fmt: skip


def bpjs_detail(request: HttpRequest, pk: int) -> HttpResponse:
    made = services.bpjs_files(request.user).filter(pk=pk).select_related("loaded_by").first()
    if made is None:
        raise Http404
    return render(request, "targeting/bpjs_file.html", {"section": "loads", "f": made,
                                                        "counts": bpjs_count_rows(made.counts)})  # fmt: skip


@require_http_methods(["GET", "POST"])
def list_upload(request: HttpRequest) -> HttpResponse:
    """Upload a person list: a dry run first (counts and findings by row), then the confirmation loads it."""

    def form(scope: Scope) -> ListUploadForm:
        return ListUploadForm(request.POST or None, request.FILES or None,
                              region_choices=write_regions(scope, LIST_ROLES),
                              kind_choices=list(ListSource.Kind.choices))  # fmt: skip

    def held(d: dict[str, Any]) -> dict[str, Any]:
        return {"name": d["file"].name[:255], "source": d["source"], "kind": d["kind"] or None, "region": d["region"]}

    return _upload(request, "list", form, held)


@require_http_methods(["GET", "POST"])
def bpjs_upload(request: HttpRequest) -> HttpResponse:
    """Upload a BPJS person-level file: a dry run with the match answer, then the confirmation loads it."""

    def held(d: dict[str, Any]) -> dict[str, Any]:
        return {"name": d["file"].name[:255], "as_of": d["as_of"].isoformat()}

    return _upload(request, "bpjs", lambda scope: BpjsUploadForm(request.POST or None, request.FILES or None), held)


#: Per kind of load: who may load.
_UPLOADS = {"list": LIST_ROLES, "bpjs": BPJS_FILE_ROLES}


def _upload(request: HttpRequest, kind: str, make_form: Callable[[Scope], Any],
            held_of: Callable[[dict[str, Any]], dict[str, Any]]) -> HttpResponse:  # fmt: skip
    """The upload page of a list or a BPJS file: the form, its dry run, or (with a token) the confirmation."""
    scope = scope_for(request.user)
    if not scope.can(_UPLOADS[kind]):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, kind)
    form = make_form(scope)
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        return _too_large(request, kind, form)
    if request.method == "POST" and form.is_valid():
        held = held_of(form.cleaned_data)
        return _dry_run(request, kind, form.cleaned_data["file"].read(), held, form)
    return _form_page(request, kind, form)


def _form_page(request: HttpRequest, kind: str, form: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    """The upload page of ``kind`` with its form (and the size limit it states)."""
    context = {"section": "loads", "kind": kind, "form": form, "max_upload_mb": settings.UCJ_MAX_UPLOAD_MB, **extra}
    return render(request, "targeting/upload.html", context, status=status)


def _too_large(request: HttpRequest, kind: str, form: Any) -> HttpResponse:
    from ucj.registry.forms import too_large_message

    return _form_page(request, kind, form, status=413, upload_error=too_large_message())


def _load(request: HttpRequest, kind: str, data: bytes, held: dict[str, Any], *, dry_run: bool) -> Any:
    """Run the list or BPJS loader on ``data`` (``held``: what the form said)."""
    if kind == "list":
        return services.import_list(data, held["name"], source=held["source"], kind=held["kind"],
                                    user=request.user, region=held["region"], dry_run=dry_run,
                                    request=request)  # fmt: skip
    return services.import_bpjs(data, held["name"], as_of=dt.date.fromisoformat(held["as_of"]), user=request.user,
                                dry_run=dry_run, request=request)  # fmt: skip


def _dry_run(request: HttpRequest, kind: str, data: bytes, held: dict[str, Any], form: Any) -> HttpResponse:
    """Check the file without loading it; keep it (held upload, token in the session) for the confirmation."""
    try:
        report = _load(request, kind, data, held, dry_run=True)
    except RosterFileError as err:
        form.add_error("file", err.finding.message(lang()))
        return _form_page(request, kind, form)
    except services.TargetingThrottled as err:  # as the registry: over UCJ_DRY_RUN_RATE is 429, said on the form
        return _form_page(request, kind, form, status=429, upload_error=_said(err))
    except services.TargetingRefused as err:
        raise _refused(err) from err
    _drop_held(request)
    held["token"] = hold_upload(data)
    held["sha256"] = hashlib.sha256(data).hexdigest()
    request.session[HELD_KEY] = {**held, "kind_of_load": kind}
    return _answer(request, kind, report, held, confirm=ConfirmForm(initial={"token": held["token"]}))


def _confirm(request: HttpRequest, kind: str) -> HttpResponse:
    """The second step: load the held file for real (or cancel)."""
    held = request.session.get(HELD_KEY) or {}
    form = ConfirmForm(request.POST)
    url = "targeting:upload_list" if kind == "list" else "targeting:upload_bpjs"
    valid = form.is_valid() and held.get("token") == form.cleaned_data["token"] and held.get("kind_of_load") == kind
    if "cancel" in request.POST or not valid:
        _drop_held(request)
        if "cancel" not in request.POST:
            messages.error(request, _("Unggahan itu sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect(url)
    data = take_held_upload(held["token"])
    request.session.pop(HELD_KEY, None)
    if data is None:
        messages.error(request, _("Unggahan itu sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect(url)
    if kind == "list" and not scope_for(request.user).can(LIST_ROLES, held.get("region")):
        raise PermissionDenied
    try:
        report = _load(request, kind, data, held, dry_run=False)
    except RosterFileError as err:
        messages.error(request, err.finding.message(lang()))
        return redirect(url)
    except services.TargetingRefused as err:
        raise _refused(err) from err
    if kind == "list" and report.source_id:
        messages.success(request, _("Daftar dimuat: %(n)s orang.") % {"n": report.accepted})
        return redirect("targeting:source", pk=report.source_id)
    return _answer(request, kind, report, held, confirm=None)


def _answer(request: HttpRequest, kind: str, report: Any, held: dict[str, Any], *,
            confirm: ConfirmForm | None) -> HttpResponse:  # fmt: skip
    """The dry run's preview (with the confirmation) or a BPJS file's match answer after loading."""
    region = held.get("region")
    context = {"section": "loads", "kind": kind, "r": report, "held": held, "confirm": confirm,
               "findings": finding_rows(report.findings, request.user, region),
               "findings_more": max(0, len(report.findings) - FINDINGS_SHOWN)}  # fmt: skip
    if kind == "bpjs":
        labels = dict(Status.choices)
        context["disagreements"] = disagreement_rows(report.disagreements)
        context["moved"] = [(k, labels.get(k, k), n) for k, n in report.moved.items()]
    return render(request, "targeting/preview.html", context)


def _drop_held(request: HttpRequest) -> None:
    held = request.session.pop(HELD_KEY, None) or {}
    if held.get("token"):
        take_held_upload(held["token"])  # deletes the held file
