"""Removing a commitment row entered by mistake: a confirmation page (GET) that shows the row and what goes with it,
then the removal (POST, with the CSRF token) through the services — scoped like an edit (404 outside the user's
regions, 403 for a role that may not change the row) and audited with every field of the row as it was.

A repealed regulation is not removed: its status becomes *Dicabut* and it stays in the history (the page says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ucj.commitments import pages, services
from ucj.commitments.models import FollowUpAction, MandatedGroup

GROUPS = dict(MandatedGroup.choices)


@dataclass(frozen=True)
class Removal:
    """How one kind of row is removed from its page."""

    kind: str  # services.KINDS key
    title: Any  # the page's title (lazy text)
    get: Callable[[Any, int], Any]  # services.get_<kind>: the row the user sees, else 404
    delete: Callable[..., None]  # services.delete_<kind>
    back: Callable[[Any], str]  # the list (or page) to return to
    notes: Callable[[Any], list[str]] = lambda row: []  # what goes with the row, in words


def _list(url_name: str, code: str | None) -> str:
    return f"{reverse(url_name)}?region={code}" if code else reverse(url_name)


def _region_of(kind: str, row: Any) -> str | None:
    code: str | None = getattr(row, f"{services.KINDS[kind].region}_id")
    return code


def _value(row: Any, field: models.Field[Any, Any]) -> str:
    """A field of ``row`` as the page shows it: choices by their label, regions and related rows by name."""
    if field.choices:
        return str(getattr(row, f"get_{field.name}_display")()) or "—"
    value = getattr(row, field.name)
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, list):  # an instrument's groups
        return ", ".join(str(GROUPS.get(v, v)) for v in value) or "—"
    return str(value) if value not in (None, "") else "—"


def describe(kind: str, row: Any) -> list[tuple[str, str]]:
    """The row's editable fields (and its document) as (label, value) pairs."""
    spec = services.KINDS[kind]
    names = [*spec.fields, *(("document_name",) if kind == "instrument" and row.document_path else ())]
    out = []
    for name in names:
        field = row._meta.get_field(name)
        out.append((str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:], _value(row, field)))
    return out


def _instrument_notes(row: Any) -> list[str]:
    notes = [_("Jika regulasi ini dicabut (bukan salah input), jangan dihapus: ubah statusnya menjadi Dicabut agar "
               "riwayatnya tetap ada.")]  # fmt: skip
    if row.document_path:
        notes.append(_("Dokumen PDF tersimpan (%(name)s) ikut dihapus.") % {"name": row.document_name})
    return notes


def _unit_notes(row: Any) -> list[str]:
    names = ", ".join(p.name for p in row.partners.order_by("name"))
    return [_("Mitra yang terkait tetap ada, tanpa unit: %(names)s") % {"names": names}] if names else []


def _meeting_notes(row: Any) -> list[str]:
    actions = list(FollowUpAction.objects.filter(meeting=row).select_related("owner").order_by("due_date", "pk"))
    if not actions:
        return []
    items = "; ".join(f"{a.owner.name}: {a.decision[:80]}" for a in actions)
    return [_("%(n)s tindak lanjut rapat ini ikut dihapus: %(items)s") % {"n": len(actions), "items": items}]


REMOVALS: dict[str, Removal] = {r.kind: r for r in (
    Removal("instrument", gettext_lazy("Hapus regulasi"), services.get_instrument, services.delete_instrument,
            lambda r: _list("commitments:instruments", r.region_id), _instrument_notes),
    Removal("budget", gettext_lazy("Hapus komitmen anggaran"), services.get_budget, services.delete_budget,
            lambda r: f"{_list('commitments:budgets', r.region_id)}&year={r.year}"),
    Removal("unit", gettext_lazy("Hapus unit ekosistem"), services.get_unit, services.delete_unit,
            lambda r: _list("commitments:units", r.desa_id), _unit_notes),
    Removal("partner", gettext_lazy("Hapus mitra"), services.get_partner, services.delete_partner,
            lambda r: _list("commitments:units", r.region_id)),
    Removal("meeting", gettext_lazy("Hapus rapat koordinasi"), services.get_meeting, services.delete_meeting,
            lambda r: _list("commitments:meetings", r.region_id), _meeting_notes),
    Removal("action", gettext_lazy("Hapus tindak lanjut"), services.get_action, services.delete_action,
            lambda r: _list("commitments:meetings", r.owner_id)),
)}  # fmt: skip


def _remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = REMOVALS[kind]
    row = spec.get(request.user, pk)  # 404 outside the user's regions
    payer = row.payer if kind == "budget" else None
    if not services.can_edit(request.user, kind, _region_of(kind, row), payer=payer):
        raise PermissionDenied
    back = spec.back(row)
    if request.method == "POST":
        try:
            spec.delete(request.user, pk, request=request)
        except services.CommitmentForbidden as err:
            raise PermissionDenied(str(err)) from err
        except services.CommitmentRefused as err:
            messages.error(request, pages.in_page_language(str(err)))
            return redirect(back)
        messages.success(request, _("Dihapus: %(row)s.") % {"row": row})
        return redirect(back)
    return render(request, "commitments/delete.html", {"title": spec.title, "fields": describe(kind, row),
                                                       "notes": spec.notes(row), "cancel": back})  # fmt: skip


def _view(kind: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _remove(request, kind, pk)

    view.__name__ = view.__qualname__ = f"{kind}_delete"
    view.__doc__ = f"Confirm (GET) and remove (POST) one {kind} row."
    return view


instrument_delete = _view("instrument")
budget_delete = _view("budget")
unit_delete = _view("unit")
partner_delete = _view("partner")
meeting_delete = _view("meeting")
action_delete = _view("action")
