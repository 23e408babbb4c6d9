"""REST endpoints of targeting (``/api/v1/targeting/…``), scoped like the pages: records and regions outside the
caller's regions answer 404, actions the role may not take 403. They call :mod:`ucj.targeting.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ucj.accounts import audit
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import scope_for
from ucj.registry.issues import Finding, RosterFileError
from ucj.targeting import services
from ucj.targeting.models import SubmissionFile

router = Router(tags=["sasaran / targeting"])
MAX_CANDIDATES = 5_000


class Problem(Schema):
    code: str
    message: str
    message_en: str


def _problem(status: int, code: str, message: str, message_en: str | None = None) -> Status:
    return Status(status, {"code": code, "message": message, "message_en": message_en or message})


def _file_problem(err: RosterFileError) -> Status:
    f = err.finding
    return _problem(413 if f.code == "FILE_TOO_LARGE" else 400, f.code, f.message("id"), f.message("en"))


def _upload_problem(request: HttpRequest, file: UploadedFile | None) -> Status | None:
    if getattr(request, "upload_too_large", False):  # the upload handler stopped reading the body
        f = Finding(row=0, column="", code="FILE_TOO_LARGE", value=f"> {settings.UCJ_MAX_UPLOAD_MB} MB")
        return _problem(413, f.code, f.message("id"), f.message("en"))
    if file is None:
        return _problem(400, "FILE_MISSING", "Berkas tidak dikirim (field 'file').", "No file was sent (field 'file').")
    return None


class ListSourceOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    file_name: str
    loaded_at: dt.datetime
    rows: int
    accepted: int
    rejected: int
    warnings: int


@router.get("/targeting/lists", response=list[ListSourceOut])
def list_loads(request: HttpRequest) -> Any:
    """The person lists loaded for the caller's regions (no personal data)."""
    return [ListSourceOut(id=s.pk, name=s.name, kind=s.kind, region=s.region_id, file_name=s.file_name,
                          loaded_at=s.loaded_at, rows=s.rows, accepted=s.accepted, rejected=s.rejected,
                          warnings=s.warnings) for s in services.list_sources(request.user)]  # fmt: skip


@router.post("/targeting/lists", response={200: dict[str, Any], 400: Problem, 403: Problem, 413: Problem,
                                          429: Problem})  # fmt: skip
def post_list(
    request: HttpRequest, file: File[UploadedFile | None] = None, source: Form[str] = "", kind: Form[str] = "",
    region: Form[str] = "", dry_run: Form[bool] = False,
) -> Any:  # fmt: skip
    """Load a person list (the same report as ``ucj import list --json``); loading ``source`` again replaces it.
    NIKs quoted in findings are masked as the caller's policy says."""
    if (problem := _upload_problem(request, file)) is not None:
        return problem
    assert file is not None
    try:
        report = services.import_list(file.read(), file.name or "upload", source=source, kind=kind or None,
                                      user=request.user, region=region or None, dry_run=dry_run,
                                      request=request)  # fmt: skip
    except RosterFileError as err:
        return _file_problem(err)
    except services.TargetingThrottled as err:
        return _problem(429, "RATE_LIMITED", str(err))
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))
    return Status(200, report.as_json(views_for(request.user, report.region, "record")))


class BpjsFileOut(Schema):
    id: int
    as_of: dt.date
    file_name: str
    region: str | None
    loaded_at: dt.datetime
    rows: int
    accepted: int
    rejected: int
    active: int
    inactive: int
    matched_registry: int
    counts: dict[str, Any]


@router.get("/targeting/bpjs-files", response=list[BpjsFileOut])
def bpjs_loads(request: HttpRequest) -> Any:
    """BPJS person-level files of the caller's regions (and their own loads), newest first."""
    return [BpjsFileOut(id=f.pk, as_of=f.as_of, file_name=f.file_name, region=f.region_id, loaded_at=f.loaded_at,
                        rows=f.rows, accepted=f.accepted, rejected=f.rejected, active=f.active, inactive=f.inactive,
                        matched_registry=f.matched_registry, counts=f.counts)
            for f in services.bpjs_files(request.user)]  # fmt: skip


@router.post("/targeting/bpjs-files", response={200: dict[str, Any], 400: Problem, 403: Problem, 413: Problem,
                                               429: Problem})  # fmt: skip
