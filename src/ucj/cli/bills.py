"""``ucj contributions bill | pay | status`` — bills per payer and month, payments, active status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from ucj import months
from ucj.cli.files import user_named
from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot


def parse_month(text: str, *, as_json: bool = False) -> dt.date:
    try:
        return months.parse_month(text)
    except ValueError as err:
        fail(str(err), as_json=as_json, code="BAD_MONTH")


def bill(
    payer: str = typer.Option(
        ..., "--payer", help="mandiri, employer, apbn, apbd_provinsi, apbd_kabkota (or apbd), apbdes, other."
    ),
    region: str = typer.Option(
        ..., "--region", help="Region code: the province, kab/kota or desa of an APBD/APBDes bill."
    ),
    month: str = typer.Option(..., "--month", help="Contribution month YYYY-MM."),
    out: Path = typer.Option(None, "--out", help="Also write the bill as .xlsx, or its lines as CSV when FILE ends "
                             "in .csv or with --format csv (personal data: audited)."),
    fmt: str = typer.Option(None, "--format", help="xlsx or csv (default: from the --out file name)."),
    user: str = typer.Option(None, "--user", help="Bill as this user (their regions apply; audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compute and store the bill of a payer for a month (replaces an unpaid bill of the same month)."""
    boot()
    from ucj.accounts import audit
    from ucj.contributions.bills import BillRefused, bill_summary, create_bill
    from ucj.contributions.exports import bill_csv, bill_xlsx

    kind = (fmt or ("csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx")).lower()
    if kind not in ("xlsx", "csv"):
        fail("Format harus xlsx atau csv. / Format must be xlsx or csv.", as_json=as_json, code="USAGE", exit_code=2)
    when = parse_month(month, as_json=as_json)
    actor = user_named(user)
    try:
        made = create_bill(actor, "apbd_kabkota" if payer == "apbd" else payer, region, when)
    except BillRefused as err:
        fail(str(err), as_json=as_json, code="REFUSED")
    if out is not None:
        out.write_bytes(bill_csv(made, actor) if kind == "csv" else bill_xlsx(made, actor))
        audit.record("bill.export", actor=actor, object_type="bill", object_id=made.pk, region_code=made.region_id,
                     summary=f"{made} → {out.name}")  # fmt: skip
    if as_json:
        emit_json(bill_summary(made))
        return
    table = Table("Program", "Rp", title=f"{made} — #{made.pk}")
    for program, amount in made.program_totals.items():
        table.add_row(program, f"{amount:,}")
    table.add_row("Pemberi kerja / employer", f"{made.employer_total:,}")
    table.add_row("Pekerja / worker", f"{made.worker_total:,}")
    table.add_row("Pemerintah / government", f"{made.government_total:,}")
    table.add_row("[bold]Jumlah / total", f"[bold]{made.total:,}")
    console.print(table)
    console.print(f"Peserta / participants: {made.participants:,}; bulan-peserta / participant-months {made.months:,}")
    for note in made.notes:
        console.print(f"[yellow]{note['count']:,}[/] {note['message']}")
    late = bill_summary(made)["overdue"]
    console.print(f"Jatuh tempo / due: {made.due_date or '-'}; lewat jatuh tempo per / overdue as of {late['as_of']}: "
                  f"{len(late['months'])} bulan/months, iuran Rp {late['contribution']:,}, "
                  f"denda / fine Rp {late['fine']:,}")  # fmt: skip
    if out is not None:
        console.print(f"→ {out}")


def pay(
    bill_id: int = typer.Option(None, "--bill", help="Record the whole bill as paid."),
    nik: str = typer.Option(None, "--nik", help="Or: record one participant's payment (with --through, --amount)."),
    through: str = typer.Option(None, "--through", help="Participant payment: paid through this month YYYY-MM."),
    amount: int = typer.Option(None, "--amount", help="Amount paid (Rp). For a bill it must equal the bill total."),
    paid_on: str = typer.Option(None, "--paid-on", help="Payment date YYYY-MM-DD (default today)."),
    reference: str = typer.Option("", "--reference", help="Receipt or transfer number."),
    user: str = typer.Option(..., "--user", help="Record as this user (audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Record a payment; the participants' paid-through date moves and with it their status."""
    boot()
    from ucj.contributions.bills import BillRefused, pay_bill, pay_participant
    from ucj.contributions.models import Bill
    from ucj.registry.models import Participant

    if (bill_id is None) == (nik is None):
        fail("Pilih --bill atau --nik / give either --bill or --nik", as_json=as_json, code="USAGE", exit_code=2)
    try:
        day = dt.date.fromisoformat(paid_on) if paid_on else dt.date.today()
    except ValueError:
        fail(f"Tanggal harus YYYY-MM-DD / the date must be YYYY-MM-DD: {paid_on}", as_json=as_json, code="BAD_DATE")
    actor = user_named(user)
    try:
        if bill_id is not None:
            target = Bill.objects.filter(pk=bill_id).first()
            if target is None:
                fail(f"Tagihan tidak ada / no such bill: {bill_id}", as_json=as_json, code="NOT_FOUND")
            payment = pay_bill(actor, target, paid_on=day, reference=reference, amount=amount)
        else:
            if through is None or amount is None:
                fail("--through dan --amount wajib / are required with --nik", as_json=as_json, code="USAGE",
                     exit_code=2)  # fmt: skip
            person = Participant.objects.filter(nik=nik.strip()).first()
            if person is None:
                fail("NIK tidak ada di registri / NIK not in the registry", as_json=as_json, code="NOT_FOUND")
            payment = pay_participant(actor, person, through=parse_month(through, as_json=as_json), amount=amount,
                                      paid_on=day, reference=reference)  # fmt: skip
    except BillRefused as err:
        fail(str(err), as_json=as_json, code="REFUSED")
    result = {"payment": payment.pk, "paid_through": payment.paid_through.isoformat(), "amount": payment.amount}
    if as_json:
        emit_json(result)
    else:
        console.print(f"Pembayaran / payment #{payment.pk}: Rp {payment.amount:,}, s.d. {payment.paid_through}")


def status(
    region: str = typer.Option("16", "--region", help="Region code (default Sumsel, 16)."),
    as_of: str = typer.Option(None, "--as-of", help="Date YYYY-MM-DD (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Active and non-active participants per segment and payer in a region on a date (lapse rule)."""
    boot()
    from ucj.contributions.status import status_summary

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        fail(f"Tanggal harus YYYY-MM-DD / the date must be YYYY-MM-DD: {as_of}", as_json=as_json, code="BAD_DATE")
    summary = status_summary(region, day)
    if as_json:
        emit_json(summary)
        return
    table = Table("Segmen", "Pembayar / payer", "Aktif", "Nonaktif", title=f"{region} per {day}")
    for row in summary["rows"]:
        table.add_row(row["segment"], row["payer"] or "-", f"{row['active']:,}", f"{row['inactive']:,}")
    console.print(table)
    console.print(f"Aturan / rule: nonaktif setelah {summary['lapse_months']} bulan berturut-turut tidak dibayar")
