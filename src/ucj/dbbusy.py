"""A busy or locked database is a temporary condition: answer 503 with ``Retry-After``, never 500.

SQLite (one writer at a time) answers "database is locked" / "database is busy" once its busy timeout runs
out while another connection — typically a long import — holds the write lock; PostgreSQL answers a lock
timeout (55P03), a serialisation failure (40001) or a deadlock (40P01). All of them mean "try again shortly":
pages, the API and the token check turn them into a 503 with ``Retry-After`` (``UCJ_BUSY_RETRY_AFTER``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

#: SQLSTATEs of PostgreSQL errors that go away when retried.
RETRYABLE_SQLSTATES = {"55P03", "40001", "40P01"}
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
MESSAGE = ("Basis data sedang sibuk (mis. impor besar sedang berjalan); coba lagi sebentar lagi. / "
           "The database is busy (e.g. a large import is running); please try again shortly.")  # fmt: skip


def is_busy_error(exc: BaseException | None) -> bool:
    """True when ``exc`` (or an exception it wraps) is a lock/busy/serialisation error of the database."""
    seen = 0
    while exc is not None and seen < 5:
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if state in RETRYABLE_SQLSTATES:
            return True
        if type(exc).__name__ == "OperationalError" and any(s in str(exc).lower() for s in _SQLITE_BUSY):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def retry_after() -> int:
    return int(getattr(settings, "UCJ_BUSY_RETRY_AFTER", 5))


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON ``{"detail": …}`` for the API, a short bilingual page otherwise."""
    if request.path.startswith("/api/"):
        response = HttpResponse(json.dumps({"detail": MESSAGE}), status=503, content_type="application/json")
    else:
        body = f"<!doctype html><meta charset=utf-8><title>503</title><h1>503</h1><p>{MESSAGE}</p>"
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after())
    return response


@contextlib.contextmanager
def no_wait() -> Iterator[None]:
    """Inside the block, an SQLite write that would wait for the lock fails at once instead (busy timeout 0).

    For best-effort writes (a token's last-use time) that must never make a request wait behind an import.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        (before,) = cur.fetchone()
        cur.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA busy_timeout = {int(before)}")  # an int read back from SQLite, not user input
