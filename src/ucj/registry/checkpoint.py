"""SQLite: a large import's write-ahead log is copied into the database file beside the work that follows its
commit, not inside the commit (issue 17 §3).

SQLite checkpoints automatically in the connection that commits: after a million new participants the ~280 MB
their transaction wrote to the WAL are copied into the database file inside that ``COMMIT`` (0.8 s), while
nothing else happens. A large import turns the automatic checkpoint off for its connection; when the transaction
commits, a thread checkpoints (``PASSIVE``: never blocks readers or writers) on a connection of its own while
this one brings the coverage facts up to date and prepares the dashboards. The import waits for the thread
before it returns and turns the automatic checkpoint on again. Both connections use the same SQLite library,
which coordinates its own locks within the process (unlike a second library, see ucj.registry.arrow_read).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connection, transaction

from ucj.bulk import sqlite_file

logger = logging.getLogger(__name__)

#: From this many rows an import checkpoints aside (a small one's checkpoint is a few pages).
ASIDE_MIN = 50_000


@contextlib.contextmanager
def checkpoint_aside(rows: int) -> Iterator[Callable[[], None]]:
    """Enter around a large import's transaction (outside it); inside the transaction, call what it yields
    first, so the checkpoint starts before any other work that waits for the commit. No-op on PostgreSQL, for
    fewer than :data:`ASIDE_MIN` rows, inside a larger transaction and for a database in memory."""
    path = sqlite_file()
    if path is None or rows < ASIDE_MIN or connection.in_atomic_block:
        yield lambda: None
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint")
        pages = int(cur.fetchone()[0])
        cur.execute("PRAGMA wal_autocheckpoint = 0")
    workers: list[threading.Thread] = []

    def start() -> None:
        workers.append(threading.Thread(target=_checkpoint, args=(path,), name="ucj-wal-checkpoint"))
        workers[-1].start()

    try:
        yield lambda: transaction.on_commit(start)
    finally:
        for worker in workers:
            worker.join()
        if connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA wal_autocheckpoint = {pages:d}")


def _checkpoint(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as con:
            con.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error as exc:  # the next automatic checkpoint does it
        logger.warning("WAL checkpoint after a large import failed: %s", type(exc).__name__)
