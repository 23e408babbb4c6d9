"""The iuran calculator (pure): inputs → per-programme base, rate, amount, who pays, and the rules used.

Two steps so that one worker and a million workers are computed by the same code:

1. :func:`tariff` turns everything *except the wage/income* (segment, month, risk class, JKP membership,
   programmes, payer, sector) into a :class:`Tariff`: a list of :class:`Part` with integer rates, the base
   each part applies to and the rules it came from. Few distinct tariffs exist in a bill, so this runs a
   handful of times.
2. :func:`apply` (one worker) and :mod:`ucj.contributions.billing` (a Polars frame) apply a tariff to
   wages with the same integer arithmetic, :func:`share`.

Rounding (shared/domain.md §1.3: no rule found): each party's share of each programme is rounded to whole
rupiah, half up, and the programme amount is the sum of its shares, so every total reconciles exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ucj.contributions.rules import PAYERS, SECTORS, SEGMENTS, Rule, RuleBook, RuleMissing

BP = 10_000  # rates in hundredths of a percent: 0.54 % → 54 / 10,000
PC = 100  # relief factors in percent: 50 % → 50 / 100
PU_PROGRAMS = ("JKK", "JKM", "JHT", "JP")
BPU_PROGRAMS = ("JKK", "JKM", "JHT")
PARTIES = ("employer", "worker", "government")
# Who carries a BPU contribution, by payer: the worker, a third party, or a government budget.
BPU_PARTY = {"mandiri": "worker", "employer": "employer", "other": "employer", "apbn": "government",
             "apbd_provinsi": "government", "apbd_kabkota": "government", "apbdes": "government"}  # fmt: skip


class CalcError(ValueError):
    """Inputs the calculator cannot use (bilingual message naming the field)."""


def share(base: int, rate_bp: int, factor_pc: int = PC) -> int:
    """``base × rate × factor`` in whole rupiah, half up (see the module doc)."""
    return (base * rate_bp * factor_pc * 2 + BP * PC) // (2 * BP * PC)


def bp(rate: Decimal | None) -> int:
    """A percentage with at most two decimals as hundredths of a percent (``Decimal('0.54')`` → 54)."""
    return int((rate or Decimal(0)) * 100)


@dataclass(frozen=True)
class Inputs:
    """What the calculator needs about one worker (or one project / contract) for one month."""

    segment: str
    month: dt.date
    wage: int | None = None  # PU wage (upah pokok + tunjangan tetap) or BPU declared income, Rp per month
    risk_class: int = 1
    jkp: bool = False
    programs: tuple[str, ...] = ()  # empty = the segment's usual programmes
    payer: str = "mandiri"
    sector: str = "other"  # PP 50/2025 (BPU transport) and PP 7/2025 (PU labour-intensive industries)
    employees: int | None = None  # PU: the employer's number of workers (PP 7/2025: at least 50)
    region: str | None = None  # the participant's kab/kota (or desa) code: the minimum wage (UMK/UMP) check
    contract_value: int | None = None  # JAKON
    contract_months: int | None = None  # PMI
    pre_placement: bool = True  # PMI: include the protection before work


@dataclass(frozen=True)
class Part:
    """One programme line of a tariff. ``base`` says what the rate applies to:
    ``wage``, ``capped`` (wage up to ``cap``), ``band`` (BPU income band basis) or ``fixed`` (``cap`` itself).
    """

    program: str
    base: str
    rates: dict[str, int]  # party → hundredths of a percent
    rules: tuple[Rule, ...]
    cap: int | None = None
    factor_pc: int = PC  # what is due this month, after reliefs and deferrals
    recomposed_bp: int = 0  # JKP: the part recomposed from JKK/JKM, already inside those lines
    note: str = ""
    full_pc: int = PC  # after reliefs only: ``full_pc - factor_pc`` is deferred (PP 49/2020 JP), not waived


@dataclass(frozen=True)
class Tariff:
    segment: str
    month: dt.date
    parts: tuple[Part, ...]
    bands: tuple[Rule, ...] = ()  # BPU income bands in force, by lower edge
    warnings: tuple[str, ...] = ()
    period: str = "month"
    minimum_wage: Rule | None = None  # UMK/UMP in force for the participant's region (PU)


@dataclass
class Component:
    program: str
    base: int
    rate: Decimal | None
    amount: int
    employer: int
    worker: int
    government: int
    rule: str
    rules: list[str]
    source: str
    factor: Decimal | None = None
    recomposed: int = 0
    note: str = ""
    deferred: int = 0  # owed but payable later (PP 49/2020 JP deferral); not in ``amount``

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program, "base": self.base,
            "rate": float(self.rate) if self.rate is not None else None,
            "factor": float(self.factor) if self.factor is not None else None,
            "amount": self.amount, "employer": self.employer, "worker": self.worker,
            "government": self.government, "recomposed": self.recomposed, "deferred": self.deferred,
            "rule": self.rule,
            "rules": self.rules, "source": self.source, "note": self.note,
        }  # fmt: skip


@dataclass
class Breakdown:
    segment: str
    month: dt.date
    period: str
    components: list[Component]
    warnings: list[str] = field(default_factory=list)

    @property
    def employer_total(self) -> int:
        return sum(c.employer for c in self.components)

    @property
    def worker_total(self) -> int:
        return sum(c.worker for c in self.components)

    @property
    def government_total(self) -> int:
        return sum(c.government for c in self.components)

    @property
    def total(self) -> int:
        return sum(c.amount for c in self.components)

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment, "month": f"{self.month:%Y-%m}", "period": self.period,
            "components": [c.as_dict() for c in self.components], "total": self.total,
            "employer_total": self.employer_total, "worker_total": self.worker_total,
            "government_total": self.government_total, "warnings": self.warnings,
        }  # fmt: skip


# ---------------------------------------------------------------- tariffs


def _check(inputs: Inputs) -> None:
    if inputs.segment not in SEGMENTS:
        raise CalcError(f"segment: '{inputs.segment}' tidak dikenal / unknown ({', '.join(SEGMENTS)})")
    if inputs.payer not in PAYERS:
        raise CalcError(f"payer: '{inputs.payer}' tidak dikenal / unknown ({', '.join(PAYERS)})")
    if inputs.sector not in SECTORS:
        raise CalcError(f"sector: '{inputs.sector}' tidak dikenal / unknown ({', '.join(SECTORS)})")
    if inputs.employees is not None and inputs.employees < 0:
        raise CalcError("employees: tidak boleh negatif / must not be negative")
    if not 1 <= inputs.risk_class <= 5:
        raise CalcError("risk_class: kelas risiko harus 1-5 / the risk class must be 1-5")
    for name in ("wage", "contract_value", "contract_months"):
        value = getattr(inputs, name)
        if value is not None and value < 0:
            raise CalcError(f"{name}: tidak boleh negatif / must not be negative")


APBDES_RELIEF_OPEN = (
    "{rule}: apakah iuran APBDes yang didanai Dana Desa termasuk APBN (dikecualikan dari keringanan) belum pasti; "
    "pengaturan UCJ_APBDES_RELIEF: keringanan {state} / whether APBDes money from Dana Desa counts as APBN "
    "(excluded from the relief) is open; setting UCJ_APBDES_RELIEF: relief {state_en}"
)
PP7_NEEDS_EMPLOYEES = (
    "{rule}: keringanan JKK 50% untuk industri padat karya hanya bila pemberi kerja punya paling sedikit {n} "
    "pekerja: isi jumlah pekerja / the 50% JKK relief for labour-intensive industries needs at least {n} workers: "
    "give the number of employees"
)


def _sector_matches(book: RuleBook, rule: Rule, inputs: Inputs) -> bool:
    """A relief row's variant names a sector; ``other`` is the family's fallback for every sector that has no
    row of its own (PP 50/2025: transport, and the others)."""
    if rule.variant in ("", inputs.sector):
        return True
    if rule.variant != "other":
        return False
    return not any(r.variant == inputs.sector for r in book.all_in_force(rule.code, inputs.month))


def _relief(book: RuleBook, inputs: Inputs, program: str, warnings: list[str]) -> tuple[int, tuple[Rule, ...]]:
    """The relief factor for a programme line (PP 49/2020, PP 50/2025, PP 7/2025) and the relief rules applied.
    Appends to ``warnings`` what the user must know (an open APBDes question, a missing employee count)."""
    factor, used = Decimal(1), []
    for rule in book.reliefs(inputs.month):
        if not (inputs.segment in rule.segments and set(program.split("+")) & set(rule.programs)
                and _sector_matches(book, rule, inputs) and inputs.payer not in rule.excluded_payers):
            continue  # fmt: skip
        if inputs.payer == "apbdes" and {"apbn", "apbd_provinsi", "apbd_kabkota"} & set(rule.excluded_payers):
            state = ("diterapkan", "applied") if book.apbdes_relief else ("tidak diterapkan", "not applied")
            message = APBDES_RELIEF_OPEN.format(rule=rule.code, state=state[0], state_en=state[1])
            if message not in warnings:
                warnings.append(message)
            if not book.apbdes_relief:
                continue
        if rule.lower is not None and (inputs.employees or 0) < rule.lower:
            if inputs.employees is None:
                message = PP7_NEEDS_EMPLOYEES.format(rule=rule.code, n=rule.lower)
                if message not in warnings:
                    warnings.append(message)
            continue
        factor *= rule.factor or Decimal(1)
        used.append(rule)
    return int(factor * PC), tuple(used)


def _deferral(book: RuleBook, inputs: Inputs, program: str) -> tuple[int, tuple[Rule, ...]]:
    """The share of a programme line due this month under a deferral (PP 49/2020 JP: 1 %), and the rules."""
    factor, used = Decimal(1), []
    for rule in book.deferrals(inputs.month):
        if inputs.segment in rule.segments and program in rule.programs:
            factor *= rule.factor or Decimal(1)
            used.append(rule)
    return int(factor * PC), tuple(used)


def _rate_part(program: str, rule: Rule, base: str = "wage", **kw: Any) -> Part:
    rates = {"employer": bp(rule.rate_employer), "worker": bp(rule.rate_worker),
             "government": bp(rule.rate_government)}  # fmt: skip
    return Part(program, base, rates, (rule,), **kw)


JKK_RECOMPOSITION_NOTE = (
    "tarif penuh; BPJS membukukan 0,14 poin darinya ke JKP (rekomposisi, informasi saja) / full rate; BPJS books "
    "0.14 points of it to JKP (recomposition, information only)"
)


def _pu_parts(book: RuleBook, inputs: Inputs, programs: Iterable[str]) -> list[Part]:
    month, cls = inputs.month, str(inputs.risk_class)
    parts = []
    for program in programs:
        if program == "JKK":
            # JKP participants pay the full class rate: the 0.14-point recomposition to JKP is BPJS's own
            # allocation "tanpa menambah atau mengurangi beban iuran" (PP 6/2025 Pasal 11(5); PP 49/2023 Pasal 16A).
            note = JKK_RECOMPOSITION_NOTE if inputs.jkp else ""
            parts.append(_rate_part("JKK", book.get("PU.JKK", month, cls), note=note))
        elif program == "JKM":
            parts.append(_rate_part("JKM", book.get("PU.JKM", month)))
        elif program == "JHT":
            parts.append(_rate_part("JHT", book.get("PU.JHT", month)))
        elif program == "JP":
            ceiling = book.get("PU.JP.CEILING", month)
            part = _rate_part("JP", book.get("PU.JP", month), "capped", cap=ceiling.amount)
            parts.append(Part(**{**part.__dict__, "rules": (*part.rules, ceiling)}))
    if inputs.jkp:
        jkp, cap = book.get("PU.JKP", month), book.get("PU.JKP.CAP", month)
        parts.append(Part("JKP", "capped", {"employer": 0, "worker": 0, "government": bp(jkp.rate_government)},
                          (jkp, cap), cap=cap.amount, recomposed_bp=bp(jkp.rate_recomposed),
                          note=jkp.note))  # fmt: skip
    return parts


def _bpu_parts(book: RuleBook, inputs: Inputs, programs: Iterable[str]) -> list[Part]:
    party, month = BPU_PARTY[inputs.payer], inputs.month
    parts = []
    for program in programs:
        rule = book.get(f"BPU.{program}", month)
        if rule.amount is not None:  # a flat amount (JKM Rp 6,800)
            parts.append(Part(program, "fixed", {party: BP}, (rule,), cap=rule.amount))
        else:
            rates = {party: bp(rule.rate_worker)}
            parts.append(Part(program, "band", rates, (rule,)))
    return parts


def _jakon_parts(book: RuleBook, inputs: Inputs) -> list[Part]:
    """Marginal tiers on the contract value: JKK (``JAKON.TIER``) and JKM (``JAKON.JKM``) on the same slices
    (PP 44/2015 jo. PP 49/2020 Pasal 12(2); shared/domain.md §1.7 corrected), each programme its own lines."""
    parts = []
    for code, program in (("JAKON.TIER", "JKK"), ("JAKON.JKM", "JKM")):
        tiers = sorted(book.all_in_force(code, inputs.month), key=lambda r: r.lower or 0)
        if not tiers:
            raise RuleMissing(code, inputs.month)
        parts += [Part(program, "tier", {"employer": bp(t.rate_employer)}, (t,), note=t.note) for t in tiers]
    return parts


def _programs(inputs: Inputs) -> tuple[tuple[str, ...], list[str]]:
    """The programmes to compute and any warnings about the choice."""
    allowed = PU_PROGRAMS if inputs.segment == "PU" else BPU_PROGRAMS
    chosen = tuple(p for p in inputs.programs if p != "JKP") or (allowed if inputs.segment == "PU" else ("JKK", "JKM"))
    wrong = [p for p in chosen if p not in allowed]
    if wrong:
        raise CalcError(f"programs: {', '.join(wrong)} tidak tersedia untuk {inputs.segment} / "
                        f"not available to {inputs.segment} ({', '.join(allowed)})")  # fmt: skip
    warnings = []
    if inputs.segment == "BPU" and not {"JKK", "JKM"} <= set(chosen):
        warnings.append("JKK dan JKM adalah paket dasar BPU / JKK and JKM are the BPU base package")
    return tuple(p for p in allowed if p in chosen), warnings


def tariff(book: RuleBook, inputs: Inputs) -> Tariff:
    """Everything about the contribution that does not depend on the wage (raises RuleMissing, CalcError)."""
    _check(inputs)
    month = inputs.month.replace(day=1)
    inputs = Inputs(**{**inputs.__dict__, "month": month, "jkp": inputs.jkp or "JKP" in inputs.programs})
    if inputs.jkp and inputs.segment != "PU":
        raise CalcError("jkp: JKP hanya untuk penerima upah / JKP is for wage earners (PU) only")
    bands: tuple[Rule, ...] = ()
    warnings: list[str]
    if inputs.segment == "JAKON":
        parts, warnings, bands, period = _jakon_parts(book, inputs), [], (), "project"
    elif inputs.segment == "PMI":
        return Tariff("PMI", month, (), period="contract")
    else:
        programs, warnings = _programs(inputs)
        if inputs.segment == "PU":
            parts = _pu_parts(book, inputs, programs)
        else:
            parts = _bpu_parts(book, inputs, programs)
            bands = tuple(sorted(book.all_in_force("BPU.BAND", month), key=lambda r: r.lower or 0))
        period = "month"
    with_relief = []
    for part in parts:
        full_pc, reliefs = _relief(book, inputs, part.program, warnings)
        due_pc, deferrals = _deferral(book, inputs, part.program)
        with_relief.append(Part(**{**part.__dict__, "factor_pc": full_pc * due_pc // PC, "full_pc": full_pc,
                                   "rules": part.rules + reliefs + deferrals}))  # fmt: skip
    minimum = book.minimum_wage(inputs.region, month) if inputs.segment == "PU" else None
    return Tariff(inputs.segment, month, tuple(with_relief), bands, tuple(warnings), period, minimum)


# ---------------------------------------------------------------- applying a tariff to one worker


def band_basis(bands: tuple[Rule, ...], income: int | None) -> tuple[int, Rule | None]:
    """BPU income → the band's nominal income (PP 44/2015 Lampiran II). No income: the lowest band.
    An income no known band covers returns ``(income, None)``: the caller must warn.
    """
    if income is None:
        if not bands:
            raise CalcError("income: penghasilan BPU tidak diisi dan tabel golongan kosong / "
                            "no BPU income given and no income band in force")  # fmt: skip
        return int(bands[0].amount or 0), bands[0]
    for band in bands:
        if (band.lower or 0) <= income and (band.upper is None or income <= band.upper):
            return int(band.amount or 0), band
    return income, None


def missing_band_warning(income: int, month: dt.date, bands: tuple[Rule, ...] = ()) -> str:
    """Actionable: which incomes have no ``BPU.BAND`` row yet, and how an admin loads them."""
    below = max((b for b in bands if (b.lower or 0) <= income), key=lambda b: b.lower or 0, default=None)
    above = min((b for b in bands if (b.lower or 0) > income), key=lambda b: b.lower or 0, default=None)
    start = (below.upper + 1) if below is not None and below.upper is not None else 0
    end = f"Rp {(above.lower or 0) - 1:,}" if above is not None else "…"
    gap = f"Rp {start:,}–{end}"
    return (f"Tidak ada baris BPU.BAND untuk penghasilan Rp {income:,} pada {month:%Y-%m}: golongan {gap} belum "
            f"dimuat (tabel Lampiran II PP 44/2015). Dihitung dari penghasilan yang dilaporkan. Admin: muat baris "
            f"BPU.BAND dengan 'ucj rules load BERKAS.csv --user ADMIN' atau di admin / no BPU.BAND rule covers "
            f"income Rp {income:,} in {month:%Y-%m}: the band {gap} is not loaded (PP 44/2015 Lampiran II). "
            f"Computed on the declared income. Admin: load the BPU.BAND rows with 'ucj rules load FILE.csv "
            f"--user ADMIN' or in the admin").replace(",", ".")  # fmt: skip


def minimum_wage_warning(wage: int, rule: Rule) -> str:
    """A PU wage below the UMK/UMP of the participant's region (contributions are on the actual wage)."""
    return (f"Upah Rp {wage:,} di bawah upah minimum wilayah {rule.variant} Rp {rule.amount:,} ({rule.id}; "
            f"{rule.source}): periksa upah yang dilaporkan / wage below the minimum wage of region {rule.variant} "
            f"(UMK/UMP): check the reported wage").replace(",", ".")  # fmt: skip


