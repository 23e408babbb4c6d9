"""Targeting operations that pages, the API, the CLI and jobs all call (issue 14).

Public, stable signatures (the web, dashboard and reports helpers call exactly these):

* :func:`import_list` — load a person list (DTSEN/P3KE, population export, sector list); replaces the source.
* :func:`import_bpjs` — load a BPJS person-level file; reconciles with lists and registry; moves enrolments.
* :func:`candidates` — the ranked unprotected people of a region, with excluded counts by reason.
* :func:`create_worklist` / :func:`worklist_from_plan` — put candidates (or a plan's enrolment list) on worklists.
* :func:`worklist` / :func:`worklist_xlsx` — one village's worklist (masked per policy) and its workbook.
* :func:`transition` — one status change (allowed ones only; audited).
* :func:`submission_file` — the collective registration file for BPJS from the contacted people.
* :func:`funnel` — counts per stage, conversion and median days identified → active (dashboard card).
* :func:`sync_payments` — paid contributions move registered people to active.

Who may do what is decided by :mod:`ucj.accounts.scoping` (the role sets below); records outside the caller's
regions answer 404 (``Http404``), actions the role may not take :class:`TargetingRefused` (403).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.models import Role
from ucj.accounts.policy import FULL_FIELDS, FieldViews, apply_frame, mask_nik, mask_text
from ucj.accounts.privacy import dry_run_allowed, views_for
from ucj.accounts.scoping import Scope, scope_for
from ucj.bulk import insert_frame, read_frame
from ucj.bulk import stream_frame as _query_frame
from ucj.regions.codes import common_ancestor, contains, normalize_code
from ucj.regions.models import Region, in_region
from ucj.registry.issues import RosterFileError
from ucj.registry.models import Participant
from ucj.registry.reader import RawRoster
from ucj.registry.sandbox import read_roster_bounded
from ucj.registry.services import read_limits, villages_for
from ucj.registry.status import active_since
from ucj.registry.validate import Validated, validate_roster
from ucj.targeting import candidates as core
from ucj.targeting import files, rules
from ucj.targeting.exports import frame_bytes, frame_xlsx
from ucj.targeting.issues import Finding
from ucj.targeting.models import (
    BpjsFile,
    BpjsRecord,
    Enrolment,
    EnrolmentEvent,
    ListPerson,
    ListSource,
    Status,
    SubmissionFile,
)

__all__ = ["BpjsReport", "CandidateResult", "ListReport", "RosterFileError", "TargetingRefused", "TransitionRefused",
           "candidates", "candidates_xlsx", "create_worklist", "funnel", "get_enrolment", "import_bpjs",
           "import_list", "submission_file", "sync_payments", "transition", "visible_enrolments", "worklist",
           "worklist_from_plan", "worklist_xlsx"]  # fmt: skip

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


@dataclass
class ListReport:
    """What happened to one list load."""

    file_name: str
    sha256: str
    source: str
    kind: str
    region: str | None = None
    source_id: int | None = None
    dry_run: bool = False
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    replaced: int = 0
    header_row: int | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self, views: FieldViews | None = None) -> dict[str, Any]:
        """The report as JSON; ``views`` masks NIKs quoted in findings (None: in full, the operator)."""
        return {
            "file": self.file_name, "sha256": self.sha256, "source": self.source, "kind": self.kind,
            "region": self.region, "source_id": self.source_id, "dry_run": self.dry_run, "rows": self.rows,
            "accepted": self.accepted, "rejected": self.rejected, "warnings": self.warnings,
            "replaced": self.replaced, "header_row": self.header_row, "columns": self.columns,
            "issues": _findings_json(self.findings, views),
        }  # fmt: skip


@dataclass
class BpjsReport:
    """What happened to one BPJS person-level file, and the reconciliation answer."""

    file_name: str
    sha256: str
    as_of: dt.date
    file_id: int | None = None
    dry_run: bool = False
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    active: int = 0
    inactive: int = 0
    matched_registry: int = 0
    registry_updated: int = 0
    #: NIKs BPJS knows that no list and no registry holds (masked per the caller's policy).
    unknown: list[str] = field(default_factory=list)
    #: Registry people (in the villages the file touches, inside the caller's regions) that BPJS does not know.
    not_in_bpjs: list[str] = field(default_factory=list)
    #: Name or birth-date disagreements with the registry or lists, for review (never overwritten).
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    #: Enrolments moved by the file: {"registered": n, "active": n}.
    moved: dict[str, int] = field(default_factory=dict)
    header_row: int | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self, views: FieldViews | None = None) -> dict[str, Any]:
        """The report as JSON (lists of NIKs and disagreements are already masked for the caller)."""
        return {
            "file": self.file_name, "sha256": self.sha256, "as_of": self.as_of.isoformat(), "file_id": self.file_id,
            "dry_run": self.dry_run, "rows": self.rows, "accepted": self.accepted, "rejected": self.rejected,
            "warnings": self.warnings, "active": self.active, "inactive": self.inactive,
            "matched_registry": self.matched_registry, "registry_kpj_filled": self.registry_updated,
            "unknown": {"count": len(self.unknown), "nik": self.unknown},
            "not_in_bpjs": {"count": len(self.not_in_bpjs), "nik": self.not_in_bpjs},
            "disagreements": {"count": len(self.disagreements), "items": self.disagreements},
            "moved": self.moved, "header_row": self.header_row, "columns": self.columns,
            "issues": _findings_json(self.findings, views),
        }  # fmt: skip


@dataclass
class CandidateResult:
    """Candidates in priority order (``frame``: nik, name, desa, desa_name, decile, sources, groups, reason,
    priority, village_role, bpjs_status, kpj, status…; NIK and name already shown as the caller may see them) and
    the people left out, counted by reason (``excluded``: {"asn": 3, "under_age": 5, "active": 12, …})."""

    region: str
    as_of: dt.date
    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.frame.height

    def as_json(self, limit: int | None = None) -> dict[str, Any]:
        """``count``, ``candidates`` (the first ``limit``, all when None) and ``excluded`` with reasons."""
        shown = self.frame if limit is None else self.frame.head(limit)
        return {
            "region": self.region, "as_of": self.as_of.isoformat(), "count": self.count,
            "candidates": shown.select(CANDIDATE_FIELDS).to_dicts(),
            "excluded": {code: {"count": n, "reason": rules.EXCLUSIONS[code][0], "reason_en": rules.EXCLUSIONS[code][1]}
                         for code, n in self.excluded.items()},
        }  # fmt: skip


#: The fields of a candidate in JSON, workbooks and the API.
CANDIDATE_FIELDS = ("priority", "nik", "name", "desa", "desa_name", "decile", "village_role", "groups", "sources",
                    "reason", "bpjs_status", "status")  # fmt: skip


# --- shared helpers --------------------------------------------------------------------------------------


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


# --- lists ---------------------------------------------------------------------------------------------------

_KIND_WORDS = (("dtsen", ListSource.Kind.DTSEN), ("dtks", ListSource.Kind.DTSEN), ("regsosek", ListSource.Kind.DTSEN),
               ("p3ke", ListSource.Kind.P3KE), ("penduduk", ListSource.Kind.POPULATION),
               ("opensid", ListSource.Kind.POPULATION), ("prodeskel", ListSource.Kind.POPULATION),
               ("population", ListSource.Kind.POPULATION))  # fmt: skip


def list_kind(kind: str | None, source: str) -> str:
    """The kind given, else guessed from the source name (``DTSEN 2025`` → dtsen; ``Penduduk Sukarami`` →
    population), else a sector list."""
    if kind:
        if kind not in ListSource.Kind.values:
            raise TargetingRefused(f"Jenis daftar tidak dikenal / unknown list kind: {kind} "
                                   f"({', '.join(ListSource.Kind.values)})")  # fmt: skip
        return kind
    folded = source.lower()
    return str(next((k for word, k in _KIND_WORDS if word in folded), ListSource.Kind.SECTOR).value)


def _list_region(scope: Scope, region: str | None) -> str | None:
    """The region a list is loaded for: the one given (the caller must hold a list role over it), else the
    caller's only list region (a kab/kota officer's own kab/kota)."""
    if region is not None:
        if not scope.can(LIST_ROLES, region):
            raise TargetingRefused("Anda tidak berhak memuat daftar untuk wilayah ini / you may not load lists "
                                   "for this region")  # fmt: skip
        return region
    if not scope.can(LIST_ROLES):
        raise TargetingRefused("Anda tidak berhak memuat daftar / you may not load lists")
    if scope.everywhere:
        return None
    own = sorted({c for r, c in scope.grants if r in LIST_ROLES and c})
    return own[0] if len(own) == 1 else None


def import_list(data: bytes, file_name: str, *, source: str, kind: str | None = None, user: Any = None,
                region: str | None = None, dry_run: bool = False,
                request: HttpRequest | None = None) -> ListReport:  # fmt: skip
    """Load one person list, all or nothing: every row accepted or rejected with findings (the roster's checks:
    NIK, dates, village, duplicates; rows outside the caller's regions are ``REGION_OUTSIDE``). Loading
    ``source`` again (same name, same region) replaces its people. Raises :class:`RosterFileError` for a file
    that is not a list, :class:`TargetingRefused` when the caller may not load here."""
    source = " ".join(source.split())[:100]
    if not source:
        raise TargetingRefused("Nama sumber kosong / the source name is empty")
    kind = list_kind(kind, source)
    scope = _scope(user)
    region = _list_region(scope, _region(region))
    if dry_run and user is not None and not dry_run_allowed(user):
        raise TargetingRefused("Terlalu banyak uji coba; coba lagi nanti / too many dry runs; try again later")
    report = ListReport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), source=source, kind=kind,
                        dry_run=dry_run)  # fmt: skip
    raw = read_roster_bounded(data, file_name, read_limits())
    report.columns, report.header_row = raw.columns.describe(), raw.header_row
    checked = _validate_list(raw, region, scope)
    people = files.list_people(raw, checked)
    report.rows, report.accepted = checked.rows.height, people.height
    report.rejected = report.rows - report.accepted
    report.findings = _findings(checked.findings, settings.UCJ_MAX_STORED_FINDINGS)
    report.warnings = sum(1 for f in report.findings if f.severity == "warning")
    report.region = region or common_ancestor(sorted(people["desa"].unique().to_list()))
    if report.region is None:
        if people.is_empty():
            return report
        raise TargetingRefused("Wilayah daftar tidak dapat ditentukan; beri --region / the list's region cannot be "
                               "told; give --region")  # fmt: skip
    if dry_run:
        audit.record("targeting.list_dry_run", actor=_actor(user), request=request, object_type="list_source",
                     region_code=report.region or "",
                     summary=f"{source}: {report.accepted} diterima, {report.rejected} ditolak")  # fmt: skip
        return report
    with transaction.atomic():
        _store_list(report, people, checked, user, request)
    return report


def _validate_list(raw: RawRoster, region: str | None, scope: Scope) -> Validated:
    villages = villages_for(region)
    checked = validate_roster(raw, villages, scope=region, all_codes=set(villages["code"].to_list()))
    rows, found = _outside(checked.rows, checked.findings, scope, LIST_ROLES, "desa_code",
                           raw.columns.header_of("desa"), "REGION_OUTSIDE")  # fmt: skip
    return Validated(rows=rows, findings=found)


def _store_list(report: ListReport, people: pl.DataFrame, checked: Validated, user: Any,
                request: HttpRequest | None) -> None:  # fmt: skip
    counts = checked.findings["code"].value_counts()
    src, _ = ListSource.objects.update_or_create(
        name=report.source, region_id=report.region,
        defaults={"kind": report.kind, "file_name": report.file_name[:255], "sha256": report.sha256,
                  "loaded_by": _actor(user), "rows": report.rows, "accepted": report.accepted,
                  "rejected": report.rejected, "warnings": report.warnings, "columns": report.columns,
                  "finding_counts": dict(zip(counts["code"].to_list(), counts["count"].to_list(), strict=True))},
    )  # fmt: skip
    report.source_id = src.pk
    report.replaced = ListPerson.objects.filter(source=src).delete()[0]
    frame = people.select(pl.lit(src.pk).alias("source_id"), "nik", "name", "birth_date", "sex",
                          pl.col("desa").alias("desa_id"), "decile", "occupation", "village_role", "groups", "row")
    with connection.cursor() as cur:
        insert_frame(cur, ListPerson._meta.db_table, frame)
    audit.record("targeting.list_load", actor=_actor(user), request=request, object_type="list_source",
                 object_id=src.pk, region_code=report.region or "",
                 summary=f"{report.source} ({report.kind}): {report.accepted} orang, {report.rejected} ditolak, "
                 f"{report.replaced} diganti", changes={"rows": report.rows, "accepted": report.accepted,
                 "rejected": report.rejected, "replaced": report.replaced, "sha256": report.sha256})  # fmt: skip


def list_sources(user: Any) -> QuerySet[ListSource]:
    """The lists loaded for the regions ``user`` reaches (and the wider lists that hold some of them)."""
    scope = _scope(user)
    if scope.everywhere:
        return ListSource.objects.all()
    above = Q(region_id__in=[c for code in scope.regions for c in _ancestors(code)])
    return ListSource.objects.filter(scope.region_q("region_id") | above)


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


# --- BPJS person-level files ---------------------------------------------------------------------------------


def import_bpjs(data: bytes, file_name: str, *, as_of: dt.date | None = None, user: Any = None,
                dry_run: bool = False, request: HttpRequest | None = None) -> BpjsReport:  # fmt: skip
    """Load one BPJS person-level file, all or nothing. Its status is authoritative as of ``as_of`` (default
    today): people are matched with the registry and the lists by NIK; the answer lists NIKs nobody else
    holds, registry people BPJS does not know, and name/birth-date disagreements (never overwritten). Blank
    registry KPJ numbers are filled; enrolments of the people move to registered/active (unless a newer file
    was already loaded)."""
    scope = _scope(user)
    if not scope.can(BPJS_FILE_ROLES):
        raise TargetingRefused("Anda tidak berhak memuat berkas BPJS / you may not load BPJS files")
    if dry_run and user is not None and not dry_run_allowed(user):
        raise TargetingRefused("Terlalu banyak uji coba; coba lagi nanti / too many dry runs; try again later")
    as_of = as_of or timezone.localdate()
    report = BpjsReport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), as_of=as_of, dry_run=dry_run)
    raw = read_roster_bounded(data, file_name, read_limits())
    report.columns, report.header_row = raw.columns.describe(), raw.header_row
    checked = files.validate_bpjs(raw, as_of)
    niks = checked.rows.filter(~pl.col("rejected"))["nik"].to_list()
    registry = _by_nik(Participant.objects.order_by(), niks, {"nik": pl.String, "name": pl.String,
                       "birth_date": pl.Date, "desa_id": pl.String})  # fmt: skip
    listed = _by_nik(ListPerson.objects.order_by("nik", "id"), niks, {"nik": pl.String, "name": pl.String,
                     "birth_date": pl.Date, "desa_id": pl.String}).unique("nik", keep="first")  # fmt: skip
    where = pl.concat([registry, listed]).unique("nik", keep="first").select("nik", pl.col("desa_id").alias("desa"))
    rows = checked.rows.join(where, on="nik", how="left")
    rows, found = _outside(rows, checked.findings, scope, BPJS_FILE_ROLES, "desa", raw.columns.header_of("nik"),
                           "NIK_OUTSIDE_REGION")  # fmt: skip
    ok = rows.filter(~pl.col("rejected"))
    review = pl.concat([files.disagreements(ok, registry.drop("desa_id"), "registri/registry"),
                        files.disagreements(ok, listed.drop("desa_id"), "daftar/list")])  # fmt: skip
    found = pl.concat([found, _review_findings(ok, review).cast(found.schema)])
    _count_bpjs(report, rows, ok, found, registry)
    views = None if scope.everywhere else views_for(scope, None, "export")
    report.unknown = _shown_niks(ok.join(where.drop_nulls("desa"), on="nik", how="anti")["nik"], views)
    touched = ok["desa"].drop_nulls().unique().to_list()
    report.not_in_bpjs = _shown_niks(_registry_not_in(touched, ok["nik"], scope), views)
    report.disagreements = _shown_review(review, views)
    if not dry_run:
        with transaction.atomic():
            _store_bpjs(report, ok, user, request)
    else:
        audit.record("targeting.bpjs_dry_run", actor=_actor(user), request=request, object_type="bpjs_file",
                     summary=f"{report.accepted} diterima, {report.rejected} ditolak")  # fmt: skip
    return report


def _review_findings(ok: pl.DataFrame, review: pl.DataFrame) -> pl.DataFrame:
    """One warning per disagreement on the row it came from (no values: they are personal data)."""
    codes = {"name": "NAME_DISAGREES", "birth_date": "BIRTHDATE_DISAGREES"}
    return review.join(ok.select("nik", "row"), on="nik").select(
        pl.col("row").cast(pl.Int64), pl.col("field").alias("column"),
        pl.col("field").replace_strict(codes, return_dtype=pl.String).alias("code"), pl.lit("").alias("value"),
        pl.col("source").alias("extra"),
    )  # fmt: skip


def _count_bpjs(report: BpjsReport, rows: pl.DataFrame, ok: pl.DataFrame, found: pl.DataFrame,
                registry: pl.DataFrame) -> None:  # fmt: skip
    report.rows, report.accepted = rows.height, ok.height
    report.rejected = report.rows - report.accepted
    report.active = int((ok["status"] == rules.ACTIVE).sum())
    report.inactive = int((ok["status"] == rules.INACTIVE).sum())
    report.matched_registry = ok.join(registry.select("nik"), on="nik", how="semi").height
    report.findings = _findings(found, settings.UCJ_MAX_STORED_FINDINGS)
    report.warnings = sum(1 for f in report.findings if f.severity == "warning")


def _shown_niks(niks: pl.Series, views: FieldViews | None) -> list[str]:
    values = sorted(niks.to_list())
    return values if views is None or views.full_nik else [mask_nik(n) for n in values]


def _shown_review(review: pl.DataFrame, views: FieldViews | None) -> list[dict[str, Any]]:
    items = review.sort("nik", "field").to_dicts()
    if views is None or views.full_nik:
        return items
    return [{**i, "nik": mask_nik(i["nik"]), "ours": "", "theirs": ""} for i in items]


def _registry_not_in(villages: list[str], niks: pl.Series, scope: Scope) -> pl.Series:
    """Registry people of ``villages`` (inside the caller's regions) whose NIK the file does not hold."""
    reachable = [v for v in villages if scope.covers(v)]
    if not reachable:
        return pl.Series("nik", [], dtype=pl.String)
    people = read_frame(Participant.objects.filter(desa_id__in=reachable).order_by(), {"nik": pl.String})
    return people.join(pl.DataFrame({"nik": niks}), on="nik", how="anti")["nik"]


def _store_bpjs(report: BpjsReport, ok: pl.DataFrame, user: Any, request: HttpRequest | None) -> None:
    desas = ok["desa"].drop_nulls().unique().to_list()
    bfile = BpjsFile.objects.create(
        as_of=report.as_of, file_name=report.file_name[:255], sha256=report.sha256, loaded_by=_actor(user),
        region_id=common_ancestor(sorted(desas)) if desas else None, rows=report.rows, accepted=report.accepted,
        rejected=report.rejected, active=report.active, inactive=report.inactive,
        matched_registry=report.matched_registry,
        counts={"unknown": len(report.unknown), "not_in_bpjs": len(report.not_in_bpjs),
                "disagreements": len(report.disagreements)},
    )  # fmt: skip
    report.file_id = bfile.pk
    frame = ok.select(pl.lit(bfile.pk).alias("file_id"), "nik", "kpj", "name", "birth_date", "segment", "status",
                      pl.col("last_paid"), pl.col("desa").alias("desa_id"), "row")  # fmt: skip
    with connection.cursor() as cur:
        insert_frame(cur, BpjsRecord._meta.db_table, frame)
        report.registry_updated = _fill_registry_kpj(cur, ok.filter(pl.col("kpj") != ""))
    newest = BpjsFile.objects.exclude(pk=bfile.pk).aggregate(m=Max("as_of"))["m"]
    if newest is None or newest <= report.as_of:  # an older file loaded late does not move anyone back
        report.moved = _move_by_bpjs(ok, user)
    bfile.counts = {**bfile.counts, "moved": report.moved, "registry_kpj_filled": report.registry_updated}
    bfile.save(update_fields=["counts"])
    audit.record("targeting.bpjs_load", actor=_actor(user), request=request, object_type="bpjs_file",
                 object_id=bfile.pk, region_code=bfile.region_id or "",
                 summary=f"per {report.as_of}: {report.accepted} orang ({report.active} aktif), "
                 f"{report.rejected} ditolak", changes={"moved": report.moved, **bfile.counts})  # fmt: skip


def _fill_registry_kpj(cur: Any, with_kpj: pl.DataFrame) -> int:
    """Registry participants without a KPJ number get BPJS's (a stored one is never overwritten)."""
    if with_kpj.is_empty():
        return 0
    niks = with_kpj["nik"].to_list()
    blank = sum(Participant.objects.filter(kpj="", nik__in=niks[i : i + _CHUNK]).count()
                for i in range(0, len(niks), _CHUNK))  # fmt: skip
    table = connection.ops.quote_name(Participant._meta.db_table)
    cur.executemany(f"UPDATE {table} SET kpj = %s WHERE nik = %s AND kpj = ''",  # noqa: S608
                    with_kpj.select("kpj", "nik").rows())  # fmt: skip
    return blank


def _move_by_bpjs(ok: pl.DataFrame, user: Any) -> dict[str, int]:
    """Enrolments of the file's people move to what BPJS says (rules.bpjs_target): active, or registered."""
    known = (pl.col("status") == rules.INACTIVE) | (pl.col("kpj") != "")
    target = pl.when(pl.col("status") == rules.ACTIVE).then(pl.lit(rules.ACTIVE_STAGE)) \
        .when(known).then(pl.lit(rules.REGISTERED))  # fmt: skip
    wanted = ok.select("nik", "kpj", target.alias("to")).drop_nulls("to")
    current = _by_nik(Enrolment.objects.filter(status__in=list(rules.BPJS_FROM)).order_by(),
                      wanted["nik"].to_list(), {"id": pl.Int64, "nik": pl.String, "status": pl.String})  # fmt: skip
    moves = current.join(wanted, on="nik").filter(pl.col("status") != pl.col("to"))
    _apply_moves(moves, EnrolmentEvent.Via.BPJS_FILE, user, "")
    counts = moves["to"].value_counts()
    return dict(zip(counts["to"].to_list(), counts["count"].to_list(), strict=True))


def _apply_moves(moves: pl.DataFrame, via: str, user: Any, reason: str) -> None:
    """Move enrolments (``moves``: id, status, to, optional kpj) and write one event each, in bulk."""
    if moves.is_empty():
        return
    now = timezone.now()
    for (to,), part in moves.group_by(["to"]):
        ids = part["id"].to_list()
        for i in range(0, len(ids), _CHUNK):
            qs = Enrolment.objects.filter(pk__in=ids[i : i + _CHUNK])
            qs.update(status=to, status_at=now)
            if to == rules.ACTIVE_STAGE:
                qs.filter(active_at__isnull=True).update(active_at=now)
    if "kpj" in moves.columns:
        with_kpj = moves.filter(pl.col("kpj").fill_null("") != "").select("kpj", "id")
        table = connection.ops.quote_name(Enrolment._meta.db_table)
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET kpj = %s WHERE id = %s", with_kpj.rows())  # noqa: S608
    events = moves.select(
        pl.col("id").alias("enrolment_id"), pl.lit(getattr(_actor(user), "pk", None), dtype=pl.Int64).alias("actor_id"),
        pl.lit(getattr(user, "username", "") or "").alias("actor_name"), pl.lit(now).alias("at"),
        pl.col("status").alias("from_status"), pl.col("to").alias("to_status"), pl.lit(reason).alias("reason"),
        pl.lit(via).alias("via"),
    )  # fmt: skip
    with connection.cursor() as cur:
        insert_frame(cur, EnrolmentEvent._meta.db_table, events)


def bpjs_files(user: Any) -> QuerySet[BpjsFile]:
    """BPJS files the user may see: those of their regions, and their own loads."""
    scope = _scope(user)
    if scope.everywhere:
        return BpjsFile.objects.all()
    return BpjsFile.objects.filter(scope.region_q("region_id") | Q(loaded_by=user))


# --- candidates ----------------------------------------------------------------------------------------------


def _people_in(scope: Scope, region: str) -> QuerySet[ListPerson]:
    return ListPerson.objects.filter(in_region("desa_id", region, villages_only=True)).filter(
        scope.region_q("desa_id", villages_only=True)).order_by()  # fmt: skip


def _outcome(scope: Scope, region: str, *, max_decile: int | None, groups: Sequence[str] | None,
             as_of: dt.date) -> core.Outcome:  # fmt: skip
    """The candidates of ``region`` in full (unmasked; callers mask)."""
    people = _people_in(scope, region)
    lists = _query_frame(people, {"nik": pl.String, "name": pl.String, "birth_date": pl.Date, "sex": pl.String,
                                "desa_id": pl.String, "decile": pl.Int16, "occupation": pl.String,
                                "village_role": pl.String, "groups": pl.String, "source_id": pl.Int64})  # fmt: skip
    # A handful of sources: their names and kinds are mapped in Polars, not joined in SQL for every row.
    sources = ListSource.objects.filter(pk__in=lists["source_id"].unique().to_list()).values_list("pk", "name", "kind")
    names = {pk: name for pk, name, _ in sources}
    kinds = {pk: kind for pk, _, kind in sources}
    lists = lists.rename({"desa_id": "desa"}).with_columns(
        pl.col("source_id").replace_strict(names, return_dtype=pl.String).alias("source"),
        pl.col("source_id").replace_strict(kinds, return_dtype=pl.String).alias("kind"),
    ).drop("source_id")
    # BPJS records and registry people of the listed NIKs: indexed lookups in chunks (a subquery over the list
    # table would make the database build and probe it once per table).
    niks = lists["nik"].unique().to_list()
    files = dict(BpjsFile.objects.filter(as_of__lte=as_of).values_list("pk", "as_of"))
    bpjs = _by_nik(BpjsRecord.objects.filter(file_id__in=list(files)).order_by(), niks,
                   {"nik": pl.String, "status": pl.String, "kpj": pl.String, "file_id": pl.Int64})  # fmt: skip
    bpjs = bpjs.with_columns(pl.col("file_id").replace_strict(files, return_dtype=pl.Date).alias("as_of"))
    registry = _by_nik(Participant.objects.order_by(), niks, {"nik": pl.String, "paid_through": pl.Date})
    deceased = read_frame(Enrolment.objects.filter(in_region("desa_id", region[:5], villages_only=True),
                                                   status=Status.DECEASED).order_by(),
                          {"nik": pl.String})["nik"].to_list()  # fmt: skip
    age = rules.AgeRule(settings.UCJ_TARGET_MIN_AGE, settings.UCJ_TARGET_MAX_AGE)
    return core.compute(lists, bpjs, registry, as_of=as_of, since=active_since(as_of, settings.UCJ_LAPSE_MONTHS),
                        age=age, deceased=deceased, max_decile=max_decile, groups=groups)  # fmt: skip


def candidates(user: Any, region: str, *, max_decile: int | None = None, groups: Sequence[str] | None = None,
               as_of: dt.date | None = None, context: str = "listing") -> CandidateResult:  # fmt: skip
    """The people of ``region`` to enrol, in priority order (:mod:`ucj.targeting.candidates`), with the
    worklist status of those already on one; NIK and name shown as the caller may see them in ``context``
    (``listing``: never a full NIK; ``export``: full for full roles — the CLI and workbooks). 404 outside the
    caller's regions."""
    scope = _scope(user)
    code = _region_or_404(region)
    _reachable(scope, code)
    as_of = as_of or timezone.localdate()
    outcome = _outcome(scope, code, max_decile=max_decile, groups=groups, as_of=as_of)
    frame = outcome.frame
    names = _names(frame["desa"].unique().to_list())
    # enrolments are per kab/kota: those of the region's kab/kota (or of the province, for a province)
    enrolled = _query_frame(Enrolment.objects.filter(in_region("desa_id", code[:5], villages_only=True)).order_by(),
                            {"nik": pl.String, "status": pl.String})  # fmt: skip
    frame = frame.join(enrolled.unique("nik"), on="nik", how="left").with_columns(
        pl.col("desa").replace_strict(names, default="").alias("desa_name")).sort("priority")  # fmt: skip
    frame = _masked(frame, scope, context)
    return CandidateResult(region=code, as_of=as_of, frame=frame, excluded=outcome.excluded)


def candidates_xlsx(result: CandidateResult) -> bytes:
    """The candidates as a workbook (formula-safe), with a sheet of the excluded counts and their reasons."""
    excluded = [(f"{rules.EXCLUSIONS[c][0]} / {rules.EXCLUSIONS[c][1]}", n) for c, n in result.excluded.items()]
    return frame_xlsx({"Sasaran": result.frame.select(CANDIDATE_FIELDS)},
                      {"Dikecualikan": [("Wilayah / region", result.region), ("Per tanggal / as of",
                                        result.as_of.isoformat()), ("Kandidat / candidates", result.count),
                                        *excluded]})  # fmt: skip


# --- worklists -----------------------------------------------------------------------------------------------


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


def transition(user: Any, enrolment: Enrolment, to: str, *, reason: str = "",
               request: HttpRequest | None = None) -> Enrolment:  # fmt: skip
    """Move one enrolment to ``to`` by hand (:data:`ucj.targeting.rules.MANUAL`): registered and active come only
    from BPJS files and paid contributions, submitted only from a collective registration file; declined,
    not found, moved and deceased need a reason. 404 outside the caller's regions, 403 for roles that only read;
    audited (never the NIK)."""
    scope = _scope(user)
    if not scope.covers(enrolment.desa_id):
        raise Http404
    if not scope.can(PIPELINE_ROLES, enrolment.desa_id):
        raise TargetingRefused("Anda tidak berhak mengubah status di desa ini / you may not change statuses here")
    reason = " ".join(reason.split())[:300]
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if to not in Status.values or not rules.allowed(current.status, to):
            raise TransitionRefused(
                f"Perubahan {current.status} → {to} tidak diizinkan; pilihan: "
                f"{', '.join(rules.next_statuses(current.status)) or '-'} / {current.status} → {to} is not allowed"
            )
        if to in rules.NEEDS_REASON and not reason:
            raise TransitionRefused("Alasan wajib diisi untuk status ini / a reason is required for this status")
        moves = pl.DataFrame({"id": [current.pk], "status": [current.status], "to": [to]})
        _apply_moves(moves, EnrolmentEvent.Via.MANUAL, user, reason)
        Enrolment.objects.filter(pk=current.pk).update(reason=reason)
        audit.record("targeting.transition", actor=_actor(user), request=request, object_type="enrolment",
                     object_id=current.pk, region_code=current.desa_id, summary=f"{current.status} → {to}",
                     changes={"status": [current.status, to], "reason": reason})  # fmt: skip
    enrolment.refresh_from_db()
    return enrolment


# --- collective registration file ----------------------------------------------------------------------------

#: Fields a collective-file column may take (setting UCJ_TARGETING_SUBMISSION_COLUMNS: "Header=field|…").
SUBMISSION_FIELDS = ("nik", "name", "birth_date", "sex", "occupation", "desa", "desa_name", "kecamatan", "kabkota",
                     "programs", "segment", "kpj", "decile", "sources", "phone", "address")  # fmt: skip


def submission_columns(spec: str | None = None) -> list[tuple[str, str]]:
    """The collective file's columns as (header, field) from the setting (docs/targeting.md)."""
    text = spec if spec is not None else settings.UCJ_TARGETING_SUBMISSION_COLUMNS
    columns = []
    for part in text.split("|"):
        header, _, name = part.partition("=")
        if name.strip() not in SUBMISSION_FIELDS:
            raise ValueError(f"UCJ_TARGETING_SUBMISSION_COLUMNS: unknown field {name.strip()!r} "
                             f"(known: {', '.join(SUBMISSION_FIELDS)})")  # fmt: skip
        columns.append((header.strip(), name.strip()))
    return columns


def submission_file(user: Any, region: str, *, ids: Sequence[int] | None = None, fmt: str = "xlsx",
                    request: HttpRequest | None = None) -> SubmissionFile:  # fmt: skip
    """The collective registration file for BPJS of the contacted people of ``region`` (or of ``ids`` among
    them); they move to "submitted". Columns: setting ``UCJ_TARGETING_SUBMISSION_COLUMNS``; xlsx or csv. Needs full
    NIKs (BPJS registers by NIK): callers without a full export view are refused."""
    scope = _scope(user)
    code = _region_or_404(region)
    _require(scope, PIPELINE_ROLES, code, "membuat berkas pendaftaran")
    if fmt not in ("xlsx", "csv"):
        raise TransitionRefused("Format: xlsx atau csv / format: xlsx or csv")
    if not scope.everywhere and not views_for(scope, code, "export").full_nik:
        raise TargetingRefused("Berkas pendaftaran memerlukan NIK lengkap / the file needs full NIKs")
    qs = visible_enrolments(user).filter(in_region("desa_id", code, villages_only=True),
                                         status__in=list(rules.SUBMISSION_FROM)).order_by("desa_id", "priority")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    people = read_frame(qs, {"id": pl.Int64, "nik": pl.String, "name": pl.String, "birth_date": pl.Date,
                             "desa_id": pl.String, "decile": pl.Int16, "sources": pl.String, "kpj": pl.String,
                             "status": pl.String}).rename({"desa_id": "desa"})  # fmt: skip
    if people.is_empty():
        raise TransitionRefused("Tidak ada orang berstatus 'sudah dihubungi' / nobody is in status 'contacted'")
    columns = submission_columns()
    table = _submission_frame(people).select([pl.col(name).alias(header) for header, name in columns])
    content = frame_bytes(table, fmt, "Pendaftaran kolektif")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        sub = SubmissionFile.objects.create(
            region_id=code, created_by=_actor(user), file_name=f"pendaftaran-kolektif-{code}-{stamp}.{fmt}",
            fmt=fmt, people=people.height, columns=[h for h, _ in columns],
            sha256=hashlib.sha256(content).hexdigest(), content=content,
        )  # fmt: skip
        _apply_moves(people.select("id", "status", pl.lit(Status.SUBMITTED.value).alias("to")),
                     EnrolmentEvent.Via.SUBMISSION, user, sub.file_name)  # fmt: skip
        Enrolment.objects.filter(pk__in=people["id"].to_list()).update(submission=sub)
        audit.record("targeting.submission_file", actor=_actor(user), request=request, object_type="submission_file",
                     object_id=sub.pk, region_code=code, summary=f"{sub.people} orang diajukan ({fmt})")  # fmt: skip
    return sub


def _submission_frame(people: pl.DataFrame) -> pl.DataFrame:
    """Every field a collective-file column may name (:data:`SUBMISSION_FIELDS`)."""
    listed = _by_nik(ListPerson.objects.order_by("nik", "id"), people["nik"].to_list(),
                     {"nik": pl.String, "occupation": pl.String}).filter(pl.col("occupation") != "").unique(
        "nik", keep="first")  # fmt: skip
    registry = _by_nik(Participant.objects.order_by(), people["nik"].to_list(),
                       {"nik": pl.String, "phone": pl.String, "address": pl.String})  # fmt: skip
    codes = people["desa"].unique().to_list()
    names = _names([*codes, *{c[:8] for c in codes}, *{c[:5] for c in codes}])
    day = people["nik"].str.slice(6, 2).cast(pl.Int32, strict=False)
    return people.join(listed, on="nik", how="left").join(registry, on="nik", how="left").with_columns(
        pl.when(day > 40).then(pl.lit("P")).otherwise(pl.lit("L")).alias("sex"),
        pl.col("desa").replace_strict(names, default="").alias("desa_name"),
        pl.col("desa").str.slice(0, 8).replace_strict(names, default="").alias("kecamatan"),
        pl.col("desa").str.slice(0, 5).replace_strict(names, default="").alias("kabkota"),
        pl.lit("JKK, JKM").alias("programs"), pl.lit("BPU").alias("segment"),
        pl.col("occupation").fill_null(""), pl.col("phone").fill_null(""), pl.col("address").fill_null(""),
    )  # fmt: skip


def submission_files(user: Any) -> QuerySet[SubmissionFile]:
    """Collective files of the regions the user reaches."""
    return SubmissionFile.objects.filter(_scope(user).region_q("region_id")).defer("content")


# --- funnel --------------------------------------------------------------------------------------------------

_LEVEL_LENGTH = {"kabkota": 5, "kecamatan": 8, "desa": 13}


def funnel(user_or_scope: Any, region: str, as_of: dt.date | None = None, by: str | None = None) -> dict[str, Any]:
    """The enrolment funnel of ``region`` (the villages the caller reaches inside it), from the worklists:

    * ``stages``: people whose status is each stage now (or on ``as_of``, from the events); ``closed``: the
      closing statuses; ``total``; ``reached``: people at or beyond each stage (closed people count as
      identified only); ``conversion``: reached[stage] / reached[previous] and ``overall`` active / identified;
    * ``median_days_to_active``: median days from identified to (first) active;
    * ``children`` (``by`` = "kabkota", "kecamatan" or "desa"): the same counts per sub-region, for drill-down.

    404 when ``region`` is outside the caller's regions. Holds no personal data."""
    scope = _scope(user_or_scope)
    code = _region_or_404(region)
    _reachable(scope, code)
    if by is not None and by not in _LEVEL_LENGTH:
        raise ValueError("by: kabkota, kecamatan or desa")
    frame = _statuses(scope, code, as_of)
    out: dict[str, Any] = {"region": code, "name": _names([code]).get(code, ""),
                           "as_of": as_of.isoformat() if as_of else None, **_counts(frame)}  # fmt: skip
    out["median_days_to_active"] = _median_days(scope, code, as_of)
    if by is not None:
        keyed = frame.with_columns(pl.col("desa").str.slice(0, _LEVEL_LENGTH[by]).alias("key"))
        keys = sorted(keyed["key"].unique().to_list())
        names = _names(keys)
        out["by"] = by
        out["children"] = [{"region": k, "name": names.get(k, ""), **_counts(keyed.filter(pl.col("key") == k))}
                           for k in keys]  # fmt: skip
    return out


def _statuses(scope: Scope, code: str, as_of: dt.date | None) -> pl.DataFrame:
    """One row per enrolment: desa and status (now, or as of the end of ``as_of`` from the events)."""
    qs = Enrolment.objects.filter(in_region("desa_id", code, villages_only=True)).filter(
        scope.region_q("desa_id", villages_only=True)).order_by()  # fmt: skip
    if as_of is None:
        return read_frame(qs, {"desa_id": pl.String, "status": pl.String}).rename({"desa_id": "desa"})
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    events = read_frame(EnrolmentEvent.objects.filter(enrolment__in=Subquery(qs.values("pk")), at__lt=end).order_by(),
                        {"enrolment_id": pl.Int64, "enrolment__desa_id": pl.String, "to_status": pl.String, "at":
                         pl.Datetime("us", "UTC"), "id": pl.Int64})  # fmt: skip
    return events.sort("at", "id").unique("enrolment_id", keep="last").select(
        pl.col("enrolment__desa_id").alias("desa"), pl.col("to_status").alias("status"))


def _counts(frame: pl.DataFrame) -> dict[str, Any]:
    counts = dict(zip(*frame["status"].value_counts().to_dict(as_series=False).values(), strict=True)) \
        if frame.height else {}  # fmt: skip
    stages = {s: int(counts.get(s, 0)) for s in rules.STAGES}
    closed = {s: int(counts.get(s, 0)) for s in rules.CLOSED}
    reached: dict[str, int] = {}
    running = 0
    for stage in reversed(rules.STAGES):
        running += stages[stage]
        reached[stage] = running
    reached[rules.IDENTIFIED] += sum(closed.values())
    reached = {s: reached[s] for s in rules.STAGES}
    conversion: dict[str, float | None] = {}
    for prev, stage in zip(rules.STAGES, rules.STAGES[1:], strict=False):
        conversion[stage] = round(reached[stage] / reached[prev], 4) if reached[prev] else None
    first = reached[rules.IDENTIFIED]
    conversion["overall"] = round(reached[rules.ACTIVE_STAGE] / first, 4) if first else None
    return {"total": frame.height, "stages": stages, "closed": closed, "reached": reached, "conversion": conversion}


def _median_days(scope: Scope, code: str, as_of: dt.date | None) -> float | None:
    qs = Enrolment.objects.filter(in_region("desa_id", code, villages_only=True), active_at__isnull=False).filter(
        scope.region_q("desa_id", villages_only=True))  # fmt: skip
    if as_of is not None:
        qs = qs.filter(active_at__date__lte=as_of)
    stamp = pl.Datetime("us", "UTC")
    pairs = read_frame(qs.order_by(), {"identified_at": stamp, "active_at": stamp})
    if pairs.is_empty():
        return None
    days = (pairs["active_at"] - pairs["identified_at"]).dt.total_seconds() / 86400
    return round(float(statistics.median(days.to_list())), 1)


# --- payments ------------------------------------------------------------------------------------------------


def sync_payments(desa_codes: Sequence[str]) -> int:
    """Registered enrolments whose registry participant (same NIK, in ``desa_codes``) is paid and active today
    (:mod:`ucj.registry.status`) become active — paid bills set "active", never a person. Returns how many."""
    since = active_since(timezone.localdate(), settings.UCJ_LAPSE_MONTHS)
    paid = Participant.objects.filter(desa_id__in=list(desa_codes), paid_through__gte=since).values("nik")
    qs = Enrolment.objects.filter(status__in=list(rules.PAYMENT_FROM), nik__in=Subquery(paid)).order_by()
    moves = read_frame(qs, {"id": pl.Int64, "status": pl.String}).with_columns(
        pl.lit(rules.ACTIVE_STAGE).alias("to"))  # fmt: skip
    if moves.is_empty():
        return 0
    with transaction.atomic():
        _apply_moves(moves, EnrolmentEvent.Via.PAYMENT, None, "")
    return moves.height
