"""Rooftops: from building footprints to usable roof area, kWp and orientation.

Usable roof area = footprint area x the usable fraction of the building's class
(``binhai_geo/data/rooftop_fractions.csv``: the minimum shares of China's 2021 county-wide rooftop PV pilot,
party and government >= 50%, schools and hospitals >= 40%, commercial and industrial >= 30%, rural
homes >= 20%). Then, by roof type:

- flat roofs (``rooftop_flat``): south-facing racks; kWp = usable area x gcr x module efficiency x 1 kW/m2;
- pitched roofs (``rooftop_pitched``): modules on the roof plane; the plane's area is the usable
  footprint / cos(pitch), kWp = that x packing gcr x efficiency x 1 kW/m2. The roof faces the side of the
  footprint's minimum rotated rectangle nearest to south (ridge along the long side; near-square footprints
  are taken as hipped roofs, any side may carry a plane), the azimuth rounded
  to ``azimuth_step_deg`` so roofs share simulations. Grid north of the projected CRS is taken as true
  north (meridian convergence in Binhai is under 1 deg).
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
#: Footprints whose minimum rectangle is closer to a square than this aspect ratio have hipped roofs.
SQUARE_ASPECT = 1.2


def load_rooftop_fractions(path: str | Path | None = None) -> pd.DataFrame:
    """Return the usable-roof fraction per building class (value, low, high, source), indexed by class.

    Raises
    ------
    WorkflowError
        For a missing class or column, or a fraction outside 0-1.
    """
    p = Path(path) if path is not None else packaged_table(FRACTIONS_TABLE)
    df = read_table(p, "rooftop fraction table", ("building_class", "value", "low", "high", "source"),
                    hint="see the packaged rooftop_fractions.csv").set_index("building_class")
    missing = [c for c in BUILDING_CLASSES if c not in df.index]
    if missing:
        raise WorkflowError(f"no fraction for building class(es) {', '.join(missing)}", file=str(p),
                            field="building_class", hint="add a row per class")
    bad = ~df["value"].between(0, 1)
    if bad.any():
        raise WorkflowError(f"usable fraction of '{df.index[bad][0]}' is {df['value'][bad].iloc[0]}, not 0-1",
                            file=str(p), field="value", hint="give a share between 0 and 1")
    return df


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
    """Usable area, archetype, orientation and kWp of each building.

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
        Indexed like ``roofs``: footprint_m2, usable_fraction, usable_m2, archetype, tilt_deg,
        azimuth_deg, capacity_kwp.

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
    frac = fractions["value"].reindex(roofs["building_class"].to_numpy()).to_numpy(dtype=float)
    is_pitched = (roofs["roof_type"] == "pitched").to_numpy()
    a_flat, a_pitch = archetypes[flat], archetypes[pitched]
    tilt = np.where(is_pitched, a_pitch.tilt_deg, a_flat.tilt_deg)
    azim = np.full(len(roofs), a_flat.azimuth_deg)
    if is_pitched.any():
        if a_pitch.orientation == "roof_plane":
            azim[is_pitched] = roof_azimuth(geoms[is_pitched], azimuth_step_deg)
        else:
            azim[is_pitched] = a_pitch.azimuth_deg
    usable = area * frac
    plane = np.where(is_pitched, usable / np.cos(np.radians(tilt)), usable)
    gcr = np.where(is_pitched, a_pitch.gcr, a_flat.gcr)
    eff = np.where(is_pitched, a_pitch.module_efficiency, a_flat.module_efficiency)
    kwp = plane * gcr * eff * 1.0  # 1 kW/m2 at STC
    return pd.DataFrame({
        "footprint_m2": area, "usable_fraction": frac, "usable_m2": usable,
        "archetype": np.where(is_pitched, pitched, flat), "tilt_deg": tilt, "azimuth_deg": azim,
        "capacity_kwp": kwp,
    }, index=roofs.index)
