"""Bills and payments: the named operations that pages, the API, the CLI and jobs call.

A bill is for one payer (mandiri, an employer, APBD of a province or kab/kota, APBDes of a desa, …) in one
region for one contribution month. APBD and APBDes bills are for the budget of a named region, so their
region must be at that level (the kab/kota of an APBD kab/kota bill). Recording a payment moves the
participants' paid-through date, which decides active / non-active status (:mod:`ucj.registry.status`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Subquery
from django.http import HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.scoping import BILLING_ROLES, scope_for
from ucj.bulk import insert_frame, read_frame
from ucj.contributions.billing import INPUT_SCHEMA, PROGRAM_COLUMNS, compute_bill, month_end, payer_refusal
from ucj.contributions.duedates import MonthDue, Overdue, due_date, overdue
from ucj.contributions.models import Bill, BillLine, Payment
from ucj.contributions.rules import RuleBook
from ucj.contributions.services import rulebook
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant, Payer
from ucj.registry.signals import announce_change
from ucj.registry.status import is_active

# Budget payers are named by a region at one level: the province, the kab/kota, the desa.
PAYER_LEVEL = {Payer.APBD_PROVINSI: 1, Payer.APBD_KABKOTA: 2, Payer.APBDES: 4}
LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 4: "desa/kelurahan"}


class BillRefused(ValueError):
    """A bill or payment that cannot be made; the message says why (id / en)."""


class BillForbidden(BillRefused):
    """Refused because the user may not bill or record payments in that region (the API answers 403)."""


@dataclass(frozen=True)
class BillRequest:
    payer: str
    region: str
    month: dt.date


def check_request(user: Any, payer: str, region: str, month: dt.date) -> BillRequest:
    """Validate a bill request and the user's right to bill in that region (raises BillRefused)."""
    if payer not in Payer.values:
        raise BillRefused(f"Pembayar tidak dikenal / unknown payer: {payer} ({', '.join(Payer.values)})")
    code = normalize_code(region)
    if code is None or not Region.objects.filter(code=code).exists():
        raise BillRefused(f"Kode wilayah tidak dikenal / unknown region code: {region}")
    level = PAYER_LEVEL.get(Payer(payer))
    if level is not None and level_of(code) != level:
        raise BillRefused(f"Tagihan {payer} harus untuk satu {LEVEL_NAMES[level]} / a {payer} bill is for one "
                          f"{['', 'province', 'kab/kota', 'kecamatan', 'desa'][level]}")  # fmt: skip
    refusal = payer_refusal(payer, code)  # a kelurahan has no APBDes (issue 12 item 3)
    if refusal:
        raise BillRefused(refusal)
    if user is not None and not scope_for(user).can(BILLING_ROLES, code):
        raise BillForbidden("Anda tidak berhak membuat tagihan untuk wilayah ini / you may not bill this region")
    check_ahead(month, timezone.localdate())
    return BillRequest(payer, code, month.replace(day=1))


def _index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def check_ahead(month: dt.date, paid_on: dt.date) -> None:
    """Refuse a month more than ``UCJ_PREPAY_MONTHS`` after the month of ``paid_on`` (the month of payment).

    Payment channels accept "several months in advance" (shared/domain.md §1.5); how many is not confirmed
    (open question 2), hence the setting. This also keeps month arithmetic away from the end of the calendar
    (``9999-12`` is refused here instead of failing on year 10000).
    """
    ahead = settings.UCJ_PREPAY_MONTHS
    if _index(month) > _index(paid_on) + ahead:
        limit = _month(_index(paid_on) + ahead)
        raise BillRefused(f"Bulan {month:%Y-%m} terlalu jauh ke depan: paling jauh {ahead} bulan setelah bulan "
                          f"pembayaran ({limit:%Y-%m}) / {month:%Y-%m} is too far ahead: at most {ahead} months "
                          f"ahead of the month of payment ({limit:%Y-%m}, UCJ_PREPAY_MONTHS)")  # fmt: skip


def participants_frame(payer: str, region: str) -> pl.DataFrame:
    """The participants this payer pays for in the region, as the columns billing needs."""
    qs = Participant.objects.filter(in_region("desa_id", region, villages_only=True), payer=payer)
    return read_frame(qs.order_by(), INPUT_SCHEMA)


