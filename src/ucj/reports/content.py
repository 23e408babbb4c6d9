"""The monthly coordination report as data (pure: no Django).

The shell (:mod:`ucj.reports.services`) asks the dashboard's own services for the figures and hands them here as
plain dicts (:class:`Inputs`); :func:`build` arranges them into sections of figures, tables and pictures
(:class:`Report`) that the PDF template and the workbook writer both render, so the two formats and the
dashboard show the same numbers. Every label goes through ``tr`` (Django's ``gettext`` under the report's
language, supplied by the shell), so the core stays free of Django.

Numbers keep their type here (int, float, None); :func:`number`, :func:`percent` and :func:`shown` format them
for the PDF in the report's language — Indonesian ``1.048.000`` and ``37,43 %``, English ``1,048,000`` and
``37.43%`` — while the workbook writes them as numbers with a number format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ucj.commitments.scorecard import SCORE_LABELS, SCORES, STATUS_LABELS
from ucj.reports import svg

Tr = Callable[[str], str]

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
#: Column kinds: how a value is shown in the PDF and which number format its workbook cell gets.
INT, PCT, DEC1, RP, TEXT, MONTH = "int", "pct", "dec1", "rp", "text", "month"
#: A report with more sections than this gets a table of contents (a short kab/kota report does not need one).
TOC_MIN_SECTIONS = 5
_ID_DIGITS = str.maketrans(",.", ".,")


# --- formatting (the report's language) ---------------------------------------------------------------------


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """``1048000`` → ``1.048.000`` (id) / ``1,048,000`` (en); None → an em dash."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "id":  # Indonesian: dot for thousands, comma for decimals (PUEBI)
        text = text.translate(_ID_DIGITS)
    return text


def percent(value: float | None, lang: str) -> str:
    """``37.43`` → ``37,43 %`` (id, with the space Indonesian style guides write) / ``37.43%`` (en)."""
    if value is None:
        return "—"
    return f"{number(value, lang, 2)} %" if lang == "id" else f"{number(value, lang, 2)}%"


def month_name(month: str | dt.date | None, lang: str) -> str:
    """``2024-12`` (or a date) → ``Desember 2024`` / ``December 2024``."""
    if month is None:
        return "—"
    if isinstance(month, str):
        year, mm = month.split("-")[:2]
        month = dt.date(int(year), int(mm), 1)
    return f"{MONTHS.get(lang, MONTHS['id'])[month.month - 1]} {month.year}"


def short_month(month: str, lang: str) -> str:
    """``2024-12`` → ``Des 24`` / ``Dec 24`` (chart axes)."""
    year, mm = month.split("-")[:2]
    return f"{MONTHS.get(lang, MONTHS['id'])[int(mm) - 1][:3]} {year[2:]}"


def shown(value: Any, kind: str, lang: str) -> str:
    """One value as the PDF shows it."""
    if value is None or value == "":
        return "—" if kind != TEXT else ""
    if kind == INT:
        return number(value, lang)
    if kind == PCT:
        return percent(value, lang)
    if kind == DEC1:
        return number(value, lang, 1)
    if kind == RP:
        return f"Rp {number(value, lang)}"
    if kind == MONTH:
        return month_name(value, lang)
    return str(value)


# --- the report's structure ---------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    kind: str = TEXT
    width: float = 14  # workbook column width (characters)


@dataclass
class Table:
    """A table: ``rows`` of typed values; ``total`` (optional) is the line the rows add up to."""

    key: str  # the workbook sheet (and anchor) name
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    note: str = ""

    def shown(self, lang: str) -> dict[str, Any]:
        """Rows and total formatted for the PDF, with each column's kind (numbers align right)."""
        kinds = [c.kind for c in self.columns]
        fmt = [[shown(v, k, lang) for v, k in zip(row, kinds, strict=True)] for row in self.rows]
        total = [shown(v, k, lang) for v, k in zip(self.total, kinds, strict=True)] if self.total else None
        cells = [[(text, kind != TEXT) for text, kind in zip(row, kinds, strict=True)] for row in fmt]
        total_cells = [(text, kind != TEXT) for text, kind in zip(total, kinds, strict=True)] if total else None
        return {"rows": cells, "total": total_cells, "heads": [(c.label, c.kind != TEXT) for c in self.columns]}


