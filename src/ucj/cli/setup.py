"""Django start-up for the CLI: settings, app registry and pending migrations."""

from __future__ import annotations

import gc
import io
import os


def boot(migrate: bool = True) -> None:
    """Configure Django and apply pending migrations quietly (``ucj`` keeps its database current)."""
    # Files ucj creates (database, uploads, exports of personal data) are its owner's only (issue 11 §6).
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")
    import django

    django.setup()
    # What start-up created (modules, settings, the app registry) lives until the process ends: move it out
    # of the collector's generations, so the collections during a large import do not walk it again and
    # again (issue 17 §2).
    gc.freeze()
    if migrate:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
