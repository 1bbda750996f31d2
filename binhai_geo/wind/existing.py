"""Existing and committed wind farms of the capacity ledger in the wake run, laid by a stated rule.

The runner hands the wind step the ledger's wind records that are installed or committed in the target
year (points with ``record_id``, ``name``, ``capacity_mw``, ``category``, ``surface``); this module turns
those without given turbine positions into turbines, so that one wake run
(:func:`binhai_geo.wind.fleet.fleet_energy`) counts their wakes on the new zones. The rule:

1. A record named by a given turbine's ``farm`` (its ``record_id`` or ``name``) is left out: its turbines
   are given.
2. Records at the same point (GEM puts several phases of a project on one point) form one farm of their
   summed capacity, named by their record ids.
3. A farm farther than ``wake_group_distance_m`` (``wind_parameters.csv``) from every wind zone of the
   run is left out: the run's wake truncation would not let it wake a zone.
4. Turbine and hub height by surface (offshore records: ``sea``, all others ``land``) from
   ``wind_registry_farms.csv`` (ASSUMPTIONS, sources in the table).
5. :func:`binhai_geo.wind.given.lay_registry_farm` lays n = round(capacity / rated power) turbines on
   a near-square grid centred on the point, rows across the sector carrying most wind energy at the
   farm, ``downwind_spacing_d`` x ``crosswind_spacing_d`` rotor diameters apart.

A registry point is often approximate: the layout is a stand-in of the right size and spacing, not the
farm's real positions. The farms' energy is context, reported apart (``wind_existing_farms``) and never
added to the new zones' potential.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import keyed, numeric_columns, packaged_table
from binhai_geo.factors import read_table as read_csv_table
from binhai_geo.notes import Note
from binhai_geo.wind.given import lay_registry_farm
from binhai_geo.wind.roses import prevailing_direction
from binhai_geo.wind.turbines import Turbine, check_hub_height, get_turbine

#: Columns the wind step reads from the ledger records it is handed.
RECORD_FIELDS = ("record_id", "name", "capacity_mw", "category", "surface")
#: Records closer than this are one farm [m] (GEM's shared points are identical; 1 m absorbs rounding).
SAME_POINT_M = 1.0
#: Radius of the footprint a farm's resource is read over (raster zonal means) [m].
FOOTPRINT_M = 1000.0
REGISTRY_FARM_COLUMNS = ("surface", "turbine_type", "hub_height_m", "source")
#: Layout label of registry farms' turbines.
REGISTRY_LAYOUT = "registry laid"


@dataclass
class LaidFarms:
    """Turbines of the registry farms (arrays over turbines) and one row per farm.

    Attributes
    ----------
    farms : geopandas.GeoDataFrame
        One point per farm: ``farm``, ``source`` (record ids), ``category``, ``surface``, ``capacity_mw``,
        ``owner`` and ``area`` (the records' owners and sub-districts, "" where they carry none).
    xy : numpy.ndarray
        Positions (n, 2) [m].
    farm_idx : numpy.ndarray of int
        Row of each turbine's farm in ``farms``.
    turbines : list of Turbine
        Turbine of each farm.
    hub_m : numpy.ndarray
        Hub height of each farm [m].
    rule : list of str
        Layout rule of each farm.
    """

    farms: gpd.GeoDataFrame
    xy: np.ndarray
    farm_idx: np.ndarray
    turbines: list[Turbine]
    hub_m: np.ndarray
    rule: list[str]


def registry_farm_table() -> pd.DataFrame:
    """Turbine and hub height per surface for registry farms (``wind_registry_farms.csv``), by surface."""
    p = packaged_table("wind_registry_farms.csv")
    df = read_csv_table(p, "wind registry farm table", REGISTRY_FARM_COLUMNS, keep_default_na=False, na_values=[""])
    numeric_columns(df, p, ["hub_height_m"])
    return keyed(df, df["surface"], str(p), "keep one row per surface")


def _named_by_given(records: gpd.GeoDataFrame, given: gpd.GeoDataFrame | None) -> np.ndarray:
    if given is None or len(given) == 0 or "farm" not in given.columns:
        return np.zeros(len(records), bool)
    names = {str(f).strip().lower() for f in given["farm"].dropna()}
    ids = records["record_id"].astype(str).str.strip().str.lower()
    nm = records["name"].fillna("").astype(str).str.strip().str.lower()
    return (ids.isin(names) | nm.isin(names)).to_numpy()


def _joined(records: pd.DataFrame, column: str) -> str:
    """Distinct non-empty values of an optional text column, ``; ``-joined ("" without the column)."""
    if column not in records.columns:
        return ""
    return "; ".join(dict.fromkeys(v.strip() for v in records[column] if isinstance(v, str) and v.strip()))


def select_farms(records: gpd.GeoDataFrame | None, zones: gpd.GeoDataFrame, given: gpd.GeoDataFrame | None,
                 distance_m: float) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """Registry farms to lay (rules 1-3 of the module docstring).

    Parameters
    ----------
    records : geopandas.GeoDataFrame or None
        Ledger wind records (installed or committed) with :data:`RECORD_FIELDS`, points.
    zones : geopandas.GeoDataFrame
        The run's wind zones, projected CRS.
    given : geopandas.GeoDataFrame, optional
        Given turbines (``farm`` names a record it lays).
    distance_m : float
        ``wake_group_distance_m`` [m].

    Returns
    -------
    (GeoDataFrame, list of str)
        One point per farm in the zones' CRS (``farm``, ``source``, ``category``, ``surface``,
        ``capacity_mw``) and notes.

    Raises
    ------
    WorkflowError
        Records without the fields :data:`RECORD_FIELDS` or without a CRS.
    """
    empty = gpd.GeoDataFrame({"farm": [], "source": [], "category": [], "surface": [], "capacity_mw": [],
                              "owner": [], "area": []},
                             geometry=gpd.GeoSeries([], crs=zones.crs), crs=zones.crs)
    if records is None or len(records) == 0:
        return empty, []
    missing = [c for c in RECORD_FIELDS if c not in records.columns]
    if missing or records.crs is None:
        raise WorkflowError(f"ledger records handed to the wind step lack {', '.join(missing) or 'a CRS'}",
                            hint="pass the capacity ledger's records (binhai_geo.accounting.plan.wake_neighbours)")
    rec = records.to_crs(zones.crs)
    rec = rec[~_named_by_given(rec, given)]
    rec = rec[rec["capacity_mw"].to_numpy(float) > 0]
    if len(rec) == 0:
        return empty, []
    xy = np.column_stack([rec.geometry.x, rec.geometry.y])
    key = np.round(xy / SAME_POINT_M).astype(np.int64)
    _, group = np.unique(key, axis=0, return_inverse=True)
    rows = []
    for g in np.unique(group):
        r = rec.iloc[np.flatnonzero(group.ravel() == g)]
        offshore = r["surface"].fillna("").astype(str).str.lower().eq("offshore").any()
        ids = "; ".join(r["record_id"].astype(str))
        names = list(dict.fromkeys(n for n in r["name"].fillna("").astype(str) if n))
        rows.append({"farm": "; ".join(names) if names else ids, "source": ids,
                     "category": "; ".join(sorted(set(r["category"].astype(str)))),
                     "surface": "sea" if offshore else "land",
                     "capacity_mw": float(r["capacity_mw"].astype(float).sum()),
                     "owner": _joined(r, "owner"), "area": _joined(r, "subdistrict"), "geometry": r.geometry.iloc[0]})
    farms = gpd.GeoDataFrame(rows, geometry="geometry", crs=zones.crs)
    zone_union = shapely.union_all(zones.geometry.to_numpy())
    near = shapely.dwithin(farms.geometry.to_numpy(), zone_union, distance_m)
    notes: list[Note] = []
    if (~near).any():
        notes.append(Note("wind.existing.far", {"n_farms": int((~near).sum()), "distance_km": distance_m / 1000}))
    return farms[near].reset_index(drop=True), notes


def footprints(farms: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Farm points as zones for the resource readers (a disc of :data:`FOOTPRINT_M`), ``layer_kind`` set."""
    return gpd.GeoDataFrame({"layer_kind": "registry_farm", "site_id": farms["source"].to_numpy()},
                            geometry=farms.geometry.buffer(FOOTPRINT_M).to_numpy(), crs=farms.crs,
                            index=pd.Index([f"registry:{s}" for s in farms["source"]]))


