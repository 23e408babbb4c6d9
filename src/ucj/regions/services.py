"""Region operations shared by the CLI, the demo and the admin."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from importlib import resources

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
        _set_centroids()
    by_level = Counter(r.level for r in refs)
    created = sum(1 for r in refs if r.code not in existing)
    return LoadResult(total=len(refs), created=created, by_level=dict(by_level))


def _set_centroids() -> None:
    """Centre points of kab/kota from the project's own data file (see regions/data/README.md)."""
    text = resources.files("ucj.regions").joinpath("data/centroids.csv").read_text(encoding="utf-8")
    points = {row["kode"]: (float(row["lat"]), float(row["lng"])) for row in csv.DictReader(io.StringIO(text))}
    regions = list(Region.objects.filter(code__in=points))
    for region in regions:
        region.lat, region.lng = points[region.code]
    Region.objects.bulk_update(regions, ["lat", "lng"])


# --- boundaries (GeoJSON) -------------------------------------------------------------------------------

#: Feature properties that may hold the Kemendagri code, tried in this order.
CODE_PROPERTIES = ("kode", "code", "kode_kab", "KODE")
_GEOMETRIES = {"Polygon", "MultiPolygon"}


class BoundaryError(ValueError):
    """A boundary file refused as a whole (nothing stored); ``problems`` lists every offending feature."""

    def __init__(self, message: str, problems: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class BoundaryResult:
    features: int
    created: int
    updated: int
    regions: list[str]
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"features": self.features, "created": self.created, "updated": self.updated,
                "regions": self.regions, "source": self.source}  # fmt: skip


def _feature_code(properties: dict[str, object]) -> tuple[str | None, str | None]:
    """(normalised code, raw value) from the first code property present."""
    from ucj.regions.codes import normalize_code

    for key in CODE_PROPERTIES:
        raw = properties.get(key)
        if raw not in (None, ""):
            return normalize_code(str(raw)), str(raw)
    return None, None


def load_boundaries(text: str | bytes, source: str = "") -> BoundaryResult:
    """Store the region boundaries of a GeoJSON FeatureCollection; all or nothing, idempotent (upsert).

    Each feature is matched to a region by its code property (:data:`CODE_PROPERTIES`, normalised); a feature
    without a known code, without a (Multi)Polygon geometry, or repeating a code refuses the whole file with
    every problem listed (:class:`BoundaryError`).
    """
    import json

    from ucj.regions.models import RegionBoundary

    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise BoundaryError(f"Bukan GeoJSON yang sah / not valid GeoJSON: {err}") from err
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BoundaryError("Berkas harus GeoJSON FeatureCollection / the file must be a GeoJSON FeatureCollection")
    features = data["features"]
    if not features:
        raise BoundaryError("FeatureCollection kosong / the FeatureCollection has no features")
    found: dict[str, dict[str, object]] = {}
    problems: list[dict[str, object]] = []
    candidates: list[tuple[int, str | None, str | None, dict[str, object], object]] = []
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        code, raw = _feature_code(props if isinstance(props, dict) else {})
        candidates.append((index, code, raw, props if isinstance(props, dict) else {}, geometry))
    codes = [c for _, c, _, _, _ in candidates if c]
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    for index, code, raw, props, geometry in candidates:
        name = str(props.get("nama") or props.get("name") or "")
        where = {"feature": index, "code": raw, "name": name}
        if raw is None:
            problems.append({**where, "reason": f"tanpa kode wilayah ({', '.join(CODE_PROPERTIES)}) / "
                                                f"no region code property"})  # fmt: skip
        elif code is None:
            problems.append({**where, "reason": "kode tidak sah / malformed code"})
        elif code not in known:
            problems.append({**where, "reason": f"kode {code} tidak dikenal / unknown region code {code}"})
        elif code in found:
            problems.append({**where, "reason": f"kode {code} berulang / duplicate code {code}"})
        elif (
            not isinstance(geometry, dict)
            or geometry.get("type") not in _GEOMETRIES
            or not isinstance(geometry.get("coordinates"), list)
        ):
            problems.append({**where, "reason": "geometri harus Polygon/MultiPolygon / geometry must be a "
                                                "Polygon or MultiPolygon"})  # fmt: skip
        else:
            found[code] = geometry
    if problems:
        raise BoundaryError(
            f"{len(problems)} dari {len(features)} fitur tidak cocok; tidak ada yang disimpan / {len(problems)} of "
            f"{len(features)} features unmatched; nothing stored",
            problems,
        )
    existing = set(RegionBoundary.objects.filter(region_id__in=found).values_list("region_id", flat=True))
    rows = [RegionBoundary(region_id=code, geometry=geometry, source=source[:250]) for code, geometry in found.items()]
    with transaction.atomic():
        RegionBoundary.objects.bulk_create(rows, update_conflicts=True, unique_fields=["region"],
                                           update_fields=["geometry", "source"])  # fmt: skip
    return BoundaryResult(features=len(features), created=len(found) - len(existing), updated=len(existing),
                          regions=sorted(found), source=source)  # fmt: skip