@transaction.atomic
def create_bill(user: Any, payer: str, region: str, month: dt.date, request: HttpRequest | None = None) -> Bill:
    """Compute and store the bill (replacing an unpaid one for the same payer, region and month)."""
    req = check_request(user, payer, region, month)
    existing = Bill.objects.select_for_update().filter(payer=req.payer, region_id=req.region, month=req.month)
    if existing.filter(status=Bill.Status.PAID).exists():
        raise BillRefused("Tagihan bulan ini sudah lunas / this month's bill is already paid")
    existing.delete()
    result = compute_bill(participants_frame(req.payer, req.region), req.month, rulebook(),
                          settings.UCJ_LAPSE_MONTHS)  # fmt: skip
    lines = result.lines
    book = rulebook()
    dues = [d for d in (due_date(book, seg, req.month) for seg in {m["segment"] for m in result.months}) if d]
    sums = {c: int(lines[c].sum()) if lines.height else 0
            for c in (*PROGRAM_COLUMNS, "employer", "worker", "government", "amount", "months")}  # fmt: skip
    bill = Bill.objects.create(
        payer=req.payer, region_id=req.region, month=req.month, participants=lines.height, months=sums["months"],
        total=sums["amount"], employer_total=sums["employer"], worker_total=sums["worker"],
        government_total=sums["government"], program_totals={p.upper(): sums[p] for p in PROGRAM_COLUMNS},
        tariffs=result.tariffs, notes=result.notes, created_by=user if getattr(user, "pk", None) else None,
        due_date=min(dues, default=None), month_amounts=result.months,
    )  # fmt: skip
    if lines.height:
        with connection.cursor() as cur:
            insert_frame(cur, BillLine._meta.db_table, lines.with_columns(pl.lit(bill.pk).alias("bill_id")))
    audit.record("bill.create", actor=user, request=request, object_type="bill", object_id=bill.pk,
                 region_code=req.region, summary=f"{bill}: {bill.participants} peserta, Rp {bill.total}")  # fmt: skip
    return bill


def _month_dues(rows: list[dict[str, Any]]) -> list[MonthDue]:
    return [MonthDue(dt.date.fromisoformat(f"{r['month']}-01"), r["segment"], int(r["amount"]),
                     int(r.get("participants", 1))) for r in rows]  # fmt: skip


def bill_overdue(bill: Bill, as_of: dt.date | None = None, book: RuleBook | None = None) -> Overdue:
    """The bill's contribution months past their due date, with the late fine (:mod:`ucj.contributions.duedates`).

    An open bill: as of ``as_of`` (default today). A paid bill: as of the day it was paid — the fine that payment
    incurred, which BPJS collects with the next month's contribution (docs/contributions.md); ``as_of`` is then
    ignored. A bill made before due dates existed has no month amounts: nothing is shown (make it again).
    """
    if bill.status == Bill.Status.PAID:  # payments.all(): served by prefetch_related("payments") in lists
        as_of = min((p.paid_on for p in bill.payments.all()), default=None) or as_of
    return overdue(book or rulebook(), _month_dues(bill.month_amounts), bill.payer, as_of or timezone.localdate())


def bill_summary(bill: Bill, as_of: dt.date | None = None, book: RuleBook | None = None) -> dict[str, Any]:
    """A bill's totals, tariffs, notes, due date and overdue months with the late fine as of ``as_of`` (default
    today; a paid bill: the day it was paid) as plain data (the API's and ``ucj contributions bill --json``)."""
    return {
        "id": bill.pk, "payer": bill.payer, "region": bill.region_id, "month": f"{bill.month:%Y-%m}",
        "status": bill.status, "participants": bill.participants, "participant_months": bill.months,
        "total": bill.total, "employer_total": bill.employer_total, "worker_total": bill.worker_total,
        "government_total": bill.government_total, "program_totals": bill.program_totals,
        "tariffs": bill.tariffs, "notes": bill.notes,
        "due_date": bill.due_date.isoformat() if bill.due_date else None,
        "overdue": bill_overdue(bill, as_of, book).as_dict(),
    }  # fmt: skip


def visible_bills(user: Any) -> Any:
    """Bills of the regions the user reaches (any role: viewers read bills)."""
    return Bill.objects.filter(scope_for(user).region_q("region_id"))


