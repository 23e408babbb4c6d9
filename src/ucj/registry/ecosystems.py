"""The occupation → ecosystem mapping per region (issue 12 item 17): the shell around
:func:`ucj.registry.vocab.ecosystems_for` — reading the configured rows for the import, and loading a mapping
file (``ucj import ecosystems FILE``; the admin edits single rows). Every change is audited.

File columns: ``region`` (Kemendagri code; blank = national default), ``keyword`` (words of the occupation),
``ecosystem`` (desa, pasar, umkm, rentan, lainnya), ``source`` (optional). All or nothing; a row for a region and
keyword already configured replaces it. Existing roster participants keep their ecosystem: a new mapping applies
to the rosters imported after it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction

from ucj.accounts import audit
from ucj.regions.codes import normalize_code
from ucj.regions.models import Region
from ucj.registry import vocab
from ucj.registry.models import EcosystemRule


def mapping_frame() -> pl.DataFrame:
    """Every configured row (national rows with region ``""``); the shipped default when none is configured."""
    rows = list(EcosystemRule.objects.values_list("region_id", "keyword", "ecosystem"))
    return vocab.mapping_table(rows) if rows else vocab.default_mapping()


class MappingError(ValueError):
    """A mapping file that cannot be loaded; the message is bilingual and names the line."""


@dataclass
class MappingReport:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file_name, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.errors}  # fmt: skip


_HEADERS = {"region": ("region", "wilayah", "kode wilayah", "kode"),
            "keyword": ("keyword", "kata kunci", "pekerjaan", "jabatan", "occupation"),
            "ecosystem": ("ecosystem", "ekosistem"), "source": ("source", "sumber", "dasar")}  # fmt: skip


def read_mapping(data: bytes) -> list[tuple[str | None, str, str, str]]:
    """``(region, keyword, ecosystem, source)`` rows of a CSV mapping file (``,`` or ``;``); raises
    :class:`MappingError` listing every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise MappingError("Berkas bukan teks UTF-8 / the file is not UTF-8 text") from err
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=dialect)
    header = [vocab.fold(h) for h in next(reader, [])]
    index = {name: next((i for i, h in enumerate(header) if h in aliases), None) for name, aliases in _HEADERS.items()}
    if index["keyword"] is None or index["ecosystem"] is None:
        raise MappingError("Kolom wajib: keyword (kata kunci), ecosystem (ekosistem) / required columns: keyword, "
                           "ecosystem")  # fmt: skip
    known = set(Region.objects.values_list("code", flat=True))
    rows: list[tuple[str | None, str, str, str]] = []
    errors: list[str] = []
    seen: dict[tuple[str | None, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            i = index[name]
            return cells[i].strip() if i is not None and i < len(cells) else ""

        region_text, keyword = cell("region"), vocab.fold(cell("keyword"))
        ecosystem = vocab.ECOSYSTEM_WORDS.get(vocab.fold(cell("ecosystem")))
        region = normalize_code(region_text) if region_text else None
        if region_text and (region is None or region not in known):
            errors.append(f"baris/line {line}: wilayah tidak dikenal / unknown region '{region_text}'")
        if not keyword:
            errors.append(f"baris/line {line}: kata kunci kosong / empty keyword")
        if ecosystem is None:
            errors.append(f"baris/line {line}: ekosistem tidak dikenal / unknown ecosystem '{cell('ecosystem')}' "
                          f"({', '.join(vocab.ECOSYSTEMS)})")  # fmt: skip
        if len(keyword) > 80 or len(cell("source")) > 250:
            errors.append(f"baris/line {line}: teks terlalu panjang / text too long (keyword 80, source 250)")
        key = (region, keyword)
        if key in seen:
            errors.append(f"baris/line {line}: sama dengan baris / same as line {seen[key]}")
        seen.setdefault(key, line)
        if ecosystem is not None:
            rows.append((region, keyword, ecosystem, cell("source")))
    if errors:
        raise MappingError("; ".join(errors))
    return rows


def load_mapping(data: bytes, file_name: str, *, actor: Any = None, dry_run: bool = False) -> MappingReport:
    """Add or replace mapping rows from a file, all or nothing (see the module doc); audited."""
    rows = read_mapping(data)
    report = MappingReport(file_name=file_name, rows=len(rows))
    if not rows:
        raise MappingError("Berkas tidak berisi baris / the file holds no rows")
    with transaction.atomic():
        changes: dict[str, Any] = {}
        for region, keyword, ecosystem, source in rows:
            old = EcosystemRule.objects.filter(region_id=region, keyword=keyword).first()
            label = f"{region or '*'} {keyword}"
            if old is None:
                EcosystemRule.objects.create(region_id=region, keyword=keyword, ecosystem=ecosystem, source=source)
                report.created += 1
                changes[label] = {"before": None, "after": ecosystem}
            elif (old.ecosystem, old.source) != (ecosystem, source):
                changes[label] = {"before": old.ecosystem, "after": ecosystem}
                old.ecosystem, old.source = ecosystem, source
                old.save(update_fields=["ecosystem", "source"])
                report.updated += 1
            else:
                report.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
            return report
        audit.record("ecosystem_mapping.load", actor=actor, object_type="ecosystem_mapping",
                     summary=f"{file_name}: {report.created} baru/created, {report.updated} diubah/updated",
                     changes=changes)  # fmt: skip
    return report
