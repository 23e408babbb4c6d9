"""The models and the committed migrations agree (no change is left without its migration)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits non-zero when one is missing
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_the_indexes_made_with_plain_sql_are_in_the_migrated_database() -> None:
    """Indexes a migration makes with ``RunSQL`` are unknown to Django's model state, so a later migration that
    rebuilds the table (SQLite's way of altering a column) would drop them without a word. The scorecard's
    partial indexes (registry 0007) must be there, with their predicate."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("ucj.registry.migrations.0007_participant_role_unit_indexes")
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, "registry_participant")
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_participant'")
        else:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                        ["registry_participant"])  # fmt: skip
        definitions = dict(cur.fetchall())
    def bare(sql: str) -> str:  # PostgreSQL writes the predicate back as ((village_role)::text > ''::text)
        return "".join(c for c in sql.upper().replace("::TEXT", "") if c not in "() ")

    for name, (columns, where) in migration.INDEXES.items():
        assert found[name]["index"] and found[name]["columns"] == [c.strip() for c in columns.split(",")], name
        assert bare(definitions[name].upper().split(" WHERE ", 1)[1]) == bare(where), name
