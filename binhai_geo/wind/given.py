"""Given turbine layouts: as-built, consented or designed positions instead of a laid-out grid.

A point layer of kind ``turbine`` (``binhai_geo.layermodel``) gives, per turbine, its ``turbine_type``
(a windpowerlib library type, or a name declared in ``[wind] turbine_curves`` with a power-curve CSV),
its ``hub_height_m`` and optionally its ``farm``. :func:`place_given` checks them against the wind
zones of the run and returns, for each turbine, the zone it stands in:

- every turbine must stand in a wind zone (inside a polygon, or within one rotor radius of a
  breakwater line); one outside every zone is refused, naming its FID;
- two turbines closer than one rotor diameter (the larger of the two) are refused (their rotors
  would overlap), naming both FIDs;
- a hub height at or below the rotor radius is refused.

A zone holding given turbines is not laid out again; the other zones are. All turbines, given and laid
out, then share one wake computation (:func:`binhai_geo.wind.energy.wake_aep`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.errors import LayerError
from binhai_geo.wind.turbines import Turbine

#: Layer kind of given turbine positions.
TURBINE_KIND = "turbine"


def place_given(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, turbines: dict[str, Turbine], *,
                file: str | None = None, line_kinds: tuple[str, ...] = ("breakwater",)) -> np.ndarray:
    """Zone index of each given turbine; refuse positions outside every zone or too close together.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Given turbines (Point geometries) with ``turbine_type`` and ``hub_height_m``, in the zones' CRS.
    zones : geopandas.GeoDataFrame
        Wind zones (polygons; lines for breakwaters) with ``layer_kind``, projected CRS.
    turbines : dict of str to Turbine
        The checked turbine of each type in ``points``.
    file : str, optional
        The points' file, named in errors.
    line_kinds : tuple of str
        Layer kinds whose zones are lines.

    Returns
    -------
    numpy.ndarray of int
        Position (0-based row) in ``zones`` of each turbine's zone, shape (n,).

    Raises
    ------
    LayerError
        A turbine outside every zone, two turbines closer than one rotor diameter, a hub height not
        above the rotor radius, a CRS other than the zones'.
    """
    if points.crs is None or zones.crs is None or points.crs != zones.crs:
        raise LayerError(f"turbine positions in {points.crs}, zones in {zones.crs}", file=file, layer=TURBINE_KIND,
                         hint="reproject the turbine layer to the analysis CRS first")
    fids = list(points.index)
    not_point = np.flatnonzero(points.geometry.geom_type.to_numpy() != "Point")
    if not_point.size:
        i = int(not_point[0])
        raise LayerError(f"a turbine must be a single point, found {points.geometry.geom_type.iloc[i]}", file=file,
                         layer=TURBINE_KIND, feature=fids[i], field="geometry",
                         hint="split multipoints into one point per turbine")
    types = points["turbine_type"].astype(str).to_numpy()
    d = np.array([turbines[t].rotor_diameter_m for t in types], dtype=float)
    hub = points["hub_height_m"].to_numpy(float)
    low = np.flatnonzero(~(hub > d / 2))
    if low.size:
        i = int(low[0])
        raise LayerError(f"hub height {hub[i]:g} m of {types[i]} is not above its rotor radius {d[i] / 2:g} m",
                         file=file, layer=TURBINE_KIND, feature=fids[i], field="hub_height_m",
                         hint="give the hub height in metres above sea or ground")
    pts = points.geometry.to_numpy()
    zone_of = np.full(len(points), -1)
    is_line = zones["layer_kind"].isin(line_kinds).to_numpy()
    geoms = zones.geometry.to_numpy()
    for z in range(len(zones)):
        free = zone_of < 0
        if not free.any():
            break
        if is_line[z]:
            inside = shapely.dwithin(pts[free], geoms[z], d[free] / 2)
        else:
            inside = shapely.covers(geoms[z], pts[free])
        zone_of[np.flatnonzero(free)[inside]] = z
    out = np.flatnonzero(zone_of < 0)
    if out.size:
        i = int(out[0])
        p = pts[i]
        raise LayerError(f"turbine at ({p.x:.0f}, {p.y:.0f}) stands outside every wind zone of the run"
                         + (f" ({out.size} turbines in all)" if out.size > 1 else ""), file=file, layer=TURBINE_KIND,
                         feature=fids[i], field="geometry",
                         hint="move it into a wind zone, add its zone (offshore_zone, tidal_flat, breakwater), "
                         "or check the layer's CRS")
    _check_spacing(pts, d, fids, file)
    return zone_of


def _check_spacing(pts: np.ndarray, d: np.ndarray, fids: list, file: str | None) -> None:
    if len(pts) < 2:
        return
    a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=float(d.max()))
    keep = a < b
    a, b = a[keep], b[keep]
    if not a.size:
        return
    dist = shapely.distance(pts[a], pts[b])
    close = dist < np.maximum(d[a], d[b])
    if close.any():
        j = int(np.flatnonzero(close)[0])
        raise LayerError(f"turbines {fids[a[j]]} and {fids[b[j]]} are {dist[j]:.0f} m apart, closer than one rotor "
                         f"diameter ({max(d[a[j]], d[b[j]]):g} m): their rotors would overlap"
                         + (f" ({int(close.sum())} pairs in all)" if close.sum() > 1 else ""), file=file,
                         layer=TURBINE_KIND, feature=fids[a[j]], field="geometry",
                         hint="check for duplicated points or a coordinate unit mix-up (degrees vs metres)")


def lay_registry_farm(x_m: float, y_m: float, capacity_mw: float, turbine: Turbine, *, hub_height_m: float,
                      downwind_m: float, crosswind_m: float, direction_deg: float, farm: str,
                      crs: object) -> gpd.GeoDataFrame:
    """Turbines of a registry farm whose positions are unknown, laid by a stated rule.

    Rule: n = round(capacity / rated power) turbines (at least 1) of ``turbine`` on the most compact grid
    of rows (rows across the direction carrying most wind energy, ``crosswind_m`` apart within a row,
    ``downwind_m`` between rows), centred on the registry point. A registry point (GEM, GPPD) is often
    approximate (several phases share one point): the result is a stand-in layout of the right size and
    spacing, not the farm's real positions, and the run says so.

    Parameters
    ----------
    x_m, y_m : float
        Registry point in a projected CRS [m].
    capacity_mw : float
        Registry capacity [MW], > 0.
    turbine : Turbine
        Turbine type to lay.
    hub_height_m, downwind_m, crosswind_m, direction_deg : float
        Hub height [m], row spacing [m], spacing within a row [m], wind direction [deg from north].
    farm : str
        Farm name written to the ``farm`` field.
    crs : object
        CRS of ``x_m``, ``y_m``.

    Returns
    -------
    geopandas.GeoDataFrame
        A layer of kind ``turbine`` (``turbine_type``, ``hub_height_m``, ``farm``, ``layout_rule``).

    Raises
    ------
    LayerError
        Capacity not a positive number.
    """
    if not (capacity_mw > 0 and np.isfinite(capacity_mw)):
        raise LayerError(f"registry farm '{farm}' has capacity {capacity_mw} MW", field="Capacity (MW)",
                         hint="give a positive capacity in MW")
    n = max(1, int(round(capacity_mw / turbine.rated_mw)))
    per_row = int(np.ceil(np.sqrt(n * downwind_m / crosswind_m)))  # near-square footprint
    rows = int(np.ceil(n / per_row))
    i = np.arange(n) % per_row - (per_row - 1) / 2
    j = np.arange(n) // per_row - (rows - 1) / 2
    th = np.radians(direction_deg)
    e_down = np.array([np.sin(th), np.cos(th)])
    e_cross = np.array([np.cos(th), -np.sin(th)])
    xy = np.array([x_m, y_m]) + np.outer(i * crosswind_m, e_cross) + np.outer(j * downwind_m, e_down)
    return gpd.GeoDataFrame({"turbine_type": [turbine.name] * n, "hub_height_m": [hub_height_m] * n,
                             "farm": [farm] * n,
                             "layout_rule": [f"registry point, {n} x {turbine.name} on a {per_row}-per-row grid "
                                             f"({crosswind_m:.0f} m x {downwind_m:.0f} m)"] * n},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)
