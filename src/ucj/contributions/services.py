"""Contribution operations that pages, the API, the CLI and jobs all call (one named function each)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.contributions import rules as core
from ucj.contributions.calculator import Breakdown, Inputs, calculate
from ucj.contributions.models import ContributionRule, RoleDefault
from ucj.regions.codes import parent_of


def rulebook() -> core.RuleBook:
    """The rules in the database (a few dozen rows: read fresh each time, so edits apply at once), with the
    APBDes choice for PP 50/2025 (``UCJ_APBDES_RELIEF``)."""
    return core.RuleBook([r.to_rule() for r in ContributionRule.objects.all()],
                         apbdes_relief=settings.UCJ_APBDES_RELIEF != "exclude")  # fmt: skip


def calculate_contribution(inputs: Inputs) -> Breakdown:
    """One iuran breakdown under the rules in the database (raises CalcError / RuleMissing)."""
    return calculate(rulebook(), inputs)


def _model_values(rule: core.Rule) -> dict[str, Any]:
    row = core.rule_to_row(rule)
    text = ("segments", "programs", "excluded_payers", "source", "note", "variant", "code")
    return {k: (v if k in text else (v or None)) for k, v in row.items()}


@transaction.atomic
def load_rules(
    new_rules: Sequence[core.Rule], *, actor: Any = None, request: HttpRequest | None = None, origin: str = ""
) -> dict[str, int]:
    """Add or replace rule rows (keyed by family, variant and start date), all or nothing, audited.

    The combined table must still have no two rows of one family and variant in force on the same day.
    """
    existing = {(r.code, r.variant, r.valid_from): r for r in ContributionRule.objects.all()}
    combined = {k: v.to_rule() for k, v in existing.items()}
    combined.update({(r.code, r.variant, r.valid_from): r for r in new_rules})
    core.check_overlaps(combined.values())
    created = updated = unchanged = 0
    for rule in new_rules:
        values = _model_values(rule)
        row = existing.get((rule.code, rule.variant, rule.valid_from))
        if row is None:
            ContributionRule.objects.create(**values)
            created += 1
        elif row.to_rule() != rule:
            before = core.rule_to_row(row.to_rule())
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            changes = {k: [before[k], v] for k, v in core.rule_to_row(rule).items() if before[k] != v}
            audit.record("rules.update", actor=actor, request=request, object_type="rule", object_id=rule.id,
                         summary=f"{rule.id} ({origin})", changes=changes)  # fmt: skip
            updated += 1
        else:
            unchanged += 1
    counts = {"created": created, "updated": updated, "unchanged": unchanged}
    audit.record("rules.load", actor=actor, request=request, object_type="rules", summary=f"{origin}: {counts}")
    return counts


def role_default(desa_code: str, role: str) -> RoleDefault | None:
    """The most specific default for ``role`` in a village: desa, then kecamatan, kab/kota, province, national."""
    codes: list[str | None] = []
    code: str | None = desa_code
    while code:
        codes.append(code)
        code = parent_of(code)
    found = {d.region_id: d for d in RoleDefault.objects.filter(role=role, region_id__in=[c for c in codes if c])}
    for c in codes:
        if c in found:
            return found[c]
    return RoleDefault.objects.filter(role=role, region__isnull=True).first()
