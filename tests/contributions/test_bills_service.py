"""Bills and payments as named operations (:mod:`ucj.contributions.bills`) and active status counts.

The world: the APBDes of Desa Sukarami (16.06.01.2001) pays for four BPU participants (lowest band, Rp 16.800
a month in 2024-03) and one PU participant (Rp 5.000.000, JKK class 2, JHT and JP: Rp 477.000 a month); one more
BPU participant has already paid March, one is JAKON (paid per project), and two others are not the APBDes's
(another village, another payer). The bill is for March 2024.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ucj.accounts.models import AuditEvent
from ucj.contributions.bills import BillRefused, create_bill, pay_bill, pay_participant, visible_bills
from ucj.contributions.models import Bill, BillLine, Payment
from ucj.contributions.status import status_summary
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI, NEIGHBOUR, PRABUMULIH = "16.06.01.2001", "16.06.01.2002", "16.74.03.2003"  # a desa: kelurahan have no APBDes
MARCH = dt.date(2024, 3, 1)
MARCH_END = dt.date(2024, 3, 31)
FEB_END = dt.date(2024, 2, 29)


def person(nik_tail: int, name: str, desa: str = SUKARAMI, **kw: Any) -> Participant:
    values: dict[str, Any] = {"segment": "BPU", "payer": "apbdes", "jkk": True, "jkm": True, "paid_through": FEB_END}
    values.update(kw)
    return Participant.objects.create(nik=f"{desa[:2]}{desa[3:5]}01410190{nik_tail:04d}", name=name, desa_id=desa,
                                      **values)  # fmt: skip


@dataclass
class Desa:
    current: Participant  # BPU, paid through February: March only
    arrears: Participant  # BPU, paid through January: February and March (still active)
    lapsed: Participant  # BPU, paid through November 2023: non-active, March only
    never: Participant  # BPU, never paid: March only
    pu: Participant  # PU 5.000.000 class 2, JHT + JP, paid through February
    paid: Participant  # BPU, already paid through March: left out with a note
    jakon: Participant  # JAKON: paid per project, left out with a note
    elsewhere: Participant  # APBDes of the neighbouring village
    mandiri: Participant  # pays for herself

    @property
    def billed(self) -> list[Participant]:
        return [self.current, self.arrears, self.lapsed, self.never, self.pu]


@pytest.fixture
def desa(db: Any) -> Desa:
    return Desa(
        current=person(1, "Siti Aminah"),
        arrears=person(2, "Rahmat Hidayat", paid_through=dt.date(2024, 1, 31)),
        lapsed=person(3, "Dewi Lestari", paid_through=dt.date(2023, 11, 30)),
        never=person(4, "Joko Santoso", paid_through=None),
        pu=person(5, "Sekretaris Desa", segment="PU", income=5_000_000, risk_class=2, jht=True, jp=True),
        paid=person(6, "Nurhayati", paid_through=MARCH_END),
        jakon=person(7, "Tukang Bangunan", segment="JAKON"),
        elsewhere=person(8, "Warga Tetangga", desa=NEIGHBOUR),
        mandiri=person(9, "Pedagang Pasar", payer="mandiri"),
    )


def lines_by_participant(bill: Bill) -> dict[int, BillLine]:
    return {line.participant_id: line for line in BillLine.objects.filter(bill=bill)}


# ---------------------------------------------------------------- making a bill


def test_apbdes_bill_of_a_desa(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, dt.date(2024, 3, 15))
    assert (bill.payer, bill.region_id, bill.month, bill.status) == ("apbdes", SUKARAMI, MARCH, Bill.Status.OPEN)
    assert set(lines_by_participant(bill)) == {p.pk for p in desa.billed}
    assert (bill.participants, bill.months) == (5, 6)  # the arrears participant is billed two months
    assert bill.program_totals == {"JKK": 5 * 10_000 + 27_000, "JKM": 5 * 6_800 + 15_000, "JHT": 285_000,
                                   "JP": 150_000, "JKP": 0}  # fmt: skip
    # BPU paid by a village budget is the government's share; the PU shares stay employer and worker.
    assert (bill.employer_total, bill.worker_total, bill.government_total) == (327_000, 150_000, 5 * 16_800)
    assert bill.total == 5 * 16_800 + 477_000 == sum(bill.program_totals.values())
    assert bill.created_by == desa_user
    assert {c["rules"][0].split("@")[0] for t in bill.tariffs for c in t["components"]} >= {"PU.JKK/2", "PU.JP"}


def test_lines_carry_months_and_amounts(desa: Desa, desa_user: Any) -> None:
    lines = lines_by_participant(create_bill(desa_user, "apbdes", SUKARAMI, MARCH))
    pu = lines[desa.pu.pk]
    assert (pu.jkk, pu.jkm, pu.jht, pu.jp, pu.amount) == (27_000, 15_000, 285_000, 150_000, 477_000)
    assert (pu.employer, pu.worker, pu.government) == (327_000, 150_000, 0)
    expected = {  # participant → (first month, months, amount, lapses if unpaid)
        desa.current: (MARCH, 1, 16_800, False),
        desa.arrears: (dt.date(2024, 2, 1), 2, 33_600, True),  # active: the unpaid February comes along
        desa.lapsed: (MARCH, 1, 16_800, False),  # already non-active: March only, paying resumes protection
        desa.never: (MARCH, 1, 16_800, False),
    }
    for p, want in expected.items():
        line = lines[p.pk]
        assert (line.first_month, line.months, line.amount, line.lapses_if_unpaid) == want, p.name
        assert line.government == line.amount and line.employer == line.worker == 0


def test_notes_count_who_was_left_out(desa: Desa, desa_user: Any) -> None:
    notes = {n["code"]: n for n in create_bill(desa_user, "apbdes", SUKARAMI, MARCH).notes}
    assert {code: n["count"] for code, n in notes.items()} == {"PER_PROJECT": 1, "ALREADY_PAID": 1}
    assert "JAKON" in notes["PER_PROJECT"]["message"]
    assert "sudah dibayar" in notes["ALREADY_PAID"]["message"] and "already paid" in notes["ALREADY_PAID"]["message"]


def test_an_empty_bill_is_refused_with_the_reason(db: Any, desa_user: Any) -> None:
    """Issue 16 item 5: no bill with nobody on it (the service refuses, so pages, API and CLI agree)."""
    with pytest.raises(BillRefused, match=r"^Tidak ada peserta yang dapat ditagih \(apbdes, 16.06.01.2001, 2024-03\): "
                       r"tidak ada peserta dengan pembayar ini di wilayah ini / nobody can be billed .*no participant"):
        create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    assert not Bill.objects.exists()


def test_a_bill_whose_participants_are_all_left_out_is_refused_saying_why(db: Any, desa_user: Any) -> None:
    person(6, "Nurhayati", paid_through=MARCH_END)
    person(7, "Tukang Bangunan", segment="JAKON")
    with pytest.raises(BillRefused) as err:
        create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    indonesian, english = str(err.value).split(" / ", 1)  # one language per half: pages show one
    assert "1 peserta JAKON dan PMI dibayar per proyek" in indonesian and "1 peserta sudah dibayar untuk" in indonesian
    assert "1 participant(s) already paid for this month" in english and "sudah" not in english
    assert not Bill.objects.exists()


def test_kabupaten_officer_bills_a_desa_of_the_kabupaten(desa: Desa, kab_user: Any) -> None:
    assert create_bill(kab_user, "apbdes", SUKARAMI, MARCH).participants == 5


def test_an_unpaid_bill_is_replaced(desa: Desa, desa_user: Any) -> None:
    first = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    person(10, "Peserta Baru")
    second = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    assert not Bill.objects.filter(pk=first.pk).exists()
    assert not BillLine.objects.filter(bill_id=first.pk).exists()
    assert Bill.objects.filter(payer="apbdes", region_id=SUKARAMI, month=MARCH).get() == second
    assert (second.participants, second.total) == (6, first.total + 16_800)


def test_a_paid_bill_is_not_replaced(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    pay_bill(desa_user, bill, paid_on=dt.date(2024, 3, 20))
    with pytest.raises(BillRefused, match=r"sudah lunas.*already paid"):
        create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID


@pytest.mark.parametrize(
    ("payer", "region", "message"),
    [
        ("apbd_kabkota", SUKARAMI, "harus untuk satu kabupaten/kota.*kab/kota"),
        ("apbdes", "16.06", "harus untuk satu desa/kelurahan.*desa"),
        ("apbdes", "16.06.01", "desa/kelurahan"),
        ("apbd_provinsi", "16.06", "provinsi.*province"),
        ("apbn", SUKARAMI + "x", "Kode wilayah tidak dikenal / unknown region code"),
        ("pemda", SUKARAMI, "Pembayar tidak dikenal / unknown payer"),
    ],
)
def test_bad_requests_are_refused_bilingually(
    desa: Desa, admin_user: Any, payer: str, region: str, message: str
) -> None:
    with pytest.raises(BillRefused, match=message):
        create_bill(admin_user, payer, region, MARCH)
    assert not Bill.objects.exists()


def test_region_levels_that_fit_the_payer_are_accepted(desa: Desa, admin_user: Any) -> None:
    person(20, "Kader Posyandu", payer="apbd_kabkota")
    person(21, "Penyuluh", payer="apbd_provinsi")
    assert create_bill(admin_user, "apbd_kabkota", "16.06", MARCH).participants == 1
    assert create_bill(admin_user, "apbd_provinsi", "16", MARCH).participants == 1
    assert create_bill(admin_user, "mandiri", SUKARAMI, MARCH).participants == 1  # any level for other payers
    assert create_bill(admin_user, "apbdes", "1606012001", MARCH).region_id == SUKARAMI  # undotted code


@pytest.mark.parametrize(("role", "region"), [("desa", NEIGHBOUR), ("kabkota", "16.71"), ("viewer", "16"),
                                              ("viewer", SUKARAMI)])  # fmt: skip
def test_outside_the_scope_or_without_a_billing_role_is_refused(
    desa: Desa, make_user: Callable[..., Any], role: str, region: str
) -> None:
    with pytest.raises(BillRefused, match=r"tidak berhak.*may not bill"):
        create_bill(make_user(role, region), "apbdes", SUKARAMI, MARCH)
    assert not Bill.objects.exists()


def test_visible_bills_follow_the_scope(desa: Desa, admin_user: Any, make_user: Callable[..., Any]) -> None:
    own = create_bill(admin_user, "apbdes", SUKARAMI, MARCH)
    person(20, "Kader Posyandu", payer="apbd_kabkota")
    kab = create_bill(admin_user, "apbd_kabkota", "16.06", MARCH)
    person(23, "Warga Prabumulih", desa=PRABUMULIH)
    other = create_bill(admin_user, "apbdes", PRABUMULIH, MARCH)
    seen = {
        ("desa", SUKARAMI): {own},  # not the kabupaten's bill: it covers other villages too
        ("desa", NEIGHBOUR): set(),
        ("kabkota", "16.06"): {own, kab},
        ("kabkota", "16.74"): {other},
        ("viewer", "16"): {own, kab, other},
    }
    for (role, region), bills in seen.items():
        assert set(visible_bills(make_user(role, region))) == bills, (role, region)
    assert set(visible_bills(admin_user)) == {own, kab, other}


# ---------------------------------------------------------------- paying a bill


def test_paying_a_bill_moves_paid_through_of_those_behind(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    # after the bill was made, one participant paid ahead on her own: the bill must not move her back
    pay_participant(desa_user, desa.current, through=dt.date(2024, 6, 1), amount=67_200, paid_on=dt.date(2024, 3, 5))
    payment = pay_bill(desa_user, bill, paid_on=dt.date(2024, 3, 20), reference="TRF-001", amount=bill.total)
    assert (payment.bill, payment.paid_through, payment.amount, payment.reference) == (
        bill, MARCH_END, bill.total, "TRF-001")  # fmt: skip
    assert payment.recorded_by == desa_user
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    after = {p.pk: p.paid_through for p in Participant.objects.all()}
    for p in (desa.arrears, desa.lapsed, desa.never, desa.pu):
        assert after[p.pk] == MARCH_END, p.name
    assert after[desa.current.pk] == dt.date(2024, 6, 30)
    for p in (desa.paid, desa.jakon, desa.elsewhere, desa.mandiri):
        assert after[p.pk] == p.paid_through, p.name  # not on the bill: untouched
    event = AuditEvent.objects.get(action="bill.pay")
    assert event.changes["participants"] == 4


def test_a_wrong_amount_is_refused(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    with pytest.raises(BillRefused, match=r"Rp 100\.000 tidak sama dengan tagihan Rp 561\.000 / the amount differs"):
        pay_bill(desa_user, bill, paid_on=MARCH, amount=100_000)
    bill.refresh_from_db()
    assert bill.status == Bill.Status.OPEN and not Payment.objects.exists()
    assert Participant.objects.get(pk=desa.never.pk).paid_through is None


def test_a_bill_is_paid_once(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    pay_bill(desa_user, bill, paid_on=MARCH)
    with pytest.raises(BillRefused, match="sudah lunas / this bill is already paid"):
        pay_bill(desa_user, bill, paid_on=MARCH)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(("role", "region"), [("viewer", "16"), ("desa", NEIGHBOUR), ("kabkota", "16.71")])
def test_paying_outside_the_scope_is_refused(
    desa: Desa, desa_user: Any, make_user: Callable[..., Any], role: str, region: str
) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    with pytest.raises(BillRefused, match=r"tidak berhak.*may not record payments"):
        pay_bill(make_user(role, region), bill, paid_on=MARCH)
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.OPEN


# ---------------------------------------------------------------- paying for one participant


def test_paying_for_one_participant(desa: Desa, desa_user: Any) -> None:
    payment = pay_participant(desa_user, desa.lapsed, through=dt.date(2024, 4, 10), amount=16_800,
                              paid_on=dt.date(2024, 4, 2), reference="KW-7")  # fmt: skip
    assert (payment.participant, payment.paid_through, payment.amount, payment.bill) == (
        desa.lapsed, dt.date(2024, 4, 30), 16_800, None)  # fmt: skip
    assert Participant.objects.get(pk=desa.lapsed.pk).paid_through == dt.date(2024, 4, 30)
    assert desa.lapsed.paid_through == dt.date(2024, 4, 30)  # the object passed in is updated too


def test_paying_for_a_participant_never_goes_backwards(desa: Desa, desa_user: Any) -> None:
    for through in (dt.date(2024, 3, 1), dt.date(2024, 2, 1)):
        with pytest.raises(BillRefused, match=r"Sudah dibayar s\.d\. 2024-03 / already paid through 2024-03"):
            pay_participant(desa_user, desa.paid, through=through, amount=16_800, paid_on=MARCH)
    assert Participant.objects.get(pk=desa.paid.pk).paid_through == MARCH_END
    assert not Payment.objects.exists()


def test_a_stale_copy_does_not_move_paid_through_backwards(desa: Desa, desa_user: Any) -> None:
    """Two payments recorded from copies read at the same time: the later-recorded, shorter one is refused."""
    stale = Participant.objects.get(pk=desa.current.pk)
    pay_participant(desa_user, desa.current, through=dt.date(2024, 6, 1), amount=67_200, paid_on=MARCH)
    with pytest.raises(BillRefused, match="already paid through 2024-06"):
        pay_participant(desa_user, stale, through=dt.date(2024, 4, 1), amount=33_600, paid_on=MARCH)
    assert Participant.objects.get(pk=desa.current.pk).paid_through == dt.date(2024, 6, 30)


def test_a_participant_payment_needs_an_amount(desa: Desa, desa_user: Any) -> None:
    with pytest.raises(BillRefused, match="> 0"):
        pay_participant(desa_user, desa.never, through=MARCH, amount=0, paid_on=MARCH)
    assert Participant.objects.get(pk=desa.never.pk).paid_through is None


def test_a_participant_payment_outside_the_scope_is_refused(desa: Desa, desa_user: Any, viewer_user: Any) -> None:
    with pytest.raises(BillRefused, match=r"tidak berhak.*may not record payments"):
        pay_participant(desa_user, desa.elsewhere, through=MARCH_END, amount=16_800, paid_on=MARCH)
    with pytest.raises(BillRefused, match="tidak berhak"):
        pay_participant(viewer_user, desa.never, through=MARCH_END, amount=16_800, paid_on=MARCH)
    assert Participant.objects.get(pk=desa.elsewhere.pk).paid_through == FEB_END
    assert Participant.objects.get(pk=desa.never.pk).paid_through is None


# ---------------------------------------------------------------- audit trail


def test_audit_events_name_the_bill_and_no_person(desa: Desa, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    pay_bill(desa_user, bill, paid_on=MARCH)
    pay_participant(desa_user, desa.current, through=dt.date(2024, 4, 1), amount=16_800, paid_on=MARCH)
    events = {e.action: e for e in AuditEvent.objects.filter(action__in=["bill.create", "bill.pay",
                                                                         "participant.pay"])}  # fmt: skip
    assert set(events) == {"bill.create", "bill.pay", "participant.pay"}
    for action in ("bill.create", "bill.pay"):
        e = events[action]
        assert (e.actor, e.object_type, e.object_id, e.region_code) == (desa_user, "bill", str(bill.pk), SUKARAMI)
    assert "561000" in events["bill.create"].summary
    assert events["bill.pay"].changes["paid_through"] == [None, "2024-03-31"]
    pay = events["participant.pay"]
    assert (pay.object_type, pay.object_id, pay.region_code) == ("participant", desa.current.public_hex, SUKARAMI)
    assert pay.changes == {"paid_through": ["2024-03-31", "2024-04-30"]}
    people = Participant.objects.values_list("nik", "name")
    for e in events.values():
        text = f"{e.summary} {e.changes} {e.object_id}"
        for nik, name in people:
            assert nik not in text and nik[:12] not in text and name not in text, e.action


# ---------------------------------------------------------------- active / non-active counts


def test_status_summary_around_the_lapse_boundary(db: Any) -> None:
    """Lapse after 3 months: on 2024-11-15, paid through September is active, through August is not."""
    person(1, "Aktif", paid_through=dt.date(2024, 9, 30))
    person(2, "Aktif Juga", paid_through=dt.date(2024, 12, 31))
    person(3, "Nonaktif", paid_through=dt.date(2024, 8, 31))
    person(4, "Belum Bayar", paid_through=None)
    person(5, "Pekerja", segment="PU", payer="employer", income=3_000_000, paid_through=dt.date(2024, 9, 1))
    person(6, "Kota", desa=PRABUMULIH, paid_through=dt.date(2024, 10, 31))
    summary = status_summary("16.06", dt.date(2024, 11, 15), lapse=3)
    assert (summary["region"], summary["as_of"], summary["lapse_months"], summary["active_since"]) == (
        "16.06", "2024-11-15", 3, "2024-09-01")  # fmt: skip
    assert (summary["active"], summary["inactive"]) == (3, 2)
    assert summary["rows"] == [
        {"segment": "BPU", "payer": "apbdes", "active": 2, "inactive": 2},
        {"segment": "PU", "payer": "employer", "active": 1, "inactive": 0},
    ]
    one_day_later = status_summary("16.06", dt.date(2024, 12, 1), lapse=3)  # September now lapses too
    assert (one_day_later["active"], one_day_later["inactive"]) == (1, 4)
    assert status_summary("16", dt.date(2024, 11, 15))["active"] == 4  # the lapse setting (3), Prabumulih too
    assert status_summary(SUKARAMI.replace(".", ""), dt.date(2024, 11, 15))["region"] == SUKARAMI
