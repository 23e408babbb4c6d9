"""Bills for many participants at once (pure, vectorised with Polars).

A bill is for one payer and one contribution month. Each participant's line covers the bill month plus the
unpaid months before it while the participant is still active; a participant already non-active (``lapse``
or more unpaid months) is billed the bill month only, which resumes the protection (BPJS FAQ: a lapsed BPU
resumes by paying again; shared/domain.md §1.5). Amounts come from :func:`ucj.contributions.calculator.tariff`
per distinct (month, segment, risk class, JKP, programmes, payer, sector, employees) and the same integer rounding
as the one-worker calculator, so a bill line always equals the sum of the calculator's monthly totals.

PP 7/2025 jo. PP 36/2025 (50 % off JKK for PU of labour-intensive industries with at least 50 workers): a PU
participant's sector is the employer's (``employer_sector``, else the one derived from the occupation) and the
employee count is the employer's size (``employer_size``), so the calculator's own relief rule decides
(:func:`employees_key`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ucj.contributions.calculator import BP, PC, CalcError, Inputs, Tariff, tariff
from ucj.contributions.rules import MIN_WAGE, Rule, RuleBook, RuleMissing

PROGRAM_COLUMNS = ("jkk", "jkm", "jht", "jp", "jkp")
PARTY_COLUMNS = ("employer", "worker", "government")
# PP 50/2025 gives the transport sector (online and offline drivers, couriers) a longer relief.
TRANSPORT_WORDS = r"(?i)\b(ojek|ojol|kurir|sopir|supir|driver|angkot|becak|bentor|motoris|taksi|travel)\b"
INPUT_SCHEMA = {
    "id": pl.Int64, "segment": pl.String, "income": pl.Int64, "risk_class": pl.Int64, "jkp": pl.Boolean,
    "jkk": pl.Boolean, "jkm": pl.Boolean, "jht": pl.Boolean, "jp": pl.Boolean, "payer": pl.String,
    "occupation": pl.String, "paid_through": pl.Date, "coverage_start": pl.Date, "desa_id": pl.String,
    "employer_sector": pl.String, "employer_size": pl.Int64,
}  # fmt: skip
APBDES = "apbdes"


def is_kelurahan(code: str | None) -> bool:
    """A village code whose 4th segment starts with 1 is a kelurahan (urban ward of the kab/kota), with 2 a desa
    (Kemendagri codes; shared/domain.md §4.1)."""
    parts = (code or "").split(".")
    return len(parts) == 4 and parts[3].startswith("1")


def payer_refusal(payer: str, region: str) -> str | None:
    """Why a bill for this payer and region must be refused, or ``None``: a kelurahan has no APBDes (no village
    budget, no BPD, no kepala desa; its RT/RW are paid from the kab/kota APBD — shared/domain.md §6)."""
    if payer == APBDES and is_kelurahan(region):
        return (f"{region} adalah kelurahan: kelurahan tidak punya APBDes; iuran RT/RW kelurahan dibayar APBD "
                f"kabupaten/kota (pilih pembayar apbd_kabkota) / {region} is a kelurahan: a kelurahan has no "
                "village budget (APBDes); its RT/RW are paid from the kab/kota APBD (choose payer apbd_kabkota)")
    return None


def band_gaps(bands: tuple[Rule, ...] | list[Rule]) -> list[str]:
    """The income ranges no ``BPU.BAND`` row covers (between the loaded bands), as text: ``Rp 1.100.000–Rp …``."""
    gaps, edge = [], 0
    for band in sorted(bands, key=lambda b: b.lower or 0):
        if (band.lower or 0) > edge:
            gaps.append(f"Rp {edge:,}–Rp {(band.lower or 0) - 1:,}".replace(",", "."))
        if band.upper is None:
            return gaps
        edge = band.upper + 1
    gaps.append(f"Rp {edge:,}–…".replace(",", "."))
    return gaps


@dataclass
class BillResult:
    """Lines (one per billed participant), the tariffs used (with rule ids and sources) and notes about
    participants left out or computed with a warning — counts only, never personal data."""

    lines: pl.DataFrame
    tariffs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: Per contribution month and segment: amount and participants (``{"month": "YYYY-MM", "segment", "amount",
    #: "participants"}``), for due dates and late fines (:mod:`ucj.contributions.duedates`).
    months: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return int(self.lines["amount"].sum()) if self.lines.height else 0


def month_index(expr: pl.Expr) -> pl.Expr:
    """Months since year 0, so month arithmetic is integer arithmetic."""
    return expr.dt.year().cast(pl.Int64) * 12 + expr.dt.month().cast(pl.Int64) - 1


def _month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    nxt = _month_of(month.year * 12 + month.month)
    return nxt - dt.timedelta(days=1)


def sector_expr() -> pl.Expr:
    """The calculator's ``sector``: a PU participant's employer sector when recorded (PP 7/2025), else transport
    by the occupation (PP 50/2025, BPU drivers and couriers) or other."""
    by_occupation = pl.when(pl.col("occupation").fill_null("").str.contains(TRANSPORT_WORDS)) \
        .then(pl.lit("transport")).otherwise(pl.lit("other"))  # fmt: skip
    employer = pl.when(pl.col("segment") == "PU").then(pl.col("employer_sector"))
    return pl.coalesce(employer, by_occupation)


def employees_key(book: RuleBook, months: list[int]) -> pl.Expr:
    """The calculator's ``employees`` for a PU participant, reduced to the largest relief threshold (a relief
    row's ``lower``, PP 7/2025: 50) in force in ``months`` that the employer's size reaches, 0 below them all,
    null when the size is unknown. The calculator only compares ``employees`` with these thresholds, so every
    tariff is the one the calculator gives for the real count, while employers of 60 and 600 share one tariff.
    Not PU: null (no employee-count rule applies to them)."""
    thresholds = sorted({r.lower for m in months for r in book.reliefs(_month_of(m)) if r.lower is not None})
    size = pl.col("employer_size")
    key: pl.Expr = pl.lit(0, pl.Int64)
    for t in thresholds:
        key = pl.when(size >= t).then(pl.lit(t, pl.Int64)).otherwise(key)
    return pl.when((pl.col("segment") == "PU") & size.is_not_null()).then(key).otherwise(pl.lit(None, pl.Int64))


def _note(notes: list[dict[str, Any]], code: str, count: int, message: str) -> None:
    if count:
        notes.append({"code": code, "count": count, "message": message})


def _select(frame: pl.DataFrame, month: dt.date, lapse: int, notes: list[dict[str, Any]]) -> pl.DataFrame:
    """Who is billed and for which months (``first`` month index and ``months`` count)."""
    m = month.year * 12 + month.month - 1
    end = month_end(month)
    frame = frame.with_columns(sector_expr().alias("sector"), pl.col("risk_class").fill_null(1))
    per_project = frame["segment"].is_in(["JAKON", "PMI"])
    _note(notes, "PER_PROJECT", int(per_project.sum()), "JAKON dan PMI dibayar per proyek/perjanjian, bukan "
          "per bulan: tidak ditagih di sini / JAKON and PMI pay per project or contract, not monthly")  # fmt: skip
    frame = frame.filter(~per_project)
    later = frame["coverage_start"].is_not_null() & (frame["coverage_start"] > end)
    _note(notes, "NOT_STARTED", int(later.sum()), "kepesertaan mulai setelah bulan ini / coverage starts later")
    frame = frame.filter(~later)
    paid = frame["paid_through"].is_not_null() & (frame["paid_through"] >= end)
    _note(notes, "ALREADY_PAID", int(paid.sum()), "sudah dibayar untuk bulan ini / already paid for this month")
    frame = frame.filter(~paid)
    unpaid = pl.lit(m) - month_index(pl.col("paid_through"))
    active_arrears = pl.col("paid_through").is_not_null() & (unpaid < lapse)
    start = month_index(pl.col("coverage_start"))
    first = pl.when(active_arrears).then(pl.max_horizontal(m - unpaid + 1, start.fill_null(0))).otherwise(m)
    return frame.with_columns(
        first.alias("first"),
        (pl.lit(m) - first + 1).alias("months"),
        (pl.col("paid_through").is_not_null() & (unpaid == lapse - 1)).alias("lapses_if_unpaid"),
    )


def _tariffs(book: RuleBook, keys: pl.DataFrame, notes: list[dict[str, Any]]) -> tuple[pl.DataFrame, list[Tariff]]:
    """Build each distinct tariff once; keys whose tariff cannot be built are dropped with a note."""
    found: list[Tariff] = []
    index: list[int | None] = []
    problems: dict[str, int] = {}
    for key in keys.iter_rows(named=True):
        programs = tuple(p.upper() for p in ("jkk", "jkm", "jht", "jp") if key[p])
        inputs = Inputs(segment=key["segment"], month=_month_of(key["month"]), risk_class=key["risk_class"],
                        jkp=bool(key["jkp"]), programs=programs or ("JKM",), payer=key["payer"] or "mandiri",
                        sector=key["sector"], employees=key["employees"])  # fmt: skip
        try:
            found.append(tariff(book, inputs))
            index.append(len(found) - 1)
        except (CalcError, RuleMissing) as exc:
            problems[str(exc)] = problems.get(str(exc), 0) + key["n"]
            index.append(None)
    for message, count in problems.items():
        _note(notes, "NO_TARIFF", count, message)
    return keys.with_columns(pl.Series("tariff", index, dtype=pl.Int64)), found


def _parts_frame(tariffs: list[Tariff]) -> pl.DataFrame:
    rows = [
        {"tariff": i, "program": part.program.lower(), "kind": part.base, "cap": part.cap,
         "e_bp": part.rates.get("employer", 0), "w_bp": part.rates.get("worker", 0),
         "g_bp": part.rates.get("government", 0), "factor": part.factor_pc}
        for i, t in enumerate(tariffs) for part in t.parts
    ]  # fmt: skip
    schema = {"tariff": pl.Int64, "program": pl.String, "kind": pl.String, "cap": pl.Int64, "e_bp": pl.Int64,
              "w_bp": pl.Int64, "g_bp": pl.Int64, "factor": pl.Int64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def _band_base(tariffs: list[Tariff]) -> pl.DataFrame:
    """Per tariff: the BPU bands as (tariff, lower, upper, basis) rows."""
    rows = [{"tariff": i, "lower": b.lower or 0, "upper": b.upper, "basis": b.amount}
            for i, t in enumerate(tariffs) for b in t.bands]  # fmt: skip
    return pl.DataFrame(rows, schema={"tariff": pl.Int64, "lower": pl.Int64, "upper": pl.Int64, "basis": pl.Int64})


def _with_band_basis(rows: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """``basis``: the BPU band's nominal income (lowest band when no income; declared income outside bands)."""
    lowest = bands.sort("lower").group_by("tariff", maintain_order=True).first().select(
        "tariff", pl.col("basis").alias("lowest"))  # fmt: skip
    keyed = rows.select("row", "tariff", "income").join(bands, on="tariff", how="inner").filter(
        (pl.col("income") >= pl.col("lower")) & (pl.col("upper").is_null() | (pl.col("income") <= pl.col("upper")))
    ).group_by("row").agg(pl.col("basis").first())  # fmt: skip
    out = rows.join(keyed, on="row", how="left").join(lowest, on="tariff", how="left")
    missing = pl.col("income").is_not_null() & pl.col("basis").is_null() & (pl.col("segment") == "BPU")
    return out.with_columns(
        pl.when(pl.col("income").is_null())
        .then(pl.col("lowest"))
        .otherwise(pl.coalesce("basis", "income"))
        .alias("basis"),
        missing.alias("band_missing"),
    )


