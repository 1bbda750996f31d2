"""Grid connection: the nearest substation of adequate voltage for each site, and the connection cost.

The voltage a site needs follows its capacity (``binhai_geo/data/grid_voltage.csv``); sites at
distribution level (up to 6 MW) connect to the local 10 kV network with no substation distance. The
distance is the straight line from the site to the substation (``shapely.STRtree.query_nearest``) times a
route factor; the part at sea (from the site to the land layer) is costed as submarine cable, the rest
as overhead line of the substation's voltage class. Simplified (said in the notes): no routing around
obstacles, no substation capacity limits, no shared collector lines between sites.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.factors import numeric_columns, packaged_table, read_table
from binhai_geo.siting.costs import cost_of

VOLTAGE_COLUMNS = ("min_capacity_mw", "max_capacity_mw", "value", "low", "high", "unit", "source", "notes")
#: Overhead-line cost rows by voltage class [kV]; a substation uses the row at or below its voltage.
LINE_ITEMS = {110: "grid_line_110kv", 220: "grid_line_220kv", 500: "grid_line_500kv"}


def load_grid_voltage(path: str | Path | None = None) -> pd.DataFrame:
    """Load the capacity -> required voltage table (packaged ``grid_voltage.csv`` unless ``path``).

    Raises
    ------
    WorkflowError
        For a missing column or a non-numeric bound or value.
    """
    p = Path(path) if path is not None else packaged_table("grid_voltage.csv")
    df = read_table(p, "grid-voltage table", VOLTAGE_COLUMNS)
    numeric_columns(df, p, ("min_capacity_mw", "max_capacity_mw", "value"))
    return df.sort_values("min_capacity_mw").reset_index(drop=True)


def required_voltage_kv(capacity_mw: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """Voltage [kV] a site of each capacity connects at (0: distribution level, no substation)."""
    cap = np.asarray(capacity_mw, dtype=float)
    out = np.full(cap.shape, np.nan)
    for row in table.itertuples(index=False):
        sel = (cap > row.min_capacity_mw) & (cap <= row.max_capacity_mw)
        if row.min_capacity_mw == 0:
            sel |= cap == 0
        out[sel] = row.value
    return out


def _line_item(voltage_kv: float) -> str:
    usable = [v for v in LINE_ITEMS if v <= voltage_kv]
    return LINE_ITEMS[max(usable) if usable else min(LINE_ITEMS)]


def grid_connection(
    sites: gpd.GeoDataFrame,
    substations: gpd.GeoDataFrame | None,
    voltage_table: pd.DataFrame,
    costs: pd.DataFrame,
    land: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Nearest adequate substation, distance and connection cost per site.

    Parameters
    ----------
    sites : GeoDataFrame
        Sites (projected CRS) with ``capacity_mw``.
    substations : GeoDataFrame or None
        Points with ``voltage_kv`` and ``name``.
    voltage_table : DataFrame
        From :func:`load_grid_voltage`.
    costs : DataFrame
        From :func:`binhai_geo.siting.costs.load_costs`.
    land : GeoDataFrame, optional
        Land polygons; the part of a connection from a site at sea to the land is submarine cable.

    Returns
    -------
    pandas.DataFrame
        Same index as ``sites``: ``required_voltage_kv``, ``substation``, ``substation_voltage_kv``,
        ``grid_distance_km`` (straight line), ``submarine_km``, ``grid_cost_cny``, ``grid_note``.
    """
    n = len(sites)
    req = required_voltage_kv(sites["capacity_mw"].to_numpy(), voltage_table)
    out = pd.DataFrame({"required_voltage_kv": req, "substation": pd.Series([None] * n, dtype=object),
                        "substation_voltage_kv": np.nan, "grid_distance_km": np.nan, "submarine_km": np.nan,
                        "grid_cost_cny": np.nan, "grid_note": ""}, index=sites.index)
    route = cost_of(costs, "route_factor")
    dist_level = req == 0
    kw = sites["capacity_mw"].to_numpy(dtype=float) * 1000.0
    out.loc[dist_level, "grid_distance_km"] = 0.0
    out.loc[dist_level, "submarine_km"] = 0.0
    out.loc[dist_level, "grid_cost_cny"] = kw[dist_level] * cost_of(costs, "distribution_connection")
    out.loc[dist_level, "grid_note"] = "distribution level (10 kV, on site)"
    if substations is None or len(substations) == 0:
        out.loc[~dist_level, "grid_note"] = "no substation layer: connection not costed"
        return out
    geoms = sites.geometry.to_numpy()
    sub_geoms = substations.geometry.to_numpy()
    sub_kv = substations["voltage_kv"].to_numpy(dtype=float)
    sub_name = (substations["name"] if "name" in substations.columns else pd.Series(substations.index.astype(str),
                                                                                      index=substations.index))
    sub_name = sub_name.fillna("").astype(str).to_numpy()
    land_geom = shapely.union_all(land.geometry.to_numpy()) if land is not None and len(land) else None
    cable = cost_of(costs, "submarine_cable")
    for kv in np.unique(req[~dist_level & ~np.isnan(req)]):
        rows = np.nonzero((req == kv) & ~dist_level)[0]
        ok = sub_kv >= kv
        note = ""
        if not ok.any():
            ok = sub_kv == sub_kv.max()
            note = f"no substation of {kv:g} kV or more: nearest of the highest voltage ({sub_kv.max():g} kV)"
        cand = np.nonzero(ok)[0]
        tree = shapely.STRtree(sub_geoms[cand])
        (src, dst), dist = tree.query_nearest(geoms[rows], return_distance=True, all_matches=False)
        for s, d, m in zip(src, dst, dist, strict=True):
            i = rows[s]
            j = cand[d]
            km = float(m) / 1000.0
            sea_km = 0.0
            if land_geom is not None and not geoms[i].intersects(land_geom):
                sea_km = min(float(shapely.distance(geoms[i], land_geom)) / 1000.0, km)
            line = cost_of(costs, _line_item(sub_kv[j]))
            cost = route * (sea_km * cable + (km - sea_km) * line)
            idx = sites.index[i]
            out.loc[idx, ["substation", "substation_voltage_kv", "grid_distance_km", "submarine_km",
                          "grid_cost_cny", "grid_note"]] = [sub_name[j], sub_kv[j], km, sea_km, cost, note]
    return out
