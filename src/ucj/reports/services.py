"""Report operations: gather the dashboard's figures, build and render a report, issue it into the archive,
render it in the background, read it back. Pages, the API, the CLI and the scheduled job call these.

**Same numbers as the dashboard.** Every figure comes from :func:`ucj.coverage.services.coverage` (the cached
answer of the published data version) arranged by the dashboard's own helpers in :mod:`ucj.coverage.views`
(ranked rows, the unallocated row, trend, ecosystems, payers, target year) — nothing is recomputed here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext

from ucj.accounts import audit
from ucj.accounts.models import Role
from ucj.accounts.scoping import scope_for
from ucj.coverage.indicator import headline_targets, screen_year
from ucj.coverage.models import Definition
from ucj.coverage.services import coverage, published
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Level, Region, in_region
from ucj.reports import content, optional
from ucj.reports.models import IssuedReport
from ucj.reports.version import report_version

log = logging.getLogger(__name__)

#: Roles that may issue reports (render into the archive) for their regions; every role that sees a region
#: (viewers too) may read its issued reports.
ISSUE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.BPJS})
#: Reports are made for a province (with its kab/kota) or a kab/kota (with its kecamatan).
REPORT_LEVELS = (1, 2)
LANGS = ("id", "en")
#: Payers whose bills are budget realisation (public money; domain.md §2, §6 "APBDes sources").
PUBLIC_PAYERS = ("apbn", "apbd_provinsi", "apbd_kabkota", "apbdes")
REPORTS_DIR = "reports"  # under settings.DATA_DIR
#: A report still queued or rendering after this long was left by a dead worker: it is failed, so issuing it again
#: renders a new one instead of returning the stuck row (a province PDF takes seconds to a minute).
STALE_AFTER = dt.timedelta(minutes=30)
Progress = Callable[[str, int], None]


class ReportRefused(ValueError):
    """Not for this user or input: ``status`` 404 (region hidden), 403 (may not issue) or 422 (bad input); the
    message is bilingual."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


# --- who may ask for what -----------------------------------------------------------------------------------


def check_region(user: Any, code: str | None, *, issue: bool = False) -> str:
    """The dotted code of a province or kab/kota the user may see (``issue``: may issue reports for); 404 for a
    region outside the user's regions or unknown (its existence does not leak), 403 for a role that may only
    read. ``user`` None is the command line or the scheduled job: everywhere."""
    normal = normalize_code(code or "")
    scope = scope_for(user) if user is not None else None
    if normal is None or (scope is not None and not scope.covers(normal)):
        raise ReportRefused("Wilayah tidak ditemukan / region not found", 404)
    if not Region.objects.filter(code=normal).exists():
        raise ReportRefused("Wilayah tidak ditemukan / region not found", 404)
    if level_of(normal) not in REPORT_LEVELS:
        raise ReportRefused("Laporan dibuat untuk provinsi atau kabupaten/kota / reports are made for a province "
                            f"or a regency/city: {normal}")  # fmt: skip
    if issue and scope is not None and not scope.can(ISSUE_ROLES, normal):
        raise ReportRefused("Peran Anda hanya dapat membaca laporan yang sudah terbit / your role may only read "
                            "issued reports", 403)  # fmt: skip
    return normal


def report_regions(user: Any) -> list[tuple[str, str]]:
    """Provinces and kab/kota the user may see, for the page's region list."""
    scope = scope_for(user)
    qs = Region.objects.filter(level__in=REPORT_LEVELS).order_by("code")
    if not scope.everywhere:
        qs = qs.filter(scope.region_q("code"))
    return list(qs.values_list("code", "name"))


def check_input(kind: str, fmt: str, lang: str) -> None:
    if kind not in IssuedReport.Kind.values:
        raise ReportRefused(f"jenis / kind: {kind} ({', '.join(IssuedReport.Kind.values)})")
    if fmt not in IssuedReport.Format.values:
        raise ReportRefused(f"format: {fmt} ({', '.join(IssuedReport.Format.values)})")
    if kind == IssuedReport.Kind.INDICATOR and fmt != IssuedReport.Format.XLSX:
        raise ReportRefused("Lembar indikator hanya xlsx / the indicator sheet is xlsx only")
    if lang not in LANGS:
        raise ReportRefused(f"bahasa / lang: {lang} (id, en)")


