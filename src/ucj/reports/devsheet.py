"""The development-indicator sheet (issue 15 §4): the indicator as regional planning documents (RPJMD/RKPD) and
national reporting ask for it — per region a baseline, the yearly targets and their realisation — on two
definitions, each stated on the sheet:

* **UCJ rate** (``eligible``): active participants ÷ eligible workers ("pekerja eligible", BPJS/Kemendagri;
  shared/domain.md §3.1), the rate the UCJ targets are set on;
* **Bappenas 06.02.021** (``bpu_universe``): BPU participants in JKK & JKM ÷ the BPU universe (informal workers)
  × 100 (Kepmen PPN/Bappenas KEP.26A/M.PPN/HK/05/2025 reference codes; domain.md §3.1, §6), where a BPU universe
  is loaded — otherwise its cells stay empty and the sheet says why.

Every figure is :func:`ucj.coverage.services.coverage`'s answer for the region, year-end month and definition
(the dashboard's numbers); targets are those the indicator applies (the region's own or its nearest ancestor's
rate, matched on the same definition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ucj.coverage.indicator import target_percent
from ucj.coverage.models import Definition, Target
from ucj.coverage.services import coverage
from ucj.regions.codes import lineage
from ucj.reports import content
from ucj.reports.workbook import Styles, write_table
from ucj.xlsx import Book

DEFINITIONS = (Definition.ELIGIBLE, Definition.BPU_UNIVERSE)


def target_years(code: str, definition: str) -> list[int]:
    """Years with a target for the region or an ancestor on this definition."""
    years = Target.objects.filter(region_id__in=lineage(code), definition=definition).values_list("year", flat=True)
    return sorted(set(years))


def _as_of(year: int, month: dt.date) -> dt.date:
    """The month a year is read at: December, or the report's month for its own year."""
    return month if year == month.year else dt.date(year, 12, 1)


def baseline_year(code: str, month: dt.date) -> int:
    """The first year with covered workers in the region's history (the series the dashboard's trend shows)."""
    series = coverage(code, None, month)["region"]["series"]
    return int(series[0][0][:4]) if series else month.year


def sheet_table(code: str, month: dt.date, definition: str) -> content.Table:
    """One definition's table: per region (the region, then its children) the baseline and, per year, the
    target and the realisation (rate, covered, denominator); future years have a target only."""
    base = baseline_year(code, month)
    years = sorted({base, month.year, *[y for y in target_years(code, definition) if y >= base]})
    answers = {y: coverage(code, None, _as_of(y, month), definition) for y in years}
    columns = [content.Column(_("Kode"), content.TEXT, 10), content.Column(_("Wilayah"), content.TEXT, 26),
               content.Column(_("Baseline") + f" {base} (%)", content.PCT)]  # fmt: skip
    for y in years:
        columns += [content.Column(_("Target") + f" {y} (%)", content.PCT),
                    content.Column(_("Realisasi") + f" {y} (%)", content.PCT),
                    content.Column(_("Tercakup") + f" {y}", content.INT),
                    content.Column(_("Penyebut") + f" {y}", content.INT)]  # fmt: skip
    rows = []
    first = answers[years[0]]
    regions = [first["region"], *first["children"]]
    for i, r in enumerate(regions):
        row: list[Any] = [r["region"], r["name"], _indicator(answers[base], i)["rate"]]
        for y in years:
            ind = _indicator(answers[y], i)
            t = next((t for t in (ind["year_target"], ind["next_target"]) if t and t["year"] == y), None)
            real = y <= month.year
            row += [target_percent(t, ind["denominator"]) if t else None, ind["rate"] if real else None,
                    ind["covered"] if real else None, ind["denominator"]]  # fmt: skip
        rows.append(row)
    label = str(Definition(definition).label)
    return content.Table(definition, label[:31], columns, rows, note=_notes(definition, regions))


def _indicator(answer: dict[str, Any], i: int) -> dict[str, Any]:
    found: dict[str, Any] = answer["region"] if i == 0 else answer["children"][i - 1]
    return found


def _notes(definition: str, regions: list[dict[str, Any]]) -> str:
    if any(r["denominator"] is None for r in regions):
        if definition == Definition.BPU_UNIVERSE:
            return _("Semesta PBPU (pekerja informal) belum dimuat untuk sebagian wilayah: sel indikator Bappenas "
                     "06.02.021 wilayah itu kosong.")  # fmt: skip
        return _("Sebagian wilayah belum punya penyebut: selnya kosong.")
    return ""


def definitions_text() -> list[list[str]]:
    """The definitions sheet (the regulations and sources each indicator rests on)."""
    return [
        [_("Indikator"), _("Rumus"), _("Sumber")],
        [_("Cakupan UCJ (pekerja eligible)"),
         _("peserta aktif BPJS Ketenagakerjaan ÷ pekerja eligible (potensi tenaga kerja) × 100"),
         _("BPJS Ketenagakerjaan / Kemendagri; target RPJMD/RKPD dan target UCJ daerah")],
        [_("Bappenas 06.02.021 — Cakupan peserta segmen PBPU pada BPJS Ketenagakerjaan dalam program JKK dan JKM"),
         _("peserta BPU dalam JKK dan JKM ÷ semesta PBPU (pekerja informal) × 100"),
         _("Kepmen PPN/Bappenas KEP.26A/M.PPN/HK/05/2025 (kode referensi); terkait indikator 06.02.02.01.01 dan "
           "SDG 8.8.1(a)")],
        [_("Baseline"), _("capaian Desember tahun pertama yang punya data (tahun laporan: bulan laporan)"), "UCJ"],
        [_("Realisasi"), _("capaian Desember tiap tahun; tahun berjalan: bulan laporan"), "UCJ"],
    ]  # fmt: skip


def indicator_workbook(code: str, month: dt.date, lang: str,
                       progress: Callable[[str, int], None] | None = None) -> bytes:  # fmt: skip
    """The development-indicator sheet as xlsx: one sheet per definition and a definitions sheet."""
    step = progress or (lambda stage, pct: None)
    with translation.override(lang):
        book = Book()
        styles = Styles(book)
        for n, definition in enumerate(DEFINITIONS):
            step(_("menghitung indikator"), 10 + 40 * n)
            write_table(book, styles, sheet_table(code, month, definition))
        sheet = book.add_sheet(_("Definisi"))
        sheet.set_column(0, 0, 50)
        sheet.set_column(1, 1, 70)
        sheet.set_column(2, 2, 60)
        lines = definitions_text()
        sheet.write_row(0, lines[0], styles.head)
        sheet.write_rows(1, lines[1:], styles.wrap)
        step(_("menulis xlsx"), 95)
        return book.to_bytes()
