"""The atlas: the plan run's offline web map, and its optional Chinese-basemap variants.

:func:`build_atlas` turns a :class:`~binhai_geo.runner.PlanResult` into a
:func:`binhai_geo.deliverables.webmap.build_map` call: every layer kind, the candidate sites, every engine geo
layer (styled and themed through :mod:`binhai_geo.deliverables.registry`, grey under "other" when
unknown), a choropleth per sub-district for each per-sub-district figure the run has, and the
target dashboard.

:func:`atlas_pages` renders the offline atlas (``<prefix>.html``, no tiles, nothing loaded from
outside) and, when the workflow asks for them, ``<prefix>_tianditu.html`` (Tianditu WMTS vector and
imagery; needs a key from ``[deliverables] tianditu_key`` or the environment variable named by
``tianditu_key_env``) and ``<prefix>_amap.html`` (AMap tiles, with every drawn coordinate shifted from
WGS84 into GCJ-02 by :func:`binhai_geo.gcj02.geometries_to_gcj02` so the data sit on AMap's streets).
A basemap whose key is missing is skipped with a message; the offline atlas is written regardless.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.deliverables.datastatus import data_status
from binhai_geo.deliverables.notes import render_all
from binhai_geo.deliverables.registry import GEO_LAYERS, TABLES, VALUE_LABELS, column, geo_entry, table_entry
from binhai_geo.deliverables.webmap import Choropleth, Overlay, TileBasemap, build_map, to_offline_html

if TYPE_CHECKING:
    import folium

    from binhai_geo.result import PlanResult

#: Tianditu WMTS layers (Web Mercator tile matrix set "w"): basemap key -> (label, [base, labels]).
TIANDITU_LAYERS = {
    "tianditu_vector": ("天地图矢量 Tianditu vector", ("vec", "cva")),
    "tianditu_imagery": ("天地图影像 Tianditu imagery", ("img", "cia")),
}
TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
TIANDITU_CREDIT = "底图 Basemap © 天地图 Tianditu (国家地理信息公共服务平台, CGCS2000)"

#: AMap tile URLs (GCJ-02): basemap key -> (label, [url, ...]).
AMAP_LAYERS = {
    "amap_vector": ("高德地图 AMap streets",
                    ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",)),
    "amap_imagery": ("高德影像 AMap imagery",
                     ("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
                      "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}")),
}
AMAP_CREDIT = "底图 Basemap © 高德地图 AMap (GCJ-02)"
AMAP_NOTE = (
    "本页数据已由 WGS84 转换为 GCJ-02 坐标以对齐高德底图（滨海新区附近偏移约 550 米），坐标不可用于测量 "
    "(The data on this page are shifted from WGS84 into GCJ-02, about 550 m near Binhai, to sit on AMap's "
    "tiles; do not take coordinates from this page.)"
)

#: Columns naming the sub-district of a table's rows (matched to the ``subdistrict`` polygons by name).
SUBDISTRICT_COLUMNS = ("subdistrict", "area")

#: At most this many choropleths (one shown at a time).
MAX_CHOROPLETHS = 12

#: Units that add up over sub-districts (rows of one sub-district are summed for these, else skipped).
_ADDITIVE_UNITS = ("MW", "MWh/yr", "km²", "tCO2/yr", "MWh", "GW", "ha")


@dataclass
class AtlasPages:
    """The rendered atlas pages and what to tell the user about them.

    Attributes
    ----------
    pages : dict of str to (str, str)
        Output role -> (file name, HTML text): ``map_html`` always, ``map_tianditu_html`` and
        ``map_amap_html`` when asked for and possible.
    messages : list of str
        For the user (a basemap skipped for lack of a key, ...).
    """

    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


#: A registry placeholder name (binhai_geo.registry: a GEM phase without project name) and a GEM record id.
_PLACEHOLDER = re.compile(r"^GEM \w+ phase (\S+)$")
_GEM_ID = re.compile(r"^gem-\w+-\d{4}-\d{2}-(\d+)$")


def _short_ids(source: str) -> str:
    """``gem-wind-2025-02-0037; gem-wind-2025-02-0038`` -> ``GEM …0037, …0038`` (other ids kept whole)."""
    ids = [i.strip() for i in source.split(";") if i.strip()]
    short = [f"…{m.group(1)}" if (m := _GEM_ID.match(i)) else i for i in ids]
    return ("GEM " if any(_GEM_ID.match(i) for i in ids) else "") + ", ".join(short)


def _farm_label(farm: str, source: str, owner: str, area: str) -> tuple[str, str]:
    """Readable farm label and the source line to show ("" when it only repeats the label).

    A farm named by registry placeholders (``GEM wind phase <id>``) is labelled
    ``<sub-district> · <Owner> (GEM …0037)`` from the record's fields (owners GEM gives as "unknown" left
    out), or by its record ids alone.
    """
    parts = [p.strip() for p in farm.split(";") if p.strip()]
    if parts and all(_PLACEHOLDER.match(p) for p in parts):
        owners = "; ".join(o.strip().title() for o in owner.split(";") if o.strip() and o.strip() != "unknown")
        who = " · ".join(x for x in (area.strip(), owners) if x)
        farm = f"{who} ({_short_ids(source)})" if who else source
    return farm, "" if source.strip() == farm.strip() else source


def turbine_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the turbines layer as the atlas' popups show it (the layer file keeps its values).

    Registry farms get a readable label (:func:`_farm_label`); a source that repeats the farm or the site
    id is left out (an empty popup row is hidden); wake loss is shown with one decimal.
    """
    out = gdf.copy()
    if "farm" in out.columns and "source" in out.columns:
        cols = [out[c].fillna("").astype(str) if c in out.columns else pd.Series("", index=out.index)
                for c in ("farm", "source", "owner", "area")]
        pairs = [_farm_label(*v) for v in zip(*cols, strict=True)]
        out["farm"] = [p[0] for p in pairs]
        site = out["site_id"].fillna("").astype(str) if "site_id" in out.columns else pd.Series("", index=out.index)
        out["source"] = ["" if p[1] == s else p[1] for p, s in zip(pairs, site, strict=True)]
    if "wake_loss_pct" in out.columns:
        out["wake_loss_pct"] = [f"{x:.1f}" if pd.notna(x) else "" for x in pd.to_numeric(out["wake_loss_pct"])]
    return out


