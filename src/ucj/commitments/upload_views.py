"""The village-institutions file upload (or any commitments workbook): checked first (a dry run through the
backend loader, nothing stored), then loaded on confirmation — all or nothing, like every other loader. The file
waits between the two steps where the roster upload keeps its own (``registry.jobs.hold_upload``: owner-only,
deleted when taken), its token in the session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ucj.commitments import loaders, pages
from ucj.commitments.filecheck import CommitmentFileError, Finding
from ucj.commitments.forms import UploadForm
from ucj.registry.forms import too_large_message
from ucj.registry.jobs import hold_upload, take_held_upload

#: Kinds a file may hold whose rows a non-administrator may write (national instruments are an administrator's).
LOADABLE = ("institution", "budget", "unit", "partner", "meeting", "action")
#: The session key of a checked file waiting for "load" (token and name).
HELD_KEY = "commitments_held_upload"


def _load(request: HttpRequest, data: bytes, name: str, *, dry_run: bool) -> dict[str, Any]:
    """The backend loader's answer for the page: rows per sheet, every finding (sheet, row, column, why) in the
    page's language, and whether the file is refused (then nothing was or will be stored)."""
    lang = "en" if pages.english() else "id"
    try:
        report = loaders.load_file(data, name, user=request.user, dry_run=dry_run, request=request)
    except CommitmentFileError as err:
        return {"refused": True, "rows": 0, "sheets": [], "findings": [_finding(err.finding, lang)]}
    return {"refused": not report.ok, "rows": sum(s.rows for s in report.sheets), "sheets": report.sheets,
            "findings": [_finding(f, lang) for f in report.findings], "stored": report.stored}  # fmt: skip


def _finding(finding: Finding, lang: str) -> dict[str, Any]:
    return {"sheet": finding.sheet, "row": finding.row or None, "column": finding.column,
            "severity": finding.severity, "message": finding.message(lang)}  # fmt: skip


def may_load(user: Any) -> bool:
    """Whether the user may load a commitments file at all (each row is still checked against their regions)."""
    return any(pages.may_add(user, kind) for kind in LOADABLE)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and check (nothing stored). Step 2 (``confirm``): load the file checked in step 1."""
    if not may_load(request.user):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "max_upload_mb": settings.UCJ_MAX_UPLOAD_MB}
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        return render(request, "commitments/upload.html", {**context, "upload_error": too_large_message()},
                      status=413)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = _load(request, data, upload.name, dry_run=True)
        _drop_held(request)
        if not result.get("refused"):
            request.session[HELD_KEY] = {"token": hold_upload(data), "name": upload.name[:200]}
        context.update(result=result, file_name=upload.name)
    return render(request, "commitments/upload.html", context)


def _confirm(request: HttpRequest) -> HttpResponse:
    held = request.session.pop(HELD_KEY, None) or {}
    data = take_held_upload(held.get("token", "")) if held.get("token") == request.POST.get("token") else None
    if data is None:
        messages.error(request, _("Berkas yang diperiksa sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect("commitments:upload")
    result = _load(request, data, held.get("name") or "upload", dry_run=False)
    if result.get("refused"):
        return render(request, "commitments/upload.html", {"form": UploadForm(), "result": result,
                      "file_name": held.get("name"), "max_upload_mb": settings.UCJ_MAX_UPLOAD_MB})  # fmt: skip
    messages.success(request, _("Berkas dimuat: %(n)s baris.") % {"n": result.get("rows", 0)})
    return redirect("commitments:institutions")


def _drop_held(request: HttpRequest) -> None:
    held = request.session.pop(HELD_KEY, None) or {}
    if held.get("token"):
        take_held_upload(held["token"])  # deletes the held file