@dataclass
class Figure:
    """A headline figure: label, typed value, and what it rests on."""

    label: str
    value: Any
    kind: str
    note: str = ""


@dataclass
class Picture:
    """A chart or map as SVG with its text alternative (the PDF's ``alt``)."""

    svg: str
    alt: str
    caption: str


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    wide: bool = False  # printed on landscape pages (a table of many columns)


@dataclass
class Report:
    title: str
    region: str
    region_name: str
    month: str  # YYYY-MM
    lang: str
    synthetic: bool
    data_version: str
    generated: str  # ISO time the figures were read
    sections: list[Section]

    @property
    def toc(self) -> bool:
        return len(self.sections) >= TOC_MIN_SECTIONS

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def figures(self) -> list[tuple[str, Figure]]:
        return [(s.title, f) for s in self.sections for f in s.figures]


@dataclass
class Inputs:
    """What the shell gathered, all plain data from the dashboard's services (see :mod:`ucj.reports.services`).

    ``result`` is :func:`ucj.coverage.services.coverage`'s answer; ``rows``, ``rest``, ``trend``, ``ecosystems``,
    ``payers`` and ``headline`` are the dashboard's arrangement of it (:mod:`ucj.coverage.views`), already labelled
    in the report's language; ``plans`` are :func:`ucj.planning.services.compare` rows; ``realisation`` the public
    payers' bills of the year; ``scorecard`` and ``funnel`` are those services' answers (None: the section is
    left out), ``stage_labels`` the enrolment stages' names in the report's language."""

    result: dict[str, Any]
    rows: list[dict[str, Any]]
    rest: dict[str, Any] | None
    trend: dict[str, list[Any]]
    ecosystems: list[dict[str, Any]]
    payers: list[dict[str, Any]]
    headline: list[dict[str, Any]]
    screen_year: int | None
    status_label: str
    source_label: str
    definition_label: str
    child_level: str
    geo: dict[str, Any]
    plans: list[dict[str, Any]]
    realisation: list[dict[str, Any]]
    synthetic: bool
    data_version: str
    data_time: str
    scorecard: dict[str, Any] | None = None
    funnel: dict[str, Any] | None = None
    stage_labels: dict[str, str] = field(default_factory=dict)


# --- sections -----------------------------------------------------------------------------------------------


def build(inputs: Inputs, lang: str, tr: Tr) -> Report:
    """The report's sections, in the order of a coordination meeting (issue 15): headline, vulnerable workers,
    ecosystems, map and ranked table, trend, budget, commitments, enrolment, sources and definitions."""
    top = inputs.result["region"]
    month = inputs.result["as_of"]
    title = f"{tr('Laporan UCJ')} — {top['name']} — {month_name(month, lang)}"
    sections = [headline(inputs, lang, tr), vulnerable(inputs, tr), ecosystems(inputs, tr), regions(inputs, lang, tr),
                trend(inputs, lang, tr), budget(inputs, tr)]  # fmt: skip
    if inputs.scorecard is not None:
        sections.append(scorecard(inputs.scorecard, lang, tr))
    if inputs.funnel is not None:
        sections.append(funnel(inputs.funnel, inputs.stage_labels, lang, tr))
    sections.append(sources(inputs, lang, tr))
    return Report(title=title, region=top["region"], region_name=top["name"], month=month, lang=lang,
                  synthetic=inputs.synthetic, data_version=inputs.data_version, generated=inputs.data_time,
                  sections=sections)  # fmt: skip


def _reached(value: str | None, tr: Tr, lang: str) -> str:
    if value == "met":
        return tr("sudah tercapai")
    if value is None:
        return tr("tidak tercapai pada tren ini")
    return month_name(value, lang)


