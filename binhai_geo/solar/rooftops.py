"""Rooftops: from building footprints to usable roof area, kWp and orientation.

A technical usable-area model (the structure of NREL's rooftop method, Gagnon et al. 2016, *Rooftop Solar
Photovoltaic Technical Potential in the United States*, NREL/TP-6A20-65298: roof planes by orientation,
edges and obstructions removed, a minimum array size), with its parameters by building class and roof type
in ``binhai_geo/data/rooftop_fractions.csv`` (value, range, unit, source: NREL dGen's 80% available commercial
roof, fire-code setbacks, single-plane pitched roofs, BFE's 10 m2 minimum; the flat-roof setback and the
factory and residential obstruction shares remain labelled assumptions; usable shares are checked against
published roof-availability figures in
``tests/solar/test_solar_rooftops.py``):

- **flat roofs** (``rooftop_flat``): the footprint shrunk inward by the edge setback
  (:func:`shapely.buffer` with a negative distance), times (1 - obstruction share of the class); south-facing
  racks in rows over that area, kWp = usable area x gcr x module efficiency x 1 kW/m2;
- **pitched roofs** (``rooftop_pitched``): the plane facing nearest to south: half the (set-back) footprint
  for a gable roof, a quarter for a near-square hipped roof, times (1 - obstruction share); modules on the
  plane, whose area is the plan area / cos(pitch), kWp = plane area x packing gcr x efficiency x 1 kW/m2. The
  roof faces the side of the footprint's minimum rotated rectangle nearest to south (ridge along the long
  side), the azimuth rounded to ``azimuth_step_deg`` so roofs share simulations. Grid north of the projected
  CRS is taken as true north (meridian convergence in Binhai is under 1 deg);
- a usable area below ``min_array_m2`` carries no system.

The NEA 2021 county-wide rooftop PV pilot's minimum shares (party and government >= 50%, public buildings
>= 40%, commercial and industrial >= 30%, rural homes >= 20%) are **policy floors**: the share of roofs the
pilot requires to carry PV, not a physical usable fraction. They are reported beside each building
(``pilot_min_share``, ``pilot_floor_m2`` = footprint x floor), never multiplied into the capacity.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.factors import packaged_table, read_table
from binhai_geo.layermodel import BUILDING_CLASSES
from binhai_geo.solar.archetypes import Archetype

FRACTIONS_TABLE = "rooftop_fractions.csv"
FRACTION_COLUMNS = ("building_class", "parameter", "value", "low", "high", "unit", "source")
#: Parameters of the usable-area model, each needed for every building class (directly or by a '*' row).
PARAMETERS = ("edge_setback_m", "obstruction_share", "plane_share_gable", "plane_share_hipped", "min_array_m2",
              "pilot_min_share")
#: Parameters that are shares (0-1).
SHARES = ("obstruction_share", "plane_share_gable", "plane_share_hipped", "pilot_min_share")
#: Footprints whose minimum rectangle is closer to a square than this aspect ratio have hipped roofs.
SQUARE_ASPECT = 1.2


def load_rooftop_fractions(path: str | Path | None = None) -> pd.DataFrame:
    """Return the usable-area parameters per building class (one column per parameter), indexed by class.

    The table is long (building_class, parameter, value, low, high, unit, source); a ``*`` class gives the
    value for every class without its own row.

    Raises
    ------
    WorkflowError
        For a missing column or parameter, an unknown parameter, a negative setback or a share outside 0-1.
    """
    p = Path(path) if path is not None else packaged_table(FRACTIONS_TABLE)
    df = read_table(p, "rooftop usable-area table", FRACTION_COLUMNS,
                    hint="see the packaged rooftop_fractions.csv (one row per building class and parameter)")
    unknown = sorted(set(df["parameter"]) - set(PARAMETERS))
    if unknown:
        raise WorkflowError(f"unknown parameter(s) {', '.join(unknown)}", file=str(p), field="parameter",
                            hint=f"use {', '.join(PARAMETERS)}")
    vals = pd.to_numeric(df["value"], errors="coerce")
    out = pd.DataFrame(index=pd.Index(BUILDING_CLASSES, name="building_class"))
    for name in PARAMETERS:
        rows = df[df["parameter"] == name]
        default = vals[rows.index[rows["building_class"] == "*"]]
        by_class = dict(zip(rows["building_class"], vals[rows.index], strict=True))
        col = [by_class.get(c, default.iloc[0] if len(default) else np.nan) for c in BUILDING_CLASSES]
        if np.isnan(col).any():
            missing = [c for c, v in zip(BUILDING_CLASSES, col, strict=True) if np.isnan(v)]
            raise WorkflowError(f"no value of '{name}' for building class(es) {', '.join(missing)}", file=str(p),
                                field="value", hint="add a row per class, or a row with building_class '*'")
        lo, hi = (0.0, 1.0) if name in SHARES else (0.0, 1e4)
        bad = [c for c, v in zip(BUILDING_CLASSES, col, strict=True) if not lo <= v <= hi]
        if bad:
            raise WorkflowError(f"'{name}' of '{bad[0]}' is outside {lo:g}-{hi:g}", file=str(p), field="value",
                                hint="shares are 0-1; setbacks and areas are metres and m2, not negative")
        out[name] = col
    return out


def roof_azimuth(geoms: np.ndarray, step_deg: float = 5.0) -> np.ndarray:
    """Azimuth [deg, 180 = south] of the roof slope facing nearest south, from footprint shapes.

    The ridge runs along the long side of the footprint's minimum rotated rectangle; the two slopes
    face perpendicular to it, and the one nearer to south is used. Rounded to ``step_deg``.
    """
    rect = shapely.oriented_envelope(geoms)
    coords = shapely.get_coordinates(shapely.get_exterior_ring(rect)).reshape(len(geoms), -1, 2)[:, :3, :]
    e1 = coords[:, 1] - coords[:, 0]
    e2 = coords[:, 2] - coords[:, 1]
    l1, l2 = np.hypot(*e1.T), np.hypot(*e2.T)
    long_edge = np.where((l1 >= l2)[:, None], e1, e2)
    short_edge = np.where((l1 >= l2)[:, None], e2, e1)

    def south_face(edge: np.ndarray) -> np.ndarray:
        ridge = np.degrees(np.arctan2(edge[:, 0], edge[:, 1]))  # bearing from north, clockwise
        face = (ridge + 90.0) % 180.0  # one of the two slope normals, in [0, 180)
        return np.where(face < 90.0, face + 180.0, face)  # the one in [90, 270): the southern half

    face = south_face(long_edge)
    # near-square footprints (hipped roofs): any of the four sides may carry a plane; take the most southern
    squareish = np.maximum(l1, l2) < SQUARE_ASPECT * np.minimum(l1, l2)
    other = south_face(short_edge)
    face = np.where(squareish & (np.abs(other - 180.0) < np.abs(face - 180.0)), other, face)
    return (np.round(face / step_deg) * step_deg) % 360.0


def rooftop_systems(
    roofs: gpd.GeoDataFrame,
    archetypes: dict[str, Archetype],
    fractions: pd.DataFrame,
    *,
    flat: str = "rooftop_flat",
    pitched: str = "rooftop_pitched",
    azimuth_step_deg: float = 5.0,
) -> pd.DataFrame:
    """Usable area, archetype, orientation and kWp of each building (the model of the module docstring).

    Parameters
    ----------
    roofs : geopandas.GeoDataFrame
        A validated ``rooftop`` layer in a projected CRS (index = feature ids).
    archetypes : dict
        Resolved archetypes.
    fractions : pandas.DataFrame
        From :func:`load_rooftop_fractions`.
    flat, pitched : str
        Archetype ids for flat and pitched roofs.
    azimuth_step_deg : float
        Rounding of pitched-roof azimuths [deg].

    Returns
    -------
    pandas.DataFrame
        Indexed like ``roofs``: footprint_m2, usable_m2 (plan area carrying modules), usable_fraction
        (usable over footprint, the technical share), archetype, tilt_deg, azimuth_deg, capacity_kwp,
        pilot_min_share and pilot_floor_m2 (the NEA pilot's policy floor: footprint x share).

    Raises
    ------
    LayerError
        For a layer in a geographic CRS or a footprint of zero area (naming its FID).
    """
    if roofs.crs is None or not roofs.crs.is_projected:
        raise LayerError("the rooftop layer must be in a projected CRS to measure roof areas",
                         layer="rooftop", hint="reproject to the analysis CRS (e.g. EPSG:4527)")
    geoms = np.asarray(roofs.geometry.array, dtype=object)
    area = shapely.area(geoms)
    zero = ~(area >= 1.0)
    if zero.any():
        raise LayerError(f"{int(zero.sum())} footprint(s) have zero area (under 1 m2)", layer="rooftop",
                         feature=roofs.index[zero][0], hint="delete or redraw these footprints")
    par = fractions.reindex(roofs["building_class"].to_numpy())
    is_pitched = (roofs["roof_type"] == "pitched").to_numpy()
    a_flat, a_pitch = archetypes[flat], archetypes[pitched]
    tilt = np.where(is_pitched, a_pitch.tilt_deg, a_flat.tilt_deg)
    azim = np.full(len(roofs), a_flat.azimuth_deg)
    if is_pitched.any():
        if a_pitch.orientation == "roof_plane":
            azim[is_pitched] = roof_azimuth(geoms[is_pitched], azimuth_step_deg)
        else:
            azim[is_pitched] = a_pitch.azimuth_deg
    inner = shapely.area(shapely.buffer(geoms, -par["edge_setback_m"].to_numpy(), join_style="mitre"))
    rect = shapely.oriented_envelope(geoms)
    edges = np.diff(shapely.get_coordinates(shapely.get_exterior_ring(rect)).reshape(len(geoms), -1, 2)[:, :3, :],
                    axis=1)
    lengths = np.hypot(edges[..., 0], edges[..., 1])
    hipped = lengths.max(axis=1) < SQUARE_ASPECT * np.maximum(lengths.min(axis=1), 1e-9)
    plane_share = np.where(hipped, par["plane_share_hipped"], par["plane_share_gable"])
    usable = inner * (1.0 - par["obstruction_share"].to_numpy()) * np.where(is_pitched, plane_share, 1.0)
    usable = np.where(usable >= par["min_array_m2"].to_numpy(), usable, 0.0)
    plane = np.where(is_pitched, usable / np.cos(np.radians(tilt)), usable)
    gcr = np.where(is_pitched, a_pitch.gcr, a_flat.gcr)
    eff = np.where(is_pitched, a_pitch.module_efficiency, a_flat.module_efficiency)
    kwp = plane * gcr * eff * 1.0  # 1 kW/m2 at STC
    floor = par["pilot_min_share"].to_numpy()
    return pd.DataFrame({
        "footprint_m2": area, "usable_m2": usable, "usable_fraction": usable / area,
        "archetype": np.where(is_pitched, pitched, flat), "tilt_deg": tilt, "azimuth_deg": azim,
        "capacity_kwp": kwp, "pilot_min_share": floor, "pilot_floor_m2": area * floor,
    }, index=roofs.index)
