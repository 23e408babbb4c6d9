"""Shared by the targeting operations (issue 14): who may do what (the role sets, the operator of the command line),
the refusals pages and the API turn into 403/400, the caller's scope and regions (404 outside them), masking of
frames of people, lookups by NIK, region names, findings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from ucj.accounts.models import Role
from ucj.accounts.policy import FULL_FIELDS, FieldViews, apply_frame, mask_text
from ucj.accounts.privacy import views_for
from ucj.accounts.scoping import Scope, scope_for
from ucj.bulk import stream_frame as _query_frame
from ucj.regions.codes import contains, normalize_code
from ucj.regions.models import Region
from ucj.targeting.issues import Finding

#: Who loads person lists (a village operator loads the village's population export).
LIST_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.DESA})
#: Who loads BPJS person-level files.
BPJS_FILE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.BPJS})
#: Who puts candidates and plans on worklists (the governments that fund enrolment).
WORKLIST_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA})
#: Who marks people on a worklist and issues collective registration files.
PIPELINE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.DESA})
#: The command line without ``--user`` runs as the operator of the instance.
OPERATOR = Scope(grants=(), everywhere=True)
_CHUNK = 20_000
#: A lookup of N NIKs reads the whole table instead when N × this reaches the table's size.
_WHOLE_TABLE_SHARE = 4


class TargetingRefused(Exception):
    """The user may not do this here (bilingual message; pages/API answer 403)."""


class TargetingThrottled(TargetingRefused):
    """The user is over ``UCJ_DRY_RUN_RATE`` for dry runs (as the registry's ``ImportThrottled``: the API answers
    429 ``RATE_LIMITED``, the upload pages 429 with the message on the form)."""


DRY_RUNS_THROTTLED = "Terlalu banyak uji coba; coba lagi nanti / too many dry runs; try again later"


class TransitionRefused(ValueError):
    """A status change that the pipeline does not allow, or a missing reason (bilingual message; 400)."""


def _findings(frame: pl.DataFrame, limit: int | None = None) -> list[Finding]:
    rows = frame.sort("row", "code")
    if limit is not None:
        rows = rows.head(limit)
    return [Finding(**r) for r in rows.select("row", "column", "code", "value", "extra").iter_rows(named=True)]


def _findings_json(findings: list[Finding], views: FieldViews | None) -> list[dict[str, Any]]:
    """Findings for the caller: messages quote cells (NIKs) — masked as ``views`` allows (None: in full)."""
    out = []
    for f in findings:
        item = f.as_dict()
        if views is not None:
            item["message"] = mask_text(str(item["message"]), views)
            item["message_en"] = mask_text(str(item["message_en"]), views)
        out.append(item)
    return out


def _scope(who: Any) -> Scope:
    """The scope of a user, a :class:`Scope` as given, or the operator's (``None``: the command line)."""
    if who is None:
        return OPERATOR
    return who if isinstance(who, Scope) else scope_for(who)


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _region(code: str | None) -> str | None:
    """A known region code (dotted), else :class:`TargetingRefused`."""
    if code is None or code == "":
        return None
    clean = normalize_code(code)
    if clean is None or not Region.objects.filter(code=clean).exists():
        raise TargetingRefused(f"Kode wilayah tidak dikenal / unknown region code: {code}")
    return clean


def _region_or_404(code: str) -> str:
    """A known region code, else 404 (reading: an unknown region is like one outside the scope)."""
    try:
        found = _region(code)
    except TargetingRefused as err:
        raise Http404 from err
    if found is None:
        raise Http404
    return found


def _reachable(scope: Scope, region: str) -> None:
    """404 unless ``region`` lies inside the caller's regions or contains one of them."""
    if scope.everywhere or scope.covers(region) or any(contains(region, c) for c in scope.regions):
        return
    raise Http404


def _masked(frame: pl.DataFrame, scope: Scope, context: str) -> pl.DataFrame:
    """``frame`` (nik, name, desa, …) masked village by village as ``scope`` may see each village's people in
    ``context`` (:func:`ucj.accounts.privacy.views_for`; a list never shows a full NIK)."""
    if frame.is_empty() or (scope.everywhere and context != "listing"):
        return frame
    views = {c: views_for(scope, c, context) for c in frame["desa"].unique().to_list()}  # type: ignore[arg-type]
    kinds = set(views.values())
    if kinds == {FULL_FIELDS}:
        return frame
    indexed = frame.with_row_index("_order")
    parts = [apply_frame(indexed.filter(pl.col("desa").is_in([c for c, v in views.items() if v == kind])), kind)
             for kind in kinds]  # fmt: skip
    return pl.concat(parts, how="diagonal_relaxed").sort("_order").drop("_order")


def _by_nik(qs: QuerySet[Any], niks: Sequence[str], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of ``qs`` whose NIK is in ``niks``: one query, the NIKs sent as one text parameter (a Django ``__in``
    list costs seconds of Python per 100,000 values), each looked up in the NIK index."""
    if not niks:
        return pl.DataFrame(schema=schema)
    if len(niks) * _WHOLE_TABLE_SHARE >= qs.count():
        # Most of the table: reading it whole and keeping the NIKs in Polars beats a lookup per NIK.
        return _query_frame(qs, schema).join(pl.DataFrame({"nik": list(niks)}, schema={"nik": pl.String}),
                                             on="nik", how="semi")  # fmt: skip
    if connection.vendor == "postgresql":
        wanted = RawSQL("SELECT unnest(string_to_array(%s, ','))", (",".join(niks),))
    else:
        wanted = RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(niks)),))
    return _query_frame(qs.filter(nik__in=wanted), schema)


def _names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=sorted(set(codes))).values_list("code", "name"))


def _kabkota(desa: pl.Expr) -> pl.Expr:
    return desa.str.slice(0, 5)


def _outside(rows: pl.DataFrame, findings: pl.DataFrame, scope: Scope, roles: frozenset[str], code_col: str,
             header: str, code: str) -> tuple[pl.DataFrame, pl.DataFrame]:  # fmt: skip
    """Rows whose village (``code_col``) lies outside the caller's regions for ``roles``: rejected with ``code``."""
    if scope.everywhere:
        return rows, findings
    codes = rows.filter(~pl.col("rejected"))[code_col].drop_nulls().unique().to_list()
    foreign = [c for c in codes if not scope.covers(c, roles)]
    out = rows.filter(pl.col(code_col).is_in(foreign) & ~pl.col("rejected"))
    if out.is_empty():
        return rows, findings
    row_col = "_row" if "_row" in rows.columns else "row"
    added = out.select(pl.col(row_col).alias("row"), pl.lit(header).alias("column"), pl.lit(code).alias("code"),
                       (pl.col(code_col) if code == "REGION_OUTSIDE" else pl.lit("")).alias("value"),
                       pl.lit(", ".join(scope.regions)).alias("extra"))  # fmt: skip
    rows = rows.with_columns((pl.col("rejected") | pl.col(code_col).is_in(foreign).fill_null(False)).alias("rejected"))
    return rows, pl.concat([findings, added.cast(findings.schema)])
