"""Django start-up for the CLI: settings, app registry and pending migrations."""

from __future__ import annotations

import gc
import io
import os


def configure() -> None:
    """What must hold before the settings are first read: private files, the settings module. A command may
    read the settings after this and before :func:`boot` (the app registry is not ready then)."""
    # Files ucj creates (database, uploads, exports of personal data) are its owner's only (issue 11 §6).
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucj.settings")


def boot(migrate: bool = True) -> None:
    """Configure Django and apply pending migrations quietly (``ucj`` keeps its database current)."""
    configure()
    import django

    django.setup()
    # What start-up created (modules, settings, the app registry) lives until the process ends: move it out
    # of the collector's generations, so the collections during a large import do not walk it again and
    # again (issue 17 §2).
    gc.freeze()
    if migrate and not all_applied():
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())


def all_applied() -> bool:
    """Whether every migration file of every app is recorded as applied: one query and a directory listing,
    instead of importing every migration module to build the graph (~0.1–0.2 s of each command's start-up).
    Anything unexpected (no table yet, a migration module set in MIGRATION_MODULES, an unapplied file) answers
    False, and :func:`boot` asks Django's executor as before."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.recorder import MigrationRecorder

    if getattr(settings, "MIGRATION_MODULES", None):
        return False
    on_disk = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_dir():
            on_disk |= {(config.label, f.stem) for f in folder.glob("*.py") if f.stem != "__init__"}
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError:
        return False
    return on_disk <= applied
