"""REST endpoints of the iuran calculator and the rules (no personal data: any authenticated user)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from ucj.contributions.calculator import CalcError
from ucj.contributions.forms import build_inputs, parse_month
from ucj.contributions.models import ContributionRule
from ucj.contributions.rules import PAYERS, RuleMissing, rule_to_row
from ucj.contributions.services import calculate_contribution

router = Router(tags=["contributions"])


class ComponentOut(Schema):
    program: str
    base: int
    rate: float | None  # percent (0.54 = 0.54 %); null for a fixed amount
    factor: float | None  # relief factor applied (0.5 = pay 50 %); null when none
    amount: int
    employer: int
    worker: int
    government: int
    recomposed: int  # JKP: the part recomposed from JKK/JKM (already inside those lines)
    deferred: int  # owed but payable later (PP 49/2020 JP deferral, Aug 2020-Jan 2021); not in amount
    rule: str
    rules: list[str]
    source: str
    note: str


class BreakdownOut(Schema):
    segment: str
    month: str
    period: str
    components: list[ComponentOut]
    total: int
    employer_total: int
    worker_total: int
    government_total: int
    warnings: list[str]


class RuleOut(Schema):
    id: str
    code: str
    variant: str
    valid_from: dt.date
    valid_to: dt.date | None
    rate_employer: str
    rate_worker: str
    rate_government: str
    rate_recomposed: str
    amount: int | None
    lower: int | None
    upper: int | None
    factor: str
    segments: list[str]
    programs: list[str]
    excluded_payers: list[str]
    source: str
    note: str


class Detail(Schema):
    code: str
    detail: str  # "Indonesian / English"


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CalcError(f"{name}: '{value}' bukan ya/tidak / is not true/false")


TRUE, FALSE = {"1", "true", "on", "yes", "ya"}, {"", "0", "false", "off", "no", "tidak"}
# Numbers and flags are taken as text and checked here so that a bad value answers 400 with a bilingual message
# (rupiah through ucj.amounts: 5000000, 5.000.000, Rp 5.000.000,- or 5 juta).
WHOLE = "rupiah: 5000000, 5.000.000, Rp 5.000.000,- or 5 juta"


@router.get("/contributions/calc", response={200: BreakdownOut, 400: Detail})
def calc(
    request: HttpRequest,
    segment: str = Query(..., description="PU, BPU, JAKON or PMI"),
    month: str = Query("", description="contribution month YYYY-MM (default: this month)"),
    wage: str = Query("", description=f"PU wage, Rp per month: {WHOLE}"),
    income: str = Query("", description=f"BPU declared income (same field as wage): {WHOLE}"),
    risk_class: str = Query("1", description="PU JKK risk class 1-5"),
    jkp: str = Query("false", description="PU participant enrolled in JKP (true/false)"),
    programs: str = Query("", description="comma list, e.g. JKK,JKM,JHT (default: the segment's usual)"),
    payer: str = Query("mandiri", description=f"{', '.join(PAYERS)}; apbd = apbd_kabkota"),
    sector: str = Query("other", description="other, transport (PP 50/2025, BPU) or a PP 7/2025 labour-intensive "
                        "industry: textile, footwear, leather, furniture, food, toys"),
    employees: str = Query("", description="PU: the employer's number of workers (PP 7/2025 needs at least 50)"),
    region: str = Query("", description="the participant's kab/kota code (e.g. 16.71): warns below the UMK/UMP"),
    contract_value: str = Query("", description=f"JAKON contract value, Rp: {WHOLE}"),
    contract_months: str = Query("", description="PMI contract length in months"),
    pre_placement: str = Query("true", description="PMI: include the pre-placement cover (true/false)"),
) -> Any:  # fmt: skip
    """One contribution breakdown, the same as ``ucj contributions calc --json`` and the calculator page.
    Every amount names the rule (``rule``, ``rules``) and the regulation (``source``) it comes from."""
    try:
        inputs = build_inputs(
            segment=segment, month=month, wage=wage, income=income, risk_class=risk_class,
            jkp=_flag(jkp, "jkp"), programs=programs, payer=payer, sector=sector, contract_value=contract_value,
            contract_months=contract_months, pre_placement=_flag(pre_placement, "pre_placement"),
            employees=employees, region=region,
        )  # fmt: skip
        return Status(200, calculate_contribution(inputs).as_dict())
    except CalcError as err:
        return Status(400, {"code": "INPUT_REJECTED", "detail": str(err)})
    except RuleMissing as err:
        return Status(400, {"code": "RULE_MISSING", "detail": str(err)})


@router.get("/contributions/rules", response={200: list[RuleOut], 400: Detail})
def list_rules(
    request: HttpRequest,
    month: str = Query("", description="only rules in force in this month (YYYY-MM); empty: every row"),
    code: str = Query("", description="one rule family, e.g. PU.JP.CEILING"),
) -> Any:
    """The effective-dated rules with their legal sources (rates in percent as text, amounts in rupiah)."""
    rules = [r.to_rule() for r in ContributionRule.objects.all()]
    if month.strip():
        try:
            day = parse_month(month)
        except CalcError as err:
            return Status(400, {"code": "INPUT_REJECTED", "detail": str(err)})
        rules = [r for r in rules if r.in_force(day)]
    if code.strip():
        rules = [r for r in rules if r.code == code.strip()]
    out = []
    for rule in rules:
        row = rule_to_row(rule)
        out.append({**row, "id": rule.id, "valid_from": rule.valid_from, "valid_to": rule.valid_to,
                    "amount": rule.amount, "lower": rule.lower, "upper": rule.upper,
                    "segments": list(rule.segments), "programs": list(rule.programs),
                    "excluded_payers": list(rule.excluded_payers)})  # fmt: skip
    return Status(200, out)