@transaction.atomic
def pay_bill(
    user: Any, bill: Bill, *, paid_on: dt.date, reference: str = "", amount: int | None = None,
    request: HttpRequest | None = None,
) -> Payment:  # fmt: skip
    """Record that a bill was paid in full: its participants are paid through the bill month."""
    if not scope_for(user).can(BILLING_ROLES, bill.region_id):
        raise BillForbidden("Anda tidak berhak mencatat pembayaran di wilayah ini / you may not record payments here")
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status == Bill.Status.PAID:
        raise BillRefused("Tagihan ini sudah lunas / this bill is already paid")
    if amount is not None and amount != bill.total:
        raise BillRefused(
            f"Jumlah Rp {amount:,} tidak sama dengan tagihan Rp {bill.total:,} / the amount differs "
            "from the bill (partial payments: record them per participant)".replace(",", ".")
        )
    end = month_end(bill.month)
    ids = Subquery(BillLine.objects.filter(bill=bill).values("participant_id"))
    moved = Participant.objects.filter(pk__in=ids).filter(Q(paid_through__isnull=True) | Q(paid_through__lt=end)) \
        .update(paid_through=end)  # fmt: skip
    bill.status = Bill.Status.PAID
    bill.save(update_fields=["status"])
    announce_change(Participant.objects.filter(pk__in=ids).values_list("desa_id", flat=True).distinct())
    payment = Payment.objects.create(bill=bill, paid_through=end, amount=bill.total, paid_on=paid_on,
                                     reference=reference[:80], recorded_by=_user(user))  # fmt: skip
    audit.record("bill.pay", actor=user, request=request, object_type="bill", object_id=bill.pk,
                 region_code=bill.region_id, summary=f"{bill}: Rp {bill.total}, {moved} peserta s.d. {end}",
                 changes={"paid_through": [None, end.isoformat()], "participants": moved})  # fmt: skip
    return payment


@dataclass(frozen=True)
class Due:
    """What a participant owes to be paid through a month: the months from ``first_month`` and the amount."""

    first_month: dt.date
    through: dt.date
    months: int
    amount: int


def participant_due(participant: Participant, *, through: dt.date, paid_on: dt.date,
                    paid_through: dt.date | None = None, known: bool = False) -> Due:  # fmt: skip
    """The contribution due to pay ``participant`` through the month of ``through``, as recorded on ``paid_on``.

    The months run from the first unpaid month while the participant is still active on ``paid_on`` (arrears
    come along, as on a bill), else — never paid or already non-active — from the month of payment (paying
    resumes the protection, BPJS FAQ, shared/domain.md §1.5), never before coverage starts. Each month is
    priced by the same tariffs and rounding as a bill line (:func:`ucj.contributions.billing.compute_bill`).
    ``paid_through`` (with ``known``) is the locked value, when the caller already read it.
    """
    if paid_on > timezone.localdate():
        raise BillRefused(f"Tanggal bayar {paid_on} di masa depan / the payment date {paid_on} is in the future")
    check_ahead(through, paid_on)
    before = paid_through if known else participant.paid_through
    last = _index(through)
    if before is not None and _index(before) >= last:
        raise BillRefused(f"Sudah dibayar s.d. {before:%Y-%m} / already paid through {before:%Y-%m}")
    if before is not None and is_active(before, paid_on, settings.UCJ_LAPSE_MONTHS):
        first = _index(before) + 1
    else:
        first = min(_index(paid_on), last)
    frame = read_frame(Participant.objects.filter(pk=participant.pk).order_by(), INPUT_SCHEMA)
    start = frame["coverage_start"][0]
    if start is not None and _index(start) > last:
        raise BillRefused(f"Kepesertaan mulai {start:%Y-%m}, setelah {through:%Y-%m} / coverage starts "
                          f"{start:%Y-%m}, after {through:%Y-%m}")  # fmt: skip
    # Price months first..last as the arrears of one bill: paid through the month before ``first``, with a
    # lapse long enough that every month is billed.
    months = last - first + 1
    frame = frame.with_columns(pl.lit(month_end(_month(first - 1))).alias("paid_through"))
    result = compute_bill(frame, _month(last), rulebook(), lapse=months + 1)
    if result.lines.height != 1:
        reasons = "; ".join(n["message"] for n in result.notes) or "-"
        raise BillRefused(f"Iuran tidak dapat dihitung / the contribution cannot be computed: {reasons}")
    line = result.lines.row(0, named=True)
    return Due(line["first_month"], _month(last), int(line["months"]), int(line["amount"]))


