from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_tables(database: str = "default", **kwargs: Any) -> None:
    """Create the database cache table(s) of ``settings.CACHES`` when missing (nothing for Redis). The coverage
    migration calls it, and so does every ``migrate`` run, so a cache switched to the database later gets its
    table too."""
    import io

    from django.core.management import call_command

    call_command("createcachetable", database=database, verbosity=0, stdout=io.StringIO())


def _refresh_after_change(sender: Any = None, *, desa_codes: list[str], changes: Any = None, **kwargs: Any) -> None:
    """Receiver of ``participants_changed``. With the changed rows (an import), the facts move by their
    difference (:mod:`ucj.coverage.delta`); without them (a payment, an edit), the touched kecamatan are
    recounted. The coverage modules (Polars, the indicator) are imported here, when a change happens, not at
    every ``django.setup()`` (issue 17 §2)."""
    if changes is not None:
        from ucj.coverage.delta import apply_changes

        apply_changes(desa_codes, changes)
        return
    from ucj.coverage.services import refresh_after_change

    refresh_after_change(sender, desa_codes=desa_codes, **kwargs)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    create_cache_tables(using)


class CoverageConfig(AppConfig):
    name = "ucj.coverage"
    verbose_name = "Cakupan / Coverage"

    def ready(self) -> None:
        from ucj.registry.signals import participants_changed

        participants_changed.connect(_refresh_after_change, dispatch_uid="ucj.coverage.refresh")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="ucj.coverage.cache_table")
