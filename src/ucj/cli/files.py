"""What every file-loading command shares: the acting user, reading the file, refusals reported without a
traceback, and the findings table (``ucj import roster|feed``, ``ucj coverage load-workforce|load-targets``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from ucj.cli.output import console, fail

#: Findings printed for people; ``--json`` has them all.
SHOWN_ISSUES = 40
_STYLES = {"error": "red", "warning": "yellow"}


def user_named(username: str | None) -> Any:
    """The active user the command acts as (``--user``), or None for the operator at the command line."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}")
    return user


def read_or_fail(path: Path, as_json: bool) -> bytes:
    if not path.is_file():
        fail(f"Berkas tidak ada / file not found: {path}", as_json=as_json, code="FILE_NOT_FOUND")
    return path.read_bytes()


@contextmanager
def refusals_reported(as_json: bool, file_error: type[Exception], refused: type[Exception]) -> Iterator[None]:
    """Turn a refused file (``file_error`` carrying a ``finding``) or a refused user into exit code 1."""
    try:
        yield
    except file_error as err:
        f = err.finding  # type: ignore[attr-defined]
        fail(f"{f.message('id')} / {f.message('en')}", as_json=as_json, code=f.code)
    except refused as err:
        fail(str(err), as_json=as_json, code="REFUSED")


def outcome_label(report: Any, stored: str) -> str:
    """What happened to an all-or-nothing load, for the report's first line."""
    if report.rejected:
        return "DITOLAK, tidak ada yang disimpan / REJECTED, nothing stored"
    if report.dry_run:
        return "UJI COBA (tidak disimpan) / DRY RUN (nothing stored)"
    return stored


def print_findings(findings: Sequence[Any]) -> None:
    """The first findings as a table; file values are escaped, never read as markup."""
    if not findings:
        return
    table = Table("Baris/row", "Kolom/column", "Kode/code", "Pesan / message")
    for f in findings[:SHOWN_ISSUES]:
        style = _STYLES.get(f.severity, "cyan")
        table.add_row(str(f.row), escape(f.column), f"[{style}]{f.code}[/]",
                      escape(f"{f.message('id')} / {f.message('en')}"))  # fmt: skip
    console.print(table)
    if len(findings) > SHOWN_ISSUES:
        console.print(f"… {len(findings) - SHOWN_ISSUES:,} lagi / more (--json for all).")
