"""``ucj import list|bpjs`` and ``ucj target`` — person lists, BPJS person-level files and candidates (issue 14).

They call the same services as the pages and the API (:mod:`ucj.targeting.services`). Without ``--user`` the
command runs as the operator of the instance (full NIKs; audited like every load and export).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ucj.cli.files import print_findings, read_or_fail, refusals_reported, user_named
from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot


def _date(text: str | None, name: str, as_json: bool) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{name}: tanggal YYYY-MM-DD / a date YYYY-MM-DD: {text}", as_json=as_json, code="USAGE")


def _refuse_oversized(file: Path, as_json: bool) -> None:
    """Refuse a file over ``UCJ_MAX_UPLOAD_MB`` before reading it into memory (the roster's limit and check)."""
    from django.conf import settings

    from ucj.cli.imports import _refuse_oversized as refuse

    refuse(file, settings.UCJ_MAX_UPLOAD_MB, as_json)


def _print_counts(label: str, report: Any, extra: str = "") -> None:
    mode = "UJI COBA (tidak disimpan) / DRY RUN (nothing stored)" if report.dry_run else label
    console.print(f"[bold]{escape(report.file_name)}[/] — {escape(mode)}")
    used = report.columns.get("used", {})
    console.print(escape("Kolom dipakai / columns used: " + ", ".join(f"{v} → {k}" for k, v in used.items())))
    console.print(f"Baris/rows {report.rows:,}: [green]diterima/accepted {report.accepted:,}[/], "
                  f"[red]ditolak/rejected {report.rejected:,}[/], "
                  f"peringatan/warnings {report.warnings:,}{extra}")


def import_list(
    file: Path = typer.Argument(
        ..., help="Person list (.xlsx, .xls or .csv): DTSEN/P3KE extract, village population export, sector list."
    ),
    source: str = typer.Option(..., "--source", help="Name of the list (loading the same name again replaces it)."),
    kind: str = typer.Option(None, "--kind", help="dtsen, p3ke, population or sector (default: from the name)."),
    region: str = typer.Option(None, "--region", help="Region of the list: a desa code fixes every row's village."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Load as this user (their regions apply; audited)."),
) -> None:
    """Load a person list for targeting (kept apart from the registry), all or nothing, with per-row findings."""
    boot()
    from ucj.registry.issues import RosterFileError
    from ucj.targeting.services import TargetingRefused, import_list

    _refuse_oversized(file, as_json)
    data = read_or_fail(file, as_json)
    with refusals_reported(as_json, RosterFileError, TargetingRefused):
        report = import_list(data, file.name, source=source, kind=kind, user=user_named(user), region=region,
                             dry_run=dry_run)  # fmt: skip
    if as_json:
        emit_json(report.as_json())
        return
    _print_counts(f"{report.source} ({report.kind}, {report.region})", report,
                  f", diganti/replaced {report.replaced:,}")  # fmt: skip
    print_findings(report.findings)


def import_bpjs(
    file: Path = typer.Argument(
        ..., help="BPJS person-level participant file: NIK, KPJ, name, segment, status, last paid month."
    ),
    as_of: str = typer.Option(None, "--as-of", help="Date the file's status holds (YYYY-MM-DD; default today)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Load as this user (their regions apply; audited)."),
) -> None:
    """Load a BPJS person-level file: match by NIK, keep the history, move enrolments to registered/active."""
    boot()
    from ucj.registry.issues import RosterFileError
    from ucj.targeting.services import TargetingRefused, import_bpjs

    when = _date(as_of, "--as-of", as_json)
    _refuse_oversized(file, as_json)
    data = read_or_fail(file, as_json)
    with refusals_reported(as_json, RosterFileError, TargetingRefused):
        report = import_bpjs(data, file.name, as_of=when, user=user_named(user), dry_run=dry_run)
    if as_json:
        emit_json(report.as_json())
        return
    _print_counts(f"BPJS per {report.as_of} #{report.file_id}", report,
                  f"; aktif/active {report.active:,}, non aktif/inactive {report.inactive:,}")  # fmt: skip
    console.print(
        f"Cocok dengan registri / matched in the registry: {report.matched_registry:,}; tidak dikenal daftar maupun "
        f"registri / unknown to lists and registry: {len(report.unknown):,}; di registri tetapi tidak di BPJS / "
        f"registry people BPJS does not know: {len(report.not_in_bpjs):,}; perbedaan nama/tanggal lahir / "
        f"disagreements: {len(report.disagreements):,}"
    )
    if report.moved:
        console.print("Pendaftaran berpindah / enrolments moved: "
                      + ", ".join(f"{k} {v:,}" for k, v in report.moved.items()))  # fmt: skip
    print_findings(report.findings)


def target(
    region: str = typer.Option(..., "--region", help="Region code (desa, kecamatan, kab/kota or province)."),
    max_decile: int = typer.Option(None, "--max-decile", min=1, max=10, help="Keep deciles up to N (unknown kept)."),
    groups: str = typer.Option(None, "--groups", help="Comma-separated group tags (nelayan,petani,perangkat_desa…)."),
    as_of: str = typer.Option(None, "--as-of", help="Date of the computation (YYYY-MM-DD; default today)."),
    out: Path = typer.Option(None, "--out", help="Write the candidates to this .xlsx."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (count, candidates, excluded)."),
    worklist: bool = typer.Option(False, "--worklist", help="Also put the candidates on their villages' worklists."),
    limit: int = typer.Option(None, "--limit", min=1, help="Show at most N candidates (JSON and table)."),
    user: str = typer.Option(None, "--user", help="Run as this user (their regions and masking apply; audited)."),
) -> None:
    """The people of a region still to enrol: in any list, of working age, not active in BPJS (lapsed ones are
    candidates), not excluded — in priority order (village roles, then decile 1→10, unknown last, by village)."""
    boot()
    from django.http import Http404

    from ucj.accounts import audit
    from ucj.targeting.services import TargetingRefused, candidates, candidates_xlsx, create_worklist

    when = _date(as_of, "--as-of", as_json)
    acting = user_named(user)
    tags = [g for g in (groups or "").split(",") if g.strip()] or None
    try:
        result = candidates(acting, region, max_decile=max_decile, groups=tags, as_of=when, context="export")
        added = create_worklist(acting, region, max_decile=max_decile, groups=tags, as_of=when) if worklist else None
    except Http404:
        fail(f"Wilayah di luar cakupan Anda / region outside your scope: {region}", as_json=as_json, code="NOT_FOUND")
    except TargetingRefused as err:
        fail(str(err), as_json=as_json, code="REFUSED")
    if out is not None:
        out.write_bytes(candidates_xlsx(result))
    audit.record("targeting.candidates_export", actor=acting, object_type="region", object_id=result.region,
                 region_code=result.region, summary=f"cli: {result.count} kandidat"
                 + (f" → {out.name}" if out is not None else ""))  # fmt: skip
    if as_json:
        emit_json(result.as_json(limit) | ({"worklist": added} if added is not None else {}))
        return
    _print_candidates(result, limit or 40)
    if out is not None:
        console.print(escape(f"Ditulis ke / written to {out}"))
    if added is not None:
        console.print(f"Daftar kerja / worklists: baru/new {added['created']:,}, "
                      f"sudah ada/already {added['already']:,}")


def _print_candidates(result: Any, shown: int) -> None:
    from ucj.targeting.rules import EXCLUSIONS

    console.print(f"[bold]{result.region}[/] per {result.as_of}: {result.count:,} kandidat / candidates")
    table = Table("#", "NIK", "Nama / name", "Desa", "Desil", "Sumber / sources", "Alasan / reason")
    for row in result.frame.head(shown).iter_rows(named=True):
        table.add_row(str(row["priority"]), row["nik"], escape(row["name"] or ""), escape(row["desa_name"] or ""),
                      str(row["decile"] or "—"), escape(row["sources"] or ""), escape(row["reason"] or ""))  # fmt: skip
    console.print(table)
    if result.count > shown:
        console.print(f"… {result.count - shown:,} lagi / more (--json or --out for all).")
    for code, n in result.excluded.items():
        console.print(escape(f"Dikecualikan / excluded — {EXCLUSIONS[code][0]} / {EXCLUSIONS[code][1]}: {n:,}"))
