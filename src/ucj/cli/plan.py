"""``ucj plan`` — budget planning: what reaching the target costs and the best use of a subsidy budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ucj.cli.files import user_named
from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Budget planning: cost of the target, best split of a subsidy budget.", no_args_is_help=True)


def _rupiah(text: str, name: str, as_json: bool) -> int:
    """``20000000000``, ``20.000.000.000`` or ``20_000_000_000`` rupiah."""
    digits = text.replace(".", "").replace("_", "").replace(",", "").strip()
    if not digits.isdigit():
        fail(f"{name}: bukan jumlah rupiah / not an amount in rupiah: {text}", as_json=as_json, code="USAGE")
    return int(digits)


def _pairs(text: str | None, name: str, as_json: bool, percent: bool = False) -> dict[str, Any]:
    """``apbd_provinsi=60,apbd_kabkota=40`` (percent) or ``16.06=5000000000`` (rupiah)."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, _, value = part.partition("=")
        if not value:
            fail(f"{name}: '{part}' harus KUNCI=NILAI / must be KEY=VALUE", as_json=as_json, code="USAGE")
        try:
            out[key.strip()] = float(value) / 100 if percent else _rupiah(value, name, as_json)
        except ValueError:
            fail(f"{name}: '{value}' bukan angka / not a number", as_json=as_json, code="USAGE")
    return out


