"""Registry operations: the roster import that the CLI, the upload page, the API and jobs all call."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.privacy import dry_run_allowed
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.bulk import copy_frame
from ucj.contributions.defaults import FIELDS as DEFAULTED_FIELDS
from ucj.contributions.roledefaults import role_defaults_frame
from ucj.regions.codes import common_ancestor, normalize_code
from ucj.regions.models import Region
from ucj.registry.checkpoint import checkpoint_aside
from ucj.registry.conflicts import open_conflicts
from ucj.registry.ecosystems import mapping_frame
from ucj.registry.issues import ISSUE_TYPES, NIK_CONFLICT, NIK_NOT_AVAILABLE, Finding, RosterFileError
from ucj.registry.limits import read_limits
from ucj.registry.models import ImportBatch, ImportIssue, Participant, RejectedRow
from ucj.registry.reader import RawRoster
from ucj.registry.regionmatch import villages_frame
from ucj.registry.reimport import DuplicateFile, earlier_import, keep_excel_damage
from ucj.registry.sandbox import read_roster_bounded
from ucj.registry.signals import announce_change
from ucj.registry.store import ACCEPTED, CONFLICT, FOREIGN, UPDATED, sqlite_stage, write_participants
from ucj.registry.validate import Validated, validate_roster

if TYPE_CHECKING:
    from ucj.bounded import Running

Progress = Callable[[str, int], None]


class ImportRefused(Exception):
    """The user may not import into that region (the message is bilingual)."""


class ImportThrottled(ImportRefused):
    """The user is over ``UCJ_DRY_RUN_RATE`` (the API answers 429)."""


@dataclass
class ImportReport:
    """What happened to a roster: counts, per-row findings and the batch that records it."""

    file_name: str
    sha256: str
    rows: int = 0
    accepted: int = 0
    updated: int = 0
    rejected: int = 0
    warnings: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    columns: dict[str, Any] = field(default_factory=dict)
    header_row: int | None = None
    findings: list[Finding] = field(default_factory=list)
    #: Rows written (accepted or updated) whose value of a field came from the region's village-role defaults.
    defaults_applied: dict[str, int] = field(default_factory=dict)
    #: The name cell of each row that has a finding (personal data: pages mask it per role, never in as_json).
    row_names: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "accepted": self.accepted,
            "updated": self.updated,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "header_row": self.header_row,
            "columns": self.columns,
            "defaults_applied": self.defaults_applied,
            "issues": [f.as_dict() for f in self.findings],
        }


class _Rollback(Exception):
    pass


def villages_for(scope: str | None) -> pl.DataFrame:
    """The villages frame (see regionmatch) for the province of ``scope`` or for all loaded regions."""
    qs = Region.objects.all()
    if scope:
        qs = qs.filter(code__startswith=scope[:2])
    rows = list(qs.values_list("code", "name", "name_key"))
    return villages_frame([(code, name) for code, name, _ in rows], {code: key for code, _, key in rows})


def import_roster(
    data: bytes,
    file_name: str,
    *,
    user: Any = None,
    region: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch: ImportBatch | None = None,
    request: Any = None,
    refuse_repeat: bool = False,
    reading: Running[RawRoster] | None = None,
) -> ImportReport:
    """Validate and load one roster file, all-or-nothing. Every non-blank row ends accepted, updated or
    rejected with reasons. Raises :class:`RosterFileError` for a file that is not a roster or is beyond the
    limits (:func:`read_limits`), :class:`ImportRefused` when ``user`` may not write into ``region``, and —
    with ``refuse_repeat`` — :class:`DuplicateFile` when the same content was already imported into a batch
    ``user`` can see (callers pass ``refuse_repeat=not again`` after asking the user). ``reading``: the parse of
    these same bytes, already started (:func:`ucj.registry.sandbox.start_reading`).
    """
    tell = progress or (lambda stage, pct: None)
    report = ImportReport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    try:
        region = _check_region(user, region)
        scope = _default_scope(user, region)
    except ImportRefused as err:
        _fail(batch, "REFUSED", str(err))
        raise
    if dry_run and user is not None and not dry_run_allowed(user):
        raise ImportThrottled(
            "Terlalu banyak uji coba impor; coba lagi nanti / too many dry runs; try again later"
        )
    if refuse_repeat and not dry_run and (earlier := earlier_import(report.sha256, user)) is not None:
        raise DuplicateFile(earlier)
    if batch is None and not dry_run:
        batch = ImportBatch.objects.create(
            file_name=file_name[:255], sha256=report.sha256, file_size=len(data), user=user, region_id=region,
            status=ImportBatch.Status.RUNNING,
        )  # fmt: skip
    if batch is not None:
        report.batch_id = batch.pk
        _set_progress(batch, "reading", 5)
    tell("reading", 5)
    try:
        if reading is not None:
            _while_the_child_reads()
        raw = reading.wait() if reading is not None else read_roster_bounded(data, file_name, read_limits())
        report.columns, report.header_row = raw.columns.describe(), raw.header_row
        tell("validating", 20)
        _set_progress(batch, "validating", 20)
        checked = keep_excel_damage(raw, _validate(raw, scope, user), user)
        _count(report, checked)
        report.row_names = row_names(raw, {f.row for f in report.findings})
        if dry_run:
            _dry_run_counts(report, checked, raw, user, request)
        else:
            assert batch is not None
            _commit(batch, raw, checked, report, tell, user, request)
    except RosterFileError as err:
        _fail(batch, err.finding.code, err.finding.message("id"))
        raise
    except Exception as exc:
        _fail(batch, "INTERNAL", type(exc).__name__)
        raise
    tell("done", 100)
    return report


def _while_the_child_reads() -> None:
    """Import what the rest of a large import needs (the coverage refresh and its receivers) while the parse
    child works and this process would only wait: 0.05–0.1 s of a 100k-row .xlsx, otherwise spent after it.
    Modules stay out of ``django.setup()`` (issue 17 §2), so a small roster or ``ucj --help`` never pays."""
    import ucj.coverage.delta
    import ucj.coverage.services
    import ucj.targeting.rules  # noqa: F401


def row_names(raw: RawRoster, rows: set[int]) -> dict[int, str]:
    """The name cell of each of ``rows`` (findings show whose row it is beside the row number)."""
    if not rows or "name" not in raw.columns.used:
        return {}
    picked = raw.frame.filter(pl.col("_row").is_in(sorted(rows))).select("_row", raw.field("name"))
    return {int(r): n for r, n in picked.iter_rows() if n}


#: The file name of a batch made by the one-worker form (``ImportBatch.kind == "form"``).
FORM_FILE_NAME = "Formulir: tambah satu pekerja"


def form_roster(values: dict[str, Any]) -> bytes:
    """A one-row roster (CSV) of a form's fields, under the first recognised header of each field
    (:data:`ucj.registry.columns.ALIASES`), so a form entry is read and checked exactly like a spreadsheet row."""
    import csv
    import io

    from ucj.registry.columns import ALIASES

    fields = [name for name, value in values.items() if value not in (None, "")]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([ALIASES[name][0] for name in fields])
    writer.writerow([_form_text(values[name]) for name in fields])
    return out.getvalue().encode()


def _form_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def add_participant(values: dict[str, Any], *, user: Any, desa: str, request: Any = None) -> ImportReport:
    """Add (or, for a NIK already registered in the user's regions, update) one worker from the web form.

    The entry is a one-row roster (:func:`form_roster`) run through :func:`import_roster`: the same NIK checks,
    write scope, ``NIK_CONFLICT``/``NIK_NOT_AVAILABLE`` rules, facts delta and audit as an upload — never a second
    implementation. Its batch has ``kind="form"`` (the person's page says "from the form"). A rejected entry
    stores nothing (no batch, no conflict queued): the form shows the findings and keeps what was typed.
    Raises :class:`ImportRefused` when ``user`` may not write in ``desa``.
    """
    data = form_roster(values)
    report: ImportReport | None = None
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind="form", file_name=FORM_FILE_NAME, sha256=hashlib.sha256(data).hexdigest(), file_size=len(data),
                user=user if getattr(user, "pk", None) else None, region_id=desa, status=ImportBatch.Status.RUNNING,
            )  # fmt: skip
            report = import_roster(data, FORM_FILE_NAME, user=user, region=desa, batch=batch, request=request)
            if report.rejected:
                raise _Rollback
    except _Rollback:
        assert report is not None
        report.batch_id = None
    assert report is not None
    return report


def _check_region(user: Any, region: str | None) -> str | None:
    if region is not None:
        code = normalize_code(region)
        if code is None or not Region.objects.filter(code=code).exists():
            raise ImportRefused(f"Kode wilayah tidak dikenal / unknown region code: {region}")
        region = code
    if user is not None and not scope_for(user).can(REGISTRY_WRITE_ROLES, region):
        raise ImportRefused("Anda tidak berhak mengimpor ke wilayah ini / you may not import into this region")
    return region


def _default_scope(user: Any, region: str | None) -> str | None:
    """Without an explicit region, a user who writes for exactly one region imports into it (a village
    operator's roster needs no village column)."""
    if region is not None or user is None or scope_for(user).everywhere:
        return region
    writable = {code for role, code in scope_for(user).grants if role in REGISTRY_WRITE_ROLES and code}
    return writable.pop() if len(writable) == 1 else None


def _validate(raw: RawRoster, region: str | None, user: Any) -> Validated:
    villages = villages_for(region)
    checked = validate_roster(
        raw, villages, scope=region, all_codes=set(villages["code"].to_list()), defaults=role_defaults_frame(),
        ecosystems=mapping_frame(),
    )  # fmt: skip
    if user is None:
        return checked
    scope = scope_for(user)
    if scope.everywhere:
        return checked
    # Rows resolved to a village outside the user's regions are refused, whatever the file says.
    codes = checked.rows["desa_code"].drop_nulls().unique().to_list()
    foreign = [c for c in codes if not scope.covers(c, REGISTRY_WRITE_ROLES)]
    outside = checked.rows.filter(pl.col("desa_code").is_in(foreign))
    if outside.height == 0:
        return checked
    extra = ", ".join(scope.regions)
    added = outside.select(
        pl.col("_row").alias("row"), pl.lit(raw.columns.header_of("desa")).alias("column"),
        pl.lit("REGION_OUTSIDE").alias("code"), pl.col("desa_code").alias("value"), pl.lit(extra).alias("extra"),
    )  # fmt: skip
    rows = checked.rows.with_columns(
        (pl.col("rejected") | pl.col("_row").is_in(outside["_row"].implode())).alias("rejected")
    )
    return Validated(rows=rows, findings=pl.concat([checked.findings, added]))


def _count(report: ImportReport, checked: Validated) -> None:
    report.rows = checked.rows.height
    report.rejected = int(checked.rows["rejected"].sum())
    report.findings = checked.findings_list()
    report.warnings = sum(1 for f in report.findings if f.severity == "warning")
    flags = [f"defaulted_{name}" for name in DEFAULTED_FIELDS if f"defaulted_{name}" in checked.rows.columns]
    if flags:
        sums = checked.ok.select(pl.col(flags).sum()).row(0, named=True)
        report.defaults_applied = {name.removeprefix("defaulted_"): int(n) for name, n in sums.items()}


def _write_codes(user: Any) -> list[str] | None:
    """The regions ``user`` may create and update people in (``None``: everywhere — admins and the CLI)."""
    if user is None:
        return None
    scope = scope_for(user)
    if scope.everywhere:
        return None
    return sorted({code for role, code in scope.grants if role in REGISTRY_WRITE_ROLES and code})


def _apply_outcomes(report: ImportReport, raw: RawRoster, checked: Validated, written: pl.DataFrame) -> None:
    """Counts and findings from what the store did: rows it left alone (a NIK outside the writer's regions,
    another person on a registered NIK) are rejected with a finding each. ``NIK_NOT_AVAILABLE`` is the same
    text wherever the person is registered; its value is the NIK the uploader typed, its extra the village
    the row asked for (the transfer request's destination)."""
    counts = written["outcome"].value_counts()
    n = dict(zip(counts["outcome"].to_list(), counts["count"].to_list(), strict=True))
    report.accepted, report.updated = int(n.get(ACCEPTED, 0)), int(n.get(UPDATED, 0))
    left = written.filter(pl.col("outcome").is_in([FOREIGN, CONFLICT]))
    if left.is_empty():
        return
    report.rejected += left.height
    header = raw.columns.header_of("nik")
    rows = left.join(
        checked.ok.select(pl.col("_row").cast(pl.Int64).alias("source_row"), "nik", "desa_code"),
        on="source_row",
        how="left",
    )
    added = [
        Finding(row, header, NIK_NOT_AVAILABLE if outcome == FOREIGN else NIK_CONFLICT, nik or "",
                desa if outcome == FOREIGN else "")
        for row, outcome, nik, desa in rows.select("source_row", "outcome", "nik", "desa_code").iter_rows()
    ]  # fmt: skip
    report.findings = sorted([*report.findings, *added], key=lambda f: (f.row, f.code))


def _dry_run_counts(report: ImportReport, checked: Validated, raw: RawRoster, user: Any, request: Any) -> None:
    """Run the real merge inside a transaction that is rolled back, so the counts are exact; the same write
    scope applies, so a dry run tells nothing a real import would not (no NIK outside the writer's regions is
    ever reported as registered or updated). Audited with counts only."""
    try:
        with transaction.atomic():
            written = write_participants(checked.ok, batch_id=0, writable=_write_codes(user))
            raise _Rollback
    except _Rollback:
        pass
    _apply_outcomes(report, raw, checked, written)
    codes = checked.ok["desa_code"].unique().to_list()
    audit.record(
        "import_dry_run", actor=user, request=request, object_type="import_batch", object_id=report.batch_id or "",
        region_code=common_ancestor(codes) or _home_region(user) or "",
        summary=f"{report.rows} rows, {report.accepted} new, {report.updated} updated, {report.rejected} rejected",
        changes={"rows": report.rows, "accepted": report.accepted, "updated": report.updated,
                 "rejected": report.rejected, "sha256": report.sha256},
    )  # fmt: skip


def _commit(
    batch: ImportBatch, raw: RawRoster, checked: Validated, report: ImportReport, tell: Progress,
    user: Any, request: Any,
) -> None:  # fmt: skip
    _set_progress(batch, "writing", 50)
    tell("writing", 50)
    # A large batch on SQLite is handed to the database through Arrow before the transaction (ATTACH is refused
    # inside one); the insert from it happens inside, all-or-nothing with the rest (store.sqlite_stage).
    with (
        checkpoint_aside(checked.ok.height) as checkpoint_after_commit,
        sqlite_stage(checked.ok, batch.pk) as stage,
        transaction.atomic(),
    ):
        checkpoint_after_commit()  # first: it runs beside what the commit sets off (facts, dashboards)
        changes: list[pl.DataFrame] = []
        written = write_participants(
            checked.ok, batch.pk, tell, writable=_write_codes(user), changes=changes, stage=stage
        )
        touched = written.filter(pl.col("outcome").is_in([ACCEPTED, UPDATED]))["source_row"]
        announce_change(
            checked.ok.filter(pl.col("_row").cast(pl.Int64).is_in(touched.implode()))["desa_code"].unique().to_list(),
            changes=pl.concat(changes) if changes else None,
        )
        _apply_outcomes(report, raw, checked, written)
        open_conflicts(batch, checked.ok, written)
        tell("findings", 92)
        _save_findings(batch, raw, report.findings)
        batch.rows, batch.accepted, batch.updated = report.rows, report.accepted, report.updated
        batch.rejected, batch.warnings = report.rejected, report.warnings
        batch.columns, batch.header_row, batch.sheet = report.columns, raw.header_row, raw.sheet or ""
        batch.outcomes = _outcomes(checked, written)
        batch.first_row = checked.rows["_row"].min()  # type: ignore[assignment]
        if batch.region_id is None:
            # The batch belongs to the narrowest region holding all its rows, so exactly the users who may
            # see those people may see the batch (scoping of batches is by this code).
            codes = checked.ok["desa_code"].unique().to_list()
            batch.region_id = common_ancestor(codes) or _home_region(user)
        batch.status, batch.progress, batch.stage = ImportBatch.Status.DONE, 100, "done"
        batch.finished_at = timezone.now()
        batch.save()
        audit.record(
            "import_roster", actor=user, request=request, object_type="import_batch", object_id=batch.pk,
            region_code=batch.region_id or "",
            summary=f"{batch.file_name}: {report.rows} rows, {report.accepted} accepted, {report.updated} "
            f"updated, {report.rejected} rejected",
            changes={"sha256": batch.sha256, "columns": report.columns},
        )  # fmt: skip


def _save_findings(batch: ImportBatch, raw: RawRoster, findings: list[Finding]) -> None:
    """The findings up to ``UCJ_MAX_STORED_FINDINGS`` (in row order; the batch's counts stay exact and
    ``findings_not_stored`` says how many more there were), and the original cells of every rejected row with
    its reasons (bulk SQL: a messy file can have tens of thousands of findings)."""
    reasons: dict[int, list[str]] = {}
    for f in findings:
        if ISSUE_TYPES[f.code].severity == "error":
            reasons.setdefault(f.row, []).append(f"{f.code}: {f.message('id')}")
    cap = max(settings.UCJ_MAX_STORED_FINDINGS, 0)
    batch.findings_not_stored = max(len(findings) - cap, 0)
    findings = findings[:cap]
    cells = [c for c in raw.frame.columns if c.startswith("c")]
    rejected = raw.frame.filter(pl.col("_row").is_in(list(reasons))).select("_row", *cells)
    issues = [(batch.pk, f.row, f.column[:120], f.code, f.severity, f.value[:300], f.extra[:600]) for f in findings]
    kept = [(batch.pk, r[0], json.dumps(list(r[1:]), ensure_ascii=False), " | ".join(reasons[r[0]]))
            for r in rejected.iter_rows()]  # fmt: skip
    issue_cols = f"batch_id, row, {connection.ops.quote_name('column')}, code, severity, value, extra"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # COPY: tens of thousands of findings in one round trip (executemany: 1.8 s for a messy million).
            issue_schema = {"batch_id": pl.Int64, "row": pl.Int64, "column": pl.String, "code": pl.String,
                            "severity": pl.String, "value": pl.String, "extra": pl.String}  # fmt: skip
            kept_schema = {"batch_id": pl.Int64, "row": pl.Int64, "cells": pl.String, "reasons": pl.String}
            copy_frame(cur, f"COPY {ImportIssue._meta.db_table} ({issue_cols}) FROM STDIN (FORMAT csv)",
                       pl.DataFrame(issues, schema=issue_schema, orient="row"))  # fmt: skip
            kept_cols = "batch_id, row, cells, reasons"
            copy_frame(cur, f"COPY {RejectedRow._meta.db_table} ({kept_cols}) FROM STDIN (FORMAT csv)",
                       pl.DataFrame(kept, schema=kept_schema, orient="row"))  # fmt: skip
            return
        cur.executemany(
            f"INSERT INTO {ImportIssue._meta.db_table} ({issue_cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)", issues  # noqa: S608
        )
        cur.executemany(
            f"INSERT INTO {RejectedRow._meta.db_table} (batch_id, row, cells, reasons) VALUES (%s, %s, %s, %s)", kept  # noqa: S608
        )


def _outcomes(checked: Validated, written: pl.DataFrame) -> bytes:
    """One byte per row in file order (1 accepted, 2 updated, 3 rejected — rows the store left alone too),
    compressed."""
    rows = (
        checked.rows.select(pl.col("_row").cast(pl.Int64), "rejected")
        .join(written.select(pl.col("source_row").alias("_row"), "outcome"), on="_row", how="left")
        .sort("_row")
    )
    codes = rows.select(
        pl.when(pl.col("rejected") | pl.col("outcome").is_in([FOREIGN, CONFLICT]))
        .then(3)
        .when(pl.col("outcome") == UPDATED)
        .then(2)
        .otherwise(1)
        .cast(pl.UInt8)
    ).to_series()
    # A small roster skips NumPy (imported on first use: ~0.1 s of a village's 50-row import).
    return zlib.compress(codes.to_numpy().tobytes() if codes.len() > 50_000 else bytes(codes.to_list()))


def row_outcomes(batch: ImportBatch) -> list[int]:
    """Decode a batch's per-row outcome codes (1 accepted, 2 updated, 3 rejected) in file order."""
    return list(zlib.decompress(bytes(batch.outcomes))) if batch.outcomes else []


def _home_region(user: Any) -> str | None:
    regions = scope_for(user).regions if user is not None else ()
    return regions[0] if len(regions) == 1 else None


def _set_progress(batch: ImportBatch | None, stage: str, pct: int) -> None:
    if batch is not None and batch.pk and not transaction.get_connection().in_atomic_block:
        ImportBatch.objects.filter(pk=batch.pk).update(stage=stage, progress=pct)


def _fail(batch: ImportBatch | None, code: str, message: str) -> None:
    if batch is not None and batch.pk:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, error_code=code, error_message=message, finished_at=timezone.now()
        )


#: Fields whose before/after values go into the audit trail when a participant is edited.
AUDITED_FIELDS = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer", "jkk",
    "jkm", "jht", "jp", "jkp", "income", "risk_class", "poverty_decile", "kpj", "phone", "address", "coverage_start",
    "paid_through", "employer_sector", "employer_size", "unit_name",
)  # fmt: skip


def update_participant(participant: Participant, changes: dict[str, Any], *, actor: Any, request: Any = None) -> bool:
    """Apply an edit to one participant and audit the before/after values; returns False when nothing changed."""
    diff = {}
    for name, value in changes.items():
        if name not in AUDITED_FIELDS:
            raise ValueError(f"field {name} cannot be edited here")
        old = getattr(participant, name)
        if old != value:
            diff[name] = {"before": _plain(old), "after": _plain(value)}
            setattr(participant, name, value)
    if not diff:
        return False
    with transaction.atomic():
        participant.save()
        announce_change([participant.desa_id, diff.get("desa_id", {}).get("before") or ""])  # a move: both villages
        audit.record(
            "participant_update", actor=actor, request=request, object_type="participant",
            object_id=participant.public_hex, region_code=participant.desa_id, changes=diff,
            summary=", ".join(sorted(diff)),
        )  # fmt: skip
    return True


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
