"""Signals other domains subscribe to, so the registry need not know them (coverage facts refresh on these)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

#: Sent after a commit that changed participants, with ``desa_codes``: the villages whose people changed, and
#: ``changes``: ``None``, or a Polars frame of exactly what changed for the coverage facts (see
#: :func:`ucj.registry.store.facts_changes`; an import knows it, a payment does not).
participants_changed = Signal()


def announce_change(desa_codes: Iterable[str], *, changes: Any = None) -> None:
    """Tell subscribers, once the current transaction commits, which villages' participants changed (and,
    with ``changes``, the weighted before/after rows of the change)."""
    codes = sorted({c for c in desa_codes if c})
    if codes:
        transaction.on_commit(lambda: participants_changed.send(sender=None, desa_codes=codes, changes=changes))
