"""A saved plan as workbooks: the RKA lines a budget officer pastes into the budget (volume × unit cost =
amount, per payer and, for the kab/kota APBD, per kab/kota), and the enrolment list per village."""

from __future__ import annotations

import io
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from ucj.planning.groups import label
from ucj.xlsx import workbook

PAYER_NAMES = {"apbd_provinsi": "APBD Provinsi", "apbd_kabkota": "APBD Kabupaten/Kota", "apbdes": "APBDes",
               "apbn": "APBN", "other": "Lainnya (CSR, …)"}  # fmt: skip
PROGRAM_NAMES = {"JKK": "Jaminan Kecelakaan Kerja (JKK)", "JKM": "Jaminan Kematian (JKM)",
                 "JHT": "Jaminan Hari Tua (JHT)"}  # fmt: skip
RKA_HEADERS = ["Kode rekening", "Wilayah", "Uraian", "Volume (orang × bulan)", "Satuan", "Harga satuan (Rp)",
               "Jumlah (Rp)", "Dasar tarif"]  # fmt: skip


def _price(amount: int, share: float) -> int:
    return int((Decimal(amount) * Decimal(str(share))).to_integral_value(ROUND_HALF_UP))


def rka_lines(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per payer × (kab/kota for the kab/kota APBD) × programme × monthly amount: volume in
    worker-months, the payer's unit price (its share of the monthly contribution, whole rupiah) and amount."""
    spec = result["spec"]
    per_program = Counter((line["program"], line["amount"], line["source"]) for line in result["unit_cost_lines"])
    lines = []
    for payer in [p for p in PAYER_NAMES if p in spec["shares"]]:  # a fixed order (jsonb reorders keys)
        share = spec["shares"][payer]
        if share <= 0:
            continue
        places = ([(r["region"], r["name"], r["funded"]) for r in result["regions"] if r["funded"]]
                  if payer == "apbd_kabkota" else [(spec["region"], "", result["funded"])])  # fmt: skip
        for code, name, workers in places:
            for (program, amount, source), months in sorted(per_program.items()):
                price = _price(amount, share)
                lines.append({
                    "payer": payer, "region": code, "region_name": name, "program": program,
                    "description": f"Iuran {PROGRAM_NAMES.get(program, program)} pekerja rentan (BPU) — "
                                   f"{PAYER_NAMES.get(payer, payer)} {round(share * 100, 2):g} %",
                    "volume": workers * months, "workers": workers, "months": months, "unit_price": price,
                    "amount": workers * months * price, "source": source,
                })  # fmt: skip
    return lines


def rka_xlsx(name: str, result: dict[str, Any]) -> bytes:
    """The RKA workbook: a summary sheet, then one sheet of lines per payer."""
    buf = io.BytesIO()
    book = workbook(buf)  # text stays text (ucj.xlsx)
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DCEBF7", "text_wrap": True})
    money = book.add_format({"num_format": "#,##0"})
    lines = rka_lines(result)
    summary = book.add_worksheet("Ringkasan")
    summary.set_column(0, 0, 42)
    summary.set_column(1, 1, 22, money)
    spec = result["spec"]
    rows: list[tuple[str, Any]] = [
        ("Skenario", name), ("Wilayah", spec["region"]), ("Tahun", spec["year"]),
        ("Bulan", f"{spec['start_month']}–{spec['start_month'] + spec['months'] - 1}"),
        ("Program", ", ".join(spec["programs"])), ("Pekerja didanai", result.get("funded", 0)),
        ("Iuran per pekerja untuk periode (Rp)", result["unit_cost"]), ("Total biaya (Rp)", result.get("cost", 0)),
    ]  # fmt: skip
    rows += [(f"Bagian {PAYER_NAMES.get(p, p)} (Rp)", a) for p, a in result.get("by_payer", {}).items()]
    rounding = sum(line["amount"] for line in lines) - result.get("cost", 0)
    rows.append(("Selisih pembulatan harga satuan (Rp)", rounding))
    for r, (key, value) in enumerate(rows):
        summary.write(r, 0, key, bold)
        summary.write(r, 1, value)
    for payer in dict.fromkeys(line["payer"] for line in lines):
        sheet = book.add_worksheet(PAYER_NAMES.get(payer, payer).replace("/", "-")[:31])  # no "/" in sheet names
        sheet.set_column(0, 1, 16)
        sheet.set_column(2, 2, 70)
        sheet.set_column(3, 6, 16, money)
        sheet.set_column(7, 7, 40)
        sheet.write_row(0, 0, RKA_HEADERS, head)
        mine = [line for line in lines if line["payer"] == payer]
        for r, line in enumerate(mine, start=1):
            sheet.write_row(r, 0, ["", f"{line['region']} {line['region_name']}".strip(), line["description"],
                                   line["volume"], "orang-bulan", line["unit_price"], line["amount"],
                                   line["source"]])  # fmt: skip
        sheet.write(len(mine) + 1, 2, "Jumlah", bold)
        sheet.write(len(mine) + 1, 6, sum(line["amount"] for line in mine), money)
    book.close()
    return buf.getvalue()


ENROL_HEADERS = ["No", "Kode desa", "Desa/Kelurahan", "Kab/Kota", "NIK", "Nama", "Kelompok", "Desil",
                 "Iuran per bulan (Rp)", "Jumlah bulan", "Iuran periode (Rp)"]  # fmt: skip


def enrolment_xlsx(name: str, people: pl.DataFrame, villages: pl.DataFrame, unlisted: pl.DataFrame) -> bytes:
    """The enrolment list (masked by the caller as the role requires), the expected bill per village, and
    the unlisted vulnerable workers still to be named per kab/kota."""
    buf = io.BytesIO()
    book = workbook(buf)  # text stays text (ucj.xlsx)
    head = book.add_format({"bold": True, "bg_color": "#DCEBF7", "text_wrap": True})
    money = book.add_format({"num_format": "#,##0"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("Daftar pendaftaran")
    sheet.set_column(4, 4, 20, text)
    sheet.set_column(5, 5, 26)
    sheet.set_column(8, 10, 14, money)
    sheet.write_row(0, 0, ENROL_HEADERS, head)
    for r, row in enumerate(people.iter_rows(), start=1):
        desa, desa_name, kab, nik, person, group, decile, monthly, months, total = row
        sheet.write_row(r, 0, [r, desa, desa_name, kab, nik, person, label(group), decile or "", monthly, months,
                               total])  # fmt: skip
    _table(book.add_worksheet("Tagihan per desa"), villages, head, money)
    _table(book.add_worksheet("Belum terdata"), unlisted, head, money)
    sheet = book.add_worksheet("Keterangan")
    sheet.write(0, 0, f"Skenario: {name}")
    sheet.write(1, 0, "Daftar diambil dari registri saat diunduh: peserta yang sudah aktif tidak dimasukkan.")
    book.close()
    return buf.getvalue()


def _table(sheet: Any, frame: pl.DataFrame, head: Any, money: Any) -> None:
    sheet.set_column(0, len(frame.columns), 18, money)
    sheet.write_row(0, 0, frame.columns, head)
    for r, row in enumerate(frame.iter_rows(), start=1):
        sheet.write_row(r, 0, list(row))
