"""REST endpoints of budget planning: run a scenario, save it, list, show, compare, and download the RKA and
enrolment workbooks. Scoped like everything else: a kab/kota plans its own area; plans outside the caller's
regions answer 404."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from ucj.planning import services
from ucj.planning.exports import enrolment_csv, enrolment_xlsx
from ucj.planning.groups import GROUPS
from ucj.planning.models import Scenario
from ucj.planning.scenario import ScenarioError, Spec
from ucj.xlsx import CSV_CONTENT_TYPE

router = Router(tags=["perencanaan / planning"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpecIn(Schema):
    """A scenario: see ``docs/planning.md``. Amounts in rupiah, shares as fractions of the budget (0.6 = 60 %:
    that payer funds whole workers for about 60 % of it), ``apbdes_source`` add | dana_desa | pad_desa,
    ``lapse_rate`` 0–1 (empty: the registry's estimate or the setting)."""

    region: str
    year: int
    question: str = "max_coverage"
    budget: int | None = None
    start_month: int = 1
    months: int = 12
    shares: dict[str, float] = {"apbd_kabkota": 1.0}
    payer_limits: dict[str, int] = {}
    kab_limits: dict[str, int] = {}
    groups: list[str] = list(GROUPS)
    max_decile: int | None = None
    programs: list[str] = ["JKK", "JKM"]
    floor: str = "none"
    floor_share: float = 0.0
    decile_step: float = 1.0
    gap_weight: float = 1.0
    apbdes_source: str = "add"
    lapse_rate: float | None = None
    bantuan: dict[str, int] = {}


class SaveIn(Schema):
    name: str
    spec: SpecIn


class Problem(Schema):
    detail: str


def _spec(body: SpecIn) -> Spec:
    return Spec.from_dict(body.dict())


def _refused(err: Exception) -> Status:
    return Status(getattr(err, "status", 422), {"detail": str(err)})


@router.post("/plans/run", response={200: dict[str, Any], 403: Problem, 404: Problem, 422: Problem},
             url_name="plan_run")  # fmt: skip
def run_plan(request: HttpRequest, body: SpecIn) -> Any:
    """Solve a scenario without saving it: workers funded per kab/kota, cost per payer, coverage before and
    after against the target, or the problems that make it infeasible (which constraint, by how much)."""
    try:
        return services.run(_spec(body), request.user)
    except (ScenarioError, services.PlanRefused) as err:
        return _refused(err)


@router.post("/plans", response={201: dict[str, Any], 403: Problem, 404: Problem, 422: Problem},
             url_name="plans")  # fmt: skip
def save_plan(request: HttpRequest, body: SaveIn) -> Any:
    """Solve and save a named scenario (roles admin, provinsi, kabkota, in their regions; audited)."""
    try:
        saved = services.save(request.user, body.name, _spec(body.spec), request=request)
    except (ScenarioError, services.PlanRefused) as err:
        return _refused(err)
    return Status(201, {"id": saved.pk, "name": saved.name, **saved.result})


@router.get("/plans", response=list[dict[str, Any]])
def list_plans(request: HttpRequest) -> Any:
    """Saved scenarios of the caller's regions, newest first, with what each buys."""
    return services.compare(list(services.visible(request.user)[:200]))


@router.get("/plans/compare", response={200: list[dict[str, Any]], 404: Problem}, url_name="plans_compare")
def compare_plans(request: HttpRequest, ids: str) -> Any:
    """Side-by-side comparison of saved scenarios (``ids=3,5,8``)."""
    wanted = [int(i) for i in ids.split(",") if i.strip().isdigit()]
    found = {s.pk: s for s in services.visible(request.user).filter(pk__in=wanted)}
    if len(found) != len(set(wanted)) or not wanted:
        return Status(404, {"detail": "Tidak ditemukan / not found"})
    return services.compare([found[i] for i in wanted])


def _visible(request: HttpRequest, plan_id: int) -> Scenario:
    scenario: Scenario = get_object_or_404(services.visible(request.user), pk=plan_id)
    return scenario


@router.get("/plans/{plan_id}", response=dict[str, Any])
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    """One saved scenario: the question asked (``spec``) and the full answer."""
    saved = _visible(request, plan_id)
    return {"id": saved.pk, "name": saved.name, **saved.result}


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/plans/{plan_id}/rka.xlsx", response={200: None})
def get_plan_rka(request: HttpRequest, plan_id: int) -> Any:
    """The RKA workbook: per payer place (province, each kab/kota, each village), renewals and new workers,
    volume × unit price = amount, with the region's account codes, programme and activity."""
    saved = _visible(request, plan_id)
    return _xlsx(services.rka(saved), f"rka-skenario-{saved.pk}.xlsx")


@router.get("/plans/{plan_id}/enrolment.xlsx", response={200: None})
def get_plan_enrolment(request: HttpRequest, plan_id: int, format: Literal["xlsx", "csv"] = "xlsx") -> Any:
    """The workers to enrol per village with the expected bill (NIKs masked where the role needs no full
    view; audited), and the unlisted vulnerable workers still to be named per kab/kota. ``format=csv``: the
    list of workers alone as CSV (very large lists; text quoted against formula injection)."""
    saved = _visible(request, plan_id)
    lists = services.enrolment(saved, request.user, request=request)
    if format == "csv":
        response = HttpResponse(enrolment_csv(lists["people"]), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="pendaftaran-skenario-{saved.pk}.csv"'
        return response
    data = enrolment_xlsx(saved.name, lists["people"], lists["villages"], lists["unlisted"])
    return _xlsx(data, f"pendaftaran-skenario-{saved.pk}.xlsx")
