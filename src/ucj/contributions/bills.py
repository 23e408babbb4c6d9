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
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.models import Role
from ucj.accounts.scoping import BILLING_ROLES, scope_for
from ucj.amounts import format_rupiah
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


class BillExists(BillRefused):
    """A bill for the same payer, region and month already holds a payment: it is kept, never replaced.
    ``bill_id`` lets pages link to it."""

    def __init__(self, message: str, bill_id: int) -> None:
        super().__init__(message)
        self.bill_id = bill_id


#: The payers each role bills (the bill page offers only these). A government bills its own budget and the
#: budgets below it (APBD provinsi, APBD kab/kota, APBDes from ADD: shared/domain.md §2, §6 "APBDes sources");
#: BPJS Ketenagakerjaan bills every payer (it collects from self-paying workers and employers and invoices the
#: governments).
ROLE_PAYERS: dict[str, tuple[str, ...]] = {
    Role.PROVINSI: (Payer.APBD_PROVINSI, Payer.APBD_KABKOTA, Payer.APBDES, Payer.OTHER),
    Role.KABKOTA: (Payer.APBD_KABKOTA, Payer.APBDES, Payer.OTHER),
    Role.DESA: (Payer.APBDES, Payer.OTHER),
    Role.BPJS: tuple(Payer.values),
}


def payers_for(user: Any) -> list[str]:
    """The payers ``user`` bills, in the order of :class:`Payer` (every payer for an admin)."""
    scope = scope_for(user)
    if scope.everywhere:
        return list(Payer.values)
    held = {p for role, _ in scope.grants if role in BILLING_ROLES for p in ROLE_PAYERS.get(role, ())}
    return [p for p in Payer.values if p in held]


def _halves(message: str) -> tuple[str, str]:
    """The Indonesian and English halves of a bilingual ``"id / en"`` message (the same text when it has one)."""
    indonesian, _sep, english = message.partition(" / ")
    return indonesian, english or indonesian


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
    # EXISTS, not a join on payments: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    has_payment = Exists(Payment.objects.filter(bill=OuterRef("pk")))
    kept = existing.filter(Q(status=Bill.Status.PAID) | has_payment).first()
    if kept is not None:  # a payment is a record: its bill stays as it was paid
        if kept.status == Bill.Status.PAID:
            raise BillExists(f"Tagihan bulan ini sudah lunas (tagihan #{kept.pk}) / this month's bill is already "
                             f"paid (bill #{kept.pk})", kept.pk)  # fmt: skip
        raise BillExists(f"Tagihan bulan ini sudah dibayar sebagian (tagihan #{kept.pk}): catat sisanya di sana "
                         f"/ this month's bill is partly paid (bill #{kept.pk}): record the rest there",
                         kept.pk)  # fmt: skip
    result = compute_bill(participants_frame(req.payer, req.region), req.month, rulebook(),
                          settings.UCJ_LAPSE_MONTHS)  # fmt: skip
    lines = result.lines
    if not lines.height:
        raise BillRefused(_empty_reason(req, result.notes))
    existing.delete()  # an unpaid bill of the same month is computed again
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


def _empty_reason(req: BillRequest, notes: list[dict[str, Any]]) -> str:
    """Why a bill would have nobody on it, in both languages: who was left out and why, or that no
    participant in the region has this payer."""
    head_id = f"Tidak ada peserta yang dapat ditagih ({req.payer}, {req.region}, {req.month:%Y-%m})"
    head_en = f"nobody can be billed ({req.payer}, {req.region}, {req.month:%Y-%m})"
    if not notes:
        return f"{head_id}: tidak ada peserta dengan pembayar ini di wilayah ini / {head_en}: no participant in " \
               "this region has this payer"  # fmt: skip
    parts = [(n["count"], *_halves(n["message"])) for n in notes]
    return (f"{head_id}: " + "; ".join(f"{c} peserta {i}" for c, i, _e in parts) + f" / {head_en}: "
            + "; ".join(f"{c} participant(s) {e}" for c, _i, e in parts))  # fmt: skip


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
    """Record that the rest of a bill was paid: every participant not yet paid is paid through the bill month."""
    return pay_bill_lines(user, bill, lines=None, paid_on=paid_on, reference=reference, amount=amount,
                          request=request)  # fmt: skip


