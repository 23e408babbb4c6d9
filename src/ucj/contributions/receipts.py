"""The kwitansi (receipt) of a bill payment: what it says, as a page to print and as a PDF (WeasyPrint)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.template.loader import render_to_string

from ucj.amounts import terbilang
from ucj.contributions.models import Bill, BillLine, Payment


def receipt_number(bill: Bill, payment: Payment) -> str:
    """``KW-<bill>-<payment>``: unique, and it names the bill, so a printed kwitansi leads back to it."""
    return f"KW-{bill.pk:05d}-{payment.pk:05d}"


def receipt_context(bill: Bill, payment: Payment) -> dict[str, Any]:
    """Everything a kwitansi shows; no personal data (participants are counted, never named)."""
    lines = BillLine.objects.filter(payment=payment).aggregate(n=Count("id"))["n"] or 0
    return {
        "bill": bill, "payment": payment, "number": receipt_number(bill, payment), "participants": lines,
        "words": f"{terbilang(payment.amount)} rupiah".capitalize(), "partial": payment.amount != bill.total,
        "recorded_by": payment.recorded_by.get_username() if payment.recorded_by else "—",
    }  # fmt: skip


def receipt_pdf(context: dict[str, Any]) -> bytes:
    """The kwitansi as an A5 PDF. WeasyPrint is imported here: it loads Pango and fonts (slow), only when asked."""
    from weasyprint import HTML

    html = render_to_string("contributions/receipt_pdf.html", context)
    return bytes(HTML(string=html).write_pdf())