def _share(base: pl.Expr, rate: str) -> pl.Expr:
    num = base * pl.col(rate) * pl.col("factor") * 2 + BP * PC
    return num // (2 * BP * PC)


def compute_bill(participants: pl.DataFrame, month: dt.date, book: RuleBook, lapse: int = 3) -> BillResult:
    """Lines of the bill for ``month`` for these participants (columns: :data:`INPUT_SCHEMA`)."""
    notes: list[dict[str, Any]] = []
    month = month.replace(day=1)
    for name in ("desa_id", "employer_sector", "employer_size"):
        if name not in participants.columns:
            participants = participants.with_columns(pl.lit(None, INPUT_SCHEMA[name]).alias(name))
    frame = _select(participants.cast(INPUT_SCHEMA, strict=False), month, lapse, notes)  # type: ignore[arg-type]
    no_wage = (frame["segment"] == "PU") & (frame["income"].fill_null(0) <= 0)
    _note(notes, "PU_NO_WAGE", int(no_wage.sum()), "upah PU tidak diisi: tidak dapat dihitung / PU wage "
          "missing: cannot be computed (isi upah di registri)")  # fmt: skip
    frame = frame.filter(~no_wage)
    rows = frame.with_columns(pl.int_ranges(0, pl.col("months")).alias("k")).explode("k").with_columns(
        (pl.col("first") + pl.col("k")).alias("month")).with_row_index("row")  # fmt: skip
    rows = rows.with_columns(employees_key(book, rows["month"].unique().to_list()).alias("employees"))
    key_cols = ["month", "segment", "risk_class", "jkp", "jkk", "jkm", "jht", "jp", "payer", "sector", "employees"]
    keys = rows.group_by(key_cols).agg(pl.len().alias("n"))
    keys, tariffs = _tariffs(book, keys, notes)
    rows = rows.join(keys.select([*key_cols, "tariff"]), on=key_cols, how="left", nulls_equal=True)
    dropped = rows.filter(pl.col("tariff").is_null())["id"].unique()
    rows = rows.filter(~pl.col("id").is_in(dropped.implode()))
    _tariff_warnings(rows, tariffs, notes)
    rows = _with_band_basis(rows, _band_base(tariffs))
    missing = rows.filter(pl.col("band_missing"))["id"].n_unique()
    gaps = ", ".join(dict.fromkeys(g for t in tariffs if t.segment == "BPU" for g in band_gaps(t.bands)))
    _note(
        notes,
        "BAND_MISSING",
        missing,
        f"penghasilan di luar golongan BPU.BAND yang dimuat (belum dimuat: {gaps}): dihitung dari penghasilan yang "
        "dilaporkan; admin memuat tabel Lampiran II PP 44/2015 dengan 'ucj rules load BERKAS.csv --user ADMIN' "
        f"atau di admin / income outside the loaded BPU.BAND bands (missing: {gaps}): computed on the declared "
        "income; an admin loads the PP 44/2015 Lampiran II table with 'ucj rules load FILE.csv --user ADMIN' or "
        "in the admin",
    )
    _below_minimum(frame, month, book, notes)
    parts = rows.join(_parts_frame(tariffs), on="tariff", how="inner")
    base = (pl.when(pl.col("kind") == "fixed").then(pl.col("cap"))
            .when(pl.col("kind") == "capped").then(pl.min_horizontal("income", "cap"))
            .when(pl.col("kind") == "band").then(pl.col("basis"))
            .otherwise(pl.col("income")))  # fmt: skip
    parts = (
        parts.with_columns(base.alias("base"))
        .with_columns(
            _share(pl.col("base"), "e_bp").alias("employer"),
            _share(pl.col("base"), "w_bp").alias("worker"),
            _share(pl.col("base"), "g_bp").alias("government"),
        )
        .with_columns((pl.col("employer") + pl.col("worker") + pl.col("government")).alias("amount"))
    )
    lines = _lines(parts, frame.filter(~pl.col("id").is_in(dropped.implode())), month)
    return BillResult(lines, [describe(t) for t in tariffs], notes, _month_amounts(parts))


