"""``ucj regions load-boundaries FILE.geojson``: matching by code property, all or nothing, idempotent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ucj.cli.main import app

SQUARE = {"type": "Polygon", "coordinates": [[[103.0, -3.0], [104.0, -3.0], [104.0, -2.0], [103.0, -3.0]]]}


def collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(props: dict[str, Any], geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry or SQUARE}


def run(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_sumsel_kabkota_file_loads_all_17(shared_dir: Path, db: Any) -> None:
    from ucj.regions.models import RegionBoundary

    path = shared_dir / "geo" / "sumsel_kabkota.geojson"
    result = run("regions", "load-boundaries", path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["features"], report["created"], report["updated"]) == (17, 17, 0)
    assert report["source"] == "sumsel_kabkota.geojson" and report["regions"][0] == "16.01"
    assert RegionBoundary.objects.filter(region__level=2, region__code__startswith="16.").count() == 17
    assert RegionBoundary.objects.get(region_id="16.71").geometry["type"] == "MultiPolygon"
    again = json.loads(run("regions", "load-boundaries", path, "--json").stdout)  # idempotent
    assert (again["created"], again["updated"]) == (0, 17) and RegionBoundary.objects.count() == 17


@pytest.mark.parametrize("key", ["kode", "code", "kode_kab", "KODE"])
@pytest.mark.parametrize("value", ["16.06", "1606", "16 06"])
def test_code_properties_and_forms(db: Any, key: str, value: str) -> None:
    from ucj.regions.services import load_boundaries

    assert load_boundaries(collection(feature({key: value}))).regions == ["16.06"]


def test_unmatched_features_refuse_the_whole_file(db: Any, tmp_path: Path) -> None:
    from ucj.regions.models import RegionBoundary

    path = tmp_path / "b.geojson"
    path.write_text(collection(
        feature({"kode": "16.06", "nama": "Musi Banyuasin"}),
        feature({"kode": "99.99", "nama": "Atlantis"}),
        feature({"nama": "Tanpa kode"}),
        feature({"kode": "16.7x"}),
        feature({"kode": "1606"}),
        feature({"kode": "16.71"}, {"type": "Point", "coordinates": [104.7, -3.0]}),
    ))  # fmt: skip
    result = run("regions", "load-boundaries", path, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "BOUNDARIES_REJECTED" and "5 dari 6 fitur" in error["message"]
    assert "nothing stored" in error["message"]
    reasons = {p["feature"]: p["reason"] for p in error["problems"]}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "unknown region code 99.99" in reasons[2] and "no region code" in reasons[3]
    assert "malformed" in reasons[4] and "duplicate" in reasons[5] and "Polygon" in reasons[6]
    assert RegionBoundary.objects.count() == 0
    text = run("regions", "load-boundaries", path)
    assert text.exit_code == 1 and "Atlantis" in text.output and "tidak ada yang disimpan" in text.output


@pytest.mark.parametrize("content", ["not json", "[]", '{"type": "Feature"}', collection()])
def test_not_a_feature_collection(db: Any, tmp_path: Path, content: str) -> None:
    path = tmp_path / "b.geojson"
    path.write_text(content)
    result = run("regions", "load-boundaries", path, "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["message"]


def test_missing_file_is_a_usage_error(db: Any, tmp_path: Path) -> None:
    assert run("regions", "load-boundaries", tmp_path / "none.geojson").exit_code == 2


def test_reload_replaces_geometry(db: Any, make_user: Callable[..., Any]) -> None:
    from ucj.regions.models import RegionBoundary
    from ucj.regions.services import load_boundaries

    load_boundaries(collection(feature({"kode": "16.06"})), source="v1")
    other = {**SQUARE, "coordinates": [[[103.5, -3.0], [104.0, -3.0], [104.0, -2.5], [103.5, -3.0]]]}
    result = load_boundaries(collection(feature({"kode": "16.06"}, other)), source="v2")
    assert (result.created, result.updated) == (0, 1)
    stored = RegionBoundary.objects.get(region_id="16.06")
    assert stored.geometry == other and stored.source == "v2"
