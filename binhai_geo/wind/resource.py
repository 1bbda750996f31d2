"""Wind resource per zone: a sector-wise Weibull climate (frequency, A, k per sector) and hub-height scaling.

Every source gives, per zone, S direction sectors with a frequency and a Weibull A and k each:

1. **Region default** (``binhai_geo/data/wind_resource.csv`` and ``wind_rose.csv``): Weibull A, k at
   100 m and the ambient turbulence intensity per surface (sea, tidal flat, land), a 12-sector rose and a
   Weibull A ratio per sector, under a region label. These are ASSUMPTIONS built from published Bohai
   climatology (sources in the tables) and every run using them says so in its notes.
2. **WAsP files** consultants deliver: an observed wind climate ``.tab`` or a generalised wind climate
   ``.lib`` (:mod:`binhai_geo.wind.sectors`), and **sector CSV** tables.
3. **Global Wind Atlas GeoTIFFs** the user supplies (``*Weibull-A_100m.tif``, ``*Weibull-k_100m.tif``
   and/or ``*wind-speed_100m.tif``): read with rioxarray; a raster in another CRS than the analysis CRS is
   reprojected (bilinear) and the notes say so; zonal means with exactextract (coverage-weighted; line
   zones are buffered by :data:`LINE_BUFFER_M` first). A mean-speed raster without A gives
   A = mean / Gamma(1 + 1/k) with k from the k raster or the region default. The same A, k in every
   sector, with the region's rose (or ``[wind] wind_rose``).
4. **ERA5 hourly u100/v100 netCDF** the user supplies (:mod:`binhai_geo.wind.era5`): the grid cell
   nearest to each zone; frequency and Weibull A, k per sector fitted by maximum likelihood.

Hub-height scaling uses windpowerlib's logarithmic profile
(:func:`windpowerlib.wind_speed.logarithmic_profile`) applied to each sector's Weibull scale A with the
roughness length of the zone's surface (``wind_roughness.csv``); k is kept (a simplification: k changes
little between 100 m and typical hub heights over smooth surfaces, Justus and Mikhail 1976).
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
from binhai_geo.factors import read_table as read_csv_table
from binhai_geo.io import read_raster
from binhai_geo.layermodel import bound, implausible
from binhai_geo.notes import Note
from binhai_geo.wind.era5 import climates_frame, era5_climates
from binhai_geo.wind.sectors import (
    SECTOR_CSV_COLUMNS,
    SectorWeibull,
    check_sectors,
    read_lib,
    read_sector_csv,
    read_tab,
)
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
    a_sector, k_sector : numpy.ndarray
        Weibull A [m/s] at the reference height and k per zone and sector, shape (n_zones, n_sectors).
        ``table``'s ``weibull_a_mps`` and ``weibull_k`` are their frequency-weighted means.
    notes : list of binhai_geo.notes.Note
        What the run should say about the resource (assumptions, reprojections).
    inputs : list of pathlib.Path
        Files read.
    """

    table: pd.DataFrame
    rose: np.ndarray
    a_sector: np.ndarray
    k_sector: np.ndarray
    notes: list[Note] = field(default_factory=list)
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


