"""Vectorised billing (pure): who is billed for which months, and every line equals the one-worker calculator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.contributions.billing import INPUT_SCHEMA, compute_bill, month_end, status_expr
from ucj.contributions.calculator import Inputs, calculate
from ucj.contributions.rules import RuleBook, shipped_rules

BOOK = RuleBook(shipped_rules())
MARCH_2024 = dt.date(2024, 3, 1)


def person(**kw: Any) -> dict[str, Any]:
    row = {"id": 1, "segment": "BPU", "income": 1_000_000, "risk_class": None, "jkp": False, "jkk": True,
           "jkm": True, "jht": False, "jp": False, "payer": "mandiri", "occupation": "petani",
           "paid_through": dt.date(2024, 2, 29), "coverage_start": None}  # fmt: skip
    row.update(kw)
    return row


def bill(rows: list[dict[str, Any]], month: dt.date = MARCH_2024, lapse: int = 3) -> Any:
    return compute_bill(pl.DataFrame(rows, schema=INPUT_SCHEMA), month, BOOK, lapse)


def line(result: Any, pid: int = 1) -> dict[str, Any]:
    found = result.lines.filter(pl.col("participant_id") == pid)
    assert found.height == 1, f"participant {pid} not billed"
    return found.row(0, named=True)


def codes(result: Any) -> dict[str, int]:
    return {n["code"]: n["count"] for n in result.notes}


def test_bpu_lowest_band_one_month() -> None:
    got = line(bill([person()]))
    assert (got["jkk"], got["jkm"], got["amount"], got["months"]) == (10_000, 6_800, 16_800, 1)
    assert got["worker"] == 16_800 and got["government"] == 0


def test_pu_worked_example_as_a_bill_line() -> None:
    got = line(bill([person(segment="PU", income=5_000_000, risk_class=2, jht=True, jp=True, payer="employer")]))
    assert (got["jkk"], got["jkm"], got["jht"], got["jp"]) == (27_000, 15_000, 285_000, 150_000)
    assert (got["employer"], got["worker"], got["amount"]) == (327_000, 150_000, 477_000)


def test_apbd_payer_is_government_and_gets_no_pp50_relief() -> None:
    result = bill([person(payer="apbd_kabkota", paid_through=dt.date(2026, 4, 30)),
                   person(id=2, payer="mandiri", paid_through=dt.date(2026, 4, 30))], dt.date(2026, 5, 1))  # fmt: skip
    assert line(result, 1)["government"] == 16_800
    assert line(result, 2)["worker"] == 8_400


def test_active_participant_pays_arrears_with_the_month() -> None:
    got = line(bill([person(paid_through=dt.date(2024, 1, 31))]))
    assert (got["first_month"], got["months"], got["amount"]) == (dt.date(2024, 2, 1), 2, 33_600)
    assert got["lapses_if_unpaid"] is True  # two months unpaid at the end of March: non-active in April


def test_lapsed_participant_is_billed_the_month_only() -> None:
    got = line(bill([person(paid_through=dt.date(2023, 6, 30))]))
    assert (got["first_month"], got["months"], got["lapses_if_unpaid"]) == (MARCH_2024, 1, False)


def test_never_paid_is_billed_the_month_only() -> None:
    assert line(bill([person(paid_through=None)]))["months"] == 1


def test_arrears_never_before_coverage_start() -> None:
    got = line(bill([person(paid_through=dt.date(2024, 1, 31), coverage_start=dt.date(2024, 3, 1))]))
    assert (got["first_month"], got["months"]) == (MARCH_2024, 1)


def test_left_out_participants_are_counted_with_reasons() -> None:
    result = bill([
        person(id=1, paid_through=dt.date(2024, 3, 31)),
        person(id=2, segment="JAKON"),
        person(id=3, coverage_start=dt.date(2024, 5, 1)),
        person(id=4, segment="PU", income=None),
        person(id=5),
    ])  # fmt: skip
    assert result.lines["participant_id"].to_list() == [5]
    assert codes(result) == {"ALREADY_PAID": 1, "PER_PROJECT": 1, "NOT_STARTED": 1, "PU_NO_WAGE": 1}


def test_missing_rule_leaves_participants_out_with_the_rule_named() -> None:
    result = bill([person(segment="PU", income=4_000_000, jkp=True, paid_through=None)], dt.date(2020, 9, 1))
    assert result.lines.height == 0
    assert "PU.JKP" in result.notes[0]["message"]


def test_income_outside_known_bands_is_billed_on_declared_income_with_a_note() -> None:
    result = bill([person(income=3_000_000)])
    assert line(result)["jkk"] == 30_000
    assert codes(result) == {"BAND_MISSING": 1}


def test_tariffs_name_rules_and_sources() -> None:
    result = bill([person(payer="apbd_kabkota")])
    components = result.tariffs[line(result)["tariff"]]["components"]
    assert [c["rules"][0] for c in components] == ["BPU.JKK@2015-07-01", "BPU.JKM@2015-07-01"]
    assert all(c["sources"] for c in components)


def test_transport_sector_from_occupation() -> None:
    paid = dt.date(2026, 1, 31)
    result = bill([person(occupation="Ojek pangkalan", paid_through=paid),
                   person(id=2, occupation="petani", paid_through=paid)], dt.date(2026, 2, 1))  # fmt: skip
    assert line(result, 1)["amount"] == 8_400 and line(result, 2)["amount"] == 16_800


def test_empty_input_gives_an_empty_bill() -> None:
    result = bill([])
    assert result.lines.height == 0 and result.total == 0


@pytest.mark.parametrize(("paid", "as_of", "active"), [
    (dt.date(2024, 9, 30), dt.date(2024, 11, 15), True),
    (dt.date(2024, 8, 31), dt.date(2024, 11, 15), False),
    (None, dt.date(2024, 11, 15), False),
])  # fmt: skip
def test_status_expr_matches_the_lapse_rule(paid: dt.date | None, as_of: dt.date, active: bool) -> None:
    frame = pl.DataFrame({"paid_through": [paid]}, schema={"paid_through": pl.Date})
    assert frame.select(status_expr(as_of, 3))["active"][0] is active


def test_month_end() -> None:
    assert month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert month_end(dt.date(2024, 12, 1)) == dt.date(2024, 12, 31)


people = st.fixed_dictionaries({
    "segment": st.sampled_from(["PU", "BPU"]),
    "income": st.one_of(st.none(), st.integers(1, 30_000_000)),
    "risk_class": st.one_of(st.none(), st.integers(1, 5)),
    "jkp": st.booleans(), "jht": st.booleans(), "jp": st.booleans(),
    "payer": st.sampled_from(["mandiri", "employer", "apbd_kabkota", "apbdes", "other"]),
    "occupation": st.sampled_from(["ojol", "petani", ""]),
    "paid_months_ago": st.one_of(st.none(), st.integers(0, 8)),
})  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    st.lists(people, min_size=1, max_size=12),
    st.sampled_from([dt.date(2020, 9, 1), dt.date(2024, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 5, 1)]),
)
def test_every_line_equals_the_calculator_month_by_month(drawn: list[dict[str, Any]], month: dt.date) -> None:
    rows = []
    for i, d in enumerate(drawn):
        ago = d.pop("paid_months_ago")
        paid = None if ago is None else month_end(month - dt.timedelta(days=28 * ago + 1))
        pu = d["segment"] == "PU"
        rows.append(person(**{**d, "id": i, "jkp": d["jkp"] and pu, "jp": d["jp"] and pu, "paid_through": paid}))
    result = bill(rows, month)
    for got in result.lines.iter_rows(named=True):
        p = rows[got["participant_id"]]
        programs = tuple(x for x in ("JKK", "JKM", "JHT", "JP") if p[x.lower()])
        expected = 0
        for k in range(got["months"]):
            index = got["first_month"].year * 12 + got["first_month"].month - 1 + k
            inputs = Inputs(segment=p["segment"], month=dt.date(index // 12, index % 12 + 1, 1), wage=p["income"],
                            risk_class=p["risk_class"] or 1, jkp=p["jkp"], programs=programs, payer=p["payer"],
                            sector="transport" if p["occupation"] == "ojol" else "other")  # fmt: skip
            expected += calculate(BOOK, inputs).total
        assert got["amount"] == expected
        assert got["amount"] == got["employer"] + got["worker"] + got["government"]
        assert got["amount"] == sum(got[c] for c in ("jkk", "jkm", "jht", "jp", "jkp"))
