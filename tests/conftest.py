"""Shared fixtures: reference regions, users per role, roster files, API clients.

Tests that touch the database run on SQLite by default and on PostgreSQL when ``UCJ_TEST_DB=postgres``
(``scripts/test.sh`` runs both). When that PostgreSQL is unreachable, every database test is skipped with
one clear message instead of failing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEMO_PASSWORD = "Ucj-Test-Password-1"


def _postgres_problem() -> str | None:
    if os.environ.get("UCJ_TEST_DB") != "postgres":
        return None
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL not reachable at {url}: {type(exc).__name__}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = _postgres_problem()
    if problem:
        skip = pytest.mark.skip(reason=f"SKIPPED (no PostgreSQL): {problem}")
        for item in items:
            if "django_db" in item.keywords or "db" in getattr(item, "fixturenames", ()):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the Sumsel reference regions once per test session (3,518 rows; tests roll back around them)."""
    from ucj.regions.services import load_regions

    with django_db_blocker.unblock():
        load_regions("16")


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (third-party reference data is not copied into the repository)")
    return SHARED


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """``make_user("desa", "16.06.01.2001")`` → a user with that role over that region."""
    from ucj.accounts.services import create_user

    counter = iter(range(10_000))

    def make(role: str, region: str | None = None, username: str | None = None) -> Any:
        name = username or f"{role}-{next(counter)}"
        return create_user(name, role=role, region=region, password=DEMO_PASSWORD)

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., Any]) -> Any:
    return make_user("admin")


@pytest.fixture
def desa_user(make_user: Callable[..., Any]) -> Any:
    """Operator of Desa Sukarami (16.06.01.2001), Kab. Musi Banyuasin."""
    return make_user("desa", "16.06.01.2001")


@pytest.fixture
def kab_user(make_user: Callable[..., Any]) -> Any:
    """Officer of Kab. Musi Banyuasin (16.06)."""
    return make_user("kabkota", "16.06")


@pytest.fixture
def viewer_user(make_user: Callable[..., Any]) -> Any:
    return make_user("viewer", "16")


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text lines as a CSV file (``encoding`` selectable) and return its path."""

    def write(lines: list[str], name: str = "roster.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes("\n".join(lines).encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (lists of cells; str, int, float, date) to an .xlsx with XlsxWriter; ``merge`` takes
    (first_row, first_col, last_row, last_col, value) ranges, 0-based."""
    import datetime as dt

    import xlsxwriter

    def write(rows: list[list[Any]], name: str = "roster.xlsx", merge: list[tuple[Any, ...]] | None = None) -> Path:
        path = tmp_path / name
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Data")
        date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        for first_row, first_col, last_row, last_col, value in merge or []:
            sheet.merge_range(first_row, first_col, last_row, last_col, value)
        book.close()
        return path

    return write
