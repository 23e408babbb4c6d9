"""REST endpoints for bills, payments and status, scoped exactly like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from ucj.accounts import audit
from ucj.accounts.policy import apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import get_visible_or_404, scope_for
from ucj.contributions.bills import (
    BillForbidden,
    BillRefused,
    bill_summary,
    create_bill,
    participant_due,
    pay_bill_lines,
    pay_participant,
    visible_bills,
)
from ucj.contributions.exports import bill_csv, bill_xlsx
from ucj.contributions.models import Bill, BillLine
from ucj.contributions.services import rulebook
from ucj.contributions.status import status_summary
from ucj.months import parse_month
from ucj.registry import publicid
from ucj.registry.models import Participant, public_id_key
from ucj.xlsx import CSV_CONTENT_TYPE

router = Router(tags=["contributions"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BillIn(Schema):
    payer: str
    region: str
    month: str  # YYYY-MM


class BillOut(Schema):
    id: int
    payer: str
    region: str
    month: str
    status: str
    participants: int
    participant_months: int
    total: int
    employer_total: int
    worker_total: int
    government_total: int
    program_totals: dict[str, int]
    tariffs: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    due_date: str | None = None  # YYYY-MM-DD, the bill month's due date
    overdue: dict[str, Any]  # months past their due date, contribution and late fine as of a day


class BillLineOut(Schema):
    participant: str
    nik: str
    name: str
    desa: str
    first_month: str
    months: int
    jkk: int
    jkm: int
    jht: int
    jp: int
    jkp: int
    employer: int
    worker: int
    government: int
    amount: int
    lapses_if_unpaid: bool
    payment: int | None = None  # the payment that paid this line (a bill may be paid in parts)


class BillPaymentIn(Schema):
    paid_on: dt.date | None = None
    reference: str = ""
    amount: int | None = None
    # A partial payment: the public ids of the participants paid (each paid in full); absent: the rest of the bill.
    participants: list[str] | None = None


class ParticipantPaymentIn(Schema):
    through: str  # YYYY-MM
    amount: int
    paid_on: dt.date | None = None
    reference: str = ""


class PaymentOut(Schema):
    id: int
    paid_through: dt.date
    amount: int


class Refusal(Schema):
    detail: str


def refusal(err: BillRefused) -> Status:
    """400 for a request that cannot be met, 403 when the caller may not bill or pay in that region."""
    return Status(403 if isinstance(err, BillForbidden) else 400, {"detail": str(err)})


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError as err:
        raise BillRefused(str(err)) from None


def _bill(request: HttpRequest, bill_id: int) -> Bill:
    return get_object_or_404(visible_bills(request.user), pk=bill_id)


@router.get("/bills", response=list[BillOut])
def list_bills(request: HttpRequest, payer: str = "", month: str = "", region: str = "",
               as_of: dt.date | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Bills of the caller's regions, newest month first (at most 500); ``overdue`` as of ``as_of`` (default
    today; a paid bill: the day it was paid)."""
    qs = visible_bills(request.user)
    if month:
        try:
            qs = qs.filter(month=_month(month))
        except BillRefused:
            return []
    if payer:
        qs = qs.filter(payer=payer)
    if region:
        qs = qs.filter(region_id=region)
    book = rulebook()
    return [bill_summary(b, as_of, book) for b in qs.select_related("region").prefetch_related("payments")[:500]]


@router.post("/bills", response={201: BillOut, 400: Refusal, 403: Refusal})
def post_bill(request: HttpRequest, body: BillIn) -> Any:
    """Compute and store a bill (replaces an unpaid bill of the same payer, region and month)."""
    try:
        bill = create_bill(request.user, body.payer, body.region, _month(body.month), request=request)
    except BillRefused as err:
        return refusal(err)
    return Status(201, bill_summary(bill))


@router.get("/bills/{bill_id}", response=BillOut)
def get_bill(request: HttpRequest, bill_id: int, as_of: dt.date | None = None) -> dict[str, Any]:
    """One bill; ``overdue``: its months past their due date with the late fine as of ``as_of`` (default today)."""
    return bill_summary(_bill(request, bill_id), as_of)


@router.get("/bills/{bill_id}/lines", response=list[BillLineOut])
def bill_lines(request: HttpRequest, bill_id: int, page: int = 1, page_size: int = 100) -> list[dict[str, Any]]:
    """The bill's lines, 100 per page (NIKs masked, names masked for roles without a full view)."""
    bill = _bill(request, bill_id)
    views = views_for(request.user, bill.region_id, "listing")  # a list: NIK masked (docs/privacy.md)
    size = max(1, min(page_size, 500))
    lines = BillLine.objects.filter(bill=bill).select_related("participant").order_by("id")
    out = []
    for line in lines[(max(page, 1) - 1) * size : max(page, 1) * size]:
        p = line.participant
        shown = apply_record({"nik": p.nik, "name": p.name}, views)
        out.append({
            "participant": p.public_hex, "nik": shown["nik"], "name": shown["name"],
            "desa": p.desa_id, "first_month": f"{line.first_month:%Y-%m}", "months": line.months,
            "jkk": line.jkk, "jkm": line.jkm, "jht": line.jht, "jp": line.jp, "jkp": line.jkp,
            "employer": line.employer, "worker": line.worker, "government": line.government,
            "amount": line.amount, "lapses_if_unpaid": line.lapses_if_unpaid, "payment": line.payment_id,
        })  # fmt: skip
    return out


