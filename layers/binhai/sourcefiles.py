"""Read and check the region pack's source data files, and place the sample features on the real geodata.

The files, in ``sources/`` beside this module:

``<kind>.geojson``
    One per sample layer kind of :mod:`binhai_geo.layermodel` (``salt_pan``, ``forest``, ...) and
    ``project`` (the plan's named projects). RFC 7946 GeoJSON: coordinates are longitude, latitude in
    degrees on WGS84 (``OGC:CRS84``; CGCS2000 agrees with it to well under the features' accuracy). One
    GeoJSON feature per pack feature, in pack order. Properties: ``feature_id`` (unique in the file; the
    key of ``provenance.csv``), ``placement`` (how the build fits the drawn geometry to the real land and
    sea, one of :data:`PLACEMENTS`), ``strip_width_m`` (``coastal_strip`` only), the layer's fields except
    ``source``; ``project.geojson`` also carries ``owner_keywords`` (for matching registry records) and
    ``reported_status`` / ``reported_year`` (our reading of 2023 reporting, kept for the record; the
    ledger takes status from the registry match).
``derived_layers.csv``
    ``layer, method, name, name_zh, accuracy_m`` of the layers derived from upstream geodata
    (``geodata.py``); ``{n}`` in a name is the feature's number.
``provenance.csv``
    ``layer, feature_id, nature, licence, source``: a row per feature, or ``*`` for every feature of the
    layer (a feature's own row wins). ``nature`` is ``real`` (upstream geodata), ``illustrative`` (placed
    by hand from public descriptions) or ``synthetic`` (generated); ``source`` becomes the feature's
    ``source`` field.

Nothing here samples land masks or writes files; :func:`read_sources` raises :class:`SourceError` naming
the file, feature and field of every problem it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from geodata import Geom, polygonal, project

from binhai_geo.layermodel import LAYER_KINDS, fields_of

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
PROVENANCE_COLUMNS = ["layer", "feature_id", "nature", "licence", "source"]
DERIVED_COLUMNS = ["layer", "method", "name", "name_zh", "accuracy_m"]
NATURES = ("real", "illustrative", "synthetic")
#: Source properties that steer the build and are not written to the pack.
BUILD_COLUMNS = ("feature_id", "placement", "strip_width_m", "owner_keywords", "reported_status", "reported_year")
#: Smallest part kept when a drawn polygon is clipped to land or sea [m2].
MIN_PART_M2 = 1000.0

#: How each placement fits a drawn geometry to the real geodata (the table under "Sources" in README.md).
PLACEMENTS = {
    "as_drawn": "used as drawn",
    "on_land": "clipped to the district's land, parts under 1,000 m2 dropped",
    "at_sea": "clipped to the sea area, parts under 1,000 m2 dropped",
    "on_unoccupied_land": "minus the placed salt pans, fish ponds and wetlands, then clipped to the district's land",
    "coastal_strip": "the sea within strip_width_m of the OSM coastline inside the drawn box",
    "port_basins": "the sea basins inside the drawn box plus a quay strip of buffer_m on the land around them",
    "setback": "clipped to the district's land, widened by buffer_m and clipped to the district's land again",
    "red_line": "(no geometry drawn) the union of the placed protected areas' core and buffer zones and marine parks",
    "remainder": "(no geometry drawn) the district's land minus the drawn geometries of the layer's other features",
}
#: Placements computed from other features, with no geometry of their own.
UNDRAWN = ("red_line", "remainder")
#: Layers whose placed geometry the ``on_unoccupied_land`` placement leaves out.
OCCUPYING_KINDS = ("salt_pan", "fish_pond", "wetland")


class SourceError(ValueError):
    """A source data file breaks the rules in this module's docstring."""


@dataclass(frozen=True)
class Context:
    """Real geometry (pack CRS, metres) the sample features are placed on."""

    land: Geom
    sea: Geom
    district: Geom
    coast: Geom


@dataclass(frozen=True)
class Sources:
    """The checked source files: sample layers (geometry in the pack CRS), derived-layer names, provenance."""

    layers: dict[str, gpd.GeoDataFrame]
    derived: pd.DataFrame
    provenance: pd.DataFrame


# --------------------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------------------
def read_csv_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a UTF-8 CSV whose header must be ``columns``; every cell as text, empty cells as ''."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(table.columns) != columns:
        raise SourceError(f"{path}: columns {list(table.columns)}, expected {columns}")
    return table


