"""The shared cache backend (``settings.CACHES``, database default): Django's database cache, except that on
SQLite a cache write never makes a request wait for the database's single write lock.

An import holds SQLite's write lock for its whole transaction (seconds for a large roster). Django's database
cache writes on a miss (store the answer), on a full table (cull) and even on a read that meets an expired
entry (delete it); each would wait up to the connection's busy timeout (30 s) and the last two would then fail
the request. A cached answer is worth storing, not worth waiting for: on SQLite these writes wait at most
``UCJ_CACHE_WRITE_WAIT_MS`` and are skipped when the lock is still held. The coverage version (the key every
answer depends on) is the exception: it is always written, waiting like any other write, because a lost version
change would leave stale answers in place. PostgreSQL (row locks) and writes inside a transaction (which holds
the lock already) take Django's path unchanged. Every key of the ``~ucj:`` family (the version, the publication
lock) is always written, and so is everything written inside :func:`always_write` (the prepared answers of a
new version, which must all be stored before it is published).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router

# The coverage data version (see ucj.coverage.services). Its name sorts after every other key on purpose: the
# database cache culls the alphabetically first third of its entries when full.
VERSION_KEY = "~ucj:coverage:version"
PUBLISH_LOCK = "~ucj:coverage:publishing"  # held while a new version is compared with the published one and set
_ALWAYS = "~ucj:"  # keys written even when the write must wait for an import's lock
_state = threading.local()


@contextmanager
def always_write() -> Iterator[None]:
    """Cache writes of this thread inside the block are never skipped (they wait for the lock like any write)."""
    before = getattr(_state, "always", False)
    _state.always = True
    try:
        yield
    finally:
        _state.always = before


@contextmanager
def cache_lock(key: str, hold: float = 60.0, wait: float = 30.0) -> Iterator[bool]:
    """A lock across processes on the shared cache (``add`` succeeds for one caller): yields True when taken
    within ``wait`` seconds, False when not (the caller goes on without it). ``hold`` bounds how long a dead
    holder keeps it."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    taken = cache.add(key, token, timeout=hold)
    while not taken and time.monotonic() < deadline:
        time.sleep(0.02)
        taken = cache.add(key, token, timeout=hold)
    try:
        yield taken
    finally:
        if taken and cache.get(key) == token:
            cache.delete(key)


class SharedDatabaseCache(DatabaseCache):
    """:class:`DatabaseCache` whose writes do not wait for SQLite's write lock (see the module doc)."""

    def _must_write(self, keys: list[str]) -> bool:
        always = self.make_key(_ALWAYS)
        return getattr(_state, "always", False) or any(k.startswith(always) for k in keys)

    @contextmanager
    def _short_wait(self, keys: list[str]) -> Iterator[bool]:
        """Yields True when this write may be skipped: SQLite, outside a transaction, not the version."""
        connection = connections[router.db_for_write(self.cache_model_class)]
        if connection.vendor != "sqlite" or connection.in_atomic_block or self._must_write(keys):
            yield False
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            (usual,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {int(settings.UCJ_CACHE_WRITE_WAIT_MS)}")
        try:
            yield True
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")

    def _base_set(self, mode: str, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> bool:
        with self._short_wait([key]) as skippable:
            try:
                return bool(super()._base_set(mode, key, value, timeout))  # type: ignore[misc]  # private in the stubs
            except DatabaseError:
                if not skippable:
                    raise
                return False  # the write lock is held (an import): the answer is not stored this time

    def _base_delete_many(self, keys: list[str]) -> bool:
        with self._short_wait(keys) as skippable:
            try:
                return bool(super()._base_delete_many(keys))  # type: ignore[misc]
            except DatabaseError:
                if not skippable:
                    raise
                return False  # expired entries stay until a later read or the cull removes them
