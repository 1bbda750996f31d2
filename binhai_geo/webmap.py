"""Self-contained web maps: one HTML file that renders with no network at all.

Planners open these maps on intranets without internet access, so a deliverable must not load
anything from a CDN or a tile server. :func:`build_map` draws the plan's layers on a plain
sea-coloured background (no tile layer): the ``land`` layer is a light land fill, so the coast shows
offline, and the ``boundary`` layer a dark outline. Every other layer is a styled overlay, toggled in
a layer control grouped by theme. A bilingual legend, a target panel, a scale bar, the data credits and
the notes (for example that sample layers are illustrative) are part of the map.

:func:`to_offline_html` renders the map with Leaflet's JavaScript, CSS and images inlined from the
installed ``xstatic-leaflet`` package and with folium's CDN links (jQuery, Bootstrap, Font Awesome,
awesome-markers) dropped; it refuses to return HTML that still references an outside resource.
:func:`write_map` writes that HTML atomically.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import html
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.map import Evented, Layer
from folium.template import Template

from binhai_geo.atomic import write_text_atomic
from binhai_geo.errors import BinhaiGeoError, LayerError, OutputError
from binhai_geo.layermodel import LAYER_KINDS, FieldSpec, fields_of
from binhai_geo.validate import CRS_HINT

__all__ = ["build_map", "external_references", "to_offline_html", "write_map"]

#: Shown for an empty value in popups and the target panel.
DASH = "\u2013"

#: Decimal places kept in coordinates (about 0.1 m).
COORD_DECIMALS = 6

#: Sea colour: the map background where no land is drawn.
SEA_COLOR = "#b3d3e6"

_LEAFLET_CDN_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CDN_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

# --------------------------------------------------------------------------------------------------
# Themes, panes and styles
# --------------------------------------------------------------------------------------------------

#: Themes in the order they appear in the layer control and the legend: (key, 中文, English).
THEMES: tuple[tuple[str, str, str], ...] = (
    ("basemap", "底图", "Base map"),
    ("energy", "能源场址", "Energy sites"),
    ("ecology", "生态与碳汇", "Ecology and carbon sinks"),
    ("constraints", "限制因素", "Constraints"),
    ("projects", "项目与电网", "Projects and grid"),
)

# Leaflet panes: drawing order, independent of the order in the layer control
# (tiles are 200, Leaflet's own overlay pane 400, markers 600, tooltips 650, popups 700).
_PANES: dict[str, int] = {
    "bhg-base": 350,
    "bhg-ecology": 410,
    "bhg-energy": 420,
    "bhg-constraints": 430,
    "bhg-sites": 440,
    "bhg-outline": 450,
    "bhg-points": 460,
}


@dataclass(frozen=True)
class _Variant:
    """A per-feature style override selected by a field value."""

    field: str
    value: Any
    style: dict[str, Any]
    label: tuple[str, str]


@dataclass(frozen=True)
class _KindStyle:
    """How a layer kind is drawn: theme, pane and Leaflet path style."""

    theme: str
    pane: str
    style: dict[str, Any]
    variants: tuple[_Variant, ...] = field(default=())


def _poly(color: str, fill: str, opacity: float, weight: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"color": color, "weight": weight, "fillColor": fill, "fillOpacity": opacity, **extra}


def _line(color: str, weight: float, **extra: Any) -> dict[str, Any]:
    return {"color": color, "weight": weight, "fill": False, **extra}


def _point(color: str, fill: str, radius: float) -> dict[str, Any]:
    return {"color": color, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.95, "radius": radius}


#: Drawing rules for every layer kind, in layer-control order within each theme.
_KIND_STYLES: dict[str, _KindStyle] = {
    "land": _KindStyle("basemap", "bhg-base", _poly("#c2b99f", "#f5f2e9", 1.0, 0.6)),
    "sea_area": _KindStyle("basemap", "bhg-base", _poly("#86b6d3", "#9cc5de", 0.35, 0.5)),
    "boundary": _KindStyle("basemap", "bhg-outline", _line("#1f1f1f", 2.2)),
    "subdistrict": _KindStyle("basemap", "bhg-outline", _line("#6d6d6d", 1.0, dashArray="4 3")),
    "coastline": _KindStyle(
        "basemap",
        "bhg-outline",
        _line("#546e7a", 1.6),
        (_Variant("natural", True, {"color": "#2e7d32", "weight": 2.4}, ("自然岸线", "Natural shoreline")),),
    ),
    "salt_pan": _KindStyle("energy", "bhg-energy", _poly("#8e5bb0", "#d7b8ea", 0.55)),
    "fish_pond": _KindStyle("energy", "bhg-energy", _poly("#2a8c8c", "#8fd0c8", 0.6)),
    "offshore_zone": _KindStyle("energy", "bhg-energy", _poly("#1565c0", "#1565c0", 0.12, 1.5, dashArray="6 4")),
    "tidal_flat": _KindStyle("energy", "bhg-energy", _poly("#a08a4c", "#e6d7a3", 0.65, 0.8)),
    "breakwater": _KindStyle("energy", "bhg-energy", _line("#5d4037", 3.0)),
    "rooftop": _KindStyle("energy", "bhg-energy", _poly("#e65100", "#ffb74d", 0.8, 0.6)),
    "wetland": _KindStyle("ecology", "bhg-ecology", _poly("#4c9a50", "#8bc98e", 0.5, 0.8)),
    "forest": _KindStyle("ecology", "bhg-ecology", _poly("#1b5e20", "#388e3c", 0.6, 0.8)),
    "protected_area": _KindStyle("ecology", "bhg-ecology", _poly("#00695c", "#4db6ac", 0.12, 2.0, dashArray="5 4")),
    "exclusion": _KindStyle(
        "constraints", "bhg-constraints", _poly("#c62828", "#e57373", 0.25, 1.2, dashArray="4 3", radius=5)
    ),
    "substation": _KindStyle("projects", "bhg-points", _point("#4a148c", "#ab47bc", 5)),
    "project": _KindStyle("projects", "bhg-points", {**_point("#880e4f", "#ec407a", 6), "fillOpacity": 0.8}),
}

#: Style of a layer kind that has no entry in _KIND_STYLES (a kind added to the layer model later).
_FALLBACK_STYLE = _KindStyle("constraints", "bhg-constraints", _poly("#555555", "#9e9e9e", 0.3, radius=5))


def _kind_style(kind_name: str) -> _KindStyle:
    return _KIND_STYLES.get(kind_name, _FALLBACK_STYLE)


#: Candidate-site layers by technology: (technology, 中文, English, style).
_SITE_LAYERS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("pv", "光伏场址", "PV sites", _poly("#c77800", "#fbc02d", 0.55, 1.5, radius=6)),
    ("wind", "风电场址", "Wind sites", _poly("#0d47a1", "#42a5f5", 0.5, 1.5, radius=6)),
    ("none", "其他候选场址", "Other candidate sites", _poly("#616161", "#bdbdbd", 0.5, 1.2, radius=5)),
)

_TECH_LABELS = {"pv": "光伏 PV", "wind": "风电 Wind", "storage": "储能 Storage", "none": "无 None"}

#: Columns of the ``sites`` frame and their popup labels.
_SITE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("site_id", "str", zh="场址编号", en="Site ID"),
    FieldSpec("name", "str", zh="名称", en="Name"),
    FieldSpec("layer_kind", "str", zh="用地类型", en="Surface"),
    FieldSpec("technology", "str", zh="技术", en="Technology"),
    FieldSpec("area_km2", "float", unit="km²", zh="面积", en="Area"),
    FieldSpec("capacity_mw", "float", unit="MW", zh="装机容量", en="Capacity"),
    FieldSpec("energy_mwh_per_yr", "float", unit="MWh/yr", zh="年发电量", en="Annual energy"),
    FieldSpec("specific_yield_kwh_per_kwp", "float", unit="kWh/kWp", zh="单位容量年发电量", en="Specific yield"),
    FieldSpec("capacity_factor", "float", zh="容量系数", en="Capacity factor"),
)

_TARGET_COLUMNS = (
    "target_id",
    "description",
    "description_zh",
    "year",
    "required",
    "unit",
    "comparison",
    "computed",
    "gap",
    "status",
)

_STATUS = {
    "met": ("met", "达标", "met"),
    "short": ("short", "未达标", "short"),
    "not computed": ("not-computed", "未测算", "not computed"),
}

_COMPARISONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "=": "="}

# --------------------------------------------------------------------------------------------------
# Styles and browser-side helpers
# --------------------------------------------------------------------------------------------------

_CSS = """
.leaflet-container {
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
    "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
}
.leaflet-container .bhg-box {
  background: rgba(255, 255, 255, 0.94); border-radius: 5px; padding: 6px 9px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35); font-size: 12px; line-height: 1.35; color: #222;
}
.leaflet-container .bhg-box summary { font-weight: bold; cursor: pointer; font-size: 12.5px; }
.bhg-title { max-width: 360px; }
.bhg-title-zh { font-size: 16px; font-weight: bold; }
.bhg-title-en { font-size: 12.5px; color: #333; }
.bhg-note {
  margin-top: 4px; padding: 2px 5px; background: #fff4d6; border-left: 3px solid #e0a100;
  color: #6d4c00; font-size: 11.5px;
}
.bhg-legend { max-height: calc(100vh - 340px); overflow-y: auto; min-width: 170px; }
.bhg-legend-theme { margin-top: 5px; font-weight: bold; color: #444; font-size: 11.5px; }
.bhg-legend-item { display: flex; align-items: center; gap: 6px; margin: 1px 0; white-space: nowrap; }
.bhg-sw { display: inline-block; flex: none; box-sizing: border-box; }
.bhg-sw-polygon { width: 18px; height: 12px; }
.bhg-sw-line { width: 18px; height: 0; }
.bhg-sw-point { width: 11px; height: 11px; border-radius: 50%; margin: 0 3px 0 4px; }
.bhg-targets { max-width: min(620px, 62vw); max-height: 36vh; overflow: auto; }
.bhg-targets table { border-collapse: collapse; margin-top: 3px; }
.bhg-targets th, .bhg-targets td {
  padding: 2px 4px; border-bottom: 1px solid #e3e3e3; vertical-align: top; text-align: left;
}
.bhg-targets th { font-size: 11px; color: #555; font-weight: normal; white-space: nowrap; }
.bhg-targets td.bhg-desc { min-width: 120px; max-width: 170px; }
.bhg-targets td.bhg-num { text-align: right; white-space: nowrap; }
.bhg-en { color: #666; font-size: 10.5px; }
.bhg-status {
  display: inline-block; padding: 0 5px; border-radius: 8px; color: #fff; white-space: nowrap;
  font-size: 11px;
}
.bhg-status-met { background: #2e7d32; }
.bhg-status-short { background: #c62828; }
.bhg-status-not-computed { background: #8a8a8a; }
.leaflet-container .leaflet-control-layers { font-size: 12px; line-height: 1.3; }
.leaflet-container .leaflet-control-layers-list { max-height: 52vh; overflow-y: auto; }
.leaflet-container .leaflet-control-layers label { margin: 0; }
.leaflet-container .leaflet-control-layers-selector { margin: 1px 4px 0 0; vertical-align: -2px; }
.bhg-layer-theme { font-weight: bold; color: #444; margin: 5px 0 1px; font-size: 11.5px; }
.bhg-layer-theme:first-child { margin-top: 0; }
.bhg-popup { font-size: 12px; }
.bhg-popup-title { font-weight: bold; font-size: 13.5px; margin-bottom: 3px; }
.leaflet-container .leaflet-tooltip { font-size: 12px; }
.bhg-popup table { border-collapse: collapse; font-size: 12px; }
.bhg-popup th { text-align: left; font-weight: normal; color: #555; padding: 1px 8px 1px 0; }
.bhg-popup td { padding: 1px 0; }
.leaflet-container .leaflet-control-attribution { font-size: 10.5px; max-width: 60vw; }
"""

# Runs before the map is created (first in the page's script section).
_HELPER_JS = r"""
var bhg = (function () {
  "use strict";
  L.Control.Scale.mergeOptions({imperial: false, maxWidth: 160});
  var DASH = "\u2013";
  function text(v) {
    return (v === null || v === undefined || v === "") ? DASH : String(v);
  }
  function popup(spec) {
    return function (layer) {
      var p = (layer.feature && layer.feature.properties) || {};
      var div = L.DomUtil.create("div", "bhg-popup");
      L.DomUtil.create("div", "bhg-popup-title", div).textContent = spec.label;
      var table = L.DomUtil.create("table", "", div);
      spec.fields.forEach(function (f) {
        var row = table.insertRow();
        var th = document.createElement("th");
        th.textContent = f[1];
        row.appendChild(th);
        row.insertCell().textContent = text(p[f[0]]);
      });
      return div;
    };
  }
  function styleOf(spec, feature) {
    var i = (feature && feature.properties && feature.properties._s) || 0;
    return spec.styles[i] || spec.styles[0];
  }
  function layerOptions(spec) {
    return {
      pane: spec.pane,
      style: function (feature) { return styleOf(spec, feature); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({pane: spec.pane}, styleOf(spec, feature)));
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(popup(spec), {maxWidth: 340});
        var name = feature.properties && feature.properties[spec.tip];
        layer.bindTooltip(function () {
          var span = document.createElement("span");
          span.textContent = name ? name + " \u00b7 " + spec.label : spec.label;
          return span;
        }, {sticky: true});
      }
    };
  }
  function panes(map, zIndex) {
    api.maps.push(map);
    Object.keys(zIndex).forEach(function (name) {
      var pane = map.createPane(name);
      pane.style.zIndex = String(zIndex[name]);
      pane.style.pointerEvents = "none";
    });
  }
  function control(map, id, position) {
    var el = document.getElementById(id);
    var ctl = L.control({position: position});
    ctl.onAdd = function () {
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    };
    ctl.addTo(map);
    return ctl;
  }
  function layerControl(map, themes) {
    var overlays = {}, heads = {};
    themes.forEach(function (theme) {
      theme[1].forEach(function (item, i) {
        overlays[item[0]] = item[1];
        if (i === 0) { heads[item[0]] = theme[0]; }
      });
    });
    var ctl = L.control.layers(null, overlays, {collapsed: false, position: "topright", sortLayers: false});
    var update = ctl._update;
    ctl._update = function () {
      var out = update.apply(this, arguments);
      var list = this._overlaysList;
      if (list) {
        Array.prototype.slice.call(list.children).forEach(function (label) {
          var head = heads[label.textContent.trim()];
          if (head) {
            var div = document.createElement("div");
            div.className = "bhg-layer-theme";
            div.textContent = head;
            list.insertBefore(div, label);
          }
        });
      }
      return out;
    };
    ctl.addTo(map);
    return ctl;
  }
  function attribution(map, prefix, credits) {
    if (!map.attributionControl) { L.control.attribution().addTo(map); }
    map.attributionControl.setPrefix(prefix);
    if (credits) { map.attributionControl.addAttribution(credits); }
  }
  var api = {
    maps: [], layerOptions: layerOptions, panes: panes, control: control,
    layerControl: layerControl, attribution: attribution
  };
  return api;
})();
"""


def _js(obj: Any) -> str:
    """Serialise ``obj`` as compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


class _Raw(Element):
    """An element that renders a fixed string, not parsed as a template."""

    def __init__(self, text: str, name: str = "Raw") -> None:
        super().__init__()
        self._name = name
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the fixed text."""
        return self.text


class _Script(MacroElement):
    """JavaScript code placed in the page's script section at this element's position."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "BhgScript"
        self.code = code


class _HtmlControl(MacroElement):
    """A block of HTML shown as a Leaflet control in a corner of the map."""

    _template = Template(
        "{% macro html(this, kwargs) %}"
        '<div id="{{ this.get_name() }}" class="{{ this.css_class }}">{{ this.content }}</div>'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "bhg.control({{ this._parent.get_name() }}, {{ this.get_name()|tojson }}, "
        "{{ this.position|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, content: str, css_class: str, position: str) -> None:
        super().__init__()
        self._name = "BhgControl"
        self.content = content
        self.css_class = css_class
        self.position = position


class _VectorLayer(Layer):
    """A GeoJSON overlay drawn with a fixed style and bilingual popups.

    The layer is a :class:`folium.map.Layer`, so folium adds it to the map (and knows its name), but
    its script is compact: one JSON FeatureCollection and one shared options builder (``bhg``).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, bhg.layerOptions({{ this.spec_js }}))"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, name: str, data_js: str, spec: dict[str, Any], bounds: list[float]) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "BhgLayer"
        self.data_js = data_js
        self.spec_js = _js(spec)
        self.bounds = bounds

    def render(self, **kwargs: Any) -> None:
        """Render the layer (added to the map by its own script).

        folium's ``Layer.render`` adds a new "add to map" element on every render, so rendering a map
        twice would add each layer twice; this layer's script adds it instead.
        """
        Evented.render(self, **kwargs)


# --------------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------------


def _fmt_number(x: float) -> str:
    if not math.isfinite(x):
        return DASH
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a == 0:
        return "0"
    text = f"{x:.1f}" if a >= 100 else f"{x:.2f}" if a >= 1 else f"{x:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _fmt(value: Any, dtype: str = "") -> str:
    """Format a value for display; empty values (None, NaN, "") become an en dash."""
    if value is None:
        return DASH
    if isinstance(value, str):
        return value.strip() or DASH
    if isinstance(value, bool | np.bool_):
        return "是 yes" if value else "否 no"
    try:
        if pd.isna(value):
            return DASH
    except (TypeError, ValueError):
        pass
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if dtype == "float" else str(int(value))
    if isinstance(value, float | np.floating):
        x = float(value)
        if dtype in ("int", "bool") and x.is_integer():
            return str(int(x)) if dtype == "int" else ("是 yes" if x else "否 no")
        return _fmt_number(x)
    return str(value)


def _field_label(f: FieldSpec) -> str:
    label = f"{f.zh} {f.en}".strip() or f.name
    return f"{label} ({f.unit})" if f.unit else label


def _check_frame(gdf: Any, layer: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LayerError(
            f"expected a GeoDataFrame, got {type(gdf).__name__}",
            layer=layer,
            hint="pass the layer as a geopandas.GeoDataFrame",
        )
    if gdf.crs is None:
        raise LayerError(
            "the layer has no coordinate reference system (CRS), so it cannot be placed on the map",
            layer=layer,
            hint=CRS_HINT,
        )
    return gdf


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = gdf.geometry
    keep = ~(geom.isna() | geom.is_empty)
    out = gdf.loc[keep]
    if out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    return out


def _feature_collection(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> str:
    """Return GeoJSON text of ``gdf``'s geometries (2-D, rounded) with ``props`` as properties."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    geoms = shapely.transform(geoms, lambda c: np.round(c, COORD_DECIMALS))
    texts = shapely.to_geojson(geoms)
    parts = [
        '{"type":"Feature","geometry":' + g + ',"properties":' + _js(p) + "}" for g, p in zip(texts, props, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def _bounds(gdf: gpd.GeoDataFrame) -> list[float]:
    return [float(v) for v in gdf.total_bounds] if len(gdf) else []


def _style_index(row: Mapping[str, Any], variants: Sequence[_Variant]) -> int:
    for i, v in enumerate(variants, start=1):
        value = row.get(v.field)
        try:
            if value is not None and not pd.isna(value) and value == v.value:
                return i
        except (TypeError, ValueError):
            continue
    return 0


def _kind_layer(kind_name: str, gdf: gpd.GeoDataFrame) -> _VectorLayer:
    kind = LAYER_KINDS[kind_name]
    ks = _kind_style(kind_name)
    g = _to_wgs84(gdf)
    specs = [f for f in fields_of(kind) if f.name in g.columns]
    records = g[[f.name for f in specs]].to_dict("records") if specs else [{} for _ in range(len(g))]
    props = []
    for rec in records:
        p = {f.name: _fmt(rec[f.name], f.dtype) for f in specs}
        if ks.variants:
            i = _style_index(rec, ks.variants)
            if i:
                p["_s"] = i
        props.append(p)
    spec = {
        "label": kind.label,
        "pane": ks.pane,
        "tip": "name",
        "fields": [[f.name, _field_label(f)] for f in specs],
        "styles": [ks.style] + [{**ks.style, **v.style} for v in ks.variants],
    }
    return _VectorLayer(kind.label, _feature_collection(g, props), spec, _bounds(g))


def _site_layers(sites: gpd.GeoDataFrame) -> list[tuple[_VectorLayer, dict[str, Any], str]]:
    missing = [f.name for f in _SITE_FIELDS if f.name not in sites.columns]
    if missing:
        raise LayerError(
            f"the sites table lacks column(s) {', '.join(missing)}",
            layer="sites",
            hint="pass the site table produced by the siting step; it must have the columns "
            + ", ".join(f.name for f in _SITE_FIELDS),
        )
    g = _to_wgs84(sites)
    tech = g["technology"].astype("string").str.strip().str.lower().fillna("none")
    tech = tech.where(tech.isin(["pv", "wind"]), "none")
    out = []
    for key, zh, en, style in _SITE_LAYERS:
        part = g.loc[(tech == key).to_numpy()]
        if part.empty:
            continue
        props = []
        for rec in part[[f.name for f in _SITE_FIELDS]].to_dict("records"):
            p = {f.name: _fmt(rec[f.name], f.dtype) for f in _SITE_FIELDS}
            lk = rec["layer_kind"]
            if isinstance(lk, str) and lk in LAYER_KINDS:
                p["layer_kind"] = LAYER_KINDS[lk].label
            t = rec["technology"]
            if isinstance(t, str) and t.strip().lower() in _TECH_LABELS:
                p["technology"] = _TECH_LABELS[t.strip().lower()]
            props.append(p)
        label = f"{zh} {en}"
        spec = {
            "label": label,
            "pane": "bhg-sites",
            "tip": "name",
            "fields": [[f.name, _field_label(f)] for f in _SITE_FIELDS],
            "styles": [style],
        }
        layer = _VectorLayer(label, _feature_collection(part, props), spec, _bounds(part))
        out.append((layer, style, _geometry_family(part)))
    return out


def _geometry_family(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna().unique())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "polygon"


# --------------------------------------------------------------------------------------------------
# HTML blocks
# --------------------------------------------------------------------------------------------------


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _swatch(style: Mapping[str, Any], family: str) -> str:
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
        rgba = _rgba(fill, float(opacity))
        css = f"background:{rgba};border:{min(weight, 2.0):g}px {dashed} {color}"
    return f'<span class="bhg-sw bhg-sw-{family}" style="{_esc(css)}"></span>'


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6:
        return color
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{max(alpha, 0.15):.2f})"


def _legend_html(entries: Mapping[str, list[tuple[str, str]]]) -> str:
    parts = ["<details open><summary>图例 Legend</summary>"]
    for key, zh, en in THEMES:
        items = entries.get(key)
        if not items:
            continue
        parts.append(f'<div class="bhg-legend-theme">{_esc(zh)} {_esc(en)}</div>')
        for swatch, label in items:
            parts.append(f'<div class="bhg-legend-item">{swatch}<span>{_esc(label)}</span></div>')
    parts.append("</details>")
    return "".join(parts)


def _targets_html(targets: pd.DataFrame) -> str:
    missing = [c for c in _TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise BinhaiGeoError(
            f"the targets table lacks column(s) {', '.join(missing)}",
            hint="pass the target table produced by the target check; it must have the columns "
            + ", ".join(_TARGET_COLUMNS),
        )
    rows = []
    for rec in targets.to_dict("records"):
        unit = "" if _fmt(rec["unit"]) == DASH else _fmt(rec["unit"])

        def with_unit(value: Any, unit: str = unit) -> str:
            text = _fmt(value, "float")
            return f"{text} {unit}" if unit and text != DASH else text

        comp = _fmt(rec["comparison"])
        comp = _COMPARISONS.get(comp, comp if comp != DASH else "")
        required = with_unit(rec["required"])
        if comp and required != DASH:
            required = f"{comp} {required}"
        status_raw = _fmt(rec["status"]).strip().lower().replace("_", " ")
        cls, szh, sen = _STATUS.get(status_raw, ("not-computed", "", status_raw))
        status = f'<span class="bhg-status bhg-status-{cls}">{_esc(szh)} {_esc(sen)}</span>'
        desc_zh = _fmt(rec["description_zh"])
        rows.append(
            f'<tr data-target-id="{_esc(_fmt(rec["target_id"]))}" data-status="{_esc(cls)}">'
            f'<td class="bhg-desc"><div>{_esc(desc_zh)}</div>'
            f'<div class="bhg-en">{_esc(_fmt(rec["target_id"]))} · {_esc(_fmt(rec["description"]))}</div></td>'
            f'<td class="bhg-num">{_esc(_fmt(rec["year"], "int"))}</td>'
            f'<td class="bhg-num">{_esc(required)}</td>'
            f'<td class="bhg-num">{_esc(with_unit(rec["computed"]))}</td>'
            f'<td class="bhg-num">{_esc(with_unit(rec["gap"]))}</td>'
            f"<td>{status}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("目标 Target", "年份 Year", "要求 Required", "测算 Computed", "差距 Gap", "状态 Status")
    )
    return (
        "<details open><summary>规划目标 Plan targets</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def _title_html(title: str, title_zh: str, notes: Iterable[str]) -> str:
    parts = [f'<div class="bhg-title-zh">{_esc(title_zh)}</div>', f'<div class="bhg-title-en">{_esc(title)}</div>']
    parts += [f'<div class="bhg-note">⚠ {_esc(n)}</div>' for n in notes if str(n).strip()]
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _sequential_ids() -> Iterator[None]:
    """Name map elements with a counter instead of random UUIDs while a map is built.

    folium/branca give every element a random id (``Element._generate_id``), and those ids appear in
    the page, so two builds of the same map would differ. A rerun on the same inputs must give the
    same file; branca offers no hook for this, so the id generator is swapped for the build only.
    """
    counter = itertools.count()
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{next(counter):08x}")  # type: ignore[method-assign]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]


@_sequential_ids()
def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    sites: gpd.GeoDataFrame,
    targets: pd.DataFrame,
    *,
    title: str,
    title_zh: str,
    credits: Sequence[str],
    notes: Sequence[str] = (),
) -> folium.Map:
    """Build the plan map: layers, candidate sites, legend, target panel, credits and notes.

    The map has no tile layer. Its background is sea-coloured and the ``land`` layer is drawn as a
    light fill, so the coast is visible without any network; ``boundary`` is a dark outline. Every
    layer is an overlay toggled in a layer control grouped by theme (base map, energy sites, ecology
    and sinks, constraints, projects and grid) and named in Chinese and English (``盐田 Salt pan``).
    Features show their attribute fields with bilingual labels in a popup; candidate sites show their
    figures. Points are drawn as circle markers, never as image icons.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer-kind name (a key of :data:`binhai_geo.layermodel.LAYER_KINDS`) to its features, in any
        CRS; they are reprojected to EPSG:4326. Only the kind's declared fields are shown (and
        embedded); other columns are left out to keep the file small.
    sites : geopandas.GeoDataFrame
        Candidate sites with columns ``site_id, name, layer_kind, technology, area_km2, capacity_mw,
        energy_mwh_per_yr, specific_yield_kwh_per_kwp, capacity_factor`` and a geometry; one overlay
        per technology (pv, wind, other). May be empty.
    targets : pandas.DataFrame
        Plan targets with columns ``target_id, description, description_zh, year, required, unit,
        comparison, computed, gap, status`` (status ``met``, ``short`` or ``not computed``), listed in
        the target panel. An empty table shows no panel.
    title, title_zh : str
        English and Chinese map title.
    credits : sequence of str
        Data credits, shown as plain text in the attribution line.
    notes : sequence of str, optional
        Notes shown under the title, for example that sample layers are illustrative.

    Returns
    -------
    folium.Map
        The map. Render it with :func:`to_offline_html` or write it with :func:`write_map`; folium's own
        ``save`` gives an online page that loads Leaflet from a CDN.

    Raises
    ------
    LayerError
        When a layer kind is unknown, a frame has no CRS or is not a GeoDataFrame, or ``sites`` lacks
        a column.
    BinhaiGeoError
        When ``targets`` lacks a column.
    """
    for name in layers:
        if name not in LAYER_KINDS:
            raise LayerError(
                "unknown layer kind",
                layer=name,
                hint="use one of: " + ", ".join(LAYER_KINDS),
            )
    frames = {name: _check_frame(gdf, name) for name, gdf in layers.items()}
    _check_frame(sites, "sites")

    m = folium.Map(
        location=[39.0, 117.6],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        minZoom=5,
        maxZoom=19,
    )
    # Only Leaflet itself: no jQuery, Bootstrap, Font Awesome or awesome-markers. to_offline_html
    # replaces these two links by the inlined package files.
    m.default_js = [("leaflet", _LEAFLET_CDN_JS)]
    m.default_css = [("leaflet_css", _LEAFLET_CDN_CSS)]
    fig = m.get_root()
    fig.title = f"{title_zh} {title}"
    mid = m.get_name()
    css = _CSS + f"\n#{mid}.leaflet-container {{ background: {SEA_COLOR}; }}\n"
    fig.header.add_child(_Raw(f"<style>{css}</style>", "BhgCss"), name="bhg_css")
    fig.script.add_child(_Raw(_HELPER_JS, "BhgHelper"), name="bhg_helper", index=0)

    m.add_child(_Script(f"bhg.panes({mid}, {_js(_PANES)});"), name="bhg_panes")

    themed: dict[str, list[_VectorLayer]] = {key: [] for key, _, _ in THEMES}
    legend: dict[str, list[tuple[str, str]]] = {key: [] for key, _, _ in THEMES}
    ordered = [k for k in _KIND_STYLES if k in frames] + [k for k in frames if k not in _KIND_STYLES]
    for kind_name in ordered:
        ks = _kind_style(kind_name)
        layer = _kind_layer(kind_name, frames[kind_name])
        themed[ks.theme].append(layer)
        kind = LAYER_KINDS[kind_name]
        family = _geometry_family(frames[kind_name]) if len(frames[kind_name]) else kind.geometry[0]
        legend[ks.theme].append((_swatch(ks.style, family), kind.label))
        for v in ks.variants:
            legend[ks.theme].append((_swatch({**ks.style, **v.style}, family), f"{v.label[0]} {v.label[1]}"))
        if kind_name == "land":
            sea = {"color": "#86b6d3", "fillColor": SEA_COLOR, "fillOpacity": 1}
            legend[ks.theme].append((_swatch(sea, "polygon"), "海 Sea"))
    for layer, style, family in _site_layers(sites):
        themed["energy"].append(layer)
        legend["energy"].append((_swatch(style, family), layer.layer_name))

    all_layers = [layer for key, _, _ in THEMES for layer in themed[key]]
    for layer in all_layers:
        m.add_child(layer)

    # Fit to the district boundary, or else to everything drawn.
    bounds_src = [lyr for lyr in themed["basemap"] if lyr.layer_name == LAYER_KINDS["boundary"].label]
    boxes = [lyr.bounds for lyr in (bounds_src or all_layers) if lyr.bounds]
    if boxes:
        arr = np.array(boxes)
        m.location = [float((arr[:, 1].min() + arr[:, 3].max()) / 2), float((arr[:, 0].min() + arr[:, 2].max()) / 2)]
        m.fit_bounds([[arr[:, 1].min(), arr[:, 0].min()], [arr[:, 3].max(), arr[:, 2].max()]], padding=(12, 12))

    groups = []
    for key, zh, en in THEMES:
        if themed[key]:
            items = ",".join(f"[{_js(lyr.layer_name)},{lyr.get_name()}]" for lyr in themed[key])
            groups.append(f"[{_js(f'{zh} {en}')},[{items}]]")
    m.add_child(_Script(f"bhg.layerControl({mid}, [{','.join(groups)}]);"), name="bhg_layer_control")

    m.add_child(_HtmlControl(_title_html(title, title_zh, notes), "bhg-box bhg-title", "topleft"))
    m.add_child(_HtmlControl(_legend_html(legend), "bhg-box bhg-legend", "bottomleft"))
    if len(targets):
        m.add_child(_HtmlControl(_targets_html(targets), "bhg-box bhg-targets", "bottomright"))
    elif len(targets.columns):
        _targets_html(targets)  # still check the columns

    credit_text = " | ".join(str(c).strip() for c in credits if str(c).strip())
    m.add_child(
        _Script(f"bhg.attribution({mid}, {_js('Leaflet')}, {_js(html.escape(credit_text))});"),
        name="bhg_attribution",
    )
    return m


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xleaflet

    return Path(xleaflet.BASE_DIR)


def _data_uri(path: Path) -> str:
    mime = "image/png" if path.suffix == ".png" else "image/svg+xml" if path.suffix == ".svg" else ""
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _leaflet_assets() -> tuple[str, str, str]:
    """Return Leaflet's CSS (images as data URIs), its JS, and a script that makes icons offline."""
    base = _leaflet_dir()
    try:
        css = (base / "leaflet.css").read_text(encoding="utf-8")
        js = (base / "leaflet.js").read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"cannot read Leaflet from the installed xstatic-leaflet package ({exc})",
            file=str(base),
            hint="reinstall the package: pip install --force-reinstall 'xstatic-leaflet>=1.9.3'",
        ) from None

    def inline(match: re.Match[str]) -> str:
        target = match.group(2)
        img = base / target
        if target.startswith(("data:", "#")) or not img.is_file():
            return match.group(0)
        return f'url("{_data_uri(img)}")'

    css = re.sub(r"""url\((['"]?)([^'")]+)\1\)""", inline, css)
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE)
    js = js.replace("</script", "<\\/script")
    images = base / "images"
    icons = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    icon_js = f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({_js(icons)});"
    return css, js, icon_js


class _RefScanner(HTMLParser):
    """Collect resource references from tag attributes and CSS."""

    _ATTRS = frozenset({"src", "href", "srcset", "data", "poster", "background", "action", "formaction"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in self._ATTRS:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.refs.extend(u for u in urls if u)
            elif name == "style":
                self.refs.extend(_css_refs(value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs.extend(_css_refs(data))


def _css_refs(css: str) -> list[str]:
    refs = [m.group(2) for m in re.finditer(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", css)]
    refs += [m.group(2) for m in re.finditer(r"""@import\s+(['"])([^'"]+)\1""", css)]
    return refs


def external_references(page: str) -> list[str]:
    """Return the resources an HTML page would load from outside itself.

    Looks at ``src``, ``href`` (and similar) attributes of tags and at ``url(...)`` and ``@import`` in
    CSS; script text is not searched (strings in it are not requests). ``data:`` URIs, in-page anchors
    (``#...``) and ``javascript:`` links are not external; anything else is, including relative paths,
    which an intranet user would not have beside the file.

    Parameters
    ----------
    page : str
        The HTML text.

    Returns
    -------
    list of str
        The references, in document order (empty for a self-contained page).
    """
    scanner = _RefScanner()
    scanner.feed(page)
    scanner.close()
    return [r for r in scanner.refs if not r.strip().lower().startswith(("data:", "#", "javascript:", "about:"))]


#: Script that needs jQuery or awesome-markers, which are not inlined (folium.Popup, folium.Icon, ...).
_NEEDS_LIBRARY = re.compile(r"(?<![\w$.])\$(?=\(|\.\w)|\bjQuery\b|L\.AwesomeMarkers")

_TILE_LAYER = re.compile(r"\bL\.tileLayer\b")


def to_offline_html(m: folium.Map) -> str:
    """Render ``m`` as one HTML page that needs no network.

    Leaflet's JavaScript and CSS are read from the installed ``xstatic-leaflet`` package and inlined;
    the images its CSS refers to become data URIs, and ``L.Icon.Default`` gets data-URI icons (with
    ``imagePath`` set to ``""``) so a default marker requests no file either. folium's CDN links
    (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers) are left out. A copy of the map is
    rendered: ``m`` itself is not changed, so folium's ``save`` still gives the online page.

    Parameters
    ----------
    m : folium.Map
        The map, for example from :func:`build_map`. Elements that need jQuery or another outside
        library (``folium.Popup``, awesome-marker icons, most plugins) do not work offline.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    OutputError
        When the page would still load something from outside (an element of the map that declares
        its own CDN script or stylesheet), when its script needs jQuery or awesome-markers, when it
        has a tile layer, or when Leaflet cannot be read from the package.
    """
    if not isinstance(m.get_root(), Figure):
        raise TypeError("the map is not part of a folium Figure; create it with folium.Map(...)")
    css, js, icon_js = _leaflet_assets()
    # Render a copy: folium's render adds to the page, so rendering the map itself twice would
    # repeat parts of it; the copy keeps element names, so the output is the same every time.
    mc = copy.deepcopy(m)
    fig = mc.get_root()
    mc.default_js = []
    mc.default_css = []
    # Links added by an earlier render; elements that still declare theirs add them again below.
    for name, child in list(fig.header._children.items()):
        if isinstance(child, JavascriptLink | CssLink):
            del fig.header._children[name]
    inlined = {
        "bhg_leaflet_css": f"<style>{css}</style>",
        "bhg_leaflet_js": f"<script>{js}</script>",
        "bhg_leaflet_icons": f"<script>{icon_js}</script>",
    }
    for i, (name, text) in enumerate(inlined.items()):
        fig.header.add_child(_Raw(text, "BhgInline"), name=name, index=i)
    page = fig.render()

    needs = sorted(set(_NEEDS_LIBRARY.findall(page.replace(js, ""))))
    if needs:
        raise OutputError(
            "the map uses a library that is not available offline (jQuery or Leaflet.awesome-markers): "
            + ", ".join(needs),
            hint="use circle markers instead of folium.Icon markers and GeoJSON popups instead of "
            "folium.Popup (build_map does both)",
        )
    if _TILE_LAYER.search(page.replace(js, "")):
        raise OutputError(
            "the map has a tile layer, which loads its tiles from a server",
            hint="draw the base map from layers (build_map uses the land layer) instead of tiles",
        )
    refs = external_references(page)
    if refs:
        shown = ", ".join(sorted(set(refs))[:5])
        raise OutputError(
            f"the map would load {len(refs)} resource(s) from outside the file: {shown}",
            hint="remove the map elements that need them (folium plugins, awesome-marker icons), or inline their files",
        )
    return page


def write_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write ``m`` as a self-contained offline HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
        The map, for example from :func:`build_map`.
    path : str or os.PathLike
        Output file (``.html``); its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        See :func:`to_offline_html`.
    """
    return write_text_atomic(path, to_offline_html(m))
