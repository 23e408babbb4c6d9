"""Budget planning pages: the scenario form with its answer, a saved scenario, and scenarios side by side.
Every figure comes from :mod:`ucj.planning.services`; scoping is checked there (404 outside the user's
regions, 403 for saving without a planning role)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ucj.accounts.scoping import PLAN_ROLES, scope_for
from ucj.bilingual import in_language
from ucj.coverage.services import latest_month
from ucj.planning import services
from ucj.planning.forms import ScenarioForm
from ucj.planning.groups import GROUPS, label
from ucj.planning.scenario import PLAN_PAYERS, ScenarioError, Spec
from ucj.regions.codes import level_of
from ucj.regions.models import Region
from ucj.registry.models import Payer
from ucj.web.regionpicker import bind_region_field


def _regions(request: HttpRequest) -> list[tuple[str, str]]:
    """Provinces and kab/kota the user may plan for: their own and the kab/kota below them."""
    scope = scope_for(request.user)
    qs = Region.objects.filter(level__lte=2)
    if not scope.everywhere:
        codes = [c for c in scope.regions if level_of(c) <= 2]
        qs = qs.filter(code__in=codes) | Region.objects.filter(parent_id__in=codes, level=2)
    listed = [(r.code, f"{r.code} {r.name}") for r in qs.order_by("code")]
    if scope.everywhere:  # the whole country, last (the form opens on the first region)
        listed.append((services.NATIONAL, str(_("Indonesia (rencana nasional)"))))
    return listed


def _initial(regions: list[tuple[str, str]], asked: str | None, year: str | None) -> dict[str, Any]:
    """The form's defaults: the region asked (from the dashboard's link) or the user's first, next year's
    budget when the data end in December, the region's own APBD paying everything, every group."""
    latest = latest_month()
    codes = [code for code, _ in regions]
    region = asked if asked in codes else (codes[0] if codes else "")
    province = level_of(region) == 1
    default_year = latest.year + 1 if latest.month == 12 else latest.year
    return {"region": region, "year": int(year) if year and year.isdigit() else default_year,
            "question": "max_coverage", "start_month": 1, "months": 12,
            "share_provinsi": 100 if province else 0, "share_kabkota": 0 if province else 100, "share_apbdes": 0,
            "apbdes_source": "add",
            "groups": list(GROUPS), "floor": "none"}  # fmt: skip


def _refused(err: services.PlanRefused) -> None:
    if err.status == 404:
        raise Http404(str(err))
    raise PermissionDenied(str(err))


@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    regions = _regions(request)
    form = ScenarioForm(
        request.POST or None,
        regions=regions,
        initial=_initial(regions, request.GET.get("region"), request.GET.get("year")),
    )
    bind_region_field(form, "region", scope_for(request.user))
    result = None
    if request.method == "POST" and not regions:
        raise PermissionDenied("Rencana anggaran untuk provinsi atau kab/kota / plans are for a province or kab/kota")
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        try:
            if "save" in request.POST:
                saved = services.save(request.user, form.cleaned_data["name"] or _default_name(spec), spec,
                                      request=request)  # fmt: skip
                return redirect("planning:plan", pk=saved.pk)
            result = services.run(spec, request.user)
        except ScenarioError as err:  # bilingual for the CLI and API; one language on the page
            form.add_error(None, in_language(str(err), get_language()))
        except services.PlanRefused as err:
            _refused(err)
    saved_plans = services.compare(list(services.visible(request.user).select_related("region")[:100]))
    return render(request, "planning/plans.html", {
        "form": form if regions else None, "result": result and _view(result), "saved": saved_plans,
        "can_save": scope_for(request.user).can(PLAN_ROLES),
    })  # fmt: skip


def _default_name(spec: Spec) -> str:
    what = f"Rp {spec.budget:,}".replace(",", ".") if spec.question == "max_coverage" else "anggaran minimum"
    return f"{spec.region} {spec.year}: {what}"


