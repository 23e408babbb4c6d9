"""Budget planning operations: gather the data a scenario needs, solve it, save and compare scenarios, and
turn a saved plan into the list of workers to enrol. Pages, the API and the CLI call these; the rules are in
:mod:`ucj.planning.scenario` and :mod:`ucj.planning.optimiser`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.accounts.policy import MASKED, apply_frame
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import PLAN_ROLES, scope_for
from ucj.bulk import read_frame
from ucj.contributions.calculator import CalcError, Inputs, calculate
from ucj.contributions.rules import RuleMissing
from ucj.contributions.services import rulebook
from ucj.coverage.services import coverage, current_version, latest_month
from ucj.planning import optimiser, scenario
from ucj.planning.groups import UNLISTED, group_expr
from ucj.planning.models import AccountCode, Scenario
from ucj.planning.scenario import Spec
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since

CANDIDATE_FIELDS = {"desa_id": pl.String, "village_role": pl.String, "occupation": pl.String,
                    "ecosystem": pl.String, "poverty_decile": pl.Int64}  # fmt: skip
REGION_COLUMNS = {"region": pl.String, "name": pl.String, "covered": pl.Int64, "denominator": pl.Int64,
                  "target_count": pl.Int64, "gap": pl.Int64, "vulnerable_total": pl.Int64,
                  "vulnerable_covered": pl.Int64, "bpu_self": pl.Int64}  # fmt: skip
RENEWAL_SCHEMA = {"payer": pl.String, "kind": pl.String, "region": pl.String, "workers": pl.Int64}
#: The region code of a plan for the whole country (issue 17 §5): every province's kab/kota, all villages. Region
#: codes have no national level (Kemendagri's start at the province); elsewhere the project writes the national
#: level as a blank region (contribution and ecosystem defaults), which a form or a URL cannot carry.
NATIONAL = "nasional"
NATIONAL_NAMES = frozenset({NATIONAL, "national"})


class PlanRefused(ValueError):
    """The user may not plan for this region (``status`` 404: it stays hidden like every record outside the
    user's regions) or may not save plans (403). The message is bilingual."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class PlanData:
    """What a scenario is solved on: the kab/kota figures, the candidate pool, the region's own gap, the workers
    each public payer already funds (renewals) and the registry's lapse-rate estimate."""

    as_of: dt.date
    regions: pl.DataFrame
    pool: pl.DataFrame
    own: dict[str, Any]  # the planned region's own figures (covered, denominator, target, gap)
    renewals: pl.DataFrame  # RENEWAL_SCHEMA: per payer place, the BPU workers it funds who are active at the start
    lapse: dict[str, Any]  # the registry's estimate: rate (None without enough history), sample, lapsed

    @property
    def region_gap(self) -> int | None:
        return self.own["gap"]


def _target_of(indicator: dict[str, Any], year: int) -> dict[str, Any] | None:
    for key in ("year_target", "next_target"):
        t = indicator.get(key)
        if t and t["year"] == year:
            return t
    return None


def _region_row(indicator: dict[str, Any], year: int) -> dict[str, Any]:
    t = _target_of(indicator, year)
    count = t["count"] if t else None
    covered = indicator["covered"]
    bpu = (indicator.get("by_segment") or {}).get("BPU", {}).get("covered") or 0
    public = sum((indicator.get("by_payer") or {}).get(p, {}).get("covered") or 0 for p in scenario.RENEWAL_PAYERS)
    return {
        "region": indicator["region"], "name": indicator.get("name", ""), "covered": covered,
        "denominator": indicator["denominator"], "target_count": count,
        "gap": max(0, count - covered) if count is not None else None,
        "vulnerable_total": indicator["vulnerable_total"], "vulnerable_covered": indicator["vulnerable_covered"],
        "bpu_self": max(0, bpu - public),  # covered BPU paying for themselves: the ones who may stop paying
    }  # fmt: skip


def _people_of(code: str) -> Q:
    """Participants of region ``code`` (one index range on the desa code); every participant for a national plan."""
    return Q() if code == NATIONAL else in_region("desa_id", code, villages_only=True)


def _not_covered(code: str, start: dt.date) -> Any:
    """Listed participants of region ``code`` not active at ``start`` (never paid, or lapsed under the lapse
    rule) and not paid for by an employer — filtered in SQL."""
    since = active_since(start, settings.UCJ_LAPSE_MONTHS)
    return (
        Participant.objects.filter(_people_of(code))
        .filter(Q(paid_through__isnull=True) | Q(paid_through__lt=since))
        .exclude(payer="employer")
        .order_by()
    )


def _with_group(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(group_expr(), pl.col("desa_id").alias("desa"),
                              pl.col("desa_id").str.slice(0, 5).alias("region"),
                              pl.col("poverty_decile").alias("decile"))  # fmt: skip


def _candidate_counts(code: str, start: dt.date) -> pl.DataFrame:
    """Candidates counted per desa × role × occupation × ecosystem × decile in SQL (a few rows per village,
    not one per person), then grouped."""
    qs = _not_covered(code, start).values(*CANDIDATE_FIELDS).annotate(n=Count("id"))
    return _with_group(read_frame(qs, {**CANDIDATE_FIELDS, "n": pl.Int64}))


def _candidates(code: str, start: dt.date) -> pl.DataFrame:
    """The candidates themselves, with NIK and name (for the enrolment list)."""
    people = read_frame(_not_covered(code, start), {"nik": pl.String, "name": pl.String, **CANDIDATE_FIELDS})
    return _with_group(people)


def candidate_pool(code: str, start: dt.date, regions: pl.DataFrame) -> pl.DataFrame:
    """Units of eligible workers not yet covered: listed ones per desa × group × decile, and per kab/kota the
    vulnerable workers not covered and not listed (vulnerable total − covered − listed rentan candidates)."""
    counts = _candidate_counts(code, start)
    listed = (
        counts.group_by("region", "desa", "group", "decile").agg(pl.col("n").sum().alias("available"))
        .with_columns(pl.format("{}|{}|{}", "desa", "group", pl.col("decile").fill_null(0)).alias("unit"))
    )  # fmt: skip
    rentan = dict(counts.filter(pl.col("ecosystem") == "rentan").group_by("region").agg(pl.col("n").sum()).iter_rows())
    unlisted = regions.select(
        "region",
        (pl.col("vulnerable_total").fill_null(0) - pl.col("vulnerable_covered").fill_null(0)
         - pl.col("region").replace_strict(rentan, default=0, return_dtype=pl.Int64)).clip(0).alias("available"),
    ).with_columns(pl.format("{}|{}", "region", pl.lit(UNLISTED)).alias("unit"), pl.lit(UNLISTED).alias("group"),
                   pl.lit(None, pl.String).alias("desa"), pl.lit(None, pl.Int64).alias("decile"))  # fmt: skip
    columns = ["unit", "region", "desa", "group", "decile", "available"]
    return pl.concat([listed.select(columns), unlisted.select(columns)], how="vertical_relaxed")


def plan_data(code: str, year: int, start_month: int = 1) -> PlanData:
    """Figures per kab/kota (coverage as of the latest month, the year's target) and the candidate pool; cached
    until the data change (the coverage version), so trying budget after budget on the same data is quick."""
    as_of = latest_month()
    key = f"ucj:plan:{current_version()}:{code}:{year}:{start_month}:{as_of}"
    data: PlanData | None = cache.get(key)
    if data is None:
        data = _plan_data(code, year, start_month, as_of)
        cache.set(key, data, 600)
    return data


def _plan_data(code: str, year: int, start_month: int, as_of: dt.date) -> PlanData:
    if code == NATIONAL:  # every province's answer by kab/kota: prepared for each new version (38 cache reads)
        answers = [coverage(p, by="kabkota", as_of=as_of)
                   for p in Region.objects.filter(level=1).order_by("code").values_list("code", flat=True)]  # fmt: skip
        rows = [_region_row(i, year) for a in answers for i in a["children"]]
        own = national_row([_region_row(a["region"], year) for a in answers])
    elif level_of(code) == 1:
        answer = coverage(code, by="kabkota", as_of=as_of)
        rows = [_region_row(i, year) for i in answer["children"]]
        own = _region_row(answer["region"], year)
    else:
        answer = coverage(code, as_of=as_of)
        rows = [_region_row(answer["region"], year)]
        own = _region_row(answer["region"], year)
    regions = pl.DataFrame(rows, schema=REGION_COLUMNS, orient="row")
    start = dt.date(year, start_month, 1)
    return PlanData(as_of, regions, candidate_pool(code, start, regions), own, renewals(code, start),
                    lapse_estimate(code, as_of))  # fmt: skip


def national_row(provinces: list[dict[str, Any]]) -> dict[str, Any]:
    """The country's own figures from its provinces' rows: the covered workers added up; a denominator, target
    or vulnerable total only when every province has one (a sum over some provinces is not the country's)."""

    def total(key: str) -> int | None:
        values = [p[key] for p in provinces]
        return sum(values) if values and all(v is not None for v in values) else None

    covered, target = sum(p["covered"] for p in provinces), total("target_count")
    return {"region": NATIONAL, "name": "Indonesia", "covered": covered, "denominator": total("denominator"),
            "target_count": target, "gap": max(0, target - covered) if target is not None else None,
            "vulnerable_total": total("vulnerable_total"),
            "vulnerable_covered": sum(p["vulnerable_covered"] for p in provinces),
            "bpu_self": sum(p["bpu_self"] for p in provinces)}  # fmt: skip


def _public_active(code: str, start: dt.date) -> Any:
    """BPU participants of region ``code`` paid by a public payer (APBD, APBDes, APBN) and active at ``start``:
    the workers those payers already fund and must pay again."""
    since = active_since(start, settings.UCJ_LAPSE_MONTHS)
    return (
        Participant.objects.filter(_people_of(code))
        .filter(segment="BPU", payer__in=scenario.RENEWAL_PAYERS, paid_through__gte=since)
        .order_by()
    )


def renewals(code: str, start: dt.date) -> pl.DataFrame:
    """Per payer place (``apbd_provinsi``, ``apbd_kabkota:16.06``, ``apbdes:16.06.01.2001``, ``apbn``) the
    workers it already funds in region ``code`` (counted in SQL)."""
    rows = _public_active(code, start).values("payer", "desa_id").annotate(n=Count("id"))
    out: dict[tuple[str, str, str], int] = {}
    for row in rows:
        kind, desa = row["payer"], row["desa_id"]
        kab = desa[:5]
        place = {"apbd_kabkota": f"apbd_kabkota:{kab}", "apbdes": f"apbdes:{desa}"}.get(kind, kind)
        out[(place, kind, kab)] = out.get((place, kind, kab), 0) + row["n"]
    return pl.DataFrame([(*k, n) for k, n in sorted(out.items())], schema=RENEWAL_SCHEMA, orient="row")


def lapse_estimate(code: str, as_of: dt.date) -> dict[str, Any]:
    """The registry's lapse rate over the last 12 months (docs/planning.md): among BPU participants of region
    ``code`` (employers' workers aside) who were active 12 months before ``as_of`` and had started by then, the
    share no longer active at ``as_of`` — their paid-through date stopped advancing. ``rate`` is None when fewer
    than ``UCJ_PLAN_LAPSE_MIN_SAMPLE`` were active a year ago (too little history to say)."""
    year_ago = dt.date(as_of.year - 1, as_of.month, 1)
    was = (
        Participant.objects.filter(_people_of(code), segment="BPU")
        .exclude(payer="employer")
        .filter(paid_through__gte=active_since(year_ago, settings.UCJ_LAPSE_MONTHS))
        .filter(Q(coverage_start__isnull=True) | Q(coverage_start__lte=year_ago))
    )
    counts = was.aggregate(n=Count("id"), lapsed=Count("id", filter=Q(
        paid_through__lt=active_since(as_of, settings.UCJ_LAPSE_MONTHS))))  # fmt: skip
    n, lapsed = counts["n"], counts["lapsed"]
    rate = round(lapsed / n, 4) if n >= settings.UCJ_PLAN_LAPSE_MIN_SAMPLE else None
    return {"rate": rate, "sample": n, "lapsed": lapsed, "from": f"{year_ago:%Y-%m}", "to": f"{as_of:%Y-%m}"}


def lapse_rate(spec: Spec, data: PlanData) -> dict[str, Any]:
    """The lapse rate a plan uses and where it comes from: the scenario's own, the registry's estimate, or the
    setting ``UCJ_PLAN_LAPSE_RATE``."""
    if spec.lapse_rate is not None:
        return {"rate": spec.lapse_rate, "source": "scenario"}
    if data.lapse["rate"] is not None:
        return {**data.lapse, "source": "registry"}
    return {**data.lapse, "rate": settings.UCJ_PLAN_LAPSE_RATE, "source": "setting"}


def payer_cost(spec: Spec, payer: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    """Contribution of one worker paid by ``payer`` over the scenario's months (BPU, lowest income band, the
    chosen programmes), month by month from the contributions engine: the total, its lines (month × programme,
    with rule and source) and the engine's warnings. PP 50/2025's relief does not apply to contributions paid
    through APBN/APBD (domain.md §1.6); for APBDes the engine follows ``UCJ_APBDES_RELIEF`` and warns."""
    book = rulebook()
    lines: list[dict[str, Any]] = []
    warnings: list[str] = []
    for m in range(spec.start_month, spec.start_month + spec.months):
        month = dt.date(spec.year, m, 1)
        try:
            breakdown = calculate(book, Inputs("BPU", month, programs=spec.programs, payer=payer))
        except (CalcError, RuleMissing) as err:  # e.g. a year no rule covers yet: say which rule, never a 500
            raise scenario.ScenarioError(f"year: {err}") from err
        lines += [{"month": f"{month:%Y-%m}", "program": c.program, "amount": c.amount, "rule": c.rule,
                   "source": c.source, "payer": payer} for c in breakdown.components]  # fmt: skip
        warnings += [w for w in breakdown.warnings if w not in warnings]
    return sum(line["amount"] for line in lines), lines, warnings


def unit_costs(spec: Spec) -> tuple[dict[str, int], list[dict[str, Any]], list[str]]:
    """Every payer's cost per worker for the scenario, the lines of all of them, and the engine's warnings."""
    costs: dict[str, int] = {}
    lines: list[dict[str, Any]] = []
    warnings: list[str] = []
    for payer in scenario.payers_of(spec):
        costs[payer], mine, notes = payer_cost(spec, payer)
        lines += mine
        warnings += [w for w in notes if w not in warnings]
    return costs, lines, warnings


def unit_cost(spec: Spec) -> tuple[int, list[dict[str, Any]]]:
    """The first payer's cost per worker and its lines (the figure a one-payer plan quotes)."""
    payers = scenario.payers_of(spec) or [next(iter(spec.shares), "apbd_kabkota")]
    cost, lines, _ = payer_cost(spec, payers[0])
    return cost, lines


def check_region(user: Any, code: str, *, save: bool = False) -> str:
    """The normalised region code, if ``user`` may plan there (and save plans, with ``save``); None = the
    operator at the command line. A national plan (:data:`NATIONAL`) is for users who reach every region (the
    national administrator) and is not saved (a saved plan belongs to one province or kab/kota)."""
    if code.strip().lower() in NATIONAL_NAMES:
        if user is not None and not scope_for(user).everywhere:
            raise PlanRefused("region: rencana nasional hanya untuk administrator nasional / a national plan is for "
                              "national administrators only")  # fmt: skip
        if save:
            raise scenario.ScenarioError("region: rencana nasional belum dapat disimpan; simpan per provinsi / a "
                                         "national plan cannot be saved yet; save one per province")  # fmt: skip
        return NATIONAL
    code = normalize_code(code) or ""
    if not Region.objects.filter(code=code, level__lte=2).exists():
        raise PlanRefused(f"region: '{code}' bukan provinsi atau kab/kota / is not a province or kab/kota", 404)
    if user is None:
        return code
    scope = scope_for(user)
    if not scope.covers(code):
        raise PlanRefused(f"region: {code} di luar wilayah Anda / outside your regions", 404)
    if save and not scope.can(PLAN_ROLES, code):
        raise PlanRefused("Peran Anda tidak dapat menyimpan rencana anggaran / your role cannot save budget plans")
    return code


def run(spec: Spec, user: Any = None) -> dict[str, Any]:
    """Solve ``spec`` on the current data: the answer of :func:`scenario.summary` plus the unit cost lines and
    the data it used. Raises :class:`scenario.ScenarioError` or :class:`PlanRefused`."""
    scenario.check(spec)
    code = check_region(user, spec.region)
    spec = Spec.from_dict({**spec.as_dict(), "region": code})
    data = plan_data(code, spec.year, spec.start_month)
    if spec.question == "min_budget" and data.region_gap is None and spec.floor == "none":
        raise scenario.ScenarioError(f"target: {code} belum punya target {spec.year} / has no {spec.year} target")
    costs, lines, warnings = unit_costs(spec)
    lapse = lapse_rate(spec, data)
    kinds = scenario.payers_of(spec)
    mine = data.renewals.filter(pl.col("kind").is_in(kinds))
    renewed = scenario.renewal_lines(mine, costs, lapse["rate"])
    lapses = scenario.lapses_by_region(data.regions, renewed, lapse["rate"])
    problem = scenario.problem(spec, data.pool, data.regions, costs, data.region_gap, renewed, lapses)
    solve = optimiser.maximise_coverage if spec.question == "max_coverage" else optimiser.minimise_cost
    result = scenario.summary(solve(problem), spec, data.regions, costs, renewed, lapses)
    names = _names(result.get("desa", []))
    for row in result.get("desa", []):
        row["name"] = names.get(row["desa"], "")
    result.update({"spec": spec.as_dict(), "as_of": f"{data.as_of:%Y-%m}", "unit_cost_lines": lines,
                   "warnings": warnings, "lapse": lapse, "region_before": data.own,
                   "region_after": _after(data.own, result.get("funded", 0), sum(lapses.values())),
                   "available": int(problem.units.unique("unit")["available"].sum())})  # fmt: skip
    return result


def _names(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the villages of a plan's rows: by code, or, for tens of thousands of them (a national plan: more
    than a query may carry as parameters), every village's name."""
    codes = {row["desa"] for row in rows}
    villages = Region.objects.filter(level=4) if len(codes) > 5000 else Region.objects.filter(code__in=codes)
    return {c: n for c, n in villages.values_list("code", "name") if c in codes}


def _after(own: dict[str, Any], funded: int, lapses: int = 0) -> dict[str, Any]:
    """The planned region's coverage if every funded worker is enrolled and the expected lapses happen (the feed
    and registry otherwise unchanged)."""
    covered = (own["covered"] or 0) - lapses + funded
    target = own["target_count"]
    return {"covered": covered, "rate": round(100 * covered / own["denominator"], 2) if own["denominator"] else None,
            "gap": max(0, target - covered) if target is not None else None,
            "met": covered >= target if target is not None else None}  # fmt: skip


@transaction.atomic
def save(user: Any, name: str, spec: Spec, request: HttpRequest | None = None) -> Scenario:
    """Solve and store a named scenario (audited)."""
    check_region(user, spec.region, save=True)
    result = run(spec, user)
    saved = Scenario.objects.create(name=name.strip()[:120] or "Skenario", region_id=result["spec"]["region"],
                                    year=spec.year, question=spec.question, spec=result["spec"], result=result,
                                    created_by=user if getattr(user, "pk", None) else None)  # fmt: skip
    summary = f"{saved.name}: {result['status']}, {result.get('funded', 0)} pekerja, Rp {result.get('cost', 0)}"
    audit.record("save_plan", actor=user, request=request, object_type="scenario", object_id=saved.pk,
                 region_code=saved.region_id, summary=summary, changes={"spec": saved.spec})  # fmt: skip
    return saved


def compare(scenarios: list[Scenario]) -> list[dict[str, Any]]:
    """Side by side: what each saved scenario asked and what it buys."""
    out = []
    for saved in scenarios:
        r = saved.result
        after = r.get("region_after") or {}
        out.append({
            "id": saved.pk, "name": saved.name, "region": saved.region_id, "year": saved.year,
            "question": saved.question, "status": r["status"], "budget": saved.spec.get("budget"),
            "shares": saved.spec.get("shares"), "floor": saved.spec.get("floor"),
            "programs": saved.spec.get("programs"), "funded": r.get("funded", 0), "cost": r.get("cost", 0),
            "by_payer": r.get("by_payer", {}), "unit_cost": r["unit_cost"], "rate_after": after.get("rate"),
            "gap_after": after.get("gap"), "met_after": after.get("met"),
            "regions_meeting_target": sum(1 for x in r.get("regions", []) if x.get("met_after")),
            "regions": len(r.get("regions", [])), "as_of": r.get("as_of"),
            "created_at": saved.created_at.isoformat(timespec="seconds"),
        })  # fmt: skip
    return out


def visible(user: Any) -> Any:
    """Saved scenarios of the regions ``user`` reaches (all of them for the operator)."""
    if user is None:
        return Scenario.objects.all()
    return Scenario.objects.filter(scope_for(user).region_q("region_id"))


ALLOCATION_SCHEMA = {"unit": pl.String, "region": pl.String, "desa": pl.String, "group": pl.String,
                     "decile": pl.Int64, "payer": pl.String, "kind": pl.String, "funded": pl.Int64}  # fmt: skip


def payer_label(place: str, names: dict[str, str], source: str = "add") -> str:
    """A payer place in words: ``APBD Kabupaten/Kota 16.06 Musi Banyuasin``, ``APBDes (ADD) 16.06.01.2001 …``."""
    from ucj.planning.exports import PAYER_NAMES  # the workbook's names (one place for them)

    kind, _, code = place.partition(":")
    name = PAYER_NAMES.get(kind, kind)
    if kind == "apbdes":
        name += f" ({scenario.APBDES_SOURCES.get(source, (source,))[0]})"
    return f"{name} {code} {names.get(code, '')}".strip() if code else name


def enrolment(saved: Scenario, user: Any, request: HttpRequest | None = None) -> dict[str, pl.DataFrame]:
    """The workers to enrol under a saved plan: per funded desa × group × decile cell, that many listed
    workers still not active today (poorest cells first; within a cell in NIK order, so the list is
    stable), each naming the one payer that funds them (a cell split between payers gives the first workers to
    the first payer), with the expected contribution at that payer's cost; the expected bill per village and
    payer; and the unlisted vulnerable workers still to be named per kab/kota and payer. NIKs and names masked
    where the user's role needs no full view; audited (personal data)."""
    result, spec = saved.result, Spec.from_dict(saved.spec)
    alloc = pl.DataFrame(result.get("allocation", []), schema=ALLOCATION_SCHEMA)
    if alloc["payer"].null_count():  # a plan saved before one payer per worker: its first payer funds everyone
        first_payer = next(iter(spec.shares), "apbd_kabkota")
        alloc = alloc.with_columns(pl.col("kind").fill_null(first_payer), pl.col("payer").fill_null(first_payer))
    lines = result.get("unit_cost_lines", [])
    first = lines[0]["month"] if lines else None
    costs = result.get("unit_costs") or {k: result["unit_cost"] for k in alloc["kind"].unique()}
    monthly: dict[str, int] = {}
    for line in lines:
        if line["month"] == first:
            kind = line.get("payer") or next(iter(costs), "")
            monthly[kind] = monthly.get(kind, 0) + line["amount"]
    order = {p: i for i, p in enumerate(scenario.PLAN_PAYERS)}
    cells = (
        alloc.filter(pl.col("desa").is_not_null())
        .sort("desa", "group", "decile", pl.col("kind").replace_strict(order, default=99), "payer", nulls_last=True)
        .with_columns(pl.col("funded").cum_sum().over("desa", "group", "decile").alias("hi"))
        .with_columns((pl.col("hi") - pl.col("funded")).alias("lo"))
        .select("desa", "group", "decile", "payer", "kind", "lo", "hi")
    )  # fmt: skip
    people = _candidates(spec.region, dt.date(spec.year, spec.start_month, 1))
    chosen = (
        people.with_columns(pl.col("nik").rank("ordinal").over("desa", "group", "decile").alias("k"))
        .join(cells, on=["desa", "group", "decile"], nulls_equal=True)
        .filter((pl.col("k") > pl.col("lo")) & (pl.col("k") <= pl.col("hi")))
        .sort("desa", pl.col("decile").fill_null(99), "group", "nik")
    )  # fmt: skip
    codes = [*chosen["desa"].unique(), *alloc["region"].unique()]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    full = _full_view(user, chosen["desa"].unique().to_list())
    # Villages without a full export view get the masked policy (docs/privacy.md), vectorised.
    shown = apply_frame(chosen.select("nik", "name", "desa"), MASKED.export, full=pl.col("desa").is_in(list(full)))
    labels = {p: payer_label(p, names, spec.apbdes_source) for p in alloc["payer"].unique().to_list()}
    listed = chosen.with_columns(nik=shown["nik"], name=shown["name"]).select(
        "desa", pl.col("desa").replace_strict(names, default="").alias("desa_name"), "region", "nik", "name",
        "group", "decile", pl.col("payer").replace_strict(labels, default="").alias("pembayar"),
        pl.col("kind").replace_strict(monthly, default=0, return_dtype=pl.Int64).alias("monthly"),
        pl.lit(spec.months).alias("months"),
        pl.col("kind").replace_strict(costs, default=0, return_dtype=pl.Int64).alias("period"),
    )  # fmt: skip
    villages = listed.group_by("desa", "desa_name", "region", "pembayar").agg(
        pl.len().alias("pekerja"), pl.col("monthly").sum().alias("tagihan_per_bulan"),
        pl.col("period").sum().alias("tagihan_periode"),
    ).sort("desa", "pembayar")  # fmt: skip
    unlisted = (
        alloc.filter(pl.col("desa").is_null())
        .with_columns(pl.col("kind").replace_strict(costs, default=0, return_dtype=pl.Int64).alias("cost"))
        .group_by("region", "payer").agg(pl.col("funded").sum().alias("pekerja"),
                                         (pl.col("funded") * pl.col("cost")).sum().alias("biaya_periode"))
        .select("region", pl.col("region").replace_strict(names, default="").alias("nama"),
                pl.col("payer").replace_strict(labels, default="").alias("pembayar"), "pekerja", "biaya_periode")
        .sort("region", "pembayar")
    )  # fmt: skip
    audit.record("export_enrolment", actor=user, request=request, object_type="scenario", object_id=saved.pk,
                 region_code=saved.region_id, summary=f"{saved.name}: {listed.height} pekerja terdaftar, "
                 f"{int(unlisted['pekerja'].sum())} belum terdata")  # fmt: skip
    return {"people": listed, "villages": villages, "unlisted": unlisted}


def _full_view(user: Any, desa_codes: list[str]) -> set[str]:
    """The villages whose workers ``user``'s export policy shows in full (docs/privacy.md; the command line,
    ``user=None``, runs as the operator of the instance)."""
    if user is None:
        return set(desa_codes)
    scope = scope_for(user)
    return {code for code in desa_codes if views_for(scope, code, "export").full_nik}


CODE_COLUMNS = ("region", "payer", "program", "code", "programme", "activity")


class CodeListError(ValueError):
    """A code list that cannot be loaded; the message names the line and the field, in both languages."""


def load_codes(rows: list[dict[str, str]], user: Any = None, request: HttpRequest | None = None) -> int:
    """Replace the RKA code lists of the regions named in ``rows`` (columns :data:`CODE_COLUMNS`, ``source``
    optional), all or nothing, audited. Returns how many lines were loaded."""
    errors, entries = [], []
    if rows and not set(CODE_COLUMNS) <= set(rows[0]):
        missing = ", ".join(c for c in CODE_COLUMNS if c not in rows[0])
        raise CodeListError(f"kolom tidak ada / missing columns: {missing}")
    known = set(Region.objects.values_list("code", flat=True))
    seen: set[tuple[str, str, str]] = set()
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        region = normalize_code(row.get("region") or "") or ""
        payer, program = (row.get("payer") or "").strip(), (row.get("program") or "").strip().upper()
        values = {k: (row.get(k) or "").strip() for k in ("code", "programme", "activity", "source")}
        if region not in known:
            errors.append(f"baris {n}: region '{row.get('region')}' tidak dikenal / line {n}: unknown region")
        if payer not in scenario.PLAN_PAYERS:
            errors.append(f"baris {n}: payer '{payer}' tidak dikenal / line {n}: unknown payer "
                          f"({', '.join(scenario.PLAN_PAYERS)})")  # fmt: skip
        if program and program not in scenario.PLAN_PROGRAMS:
            errors.append(f"baris {n}: program '{program}' harus JKK, JKM, JHT atau kosong / line {n}: program must "
                          f"be JKK, JKM, JHT or empty")  # fmt: skip
        for field in ("code", "programme", "activity"):
            if not values[field]:
                errors.append(f"baris {n}: {field} kosong / line {n}: {field} is empty")
        if (region, payer, program) in seen:
            errors.append(f"baris {n}: {region} {payer} {program or '*'} dua kali / line {n}: given twice")
        seen.add((region, payer, program))
        entries.append(AccountCode(region_id=region, payer=payer, program=program, code=values["code"][:80],
                                   programme=values["programme"][:250], activity=values["activity"][:250],
                                   source=values["source"][:250]))  # fmt: skip
    if errors:
        raise CodeListError("; ".join(errors[:20]) + (f"; … (+{len(errors) - 20})" if len(errors) > 20 else ""))
    regions = sorted({e.region_id for e in entries})
    with transaction.atomic():
        AccountCode.objects.filter(region_id__in=regions).delete()
        AccountCode.objects.bulk_create(entries)
        audit.record("load_account_codes", actor=user, request=request, object_type="account_code",
                     summary=f"{len(entries)} kode rekening RKA untuk {', '.join(regions)}")  # fmt: skip
    return len(entries)


def codes_for(region: str) -> dict[tuple[str, str, str], dict[str, str]]:
    """The code lists of every region of ``region``'s province, for :func:`ucj.planning.exports.rka_lines`."""
    province = region[:2]
    rows = AccountCode.objects.filter(region__code__startswith=province)
    return {(c.region_id, c.payer, c.program): {"code": c.code, "programme": c.programme, "activity": c.activity}
            for c in rows}  # fmt: skip


def rka(saved: Scenario) -> bytes:
    """The RKA workbook of a saved plan, with the region's code list and the names of the payer places."""
    from ucj.planning.exports import rka_xlsx

    places = [p["payer"].partition(":")[2] for p in saved.result.get("payers", [])]
    names = dict(Region.objects.filter(code__in=[p for p in places if p]).values_list("code", "name"))
    return rka_xlsx(saved.name, saved.result, codes_for(saved.region_id), names)
