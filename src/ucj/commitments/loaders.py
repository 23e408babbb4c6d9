"""Files in and out (issue 13 §7): the template workbook (one sheet per kind, Indonesian headers, an example row,
a notes sheet) and the loader of that workbook or of a single CSV/xlsx whose headers show its kind.

A load is all or nothing: every sheet is checked (:mod:`ucj.commitments.filecheck`) and one error anywhere stores
nothing. Rows are upserted by their key (a village's institutions by its code, a budget line by region, year,
payer and source, ...) in one transaction with bulk writes, scoped like the services (:func:`services.can_edit`),
and the load is one audit event with the counts. The file is pre-checked with the roster reader's limits
(``UCJ_MAX_UPLOAD_MB``, unpacked size, rows, columns, no DTD or entities); one whose work size exceeds
``UCJ_PARSE_INPROCESS_MB`` is read in a bounded child process, like a large roster (:mod:`ucj.commitments.sheets`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ucj.accounts import audit
from ucj.commitments import filecheck, services, sheets
from ucj.commitments.filecheck import KINDS, CommitmentFileError, Finding
from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    Meeting,
    Partner,
    VillageInstitution,
)
from ucj.commitments.sheets import HEADER_SCAN_ROWS, RawSheet
from ucj.regions.codes import common_ancestor
from ucj.regions.models import Region
from ucj.registry.limits import read_limits
from ucj.registry.reader import RosterFileError
from ucj.xlsx import Book

#: Load order: meetings before the actions that name them.
ORDER = ("instrument", "budget", "institution", "unit", "partner", "meeting", "action")
MODELS: dict[str, Any] = {
    "instrument": Instrument, "budget": BudgetCommitment, "institution": VillageInstitution, "unit": EcosystemUnit,
    "partner": Partner, "meeting": Meeting, "action": FollowUpAction,
}  # fmt: skip
#: Row field → model attribute, where they differ (foreign keys by id).
ATTRS = {"region": "region_id", "desa": "desa_id", "owner": "owner_id"}
#: Fields of a row that are not stored on the model.
NOT_STORED = {"_row", "name_check", "meeting_date", "meeting_title"}


@dataclass
class SheetReport:
    sheet: str
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class LoadReport:
    """What a load did, per sheet, with every finding (row numbers as the user sees them)."""

    file_name: str
    sha256: str
    dry_run: bool = False
    stored: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sheets)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file_name, "sha256": self.sha256, "dry_run": self.dry_run, "stored": self.stored,
                "rows": sum(s.rows for s in self.sheets), "rejected": self.rejected,
                "sheets": [vars(s) for s in self.sheets], "issues": [f.as_dict() for f in self.findings]}  # fmt: skip


# ---------------------------------------------------------------- the template


def template_bytes() -> bytes:
    """The workbook to fill in: a notes sheet, then one sheet per kind with its Indonesian headers and an example
    row (the loader ignores the notes sheet and reads the others by their headers)."""
    book = Book()
    head = book.style(bold=True, fill="#DCEBF7", wrap=True)
    bold = book.style(bold=True)
    notes = book.add_sheet("Petunjuk")
    notes.set_column(0, 0, 28)
    notes.set_column(1, 1, 110)
    rows: list[list[Any]] = [
        ["Templat komitmen UCJ / UCJ commitments template", ""],
        ["", "Isi satu lembar per jenis data; hapus baris contoh. Kolom bertanda * wajib. Semua baris dimuat "
             "sekaligus atau tidak sama sekali: satu baris salah, tidak ada yang disimpan (docs/commitments.md)."],
        ["", "Fill one sheet per kind; delete the example row. Columns marked * are required. A load is all or "
             "nothing."],
    ]  # fmt: skip
    for kind in KINDS.values():
        rows.append([kind.sheet, kind.note or ""])
        for col in kind.columns:
            mark = "*" if col.required or col.column_required else ""
            accepted = f" ({', '.join(sorted(set(col.words.values())))})" if col.words else ""
            rows.append([f"  {col.header}{mark}", f"{_KIND_WORDS.get(col.kind, col.kind)}{accepted}"])
    notes.write_row(0, rows[0], bold)
    notes.write_rows(1, rows[1:])
    for kind in KINDS.values():
        sheet = book.add_sheet(kind.sheet)
        sheet.set_column(0, len(kind.columns) - 1, 20)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, [c.header for c in kind.columns], head)
        sheet.write_row(1, [c.example for c in kind.columns])
    return book.to_bytes()


_KIND_WORDS = {
    "text": "teks", "count": "bilangan bulat", "money": "rupiah (bilangan bulat)", "year": "tahun",
    "date": "tanggal (YYYY-MM-DD atau DD/MM/YYYY)", "region": "kode wilayah Kemendagri",
    "desa": "kode desa/kelurahan Kemendagri", "words": "salah satu", "groups": "daftar, pisahkan dengan koma",
}  # fmt: skip


# ---------------------------------------------------------------- reading


def read_sheets(data: bytes, file_name: str) -> list[RawSheet]:
    """Every sheet of a workbook, or the one table of a CSV, as text cells — a large file read in a bounded child
    process (:mod:`ucj.commitments.sheets`). Raises :class:`CommitmentFileError`."""
    try:
        return sheets.read_sheets(data, file_name, read_limits())
    except RosterFileError as err:
        f = err.finding
        known = f.code in filecheck.ISSUE_TYPES
        code, value = (f.code, f.value) if known else ("FILE_UNREADABLE", f.message("en"))
        raise CommitmentFileError(code, value) from err
    except sheets.SheetsRefused as err:
        raise CommitmentFileError(err.code, err.value) from err


def _tables(sheets: list[RawSheet]) -> list[tuple[filecheck.Kind, RawSheet, int]]:
    """(kind, sheet, header row index) of every sheet whose headers show a kind (others, e.g. notes, are skipped)."""
    found = []
    for sheet in sheets:
        for i, cells in enumerate(sheet.records[:HEADER_SCAN_ROWS]):
            kind = filecheck.detect_kind(cells, sheet.name)
            if kind is not None:
                found.append((kind, sheet, i))
                break
    if not found:
        seen = next((r for s in sheets for r in s.records if any(r)), [])
        raise CommitmentFileError("FILE_NO_KIND", ", ".join(c for c in seen if c)[:300])
    return found


def _cells(sheet: RawSheet, header: int) -> pl.DataFrame:
    body = sheet.records[header + 1:]
    width = max([len(sheet.records[header]), *(len(r) for r in body)], default=1)
    frame = pl.DataFrame({f"c{i}": [(r[i] if i < len(r) else "") or None for r in body] for i in range(width)},
                         schema={f"c{i}": pl.String for i in range(width)})  # fmt: skip
    frame = frame.with_columns(pl.int_range(header + 2, header + 2 + len(body), dtype=pl.Int64).alias("_row"))
    cells = [f"c{i}" for i in range(width)]
    return frame.with_columns([pl.col(c).str.strip_chars().replace("", None) for c in cells]).filter(
        pl.any_horizontal([pl.col(c).is_not_null() for c in cells]))  # fmt: skip


def _regions(codes: set[str]) -> pl.DataFrame:
    rows = list(Region.objects.filter(code__in=codes).values_list("code", "level", "name"))
    return pl.DataFrame(rows, schema=filecheck.REGION_SCHEMA, orient="row")


# ---------------------------------------------------------------- loading


def load_file(data: bytes, file_name: str, *, user: Any = None, dry_run: bool = False, request: Any = None,
              today: dt.date | None = None) -> LoadReport:  # fmt: skip
    """Check and (unless ``dry_run`` or a row is rejected) store a commitments file. Raises
    :class:`CommitmentFileError` for a file that cannot be read."""
    report = LoadReport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    today = today or timezone.localdate()

    def may_write(kind: str, code: str | None, payer: str | None) -> bool:
        return services.can_edit(user, kind, code, payer=payer)

    checked: list[filecheck.Checked] = []
    for kind, sheet, header in _tables(read_sheets(data, file_name)):
        cells = _cells(sheet, header)
        if cells.height == 0:
            continue
        one = filecheck.check_sheet(kind, sheet.name, sheet.records[header], cells, _regions, may_write, today)
        checked.append(one)
    if not checked:
        raise CommitmentFileError("FILE_NO_ROWS")
    meetings = _meeting_keys(checked, user)
    for one in checked:
        if one.kind.name == "action":
            one.findings += _unknown_meetings(one, meetings)
    for one in checked:
        report.findings += one.findings
        report.sheets.append(SheetReport(one.sheet, one.kind.name, rows=len(one.rows), rejected=one.rejected))
    if report.rejected:
        return report
    with transaction.atomic():
        counts = {}
        for one in sorted(checked, key=lambda c: ORDER.index(c.kind.name)):
            done = next(s for s in report.sheets if s.sheet == one.sheet)
            done.created, done.updated, done.unchanged = _write(one, user, dry_run)
            counts[one.sheet] = {"created": done.created, "updated": done.updated, "unchanged": done.unchanged}
        if dry_run:
            transaction.set_rollback(True)  # a dry run writes nothing, not even the meetings actions would name
            return report
        codes = sorted({v for one in checked for r in one.rows for k, v in r.items() if k in ATTRS and v})
        audit.record("commitments.load", actor=user, request=request, object_type="commitments_file",
                     object_id=report.sha256[:12], region_code=common_ancestor(codes) or "",
                     summary=f"{file_name}: {sum(s.rows for s in report.sheets)} baris / rows",
                     changes={"file": file_name, "sha256": report.sha256, "sheets": counts})  # fmt: skip
        report.stored = True
    return report


def _meeting_keys(checked: list[filecheck.Checked], user: Any) -> dict[tuple[dt.date, str], int | None]:
    """(date, folded title) of the meetings in the file (id None: created by this load) and those stored that the
    user sees."""
    keys: dict[tuple[dt.date, str], int | None] = {}
    wanted = {(r["meeting_date"], filecheck.fold(r["meeting_title"])) for one in checked if one.kind.name == "action"
              for r in one.rows if r.get("meeting_date") and r.get("meeting_title")}  # fmt: skip
    if wanted:
        for pk, date, title in services.own_meetings(user).filter(date__in={d for d, _ in wanted}).values_list(
                "pk", "date", "title"):  # fmt: skip
            keys[(date, filecheck.fold(title))] = pk
    for one in checked:
        if one.kind.name == "meeting":
            for r in one.rows:
                keys.setdefault((r["date"], filecheck.fold(r["title"])), None)
    return keys


def _unknown_meetings(one: filecheck.Checked, meetings: dict[tuple[dt.date, str], int | None]) -> list[Finding]:
    out = []
    header = one.kind.column("meeting_title").header
    for r in one.rows:
        named = r.get("meeting_date") and r.get("meeting_title")
        if named and (r["meeting_date"], filecheck.fold(r["meeting_title"])) not in meetings:
            out.append(Finding(r["_row"], header, "MEETING_UNKNOWN", f"{r['meeting_date']} {r['meeting_title']}",
                               sheet=one.sheet))  # fmt: skip
    return out


def _values(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Model attributes of a checked row (blank optional text as '', blank words as '')."""
    model = MODELS[kind]
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in NOT_STORED or (kind == "institution" and name == "name"):
            continue
        f = model._meta.get_field(name)
        if value is None and not f.null:
            value = f.get_default()  # a blank optional cell: the model's default ('', 0, [], 'rencana')
        out[ATTRS.get(name, name)] = value
    return out


