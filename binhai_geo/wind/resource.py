"""Wind resource per zone: Weibull A and k at a reference height, a wind rose, and hub-height scaling.

Three sources, in the order a planner usually has them:

1. **Region default** (``binhai_geo/data/wind_resource.csv`` and ``wind_rose.csv``): Weibull A, k at
   100 m and the ambient turbulence intensity per surface (sea, tidal flat, land) under a region label.
   These are ASSUMPTIONS (no sourced Weibull figures for Bohai Bay were found) and every run using them
   says so in its notes.
2. **Global Wind Atlas GeoTIFFs** the user supplies (``*Weibull-A_100m.tif``, ``*Weibull-k_100m.tif``
   and/or ``*wind-speed_100m.tif``): read with rioxarray; a raster in another CRS than the analysis CRS is
   reprojected (bilinear) and the notes say so; zonal means with exactextract (coverage-weighted; line
   zones are buffered by :data:`LINE_BUFFER_M` first). A mean-speed raster without A gives
   A = mean / Gamma(1 + 1/k) with k from the k raster or the region default.
3. **ERA5 hourly u100/v100 netCDF** the user supplies: the grid cell nearest to each zone's centroid;
   Weibull A, k fitted by maximum likelihood (``scipy.stats.weibull_min.fit`` with location 0) and the
   wind rose counted from the wind directions.

Hub-height scaling uses windpowerlib's logarithmic profile
(:func:`windpowerlib.wind_speed.logarithmic_profile`) applied to the Weibull scale A with the roughness
length of the zone's surface (``wind_roughness.csv``); k is kept (a simplification: k changes little
between 100 m and typical hub heights over smooth surfaces, Justus and Mikhail 1976).
Air density stays at the power curves' 1.225 kg/m3 (see ``wind_parameters.csv``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.io import read_raster
from binhai_geo.layermodel import bound, implausible
from binhai_geo.wind.tables import read_table

#: Line zones (breakwaters) are buffered by this much before raster zonal statistics [m].
LINE_BUFFER_M = 250.0

#: Sectors of a wind rose built from a time series.
N_SECTORS = 12

RESOURCE_COLUMNS = ("region", "surface", "parameter", "value", "low", "high", "unit", "source")
RESOURCE_PARAMETERS = ("weibull_a_mps", "weibull_k", "reference_height_m", "turbulence_intensity")


@dataclass
class ZoneResource:
    """The wind resource of each zone, at its reference height.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per zone (same index as the zones): ``weibull_a_mps``, ``weibull_k``,
        ``reference_height_m``, ``turbulence_intensity``, ``resource_source``.
    rose : numpy.ndarray
        Sector frequencies, shape (n_zones, n_sectors), each row summing to 1; sector i is centred on
        i x 360 / n_sectors degrees (direction the wind blows from).
    notes : list of str
        What the run should say about the resource (assumptions, reprojections).
    inputs : list of pathlib.Path
        Files read.
    """

    table: pd.DataFrame
    rose: np.ndarray
    notes: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)


def check_weibull(a: np.ndarray, k: np.ndarray, where: list[str] | None = None, file: str | None = None) -> None:
    """Raise for a Weibull scale or shape that is not a positive finite number.

    Raises
    ------
    WorkflowError
        Naming the first bad zone.
    """
    a = np.asarray(a, dtype=float)
    k = np.asarray(k, dtype=float)
    for name, arr, unit in (("Weibull k", k, ""), ("Weibull A", a, " m/s")):
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            zone = where[i] if where is not None else None
            raise WorkflowError(f"{name} must be > 0, got {arr.flat[i]}{unit}", file=file, feature=zone,
                                field="weibull_k" if name.endswith("k") else "weibull_a_mps",
                                hint="a Weibull shape k is typically 1.5-3 and the scale A a few m/s; "
                                "check the resource data")
    for quantity, arr, column, label in (("weibull_k", k, "weibull_k", "Weibull k"),
                                         ("weibull_a_mps", a, "weibull_a_mps", "Weibull A")):
        why = implausible(quantity, arr, label)  # bounds and unit mix-ups: binhai_geo/data/plausibility_bounds.csv
        if why:
            b = bound(quantity)
            i = int(np.flatnonzero((arr < b.low) | (arr > b.high))[0])
            raise WorkflowError(why, file=file, feature=where[i] if where is not None else None, field=column,
                                hint="check the unit of the resource data and that integer rasters carry their scale")


def weibull_mean(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mean of a Weibull distribution, A x Gamma(1 + 1/k) [m/s]."""
    from scipy.special import gamma

    return np.asarray(a) * gamma(1.0 + 1.0 / np.asarray(k))


