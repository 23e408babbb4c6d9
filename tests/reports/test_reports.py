"""The monthly report against the dashboard (issue 15 "Done when"): the PDF's text holds the dashboard's figures
in Indonesian formatting, the xlsx reconciles (kab/kota rows + the unplaceable row = the province; cells are
numbers), the archive returns the same bytes, issued reports are immutable, and the scope holds on pages, API and
command line. Data: the hand-made Sumsel set of ``tests/coverage/test_dashboard_page`` (figures computed there).

PDF renders cost about two seconds each: this module renders one."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from tests.coverage.test_dashboard_page import MUBA, OKU, PALEMBANG
from ucj.accounts.models import AuditEvent
from ucj.coverage.services import bump_version, current_version
from ucj.reports import services
from ucj.reports.content import number, percent
from ucj.reports.models import IssuedReport, ReportImmutable

DEC = dt.date(2024, 12, 1)
XLSX = "xlsx"


def pdf_text(data: bytes) -> str:
    """Every page's text, whitespace collapsed (table cells wrap)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def sheet(data: bytes, name_start: str) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    name = next(n for n in book.sheet_names if n.startswith(name_start))
    rows: list[list[Any]] = book.get_sheet_by_name(name).to_python()
    return rows


def test_the_pdf_shows_the_dashboards_figures_and_the_archive_keeps_its_bytes(
    sumsel: None, client_for: Callable[..., Client]
) -> None:
    analyst = client_for("provinsi", "16")
    dash = analyst.get("/cakupan/?region=16&as_of=2024-12").context
    top, target, closing = dash["top"], dash["target"], dash["year_target"]
    response = analyst.post("/laporan/", {"region": "16", "month": "2024-12", "kind": "monthly", "format": "pdf",
                                          "lang": "id"})  # fmt: skip
    report = IssuedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/laporan/{report.pk}/"
    assert (report.status, report.issued_by.username, report.data_version) == ("done", report.issued_by.username,
                                                                                current_version())
    first = analyst.get(f"/laporan/{report.pk}/unduh/")
    data = first.content
    assert first["Content-Type"] == "application/pdf" and data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == report.sha256
    text = pdf_text(data)
    from pypdf import PdfReader

    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalog and catalog["/Lang"] == "id"  # tagged
    # The dashboard's numbers (hand-computed in test_dashboard_page), formatted the Indonesian way.
    assert (top["covered"], top["rate"], target["gap"], target["pace_needed"]) == (490, 32.67, 260, 22)
    expected = [
        "Laporan UCJ — Sumatera Selatan — Desember 2024", "DATA SINTETIS (demo)",
        f"Tercakup (Desember 2024) umpan BPJS (agregat) {number(top['covered'], 'id')}",
        "Pekerja (penyebut)", number(top["denominator"], "id"), f"Cakupan {percent(top['rate'], 'id')}",
        f"Target 2024 (tahun yang ditutup) RPJMD {percent(30.0, 'id')}",
        f"Surplus 2024 (tahun yang ditutup) {number(closing['surplus'], 'id')}",
        f"Target (pekerja) 2025 {number(target['count'], 'id')}", f"Kurang 2025 {number(target['gap'], 'id')}",
        f"{number(target['pace_needed'], 'id')}", f"{number(top['pace_6'], 'id', 1)}",
        f"Proyeksi akhir 2025 {percent(target['projected_rate'], 'id')} {number(target['projected'], 'id')}",
        "Target tercapai pada November 2025", f"Cakupan pekerja rentan {percent(top['vulnerable_rate'], 'id')}",
        "Daftar isi", "halaman 1 dari",
    ]  # fmt: skip
    for snippet in expected:
        assert snippet in text, snippet
    for row in dash["rows"]:  # the ranked table, every kab/kota with the dashboard's covered and rate
        assert f"{row['code']} {row['name']} {number(row['covered'], 'id')}" in text, row["code"]
        if row["rate"] is not None:
            assert percent(row["rate"], "id") in text
    # Issued once: the archive returns the identical bytes, also after the data change.
    again = analyst.get(f"/laporan/{report.pk}/unduh/").content
    assert again == data
    IssuedReport.objects.filter(pk=report.pk).update(stage="")  # updates of the queryset are the job's own
    with pytest.raises(ReportImmutable):
        report.save()
    with pytest.raises(ReportImmutable):
        report.delete()
    actions = list(AuditEvent.objects.filter(object_type="issued_report").values_list("action", flat=True))
    assert sorted(actions) == ["download_report", "download_report", "issue_report"]
    path = Path(services.reports_dir()) / Path(report.file).name
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_xlsx_reconciles_and_holds_numbers(sumsel: None) -> None:
    data = services.make("monthly", "16", DEC, XLSX, "id")
    rows = sheet(data, "Peringkat")
    header = rows[1]
    covered, rate = header.index("Tercakup"), header.index("Cakupan (%)")
    body, total = rows[2:-3], rows[-3]
    assert total[1] == "Jumlah (Sumatera Selatan)" and total[covered] == 490 and total[rate] == 32.67
    # Every kab/kota of the province: the three with a feed, the others 0; they add up to the province.
    assert {r[0]: r[covered] for r in body if r[covered]} == {PALEMBANG: 280, MUBA: 160, OKU: 50}
    assert sum(r[covered] for r in body) == total[covered]
    assert [r[0] for r in body[:3]] == [PALEMBANG, MUBA, OKU]  # ranked by rate
    summary = sheet(data, "Ringkasan")
    assert [r[2] for r in summary if r[1] == "Cakupan"] == [32.67]  # a number, not "32,67 %"
    book = zipfile.ZipFile(io.BytesIO(data))
    styles = book.read("xl/styles.xml").decode()
    assert 'numFmtId="3"' in styles and 'numFmtId="2"' in styles  # #,##0 counts and 0.00 rates, built-in formats
    assert "&quot;Rp&quot; #,##0" in styles and 'formatCode="yyyy-mm"' in styles  # rupiah, months
    ranking = next(n for n in book.namelist() if n.startswith("xl/worksheets/") and b"Jumlah (Sumatera" in book.read(n))
    assert b't="inlineStr"><is><t xml:space="preserve">490' not in book.read(ranking)  # never a number as text


