"""Commitment pages under ``/komitmen/``: the scorecard (ranked table, map, rule, xlsx), regulations with their PDF,
budget commitments with computed realisation, village institutions (table, edit, file upload), ecosystem units
and partners, meetings and follow-up actions.

Reads and writes go through :mod:`ucj.commitments.services` only, which scope every row
(:mod:`ucj.accounts.scoping`: 404 outside the user's regions) and refuse changes a role may not make
(:class:`~ucj.commitments.services.CommitmentForbidden` → 403). Buttons for changes a role cannot make are not
shown (:func:`services.can_edit`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form, model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts.scoping import scope_for
from ucj.commitments import forms, pages, services
from ucj.commitments.models import ApbdesSource, BudgetPayer, MandatedGroup, UnitKind, UnitSubtype
from ucj.commitments.scorecard import is_overdue
from ucj.planning.services import visible as visible_plans
from ucj.regions.codes import normalize_code
from ucj.regions.models import Region
from ucj.web.regionpicker import bind_region_field

# --- shared page machinery -----------------------------------------------------------------------------------


def _where(request: HttpRequest) -> pages.Place:
    """The region and year of a list page (403 for a user bound to no region: there is nothing to show)."""
    where = pages.place(request)
    if where is None:
        raise PermissionDenied(_("Akun Anda belum terikat ke wilayah mana pun — hubungi admin."))
    return where


def _list_context(request: HttpRequest, where: pages.Place, url_name: str) -> dict[str, Any]:
    crumbs = pages.breadcrumb(request, where, url_name)
    return {"where": where, "breadcrumb": crumbs, "region_name": crumbs[-1]["name"], "years": pages.years(where.year),
            "section": url_name.split(":")[1]}  # fmt: skip


def _form_page(request: HttpRequest, form: Form, *, title: str, save: Callable[[Any], Any], done: str,
               cancel: str, multipart: bool = False) -> HttpResponse:  # fmt: skip
    """Show ``form``; on a valid POST call ``save`` (a service call) and go to ``done``. A refusal of the service
    is shown above the form in the page's language (its message names the field and says why)."""
    if request.method == "POST" and form.is_valid():
        refusal = _attempt(lambda: save(form))
        if refusal is None:
            messages.success(request, _("Tersimpan."))
            return redirect(done)
        form.add_error(None, refusal)
    return render(request, "commitments/form.html",
                  {"form": form, "title": title, "cancel": cancel, "multipart": multipart})  # fmt: skip


def _attempt(call: Callable[[], Any]) -> str | None:
    """Run a service call: None when it went through, else why it was refused; a forbidden change is a 403."""
    try:
        call()
    except services.CommitmentForbidden as err:
        raise PermissionDenied(str(err)) from err
    except services.CommitmentRefused as err:
        return pages.in_page_language(str(err))
    return None


def _may_edit(request: HttpRequest, kind: str, region: str | None, **kw: Any) -> None:
    """403 unless the user may change rows of ``kind`` in ``region`` (the record itself is visible: else 404)."""
    if not services.can_edit(request.user, kind, region, **kw):
        raise PermissionDenied


def _choices_or_403(choices: list[Any]) -> list[Any]:
    if not choices:
        raise PermissionDenied
    return choices


def _back(url_name: str, region: str | None, year: int | None = None) -> str:
    query = "&".join(f"{k}={v}" for k, v in (("region", region), ("year", year)) if v)
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)