@app.command("run")
def run(
    region: str = typer.Option("16", "--region", help="Province or kab/kota code (default Sumsel, 16)."),
    year: int = typer.Option(..., "--year", help="Budget year."),
    budget: str = typer.Option(None, "--budget", help="Budget ceiling in rupiah (the forward question)."),
    minimise: bool = typer.Option(
        False, "--minimise", help="Inverse question: the least budget reaching the region's target (and the floors)."
    ),
    shares: str = typer.Option(
        None,
        "--shares",
        help="Each payer's share of the budget in percent, e.g. apbd_provinsi=60,apbd_kabkota=40: the province "
        "funds some workers, each kab/kota others, never a split of one worker (default: the region's own APBD).",
    ),
    apbdes_source: str = typer.Option(
        "add", "--apbdes-source", help="Where APBDes money comes from: add, dana_desa (PKTD workers only), pad_desa."
    ),
    lapse_rate: float = typer.Option(
        None, "--lapse-rate", help="Share of BPU expected to lapse in the year, percent (default: the registry's "
        "estimate, else UCJ_PLAN_LAPSE_RATE)."
    ),
    payer_limits: str = typer.Option(
        None, "--payer-limit", help="Ceiling of a payer that pays everywhere, e.g. apbd_provinsi=12000000000."
    ),
    kab_limits: str = typer.Option(
        None, "--kab-limit", help="Each kab/kota's budget for its share, e.g. 16.06=2000000000,16.71=3000000000."
    ),
    bantuan: str = typer.Option(
        None, "--bantuan", help="The province's bantuan keuangan (earmarked grant) per kab/kota, spent by its APBD on "
        "workers, e.g. 16.06=500000000."
    ),
    start: int = typer.Option(1, "--start", help="First month paid (1-12)."),
    months: int = typer.Option(12, "--months", help="Months paid (to December at most)."),
    groups: str = typer.Option(
        None, "--groups", help="Eligible groups, comma-separated (default all; see docs/planning.md)."
    ),
    max_decile: int = typer.Option(
        None, "--max-decile", help="Only listed workers of welfare decile 1..N (unknown deciles stay eligible)."
    ),
    jht: bool = typer.Option(False, "--jht", help="Also pay JHT (2 % of the band) besides JKK and JKM."),
    floor: str = typer.Option(
        "none",
        "--floor",
        help="Per kab/kota minimum: none, target (each reaches its own "
        "target) or share:PCT (that percent of its eligible workers).",
    ),
    save: str = typer.Option(None, "--save", help="Save the scenario under this name."),
    user: str = typer.Option(None, "--user", help="Plan as this user (their regions apply; saving is audited)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Solve a scenario: workers funded per kab/kota, cost per payer, coverage reached against the target."""
    boot()
    from ucj.planning import services
    from ucj.planning.groups import GROUPS
    from ucj.planning.scenario import ScenarioError, Spec

    floor_rule, _, floor_pct = floor.partition(":")
    spec = Spec(
        region=region, year=year, question="min_budget" if minimise else "max_coverage",
        budget=_rupiah(budget, "--budget", as_json) if budget else None, start_month=start, months=months,
        shares=_pairs(shares, "--shares", as_json, percent=True) or _default_shares(region),
        payer_limits=_pairs(payer_limits, "--payer-limit", as_json),
        kab_limits=_pairs(kab_limits, "--kab-limit", as_json),
        groups=tuple(g.strip() for g in groups.split(",")) if groups else tuple(GROUPS), max_decile=max_decile,
        programs=("JKK", "JKM", "JHT") if jht else ("JKK", "JKM"), floor=floor_rule,  # type: ignore[arg-type]
        floor_share=float(floor_pct or 0), apbdes_source=apbdes_source, bantuan=_pairs(bantuan, "--bantuan", as_json),
        lapse_rate=lapse_rate / 100 if lapse_rate is not None else None,
    )  # fmt: skip
    actor = user_named(user)
    try:
        if save:
            saved = services.save(actor, save, spec)
            result = {"id": saved.pk, "name": saved.name, **saved.result}
        else:
            result = services.run(spec, actor)
    except (ScenarioError, services.PlanRefused) as err:
        fail(str(err), as_json=as_json, code="REFUSED" if isinstance(err, services.PlanRefused) else "BAD_SCENARIO")
    if as_json:
        emit_json(result)
    else:
        _print(result)
    if result["status"] != "optimal":
        raise typer.Exit(1)


def _default_shares(region: str) -> dict[str, float]:
    return {"apbd_provinsi" if region.replace(".", "").strip().isdigit() and len(region.strip()) == 2
            else "apbd_kabkota": 1.0}  # fmt: skip


def _print(result: dict[str, Any]) -> None:
    spec = result["spec"]
    costs = ", ".join(f"{p} Rp {c:,}" for p, c in (result.get("unit_costs") or {}).items())
    console.print(f"[bold]Rencana {spec['region']} {spec['year']}[/] — data s.d. {result['as_of']}; iuran per "
                  f"pekerja untuk {spec['months']} bulan: {costs}")  # fmt: skip
    if result["status"] != "optimal":
        console.print("[bold red]Tidak dapat dipenuhi / infeasible:[/]")
        for p in result["problems"]:
            console.print(f"  • {escape(p['message'])} / {escape(p['message_en'])}")
        return
    table = Table("Kode", "Kab/Kota", "Lanjutan", "Baru", "Biaya (Rp)", "Cakupan → setelah", "Target", "Sisa kurang")
    for r in result["regions"]:
        before = f"{100 * r['covered'] / r['denominator']:.2f}%" if r["denominator"] else "—"
        after = f"{r['rate_after']:.2f}%" if r["rate_after"] is not None else "—"
        table.add_row(r["region"], escape(r["name"]), f"{r['renewals']:,}", f"{r['funded']:,}", f"{r['cost']:,}",
                      f"{before} → {after}",
                      f"{r['target_count']:,}" if r["target_count"] is not None else "—",
                      f"{r['gap_after']:,}" if r["gap_after"] is not None else "—")  # fmt: skip
    console.print(table)
    payers = ", ".join(f"{p} Rp {a:,}" for p, a in result["by_payer"].items())
    after, again, lapse = result["region_after"], result["renewals"], result["lapse"]
    console.print(f"Peserta lanjutan / renewals: {again['workers']:,} − {again['lapses']:,} berhenti / lapsing = "
                  f"{again['paid']:,} pekerja, Rp {again['cost']:,}; pekerja baru / new: {result['funded']:,}, "
                  f"Rp {result['new_cost']:,}; laju berhenti / lapse rate {100 * lapse['rate']:.1f} % "
                  f"({lapse['source']}), {result['lapses']:,} perkiraan berhenti / expected to lapse")  # fmt: skip
    console.print(f"Didanai / funded {result['funded']:,} pekerja; biaya / cost Rp {result['cost']:,} ({payers}); "
                  f"cakupan wilayah setelah / region after: {after['rate']}%, sisa kurang / gap left "
                  f"{after['gap'] if after['gap'] is not None else '—'}")  # fmt: skip


@app.command("list")
def list_plans(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Saved scenarios, newest first."""
    boot()
    from ucj.planning import services

    rows = services.compare(list(services.visible(None)[:200]))
    if as_json:
        emit_json(rows)
        return
    _print_comparison(rows)


@app.command("compare")
def compare(ids: list[int] = typer.Argument(..., help="Scenario numbers."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:  # fmt: skip
    """Saved scenarios side by side: what each asks and what it buys."""
    boot()
    from ucj.planning import services

    found = {s.pk: s for s in services.visible(None).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        fail(f"Skenario tidak ada / no such scenario: {', '.join(map(str, missing))}", as_json=as_json,
             code="NOT_FOUND")  # fmt: skip
    rows = services.compare([found[i] for i in ids])
    if as_json:
        emit_json(rows)
        return
    _print_comparison(rows)


def _print_comparison(rows: list[dict[str, Any]]) -> None:
    table = Table("No", "Nama", "Wilayah", "Tahun", "Pertanyaan", "Didanai", "Biaya (Rp)", "Cakupan setelah",
                  "Sisa kurang", "Kab/kota capai target")  # fmt: skip
    for r in rows:
        table.add_row(str(r["id"]), escape(r["name"]), r["region"], str(r["year"]), r["question"],
                      f"{r['funded']:,}", f"{r['cost']:,}", f"{r['rate_after']}%" if r["rate_after"] else "—",
                      f"{r['gap_after']:,}" if r["gap_after"] is not None else "—",
                      f"{r['regions_meeting_target']}/{r['regions']}")  # fmt: skip
    console.print(table)


@app.command("rka")
def rka(plan_id: int = typer.Argument(..., help="Scenario number."),
        out: Path = typer.Option(..., "--out", help="Where to write the .xlsx.")) -> None:  # fmt: skip
    """Write a saved scenario's RKA lines (volume × unit price = amount, per payer) to an .xlsx."""
    boot()
    from ucj.planning import services
    from ucj.planning.models import Scenario

    saved = Scenario.objects.filter(pk=plan_id).first()
    if saved is None:
        fail(f"Skenario tidak ada / no such scenario: {plan_id}", code="NOT_FOUND")
    out.write_bytes(services.rka(saved))
    console.print(f"RKA → {out}")


@app.command("enrol")
def enrol(
    plan_id: int = typer.Argument(..., help="Scenario number."),
    out: Path = typer.Option(..., "--out", help="Where to write the .xlsx (a FILE.csv: the list alone as CSV)."),
    user: str = typer.Option(None, "--user", help="Export as this user (masking by role; audited)."),
) -> None:
    """Write the workers to enrol under a saved scenario, per village with the expected bill, to an .xlsx."""
    boot()
    from ucj.planning import services
    from ucj.planning.exports import enrolment_csv, enrolment_xlsx

    actor = user_named(user)
    saved = services.visible(actor).filter(pk=plan_id).first()
    if saved is None:
        fail(f"Skenario tidak ada / no such scenario: {plan_id}", code="NOT_FOUND")
    lists = services.enrolment(saved, actor)
    if out.suffix.lower() == ".csv":
        out.write_bytes(enrolment_csv(lists["people"]))
    else:
        out.write_bytes(enrolment_xlsx(saved.name, lists["people"], lists["villages"], lists["unlisted"]))
    console.print(f"{lists['people'].height:,} pekerja terdaftar / listed workers, "
                  f"{int(lists['unlisted']['pekerja'].sum()):,} belum terdata / not yet listed → {out}")  # fmt: skip


codes_app = typer.Typer(help="RKA account codes per region (each region's own list; UCJ ships none).",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(codes_app, name="codes")


@codes_app.command("load")
def codes_load(
    file: Path = typer.Argument(..., help="CSV: region,payer,program,code,programme,activity[,source]."),
    user: str = typer.Option(None, "--user", help="Load as this user (audited)."),
) -> None:
    """Replace the RKA code lists of the regions in FILE (all or nothing): per region and payer (and optionally
    BPJS programme) the account code, programme and activity the RKA lines carry."""
    boot()
    import csv

    from ucj.planning import services

    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        fail(f"{file}: tidak dapat dibaca / cannot be read ({type(err).__name__})", code="USAGE")
    try:
        n = services.load_codes(rows, user_named(user))
    except services.CodeListError as err:
        fail(str(err), code="BAD_FILE")
    console.print(f"{n} kode rekening dimuat / account codes loaded")
