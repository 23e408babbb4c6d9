"""PostgreSQL: drop the ``nik varchar_pattern_ops`` index Django adds beside every unique ``CharField`` (issue 17 §3).

It serves only ``LIKE 'prefix%'`` on the NIK, and no query of UCJ does that: a NIK search takes all 16 digits
(``ucj.registry.search``: prefixes are refused, they rebuilt a NIK digit by digit), and every other NIK lookup
is an equality or ``= ANY``/``IN`` that the unique index serves. Each bulk import paid for it (a second B-tree
over a million NIKs). SQLite never had it. The reverse creates it again under Django's name."""

from typing import Any

from django.db import migrations


def _like_index(schema_editor: Any) -> tuple[str, str]:
    table = "registry_participant"
    name = schema_editor._create_index_name(table, ["nik"], suffix="_like")
    return schema_editor.quote_name(name), schema_editor.quote_name(table)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        name, _ = _like_index(schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        name, table = _like_index(schema_editor)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} (nik varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_participant_role_unit_indexes"),
    ]

    operations = [migrations.RunPython(drop, create, elidable=False)]
