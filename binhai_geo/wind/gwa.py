"""Global Wind Atlas GeoTIFFs as a wind resource: Weibull A and k per zone by zonal means.

The user supplies the rasters (``*Weibull-A_100m.tif``, ``*Weibull-k_100m.tif`` and/or
``*wind-speed_100m.tif``); they are read with rioxarray (:func:`binhai_geo.io.read_raster`); a raster in
another CRS than the analysis CRS is reprojected (bilinear) and the notes say so; zonal means with
exactextract (coverage-weighted; line zones are buffered by :data:`LINE_BUFFER_M` first). A mean-speed
raster without A gives A = mean / Gamma(1 + 1/k) with k from the k raster or the region default.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.io import read_raster
from binhai_geo.notes import Note
from binhai_geo.wind.weibull import check_weibull

#: Line zones (breakwaters) are buffered by this much before raster zonal statistics [m].
LINE_BUFFER_M = 250.0

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
    note: Note | None = None
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

