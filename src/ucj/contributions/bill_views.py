"""Bill pages: list and make bills, see one with its rules and notes, download it, record its payment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.policy import apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import BILLING_ROLES, scope_for
from ucj.amounts import format_rupiah
from ucj.bilingual import in_language
from ucj.contributions.bill_forms import BillForm, BillPaymentForm
from ucj.contributions.bills import (
    BillExists,
    BillRefused,
    bill_overdue,
    bill_paid_amount,
    bill_payments,
    create_bill,
    pay_bill_lines,
    payers_for,
    visible_bills,
)
from ucj.contributions.exports import bill_csv, bill_xlsx
from ucj.contributions.models import Bill, BillLine, Payment
from ucj.contributions.receipts import receipt_context, receipt_pdf
from ucj.regions.models import Region
from ucj.web.regionpicker import bind_region_field
from ucj.xlsx import CSV_CONTENT_TYPE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regions(request: HttpRequest) -> list[tuple[str, str]]:
    """The fallback select of the region picker: the user's own regions and the kab/kota below them (a desa
    operator: the desa). The picker's tree reaches every kecamatan and desa below (ucj.web.regionpicker)."""
    scope = scope_for(request.user)
    if scope.everywhere:
        qs = Region.objects.filter(level__lte=2)
    else:
        codes = [c for r, c in scope.grants if r in BILLING_ROLES and c]
        qs = Region.objects.filter(code__in=codes) | Region.objects.filter(parent_id__in=codes, level=2)
    return [(r.code, f"{r.code} {r.name}") for r in qs.order_by("code")[:600]]


@require_http_methods(["GET", "POST"])
def bill_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    can_bill = scope.can(BILLING_ROLES)
    form = BillForm(request.POST or None, region_choices=_regions(request),
                    payers=payers_for(request.user)) if can_bill else None  # fmt: skip
    if form is not None:
        bind_region_field(form, "region", scope)
    existing = None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                bill = create_bill(request.user, data["payer"], data["region"], data["month"], request=request)
            except BillExists as err:  # the message links to the bill already there
                existing = visible_bills(request.user).filter(pk=err.bill_id).first()
                form.add_error(None, in_language(str(err), get_language()))
            except BillRefused as err:
                form.add_error(None, in_language(str(err), get_language()))
            else:
                return redirect("contributions:bill", pk=bill.pk)
    page = Paginator(visible_bills(request.user).select_related("region"), 25).get_page(request.GET.get("page"))
    return render(request, "contributions/bills.html", {"form": form, "page": page, "existing": existing})


def _get_bill(request: HttpRequest, pk: int) -> Bill:
    bill = visible_bills(request.user).select_related("region").filter(pk=pk).first()
    if bill is None:
        raise Http404
    return bill


def _as_of(request: HttpRequest) -> dt.date | None:
    """``?as_of=YYYY-MM-DD`` (the day the overdue months and fines are computed for); absent or invalid: today."""
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None


def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get_bill(request, pk)
    return _render_detail(request, bill, None)


def _render_detail(request: HttpRequest, bill: Bill, form: BillPaymentForm | None, status: int = 200) -> HttpResponse:
    """The bill page; ``form`` is the payment form as posted (kept with its errors) or None for a fresh one."""
    overdue = bill_overdue(bill, _as_of(request))
    scope = scope_for(request.user)
    views = views_for(scope, bill.region_id, "listing")  # lines on screen are a list (docs/privacy.md)
    lines = Paginator(BillLine.objects.filter(bill=bill).select_related("participant").order_by("id"), 100)
    page = lines.get_page(request.GET.get("page"))
    shown = [apply_record({"nik": line.participant.nik, "name": line.participant.name}, views) for line in page]
    rows = [(line, s["nik"], s["name"]) for line, s in zip(page, shown, strict=True)]
    can_pay = bill.status == Bill.Status.OPEN and scope.can(BILLING_ROLES, bill.region_id)
    paid = bill_paid_amount(bill)
    if can_pay and form is None:
        form = BillPaymentForm(initial={"amount": format_rupiah(bill.total - paid), "what": BillPaymentForm.WHOLE})
    ticked = set(form["lines"].value() or []) if form is not None and form.is_bound else set()
    return render(request, "contributions/bill.html", {
        "bill": bill, "page": page, "rows": rows, "form": form if can_pay else None, "overdue": overdue,
        "payments": bill_payments(bill), "paid": paid, "remaining": bill.total - paid,
        "ticked": {int(t) for t in ticked if str(t).isdigit()},
    }, status=status)  # fmt: skip


def bill_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The bill as .xlsx, or its lines as CSV with ``?format=csv`` (very large bills; personal data: audited)."""
    bill = _get_bill(request, pk)
    as_csv = request.GET.get("format") == "csv"
    audit.record("bill.export", request=request, object_type="bill", object_id=bill.pk, region_code=bill.region_id,
                 summary=f"{bill} (csv)" if as_csv else str(bill))  # fmt: skip
    if as_csv:
        response = HttpResponse(bill_csv(bill, request.user), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(bill_xlsx(bill, request.user), content_type=XLSX)
    name = f"tagihan-{bill.payer}-{bill.region_id}-{bill.month:%Y-%m}.{'csv' if as_csv else 'xlsx'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def bill_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment of the whole rest of the bill or of the participants ticked; on an error the page comes
    back with what was typed and the error next to the form (never a redirect that loses the input)."""
    bill = _get_bill(request, pk)
    if not scope_for(request.user).can(BILLING_ROLES, bill.region_id):
        raise PermissionDenied
    if bill.status == Bill.Status.PAID:  # nothing left to record: no form to keep
        messages.error(request, _("Tagihan ini sudah lunas."))
        return redirect("contributions:bill", pk=bill.pk)
    form = BillPaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = pay_bill_lines(request.user, bill, lines=form.chosen_lines(), paid_on=data["paid_on"],
                                     reference=data["reference"], amount=data["amount"], request=request)  # fmt: skip
        except BillRefused as err:
            form.add_error(None, in_language(str(err), get_language()))
        else:
            messages.success(request, _("Pembayaran dicatat; status peserta diperbarui."))
            return redirect(f"{reverse('contributions:bill', args=[bill.pk])}#payment-{payment.pk}")
    bill.refresh_from_db()
    return _render_detail(request, bill, form)


def _get_payment(request: HttpRequest, pk: int, payment: int) -> tuple[Bill, Payment]:
    bill = _get_bill(request, pk)
    found = Payment.objects.filter(bill=bill, pk=payment).select_related("recorded_by").first()
    if found is None:
        raise Http404
    return bill, found


def bill_receipt(request: HttpRequest, pk: int, payment: int) -> HttpResponse:
    """The kwitansi of one payment of a bill: a page to print (print CSS) or, with ``?format=pdf``, a PDF."""
    bill, paid = _get_payment(request, pk, payment)
    context = receipt_context(bill, paid)
    if request.GET.get("format") != "pdf":
        return render(request, "contributions/receipt.html", context)
    audit.record("bill.receipt", request=request, object_type="bill", object_id=bill.pk, region_code=bill.region_id,
                 summary=f"{bill}: kwitansi {context['number']} (pdf)")  # fmt: skip
    response = HttpResponse(receipt_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kwitansi-{context["number"]}.pdf"'
    return response
