"""REST endpoints of reports: issue a report (rendered in the background worker), follow its progress, list the
archive per region and download an issued file. Scoped like the pages (404 outside the caller's regions, 403 for
a read-only role issuing, 401 without authentication); issuing and downloading are audited."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from ucj import months
from ucj.reports import services
from ucj.reports.models import IssuedReport
from ucj.reports.views import CONTENT_TYPES

router = Router(tags=["laporan / reports"])


class IssueIn(Schema):
    region: str  # a province or kab/kota code, e.g. "16" or "16.06"
    month: str  # YYYY-MM
    kind: str = "monthly"  # monthly (the coordination report) or indicator (the development-indicator sheet)
    format: str = "pdf"  # pdf or xlsx (indicator: xlsx)
    lang: str = "id"  # id or en


class ReportOut(Schema):
    id: int
    region: str
    month: str
    kind: str
    format: str
    lang: str
    status: str  # queued, running, done, failed
    progress: int
    stage: str
    error: str
    sha256: str
    size: int
    data_version: str  # the coverage data version the figures were computed on
    report_version: str  # the report's data version: the coverage version and every other source it reads
    issued_by: str | None
    issued_at: str
    scheduled: bool
    file_url: str | None  # the download, once done


class Detail(Schema):
    detail: str


def out(report: IssuedReport) -> dict[str, Any]:
    done = report.status == IssuedReport.Status.DONE
    return {"id": report.pk, "region": report.region_id, "month": f"{report.month:%Y-%m}", "kind": report.kind,
            "format": report.format, "lang": report.lang, "status": report.status, "progress": report.progress,
            "stage": report.stage, "error": report.error, "sha256": report.sha256, "size": report.size,
            "data_version": report.data_version, "report_version": report.report_version,
            "issued_by": report.issued_by.username if report.issued_by else None,
            "issued_at": report.issued_at.isoformat(timespec="seconds"), "scheduled": report.scheduled,
            "file_url": f"/api/v1/reports/{report.pk}/file" if done else None}  # fmt: skip


def _problem(err: services.ReportRefused) -> Status:
    return Status(err.status if err.status in (403, 404, 409) else 422, {"detail": str(err)})


@router.post("/reports", response={202: ReportOut, 200: ReportOut, 403: Detail, 404: Detail, 422: Detail})
def post_report(request: HttpRequest, body: IssueIn) -> Any:
    """Issue a report for ``region`` and ``month``: 202 with the queued record while the worker renders it (follow
    ``GET /reports/{id}``), 200 once it is done. The same report (region, month, kind, format, language) already
    issued on the same data version is returned instead of a copy."""
    try:
        month = months.parse_month(body.month)
        report = services.issue(request.user, body.region, month, kind=body.kind, fmt=body.format, lang=body.lang,
                                request=request)  # fmt: skip
    except services.ReportRefused as err:
        return _problem(err)
    except ValueError as err:
        return Status(422, {"detail": str(err)})
    return Status(200 if report.status == IssuedReport.Status.DONE else 202, out(report))


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, region: str = "", month: str = "") -> Any:
    """Issued reports of the regions the caller sees, newest month first (``region``: that region only;
    ``month``: YYYY-MM)."""
    qs = services.visible(request.user).select_related("issued_by")
    if region:
        qs = qs.filter(region_id=region)
    if month:
        try:
            qs = qs.filter(month=months.parse_month(month))
        except ValueError:
            qs = qs.none()
    return [out(r) for r in qs[:500]]


@router.get("/reports/{report_id}", response={200: ReportOut, 404: Detail})
def get_report(request: HttpRequest, report_id: int) -> Any:
    """One issued report: status and progress while it renders, then its SHA-256 and download."""
    try:
        return out(services.get_visible(request.user, report_id))
    except services.ReportRefused as err:
        return _problem(err)


@router.get("/reports/{report_id}/file", response={200: None, 404: Detail, 409: Detail})
def get_report_file(request: HttpRequest, report_id: int) -> Any:
    """The issued file: exactly the bytes stored when it was issued (its SHA-256 is checked)."""
    try:
        report, data = services.download(request.user, report_id, request)
    except services.ReportRefused as err:
        return _problem(err)
    response = HttpResponse(data, content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response