def wind_rose(region: str, path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sector frequencies and sector speed ratios of a region label (``wind_rose.csv``), in sector order.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Frequencies summing to 1, and the ratio of each sector's Weibull A to the surface's A (column
        ``a_ratio``, 1 when absent), normalised so that sum(f x ratio) = 1 (the all-sector A is kept).

    Raises
    ------
    WorkflowError
        Unknown region, negative frequency or a sum not near 1, unequal sectors, a ratio <= 0.
    """
    df = read_table("wind_rose.csv", ("region", "sector_deg", "value", "unit", "source"), path)
    sel = df[df["region"] == region].sort_values("sector_deg")
    if sel.empty:
        raise WorkflowError(f"no wind rose for region '{region}'", file=df.attrs["path"],
                            hint="set [wind] resource_region or [wind] wind_rose")
    f = sel["value"].to_numpy(float)
    ratio = pd.to_numeric(sel["a_ratio"], errors="coerce").to_numpy(float) if "a_ratio" in sel else np.ones(len(f))
    check_sectors(f, np.where(np.isfinite(ratio), ratio, -1.0), np.ones(len(f)), file=df.attrs["path"],
                  sector_deg=sel["sector_deg"].to_numpy(float))
    f = f / f.sum()
    return f, ratio / float(np.sum(f * ratio))


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


def zonal_mean(path: Path, zones: gpd.GeoDataFrame) -> tuple[np.ndarray, Note | None]:
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
        note = Note("wind.resource.reprojected", {"file": path.name, "crs_from": da.rio.crs.to_string(),
                                                  "crs_to": zones.crs.to_string()})
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
                 ) -> tuple[pd.DataFrame, list[Note], list[Path]]:
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
    notes: list[Note] = []
    vals = {}
    for role, f in files.items():
        vals[role], note = zonal_mean(f, zones)
        if note:
            notes.append(note)
    if "k" in vals:
        k = vals["k"]
    else:
        k = np.asarray(k_default, float)
        notes.append(Note("wind.resource.gwa_no_k"))
    if "a" in vals:
        a = vals["a"]
    else:
        a = vals["speed"] / np.asarray(_gamma1(k))
        notes.append(Note("wind.resource.gwa_a_from_speed"))
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
# one entry point
# --------------------------------------------------------------------------------------------------

def zone_resource(zones: gpd.GeoDataFrame, surfaces: np.ndarray, *, resource: str = "default",
                  region: str = "binhai", base_dir: Path | None = None, height_m: float | None = None,
                  rose: list[float] | None = None, roughness_m: np.ndarray | None = None,
                  hub_height_m: np.ndarray | None = None) -> ZoneResource:
    """Return the sector-wise wind resource of each zone from the source named by ``resource``.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Wind zones (polygons or lines) in the analysis (projected) CRS.
    surfaces : numpy.ndarray of str
        Surface class of each zone (``sea``, ``tidal_flat``, ``land``).
    resource : str
        ``"default"`` or a path: ``.nc`` (ERA5), ``.tab`` (WAsP observed wind climate), ``.lib`` (WAsP
        generalised wind climate), ``.csv`` (a sector table, or a table like ``wind_resource.csv``), a
        ``.tif`` or a folder of GeoTIFFs (Global Wind Atlas).
    region : str
        Region label of the default tables (also used from a user CSV).
    base_dir : pathlib.Path, optional
        Folder relative paths are resolved against.
    height_m : float, optional
        Height of GeoTIFF layers whose names do not say.
    rose : list of float, optional
        Sector frequencies overriding the source's.
    roughness_m, hub_height_m : numpy.ndarray, optional
        Per zone, to pick the roughness class and height of a ``.lib`` file.

    Raises
    ------
    WorkflowError
        Missing file, unknown format, bad values (k <= 0, frequencies not summing to 1, sectors that
        do not match).
    """
    surfaces = np.asarray(surfaces, dtype=object)
    default = resource_table(region)
    unknown = sorted(set(surfaces) - set(default.index))
    if unknown:
        raise WorkflowError(f"no default resource for surface(s) {', '.join(unknown)}",
                            file=default.attrs["path"], hint="use surfaces sea, tidal_flat, land")
    base = default.loc[surfaces]
    ti = base["turbulence_intensity"].to_numpy(float)
    n_z = len(zones)
    if resource == "default":
        table = pd.DataFrame({
            "weibull_a_mps": base["weibull_a_mps"].to_numpy(float),
            "weibull_k": base["weibull_k"].to_numpy(float),
            "reference_height_m": base["reference_height_m"].to_numpy(float),
            "resource_source": [f"region default '{region}' ({s}), ASSUMPTION" for s in surfaces],
        }, index=zones.index)
        f, ratio = wind_rose(region)
        res = ZoneResource(table, np.tile(f, (n_z, 1)), table["weibull_a_mps"].to_numpy(float)[:, None] * ratio,
                           np.tile(table["weibull_k"].to_numpy(float)[:, None], (1, f.size)))
        res.notes.append(Note("wind.resource.default", {"region": region}))
    else:
        res, ti = _user_resource(resource, zones, surfaces, base, ti, region=region, base_dir=base_dir,
                                 height_m=height_m, roughness_m=roughness_m, hub_height_m=hub_height_m)
    if rose is not None:
        res = _override_rose(res, np.asarray(rose, float))
    res.table["turbulence_intensity"] = ti
    ids = [str(i) for i in zones.index]
    check_weibull(res.a_sector.ravel(), res.k_sector.ravel(), [ids[i // res.rose.shape[1]]
                                                              for i in range(res.a_sector.size)])
    return res


def _override_rose(res: ZoneResource, f: np.ndarray) -> ZoneResource:
    s = res.rose.shape[1]
    if f.size != s:
        uniform = np.allclose(res.a_sector, res.a_sector[:, :1]) and np.allclose(res.k_sector, res.k_sector[:, :1])
        if not uniform:
            raise WorkflowError(f"[wind] wind_rose has {f.size} sectors, the sector-wise resource has {s}",
                                field="wind.wind_rose", hint=f"give {s} sector frequencies, or drop wind_rose")
        res.a_sector = np.tile(res.a_sector[:, :1], (1, f.size))
        res.k_sector = np.tile(res.k_sector[:, :1], (1, f.size))
    res.rose = np.tile(f / f.sum(), (len(res.rose), 1))
    res.notes.append(Note("wind.resource.rose", {"n_sectors": int(f.size)}))
    return res


def _from_climates(climates: list[SectorWeibull], index: pd.Index) -> ZoneResource:
    sizes = {c.n_sectors for c in climates}
    if len(sizes) > 1:
        raise WorkflowError(f"the zones' climates have different sector counts {sorted(sizes)}",
                            hint="give climates with the same number of sectors")
    return ZoneResource(climates_frame(climates, index), np.array([c.frequency for c in climates]),
                        np.array([c.a_mps for c in climates]), np.array([c.k for c in climates]))


def _user_resource(resource: str, zones: gpd.GeoDataFrame, surfaces: np.ndarray, base: pd.DataFrame,
                   ti: np.ndarray, *, region: str, base_dir: Path | None, height_m: float | None,
                   roughness_m: np.ndarray | None, hub_height_m: np.ndarray | None) -> tuple[ZoneResource, np.ndarray]:
    p = Path(resource)
    if not p.is_absolute() and base_dir is not None:
        p = (base_dir / p).resolve()
    if not p.exists():
        raise WorkflowError(f"wind resource '{p}' does not exist", field="wind.resource",
                            hint="give 'default', a WAsP .tab or .lib, an ERA5 .nc, a resource .csv, or a "
                            "GeoTIFF file or folder")
    suffix = p.suffix.lower()
    n_z = len(zones)
    if suffix == ".nc":
        climates, notes = era5_climates(p, zones)
        res = _from_climates(climates, zones.index)
        res.notes.extend(notes)
    elif suffix == ".tab":
        c = read_tab(p)
        res = _from_climates([c] * n_z, zones.index)
        res.notes.append(Note("wind.resource.wasp_tab", {"source": c.source}))
    elif suffix == ".lib":
        z0 = np.full(n_z, 0.0002) if roughness_m is None else np.asarray(roughness_m, float)
        hub = np.full(n_z, 100.0) if hub_height_m is None else np.asarray(hub_height_m, float)
        cache: dict[tuple[float, float], SectorWeibull] = {}
        climates = []
        for r, h in zip(z0, hub, strict=True):
            if (float(r), float(h)) not in cache:
                cache[(float(r), float(h))] = read_lib(p, float(r), float(h))
            climates.append(cache[(float(r), float(h))])
        res = _from_climates(climates, zones.index)
        res.notes.append(Note("wind.resource.wasp_lib", {"file": p.name}))
    elif suffix == ".csv":
        res, ti = _csv_resource(p, zones, surfaces, ti, region)
    elif suffix in (".tif", ".tiff") or p.is_dir():
        table, notes, inputs = gwa_resource(p, zones, base["weibull_k"].to_numpy(float), height_m)
        f, _ = wind_rose(region)
        res = ZoneResource(table, np.tile(f, (n_z, 1)), np.tile(table["weibull_a_mps"].to_numpy(float)[:, None],
                                                                (1, f.size)),
                           np.tile(table["weibull_k"].to_numpy(float)[:, None], (1, f.size)), notes, inputs)
        res.notes.append(Note("wind.resource.gwa", {"file": p.name, "region": region}))
        return res, ti
    else:
        raise WorkflowError(f"unknown wind resource format '{p.suffix}'", file=str(p), field="wind.resource",
                            hint="give a WAsP .tab or .lib, an ERA5 .nc, a resource .csv, or a GeoTIFF file or folder")
    res.inputs.append(p)
    return res, ti


def _csv_resource(p: Path, zones: gpd.GeoDataFrame, surfaces: np.ndarray, ti: np.ndarray, region: str,
                  ) -> tuple[ZoneResource, np.ndarray]:
    head = read_csv_table(p, "wind resource table", (), keep_default_na=False, na_values=[""])
    n_z = len(zones)
    if "sector_deg" in head.columns:
        missing = [c for c in SECTOR_CSV_COLUMNS if c not in head.columns]
        if missing:
            raise WorkflowError(f"missing column(s) {', '.join(missing)}", file=str(p), field=missing[0],
                                hint=f"a sector table needs {', '.join(SECTOR_CSV_COLUMNS)}")
        c = read_sector_csv(p, head)
        res = _from_climates([c] * n_z, zones.index)
        res.notes.append(Note("wind.resource.sector_csv", {"source": c.source}))
        return res, np.full(n_z, c.turbulence_intensity) if c.turbulence_intensity is not None else ti
    user = resource_table(region, p)
    miss = sorted(set(surfaces) - set(user.index))
    if miss:
        raise WorkflowError(f"the table has no rows for surface(s) {', '.join(miss)} of region '{region}'",
                            file=str(p), field="surface", hint="add rows for every wind surface")
    u = user.loc[surfaces]
    table = pd.DataFrame({"weibull_a_mps": u["weibull_a_mps"].to_numpy(float),
                          "weibull_k": u["weibull_k"].to_numpy(float),
                          "reference_height_m": u["reference_height_m"].to_numpy(float),
                          "resource_source": f"user table {p.name} ('{region}')"}, index=zones.index)
    f, ratio = wind_rose(region)
    res = ZoneResource(table, np.tile(f, (n_z, 1)), table["weibull_a_mps"].to_numpy(float)[:, None] * ratio,
                       np.tile(table["weibull_k"].to_numpy(float)[:, None], (1, f.size)))
    res.notes.append(Note("wind.resource.user_table", {"file": p.name, "region": region}))
    return res, u["turbulence_intensity"].to_numpy(float)


def prevailing_direction(rose: np.ndarray, a_sector: np.ndarray | None = None) -> float:
    """Centre of the sector carrying most wind energy [deg from north, wind blowing from].

    With ``a_sector`` the sector weight is f_i x A_i^3 (the wind energy of the sector, for equal k);
    without it, the most frequent sector.
    """
    f = np.asarray(rose, float)
    w = f if a_sector is None else f * np.asarray(a_sector, float) ** 3
    return float(np.argmax(w) * 360.0 / f.size)


def describe(a: float, k: float) -> str:
    """Short text of a Weibull distribution with its mean."""
    return f"A {a:.2f} m/s, k {k:.2f}, mean {a * math.gamma(1 + 1 / k):.2f} m/s"
