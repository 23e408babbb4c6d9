"""REST endpoints of the registry, scoped exactly like the pages (ucj.accounts.scoping)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ucj.accounts import audit
from ucj.accounts.policy import FieldViews, apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for, visible
from ucj.regions.codes import normalize_code
from ucj.regions.models import in_region
from ucj.registry.issues import Finding, RosterFileError
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.reimport import DuplicateFile
from ucj.registry.search import Refusal, run_search, search_filter
from ucj.registry.services import ImportRefused, ImportThrottled, add_participant, import_roster
from ucj.registry.status import is_active
from ucj.web.paging import capped_count

router = Router(tags=["registry"])
MAX_PAGE_SIZE = 500
API_COUNT_CAP = 100_000  # beyond this the count says "at least" (count_capped): counting costs a full scan


class ParticipantOut(Schema):
    id: str
    nik: str
    name: str
    birth_date: dt.date | None  # null where the role sees the birth year only (docs/privacy.md)
    birth_year: int | None
    sex: str
    desa: str
    segment: str
    ecosystem: str
    village_role: str
    payer: str
    programs: list[str]
    paid_through: dt.date | None
    status: str
    employer_sector: str | None  # PU: the employer's industry (PP 7/2025 sector code), null when unknown
    employer_size: int | None  # PU: the employer's number of workers, null when unknown


class ParticipantPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[ParticipantOut]


class Problem(Schema):
    code: str
    message: str
    message_en: str


class SearchIn(Schema):
    q: str
    page: int = 1
    page_size: int = 50


#: Query parameters a search would use: refused on the list, whose URL ends up in access logs.
SEARCH_PARAMS = ("q", "nik", "name", "nama", "search", "cari")


def _out(p: Participant, views: FieldViews, today: dt.date) -> ParticipantOut:
    """One participant as ``views`` (the caller's policy over the participant's village) shows it."""
    shown = apply_record({"nik": p.nik, "name": p.name, "birth_date": p.birth_date, "sex": p.sex}, views)
    return ParticipantOut(
        id=p.public_hex, nik=shown["nik"], name=shown["name"], birth_date=shown["birth_date"],
        birth_year=shown["birth_year"], sex=shown["sex"], desa=p.desa_id, segment=p.segment, ecosystem=p.ecosystem,
        village_role=p.village_role, payer=p.payer, programs=p.programs, paid_through=p.paid_through,
        status="aktif" if is_active(p.paid_through, today, settings.UCJ_LAPSE_MONTHS) else "nonaktif",
        employer_sector=p.employer_sector, employer_size=p.employer_size,
    )  # fmt: skip


@router.get("/participants", response={200: ParticipantPage, 400: Problem})
def list_participants(
    request: HttpRequest, region: str = "", segment: str = "", ecosystem: str = "", status: str = "",
    page: int = 1, page_size: int = 50,
) -> Any:  # fmt: skip
    """Participants in the caller's regions, in registration order, shown as the caller's listing policy says
    (NIKs always masked; docs/privacy.md); ``count`` is exact up to 100,000 (``count_capped`` says when it is a
    lower bound). Searching is ``POST /participants/search``: a NIK in a URL would reach the access logs."""
    if any(request.GET.get(k) for k in SEARCH_PARAMS):
        return Status(400, {"code": "SEARCH_BY_POST", "message": "Pencarian lewat POST /api/v1/participants/search.",
                            "message_en": "Search with POST /api/v1/participants/search."})  # fmt: skip
    today = timezone.localdate()
    qs = visible(Participant.objects.all(), request.user)
    if region:
        code = normalize_code(region)
        if code is None:
            raise Http404
        qs = qs.filter(in_region("desa_id", code, villages_only=True))
    if segment:
        qs = qs.filter(segment=segment)
    if ecosystem:
        qs = qs.filter(ecosystem=ecosystem)
    if status == "aktif":
        qs = qs.active_on(today)
    elif status == "nonaktif":
        qs = qs.inactive_on(today)
    return _page(request, qs, page, page_size, today)


def _page(request: HttpRequest, qs: Any, page: int, page_size: int, today: dt.date) -> dict[str, Any]:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(page, 1)
    items = list(qs.order_by("id")[(page - 1) * page_size : page * page_size])
    scope = scope_for(request.user)
    count, capped = capped_count(qs, API_COUNT_CAP)
    return {
        "count": count,
        "count_capped": capped,
        "page": page,
        "page_size": page_size,
        "items": [_out(p, views_for(scope, p.desa_id, "listing"), today) for p in items],
    }


@router.post("/participants/search", response={200: ParticipantPage, 400: Problem, 403: Problem, 429: Problem})
def search_participants(request: HttpRequest, body: SearchIn) -> Any:
    """Find participants by a full 16-digit NIK or part of a name, only among people the caller sees in full
    (prefixes of a NIK are refused); rate-limited (``UCJ_SEARCH_RATE``) and audited without the term. Results
    are a list: NIKs masked. The term travels in the body, never in the URL."""
    term = body.q[:100]  # as the page's form
    outcome = run_search(request, request.user, term, via="api")
    if isinstance(outcome, Refusal):
        return Status(outcome.status, {"code": outcome.code, "message": outcome.message,
                                       "message_en": outcome.message_en})  # fmt: skip
    qs = search_filter(visible(Participant.objects.all(), request.user), request.user, term)
    return _page(request, qs, body.page, body.page_size, timezone.localdate())


@router.get("/participants/{participant_id}", response=ParticipantOut)
def get_participant(request: HttpRequest, participant_id: str) -> ParticipantOut:
    """One participant by opaque id; the full NIK for roles that need it (the read is audited)."""
    p = visible(Participant.objects.by_public_id(participant_id), request.user).first()
    if p is None:
        raise Http404
    views = views_for(request.user, p.desa_id, "record")
    if views.full_nik:
        audit.record("participant_view", request=request, object_type="participant", object_id=p.public_hex,
                     region_code=p.desa_id, summary="api")  # fmt: skip
    return _out(p, views, timezone.localdate())


class RepeatProblem(Schema):
    code: str
    message: str
    message_en: str
    batch_id: int


@router.post("/imports/roster", response={200: dict[str, Any], 400: Problem, 403: Problem, 409: RepeatProblem,
                                          413: Problem, 429: Problem})  # fmt: skip
def post_roster(
    request: HttpRequest, file: File[UploadedFile | None] = None, region: Form[str] = "",
    dry_run: Form[bool] = False, again: Form[bool] = False,
) -> Any:  # fmt: skip
    """Validate and load a roster synchronously; the body is the same report as ``ucj import roster --json``.
    A file whose content was already imported into a batch the caller can see is refused with 409 and that
    batch's id unless ``again=true``; a file over ``UCJ_MAX_UPLOAD_MB`` is a 413."""
    if not scope_for(request.user).can(REGISTRY_WRITE_ROLES):
        raise PermissionDenied
    if getattr(request, "upload_too_large", False):  # the upload handler stopped reading the body
        f = Finding(row=0, column="", code="FILE_TOO_LARGE", value=f"> {settings.UCJ_MAX_UPLOAD_MB} MB")
        return Status(413, {"code": f.code, "message": f.message("id"), "message_en": f.message("en")})
    if file is None:
        return Status(400, {"code": "FILE_MISSING", "message": "Berkas tidak dikirim (field 'file').",
                            "message_en": "No file was sent (field 'file')."})  # fmt: skip
    try:
        report = import_roster(
            file.read(), file.name or "upload", user=request.user, region=region or None, dry_run=dry_run,
            request=request, refuse_repeat=not again,
        )  # fmt: skip
    except DuplicateFile as err:
        return Status(409, {"code": "FILE_ALREADY_IMPORTED", "message": str(err), "message_en": str(err),
                            "batch_id": err.earlier.pk})  # fmt: skip
    except RosterFileError as err:
        f = err.finding
        status = 413 if f.code == "FILE_TOO_LARGE" else 400
        return Status(status, {"code": f.code, "message": f.message("id"), "message_en": f.message("en")})
    except ImportThrottled as err:
        return Status(429, {"code": "RATE_LIMITED", "message": str(err), "message_en": str(err)})
    except ImportRefused as err:
        return Status(403, {"code": "REFUSED", "message": str(err), "message_en": str(err)})
    return Status(200, report.as_json())