@router.get("/bills/{bill_id}/xlsx")
def bill_workbook(request: HttpRequest, bill_id: int, format: Literal["xlsx", "csv"] = "xlsx") -> HttpResponse:
    """The bill as .xlsx, or with ``format=csv`` its lines as CSV (very large bills; text that a spreadsheet
    could run as a formula is prefixed with ``'``). Personal data: the download is audited."""
    bill = _bill(request, bill_id)
    if format == "csv":
        response = HttpResponse(bill_csv(bill, request.user), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(bill_xlsx(bill, request.user), content_type=XLSX)
    name = f"tagihan-{bill.payer}-{bill.region_id}-{bill.month:%Y-%m}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record("bill.export", request=request, object_type="bill", object_id=bill.pk, region_code=bill.region_id,
                 summary=f"{bill} (csv)" if format == "csv" else str(bill))  # fmt: skip
    return response


@router.post("/bills/{bill_id}/payments", response={201: PaymentOut, 400: Refusal, 403: Refusal})
def post_bill_payment(request: HttpRequest, bill_id: int, body: BillPaymentIn) -> Any:
    """Record a payment of the bill: of every participant still unpaid, or (``participants``: public ids) of
    those only, each paid in full; they are paid through the bill month. The bill is paid when its last one is."""
    bill = _bill(request, bill_id)
    lines = None
    if body.participants is not None:
        pks = [publicid.decode(p, public_id_key()) for p in body.participants]
        found = dict(BillLine.objects.filter(bill=bill, participant_id__in=[p for p in pks if p is not None])
                     .values_list("participant_id", "id"))  # fmt: skip
        lines = [found.get(p, -1) if p is not None else -1 for p in pks]  # -1: not on this bill (refused)
    try:
        payment = pay_bill_lines(request.user, bill, lines=lines, paid_on=body.paid_on or timezone.localdate(),
                                 reference=body.reference, amount=body.amount, request=request)  # fmt: skip
    except BillRefused as err:
        return refusal(err)
    return Status(201, {"id": payment.pk, "paid_through": payment.paid_through, "amount": payment.amount})


@router.post("/participants/{participant_id}/payments", response={201: PaymentOut, 400: Refusal, 403: Refusal})
def post_participant_payment(request: HttpRequest, participant_id: str, body: ParticipantPaymentIn) -> Any:
    """Record one participant's payment through a month."""
    person = get_visible_or_404(Participant.objects.by_public_id(participant_id), request.user)
    try:
        payment = pay_participant(request.user, person, through=_month(body.through), amount=body.amount,
                                  paid_on=body.paid_on or timezone.localdate(), reference=body.reference,
                                  request=request)  # fmt: skip
    except BillRefused as err:
        return refusal(err)
    return Status(201, {"id": payment.pk, "paid_through": payment.paid_through, "amount": payment.amount})


class DueOut(Schema):
    first_month: str
    through: str
    months: int
    amount: int


@router.get("/participants/{participant_id}/payments/due", response={200: DueOut, 400: Refusal})
def participant_payment_due(request: HttpRequest, participant_id: str, through: str,
                            paid_on: dt.date | None = None) -> Any:  # fmt: skip
    """What paying this participant through a month costs (the amount a payment must carry)."""
    person = get_visible_or_404(Participant.objects.by_public_id(participant_id), request.user)
    try:
        due = participant_due(person, through=_month(through), paid_on=paid_on or timezone.localdate())
    except BillRefused as err:
        return refusal(err)
    return {"first_month": f"{due.first_month:%Y-%m}", "through": f"{due.through:%Y-%m}", "months": due.months,
            "amount": due.amount}  # fmt: skip


@router.get("/contributions/status", response={200: dict[str, Any], 400: Refusal})
def contribution_status(request: HttpRequest, region: str = "", as_of: dt.date | None = None) -> Any:
    """Active and non-active participants per segment and payer on a date, in one of the caller's regions."""
    scope = scope_for(request.user)
    code = region or (scope.regions[0] if len(scope.regions) == 1 and not scope.everywhere else "")
    if not code:
        return Status(400, {"detail": "Sebutkan wilayah (region) / give a region code"})
    if not scope.covers(code):
        return Status(400, {"detail": "Wilayah di luar cakupan Anda / region outside your scope"})
    return status_summary(code, as_of or timezone.localdate())