def headline(inputs: Inputs, lang: str, tr: Tr) -> Section:
    """Covered, denominator, rate; per target shown (in December the closing year and the next): target, gap or
    surplus, pace needed vs achieved, projection and the month it is reached — the dashboard's headline."""
    top = inputs.result["region"]
    month = month_name(inputs.result["as_of"], lang)
    den_note = f"{inputs.definition_label}; {top['denominator_source'] or '—'}"
    if top["denominator_year"] is not None:
        den_note += f" ({top['denominator_year']})"
    figures = [
        Figure(tr("Tercakup") + f" ({month})", top["covered"], INT, inputs.source_label),
        Figure(tr("Pekerja (penyebut)"), top["denominator"], INT, den_note),
        Figure(tr("Cakupan"), top["rate"], PCT, top.get("rate_note") or ""),
    ]
    pace = top["pace_6"] if top["pace_6"] is not None else top["pace_3"]
    for t in inputs.headline:
        year = t["year"]
        suffix = f" {year}" + (f" ({tr('tahun yang ditutup')})" if t.get("closing") else "")
        figures.append(Figure(tr("Target") + suffix, t.get("percent"), PCT, t.get("source") or ""))
        figures.append(Figure(tr("Target (pekerja)") + suffix, t.get("count"), INT))
        if t.get("surplus"):
            figures.append(Figure(tr("Surplus") + suffix, t["surplus"], INT))
        else:
            figures.append(Figure(tr("Kurang") + suffix, t.get("gap"), INT))
        if t.get("closing"):
            continue  # the closing year has no month left: pace and projection belong to the next year
        figures.append(Figure(tr("Laju yang diperlukan (pekerja per bulan)"), t.get("pace_needed"), INT,
                              tr("sampai Desember") + f" {year}"))  # fmt: skip
        figures.append(Figure(tr("Laju tercapai (pekerja per bulan)"), pace, DEC1,
                              tr("rata-rata 6 bulan") if top["pace_6"] is not None else tr("rata-rata 3 bulan")))
        figures.append(Figure(tr("Proyeksi akhir") + f" {year}", t.get("projected"), INT,
                              percent(t.get("projected_rate"), lang)))  # fmt: skip
        figures.append(Figure(tr("Target tercapai pada"), _reached(t.get("reached"), tr, lang), TEXT))
    figures.append(Figure(tr("Status"), inputs.status_label, TEXT))
    return Section("ringkasan", tr("Ringkasan"), figures=figures)


def vulnerable(inputs: Inputs, tr: Tr) -> Section:
    top = inputs.result["region"]
    figures = [Figure(tr("Pekerja rentan tercakup"), top["vulnerable_covered"], INT),
               Figure(tr("Pekerja miskin/rentan"), top["vulnerable_total"], INT),
               Figure(tr("Cakupan pekerja rentan"), top["vulnerable_rate"], PCT)]  # fmt: skip
    text = tr("Pekerja rentan tercakup: peserta ekosistem 'rentan'; penyebut: baris pekerja miskin/rentan "
              "(P3KE, DTKS, DTSEN) wilayah ini.")  # fmt: skip
    return Section("rentan", tr("Pekerja rentan"), figures=figures, paragraphs=[text])


def ecosystems(inputs: Inputs, tr: Tr) -> Section:
    eco = Table("ekosistem", tr("Ekosistem"), [Column(tr("Ekosistem"), TEXT, 24), Column(tr("Tercakup"), INT),
                Column(tr("Perubahan 6 bulan"), INT)],
                [[r["label"], r["covered"], r["change_6"]] for r in inputs.ecosystems])  # fmt: skip
    tables = [eco]
    if inputs.payers:
        tables.append(Table("pembayar", tr("Pembayar iuran"), [Column(tr("Pembayar"), TEXT, 24),
                            Column(tr("Tercakup"), INT), Column(tr("Perubahan 6 bulan"), INT)],
                            [[r["label"], r["covered"], r["change_6"]] for r in inputs.payers]))  # fmt: skip
    return Section("ekosistem", tr("Ekosistem dan pembayar"), tables=tables)