# --- gathering the figures ----------------------------------------------------------------------------------


def synthetic_data() -> bool:
    """Whether synthetic (demo) denominators, targets or feeds are loaded: the report carries the demo's mark."""
    from ucj.coverage.templatetags.coverage_tags import synthetic_data as flag

    return bool(flag())


def realisation(code: str, month: dt.date) -> list[dict[str, Any]]:
    """The public payers' bills of ``month``'s year up to ``month`` inside the region: bills, participant-months,
    amount billed and paid (one grouped query)."""
    from ucj.contributions.models import Bill
    from ucj.registry.models import Payer

    rows = (Bill.objects.filter(in_region("region_id", code), payer__in=PUBLIC_PAYERS,
                                month__gte=month.replace(month=1), month__lte=month)
            .values("payer").order_by("payer")
            .annotate(bills=Count("pk"), months=Sum("months"), billed=Sum("total"),
                      paid=Sum("total", filter=Q(status=Bill.Status.PAID))))  # fmt: skip
    labels = {p.value: str(p.label) for p in Payer}
    return [{"payer": r["payer"], "label": labels.get(r["payer"], r["payer"]), "bills": r["bills"],
             "months": r["months"] or 0, "billed": r["billed"] or 0, "paid": r["paid"] or 0,
             "paid_rate": round(100 * (r["paid"] or 0) / r["billed"], 2) if r["billed"] else None}
            for r in rows]  # fmt: skip


def plans(code: str, month: dt.date) -> list[dict[str, Any]]:
    """Saved budget scenarios of the region for the report's year and the next (the budget being prepared)."""
    from ucj.planning.models import Scenario
    from ucj.planning.services import compare

    saved = Scenario.objects.filter(region_id=code, year__in=[month.year, month.year + 1]).order_by("year", "pk")
    return compare(list(saved))


def gather(code: str, month: dt.date, lang: str, version: str = "") -> content.Inputs:
    """The figures of one report, from the dashboard's services, labelled in ``lang`` (call under
    ``translation.override(lang)``); ``version``: the report's data version read before (shown in the report)."""
    from ucj.coverage import views as dash

    result = coverage(code, None, month, Definition.ELIGIBLE)
    top = result["region"]
    year = screen_year(top)
    rows = dash.ranked(result["children"], year)
    headline = headline_targets(top, year)  # the dashboard's headline targets (the closing year in December)
    status = dash.status_of(top, year)
    child_level = level_of(code) + 1  # the dashboard's default table: the next level down
    cov_version = published()
    return content.Inputs(
        result=result, rows=rows, rest=dash.unallocated_row(result), trend=dash.trend(top),
        ecosystems=dash.ecosystem_rows(top), payers=dash.payer_rows(top), headline=headline, screen_year=year,
        status_label=str(dash.STATUS_LABELS[status]), source_label=str(dash.SOURCE_LABELS.get(top["source"], "")),
        definition_label=str(Definition(top["definition"]).label), child_level=str(Level(child_level).label).lower(),
        geo=dash.map_data(code, [c["region"] for c in result["children"]]), plans=plans(code, month),
        realisation=realisation(code, month), synthetic=synthetic_data(),
        data_version=version or str(cov_version["id"]),
        data_time=str(result.get("data_time") or cov_version.get("data_time") or ""),
        scorecard=optional.scorecard(code, month), funnel=optional.funnel(code, month),
        stage_labels=optional.stage_labels(),
    )  # fmt: skip


_shared: dict[tuple[str, dt.date, str, str], content.Report] | None = None


@contextmanager
def shared_builds() -> Iterator[None]:
    """Inside this block a report built once (region, month, language, data version) is reused: the PDF and the
    xlsx of the monthly pack share one gathering (keyed by the report's data version, so a change in between
    is gathered afresh)."""
    global _shared
    _shared = {}
    try:
        yield
    finally:
        _shared = None


