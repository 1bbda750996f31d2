"""Turbine layouts: rotated grids in zone polygons, single rows along breakwater lines.

- **Polygons** (offshore zones, tidal flats): a grid whose rows run across the prevailing wind
  direction, with ``crosswind_spacing_d`` x D between turbines in a row and ``downwind_spacing_d`` x D
  between rows (default 4 D x 7 D; Manwell, McGowan and Rogers 2009, *Wind Energy Explained*, 2nd ed.,
  sec. 9.4: 3-5 D across, 5-9 D along the prevailing wind). The grid's origin is tried at 3 x 3
  fractional offsets and the offset holding the most turbines is kept (a simple, deterministic search;
  no optimisation of wake losses). The tower stands ``edge_setback_d`` x D inside the zone edge.
- **Lines** (breakwaters): one turbine every max(``line_spacing_d`` x D, ``line_min_spacing_m``) along
  each part, centred on it; a part shorter than the spacing holds one turbine at its middle.
- **Exclusions**: each feature grown by its ``buffer_m``; a tower closer than
  ``exclusion_clearance_d`` x D (the rotor radius by default) to one is dropped.
- Turbines of different zones closer than their own spacing are thinned greedily (earlier zones first).

Everything is computed in the analysis (projected) CRS with shapely 2 array functions. A zone too small
for one turbine yields no turbine (a plain zero, not an error); lines where polygons are expected (and
the reverse) are errors.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.errors import LayerError

POLYGON_TYPES = ("Polygon", "MultiPolygon")
LINE_TYPES = ("LineString", "MultiLineString")

#: Fractional grid offsets tried in each direction.
GRID_OFFSETS = (0.0, 1.0 / 3.0, 2.0 / 3.0)


def require_geometry(gdf: gpd.GeoDataFrame, family: str, *, layer: str | None = None, file: str | None = None) -> None:
    """Raise when a feature is not of ``family`` ("polygon" or "line") or the CRS is not projected.

    Raises
    ------
    LayerError
        Naming the first offending feature (its index, as FID).
    """
    if gdf.crs is None or not gdf.crs.is_projected:
        raise LayerError(f"layout needs a projected CRS (metres), got {gdf.crs}", file=file, layer=layer,
                         hint="reproject the layer to the analysis CRS, e.g. EPSG:4527")
    allowed = POLYGON_TYPES if family == "polygon" else LINE_TYPES
    types = gdf.geometry.geom_type.to_numpy()
    bad = ~np.isin(types, allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "polygons (areas)" if family == "polygon" else "lines"
        raise LayerError(f"found {types[i]} where {what} are expected", file=file, layer=layer,
                         feature=gdf.index[i],
                         hint=("offshore zones and tidal flats are areas: give polygons (breakwaters take lines)"
                               if family == "polygon" else "breakwaters are lines: give (multi)line features"))


def exclusion_geometry(exclusions: gpd.GeoDataFrame | None, crs: object = None) -> shapely.Geometry | None:
    """Union of the exclusion features, each grown by its ``buffer_m`` (missing buffer: 0 m)."""
    if exclusions is None or len(exclusions) == 0:
        return None
    ex = exclusions if crs is None or exclusions.crs == crs else exclusions.to_crs(crs)
    buf = ex["buffer_m"].to_numpy(float) if "buffer_m" in ex.columns else np.zeros(len(ex))
    buf = np.where(np.isfinite(buf), buf, 0.0)
    geoms = shapely.buffer(ex.geometry.to_numpy(), buf)
    # zero-width buffers of points and lines come back empty: keep the feature itself
    geoms = np.where(shapely.is_empty(geoms), ex.geometry.to_numpy(), geoms)
    out = shapely.union_all(geoms)
    shapely.prepare(out)
    return out


def _keep(x: np.ndarray, y: np.ndarray, area: shapely.Geometry, excluded: shapely.Geometry | None,
          clearance_m: float) -> np.ndarray:
    ok = shapely.contains_xy(area, x, y)
    if excluded is not None and ok.any():
        pts = shapely.points(x[ok], y[ok])
        near = shapely.dwithin(pts, excluded, clearance_m) if clearance_m > 0 else shapely.intersects(pts, excluded)
        idx = np.flatnonzero(ok)
        ok[idx[near]] = False
    return ok


def grid_in_polygon(polygon: shapely.Geometry, *, downwind_m: float, crosswind_m: float, direction_deg: float,
                    setback_m: float = 0.0, excluded: shapely.Geometry | None = None,
                    clearance_m: float = 0.0) -> np.ndarray:
    """Turbine positions on a grid rotated to the prevailing wind, inside one polygon.

    Parameters
    ----------
    polygon : shapely geometry
        The zone (projected CRS, metres).
    downwind_m, crosswind_m : float
        Spacing between rows (along the wind) and within a row (across it) [m].
    direction_deg : float
        Prevailing wind direction [deg from north].
    setback_m : float
        Tower distance from the zone edge [m].
    excluded : shapely geometry, optional
        Exclusion zones (buffers applied).
    clearance_m : float
        Tower distance from exclusions [m].

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): x, y of the turbines; n may be 0.
    """
    area = polygon.buffer(-setback_m) if setback_m > 0 else polygon
    if area.is_empty or area.area <= 0:
        return np.empty((0, 2))
    shapely.prepare(area)
    th = math.radians(direction_deg)
    e_down = np.array([math.sin(th), math.cos(th)])
    e_cross = np.array([math.cos(th), -math.sin(th)])
    coords = shapely.get_coordinates(area.exterior if area.geom_type == "Polygon" else area.convex_hull.exterior)
    c0 = coords.mean(axis=0)
    s = (coords - c0) @ e_cross
    t = (coords - c0) @ e_down
    i = np.arange(math.floor(s.min() / crosswind_m) - 1, math.ceil(s.max() / crosswind_m) + 2)
    j = np.arange(math.floor(t.min() / downwind_m) - 1, math.ceil(t.max() / downwind_m) + 2)
    ii, jj = np.meshgrid(i, j, indexing="ij")
    ii, jj = ii.ravel().astype(float), jj.ravel().astype(float)
    best = np.empty((0, 2))
    for oi in GRID_OFFSETS:
        for oj in GRID_OFFSETS:
            xy = c0 + np.outer((ii + oi) * crosswind_m, e_cross) + np.outer((jj + oj) * downwind_m, e_down)
            ok = _keep(xy[:, 0], xy[:, 1], area, excluded, clearance_m)
            if ok.sum() > len(best):
                best = xy[ok]
    return best


def points_along_line(line: shapely.Geometry, *, spacing_m: float, excluded: shapely.Geometry | None = None,
                      clearance_m: float = 0.0) -> np.ndarray:
    """Turbine positions every ``spacing_m`` along each part of a (multi)line, centred on each part.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2); a part shorter than the spacing holds one turbine at its middle.
    """
    parts = shapely.get_parts(line)
    out = []
    for part in parts:
        length = part.length
        if length <= 0:
            continue
        n = int(math.floor(length / spacing_m))
        d = (length - n * spacing_m) / 2 + np.arange(n + 1) * spacing_m
        pts = shapely.line_interpolate_point(part, d)
        out.append(shapely.get_coordinates(pts))
    if not out:
        return np.empty((0, 2))
    xy = np.vstack(out)
    if excluded is not None and len(xy):
        pts = shapely.points(xy)
        near = shapely.dwithin(pts, excluded, clearance_m) if clearance_m > 0 else shapely.intersects(pts, excluded)
        xy = xy[~near]
    return xy


def thin(xy: np.ndarray, min_dist_m: np.ndarray) -> np.ndarray:
    """Greedy thinning: keep points in order, drop one closer than its ``min_dist_m`` to a kept point.

    Returns
    -------
    numpy.ndarray of bool
        Which points are kept.
    """
    n = len(xy)
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    tree = shapely.STRtree(shapely.points(xy))
    pairs = tree.query(shapely.points(xy), predicate="dwithin", distance=np.asarray(min_dist_m, float) - 1e-6)
    by_point: dict[int, list[int]] = {}
    for a, b in zip(*pairs, strict=True):
        if b < a:
            by_point.setdefault(int(a), []).append(int(b))
    for a in range(n):
        if any(keep[b] for b in by_point.get(a, ())):
            keep[a] = False
    return keep
