"""Data preparation for the atlas: each layer reprojected, formatted and turned into a styled overlay.

:func:`kind_layer` draws a layer kind, :func:`site_layers` the candidate sites by technology,
:func:`overlay_layer` an engine geo layer (:class:`Overlay`), :func:`choropleth_layers` the values
per sub-district (:class:`Choropleth`). A layer with more features than ``detail_max_features`` is
drawn as counts on a square grid in its projected CRS, with the features in view drawn as points
from ``detail_min_zoom`` on (a square grid in the analysis CRS rather than H3 cells: the cells have
a stated size in metres, and no further dependency is needed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.deliverables.formatting import fmt, fmt_number, to_js
from binhai_geo.deliverables.mapelements import VectorLayer
from binhai_geo.deliverables.registry import (
    DISPLAY_UNITS,
    SITE_LAYERS,
    SITE_POPUP_GROUPS,
    SITE_POPUP_MAIN,
    SITE_POPUP_OTHER,
    TECH_LABELS,
    Variant,
    column,
    display_label,
)
from binhai_geo.deliverables.styling import (
    SEA_COLOR,
    THEME_PANES,
    class_legend,
    class_styles,
    classify,
    geometry_family,
    kind_style,
    style_index,
    swatch,
)
from binhai_geo.errors import LayerError
from binhai_geo.layermodel import LAYER_KINDS, FieldSpec, fields_of
from binhai_geo.validate import CRS_HINT

__all__ = ["Choropleth", "DrawOptions", "Drawn", "Overlay", "TileBasemap"]

#: Decimal places kept in coordinates (about 0.1 m).
COORD_DECIMALS = 6

#: Tolerance of the simplification of sub-district polygons drawn as choropleths [m].
CHOROPLETH_SIMPLIFY_M = 100.0


#: Columns of the ``sites`` frame every map needs.
SITE_REQUIRED = ("site_id", "technology", "capacity_mw")

#: Base layers drawn without popups or tooltips (a click on land or sea opens nothing).
BASE_KINDS_WITHOUT_POPUP = frozenset({"land", "sea_area"})

#: Site columns not worth a popup line.
SITE_HIDDEN = frozenset({"geometry", "capacity_density_unit"})


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
class DrawOptions:
    """Drawing options shared by the helpers of one :func:`build_map` call."""

    detail_max_features: int = 3000
    grid_cell_m: float = 1000.0
    detail_min_zoom: int = 14
    shift: Callable[[np.ndarray], np.ndarray] | None = None
    notes: list[str] = field(default_factory=list)


def _field_label(f: FieldSpec) -> str:
    label = f"{f.zh} {f.en}".strip() or f.name
    return f"{label} ({f.unit})" if f.unit else label


def check_frame(gdf: Any, layer: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` when it is a GeoDataFrame with a CRS; raise LayerError naming ``layer`` otherwise."""
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


