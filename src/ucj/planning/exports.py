"""A saved plan as workbooks: the RKA lines a budget officer pastes into the budget (volume × unit price =
amount, per payer place — the province, each kab/kota, each village — with renewals and new workers on their own
lines, the account code, programme and activity from the region's code list), and the enrolment list per
village naming each worker's one payer."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from ucj.planning.groups import label
from ucj.xlsx import Book, Sheet, csv_frame

PAYER_NAMES = {"apbd_provinsi": "APBD Provinsi", "apbd_kabkota": "APBD Kabupaten/Kota", "apbdes": "APBDes",
               "apbn": "APBN", "other": "Lainnya (CSR, …)"}  # fmt: skip
APBDES_SOURCE_NAMES = {"add": "ADD", "dana_desa": "Dana Desa", "pad_desa": "PAD desa"}
PROGRAM_NAMES = {"JKK": "Jaminan Kecelakaan Kerja (JKK)", "JKM": "Jaminan Kematian (JKM)",
                 "JHT": "Jaminan Hari Tua (JHT)"}  # fmt: skip
RKA_HEADERS = ["Kode rekening", "Program", "Kegiatan", "Wilayah", "Uraian", "Volume (orang × bulan)", "Satuan",
               "Harga satuan (Rp)", "Jumlah (Rp)", "Dasar tarif"]  # fmt: skip
#: What a line says when the region has loaded no code list (`ucj plan codes load`): UCJ's own words, not an
#: official nomenclature (the codes and names of Permendagri 90/2019 are not in our sources).
DEFAULT_PROGRAMME = "Perlindungan jaminan sosial ketenagakerjaan pekerja rentan"
DEFAULT_ACTIVITY = "Pembayaran iuran BPJS Ketenagakerjaan"
Codes = dict[tuple[str, str, str], dict[str, str]]  # (region, payer kind, programme or "") → code, programme, activity


def account(codes: Codes, places: list[str], kind: str, program: str) -> dict[str, str]:
    """The code-list entry for a line: the first of ``places`` (the payer's own region, then its parents) that
    has an entry for this payer and programme, or for this payer and any programme."""
    for place in places:
        for key in ((place, kind, program), (place, kind, "")):
            if key in codes:
                return codes[key]
    return {"code": "", "programme": DEFAULT_PROGRAMME, "activity": DEFAULT_ACTIVITY}


def _places_of(payer: str, region: str) -> list[str]:
    """The regions whose code list may hold a payer place's codes: a village's own, then its kab/kota's; a
    kab/kota's; the province's for the province APBD; the plan's region otherwise."""
    kind, _, code = payer.partition(":")
    if kind == "apbd_provinsi":
        return [region[:2]]
    if code:
        parts = code.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    return [region, region[:2]]


def _runs(result: dict[str, Any], kind: str) -> Counter[tuple[str, int, str]]:
    """Months per (programme, monthly amount, source) of one payer's cost per worker."""
    lines = result["unit_cost_lines"]
    mine = [line for line in lines if line.get("payer", kind) == kind]
    return Counter((line["program"], line["amount"], line["source"]) for line in mine)


def rka_lines(result: dict[str, Any], codes: Codes | None = None, names: dict[str, str] | None = None,
              ) -> list[dict[str, Any]]:  # fmt: skip
    """One line per payer place × (renewals, new workers) × programme × monthly amount: volume in
    worker-months, the unit price (the payer's monthly contribution per worker, whole rupiah, never a share of
    it) and amount, with the account code, programme and activity from the code list. The lines add up to the
    plan's cost exactly."""
    spec, codes, names = result["spec"], codes or {}, names or {}
    places = result.get("payers") or [  # a plan saved before one payer per worker
        {"payer": p, "kind": p, "funded": result.get("funded", 0), "renewals": 0} for p in list(spec["shares"])[:1]
    ]
    source = spec.get("apbdes_source", "add")
    lines = []
    for place in places:
        kind, _, code = place["payer"].partition(":")
        payer_name = PAYER_NAMES.get(kind, kind)
        if kind == "apbdes":
            payer_name += f" ({APBDES_SOURCE_NAMES.get(source, source)})"
        for what, workers in (("peserta lanjutan", place["renewals"]), ("peserta baru", place["funded"])):
            if not workers:
                continue
            for (program, amount, rule_source), months in sorted(_runs(result, kind).items()):
                entry = account(codes, _places_of(place["payer"], spec["region"]), kind, program)
                lines.append({
                    "payer": place["payer"], "kind": kind, "region": code or spec["region"],
                    "region_name": names.get(code, ""), "program": program, "code": entry["code"],
                    "programme": entry["programme"], "activity": entry["activity"], "what": what,
                    "description": f"Iuran {PROGRAM_NAMES.get(program, program)} pekerja rentan (BPU), {what} — "
                                   f"{payer_name}",
                    "volume": workers * months, "workers": workers, "months": months, "unit_price": amount,
                    "amount": workers * months * amount, "source": rule_source,
                })  # fmt: skip
    for region, amount in sorted((result.get("bantuan") or {}).items()):  # the province's grants
        entry = account(codes, [spec["region"][:2]], "apbd_provinsi", "")
        lines.append({
            "payer": "apbd_provinsi", "kind": "apbd_provinsi", "region": region, "region_name": names.get(region, ""),
            "program": "", "code": entry["code"], "programme": entry["programme"], "activity": entry["activity"],
            "what": "bantuan keuangan", "grant": True,
            "description": f"Bantuan keuangan kepada pemerintah kabupaten/kota {region} untuk iuran BPJS "
                           f"Ketenagakerjaan pekerja rentan (dibelanjakan APBD kabupaten/kota)",
            "volume": 1, "workers": 0, "months": 0, "unit_price": amount, "amount": amount,
            "source": "bantuan keuangan (hibah bersyarat) provinsi",
        })  # fmt: skip
    return lines


def rka_xlsx(name: str, result: dict[str, Any], codes: Codes | None = None, names: dict[str, str] | None = None,
             ) -> bytes:  # fmt: skip
    """The RKA workbook: a summary sheet (renewals and new workers on their own rows), then one sheet of lines
    per payer (each kab/kota and village on its own lines)."""
    book = Book()  # text stays text (ucj.xlsx)
    bold = book.style(bold=True)
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    money = book.style(num_format="#,##0")
    text = book.style(num_format="@")
    lines = rka_lines(result, codes, names)
    summary = book.add_sheet("Ringkasan")
    summary.set_column(0, 0, 42)
    summary.set_column(1, 1, 22, money)
    spec = result["spec"]
    renewals = result.get("renewals") or {}
    rows: list[tuple[str, Any]] = [
        ("Skenario", name), ("Wilayah", spec["region"]), ("Tahun", spec["year"]),
        ("Bulan", f"{spec['start_month']}–{spec['start_month'] + spec['months'] - 1}"),
        ("Program", ", ".join(spec["programs"])),
        ("Peserta lanjutan (sudah didanai)", renewals.get("workers", 0)),
        ("Perkiraan berhenti (laju berhenti)", renewals.get("lapses", 0)),
        ("Peserta lanjutan dibayar", renewals.get("paid", 0)),
        ("Biaya peserta lanjutan (Rp)", renewals.get("cost", 0)),
        ("Pekerja baru didanai", result.get("funded", 0)),
        ("Biaya pekerja baru (Rp)", result.get("new_cost", result.get("cost", 0))),
        ("Total biaya (Rp)", result.get("cost", 0)),
    ]  # fmt: skip
    rows += [(f"Iuran per pekerja untuk periode, {PAYER_NAMES.get(p, p)} (Rp)", c)
             for p, c in (result.get("unit_costs") or {}).items()]  # fmt: skip
    rows += [(f"Bagian {PAYER_NAMES.get(p, p)} (Rp)", a) for p, a in result.get("by_payer", {}).items()]
    grants = sum((result.get("bantuan") or {}).values())
    if grants:
        rows.append(("Bantuan keuangan provinsi ke kab/kota (Rp)", grants))
    spent = sum(line["amount"] for line in lines if not line.get("grant"))  # a grant is spent by the kab/kota
    rows.append(("Selisih baris RKA dan total (Rp)", spent - result.get("cost", 0)))
    for r, (key, value) in enumerate(rows):
        summary.write_row(r, [key, value], [bold, None])
    for kind in dict.fromkeys(line["kind"] for line in lines):
        sheet = book.add_sheet(PAYER_NAMES.get(kind, kind).replace("/", "-")[:31])  # no "/" in sheet names
        sheet.set_column(0, 0, 18, text)
        sheet.set_column(1, 2, 30)
        sheet.set_column(3, 3, 24)
        sheet.set_column(4, 4, 70)
        sheet.set_column(5, 8, 16, money)
        sheet.set_column(9, 9, 40)
        sheet.write_row(0, RKA_HEADERS, head)
        mine = [line for line in lines if line["kind"] == kind]
        sheet.write_rows(1, [[line["code"], line["programme"], line["activity"],
                              f"{line['region']} {line['region_name']}".strip(), line["description"],
                              line["volume"], "orang-bulan", line["unit_price"], line["amount"],
                              line["source"]] for line in mine])  # fmt: skip
        total = sum(line["amount"] for line in mine)
        sheet.write_row(len(mine) + 1, [None, None, None, None, "Jumlah", None, None, None, total],
                        [None, None, None, None, bold, None, None, None, money])  # fmt: skip
    return book.to_bytes()


ENROL_HEADERS = ["No", "Kode desa", "Desa/Kelurahan", "Kab/Kota", "NIK", "Nama", "Kelompok", "Desil",
                 "Pembayar", "Iuran per bulan (Rp)", "Jumlah bulan", "Iuran periode (Rp)"]  # fmt: skip


def enrolment_xlsx(name: str, people: pl.DataFrame, villages: pl.DataFrame, unlisted: pl.DataFrame) -> bytes:
    """The enrolment list (masked by the caller as the role requires), the expected bill per village, and
    the unlisted vulnerable workers still to be named per kab/kota."""
    book = Book()  # text stays text (ucj.xlsx)
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    money = book.style(num_format="#,##0")
    text = book.style(num_format="@")
    sheet = book.add_sheet("Daftar pendaftaran")
    sheet.set_column(4, 4, 20, text)
    sheet.set_column(5, 5, 26)
    sheet.set_column(8, 8, 36)
    sheet.set_column(9, 11, 14, money)
    sheet.write_row(0, ENROL_HEADERS, head)
    sheet.write_frame(1, enrolment_rows(people))
    _table(book.add_sheet("Tagihan per desa"), villages, head, money)
    _table(book.add_sheet("Belum terdata"), unlisted, head, money)
    sheet = book.add_sheet("Keterangan")
    note = "Daftar diambil dari registri saat diunduh: peserta yang sudah aktif tidak dimasukkan."
    sheet.write_rows(0, [[f"Skenario: {name}"], [note]])
    return book.to_bytes()


def enrolment_rows(people: pl.DataFrame) -> pl.DataFrame:
    """The enrolment list in ENROL_HEADERS order (numbered, groups by their label; no decile: empty),
    vectorised so a province-wide list is written near the floor (issue 17 §4)."""
    desa, desa_name, kab, nik, person, group, decile, payer, monthly, months, total = people.columns
    labels = {g: label(g) for g in people.get_column(group).unique().drop_nulls().to_list()}
    return people.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("No"), desa, desa_name, kab, nik, person,
        pl.col(group).replace_strict(labels, default=pl.col(group), return_dtype=pl.String).alias("Kelompok"),
        decile, payer, monthly, months, total,
    )  # fmt: skip


def enrolment_csv(people: pl.DataFrame) -> bytes:
    """The enrolment list alone as CSV (a province-wide list; same columns as the workbook's first sheet), text
    guarded against formula injection with a leading ``'`` (ucj.xlsx.csv_frame)."""
    rows = enrolment_rows(people)
    return csv_frame(rows.rename(dict(zip(rows.columns, ENROL_HEADERS, strict=True))))


def _table(sheet: Sheet, frame: pl.DataFrame, head: int, money: int) -> None:
    sheet.set_column(0, len(frame.columns), 18, money)
    sheet.write_row(0, frame.columns, head)
    sheet.write_frame(1, frame)
