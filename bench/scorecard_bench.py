"""Commitments scorecard speed (issue 13 §6): the province's scorecard by kab/kota on a registry of 1,000,000
participants, against baselines measured in the same run.

Database: a fresh SQLite (default) or PostgreSQL (``--postgres``) database, filled like ``report_bench.py``
(``coverage_bench.fill``: ``--rows`` participants, the demo story, the coverage facts), then — the registry people
the scorecard is about — one participant in 25 given a village role (kepala desa … RW, LKD) and one in 50 naming
an ecosystem unit (a market or group of their village), plus the commitments demo rows (positions, units, budgets,
instruments, the meeting and its actions).

* baselines: ``SELECT count(*)`` over the participants, and the dashboard's services alone — ``coverage("16")``
  right after ``cache.clear()``;
* ``services.scorecard(scope, "16", 2024, "kabkota")`` (cold: empty cache) and its parts (the village institutions'
  registry counts, the ecosystem units' counts); the same scorecard once with the partial indexes of registry
  migration 0007 dropped (the "before");
* the coverage dashboard page (``/cakupan/``, a provincial user, published version) with the commitments card and
  without it (the card's tag short-circuited), the card cached and after a change of its inputs.

Goal: the province's scorecard ≤ 2 s.

    .venv/bin/python bench/scorecard_bench.py [--rows 1000000] [--postgres] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from benchdb import drop_database, registry_bench_main, setup_database, timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
GOAL_S = 2.0
ROLES = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw", "lkd")


def add_roles_and_units() -> None:
    """One participant in 25 gets a village role, one in 50 a unit name (two names per village)."""
    from django.db import connection, transaction

    from ucj.registry.models import Participant

    cases = " ".join(f"WHEN {i} THEN '{role}'" for i, role in enumerate(ROLES))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {Participant._meta.db_table} SET village_role = CASE (id / 25) % {len(ROLES)} "  # noqa: S608 (constants)
                    f"{cases} END WHERE id % 25 = 0")  # fmt: skip
        cur.execute(f"UPDATE {Participant._meta.db_table} SET unit_name = CASE WHEN id % 100 = 0 "  # noqa: S608
                    "THEN 'Pasar Desa' ELSE 'Kelompok Nelayan' END WHERE id % 50 = 0")  # fmt: skip
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE registry_participant")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import coverage_bench

    db_name = setup_database(args.postgres, "scorecardbench")
    try:
        for label, secs in coverage_bench.fill(args.rows).items():
            print(f"  {label}: {secs:.1f} s", file=sys.stderr)
        add_roles_and_units()
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client

        from ucj.accounts.services import create_user
        from ucj.commitments import demo, services
        from ucj.commitments.models import FollowUpAction
        from ucj.commitments.services.base import _as_of
        from ucj.commitments.services.ecosystem import _unit_frame
        from ucj.commitments.services.villages import _people
        from ucj.commitments.templatetags import commitment_tags
        from ucj.coverage.services import bump_version, coverage
        from ucj.reports.optional import region_scope

        print(f"  {demo.load_commitments_demo()}", file=sys.stderr)  # no-op when the story already loaded it
        scope = region_scope("16")

        def count() -> int:
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM registry_participant")
                return int(cur.fetchone()[0])

        def cold(fn: Any) -> Any:
            def measured() -> Any:
                cache.clear()
                return fn()

            return measured

        as_of = _as_of(2024)
        count_s, _ = timed(count, args.repeat)
        coverage_s, _ = timed(cold(lambda: coverage("16")), args.repeat)
        cases: dict[str, Any] = {
            "scorecard 16 by kab/kota, 2024 (cold)": cold(lambda: services.scorecard(scope, "16", 2024, "kabkota")),
            "scorecard 16, 2024 (cold)": cold(lambda: services.scorecard(scope, "16", 2024)),
            "  part: village institutions' registry counts": lambda: _people("16", as_of),
            "  part: ecosystem units with their registry counts": lambda: _unit_frame("16", as_of),
        }
        rows = [_row(label, *timed(fn, args.repeat), count_s, coverage_s) for label, fn in cases.items()]
        with without_indexes():  # the scorecard as it was before registry migration 0007
            rows.append(_row("scorecard 16 by kab/kota, 2024 (cold), without the 0007 indexes",
                             *timed(cold(lambda: services.scorecard(scope, "16", 2024, "kabkota")), 1),
                             count_s, coverage_s))  # fmt: skip
        rows += dashboard(args.repeat, count_s, coverage_s, create_user, Client, bump_version, commitment_tags,
                          FollowUpAction)  # fmt: skip
        vendor = connection.vendor
    finally:
        drop_database(db_name)
    print(f"\nScorecard, {vendor}, {args.rows:,} participants (1 in 25 with a village role, 1 in 50 naming a unit) "
          f"+ demo story, median of {args.repeat}; baselines in the same run: SELECT count(*) {count_s:.3f} s, "
          f"coverage('16') cold {coverage_s:.3f} s\n")  # fmt: skip
    print(f"{'case':66} {'seconds':>8} {'× count':>8} {'× coverage':>10}")
    for r in rows:
        print(f"{r['case']:66} {r['seconds']:>8.3f} {r['x_count']:>8.1f} {r['x_coverage']:>10.2f}")
    card = rows[0]["seconds"]
    print(f"\nGoal: province scorecard ≤ {GOAL_S:.0f} s — {'met' if card <= GOAL_S else 'MISSED'} ({card:.2f} s)")
    return {"vendor": vendor, "rows": args.rows, "count_s": count_s, "coverage_s": coverage_s, "goal_s": GOAL_S,
            "cases": rows}  # fmt: skip


@contextmanager
def without_indexes() -> Iterator[None]:
    """Drop the partial indexes of registry migration 0007 for the block (the query plans before it), then make
    them again with the migration's own statements."""
    from django.db import connection

    migration = import_module("ucj.registry.migrations.0007_participant_role_unit_indexes")
    with connection.cursor() as cur:
        for name in migration.INDEXES:
            cur.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for op in migration.Migration.operations:
                cur.execute(op.sql)


