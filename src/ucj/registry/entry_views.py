"""Registry pages for a village operator's daily work (issue 16 item 3): add one worker with a form, see an
upload's outcome before it is stored (a dry run, then "save"), and fix rejected rows in the browser.

Every path ends in the roster import (ucj.registry.services): the form through ``add_participant``, the preview
through ``import_roster(dry_run=True)``, the fixed rows through the upload's confirmation and the worker."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, Scope, scope_for
from ucj.regions.codes import normalize_code
from ucj.regions.models import Region
from ucj.registry.columns import ALIASES
from ucj.registry.exports import cell_text, rejected_table
from ucj.registry.findings import shown_findings
from ucj.registry.forms import AddWorkerForm, ConfirmRepeatForm
from ucj.registry.issues import RosterFileError
from ucj.registry.jobs import hold_upload
from ucj.registry.models import Participant
from ucj.registry.reader import ORIGIN_BATCH_HEADER, ORIGIN_ROW_HEADER
from ucj.registry.reimport import batches_visible_to, earlier_import
from ucj.registry.services import ImportRefused, ImportThrottled, add_participant, import_roster

#: The session key of an upload waiting for confirmation (shared with ucj.registry.upload_views).
HELD_KEY = "registry_held_upload"
#: Findings listed on a preview (the counts are always complete).
PREVIEW_FINDINGS = 200
#: Rejected rows offered for fixing on one page (more: the rejected-rows workbook).
FIX_ROWS = 100


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


# --- one worker ----------------------------------------------------------------------------------------------


def own_villages(scope: Scope) -> list[tuple[str, str]]:
    """The desa/kelurahan the user writes for by a grant on the village itself (an operator: one)."""
    codes = sorted({c for r, c in scope.grants if r in REGISTRY_WRITE_ROLES and c and c.count(".") == 3})
    return list(Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))


@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest) -> HttpResponse:
    """Add one worker: the entry is checked and written like one roster row (services.add_participant); what
    was typed stays in the form with the findings next to their fields when the row is rejected."""
    scope = scope_for(request.user)
    if not scope.can(REGISTRY_WRITE_ROLES):
        raise PermissionDenied
    form = AddWorkerForm(request.POST or None, villages=own_villages(scope))
    if request.method == "POST" and form.is_valid():
        desa = normalize_code(form.cleaned_data["village_code"]) or ""
        if desa.count(".") != 3 or not scope.can(REGISTRY_WRITE_ROLES, desa):
            form.add_error("village_code", _("Desa ini di luar wilayah Anda."))
        else:
            try:
                report = add_participant(form.roster_values(), user=request.user, desa=desa, request=request)
            except ImportRefused:
                form.add_error("village_code", _("Desa ini di luar wilayah Anda."))
            else:
                if not report.rejected:
                    return _added(request, report, form.cleaned_data["nik"])
                _findings_to_fields(form, report.findings)
    return render(request, "registry/add.html", {"form": form})


def _added(request: HttpRequest, report: Any, nik: str) -> HttpResponse:
    lang = _lang()
    for finding in report.findings:
        messages.warning(request, finding.message(lang))
    messages.success(request, _("Data diperbarui: NIK ini sudah terdaftar di wilayah Anda.") if report.updated
                     else _("Pekerja ditambahkan."))  # fmt: skip
    person = Participant.objects.filter(nik=re.sub(r"\D", "", nik)).first()
    return redirect("registry:detail", public_id=person.public_hex) if person else redirect("registry:list")


def _findings_to_fields(form: AddWorkerForm, findings: list[Any]) -> None:
    """Each error of the rejected row beside the field it is about (the column header is the field's roster
    header, ucj.services.form_roster), the others above the form."""
    field_of = {ALIASES[name][0]: name for name in form.fields}
    lang = _lang()
    for finding in findings:
        if finding.severity != "error":
            continue
        name = field_of.get(finding.column)
        form.add_error(name if name in form.fields and name not in form.errors else None, finding.message(lang))


# --- preview before storing ----------------------------------------------------------------------------------


def preview_limit() -> int:
    """Uploads up to this size are previewed (a dry run in the request); larger ones go to the worker at once
    (the files parsed in-process, ``UCJ_PARSE_INPROCESS_MB``)."""
    return int(settings.UCJ_PARSE_INPROCESS_MB) * 1024 * 1024


def show_preview(request: HttpRequest, data: bytes, file_name: str, region: str | None,
                 back: str = "registry:upload") -> HttpResponse:  # fmt: skip
    """Run the import as a dry run, hold the file and show the outcome with "save" / "cancel"; the save goes
    through the upload page's confirmation (ucj.registry.upload_views)."""
    from ucj.registry.upload_views import drop_held

    drop_held(request)
    earlier = earlier_import(hashlib.sha256(data).hexdigest(), request.user)
    note = ""
    try:
        report = import_roster(data, file_name, user=request.user, region=region, dry_run=True, request=request)
    except RosterFileError as err:
        messages.error(request, err.finding.message(_lang()))
        return redirect(back)
    except ImportThrottled:
        report, note = None, _("Terlalu banyak uji coba impor dalam satu jam: hasilnya tidak dapat ditampilkan dulu. "
                                "Anda tetap dapat menyimpan impor; hasilnya tampil di halaman batch.")  # fmt: skip
    token = hold_upload(data)
    request.session[HELD_KEY] = {"token": token, "name": file_name[:255], "region": region,
                                 "repeat": earlier is not None}  # fmt: skip
    findings = report.findings[:PREVIEW_FINDINGS] if report else []
    views = views_for(request.user, region, "record")
    shown = shown_findings(findings, report.row_names if report else {}, views, _lang())
    return render(request, "registry/upload_preview.html", {
        "report": report, "shown": shown, "more": len(report.findings) - len(findings) if report else 0,
        "earlier": earlier, "confirm": ConfirmRepeatForm(initial={"token": token}, repeat=earlier is not None),
        "file_name": file_name, "note": note,
    })  # fmt: skip