def lay_farms(farms: gpd.GeoDataFrame, rose: np.ndarray, a_sector: np.ndarray, params: dict[str, float]
              ) -> LaidFarms:
    """Lay each farm's turbines (rules 4-5 of the module docstring).

    Parameters
    ----------
    farms : geopandas.GeoDataFrame
        From :func:`select_farms`.
    rose, a_sector : numpy.ndarray
        Sector frequencies and Weibull A of each farm, shape (n_farms, n_sectors).
    params : dict
        ``wind_parameters.csv`` values (spacing in rotor diameters).

    Raises
    ------
    BinhaiGeoError
        A turbine of the table that is not in the library or fails the curve checks.
    """
    table = registry_farm_table()
    cache: dict[str, Turbine] = {}
    xy, idx, types, hubs, rules = [np.empty((0, 2))], [np.empty(0, int)], [], [], []
    for i, f in enumerate(farms.itertuples(index=False)):
        row = table.loc[f.surface]
        name = str(row["turbine_type"])
        if name not in cache:
            cache[name] = get_turbine(name, params, where="wind_registry_farms.csv")
        t, hub = cache[name], float(row["hub_height_m"])
        check_hub_height(t, hub, where=f"wind_registry_farms.csv ({f.surface})")
        d = t.rotor_diameter_m
        laid = lay_registry_farm(f.geometry.x, f.geometry.y, f.capacity_mw, t, hub_height_m=hub,
                                 downwind_m=params["downwind_spacing_d"] * d,
                                 crosswind_m=params["crosswind_spacing_d"] * d,
                                 direction_deg=prevailing_direction(rose[i], a_sector[i]), farm=f.farm,
                                 crs=farms.crs)
        xy.append(np.column_stack([laid.geometry.x, laid.geometry.y]))
        idx.append(np.full(len(laid), i))
        types.append(t)
        hubs.append(hub)
        rules.append(str(laid["layout_rule"].iloc[0]))
    return LaidFarms(farms, np.vstack(xy), np.concatenate(idx), types, np.array(hubs, float), rules)
