"""The coverage dashboard (``/cakupan/`` and the home page) and the helpers its API shares: which region a user
may ask for, the ranked table, the trend, the map data and the xlsx export.

Every figure comes from :func:`ucj.coverage.services.coverage`; this module only arranges it. A region outside
the caller's scope answers 404 (its existence does not leak), like every other record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ucj import months
from ucj.accounts.scoping import Scope, scope_for
from ucj.coverage.facts import month_from_number, month_number
from ucj.coverage.feed_views import feed_source
from ucj.coverage.indicator import headline_targets, screen_year, target_for, target_in_force, target_percent
from ucj.coverage.models import Definition
from ucj.coverage.services import BY_LEVEL, FIRST_MONTH, coverage, latest_month
from ucj.regions.codes import common_ancestor, level_of, normalize_code
from ucj.regions.models import Level, Region, RegionBoundary
from ucj.xlsx import Book

DEFAULT_REGION = "16"  # Sumatera Selatan: where admins and multi-region users land
DEFINITIONS = (Definition.ELIGIBLE, Definition.BPS_EMPLOYED, Definition.BPU_UNIVERSE)
ECOSYSTEMS = ("desa", "pasar", "umkm", "rentan")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCE_LABELS = {
    "registry": gettext_lazy("registri (data per orang)"),
    "feed": gettext_lazy("umpan BPJS (agregat)"),
    "feed+registry": gettext_lazy("umpan BPJS + registri"),
    "registry-partial": gettext_lazy("registri saja (umpan BPJS tidak dapat dipecah ke wilayah ini)"),
}
STATUS_LABELS = {
    "met": gettext_lazy("tercapai"),
    "on_track": gettext_lazy("sesuai jalur"),
    "behind": gettext_lazy("tertinggal"),
    "unknown": gettext_lazy("belum dapat dinilai"),
}
NO_DENOMINATOR_LABEL = gettext_lazy("tanpa penyebut di tingkat ini")
LEVEL_WORDS = {2: gettext_lazy("kab/kota"), 3: gettext_lazy("kecamatan"), 4: gettext_lazy("desa")}
ECOSYSTEM_LABELS = {
    "desa": gettext_lazy("Desa"),
    "pasar": gettext_lazy("Pasar"),
    "umkm": gettext_lazy("UMKM"),
    "rentan": gettext_lazy("Pekerja rentan"),
    "lainnya": gettext_lazy("Lainnya"),
}


# --- parameters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    code: str
    by: str | None
    as_of: dt.date | None
    definition: str

    def query(self, **changes: Any) -> str:
        values = {"region": self.code, "by": self.by or "", "as_of": f"{self.as_of:%Y-%m}" if self.as_of else "",
                  "definition": self.definition, **changes}  # fmt: skip
        return urlencode({k: v for k, v in values.items() if v})


def default_region(scope: Scope) -> str | None:
    """The region a user's dashboard opens on: their single region, else the widest one they reach."""
    if scope.everywhere:
        return DEFAULT_REGION
    regions = list(scope.regions)
    if not regions:
        return None
    if len(regions) == 1:
        return regions[0]
    ancestor = common_ancestor(regions)
    if ancestor and scope.covers(ancestor):
        return ancestor
    return DEFAULT_REGION if scope.covers(DEFAULT_REGION) else regions[0]


def region_or_404(scope: Scope, requested: str | None) -> str:
    """The dotted code of ``requested`` (or the user's default region) when the user may see it, else 404."""
    code = normalize_code(requested) if requested else default_region(scope)
    if code is None or not scope.covers(code) or not Region.objects.filter(code=code).exists():
        raise Http404
    return code


def parse_month(value: str | None) -> dt.date | None:
    """``YYYY-MM`` → the first of that month; ValueError when malformed."""
    return months.parse_month(value) if value else None


def by_choices(code: str) -> list[str]:
    """Table levels offered below ``code``: the next one or two (never every desa of a whole province)."""
    level = level_of(code)
    return [name for name, lv in BY_LEVEL.items() if level < lv <= min(level + 2, 4) and not (level == 1 and lv == 4)]


