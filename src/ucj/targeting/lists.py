"""Person lists (issue 14 §1): DTSEN/P3KE extracts, village population exports, sector lists — read and checked as
the roster is, kept apart from the registry (candidates, not workers), a source replaced when loaded again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.accounts.policy import FieldViews
from ucj.accounts.privacy import dry_run_allowed
from ucj.accounts.scoping import Scope
from ucj.bulk import insert_frame
from ucj.regions.codes import common_ancestor, lineage
from ucj.registry.limits import read_limits
from ucj.registry.reader import RawRoster
from ucj.registry.sandbox import read_roster_bounded
from ucj.registry.services import villages_for
from ucj.registry.validate import Validated, validate_roster
from ucj.targeting import files
from ucj.targeting.common import (
    DRY_RUNS_THROTTLED,
    LIST_ROLES,
    TargetingRefused,
    TargetingThrottled,
    _actor,
    _findings,
    _findings_json,
    _outside,
    _region,
    _scope,
)
from ucj.targeting.issues import Finding
from ucj.targeting.models import (
    ListPerson,
    ListSource,
)


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
        raise TargetingThrottled(DRY_RUNS_THROTTLED)
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
    above = Q(region_id__in=[c for code in scope.regions for c in lineage(code)[:-1]])
    return ListSource.objects.filter(scope.region_q("region_id") | above)
