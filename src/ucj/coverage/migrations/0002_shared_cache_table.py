"""The shared cache table (``settings.CACHES``, database backend): every process reads the same coverage
version, so an import run by the worker or the CLI refreshes the web server's dashboards at once."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    from ucj.coverage.apps import create_cache_tables

    create_cache_tables(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("coverage", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