#: Display transforms of engine geo layers for the atlas, by layer name.
DISPLAY = {"turbines": turbine_display}


def overlays_of(geo: Mapping[str, gpd.GeoDataFrame]) -> list[Overlay]:
    """Return an overlay for each engine geo layer: known names first (registry order), then the others."""
    names = [n for n in GEO_LAYERS if n in geo] + sorted(n for n in geo if n not in GEO_LAYERS)
    out = []
    for name in names:
        gdf = DISPLAY[name](geo[name]) if name in DISPLAY else geo[name]
        coded = {c: gdf[c].map(lambda v, m=m: m.get(v, v)) for c, m in VALUE_LABELS.items() if c in gdf.columns}
        if coded:
            gdf = gdf.assign(**coded)  # bilingual display of coded values; the layer files keep the codes
        entry = geo_entry(name)
        cols = list(entry.fields) if entry.fields else [c for c in gdf.columns if c != gdf.geometry.name]
        out.append(Overlay(
            label=entry.label.strip(),
            theme=entry.theme,
            gdf=gdf,
            style=entry.style,
            fields=[(c, column(c).label) for c in cols],
            variants=entry.variants,
            show=entry.show,
        ))
    return out


def _numeric_columns(df: pd.DataFrame, skip: set[str]) -> list[str]:
    return [c for c in df.columns if c not in skip and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def _per_subdistrict(df: pd.DataFrame, value: str) -> dict[str, float] | None:
    """Return value per sub-district; rows of one sub-district are summed for additive units, else None.

    Values are matched to the ``subdistrict`` polygons by name by :func:`binhai_geo.deliverables.webmap.build_map`
    (``name``, ``name_zh`` or both, e.g. ``Hangu 汉沽``); rows naming no polygon (a district total) are
    simply not drawn.
    """
    d = df[["subdistrict", value]].dropna(subset=["subdistrict"])
    if d["subdistrict"].duplicated().any():
        if column(value).unit not in _ADDITIVE_UNITS:
            return None
        d = d.groupby("subdistrict", sort=True)[value].sum(min_count=1).reset_index()
    vals = pd.to_numeric(d[value], errors="coerce")
    return {str(k): float(v) for k, v in zip(d["subdistrict"], vals, strict=True) if np.isfinite(v)}


def choropleths_of(result: PlanResult) -> list[Choropleth]:
    """Return a choropleth for each per-sub-district figure of the run.

    Every table with a ``subdistrict`` (or ``area``) column gives figures: tables with a ``year`` column for the
    workflow's year (else their latest year); tables with a ``target_id`` column one figure per target and
    column of the registry's ``map_values`` (default: its ``computed`` value); other tables one
    figure per column of the registry's ``map_values`` (default: each numeric column). Candidate PV
    and wind capacity per sub-district (sites counted in the sub-district holding their
    representative point) follow.
    Known tables come first, at most :data:`MAX_CHOROPLETHS`; all start switched off.
    """
    if "subdistrict" not in result.layers.layers:
        return []
    out: list[Choropleth] = []
    targets = result.targets.set_index("target_id") if len(result.targets) else pd.DataFrame()
    names = [n for n in TABLES if n in result.tables] + sorted(n for n in result.tables if n not in TABLES)
    for name in names:
        df = result.tables[name]
        key = next((c for c in SUBDISTRICT_COLUMNS if c in df.columns), None)
        if key is None or not len(df):
            continue
        df = df.rename(columns={key: "subdistrict"})
        title = table_entry(name).label
        suffix = ""
        if "year" in df.columns:
            year = pd.to_numeric(df["year"], errors="coerce")
            if year.notna().any():
                plan_year = result.workflow.spec.workflow.year
                pick = plan_year if (year == plan_year).any() else int(year.max())
                df = df.loc[year == pick]
                suffix = f" {pick}"
        if "target_id" in df.columns:
            values = [c for c in table_entry(name).map_values if c in df.columns]
            if not values:
                first = "computed" if "computed" in df.columns else next(iter(_numeric_columns(
                    df, {"year", "required", "gap"})), None)
                values = [first] if first else []
            for tid, part in df.groupby("target_id", sort=True):
                label = str(tid)
                target_unit = str(part["unit"].iloc[0]) if "unit" in part.columns else ""
                if str(tid) in targets.index:
                    t = targets.loc[str(tid)]
                    label = f"{t['description_zh']} {t['description']}"
                    target_unit = str(t.get("unit", target_unit))
                target_unit = {"percent": "%"}.get(target_unit, target_unit)
                for value in values:
                    vals = _per_subdistrict(part, value)
                    if not vals:
                        continue
                    col = column(value)
                    unit = col.unit or target_unit
                    unit = {"percent": "%"}.get(unit, unit)
                    if target_unit and unit != target_unit:
                        continue  # a target's map shows the target's own unit (no MW on a share target)
                    what = f" · {col.zh} {col.en}".rstrip() if len(values) > 1 or value != "computed" else ""
                    out.append(Choropleth(f"{label}{suffix}{what}", unit, vals, palette="purples"))
            continue
        chosen = [c for c in table_entry(name).map_values if c in df.columns]
        values = chosen or _numeric_columns(df, {"year"})
        for value in values:
            vals = _per_subdistrict(df, value)
            if not vals:
                continue
            col = column(value)
            palette = "greens" if ("forest" in value or "tco2" in value) else "blues"
            label = f"{col.zh} {col.en}".strip()
            # A column the registry names for this table speaks for itself; others say their table.
            full = f"{label}{suffix}" if chosen else f"{label}{suffix} · {title}"
            out.append(Choropleth(full, col.unit, vals, palette=palette))
    out += _site_capacity_choropleths(result)
    # All start switched off: painted over the land they would hide the layers the atlas is about;
    # the "targets" print map shows the first one.
    return out[:MAX_CHOROPLETHS]


def _site_capacity_choropleths(result: PlanResult) -> list[Choropleth]:
    sub = result.layers.layers["subdistrict"]
    sites = result.sites
    if not len(sites) or not len(sub) or "name" not in sub.columns:
        return []
    pts = gpd.GeoDataFrame(
        {"technology": sites["technology"].to_numpy(), "capacity_mw": pd.to_numeric(sites["capacity_mw"],
                                                                                    errors="coerce").to_numpy()},
        geometry=sites.geometry.representative_point().to_crs(sub.crs).to_numpy(), crs=sub.crs,
    )
    joined = gpd.sjoin(pts, sub[["name", sub.geometry.name]], how="inner", predicate="within")
    out = []
    for tech, zh, en, palette in (("pv", "候选光伏容量", "Candidate PV capacity", "oranges"),
                                  ("wind", "候选风电容量", "Candidate wind capacity", "blues")):
        part = joined.loc[joined["technology"] == tech]
        if not len(part):
            continue
        by = part.groupby("name", sort=True)["capacity_mw"].sum(min_count=1)
        out.append(Choropleth(f"{zh} {en}", "MW", {str(k): float(v) for k, v in by.items()}, palette=palette))
    return out


def _basemaps(keys: list[str], tianditu_key: str | None) -> list[TileBasemap]:
    out = []
    for k in keys:
        if k in TIANDITU_LAYERS:
            label, layers = TIANDITU_LAYERS[k]
            urls = [TIANDITU_URL.format(layer=layer, key=tianditu_key) for layer in layers]
            out.append(TileBasemap(label, urls, "01234567", TIANDITU_CREDIT, 18))
        elif k in AMAP_LAYERS:
            label, urls = AMAP_LAYERS[k]
            out.append(TileBasemap(label, list(urls), "1234", AMAP_CREDIT, 18))
    return out


def build_atlas(result: PlanResult, *, basemaps: list[str] | None = None,
                tianditu_key: str | None = None) -> folium.Map:
    """Build the atlas of a plan run.

    Parameters
    ----------
    result : PlanResult
        The computed plan.
    basemaps : list of str, optional
        Keys of :data:`TIANDITU_LAYERS` (needs ``tianditu_key``) or of :data:`AMAP_LAYERS` (the data
        are then shifted into GCJ-02); not both kinds in one map. Default: none (the offline atlas).
    tianditu_key : str, optional
        The Tianditu key, for Tianditu basemaps.

    Returns
    -------
    folium.Map
        Render it with :func:`~binhai_geo.deliverables.webmap.to_offline_html` (``allow_tile_layers=True``
        with basemaps).
    """
    from binhai_geo.gcj02 import geometries_to_gcj02

    wf = result.workflow
    spec = wf.spec.deliverables
    keys = list(basemaps or [])
    amap = any(k in AMAP_LAYERS for k in keys)
    if amap and any(k in TIANDITU_LAYERS for k in keys):
        raise ValueError("Tianditu (WGS84/CGCS2000) and AMap (GCJ-02) basemaps cannot share one map")
    notes = ([AMAP_NOTE] if amap else []) + render_all(result.notes)
    credits = list(wf.region.spec.credits)
    return build_map(
        result.layers.layers,
        result.sites,
        result.targets,
        title=wf.spec.workflow.title,
        title_zh=wf.spec.workflow.title_zh,
        credits=credits,
        notes=notes,
        overlays=overlays_of(result.geo),
        choropleths=choropleths_of(result),
        basemaps=_basemaps(keys, tianditu_key),
        shift=geometries_to_gcj02 if amap else None,
        detail_max_features=spec.detail_max_features,
        grid_cell_m=spec.grid_cell_m,
        detail_min_zoom=spec.detail_min_zoom,
        data_status=data_status(result),
    )


def tianditu_key(result: PlanResult) -> str | None:
    """Return the Tianditu key: ``[deliverables] tianditu_key``, else the environment variable it names."""
    spec = result.workflow.spec.deliverables
    key = spec.tianditu_key or os.environ.get(spec.tianditu_key_env, "")
    return key.strip() or None


def atlas_pages(result: PlanResult) -> AtlasPages:
    """Render the offline atlas and the basemap variants the workflow asks for (see the module docstring)."""
    wf = result.workflow
    spec = wf.spec.deliverables
    prefix = wf.prefix
    out = AtlasPages()
    out.pages["map_html"] = (f"{prefix}.html", to_offline_html(build_atlas(result)))
    tdt = [k for k in spec.basemaps if k in TIANDITU_LAYERS]
    amap = [k for k in spec.basemaps if k in AMAP_LAYERS]
    if tdt:
        key = tianditu_key(result)
        if key is None:
            out.messages.append(
                f"天地图底图未生成：缺少密钥。Tianditu basemap skipped: no key. Set the environment variable "
                f"{spec.tianditu_key_env} (or [deliverables] tianditu_key in {wf.path.name}) to your Tianditu "
                "browser key (天地图 tk); the offline atlas was written as usual."
            )
        else:
            m = build_atlas(result, basemaps=tdt, tianditu_key=key)
            out.pages["map_tianditu_html"] = (f"{prefix}_tianditu.html", to_offline_html(m, allow_tile_layers=True))
            out.messages.append(f"{prefix}_tianditu.html holds your Tianditu key in its tile URLs; share it "
                                "only with people who may use that key.")
    if amap:
        m = build_atlas(result, basemaps=amap)
        out.pages["map_amap_html"] = (f"{prefix}_amap.html", to_offline_html(m, allow_tile_layers=True))
    return out
