"""Village worklists (issue 14 §4): candidates or a saved budget plan's enrolment list put on the worklists as
"identified", one village's worklist (masked per policy) and its workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.scoping import Scope
from ucj.bulk import insert_frame, read_frame
from ucj.targeting import rules
from ucj.targeting.common import (
    PIPELINE_ROLES,
    WORKLIST_ROLES,
    TargetingRefused,
    _actor,
    _by_nik,
    _kabkota,
    _masked,
    _reachable,
    _region_or_404,
    _scope,
)
from ucj.targeting.exports import frame_xlsx
from ucj.targeting.models import (
    Enrolment,
    EnrolmentEvent,
    Status,
)
from ucj.targeting.selection import _outcome


def _require(scope: Scope, roles: frozenset[str], region: str, what: str) -> None:
    """404 outside the caller's regions, :class:`TargetingRefused` (403) when the role may not ``what``."""
    _reachable(scope, region)
    if not scope.can(roles, region):
        raise TargetingRefused(f"Anda tidak berhak {what} di wilayah ini / you may not do this here ({what})")


def create_worklist(user: Any, region: str, *, max_decile: int | None = None, groups: Sequence[str] | None = None,
                    as_of: dt.date | None = None, request: HttpRequest | None = None) -> dict[str, int]:  # fmt: skip
    """Put the candidates of ``region`` (a desa, kecamatan or kab/kota) on their villages' worklists as
    "identified", in priority order; people already enrolled in their kab/kota are left as they are. Returns
    ``{"created": n, "already": m}``."""
    scope = _scope(user)
    code = _region_or_404(region)
    _require(scope, WORKLIST_ROLES, code, "membuat daftar kerja")
    as_of = as_of or timezone.localdate()
    frame = _outcome(scope, code, max_decile=max_decile, groups=groups, as_of=as_of).frame
    people = frame.select("nik", "name", "birth_date", "desa", "decile", "village_role", "sources", "priority",
                          pl.lit(None, dtype=pl.Int64).alias("plan_id"))  # fmt: skip
    with transaction.atomic():
        out = _enrol(people, user, EnrolmentEvent.Via.WORKLIST)
    audit.record("targeting.worklist_create", actor=_actor(user), request=request, object_type="region",
                 object_id=code, region_code=code, summary=f"{out['created']} orang baru di daftar kerja, "
                 f"{out['already']} sudah ada", changes={**out, "max_decile": max_decile,
                 "groups": list(groups or [])})  # fmt: skip
    return out


def _enrol(people: pl.DataFrame, user: Any, via: str) -> dict[str, int]:
    """Insert enrolments for ``people`` not yet enrolled in their kab/kota, with their first event."""
    people = people.with_columns(_kabkota(pl.col("desa")).alias("region")).unique(["nik", "region"], keep="first")
    existing = _by_nik(Enrolment.objects.order_by(), people["nik"].to_list(),
                       {"nik": pl.String, "region_id": pl.String}).rename({"region_id": "region"})  # fmt: skip
    new = people.join(existing, on=["nik", "region"], how="anti")
    now = timezone.now()
    rows = new.select(
        "nik", pl.col("region").alias("region_id"), pl.col("desa").alias("desa_id"),
        pl.col("name").fill_null("").str.slice(0, 200), "birth_date", pl.col("decile").cast(pl.Int16),
        pl.col("village_role").fill_null(""), pl.col("sources").fill_null("").str.slice(0, 300),
        pl.col("priority").cast(pl.Int64), pl.lit(Status.IDENTIFIED.value).alias("status"), pl.lit("").alias("reason"),
        pl.lit("").alias("kpj"), "plan_id", pl.lit(now).alias("identified_at"), pl.lit(now).alias("status_at"),
    )  # fmt: skip
    with connection.cursor() as cur:
        insert_frame(cur, Enrolment._meta.db_table, rows)
    stored = _by_nik(Enrolment.objects.order_by(), rows["nik"].to_list(),
                     {"id": pl.Int64, "nik": pl.String, "region_id": pl.String})  # fmt: skip
    ids = stored.join(rows.select("nik", "region_id"), on=["nik", "region_id"], how="semi")
    first = ids.select("id", pl.lit("").alias("status"), pl.lit(Status.IDENTIFIED.value).alias("to"))
    events = first.select(
        pl.col("id").alias("enrolment_id"), pl.lit(getattr(_actor(user), "pk", None), dtype=pl.Int64).alias("actor_id"),
        pl.lit(getattr(user, "username", "") or "").alias("actor_name"), pl.lit(now).alias("at"),
        pl.col("status").alias("from_status"), pl.col("to").alias("to_status"), pl.lit("").alias("reason"),
        pl.lit(via).alias("via"),
    )  # fmt: skip
    with connection.cursor() as cur:
        insert_frame(cur, EnrolmentEvent._meta.db_table, events)
    return {"created": rows.height, "already": people.height - rows.height}


