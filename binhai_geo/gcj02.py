"""GCJ-02 (China's obfuscated web-map datum) to WGS84 and back.

AMap (高德), Tencent and other Chinese web maps publish coordinates in GCJ-02, a deliberately
perturbed version of WGS84. Around Tianjin Binhai the perturbation moves a point roughly 500-600 m
to the east-north-east. The forward transform below is the widely published one (the same formulas as
in ``eviltransform``, ``coordTransform`` and ``cnmaps``: Krasovsky ellipsoid constants, polynomial
plus sine terms in the offset from 105 E, 35 N). The inverse has no closed form and is computed by
fixed-point iteration, which converges to well under a millimetre in a few steps.

Used by the region-pack build (``layers/binhai/build.py``: the AMap district boundary comes in GCJ-02)
and by the deliverables (the AMap atlas draws its data overlay in GCJ-02 so it sits on AMap's tiles):
one code path for both. :func:`geometries_to_gcj02` applies the transform to shapely geometries.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

#: Semi-major axis (m) of the Krasovsky 1940 ellipsoid used by the GCJ-02 formulas.
KRASOVSKY_A_M = 6378245.0
#: First eccentricity squared of the Krasovsky 1940 ellipsoid.
KRASOVSKY_EE = 0.00669342162296594323

FloatArray = NDArray[np.float64]


def _offset_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    """Return the latitude perturbation term (in metres-like units) for ``x = lon-105, y = lat-35``."""
    pi = np.pi
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    """Return the longitude perturbation term for ``x = lon-105, y = lat-35``."""
    pi = np.pi
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return ret


def _delta_deg(lon_deg: FloatArray, lat_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 minus WGS84 offset (degrees of longitude, latitude) at a WGS84 position."""
    x = lon_deg - 105.0
    y = lat_deg - 35.0
    dlat = _offset_lat(x, y)
    dlon = _offset_lon(x, y)
    rad_lat = np.radians(lat_deg)
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat_deg = (dlat * 180.0) / ((KRASOVSKY_A_M * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    dlon_deg = (dlon * 180.0) / (KRASOVSKY_A_M / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon_deg, dlat_deg


def wgs84_to_gcj02(lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 longitude/latitude (degrees) to GCJ-02.

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        WGS84 longitude and latitude in degrees (scalars or arrays of one shape). The formulas are
        meant for mainland China; this function applies them everywhere.

    Returns
    -------
    tuple of ndarray
        GCJ-02 longitude and latitude in degrees.
    """
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    dlon, dlat = _delta_deg(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(
    lon_deg: ArrayLike, lat_deg: ArrayLike, max_iter: int = 30, tol_deg: float = 1e-10
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude (degrees) to WGS84 by fixed-point iteration.

    Starting from the GCJ-02 position, each step corrects the estimate by the difference between its
    forward transform and the target: ``w <- w - (f(w) - g)``. The offset field is smooth, so the
    iteration contracts quickly (about 1e-6 m after 3-4 steps).

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        GCJ-02 longitude and latitude in degrees.
    max_iter : int
        Maximum number of iterations.
    tol_deg : float
        Stop when every point's correction is below this (degrees; 1e-10 deg is about 0.01 mm).

    Returns
    -------
    tuple of ndarray
        WGS84 longitude and latitude in degrees.
    """
    g_lon = np.asarray(lon_deg, dtype=np.float64)
    g_lat = np.asarray(lat_deg, dtype=np.float64)
    w_lon = g_lon.copy()
    w_lat = g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon = f_lon - g_lon
        e_lat = f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if np.all(np.abs(e_lon) < tol_deg) and np.all(np.abs(e_lat) < tol_deg):
            break
    return w_lon, w_lat


def offset_m(lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 shift (east, north) in metres at a WGS84 position (local spherical approximation).

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple of ndarray
        Eastward and northward shift in metres.
    """
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    r_earth_m = 6371008.8
    east_m = np.radians(g_lon - lon) * r_earth_m * np.cos(np.radians(lat))
    north_m = np.radians(g_lat - lat) * r_earth_m
    return east_m, north_m


def geometries_to_gcj02(geoms: ArrayLike) -> NDArray[np.object_]:
    """Shift shapely geometries in WGS84 longitude/latitude into GCJ-02 (every vertex).

    Parameters
    ----------
    geoms : array_like of shapely geometries
        Geometries in WGS84 degrees (EPSG:4326), for example ``gdf.to_crs(4326).geometry.array``.

    Returns
    -------
    ndarray of shapely geometries
        The same geometries with each vertex moved by :func:`wgs84_to_gcj02` (about 550 m to the
        east-north-east around Binhai).
    """
    arr = np.asarray(geoms, dtype=object)
    return shapely.transform(arr, lambda c: np.column_stack(wgs84_to_gcj02(c[:, 0], c[:, 1])))
