"""What the targeting pages need beside :mod:`ucj.targeting.services`: which regions a user is offered in the
forms, which actions the page shows (the services decide again and refuse), and findings as the role may read
them. No figures are computed here."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from ucj.accounts.policy import mask_text
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import Scope, scope_for
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region
from ucj.registry.issues import Finding
from ucj.targeting.rules import EXCLUSIONS, GROUP_PATTERNS, ROLE_GROUP

#: How many findings a preview lists (the counts stay exact).
FINDINGS_SHOWN = 500


def lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def write_regions(scope: Scope, roles: frozenset[str], *, lowest: int = 4) -> list[tuple[str, str]]:
    """Regions a user may load a file for: the regions they hold one of ``roles`` over and, below a province
    or kab/kota they hold, its kab/kota (never every village of a province in one select)."""
    if scope.everywhere:
        qs = Region.objects.filter(level__lte=2)
    else:
        codes = [c for r, c in scope.grants if r in roles and c and level_of(c) <= lowest]
        qs = Region.objects.filter(Q(code__in=codes) | Q(parent_id__in=[c for c in codes if level_of(c) == 1]))
    return [(r.code, f"{r.code} {r.name}") for r in qs.order_by("code")[:600]]


def region_or_404(scope: Scope, requested: str | None, *, level: int | None = None) -> Region:
    """The region asked for when the user reaches it (and it is at ``level``), else 404."""
    code = normalize_code(requested or "")
    if not code or not scope.covers(code) or (level is not None and level_of(code) != level):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def finding_rows(findings: list[Finding], who: Any, region: str | None) -> list[dict[str, Any]]:
    """Findings as the page lists them: errors first, at most :data:`FINDINGS_SHOWN`, each message masked as
    the role's record policy over ``region`` allows (findings quote cell values: NIKs, birth dates)."""
    views = views_for(who, region, "record")
    ordered = sorted(findings, key=lambda f: (f.severity != "error", f.row))[:FINDINGS_SHOWN]
    language = lang()
    return [{"row": f.row, "column": f.column, "code": f.code, "severity": f.severity,
             "message": mask_text(f.message(language), views)} for f in ordered]  # fmt: skip


#: Labels of the group tags the candidate filter offers (tags: :data:`ucj.targeting.rules.GROUP_PATTERNS`).
GROUP_LABELS = {
    "perangkat_desa": gettext_lazy("Perangkat & lembaga desa"),
    "nelayan": gettext_lazy("Nelayan"),
    "petani": gettext_lazy("Petani, pekebun, peternak"),
    "pedagang": gettext_lazy("Pedagang"),
    "ojek": gettext_lazy("Ojek & pengemudi"),
    "buruh": gettext_lazy("Buruh harian & pekerja lepas"),
    "umkm": gettext_lazy("UMKM & wiraswasta"),
}


def group_choices() -> list[tuple[str, str]]:
    """The group filter's choices: the village-institution tag, then the occupation groups."""
    tags = [ROLE_GROUP, *GROUP_PATTERNS]
    return [(t, str(GROUP_LABELS.get(t, t))) for t in tags]


def exclusion_label(code: str) -> str:
    """Why people were left out, in the page's language."""
    words = EXCLUSIONS.get(code)
    if words is None:
        return code
    return words[1] if lang() == "en" else words[0]


def status_counts(result: dict[str, Any]) -> list[int]:
    """A funnel answer's (or child's) people per status, in :class:`~ucj.targeting.models.Status` order."""
    from ucj.targeting.models import Status

    counts = {**result.get("stages", {}), **result.get("closed", {})}
    return [int(counts.get(s.value, 0)) for s in Status]


def overall_percent(result: dict[str, Any]) -> float | None:
    """Active ÷ identified of a funnel answer, in percent (None without anyone identified)."""
    ratio = (result.get("conversion") or {}).get("overall")
    return None if ratio is None else round(100 * ratio, 1)


