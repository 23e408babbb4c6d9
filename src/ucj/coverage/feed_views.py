"""The BPJS participation feed on the web (issue 16 item 2): upload a feed (checked first, stored on "save", like a
roster upload), the feed loads with their findings, and which file and month a feed figure comes from.

The page calls :func:`ucj.coverage.feeds.import_feed`, the service the CLI and the API call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ucj.accounts.scoping import COVERAGE_WRITE_ROLES, scope_for
from ucj.coverage.feedcheck import FeedFileError, Finding
from ucj.coverage.feeds import FeedRefused, import_feed
from ucj.coverage.models import FeedBatch, FeedRow
from ucj.regions.codes import parent_of
from ucj.regions.models import in_region
from ucj.registry.forms import too_large_message
from ucj.registry.jobs import hold_upload, take_held_upload
from ucj.registry.uploads import max_upload_bytes

#: The session key of a checked feed waiting for "save" (its token and file name).
HELD_FEED_KEY = "coverage_held_feed"
#: Feed loads listed on the feed and imports pages.
LISTED = 20


class FeedUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Berkas umpan kepesertaan BPJS (.xlsx, .xls, .csv)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message())
        return upload


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def _writer(request: HttpRequest) -> None:
    if not scope_for(request.user).can(COVERAGE_WRITE_ROLES):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def feed_upload(request: HttpRequest) -> HttpResponse:
    """Upload a feed: checked at once (a dry run: counts, months, findings), stored only on "save"."""
    _writer(request)
    if request.method == "POST" and "token" in request.POST:
        return _save(request)
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        form = FeedUploadForm()
        messages.error(request, too_large_message())
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            report = import_feed(data, upload.name, user=request.user, dry_run=True, request=request)
        except FeedFileError as err:
            form.add_error("file", err.finding.message(_lang()))
        except FeedRefused as err:
            raise PermissionDenied from err
        else:
            _drop_held(request)
            token = hold_upload(data) if report.ok else ""
            request.session[HELD_FEED_KEY] = {"token": token, "name": upload.name[:255]}
            return render(request, "coverage/feed_preview.html",
                          {"report": report, "token": token, "findings": _shown(report.findings)})  # fmt: skip
    return render(request, "coverage/feed_upload.html",
                  {"form": form, "feeds": FeedBatch.objects.select_related("user")[:LISTED]})  # fmt: skip


def _save(request: HttpRequest) -> HttpResponse:
    held = request.session.pop(HELD_FEED_KEY, None) or {}
    data = take_held_upload(held.get("token", "")) if request.POST.get("token") == held.get("token") else None
    if "cancel" in request.POST or data is None:
        if "cancel" not in request.POST:
            messages.error(request, _("Unggahan itu sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect("coverage:feed_upload")
    try:
        report = import_feed(data, held.get("name") or "umpan", user=request.user, request=request)
    except FeedFileError as err:
        messages.error(request, err.finding.message(_lang()))
        return redirect("coverage:feed_upload")
    if not report.stored:  # the data changed between the check and the save (a region removed, ...)
        return render(request, "coverage/feed_preview.html",
                      {"report": report, "token": "", "findings": _shown(report.findings)})  # fmt: skip
    messages.success(request, _("Umpan dimuat: %(n)s baris.") % {"n": report.accepted})
    return redirect("coverage:feed", pk=report.batch_id)


def _drop_held(request: HttpRequest) -> None:
    held = request.session.pop(HELD_FEED_KEY, None) or {}
    if held.get("token"):
        take_held_upload(held["token"])  # deletes the held file


def _shown(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as the page lists them, in its language (feed files hold counts, no personal data)."""
    lang = _lang()
    return [{"row": f.row, "column": f.column, "severity": f.severity, "message": f.message(lang)} for f in findings]


def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One feed load: file, who, when, months, counts and its findings (aggregate data: every user may read it,
    as the dashboard shows its figures)."""
    batch = get_object_or_404(FeedBatch.objects.select_related("user"), pk=pk)
    lang = _lang()
    findings = [{**f, "message": f.get("message_en" if lang == "en" else "message", "")} for f in batch.findings]
    return render(request, "coverage/feed_detail.html", {"batch": batch, "findings": findings,
                  "can_upload": scope_for(request.user).can(COVERAGE_WRITE_ROLES)})  # fmt: skip


# --- where a feed figure comes from ------------------------------------------------------------------------


def feed_source(code: str, month: dt.date) -> dict[str, Any] | None:
    """The feed load behind ``code``'s figure for ``month``: the latest batch holding rows of that month for the
    region, one above it or one inside it (ucj.coverage.indicator's rule), or None. ``month`` is the month the
    figure is for, never "now": a feed that ends earlier does not label a later month."""
    ancestors = []
    parent = parent_of(code)
    while parent:
        ancestors.append(parent)
        parent = parent_of(parent)
    near = Q(region_id__in=ancestors) | in_region("region_id", code)
    row = (FeedRow.objects.filter(near, month=month).select_related("batch")
           .order_by("-batch__created_at", "-batch_id").first())  # fmt: skip
    if row is None:
        return None
    return {"month": month, "loaded": row.batch.created_at, "file_name": row.batch.file_name, "pk": row.batch_id}
