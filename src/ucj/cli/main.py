"""``ucj`` — the UCJ command line (English verbs; ``--help`` everywhere; ``--json`` for scripts).

Exit codes: 0 success, 1 input rejected (with a clear message), 2 usage error.
"""

from __future__ import annotations

import typer

from ucj.cli import bills, contributions, coverage, demo, imports, plan, regions, review, rules, server, users

app = typer.Typer(
    name="ucj",
    help="UCJ — Universal Coverage Jamsostek: registry, contributions, coverage and planning.",
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
app.command("demo")(demo.demo)
app.command("serve")(server.serve)
app.command("worker")(server.worker)
app.command("migrate")(server.migrate)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