def funnel_workbook(result: dict[str, Any]) -> bytes:
    """The funnel of a region and of the regions below it as a workbook: one row per region, one column per
    status, then the conversion and the median days identified → active (counts only, no personal data)."""
    from ucj.targeting.models import Status
    from ucj.xlsx import Book

    book = Book()
    bold = book.style(bold=True, fill="#E3F1EA", wrap=True)
    sheet = book.add_sheet(str(gettext_lazy("Corong"))[:31])
    headers = [str(gettext_lazy("Kode")), str(gettext_lazy("Wilayah")), *(str(s.label) for s in Status),
               str(gettext_lazy("Jumlah")), str(gettext_lazy("Konversi teridentifikasi → aktif (%)"))]  # fmt: skip
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.freeze_panes(1, 2)
    sheet.write_row(0, headers, bold)
    rows = [result, *result.get("children", [])]
    sheet.write_rows(1, [[r["region"], r["name"], *status_counts(r), r["total"], overall_percent(r)]
                         for r in rows])  # fmt: skip
    info = book.add_sheet("Info")
    info.set_column(0, 0, 36)
    info.write_rows(0, [[str(gettext_lazy("Wilayah")), f"{result['region']} {result['name']}"],
                        [str(gettext_lazy("Per tanggal")), result.get("as_of") or str(gettext_lazy("hari ini"))],
                        [str(gettext_lazy("Median hari dari teridentifikasi sampai aktif")),
                         result.get("median_days_to_active")]])  # fmt: skip
    return book.to_bytes()


#: What each count of a BPJS file's match answer means (``BpjsFile.counts``).
BPJS_COUNT_LABELS = {
    "unknown": gettext_lazy("NIK dikenal BPJS, tidak ada di daftar maupun registri"),
    "not_in_bpjs": gettext_lazy("orang di registri yang belum dikenal BPJS"),
    "disagreements": gettext_lazy("perbedaan nama atau tanggal lahir untuk diperiksa"),
    "registry_kpj_filled": gettext_lazy("nomor KPJ diisi ke registri"),
}
FIELD_LABELS = {"name": gettext_lazy("Nama"), "birth_date": gettext_lazy("Tanggal lahir")}


def bpjs_count_rows(counts: dict[str, Any]) -> list[tuple[str, int]]:
    """A BPJS file's stored answer as (label, count) rows: the match counts, then the enrolments it moved."""
    from ucj.targeting.models import Status

    rows = [(str(label), int(counts[key])) for key, label in BPJS_COUNT_LABELS.items() if key in counts]
    labels = dict(Status.choices)
    moved = [(str(gettext_lazy("daftar kerja → %(status)s")) % {"status": labels.get(k, k)}, int(n))
             for k, n in (counts.get("moved") or {}).items()]  # fmt: skip
    return rows + moved


def disagreement_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Disagreements of a BPJS file (already masked by the service) with their field in words."""
    return [{**d, "field_label": str(FIELD_LABELS.get(d.get("field", ""), d.get("field", "")))} for d in items]


# --- the dashboard card ---------------------------------------------------------------------------------

#: How long the card's figures are kept; their key changes with every list, BPJS file, worklist change, registry
#: change and day, so this only bounds the cache's size.
FIGURES_SECONDS = 3600


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def dashboard_figures(user: Any, region: str) -> dict[str, Any]:
    """The funnel card beside the gap: candidates identified (people of the lists not actively protected),
    people in village worklists, and people who reached "registered" (or beyond) this quarter — all from
    :mod:`ucj.targeting.services`, for the villages of ``region`` the user reaches. Cached: the dashboard is
    read far more often than worklists change, and the candidates are a computation over every list."""
    today = timezone.localdate()
    key = _figures_key(user, region, today)
    figures: dict[str, Any] | None = cache.get(key)
    if figures is None:
        figures = _figures(user, region, today)
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _figures(user: Any, region: str, today: dt.date) -> dict[str, Any]:
    from ucj.targeting import services

    start = quarter_start(today)
    now = services.funnel(user, region)
    before = services.funnel(user, region, as_of=start - dt.timedelta(days=1))
    registered = now["reached"]["registered"] - before["reached"]["registered"]
    return {"candidates": services.candidates(user, region, as_of=today).count, "in_worklists": now["total"],
            "registered_quarter": max(0, registered), "quarter_start": start}  # fmt: skip


def _figures_key(user: Any, region: str, today: dt.date) -> str:
    """A key that changes with the data the figures read: the lists, the BPJS files, the worklists (every change
    and every new person writes an event), the registry (the coverage version), the day and the user's scope."""
    from ucj.coverage.services import current_version
    from ucj.targeting.models import BpjsFile, EnrolmentEvent, ListSource

    scope = scope_for(user)
    lists = ListSource.objects.aggregate(n=Count("id"), at=Max("loaded_at"))
    stamp = (region, scope.everywhere, scope.grants, lists["n"], str(lists["at"]),
             BpjsFile.objects.aggregate(m=Max("id"))["m"], EnrolmentEvent.objects.aggregate(m=Max("id"))["m"],
             current_version(), today.isoformat())  # fmt: skip
    return "ucj:targeting:card:" + hashlib.sha256(repr(stamp).encode()).hexdigest()[:32]