def post_bpjs(request: HttpRequest, file: File[UploadedFile | None] = None, as_of: Form[dt.date | None] = None,
              dry_run: Form[bool] = False) -> Any:  # fmt: skip
    """Load a BPJS person-level file (the same report as ``ucj import bpjs --json``)."""
    if (problem := _upload_problem(request, file)) is not None:
        return problem
    assert file is not None
    try:
        report = services.import_bpjs(file.read(), file.name or "upload", as_of=as_of, user=request.user,
                                      dry_run=dry_run, request=request)  # fmt: skip
    except RosterFileError as err:
        return _file_problem(err)
    except services.TargetingThrottled as err:
        return _problem(429, "RATE_LIMITED", str(err))
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))
    return Status(200, report.as_json(views_for(request.user, None, "record")))


class CandidateOut(Schema):
    priority: int
    nik: str  # masked in lists (docs/privacy.md): the full NIK is in the worklist workbook of full roles
    name: str
    desa: str
    desa_name: str
    decile: int | None
    village_role: str
    groups: str
    sources: str
    reason: str
    bpjs_status: str | None
    status: str | None  # the worklist status, when the person is already on one


class ExcludedOut(Schema):
    count: int
    reason: str
    reason_en: str


class CandidatesOut(Schema):
    region: str
    as_of: dt.date
    count: int
    candidates: list[CandidateOut]
    excluded: dict[str, ExcludedOut]


class CandidateQuery(Schema):
    region: str
    max_decile: int | None = None
    groups: str = ""
    as_of: dt.date | None = None
    limit: int = 500


def _groups(text: str) -> list[str] | None:
    return [g for g in text.split(",") if g.strip()] or None


@router.get("/targeting/candidates", response=CandidatesOut)
def get_candidates(request: HttpRequest, q: Query[CandidateQuery]) -> Any:
    """The people of ``region`` still to enrol, in priority order (at most ``limit``, ≤ 5,000; ``count`` is the
    full number), with the people left out counted by reason. NIKs masked (a list never shows a full NIK)."""
    result = services.candidates(request.user, q.region, max_decile=q.max_decile, groups=_groups(q.groups),
                                 as_of=q.as_of, context="listing")  # fmt: skip
    return result.as_json(max(1, min(q.limit, MAX_CANDIDATES)))


class WorklistIn(Schema):
    region: str
    max_decile: int | None = None
    groups: str = ""
    as_of: dt.date | None = None


class WorklistMade(Schema):
    created: int
    already: int


@router.post("/targeting/worklists", response={200: WorklistMade, 403: Problem})
def post_worklist(request: HttpRequest, body: WorklistIn) -> Any:
    """Put the candidates of ``region`` on their villages' worklists (kab/kota, province, admin)."""
    try:
        return services.create_worklist(request.user, body.region, max_decile=body.max_decile,
                                        groups=_groups(body.groups), as_of=body.as_of, request=request)  # fmt: skip
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))


@router.post("/targeting/worklists/from-plan/{scenario_id}", response={200: dict[str, int], 403: Problem})
def post_worklist_from_plan(request: HttpRequest, scenario_id: int) -> Any:
    """Put a saved budget plan's enrolment list on the worklists."""
    from ucj.planning.services import visible

    scenario = visible(request.user).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404
    try:
        return services.worklist_from_plan(request.user, scenario, request=request)
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))


class EnrolmentOut(Schema):
    id: int
    priority: int
    nik: str
    name: str
    desa: str
    decile: int | None
    village_role: str
    sources: str
    status: str
    reason: str
    kpj: str
    status_at: dt.datetime
    next: list[str]


@router.get("/targeting/worklists/{desa}", response=list[EnrolmentOut])
def get_worklist(request: HttpRequest, desa: str, status: str = "") -> Any:
    """One village's worklist in priority order, with the statuses the caller may choose next. NIKs masked."""
    frame = services.worklist(request.user, desa, status=status or None)
    return frame.with_columns(frame["next"].fill_null([])).to_dicts()