def params_or_error(scope: Scope, region: str | None, by: str | None, as_of: str | None,
                    definition: str | None) -> Params:  # fmt: skip
    """Validated parameters (ValueError with a bilingual message for a bad level, month or definition)."""
    code = region_or_404(scope, region)
    if by and by not in by_choices(code):
        raise ValueError(f"by: {by} ({', '.join(by_choices(code)) or '—'})")
    try:
        month = parse_month(as_of)
    except ValueError as err:
        raise ValueError(f"Bulan harus YYYY-MM / as_of must be YYYY-MM: {as_of}") from err
    definition = definition or Definition.ELIGIBLE
    if definition not in DEFINITIONS:
        raise ValueError(f"definition: {definition} ({', '.join(DEFINITIONS)})")
    return Params(code, by or None, month, definition)


def page_params(request: HttpRequest) -> Params | None:
    """Parameters of a dashboard page; bad values fall back to the defaults. None: the user has no region."""
    scope = scope_for(request.user)
    get = request.GET
    if not get.get("region") and default_region(scope) is None:
        return None
    code = region_or_404(scope, get.get("region"))
    by = get.get("by") if get.get("by") in by_choices(code) else None
    try:
        month = parse_month(get.get("as_of"))
    except ValueError:
        month = None
    definition = get.get("definition") if get.get("definition") in DEFINITIONS else Definition.ELIGIBLE
    return Params(code, by, month, str(definition))


# --- arranging the indicator ---------------------------------------------------------------------------


def status_of(indicator: dict[str, Any], year: int | None = None) -> str:
    """met (target reached), on_track (the trend reaches it by the end of its year), behind, unknown; against
    the target of ``year`` (None: the indicator's target in force)."""
    t = target_for(indicator, year)
    if not t or t.get("count") is None:
        return "unknown"
    if t.get("met"):
        return "met"
    if t.get("projected") is not None and t["projected"] >= t["count"]:
        return "on_track"
    return "behind"


def table_row(indicator: dict[str, Any], year: int | None = None) -> dict[str, Any]:
    t = target_for(indicator, year) or {}
    status = status_of(indicator, year)
    return {
        "code": indicator["region"], "name": indicator["name"], "covered": indicator["covered"],
        "denominator": indicator["denominator"], "rate": indicator["rate"], "target_year": t.get("year"),
        "target_rate": target_percent(t, indicator["denominator"]) if t else None,
        "target_count": t.get("count"), "gap": t.get("gap"),
        "surplus": t.get("surplus"), "pace_needed": t.get("pace_needed"), "pace_3": indicator["pace_3"],
        "pace_6": indicator["pace_6"], "projected_rate": t.get("projected_rate"), "reached": t.get("reached"),
        "status": status, "status_label": str(STATUS_LABELS[status]), "source": indicator["source"],
        "source_label": str(SOURCE_LABELS.get(indicator["source"], indicator["source"])),
        "rate_note": str(NO_DENOMINATOR_LABEL) if indicator.get("rate_note") else "",
    }  # fmt: skip


def ranked(children: list[dict[str, Any]], year: int | None = None) -> list[dict[str, Any]]:
    """Table rows sorted by rate, highest first (regions without a rate last), judged against ``year``."""
    rows = [table_row(c, year) for c in children]
    return sorted(rows, key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["name"]))


def unallocated_row(result: dict[str, Any]) -> dict[str, Any] | None:
    """The row for what the children's level cannot show (see :func:`ucj.coverage.services.unallocated`),
    labelled in the page's language."""
    rest = result.get("unallocated")
    if not rest:
        return None
    level = str(LEVEL_WORDS.get(rest["level"], ""))
    label = (_("umpan BPJS — tidak dapat dirinci per %(level)s") if rest["source"] == "feed"
             else _("registri — tidak dapat dirinci per %(level)s")) % {"level": level}  # fmt: skip
    return {"covered": rest["covered"], "label": label, "source": rest["source"],
            "source_label": str(SOURCE_LABELS[rest["source"]])}  # fmt: skip


