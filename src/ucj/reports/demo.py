"""The demo's reports: ``ucj demo`` issues the December 2024 report of Sumatera Selatan and of Musi Banyuasin (the
meeting of ``../shared/context/``) into the archive, so /laporan/ lists them at once. Rendering both takes a few
seconds on the demo's data (measured: 3 s of CPU, under 8 s on a loaded 2-core machine)."""

from __future__ import annotations

import datetime as dt

from ucj.reports import services
from ucj.reports.models import IssuedReport

MONTH = dt.date(2024, 12, 1)
REGIONS = ("16", "16.06")  # Sumatera Selatan; Musi Banyuasin, by kecamatan


def issue_demo_reports() -> list[IssuedReport]:
    """Issue (or find, on unchanged data) the demo's December 2024 PDF reports, rendered now."""
    return [services.issue(None, code, MONTH, fmt=IssuedReport.Format.PDF, background=False) for code in REGIONS]
