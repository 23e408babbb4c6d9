"""BPJS person-level participation files (issue 14 §2): the file's status is authoritative as of its date; people
matched with the registry and the lists by NIK (unknown NIKs, registry people BPJS does not know, name and
birth-date disagreements for review); blank registry KPJ numbers filled; enrolments moved to registered/active."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.policy import FieldViews, mask_nik
from ucj.accounts.privacy import dry_run_allowed, views_for
from ucj.accounts.scoping import Scope
from ucj.bulk import insert_frame, read_frame
from ucj.regions.codes import common_ancestor
from ucj.registry.limits import read_limits
from ucj.registry.models import Participant
from ucj.registry.sandbox import read_roster_bounded
from ucj.targeting import files, rules
from ucj.targeting.common import (
    _CHUNK,
    BPJS_FILE_ROLES,
    DRY_RUNS_THROTTLED,
    TargetingRefused,
    TargetingThrottled,
    _actor,
    _by_nik,
    _findings,
    _findings_json,
    _outside,
    _scope,
)
from ucj.targeting.issues import Finding
from ucj.targeting.models import (
    BpjsFile,
    BpjsRecord,
    Enrolment,
    EnrolmentEvent,
    ListPerson,
)
from ucj.targeting.pipeline import _apply_moves


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
        raise TargetingThrottled(DRY_RUNS_THROTTLED)
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


def bpjs_files(user: Any) -> QuerySet[BpjsFile]:
    """BPJS files the user may see: those of their regions, and their own loads."""
    scope = _scope(user)
    if scope.everywhere:
        return BpjsFile.objects.all()
    return BpjsFile.objects.filter(scope.region_q("region_id") | Q(loaded_by=user))