def build_monthly(code: str, month: dt.date, lang: str, progress: Progress | None = None,
                  version: str | None = None) -> content.Report:  # fmt: skip
    """The monthly report of a region as data, in ``lang``; ``version``: the report's data version read before
    gathering (read here when not given)."""
    step = progress or (lambda stage, pct: None)
    version = version or report_version()[0]
    key = (code, month, lang, version)
    if _shared is not None and key in _shared:
        return _shared[key]
    with translation.override(lang):
        step(gettext("mengumpulkan angka"), 10)
        inputs = gather(code, month, lang, version)
        step(gettext("menyusun bagian"), 40)
        report = content.build(inputs, lang, gettext)
    if _shared is not None:
        _shared[key] = report
    return report


def render(report: content.Report, fmt: str, progress: Progress | None = None) -> bytes:
    """The report as PDF or xlsx bytes."""
    if fmt == IssuedReport.Format.PDF:
        from ucj.reports.pdf import render_pdf

        return render_pdf(report, progress)
    from ucj.reports.workbook import monthly_workbook

    return monthly_workbook(report)


def make(kind: str, code: str, month: dt.date, fmt: str, lang: str, progress: Progress | None = None,
         version: str | None = None) -> bytes:  # fmt: skip
    """The bytes of a report (not stored): the monthly report, or the development-indicator sheet."""
    if kind == IssuedReport.Kind.INDICATOR:
        from ucj.reports.devsheet import indicator_workbook

        return indicator_workbook(code, month, lang, progress)
    report = build_monthly(code, month, lang, progress, version)
    return render(report, fmt, progress)


# --- the archive --------------------------------------------------------------------------------------------