def drop_empty(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` without rows whose geometry is missing or empty."""
    geom = gdf.geometry
    return gdf.loc[~(geom.isna() | geom.is_empty)]


def to_wgs84(gdf: gpd.GeoDataFrame, opts: DrawOptions | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` without empty geometries, in EPSG:4326, shifted by ``opts.shift`` when set."""
    out = drop_empty(gdf)
    if out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    if opts is not None and opts.shift is not None and len(out):
        out = out.set_geometry(gpd.GeoSeries(opts.shift(np.asarray(out.geometry.array, dtype=object)),
                                             index=out.index, crs=4326))
    return out


def feature_collection(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> str:
    """Return GeoJSON text of ``gdf``'s geometries (2-D, rounded) with ``props`` as properties."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    geoms = shapely.transform(geoms, lambda c: np.round(c, COORD_DECIMALS))
    texts = shapely.to_geojson(geoms)
    parts = [
        '{"type":"Feature","geometry":' + g + ',"properties":' + to_js(p) + "}"
        for g, p in zip(texts, props, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def bounds_of(gdf: gpd.GeoDataFrame) -> list[float]:
    """Return ``[west, south, east, north]`` of ``gdf`` (empty list for no features)."""
    return [float(v) for v in gdf.total_bounds] if len(gdf) else []


@dataclass
class Drawn:
    """A layer ready for the map, with what the legend says about it."""

    theme: str
    layer: VectorLayer
    legend: list[tuple[str, str]]


def popup_props(records: list[dict[str, Any]], fields: Sequence[tuple[str, str, str]],
           variants: Sequence[Variant]) -> list[dict[str, Any]]:
    """Return formatted popup properties (``fields``: column, label, dtype) and the variant index ``_s``."""
    out = []
    for rec in records:
        p = {name: fmt(rec.get(name), dtype) for name, _, dtype in fields}
        if variants:
            i = style_index(rec, variants)
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


def draw_vector(
    label: str,
    theme: str,
    gdf: gpd.GeoDataFrame,
    fields: Sequence[tuple[str, str, str]],
    style: dict[str, Any],
    variants: Sequence[Variant],
    pane: str,
    opts: DrawOptions,
    *,
    show: bool = True,
    tip: str = "name",
    legend_extra: Sequence[tuple[str, str]] = (),
    groups: Mapping[str, str] | None = None,
    interactive: bool = True,
) -> Drawn:
    """Draw ``gdf`` (analysis CRS or any) as one overlay; aggregate it on a grid when it is large.

    ``groups`` puts popup lines into named groups shown on demand (column -> group; lines without one
    are shown at once). A layer that is not ``interactive`` has no popup or tooltip (base layers).
    """
    family = geometry_family(gdf) if len(gdf) else "polygon"
    legend = [(swatch(style, family), label)]
    legend += [(swatch({**style, **v.style}, family), f"{v.label[0]} {v.label[1]}") for v in variants]
    legend += list(legend_extra)
    clean = drop_empty(gdf)
    if not interactive:
        fields = []
    names = [f[0] for f in fields if f[0] in clean.columns]
    fields = [f for f in fields if f[0] in clean.columns]
    if len(clean) > opts.detail_max_features:
        return _aggregated(label, theme, clean, fields, style, pane, opts, show=show, tip=tip, legend=legend)
    g = to_wgs84(clean, opts)
    records = g[names].to_dict("records") if names else [{} for _ in range(len(g))]
    groups = groups or {}
    spec = {
        "label": label,
        "pane": pane,
        "tip": tip,
        "fields": [[n, lab, groups[n]] if groups.get(n) else [n, lab] for n, lab, _ in fields],
        "styles": [style] + [{**style, **v.style} for v in variants],
    }
    if not interactive:
        spec["interactive"] = False
    layer = VectorLayer(label, feature_collection(g, popup_props(records, fields, variants)), spec, bounds_of(g),
                        show=show)
    return Drawn(theme, layer, legend)


def _aggregated(
    label: str,
    theme: str,
    gdf: gpd.GeoDataFrame,
    fields: Sequence[tuple[str, str, str]],
    style: dict[str, Any],
    pane: str,
    opts: DrawOptions,
    *,
    show: bool,
    tip: str,
    legend: list[tuple[str, str]],
) -> Drawn:
    """Draw a large layer: counts on a grid, and the features in view as points from ``detail_min_zoom`` on."""
    cells = _aggregate(gdf, opts.grid_cell_m)
    classes = classify(cells["count"].to_numpy(dtype=float), "oranges")
    styles = class_styles(classes, opacity=0.55)
    cls = classes.index(cells["count"].to_numpy(dtype=float))
    cells_ll = to_wgs84(cells, opts)
    cell_fields = [("count", column("count").label, "int"), ("area_km2", column("area_km2").label, "float")]
    if "capacity_mw" in cells.columns:
        cell_fields.append(("capacity_mw", column("capacity_mw").label, "float"))
    props = popup_props(cells_ll.to_dict("records"), cell_fields, ())
    for p, c in zip(props, cls, strict=True):
        if c > 0:
            p["_s"] = int(c)
    km = fmt_number(opts.grid_cell_m / 1000)
    agg_label = f"{label} · {km} km 网格汇总 grid"
    agg_spec = {"label": agg_label, "pane": pane, "tip": "", "fields": [[n, lab] for n, lab, _ in cell_fields],
                "styles": styles}
    # Detail: representative points, popup fields dictionary-encoded per column.
    pts_src = gdf.copy()
    pts_src = pts_src.set_geometry(gpd.GeoSeries(
        shapely.point_on_surface(np.asarray(gdf.geometry.array, dtype=object)), index=gdf.index, crs=gdf.crs))
    pts = to_wgs84(pts_src, opts)
    xs = np.round(shapely.get_x(np.asarray(pts.geometry.array, dtype=object)), COORD_DECIMALS)
    ys = np.round(shapely.get_y(np.asarray(pts.geometry.array, dtype=object)), COORD_DECIMALS)
    values, codes = [], []
    for name, _, dtype in fields:
        texts = [fmt(v, dtype) for v in pts[name].tolist()]
        uniq = sorted(set(texts))
        index = {t: i for i, t in enumerate(uniq)}
        values.append(uniq)
        codes.append([index[t] for t in texts])
    rows = [[float(x), float(y), *(c[i] for c in codes)] for i, (x, y) in enumerate(zip(xs, ys, strict=True))]
    detail_spec = {"label": label, "pane": pane, "tip": tip, "minZoom": opts.detail_min_zoom,
                   "fields": [[n, lab] for n, lab, _ in fields], "styles": [{**style, "radius": 4}]}
    data = {"fields": [n for n, _, _ in fields], "values": values, "rows": rows}
    layer = VectorLayer(label, feature_collection(cells_ll, props), agg_spec, bounds_of(cells_ll), show=show,
                         detail={"spec": detail_spec, "data": data})
    n = len(gdf)
    opts.notes.append(
        f"{label}：{n:,} 个要素按 {km} km 网格汇总显示，放大到第 {opts.detail_min_zoom} 级显示单个要素 "
        f"({n:,} features drawn as counts on a {km} km grid; zoom to level {opts.detail_min_zoom} "
        "or closer for each feature)."
    )
    legend = legend + [("", f"{label}：{km} km 网格要素数 features per cell")]
    legend += class_legend(classes, styles, "")
    return Drawn(theme, layer, legend)


def kind_layer(kind_name: str, gdf: gpd.GeoDataFrame, opts: DrawOptions, *, show: bool = True) -> Drawn:
    """Draw a layer kind with its registry style and its declared fields in the popup."""
    kind = LAYER_KINDS[kind_name]
    ks = kind_style(kind_name)
    fields = [(f.name, _field_label(f), f.dtype) for f in fields_of(kind)]
    extra = []
    if kind_name == "land":
        sea = {"color": "#86b6d3", "fillColor": SEA_COLOR, "fillOpacity": 1}
        extra.append((swatch(sea, "polygon"), "海 Sea"))
    return draw_vector(kind.label, ks.theme, gdf, fields, ks.style, ks.variants, ks.pane, opts, show=show,
                       legend_extra=extra, interactive=kind_name not in BASE_KINDS_WITHOUT_POPUP)


def _site_fields(sites: gpd.GeoDataFrame) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """Return the popup lines of the sites (column, label in display units, dtype) and their groups."""
    grouped = {c: g for g, cols in SITE_POPUP_GROUPS for c in cols}
    cols = [c for c in SITE_POPUP_MAIN if c in sites.columns]
    cols += [c for _, gcols in SITE_POPUP_GROUPS for c in gcols if c in sites.columns and c not in cols]
    cols += [c for c in sites.columns if c not in cols and c not in SITE_HIDDEN and c != sites.geometry.name]
    out = []
    for c in cols:
        dtype = "float" if pd.api.types.is_float_dtype(sites[c]) else "int" if pd.api.types.is_integer_dtype(
            sites[c]) else "str"
        out.append((c, display_label(c), dtype))
    groups = {c: grouped.get(c, SITE_POPUP_OTHER) for c in cols if c not in SITE_POPUP_MAIN}
    return out, groups


def site_layers(sites: gpd.GeoDataFrame, opts: DrawOptions) -> list[Drawn]:
    """Draw the candidate sites, one overlay per technology; raise LayerError when a column is missing."""
    missing = [c for c in SITE_REQUIRED if c not in sites.columns]
    if missing:
        raise LayerError(
            f"the sites table lacks column(s) {', '.join(missing)}",
            layer="sites",
            hint="pass the site table produced by the siting step; it must have at least the columns "
            + ", ".join(SITE_REQUIRED),
        )
    fields, groups = _site_fields(sites)
    g = sites.copy()
    for c, (factor, _) in DISPLAY_UNITS.items():
        if c in g.columns:
            g[c] = pd.to_numeric(g[c], errors="coerce") * factor
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
        out.append(draw_vector(f"{zh} {en}", "energy", part, fields, style, (), "bhg-sites", opts, groups=groups))
    return out


def overlay_layer(ov: Overlay, opts: DrawOptions) -> Drawn:
    """Draw an engine geo layer (:class:`Overlay`)."""
    check_frame(ov.gdf, ov.label)
    fields = []
    for name, label in ov.fields:
        if name in ov.gdf.columns:
            s = ov.gdf[name]
            dtype = "float" if pd.api.types.is_float_dtype(s) else "int" if pd.api.types.is_integer_dtype(s) else "str"
            fields.append((name, label, dtype))
    pane = "bhg-points" if len(ov.gdf) and geometry_family(ov.gdf) == "point" else THEME_PANES.get(
        ov.theme, "bhg-constraints")
    return draw_vector(ov.label, ov.theme, ov.gdf, fields, ov.style, ov.variants, pane, opts, show=ov.show,
                   tip="site_id" if "site_id" in ov.gdf.columns else "name")


def choropleth_layers(subdistricts: gpd.GeoDataFrame | None, choropleths: Sequence[Choropleth],
                       opts: DrawOptions) -> list[Drawn]:
    """Draw each choropleth on the sub-district polygons; raise LayerError without them."""
    if not choropleths:
        return []
    if subdistricts is None or not len(subdistricts):
        raise LayerError(
            "choropleths need the sub-district polygons, but there is no 'subdistrict' layer",
            layer="subdistrict",
            hint="add a 'subdistrict' layer (polygons with a name) to the region pack or the workflow's [layers]",
        )
    out = []
    base = drop_empty(subdistricts)
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
        styles = class_styles(classes, opacity=0.5) or [{"color": "#555", "weight": 0.8, "fillColor": "#ccc",
                                                          "fillOpacity": 0.5}]
        cls = classes.index(vals)
        g = base[[c for c in ("name", "name_zh") if c in base.columns]].copy()
        g["value"] = vals
        g = gpd.GeoDataFrame(g, geometry=base.geometry, crs=base.crs)
        g_ll = to_wgs84(g, opts)
        vlabel = "取值 Value" + (f" ({ch.unit})" if ch.unit else "")
        fields = [("name", "名称 Name", "str"), ("value", vlabel, "float")]
        fields = [f for f in fields if f[0] in g_ll.columns]
        props = popup_props(g_ll.to_dict("records"), fields, ())
        nodata = {"color": "#777", "weight": 0.8, "fillColor": "#dddddd", "fillOpacity": 0.5, "dashArray": "2 2"}
        all_styles = [*styles, nodata]
        for p, c in zip(props, cls, strict=True):
            idx = int(c) if c >= 0 else len(styles)
            if idx:
                p["_s"] = idx
        spec = {"label": ch.label, "pane": "bhg-targets", "tip": "name",
                "fields": [[n, lab] for n, lab, _ in fields], "styles": all_styles}
        layer = VectorLayer(ch.label, feature_collection(g_ll, props), spec, bounds_of(g_ll), show=ch.show)
        legend = [("", ch.label + (f" ({ch.unit})" if ch.unit else ""))]
        if classes.breaks:
            legend += class_legend(classes, styles, ch.unit)
        if not np.isfinite(vals).all():
            legend.append((swatch(nodata, "polygon"), "无数据 No data"))
        out.append(Drawn("targets", layer, legend))
    return out
