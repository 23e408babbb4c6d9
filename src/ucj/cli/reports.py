"""``ucj report monthly`` and ``ucj report indicator`` — issue a report into the archive and write it to a file;
``ucj report list`` — the archive. The same services as the ``/laporan/`` page and ``/api/v1/reports``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ucj.cli.output import console, emit_json, fail, progress_bar
from ucj.cli.setup import boot

app = typer.Typer(help="Reports: the monthly coordination report (PDF/xlsx), the development-indicator sheet.",
                  no_args_is_help=True)  # fmt: skip


def _issue(kind: str, region: str, month: str | None, out: Path, lang: str, as_json: bool,
           username: str | None) -> None:  # fmt: skip
    boot()
    from ucj import months
    from ucj.coverage.services import latest_month
    from ucj.reports import services

    fmt = out.suffix.lower().lstrip(".")
    try:
        when = months.parse_month(month) if month else latest_month()
    except ValueError as err:
        fail(str(err), as_json=as_json, code="USAGE", exit_code=2)
    user = _user(username, as_json)
    try:
        report = services.issue(user, region, when, kind=kind, fmt=fmt, lang=lang, background=False)
        if report.status != "done":  # queued by another process meanwhile: render it here
            with progress_bar(not as_json, f"{kind} {region} {when:%Y-%m}") as step:
                report = services.run(report.pk, step)
        data = services.read(report)
    except services.ReportRefused as err:
        fail(str(err), as_json=as_json, code="REFUSED")
    out.write_bytes(data)
    result: dict[str, Any] = {"id": report.pk, "region": report.region_id, "month": f"{report.month:%Y-%m}",
                              "kind": report.kind, "format": report.format, "lang": report.lang,
                              "sha256": report.sha256, "size": report.size, "data_version": report.data_version,
                              "report_version": report.report_version, "file": str(out)}  # fmt: skip
    if as_json:
        emit_json(result)
        return
    console.print(f"Laporan #{report.pk} terbit / issued: {out} ({report.size:,} bytes, sha256 {report.sha256[:16]}…)")


def _user(username: str | None, as_json: bool) -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}", as_json=as_json, code="BAD_USER")
    return user


@app.command("monthly")
def monthly(
    region: str = typer.Option(..., "--region", help="Province or kab/kota code (16, 16.06)."),
    month: str = typer.Option(None, "--month", help="Month YYYY-MM (default: the latest month with data)."),
    out: Path = typer.Option(..., "--out", help="FILE.pdf or FILE.xlsx (the format follows the extension)."),
    lang: str = typer.Option("id", "--lang", help="id (Bahasa Indonesia) or en (English)."),
    username: str = typer.Option(None, "--user", help="Issue as this user (scoped); default: the operator."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Issue the monthly coordination report of a region (stored in the archive) and write it to --out."""
    _issue("monthly", region, month, out, lang, as_json, username)


@app.command("indicator")
def indicator(
    region: str = typer.Option(..., "--region", help="Province or kab/kota code (16, 16.06)."),
    out: Path = typer.Option(..., "--out", help="FILE.xlsx."),
    month: str = typer.Option(None, "--month", help="Month YYYY-MM (default: the latest month with data)."),
    lang: str = typer.Option("id", "--lang", help="id or en."),
    username: str = typer.Option(None, "--user", help="Issue as this user (scoped); default: the operator."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Issue the development-indicator sheet (baseline, yearly targets and realisation per region; UCJ rate and
    Bappenas 06.02.021) and write it to --out."""
    _issue("indicator", region, month, out, lang, as_json, username)


@app.command("list")
def list_reports(
    region: str = typer.Option(None, "--region", help="Only this region."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The archive of issued reports."""
    boot()
    from ucj.reports.services import visible

    qs = visible(None)
    if region:
        qs = qs.filter(region_id=region)
    rows: list[dict[str, Any]] = [
        {"id": r.pk, "region": r.region_id, "month": f"{r.month:%Y-%m}", "kind": r.kind, "format": r.format,
         "lang": r.lang, "status": r.status, "sha256": r.sha256, "issued_at": r.issued_at.isoformat()}
        for r in qs[:500]
    ]  # fmt: skip
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        console.print(f"#{r['id']:<5} {r['region']:<6} {r['month']} {r['kind']:<9} {r['format']:<4} {r['lang']} "
                      f"{r['status']:<7} {r['sha256'][:16]}")  # fmt: skip
