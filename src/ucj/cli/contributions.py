"""``ucj contributions …`` — the iuran calculator (the same service as the page and the API)."""

from __future__ import annotations

from typing import Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Contributions (iuran): the calculator.", no_args_is_help=True)
WIDE = 130  # terminal columns from which the rule ids fit in the table


def rupiah(value: int) -> str:
    """Whole rupiah with Indonesian thousands dots: 1.234.567."""
    return f"{value:,}".replace(",", ".")


@app.command("calc")
def calc(
    segment: str = typer.Option(..., "--segment", help="PU, BPU, JAKON or PMI."),
    month: str = typer.Option(None, "--month", help="Contribution month YYYY-MM (default: this month)."),
    wage: str = typer.Option(None, "--wage", help="PU wage (basic + fixed allowances), Rp per month."),
    income: str = typer.Option(None, "--income", help="BPU declared income, Rp per month (same field as --wage)."),
    risk_class: int = typer.Option(1, "--risk-class", help="PU JKK risk class 1-5."),
    jkp: bool = typer.Option(False, "--jkp", help="PU participant enrolled in JKP."),
    programs: str = typer.Option(None, "--programs", help="Comma list, e.g. JKK,JKM,JHT (default: the usual)."),
    payer: str = typer.Option(
        "mandiri", "--payer", help="mandiri, employer, apbn, apbd_provinsi, apbd_kabkota (apbd), apbdes or other."
    ),
    sector: str = typer.Option("other", "--sector", help="other, transport (PP 50/2025, BPU) or a PP 7/2025 "
                               "labour-intensive industry: textile, footwear, leather, furniture, food, toys."),
    employees: str = typer.Option(None, "--employees", help="PU: the employer's number of workers (PP 7/2025: ≥ 50)."),
    region: str = typer.Option(None, "--region", help="The participant's kab/kota code (16.71): UMK/UMP warning."),
    contract_value: str = typer.Option(None, "--contract-value", help="JAKON contract value, Rp."),
    contract_months: str = typer.Option(None, "--contract-months", help="PMI contract length in months."),
    no_pre_placement: bool = typer.Option(False, "--no-pre-placement", help="PMI: without pre-placement cover."),
    as_json: bool = typer.Option(False, "--json", help="Print the breakdown as one JSON object."),
) -> None:
    """One contribution breakdown: per programme base, rate, amount, who pays, and the rule and source used."""
    boot()
    from ucj.contributions.calculator import CalcError
    from ucj.contributions.forms import build_inputs
    from ucj.contributions.rules import RuleMissing
    from ucj.contributions.services import calculate_contribution

    try:
        inputs = build_inputs(
            segment=segment, month=month, wage=wage, income=income, risk_class=risk_class, jkp=jkp,
            programs=programs, payer=payer, sector=sector, contract_value=contract_value,
            contract_months=contract_months, pre_placement=not no_pre_placement, employees=employees,
            region=region,
        )  # fmt: skip
        breakdown = calculate_contribution(inputs)
    except CalcError as err:
        fail(str(err), as_json=as_json, code="INPUT_REJECTED")
    except RuleMissing as err:
        fail(str(err), as_json=as_json, code="RULE_MISSING")
    if as_json:
        emit_json(breakdown.as_dict())
        return
    _print(breakdown.as_dict())


def _print(data: dict[str, Any]) -> None:
    """The breakdown for people. Texts come from the rules table (editable): escaped, never markup.

    On a narrow terminal the rule column holds a key ``[n]`` into the list of rules and sources below it.
    """
    period = {"month": "per bulan / per month", "project": "per proyek / per project",
              "contract": "per perjanjian / per contract"}.get(data["period"], data["period"])  # fmt: skip
    console.print(f"[bold]Iuran / contribution {data['segment']}[/] {data['month']} ({period})")
    wide = console.width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Program\nprogramme", no_wrap=True)
    for header in ("Dasar\nbase", "Tarif\nrate", "Jumlah\namount", "Pemberi\nkerja\nemployer", "Pekerja\nworker",
                   "Peme-\nrintah\ngovern-\nment"):  # fmt: skip
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Aturan\nrule", overflow="fold", min_width=6)
    keys: dict[tuple[str, str], int] = {}
    for c in data["components"]:
        key = keys.setdefault((", ".join(c["rules"]), c["source"]), len(keys) + 1)
        rate = "tetap" if c["rate"] is None else f"{c['rate']:g} %"
        if c["factor"] is not None:
            rate += f" × {c['factor']:g}"
        table.add_row(
            escape(c["program"]), rupiah(c["base"]), rate, rupiah(c["amount"]), rupiah(c["employer"]),
            rupiah(c["worker"]), rupiah(c["government"]), escape(", ".join(c["rules"]) if wide else f"[{key}]"),
        )  # fmt: skip
    table.add_section()
    table.add_row("[bold]Total[/]", "", "", f"[bold]{rupiah(data['total'])}[/]", rupiah(data["employer_total"]),
                  rupiah(data["worker_total"]), rupiah(data["government_total"]), "")  # fmt: skip
    console.print(table)
    for warning in data["warnings"]:
        console.print(f"[yellow]Peringatan / warning:[/] {escape(warning)}")
    for c in data["components"]:
        if c["deferred"]:
            console.print(escape(f"Ditunda / deferred {c['program']}: Rp {rupiah(c['deferred'])} (bukan dihapus / not "
                                 "waived)"))
        if c["note"]:
            console.print(escape(f"{c['program']}: {c['note']}"), style="dim")
    console.print("[bold]Aturan dan sumber / rules and sources[/]")
    for (rules, source), key in keys.items():
        console.print(escape(f"  [{key}] {rules}: {source}"))