def _initial(row: Any, fields: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """A stored row as form values (foreign keys as their code or id)."""
    return {**model_to_dict(row, fields=list(fields)), **extra}


# --- scorecard -----------------------------------------------------------------------------------------------


def overview(request: HttpRequest) -> HttpResponse:
    """The scorecard of the user's region (``?region=&year=``): the region's own status, its children ranked with
    drill-down (kab/kota → kecamatan → desa), the map coloured by status, the rule."""
    where = pages.place(request)
    if where is None:
        return render(request, "commitments/overview.html", {"no_region": True, "section": "overview"})
    card = services.scorecard(request.user, where.code, where.year, by=where.by)
    rows = pages.ranked(card.get("children") or [])
    url = reverse("commitments:overview")
    for r in rows:
        r["url"] = f"{url}?{where.query(region=r['code'])}"
    return render(request, "commitments/overview.html", {
        **_list_context(request, where, "commitments:overview"), "top": pages.row(card["region"]), "rows": rows,
        "rules": pages.rule_rows(), "map": pages.map_block(where, rows, "commitments:overview") if rows else None,
        "export_url": f"{reverse('commitments:export')}?{where.query()}", "looks": pages.STATUS_LOOK,
    })  # fmt: skip


def export(request: HttpRequest) -> HttpResponse:
    """The scorecard shown on the page as an xlsx."""
    where = _where(request)
    return pages.xlsx_response(services.scorecard(request.user, where.code, where.year, by=where.by), where.year)


# --- regulations ---------------------------------------------------------------------------------------------

INSTRUMENT_FIELDS = ("region", *forms.InstrumentForm.model_fields)


def instruments(request: HttpRequest) -> HttpResponse:
    """Regulations of the region, the regions above it and the national reference rows."""
    where = _where(request)
    groups = dict(MandatedGroup.choices)
    rows = [{"i": row, "groups": ", ".join(str(groups.get(g, g)) for g in row.groups or []),
             "editable": services.can_edit(request.user, "instrument", row.region_id)}
            for row in services.visible_instruments(request.user, where.code).select_related("region")]  # fmt: skip
    return render(request, "commitments/instruments.html", {
        **_list_context(request, where, "commitments:instruments"), "rows": rows,
        "can_add": pages.may_add(request.user, "instrument"),
    })  # fmt: skip


def _instrument_regions(request: HttpRequest) -> list[tuple[str, str]]:
    regions = pages.region_choices(request.user, "instrument", deepest=2)
    if services.can_edit(request.user, "instrument", None):  # national reference rows: administrators
        regions = [("", _("Nasional (rujukan untuk semua wilayah)")), *regions]
    return _choices_or_403(regions)


def _document(form: Form) -> services.Document | None:
    upload = form.cleaned_data.get("document")
    return services.Document(content=upload.read(), name=upload.name) if upload else None


def _region_value(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "region": values.get("region") or None}


def _instrument_form(request: HttpRequest, initial: dict[str, Any], stored: str = "") -> forms.InstrumentForm:
    """The regulation form: its region picked in the tree down to a desa of the user's regions (a Perdes is the
    desa's own); the service decides whether the user may add one there and of that kind."""
    form = forms.InstrumentForm(request.POST or None, request.FILES or None, regions=_instrument_regions(request),
                                initial=initial, stored=stored)  # fmt: skip
    bind_region_field(form, "region", scope_for(request.user))
    return form


@require_http_methods(["GET", "POST"])
def instrument_new(request: HttpRequest) -> HttpResponse:
    regions = _instrument_regions(request)
    asked = normalize_code(request.GET.get("region", "")) or ""
    may = bool(asked) and services.can_edit(request.user, "instrument", asked)  # e.g. a desa from its own list
    form = _instrument_form(request, {"region": asked if may else regions[0][0]})
    region = form.data.get("region") or asked or None
    return _form_page(
        request,
        form,
        title=_("Tambah regulasi"),
        multipart=True,
        save=lambda f: services.create_instrument(
            request.user, _region_value(f.values()), document=_document(f), request=request
        ),
        done=_back("commitments:instruments", region),
        cancel=_back("commitments:instruments", region),
    )


@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = services.get_instrument(request.user, pk)
    _may_edit(request, "instrument", row.region_id)
    form = _instrument_form(request, _initial(row, INSTRUMENT_FIELDS, region=row.region_id or ""),
                            stored=row.document_name if row.document_path else "")  # fmt: skip

    def save(f: Any) -> None:
        services.update_instrument(request.user, pk, _region_value(f.values()), document=_document(f),
                                   request=request)  # fmt: skip
        if f.cleaned_data.get("remove_document"):
            services.remove_document(request.user, pk, request=request)

    back = _back("commitments:instruments", row.region_id)
    return _form_page(request, form, title=_("Ubah regulasi"), multipart=True, save=save, done=back, cancel=back)


def instrument_document(request: HttpRequest, pk: int) -> FileResponse:
    """The stored PDF, for those who see the instrument's region (404 otherwise)."""
    path, name = services.instrument_document(request.user, pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- budget commitments --------------------------------------------------------------------------------------

BUDGET_FIELDS = ("region", *forms.BudgetForm.model_fields)


def budgets(request: HttpRequest) -> HttpResponse:
    """Budget commitments of the region and below for a year, with realisation computed from paid bills."""
    where = _where(request)
    rows = services.budget_rows(request.user, where.code, where.year)
    names = dict(Region.objects.filter(code__in={r["region"] for r in rows}).values_list("code", "name"))
    payers, sources = dict(BudgetPayer.choices), dict(ApbdesSource.choices)
    pools: dict[tuple[str, str], int] = {}  # rows sharing a pool (one bill payer in one region) share its realisation
    for row in rows:
        row["editable"] = services.can_edit(request.user, "budget", row["region"], payer=row["payer"])
        row.update(region_name=f"{row['region']} {names.get(row['region'], '')}", payer_label=payers[row["payer"]],
                   source_label=sources.get(row["source"], ""))  # fmt: skip
        pools[(row["region"], row["pool"]["bill_payer"])] = row["pool"]["realised"]
    totals = {k: sum(r[k] or 0 for r in rows) for k in ("allocated", "workers")}
    totals["realised"] = sum(pools.values())
    totals["absorption_pct"] = pages.share(totals["realised"], totals["allocated"])
    return render(request, "commitments/budgets.html", {
        **_list_context(request, where, "commitments:budgets"), "rows": rows, "totals": totals,
        "can_add": pages.may_add(request.user, "budget"),
    })  # fmt: skip


def _budget_form(request: HttpRequest, initial: dict[str, Any]) -> forms.BudgetForm:
    regions = _choices_or_403(pages.region_choices(request.user, "budget", deepest=2))
    payers = [(p, str(label)) for p, label in BudgetPayer.choices
              if any(services.can_edit(request.user, "budget", code, payer=p) for code, _label in regions)]  # fmt: skip
    scenarios = [(s.pk, f"{s.name} ({s.region_id}, {s.year})") for s in visible_plans(request.user)[:200]]
    return forms.BudgetForm(request.POST or None, regions=regions, payers=payers, scenarios=scenarios,
                            initial=initial)  # fmt: skip


@require_http_methods(["GET", "POST"])
def budget_new(request: HttpRequest) -> HttpResponse:
    where = _where(request)
    form = _budget_form(request, {"region": where.code, "year": where.year})
    region = form.data.get("region") or where.code
    return _form_page(request, form, title=_("Tambah komitmen anggaran"),
                      save=lambda f: services.create_budget(request.user, f.values(), request=request),
                      done=_back("commitments:budgets", region, where.year),
                      cancel=_back("commitments:budgets", where.code, where.year))  # fmt: skip


@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = services.get_budget(request.user, pk)
    _may_edit(request, "budget", row.region_id, payer=row.payer)
    initial = _initial(row, BUDGET_FIELDS, region=row.region_id, allocated=f"{row.allocated:,}".replace(",", "."))
    form = _budget_form(request, initial)
    back = _back("commitments:budgets", row.region_id, row.year)
    return _form_page(
        request,
        form,
        title=_("Ubah komitmen anggaran"),
        save=lambda f: services.update_budget(request.user, pk, f.values(), request=request),
        done=back,
        cancel=back,
    )


# --- village institutions ------------------------------------------------------------------------------------


def institutions(request: HttpRequest) -> HttpResponse:
    """Positions vs registered/active per role, per desa, summed to kecamatan, kab/kota and province."""
    where = _where(request)
    table = services.institutions_table(request.user, where.code, by=where.by)
    url = reverse("commitments:institutions")
    rows = [pages.row({**c, "status": ""}) for c in table.get("children") or []]
    for r in rows:
        r["url"] = f"{url}?{where.query(region=r['code'])}"
        r["editable"] = where.by == "desa" and services.can_edit(request.user, "institution", r["code"])
    top = pages.row({**table["region"], "status": ""})
    return render(request, "commitments/institutions.html", {
        **_list_context(request, where, "commitments:institutions"), "top": top, "rows": rows,
        "is_desa": where.by is None, "can_edit_top": where.by is None and services.can_edit(
            request.user, "institution", where.code),
        "can_upload": pages.may_add(request.user, "institution"),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, desa: str) -> HttpResponse:
    """The village operator (or the kab/kota) types the positions of one desa."""
    if not scope_for(request.user).covers(desa) or not Region.objects.filter(code=desa, level=4).exists():
        raise Http404
    _may_edit(request, "institution", desa)
    try:
        initial = _initial(services.get_institution(request.user, desa), forms.InstitutionForm.model_fields)
    except Http404:  # inside the user's regions (checked above): the village has not reported its positions yet
        initial = {}
    form = forms.InstitutionForm(request.POST or None, desa=desa, initial=initial)
    back = _back("commitments:institutions", desa)
    return _form_page(request, form, title=_("Jabatan kelembagaan desa %(code)s") % {"code": desa},
                      save=lambda f: services.set_institution(request.user, desa, f.values(), request=request),
                      done=back, cancel=back)  # fmt: skip


# --- ecosystem units and partners ----------------------------------------------------------------------------

UNIT_FIELDS = ("desa", *forms.UnitForm.model_fields)
PARTNER_FIELDS = ("region", *forms.PartnerForm.model_fields)


def units(request: HttpRequest) -> HttpResponse:
    """Markets, UMKM groups, cooperatives, fishermen's and farmers' groups with workers known vs covered, and the
    partners with their agreements."""
    where = _where(request)
    rows = services.unit_rows(request.user, where.code)
    names = dict(Region.objects.filter(code__in={r["desa"] for r in rows}).values_list("code", "name"))
    kinds, subtypes = dict(UnitKind.choices), dict(UnitSubtype.choices)
    for row in rows:
        row.update(
            editable=services.can_edit(request.user, "unit", row["desa"]),
            desa_name=names.get(row["desa"], ""),
            kind_label=kinds.get(row["kind"], row["kind"]),
            subtype_label=subtypes.get(row["subtype"] or "", ""),
        )
    partners = [{"p": p, "editable": services.can_edit(request.user, "partner", p.region_id)}
                for p in services.visible_partners(request.user, where.code).select_related("unit")]  # fmt: skip
    return render(request, "commitments/units.html", {
        **_list_context(request, where, "commitments:units"), "rows": rows, "partners": partners,
        "can_add_unit": pages.may_add(request.user, "unit"),
        "can_add_partner": pages.may_add(request.user, "partner"),
    })  # fmt: skip


def _unit_save(request: HttpRequest, pk: int | None) -> Callable[[Any], Any]:
    def save(form: Any) -> Any:
        if not services.can_edit(request.user, "unit", form.cleaned_data["desa"]):
            raise services.CommitmentForbidden(_("Desa di luar wilayah Anda."))
        if pk is None:
            return services.create_unit(request.user, form.values(), request=request)
        return services.update_unit(request.user, pk, form.values(), request=request)

    return save


@require_http_methods(["GET", "POST"])
def unit_new(request: HttpRequest) -> HttpResponse:
    where = _where(request)
    if not pages.may_add(request.user, "unit"):
        raise PermissionDenied
    form = forms.UnitForm(request.POST or None, initial={"desa": where.code if where.by is None else ""})
    back = _back("commitments:units", where.code)
    return _form_page(request, form, title=_("Tambah unit ekosistem"), save=_unit_save(request, None), done=back,
                      cancel=back)  # fmt: skip


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = services.get_unit(request.user, pk)
    _may_edit(request, "unit", row.desa_id)
    form = forms.UnitForm(request.POST or None, initial=_initial(row, UNIT_FIELDS, desa=row.desa_id))
    back = _back("commitments:units", row.desa_id)
    return _form_page(request, form, title=_("Ubah unit ekosistem"), save=_unit_save(request, pk), done=back,
                      cancel=back)  # fmt: skip


def _partner_form(request: HttpRequest, initial: dict[str, Any]) -> forms.PartnerForm:
    regions = _choices_or_403(pages.region_choices(request.user, "partner", deepest=2))
    units = [(u.pk, f"{u.name} ({u.desa_id})") for u in services.visible_units(request.user)[:500]]
    return forms.PartnerForm(request.POST or None, regions=regions, units=units, initial=initial)


@require_http_methods(["GET", "POST"])
def partner_new(request: HttpRequest) -> HttpResponse:
    where = _where(request)
    form = _partner_form(request, {"region": where.code})
    back = _back("commitments:units", where.code)
    return _form_page(request, form, title=_("Tambah mitra"), done=back, cancel=back,
                      save=lambda f: services.create_partner(request.user, f.values(), request=request))  # fmt: skip


@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = services.get_partner(request.user, pk)
    _may_edit(request, "partner", row.region_id)
    form = _partner_form(request, _initial(row, PARTNER_FIELDS, region=row.region_id, unit=row.unit_id or ""))
    back = _back("commitments:units", row.region_id)
    save = lambda f: services.update_partner(request.user, pk, f.values(), request=request)  # noqa: E731
    return _form_page(request, form, title=_("Ubah mitra"), done=back, cancel=back, save=save)


# --- meetings and follow-up actions --------------------------------------------------------------------------

MEETING_FIELDS = ("region", *forms.MeetingForm.model_fields)
ACTION_FIELDS = ("owner", "meeting", *forms.ActionForm.model_fields)


def _action_rows(request: HttpRequest, found: Any) -> list[dict[str, Any]]:
    """Follow-up actions for a table: overdue today first (highlighted), each with its status form when the user
    may change it."""
    today = timezone.localdate()
    rows: list[dict[str, Any]] = [{"a": a, "overdue": is_overdue(a.due_date, a.status, today),
                                   "editable": services.can_edit(request.user, "action", a.owner_id),
                                   "form": forms.ActionStatusForm(initial={"status": a.status}, prefix=f"a{a.pk}")}
                                  for a in found]  # fmt: skip
    rows.sort(key=lambda x: (not x["overdue"], x["a"].due_date or dt.date.max, x["a"].pk))
    return rows


def meetings(request: HttpRequest) -> HttpResponse:
    """Meetings of the region (and those of the regions above it that gave it an action: read only) and the
    follow-up actions it owns (overdue ones first and highlighted), each with a status change for those who may
    make it."""
    where = _where(request)
    found = services.visible_actions(request.user, where.code).select_related("meeting", "owner")
    actions = _action_rows(request, found)
    return render(request, "commitments/meetings.html", {
        **_list_context(request, where, "commitments:meetings"), "actions": actions,
        "meetings": services.visible_meetings(request.user, where.code).select_related("region")[:200],
        "overdue": sum(x["overdue"] for x in actions),
        "can_add_meeting": pages.may_add(request.user, "meeting"),
        "can_add_action": pages.may_add(request.user, "action"),
    })  # fmt: skip


def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: where and by whom it was held, its summary and the follow-up actions the user sees (owner, due
    date, status); a meeting of a region above the user's is read only."""
    found = services.get_meeting(request.user, pk)
    where = _where(request)
    actions = services.visible_actions(request.user).filter(meeting=found).select_related("owner")
    editable = services.can_edit(request.user, "meeting", found.region_id)
    return render(request, "commitments/meeting.html", {
        **_list_context(request, where, "commitments:meetings"), "m": found,
        "actions": _action_rows(request, actions), "editable": editable,
        "above": not scope_for(request.user).covers(found.region_id),
        "can_add_action": editable and pages.may_add(request.user, "action"),
        "back": _back("commitments:meetings", found.region_id),
    })  # fmt: skip


def _meeting_form(request: HttpRequest, initial: dict[str, Any]) -> forms.MeetingForm:
    regions = _choices_or_403(pages.region_choices(request.user, "meeting", deepest=2))
    return forms.MeetingForm(request.POST or None, regions=regions, initial=initial)


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    where = _where(request)
    form = _meeting_form(request, {"region": where.code})
    back = _back("commitments:meetings", where.code)
    return _form_page(request, form, title=_("Tambah rapat koordinasi"), done=back, cancel=back,
                      save=lambda f: services.create_meeting(request.user, f.values(), request=request))  # fmt: skip


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = services.get_meeting(request.user, pk)
    _may_edit(request, "meeting", row.region_id)
    form = _meeting_form(request, _initial(row, MEETING_FIELDS, region=row.region_id))
    back = reverse("commitments:meeting", args=[pk])
    save = lambda f: services.update_meeting(request.user, pk, f.values(), request=request)  # noqa: E731
    return _form_page(request, form, title=_("Ubah rapat koordinasi"), done=back, cancel=back, save=save)


def _action_form(request: HttpRequest, region: str | None, initial: dict[str, Any],
                 row: Any = None) -> forms.ActionForm:  # fmt: skip
    """The action form: owners the user may give actions to, meetings held in their regions (and, when editing,
    the action's own meeting and owner even if they lie elsewhere)."""
    owners = _choices_or_403(pages.region_choices(request.user, "action", deepest=2))
    meetings = [(m.pk, f"{m.date:%Y-%m-%d} {m.title}"[:120]) for m in services.own_meetings(request.user, region)[:200]]
    if row is not None and row.meeting_id and row.meeting_id not in dict(meetings):
        meetings.append((row.meeting_id, f"{row.meeting.date:%Y-%m-%d} {row.meeting.title}"[:120]))
    if row is not None and row.owner_id not in dict(owners):
        owners.append((row.owner_id, f"{row.owner_id} {row.owner.name}"))
    return forms.ActionForm(request.POST or None, owners=owners, meetings=meetings, initial=initial)


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest) -> HttpResponse:
    where = _where(request)
    asked = request.GET.get("meeting", "")
    form = _action_form(request, where.code, {"owner": where.code, "meeting": asked if asked.isdigit() else ""})
    back = _back("commitments:meetings", where.code)
    if asked.isdigit():
        back = reverse("commitments:meeting", args=[int(asked)])
    return _form_page(request, form, title=_("Tambah tindak lanjut"), done=back, cancel=back,
                      save=lambda f: services.create_action(request.user, f.values(), request=request))  # fmt: skip


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a follow-up action: its decision, owner, due date, status or meeting."""
    row = services.get_action(request.user, pk)
    _may_edit(request, "action", row.owner_id)
    initial = _initial(row, ACTION_FIELDS, owner=row.owner_id, meeting=row.meeting_id or "")
    form = _action_form(request, None, initial, row)  # any meeting of the user's regions
    if not services.may_change_decision(request.user, row):  # a meeting above decided it: its owner reports progress
        for name in set(form.fields) - services.PROGRESS_FIELDS:
            form.fields[name].disabled = True
    back = (reverse("commitments:meeting", args=[row.meeting_id]) if row.meeting_id
            else _back("commitments:meetings", row.owner_id))  # fmt: skip
    return _form_page(request, form, title=_("Ubah tindak lanjut"), done=back, cancel=back,
                      save=lambda f: services.update_action(request.user, pk, f.values(), request=request))  # fmt: skip


@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status of one follow-up action (from the list); back to the list with a message."""
    action = services.get_action(request.user, pk)
    _may_edit(request, "action", action.owner_id)
    form = forms.ActionStatusForm(request.POST, prefix=f"a{pk}")
    refusal = _("Status tidak dikenal.") if not form.is_valid() else _attempt(
        lambda: services.set_action_status(request.user, pk, form.cleaned_data["status"],
                                           note=form.cleaned_data["note"] or None, request=request))  # fmt: skip
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, _("Status tindak lanjut diubah."))
    if action.meeting_id and request.POST.get("meeting") == str(action.meeting_id):  # from the meeting's page
        return redirect(reverse("commitments:meeting", args=[action.meeting_id]))
    return redirect(_back("commitments:meetings", request.POST.get("region") or action.owner_id))
