"""Rules as effective-dated data: the shipped table, parsing errors that name line and field, look-ups, and the
database copy (migration, load_rules audited and all-or-nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from ucj.contributions import rules as core
from ucj.contributions.rules import COLUMNS, Rule, RuleBook, RuleError, RuleMissing, read_rules, rule_to_row

HEADER = ",".join(COLUMNS)


def csv_text(*rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()


CEILING = {"code": "PU.JP.CEILING", "valid_from": "2027-03-01", "valid_to": "2028-02-29", "amount": "11600000",
           "source": "penetapan BPJS Ketenagakerjaan 2027"}  # fmt: skip


def test_the_shipped_rules_parse_and_do_not_overlap() -> None:
    rules = core.shipped_rules()
    assert len(rules) > 40
    core.check_overlaps(rules)
    assert all(r.source for r in rules)
    assert {r.code for r in rules} <= set(core.REQUIRED)


def test_a_row_round_trips_through_text() -> None:
    for rule in core.shipped_rules():
        assert core.rule_from_row(rule_to_row(rule)) == rule
    text = csv_text(*(rule_to_row(r) for r in core.shipped_rules()))
    assert read_rules(text) == core.shipped_rules()


def test_a_good_file_parses() -> None:
    (rule,) = read_rules(csv_text(CEILING))
    assert rule.id == "PU.JP.CEILING@2027-03-01" and rule.amount == 11_600_000
    assert rule.in_force(dt.date(2027, 3, 1)) and not rule.in_force(dt.date(2028, 3, 1))


@pytest.mark.parametrize(("change", "words"), [
    ({"amount": "sebelas juta"}, ["baris 2", "line 2", "amount", "bukan bilangan bulat", "not a whole number"]),
    ({"code": "PU.JKK", "variant": "1", "amount": "", "rate_employer": "0,2x"},
     ["line 2", "rate_employer", "is not a number"]),
    ({"amount": "-5"}, ["line 2", "amount", "not a whole number"]),
    ({"amount": "7000000.00"}, ["line 2", "amount", "not a whole number"]),  # not read as 700,000,000
    ({"amount": "11.6"}, ["line 2", "amount", "not a whole number"]),
    ({"source": ""}, ["line 2", "source", "legal source is required"]),
    ({"code": "PU.XYZ"}, ["line 2", "code", "PU.XYZ", "not a known rule family"]),
    ({"valid_from": "1-3-2027"}, ["line 2", "valid_from", "not a YYYY-MM-DD date"]),
    ({"valid_from": ""}, ["line 2", "valid_from", "required"]),
    ({"valid_to": "2026-01-01"}, ["line 2", "valid_to is before valid_from"]),
    ({"amount": ""}, ["line 2", "amount", "required"]),
    ({"code": "PU.JKK", "variant": "7", "amount": "", "rate_employer": "0.3"}, ["line 2", "variant", "risk class"]),
    ({"code": "PU.JKM", "amount": "", "rate_employer": "0.305"}, ["line 2", "rate_employer", "at most 2 decimals"]),
    ({"code": "RELIEF.PP50-2025", "amount": "", "factor": "1.5", "segments": "BPU", "programs": "JKK"},
     ["line 2", "factor must be between 0 and 1"]),
    ({"code": "RELIEF.PP50-2025", "amount": "", "factor": "0.5", "segments": "BPU", "programs": "JKK",
      "excluded_payers": "apbd"}, ["line 2", "excluded_payers", "apbd"]),
])  # fmt: skip
def test_errors_name_the_line_and_the_field(change: dict[str, str], words: list[str]) -> None:
    with pytest.raises(RuleError) as err:
        read_rules(csv_text({**CEILING, **change}))
    for word in words:
        assert word in str(err.value)


def test_the_line_number_is_the_line_of_the_file() -> None:
    second = {**CEILING, "valid_from": "2028-03-01", "valid_to": "", "amount": "x"}
    with pytest.raises(RuleError, match="line 3"):
        read_rules(csv_text(CEILING, second))


def test_overlapping_periods_are_refused() -> None:
    second = {**CEILING, "valid_from": "2028-02-01", "valid_to": ""}
    with pytest.raises(RuleError) as err:
        read_rules(csv_text(CEILING, second))
    assert "PU.JP.CEILING@2027-03-01" in str(err.value) and "overlap" in str(err.value)
    open_ended = {**CEILING, "valid_to": ""}
    with pytest.raises(RuleError, match="overlap"):
        read_rules(csv_text(open_ended, {**CEILING, "valid_from": "2030-03-01", "valid_to": ""}))


def test_variants_may_run_side_by_side() -> None:
    rows = [{"code": "PU.JKK", "variant": v, "valid_from": "2030-01-01", "rate_employer": "0.3", "source": "x"}
            for v in "12"]  # fmt: skip
    assert len(read_rules(csv_text(*rows))) == 2


def test_file_level_errors() -> None:
    with pytest.raises(RuleError, match="required columns missing: source"):
        read_rules("code,valid_from\nPU.JKM,2015-07-01\n")
    with pytest.raises(RuleError, match="unknown columns: tarif"):
        read_rules(HEADER + ",tarif\n")


def test_rulebook_looks_up_by_the_first_day_of_the_month() -> None:
    book = RuleBook(core.shipped_rules())
    assert book.get("PU.JP.CEILING", dt.date(2024, 3, 31)).amount == 10_042_300
    assert book.find("PU.JKP", dt.date(2025, 2, 28)).rate_recomposed == core.Decimal("0.24")  # PP 6/2025: 7 Feb
    assert book.find("PU.JKP", dt.date(2025, 3, 1)).rate_recomposed == core.Decimal("0.14")  # from March
    with pytest.raises(RuleMissing) as err:
        book.get("PU.JKK", dt.date(2024, 3, 1), "9")
    assert "PU.JKK" in str(err.value) and "variant 9" in str(err.value)
    assert [r.code for r in book.reliefs(dt.date(2020, 8, 1))] == ["RELIEF.PP49-2020"]
    assert {r.variant for r in book.reliefs(dt.date(2026, 5, 1))} == {"transport", "other"}


def test_rule_ids() -> None:
    assert Rule("PU.JKK", "2", dt.date(2015, 7, 1)).id == "PU.JKK/2@2015-07-01"
    assert Rule("PU.JKM", "", dt.date(2015, 7, 1)).id == "PU.JKM@2015-07-01"


# ---------------------------------------------------------------- the database copy


@pytest.mark.django_db
def test_the_migration_loaded_the_shipped_rules() -> None:
    from ucj.contributions.services import rulebook

    stored = sorted(rulebook().rules, key=lambda r: r.id)
    assert stored == sorted(core.shipped_rules(), key=lambda r: r.id)


@pytest.mark.django_db
def test_load_rules_adds_updates_and_audits(admin_user: object) -> None:
    from ucj.accounts.models import AuditEvent
    from ucj.contributions.calculator import Inputs
    from ucj.contributions.services import calculate_contribution, load_rules

    with pytest.raises(RuleMissing):
        calculate_contribution(Inputs("PU", dt.date(2027, 3, 1), wage=12_000_000))
    counts = load_rules(read_rules(csv_text(CEILING)), actor=admin_user, origin="test")
    assert counts == {"created": 1, "updated": 0, "unchanged": 0}
    b = calculate_contribution(Inputs("PU", dt.date(2027, 3, 1), wage=12_000_000))
    assert {c.program: c.base for c in b.components}["JP"] == 11_600_000

    changed = {**CEILING, "amount": "11650000"}
    assert load_rules(read_rules(csv_text(changed)), actor=admin_user, origin="test")["updated"] == 1
    event = AuditEvent.objects.filter(action="rules.update").latest("id")
    assert event.changes == {"amount": ["11600000", "11650000"]}
    assert event.actor_name == admin_user.username  # type: ignore[attr-defined]
    assert load_rules(read_rules(csv_text(changed)), actor=admin_user)["unchanged"] == 1
    assert AuditEvent.objects.filter(action="rules.load").count() == 3


@pytest.mark.django_db
def test_load_rules_is_all_or_nothing() -> None:
    from ucj.contributions.models import ContributionRule
    from ucj.contributions.services import load_rules

    before = ContributionRule.objects.count()
    clash = {"code": "PU.JP.CEILING", "valid_from": "2026-06-01", "amount": "1", "source": "x"}  # inside 2026-27
    with pytest.raises(RuleError, match="overlap"):
        load_rules(read_rules(csv_text(CEILING, clash)))
    assert ContributionRule.objects.count() == before


def test_amounts_may_use_indonesian_thousands_dots() -> None:
    (rule,) = read_rules(csv_text({**CEILING, "amount": "7.000.000"}))
    assert rule.amount == 7_000_000
