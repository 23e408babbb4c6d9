"""The report as a PDF: a Django template rendered by WeasyPrint (no browser).

A4, page numbers in the footer ("halaman n dari N"), a table of contents with page numbers for long reports
(CSS ``target-counter``), charts and the map as inline SVG images with their text alternative, and a tagged PDF
(``pdf_tags``: headings, tables and figures carry their structure for screen readers). The font is DejaVu Sans
from Debian's ``fonts-dejavu-core`` (found through fontconfig; scripts/setup.sh installs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from ucj.reports import content, svg

TEMPLATE = "reports/monthly_pdf.html"


def context(report: content.Report) -> dict[str, Any]:
    """What the template shows: sections with formatted figures and tables, pictures as ``data:`` URIs."""
    sections = []
    for s in report.sections:
        sections.append({
            "key": s.key, "title": s.title, "paragraphs": s.paragraphs, "wide": s.wide,
            "figures": [{"label": f.label, "value": content.shown(f.value, f.kind, report.lang), "note": f.note}
                        for f in s.figures],
            "tables": [{"key": t.key, "title": t.title, "note": t.note, **t.shown(report.lang)} for t in s.tables],
            "pictures": [{"src": svg.data_uri(p.svg), "alt": p.alt, "caption": p.caption} for p in s.pictures],
        })  # fmt: skip
    return {"report": report, "sections": sections, "month_name": content.month_name(report.month, report.lang)}


def html(report: content.Report) -> str:
    with translation.override(report.lang):
        return render_to_string(TEMPLATE, context(report))


def render_pdf(report: content.Report, progress: Callable[[str, int], None] | None = None) -> bytes:
    """The PDF bytes of ``report`` (tagged, A4)."""
    import weasyprint

    step = progress or (lambda stage, pct: None)
    with translation.override(report.lang):
        step(translation.gettext("menyusun PDF"), 60)
        document = weasyprint.HTML(string=html(report)).render(pdf_tags=True)
        step(translation.gettext("menulis PDF"), 85)
        data: bytes = document.write_pdf(pdf_tags=True)
    return data
