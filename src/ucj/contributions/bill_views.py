"""Bill pages: list and make bills, see one with its rules and notes, download it, record its payment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.policy import apply_record
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import BILLING_ROLES, scope_for
from ucj.contributions.bill_forms import BillForm, BillPaymentForm
from ucj.contributions.bills import BillRefused, bill_overdue, create_bill, pay_bill, visible_bills
from ucj.contributions.exports import bill_csv, bill_xlsx
from ucj.contributions.models import Bill, BillLine
from ucj.regions.models import Region
from ucj.xlsx import CSV_CONTENT_TYPE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regions(request: HttpRequest) -> list[tuple[str, str]]:
    """Regions the page offers: the user's own regions and the kab/kota below them (a desa operator: the desa).
    A kab/kota officer bills another desa's APBDes through the API or ``ucj contributions bill``; a select of
    every desa of a kabupaten would be unusable."""
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
    form = BillForm(request.POST or None, region_choices=_regions(request)) if can_bill else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                bill = create_bill(request.user, data["payer"], data["region"], data["month"], request=request)
            except BillRefused as err:
                form.add_error(None, str(err))
            else:
                return redirect("contributions:bill", pk=bill.pk)
    page = Paginator(visible_bills(request.user).select_related("region"), 25).get_page(request.GET.get("page"))
    return render(request, "contributions/bills.html", {"form": form, "page": page})


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
    overdue = bill_overdue(bill, _as_of(request))
    scope = scope_for(request.user)
    views = views_for(scope, bill.region_id, "listing")  # lines on screen are a list (docs/privacy.md)
    lines = Paginator(BillLine.objects.filter(bill=bill).select_related("participant").order_by("id"), 100)
    page = lines.get_page(request.GET.get("page"))
    shown = [apply_record({"nik": line.participant.nik, "name": line.participant.name}, views) for line in page]
    rows = [(line, s["nik"], s["name"]) for line, s in zip(page, shown, strict=True)]
    can_pay = bill.status == Bill.Status.OPEN and scope.can(BILLING_ROLES, bill.region_id)
    form = BillPaymentForm(initial={"amount": bill.total}) if can_pay else None
    return render(request, "contributions/bill.html", {"bill": bill, "page": page, "rows": rows, "form": form,
                                                       "overdue": overdue})  # fmt: skip


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
    bill = _get_bill(request, pk)
    if not scope_for(request.user).can(BILLING_ROLES, bill.region_id):
        raise PermissionDenied
    form = BillPaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pay_bill(request.user, bill, paid_on=data["paid_on"], reference=data["reference"], amount=data["amount"],
                     request=request)  # fmt: skip
        except BillRefused as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("Pembayaran dicatat; status peserta diperbarui."))
    else:
        messages.error(request, _("Periksa isian pembayaran."))
    return redirect("contributions:bill", pk=bill.pk)
