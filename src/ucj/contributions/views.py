"""Iuran pages: the calculator and the read-only table of rules (no personal data: any logged-in user)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ucj.contributions.calculator import CalcError
from ucj.contributions.forms import CalcForm, RulesFilterForm, in_language
from ucj.contributions.models import ContributionRule
from ucj.contributions.rules import Rule, RuleMissing
from ucj.contributions.services import calculate_contribution

PERIODS = {"month": _("per bulan"), "project": _("per proyek"), "contract": _("per perjanjian kerja")}


def calc(request: HttpRequest) -> HttpResponse:
    """The calculator: a GET form; the breakdown shows every amount's rule and source."""
    form = CalcForm(request.GET or None)
    breakdown, warnings = None, []
    language = get_language()
    if form.is_bound and form.is_valid():
        try:
            breakdown = calculate_contribution(form.inputs())
        except (CalcError, RuleMissing) as err:
            form.add_error(None, in_language(str(err), language))
        else:
            warnings = [in_language(w, language) for w in breakdown.warnings]
            for component in breakdown.components:  # a fresh object: notes shown in the page's language
                component.note = in_language(component.note, language)
    return render(request, "contributions/calc.html", {
        "form": form, "breakdown": breakdown, "warnings": warnings,
        "period": PERIODS.get(breakdown.period, breakdown.period) if breakdown else "",
    })  # fmt: skip


def _values(rule: Rule) -> list[dict[str, Any]]:
    """The numbers a rule carries, labelled (empty ones left out)."""
    out: list[dict[str, Any]] = []
    for name, label, kind in (
        ("rate_employer", _("pemberi kerja"), "rate"), ("rate_worker", _("pekerja/peserta"), "rate"),
        ("rate_government", _("pemerintah"), "rate"), ("rate_recomposed", _("rekomposisi"), "rate"),
        ("amount", _("nominal"), "rp"), ("lower", _("batas bawah"), "rp"), ("upper", _("batas atas"), "rp"),
        ("factor", _("faktor"), "factor"),
    ):  # fmt: skip
        value = getattr(rule, name)
        if value is not None:
            out.append({"label": label, "value": value, "kind": kind})
    for name, label in (("segments", _("segmen")), ("programs", _("program")),
                        ("excluded_payers", _("kecuali pembayar"))):  # fmt: skip
        value = getattr(rule, name)
        if value:
            out.append({"label": label, "value": ", ".join(value), "kind": "text"})
    return out


def rules(request: HttpRequest) -> HttpResponse:
    """Every rule row, or those in force in a month; read-only (admins change them in the admin, audited)."""
    form = RulesFilterForm(request.GET or None)
    rows = [r.to_rule() for r in ContributionRule.objects.all()]
    month = None
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]
        if month is not None:
            rows = [r for r in rows if r.in_force(month)]
        if form.cleaned_data["code"]:
            rows = [r for r in rows if r.code == form.cleaned_data["code"]]
    return render(request, "contributions/rules.html", {
        "form": form, "month": month, "rules": [{"rule": r, "values": _values(r)} for r in rows],
    })  # fmt: skip