def regions(inputs: Inputs, lang: str, tr: Tr) -> Section:
    """The map and the ranked table of the children, one target year for every row (as on the dashboard); the
    row for what cannot be placed lower and a total line, so the rows add up to the region."""
    top = inputs.result["region"]
    year = inputs.screen_year
    ty = f" {year}" if year else ""
    columns = [Column(tr("Kode"), TEXT, 10), Column(tr("Wilayah"), TEXT, 26), Column(tr("Tercakup"), INT),
               Column(tr("Pekerja (penyebut)"), INT), Column(tr("Cakupan (%)"), PCT),
               Column(tr("Target") + ty + " (%)", PCT), Column(tr("Target (pekerja)"), INT),
               Column(tr("Kurang"), INT), Column(tr("Surplus"), INT), Column(tr("Status"), TEXT, 16),
               Column(tr("Sumber data"), TEXT, 22)]  # fmt: skip
    rows = [[r["code"], r["name"], r["covered"], r["denominator"], r["rate"], r["target_rate"], r["target_count"],
             r["gap"], r["surplus"], r["status_label"], r["source_label"]] for r in inputs.rows]  # fmt: skip
    if inputs.rest:
        rows.append(["", inputs.rest["label"], inputs.rest["covered"], None, None, None, None, None, None, "",
                     inputs.rest["source_label"]])  # fmt: skip
    total = ["", tr("Jumlah") + f" ({top['name']})", top["covered"], top["denominator"], top["rate"], None, None,
             None, None, "", ""]  # fmt: skip
    table = Table("wilayah", tr("Peringkat per") + f" {inputs.child_level}", columns, rows, total,
                  tr("Diurutkan menurut cakupan, tertinggi dahulu; status dinilai terhadap target") + ty + ".")
    pictures = []
    status = {r["code"]: r["status"] for r in inputs.rows}
    drawn = svg.region_map(inputs.geo, status, {r["code"]: r["covered"] for r in inputs.rows}, _map_labels(tr))
    if drawn:
        best = inputs.rows[0] if inputs.rows and inputs.rows[0]["rate"] is not None else None
        alt = tr("Peta status cakupan per wilayah terhadap target") + ty + "."
        if best:
            alt += " " + tr("Cakupan tertinggi") + f": {best['name']} ({percent(best['rate'], lang)})."
        pictures.append(Picture(drawn, alt, tr("Peta: status terhadap target") + ty))
    title = tr("Peta dan peringkat per") + f" {inputs.child_level}"
    return Section("wilayah", title, tables=[table], pictures=pictures, wide=True)


def _map_labels(tr: Tr) -> dict[str, str]:
    return {"met": tr("tercapai"), "on_track": tr("sesuai jalur"), "behind": tr("tertinggal"),
            "unknown": tr("belum dapat dinilai")}  # fmt: skip


def trend(inputs: Inputs, lang: str, tr: Tr) -> Section:
    """Monthly covered workers, the target line and the projection (the dashboard's trend)."""
    t = inputs.trend
    table = Table("tren", tr("Tren bulanan"), [Column(tr("Bulan"), MONTH, 16), Column(tr("Tercakup"), INT),
                  Column(tr("Target"), INT), Column(tr("Proyeksi"), INT)],
                  [[m, c, g, p] for m, c, g, p in zip(t["months"], t["covered"], t["target"], t["projection"],
                                                       strict=True)])  # fmt: skip
    labels = {"covered": tr("Tercakup"), "target": tr("Target"), "projection": tr("Proyeksi")}
    drawn = svg.trend_chart(t, labels, lambda v: number(v, lang), lambda m: short_month(m, lang))
    top = inputs.result["region"]
    alt = (tr("Grafik tren tercakup per bulan") + f": {number(top['covered'], lang)} "
           + tr("pada") + f" {month_name(inputs.result['as_of'], lang)}")  # fmt: skip
    end = next((p for p in reversed(t["projection"]) if p is not None), None)
    if end is not None:
        alt += "; " + tr("proyeksi") + f" {number(end, lang)} " + tr("pada") + f" {month_name(t['months'][-1], lang)}"
    return Section("tren", tr("Tren"), tables=[table], pictures=[Picture(drawn, alt + ".", tr("Tren tercakup"))])


