"""``ucj commitments template|load|institutions`` and ``ucj scorecard`` (issue 13): the same services as the
pages and the API (:mod:`ucj.commitments.services`, :mod:`ucj.commitments.loaders`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ucj.cli.files import outcome_label, print_findings, read_or_fail, user_named
from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Regional commitments: regulations, budget, village institutions, ecosystems (issue 13).",
                  no_args_is_help=True)  # fmt: skip
BY_HELP = "Rows per kabkota, kecamatan or desa (below the region)."


@app.command("template")
def template(out: Path = typer.Option(..., "--out", help="Where to write the workbook (.xlsx).")) -> None:
    """Write the commitments workbook: a notes sheet and one sheet per kind with Indonesian headers and an
    example row."""
    boot()
    from ucj.commitments.loaders import template_bytes

    out.write_bytes(template_bytes())
    console.print(f"Templat ditulis / template written: {escape(str(out))}")


@app.command("load")
def load(
    file: Path = typer.Argument(..., help="The workbook of `ucj commitments template`, or one CSV/xlsx."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check only; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    user: str = typer.Option(None, "--user", help="Load as this user (their regions apply; audited)."),
) -> None:
    """Load commitments, all or nothing: one rejected row and nothing is stored (exit 1)."""
    boot()
    from ucj.commitments.filecheck import CommitmentFileError
    from ucj.commitments.loaders import load_file

    data = read_or_fail(file, as_json)
    acting = user_named(user)
    try:
        report = load_file(data, file.name, user=acting, dry_run=dry_run)
    except CommitmentFileError as err:
        f = err.finding
        fail(f"{f.message('id')} / {f.message('en')}", as_json=as_json, code=f.code)
    if as_json:
        emit_json(report.as_json())
    else:
        console.print(f"[bold]{escape(file.name)}[/]: {outcome_label(report, 'DISIMPAN / STORED')}")
        table = Table("Lembar/sheet", "Jenis/kind", "Baris/rows", "Baru/new", "Diubah/updated", "Sama/unchanged",
                      "Ditolak/rejected")  # fmt: skip
        for s in report.sheets:
            table.add_row(escape(s.sheet), s.kind, str(s.rows), str(s.created), str(s.updated), str(s.unchanged),
                          str(s.rejected))  # fmt: skip
        console.print(table)
        print_findings(report.findings)
    if not report.ok:
        raise typer.Exit(1)


def _region(region: str, as_json: bool) -> str:
    from ucj.regions.codes import normalize_code
    from ucj.regions.models import Region

    code = normalize_code(region)
    if code is None or not Region.objects.filter(code=code).exists():
        fail(f"Kode wilayah tidak dikenal / unknown region code: {region}", as_json=as_json, code="BAD_REGION")
    return code


def _answer(compute: Any, as_json: bool) -> Any:
    """Run a read of the services, turning their refusals into exit codes (no traceback)."""
    from django.http import Http404

    from ucj.commitments.services import CommitmentRefused

    try:
        return compute()
    except Http404:
        fail("Wilayah di luar cakupan pengguna / region outside the user's regions", as_json=as_json, code="NOT_FOUND")
    except CommitmentRefused as err:
        fail(str(err), as_json=as_json, code="USAGE", exit_code=2)


@app.command("institutions")
def institutions(
    region: str = typer.Option("16", "--region", help="Region code (default Sumsel, 16)."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="As this user (their regions apply)."),
) -> None:
    """Village institutions against the registry: positions, registered and active per role; villages fully
    protected (every position has an active participant)."""
    boot()
    from ucj.commitments import services

    code = _region(region, as_json)
    acting = user_named(user)
    result = _answer(lambda: services.institutions_table(acting, code, by), as_json)
    if as_json:
        emit_json(result)
        return
    table = Table("Kode", "Wilayah", *[r.replace("_", " ") for r in ROLE_ORDER], "Desa terlindungi penuh")
    for row in [result["region"], *result["children"]]:
        table.add_row(row["code"], escape(row["name"]), *[_role(row["institutions"].get(r)) for r in ROLE_ORDER],
                      _villages(row["villages"]))  # fmt: skip
    console.print(table)
    console.print("Per peran: aktif/terdaftar/jabatan — per role: active/registered/positions")


ROLE_ORDER = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw")


def _role(counts: dict[str, int] | None) -> str:
    return "—" if counts is None else f"{counts['active']:,}/{counts['registered']:,}/{counts['positions']:,}"


def _villages(v: dict[str, Any]) -> str:
    pct = "—" if v["pct"] is None else f"{v['pct']:.1f}%"
    return f"{v['fully_protected']:,} / {v['total']:,} ({pct})"


def scorecard(
    region: str = typer.Option(..., "--region", help="Region code, e.g. 16 (Sumsel) or 16.06."),
    year: int = typer.Option(..., "--year", help="Budget year, e.g. 2025."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (issue 13 §8)."),
    user: str = typer.Option(None, "--user", help="As this user (their regions apply)."),
) -> None:
    """The commitments scorecard: regulation, budget allocated/realised, villages fully protected, RT/RW,
    ecosystem units, coverage against target, overdue actions, and the composite status (docs/commitments.md)."""
    boot()
    from ucj.commitments import services

    if by is not None and by not in ("kabkota", "kecamatan", "desa"):
        fail(f"--by: {by} (kabkota, kecamatan, desa)", as_json=as_json, code="USAGE", exit_code=2)
    code = _region(region, as_json)
    acting = user_named(user)
    result = _answer(lambda: services.scorecard(acting, code, year, by), as_json)
    if as_json:
        emit_json(result)
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    top = result["region"]
    console.print(f"[bold]{top['code']} {escape(top['name'])}[/] — {result['year']} (per {result['as_of']}): "
                  f"status {top['status']}, skor/score {top['score'] if top['score'] is not None else '—'}")
    table = Table("Kode", "Wilayah", "Status", "Skor", "Regulasi", "Anggaran (realisasi)", "Desa penuh", "RT/RW aktif",
                  "Unit", "Cakupan/target", "Terlambat")  # fmt: skip
    for row in [top, *result["children"]]:
        budget, cov, units = row["budget"], row["coverage"], row["ecosystem_units"]
        rt_rw = [row["institutions"][r] for r in ("rt", "rw") if row["institutions"].get(r)]
        positions = sum(r["positions"] for r in rt_rw)
        table.add_row(
            row["code"], escape(row["name"]), row["status"], "—" if row["score"] is None else str(row["score"]),
            ("berlaku" if row["regulation"]["in_force"] else "rencana/draf" if row["regulation"]["own_draft"] else "—"),
            f"Rp {budget['allocated']:,} ({_pct(budget['absorption_pct'])})".replace(",", "."),
            _villages(row["villages"]),
            f"{sum(r['active'] for r in rt_rw):,}/{positions:,}" if positions else "—",
            f"{units['covered']}/{units['total']}", f"{_pct(cov['rate'])} / {_pct(cov['target'])}",
            str(row["overdue_actions"]),
        )  # fmt: skip
    console.print(table)
    for reason in top["status_reasons"]:
        console.print(f"  • {reason['score']}: {escape(reason['id'])} / {escape(reason['en'])}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