def fit_weibull(speed: np.ndarray) -> tuple[float, float]:
    """Fit Weibull A [m/s] and k to wind speeds by maximum likelihood (location fixed at 0).

    Uses :func:`scipy.stats.weibull_min.fit`; calm hours (speed 0) are left out of the fit, as the
    two-parameter Weibull has no mass at 0 (their share is a few per mille at 100 m).

    Raises
    ------
    WorkflowError
        With fewer than 100 positive values.
    """
    from scipy.stats import weibull_min

    s = np.asarray(speed, dtype=float)
    s = s[np.isfinite(s) & (s > 0)]
    if s.size < 100:
        raise WorkflowError(f"only {s.size} usable wind speeds to fit a Weibull distribution (need >= 100)",
                            hint="give a longer series (a year of hourly ERA5 values)")
    k, _, a = weibull_min.fit(s, floc=0)
    return float(a), float(k)


def direction_from_uv(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Meteorological wind direction (where the wind blows from, degrees clockwise from north)."""
    return np.mod(np.degrees(np.arctan2(-np.asarray(u), -np.asarray(v))), 360.0)


def sector_frequencies(direction_deg: np.ndarray, n_sectors: int = N_SECTORS) -> np.ndarray:
    """Share of directions in each sector; sector i is centred on i x 360 / n_sectors degrees."""
    width = 360.0 / n_sectors
    idx = np.floor(np.mod(np.asarray(direction_deg) + width / 2, 360.0) / width).astype(int) % n_sectors
    counts = np.bincount(idx, minlength=n_sectors).astype(float)
    return counts / counts.sum()


def hub_scale(a_ref: np.ndarray, reference_height_m: np.ndarray, hub_height_m: np.ndarray,
              roughness_m: np.ndarray) -> np.ndarray:
    """Weibull scale A at hub height by windpowerlib's logarithmic profile [m/s].

    The log law scales every speed of the distribution by the same factor, so it scales A and keeps k.
    """
    from windpowerlib.wind_speed import logarithmic_profile

    a_ref, h_ref, hub, z0 = np.broadcast_arrays(np.asarray(a_ref, float), np.asarray(reference_height_m, float),
                                                np.asarray(hub_height_m, float), np.asarray(roughness_m, float))
    out = np.empty(a_ref.shape)
    for h in np.unique(h_ref):  # windpowerlib takes one data height per call
        sel = h_ref == h
        out[sel] = logarithmic_profile(a_ref[sel], float(h), hub[sel], z0[sel])
    return out


# --------------------------------------------------------------------------------------------------
# region default
# --------------------------------------------------------------------------------------------------

def resource_table(region: str, path: str | Path | None = None) -> pd.DataFrame:
    """Weibull A, k, reference height and turbulence intensity per surface for a region label.

    Parameters
    ----------
    region : str
        Region label (column ``region`` of the table).
    path : path-like, optional
        A user table with the packaged table's columns; default the packaged ASSUMPTION table.

    Returns
    -------
    pandas.DataFrame
        Indexed by surface; columns :data:`RESOURCE_PARAMETERS` and ``source``.

    Raises
    ------
    WorkflowError
        Unknown region label, missing parameter, or a Weibull k <= 0.
    """
    df = read_table("wind_resource.csv", RESOURCE_COLUMNS, path)
    file = df.attrs["path"]
    sel = df[df["region"] == region]
    if sel.empty:
        raise WorkflowError(f"no wind resource rows for region '{region}'; regions in the table: "
                            f"{', '.join(sorted(df['region'].unique()))}", file=file, field="region",
                            hint="set [wind] resource_region, or give your own resource ([wind] resource)")
    wide = sel.pivot_table(index="surface", columns="parameter", values="value", aggfunc="first")
    missing = [p for p in RESOURCE_PARAMETERS if p not in wide.columns]
    if missing or wide[list(RESOURCE_PARAMETERS)].isna().any().any():
        raise WorkflowError(f"region '{region}' lacks parameter(s) {', '.join(missing) or 'for some surface'}",
                            file=file, field="parameter",
                            hint=f"give every surface the parameters {', '.join(RESOURCE_PARAMETERS)}")
    check_weibull(wide["weibull_a_mps"], wide["weibull_k"], list(wide.index), file)
    src = sel[sel["parameter"] == "weibull_a_mps"].set_index("surface")["source"]
    wide["source"] = src.reindex(wide.index).to_numpy()
    wide.attrs["path"] = file
    return wide


def wind_rose(region: str, path: str | Path | None = None) -> np.ndarray:
    """Sector frequencies of a region label (``wind_rose.csv``), in sector order, summing to 1.

    Raises
    ------
    WorkflowError
        Unknown region, negative frequency or a sum not near 1.
    """
    df = read_table("wind_rose.csv", ("region", "sector_deg", "value", "unit", "source"), path)
    sel = df[df["region"] == region].sort_values("sector_deg")
    if sel.empty:
        raise WorkflowError(f"no wind rose for region '{region}'", file=df.attrs["path"],
                            hint="set [wind] resource_region or [wind] wind_rose")
    f = sel["value"].to_numpy(float)
    n = len(f)
    expected = np.arange(n) * 360.0 / n
    if (f < 0).any() or abs(f.sum() - 1) > 0.01 or not np.allclose(sel["sector_deg"].to_numpy(float), expected):
        raise WorkflowError(f"wind rose of '{region}' must have {n} equal sectors from 0 deg with frequencies "
                            f">= 0 summing to 1 (sum {f.sum():.3f})", file=df.attrs["path"], field="value",
                            hint="correct the sector frequencies")
    return f / f.sum()


# --------------------------------------------------------------------------------------------------
# Global Wind Atlas GeoTIFFs
# --------------------------------------------------------------------------------------------------

_GWA_ROLES = {
    "a": re.compile(r"weibull[-_ ]?a(?![a-z])", re.I),
    "k": re.compile(r"weibull[-_ ]?k(?![a-z])", re.I),
    "speed": re.compile(r"wind[-_ ]?speed|mean[-_ ]?speed|ws[-_]?mean", re.I),
}


def gwa_files(path: Path) -> dict[str, Path]:
    """Sort Global Wind Atlas GeoTIFFs of a folder (or one file) into roles ``a``, ``k``, ``speed``.

    Raises
    ------
    WorkflowError
        When no file matches a role, or two files match the same role.
    """
    files = sorted(path.glob("*.tif")) + sorted(path.glob("*.tiff")) if path.is_dir() else [path]
    roles: dict[str, Path] = {}
    for f in files:
        for role, pat in _GWA_ROLES.items():
            if pat.search(f.name):
                if role in roles:
                    raise WorkflowError(f"two GeoTIFFs for the same layer: '{roles[role].name}' and '{f.name}'",
                                        file=str(path), hint="keep one file per layer in the folder")
                roles[role] = f
                break
    if "a" not in roles and "speed" not in roles:
        raise WorkflowError("no Global Wind Atlas layer recognised (file names must contain 'Weibull-A', "
                            "'Weibull-k' or 'wind-speed', as GWA names them)", file=str(path),
                            hint="e.g. CHN_combined-Weibull-A_100m.tif and CHN_combined-Weibull-k_100m.tif")
    return roles


def _height_of(files: dict[str, Path], height_m: float | None) -> float:
    heights = set()
    for f in files.values():
        m = re.search(r"(\d+(?:\.\d+)?)\s*m(?![a-z])", f.stem, re.I)
        if m:
            heights.add(float(m.group(1)))
    if len(heights) > 1:
        raise WorkflowError(f"GeoTIFFs at different heights {sorted(heights)} m", file=str(next(iter(files.values()))),
                            hint="give the A, k and speed layers of one height")
    if heights:
        return heights.pop()
    if height_m is None:
        raise WorkflowError("the GeoTIFF names do not say their height (e.g. '_100m')",
                            file=str(next(iter(files.values()))), hint="set [wind] resource_height_m")
    return float(height_m)


def zonal_mean(path: Path, zones: gpd.GeoDataFrame) -> tuple[np.ndarray, str | None]:
    """Coverage-weighted mean of a single-band raster over each zone (exactextract).

    A raster in another CRS than the zones is reprojected (bilinear) to the zones' CRS with rioxarray;
    the returned note says so. Line zones are buffered by :data:`LINE_BUFFER_M`.

    Returns
    -------
    (numpy.ndarray, str or None)
        Mean per zone (NaN where the raster has no data) and a note when a reprojection was made.

    Raises
    ------
    LayerError
        Unreadable raster or a raster without CRS.
    """
    from exactextract import exact_extract
    from rasterio.enums import Resampling

    da = read_raster(path)  # scale/offset applied (GWA Int16 x 0.01), one band, CRS present
    note = None
    if da.rio.crs != zones.crs:
        note = (f"{path.name}: raster CRS {da.rio.crs.to_string()} reprojected (bilinear) to {zones.crs.to_string()} "
                f"for zonal means (栅格已重投影)")
        da = da.rio.reproject(zones.crs, resampling=Resampling.bilinear)
    geom = zones.geometry
    is_line = geom.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if is_line.any():
        geom = geom.copy()
        geom[is_line] = geom[is_line].buffer(LINE_BUFFER_M)
    vec = gpd.GeoDataFrame({"zone": np.arange(len(zones))}, geometry=geom.to_numpy(), crs=zones.crs)
    res = exact_extract(da, vec, "mean", include_cols=["zone"], output="pandas")
    out = np.full(len(zones), np.nan)
    out[res["zone"].to_numpy(int)] = pd.to_numeric(res["mean"], errors="coerce").to_numpy(float)
    return out, note


def gwa_resource(path: Path, zones: gpd.GeoDataFrame, k_default: np.ndarray, height_m: float | None = None,
                 ) -> tuple[pd.DataFrame, list[str], list[Path]]:
    """Weibull A, k per zone from Global Wind Atlas GeoTIFFs.

    Parameters
    ----------
    path : pathlib.Path
        A folder of GeoTIFFs or one GeoTIFF.
    zones : geopandas.GeoDataFrame
        Zones (polygons or lines) in the analysis CRS.
    k_default : numpy.ndarray
        Region-default k per zone, used when only a mean-speed raster is given.
    height_m : float, optional
        Height of the layers when the file names do not say.

    Returns
    -------
    (DataFrame, notes, inputs)
        Columns ``weibull_a_mps``, ``weibull_k``, ``reference_height_m``, ``resource_source``.

    Raises
    ------
    WorkflowError
        A zone the rasters do not cover, or a non-positive k.
    """
    files = gwa_files(path)
    height = _height_of(files, height_m)
    notes: list[str] = []
    vals = {}
    for role, f in files.items():
        vals[role], note = zonal_mean(f, zones)
        if note:
            notes.append(note)
    if "k" in vals:
        k = vals["k"]
    else:
        k = np.asarray(k_default, float)
        notes.append("Global Wind Atlas: no Weibull-k layer; k from the region default (an assumption) "
                     "(未提供k栅格，采用区域默认值).")
    if "a" in vals:
        a = vals["a"]
    else:
        a = vals["speed"] / np.asarray(_gamma1(k))
        notes.append("Global Wind Atlas: A = mean speed / Gamma(1 + 1/k) from the mean-speed layer.")
    ids = [str(i) for i in zones.index]
    gap = ~np.isfinite(a) | ~np.isfinite(k)
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        raise WorkflowError("the GeoTIFFs have no data over this zone", file=str(path), feature=ids[i],
                            hint="give rasters covering every wind zone")
    check_weibull(a, k, ids, str(path))
    table = pd.DataFrame({"weibull_a_mps": a, "weibull_k": k, "reference_height_m": height,
                          "resource_source": f"Global Wind Atlas GeoTIFFs ({path.name}, {height:g} m)"},
                         index=zones.index)
    return table, notes, list(files.values())


def _gamma1(k: np.ndarray) -> np.ndarray:
    from scipy.special import gamma

    return gamma(1.0 + 1.0 / np.asarray(k, float))


# --------------------------------------------------------------------------------------------------
# ERA5 u100 / v100
# --------------------------------------------------------------------------------------------------

def _coord(ds: object, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in ds.coords or n in getattr(ds, "dims", {})), None)


def era5_resource(path: Path, zones: gpd.GeoDataFrame, n_sectors: int = N_SECTORS,
                  ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Weibull A, k (100 m) and wind rose per zone from an ERA5 u100/v100 netCDF series.

    The grid cell nearest to each zone's centroid is used (ERA5 cells are about 0.25 deg, 25-30 km,
    as large as the district: a simplification the notes state). A, k: maximum-likelihood fit
    (:func:`fit_weibull`); rose: share of hours per sector.

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
        rows, roses = [], []
        cache: dict[tuple[int, int], tuple[float, float, np.ndarray]] = {}
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
                speed = np.hypot(u[ok], v[ok])
                a, k = fit_weibull(speed)
                cache[(iy, ix)] = (a, k, sector_frequencies(direction_from_uv(u[ok], v[ok]), n_sectors))
            a, k, rose = cache[(iy, ix)]
            rows.append({"weibull_a_mps": a, "weibull_k": k, "reference_height_m": 100.0,
                         "resource_source": f"ERA5 u100/v100 ({path.name}), cell {lats[iy]:.2f} N "
                                            f"{lons[ix]:.2f} E, Weibull MLE fit"})
            roses.append(rose)
    note = (f"Wind resource from ERA5 ({path.name}): nearest 0.25-degree cell per zone, Weibull fitted by maximum "
            "likelihood (scipy); ERA5 underestimates coastal variability at this resolution "
            "(风资源来自ERA5再分析数据，最近网格点，极大似然拟合威布尔参数).")
    return pd.DataFrame(rows, index=zones.index), np.array(roses), [note]


# --------------------------------------------------------------------------------------------------
# one entry point
# --------------------------------------------------------------------------------------------------

def zone_resource(zones: gpd.GeoDataFrame, surfaces: np.ndarray, *, resource: str = "default",
                  region: str = "binhai", base_dir: Path | None = None, height_m: float | None = None,
                  rose: list[float] | None = None) -> ZoneResource:
    """Return the wind resource of each zone from the source named by ``resource``.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Wind zones (polygons or lines) in the analysis (projected) CRS.
    surfaces : numpy.ndarray of str
        Surface class of each zone (``sea``, ``tidal_flat``, ``land``).
    resource : str
        ``"default"`` or a path: ``.nc`` (ERA5), ``.csv`` (a table like ``wind_resource.csv``), a
        ``.tif`` or a folder of GeoTIFFs (Global Wind Atlas).
    region : str
        Region label of the default tables (also used from a user CSV).
    base_dir : pathlib.Path, optional
        Folder relative paths are resolved against.
    height_m : float, optional
        Height of GeoTIFF layers whose names do not say.
    rose : list of float, optional
        Sector frequencies overriding the default / ERA5 rose.

    Raises
    ------
    WorkflowError
        Missing file, unknown format, bad values (k <= 0 ...).
    """
    surfaces = np.asarray(surfaces, dtype=object)
    default = resource_table(region)
    unknown = sorted(set(surfaces) - set(default.index))
    if unknown:
        raise WorkflowError(f"no default resource for surface(s) {', '.join(unknown)}",
                            file=default.attrs["path"], hint="use surfaces sea, tidal_flat, land")
    base = default.loc[surfaces]
    ti = base["turbulence_intensity"].to_numpy(float)
    notes: list[str] = []
    inputs: list[Path] = []
    n_z = len(zones)
    if resource == "default":
        table = pd.DataFrame({
            "weibull_a_mps": base["weibull_a_mps"].to_numpy(float),
            "weibull_k": base["weibull_k"].to_numpy(float),
            "reference_height_m": base["reference_height_m"].to_numpy(float),
            "resource_source": [f"region default '{region}' ({s}), ASSUMPTION" for s in surfaces],
        }, index=zones.index)
        f = wind_rose(region)
        roses = np.tile(f, (n_z, 1))
        notes.append(f"Wind resource: labelled region default '{region}' (Weibull A, k at 100 m per surface and a "
                     "12-sector wind rose) is an ASSUMPTION until real data are given ([wind] resource = Global Wind "
                     "Atlas GeoTIFFs or ERA5 u100/v100) (风资源为区域默认假设值，待替换为实测或再分析数据).")
    else:
        p = Path(resource)
        if not p.is_absolute() and base_dir is not None:
            p = (base_dir / p).resolve()
        if not p.exists():
            raise WorkflowError(f"wind resource '{p}' does not exist", field="wind.resource",
                                hint="give 'default', an ERA5 .nc, a resource .csv, or a GeoTIFF file or folder")
        suffix = p.suffix.lower()
        if suffix == ".nc":
            table, roses, notes = era5_resource(p, zones)
            inputs.append(p)
        elif suffix == ".csv":
            user = resource_table(region, p)
            miss = sorted(set(surfaces) - set(user.index))
            if miss:
                raise WorkflowError(f"the table has no rows for surface(s) {', '.join(miss)} of region '{region}'",
                                    file=str(p), field="surface", hint="add rows for every wind surface")
            u = user.loc[surfaces]
            ti = u["turbulence_intensity"].to_numpy(float)
            table = pd.DataFrame({"weibull_a_mps": u["weibull_a_mps"].to_numpy(float),
                                  "weibull_k": u["weibull_k"].to_numpy(float),
                                  "reference_height_m": u["reference_height_m"].to_numpy(float),
                                  "resource_source": f"user table {p.name} ('{region}')"}, index=zones.index)
            roses = np.tile(wind_rose(region), (n_z, 1))
            inputs.append(p)
            notes.append(f"Wind resource from the user table {p.name}; wind rose from the region default '{region}' "
                         "(an assumption) unless [wind] wind_rose is given.")
        elif suffix in (".tif", ".tiff") or p.is_dir():
            table, notes, inputs = gwa_resource(p, zones, base["weibull_k"].to_numpy(float), height_m)
            roses = np.tile(wind_rose(region), (n_z, 1))
            notes.append(f"Wind resource from Global Wind Atlas GeoTIFFs ({p.name}), zonal means with exactextract; "
                         f"the wind rose is the region default '{region}' (an assumption) unless [wind] wind_rose "
                         "is given; turbulence intensity from the region default.")
        else:
            raise WorkflowError(f"unknown wind resource format '{p.suffix}'", file=str(p), field="wind.resource",
                                hint="give an ERA5 .nc, a resource .csv, or a GeoTIFF file or folder")
    if rose is not None:
        roses = np.tile(np.asarray(rose, float) / float(np.sum(rose)), (n_z, 1))
        notes.append(f"Wind rose from the workflow ([wind] wind_rose, {len(rose)} sectors).")
    table["turbulence_intensity"] = ti
    check_weibull(table["weibull_a_mps"], table["weibull_k"], [str(i) for i in zones.index])
    return ZoneResource(table, roses, notes, inputs)


def prevailing_direction(rose: np.ndarray) -> float:
    """Centre of the most frequent sector of a rose [deg from north, wind blowing from]."""
    f = np.asarray(rose, float)
    return float(np.argmax(f) * 360.0 / f.size)


def describe(a: float, k: float) -> str:
    """Short text of a Weibull distribution with its mean."""
    return f"A {a:.2f} m/s, k {k:.2f}, mean {a * math.gamma(1 + 1 / k):.2f} m/s"
