"""QGIS styles (QML) for the plan's GeoPackages: symbols, categories, classes, labels and Chinese aliases.

The symbols are translated from the registry's Leaflet styles (:mod:`binhai_geo.deliverables.registry`),
so a layer looks the same in QGIS as in the atlas and on the print maps: fill colour and opacity,
outline colour, width and dashes, marker radius. Categories follow the registry's variants (eligible
and excluded areas by technology, forest change by gain or loss, natural shoreline); sites are
categorized by technology (:data:`~binhai_geo.deliverables.registry.SITE_LAYERS`), with a second,
graduated style by LCOE; turbines are graduated by wake loss. Field aliases are the registry's (or
the layer model's) bilingual labels with units, ``装机容量 Capacity (MW)``.

A style is a QML document as QGIS 3.22 writes it (``<qgis>`` with ``renderer-v2``, ``labeling``,
``aliases``); later QGIS versions read it unchanged. Only the standard library's ElementTree is
used: PyQGIS is not a dependency of the toolkit (its writer is checked by a test that opens the
styles in QGIS).

Units: Leaflet widths and radii are CSS pixels; QGIS symbols are in millimetres at 25.4/96 mm per px.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from binhai_geo.deliverables.registry import (
    FALLBACK_KIND_STYLE,
    KIND_STYLES,
    SITE_LAYERS,
    GeoLayer,
    Variant,
    column,
    geo_entry,
)
from binhai_geo.io import LayerStyle
from binhai_geo.layermodel import LAYER_KINDS, fields_of

#: Millimetres per CSS pixel: CSS defines 1 px as 1/96 inch (W3C CSS Values and Units Level 3, section 5.2).
MM_PER_PX = 25.4 / 96

#: QGIS version the QML is written as (QGIS 3.22 LTR, Debian 12's; read by every later version).
QGIS_VERSION = "3.22.16-Białowieża"

#: Label fonts, first found wins: Windows, then Linux and macOS CJK fonts.
LABEL_FONTS = ("Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei",
               "PingFang SC")

#: Colours of the graduated styles, low to high (ColorBrewer YlOrRd and Blues, 5 classes).
RAMPS = {
    "ylorrd": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    "blues": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
}

#: QGIS geometry type codes (``layerGeometryType``) by family.
GEOMETRY_CODES = {"point": 0, "line": 1, "polygon": 2}

#: QGIS symbol type by family.
SYMBOL_TYPES = {"point": "marker", "line": "line", "polygon": "fill"}


@dataclass(frozen=True)
class StyledLayer:
    """What QGIS needs about one GeoPackage layer: title, theme, drawing rank, aliases and styles.

    Attributes
    ----------
    layer : str
        Layer name in the GeoPackage.
    family : {"polygon", "line", "point"}
        Geometry family.
    title : str
        Bilingual layer title, Chinese first.
    theme : str
        Theme key of :data:`~binhai_geo.deliverables.registry.THEMES` (the project's layer group).
    pane : str
        Atlas pane (drawing order, see :data:`PANE_ORDER`).
    aliases : dict of str to str
        Column -> alias.
    styles : tuple of LayerStyle
        The first is the default.
    """

    layer: str
    family: str
    title: str
    theme: str
    pane: str
    aliases: dict[str, str]
    styles: tuple[LayerStyle, ...]


#: Drawing order of the atlas' panes, bottom first (as the atlas stacks them).
PANE_ORDER = ("bhg-base", "bhg-targets", "bhg-ecology", "bhg-energy", "bhg-constraints", "bhg-sites",
              "bhg-outline", "bhg-points")

#: Pane of an engine layer's theme (layer kinds name theirs in the registry).
THEME_PANES = {"energy": "bhg-energy", "sinks": "bhg-ecology", "ecology": "bhg-ecology",
               "constraints": "bhg-constraints", "projects": "bhg-points", "targets": "bhg-targets",
               "other": "bhg-constraints", "basemap": "bhg-base"}


def _rgba(color: str, alpha: float = 1.0) -> str:
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * max(0.0, min(1.0, float(alpha))))}"


def _mm(px: float) -> str:
    return f"{float(px) * MM_PER_PX:.3g}"


def _options(parent: ET.Element, props: Mapping[str, Any]) -> None:
    """Symbol-layer properties, both as QGIS >= 3.16 writes them (Option map) and as older QGIS read them."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=str(v))
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def symbol_props(style: Mapping[str, Any], family: str) -> tuple[str, dict[str, Any]]:
    """Translate a Leaflet path style into a QGIS symbol-layer class and its properties.

    Parameters
    ----------
    style : mapping
        Leaflet options (``color``, ``weight`` [px], ``fillColor``, ``fillOpacity``, ``fill``, ``dashArray``
        [px], ``radius`` [px], ``opacity``).
    family : {"polygon", "line", "point"}
        Geometry family of the layer.

    Returns
    -------
    (str, dict)
        ``SimpleFill``, ``SimpleLine`` or ``SimpleMarker`` and its properties (widths in mm).
    """
    color = style.get("color", "#3388ff")
    weight = float(style.get("weight", 3.0))
    dash = str(style.get("dashArray", "") or "").replace(",", " ").split()
    line_alpha = float(style.get("opacity", 1.0))
    if family == "point":
        radius = float(style.get("radius", 5))
        return "SimpleMarker", {
            "name": "circle", "color": _rgba(style.get("fillColor", color), style.get("fillOpacity", 0.9)),
            "outline_color": _rgba(color, line_alpha), "outline_style": "solid", "outline_width": _mm(weight),
            "outline_width_unit": "MM", "size": _mm(2 * radius), "size_unit": "MM", "scale_method": "diameter",
        }
    if family == "line":
        props = {"line_color": _rgba(color, line_alpha), "line_width": _mm(weight), "line_width_unit": "MM",
                 "line_style": "solid", "capstyle": "round", "joinstyle": "round", "use_custom_dash": "0"}
        if dash:
            props.update(use_custom_dash="1", customdash=";".join(_mm(float(d)) for d in dash),
                         customdash_unit="MM")
        return "SimpleLine", props
    filled = style.get("fill", True) is not False
    return "SimpleFill", {
        "color": _rgba(style.get("fillColor", color), style.get("fillOpacity", 0.2) if filled else 0.0),
        "style": "solid" if filled else "no",
        "outline_color": _rgba(color, line_alpha), "outline_style": "dash" if dash else "solid",
        "outline_width": _mm(weight), "outline_width_unit": "MM", "joinstyle": "round",
    }


def _symbol(parent: ET.Element, name: str, style: Mapping[str, Any], family: str) -> None:
    sym = ET.SubElement(parent, "symbol", name=name, type=SYMBOL_TYPES[family], alpha="1", clip_to_extent="1",
                        force_rhr="0")
    cls, props = symbol_props(style, family)
    _options(ET.SubElement(sym, "layer", attrib={"class": cls, "enabled": "1", "locked": "0", "pass": "0"}), props)


def _renderer(kind: str, attr: str = "", **extra: str) -> ET.Element:
    return ET.Element("renderer-v2", type=kind, attr=attr, symbollevels="0", forceraster="0", enableorderby="0",
                      **extra)


def single_renderer(style: Mapping[str, Any], family: str) -> ET.Element:
    """Return a single-symbol renderer."""
    r = _renderer("singleSymbol")
    _symbol(ET.SubElement(r, "symbols"), "0", style, family)
    return r


def categorized_renderer(attr: str, categories: Sequence[tuple[Any, str, Mapping[str, Any]]],
                         family: str, other: tuple[str, Mapping[str, Any]] | None = None) -> ET.Element:
    """Return a categorized renderer on field ``attr``: (value, label, Leaflet style) per category.

    ``other`` adds a catch-all category (QGIS' empty value) for the values not listed.
    """
    r = _renderer("categorizedSymbol", attr)
    cats = ET.SubElement(r, "categories")
    syms = ET.SubElement(r, "symbols")
    items = list(categories) + ([("", other[0], other[1])] if other else [])
    for i, (value, label, style) in enumerate(items):
        v = "true" if value is True else "false" if value is False else str(value)
        ET.SubElement(cats, "category", render="true", symbol=str(i), value=v, label=label)
        _symbol(syms, str(i), style, family)
    return r


def graduated_renderer(attr: str, breaks: Sequence[float], unit: str, ramp: str, base: Mapping[str, Any],
                       family: str) -> ET.Element:
    """Return a graduated-colour renderer on ``attr`` with classes between consecutive ``breaks``."""
    r = _renderer("graduatedSymbol", attr, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(r, "ranges")
    syms = ET.SubElement(r, "symbols")
    colors = RAMPS[ramp]
    n = len(breaks) - 1
    for i in range(n):
        lo, hi = breaks[i], breaks[i + 1]
        color = colors[round(i * (len(colors) - 1) / max(n - 1, 1))]
        ET.SubElement(ranges, "range", render="true", symbol=str(i), lower=f"{lo:.6f}", upper=f"{hi:.6f}",
                      label=f"{lo:,.0f} – {hi:,.0f} {unit}".strip())
        style = {**base, "fillColor": color, "fillOpacity": 0.85}
        if family == "line":
            style["color"] = color
        _symbol(syms, str(i), style, family)
    method = ET.SubElement(r, "classificationMethod", id="Quantile")
    ET.SubElement(method, "labelFormat", format="%1 - %2", labelprecision="0", trimtrailingzeroes="1")
    return r


def quantile_breaks(values: pd.Series, n: int = 5) -> list[float]:
    """Class limits at the quantiles of ``values`` (duplicates dropped); empty when fewer than two values."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if len(v) < 2 or np.nanmin(v) == np.nanmax(v):
        return []
    return sorted({float(x) for x in np.quantile(v, np.linspace(0, 1, n + 1))})


def labeling(expression: str, family: str, size_pt: float = 8.0, color: str = "#202020") -> ET.Element:
    """Return simple labelling by a QGIS expression, CJK font with fallbacks, white halo.

    Placement: polygons over their centroid, lines along the line, points around the point. The
    expression decides what is labelled at which scale (``@map_scale``).
    """
    lab = ET.Element("labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ts = ET.SubElement(settings, "text-style", fieldName=expression, isExpression="1", fontFamily=LABEL_FONTS[0],
                       fontSize=f"{size_pt:g}", fontSizeUnit="Point", textColor=_rgba(color), textOpacity="1",
                       fontWeight="50", namedStyle="Regular", multilineHeight="1", allowHtml="0")
    fams = ET.SubElement(ts, "families")
    for f in LABEL_FONTS:
        ET.SubElement(fams, "family", name=f)
    ET.SubElement(ts, "text-buffer", bufferDraw="1", bufferSize="0.7", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.9", bufferNoFill="1", bufferJoinStyle="128")
    ET.SubElement(settings, "text-format", wrapChar="", multilineAlign="1", plussign="0", reverseDirectionSymbol="0",
                  leftDirectionSymbol="<", rightDirectionSymbol=">", formatNumbers="0", decimals="3",
                  addDirectionSymbol="0", placeDirectionSymbol="0")
    placement = {"polygon": "1", "line": "2", "point": "6"}[family]
    ET.SubElement(settings, "placement", placement=placement, dist="1", distUnits="MM", placementFlags="10",
                  offsetType="0", centroidWhole="0", centroidInside="1", fitInPolygonOnly="0", overrunDistance="0",
                  overrunDistanceUnit="MM", priority="5", repeatDistance="0", lineAnchorType="0")
    ET.SubElement(settings, "rendering", scaleVisibility="0", obstacle="1", obstacleType="1", obstacleFactor="1",
                  displayAll="0", upsidedownLabels="0", labelPerPart="0", mergeLines="0", limitNumLabels="0",
                  maxNumLabels="2000", minFeatureSize="0", drawLabels="1", fontLimitPixelSize="0", zIndex="0")
    return lab


def qml(renderer: ET.Element, label: ET.Element | None, aliases: Mapping[str, str], columns: Sequence[str],
        family: str) -> str:
    """Return a QML document: renderer, labels (optional), field aliases, geometry type."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories",
                      labelsEnabled="1" if label is not None else "0", hasScaleBasedVisibilityFlag="0",
                      minScale="0", maxScale="0", readOnly="0")
    for child in style_elements(renderer, label, aliases, columns, family):
        root.append(child)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def style_elements(renderer: ET.Element, label: ET.Element | None, aliases: Mapping[str, str],
                   columns: Sequence[str], family: str) -> list[ET.Element]:
    """Return the elements a style puts under QML's ``<qgis>`` and under a project's ``<maplayer>``."""
    out = [renderer]
    if label is not None:
        out.append(label)
    al = ET.Element("aliases")
    # QGIS counts the GeoPackage's fid as field 0
    for i, col in enumerate(["fid", *columns]):
        ET.SubElement(al, "alias", field=col, index=str(i), name=aliases.get(col, ""))
    out.append(al)
    geom = ET.Element("layerGeometryType")
    geom.text = str(GEOMETRY_CODES[family])
    out.append(geom)
    return out


def _label_name(cols: Sequence[str]) -> str | None:
    names = [c for c in ("name_zh", "name", "site_id") if c in cols]
    return f"coalesce({', '.join(chr(34) + c + chr(34) for c in names)})" if names else None


def _kind_aliases(kind: str, cols: Sequence[str]) -> dict[str, str]:
    specs = {f.name: f for f in fields_of(LAYER_KINDS[kind])}
    out = {}
    for c in cols:
        f = specs.get(c)
        text = f"{f.zh} {f.en}".strip() if f else column(c).label
        out[c] = f"{text} ({f.unit})" if f and f.unit else text
    return out


def _column_aliases(cols: Sequence[str]) -> dict[str, str]:
    return {c: column(c).label for c in cols}


def _variant_renderer(entry_style: Mapping[str, Any], variants: Sequence[Variant], family: str,
                      base_label: str) -> ET.Element:
    """Categorized by the variants' field (base style for the other values), else single symbol."""
    if not variants:
        return single_renderer(entry_style, family)
    field = variants[0].field
    cats = [(v.value, f"{v.label[0]} {v.label[1]}", {**entry_style, **v.style}) for v in variants
            if v.field == field]
    return categorized_renderer(field, cats, family, other=(base_label, entry_style))


def kind_layer_style(kind: str, gdf: pd.DataFrame, family: str, layer: str) -> StyledLayer:
    """Style of a region layer (a layer kind of :mod:`binhai_geo.layermodel`)."""
    ks = KIND_STYLES.get(kind, FALLBACK_KIND_STYLE)
    lk = LAYER_KINDS[kind]
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    style = dict(ks.style)
    if family == "polygon" and style.get("fill") is False:
        style["fillOpacity"] = 0.0  # boundary and sub-district outlines
    renderer = _variant_renderer(style, [v for v in ks.variants if v.field in cols], family, lk.label)
    name = _label_name([c for c in cols if c != "site_id"])
    expr = None
    if kind == "project" and name and "capacity_mw" in cols:
        expr = f"{name} || '\\n' || format_number(\"capacity_mw\", 0) || ' MW'"
    elif kind == "substation" and name and "voltage_kv" in cols:
        expr = f"{name} || ' ' || format_number(\"voltage_kv\", 0) || ' kV'"
    elif kind in ("rooftop", "forest") and name:
        expr = f"CASE WHEN @map_scale < 25000 THEN {name} END"
    elif kind not in ("land", "sea_area", "coastline", "boundary") and name:
        expr = name
    label = labeling(expr, family, 9.0 if kind == "subdistrict" else 8.0) if expr else None
    aliases = _kind_aliases(kind, cols)
    title = lk.label if layer == kind else _split_title(lk.zh, lk.en, family)
    return StyledLayer(layer, family, title, ks.theme, ks.pane, aliases,
                       (LayerStyle(f"{lk.zh} {lk.en}", qml(renderer, label, aliases, cols, family)),))


_FAMILY_ZH = {"polygon": "面", "line": "线", "point": "点"}


def _split_title(zh: str, en: str, family: str) -> str:
    """Title of the part of a split layer: ``可开发区域（线） Eligible areas (lines)``."""
    return f"{zh}（{_FAMILY_ZH[family]}） {en} ({family}s)".strip()


def _site_styles(gdf: pd.DataFrame, family: str, cols: list[str], aliases: dict[str, str]) -> tuple[LayerStyle, ...]:
    cats = [(key, f"{zh} {en}", style) for key, zh, en, style in SITE_LAYERS if key != "none"]
    other = next((f"{zh} {en}", style) for key, zh, en, style in SITE_LAYERS if key == "none")
    by_tech = categorized_renderer("technology", cats, family, other=other)
    name = _label_name(cols)
    expr = None
    if name and "capacity_mw" in cols:
        expr = (f"CASE WHEN \"capacity_mw\" >= 100 OR @map_scale < 30000 THEN {name} || '\\n' || "
                "format_number(\"capacity_mw\", 0) || ' MW' END")
    styles = [LayerStyle("按技术 By technology", qml(by_tech, labeling(expr, family) if expr else None, aliases, cols,
                                                   family))]
    breaks = quantile_breaks(gdf["lcoe_cny_per_mwh"]) if "lcoe_cny_per_mwh" in cols else []
    if breaks:
        base = SITE_LAYERS[0][3] if family != "line" else {"color": "#0d47a1", "weight": 3}
        grad = graduated_renderer("lcoe_cny_per_mwh", breaks, "CNY/MWh", "ylorrd", base, family)
        styles.append(LayerStyle("按度电成本 By LCOE (CNY/MWh)", qml(grad, None, aliases, cols, family), default=False))
    return tuple(styles)


def _engine_label(name: str, cols: Sequence[str], family: str) -> str | None:
    if name == "excluded_areas":
        reason = [c for c in ("reason_zh", "reason") if c in cols]
        if reason:
            what = f"coalesce({', '.join(chr(34) + c + chr(34) for c in reason)})"
            return f"CASE WHEN @map_scale < 100000 THEN {what} END"
    if name == "eligible_areas" and family == "polygon" and "area_km2" in cols:
        return ("CASE WHEN \"area_km2\" >= 5 OR @map_scale < 50000 THEN "
                "format_number(\"area_km2\", 1) || ' km²' END")
    if name == "eligible_areas" and "length_km" in cols:
        return "format_number(\"length_km\", 1) || ' km'"
    if name == "turbines" and "energy_mwh_per_yr" in cols:
        return ("CASE WHEN @map_scale < 40000 THEN format_number(\"energy_mwh_per_yr\" / 1000, 1) || "
                "' GWh/年' END")
    if name == "forest_change" and "area_km2" in cols:
        return "coalesce(\"change_zh\", \"change\") || ' ' || format_number(\"area_km2\", 2) || ' km²'" \
            if "change_zh" in cols else None
    return None


def engine_layer_style(name: str, gdf: pd.DataFrame, family: str, layer: str) -> StyledLayer:
    """Style of the candidate sites (``name == "sites"``) or of an engine geo layer (``eligible_areas``, ...)."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    aliases = _column_aliases(cols)
    split = layer != name
    if name == "sites":
        title = _split_title("候选场址", "Candidate sites", family) if split else "候选场址 Candidate sites"
        return StyledLayer(layer, family, title, "energy", "bhg-sites", aliases,
                           _site_styles(gdf, family, cols, aliases))
    entry: GeoLayer = geo_entry(name)
    style = dict(entry.style)
    if family == "line":
        style = {"color": style.get("color", "#555"), "weight": max(float(style.get("weight", 1)), 2.5),
                 "dashArray": style.get("dashArray", "")}
    variants = [v for v in entry.variants if v.field in cols]
    if family == "line":
        variants = [Variant(v.field, v.value, {"color": v.style.get("color", style["color"])}, v.label)
                    for v in variants]
    base_label = entry.label.strip() or name
    if name == "turbines" and "wake_loss_pct" in cols and quantile_breaks(gdf["wake_loss_pct"]):
        renderer = graduated_renderer("wake_loss_pct", quantile_breaks(gdf["wake_loss_pct"]), "%", "blues",
                                      style, family)
    else:
        renderer = _variant_renderer(style, variants, family, base_label)
    expr = _engine_label(name, cols, family)
    label = labeling(expr, family) if expr else None
    pane = "bhg-points" if family == "point" else THEME_PANES.get(entry.theme, "bhg-constraints")
    title = _split_title(entry.zh, entry.en, family) if split else entry.label.strip()
    return StyledLayer(layer, family, title, entry.theme, pane, aliases,
                       (LayerStyle(base_label, qml(renderer, label, aliases, cols, family)),))
