"""``ucj demo`` — a complete local instance on SQLite with synthetic Sumsel data, in one command."""

from __future__ import annotations

import os

import typer

from ucj.cli.output import console
from ucj.cli.setup import boot


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Load everything, print the users, and exit."),
    port: int = typer.Option(8000, "--port", help="Port for the web app."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address for the web app."),
) -> None:
    """Create the local database, load Sumsel regions and the synthetic demo data, create demo users, serve."""
    os.environ["UCJ_DEMO"] = "1"
    boot()
    from ucj.demo.loader import load_demo

    with console.status("Memuat data demo / loading demo data…"):
        summary = load_demo()
    console.print(f"[bold]Data demo SINTETIS / SYNTHETIC demo data[/] — {summary.describe()}")
    console.print(f"Pengguna demo / demo users (kata sandi / password: [bold]{summary.password}[/]):")
    for username, role, region in summary.users:
        console.print(f"  {username:<22} {role:<9} {region}")
    from ucj.reports.demo import issue_demo_reports

    with console.status("Menerbitkan laporan Desember 2024 / issuing the December 2024 reports…"):
        issued = issue_demo_reports()
    for report in issued:
        console.print(f"Laporan / report #{report.pk}: {report.file_name} (/laporan/{report.pk}/)")
    if no_serve:
        return
    from ucj.cli.server import serve

    serve(host=host, port=port, threads=8, worker=True)