def check_source_layer(path: Path, kind: str, gdf: gpd.GeoDataFrame) -> None:
    """Raise SourceError when a source layer breaks the file rules (CRS, keys, placements, fields)."""
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise SourceError(f"{path}: CRS {gdf.crs}, expected WGS84 lon/lat (OGC:CRS84, as RFC 7946 GeoJSON)")
    allowed = {f.name for f in fields_of(LAYER_KINDS[kind])} - {"source"}
    extra = sorted(set(gdf.columns) - allowed - set(BUILD_COLUMNS) - {"geometry"})
    if extra:
        raise SourceError(f"{path}: fields {extra} are not fields of layer '{kind}' (source: provenance.csv)")
    for col in ("feature_id", "placement"):
        if col not in gdf or gdf[col].isna().any() or (gdf[col] == "").any():
            raise SourceError(f"{path}: every feature needs '{col}'")
    dup = sorted(set(gdf.loc[gdf["feature_id"].duplicated(), "feature_id"]))
    if dup:
        raise SourceError(f"{path}: feature_id {dup} used more than once")
    for fid, row in zip(gdf["feature_id"], gdf.itertuples(index=False), strict=True):
        where = f"{path}, feature '{fid}'"
        if row.placement not in PLACEMENTS:
            raise SourceError(f"{where}: placement '{row.placement}', expected one of {sorted(PLACEMENTS)}")
        if (row.geometry is None) != (row.placement in UNDRAWN):
            raise SourceError(f"{where}: placement '{row.placement}' needs "
                              f"{'no geometry' if row.placement in UNDRAWN else 'a geometry'}")
        needs = {"coastal_strip": "strip_width_m", "port_basins": "buffer_m", "setback": "buffer_m"}
        field = needs.get(row.placement)
        if field and not (field in gdf and pd.notna(getattr(row, field)) and getattr(row, field) > 0):
            raise SourceError(f"{where}: placement '{row.placement}' needs a positive '{field}' [m]")


def read_source_layer(path: Path) -> gpd.GeoDataFrame:
    """Read and check one ``<kind>.geojson``; return it with geometry in the pack CRS (EPSG:4527)."""
    kind = path.stem
    if kind not in LAYER_KINDS:
        raise SourceError(f"{path}: '{kind}' is not a layer kind of binhai_geo.layermodel")
    gdf = gpd.read_file(path, engine="pyogrio")
    check_source_layer(path, kind, gdf)
    geoms = [None if g is None else project(g) for g in gdf.geometry]
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=geoms, crs="EPSG:4527")


def check_provenance(path: Path, prov: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame],
                     derived: pd.DataFrame) -> None:
    """Raise SourceError unless every feature has exactly one provenance (its own row or its layer's ``*``)."""
    bad = sorted(set(prov["nature"]) - set(NATURES))
    if bad:
        raise SourceError(f"{path}: nature {bad}, expected one of {list(NATURES)}")
    if (prov[["licence", "source"]] == "").any(axis=None):
        raise SourceError(f"{path}: every row needs a licence and a source")
    if prov.duplicated(["layer", "feature_id"]).any():
        dup = prov.loc[prov.duplicated(["layer", "feature_id"]), ["layer", "feature_id"]]
        raise SourceError(f"{path}: (layer, feature_id) repeated: {sorted(map(tuple, dup.to_numpy()))}")
    ids = {kind: set(gdf["feature_id"]) for kind, gdf in layers.items()}
    ids.update({kind: set() for kind in derived["layer"]})
    for row in prov.itertuples(index=False):
        if row.layer not in ids:
            raise SourceError(f"{path}: layer '{row.layer}' has no source file and is not a derived layer")
        if row.feature_id != "*" and row.feature_id not in ids[row.layer]:
            raise SourceError(f"{path}: feature '{row.feature_id}' is not in sources/{row.layer}.geojson")
    for kind, fids in ids.items():
        rows = prov[prov["layer"] == kind]
        missing = sorted(fids - set(rows["feature_id"])) if "*" not in set(rows["feature_id"]) else []
        if missing or rows.empty:
            raise SourceError(f"{path}: no provenance for layer '{kind}' feature(s) {missing[:5]}: add a row "
                              f"per feature or a '*' row for the layer")


def read_sources(folder: Path = SOURCES_DIR) -> Sources:
    """Read and check every source file in ``folder``."""
    layers = {p.stem: read_source_layer(p) for p in sorted(folder.glob("*.geojson"))}
    derived = read_csv_table(folder / "derived_layers.csv", DERIVED_COLUMNS)
    prov = read_csv_table(folder / "provenance.csv", PROVENANCE_COLUMNS)
    both = sorted(set(derived["layer"]) & set(layers))
    if both:
        raise SourceError(f"{folder}: layers {both} are both derived and drawn")
    for row in derived.itertuples(index=False):
        accuracy_m = pd.to_numeric(row.accuracy_m, errors="coerce")
        if row.layer not in LAYER_KINDS or not accuracy_m > 0:
            raise SourceError(f"{folder / 'derived_layers.csv'}: layer '{row.layer}': expected a layer kind of "
                              f"binhai_geo.layermodel and accuracy_m > 0 [m], got {row.accuracy_m!r}")
    check_provenance(folder / "provenance.csv", prov, layers, derived)
    return Sources(layers, derived, prov)


