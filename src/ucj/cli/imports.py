"""``ucj import …`` — load rosters (and later feeds)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ucj.cli.files import outcome_label, print_findings, read_or_fail, refusals_reported, user_named
from ucj.cli.output import console, emit_json, fail, progress_bar
from ucj.cli.setup import boot, configure

app = typer.Typer(help="Import rosters into the registry.", no_args_is_help=True)


@app.command("roster")
def roster(
    file: Path = typer.Argument(..., help="Roster file (.xlsx, .xls or .csv)."),
    region: str = typer.Option(
        None,
        "--region",
        help="Region of the file: a desa code fixes the village of every row; a kab/kec code narrows name matching.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (no progress bar)."),
    user: str = typer.Option(None, "--user", help="Import as this user (their regions apply; audited)."),
    again: bool = typer.Option(
        False, "--again", help="Import even if the same file (same content) was already imported."
    ),
) -> None:
    """Validate and load a roster: every row ends accepted, updated or rejected with reasons."""
    configure()
    from django.conf import settings

    from ucj.registry.limits import read_limits
    from ucj.registry.sandbox import start_reading

    _refuse_oversized(file, settings.UCJ_MAX_UPLOAD_MB, as_json)
    data = read_or_fail(file, as_json)
    # A large file is parsed in a child from now on, while Django starts here (issue 17 §3).
    with start_reading(data, file.name, read_limits()) or contextlib.nullcontext() as reading:
        boot()
        from ucj.registry.issues import RosterFileError
        from ucj.registry.reimport import DuplicateFile
        from ucj.registry.services import ImportRefused, import_roster

        acting = user_named(user)
        try:
            with (
                refusals_reported(as_json, RosterFileError, ImportRefused),
                progress_bar(not as_json, file.name) as tell,
            ):
                report = import_roster(data, file.name, user=acting, region=region, dry_run=dry_run, progress=tell,
                                       refuse_repeat=not again, reading=reading)  # fmt: skip
        except DuplicateFile as err:
            fail(f"{err}. Tambahkan --again untuk tetap mengimpor / add --again to import it anyway.",
                 as_json=as_json, code="FILE_ALREADY_IMPORTED")  # fmt: skip
    if as_json:
        emit_json(report.as_json())
        return
    _print_report(report)


def _refuse_oversized(file: Path, max_mb: int, as_json: bool) -> None:
    """Refuse a file over ``UCJ_MAX_UPLOAD_MB`` before reading it into memory."""
    try:
        size = file.stat().st_size
    except OSError:
        return  # read_or_fail reports a missing file
    if size > max_mb * 1024 * 1024:
        from ucj.registry.issues import Finding

        f = Finding(row=0, column="", code="FILE_TOO_LARGE", value=f"{size / 1024 / 1024:.1f} MB > {max_mb} MB")
        fail(f"{f.message('id')} / {f.message('en')}", as_json=as_json, code=f.code)


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
    filled = {k: v for k, v in report.defaults_applied.items() if v}
    if filled:
        console.print("Diisi dari bawaan peran desa wilayah / filled from the region's village-role defaults: "
                      + ", ".join(f"{k} {v:,}" for k, v in filled.items()))  # fmt: skip
    print_findings(report.findings)
    if report.batch_id and report.rejected:
        console.print(f"Unduh baris ditolak / rejected rows: ucj import rejected {report.batch_id} --out ditolak.xlsx")


@app.command("worker")
def worker(
    nik: str = typer.Option(..., "--nik", help="NIK (16 digits)."),
    name: str = typer.Option(..., "--name", help="Name as on the ID card."),
    desa: str = typer.Option(..., "--desa", help="Village (desa/kelurahan) code, e.g. 16.06.01.2001."),
    birth_date: str = typer.Option("", "--birth-date", help="Birth date as a roster would write it."),
    position: str = typer.Option("", "--position", help="Position/occupation (jabatan/pekerjaan)."),
    income: str = typer.Option("", "--income", help="Monthly income, e.g. 'Rp 2.500.000'."),
    phone: str = typer.Option("", "--phone", help="Phone number."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Act as this user (their regions apply; audited)."),
) -> None:
    """Add one worker (or update the one registered under the NIK) through the roster import's checks, like the
    web form: a rejected entry stores nothing and exits 1 with its findings."""
    boot()
    from ucj.registry.issues import RosterFileError
    from ucj.registry.services import ImportRefused, add_participant

    values = {"nik": nik, "name": name, "village_code": desa, "birth_date": birth_date, "position": position,
              "income": income, "phone": phone}  # fmt: skip
    with refusals_reported(as_json, RosterFileError, ImportRefused):
        report = add_participant(values, user=user_named(user), desa=desa)
    if as_json:
        emit_json(report.as_json())
    else:
        _print_report(report)
    if report.rejected:
        raise typer.Exit(1)


@app.command("feed")
def feed(
    file: Path = typer.Argument(
        ...,
        help="Participation feed from BPJS (.xlsx, .xls or .csv): active participants "
        "per region × month × segment (× ecosystem × payer).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Import as this user (their regions apply; audited)."),
) -> None:
    """Load a participation feed, all or nothing: one rejected row and nothing is stored (exit code 1)."""
    boot()
    from ucj.coverage.feedcheck import FeedFileError
    from ucj.coverage.feeds import FeedRefused, import_feed

    data = read_or_fail(file, as_json)
    with refusals_reported(as_json, FeedFileError, FeedRefused):
        report = import_feed(data, file.name, user=user_named(user), dry_run=dry_run)
    if as_json:
        emit_json(report.as_json())
    else:
        console.print(f"[bold]{escape(report.file_name)}[/] — {outcome_label(report, f'feed #{report.batch_id}')}")
        used = report.columns.get("used", {})
        console.print(escape("Kolom dipakai / columns used: " + ", ".join(f"{v} → {k}" for k, v in used.items())))
        console.print(
            f"Baris/rows {report.rows:,}: [green]diterima/accepted {report.accepted:,}[/], "
            f"[cyan]mengganti/replaced {report.replaced:,}[/], [red]ditolak/rejected {report.rejected:,}[/], "
            f"dilewati/skipped {report.skipped:,}"
        )
        if report.months:
            console.print(escape(f"Bulan / months: {', '.join(report.months)}; wilayah / regions: "
                                 f"{len(report.regions):,}"))  # fmt: skip
        print_findings(report.findings)
    if report.rejected:
        raise typer.Exit(1)


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


@app.command("ecosystems")
def ecosystems(
    file: Path = typer.Argument(..., help="CSV: region (blank = national), keyword, ecosystem, source."),
    user: str = typer.Option(None, "--user", help="Load as this user: must hold the admin role (audited)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Occupation → ecosystem mapping per region (a region's row beats the national default), all or nothing.
    Applies to rosters imported afterwards."""
    boot()
    from ucj.accounts.scoping import scope_for
    from ucj.registry.ecosystems import MappingError, load_mapping

    acting = user_named(user)
    if acting is not None and not scope_for(acting).everywhere:
        fail(f"Hanya admin yang boleh memuat pemetaan / only an admin may load the mapping: {user}", as_json=as_json,
             code="FORBIDDEN")  # fmt: skip
    data = read_or_fail(file, as_json)
    try:
        report = load_mapping(data, file.name, actor=acting, dry_run=dry_run)
    except MappingError as err:
        fail(str(err), as_json=as_json, code="MAPPING_REJECTED")
    if as_json:
        emit_json(report.as_json() | {"dry_run": dry_run})
        return
    label = "UJI COBA (tidak disimpan) / DRY RUN (nothing stored)" if dry_run else "disimpan / stored"
    console.print(escape(f"{file.name}: {report.rows} baris/rows — {label}"))
    console.print(f"baru/created {report.created}, diubah/updated {report.updated}, sama/unchanged {report.unchanged}")