def budget(inputs: Inputs, tr: Tr) -> Section:
    """Saved budget scenarios of the region and the public payers' bills of the report's year (realisation)."""
    plans = Table("rencana", tr("Rencana anggaran (skenario tersimpan)"),
                  [Column(tr("Skenario"), TEXT, 40), Column(tr("Tahun"), INT, 8), Column(tr("Pekerja didanai"), INT),
                   Column(tr("Biaya"), RP, 20), Column(tr("Cakupan setelahnya (%)"), PCT),
                   Column(tr("Dibuat"), TEXT, 20)],
                  [[p["name"], p["year"], p["funded"], p["cost"], p["rate_after"], p["created_at"][:10]]
                   for p in inputs.plans])  # fmt: skip
    real = Table("realisasi", tr("Realisasi: tagihan pembayar pemerintah tahun ini"),
                 [Column(tr("Pembayar"), TEXT, 24), Column(tr("Tagihan"), INT, 10), Column(tr("Bulan-peserta"), INT),
                  Column(tr("Ditagih"), RP, 20), Column(tr("Dibayar"), RP, 20), Column(tr("Realisasi (%)"), PCT)],
                 [[r["label"], r["bills"], r["months"], r["billed"], r["paid"], r["paid_rate"]]
                  for r in inputs.realisation])  # fmt: skip
    notes = []
    if not inputs.plans:
        notes.append(tr("Belum ada skenario anggaran tersimpan untuk wilayah ini."))
    if not inputs.realisation:
        notes.append(tr("Belum ada tagihan pembayar pemerintah (APBN, APBD, APBDes) pada tahun ini."))
    tables = [t for t in (plans, real) if t.rows]
    return Section("anggaran", tr("Anggaran: rencana dan realisasi"), tables=tables, paragraphs=notes)


def _bilingual(pair: tuple[str, str], lang: str) -> str:
    """A label the commitments core carries in both languages (Indonesian, English)."""
    return pair[1] if lang == "en" else pair[0]


def _rt_rw_pct(entry: dict[str, Any]) -> float | None:
    """Active RT and RW heads per RT/RW position, percent (capped at 100, as the scorecard's rule judges it)."""
    roles = [r for r in ((entry.get("institutions") or {}).get(k) for k in ("rt", "rw")) if r]
    positions = sum(r["positions"] for r in roles)
    return round(min(100.0, 100 * sum(r["active"] for r in roles) / positions), 1) if positions else None


def scorecard(answer: dict[str, Any], lang: str, tr: Tr) -> Section:
    """The commitments scorecard (``ucj.commitments.services.scorecard``; the rule in
    :mod:`ucj.commitments.scorecard`): the region, then its children ranked by score — status, score, the level of
    each of the seven scores, budget allocated, realised and absorbed, villages fully protected, RT/RW heads active,
    overdue follow-up actions."""
    levels = {"baik": tr("baik"), "sedang": tr("sedang"), "kurang": tr("kurang")}
    columns = [Column(tr("Kode"), TEXT, 10), Column(tr("Wilayah"), TEXT, 24), Column(tr("Status"), TEXT, 16),
               Column(tr("Skor"), INT, 8),
               *[Column(_bilingual(SCORE_LABELS[name], lang), TEXT, 12) for name in SCORES],
               Column(tr("Anggaran dialokasikan"), RP, 18), Column(tr("Anggaran terealisasi"), RP, 18),
               Column(tr("Serapan (%)"), PCT, 10), Column(tr("Desa terlindungi penuh (%)"), PCT, 12),
               Column(tr("RT/RW aktif (%)"), PCT, 10),
               Column(tr("Tindak lanjut terlambat (jumlah)"), INT, 10)]  # fmt: skip
    rows = []
    for e in [answer["region"], *answer.get("children", [])]:
        budget, scores = e.get("budget") or {}, e.get("scores") or {}
        status = STATUS_LABELS.get(e.get("status") or "")
        rows.append([e["code"], e["name"], _bilingual(status, lang) if status else "", e.get("score"),
                     *[levels.get(scores.get(name) or "", tr("tanpa data")) for name in SCORES],
                     budget.get("allocated"), budget.get("realised"), budget.get("absorption_pct"),
                     (e.get("villages") or {}).get("pct"), _rt_rw_pct(e), e.get("overdue_actions")])  # fmt: skip
    note = tr("Tiap skor: baik (2 poin), sedang (1), kurang (0), tanpa data (tidak dinilai); skor = poin ÷ "
              "(2 × skor yang dinilai) × 100. Wilayah pertama, lalu wilayah di bawahnya menurut skor.")  # fmt: skip
    table = Table("komitmen", tr("Kartu skor komitmen"), columns, rows, note=note)
    return Section("komitmen", tr("Komitmen daerah"), tables=[table], wide=True)