def worklist_from_plan(user: Any, scenario: Any, *, request: HttpRequest | None = None) -> dict[str, int]:
    """Put a saved budget plan's enrolment list (:func:`ucj.planning.services.enrolment`) on the worklists of its
    villages, in the plan's order (poorest cells first), linked to the plan. Returns ``{"created", "already",
    "masked"}`` — people whose NIK the caller cannot see in full cannot be enrolled by them."""
    from ucj.planning.services import enrolment

    scope = _scope(user)
    _require(scope, WORKLIST_ROLES, scenario.region_id, "membuat daftar kerja")
    listed = enrolment(scenario, user, request)["people"]
    full = listed.filter(pl.col("nik").str.contains(r"^[0-9]{16}$"))
    people = full.with_row_index("priority", offset=1).select(
        "nik", "name", pl.lit(None, dtype=pl.Date).alias("birth_date"), "desa", pl.col("decile").cast(pl.Int16),
        pl.lit("").alias("village_role"), pl.lit(f"rencana/plan: {scenario.name}"[:300]).alias("sources"),
        pl.col("priority").cast(pl.Int64), pl.lit(scenario.pk, dtype=pl.Int64).alias("plan_id"),
    )  # fmt: skip
    with transaction.atomic():
        out = _enrol(people, user, EnrolmentEvent.Via.WORKLIST)
    out["masked"] = listed.height - full.height
    audit.record("targeting.worklist_from_plan", actor=_actor(user), request=request, object_type="scenario",
                 object_id=scenario.pk, region_code=scenario.region_id, summary=f"{out['created']} orang baru dari "
                 f"rencana {scenario.name}", changes=out)  # fmt: skip
    return out


def visible_enrolments(user: Any) -> QuerySet[Enrolment]:
    """Enrolments of the villages ``user`` reaches."""
    return Enrolment.objects.filter(_scope(user).region_q("desa_id", villages_only=True))


def get_enrolment(user: Any, pk: int) -> Enrolment:
    """One enrolment the user may see, else 404."""
    found = visible_enrolments(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


_WORKLIST_SCHEMA = {"id": pl.Int64, "nik": pl.String, "name": pl.String, "desa_id": pl.String, "decile": pl.Int16,
                    "village_role": pl.String, "sources": pl.String, "priority": pl.Int64, "status": pl.String,
                    "reason": pl.String, "kpj": pl.String, "status_at": pl.Datetime("us", "UTC")}  # fmt: skip


def worklist(user: Any, desa: str, *, status: str | None = None, context: str = "listing") -> pl.DataFrame:
    """One village's worklist in priority order: id, nik, name, desa, decile, village_role, sources, priority,
    status, reason, kpj, status_at and ``next`` (the statuses the caller may choose next, empty for people who
    only read), masked as ``user`` may see it in ``context``. 404 outside the caller's regions."""
    scope = _scope(user)
    code = _region_or_404(desa)
    if not scope.covers(code):
        raise Http404
    qs = Enrolment.objects.filter(desa_id=code).order_by("priority", "id")
    if status:
        qs = qs.filter(status=status)
    frame = read_frame(qs, _WORKLIST_SCHEMA).rename({"desa_id": "desa"})
    may = scope.can(PIPELINE_ROLES, code)
    nexts = pl.DataFrame({"status": list(rules.MANUAL), "next": [rules.next_statuses(s) if may else []
                                                                 for s in rules.MANUAL]},
                         schema={"status": pl.String, "next": pl.List(pl.String)})  # fmt: skip
    frame = frame.join(nexts, on="status", how="left", maintain_order="left")
    return _masked(frame, scope, context)


def worklist_xlsx(user: Any, desa: str, *, request: HttpRequest | None = None) -> bytes:
    """The village's worklist as a workbook (export context: full NIKs for full roles; audited)."""
    frame = worklist(user, desa, context="export")
    labels = {value: str(label) for value, label in Status.choices}
    shown = frame.select(
        pl.col("priority").alias("No"), pl.col("nik").alias("NIK"), pl.col("name").alias("Nama"),
        pl.col("desa").alias("Kode desa"), pl.col("decile").alias("Desil"), pl.col("village_role").alias("Peran desa"),
        pl.col("sources").alias("Sumber"), pl.col("status").replace_strict(labels, default="").alias("Status"),
        pl.col("reason").alias("Alasan"), pl.col("kpj").alias("No KPJ"),
    )  # fmt: skip
    audit.record("targeting.worklist_export", actor=_actor(user), request=request, object_type="region",
                 object_id=desa, region_code=desa, summary=f"{frame.height} orang")  # fmt: skip
    return frame_xlsx({"Daftar kerja": shown})