def _component(part: Part, base: int, extra_rules: tuple[Rule, ...] = ()) -> Component:
    shares = {p: share(base, part.rates.get(p, 0), part.factor_pc) for p in PARTIES}
    owed = sum(share(base, part.rates.get(p, 0), part.full_pc) for p in PARTIES)
    rules = part.rules + extra_rules
    rate = None if part.base == "fixed" else Decimal(sum(part.rates.values())) / 100
    return Component(
        program=part.program, base=base, rate=rate, amount=sum(shares.values()), **shares,
        rule=rules[0].id, rules=[r.id for r in rules], source="; ".join(dict.fromkeys(r.source for r in rules)),
        factor=Decimal(part.factor_pc) / PC if part.factor_pc != PC else None,
        recomposed=share(base, part.recomposed_bp), note=part.note, deferred=owed - sum(shares.values()),
    )  # fmt: skip


def apply(t: Tariff, wage: int | None) -> Breakdown:
    """The breakdown of one worker's monthly contribution under a tariff."""
    out = Breakdown(t.segment, t.month, t.period, [], list(t.warnings))
    if t.segment == "PU" and not wage:
        raise CalcError("wage: upah PU wajib diisi dan > 0 / the PU wage is required and must be > 0")
    if t.segment == "PU" and t.minimum_wage is not None and wage is not None and wage < (t.minimum_wage.amount or 0):
        out.warnings.append(minimum_wage_warning(wage, t.minimum_wage))
    for part in t.parts:
        extra: tuple[Rule, ...] = ()
        band: Rule | None
        if part.base == "fixed":
            base = int(part.cap or 0)
        elif part.base == "capped":
            base = min(int(wage or 0), int(part.cap or 0))
        elif part.base == "band":
            base, band = band_basis(t.bands, wage)
            if band is None:
                message = missing_band_warning(base, t.month, t.bands)
                if message not in out.warnings:
                    out.warnings.append(message)
            else:
                extra = (band,)
        else:
            base = int(wage or 0)
        component = _component(part, base, extra)
        if part.base == "band" and wage is None:  # the usual APBD case (Rp 16,800): a note, not a warning
            component.note = "penghasilan tidak diisi: golongan terendah / no income given: the lowest band"
        out.components.append(component)
    return out