def _row(label: str, secs: float, _result: Any, count_s: float, coverage_s: float) -> dict[str, Any]:
    print(f"  {label}: {secs:.3f} s", file=sys.stderr)
    return {"case": label, "seconds": secs, "x_count": secs / count_s, "x_coverage": secs / coverage_s}


def dashboard(repeat: int, count_s: float, coverage_s: float, create_user: Any, client_class: Any,
              bump_version: Any, commitment_tags: Any, action_model: Any) -> list[dict[str, Any]]:  # fmt: skip
    """The coverage dashboard page of a provincial user on a published version: with the card (its entry cached,
    and right after a change of its inputs: one follow-up action edited) and without it."""
    from django.core.cache import cache

    user = create_user("bench-provinsi", role="provinsi", region="16", password="Bench-Password-1")  # noqa: S106 (throwaway database)
    client = client_class()
    client.force_login(user)
    cache.clear()
    bump_version()  # prepares and publishes the dashboards' answers (not timed)

    def page() -> int:
        response = client.get("/cakupan/")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    def changed() -> int:
        action = action_model.objects.order_by("pk").first()
        action.note = f"{action.note or ''}."
        action.save()  # a commitment row changed: the card's key moves, the entry is computed again
        return page()

    page()  # warm: templates, the dashboard's answer, the card
    page()
    real = commitment_tags.scope_for

    class Nothing:
        def covers(self, _code: str) -> bool:
            return False

    def without_card() -> int:
        commitment_tags.scope_for = lambda _user: Nothing()
        try:
            return page()
        finally:
            commitment_tags.scope_for = real

    cases = {"dashboard /cakupan/ without the card": without_card, "dashboard /cakupan/ with the card (cached)": page,
             "dashboard /cakupan/ with the card, inputs just changed": changed}  # fmt: skip
    return [_row(label, *timed(fn, repeat), count_s, coverage_s) for label, fn in cases.items()]


def main() -> None:
    registry_bench_main(__doc__, run, "scorecard")

if __name__ == "__main__":
    main()