def _key(kind: str, values: dict[str, Any]) -> tuple[Any, ...]:
    """The upsert key of a row's values (an instrument without a number is known by its title)."""
    if kind == "instrument":
        ident = values["number"] or "title:" + filecheck.fold(values["title"])
        return values["region_id"], values["kind"], ident
    if kind == "action":
        return values.get("meeting_id"), values["owner_id"], values["decision"].strip()
    spec = {"budget": ("region_id", "year", "payer", "source"), "institution": ("desa_id",),
            "unit": ("desa_id", "kind", "name"), "partner": ("region_id", "name"),
            "meeting": ("region_id", "date", "title")}[kind]  # fmt: skip
    return tuple(values[f] for f in spec)


def _existing(kind: str, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    model = MODELS[kind]
    region_attr = {"institution": "desa_id", "unit": "desa_id", "action": "owner_id"}.get(kind, "region_id")
    codes = {r[region_attr] for r in rows}
    q = Q(**{f"{region_attr}__in": [c for c in codes if c]})
    if None in codes:
        q |= Q(**{f"{region_attr}__isnull": True})
    return {_key(kind, vars(o)): o for o in model.objects.select_for_update().filter(q)}


def _write(one: filecheck.Checked, user: Any, dry_run: bool) -> tuple[int, int, int]:
    """Upsert the rows of one sheet with bulk writes; returns (created, updated, unchanged)."""
    kind = one.kind.name
    model = MODELS[kind]
    rows = [_values(kind, r) for r in one.rows]
    if kind == "action":
        _link_meetings(one.rows, rows, user)
    existing = _existing(kind, rows)
    actor = user if getattr(user, "pk", None) else None
    created, updated, unchanged = [], [], 0
    for values in rows:
        old = existing.get(_key(kind, values))
        if old is None:
            created.append(model(**values, updated_by=actor))
            continue
        if all(getattr(old, a) == v for a, v in values.items()) and not old.synthetic:
            unchanged += 1
            continue
        for a, v in values.items():
            setattr(old, a, v)
        old.synthetic, old.updated_by, old.updated_at = False, actor, timezone.now()
        updated.append(old)
    model.objects.bulk_create(created, batch_size=1000)
    if updated:
        model.objects.bulk_update(updated, [*rows[0].keys(), "synthetic", "updated_by", "updated_at"], batch_size=1000)
    return len(created), len(updated), unchanged


def _link_meetings(checked: list[dict[str, Any]], rows: list[dict[str, Any]], user: Any) -> None:
    """Actions name their meeting by date and title: one stored (visible) or created by this load (one query)."""
    dates = {r["meeting_date"] for r in checked if r.get("meeting_date")}
    stored = services.own_meetings(user).filter(date__in=dates).order_by("pk")
    found: dict[tuple[Any, str], int] = {(d, filecheck.fold(t)): pk for pk, d, t in
                                         stored.values_list("pk", "date", "title")}  # fmt: skip
    for source, values in zip(checked, rows, strict=True):
        key = (source.get("meeting_date"), filecheck.fold(source.get("meeting_title")))
        values["meeting_id"] = found.get(key) if source.get("meeting_title") else None
