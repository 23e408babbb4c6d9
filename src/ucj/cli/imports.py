"""``ucj import …`` — load rosters (and later feeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ucj.cli.output import console, emit_json, fail, progress_bar
from ucj.cli.setup import boot

app = typer.Typer(help="Import rosters into the registry.", no_args_is_help=True)
SHOWN_ISSUES = 40


def _user(username: str | None) -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}")
    return user


@app.command("roster")
def roster(
    file: Path = typer.Argument(..., help="Roster file (.xlsx, .xls or .csv)."),
    region: str = typer.Option(
        None, "--region", help="Region of the file: a desa code fixes the village of every row; a kab/kec code "
        "narrows name matching."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (no progress bar)."),
    user: str = typer.Option(None, "--user", help="Import as this user (their regions apply; audited)."),
) -> None:
    """Validate and load a roster: every row ends accepted, updated or rejected with reasons."""
    boot()
    from ucj.registry.issues import RosterFileError
    from ucj.registry.services import ImportRefused, import_roster

    if not file.is_file():
        fail(f"Berkas tidak ada / file not found: {file}", as_json=as_json, code="FILE_NOT_FOUND")
    try:
        with progress_bar(not as_json, file.name) as tell:
            report = import_roster(
                file.read_bytes(), file.name, user=_user(user), region=region, dry_run=dry_run, progress=tell
            )
    except RosterFileError as err:
        f = err.finding
        fail(f"{f.message('id')} / {f.message('en')}", as_json=as_json, code=f.code)
    except ImportRefused as err:
        fail(str(err), as_json=as_json, code="REFUSED")
    if as_json:
        emit_json(report.as_json())
        return
    _print_report(report)


def _print_report(report: Any) -> None:
    """The report for people. File names, headers and cell values come from the file: escaped, never markup."""
    label = "UJI COBA (tidak disimpan) / DRY RUN (nothing stored)" if report.dry_run else f"batch #{report.batch_id}"
    console.print(f"[bold]{escape(report.file_name)}[/] — {label}")
    used = report.columns.get("used", {})
    console.print(escape("Kolom dipakai / columns used: " + ", ".join(f"{v} → {k}" for k, v in used.items())))
    if report.columns.get("ignored"):
        console.print(escape("Kolom diabaikan / ignored: " + ", ".join(report.columns["ignored"])))
    console.print(
        f"Baris/rows {report.rows:,}: [green]diterima/accepted {report.accepted:,}[/], "
        f"[cyan]diperbarui/updated {report.updated:,}[/], [red]ditolak/rejected {report.rejected:,}[/], "
        f"peringatan/warnings {report.warnings:,}"
    )
    if not report.findings:
        return
    table = Table("Baris/row", "Kolom/column", "Kode/code", "Pesan / message")
    for f in report.findings[:SHOWN_ISSUES]:
        style = "red" if f.severity == "error" else "yellow"
        table.add_row(str(f.row), escape(f.column), f"[{style}]{f.code}[/]", escape(f.message("id")))
    console.print(table)
    if len(report.findings) > SHOWN_ISSUES:
        console.print(f"… {len(report.findings) - SHOWN_ISSUES:,} lagi / more (--json for all).")
    if report.batch_id and report.rejected:
        console.print(f"Unduh baris ditolak / rejected rows: ucj import rejected {report.batch_id} --out ditolak.xlsx")


@app.command("rejected")
def rejected(
    batch_id: int = typer.Argument(..., help="Import batch number."),
    out: Path = typer.Option(..., "--out", help="Where to write the .xlsx."),
) -> None:
    """Write a batch's rejected rows, with reasons, to an .xlsx ready to fix and import again."""
    boot()
    from ucj.accounts import audit
    from ucj.registry.exports import rejected_rows_xlsx
    from ucj.registry.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        fail(f"Batch tidak ada / no such batch: {batch_id}")
    out.write_bytes(rejected_rows_xlsx(batch))
    audit.record("export_rejected_rows", object_type="import_batch", object_id=batch.pk,
                 region_code=batch.region_id or "", summary=f"cli {batch.rejected} rows")  # fmt: skip
    console.print(escape(f"{batch.rejected:,} baris ditolak ditulis ke / rejected rows written to {out}"))