def _jakon(t: Tariff, value: int | None) -> Breakdown:
    if not value:
        raise CalcError("contract_value: nilai kontrak wajib diisi / the contract value is required")
    out = Breakdown(t.segment, t.month, t.period, [], list(t.warnings))
    for part in t.parts:
        tier = part.rules[0]
        upper = value if tier.upper is None else min(value, tier.upper)
        slice_ = max(0, upper - (tier.lower or 0))
        if slice_:
            out.components.append(_component(part, slice_))
    return out


def _pmi(book: RuleBook, inputs: Inputs) -> Breakdown:
    months, month = inputs.contract_months, inputs.month.replace(day=1)
    if not months:
        raise CalcError("contract_months: lama perjanjian kerja (bulan) wajib diisi / contract months required")
    party = BPU_PARTY[inputs.payer]
    out = Breakdown("PMI", month, "contract", [])

    def fixed(program: str, rule: Rule, base: int, note: str) -> None:
        part = Part(program, "fixed", {party: BP}, (rule,))
        out.components.append(Component(**{**_component(part, base).__dict__, "note": note}))

    if inputs.pre_placement:
        pre = book.get("PMI.PRE", month)
        fixed("JKK+JKM", pre, int(pre.amount or 0), pre.note)
    bands = sorted(book.all_in_force("PMI.BAND", month), key=lambda r: r.lower or 0)
    if not bands:
        raise RuleMissing("PMI.BAND", month)
    band = max((b for b in bands if (b.lower or 0) <= months), key=lambda b: b.lower or 0, default=bands[0])
    if months < (bands[0].lower or 0):
        out.warnings.append(f"Perjanjian {months} bulan lebih pendek dari golongan terpendek: dikenakan golongan "
                            f"{bands[0].lower} bulan / a {months}-month contract pays the shortest band "
                            f"({bands[0].lower} months)")  # fmt: skip
    fixed("JKK+JKM", band, int(band.amount or 0), band.note)
    extra_months = max(0, months - (band.lower or 0))
    if extra_months:
        extra = book.get("PMI.EXTRA", month)
        fixed("JKK+JKM", extra, extra_months * int(extra.amount or 0), f"{extra_months} × Rp {extra.amount}")
    return out


def calculate(book: RuleBook, inputs: Inputs) -> Breakdown:
    """One contribution breakdown (raises :class:`CalcError` for bad inputs, RuleMissing for missing rules)."""
    if inputs.segment == "PMI":
        _check(inputs)
        return _pmi(book, inputs)
    t = tariff(book, inputs)
    if inputs.segment == "JAKON":
        return _jakon(t, inputs.contract_value)
    return apply(t, inputs.wage)