def trend(indicator: dict[str, Any]) -> dict[str, list[Any]]:
    """Monthly covered workers, the target line and the projection to the end of the target year."""
    as_of = parse_month(indicator["as_of"]) or FIRST_MONTH
    series = {m: v for m, v in indicator["series"]}
    t = target_in_force(indicator)
    end_year = max(as_of.year, t["year"] if t else as_of.year)
    first = min([parse_month(m) or as_of for m in series] + [as_of])
    months = [month_from_number(n) for n in range(month_number(first), month_number(dt.date(end_year, 12, 1)) + 1)]
    targets = {tt["year"]: tt["count"] for tt in (indicator["year_target"], indicator["next_target"]) if tt}
    pace = indicator["pace_6"] if indicator["pace_6"] is not None else indicator["pace_3"]
    covered, projection, target = [], [], []
    for m in months:
        key = f"{m:%Y-%m}"
        covered.append(series.get(key, 0) if m <= as_of else None)
        steps = month_number(m) - month_number(as_of)
        projection.append(max(0, round(indicator["covered"] + pace * steps)) if pace is not None and steps >= 0
                          else None)  # fmt: skip
        target.append(targets.get(m.year))
    return {"months": [f"{m:%Y-%m}" for m in months], "covered": covered, "projection": projection,
            "target": target}  # fmt: skip


def ecosystem_rows(indicator: dict[str, Any]) -> list[dict[str, Any]]:
    """desa, pasar, umkm, rentan (and the rest, when any): covered now and the change over 6 months."""
    by = indicator["by_ecosystem"]
    rows = []
    for key in ECOSYSTEMS:
        cell = by.get(key, {})
        rows.append({"key": key, "label": str(ECOSYSTEM_LABELS[key]), "covered": cell.get("covered", 0),
                     "change_6": cell.get("change_6")})  # fmt: skip
    rest = [v for k, v in by.items() if k not in ECOSYSTEMS]
    if any(v.get("covered") for v in rest):
        changes = [v.get("change_6") for v in rest]
        change = None if any(c is None for c in changes) else sum(c or 0 for c in changes)
        covered = sum(v.get("covered") or 0 for v in rest)
        rows.append({"key": "lainnya", "label": str(ECOSYSTEM_LABELS["lainnya"]), "covered": covered,
                     "change_6": change})  # fmt: skip
    return rows


def payer_rows(indicator: dict[str, Any]) -> list[dict[str, Any]]:
    """Covered per payer (issue 12 item 16: the feed and the registry name who pays), in the payer list's order,
    "tidak diketahui" last; payers with nobody covered are left out."""
    from ucj.registry.models import Payer

    by = indicator.get("by_payer") or {}
    order = [p.value for p in Payer] + [k for k in by if k not in Payer.values]
    labels = {p.value: str(p.label) for p in Payer} | {"tidak diketahui": str(_("Tidak diketahui"))}
    return [{"key": key, "label": labels.get(key, key), "covered": by[key]["covered"],
             "change_6": by[key].get("change_6")} for key in order if key in by and by[key].get("covered")]  # fmt: skip


def map_data(code: str, children: list[str]) -> dict[str, Any]:
    """The children's boundaries as a GeoJSON FeatureCollection (code/name properties), and their centres."""
    regions = Region.objects.filter(code__in=children).order_by("code")
    names = {r.code: r.name for r in regions}
    features = [
        {"type": "Feature", "id": b.region_id, "properties": {"code": b.region_id, "name": names[b.region_id]},
         "geometry": b.geometry}
        for b in RegionBoundary.objects.filter(region_id__in=children).order_by("region_id")
    ]  # fmt: skip
    centroids = [{"code": r.code, "name": r.name, "lat": r.lat, "lng": r.lng} for r in regions
                 if r.lat is not None and r.lng is not None]  # fmt: skip
    return {"type": "FeatureCollection", "region": code, "features": features, "centroids": centroids}


def breadcrumb(code: str, scope: Scope, params: Params, as_of: str) -> list[dict[str, Any]]:
    parts = code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    url = reverse("coverage:dashboard")
    return [
        {"code": c, "name": names.get(c, c), "level": str(Level(level_of(c)).label),
         "url": f"{url}?{params.query(region=c, by='', as_of=as_of)}" if scope.covers(c) and c != code else None}
        for c in codes
    ]  # fmt: skip