# --- fix rejected rows in the browser ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows of a batch as editable cells; sent back, they are previewed and imported like the
    rejected-rows workbook (its origin columns ``UCJ baris``/``UCJ batch``, so an Excel-damaged NIK left as it
    was stays rejected: ucj.registry.reimport)."""
    batch = batches_visible_to(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    if not (scope_for(request.user).can(REGISTRY_WRITE_ROLES, batch.region_id)
            and views_for(request.user, batch.region_id, "export").full_nik):  # fmt: skip
        raise PermissionDenied
    headers, keep, rows = rejected_table(batch, FIX_ROWS)
    if request.method == "POST" and rows:
        wanted = {str(row) for row in request.POST.getlist("row")}
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow([*(headers[i] for i in keep), ORIGIN_ROW_HEADER, ORIGIN_BATCH_HEADER])
        for row, _cells, _reasons in rows:
            if str(row) in wanted:
                writer.writerow([*(request.POST.get(f"cell-{row}-{i}", "")[:2000] for i in keep), row, batch.pk])
        if not wanted:
            messages.error(request, _("Centang paling sedikit satu baris untuk dikirim ulang."))
            return redirect("registry:fix", pk=batch.pk)
        return show_preview(request, out.getvalue().encode(), f"perbaikan-batch-{batch.pk}.csv", batch.region_id,
                            back="registry:imports")  # fmt: skip
    table = [{"row": row, "reasons": reasons, "cells": [(i, cell_text(cells, i), headers[i]) for i in keep]}
             for row, cells, reasons in rows]  # fmt: skip
    return render(request, "registry/fix.html", {"batch": batch, "headers": [headers[i] for i in keep],
                  "rows": table, "more": max(batch.rejected - len(rows), 0)})  # fmt: skip