def reports_dir() -> Path:
    """``UCJ_DATA_DIR/reports``, owner-only (0700)."""
    folder = Path(settings.DATA_DIR) / REPORTS_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def issue(user: Any, code: str | None, month: dt.date, *, kind: str = "monthly", fmt: str = "pdf",
          lang: str = "id", request: HttpRequest | None = None, background: bool = True,
          scheduled: bool = False) -> IssuedReport:  # fmt: skip
    """Issue a report into the archive (audited). When the same report (region, month, kind, format, language)
    was already issued on the current data version (:mod:`ucj.reports.version`: the coverage version and every
    other source the report reads) it is returned instead of a copy; after a change a new one is issued beside
    it. ``background``: queue the rendering in the worker (the caller follows ``status``/``progress``); else render
    now."""
    region = check_region(user, code, issue=True)
    check_input(kind, fmt, lang)
    fail_stale()
    version, markers = report_version()
    same = IssuedReport.objects.filter(region_id=region, month=month.replace(day=1), kind=kind, format=fmt, lang=lang,
                                       report_version=version).exclude(status=IssuedReport.Status.FAILED)  # fmt: skip
    found = same.order_by("-pk").first()
    if found is not None:
        return found
    report = IssuedReport.objects.create(
        region_id=region, month=month.replace(day=1), kind=kind, format=fmt, lang=lang,
        data_version=markers["coverage"], report_version=version, sources=markers, scheduled=scheduled,
        issued_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    audit.record("issue_report", actor=user, request=request, object_type="issued_report", object_id=report.pk,
                 region_code=region, summary=f"{kind} {region} {month:%Y-%m} {fmt} {lang}")  # fmt: skip
    if background:
        from ucj.reports.tasks import render_report

        render_report.enqueue(report.pk)  # a database queue sees it once this transaction commits
        report.refresh_from_db()
        return report
    return run(report.pk)


def fail_stale(now: dt.datetime | None = None) -> int:
    """Fail the reports a dead worker left queued or rendering (older than :data:`STALE_AFTER`)."""
    from ucj.notifications.services import report_finished

    now = now or timezone.now()
    stale = list(IssuedReport.objects.filter(
        status__in=[IssuedReport.Status.QUEUED, IssuedReport.Status.RUNNING], issued_at__lt=now - STALE_AFTER,
    ).values_list("pk", flat=True))  # fmt: skip
    failed = IssuedReport.objects.filter(pk__in=stale, status__in=[IssuedReport.Status.QUEUED,
                                                                   IssuedReport.Status.RUNNING]).update(
        status=IssuedReport.Status.FAILED, finished_at=now,
        error="Pembuatan laporan terhenti (worker mati); terbitkan lagi / rendering stopped (the worker died); "
              "issue it again")  # fmt: skip
    for pk in IssuedReport.objects.filter(pk__in=stale, status=IssuedReport.Status.FAILED,
                                          finished_at=now).values_list("pk", flat=True):  # fmt: skip
        report_finished(pk)  # whoever issued it was waiting for it
    return failed


def _progress(pk: int) -> Progress:
    def update(stage: str, pct: int) -> None:
        IssuedReport.objects.filter(pk=pk).update(stage=stage[:80], progress=max(0, min(100, pct)))

    return update


def run(pk: int, progress: Progress | None = None) -> IssuedReport:
    """Render a queued report and store it (the job's body; also called directly by the command line). The file
    is written owner-only under ``UCJ_DATA_DIR/reports``; once ``done`` the row never changes."""
    claimed = IssuedReport.objects.filter(pk=pk, status=IssuedReport.Status.QUEUED).update(
        status=IssuedReport.Status.RUNNING, progress=1)
    report = IssuedReport.objects.get(pk=pk)
    if not claimed:
        return report  # done, failed or taken by another run
    stored = _progress(pk)

    def step(stage: str, pct: int) -> None:
        stored(stage, pct)
        if progress is not None:
            progress(stage, pct)

    # The version the figures are read on: read again here, before gathering (the data may have changed while the
    # report waited in the queue; a change during gathering leaves the older version, so the next issue renders).
    version, markers = report_version()
    IssuedReport.objects.filter(pk=pk).update(report_version=version, sources=markers,
                                              data_version=markers["coverage"])  # fmt: skip
    try:
        data = make(report.kind, report.region_id, report.month, report.format, report.lang, step, version)
        digest = hashlib.sha256(data).hexdigest()
        name = f"{report.pk}-{digest[:16]}.{report.format}"
        from ucj.registry.jobs import write_private

        write_private(reports_dir() / name, data)
    except Exception as exc:
        log.exception("report %s failed", pk)
        IssuedReport.objects.filter(pk=pk).update(status=IssuedReport.Status.FAILED, finished_at=timezone.now(),
                                                  error=f"{type(exc).__name__}: {exc}"[:300])  # fmt: skip
        raise
    IssuedReport.objects.filter(pk=pk).update(
        status=IssuedReport.Status.DONE, progress=100, stage="", file=f"{REPORTS_DIR}/{name}", sha256=digest,
        size=len(data), finished_at=timezone.now(),
    )  # fmt: skip
    step("", 100)
    return IssuedReport.objects.get(pk=pk)


def visible(user: Any) -> QuerySet[IssuedReport]:
    """Issued reports of the regions the user sees (``user`` None: all)."""
    qs = IssuedReport.objects.all()
    if user is None:
        return qs
    return qs.filter(scope_for(user).region_q("region_id"))


def get_visible(user: Any, pk: int) -> IssuedReport:
    """One issued report the user may see; :class:`ReportRefused` 404 otherwise."""
    found = visible(user).filter(pk=pk).first()
    if found is None:
        raise ReportRefused("Laporan tidak ditemukan / report not found", 404)
    return found


def read(report: IssuedReport) -> bytes:
    """The stored bytes of a done report, checked against its SHA-256 (a changed file is refused)."""
    if report.status != IssuedReport.Status.DONE or not report.file:
        raise ReportRefused("Laporan belum selesai / the report is not ready", 409)
    data = (Path(settings.DATA_DIR) / report.file).read_bytes()
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise ReportRefused("Berkas laporan berubah sejak terbit / the report file changed since it was issued", 500)
    return data


def download(user: Any, pk: int, request: HttpRequest | None = None) -> tuple[IssuedReport, bytes]:
    """An issued report's bytes for a user who may see its region (audited)."""
    report = get_visible(user, pk)
    data = read(report)
    audit.record("download_report", actor=user, request=request, object_type="issued_report", object_id=report.pk,
                 region_code=report.region_id, summary=f"{report.file_name} sha256 {report.sha256[:16]}")  # fmt: skip
    return report, data
