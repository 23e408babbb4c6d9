"""Background jobs of coverage (run by the task worker, ``ucj worker``)."""

from __future__ import annotations

from django_tasks import task

from ucj.coverage.services import prepare_and_publish


@task()
def publish_coverage(requested_ns: int) -> dict[str, bool]:
    """Prepare the dashboards' default answers of a new coverage version and publish it, unless a version
    prepared after the change (``requested_ns``, nanoseconds since the epoch) is already out."""
    return {"published": prepare_and_publish(requested_ns)}
