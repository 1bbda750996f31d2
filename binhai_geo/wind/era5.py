"""ERA5 hourly u100 / v100 netCDF series -> a sector-wise Weibull climate per zone.

The grid cell nearest to each zone's representative point is used (ERA5 cells are about 0.25 deg,
25-30 km, as large as the district: a simplification the notes state). Sector frequencies are the
share of hours per sector; Weibull A and k per sector by maximum likelihood
(:func:`binhai_geo.wind.sectors.fit_sectors`, ``scipy.stats.weibull_min.fit`` with location 0).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.notes import Note
from binhai_geo.wind.sectors import SectorWeibull, fit_sectors


def direction_from_uv(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Meteorological wind direction (where the wind blows from, degrees clockwise from north)."""
    return np.mod(np.degrees(np.arctan2(-np.asarray(u), -np.asarray(v))), 360.0)


def _coord(ds: object, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in ds.coords or n in getattr(ds, "dims", {})), None)


def era5_climates(path: Path, zones: gpd.GeoDataFrame, n_sectors: int = 12,
                  ) -> tuple[list[SectorWeibull], list[Note]]:
    """Sector-wise Weibull climate at 100 m of each zone from an ERA5 u100/v100 netCDF series.

    Parameters
    ----------
    path : pathlib.Path
        netCDF with variables ``u100``, ``v100`` [m/s] on ``latitude`` x ``longitude`` (x time).
    zones : geopandas.GeoDataFrame
        Zones in any CRS (their representative points are taken to EPSG:4326).
    n_sectors : int
        Direction sectors.

    Returns
    -------
    (list of SectorWeibull, list of binhai_geo.notes.Note)
        One climate per zone (zones in the same cell share it) and the run's notes.

    Raises
    ------
    WorkflowError
        Unreadable file, missing u100/v100, coordinates not found, or zones off the grid.
    """
    import xarray as xr

    try:
        ds = xr.open_dataset(path)
    except Exception as exc:  # xarray raises many types for unreadable files
        raise WorkflowError(f"cannot read the ERA5 netCDF: {exc}", file=str(path),
                            hint="give a netCDF with variables u100 and v100 (ERA5 single levels)") from None
    with ds:
        missing = [v for v in ("u100", "v100") if v not in ds.data_vars]
        if missing:
            raise WorkflowError(f"variable(s) {', '.join(missing)} not in the file; found "
                                f"{', '.join(map(str, ds.data_vars)) or 'none'}", file=str(path),
                                field=missing[0], hint="download ERA5 '100m u/v-component of wind'")
        lat = _coord(ds, ("latitude", "lat"))
        lon = _coord(ds, ("longitude", "lon"))
        if lat is None or lon is None:
            raise WorkflowError("no latitude/longitude coordinates", file=str(path),
                                hint="ERA5 files name them 'latitude' and 'longitude'")
        cent = zones.geometry.representative_point().to_crs("EPSG:4326")
        lats, lons = ds[lat].to_numpy(), ds[lon].to_numpy()
        lon_q = np.where((lons.max() > 180) & (cent.x.to_numpy() < 0), cent.x.to_numpy() + 360, cent.x.to_numpy())
        step = max(float(np.abs(np.diff(lats)).max()) if lats.size > 1 else 0.25,
                   float(np.abs(np.diff(lons)).max()) if lons.size > 1 else 0.25)
        out: list[SectorWeibull] = []
        cache: dict[tuple[int, int], SectorWeibull] = {}
        for zid, y, x in zip(zones.index, cent.y.to_numpy(), lon_q, strict=True):
            iy, ix = int(np.abs(lats - y).argmin()), int(np.abs(lons - x).argmin())
            if abs(lats[iy] - y) > step or abs(lons[ix] - x) > step:
                raise WorkflowError(f"zone centroid ({y:.3f} N, {x:.3f} E) is outside the ERA5 grid",
                                    file=str(path), feature=str(zid), hint="download ERA5 over the district")
            if (iy, ix) not in cache:
                cell = ds[["u100", "v100"]].isel({lat: iy, lon: ix})
                u = np.asarray(cell["u100"].to_numpy(), float).ravel()
                v = np.asarray(cell["v100"].to_numpy(), float).ravel()
                ok = np.isfinite(u) & np.isfinite(v)
                cache[(iy, ix)] = fit_sectors(
                    np.hypot(u[ok], v[ok]), direction_from_uv(u[ok], v[ok]), n_sectors, 100.0,
                    f"ERA5 u100/v100 ({path.name}), cell {lats[iy]:.2f} N {lons[ix]:.2f} E, Weibull MLE per sector")
            out.append(cache[(iy, ix)])
    return out, [Note("wind.resource.era5", {"file": path.name})]


def climates_frame(climates: list[SectorWeibull], index: pd.Index) -> pd.DataFrame:
    """Frequency-weighted summary of climates (``weibull_a_mps``, ``weibull_k``, height, source) per zone."""
    return pd.DataFrame({
        "weibull_a_mps": [float(np.sum(c.frequency * c.a_mps)) for c in climates],
        "weibull_k": [float(np.sum(c.frequency * c.k)) for c in climates],
        "reference_height_m": [c.height_m for c in climates],
        "resource_source": [c.source for c in climates],
    }, index=index)
