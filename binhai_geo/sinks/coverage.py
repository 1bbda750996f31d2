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

The forest-cover rule itself (which stands count, by year) lives in :mod:`binhai_geo.sinks.forestcover`
and sink areas in :mod:`binhai_geo.sinks.accounting` (one code path each); this module gives the
indicators the region-pack build and the plan share. All geometry must be in the analysis (projected)
CRS; the functions check it.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.indicator import Indicator
from binhai_geo.layermodel import FOREST_MIN_CANOPY
from binhai_geo.sinks.forestcover import forest_cover_mask, share_of_land

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


__all__ = ["coverage_indicators", "forest_cover_mask", "land_geometry", "mainland_shoreline",
           "natural_shoreline_indicator", "protected_share_indicator"]

#: Spacing of the points at which the mainland line takes the natural flag of the nearest coastline segment [m].
MAINLAND_SAMPLE_M = 50.0


def mainland_shoreline(layers: Mapping[str, gpd.GeoDataFrame], closing_m: float) -> dict[str, float] | None:
    """Natural shoreline measured on a line that follows the mainland coast rather than every port basin.

    Rule: the district's land (``land`` within 1 km of the boundary, or the boundary) is closed
    morphologically (buffered out by ``closing_m`` and back in), which fills port basins, quays and
    channels narrower than about twice that radius; the closed outline's parts within ``closing_m`` of the
    OSM coastline and within 1 km of the district are the *mainland line*. Points every
    :data:`MAINLAND_SAMPLE_M` along it take the ``natural`` flag of the nearest coastline segment; the
    natural length is the flagged points times the spacing. A simplification: a basin wider than about
    2 x ``closing_m`` stays in the line.

    Returns
    -------
    dict or None
        ``line_km`` (mainland line length), ``natural_km`` (natural on it), ``osm_km`` and
        ``osm_natural_km`` (all coastline segments within 1 km of the district); None without coastline
        or boundary.
    """
    coast, boundary = layers.get("coastline"), layers.get("boundary")
    if coast is None or len(coast) == 0 or boundary is None or len(boundary) == 0:
        return None
    _projected(coast, "coastline")
    district = shapely.union_all(boundary.geometry.to_numpy())
    near_d = shapely.simplify(district, 50.0).buffer(SHORELINE_BOUNDARY_TOLERANCE_M, quad_segs=4)  # 50 m: speed
    land = layers.get("land")
    body = shapely.intersection(shapely.union_all(land.geometry.to_numpy()), near_d) if land is not None and len(
        land) else district
    # detail finer than a tenth of the radius cannot change the closed outline: simplify first (speed)
    body = shapely.simplify(body, closing_m / 20.0)
    closed = body.buffer(closing_m, quad_segs=4).buffer(-closing_m, quad_segs=4)
    segments = coast.geometry.to_numpy()
    near = shapely.dwithin(segments, district, SHORELINE_BOUNDARY_TOLERANCE_M)
    natural_all = coast["natural"].fillna(False).to_numpy(dtype=bool)
    natural = natural_all[near]
    outline = shapely.intersection(closed.boundary, near_d)
    parts = shapely.get_parts(shapely.line_merge(outline)) if not outline.is_empty else np.array([])
    pts, step = [], []
    for part in parts:
        k = max(int(part.length // MAINLAND_SAMPLE_M), 1)
        pts.extend(shapely.line_interpolate_point(part, (np.arange(k) + 0.5) * part.length / k))
        step.extend([part.length / k] * k)
    line_m = nat_m = 0.0
    if pts:
        tree = shapely.STRtree(segments[near])
        (src, dst), dist = tree.query_nearest(np.asarray(pts, dtype=object), return_distance=True, all_matches=False)
        on_coast = dist <= closing_m  # the outline's edges along the extent frame or inland water are not coast
        w = np.asarray(step)[src]
        line_m = float(w[on_coast].sum())
        nat_m = float(w[on_coast & natural[dst]].sum())
    seg_len = shapely.length(segments)
    return {"line_km": line_m / 1e3, "natural_km": nat_m / 1e3, "osm_km": float(seg_len[near].sum()) / 1e3,
            "osm_natural_km": float(seg_len[near & natural_all].sum()) / 1e3}


def protected_share_indicator(layers: Mapping[str, gpd.GeoDataFrame]) -> Indicator | None:
    """Protected share of land: union of all protected-area zones within the land, over the land [%]."""
    land = land_geometry(layers)
    protected = layers.get("protected_area")
    if land is None or land.is_empty or protected is None or len(protected) == 0:
        return None
    _projected(protected, "protected_area")
    land_km2 = land.area / 1e6
    pct = share_of_land(protected.geometry.to_numpy(), land)
    return Indicator("protected_area_share", pct, "percent",
                     f"{pct * land_km2 / 100:.1f} km2 of protected areas (all zones, union) on "
                     f"{land_km2:.1f} km2 of land")


def natural_shoreline_indicator(layers: Mapping[str, gpd.GeoDataFrame]) -> Indicator | None:
    """Natural shoreline retention: natural length over all coastline near the district boundary [%]."""
    coast = layers.get("coastline")
    boundary = layers.get("boundary")
    if coast is None or len(coast) == 0 or boundary is None or len(boundary) == 0:
        return None
    _projected(coast, "coastline")
    district = shapely.union_all(boundary.geometry.to_numpy())
    shapely.prepare(district)
    segments = coast.geometry.to_numpy()
    near = shapely.dwithin(segments, district, SHORELINE_BOUNDARY_TOLERANCE_M)
    length = np.where(near, shapely.length(segments), 0.0)
    natural = coast["natural"].fillna(False).to_numpy(dtype=bool)
    total_km = length.sum() / 1e3
    if total_km <= 0:
        return None
    nat_km = length[natural].sum() / 1e3
    return Indicator("natural_shoreline", 100.0 * nat_km / total_km, "percent",
                     f"{nat_km:.1f} km natural of {total_km:.1f} km coastline within "
                     f"{SHORELINE_BOUNDARY_TOLERANCE_M / 1000:g} km of the district boundary")


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
        pct = share_of_land(counted, land)
        basis = (f"{pct * land_km2 / 100:.2f} km2 of tree forest (canopy >= {FOREST_MIN_CANOPY}), bamboo and "
                 f"designated shrubland over {land_km2:.1f} km2 of land; current layer, not a projection")
        out.append(Indicator("forest_cover", pct, "percent", basis))
        out.append(Indicator("forest_cover_2030", pct, "percent", basis))
    for extra in (protected_share_indicator(layers), natural_shoreline_indicator(layers)):
        if extra is not None:
            out.append(extra)
    return out