def _month_amounts(parts: pl.DataFrame) -> list[dict[str, Any]]:
    """The amount owed per contribution month and segment (the base of the late fine, which counts per month)."""
    per = parts.group_by("month", "segment").agg(pl.col("amount").sum(), pl.col("id").n_unique().alias("n"))
    return [{"month": f"{_month_of(r['month']):%Y-%m}", "segment": r["segment"], "amount": int(r["amount"]),
             "participants": int(r["n"])} for r in per.sort("month", "segment").iter_rows(named=True)]  # fmt: skip


def _tariff_warnings(rows: pl.DataFrame, tariffs: list[Tariff], notes: list[dict[str, Any]]) -> None:
    """A tariff's warnings (e.g. the open APBDes question of PP 50/2025) as counted bill notes."""
    counts: dict[str, int] = {}
    for i, t in enumerate(tariffs):
        if t.warnings:
            n = rows.filter(pl.col("tariff") == i)["id"].n_unique()
            for message in t.warnings:
                counts[message] = counts.get(message, 0) + n
    for message, n in counts.items():
        _note(notes, "APBDES_RELIEF_OPEN" if "UCJ_APBDES_RELIEF" in message else "TARIFF_WARNING", n, message)


def _below_minimum(frame: pl.DataFrame, month: dt.date, book: RuleBook, notes: list[dict[str, Any]]) -> None:
    """Count PU participants whose wage is below the UMK/UMP of their kab/kota (a warning, never a change)."""
    minimum = book.all_in_force(MIN_WAGE, month)
    pu = frame.filter((pl.col("segment") == "PU") & pl.col("desa_id").is_not_null())
    if not minimum or pu.is_empty():
        return
    kabs = pu["desa_id"].str.slice(0, 5).unique().to_list()
    found = {kab: book.minimum_wage(kab, month) for kab in kabs}
    table = pl.DataFrame({"_kab": list(found), "_min": [r.amount if r else None for r in found.values()]},
                         schema={"_kab": pl.String, "_min": pl.Int64})  # fmt: skip
    below = pu.with_columns(pl.col("desa_id").str.slice(0, 5).alias("_kab")).join(table, on="_kab", how="left")
    count = below.filter(pl.col("_min").is_not_null() & (pl.col("income") < pl.col("_min"))).height
    _note(notes, "WAGE_BELOW_MINIMUM", count, "upah PU di bawah upah minimum (UMK/UMP, baris MIN.WAGE) wilayahnya: "
          "periksa upah di registri / PU wage below the minimum wage (UMK/UMP, MIN.WAGE rows) of the region: "
          "check the wage in the registry")  # fmt: skip


