"""Migration 0004_domain_corrections on a database that ran 0002 with the old rules (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
APP = "contributions"


def test_0004_removes_the_reduced_jkk_and_adds_the_new_rows() -> None:
    """An old database holds PU.JKK.JKP (0.40 % for class 2) and the BPU JKK row citing PP 50/2025: after 0004 the
    reduced rows are gone, the JKM construction tiers, PP 7/2025, the JP deferral and the minimum wages exist, the
    source is corrected, and an admin-corrected JP ceiling is left alone."""
    executor = MigrationExecutor(connection)
    executor.migrate([(APP, "0002_shipped_rules_and_role_defaults")])
    old = executor.loader.project_state([(APP, "0002_shipped_rules_and_role_defaults")]).apps
    Rule = old.get_model(APP, "ContributionRule")
    Rule.objects.create(code="PU.JKK.JKP", variant="2", valid_from=dt.date(2023, 10, 6), rate_employer="0.40",
                        source="PP 49/2023 Pasal 16A")  # fmt: skip
    Rule.objects.filter(code="BPU.JKK").update(source="PP 44/2015 Lampiran II jo. PP 50/2025 Pasal 4")
    Rule.objects.filter(code="PU.JP.CEILING", valid_from=dt.date(2025, 3, 1)).update(note="dikoreksi admin")
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes(APP))
        from ucj.contributions.models import ContributionRule

        assert not ContributionRule.objects.filter(code="PU.JKK.JKP").exists()
        for code in ("JAKON.JKM", "RELIEF.PP7-2025", "DEFERRAL.PP49-2020", "MIN.WAGE"):
            assert ContributionRule.objects.filter(code=code).exists(), code
        assert "PP 50/2025" not in ContributionRule.objects.get(code="BPU.JKK").source
        assert ContributionRule.objects.get(code="PU.JP.CEILING", valid_from=dt.date(2025, 3, 1)).note == \
            "dikoreksi admin"  # fmt: skip
    finally:
        MigrationExecutor(connection).loader.build_graph()