def _view(result: dict[str, Any]) -> dict[str, Any]:
    """The answer with what the templates need precomputed: ranked rows, group labels, chart data."""
    rows = sorted(result.get("regions", []), key=lambda r: (-r["funded"], r["region"]))
    for r in rows:
        r["rate_before"] = round(100 * r["covered"] / r["denominator"], 2) if r["denominator"] else None
    lang = get_language() or "id"
    groups = [{**g, "label": label(g["group"], lang)} for g in result.get("groups", [])]
    own = result.get("region_before") or {}
    before = round(100 * own["covered"] / own["denominator"], 2) if own.get("denominator") else None
    shares = result.get("spec", {}).get("shares", {})
    payers = {p: str(Payer(p).label) for p in PLAN_PAYERS if p in shares}  # fixed order: jsonb reorders keys
    for r in rows:
        r["payer_cells"] = [r["by_payer"].get(p, 0) for p in payers]
    chart = {"names": [r["name"] or r["region"] for r in rows], "funded": [r["funded"] for r in rows],
             "cost": [r["cost"] for r in rows], "before": [r["rate_before"] for r in rows],
             "after": [r["rate_after"] for r in rows]}  # fmt: skip
    amounts = [(name, result["by_payer"].get(p, 0)) for p, name in payers.items() if "by_payer" in result]
    cost_lines = _cost_runs(result.get("unit_cost_lines", []))
    lapse = dict(result.get("lapse") or {})
    if lapse:
        lapse["percent"] = round(100 * lapse["rate"], 2)
        sources = {"scenario": _("isian skenario"), "registry": _("riwayat registri"),
                   "setting": _("pengaturan UCJ_PLAN_LAPSE_RATE")}  # fmt: skip
        lapse["label"] = sources.get(lapse["source"], lapse["source"])
    if level_of(result.get("spec", {}).get("region", "")) == 2 and result.get("desa"):
        # A kab/kota plan: one kab/kota row would be one full-width bar; break it down by kecamatan instead.
        by_place = kecamatan_rows(rows[0] if rows else {}, result["desa"])
        chart = {"names": [k["name"] for k in by_place], "funded": [k["funded"] for k in by_place],
                 "cost": [k["cost"] for k in by_place], "before": [], "after": []}  # fmt: skip
    else:
        by_place = []
    return {**result, "ranked": rows, "group_rows": groups, "chart": chart, "rate_before": before,
            "kecamatan": by_place,
            "payer_labels": payers, "payer_amounts": amounts, "cost_runs": cost_lines, "lapse_view": lapse}  # fmt: skip


def kecamatan_rows(own: dict[str, Any], desa: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A kab/kota plan per kecamatan: its funded desa rows summed by kecamatan (code ``16.06.01``), largest first,
    plus the workers funded without a desa (the unlisted vulnerable workers are counted per kab/kota only, so
    the rows add up to the kab/kota's total)."""
    sums: dict[str, dict[str, Any]] = {}
    for d in desa:
        row = sums.setdefault(d["desa"].rsplit(".", 1)[0], {"funded": 0, "cost": 0, "villages": 0})
        row["funded"] += d["funded"]
        row["cost"] += d["cost"]
        row["villages"] += 1
    names = dict(Region.objects.filter(code__in=list(sums)).values_list("code", "name"))
    rows = [{"code": c, "name": names.get(c, c), **v} for c, v in sums.items()]
    rows.sort(key=lambda r: (-r["funded"], r["code"]))
    rest_funded = (own.get("funded") or 0) - sum(r["funded"] for r in rows)
    if rest_funded > 0:
        rows.append({"code": "", "name": _("Pekerja rentan belum terdata per desa"), "funded": rest_funded,
                     "cost": (own.get("cost") or 0) - sum(r["cost"] for r in rows), "villages": 0})  # fmt: skip
    return rows


def _cost_runs(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Month-by-month contribution lines merged into runs of months with the same programme, amount and rule."""
    runs: list[dict[str, Any]] = []
    for line in sorted(lines, key=lambda x: (x.get("payer", ""), x["program"], x["month"])):
        last = runs[-1] if runs else None
        if last and (last["program"], last["amount"], last["source"], last.get("payer")) == (
            line["program"],
            line["amount"],
            line["source"],
            line.get("payer"),
        ):
            last["to"], last["months"] = line["month"], last["months"] + 1
        else:
            runs.append({**line, "from": line["month"], "to": line["month"], "months": 1})
    return runs


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(services.visible(request.user).select_related("region", "created_by"), pk=pk)
    return render(request, "planning/plan.html", {"plan": saved, "result": _view(saved.result)})


def compare(request: HttpRequest) -> HttpResponse:
    values = ",".join(request.GET.getlist("ids"))  # ?ids=3&ids=5 (the form's checkboxes) or ?ids=3,5
    ids = [int(i) for i in values.split(",") if i.strip().isdigit()]
    if not ids:  # nothing ticked (the button is disabled then; without script it can still be sent)
        messages.warning(request, _("Centang paling sedikit satu skenario untuk dibandingkan."))
        return redirect("planning:plans")
    found = {s.pk: s for s in services.visible(request.user).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise Http404("Skenario tidak ditemukan / scenario not found")
    rows = services.compare([found[i] for i in dict.fromkeys(ids)])
    chart = {"names": [r["name"] for r in rows], "funded": [r["funded"] for r in rows],
             "cost": [r["cost"] for r in rows]}  # fmt: skip
    return render(request, "planning/compare.html", {"rows": rows, "chart": chart})
