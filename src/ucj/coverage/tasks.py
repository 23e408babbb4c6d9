"""Background jobs of coverage (run by the task worker, ``ucj worker``)."""

from __future__ import annotations

import os

from django.conf import settings
from django_tasks import task

from ucj.coverage.services import prepare_and_publish


def lower_priority() -> None:
    """Run this thread (the worker's) at a lower CPU priority (``UCJ_COVERAGE_PREPARE_NICE``), so preparing a
    version takes CPU the web server's requests do not need (2 cores: it competes with them otherwise).
    Linux applies niceness per thread; it cannot be raised again, which suits the background worker."""
    step = int(settings.UCJ_COVERAGE_PREPARE_NICE)
    if step > 0 and hasattr(os, "setpriority"):
        try:
            current = os.getpriority(os.PRIO_PROCESS, 0)
            if current < step:
                os.setpriority(os.PRIO_PROCESS, 0, step)
        except OSError:
            pass  # not permitted here: run at the usual priority


@task()
def publish_coverage(requested_ns: int) -> dict[str, bool]:
    """Prepare the dashboards' default answers of a new coverage version and publish it, unless a version
    prepared after the change (``requested_ns``, nanoseconds since the epoch) is already out."""
    lower_priority()
    return {"published": prepare_and_publish(requested_ns)}