def funnel(answer: dict[str, Any], stage_labels: dict[str, str], lang: str, tr: Tr) -> Section:
    """The enrolment funnel (``ucj.targeting.services.funnel``) at the month's end: the people in worklists, the
    overall conversion and the median days to active; per stage the people there now, those who reached it and
    the conversion from the stage before, then each closing status, so the rows add up to the total; per child
    region the same counts. Zeros are shown: lists loaded but nobody in a worklist is news for the meeting."""
    conversion = answer.get("conversion") or {}

    def pct(share: float | None) -> float | None:
        return round(100 * share, 2) if share is not None else None

    figures = [Figure(tr("Orang dalam daftar kerja"), answer["total"], INT),
               Figure(tr("Konversi teridentifikasi → aktif"), pct(conversion.get("overall")), PCT),
               Figure(tr("Median hari dari teridentifikasi sampai aktif"), answer.get("median_days_to_active"),
                      DEC1)]  # fmt: skip
    stages, closed, reached = answer["stages"], answer.get("closed") or {}, answer.get("reached") or {}
    rows = [[stage_labels.get(k, k), n, reached.get(k), pct(conversion.get(k))] for k, n in stages.items()]
    rows += [[stage_labels.get(k, k), n, None, None] for k, n in closed.items()]
    table = Table("corong", tr("Corong pendaftaran"),
                  [Column(tr("Tahap"), TEXT, 24), Column(tr("Saat ini"), INT), Column(tr("Mencapai tahap ini"), INT),
                   Column(tr("Konversi dari tahap sebelumnya (%)"), PCT)],
                  rows, [tr("Jumlah"), answer["total"], None, pct(conversion.get("overall"))])  # fmt: skip
    tables = [table]
    if answer.get("children"):
        columns = [Column(tr("Kode"), TEXT, 12), Column(tr("Wilayah"), TEXT, 24), Column(tr("Jumlah"), INT),
                   *[Column(stage_labels.get(k, k), INT) for k in stages], Column(tr("Ditutup"), INT),
                   Column(tr("Konversi teridentifikasi → aktif") + " (%)", PCT)]  # fmt: skip
        child_rows = [[c["region"], c["name"], c["total"], *[c["stages"].get(k, 0) for k in stages],
                       sum((c.get("closed") or {}).values()), pct((c.get("conversion") or {}).get("overall"))]
                      for c in answer["children"]]  # fmt: skip
        tables.append(Table("corong-wilayah", tr("Corong pendaftaran per wilayah"), columns, child_rows))
    paragraphs = [] if answer["total"] else [tr("Daftar sasaran sudah dimuat, tetapi belum ada orang dalam daftar "
                                                "kerja desa di wilayah ini.")]  # fmt: skip
    return Section("pendaftaran", tr("Corong pendaftaran"), figures=figures, paragraphs=paragraphs, tables=tables)


def sources(inputs: Inputs, lang: str, tr: Tr) -> Section:
    """Where each figure comes from and what it means (docs/coverage.md; shared/domain.md §3.1)."""
    top = inputs.result["region"]
    paragraphs = [
        tr("Tercakup: peserta aktif pada bulan laporan. Umpan BPJS (agregat) dipakai di wilayah yang dilaporkannya; "
           "registri UCJ menambah wilayah lain. Sumber wilayah ini") + f": {inputs.source_label}.",
        tr("Penyebut") + f": {inputs.definition_label} — {top['denominator_source'] or '—'}.",
        tr("Cakupan = tercakup ÷ penyebut × 100. Target: target wilayah untuk tahun itu, atau persentase target "
           "wilayah induk terdekat. Laju tercapai: rata-rata perubahan bulanan 6 (atau 3) bulan terakhir; "
           "proyeksi: laju itu diteruskan sampai Desember."),
        tr("Indikator Bappenas 06.02.021: peserta BPU dalam JKK dan JKM ÷ semesta PBPU (pekerja informal) × 100 — "
           "lihat lembar indikator pembangunan."),
        tr("Angka sama dengan dasbor cakupan untuk wilayah dan bulan ini, dihitung pada versi data") +
        f" {inputs.data_version} ({inputs.data_time[:19].replace('T', ' ')}).",
    ]  # fmt: skip
    if inputs.synthetic:
        paragraphs.insert(0, tr("DATA SINTETIS (demo): peserta, angka cakupan, target dan umpan BPJS ini buatan, "
                                "bukan data resmi."))  # fmt: skip
    return Section("sumber", tr("Sumber data dan definisi"), paragraphs=paragraphs)
