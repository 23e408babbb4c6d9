"""``ucj rules …`` — the effective-dated contribution rules: list, load from a CSV file (admin), export."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Contribution rules (rates, ceilings, bands, reliefs) with their legal sources.",
                  no_args_is_help=True)  # fmt: skip


class _DryRun(Exception):
    """Raised inside the load transaction of a dry run so that nothing stays stored."""


def _rows(code: str | None, month: str | None, as_json: bool) -> list[Any]:
    from ucj.contributions.calculator import CalcError
    from ucj.contributions.forms import parse_month
    from ucj.contributions.models import ContributionRule

    rules = [r.to_rule() for r in ContributionRule.objects.all()]
    if code:
        rules = [r for r in rules if r.code == code.strip()]
    if month:
        try:
            day = parse_month(month)
        except CalcError as err:
            fail(str(err), as_json=as_json)
        rules = [r for r in rules if r.in_force(day)]
    return rules


def _values(row: dict[str, str]) -> str:
    """The rates and amounts of a rule in one line (empty columns left out)."""
    names = ("rate_employer", "rate_worker", "rate_government", "rate_recomposed", "amount", "lower", "upper",
             "factor", "segments", "programs", "excluded_payers")  # fmt: skip
    return "; ".join(f"{n}={row[n]}" for n in names if row[n])


@app.command("list")
def list_rules(
    code: str = typer.Option(None, "--code", help="One rule family, e.g. PU.JP.CEILING."),
    month: str = typer.Option(None, "--month", help="Only rules in force in this month (YYYY-MM)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """The rules in the database (all rows, or those in force in --month)."""
    boot()
    from ucj.contributions.rules import rule_to_row

    rules = _rows(code, month, as_json)
    if as_json:
        emit_json([{"id": r.id, **rule_to_row(r)} for r in rules])
        return
    for r in rules:  # one block per rule: ids, periods and sources stay whole on any terminal
        row = rule_to_row(r)
        console.print(f"[bold]{escape(r.id)}[/]  {row['valid_from']} – {row['valid_to'] or '…'}")
        console.print(escape(f"    {_values(row)}"))
        console.print(escape(f"    {r.source}" + (f" — {r.note}" if r.note else "")), style="dim")
    console.print(f"{len(rules)} aturan / rules")


@app.command("load")
def load(
    file: Path = typer.Argument(..., help="Rules CSV (the columns of 'ucj rules export')."),
    user: str = typer.Option(..., "--user", help="Load as this user: must hold the admin role (audited)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Add or replace rules from a CSV file, all or nothing; errors name the line and the field."""
    boot()
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, transaction

    from ucj.accounts.scoping import scope_for
    from ucj.contributions import rules as core
    from ucj.contributions.services import load_rules

    actor = get_user_model().objects.filter(username=user, is_active=True).first()
    if actor is None:
        fail(f"Pengguna tidak dikenal / unknown user: {user}", as_json=as_json, code="UNKNOWN_USER")
    if not scope_for(actor).everywhere:
        fail(f"Hanya admin yang boleh memuat aturan / only an admin may load rules: {user}", as_json=as_json,
             code="FORBIDDEN")  # fmt: skip
    if not file.is_file():
        fail(f"Berkas tidak ada / file not found: {file}", as_json=as_json, code="FILE_NOT_FOUND")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"Berkas bukan teks UTF-8 / the file is not UTF-8 text: {file}", as_json=as_json, code="BAD_FILE")
    try:
        new_rules = core.read_rules(text)
        if not new_rules:
            raise core.RuleError("berkas tidak berisi aturan / the file holds no rules")
        with transaction.atomic():
            counts = load_rules(new_rules, actor=actor, origin=f"cli {file.name}")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except core.RuleError as err:
        fail(str(err), as_json=as_json, code="RULE_REJECTED")
    except DatabaseError as err:  # e.g. a text longer than its column on PostgreSQL
        fail(f"Basis data menolak / the database refused: {err}", as_json=as_json, code="RULE_REJECTED")
    result = {"file": file.name, "dry_run": dry_run, "rules": len(new_rules), **counts}
    if as_json:
        emit_json(result)
        return
    label = "UJI COBA (tidak disimpan) / DRY RUN (nothing stored)" if dry_run else "disimpan / stored"
    console.print(escape(f"{file.name}: {len(new_rules)} aturan / rules — {label}"))
    console.print(f"baru/created {counts['created']}, diubah/updated {counts['updated']}, "
                  f"sama/unchanged {counts['unchanged']}")  # fmt: skip


@app.command("export")
def export(file: Path = typer.Argument(..., help="Where to write the CSV.")) -> None:
    """Write every rule row to a CSV in the format 'ucj rules load' reads."""
    boot()
    from ucj.contributions.rules import COLUMNS, rule_to_row

    rules = _rows(None, None, False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rules:
        writer.writerow(rule_to_row(r))
    try:
        file.write_text(out.getvalue(), encoding="utf-8")
    except OSError as err:
        fail(f"Tidak dapat menulis / cannot write {file}: {err.strerror}")
    console.print(escape(f"{len(rules)} aturan ditulis ke / rules written to {file}"))
