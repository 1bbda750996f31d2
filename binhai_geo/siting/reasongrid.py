"""The raster mode's result: one grid of reason codes, why each cell is eligible or not.

:class:`ExclusionGrid` holds a ``uint8`` code per cell (:data:`ELIGIBLE`, the registered layer that excludes
it as its index + 1, :data:`BELOW_MIN_AREA`, :data:`OUTSIDE`), its transform, CRS and the reasons in English
and Chinese; it measures areas by reason and polygonises itself. :func:`apply_min_area` marks eligible patches
below the minimum contiguous area (4-connected cells, as a vector part). Built by
:meth:`binhai_geo.siting.exclusions.ExclusionContainer.rasterize` (and per tile by :mod:`binhai_geo.cluster.tiles`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from affine import Affine

#: Reason codes of a raster grid: 0 eligible, 1..253 the registered layers in order.
ELIGIBLE = 0
BELOW_MIN_AREA = 254
OUTSIDE = 255
MAX_LAYERS = 253

#: Label of the minimum-area reason.
MIN_AREA_REASON = ("below minimum contiguous area", "小于最小连片面积")


@dataclass
class ExclusionGrid:
    """A raster of reason codes (0 eligible, layer index + 1, :data:`BELOW_MIN_AREA`, :data:`OUTSIDE`).

    Attributes
    ----------
    code : numpy.ndarray of uint8
        Reason code per cell.
    transform : affine.Affine
        Cell to CRS transform (north up).
    crs : pyproj.CRS
        The grid's CRS.
    res_m : float
        Cell size [m].
    reasons : list of (str, str)
        Reason (English, Chinese) of code i + 1.
    """

    code: np.ndarray
    transform: Affine
    crs: pyproj.CRS
    res_m: float
    reasons: list[tuple[str, str]]

    @property
    def cell_km2(self) -> float:
        """Area of one cell [km2]."""
        return self.res_m * self.res_m / 1e6

    def eligible(self) -> np.ndarray:
        """Boolean grid of eligible cells."""
        return self.code == ELIGIBLE

    def eligible_km2(self) -> float:
        """Eligible area [km2]."""
        return float(np.count_nonzero(self.code == ELIGIBLE)) * self.cell_km2

    def reason_of(self, code: int) -> tuple[str, str]:
        """(English, Chinese) reason of a code."""
        if code == BELOW_MIN_AREA:
            return MIN_AREA_REASON
        if code == ELIGIBLE:
            return ("eligible", "可开发")
        if code == OUTSIDE:
            return ("outside", "范围外")
        return self.reasons[code - 1]

    def area_by_reason(self) -> pd.DataFrame:
        """Area per reason code inside the area of interest [km2]."""
        counts = np.bincount(self.code.ravel(), minlength=256)
        rows = [{"code": c, "reason": self.reason_of(c)[0], "reason_zh": self.reason_of(c)[1],
                 "area_km2": counts[c] * self.cell_km2} for c in np.nonzero(counts)[0] if c != OUTSIDE]
        return pd.DataFrame(rows, columns=["code", "reason", "reason_zh", "area_km2"])

    def polygons(self, *, eligible: bool | None = None) -> gpd.GeoDataFrame:
        """Polygonise the grid (``rasterio.features.shapes``) into one row per reason code.

        Parameters
        ----------
        eligible : bool, optional
            True: eligible cells only; False: excluded cells only; None: both. Cells outside are skipped.
        """
        from rasterio.features import shapes

        mask = self.code != OUTSIDE
        if eligible is True:
            mask &= self.code == ELIGIBLE
        elif eligible is False:
            mask &= self.code != ELIGIBLE
        geoms: dict[int, list] = {}
        for geom, value in shapes(self.code, mask=mask, transform=self.transform, connectivity=4):
            geoms.setdefault(int(value), []).append(shapely.geometry.shape(geom))
        rows, out = [], []
        for c in sorted(geoms):
            rows.append({"code": c, "reason": self.reason_of(c)[0], "reason_zh": self.reason_of(c)[1]})
            out.append(shapely.union_all(geoms[c]))
        return gpd.GeoDataFrame(rows, geometry=out, crs=self.crs) if rows else gpd.GeoDataFrame(
            {"code": [], "reason": [], "reason_zh": []}, geometry=[], crs=self.crs)


def apply_min_area(code: np.ndarray, min_cells: float) -> None:
    """Set eligible 4-connected patches of fewer than ``min_cells`` cells to :data:`BELOW_MIN_AREA`."""
    from scipy import ndimage

    labels, n = ndimage.label(code == ELIGIBLE)
    if n == 0:
        return
    sizes = np.bincount(labels.ravel())
    small = sizes < min_cells
    small[0] = False
    if small.any():
        code[small[labels]] = BELOW_MIN_AREA
