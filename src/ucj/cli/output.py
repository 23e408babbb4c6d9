"""Shared CLI output helpers: JSON for scripts, readable text and progress bars for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=False)
errors = Console(stderr=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, *, as_json: bool = False, code: str = "INPUT_REJECTED", exit_code: int = 1) -> NoReturn:
    """Report a refused input (exit 1) without a traceback."""
    if as_json:
        emit_json({"error": {"code": code, "message": message}})
    else:
        errors.print(f"[bold red]Ditolak / rejected:[/] {escape(message)}")  # may quote the file: not markup
    raise typer.Exit(exit_code)


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Callable[[str, int], None]]:
    """A progress callback ``(stage, percent)``; draws a bar on the terminal unless disabled (``--json``)."""
    if not enabled:
        yield lambda stage, pct: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[stage]}"), TimeElapsedColumn(), console=errors, transient=False,
    ) as bar:  # fmt: skip
        task = bar.add_task(escape(label), total=100, stage="")
        yield lambda stage, pct: bar.update(task, completed=pct, stage=stage)
