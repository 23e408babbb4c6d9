"""A bill as an .xlsx workbook: summary with every rule and source, the lines, and the notes."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.conf import settings

from ucj.accounts.policy import FieldViews, apply_frame
from ucj.accounts.privacy import views_for
from ucj.bulk import read_frame
from ucj.contributions.models import Bill, BillLine
from ucj.xlsx import Book, Sheet, csv_frame

LINE_HEADERS = ["No", "NIK", "Nama", "Desa/Kelurahan", "Kode wilayah", "Segmen", "Bulan pertama", "Jumlah bulan",
                "JKK", "JKM", "JHT", "JP", "JKP", "Pemberi kerja", "Pekerja", "Pemerintah", "Jumlah (Rp)",
                "Status saat ini", "Nonaktif jika tidak dibayar", "Tarif (lihat lembar Aturan)"]  # fmt: skip


_LINE_SCHEMA: dict[str, Any] = {
    "participant__nik": pl.String, "participant__name": pl.String, "participant__desa__name": pl.String,
    "participant__desa_id": pl.String, "participant__segment": pl.String, "first_month": pl.Date,
    "months": pl.Int64, "jkk": pl.Int64, "jkm": pl.Int64, "jht": pl.Int64, "jp": pl.Int64, "jkp": pl.Int64,
    "employer": pl.Int64, "worker": pl.Int64, "government": pl.Int64, "amount": pl.Int64,
    "participant__paid_through": pl.Date, "lapses_if_unpaid": pl.Boolean, "tariff": pl.Int64,
}  # fmt: skip
MONEY_COLUMNS = range(8, 17)  # JKK … Jumlah (Rp) in LINE_HEADERS


def line_frame(bill: Bill, views: FieldViews) -> pl.DataFrame:
    """The detail rows in LINE_HEADERS order, NIK and name as ``views`` (the user's export policy) shows them;
    status as of the bill month (the rule of ucj.registry.status.is_active, vectorised). One read, no Python
    per line: a 100,000-line bill is written near the floor (issue 17 §4)."""
    qs = BillLine.objects.filter(bill=bill).order_by("participant__desa_id", "participant__name")
    frame = read_frame(qs, _LINE_SCHEMA).rename(
        {"participant__nik": "nik", "participant__name": "name", "participant__paid_through": "paid"}
    )
    frame = apply_frame(frame, views)
    paid, month = pl.col("paid"), bill.month
    unpaid = (month.year - paid.dt.year().cast(pl.Int64)) * 12 + (month.month - paid.dt.month().cast(pl.Int64))
    active = paid.is_not_null() & (unpaid < settings.UCJ_LAPSE_MONTHS)
    amounts = ["jkk", "jkm", "jht", "jp", "jkp", "employer", "worker", "government", "amount"]
    return frame.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("No"),
        pl.col("nik").fill_null(""), pl.col("name").fill_null(""), pl.col("participant__desa__name").fill_null(""),
        pl.col("participant__desa_id"), pl.col("participant__segment"), pl.col("first_month").dt.strftime("%Y-%m"),
        pl.col("months"), *[pl.col(a) for a in amounts],
        pl.when(active).then(pl.lit("aktif")).otherwise(pl.lit("nonaktif")).alias("status"),
        pl.when(pl.col("lapses_if_unpaid")).then(pl.lit("ya")).otherwise(pl.lit("")).alias("lapses"),
        (pl.col("tariff") + 1).alias("tariff"),
    )  # fmt: skip


def bill_xlsx(bill: Bill, user: Any) -> bytes:
    """The workbook. Full NIKs and names only for roles whose export policy shows them in the bill's region
    (docs/privacy.md; the bpjs role's through ``UCJ_BPJS_FULL_NIK_EXPORTS``). Written by ucj.xlsx.Book: text
    cells are text, never a formula or a link."""
    views = views_for(user, bill.region_id, "export")
    book = Book()
    bold = book.style(bold=True)
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    money = book.style(num_format="#,##0")
    text = book.style(num_format="@")
    _summary(book.add_sheet("Ringkasan"), bill, bold, money)
    sheet = book.add_sheet("Rincian")
    sheet.set_column(1, 1, 20, text)
    sheet.set_column(2, 3, 24)
    sheet.set_column(MONEY_COLUMNS.start, MONEY_COLUMNS.stop - 1, 12, money)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, LINE_HEADERS, head)
    sheet.write_frame(1, line_frame(bill, views))
    _rules(book.add_sheet("Aturan"), bill, head)
    notes = book.add_sheet("Catatan")
    notes.set_column(2, 2, 100)
    notes.write_row(0, ["Kode", "Jumlah peserta", "Keterangan"], head)
    notes.write_rows(1, [[note["code"], note["count"], note["message"]] for note in bill.notes])
    _overdue(book.add_sheet("Tunggakan"), bill, head, money)
    return book.to_bytes()


def bill_csv(bill: Bill, user: Any) -> bytes:
    """The bill's lines as CSV (for very large bills; same columns and masking as the workbook's "Rincian"
    sheet). Text fields that a spreadsheet could read as a formula are quoted with ``'`` (ucj.xlsx.csv_frame)."""
    frame = line_frame(bill, views_for(user, bill.region_id, "export"))
    return csv_frame(frame.rename(dict(zip(frame.columns, LINE_HEADERS, strict=True))))


def _summary(sheet: Sheet, bill: Bill, bold: int, money: int) -> None:
    rows: list[tuple[str, Any]] = [
        ("Tagihan iuran BPJS Ketenagakerjaan", ""),
        ("Pembayar", bill.get_payer_display()), ("Wilayah", f"{bill.region_id} {bill.region.name}"),
        ("Bulan iuran", f"{bill.month:%Y-%m}"), ("Status", bill.get_status_display()),
        ("Peserta", bill.participants), ("Bulan-peserta (termasuk tunggakan)", bill.months),
        *[(f"Iuran {p}", v) for p, v in bill.program_totals.items()],
        ("Pemberi kerja", bill.employer_total), ("Pekerja", bill.worker_total),
        ("Pemerintah", bill.government_total), ("JUMLAH (Rp)", bill.total),
        ("Jatuh tempo", f"{bill.due_date:%Y-%m-%d}" if bill.due_date else "-"),
        ("Dibuat", f"{bill.created_at:%Y-%m-%d %H:%M}"),
        ("Pembulatan", "per pihak per program ke rupiah penuh, setengah ke atas (docs/contributions.md)"),
    ]  # fmt: skip
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 40)
    for r, (label, value) in enumerate(rows):
        if isinstance(value, int):
            sheet.write_row(r, [label, value], [bold, money])
        else:
            sheet.write_row(r, [label, str(value)], [bold, None])


