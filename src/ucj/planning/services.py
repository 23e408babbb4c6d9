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
from ucj.planning.models import Scenario
from ucj.planning.scenario import Spec
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region, in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since

CANDIDATE_FIELDS = {"desa_id": pl.String, "village_role": pl.String, "occupation": pl.String,
                    "ecosystem": pl.String, "poverty_decile": pl.Int64}  # fmt: skip
REGION_COLUMNS = {"region": pl.String, "name": pl.String, "covered": pl.Int64, "denominator": pl.Int64,
                  "target_count": pl.Int64, "gap": pl.Int64, "vulnerable_total": pl.Int64,
                  "vulnerable_covered": pl.Int64}  # fmt: skip


class PlanRefused(ValueError):
    """The user may not plan for this region (``status`` 404: it stays hidden like every record outside the
    user's regions) or may not save plans (403). The message is bilingual."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class PlanData:
    """What a scenario is solved on: the kab/kota figures, the candidate pool and the region's own gap."""

    as_of: dt.date
    regions: pl.DataFrame
    pool: pl.DataFrame
    own: dict[str, Any]  # the planned region's own figures (covered, denominator, target, gap)

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
    return {
        "region": indicator["region"], "name": indicator.get("name", ""), "covered": covered,
        "denominator": indicator["denominator"], "target_count": count,
        "gap": max(0, count - covered) if count is not None else None,
        "vulnerable_total": indicator["vulnerable_total"], "vulnerable_covered": indicator["vulnerable_covered"],
    }  # fmt: skip


def _not_covered(code: str, start: dt.date) -> Any:
    """Listed participants of region ``code`` not active at ``start`` (never paid, or lapsed under the lapse
    rule) and not paid for by an employer — filtered in SQL."""
    since = active_since(start, settings.UCJ_LAPSE_MONTHS)
    return (
        Participant.objects.filter(in_region("desa_id", code, villages_only=True))
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
    if level_of(code) == 1:
        answer = coverage(code, by="kabkota", as_of=as_of)
        rows = [_region_row(i, year) for i in answer["children"]]
    else:
        answer = coverage(code, as_of=as_of)
        rows = [_region_row(answer["region"], year)]
    regions = pl.DataFrame(rows, schema=REGION_COLUMNS, orient="row")
    own = _region_row(answer["region"], year)
    start = dt.date(year, start_month, 1)
    return PlanData(as_of, regions, candidate_pool(code, start, regions), own)


def unit_cost(spec: Spec) -> tuple[int, list[dict[str, Any]]]:
    """Contribution of one worker over the scenario's months (BPU, lowest income band, the chosen
    programmes), month by month from the contributions engine, and its lines (month × programme, with rule
    and source). The payer passed on is the APBN/APBD payer when one shares the cost: PP 50/2025's relief
    does not apply to contributions paid through APBN/APBD (domain.md §1.6), so a mixed plan is budgeted at the
    full amount."""
    public = [p for p in ("apbd_kabkota", "apbd_provinsi", "apbn") if spec.shares.get(p, 0) > 0]
    payer = public[0] if public else max(spec.shares, key=lambda p: spec.shares[p])
    book = rulebook()
    lines: list[dict[str, Any]] = []
    for m in range(spec.start_month, spec.start_month + spec.months):
        month = dt.date(spec.year, m, 1)
        try:
            breakdown = calculate(book, Inputs("BPU", month, programs=spec.programs, payer=payer))
        except (CalcError, RuleMissing) as err:  # e.g. a year no rule covers yet: say which rule, never a 500
            raise scenario.ScenarioError(f"year: {err}") from err
        lines += [{"month": f"{month:%Y-%m}", "program": c.program, "amount": c.amount, "rule": c.rule,
                   "source": c.source} for c in breakdown.components]  # fmt: skip
    return sum(line["amount"] for line in lines), lines


def check_region(user: Any, code: str, *, save: bool = False) -> str:
    """The normalised region code, if ``user`` may plan there (and save plans, with ``save``); None = the
    operator at the command line."""
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
    cost, lines = unit_cost(spec)
    problem = scenario.problem(spec, data.pool, data.regions, cost, data.region_gap)
    solve = optimiser.maximise_coverage if spec.question == "max_coverage" else optimiser.minimise_cost
    result = scenario.summary(solve(problem), spec, data.regions, cost)
    names = dict(Region.objects.filter(code__in=data.pool["desa"].drop_nulls().unique().to_list())
                 .values_list("code", "name"))  # fmt: skip
    for row in result.get("desa", []):
        row["name"] = names.get(row["desa"], "")
    result.update({"spec": spec.as_dict(), "as_of": f"{data.as_of:%Y-%m}", "unit_cost_lines": lines,
                   "region_before": data.own, "region_after": _after(data.own, result.get("funded", 0)),
                   "available": int(problem.units["available"].sum())})  # fmt: skip
    return result


def _after(own: dict[str, Any], funded: int) -> dict[str, Any]:
    """The planned region's coverage if every funded worker is enrolled (the feed and registry unchanged)."""
    covered = (own["covered"] or 0) + funded
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
                     "decile": pl.Int64, "funded": pl.Int64}  # fmt: skip