def _lines(parts: pl.DataFrame, frame: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    m = month.year * 12 + month.month - 1
    per_program = parts.group_by("id", "program").agg(pl.col("amount").sum()).pivot(
        on="program", index="id", values="amount")  # fmt: skip
    for col in PROGRAM_COLUMNS:
        if col not in per_program.columns:
            per_program = per_program.with_columns(pl.lit(0, pl.Int64).alias(col))
    totals = parts.group_by("id").agg(
        *[pl.col(c).sum() for c in (*PARTY_COLUMNS, "amount")],
        pl.col("tariff").filter(pl.col("month") == m).first(),
    )
    out = frame.select("id", "first", "months", "lapses_if_unpaid").join(totals, on="id").join(per_program, on="id")
    return out.select(
        pl.col("id").alias("participant_id"),
        pl.col("first").map_elements(_month_of, return_dtype=pl.Date).alias("first_month"),
        "months", "tariff", *[pl.col(c).fill_null(0) for c in PROGRAM_COLUMNS], *PARTY_COLUMNS, "amount",
        "lapses_if_unpaid",
    ).sort("participant_id")  # fmt: skip


def describe(t: Tariff) -> dict[str, Any]:
    """A tariff as shown on a bill: its month and per programme the rates, relief and rules with sources."""
    return {
        "month": f"{t.month:%Y-%m}", "segment": t.segment,
        "components": [
            {"program": p.program, "base": p.base, "cap": p.cap, "factor": p.factor_pc / PC,
             **({"deferred_factor": (p.full_pc - p.factor_pc) / PC} if p.full_pc != p.factor_pc else {}),
             "rates": {k: v / 100 for k, v in p.rates.items() if v}, "rules": [r.id for r in p.rules],
             "sources": list(dict.fromkeys(r.source for r in p.rules))}
            for p in t.parts
        ],
        "bands": [b.id for b in t.bands], "warnings": list(t.warnings),
    }  # fmt: skip


def status_expr(as_of: dt.date, lapse: int = 3) -> pl.Expr:
    """Vectorised :func:`ucj.registry.status.is_active`: active while fewer than ``lapse`` months are unpaid."""
    unpaid = pl.lit(as_of.year * 12 + as_of.month - 1) - month_index(pl.col("paid_through"))
    return (pl.col("paid_through").is_not_null() & (unpaid < lapse)).alias("active")
