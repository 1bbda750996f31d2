"""Self-contained web maps: one HTML file that renders with no network at all.

Planners open these maps on intranets without internet access, so a deliverable must not load
anything from a CDN or a tile server. :func:`build_map` draws the plan's layers on a plain
sea-coloured background (no tile layer): the ``land`` layer is a light land fill, so the coast shows
offline, and the ``boundary`` layer a dark outline. Every other layer is a styled overlay, toggled in
a layer control grouped by theme (:data:`binhai_geo.deliverables.registry.THEMES`). A bilingual
legend, a target dashboard (progress toward each plan target), choropleths per sub-district, a scale
bar, the data credits and the notes (for example that sample layers are illustrative) are part of
the map. Besides the layer kinds and the candidate sites, any number of further overlays
(:class:`Overlay`, for the engines' geo layers) and choropleths (:class:`Choropleth`) can be drawn.

A layer with more features than ``detail_max_features`` (say 100,000 rooftops) is drawn as counts
on a square grid in its projected CRS; from ``detail_min_zoom`` on, the features in view are drawn
one by one as points (their representative points, with their popups), so the file stays small and
the page fast. The map says so in its notes. (A square grid in the analysis CRS is used instead of
H3 cells: the cells have a stated size in metres, and no further dependency is needed.)

Online basemaps are optional (:class:`TileBasemap`, for Tianditu and AMap): a map with them is
rendered by :func:`to_offline_html` only with ``allow_tile_layers=True``, and ``shift`` moves every
drawn coordinate (for AMap, into GCJ-02 with :func:`binhai_geo.gcj02.geometries_to_gcj02`).

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
from binhai_geo.deliverables.registry import (
    DASHBOARD_FIRST,
    FALLBACK_KIND_STYLE,
    KIND_STYLES,
    SITE_LAYERS,
    TECH_LABELS,
    THEMES,
    UNIT_DISPLAY,
    KindStyle,
    Variant,
    column,
)
from binhai_geo.errors import BinhaiGeoError, LayerError, OutputError
from binhai_geo.layermodel import LAYER_KINDS, FieldSpec, fields_of
from binhai_geo.validate import CRS_HINT

__all__ = [
    "Choropleth",
    "Classes",
    "Overlay",
    "TileBasemap",
    "build_map",
    "classify",
    "external_references",
    "to_offline_html",
    "write_map",
]

#: Shown for an empty value in popups and the target panel.
DASH = "\u2013"

#: Decimal places kept in coordinates (about 0.1 m).
COORD_DECIMALS = 6

#: Tolerance of the simplification of sub-district polygons drawn as choropleths [m].
CHOROPLETH_SIMPLIFY_M = 100.0

#: Sea colour: the map background where no land is drawn.
SEA_COLOR = "#b3d3e6"

#: Sequential palettes (light to dark) for choropleths and aggregation grids (ColorBrewer, 5 classes).
PALETTES: dict[str, tuple[str, ...]] = {
    "greens": ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    "blues": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    "oranges": ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
    "purples": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
}

_LEAFLET_CDN_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CDN_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

# Leaflet panes: drawing order, independent of the order in the layer control
# (tiles are 200, Leaflet's own overlay pane 400, markers 600, tooltips 650, popups 700).
_PANES: dict[str, int] = {
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
_THEME_PANES = {
    "energy": "bhg-energy",
    "sinks": "bhg-ecology",
    "ecology": "bhg-ecology",
    "constraints": "bhg-constraints",
    "projects": "bhg-points",
    "targets": "bhg-targets",
    "other": "bhg-constraints",
    "basemap": "bhg-base",
}

#: Columns of the ``sites`` frame every map needs.
_SITE_REQUIRED = ("site_id", "technology", "capacity_mw")

#: Columns of the ``sites`` frame shown first in popups, when present (others follow in table order).
_SITE_FIRST = (
    "site_id", "name", "layer_kind", "technology", "area_km2", "length_km", "capacity_mw", "energy_mwh_per_yr",
    "specific_yield_kwh_per_kwp", "capacity_factor", "turbines", "lcoe_cny_per_mwh",
)

#: Site columns not worth a popup line.
_SITE_HIDDEN = frozenset({"geometry", "capacity_density_unit"})

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
    "on track": ("on-track", "按进度", "on track"),
    "short": ("short", "未达标", "short"),
    "indicative": ("indicative", "示意", "indicative"),
    "not computed": ("not-computed", "未测算", "not computed"),
}

#: Notes shown open under the title (the rest behind "more notes").
_NOTES_SHOWN = 2

_COMPARISONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "=": "=", "about": "≈"}


@dataclass
class Overlay:
    """A further layer for the map (an engine's geo layer), drawn like a layer kind.

    Attributes
    ----------
    label : str
        Bilingual title (``风机 Wind turbines``): layer control, legend and popup title.
    theme : str
        Key of :data:`~binhai_geo.deliverables.registry.THEMES`.
    gdf : geopandas.GeoDataFrame
        Features, in any CRS (with a CRS).
    style : dict
        Leaflet path options.
    fields : sequence of (column, label)
        Popup lines; columns missing from ``gdf`` are skipped.
    variants : sequence of Variant
        Style by a field's value.
    show : bool
        Switched on when the map opens.
    """

    label: str
    theme: str
    gdf: gpd.GeoDataFrame
    style: dict[str, Any]
    fields: Sequence[tuple[str, str]] = ()
    variants: Sequence[Variant] = ()
    show: bool = True


@dataclass
class Choropleth:
    """Values per sub-district, drawn as a classed choropleth on the ``subdistrict`` polygons.

    Attributes
    ----------
    label : str
        Bilingual title of the measure (``森林覆盖率 Forest cover 2025``).
    unit : str
        Unit of the values ("" for none).
    values : mapping of str to float
        Value per sub-district name (matched against the ``name`` and ``name_zh`` fields).
    palette : str
        Key of :data:`PALETTES`.
    show : bool
        Switched on when the map opens (only one choropleth should be).
    """

    label: str
    unit: str
    values: Mapping[str, float]
    palette: str = "greens"
    show: bool = False


@dataclass(frozen=True)
class TileBasemap:
    """An online basemap (a base layer of tiles; the map still draws everything else itself).

    Attributes
    ----------
    label : str
        Bilingual name in the layer control.
    urls : sequence of str
        Leaflet tile URL templates drawn on top of each other (base tiles, then labels).
    subdomains : str
        Values of ``{s}``.
    attribution : str
        Credit shown while the basemap is on.
    max_zoom : int
        Highest zoom level with tiles.
    """

    label: str
    urls: Sequence[str]
    subdomains: str = ""
    attribution: str = ""
    max_zoom: int = 18


@dataclass
class _Options:
    """Drawing options shared by the helpers of one :func:`build_map` call."""

    detail_max_features: int = 3000
    grid_cell_m: float = 1000.0
    detail_min_zoom: int = 14
    shift: Callable[[np.ndarray], np.ndarray] | None = None
    notes: list[str] = field(default_factory=list)


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
.bhg-title { max-width: 380px; max-height: 34vh; overflow-y: auto; }
.bhg-title-zh { font-size: 16px; font-weight: bold; }
.bhg-title-en { font-size: 12.5px; color: #333; }
.bhg-title details summary { font-weight: normal; font-size: 11.5px; color: #6d4c00; margin-top: 3px; }
.bhg-note {
  margin-top: 4px; padding: 2px 5px; background: #fff4d6; border-left: 3px solid #e0a100;
  color: #6d4c00; font-size: 11.5px;
}
.bhg-legend { max-height: calc(100vh - 420px); min-height: 60px; overflow-y: auto; min-width: 170px;
  max-width: 320px; }
.bhg-legend-item span, .bhg-legend-sub { white-space: normal; }
.bhg-legend-fold summary .bhg-legend-theme { display: inline; }
.leaflet-container .leaflet-control-layers { max-width: 340px; }
.bhg-legend-theme { margin-top: 5px; font-weight: bold; color: #444; font-size: 11.5px; }
.bhg-legend-sub { margin: 3px 0 1px; color: #444; font-size: 11px; }
.bhg-legend-item { display: flex; align-items: center; gap: 6px; margin: 1px 0; white-space: nowrap; }
.bhg-sw { display: inline-block; flex: none; box-sizing: border-box; }
.bhg-sw-polygon { width: 18px; height: 12px; }
.bhg-sw-line { width: 18px; height: 0; }
.bhg-sw-point { width: 11px; height: 11px; border-radius: 50%; margin: 0 3px 0 4px; }
.bhg-dashboard { width: 330px; max-height: 44vh; overflow-y: auto; }
.bhg-target { margin: 4px 0 5px; }
.bhg-target-head { display: flex; justify-content: space-between; gap: 6px; }
.bhg-target-name { font-size: 12px; }
.bhg-target-fig { font-size: 11px; color: #333; white-space: nowrap; }
.bhg-bar { position: relative; height: 7px; background: #e6e6e6; border-radius: 4px; margin-top: 2px; }
.bhg-bar-fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 4px; }
.bhg-bar-met { background: #2e7d32; }
.bhg-bar-short { background: #e65100; }
.bhg-bar-not-computed { background: #b0b0b0; }
.bhg-bar-on-track { background: #f9a825; }
.bhg-bar-indicative { background: #78909c; }
.bhg-en { color: #666; font-size: 10.5px; }
.bhg-status {
  display: inline-block; padding: 0 5px; border-radius: 8px; color: #fff; white-space: nowrap;
  font-size: 10.5px;
}
.bhg-status-met { background: #2e7d32; }
.bhg-status-short { background: #c62828; }
.bhg-status-not-computed { background: #8a8a8a; }
.bhg-status-on-track { background: #f9a825; }
.bhg-status-indicative { background: #607d8b; }
.bhg-nc { margin-top: 4px; }
.leaflet-container .bhg-nc summary { font-weight: normal; font-size: 11.5px; color: #555; }
.bhg-nc li { font-size: 11px; color: #555; }
.bhg-nc ul { margin: 2px 0; padding-left: 16px; }
.leaflet-container .leaflet-control-layers { font-size: 12px; line-height: 1.3; }
/* layer list and dashboard (44vh) share the right edge without overlapping */
.leaflet-container .leaflet-control-layers-list { max-height: calc(56vh - 70px); overflow-y: auto; }
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
  function tooltip(spec, feature, layer) {
    var name = feature.properties && feature.properties[spec.tip];
    layer.bindTooltip(function () {
      var span = document.createElement("span");
      span.textContent = name ? name + " \u00b7 " + spec.label : spec.label;
      return span;
    }, {sticky: true});
  }
  function layerOptions(spec) {
    return {
      pane: spec.pane,
      style: function (feature) { return styleOf(spec, feature); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({pane: spec.pane}, styleOf(spec, feature)));
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(popup(spec), {maxWidth: 360});
        tooltip(spec, feature, layer);
      }
    };
  }
  // An aggregated layer: grid cells below spec.minZoom; from there on, the features in view as points.
  // data = {fields: [name, ...], values: [[distinct values of each field]], rows: [[lon, lat, i0, i1, ...]]}
  function detail(map, group, agg, spec, data) {
    var points = L.layerGroup();
    function update() {
      if (!map.hasLayer(group)) { return; }
      if (map.getZoom() >= spec.minZoom) {
        if (group.hasLayer(agg)) { group.removeLayer(agg); }
        points.clearLayers();
        var b = map.getBounds().pad(0.3);
        var opts = L.extend({pane: spec.pane}, spec.styles[0]);
        data.rows.forEach(function (r) {
          if (!b.contains([r[1], r[0]])) { return; }
          var props = {};
          data.fields.forEach(function (f, i) { props[f] = data.values[i][r[i + 2]]; });
          var marker = L.circleMarker([r[1], r[0]], opts);
          marker.feature = {type: "Feature", properties: props};
          marker.bindPopup(popup(spec), {maxWidth: 360});
          tooltip(spec, marker.feature, marker);
          points.addLayer(marker);
        });
        if (!group.hasLayer(points)) { group.addLayer(points); }
      } else {
        if (group.hasLayer(points)) { group.removeLayer(points); points.clearLayers(); }
        if (!group.hasLayer(agg)) { group.addLayer(agg); }
      }
    }
    map.on("zoomend moveend", update);
    group.on("add", update);
    return group;
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
  // bases: [[label, [url, ...], options]]; the first is switched on, an empty "no tiles" base is added.
  function basemaps(map, bases, offlineLabel) {
    var out = [];
    bases.forEach(function (b, i) {
      var group = L.layerGroup(b[1].map(function (url) { return L.tileLayer(url, b[2]); }));
      if (i === 0) { group.addTo(map); }
      out.push([b[0], group]);
    });
    out.push([offlineLabel, L.layerGroup()]);
    return out;
  }
  function layerControl(map, themes, bases) {
    var overlays = {}, heads = {}, baseLayers = null;
    themes.forEach(function (theme) {
      theme[1].forEach(function (item, i) {
        overlays[item[0]] = item[1];
        if (i === 0) { heads[item[0]] = theme[0]; }
      });
    });
    if (bases && bases.length) {
      baseLayers = {};
      bases.forEach(function (b) { baseLayers[b[0]] = b[1]; });
    }
    var ctl = L.control.layers(baseLayers, overlays, {collapsed: false, position: "topright", sortLayers: false});
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
    maps: [], layerOptions: layerOptions, panes: panes, control: control, detail: detail,
    basemaps: basemaps, layerControl: layerControl, attribution: attribution
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
    With ``detail`` it is an aggregated layer: a group holding the grid cells, replaced by the
    features in view (points) from ``detail["spec"]["minZoom"]`` on.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.detail_js %}"
        "var {{ this.get_name() }}_cells = L.geoJSON({{ this.data_js }}, bhg.layerOptions({{ this.spec_js }}));"
        "var {{ this.get_name() }} = bhg.detail({{ this._parent.get_name() }}, "
        "L.layerGroup([{{ this.get_name() }}_cells]), {{ this.get_name() }}_cells, "
        "{{ this.detail_spec_js }}, {{ this.detail_js }});"
        "{% else %}"
        "var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, bhg.layerOptions({{ this.spec_js }}));"
        "{% endif %}"
        "{% if this.show_layer %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}"
        "{% endmacro %}"
    )

    def __init__(
        self,
        name: str,
        data_js: str,
        spec: dict[str, Any],
        bounds: list[float],
        *,
        show: bool = True,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=show)
        self._name = "BhgLayer"
        self.data_js = data_js
        self.spec_js = _js(spec)
        self.bounds = bounds
        self.show_layer = show
        self.detail_js = _js(detail["data"]) if detail else ""
        self.detail_spec_js = _js(detail["spec"]) if detail else ""

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


def _drop_empty(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = gdf.geometry
    return gdf.loc[~(geom.isna() | geom.is_empty)]


def _to_wgs84(gdf: gpd.GeoDataFrame, opts: _Options | None = None) -> gpd.GeoDataFrame:
    out = _drop_empty(gdf)
    if out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    if opts is not None and opts.shift is not None and len(out):
        out = out.set_geometry(gpd.GeoSeries(opts.shift(np.asarray(out.geometry.array, dtype=object)),
                                             index=out.index, crs=4326))
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


def _style_index(row: Mapping[str, Any], variants: Sequence[Variant]) -> int:
    for i, v in enumerate(variants, start=1):
        value = row.get(v.field)
        try:
            if value is not None and not pd.isna(value) and value == v.value:
                return i
        except (TypeError, ValueError):
            continue
    return 0


def _geometry_family(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna().unique())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "polygon"


@dataclass
class _Drawn:
    """A layer ready for the map, with what the legend says about it."""

    theme: str
    layer: _VectorLayer
    legend: list[tuple[str, str]]


def _props(records: list[dict[str, Any]], fields: Sequence[tuple[str, str, str]],
           variants: Sequence[Variant]) -> list[dict[str, Any]]:
    """Return formatted popup properties (``fields``: column, label, dtype) and the variant index ``_s``."""
    out = []
    for rec in records:
        p = {name: _fmt(rec.get(name), dtype) for name, _, dtype in fields}
        if variants:
            i = _style_index(rec, variants)
            if i:
                p["_s"] = i
        out.append(p)
    return out


def _aggregate(gdf: gpd.GeoDataFrame, cell_m: float) -> gpd.GeoDataFrame:
    """Count features (and sum areas and capacities) on a square grid of ``cell_m`` in a projected CRS.

    The layer's own CRS is used when projected (the analysis CRS), else its UTM zone. Features are
    assigned to the cell holding their representative point. Returns one row per occupied cell:
    ``count``, ``area_km2`` (polygon area), ``capacity_mw`` when the layer has it, and the cell square.
    """
    g = gdf if gdf.crs.is_projected else gdf.to_crs(gdf.estimate_utm_crs())
    pts = shapely.point_on_surface(np.asarray(g.geometry.array, dtype=object))
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    ix = np.floor(x / cell_m).astype(np.int64)
    iy = np.floor(y / cell_m).astype(np.int64)
    frame = pd.DataFrame({"ix": ix, "iy": iy, "count": 1, "area_km2": g.geometry.area.to_numpy() / 1e6})
    if "capacity_mw" in g.columns:
        frame["capacity_mw"] = pd.to_numeric(g["capacity_mw"], errors="coerce").to_numpy()
    cells = frame.groupby(["ix", "iy"], sort=True).sum(min_count=1).reset_index()
    squares = shapely.box(cells["ix"] * cell_m, cells["iy"] * cell_m, (cells["ix"] + 1) * cell_m,
                          (cells["iy"] + 1) * cell_m)
    return gpd.GeoDataFrame(cells.drop(columns=["ix", "iy"]), geometry=squares, crs=g.crs)


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
        labels = [_fmt_number(b) for b in breaks]
    else:
        breaks = []
        for q in np.quantile(v, np.linspace(0, 1, n + 1)[1:]):
            r = float(f"{q:.2g}") if q else 0.0
            if not breaks or r > breaks[-1]:
                breaks.append(r)
        breaks[-1] = max(breaks[-1], float(v.max()))
        lows = [float(v.min()), *breaks[:-1]]
        labels = [f"{_fmt_number(lo)} – {_fmt_number(hi)}" for lo, hi in zip(lows, breaks, strict=True)]
    colors = PALETTES.get(palette, PALETTES["greens"])
    k = len(breaks)
    pick = [colors[round(i * (len(colors) - 1) / max(k - 1, 1))] for i in range(k)] if k > 1 else [colors[2]]
    return Classes(tuple(breaks), tuple(labels), tuple(pick))


def _class_styles(classes: Classes, line_color: str = "#555", opacity: float = 0.75) -> list[dict[str, Any]]:
    return [{"color": line_color, "weight": 0.8, "fillColor": c, "fillOpacity": opacity} for c in classes.colors]


def _class_legend(classes: Classes, styles: Sequence[dict[str, Any]], unit: str) -> list[tuple[str, str]]:
    return [(_swatch(st, "polygon"), label + (f" {unit}" if unit else ""))
            for label, st in zip(classes.labels, styles, strict=True)]


def _vector(
    label: str,
    theme: str,
    gdf: gpd.GeoDataFrame,
    fields: Sequence[tuple[str, str, str]],
    style: dict[str, Any],
    variants: Sequence[Variant],
    pane: str,
    opts: _Options,
    *,
    show: bool = True,
    tip: str = "name",
    legend_extra: Sequence[tuple[str, str]] = (),
) -> _Drawn:
    """Draw ``gdf`` (analysis CRS or any) as one overlay; aggregate it on a grid when it is large."""
    family = _geometry_family(gdf) if len(gdf) else "polygon"
    legend = [(_swatch(style, family), label)]
    legend += [(_swatch({**style, **v.style}, family), f"{v.label[0]} {v.label[1]}") for v in variants]
    legend += list(legend_extra)
    clean = _drop_empty(gdf)
    names = [f[0] for f in fields if f[0] in clean.columns]
    fields = [f for f in fields if f[0] in clean.columns]
    if len(clean) > opts.detail_max_features:
        return _aggregated(label, theme, clean, fields, style, pane, opts, show=show, tip=tip, legend=legend)
    g = _to_wgs84(clean, opts)
    records = g[names].to_dict("records") if names else [{} for _ in range(len(g))]
    spec = {
        "label": label,
        "pane": pane,
        "tip": tip,
        "fields": [[n, lab] for n, lab, _ in fields],
        "styles": [style] + [{**style, **v.style} for v in variants],
    }
    layer = _VectorLayer(label, _feature_collection(g, _props(records, fields, variants)), spec, _bounds(g), show=show)
    return _Drawn(theme, layer, legend)


def _aggregated(
    label: str,
    theme: str,
    gdf: gpd.GeoDataFrame,
    fields: Sequence[tuple[str, str, str]],
    style: dict[str, Any],
    pane: str,
    opts: _Options,
    *,
    show: bool,
    tip: str,
    legend: list[tuple[str, str]],
) -> _Drawn:
    """Draw a large layer: counts on a grid, and the features in view as points from ``detail_min_zoom`` on."""
    cells = _aggregate(gdf, opts.grid_cell_m)
    classes = classify(cells["count"].to_numpy(dtype=float), "oranges")
    styles = _class_styles(classes, opacity=0.55)
    cls = classes.index(cells["count"].to_numpy(dtype=float))
    cells_ll = _to_wgs84(cells, opts)
    cell_fields = [("count", column("count").label, "int"), ("area_km2", column("area_km2").label, "float")]
    if "capacity_mw" in cells.columns:
        cell_fields.append(("capacity_mw", column("capacity_mw").label, "float"))
    props = _props(cells_ll.to_dict("records"), cell_fields, ())
    for p, c in zip(props, cls, strict=True):
        if c > 0:
            p["_s"] = int(c)
    km = _fmt_number(opts.grid_cell_m / 1000)
    agg_label = f"{label} · {km} km 网格汇总 grid"
    agg_spec = {"label": agg_label, "pane": pane, "tip": "", "fields": [[n, lab] for n, lab, _ in cell_fields],
                "styles": styles}
    # Detail: representative points, popup fields dictionary-encoded per column.
    pts_src = gdf.copy()
    pts_src = pts_src.set_geometry(gpd.GeoSeries(
        shapely.point_on_surface(np.asarray(gdf.geometry.array, dtype=object)), index=gdf.index, crs=gdf.crs))
    pts = _to_wgs84(pts_src, opts)
    xs = np.round(shapely.get_x(np.asarray(pts.geometry.array, dtype=object)), COORD_DECIMALS)
    ys = np.round(shapely.get_y(np.asarray(pts.geometry.array, dtype=object)), COORD_DECIMALS)
    values, codes = [], []
    for name, _, dtype in fields:
        texts = [_fmt(v, dtype) for v in pts[name].tolist()]
        uniq = sorted(set(texts))
        index = {t: i for i, t in enumerate(uniq)}
        values.append(uniq)
        codes.append([index[t] for t in texts])
    rows = [[float(x), float(y), *(c[i] for c in codes)] for i, (x, y) in enumerate(zip(xs, ys, strict=True))]
    detail_spec = {"label": label, "pane": pane, "tip": tip, "minZoom": opts.detail_min_zoom,
                   "fields": [[n, lab] for n, lab, _ in fields], "styles": [{**style, "radius": 4}]}
    data = {"fields": [n for n, _, _ in fields], "values": values, "rows": rows}
    layer = _VectorLayer(label, _feature_collection(cells_ll, props), agg_spec, _bounds(cells_ll), show=show,
                         detail={"spec": detail_spec, "data": data})
    n = len(gdf)
    opts.notes.append(
        f"{label}：{n:,} 个要素按 {km} km 网格汇总显示，放大到第 {opts.detail_min_zoom} 级显示单个要素 "
        f"({n:,} features drawn as counts on a {km} km grid; zoom to level {opts.detail_min_zoom} "
        "or closer for each feature)."
    )
    legend = legend + [("", f"{label}：{km} km 网格要素数 features per cell")]
    legend += _class_legend(classes, styles, "")
    return _Drawn(theme, layer, legend)


def _kind_layer(kind_name: str, gdf: gpd.GeoDataFrame, opts: _Options, *, show: bool = True) -> _Drawn:
    kind = LAYER_KINDS[kind_name]
    ks = _kind_style(kind_name)
    fields = [(f.name, _field_label(f), f.dtype) for f in fields_of(kind)]
    extra = []
    if kind_name == "land":
        sea = {"color": "#86b6d3", "fillColor": SEA_COLOR, "fillOpacity": 1}
        extra.append((_swatch(sea, "polygon"), "海 Sea"))
    return _vector(kind.label, ks.theme, gdf, fields, ks.style, ks.variants, ks.pane, opts, show=show,
                   legend_extra=extra)


def _kind_style(kind_name: str) -> KindStyle:
    return KIND_STYLES.get(kind_name, FALLBACK_KIND_STYLE)


def _site_fields(sites: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
    cols = [c for c in _SITE_FIRST if c in sites.columns]
    cols += [c for c in sites.columns if c not in cols and c not in _SITE_HIDDEN and c != sites.geometry.name]
    out = []
    for c in cols:
        dtype = "float" if pd.api.types.is_float_dtype(sites[c]) else "int" if pd.api.types.is_integer_dtype(
            sites[c]) else "str"
        out.append((c, column(c).label, dtype))
    return out


def _site_layers(sites: gpd.GeoDataFrame, opts: _Options) -> list[_Drawn]:
    missing = [c for c in _SITE_REQUIRED if c not in sites.columns]
    if missing:
        raise LayerError(
            f"the sites table lacks column(s) {', '.join(missing)}",
            layer="sites",
            hint="pass the site table produced by the siting step; it must have at least the columns "
            + ", ".join(_SITE_REQUIRED),
        )
    fields = _site_fields(sites)
    g = sites.copy()
    tech = g["technology"].astype("string").str.strip().str.lower().fillna("none")
    tech = tech.where(tech.isin(["pv", "wind"]), "none")
    if "layer_kind" in g.columns:
        g["layer_kind"] = [LAYER_KINDS[k].label if isinstance(k, str) and k in LAYER_KINDS else k
                           for k in g["layer_kind"]]
    g["technology"] = [TECH_LABELS.get(str(t).strip().lower(), t) if isinstance(t, str) else t
                       for t in g["technology"]]
    out = []
    for key, zh, en, style in SITE_LAYERS:
        part = g.loc[(tech == key).to_numpy()]
        if part.empty:
            continue
        out.append(_vector(f"{zh} {en}", "energy", part, fields, style, (), "bhg-sites", opts))
    return out


def _overlay_layer(ov: Overlay, opts: _Options) -> _Drawn:
    _check_frame(ov.gdf, ov.label)
    fields = []
    for name, label in ov.fields:
        if name in ov.gdf.columns:
            s = ov.gdf[name]
            dtype = "float" if pd.api.types.is_float_dtype(s) else "int" if pd.api.types.is_integer_dtype(s) else "str"
            fields.append((name, label, dtype))
    pane = "bhg-points" if len(ov.gdf) and _geometry_family(ov.gdf) == "point" else _THEME_PANES.get(
        ov.theme, "bhg-constraints")
    return _vector(ov.label, ov.theme, ov.gdf, fields, ov.style, ov.variants, pane, opts, show=ov.show,
                   tip="site_id" if "site_id" in ov.gdf.columns else "name")


def _choropleth_layers(subdistricts: gpd.GeoDataFrame | None, choropleths: Sequence[Choropleth],
                       opts: _Options) -> list[_Drawn]:
    if not choropleths:
        return []
    if subdistricts is None or not len(subdistricts):
        raise LayerError(
            "choropleths need the sub-district polygons, but there is no 'subdistrict' layer",
            layer="subdistrict",
            hint="add a 'subdistrict' layer (polygons with a name) to the region pack or the workflow's [layers]",
        )
    out = []
    base = _drop_empty(subdistricts)
    if base.crs.is_projected:
        # Each choropleth carries its own copy of the polygons; a class colour needs no survey detail.
        # Simplified as a coverage, so neighbouring sub-districts keep a shared edge (no gaps or overlaps).
        base = base.set_geometry(base.geometry.simplify_coverage(CHOROPLETH_SIMPLIFY_M))
    names = base["name"].astype("string").fillna("") if "name" in base.columns else pd.Series("", index=base.index)
    names_zh = base["name_zh"].astype("string").fillna("") if "name_zh" in base.columns else names
    keys = [[k for k in (str(a), str(b), f"{a} {b}", f"{b} {a}") if k.strip()] for a, b in zip(names, names_zh,
                                                                                               strict=True)]
    for ch in choropleths:
        vals = np.array([next((ch.values[k] for k in ks if k in ch.values), np.nan) for ks in keys], dtype=float)
        classes = classify(vals, ch.palette)
        styles = _class_styles(classes, opacity=0.5) or [{"color": "#555", "weight": 0.8, "fillColor": "#ccc",
                                                          "fillOpacity": 0.5}]
        cls = classes.index(vals)
        g = base[[c for c in ("name", "name_zh") if c in base.columns]].copy()
        g["value"] = vals
        g = gpd.GeoDataFrame(g, geometry=base.geometry, crs=base.crs)
        g_ll = _to_wgs84(g, opts)
        vlabel = "取值 Value" + (f" ({ch.unit})" if ch.unit else "")
        fields = [("name", "名称 Name", "str"), ("value", vlabel, "float")]
        fields = [f for f in fields if f[0] in g_ll.columns]
        props = _props(g_ll.to_dict("records"), fields, ())
        nodata = {"color": "#777", "weight": 0.8, "fillColor": "#dddddd", "fillOpacity": 0.5, "dashArray": "2 2"}
        all_styles = [*styles, nodata]
        for p, c in zip(props, cls, strict=True):
            idx = int(c) if c >= 0 else len(styles)
            if idx:
                p["_s"] = idx
        spec = {"label": ch.label, "pane": "bhg-targets", "tip": "name",
                "fields": [[n, lab] for n, lab, _ in fields], "styles": all_styles}
        layer = _VectorLayer(ch.label, _feature_collection(g_ll, props), spec, _bounds(g_ll), show=ch.show)
        legend = [("", ch.label + (f" ({ch.unit})" if ch.unit else ""))]
        if classes.breaks:
            legend += _class_legend(classes, styles, ch.unit)
        if not np.isfinite(vals).all():
            legend.append((_swatch(nodata, "polygon"), "无数据 No data"))
        out.append(_Drawn("targets", layer, legend))
    return out


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
        # Choropleth classes are many and only one map is on at a time: behind a summary line.
        fold = key == "targets"
        head = f'<div class="bhg-legend-theme">{_esc(zh)} {_esc(en)}</div>'
        parts.append(f'<details class="bhg-legend-fold"><summary>{head}</summary>' if fold else head)
        for swatch, label in items:
            if swatch:
                parts.append(f'<div class="bhg-legend-item">{swatch}<span>{_esc(label)}</span></div>')
            else:
                parts.append(f'<div class="bhg-legend-sub">{_esc(label)}</div>')
        if fold:
            parts.append("</details>")
    parts.append("</details>")
    return "".join(parts)


def _target_rows(targets: pd.DataFrame) -> list[dict[str, Any]]:
    missing = [c for c in _TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise BinhaiGeoError(
            f"the targets table lacks column(s) {', '.join(missing)}",
            hint="pass the target table produced by the target check; it must have the columns "
            + ", ".join(_TARGET_COLUMNS),
        )
    recs = targets.to_dict("records")
    order = {tid: i for i, tid in enumerate(DASHBOARD_FIRST)}
    recs.sort(key=lambda r: order.get(str(r["target_id"]), len(order)))
    return recs


def _dashboard_html(targets: pd.DataFrame) -> str:
    """Return the target dashboard: a bar toward each computed target; the others listed below."""
    done, pending = [], []
    for rec in _target_rows(targets):
        unit_raw = _fmt(rec["unit"])
        unit = "" if unit_raw == DASH else UNIT_DISPLAY.get(unit_raw, unit_raw)

        def with_unit(value: Any, unit: str = unit) -> str:
            text = _fmt(value, "float")
            if not unit or text == DASH:
                return text
            return f"{text}{unit}" if unit == "%" else f"{text} {unit}"

        comp = _fmt(rec["comparison"])
        comp = _COMPARISONS.get(comp, comp if comp != DASH else "")
        required = with_unit(rec["required"])
        if comp and required != DASH:
            required = f"{comp} {required}"
        status_raw = _fmt(rec["status"]).strip().lower().replace("_", " ")
        cls, szh, sen = _STATUS.get(status_raw, ("not-computed", "", status_raw))
        tid = _esc(_fmt(rec["target_id"]))
        year = _fmt(rec["year"], "int")
        name = (f'<div class="bhg-target-name">{_esc(_fmt(rec["description_zh"]))}'
                f'<span class="bhg-en"> {year}</span></div>'
                f'<div class="bhg-en">{_esc(_fmt(rec["description"]))}</div>')
        if cls == "not-computed":
            pending.append(f'<li data-target-id="{tid}" data-status="{cls}">{_esc(_fmt(rec["description_zh"]))} '
                           f'<span class="bhg-en">{_esc(_fmt(rec["description"]))} · {_esc(required)}</span></li>')
            continue
        try:
            ratio = float(rec["computed"]) / float(rec["required"])
        except (TypeError, ValueError, ZeroDivisionError):
            ratio = float("nan")
        width = 0.0 if not math.isfinite(ratio) else max(0.0, min(ratio, 1.0)) * 100
        pct = f" ({ratio:.0%})" if math.isfinite(ratio) else ""
        status = f'<span class="bhg-status bhg-status-{cls}">{_esc(szh)} {_esc(sen)}</span>'
        done.append(
            f'<div class="bhg-target" data-target-id="{tid}" data-status="{cls}" data-progress="{width:.1f}">'
            f'<div class="bhg-target-head"><div>{name}</div><div>{status}</div></div>'
            f'<div class="bhg-bar" title="{_esc(required)}"><div class="bhg-bar-fill bhg-bar-{cls}" '
            f'style="width:{width:.1f}%"></div></div>'
            f'<div class="bhg-target-fig">测算 {_esc(with_unit(rec["computed"]))} / 要求 {_esc(required)}'
            f"{_esc(pct)}</div></div>"
        )
    parts = ["<details open><summary>规划目标 Plan targets</summary>", *done]
    if pending:
        parts.append(f'<details class="bhg-nc"><summary>未测算 Not computed ({len(pending)})</summary>'
                     f"<ul>{''.join(pending)}</ul></details>")
    parts.append("</details>")
    return "".join(parts)


def _title_html(title: str, title_zh: str, notes: Iterable[str]) -> str:
    parts = [f'<div class="bhg-title-zh">{_esc(title_zh)}</div>', f'<div class="bhg-title-en">{_esc(title)}</div>']
    notes = [n for n in notes if str(n).strip()]
    parts += [f'<div class="bhg-note">⚠ {_esc(n)}</div>' for n in notes[:_NOTES_SHOWN]]
    if len(notes) > _NOTES_SHOWN:
        parts.append(f"<details><summary>更多说明 More notes ({len(notes) - _NOTES_SHOWN})</summary>")
        parts += [f'<div class="bhg-note">{_esc(n)}</div>' for n in notes[_NOTES_SHOWN:]]
        parts.append("</details>")
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
    overlays: Sequence[Overlay] = (),
    choropleths: Sequence[Choropleth] = (),
    basemaps: Sequence[TileBasemap] = (),
    shift: Callable[[np.ndarray], np.ndarray] | None = None,
    detail_max_features: int = 3000,
    grid_cell_m: float = 1000.0,
    detail_min_zoom: int = 14,
) -> folium.Map:
    """Build the plan map: layers, sites, overlays, choropleths, legend, target dashboard, credits, notes.

    Without ``basemaps`` the map has no tile layer. Its background is sea-coloured and the ``land``
    layer is drawn as a light fill, so the coast is visible without any network; ``boundary`` is a
    dark outline. Every layer is an overlay toggled in a layer control grouped by theme and named
    in Chinese and English (``盐田 Salt pan``). Features show their attribute fields with bilingual
    labels in a popup; candidate sites show their figures (every column the sites table has). Points
    are drawn as circle markers, never as image icons.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer-kind name (a key of :data:`binhai_geo.layermodel.LAYER_KINDS`) to its features, in any
        CRS; they are reprojected to EPSG:4326. Only the kind's declared fields are shown (and
        embedded); other columns are left out to keep the file small.
    sites : geopandas.GeoDataFrame
        Candidate sites with at least ``site_id, technology, capacity_mw`` and a geometry; one
        overlay per technology (pv, wind, other). Every other column is shown in the popup (labels
        from :data:`binhai_geo.deliverables.registry.COLUMNS`). May be empty.
    targets : pandas.DataFrame
        Plan targets with columns ``target_id, description, description_zh, year, required, unit,
        comparison, computed, gap, status`` (status ``met``, ``short`` or ``not computed``), shown in
        the target dashboard. An empty table shows no dashboard.
    title, title_zh : str
        English and Chinese map title.
    credits : sequence of str
        Data credits, shown as plain text in the attribution line.
    notes : sequence of str, optional
        Notes shown under the title, for example that sample layers are illustrative.
    overlays : sequence of Overlay, optional
        Further layers (the engines' geo layers).
    choropleths : sequence of Choropleth, optional
        Values per sub-district, drawn on the ``subdistrict`` layer (required when given).
    basemaps : sequence of TileBasemap, optional
        Online base layers (the first is on; an empty "no tiles" base is added). The land and sea
        layers start switched off so the tiles show. Render with ``allow_tile_layers=True``.
    shift : callable, optional
        Applied to every geometry after reprojection to longitude/latitude (for example
        :func:`binhai_geo.gcj02.geometries_to_gcj02` for AMap tiles).
    detail_max_features : int
        A layer with more features is aggregated on a grid (and says so in the notes).
    grid_cell_m : float
        Cell size of that grid [m].
    detail_min_zoom : int
        Zoom level from which an aggregated layer shows its features (as points).

    Returns
    -------
    folium.Map
        The map. Render it with :func:`to_offline_html` or write it with :func:`write_map`; folium's own
        ``save`` gives an online page that loads Leaflet from a CDN.

    Raises
    ------
    LayerError
        When a layer kind is unknown, a frame has no CRS or is not a GeoDataFrame, ``sites`` lacks
        a column, or choropleths are asked for without a ``subdistrict`` layer.
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
    for ov in overlays:
        _check_frame(ov.gdf, ov.label)
    if len(targets.columns) or len(targets):
        _target_rows(targets)  # check the columns first
    opts = _Options(detail_max_features, grid_cell_m, detail_min_zoom, shift)

    m = folium.Map(
        location=[39.0, 117.6],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        minZoom=5,
        zoomSnap=0.25,
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

    drawn: list[_Drawn] = []
    ordered = [k for k in KIND_STYLES if k in frames] + [k for k in frames if k not in KIND_STYLES]
    for kind_name in ordered:
        show = not (basemaps and kind_name in ("land", "sea_area"))
        drawn.append(_kind_layer(kind_name, frames[kind_name], opts, show=show))
    drawn += _site_layers(sites, opts)
    drawn += [_overlay_layer(ov, opts) for ov in overlays]
    drawn += _choropleth_layers(frames.get("subdistrict"), choropleths, opts)

    themed: dict[str, list[_Drawn]] = {key: [] for key, _, _ in THEMES}
    for d in drawn:
        themed.setdefault(d.theme if d.theme in themed else "other", []).append(d)
    ordered_drawn = [d for key, _, _ in THEMES for d in themed[key]]

    bases_js = ""
    if basemaps:
        bases = [[b.label, list(b.urls), {"subdomains": b.subdomains, "attribution": _esc(b.attribution),
                                          "maxZoom": b.max_zoom, "maxNativeZoom": b.max_zoom}] for b in basemaps]
        m.add_child(_Script(f"var bhg_bases = bhg.basemaps({mid}, {_js(bases)}, "
                            f"{_js('离线（无底图瓦片） Offline, no tiles')});"), name="bhg_basemaps")
        bases_js = "bhg_bases"
    for d in ordered_drawn:
        m.add_child(d.layer)

    # Fit to the district boundary, or else to everything drawn.
    boundary_label = LAYER_KINDS["boundary"].label
    bounds_src = [d.layer for d in themed["basemap"] if d.layer.layer_name == boundary_label]
    boxes = [lyr.bounds for lyr in (bounds_src or [d.layer for d in ordered_drawn]) if lyr.bounds]
    if boxes:
        arr = np.array(boxes)
        m.location = [float((arr[:, 1].min() + arr[:, 3].max()) / 2), float((arr[:, 0].min() + arr[:, 2].max()) / 2)]
        # Room for the title and legend (left) and the layer control and dashboard (right).
        m.fit_bounds([[arr[:, 1].min(), arr[:, 0].min()], [arr[:, 3].max(), arr[:, 2].max()]],
                     padding_top_left=(300, 12), padding_bottom_right=(250, 12))

    groups = []
    for key, zh, en in THEMES:
        if themed[key]:
            items = ",".join(f"[{_js(d.layer.layer_name)},{d.layer.get_name()}]" for d in themed[key])
            groups.append(f"[{_js(f'{zh} {en}')},[{items}]]")
    m.add_child(_Script(f"bhg.layerControl({mid}, [{','.join(groups)}]{', ' + bases_js if bases_js else ''});"),
                name="bhg_layer_control")

    legend: dict[str, list[tuple[str, str]]] = {key: [] for key, _, _ in THEMES}
    for d in ordered_drawn:
        legend[d.theme if d.theme in legend else "other"].extend(d.legend)
    m.add_child(_HtmlControl(_title_html(title, title_zh, [*notes, *opts.notes]), "bhg-box bhg-title", "topleft"))
    m.add_child(_HtmlControl(_legend_html(legend), "bhg-box bhg-legend", "bottomleft"))
    if len(targets):
        m.add_child(_HtmlControl(_dashboard_html(targets), "bhg-box bhg-targets bhg-dashboard", "bottomright"))

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


def to_offline_html(m: folium.Map, *, allow_tile_layers: bool = False) -> str:
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
    allow_tile_layers : bool
        Accept tile layers (a map built with online ``basemaps``): the page then loads tiles while
        online, and still shows everything else offline. Everything but the tiles is still inlined.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    OutputError
        When the page would still load something from outside (an element of the map that declares
        its own CDN script or stylesheet), when its script needs jQuery or awesome-markers, when it
        has a tile layer (unless allowed), or when Leaflet cannot be read from the package.
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
    own = page.replace(js, "").replace(_HELPER_JS, "")
    if not allow_tile_layers and (_TILE_LAYER.search(own) or "bhg.basemaps(" in own):
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
