"""``ucj coverage`` — the coverage indicator against targets; ``ucj coverage rebuild`` recomputes the facts."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Coverage indicator vs targets (per region, level and month).", invoke_without_command=True)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _num(value: int | float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


@app.callback()
def coverage(
    ctx: typer.Context,
    region: str = typer.Option("16", "--region", help="Region code (default Sumsel, 16)."),
    by: str = typer.Option(None, "--by", help="Rows per kabkota, kecamatan or desa (default: the next level)."),
    as_of: str = typer.Option(None, "--as-of", help="Month YYYY-MM (default: the latest month with data)."),
    definition: str = typer.Option(
        "eligible", "--definition",
        help="Denominator: eligible, bps_employed or bpu_universe (Bappenas 06.02.021: BPU participants ÷ BPU "
        "universe).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Covered workers, rate, target, gap and the pace needed, for a region and the regions below it."""
    if ctx.invoked_subcommand is not None:
        return
    boot()
    from ucj.coverage.services import BY_LEVEL
    from ucj.coverage.services import coverage as compute
    from ucj.regions.codes import normalize_code
    from ucj.regions.models import Region

    code = normalize_code(region)
    if code is None or not Region.objects.filter(code=code).exists():
        fail(f"Kode wilayah tidak dikenal / unknown region code: {region}", as_json=as_json, code="BAD_REGION")
    if by is not None and by not in BY_LEVEL:
        fail(f"--by: {by} (kabkota, kecamatan, desa)", as_json=as_json, code="USAGE", exit_code=2)
    from ucj.coverage.views import DEFINITIONS

    if definition not in DEFINITIONS:
        fail(f"--definition: {definition} ({', '.join(DEFINITIONS)})", as_json=as_json, code="USAGE", exit_code=2)
    month = None
    if as_of:
        from ucj.cli.bills import parse_month

        month = parse_month(as_of, as_json=as_json)
    result = compute(code, by, month, definition)
    if as_json:
        emit_json(result)
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    top = result["region"]
    console.print(f"[bold]{top['region']} {top['name']}[/] — {result['as_of']} ({top['source']}; "
                  f"{top['definition']}: {top['denominator_source'] or '—'})")  # fmt: skip
    from ucj.coverage.indicator import screen_year, target_for, target_percent

    year = screen_year(top)  # one target year for every row
    table = Table("Kode", "Wilayah", "Tercakup", "Pekerja", "Cakupan", f"Target {year or ''}".strip(), "Kurang",
                  "Perlu/bulan", "Laju 6 bln", "Sumber")  # fmt: skip
    for row in [top, *result["children"]]:
        target = target_for(row, year) or {}
        rate = _pct(row["rate"]) if row["rate"] is not None or not row.get("rate_note") else "— (tanpa penyebut)"
        table.add_row(row["region"], row["name"], _num(row["covered"]), _num(row["denominator"]), rate,
                      _pct(target_percent(target, row["denominator"]) if target else None), _num(target.get("gap")),
                      _num(target.get("pace_needed")), _num(row["pace_6"]), row["source"])  # fmt: skip
    rest = result.get("unallocated")
    if rest:  # the children add up to the region with this row
        table.add_row("", f"{rest['label']} / {rest['label_en']}", _num(rest["covered"]), "", "", "", "", "", "",
                      rest["source"])  # fmt: skip
    console.print(table)
    for label in ("year_target", "next_target"):
        t = top[label]
        if t and t["count"] is not None:
            state = "tercapai / met" if t["met"] else f"kurang / gap {t['gap']:,}"
            console.print(f"Target {t['year']} {_pct(t['rate'])} = {t['count']:,} ({t['source']}): {state}; "
                          f"surplus {t['surplus']:,}; proyeksi {_pct(t['projected_rate'])}; "
                          f"tercapai pada / reached {t['reached'] or '—'}")  # fmt: skip
    payers = {k: v["covered"] for k, v in (top.get("by_payer") or {}).items() if v.get("covered")}
    if payers:  # who pays (issue 12 item 16)
        console.print("Pembayar / payers: " + ", ".join(f"{k} {v:,}" for k, v in payers.items()))
    if top["vulnerable_total"]:
        console.print(f"Pekerja miskin/rentan terlindungi: {top['vulnerable_covered']:,} dari "
                      f"{top['vulnerable_total']:,} ({_pct(top['vulnerable_rate'])})")  # fmt: skip
    for note in top["notes"]:
        console.print(f"[yellow]{note}")


@app.command("rebuild")
def rebuild(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Recompute all monthly coverage facts from the registry (imports and payments refresh them already)."""
    boot()
    import time

    from ucj.coverage.services import rebuild_facts

    started = time.perf_counter()
    rows = rebuild_facts()
    result = {"facts": rows, "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        emit_json(result)
    else:
        console.print(f"{rows:,} fakta / facts in {result['seconds']} s")


def _load_file(kind: str, file: Any, dry_run: bool, as_json: bool, username: str | None) -> None:
    """Shared body of ``load-workforce`` and ``load-targets``: all or nothing, exit 1 when a row is rejected."""
    boot()
    from pathlib import Path

    from rich.markup import escape

    from ucj.cli.files import outcome_label, print_findings, read_or_fail, refusals_reported, user_named
    from ucj.coverage.feedcheck import FeedFileError
    from ucj.coverage.feeds import FeedRefused
    from ucj.coverage.loaders import load_targets, load_workforce

    path = Path(file)
    data = read_or_fail(path, as_json)
    load = load_workforce if kind == "workforce" else load_targets
    with refusals_reported(as_json, FeedFileError, FeedRefused):
        report = load(data, path.name, user=user_named(username), dry_run=dry_run)
    if as_json:
        emit_json(report.as_json())
    else:
        console.print(f"[bold]{escape(report.file_name)}[/] — {outcome_label(report, 'disimpan / stored')}")
        console.print(f"Baris/rows {report.rows:,}: [green]baru/created {report.created:,}[/], "
                      f"[cyan]diperbarui/updated {report.updated:,}[/], tetap/unchanged {report.unchanged:,}, "
                      f"[red]ditolak/rejected {report.rejected:,}[/]")  # fmt: skip
        print_findings(report.findings)
    if report.rejected:
        raise typer.Exit(1)


@app.command("load-workforce")
def load_workforce(
    file: str = typer.Argument(
        ...,
        help="CSV/xlsx: region (kode), year (tahun), definition (definisi: eligible, "
        "bps_employed, vulnerable, bpu_universe), workers (jumlah), source (sumber, required).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Load as this user (admin or provinsi; audited)."),
) -> None:
    """Load denominators (workers per region, year and definition, with their source), all or nothing."""
    _load_file("workforce", file, dry_run, as_json, user)


@app.command("load-targets")
def load_targets(
    file: str = typer.Argument(
        ...,
        help="CSV/xlsx: region (kode), year (tahun), definition (definisi), rate "
        "(target %) and/or count (target pekerja), source (dasar hukum, required).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    user: str = typer.Option(None, "--user", help="Load as this user (admin or provinsi; audited)."),
) -> None:
    """Load coverage targets (rate in percent or count, per region, year and definition, with their legal
    source), all or nothing."""
    _load_file("targets", file, dry_run, as_json, user)
