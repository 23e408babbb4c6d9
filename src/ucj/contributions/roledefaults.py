"""The village-role defaults table as the import needs it (the shell around :mod:`ucj.contributions.defaults`)."""

from __future__ import annotations

import polars as pl

from ucj.contributions.defaults import defaults_table
from ucj.contributions.models import RoleDefault


def role_defaults_frame() -> pl.DataFrame:
    """Every configured default, national rows with region ``""`` (one query per import; a small table)."""
    rows = RoleDefault.objects.values_list("region_id", "role", "segment", "programs", "payer", "risk_class",
                                           "income")  # fmt: skip
    return defaults_table(list(rows))
