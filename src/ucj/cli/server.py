"""``ucj serve``, ``ucj worker``, ``ucj migrate``."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from ucj.cli.output import console
from ucj.cli.setup import boot


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", help="Request threads."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Also run the background-job worker."),
) -> None:
    """Serve the web app (waitress) with a background worker for long imports."""
    boot()
    from waitress import serve as waitress_serve

    from ucj.wsgi import application

    child = _start_worker() if worker else None
    console.print(f"UCJ berjalan di / running at http://{host}:{port}/  (Ctrl+C untuk berhenti / to stop)")
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="ucj")
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ucj.cli.main", "worker"], env=os.environ.copy())


def worker() -> None:
    """Run the background-job worker (imports started from the web pages)."""
    boot()
    from django.core.management import call_command

    call_command("db_worker", interval=0.5, startup_delay=False)


def migrate() -> None:
    """Apply database migrations (every ucj command also does this itself)."""
    boot(migrate=False)
    from django.core.management import call_command

    call_command("migrate", interactive=False)
