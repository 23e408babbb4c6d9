"""Charts and maps of the report as SVG, drawn on the server (pure: no browser, no Django).

WeasyPrint renders SVG as vector graphics, so the PDF's trend chart and map stay sharp at any zoom and need no
JavaScript. The map projects the coverage GeoJSON (the same boundaries the dashboard draws, ``/api/v1/coverage/map``)
with an equirectangular projection scaled by the cosine of the mean latitude — at Sumsel's size (about 5° across,
near the equator) the distortion is invisible — and colours each region by its status against the screen's target
year, like the dashboard's choropleth. Without boundaries (kecamatan) it draws proportional circles at the
regions' centre points, as the dashboard does.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

#: Status colours: the dashboard's palette (coverage/static/coverage/dashboard.css).
STATUS_COLOURS = {"met": "#1a7f4b", "on_track": "#8cc9a6", "behind": "#e08a3c", "unknown": "#c9c9c9"}
INK, GRID, TARGET, PROJECTION = "#1f2a30", "#d9dee2", "#b3261e", "#1a5fb4"
FONT = "DejaVu Sans, sans-serif"


def _svg(width: int, height: int, body: Iterable[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" font-family="{FONT}" font-size="10"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")  # fmt: skip


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round axis step (1, 2 or 5 × 10ⁿ) giving about ``ticks`` intervals over ``span``."""
    raw = max(span, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def trend_chart(trend: dict[str, list[Any]], labels: dict[str, str], fmt: Callable[[float], str],
                month_label: Callable[[str], str], width: int = 680, height: int = 260) -> str:  # fmt: skip
    """Covered workers per month (solid), the projection (dashed) and the target (red steps)."""
    months = trend["months"]
    values = [v for key in ("covered", "target", "projection") for v in trend[key] if v is not None]
    top = max(values or [1])
    step = _nice_step(top)
    y_max = step * math.ceil(top / step) or step
    left, right, upper, lower = 70, 10, 24, 34
    plot_w, plot_h = width - left - right, height - upper - lower
    n = max(len(months) - 1, 1)

    def x(i: int) -> float:
        return left + plot_w * i / n

    def y(v: float) -> float:
        return upper + plot_h * (1 - v / y_max)

    body = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="{INK}">{escape(fmt(tick))}'
                    "</text>")  # fmt: skip
        tick += step
    every = max(1, math.ceil(len(months) / 8))
    for i, m in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            body.append(f'<text x="{x(i):.1f}" y="{height - lower + 14}" text-anchor="middle" fill="{INK}">'
                        f"{escape(month_label(m))}</text>")  # fmt: skip
    for key, colour, dash in (("target", TARGET, ""), ("projection", PROJECTION, ' stroke-dasharray="5 4"'),
                              ("covered", INK, "")):  # fmt: skip
        points = [(x(i), y(v)) for i, v in enumerate(trend[key]) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    legend_x = left
    for key, colour in (("covered", INK), ("projection", PROJECTION), ("target", TARGET)):
        body.append(f'<rect x="{legend_x}" y="6" width="14" height="4" fill="{colour}"/>'
                    f'<text x="{legend_x + 18}" y="11" fill="{INK}">{escape(labels[key])}</text>')  # fmt: skip
        legend_x += 30 + 7 * len(labels[key])
    return _svg(width, height, body, labels["covered"])


# --- the map ------------------------------------------------------------------------------------------------


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Every ring of a Polygon or MultiPolygon."""
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return list(coords)
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def region_map(geo: dict[str, Any], status: dict[str, str], covered: dict[str, int], labels: dict[str, str],
               width: int = 560, height: int = 380) -> str:  # fmt: skip
    """A choropleth of the features (``geo`` as ``/api/v1/coverage/map`` answers: ``features`` and ``centroids``),
    or proportional circles at the centroids when there are no features; "" when there is neither."""
    features = [f for f in geo.get("features", []) if _rings(f.get("geometry") or {})]
    points = [c for c in geo.get("centroids", []) if c.get("lat") is not None and c.get("lng") is not None]
    if not features and not points:
        return ""
    lons = [p[0] for f in features for ring in _rings(f["geometry"]) for p in ring] + [c["lng"] for c in points]
    lats = [p[1] for f in features for ring in _rings(f["geometry"]) for p in ring] + [c["lat"] for c in points]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    span_x, span_y = max((max(lons) - min(lons)) * kx, 1e-6), max(max(lats) - min(lats), 1e-6)
    legend_h, pad = 22, 12
    scale = min((width - 2 * pad) / span_x, (height - legend_h - 2 * pad) / span_y)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - min(lons)) * kx * scale, legend_h + pad + (max(lats) - lat) * scale

    body = []
    for f in features:
        code = f.get("properties", {}).get("code", "")
        colour = STATUS_COLOURS[status.get(code, "unknown")]
        d = " ".join("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in (xy(lo, la) for lo, la, *_ in ring)) + " Z"
                     for ring in _rings(f["geometry"]))  # fmt: skip
        name = f.get("properties", {}).get("name", code)
        body.append(f'<path d="{d}" fill="{colour}" stroke="#ffffff" stroke-width="0.8">'
                    f"<title>{escape(name)}</title></path>")  # fmt: skip
    if not features:
        biggest = max([covered.get(c["code"], 0) for c in points] + [1])
        for c in points:
            px, py = xy(c["lng"], c["lat"])
            r = 3 + 14 * math.sqrt(max(covered.get(c["code"], 0), 0) / biggest)
            colour = STATUS_COLOURS[status.get(c["code"], "unknown")]
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r:.1f}" fill="{colour}" fill-opacity="0.8" '
                        f'stroke="{INK}" stroke-width="0.5"><title>{escape(c["name"])}</title></circle>')  # fmt: skip
    x0 = pad
    for key in ("met", "on_track", "behind", "unknown"):
        body.append(f'<rect x="{x0}" y="4" width="12" height="12" fill="{STATUS_COLOURS[key]}"/>'
                    f'<text x="{x0 + 16}" y="14" fill="{INK}">{escape(labels[key])}</text>')  # fmt: skip
        x0 += 28 + 6 * len(labels[key])
    return _svg(width, height, body, labels.get("title", "")).replace("<title></title>", "")


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI for an ``<img>`` (so the PDF tags it as a figure with its ``alt`` text)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

