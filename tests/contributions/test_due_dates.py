"""Due dates and late fines (issue 12 item 5).

Sources (docs/contributions.md "Jatuh tempo dan denda keterlambatan"; shared/domain.md §6):
- PU: due by the 15th of the month after the contribution month; BPU: by the 15th of the contribution month;
  a deadline on a holiday moves to the next working day. A late PU payment costs 2 % of the contribution that should
  have been paid for each month of lateness, borne by the employer (other than a state organiser) and paid with the
  next month's contribution (Kompas.com via Kontan, "Siapa yang bayar iuran JKK BPJS Ketenagakerjaan" [S]).
  BPU: no fine (the same article names none; BPJS FAQ, shared/domain.md §1.5).
- PP 49/2020, contribution months August 2020 – January 2021: due by the 30th of the following month (the working
  day before when that is a holiday), fine 0.5 % a month (transkepri, e-Kliping Kemnaker 8 Sep 2020, detik) [S].

Every expectation below is computed by hand in its docstring or comment.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ucj.contributions import duedates as dd
from ucj.contributions.bills import (
    BillRefused,
    bill_overdue,
    bill_summary,
    create_bill,
    participant_due,
    participant_overdue,
    pay_bill,
    pay_participant,
)
from ucj.contributions.exports import bill_xlsx
from ucj.contributions.rules import RuleBook, RuleError, read_rules, shipped_rules
from ucj.registry.models import Participant

BOOK = RuleBook(shipped_rules())
SUKARAMI = "16.06.01.2001"
D = dt.date


# ---------------------------------------------------------------- the pure rules


@pytest.mark.parametrize(("segment", "month", "due"), [
    ("PU", D(2026, 9, 1), D(2026, 10, 15)),   # 15 Oct 2026 is a Thursday
    ("PU", D(2026, 10, 1), D(2026, 11, 16)),  # 15 Nov 2026 is a Sunday → Monday 16 Nov
    ("BPU", D(2026, 11, 1), D(2026, 11, 16)),  # BPU: the 15th of the same month, a Sunday → Monday
    ("BPU", D(2024, 3, 1), D(2024, 3, 15)),   # Friday
    ("PU", D(2020, 8, 1), D(2020, 9, 30)),    # PP 49/2020: the 30th of the next month (a Wednesday)
    ("PU", D(2021, 1, 1), D(2021, 2, 26)),    # PP 49/2020: "30 February" → 28 Feb 2021, a Sunday → Friday before
    ("PU", D(2021, 2, 1), D(2021, 3, 15)),    # back to the 15th (a Monday)
])  # fmt: skip
def test_due_dates(segment: str, month: dt.date, due: dt.date) -> None:
    """PU: the 15th of the following month; BPU: the 15th of the month (Kompas via Kontan [S]); a Saturday or
    Sunday moves to the next working day; PP 49/2020 months: the 30th, the working day before."""
    assert dd.due_date(BOOK, segment, month) == due


def test_no_monthly_due_date_for_project_segments() -> None:
    """JAKON and PMI pay per project or contract, not monthly: no DUE.DATE row, no due date."""
    assert dd.due_date(BOOK, "JAKON", D(2026, 10, 1)) is None
    assert dd.due_date(BOOK, "PMI", D(2026, 10, 1)) is None


@pytest.mark.parametrize(("due", "paid", "months"), [
    (D(2026, 11, 16), D(2026, 11, 16), 0),  # on the due date: not late
    (D(2026, 11, 16), D(2026, 11, 17), 1),  # one day late starts the first month ("tanggal 16 bayar kena 2%")
    (D(2026, 11, 16), D(2026, 12, 16), 1),  # still within the first month
    (D(2026, 11, 16), D(2026, 12, 17), 2),
    (D(2024, 1, 31), D(2024, 2, 29), 1),    # month-end due date: 29 Feb 2024 is the first month's last day
    (D(2024, 1, 31), D(2024, 3, 1), 2),
])  # fmt: skip
def test_months_of_lateness(due: dt.date, paid: dt.date, months: int) -> None:
    """Each month of lateness begun counts whole ("2 persen untuk setiap bulan keterlambatan")."""
    assert dd.months_late(due, paid) == months


def test_the_fine_rounds_to_whole_rupiah() -> None:
    """Rp 3,000,000 × 2 % × 2 months = Rp 120,000; Rp 16,825 × 2 % × 1 = 336.5 → Rp 337 (half up)."""
    assert dd.fine(3_000_000, Decimal("2"), 2) == 120_000
    assert dd.fine(16_825, Decimal("2"), 1) == 337
    assert dd.fine(16_825, Decimal("2"), 0) == 0


def test_worked_example_pu_employer() -> None:
    """PU paid by an employer, Rp 3,000,000 a month for September and October 2026, as of 30 November 2026:
    September is due Thursday 15 October → 16 Oct–30 Nov begins 2 months → 2 × 2 % × 3,000,000 = Rp 120,000;
    October is due Monday 16 November → 1 month → Rp 60,000; November (due 15 December) is not yet due."""
    dues = [dd.MonthDue(D(2026, m, 1), "PU", 3_000_000) for m in (9, 10, 11)]
    result = dd.overdue(BOOK, dues, "employer", D(2026, 11, 30))
    assert [(m.month, m.due_date, m.months_late, m.fine) for m in result.months] == [
        (D(2026, 9, 1), D(2026, 10, 15), 2, 120_000), (D(2026, 10, 1), D(2026, 11, 16), 1, 60_000)]
    assert (result.amount, result.fine) == (6_000_000, 180_000)
    assert result.months[0].rule == "DUE.DATE/PU@2021-02-01 LATE.FINE/PU@2021-02-01"
    assert all("Kontan" in source for source in result.months[0].sources)


def test_pp_49_2020_months_have_the_reduced_fine() -> None:
    """August 2020, Rp 1,000,000, due 30 September 2020, paid 1 October 2020: 1 month × 0.5 % = Rp 5,000
    (PP 49/2020 [S]); the same contribution for February 2021 (due 15 March 2021) paid 16 March: 2 % = Rp 20,000."""
    aug = dd.overdue(BOOK, [dd.MonthDue(D(2020, 8, 1), "PU", 1_000_000)], "employer", D(2020, 10, 1))
    assert [(m.rate, m.fine) for m in aug.months] == [(Decimal("0.5"), 5_000)]
    feb = dd.overdue(BOOK, [dd.MonthDue(D(2021, 2, 1), "PU", 1_000_000)], "employer", D(2021, 3, 16))
    assert [(m.rate, m.fine) for m in feb.months] == [(Decimal("2"), 20_000)]


def test_bpu_and_government_payers_have_no_fine() -> None:
    """BPU: overdue months are shown but no fine (no LATE.FINE row for BPU). PU paid from a government budget:
    the source's fine is for employers other than state organisers, so the shipped row excludes APBN/APBD/APBDes
    (an open question, docs/contributions.md)."""
    bpu = dd.overdue(BOOK, [dd.MonthDue(D(2026, 10, 1), "BPU", 16_800)], "apbdes", D(2026, 11, 30))
    assert [(m.months_late, m.rate, m.fine) for m in bpu.months] == [(2, None, 0)]  # due 15 Oct (Thursday)
    for payer in ("apbn", "apbd_provinsi", "apbd_kabkota", "apbdes"):
        pu = dd.overdue(BOOK, [dd.MonthDue(D(2026, 9, 1), "PU", 3_000_000)], payer, D(2026, 11, 30))
        assert [(m.months_late, m.rate, m.fine) for m in pu.months] == [(2, None, 0)]


def test_due_date_rows_are_checked() -> None:
    header = "code,variant,valid_from,amount,lower,upper,source\n"
    with pytest.raises(RuleError, match="variant must be a segment"):
        read_rules(header + "DUE.DATE,XX,2027-01-01,15,1,,src\n")
    with pytest.raises(RuleError, match="amount = day 1-31"):
        read_rules(header + "DUE.DATE,PU,2027-01-01,32,1,,src\n")
    with pytest.raises(RuleError, match="rate_employer"):
        read_rules("code,variant,valid_from,source\nLATE.FINE,PU,2027-01-01,src\n")
    assert read_rules(header + "DUE.DATE,PU,2027-01-01,10,1,,src\n")[0].amount == 10


# ---------------------------------------------------------------- bills, payments, pages


@pytest.fixture
def budi(db: Any) -> Participant:
    """PU of an employer in Sukarami, wage Rp 4,000,000, risk class 1, JKK + JKM, paid through August 2026:
    JKK 0.24 % = 9,600 + JKM 0.30 % = 12,000 → Rp 21,600 a month."""
    return Participant.objects.create(nik="1606010101800001", name="Budi", desa_id=SUKARAMI, segment="PU",
                                      payer="employer", income=4_000_000, risk_class=1,
                                      paid_through=D(2026, 8, 31))  # fmt: skip


def test_a_bill_shows_its_due_date_and_the_overdue_months_with_the_fine(budi: Participant, desa_user: Any) -> None:
    """The October 2026 bill carries September (arrears) and October, Rp 21,600 each; due 16 November 2026.
    As of 30 Nov: September 2 months late → 2 × 2 % × 21,600 = 864; October 1 month → 432; fine Rp 1,296.
    As of 16 Nov: only September is past due, already in its 2nd month (due 15 Oct) → Rp 864."""
    bill = create_bill(desa_user, "employer", SUKARAMI, D(2026, 10, 1))
    assert bill.total == 43_200 and bill.due_date == D(2026, 11, 16)
    assert bill.month_amounts == [
        {"month": "2026-09", "segment": "PU", "amount": 21_600, "participants": 1},
        {"month": "2026-10", "segment": "PU", "amount": 21_600, "participants": 1}]
    late = bill_summary(bill, D(2026, 11, 30))
    assert late["due_date"] == "2026-11-16"
    assert (late["overdue"]["contribution"], late["overdue"]["fine"], late["overdue"]["total"]) == (
        43_200, 1_296, 44_496)
    assert [(m["month"], m["months_late"], m["fine"]) for m in late["overdue"]["months"]] == [
        ("2026-09", 2, 864), ("2026-10", 1, 432)]
    early = bill_overdue(bill, D(2026, 11, 16))
    assert [(m.month, m.fine) for m in early.months] == [(D(2026, 9, 1), 864)]


def test_a_late_bill_payment_is_the_contribution_and_the_fine_is_shown_as_of_the_payment(
    budi: Participant, desa_user: Any
) -> None:
    """The fine is paid with the *next* month's contribution (Kompas via Kontan [S]), so the late payment of the
    bill is its contribution alone (the rule of tests/contributions/test_payment_checks.py stays); the bill then
    shows the fine that payment incurred, as of the day paid (20 Nov: September 2 months = 864, October 1 = 432),
    whatever day is asked."""
    bill = create_bill(desa_user, "employer", SUKARAMI, D(2026, 10, 1))
    pay_bill(desa_user, bill, paid_on=D(2026, 11, 20), amount=43_200)
    bill.refresh_from_db()
    paid = bill_overdue(bill, D(2027, 6, 1))
    assert (paid.as_of, paid.amount, paid.fine) == (D(2026, 11, 20), 43_200, 1_296)


def test_a_late_participant_payment_is_the_contribution_alone(budi: Participant, desa_user: Any) -> None:
    """Paid through September; paying October 2026 on 30 November 2026 (due 16 Nov: 1 month late, fine 432) is
    Rp 21,600: the fine is not added (it is paid with the next month's contribution)."""
    Participant.objects.filter(pk=budi.pk).update(paid_through=D(2026, 9, 30))
    budi.refresh_from_db()
    assert participant_overdue(budi, D(2026, 11, 30)).fine == 432
    due = participant_due(budi, through=D(2026, 10, 1), paid_on=D(2026, 11, 30))
    assert (due.months, due.amount) == (1, 21_600)
    payment = pay_participant(desa_user, budi, through=D(2026, 10, 1), amount=21_600, paid_on=D(2026, 11, 30))
    assert payment.amount == 21_600


def test_participant_overdue(budi: Participant) -> None:
    """As of 30 November 2026 the latest month past its due date is October (due 16 Nov; November is due
    15 Dec). Budi (paid through August) has 3 unpaid months on 30 Nov, so he is non-active (UCJ_LAPSE_MONTHS=3):
    a payment that day covers October only (it resumes the protection) → Rp 21,600, 1 month late, fine 432.
    With UCJ_LAPSE_MONTHS=6 he is still active: September and October, fines 864 + 432 = Rp 1,296 (as the bill)."""
    late = participant_overdue(budi, D(2026, 11, 30))
    assert [(m.month, m.amount, m.months_late, m.fine) for m in late.months] == [(D(2026, 10, 1), 21_600, 1, 432)]
    with override_settings(UCJ_LAPSE_MONTHS=6):
        late = participant_overdue(budi, D(2026, 11, 30))
    assert [(m.month, m.amount, m.months_late, m.fine) for m in late.months] == [
        (D(2026, 9, 1), 21_600, 2, 864), (D(2026, 10, 1), 21_600, 1, 432)]
    # BPU paid from APBDes through February 2024, as of 20 April 2024: March (due 15 Mar) and April (due Monday
    # 15 Apr) are past due, Rp 16,800 each, no fine.
    siti = Participant.objects.create(nik="1606014101900012", name="Siti", desa_id=SUKARAMI, segment="BPU",
                                      payer="apbdes", paid_through=D(2024, 2, 29))  # fmt: skip
    bpu = participant_overdue(siti, D(2024, 4, 20))
    assert [(m.month, m.amount, m.fine) for m in bpu.months] == [(D(2024, 3, 1), 16_800, 0), (D(2024, 4, 1), 16_800, 0)]
    assert participant_overdue(siti, D(2024, 2, 20)).months == []  # paid through February: nothing owed


def test_pages_and_workbook_show_what_is_overdue(budi: Participant, desa_user: Any) -> None:
    bill = create_bill(desa_user, "employer", SUKARAMI, D(2026, 10, 1))
    client = Client()
    client.force_login(desa_user)
    page = client.get(reverse("contributions:bill", args=[bill.pk]), {"as_of": "2026-11-30"}).content.decode()
    assert "2026-11-16" in page and "1,296" in page.replace(".", ",")
    detail = client.get(reverse("registry:detail", args=[budi.public_hex])).content.decode()
    assert 'id="overdue"' in detail
    book = CalamineWorkbook.from_filelike(io.BytesIO(bill_xlsx(bill, desa_user)))
    rows = book.get_sheet_by_name("Tunggakan").to_python()
    assert rows[1][:4] == ["Bulan iuran", "Segmen", "Peserta", "Iuran (Rp)"]
    assert [r[0] for r in rows[2:4]] == ["2026-09", "2026-10"]


def test_the_participant_block_hides_amounts_when_the_page_hides_the_wage(budi: Participant) -> None:
    """A PU contribution is a share of the wage: where the participant page masks the wage, the overdue block shows
    the months and due dates but not the amounts (October 2026 would be Rp 21,600, fine 432)."""
    from django.template import Context, Template

    tpl = Template("{% load contributions_tags %}{% overdue_block p shown %}")
    hidden = tpl.render(Context({"p": budi, "shown": False}))
    shown = tpl.render(Context({"p": budi, "shown": True}))
    assert "••••" in hidden and "21.600" not in hidden.replace(",", ".") and "432" not in hidden
    assert "••••" not in shown


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0005_adds_the_rows_and_the_bill_fields() -> None:
    """On a database at 0004 without the due-date rows, 0005 adds the DUE.DATE and LATE.FINE rows of data/rules.csv
    and the Bill fields; other rules are untouched."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    app = "contributions"
    executor = MigrationExecutor(connection)
    executor.migrate([(app, "0004_domain_corrections")])
    old = executor.loader.project_state([(app, "0004_domain_corrections")]).apps
    old.get_model(app, "ContributionRule").objects.filter(code__in=["DUE.DATE", "LATE.FINE"]).delete()
    count = old.get_model(app, "ContributionRule").objects.count()
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes(app))
        from ucj.contributions.models import Bill, ContributionRule

        shipped = [r for r in shipped_rules() if r.code in ("DUE.DATE", "LATE.FINE")]
        assert ContributionRule.objects.count() == count + len(shipped) == count + 7
        stored = [r.to_rule() for r in ContributionRule.objects.filter(code__in=["DUE.DATE", "LATE.FINE"])]
        assert sorted(stored, key=lambda r: r.id) == sorted(shipped, key=lambda r: r.id)
        assert {"due_date", "month_amounts"} <= {f.name for f in Bill._meta.get_fields()}
    finally:
        MigrationExecutor(connection).loader.build_graph()


def test_a_pu_without_a_wage_says_why_instead_of_nothing_overdue(budi: Participant) -> None:
    """No wage, no PU contribution: the block says it cannot be computed (the bill note PU_NO_WAGE), rather than
    "no contribution month is past its due date"."""
    from django.template import Context, Template

    Participant.objects.filter(pk=budi.pk).update(income=None)
    budi.refresh_from_db()
    with pytest.raises(BillRefused, match="PU wage missing"):
        participant_overdue(budi, D(2026, 11, 30))
    html = Template("{% load contributions_tags %}{% overdue_block p %}").render(Context({"p": budi}))
    assert "cannot be computed" in html and "Tidak ada bulan iuran" not in html