def participant_overdue(participant: Participant, as_of: dt.date | None = None) -> Overdue:
    """A participant's unpaid months past their due date as of ``as_of`` (default today), each with its
    contribution and late fine: the months a payment recorded that day through the latest month already past its
    due date would cover (:func:`participant_due`: the arrears while the participant is active on ``as_of``; a
    non-active or never-paid participant only that month, paying resumes the protection, shared/domain.md §1.5).
    The fine is the payer's (:func:`ucj.contributions.duedates.fine_rule`); none for BPU. Raises
    :class:`BillRefused` when the contribution cannot be computed (PU without a wage, no rule in force)."""
    as_of = as_of or timezone.localdate()
    book = rulebook()
    # The latest contribution month already past its due date: this month or one of the two before (PU is due
    # in the following month). None for segments without monthly due dates (JAKON, PMI).
    past = [m for m in (_month(_index(as_of) - back) for back in range(3))
            if (d := due_date(book, participant.segment, m)) is not None and d < as_of]  # fmt: skip
    if not past:
        return Overdue(as_of)
    last = _index(past[0])
    before = participant.paid_through
    active = before is not None and is_active(before, as_of, settings.UCJ_LAPSE_MONTHS)
    first = _index(before) + 1 if active and before is not None else last
    if (before is not None and _index(before) >= last) or first > last:
        return Overdue(as_of)
    # Price months first..last as the arrears of one bill, as participant_due does.
    frame = read_frame(Participant.objects.filter(pk=participant.pk).order_by(), INPUT_SCHEMA)
    frame = frame.with_columns(pl.lit(month_end(_month(first - 1))).alias("paid_through"))
    result = compute_bill(frame, _month(last), book, lapse=last - first + 2)
    problems = [n["message"] for n in result.notes if n["code"] in ("PU_NO_WAGE", "NO_TARIFF")]
    if problems and not result.lines.height:  # say why instead of showing "nothing overdue"
        raise BillRefused(f"Iuran tidak dapat dihitung / the contribution cannot be computed: {'; '.join(problems)}")
    return overdue(book, _month_dues(result.months), participant.payer, as_of)


@transaction.atomic
def pay_participant(
    user: Any, participant: Participant, *, through: dt.date, amount: int, paid_on: dt.date, reference: str = "",
    request: HttpRequest | None = None,
) -> Payment:  # fmt: skip
    """Record one participant's payment up to and including the month of ``through``.

    The amount must be exactly the contribution due for those months (:func:`participant_due`); anything else
    is refused with the amount due, so paid-through never moves on a partial or mistyped payment.
    """
    if not scope_for(user).can(BILLING_ROLES, participant.desa_id):
        raise BillForbidden("Anda tidak berhak mencatat pembayaran di wilayah ini / you may not record payments here")
    if amount <= 0:
        raise BillRefused("Jumlah harus > 0 / the amount must be > 0")
    # The row as it is now (locked), not the caller's copy: a stale copy must not move paid-through backwards.
    before = Participant.objects.select_for_update().values_list("paid_through", flat=True).get(pk=participant.pk)
    due = participant_due(participant, through=through, paid_on=paid_on, paid_through=before, known=True)
    if amount != due.amount:
        paid, owed = f"{amount:,}".replace(",", "."), f"{due.amount:,}".replace(",", ".")
        raise BillRefused(
            f"Jumlah Rp {paid} tidak sama dengan iuran Rp {owed} untuk {due.first_month:%Y-%m} s.d. "
            f"{due.through:%Y-%m} ({due.months} bulan) / the contribution for {due.first_month:%Y-%m} to "
            f"{due.through:%Y-%m} ({due.months} months) is Rp {owed}, not Rp {paid}"
        )
    end = month_end(due.through)
    Participant.objects.filter(pk=participant.pk).update(paid_through=end)
    announce_change([participant.desa_id])
    participant.paid_through = end
    payment = Payment.objects.create(participant=participant, paid_through=end, amount=amount, paid_on=paid_on,
                                     reference=reference[:80], recorded_by=_user(user))  # fmt: skip
    audit.record("participant.pay", actor=user, request=request, object_type="participant",
                 object_id=participant.public_hex, region_code=participant.desa_id,
                 summary=f"Rp {amount} s.d. {end:%Y-%m}",
                 changes={"paid_through": [before.isoformat() if before else None, end.isoformat()]})  # fmt: skip
    return payment


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None
