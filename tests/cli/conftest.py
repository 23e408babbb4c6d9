"""Fixtures for the ``ucj`` command line: a CliRunner on the real Typer app, against the test database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ucj.cli.main import app


@pytest.fixture
def cli(db: Any) -> Callable[..., Result]:
    """``cli("import", "roster", path, "--json", input="...")`` → the click Result (exit code, stdout, stderr).

    Commands call ``ucj.cli.setup.boot()`` as they do in production: under pytest-django Django is already set
    up and the test database is migrated, so boot only confirms that no migration is pending.
    """
    runner = CliRunner()

    def invoke(*args: object, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


def flat(text: str) -> str:
    """Terminal output with Rich's line wrapping undone."""
    return " ".join(text.split())
