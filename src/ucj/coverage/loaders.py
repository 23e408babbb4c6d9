"""Denominators and targets as data: ``ucj coverage load-workforce`` and ``ucj coverage load-targets``.

Each file is loaded all or nothing (one rejected row and nothing is stored), upserted by region × year ×
definition, and audited with the before/after values of every row it changed. Only ``admin`` and ``provinsi``
set them (inside their regions). The checks are in :mod:`ucj.coverage.feedcheck`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from ucj.accounts import audit
from ucj.accounts.scoping import TARGET_WRITE_ROLES
from ucj.coverage import feedcheck
from ucj.coverage.feedcheck import Checked, Finding
from ucj.coverage.feeds import regions_frame, write_scope
from ucj.coverage.models import Target, Workforce
from ucj.coverage.services import bump_version
from ucj.regions.codes import common_ancestor

AUDIT_CHANGES_SHOWN = 200  # rows whose before/after go into the audit event (the summary counts them all)


@dataclass
class LoadReport:
    """What a workforce or targets file did: rows created, updated, unchanged, rejected, and every finding."""

    kind: str  # "workforce" or "targets"
    file_name: str
    sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    stored: bool = False
    columns: dict[str, Any] = field(default_factory=dict)
    header_row: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "stored": self.stored,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "header_row": self.header_row,
            "columns": self.columns,
            "issues": [f.as_dict() for f in self.findings],
        }


def load_workforce(data: bytes, file_name: str, *, user: Any = None, dry_run: bool = False) -> LoadReport:
    """Load denominators (region, year, definition, workers, source). Raises :class:`feedcheck.FeedFileError`
    for a file that cannot be read and :class:`ucj.coverage.feeds.FeedRefused` for a user without the right."""
    return _load("workforce", data, file_name, user, dry_run)


def load_targets(data: bytes, file_name: str, *, user: Any = None, dry_run: bool = False) -> LoadReport:
    """Load coverage targets (region, year, definition, rate in percent and/or count, source)."""
    return _load("targets", data, file_name, user, dry_run)


_SPECS: dict[str, tuple[Any, dict[str, tuple[str, ...]], tuple[str, ...], tuple[str, ...]]] = {
    # kind: (model, header aliases, required columns, stored value fields)
    "workforce": (Workforce, feedcheck.WORKFORCE_ALIASES, feedcheck.WORKFORCE_REQUIRED, ("workers", "source")),
    "targets": (Target, feedcheck.TARGET_ALIASES, feedcheck.TARGET_REQUIRED, ("rate", "count", "source")),
}


def _load(kind: str, data: bytes, file_name: str, user: Any, dry_run: bool) -> LoadReport:
    model, aliases, required, fields = _SPECS[kind]
    report = LoadReport(kind=kind, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    scope = write_scope(user, TARGET_WRITE_ROLES)
    raw = feedcheck.read_table(data, file_name, aliases, required)
    report.columns, report.header_row = raw.columns.describe(), raw.header_row
    regions = regions_frame(feedcheck.mentioned_codes(raw))
    validate = feedcheck.validate_workforce if kind == "workforce" else feedcheck.validate_targets
    checked: Checked = validate(raw, regions, scope=scope)
    report.findings, report.rows, report.rejected = checked.findings_list(), checked.rows.height, checked.rejected
    if report.rejected:
        return report
    wanted = {(r["region"], r["year"], r["definition"]): _values(kind, r) for r in checked.ok.iter_rows(named=True)}
    with transaction.atomic():
        existing = {
            (o.region_id, o.year, o.definition): o
            for o in model.objects.select_for_update().filter(
                region_id__in={k[0] for k in wanted}, year__in={k[1] for k in wanted}
            )
        }
        created, updated, changes = [], [], []
        for key, values in wanted.items():
            old = existing.get(key)
            if old is None:
                created.append(model(region_id=key[0], year=key[1], definition=key[2], **values))
                changes.append({"key": _label(key), "before": {}, "after": _plain(values)})
                continue
            before = {f: getattr(old, f) for f in fields}
            if before == {f: values[f] for f in fields} and not old.synthetic:
                report.unchanged += 1
                continue
            for name, value in values.items():
                setattr(old, name, value)
            updated.append(old)
            changes.append({"key": _label(key), "before": _plain(before), "after": _plain(values)})
        report.created, report.updated = len(created), len(updated)
        if dry_run:
            return report
        model.objects.bulk_create(created, batch_size=1000)
        model.objects.bulk_update(updated, [*fields, "synthetic"], batch_size=1000)
        report.stored = True
        audit.record(
            f"load_{kind}", actor=user, object_type=kind, object_id=report.sha256[:12],
            region_code=common_ancestor(sorted({k[0] for k in wanted})) or "",
            summary=f"{file_name}: {report.rows} rows, {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged",
            changes={"file": file_name, "sha256": report.sha256, "rows": changes[:AUDIT_CHANGES_SHOWN],
                     "rows_changed": len(changes)},
        )  # fmt: skip
        transaction.on_commit(bump_version)
    return report


def _values(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    if kind == "workforce":
        return {"workers": row["workers"], "source": row["source"], "synthetic": False}
    rate = Decimal(row["rate"]).quantize(Decimal("0.01")) if row["rate"] is not None else None
    return {"rate": rate, "count": row["count"], "source": row["source"], "synthetic": False}


def _label(key: tuple[str, int, str]) -> str:
    return f"{key[0]} {key[1]} {key[2]}"


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items() if k != "synthetic"}
