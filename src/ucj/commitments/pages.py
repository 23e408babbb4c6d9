"""What the commitment pages share: the region and year a page shows, the breadcrumb, the scorecard arranged
for the ranked table, the map and the workbook, and the regions a user may pick in a form.

Every figure comes from :mod:`ucj.commitments.services` (the scorecard, the institutions table, the budget
rows); this module only arranges them. Which region a user may see is decided by :mod:`ucj.accounts.scoping`
(through :func:`ucj.coverage.views.region_or_404`, the rule the coverage dashboard uses), which one they may
change by :func:`ucj.commitments.services.can_edit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ucj.accounts.scoping import scope_for
from ucj.bilingual import in_language
from ucj.commitments import scorecard as rule
from ucj.commitments import services
from ucj.commitments.institutions import LEVEL_SEGMENTS, ROLES
from ucj.commitments.models import BudgetPayer, MandatedGroup
from ucj.coverage.views import default_region, region_or_404
from ucj.regions.codes import level_of
from ucj.regions.models import Level, Region
from ucj.xlsx import XLSX_CONTENT_TYPE, Book

#: How each composite status is drawn besides its word: colour, shape on the circles map, hatching on the
#: boundary map (status is never told by colour alone).
STATUS_LOOK = {
    "hijau": {"colour": "#067647", "symbol": "circle", "decal": "none"},
    "kuning": {"colour": "#dc6803", "symbol": "triangle", "decal": "circle"},
    "merah": {"colour": "#b42318", "symbol": "rect", "decal": "rect"},
}
ROLE_LABELS = {
    "kepala_desa": gettext_lazy("Kepala desa"),
    "perangkat_desa": gettext_lazy("Perangkat desa"),
    "bpd": gettext_lazy("Anggota BPD"),
    "rt": gettext_lazy("Ketua RT"),
    "rw": gettext_lazy("Ketua RW"),
}
GROUP_LABELS = dict(MandatedGroup.choices)
LEVEL_LABELS = {"baik": gettext_lazy("baik"), "sedang": gettext_lazy("sedang"), "kurang": gettext_lazy("kurang")}
NOT_JUDGED = gettext_lazy("tanpa data, tidak dinilai")
#: Years offered: a few closed budget years, this one and the next.
YEARS_BACK, YEARS_AHEAD = 3, 1


def english() -> bool:
    return (get_language() or "id").startswith("en")


def bilingual(indonesian: str, english_text: str) -> str:
    """The pure core's texts come in both languages (``scorecard``): the one of the page."""
    return english_text if english() else indonesian


def in_page_language(message: str) -> str:
    """A service refusal (``"indonesian / english"``, several joined by ``"; "``) in the page's language."""
    return "; ".join(in_language(part, get_language()) for part in message.split("; "))