@transaction.atomic
def pay_bill_lines(
    user: Any, bill: Bill, *, lines: list[int] | None, paid_on: dt.date, reference: str = "",
    amount: int | None = None, request: HttpRequest | None = None,
) -> Payment:  # fmt: skip
    """Record one payment (one SP2D or transfer) of some participants of a bill: ``lines`` are ids of its lines
    (one per participant; pages never carry a participant's key), ``None`` every line still unpaid.

    A partial payment is a subset of the bill's participants, each paid in full — the arrears and the bill month
    of its line, exactly the amount billed — never part of one participant's amount: paid-through moves only for
    what was paid (a payment must equal what is due, as :func:`pay_participant`). ``amount``, when given, must
    equal the sum of the chosen lines. The bill is paid (lunas) when its last line is.
    """
    if not scope_for(user).can(BILLING_ROLES, bill.region_id):
        raise BillForbidden("Anda tidak berhak mencatat pembayaran di wilayah ini / you may not record payments here")
    if paid_on > timezone.localdate():
        raise BillRefused(f"Tanggal bayar {paid_on} di masa depan / the payment date {paid_on} is in the future")
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status == Bill.Status.PAID:
        raise BillRefused("Tagihan ini sudah lunas / this bill is already paid")
    unpaid = BillLine.objects.filter(bill=bill, payment__isnull=True)
    chosen = unpaid if lines is None else unpaid.filter(pk__in=sorted(set(lines)))
    count, due = _count_and_sum(chosen)
    if lines is not None and count != len(set(lines)):
        raise BillRefused("Sebagian peserta yang dipilih tidak ada di tagihan ini atau sudah dibayar / some chosen "
                          "participants are not on this bill or are already paid")  # fmt: skip
    if not count:
        raise BillRefused("Tidak ada peserta yang dipilih untuk dibayar / no participant chosen to pay")
    if amount is not None and amount != due:
        paid, owed = format_rupiah(amount), format_rupiah(due)
        what_id, what_en = ("tagihan", "the bill") if lines is None else (
            f"iuran {count} peserta yang dipilih", f"the contribution of the {count} participants chosen")  # fmt: skip
        raise BillRefused(f"Jumlah Rp {paid} tidak sama dengan {what_id} Rp {owed} / the amount differs from "
                          f"{what_en} (Rp {owed}, not Rp {paid})")  # fmt: skip
    end = month_end(bill.month)
    payment = Payment.objects.create(bill=bill, paid_through=end, amount=due, paid_on=paid_on,
                                     reference=reference[:80], recorded_by=_user(user))  # fmt: skip
    chosen.update(payment=payment)
    ids = Subquery(BillLine.objects.filter(payment=payment).values("participant_id"))
    moved = Participant.objects.filter(pk__in=ids).filter(Q(paid_through__isnull=True) | Q(paid_through__lt=end)) \
        .update(paid_through=end)  # fmt: skip
    whole = not BillLine.objects.filter(bill=bill, payment__isnull=True).exists()
    if whole:
        bill.status = Bill.Status.PAID
        bill.save(update_fields=["status"])
    announce_change(Participant.objects.filter(pk__in=ids).values_list("desa_id", flat=True).distinct())
    audit.record("bill.pay" if whole and lines is None else "bill.pay_part", actor=user, request=request,
                 object_type="bill", object_id=bill.pk, region_code=bill.region_id,
                 summary=f"{bill}: Rp {due}, {moved} peserta s.d. {end}" + ("" if whole else " (sebagian)"),
                 changes={"paid_through": [None, end.isoformat()], "participants": moved, "payment": payment.pk,
                          "lines": count})  # fmt: skip
    return payment


def _count_and_sum(lines: Any) -> tuple[int, int]:
    totals = lines.aggregate(n=Count("id"), amount=Sum("amount"))
    return int(totals["n"] or 0), int(totals["amount"] or 0)


def bill_payments(bill: Bill) -> list[dict[str, Any]]:
    """A bill's payments, oldest first: date, reference (SP2D …), amount, participants paid, who recorded it."""
    payments = Payment.objects.filter(bill=bill).select_related("recorded_by").order_by("recorded_at", "id")
    counts = dict(BillLine.objects.filter(bill=bill, payment__isnull=False).values("payment_id")
                  .annotate(n=Count("id")).values_list("payment_id", "n"))  # fmt: skip
    return [{"payment": p, "participants": counts.get(p.pk, 0),
             "recorded_by": p.recorded_by.get_username() if p.recorded_by else "—"} for p in payments]  # fmt: skip


def bill_paid_amount(bill: Bill) -> int:
    """What has been paid on a bill so far (equal to its total once it is paid)."""
    return int(Payment.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"] or 0)


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
