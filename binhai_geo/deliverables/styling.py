"""Layer styling for the atlas and the print maps: palettes, panes, classes, legend swatches.

:func:`classify` cuts a measure into classes (quantiles) with colours from :data:`PALETTES`; the atlas
and the print maps both use it, so a choropleth has the same classes on screen and on paper.
:func:`swatch` draws a legend symbol for a Leaflet path style. The styles of the layer kinds and
engine layers themselves are in :mod:`binhai_geo.deliverables.registry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.deliverables.formatting import esc, fmt_number
from binhai_geo.deliverables.registry import FALLBACK_KIND_STYLE, KIND_STYLES, KindStyle, Variant

__all__ = ["PALETTES", "PANES", "SEA_COLOR", "THEME_PANES", "Classes", "classify", "swatch"]

#: Sea colour: the map background where no land is drawn.
SEA_COLOR = "#b3d3e6"

#: Sequential palettes (light to dark) for choropleths and aggregation grids (ColorBrewer, 5 classes).
PALETTES: dict[str, tuple[str, ...]] = {
    "greens": ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    "blues": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    "oranges": ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
    "purples": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
}



# Leaflet panes: drawing order, independent of the order in the layer control
# (tiles are 200, Leaflet's own overlay pane 400, markers 600, tooltips 650, popups 700).
PANES: dict[str, int] = {
    "bhg-base": 350,
    "bhg-targets": 405,
    "bhg-ecology": 410,
    "bhg-energy": 420,
    "bhg-constraints": 430,
    "bhg-sites": 440,
    "bhg-outline": 450,
    "bhg-points": 460,
}

#: Pane of each theme's overlays (layer kinds have their own in the registry).
THEME_PANES = {
    "energy": "bhg-energy",
    "sinks": "bhg-ecology",
    "ecology": "bhg-ecology",
    "constraints": "bhg-constraints",
    "projects": "bhg-points",
    "targets": "bhg-targets",
    "other": "bhg-constraints",
    "basemap": "bhg-base",
}


def style_index(row: Mapping[str, Any], variants: Sequence[Variant]) -> int:
    """Return the index (1-based) of the first variant whose field has its value in ``row``; 0 for none."""
    for i, v in enumerate(variants, start=1):
        value = row.get(v.field)
        try:
            if value is not None and not pd.isna(value) and value == v.value:
                return i
        except (TypeError, ValueError):
            continue
    return 0


def geometry_family(gdf: gpd.GeoDataFrame) -> str:
    """Return ``point``, ``line`` or ``polygon`` for the geometries of ``gdf`` (mixed: polygon)."""
    types = set(gdf.geom_type.dropna().unique())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "polygon"


@dataclass(frozen=True)
class Classes:
    """Classes of a numeric measure for a choropleth: upper limits, a label and a colour each."""

    breaks: tuple[float, ...]
    labels: tuple[str, ...]
    colors: tuple[str, ...]

    def index(self, values: np.ndarray) -> np.ndarray:
        """Return the class of each value (a value equal to a limit is in that class); -1 for NaN."""
        v = np.asarray(values, dtype=float)
        if not self.breaks:
            return np.full(v.shape, -1)
        idx = np.searchsorted(np.asarray(self.breaks), v, side="left").clip(0, len(self.breaks) - 1)
        return np.where(np.isfinite(v), idx, -1)


def classify(values: np.ndarray, palette: str = "greens", n: int = 5) -> Classes:
    """Return up to ``n`` classes of ``values`` (quantiles; limits rounded to 2 significant digits).

    With at most ``n`` distinct values, each value is its own class (labelled by the value);
    otherwise classes are labelled ``low – high``. Colours run light to dark through ``palette``
    (a key of :data:`PALETTES`). Used by the atlas and the print maps alike.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return Classes((), (), ())
    distinct = np.unique(v)
    if len(distinct) <= n:
        breaks = [float(x) for x in distinct]
        labels = [fmt_number(b) for b in breaks]
    else:
        breaks = []
        for q in np.quantile(v, np.linspace(0, 1, n + 1)[1:]):
            r = float(f"{q:.2g}") if q else 0.0
            if not breaks or r > breaks[-1]:
                breaks.append(r)
        breaks[-1] = max(breaks[-1], float(v.max()))
        lows = [float(v.min()), *breaks[:-1]]
        labels = [f"{fmt_number(lo)} – {fmt_number(hi)}" for lo, hi in zip(lows, breaks, strict=True)]
    colors = PALETTES.get(palette, PALETTES["greens"])
    k = len(breaks)
    pick = [colors[round(i * (len(colors) - 1) / max(k - 1, 1))] for i in range(k)] if k > 1 else [colors[2]]
    return Classes(tuple(breaks), tuple(labels), tuple(pick))


def class_styles(classes: Classes, line_color: str = "#555", opacity: float = 0.75) -> list[dict[str, Any]]:
    """Return a Leaflet polygon style for each class colour."""
    return [{"color": line_color, "weight": 0.8, "fillColor": c, "fillOpacity": opacity} for c in classes.colors]


def class_legend(classes: Classes, styles: Sequence[dict[str, Any]], unit: str) -> list[tuple[str, str]]:
    """Return legend entries (swatch HTML, label with unit) for the classes."""
    return [(swatch(st, "polygon"), label + (f" {unit}" if unit else ""))
            for label, st in zip(classes.labels, styles, strict=True)]


def swatch(style: Mapping[str, Any], family: str) -> str:
    """Return the legend symbol (an HTML span) of a Leaflet path style for a geometry family."""
    color = style.get("color", "#333")
    fill = style.get("fillColor", color)
    opacity = style.get("fillOpacity", 0.2)
    weight = max(1.0, float(style.get("weight", 1.0)))
    dashed = "dashed" if style.get("dashArray") else "solid"
    if family == "line":
        css = f"border-top:{weight:g}px {dashed} {color}"
    elif family == "point":
        css = f"background:{fill};border:1.5px solid {color}"
    else:
        rgba = rgba_css(fill, float(opacity))
        css = f"background:{rgba};border:{min(weight, 2.0):g}px {dashed} {color}"
    return f'<span class="bhg-sw bhg-sw-{family}" style="{esc(css)}"></span>'


def rgba_css(color: str, alpha: float) -> str:
    """Return ``color`` (``#rgb`` or ``#rrggbb``) as CSS ``rgba()`` with ``alpha`` (at least 0.15)."""
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6:
        return color
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{max(alpha, 0.15):.2f})"


def kind_style(kind_name: str) -> KindStyle:
    """Return the drawing rule of a layer kind (the fallback style for a kind the registry lacks)."""
    return KIND_STYLES.get(kind_name, FALLBACK_KIND_STYLE)