class WorkerIn(Schema):
    """One worker, as the one-worker form takes it: text as a roster row would hold it (the roster's rules
    decide what it means)."""

    nik: str
    name: str
    village_code: str
    birth_date: dt.date | None = None
    sex: str = ""
    position: str = ""
    segment: str = ""
    income: str = ""
    phone: str = ""
    address: str = ""
    kpj: str = ""


@router.post("/participants", response={201: dict[str, Any], 400: dict[str, Any], 403: Problem})
def add_worker(request: HttpRequest, body: WorkerIn) -> Any:
    """Add one worker (or update the one registered under the NIK in the caller's regions) through the roster
    import's checks and write path (``services.add_participant``): 201 with the import report and the person's
    id, 400 with the report's findings when the row is rejected (nothing is stored)."""
    code = normalize_code(body.village_code) or ""
    if code.count(".") != 3 or not scope_for(request.user).can(REGISTRY_WRITE_ROLES, code):
        return Status(403, {"code": "REFUSED", "message": "Desa ini di luar wilayah Anda.",
                            "message_en": "This village lies outside your regions."})  # fmt: skip
    try:
        report = add_participant(body.dict(), user=request.user, desa=code, request=request)
    except ImportRefused as err:
        return Status(403, {"code": "REFUSED", "message": str(err), "message_en": str(err)})
    if report.rejected:
        return Status(400, report.as_json())
    person = Participant.objects.filter(source_batch_id=report.batch_id).first()
    return Status(201, {**report.as_json(), "participant_id": person.public_hex if person else None})


class BatchOut(Schema):
    id: int
    file_name: str
    status: str
    progress: int
    region: str | None
    rows: int
    accepted: int
    updated: int
    rejected: int
    warnings: int
    error_code: str
    created_at: dt.datetime


@router.get("/imports/{batch_id}", response=BatchOut)
def get_batch(request: HttpRequest, batch_id: int) -> BatchOut:
    scope = scope_for(request.user)
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or not (batch.user_id == request.user.pk or scope.covers(batch.region_id)):
        raise Http404
    return BatchOut(
        id=batch.pk, file_name=batch.file_name, status=batch.status, progress=batch.progress,
        region=batch.region_id, rows=batch.rows, accepted=batch.accepted, updated=batch.updated,
        rejected=batch.rejected, warnings=batch.warnings, error_code=batch.error_code, created_at=batch.created_at,
    )  # fmt: skip