def _rules(sheet: Sheet, bill: Bill, head: int) -> None:
    sheet.set_column(7, 8, 60)
    sheet.write_row(0, ["Tarif", "Bulan", "Segmen", "Program", "Dasar", "Tarif (%)", "Faktor keringanan",
                           "Aturan", "Dasar hukum"], head)  # fmt: skip
    r = 1
    for i, t in enumerate(bill.tariffs, start=1):
        for comp in t["components"]:
            rates = ", ".join(f"{k} {v:g}" for k, v in comp["rates"].items())
            sheet.write_row(r, [i, t["month"], t["segment"], comp["program"], comp["base"], rates,
                                   comp["factor"], " ".join(comp["rules"]), "; ".join(comp["sources"])])  # fmt: skip
            r += 1


def _overdue(sheet: Sheet, bill: Bill, head: int, money: int) -> None:
    """Months past their due date with the late fine (as of today; a paid bill: the day it was paid)."""
    from ucj.contributions.bills import bill_overdue  # bills.py is the service layer above this module

    due = bill_overdue(bill)
    sheet.set_column(3, 3, 14, money)
    sheet.set_column(7, 7, 14, money)
    sheet.set_column(8, 9, 60)
    sheet.write_row(0, [f"Bulan iuran yang lewat jatuh tempo per {due.as_of:%Y-%m-%d}; denda PU dibayar bersama "
                        "iuran bulan berikutnya, tidak termasuk jumlah tagihan; BPU tanpa denda"])  # fmt: skip
    sheet.write_row(1, ["Bulan iuran", "Segmen", "Peserta", "Iuran (Rp)", "Jatuh tempo", "Bulan terlambat",
                        "Denda (%/bulan)", "Denda (Rp)", "Aturan", "Dasar hukum"], head)  # fmt: skip
    sheet.write_rows(2, [[f"{m.month:%Y-%m}", m.segment, m.participants, m.amount, f"{m.due_date:%Y-%m-%d}",
                          m.months_late, "tanpa denda" if m.rate is None else float(m.rate), m.fine, m.rule,
                          "; ".join(m.sources)] for m in due.months])  # fmt: skip
    sheet.write_row(2 + len(due.months), ["Jumlah", "", "", due.amount, "", "", "", due.fine], head)