def provenance_of(prov: pd.DataFrame, kind: str, feature_ids: list[str]) -> list[pd.Series]:
    """Return the provenance row of each feature: its own row, else its layer's ``*`` row."""
    rows = prov[prov["layer"] == kind].set_index("feature_id")
    return [rows.loc[fid] if fid in rows.index else rows.loc["*"] for fid in feature_ids]


# --------------------------------------------------------------------------------------------------
# Placement on the real geodata
# --------------------------------------------------------------------------------------------------
Feature = dict[str, object]
#: A placement: (source row, its layer's source, context, the features placed so far by kind) -> geometry.
Placer = Callable[[pd.Series, gpd.GeoDataFrame, Context, dict[str, list[Feature]]], Geom]


def _on_land(geom: Geom, ctx: Context) -> Geom:
    return polygonal(shapely.intersection(geom, ctx.district), MIN_PART_M2)


def _at_sea(geom: Geom, ctx: Context) -> Geom:
    return polygonal(shapely.intersection(geom, ctx.sea), MIN_PART_M2)


def _coastal_strip(row: pd.Series, _src: gpd.GeoDataFrame, ctx: Context, _placed: dict[str, list[Feature]]) -> Geom:
    near_coast = shapely.intersection(ctx.coast, row.geometry).buffer(row["strip_width_m"])
    return _at_sea(shapely.intersection(near_coast, row.geometry), ctx)


def _port_basins(row: pd.Series, _src: gpd.GeoDataFrame, ctx: Context, _placed: dict[str, list[Feature]]) -> Geom:
    basins = shapely.intersection(ctx.sea, row.geometry)
    return polygonal(shapely.intersection(basins.buffer(row["buffer_m"]), row.geometry), MIN_PART_M2)


def _setback(row: pd.Series, _src: gpd.GeoDataFrame, ctx: Context, _placed: dict[str, list[Feature]]) -> Geom:
    return polygonal(_on_land(row.geometry, ctx).buffer(row["buffer_m"]).intersection(ctx.district))


def _unoccupied(row: pd.Series, _src: gpd.GeoDataFrame, ctx: Context, placed: dict[str, list[Feature]]) -> Geom:
    occupied = shapely.union_all([f["geometry"] for kind in OCCUPYING_KINDS for f in placed[kind]])
    return _on_land(row.geometry.difference(occupied), ctx)


def _red_line(_row: pd.Series, _src: gpd.GeoDataFrame, _ctx: Context, placed: dict[str, list[Feature]]) -> Geom:
    keep = [f["geometry"] for f in placed["protected_area"]
            if f["zone"] in ("core", "buffer") or f["category"] == "marine_park"]
    return polygonal(shapely.union_all(keep))


def _remainder(row: pd.Series, src: gpd.GeoDataFrame, ctx: Context, _placed: dict[str, list[Feature]]) -> Geom:
    rest = ctx.district
    for fid, geom in zip(src["feature_id"], src.geometry, strict=True):
        if fid != row["feature_id"] and geom is not None:
            rest = rest.difference(geom)
    return polygonal(rest, MIN_PART_M2)


PLACERS: dict[str, Placer] = {
    "as_drawn": lambda row, _src, _ctx, _placed: row.geometry,
    "on_land": lambda row, _src, ctx, _placed: _on_land(row.geometry, ctx),
    "at_sea": lambda row, _src, ctx, _placed: _at_sea(row.geometry, ctx),
    "on_unoccupied_land": _unoccupied,
    "coastal_strip": _coastal_strip,
    "port_basins": _port_basins,
    "setback": _setback,
    "red_line": _red_line,
    "remainder": _remainder,
}
#: Layers placed first, because other placements use them (``on_unoccupied_land``, ``red_line``).
PLACE_FIRST = ("salt_pan", "fish_pond", "wetland", "protected_area")


def place_layers(sources: Sources, ctx: Context) -> dict[str, list[Feature]]:
    """Place every sample feature on the real geodata; return its pack features (attributes and geometry).

    Returns
    -------
    dict of str to list of dict
        Per layer kind, in file order, each feature's layer fields (``source`` from ``provenance.csv``) and
        its placed ``geometry`` (EPSG:4527, not yet snapped). ``project`` is left out: the build joins the
        plan's projects with the registries.
    """
    order = [k for k in PLACE_FIRST if k in sources.layers] + [k for k in sources.layers if k not in PLACE_FIRST]
    placed: dict[str, list[Feature]] = {}
    for kind in order:
        if kind == "project":
            continue
        src = sources.layers[kind]
        prov = provenance_of(sources.provenance, kind, list(src["feature_id"]))
        attrs = src.drop(columns=[c for c in (*BUILD_COLUMNS, "geometry") if c in src]).to_dict("records")
        placed[kind] = []
        for (_, row), rec, p in zip(src.iterrows(), attrs, prov, strict=True):
            geom = PLACERS[row["placement"]](row, src, ctx, placed)
            placed[kind].append({**rec, "source": p["source"], "geometry": geom})
    return {k: placed[k] for k in sources.layers if k in placed}
