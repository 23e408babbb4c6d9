"""REST endpoints of coverage: the participation feed upload (``POST /api/v1/imports/feed``) and the indicator
(``GET /api/v1/coverage``, ``/coverage/map``, ``/coverage/export.xlsx``), scoped like the dashboard pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ucj.accounts.scoping import COVERAGE_WRITE_ROLES, scope_for
from ucj.coverage.feedcheck import FeedFileError
from ucj.coverage.feeds import FeedRefused, import_feed
from ucj.coverage.services import child_regions, coverage, coverage_json
from ucj.coverage.views import map_data, params_or_error, xlsx_response

router = Router(tags=["coverage"])


class Problem(Schema):
    code: str
    message: str
    message_en: str


@router.post("/imports/feed", response={200: dict[str, Any], 400: Problem, 403: Problem, 422: dict[str, Any]})
def post_feed(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> Any:
    """Validate and load a participation feed, all or nothing; the body is the same report as
    ``ucj import feed --json``. 200: stored (or a clean dry run); 422: rows rejected, nothing stored."""
    if not scope_for(request.user).can(COVERAGE_WRITE_ROLES):
        raise PermissionDenied
    try:
        report = import_feed(file.read(), file.name or "upload", user=request.user, dry_run=dry_run, request=request)
    except FeedFileError as err:
        f = err.finding
        return Status(400, {"code": f.code, "message": f.message("id"), "message_en": f.message("en")})
    except FeedRefused as err:
        return Status(403, {"code": "REFUSED", "message": str(err), "message_en": str(err)})
    return Status(422 if report.rejected else 200, report.as_json())


# --- the indicator ----------------------------------------------------------------------------------------


class TargetOut(Schema):
    year: int
    rate: float | None
    count: int | None
    source: str
    region: str
    gap: int | None
    surplus: int | None
    met: bool | None
    months_remaining: int | None
    pace_needed: int | None
    projected: int | None
    projected_rate: float | None
    reached: str | None


class IndicatorOut(Schema):
    region: str
    name: str
    as_of: str
    covered: int
    source: str
    definition: str
    denominator: int | None
    denominator_year: int | None
    denominator_source: str
    rate: float | None
    pace_3: float | None
    pace_6: float | None
    year_target: TargetOut | None
    next_target: TargetOut | None
    by_ecosystem: dict[str, dict[str, int | None]]
    by_segment: dict[str, dict[str, int | None]]
    by_payer: dict[str, dict[str, int | None]]
    vulnerable_covered: int
    vulnerable_total: int | None
    vulnerable_rate: float | None
    series: list[tuple[str, int]]
    notes: list[str]
    rate_note: str | None = None  # why ``rate`` is missing (no denominator at this level)


class UnallocatedOut(Schema):
    """Covered workers the children's level cannot place (BPJS's feed stops at kab/kota or province level):
    ``children`` + this row add up to ``region``."""

    covered: int
    source: str  # feed or registry
    level: int  # the children's level (2 kab/kota, 3 kecamatan, 4 desa)
    label: str
    label_en: str


class CoverageOut(Schema):
    as_of: str
    region: IndicatorOut
    children: list[IndicatorOut]
    unallocated: UnallocatedOut | None = None
    data_time: str | None = None  # ISO time the published version's data were read: how fresh the figures are
    latest_month: str | None = None  # YYYY-MM: the latest month with data when that version was published


class Detail(Schema):
    detail: str


def _params(request: HttpRequest, region: str, by: str, as_of: str, definition: str) -> Any:
    try:
        return params_or_error(scope_for(request.user), region, by, as_of, definition)
    except ValueError as err:
        return Status(422, {"detail": str(err)})


@router.get("/coverage", response={200: CoverageOut, 404: Detail, 422: Detail}, url_name="coverage")
def get_coverage(request: HttpRequest, region: str = "", by: str = "", as_of: str = "",
                 definition: str = "eligible") -> Any:  # fmt: skip
    """The coverage indicator of ``region`` (default: the caller's region) and of the regions below it (``by``
    kabkota, kecamatan or desa; default the next level) as of month ``as_of`` (YYYY-MM; default the latest
    month with data), on denominator ``definition`` (eligible, bps_employed, or bpu_universe: the Bappenas
    indicator 06.02.021, BPU participants ÷ the BPU universe). 404 outside the caller's
    regions. ``children`` plus ``unallocated`` (what cannot be placed at the children's level, e.g. BPJS's
    kab/kota feed under a kecamatan table) add up to ``region``. The same figures as ``ucj coverage --json``."""
    params = _params(request, region, by, as_of, definition)
    if isinstance(params, Status):
        return params
    body = coverage_json(params.code, params.by, params.as_of, params.definition)
    return HttpResponse(body, content_type="application/json")


@router.get("/coverage/map", response={200: dict[str, Any], 404: Detail, 422: Detail}, url_name="coverage_map")
def get_coverage_map(request: HttpRequest, region: str = "", by: str = "", as_of: str = "",
                     definition: str = "eligible") -> Any:  # fmt: skip
    """The boundaries of the regions below ``region`` as a GeoJSON FeatureCollection (``code`` and ``name``
    properties; no features when none are loaded) with ``centroids`` (code, name, lat, lng) for a map of
    proportional circles."""
    params = _params(request, region, by, as_of, definition)
    if isinstance(params, Status):
        return params
    return map_data(params.code, child_regions(params.code, params.by))


@router.get("/coverage/export.xlsx", response={200: None, 404: Detail, 422: Detail}, url_name="coverage_export")
def get_coverage_export(request: HttpRequest, region: str = "", by: str = "", as_of: str = "",
                        definition: str = "eligible") -> Any:  # fmt: skip
    """The coverage table (the region and its children ranked by rate), ecosystems and trend as an xlsx."""
    params = _params(request, region, by, as_of, definition)
    if isinstance(params, Status):
        return params
    response: HttpResponse = xlsx_response(coverage(params.code, params.by, params.as_of, params.definition))
    return response
