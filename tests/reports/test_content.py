"""The pure core of reports: formatting in each language, tables, charts and the map as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ucj.reports import content, svg


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(1_048_000, "id", "1.048.000"), (1_048_000, "en", "1,048,000"), (None, "id", "—"), (0, "id", "0"),
     (-12_345, "id", "-12.345")],
)  # fmt: skip
def test_numbers_in_the_report_language(value: int | None, lang: str, expected: str) -> None:
    assert content.number(value, lang) == expected


def test_percent_and_months_in_each_language() -> None:
    assert content.percent(37.43, "id") == "37,43 %"
    assert content.percent(37.43, "en") == "37.43%"
    assert content.percent(1234.5, "id") == "1.234,50 %"
    assert content.month_name("2024-12", "id") == "Desember 2024"
    assert content.month_name("2024-12", "en") == "December 2024"
    assert content.short_month("2025-08", "id") == "Agu 25"
    assert content.shown(20_000_000_000, content.RP, "id") == "Rp 20.000.000.000"
    assert content.shown(25.04, content.DEC1, "en") == "25.0"


def test_a_table_formats_cells_and_marks_numbers() -> None:
    table = content.Table("t", "T", [content.Column("Wilayah"), content.Column("Tercakup", content.INT),
                                     content.Column("Cakupan", content.PCT)],
                          [["Muba", 94_804, 44.39]], ["Jumlah", 94_804, None])  # fmt: skip
    shown = table.shown("id")
    assert shown["rows"] == [[("Muba", False), ("94.804", True), ("44,39 %", True)]]
    assert shown["total"] == [("Jumlah", False), ("94.804", True), ("—", True)]


def test_the_trend_chart_is_valid_svg_with_its_lines() -> None:
    trend = {"months": ["2024-11", "2024-12", "2025-01"], "covered": [10, 20, None], "target": [30, 30, 40],
             "projection": [None, 20, 30]}  # fmt: skip
    drawn = svg.trend_chart(trend, {"covered": "Tercakup", "target": "Target", "projection": "Proyeksi"},
                            lambda v: content.number(v, "id"), lambda m: content.short_month(m, "id"))  # fmt: skip
    root = ET.fromstring(drawn)  # noqa: S314 — our own SVG
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 3  # target, projection, covered
    assert "Des 24" in drawn and "Tercakup" in drawn


def test_the_map_colours_regions_by_status_or_draws_circles() -> None:
    square = {"type": "Polygon", "coordinates": [[[104.0, -3.0], [105.0, -3.0], [105.0, -2.0], [104.0, -3.0]]]}
    geo = {"features": [{"properties": {"code": "16.06", "name": "Muba"}, "geometry": square}], "centroids": []}
    labels = {"met": "tercapai", "on_track": "sesuai jalur", "behind": "tertinggal", "unknown": "belum"}
    drawn = svg.region_map(geo, {"16.06": "behind"}, {"16.06": 5}, labels)
    assert ET.fromstring(drawn) is not None  # noqa: S314 — our own SVG
    assert f'fill="{svg.STATUS_COLOURS["behind"]}"' in drawn and "<title>Muba</title>" in drawn
    circles = svg.region_map({"features": [], "centroids": [{"code": "16.06.01", "name": "Sekayu", "lat": -2.9,
                                                             "lng": 103.8}]}, {}, {"16.06.01": 7}, labels)  # fmt: skip
    assert "<circle" in circles and "<title>Sekayu</title>" in circles
    assert svg.region_map({"features": [], "centroids": []}, {}, {}, labels) == ""
