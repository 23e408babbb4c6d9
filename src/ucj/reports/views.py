"""Pages of reports (``/laporan/``): issue a report (rendered in the background worker, with progress), the
archive of issued reports per region, and the download of an issued file (the bytes stored when it was issued).

Scoped through :mod:`ucj.reports.services` (``ucj.accounts.scoping``): a region outside the user's regions
answers 404, a read-only role asking to issue 403; anonymous users are sent to the login page by the
middleware. Downloads are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ucj import months
from ucj.accounts.scoping import scope_for
from ucj.coverage.services import latest_month
from ucj.reports import services
from ucj.reports.models import IssuedReport

CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


class IssueForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah"))
    month = forms.CharField(label=_("Bulan"), widget=forms.TextInput(attrs={"type": "month"}))
    kind = forms.ChoiceField(label=_("Jenis"), choices=IssuedReport.Kind.choices, initial="monthly")
    format = forms.ChoiceField(label=_("Format"), choices=IssuedReport.Format.choices, initial="pdf")
    lang = forms.ChoiceField(label=_("Bahasa"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [(c, f"{c} {n}") for c, n in regions]

    def clean_month(self) -> dt.date:
        try:
            return months.parse_month(self.cleaned_data["month"])
        except ValueError as err:
            raise forms.ValidationError(str(err)) from err


def _refused(err: services.ReportRefused) -> None:
    if err.status == 404:
        raise Http404 from err
    if err.status == 403:
        raise PermissionDenied(str(err)) from err


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The issue form and the archive of the regions the user sees (``?region=`` narrows it to one region)."""
    regions = services.report_regions(request.user)
    scope = scope_for(request.user)
    can_issue = any(scope.can(services.ISSUE_ROLES, code) for code, _name in regions)
    initial = {"month": f"{latest_month():%Y-%m}", "lang": (get_language() or "id")[:2],
               "region": regions[0][0] if regions else ""}  # fmt: skip
    form = IssueForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.issue(request.user, d["region"], d["month"], kind=d["kind"], fmt=d["format"],
                                    lang=d["lang"], request=request)  # fmt: skip
        except services.ReportRefused as err:
            _refused(err)
            form.add_error(None, str(err))
        else:
            return redirect("reports:detail", pk=report.pk)
    archive = services.visible(request.user).select_related("region", "issued_by")
    region = request.GET.get("region")
    if region:
        try:
            region = services.check_region(request.user, region)
        except services.ReportRefused as err:
            _refused(err)
        archive = archive.filter(region_id=region)
    return render(request, "reports/index.html", {"form": form, "archive": archive[:200], "can_issue": can_issue,
                                                  "regions": regions, "region": region})  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One issued report: its progress while it renders (the page polls itself), then its record and download."""
    try:
        report = services.get_visible(request.user, pk)
    except services.ReportRefused as err:
        raise Http404 from err
    template = "reports/_status.html" if request.headers.get("HX-Request") else "reports/detail.html"
    return render(request, template, {"report": report})


def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored bytes of an issued report (identical to what was issued; audited)."""
    try:
        report, data = services.download(request.user, pk, request)
    except services.ReportRefused as err:
        if err.status == 409:
            return redirect("reports:detail", pk=pk)
        raise Http404 from err
    response = HttpResponse(data, content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response