def enrolment(saved: Scenario, user: Any, request: HttpRequest | None = None) -> dict[str, pl.DataFrame]:
    """The workers to enrol under a saved plan: per funded desa × group × decile cell, that many listed
    workers still not active today (poorest cells first; within a cell in NIK order, so the list is
    stable), with the expected contribution; the expected bill per village; and the unlisted vulnerable
    workers still to be named per kab/kota. NIKs and names masked where the user's role needs no full view;
    audited (personal data)."""
    result, spec = saved.result, Spec.from_dict(saved.spec)
    alloc = pl.DataFrame(result.get("allocation", []), schema=ALLOCATION_SCHEMA)
    first = result["unit_cost_lines"][0]["month"] if result.get("unit_cost_lines") else None
    monthly = sum(line["amount"] for line in result.get("unit_cost_lines", []) if line["month"] == first)
    people = _candidates(spec.region, dt.date(spec.year, spec.start_month, 1))
    cells = alloc.filter(pl.col("desa").is_not_null()).select("desa", "group", "decile", "funded")
    chosen = (
        people.join(cells, on=["desa", "group", "decile"], nulls_equal=True)
        .filter(pl.col("nik").rank("ordinal").over("desa", "group", "decile") <= pl.col("funded"))
        .sort("desa", pl.col("decile").fill_null(99), "group", "nik")
    )  # fmt: skip
    names = dict(Region.objects.filter(code__in=[*chosen["desa"].unique(), *alloc["region"].unique()])
                 .values_list("code", "name"))  # fmt: skip
    full = _full_view(user, chosen["desa"].unique().to_list())
    # Villages without a full export view get the masked policy (docs/privacy.md), vectorised.
    shown = apply_frame(chosen.select("nik", "name", "desa"), MASKED.export, full=pl.col("desa").is_in(list(full)))
    listed = chosen.with_columns(nik=shown["nik"], name=shown["name"]).select(
        "desa", pl.col("desa").replace_strict(names, default="").alias("desa_name"), "region", "nik", "name",
        "group", "decile", pl.lit(monthly).alias("monthly"), pl.lit(spec.months).alias("months"),
        pl.lit(result["unit_cost"]).alias("period"),
    )  # fmt: skip
    villages = listed.group_by("desa", "desa_name", "region").agg(
        pl.len().alias("pekerja"), pl.col("monthly").sum().alias("tagihan_per_bulan"),
        pl.col("period").sum().alias("tagihan_periode"),
    ).sort("desa")  # fmt: skip
    unlisted = (
        alloc.filter(pl.col("desa").is_null()).group_by("region").agg(pl.col("funded").sum().alias("pekerja"))
        .select("region", pl.col("region").replace_strict(names, default="").alias("nama"), "pekerja",
                (pl.col("pekerja") * result["unit_cost"]).alias("biaya_periode"))
        .sort("region")
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