def test_a_kabkota_report_by_kecamatan_adds_up_with_the_feed_row(sumsel: None) -> None:
    data = services.make("monthly", MUBA, DEC, XLSX, "en")
    rows = sheet(data, "Ranking")
    header = rows[1]
    covered = header.index("Covered")
    body, total = rows[2:-3], rows[-3]
    rest = [r for r in body if not r[0]]
    assert rest and rest[0][1] == "BPJS feed — cannot be broken down by district"
    assert total[covered] == 160 and sum(r[covered] for r in body) == 160


def test_issuing_the_same_report_on_the_same_data_returns_it(sumsel: None, make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", MUBA)
    first = services.issue(user, MUBA, DEC, fmt=XLSX)
    assert services.issue(user, MUBA, DEC, fmt=XLSX).pk == first.pk
    assert services.issue(user, MUBA, DEC, fmt=XLSX, lang="en").pk != first.pk
    bump_version()  # the data changed: a new version is published
    later = services.issue(user, MUBA, DEC, fmt=XLSX)
    assert later.pk != first.pk and later.data_version != first.data_version
    assert services.read(first) == (services.reports_dir() / Path(first.file).name).read_bytes()


def test_a_report_left_by_a_dead_worker_is_issued_again(sumsel: None, make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", MUBA)
    stuck = IssuedReport.objects.create(region_id=MUBA, month=DEC, format=XLSX, data_version=current_version(),
                                        report_version=services.report_version()[0])  # fmt: skip
    assert services.issue(user, MUBA, DEC, fmt=XLSX).pk == stuck.pk  # still rendering: the same report
    IssuedReport.objects.filter(pk=stuck.pk).update(issued_at=stuck.issued_at - services.STALE_AFTER)
    fresh = services.issue(user, MUBA, DEC, fmt=XLSX)
    assert fresh.pk != stuck.pk and fresh.status == "done"
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "worker" in stuck.error


def test_scope_pages_and_api(sumsel: None, make_user: Callable[..., Any], client_for: Callable[..., Client]) -> None:
    other = services.issue(None, PALEMBANG, DEC, fmt=XLSX, background=False)
    own = services.issue(None, MUBA, DEC, fmt=XLSX, background=False)
    officer = client_for("kabkota", MUBA)
    assert officer.get(f"/laporan/{other.pk}/unduh/").status_code == 404
    assert officer.get(f"/api/v1/reports/{other.pk}/file").status_code == 404
    assert officer.get(f"/api/v1/reports/{other.pk}").status_code == 404
    assert officer.get(f"/laporan/?region={PALEMBANG}").status_code == 404
    refused = officer.post("/api/v1/reports", {"region": PALEMBANG, "month": "2024-12", "format": "xlsx"},
                           content_type="application/json")  # fmt: skip
    assert refused.status_code == 404
    assert [r["id"] for r in officer.get("/api/v1/reports").json()] == [own.pk]
    mine = officer.post("/api/v1/reports", {"region": MUBA, "month": "2024-12", "format": "xlsx", "lang": "en"},
                        content_type="application/json")  # fmt: skip
    assert mine.status_code == 200 and mine.json()["status"] == "done" and mine.json()["region"] == MUBA
    body = officer.get(mine.json()["file_url"])
    assert hashlib.sha256(body.content).hexdigest() == mine.json()["sha256"]
    viewer = client_for("viewer", "16")
    assert viewer.get(f"/laporan/{other.pk}/unduh/").status_code == 200
    assert viewer.post("/api/v1/reports", {"region": "16", "month": "2024-12", "format": "xlsx"},
                       content_type="application/json").status_code == 403  # fmt: skip
    assert viewer.post("/laporan/", {"region": "16", "month": "2024-12", "kind": "monthly", "format": "xlsx",
                                     "lang": "id"}).status_code == 403  # fmt: skip
    village = client_for("desa", "16.06.01.2001")
    assert village.post("/api/v1/reports", {"region": MUBA, "month": "2024-12"},
                        content_type="application/json").status_code == 404  # fmt: skip
    assert Client().get("/laporan/").status_code == 302
    page = officer.get("/laporan/")
    assert page.status_code == 200 and [r.pk for r in page.context["archive"]] == [mine.json()["id"], own.pk]
    assert [c for c, _ in page.context["form"].fields["region"].choices] == [MUBA]
    assert Client().get("/api/v1/reports").status_code == 401
    bad = officer.post("/api/v1/reports", {"region": MUBA, "month": "2024-13"}, content_type="application/json")
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["detail"]


def test_the_command_line_issues_and_writes_the_file(sumsel: None, tmp_path: Path) -> None:
    from ucj.cli.main import app

    out = tmp_path / "muba.xlsx"
    args = ["report", "monthly", "--region", MUBA, "--month", "2024-12", "--out", str(out), "--json"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result["sha256"] == IssuedReport.objects.get().sha256
    refused = CliRunner().invoke(app, ["report", "monthly", "--region", "16.06.01", "--out", str(out), "--json"])
    assert refused.exit_code == 1 and "kabupaten/kota" in refused.stdout
    sheet_out = tmp_path / "indikator.xlsx"
    done = CliRunner().invoke(app, ["report", "indicator", "--region", "16", "--month", "2024-12", "--out",
                                    str(sheet_out), "--json"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["kind"] == "indicator" and sheet_out.read_bytes().startswith(b"PK")