# --- region, level and year --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The region a page shows, the year, and the level of the rows below it (None at a desa)."""

    code: str
    year: int
    by: str | None

    def query(self, **changes: Any) -> str:
        values = {"region": self.code, "year": self.year, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def next_level(code: str) -> str | None:
    """The level name of the regions right below ``code`` (kabkota, kecamatan, desa), None below a desa."""
    below = level_of(code) + 1
    return next((name for name, lv in LEVEL_SEGMENTS.items() if lv == below), None)


def this_year() -> int:
    return timezone.localdate().year


def place(request: HttpRequest) -> Place | None:
    """The region (``?region=``, default the user's own; 404 outside their regions) and year (``?year=``, default
    :func:`services.default_year`: the year of the dashboard's month, e.g. the demo's 2024) of a page; None when
    the user has no region at all."""
    scope = scope_for(request.user)
    asked = request.GET.get("region") or None
    if not asked and default_region(scope) is None:
        return None
    code = region_or_404(scope, asked)
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and abs(int(text) - this_year()) <= 50 else services.default_year()
    return Place(code, year, next_level(code))


def years(year: int) -> list[int]:
    now = this_year()
    return sorted({*range(now - YEARS_BACK, now + YEARS_AHEAD + 1), year}, reverse=True)


def breadcrumb(request: HttpRequest, where: Place, url_name: str) -> list[dict[str, Any]]:
    """Province › kab/kota › kecamatan › desa down to the region shown, each a link when the user sees it."""
    scope = scope_for(request.user)
    parts = where.code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    url = reverse(url_name)
    return [{"code": c, "name": names.get(c, c), "level": str(Level(level_of(c)).label),
             "url": f"{url}?{where.query(region=c)}" if scope.covers(c) and c != where.code else None}
            for c in codes]  # fmt: skip


def may_add(user: Any, kind: str) -> bool:
    """Whether the user may add rows of ``kind`` somewhere (their regions, any payer): shows the "add" buttons."""
    scope = scope_for(user)
    payers = BudgetPayer.values if kind == "budget" else [None]
    return scope.everywhere or any(services.can_edit(user, kind, code, payer=p) for code in scope.regions
                                   for p in payers)  # fmt: skip


def region_choices(user: Any, kind: str, *, deepest: int = 2) -> list[tuple[str, str]]:
    """Regions a user may pick in a form for rows of ``kind``: those down to level ``deepest`` inside their
    regions, plus their own regions (a village operator's desa), where :func:`services.can_edit` allows it (for a
    budget line: for one payer at least — a village operator keeps the APBDes line)."""
    payers = BudgetPayer.values if kind == "budget" else [None]
    scope = scope_for(user)
    if scope.everywhere:
        qs = Region.objects.filter(level__lte=deepest)
    else:
        own = list(scope.regions)
        qs = Region.objects.filter(code__in=own) | Region.objects.filter(level__lte=deepest, parent_id__in=own)
    regions = [(r.code, f"{r.code} {r.name}") for r in qs.order_by("code")[:1000]]
    return [(code, label) for code, label in regions
            if any(services.can_edit(user, kind, code, payer=p) for p in payers)]  # fmt: skip


# --- the scorecard arranged --------------------------------------------------------------------------------


def status_label(status: str) -> str:
    return bilingual(*rule.STATUS_LABELS.get(status, (status, status)))


def score_label(name: str) -> str:
    return bilingual(*rule.SCORE_LABELS.get(name, (name, name)))


def share(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * part / whole, 1) if whole and part is not None else None


def row(entry: dict[str, Any]) -> dict[str, Any]:
    """One scorecard entry with what the table shows precomputed (labels in the page's language, RT/RW and
    perangkat shares, the reasons of the status)."""
    roles = entry.get("institutions") or {}

    def active_share(names: tuple[str, ...]) -> float | None:
        cells = [roles[n] for n in names if roles.get(n)]
        return share(sum(c["active"] for c in cells), sum(c["positions"] for c in cells)) if cells else None

    reasons = [{**r, "text": bilingual(r.get("id", ""), r.get("en", "")), "label": score_label(r.get("score", "")),
                "level_label": LEVEL_LABELS.get(r.get("level") or "", NOT_JUDGED)}
               for r in entry.get("status_reasons") or []]  # fmt: skip
    return {**entry, "status_label": status_label(entry.get("status", "")), "reasons": reasons,
            "regulation_text": regulation_text(entry.get("regulation") or {}),
            "regulation_word": regulation_word(entry.get("regulation") or {}),
            "regulation_groups": ", ".join(str(GROUP_LABELS.get(g, g))
                                           for g in (entry.get("regulation") or {}).get("groups") or []),
            "rt_rw_pct": active_share(("rt", "rw")), "perangkat_pct": active_share(("kepala_desa", "perangkat_desa")),
            "role_rows": [{"role": r, "label": str(ROLE_LABELS[r]), **(roles.get(r) or {}),
                           "exists": roles.get(r) is not None} for r in ROLES]}  # fmt: skip


def ranked(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The children as the services rank them (by composite score, best first), numbered."""
    rows = [row(c) for c in children]
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows


def regulation_word(regulation: dict[str, Any]) -> str:
    """A region's regulation in a word or two: in force, in draft, only above it, or none."""
    if regulation.get("in_force"):
        return _("berlaku")
    if regulation.get("own_draft"):
        return _("rencana/draf")
    if regulation.get("above_in_force"):
        return _("hanya regulasi wilayah di atasnya")
    return _("belum ada")


def regulation_text(regulation: dict[str, Any]) -> str:
    """The word and, when in force, the groups it mandates: ``berlaku (Ketua RT, Ketua RW)``."""
    groups = ", ".join(str(GROUP_LABELS.get(g, g)) for g in regulation.get("groups") or [])
    word = regulation_word(regulation)
    return f"{word} ({groups})" if regulation.get("in_force") and groups else word


def rule_rows() -> list[dict[str, Any]]:
    """The scoring rule (the backend's rule data) in the page's language."""
    return [{"score": r["score"], "label": bilingual(r["label"], r["label_en"]),
             "baik": bilingual(r["baik"], r["baik_en"]), "sedang": bilingual(r["sedang"], r["sedang_en"]),
             "kurang": bilingual(r["kurang"], r["kurang_en"])} for r in services.scorecard_rules()]  # fmt: skip


def map_block(where: Place, rows: list[dict[str, Any]], url_name: str) -> dict[str, Any]:
    """The data the map script reads (json_script): the children's status, where to fetch boundaries (the
    coverage map endpoint) and where a click leads."""
    api = {"region": where.code, "by": where.by or ""}
    url = reverse(url_name)
    return {
        "region": where.code,
        "map_url": f"{reverse('api:coverage_map')}?{urlencode({k: v for k, v in api.items() if v})}",
        "drill_url": f"{url}?{where.query(region='__CODE__')}",
        "children": [{"code": r["code"], "name": r["name"], "status": r["status"], "rank": r["rank"],
                      "status_label": r["status_label"]} for r in rows],
        "statuses": STATUS_LOOK,
        "labels": {"no_map": _("Tidak ada peta untuk tingkat wilayah ini.")},
    }  # fmt: skip


# --- the workbook ------------------------------------------------------------------------------------------


def _cells(entry: dict[str, Any]) -> list[Any]:
    r = row(entry)
    budget = r.get("budget") or {}
    villages = r.get("villages") or {}
    coverage = r.get("coverage") or {}
    units = r.get("ecosystem_units") or {}
    levels = r.get("scores") or {}
    roles = [v for role in r["role_rows"] for v in
             ((role.get("positions"), role.get("registered"), role.get("active")) if role["exists"]
              else (None, None, None))]  # fmt: skip
    return [r.get("code"), r.get("name"), r.get("score"), r["status_label"],
            *[LEVEL_LABELS.get(levels.get(name) or "", "—") for name in rule.SCORES],
            r["regulation_text"], budget.get("allocated"), budget.get("realised"),
            budget.get("absorption_pct"), budget.get("workers_funded"), budget.get("gap"),
            villages.get("total"), villages.get("fully_protected"), villages.get("pct"), r["perangkat_pct"],
            r["rt_rw_pct"], *roles, units.get("total"), units.get("covered"), coverage.get("rate"),
            coverage.get("target"), r.get("overdue_actions"),
            "; ".join(x["text"] for x in r["reasons"])]  # fmt: skip


def scorecard_xlsx(card: dict[str, Any], year: int) -> bytes:
    """The scorecard as a workbook: the region then its children ranked (numbers as numbers; text stays text,
    ``ucj.xlsx``), and the rule on its own sheet."""
    book = Book()
    bold = book.style(bold=True, fill="#E3F1EA", wrap=True)
    sheet = book.add_sheet(_("Skor komitmen")[:31])
    role_heads = [f"{ROLE_LABELS[role]}: {what}" for role in ROLES
                  for what in (_("jabatan"), _("terdaftar"), _("aktif"))]  # fmt: skip
    levels = [_("Nilai: %(score)s") % {"score": score_label(n)} for n in rule.SCORES]
    headers = [_("Kode"), _("Wilayah"), _("Skor"), _("Status"), *levels,
               _("Regulasi"), _("Pagu (Rp)"), _("Realisasi (Rp)"), _("Serapan (%)"), _("Pekerja didanai"),
               _("Kekurangan pekerja"), _("Desa"), _("Desa terlindungi penuh"), _("Desa terlindungi penuh (%)"),
               _("Kepala & perangkat desa aktif (%)"), _("RT/RW aktif (%)"), *role_heads, _("Unit ekosistem"),
               _("Unit tercakup"), _("Cakupan (%)"), _("Target (%)"), _("Tindak lanjut terlambat"),
               _("Alasan status")]  # fmt: skip
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.freeze_panes(1, 2)
    sheet.write_row(0, headers, bold)
    lines = [_cells(e) for e in [card["region"], *ranked(card.get("children") or [])]]
    sheet.write_rows(1, [[v if v is None or isinstance(v, (int, float)) else str(v) for v in line]
                         for line in lines])  # fmt: skip
    rules = book.add_sheet(_("Aturan skor")[:31])
    rules.set_column(0, 3, 40)
    rules.write_row(0, [_("Skor"), _("baik (2 poin)"), _("sedang (1 poin)"), _("kurang (0 poin)")], bold)
    rules.write_rows(1, [[r["label"], r["baik"], r["sedang"], r["kurang"]] for r in rule_rows()])
    info = book.add_sheet("Info")
    info.write_rows(0, [[_("Wilayah"), f"{card['region'].get('code')} {card['region'].get('name')}"],
                        [_("Tahun"), year]])  # fmt: skip
    return book.to_bytes()


def xlsx_response(card: dict[str, Any], year: int) -> HttpResponse:
    response = HttpResponse(scorecard_xlsx(card, year), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="komitmen-{card["region"].get("code")}-{year}.xlsx"'
    return response
