"""Two roster imports run in threads at the same time (PostgreSQL concurrency tests), each on its own connection."""

from __future__ import annotations

import threading
from pathlib import Path

from django.db import connections

from ucj.registry.services import ImportReport, import_roster

WAIT = 60  # seconds; only a safety net against a hung test, never reached when the code is right


def import_side_by_side(files: dict[str, Path], *events: threading.Event) -> dict[str, ImportReport]:
    """Import each file in a thread named after its key; the reports by name. A failing import sets ``events``
    (so the other thread stops waiting for it) and fails the test with the exception's type."""
    reports: dict[str, ImportReport] = {}
    failures: dict[str, BaseException] = {}

    def work(name: str) -> None:
        try:
            path = files[name]
            reports[name] = import_roster(path.read_bytes(), path.name)
        except BaseException as exc:  # reported below
            failures[name] = exc
            for event in events:
                event.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,), name=n) for n in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 2)
    assert not failures, {k: type(v).__name__ for k, v in failures.items()}
    return reports
