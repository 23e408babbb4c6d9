"""Region operations shared by the CLI, the demo and the admin."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from ucj.regions.models import Region, in_region
from ucj.regions.reference import SOURCE, iter_reference

_FIELDS = ["name", "level", "kind", "parent", "name_key", "postcode", "source"]


@dataclass(frozen=True)
class LoadResult:
    total: int
    created: int
    by_level: dict[int, int]

    def as_dict(self) -> dict[str, object]:
        names = {1: "provinsi", 2: "kabkota", 3: "kecamatan", 4: "desa"}
        return {
            "total": self.total,
            "created": self.created,
            "updated_or_unchanged": self.total - self.created,
            "by_level": {names[k]: v for k, v in sorted(self.by_level.items())},
            "source": SOURCE,
        }


def load_regions(province: str | None = "16") -> LoadResult:
    """Seed or refresh the region table from the reference package; idempotent (upsert by code).

    ``province=None`` loads all of Indonesia.
    """
    refs = list(iter_reference(province))
    if not refs:
        raise ValueError(f"Kode provinsi tidak dikenal / unknown province code: {province}")
    existing_qs = Region.objects.all() if province is None else Region.objects.filter(in_region("code", province))
    existing = set(existing_qs.values_list("code", flat=True))
    objs = [
        Region(
            code=r.code,
            name=r.name,
            level=r.level,
            kind=r.kind,
            parent_id=r.parent,
            name_key=r.name_key,
            postcode=r.postcode,
            source=SOURCE,
        )
        for r in refs
    ]
    with transaction.atomic():
        Region.objects.bulk_create(
            objs, batch_size=2000, update_conflicts=True, unique_fields=["code"], update_fields=_FIELDS
        )
    by_level = Counter(r.level for r in refs)
    created = sum(1 for r in refs if r.code not in existing)
    return LoadResult(total=len(refs), created=created, by_level=dict(by_level))