@router.get("/targeting/worklists/{desa}/xlsx")
def get_worklist_xlsx(request: HttpRequest, desa: str) -> HttpResponse:
    """The village's worklist as a workbook (full NIKs for full roles; audited)."""
    body = services.worklist_xlsx(request.user, desa, request=request)
    return _download(body, f"daftar-kerja-{desa}.xlsx")


class TransitionIn(Schema):
    to: str
    reason: str = ""


@router.post("/targeting/enrolments/{enrolment_id}/transition", response={200: EnrolmentOut, 400: Problem,
                                                                          403: Problem})  # fmt: skip
def post_transition(request: HttpRequest, enrolment_id: int, body: TransitionIn) -> Any:
    """Move one person on a worklist to another status (allowed moves only; closing statuses need a reason;
    registered and active come from BPJS files and payments, never from here)."""
    enrolment = services.get_enrolment(request.user, enrolment_id)
    try:
        moved = services.transition(request.user, enrolment, body.to, reason=body.reason, request=request)
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))
    except services.TransitionRefused as err:
        return _problem(400, "TRANSITION_REFUSED", str(err))
    frame = services.worklist(request.user, moved.desa_id)
    row = frame.filter(frame["id"] == moved.pk).to_dicts()[0]
    return Status(200, {**row, "next": row["next"] or []})


class SubmissionIn(Schema):
    region: str
    ids: list[int] | None = None
    format: str = "xlsx"


class SubmissionOut(Schema):
    id: int
    region: str
    file_name: str
    format: str
    people: int
    columns: list[str]
    created_at: dt.datetime
    download: str


def _submission_out(sub: SubmissionFile) -> SubmissionOut:
    return SubmissionOut(id=sub.pk, region=sub.region_id, file_name=sub.file_name, format=sub.fmt, people=sub.people,
                         columns=sub.columns, created_at=sub.created_at,
                         download=f"/api/v1/targeting/submissions/{sub.pk}/file")  # fmt: skip


@router.get("/targeting/submissions", response=list[SubmissionOut])
def list_submissions(request: HttpRequest) -> Any:
    """Collective registration files issued for the caller's regions."""
    return [_submission_out(s) for s in services.submission_files(request.user)]


@router.post("/targeting/submissions", response={200: SubmissionOut, 400: Problem, 403: Problem})
def post_submission(request: HttpRequest, body: SubmissionIn) -> Any:
    """Issue the collective registration file of the contacted people of ``region`` (or ``ids`` among them);
    they move to "submitted"."""
    try:
        sub = services.submission_file(request.user, body.region, ids=body.ids, fmt=body.format, request=request)
    except services.TargetingRefused as err:
        return _problem(403, "REFUSED", str(err))
    except services.TransitionRefused as err:
        return _problem(400, "NOTHING_TO_SUBMIT", str(err))
    return Status(200, _submission_out(sub))


@router.get("/targeting/submissions/{submission_id}/file")
def get_submission_file(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The collective registration file as issued (full NIKs: only for callers with a full export view; audited)."""
    sub = services.submission_files(request.user).filter(pk=submission_id).first()
    if sub is None:
        raise Http404
    if not scope_for(request.user).everywhere and not views_for(request.user, sub.region_id, "export").full_nik:
        raise PermissionDenied
    audit.record("targeting.submission_download", request=request, object_type="submission_file", object_id=sub.pk,
                 region_code=sub.region_id, summary=f"{sub.people} orang")  # fmt: skip
    content = bytes(SubmissionFile.objects.values_list("content", flat=True).get(pk=sub.pk))
    return _download(content, sub.file_name)


def _download(body: bytes, name: str) -> HttpResponse:
    kind = "text/csv; charset=utf-8" if name.endswith(".csv") else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # fmt: skip
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class FunnelQuery(Schema):
    region: str
    as_of: dt.date | None = None
    by: str | None = None


@router.get("/targeting/funnel", response={200: dict[str, Any], 400: Problem})
def get_funnel(request: HttpRequest, q: Query[FunnelQuery]) -> Any:
    """The enrolment funnel of ``region``: counts per stage, reached, conversion, median days identified →
    active; ``by`` = kabkota, kecamatan or desa adds the children for drill-down. No personal data."""
    try:
        return services.funnel(request.user, q.region, q.as_of, q.by)
    except ValueError as err:
        return _problem(400, "BAD_REQUEST", str(err))
