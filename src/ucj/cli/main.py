"""``ucj`` — the UCJ command line (English verbs; ``--help`` everywhere; ``--json`` for scripts).

Exit codes: 0 success, 1 input rejected (with a clear message), 2 usage error.
"""

from __future__ import annotations

import atexit
import os
import sys

# Typer formats help and usage errors with Rich's Markdown renderer when asked (markdown-it alone costs
# ~0.4 s of start-up); click's plain formatting is enough for ``--help``, so ``ucj --help`` answers at once.
# Set TYPER_USE_RICH=1 to get Rich's panels back. Our own output still uses Rich (ucj.cli.output).
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer

from ucj.cli import bills, coercion, contributions, coverage, demo, imports, plan, regions, review, rules, server, users
from ucj.cli import commitments as commitments_cli
from ucj.cli import reports as report_cli
from ucj.cli import targeting as targeting_cli

# Text and path parameters without pydantic's adapters (~0.1 s of every command's start; ucj.cli.coercion).
coercion.install()

app = typer.Typer(
    name="ucj",
    help="UCJ — Universal Coverage Jamsostek: registry, contributions, coverage, planning, commitments, targeting "
    "and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(regions.app, name="regions")
app.add_typer(imports.app, name="import")
app.add_typer(users.app, name="users")
app.add_typer(contributions.app, name="contributions")
contributions.app.command("bill")(bills.bill)
contributions.app.command("pay")(bills.pay)
contributions.app.command("status")(bills.status)
app.add_typer(rules.app, name="rules")
app.add_typer(coverage.app, name="coverage")
app.add_typer(plan.app, name="plan")
app.add_typer(review.app, name="review")
app.add_typer(report_cli.app, name="report")
imports.app.command("list")(targeting_cli.import_list)
imports.app.command("bpjs")(targeting_cli.import_bpjs)
app.command("target")(targeting_cli.target)
app.add_typer(commitments_cli.app, name="commitments")
app.command("scorecard")(commitments_cli.scorecard)
app.command("demo")(demo.demo)
app.command("serve")(server.serve)
app.command("worker")(server.worker)
app.command("migrate")(server.migrate)


def main() -> None:
    """Run the command, then leave without the interpreter's teardown (:func:`fast_exit`)."""
    try:
        app()
    except SystemExit as done:
        fast_exit(done.code)
    fast_exit(0)


def fast_exit(code: int | str | None) -> None:
    """End the process like a normal exit, minus the interpreter's final garbage collection and module
    teardown (0.4–1 s after a large import: every Polars frame, Django model and rich object is freed one by
    one just before the memory is returned anyway; issue 17 §2).

    Everything a normal exit guarantees is done first: the database connections are closed (their
    transactions were committed or rolled back by the command), ``atexit`` handlers run (logging's flush,
    temporary directories), and stdout/stderr are flushed. When another non-daemon thread still runs (a
    server), the normal exit waits for it instead."""
    import threading

    status = code if isinstance(code, int) else (0 if code is None else 1)
    if isinstance(code, str):
        print(code, file=sys.stderr)
    if threading.active_count() > 1 and any(not t.daemon for t in threading.enumerate()[1:]):
        sys.exit(status)
    if sys.getprofile() is not None or sys.gettrace() is not None:  # a profiler or coverage writes at exit
        sys.exit(status)
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (``ucj … | head``): nothing more can be written
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    main()
