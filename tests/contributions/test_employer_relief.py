"""PP 7/2025 jo. PP 36/2025 on bills (issue 12 item 4): the employer's sector and size are participant data
(roster columns, edit form, API) and ``compute_bill`` applies the 50 % JKK relief exactly as the calculator does.

Source of the rule rows ``RELIEF.PP7-2025/<sector>@2025-02-01`` (contribution months Feb 2025–Jan 2026, at least
50 workers, factor 0.50 on JKK, PU): PP 7/2025 jo. PP 36/2025 as reported by the news (radiodms; kontan, Feb 2025)
[S] — the industry list and the end month are still to be checked in the PP text (docs/contributions.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client

from ucj.contributions.billing import INPUT_SCHEMA, compute_bill
from ucj.contributions.bills import participants_frame
from ucj.contributions.calculator import Inputs, calculate
from ucj.contributions.rules import RuleBook, shipped_rules
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

BOOK = RuleBook(shipped_rules())
FEB_2025 = dt.date(2025, 2, 1)
SUKARAMI = "16.06.01.2001"


def pu(pid: int, **kw: Any) -> dict[str, Any]:
    row = {"id": pid, "segment": "PU", "income": 5_000_000, "risk_class": 2, "jkp": False, "jkk": True,
           "jkm": True, "jht": True, "jp": True, "payer": "employer", "occupation": "operator jahit",
           "paid_through": dt.date(2025, 1, 31), "coverage_start": None, "desa_id": None,
           "employer_sector": "textile", "employer_size": 60}  # fmt: skip
    row.update(kw)
    return row


def lines(rows: list[dict[str, Any]], month: dt.date = FEB_2025) -> tuple[dict[int, dict[str, Any]], Any]:
    result = compute_bill(pl.DataFrame(rows, schema=INPUT_SCHEMA), month, BOOK)
    return {r["participant_id"]: r for r in result.lines.iter_rows(named=True)}, result


def calc_total(**kw: Any) -> int:
    inputs = Inputs(segment="PU", month=FEB_2025, wage=5_000_000, risk_class=2, payer="employer",
                    programs=("JKK", "JKM", "JHT", "JP"), **kw)  # fmt: skip
    return calculate(BOOK, inputs).total


def test_february_2025_bill_halves_jkk_only_for_the_employer_with_50_or_more_workers() -> None:
    """Bill for February 2025, two PU textile workers, class 2, wage Rp 5,000,000, JKK+JKM+JHT+JP, paid through
    January (one month each):

    * employer of 60 workers: JKK 0.54 % × 5,000,000 = 27,000, × 50 % (RELIEF.PP7-2025/textile) = **13,500**;
      JKM 0.30 % = 15,000; JHT 3.7 % + 2 % = 185,000 + 100,000 = 285,000; JP 2 % + 1 % of 5,000,000 (below the
      Feb 2025 ceiling 10,042,300) = 150,000 → total **463,500** (employer 313,500, worker 150,000);
    * employer of 30 workers (below 50): JKK **27,000** → total **477,000**.

    Sources: PP 44/2015 (JKK class 2, JKM), PP 46/2015 (JHT), PP 45/2015 (JP), PP 7/2025 jo. PP 36/2025 via news [S].
    Each line equals the one-worker calculator's result for the same sector and employee count.
    """
    got, result = lines([pu(1, employer_size=60), pu(2, employer_size=30)])
    assert (got[1]["jkk"], got[1]["jkm"], got[1]["jht"], got[1]["jp"]) == (13_500, 15_000, 285_000, 150_000)
    assert (got[1]["amount"], got[1]["employer"], got[1]["worker"]) == (463_500, 313_500, 150_000)
    assert (got[2]["jkk"], got[2]["amount"]) == (27_000, 477_000)
    assert got[1]["amount"] == calc_total(sector="textile", employees=60)
    assert got[2]["amount"] == calc_total(sector="textile", employees=30)
    relief = [c for t in result.tariffs for c in t["components"] if "RELIEF.PP7-2025/textile@2025-02-01" in c["rules"]]
    assert relief and all(c["factor"] == 0.5 for c in relief)


def test_relief_follows_the_calculator_at_every_edge() -> None:
    """49 / 50 / 600 workers, unknown size, no sector, another industry, a BPU and a month outside the relief:
    each bill line equals the calculator (50 workers is the threshold, 600 shares 60's tariff; unknown size →
    no relief and the calculator's warning as a counted note; March 2026 is after the relief's last month)."""
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (pu(1, employer_size=49), {"sector": "textile", "employees": 49}),
        (pu(2, employer_size=50), {"sector": "textile", "employees": 50}),
        (pu(3, employer_size=600, employer_sector="furniture"), {"sector": "furniture", "employees": 600}),
        (pu(4, employer_size=None), {"sector": "textile", "employees": None}),
        (pu(5, employer_sector=None), {"sector": "other", "employees": 60}),
        (pu(6, employer_sector="other"), {"sector": "other", "employees": 60}),
    ]
    got, result = lines([row for row, _ in cases])
    for row, kw in cases:
        assert got[row["id"]]["amount"] == calc_total(**kw), row
    assert got[2]["jkk"] == 13_500 and got[1]["jkk"] == 27_000 and got[4]["jkk"] == 27_000
    notes = {n["code"]: n for n in result.notes}
    assert notes["TARIFF_WARNING"]["count"] == 1 and "PP7-2025" in notes["TARIFF_WARNING"]["message"]
    later, _ = lines([pu(1, paid_through=dt.date(2026, 2, 28))], dt.date(2026, 3, 1))
    assert later[1]["jkk"] == 27_000  # March 2026: RELIEF.PP7-2025 ended with January 2026
    bpu, _ = lines([pu(1, segment="BPU", income=1_000_000, jht=False, jp=False, payer="mandiri")])
    assert bpu[1]["jkk"] == 10_000  # BPU lowest band: 1 % × 1,000,000; the PU relief does not apply


@pytest.mark.django_db
def test_roster_import_sets_employer_fields_and_the_bill_applies_them(write_csv: Callable[..., Path]) -> None:
    """A roster with "Sektor Usaha" and "Jumlah Karyawan": "Tekstil" / "60 orang" is stored as textile / 60;
    "Pertambangan" (not a PP 7/2025 industry code) and "banyak" (not a number) are row findings (SECTOR_UNKNOWN,
    EMPLOYEES_INVALID, warnings: the value is ignored, the row is kept). The February 2025 bill of the first
    (class 1 by default, Rp 5,000,000, JKK+JKM): JKK 0.24 % × 5,000,000 = 12,000 × 50 % = **6,000**, JKM 15,000;
    the second (no sector): JKK 12,000. Source: PP 44/2015, PP 7/2025 jo. PP 36/2025 via news [S]."""
    path = write_csv([
        "NIK,Nama,Kode Desa,Segmen,Sumber Dana,Penghasilan,Program,Sektor Usaha,Jumlah Karyawan",
        "1606014101900012,Siti Aminah,1606012001,PU,perusahaan,5000000,JKK JKM,Tekstil,60 orang",
        "1606011505850003,Budi Santoso,1606012001,PU,perusahaan,5000000,JKK JKM,Pertambangan,banyak",
    ])  # fmt: skip
    report = import_roster(path.read_bytes(), path.name)
    assert (report.accepted, report.rejected) == (2, 0)
    found = {(f.row, f.code, f.value) for f in report.findings}
    assert {(3, "SECTOR_UNKNOWN", "Pertambangan"), (3, "EMPLOYEES_INVALID", "banyak")} <= found
    message = next(f for f in report.findings if f.code == "SECTOR_UNKNOWN")
    assert "tekstil" in message.message("id") and "textile" in message.message("en")
    siti = Participant.objects.get(nik="1606014101900012")
    budi = Participant.objects.get(nik="1606011505850003")
    assert (siti.employer_sector, siti.employer_size) == ("textile", 60)
    assert (budi.employer_sector, budi.employer_size) == (None, None)
    result = compute_bill(participants_frame("employer", SUKARAMI), FEB_2025, BOOK)
    by_id = {r["participant_id"]: r for r in result.lines.iter_rows(named=True)}
    assert (by_id[siti.pk]["jkk"], by_id[siti.pk]["jkm"]) == (6_000, 15_000)
    assert by_id[budi.pk]["jkk"] == 12_000


@pytest.mark.django_db
def test_edit_form_and_api_carry_the_employer_fields(write_csv: Callable[..., Path], desa_user: Any) -> None:
    """The participant edit form sets the sector and size (audited like every field), the page shows them and
    the participant API returns them; an unknown sector or a negative size is a form error."""
    path = write_csv(["NIK,Nama,Kode Desa,Segmen,Penghasilan", "1606014101900012,Siti Aminah,1606012001,PU,5000000"])
    import_roster(path.read_bytes(), path.name)
    siti = Participant.objects.get(nik="1606014101900012")
    client = Client()
    client.force_login(desa_user)
    form = {"name": "Siti Aminah", "desa_code": SUKARAMI, "segment": "PU", "ecosystem": siti.ecosystem, "jkk": "on",
            "jkm": "on", "income": "5000000", "employer_sector": "footwear", "employer_size": "120"}  # fmt: skip
    url = f"/registri/peserta/{siti.public_hex}/ubah/"
    assert client.post(url, {**form, "employer_sector": "mining"}).status_code == 200  # refused, form shown again
    assert client.post(url, {**form, "employer_size": "-1"}).status_code == 200
    assert client.post(url, form).status_code == 302
    siti.refresh_from_db()
    assert (siti.employer_sector, siti.employer_size) == ("footwear", 120)
    assert "Alas kaki" in client.get(f"/registri/peserta/{siti.public_hex}/").content.decode()
    data = client.get(f"/api/v1/participants/{siti.public_hex}").json()
    assert (data["employer_sector"], data["employer_size"]) == ("footwear", 120)