def month_choices(as_of: str) -> list[str]:
    last = max(latest_month().replace(day=1), parse_month(as_of) or FIRST_MONTH)
    return [f"{month_from_number(n):%Y-%m}" for n in range(month_number(last), month_number(FIRST_MONTH) - 1, -1)]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the dashboard template shows (``no_region`` when the user has none)."""
    params = page_params(request)
    if params is None:
        return {"no_region": True}
    scope = scope_for(request.user)
    result = coverage(params.code, params.by, params.as_of, params.definition)
    top = result["region"]
    year = screen_year(top)
    rows = ranked(result["children"], year)
    rest = unallocated_row(result)
    url = reverse("coverage:dashboard")
    for row in rows:
        row["url"] = f"{url}?{params.query(region=row['code'], by='', as_of=result['as_of'])}"
    level = level_of(params.code)
    child_level = BY_LEVEL[params.by] if params.by else level + 1
    api = {"as_of": result["as_of"]}
    data = {
        "region": params.code, "as_of": result["as_of"], "trend": trend(top),
        "ecosystems": ecosystem_rows(top),
        "children": [{"code": r["code"], "name": r["name"], "rate": r["rate"], "covered": r["covered"],
                      "status": r["status"]} for r in rows],
        "unallocated": rest,
        "map_url": f"{reverse('api:coverage_map')}?{params.query(**api)}",
        "drill_url": f"{url}?{params.query(region='__CODE__', by='', as_of=result['as_of'])}",
        "labels": {"covered": _("Tercakup"), "target": _("Target"), "projection": _("Proyeksi"),
                   "change_6": _("Perubahan 6 bulan"), "rate": _("Cakupan (%)"),
                   "no_map": _("Tidak ada peta untuk tingkat wilayah ini.")},
    }  # fmt: skip
    status = status_of(top, year)
    trend_rows = [
        {"month": m, "covered": c, "target": t, "projection": p}
        for m, c, t, p in zip(*(data["trend"][k] for k in ("months", "covered", "target", "projection")), strict=True)
    ]
    target = target_for(top, year)
    headline = headline_targets(top, year)  # December: the closing year's result, then the next year's target
    return {
        "params": params, "result": result, "top": top, "rows": rows, "chart_data": data, "unallocated": rest,
        "children_total": sum(r["covered"] for r in rows) + (rest["covered"] if rest else 0),
        "screen_year": year, "headline_targets": headline,
        "target_pct": target_percent(target, top["denominator"]) if target else None,
        "projection_end": next((p for p in reversed(data["trend"]["projection"]) if p is not None), None),
        "year_target": top["year_target"], "target": target, "status": status,
        "status_label": STATUS_LABELS[status], "source_label": SOURCE_LABELS.get(top["source"], top["source"]),
        "definition_label": Definition(top["definition"]).label, "ecosystems": data["ecosystems"],
        "payers": payer_rows(top),
        "breadcrumb": breadcrumb(params.code, scope, params, result["as_of"]), "months": month_choices(result["as_of"]),
        "by_choices": [(b, Level(BY_LEVEL[b]).label) for b in by_choices(params.code)],
        "definitions": [(d.value, d.label) for d in DEFINITIONS],
        "child_level": Level(child_level).label if child_level <= 4 else "",
        "export_url": f"{reverse('api:coverage_export')}?{params.query(**api)}", "region_level": Level(level).label,
        "trend_rows": trend_rows, "plannable": level <= 2, "data_time": data_time(result),
        # which feed file and month the figure comes from (issue 16 item 2), when the feed is its source
        "feed_source": feed_source(params.code, months.parse_month(result["as_of"]))
        if top["source"] in ("feed", "feed+registry") else None,
        "year_on_year": year_on_year(params, result, rows),  # issue 16 item 15
    }  # fmt: skip


def year_on_year(params: Any, result: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The month shown against the same month a year earlier (ucj.coverage.comparison), child rows in the ranked
    table's order; None when the earlier month is before the facts' history."""
    from ucj.coverage.comparison import compare, same_month_last_year

    month = months.parse_month(result["as_of"])
    earlier = same_month_last_year(month) if month else None
    if earlier is None or earlier < FIRST_MONTH:
        return None
    then = coverage(params.code, params.by, earlier, params.definition)
    return {"month": result["as_of"], "earlier": f"{earlier:%Y-%m}",
            **compare(result["region"], then["region"], rows, then["children"])}  # fmt: skip


