"""The scorecard: the rule (pure, thresholds as data) and the worked example of tests/commitments/backend_world.py.

Kab. Musi Banyuasin, 2026: regulation baik (its Perbup is in force); budget kurang (Rp 16,000,000 allocated,
nothing paid); villages kurang (2 of 242 fully protected); RT/RW sedang (9 active heads of 15 positions = 60 %);
units baik (1 of 2 covered = 50 %); coverage without data (left out); actions sedang (1 overdue).
Points 2+0+0+1+2+1 = 6 of 12 → score 50; budget is 'kurang' so never green; ≥ 40 → kuning.
Palembang: regulation sedang (draft), budget kurang, villages kurang, actions sedang (1 overdue); RT/RW and units
without data → 2 of 8 → 25 → merah.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from tests.commitments.backend_world import MUBA, PALEMBANG, YEAR, make_world
from ucj.commitments import scorecard as rule
from ucj.commitments import services
from ucj.commitments.institutions import ROLES


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


def test_each_threshold() -> None:
    t = rule.Thresholds()
    grade = lambda **kw: rule.grade(rule.Inputs(**kw), t)  # noqa: E731
    assert grade(own_in_force=True)["regulation"][0] == "baik"
    assert grade(own_draft=True)["regulation"][0] == "sedang"
    assert grade(above_in_force=True)["regulation"][0] == "sedang"
    assert grade()["regulation"][0] == "kurang"
    assert grade()["budget"][0] == "kurang"  # no allocation
    # Half the year elapsed: Rp 100 allocated → Rp 50 expected; 75 % of that is 37.5
    assert grade(allocated=100, realised=38, elapsed_share=0.5)["budget"][0] == "baik"
    assert grade(allocated=100, realised=37, elapsed_share=0.5)["budget"][0] == "sedang"
    assert grade(allocated=100, realised=20, elapsed_share=0.5)["budget"][0] == "sedang"  # 40 %
    assert grade(allocated=100, realised=19, elapsed_share=0.5)["budget"][0] == "kurang"  # 38 %
    assert grade(villages=10, fully_protected=8)["villages"][0] == "baik"
    assert grade(villages=10, fully_protected=3)["villages"][0] == "sedang"
    assert grade(villages=10, fully_protected=2)["villages"][0] == "kurang"
    assert grade(rt_rw_positions=10, rt_rw_active=4)["rt_rw"][0] == "sedang"
    assert grade()["rt_rw"][0] is None and grade()["units"][0] is None and grade()["coverage"][0] is None
    assert grade(units=4, units_covered=2)["units"][0] == "baik"
    assert grade(rate=45.0, target=50.0)["coverage"][0] == "sedang"
    assert grade(rate=44.9, target=50.0)["coverage"][0] == "kurang"
    assert grade(overdue_actions=2)["actions"][0] == "sedang" and grade(overdue_actions=3)["actions"][0] == "kurang"


def test_composite_status() -> None:
    t = rule.Thresholds()
    all_good = rule.Inputs(own_in_force=True, allocated=100, realised=100, villages=1, fully_protected=1)
    assert rule.evaluate(all_good, t) | {"status_reasons": []} == {
        "score": 100, "status": "hijau", "status_reasons": [],
        "scores": {"regulation": "baik", "budget": "baik", "villages": "baik", "rt_rw": None, "units": None,
                   "coverage": None, "actions": "baik"}}  # fmt: skip
    no_budget = rule.Inputs(own_in_force=True, villages=1, fully_protected=1)  # 6 of 8 = 75, but budget kurang
    assert rule.evaluate(no_budget, t)["score"] == 75 and rule.evaluate(no_budget, t)["status"] == "kuning"
    assert rule.evaluate(rule.Inputs(villages=1), t)["status"] == "merah"  # 2 of 8 points (actions only)
    stricter = rule.Thresholds.from_mapping({"status_green": 80})
    three_late = rule.Inputs(own_in_force=True, allocated=4, realised=3, villages=4, fully_protected=4,
                             overdue_actions=3)  # 6 of 8 points = 75  # fmt: skip
    assert rule.evaluate(three_late, t)["status"] == "hijau"
    assert rule.evaluate(three_late, stricter)["status"] == "kuning"
    with pytest.raises(ValueError, match="unknown keys"):
        rule.Thresholds.from_mapping({"status_gren": 80})


def test_overdue_and_elapsed_share() -> None:
    today = dt.date(2025, 7, 1)
    assert rule.is_overdue(dt.date(2025, 6, 30), "berjalan", today)
    assert not rule.is_overdue(dt.date(2025, 6, 30), "selesai", today)
    assert not rule.is_overdue(dt.date(2025, 7, 1), "rencana", today)
    assert not rule.is_overdue(None, "rencana", today)
    assert rule.elapsed_share(2024, today) == 1.0 and rule.elapsed_share(2025, today) == 7 / 12
    assert rule.elapsed_share(2026, today) == 0.0


def test_rules_are_data_for_the_page() -> None:
    rows = services.scorecard_rules()
    assert [r["score"] for r in rows] == [*rule.SCORES, "status"]
    assert all(r["label"] and r["label_en"] and r["baik"] and r["baik_en"] for r in rows)
    assert "75" in rows[1]["baik"]


def test_worked_example_kabkota(world: dict[str, Any]) -> None:
    card = services.scorecard(None, "16", YEAR, by="kabkota")
    children = {c["code"]: c for c in card["children"]}
    assert len(children) == 17
    muba, plg = children[MUBA], children[PALEMBANG]
    assert muba["scores"] == {"regulation": "baik", "budget": "kurang", "villages": "kurang", "rt_rw": "sedang",
                              "units": "baik", "coverage": None, "actions": "sedang"}  # fmt: skip
    assert (muba["score"], muba["status"]) == (50, "kuning")
    assert (plg["score"], plg["status"]) == (25, "merah")
    assert card["children"][0]["code"] == MUBA  # ranked by score
    assert muba["overdue_actions"] == 1 and card["region"]["overdue_actions"] == 2
    assert muba["regulation"]["in_force"] and muba["regulation"]["groups"] == [
        "bpd", "kepala_desa", "pekerja_rentan", "perangkat_desa", "rt", "rw"]  # its own and the Pergub's
    assert plg["regulation"]["own_draft"] == 1 and plg["regulation"]["above_in_force"] == 1
    assert muba["ecosystem_units"]["total"] == 2 and muba["ecosystem_units"]["covered"] == 1
    assert muba["ecosystem_units"]["by_kind"]["pasar"] == {"total": 1, "covered": 0, "workers": 4, "known": 4,
                                                            "covered_workers": 3}  # fmt: skip
    assert [r["score"] for r in muba["status_reasons"]] == ["budget", "villages", "rt_rw", "coverage", "actions"]


def test_json_shape_of_issue_section_8(world: dict[str, Any]) -> None:
    card = services.scorecard(None, MUBA, YEAR, by="kecamatan")
    assert set(card) >= {"region", "children"} and len(card["children"]) == 15
    for entry in [card["region"], *card["children"]]:
        assert set(entry) >= {"code", "name", "institutions", "villages", "regulation", "budget", "ecosystem_units",
                              "coverage", "overdue_actions", "status", "status_reasons"}  # fmt: skip
        for role in ROLES:
            assert set(entry["institutions"][role]) == {"positions", "registered", "active"}
        assert set(entry["villages"]) >= {"total", "fully_protected", "pct"}
        assert set(entry["budget"]) == {"allocated", "realised", "absorption_pct", "workers_funded", "gap"}
        assert set(entry["coverage"]) >= {"rate", "target"}
    assert services.scorecard(None, MUBA, YEAR)["children"] == []  # children only with by


def test_coverage_is_the_dashboards(db: Any) -> None:
    from tests.coverage.test_dashboard_page import make_sumsel_data
    from ucj.coverage.services import coverage

    make_sumsel_data()
    card = services.scorecard(None, "16", 2024, by="kabkota")
    dashboard = coverage("16", "kabkota")
    assert card["region"]["coverage"]["rate"] == dashboard["region"]["rate"] is not None
    assert card["region"]["coverage"]["target"] == dashboard["region"]["year_target"]["rate"] == 30.0
    rates = {c["region"]: c["rate"] for c in dashboard["children"]}
    assert {c["code"]: c["coverage"]["rate"] for c in card["children"]} == rates


def test_scope(world: dict[str, Any], make_user: Any) -> None:
    with pytest.raises(Http404):
        services.scorecard(make_user("kabkota", PALEMBANG), MUBA, YEAR)
    assert services.scorecard(make_user("viewer", "16"), MUBA, YEAR)["region"]["code"] == MUBA
    with pytest.raises(services.CommitmentRefused):
        services.scorecard(None, MUBA, YEAR, by="kabkota")  # not below a kab/kota
