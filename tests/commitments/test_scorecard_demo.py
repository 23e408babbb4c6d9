"""``ucj demo``'s commitments (issue 13 §9 and "Done when"): the scorecard for Sumsel and a kab/kota tells the
meeting's story, the institutions add up from desa to province, realisation equals the (synthetic) paid bills,
everything is labelled synthetic and a second load changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from ucj.commitments import demo, services
from ucj.commitments.models import BudgetCommitment, Instrument, Meeting, VillageInstitution
from ucj.contributions.models import Bill, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> dict[str, Any]:
    from ucj.demo.loader import load_demo

    load_demo()
    return services.scorecard(None, "16", demo.YEAR, by="kabkota")


def test_the_story(loaded: dict[str, Any]) -> None:
    top, children = loaded["region"], {c["code"]: c for c in loaded["children"]}
    assert len(children) == 17
    assert top["regulation"]["in_force"] and "petani" in top["regulation"]["groups"]  # the province's Pergub
    assert sum(c["regulation"]["in_force"] for c in children.values()) == len(demo.IN_FORCE) == 7
    assert sum(c["regulation"]["own_draft"] > 0 for c in children.values()) == len(demo.DRAFT) + len(demo.PLANNED)
    # RT/RW far behind perangkat desa (the meeting): active per position
    roles = top["institutions"]
    share = {r: roles[r]["active"] / roles[r]["positions"] for r in ("perangkat_desa", "rt", "rw")}
    assert share["rt"] < share["perangkat_desa"] / 2 and share["rw"] < share["perangkat_desa"]
    assert top["villages"]["total"] == top["villages"]["reported"] == 3259
    assert top["ecosystem_units"]["covered_workers"] > 0 and top["ecosystem_units"]["total"] == 19
    assert 0 < top["ecosystem_units"]["covered"] <= 3  # a few markets covered
    assert all(c["status"] in ("hijau", "kuning", "merah") for c in children.values())
    # the meeting's actions were due in 2025: none late on 31 December 2024, most late by the end of 2025
    assert top["overdue_actions"] == 0 and services.scorecard(None, "16", 2025)["region"]["overdue_actions"] > 0
    # the kab/kota with a regulation spend most of their budget: they rank above those without
    ranked = [c["code"] for c in loaded["children"]]
    assert set(ranked[:5]) <= set(demo.IN_FORCE)
    muba = services.scorecard(None, "16.06", demo.YEAR, by="kecamatan")
    assert muba["region"]["budget"]["workers_funded"] == 14_121 and len(muba["children"]) == 15


def test_realisation_equals_the_paid_bills(loaded: dict[str, Any]) -> None:
    paid = Payment.objects.filter(bill__status="paid", paid_on__year=demo.YEAR, bill__payer__in=[
        "apbd_provinsi", "apbd_kabkota", "apbdes"]).aggregate(s=Sum("amount"))["s"]  # fmt: skip
    assert loaded["region"]["budget"]["realised"] == paid > 0
    for child in loaded["children"]:
        bills = Bill.objects.filter(region_id=child["code"], payer="apbd_kabkota", status="paid",
                                    payments__paid_on__year=demo.YEAR).aggregate(s=Sum("total"))["s"] or 0  # fmt: skip
        assert child["budget"]["realised"] == bills


def test_institutions_add_up_from_desa_to_province(loaded: dict[str, Any]) -> None:
    top = loaded["region"]
    for role in ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw"):
        for part in ("positions", "registered", "active"):
            below = sum((c["institutions"][role] or {}).get(part, 0) for c in loaded["children"])  # None: no such role
            assert below == top["institutions"][role][part]
    palembang = next(c for c in loaded["children"] if c["code"] == "16.71")
    assert palembang["institutions"]["kepala_desa"] is None and palembang["institutions"]["bpd"] is None
    muba = services.institutions_table(None, "16.06", by="desa")
    assert sum(c["institutions"]["rt"]["positions"] for c in muba["children"]) == (
        muba["region"]["institutions"]["rt"]["positions"])  # fmt: skip


def test_labelled_synthetic_and_idempotent(loaded: dict[str, Any]) -> None:
    counts = (Instrument.objects.count(), BudgetCommitment.objects.count(), VillageInstitution.objects.count(),
              Bill.objects.count(), Meeting.objects.count())  # fmt: skip
    assert not Instrument.objects.filter(synthetic=False).exists()
    assert all(n.startswith("SINTETIS") for n in Instrument.objects.values_list("note", flat=True))
    assert all(b.notes[0]["code"] == "SYNTHETIC" for b in Bill.objects.filter(participants=0))
    assert "sudah dimuat" in demo.load_commitments_demo()
    assert counts == (Instrument.objects.count(), BudgetCommitment.objects.count(),
                      VillageInstitution.objects.count(), Bill.objects.count(), Meeting.objects.count())  # fmt: skip