def data_time(result: dict[str, Any]) -> dt.datetime | None:
    """When the figures' data were read (the published version's time), in the server's time zone."""
    value = result.get("data_time")
    if not value:
        return None
    return timezone.localtime(dt.datetime.fromisoformat(value))


def dashboard(request: HttpRequest) -> HttpResponse:
    """The coverage dashboard of the user's region (``?region=&by=&as_of=&definition=``)."""
    return render(request, "coverage/dashboard.html", dashboard_context(request))


# --- export --------------------------------------------------------------------------------------------


def coverage_xlsx(result: dict[str, Any]) -> bytes:
    """The dashboard's tables as a workbook: regions (the region first, then its children ranked), ecosystems
    and the monthly trend."""
    book = Book()  # text stays text (ucj.xlsx)
    bold = book.style(bold=True, fill="#E3F1EA", wrap=True)
    pct = book.style(num_format="0.00")
    top = result["region"]
    sheet = book.add_sheet(_("Cakupan")[:31])
    headers = [_("Kode"), _("Wilayah"), _("Tercakup"), _("Pekerja (penyebut)"), _("Cakupan (%)"), _("Tahun target"),
               _("Target (%)"), _("Target (pekerja)"), _("Kurang"), _("Surplus"), _("Perlu per bulan"),
               _("Laju 3 bulan"), _("Laju 6 bulan"), _("Proyeksi akhir tahun (%)"), _("Tercapai pada"),
               _("Status"), _("Sumber data"), _("Catatan")]  # fmt: skip
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.freeze_panes(1, 2)
    sheet.write_row(0, headers, bold)
    year = screen_year(top)  # one target year for every row, as on the page
    lines = [[row["code"], row["name"], row["covered"], row["denominator"], row["rate"], row["target_year"],
              row["target_rate"], row["target_count"], row["gap"], row["surplus"], row["pace_needed"],
              row["pace_3"], row["pace_6"], row["projected_rate"], row["reached"], row["status_label"],
              row["source_label"], row["rate_note"] or None]
             for row in [table_row(top, year), *ranked(result["children"], year)]]  # fmt: skip
    rest = unallocated_row(result)
    if rest:  # so the rows below the region add up to it
        lines.append(["", rest["label"], rest["covered"], *[None] * 13, rest["source_label"], None])
    styles = [pct if c in (4, 6, 13) else None for c in range(len(headers))]
    sheet.write_rows(1, [[v if v is None or isinstance(v, (int, float)) else str(v) for v in values]
                         for values in lines], styles)  # fmt: skip
    eco = book.add_sheet(_("Ekosistem")[:31])
    eco.write_row(0, [_("Ekosistem"), _("Tercakup"), _("Perubahan 6 bulan")], bold)
    eco.write_rows(1, [[str(row["label"]), row["covered"], row["change_6"]] for row in ecosystem_rows(top)])
    monthly = book.add_sheet(_("Tren")[:31])
    monthly.write_row(0, [_("Bulan"), _("Tercakup"), _("Target"), _("Proyeksi")], bold)
    t = trend(top)
    monthly.write_rows(1, [[str(month), *(t[key][r] for key in ("covered", "target", "projection"))]
                           for r, month in enumerate(t["months"])])  # fmt: skip
    info = book.add_sheet("Info")
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 60)
    info.write_rows(0, [[_("Wilayah"), f"{top['region']} {top['name']}"], [_("Per bulan"), result["as_of"]],
                        [_("Definisi penyebut"), str(Definition(top["definition"]).label)],
                        [_("Sumber penyebut"), top["denominator_source"] or "—"],
                        [_("Sumber data"), str(SOURCE_LABELS.get(top["source"], top["source"]))]])  # fmt: skip
    return book.to_bytes()


def xlsx_response(result: dict[str, Any]) -> HttpResponse:
    name = f"cakupan-{result['region']['region']}-{result['as_of']}.xlsx"
    response = HttpResponse(coverage_xlsx(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
