"""A bill as an .xlsx workbook: summary with every rule and source, the lines, and the notes."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings

from ucj.accounts.policy import FieldViews, apply_record
from ucj.accounts.privacy import views_for
from ucj.contributions.models import Bill, BillLine
from ucj.registry.status import is_active
from ucj.xlsx import workbook

LINE_HEADERS = ["No", "NIK", "Nama", "Desa/Kelurahan", "Kode wilayah", "Segmen", "Bulan pertama", "Jumlah bulan",
                "JKK", "JKM", "JHT", "JP", "JKP", "Pemberi kerja", "Pekerja", "Pemerintah", "Jumlah (Rp)",
                "Status saat ini", "Nonaktif jika tidak dibayar", "Tarif (lihat lembar Aturan)"]  # fmt: skip


def _lines(bill: Bill) -> list[tuple[Any, ...]]:
    return list(
        BillLine.objects.filter(bill=bill).order_by("participant__desa_id", "participant__name").values_list(
            "participant__nik", "participant__name", "participant__desa__name", "participant__desa_id",
            "participant__segment", "first_month", "months", "jkk", "jkm", "jht", "jp", "jkp", "employer",
            "worker", "government", "amount", "participant__paid_through", "lapses_if_unpaid", "tariff",
        )
    )  # fmt: skip


def _line_rows(bill: Bill, views: FieldViews) -> list[tuple[Any, ...]]:
    """The detail rows, NIK and name as ``views`` (the user's export policy) shows them; status as of the bill
    month."""
    lapse = settings.UCJ_LAPSE_MONTHS
    out = []
    for i, row in enumerate(_lines(bill), start=1):
        nik, name, desa, code, segment, first, months, *amounts, paid, lapses, tariff = row
        status = "aktif" if is_active(paid, bill.month, lapse) else "nonaktif"
        shown = apply_record({"nik": nik, "name": name}, views)
        out.append((i, shown["nik"], shown["name"], desa or "", code, segment,
                    f"{first:%Y-%m}", months, *amounts, status, "ya" if lapses else "", tariff + 1))  # fmt: skip
    return out


def bill_xlsx(bill: Bill, user: Any) -> bytes:
    """The workbook. Full NIKs and names only for roles whose export policy shows them in the bill's region
    (docs/privacy.md; the bpjs role's through ``UCJ_BPJS_FULL_NIK_EXPORTS``)."""
    views = views_for(user, bill.region_id, "export")
    buf = io.BytesIO()
    book = workbook(buf)  # text stays text: no formulas or links from strings (ucj.xlsx)
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DCEBF7", "text_wrap": True})
    money = book.add_format({"num_format": "#,##0"})
    text = book.add_format({"num_format": "@"})
    _summary(book.add_worksheet("Ringkasan"), bill, bold, money)
    sheet = book.add_worksheet("Rincian")
    sheet.set_column(1, 1, 20, text)
    sheet.set_column(2, 3, 24)
    sheet.set_column(8, 16, 12, money)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, LINE_HEADERS, head)
    for r, row in enumerate(_line_rows(bill, views), start=1):
        sheet.write_row(r, 0, row)
    _rules(book.add_worksheet("Aturan"), bill, head)
    notes = book.add_worksheet("Catatan")
    notes.write_row(0, 0, ["Kode", "Jumlah peserta", "Keterangan"], head)
    for r, note in enumerate(bill.notes, start=1):
        notes.write_row(r, 0, [note["code"], note["count"], note["message"]])
    notes.set_column(2, 2, 100)
    book.close()
    return buf.getvalue()


def _summary(sheet: Any, bill: Bill, bold: Any, money: Any) -> None:
    rows: list[tuple[str, Any]] = [
        ("Tagihan iuran BPJS Ketenagakerjaan", ""),
        ("Pembayar", bill.get_payer_display()), ("Wilayah", f"{bill.region_id} {bill.region.name}"),
        ("Bulan iuran", f"{bill.month:%Y-%m}"), ("Status", bill.get_status_display()),
        ("Peserta", bill.participants), ("Bulan-peserta (termasuk tunggakan)", bill.months),
        *[(f"Iuran {p}", v) for p, v in bill.program_totals.items()],
        ("Pemberi kerja", bill.employer_total), ("Pekerja", bill.worker_total),
        ("Pemerintah", bill.government_total), ("JUMLAH (Rp)", bill.total),
        ("Dibuat", f"{bill.created_at:%Y-%m-%d %H:%M}"),
        ("Pembulatan", "per pihak per program ke rupiah penuh, setengah ke atas (docs/contributions.md)"),
    ]  # fmt: skip
    for r, (label, value) in enumerate(rows):
        sheet.write(r, 0, label, bold)
        if isinstance(value, int):
            sheet.write_number(r, 1, value, money)
        else:
            sheet.write_string(r, 1, str(value))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 40)


def _rules(sheet: Any, bill: Bill, head: Any) -> None:
    sheet.write_row(0, 0, ["Tarif", "Bulan", "Segmen", "Program", "Dasar", "Tarif (%)", "Faktor keringanan",
                           "Aturan", "Dasar hukum"], head)  # fmt: skip
    r = 1
    for i, t in enumerate(bill.tariffs, start=1):
        for comp in t["components"]:
            rates = ", ".join(f"{k} {v:g}" for k, v in comp["rates"].items())
            sheet.write_row(r, 0, [i, t["month"], t["segment"], comp["program"], comp["base"], rates,
                                   comp["factor"], " ".join(comp["rules"]), "; ".join(comp["sources"])])  # fmt: skip
            r += 1
    sheet.set_column(7, 8, 60)
