"""Coverage indicators on land: forest cover, protected share, natural shoreline; and sink areas.

Rules (stated here and in the report):

- **Land area** (陆域国土面积) is the district boundary, intersected with the land polygon when the
  region has one (the boundary may reach over water).
- **Forest cover** (森林覆盖率) counts, as China's definition does, tree forest with canopy cover >= 0.2
  (乔木林地), bamboo (竹林地) and specially designated shrubland (国家特别规定灌木林地), dissolved so that
  overlapping patches count once, within the land area, over the land area.
- **Protected share** counts the union of all protected-area zones within the land area, over the land
  area (sea parts of marine parks do not count towards a share of land).
- **Natural shoreline** is the length of coastline marked ``natural`` over the whole coastline length,
  counting the coastline features (segments) that come within 1 km of the district boundary.
- **Sink areas** are the areas of forest (by type) and wetland (by type); where a forest patch lies over
  a wetland, the overlap counts as forest only (forest first, a stated rule), so no area counts twice.

All geometry must be in the analysis (projected) CRS; the functions check it.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.layermodel import FOREST_COVER_TYPES, FOREST_MIN_CANOPY
from binhai_geo.targets import Indicator

#: Coastline within this distance of the district boundary counts as the district's [m].
SHORELINE_BOUNDARY_TOLERANCE_M = 1000.0


def _projected(gdf: gpd.GeoDataFrame, kind: str) -> None:
    if gdf.crs is None or not gdf.crs.is_projected:
        raise ValueError(f"layer '{kind}' must be in a projected CRS, got {gdf.crs}")


def land_geometry(layers: Mapping[str, gpd.GeoDataFrame]) -> shapely.Geometry | None:
    """Return the district's land: boundary, intersected with the land polygon when there is one."""
    boundary = layers.get("boundary")
    if boundary is None or len(boundary) == 0:
        return None
    _projected(boundary, "boundary")
    geom = shapely.union_all(boundary.geometry.to_numpy())
    land = layers.get("land")
    if land is not None and len(land):
        geom = shapely.intersection(geom, shapely.union_all(land.geometry.to_numpy()))
    return geom


def forest_cover_mask(forest: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean mask of forest features that count towards the forest coverage rate."""
    types = forest["forest_type"].to_numpy()
    canopy = pd.to_numeric(forest["canopy_cover"], errors="coerce").to_numpy()
    tree_ok = (types == "tree_forest") & (canopy >= FOREST_MIN_CANOPY)
    return tree_ok | np.isin(types, [t for t in FOREST_COVER_TYPES if t != "tree_forest"])


def _share_of_land(geoms: np.ndarray, land: shapely.Geometry) -> float:
    if len(geoms) == 0:
        return 0.0
    covered = shapely.intersection(shapely.union_all(geoms), land)
    return 100.0 * covered.area / land.area


def coverage_indicators(layers: Mapping[str, gpd.GeoDataFrame]) -> list[Indicator]:
    """Compute forest cover, protected share of land and natural shoreline where layers allow.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Validated layers by kind in the analysis CRS; uses ``boundary``, ``land``, ``forest``,
        ``protected_area`` and ``coastline`` when present.

    Returns
    -------
    list of Indicator
        ``forest_cover``, ``forest_cover_2030`` (same figure: the current state), ``protected_area_share``
        and ``natural_shoreline`` in percent, each with its basis. Indicators whose layers are missing
        are left out (the target shows ``not computed``).
    """
    out: list[Indicator] = []
    land = land_geometry(layers)
    if land is None or land.is_empty:
        return out
    land_km2 = land.area / 1e6
    forest = layers.get("forest")
    if forest is not None and len(forest):
        _projected(forest, "forest")
        counted = forest.geometry.to_numpy()[forest_cover_mask(forest)]
        pct = _share_of_land(counted, land)
        basis = (f"{pct * land_km2 / 100:.2f} km2 of tree forest (canopy >= {FOREST_MIN_CANOPY}), bamboo and "
                 f"designated shrubland over {land_km2:.1f} km2 of land; current layer, not a projection")
        out.append(Indicator("forest_cover", pct, "percent", basis))
        out.append(Indicator("forest_cover_2030", pct, "percent", basis))
    protected = layers.get("protected_area")
    if protected is not None and len(protected):
        _projected(protected, "protected_area")
        pct = _share_of_land(protected.geometry.to_numpy(), land)
        out.append(Indicator("protected_area_share", pct, "percent",
                             f"{pct * land_km2 / 100:.1f} km2 of protected areas (all zones, union) on "
                             f"{land_km2:.1f} km2 of land"))
    coast = layers.get("coastline")
    boundary = layers.get("boundary")
    if coast is not None and len(coast) and boundary is not None:
        _projected(coast, "coastline")
        district = shapely.union_all(boundary.geometry.to_numpy())
        shapely.prepare(district)
        segments = coast.geometry.to_numpy()
        near = shapely.dwithin(segments, district, SHORELINE_BOUNDARY_TOLERANCE_M)
        length = np.where(near, shapely.length(segments), 0.0)
        natural = coast["natural"].fillna(False).to_numpy(dtype=bool)
        total_km = length.sum() / 1e3
        if total_km > 0:
            nat_km = length[natural].sum() / 1e3
            out.append(Indicator("natural_shoreline", 100.0 * nat_km / total_km, "percent",
                                 f"{nat_km:.1f} km natural of {total_km:.1f} km coastline within "
                                 f"{SHORELINE_BOUNDARY_TOLERANCE_M / 1000:g} km of the district boundary"))
    return out


def sink_areas(layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Areas of the sink classes: forest by type and wetland by type, each area counted once.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer_kind``, ``sink_class``, ``area_km2``, ``overlap_removed_km2`` (area of the class
        that lay under a forest patch and was given to forest).
    """
    rows = []
    forest = layers.get("forest")
    forest_union = None
    if forest is not None and len(forest):
        _projected(forest, "forest")
        forest_union = shapely.union_all(forest.geometry.to_numpy())
        claimed = None
        for ftype, grp in forest.groupby("forest_type", sort=True):
            geom = shapely.union_all(grp.geometry.to_numpy())
            if claimed is not None:
                geom = shapely.difference(geom, claimed)
            claimed = geom if claimed is None else shapely.union(claimed, geom)
            rows.append({"layer_kind": "forest", "sink_class": ftype, "area_km2": geom.area / 1e6,
                         "overlap_removed_km2": 0.0})
    wetland = layers.get("wetland")
    if wetland is not None and len(wetland):
        _projected(wetland, "wetland")
        claimed = forest_union
        for wtype, grp in wetland.groupby("wetland_type", sort=True):
            whole = shapely.union_all(grp.geometry.to_numpy())
            geom = whole if claimed is None else shapely.difference(whole, claimed)
            claimed = geom if claimed is None else shapely.union(claimed, geom)
            rows.append({"layer_kind": "wetland", "sink_class": wtype, "area_km2": geom.area / 1e6,
                         "overlap_removed_km2": (whole.area - geom.area) / 1e6})
    return pd.DataFrame(rows, columns=["layer_kind", "sink_class", "area_km2", "overlap_removed_km2"])
