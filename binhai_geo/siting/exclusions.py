"""Exclusion container: which parts of an area are eligible, in an exact vector mode or a raster mode.

In the spirit of atlite's ``ExclusionContainer`` (``atlite.gis``): one analysis CRS and resolution per
run; geometry layers with buffers (per layer or per feature) and class rasters (ESA WorldCover, CLCD,
land-survey rasters) by class code, with buffers; a minimum contiguous area. Differences, and why this
is not simply atlite's class:

- every excluded cell or part keeps the *reason* (the first registered layer that excludes it), so the
  map can say why a part is excluded; atlite returns a bare boolean mask;
- an exact vector mode (shapely 2 overlay) for small jobs such as a few hundred candidate sites, and a
  raster mode for a whole district; the two agree within half a cell along every boundary (see
  :data:`AGREEMENT_TOLERANCE` and the test);
- the raster mode burns every layer into ONE ``uint8`` reason grid in a single
  ``rasterio.features.rasterize`` call (atlite allocates a full boolean grid per layer and ORs them), and
  estimates memory before allocating, refusing a too-fine resolution with the estimate and a suggestion;
- features outside the area of interest take part when their buffers reach in (geometries are selected
  by their *buffered* extent through a ``shapely.STRtree``);
- buffers on a geographic CRS are refused (they would be in degrees).

Simplifications (said in the plan step's notes): rasterisation takes a cell when its centre is inside
(``all_touched=False``); raster-class buffers are Euclidean distance buffers on the grid
(``scipy.ndimage.distance_transform_edt``); class rasters are resampled to the grid by nearest
neighbour; contiguity in raster mode is 4-connected (cells sharing an edge), as a vector part.

Class rasters are read with :func:`binhai_geo.io.read_raster` (the one raster reader); the raster mode's
result, a grid of reason codes, is :class:`binhai_geo.siting.reasongrid.ExclusionGrid`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from affine import Affine

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.io import read_raster
from binhai_geo.siting.reasongrid import BELOW_MIN_AREA, ELIGIBLE, MAX_LAYERS, OUTSIDE, ExclusionGrid, apply_min_area

#: Class schemes of land-cover rasters: code -> class name. ``custom`` accepts any code.
CLASS_SCHEMES: dict[str, dict[int, str]] = {
    # ESA WorldCover 10 m v100/v200 (Zanaga et al. 2021/2022), product user manual, table of classes.
    "worldcover": {
        10: "tree cover", 20: "shrubland", 30: "grassland", 40: "cropland", 50: "built-up",
        60: "bare / sparse vegetation", 70: "snow and ice", 80: "permanent water bodies",
        90: "herbaceous wetland", 95: "mangroves", 100: "moss and lichen",
    },
    # CLCD, China Land Cover Dataset 30 m (Yang and Huang 2021, Earth Syst. Sci. Data 13, 3907-3925).
    "clcd": {
        1: "cropland", 2: "forest", 3: "shrub", 4: "grassland", 5: "water", 6: "snow/ice", 7: "barren",
        8: "impervious", 9: "wetland",
    },
}
#: No-data value of each scheme (cells ignored by the unknown-code check).
SCHEME_NODATA = {"worldcover": 0, "clcd": 0}

#: Stated agreement of the two modes: |A_raster - A_vector| <= tolerance x cell size x boundary length.
#: Centre-of-cell rasterisation misplaces at most a strip of half a cell along each boundary.
AGREEMENT_TOLERANCE = 0.5

#: Default largest gap [m] between a polygonal buffer and the true circle.
BUFFER_TOLERANCE_M = 1.0

#: Bytes per cell of the raster mode: the reason grid (1), the boolean results (1), labels for the
#: minimum area (int32 + bincount, 8), class rasters (resampled values 2 + mask 1), distance buffers
#: of class rasters (float64 distances + two int32 index planes, 16).
_BYTES_GRID, _BYTES_LABELS, _BYTES_RASTER, _BYTES_EDT = 2, 8, 3, 16


@dataclass
class _Entry:
    name: str
    reason: str
    reason_zh: str
    invert: bool
    geoms: np.ndarray | None = None  # raw geometries, container CRS
    buffers: np.ndarray | None = None  # per feature [m]
    raster: Path | None = None
    codes: tuple[int, ...] = ()
    classes: str | None = None
    raster_buffer_m: float = 0.0
    _buffered: np.ndarray | None = field(default=None, repr=False)
    _tree: shapely.STRtree | None = field(default=None, repr=False)


@dataclass
class VectorResult:
    """The exact eligibility of one geometry.

    Attributes
    ----------
    eligible : shapely.Geometry
        The eligible part.
    parts : list of (int, shapely.Geometry)
        Excluded parts with the reason code (layer index + 1, or :data:`BELOW_MIN_AREA`); they do not
        overlap (the first layer that excludes a part takes it).
    """

    eligible: shapely.Geometry
    parts: list[tuple[int, shapely.Geometry]]


def _scheme_codes(classes: str) -> dict[int, str] | None:
    return CLASS_SCHEMES.get(classes)


class ExclusionContainer:
    """Exclusion layers on one CRS and resolution (see the module docstring).

    Parameters
    ----------
    crs : CRS-like
        The analysis CRS; must be projected (buffers and the resolution are in metres).
    res_m : float
        Raster cell size [m].
    max_memory_gb : float
        The raster mode refuses a grid estimated to need more [GB].
    buffer_tolerance_m : float
        Largest gap [m] between a polygonal buffer and the true circle: each buffer distance gets the
        segments per quarter circle this needs (at least 8, shapely's default).
    """

    def __init__(self, crs: object, res_m: float = 10.0, *, max_memory_gb: float = 3.0,
                 buffer_tolerance_m: float = BUFFER_TOLERANCE_M) -> None:
        crs = pyproj.CRS.from_user_input(crs)
        if not crs.is_projected:
            raise WorkflowError(
                f"the exclusion CRS {crs.name} ({crs.to_string()}) is geographic: buffers and the resolution "
                "would be in degrees, which are not a length", field="eligibility.crs",
                hint="reproject: use a projected CRS such as EPSG:4527 (CGCS2000 Gauss-Kruger CM 117E) and give "
                     "buffers and the resolution in metres")
        if not res_m > 0:
            raise WorkflowError(f"resolution {res_m} m must be > 0", field="eligibility.resolution_m",
                                hint="give a cell size in metres, e.g. 10")
        self.crs = crs
        self.res_m = float(res_m)
        self.max_memory_gb = float(max_memory_gb)
        self.buffer_tolerance_m = float(buffer_tolerance_m)
        self._entries: list[_Entry] = []

    # ------------------------------------------------------------------ registration
    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(English, Chinese) reason of each registered layer, in order (code = index + 1)."""
        return [(e.reason, e.reason_zh) for e in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def _check_room(self) -> None:
        if len(self._entries) >= MAX_LAYERS:
            raise WorkflowError(f"at most {MAX_LAYERS} exclusion layers per container",
                                hint="merge layers that share a reason")

    def add_geometry(
        self,
        gdf: gpd.GeoDataFrame | gpd.GeoSeries,
        buffer_m: float | str | Sequence[float] | np.ndarray = 0.0,
        *,
        invert: bool = False,
        reason: str,
        reason_zh: str = "",
        name: str | None = None,
    ) -> None:
        """Register vector features that exclude (with a buffer).

        Parameters
        ----------
        gdf : GeoDataFrame or GeoSeries
            Features in any CRS (reprojected to the container's); features outside the area of interest
            are kept: their buffers may reach in.
        buffer_m : float, str or array
            Buffer [m]: one value, the name of a column of ``gdf`` (missing values: 0), or one per feature.
        invert : bool
            Exclude everything outside the (buffered) features instead.
        reason, reason_zh : str
            Why these features exclude (English, Chinese).
        name : str, optional
            Layer name for error messages.

        Raises
        ------
        LayerError
            Without a CRS, or for a negative or non-numeric buffer (naming the feature).
        """
        self._check_room()
        name = name or reason
        if gdf.crs is None:
            raise LayerError("the layer has no CRS", layer=name,
                             hint="set the layer's CRS (e.g. EPSG:4527) before using it as an exclusion")
        geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
        if pyproj.CRS.from_user_input(geo.crs) != self.crs:
            geo = geo.to_crs(self.crs)
        if isinstance(buffer_m, str):
            if not isinstance(gdf, gpd.GeoDataFrame) or buffer_m not in gdf.columns:
                raise LayerError(f"buffer column '{buffer_m}' not found", layer=name, field=buffer_m,
                                 hint="name a numeric column of the layer, or give a number of metres")
            buf = pd.to_numeric(gdf[buffer_m], errors="coerce").to_numpy(dtype=float)
            bad_text = pd.isna(buf) & gdf[buffer_m].notna().to_numpy()
            if bad_text.any():
                fid = gdf.index[np.nonzero(bad_text)[0][0]]
                raise LayerError(f"buffer '{gdf[buffer_m].loc[fid]}' is not a number", layer=name, feature=fid,
                                 field=buffer_m, hint="give the buffer in metres")
            buf = np.nan_to_num(buf, nan=0.0)
        else:
            buf = np.broadcast_to(np.asarray(buffer_m, dtype=float), (len(geo),)).copy()
        if (buf < 0).any():
            fid = geo.index[np.nonzero(buf < 0)[0][0]]
            raise LayerError(f"negative buffer {buf[buf < 0][0]} m", layer=name, feature=fid,
                             field=buffer_m if isinstance(buffer_m, str) else None, hint="buffers are >= 0 m")
        geoms = geo.to_numpy()
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self._entries.append(_Entry(name, reason, reason_zh, invert, geoms=geoms[keep], buffers=buf[keep]))

    def add_raster(
        self,
        path: str | Path,
        codes: Sequence[int],
        *,
        classes: str = "worldcover",
        buffer_m: float = 0.0,
        invert: bool = False,
        reason: str,
        reason_zh: str = "",
        name: str | None = None,
    ) -> None:
        """Register a class raster: cells of ``codes`` exclude (with a buffer).

        Parameters
        ----------
        path : path-like
            A single-band class raster (GeoTIFF) in any CRS (resampled to the grid, nearest neighbour).
        codes : sequence of int
            Class codes that exclude.
        classes : {"worldcover", "clcd", "custom"}
            The raster's class scheme (:data:`CLASS_SCHEMES`); codes outside it are refused, listing them.
            ``custom`` (e.g. a land-survey raster) accepts any code.
        buffer_m : float
            Buffer [m] around excluded cells.
        invert, reason, reason_zh, name
            As for :meth:`add_geometry`.

        Raises
        ------
        LayerError
            When the file cannot be read (:func:`binhai_geo.io.read_raster`: missing, several bands, no CRS,
            a scale or offset on class codes) or a code is not a class of the scheme.
        """
        self._check_room()
        p = Path(path)
        name = name or p.name
        if classes != "custom" and classes not in CLASS_SCHEMES:
            raise LayerError(f"unknown class scheme '{classes}'", file=str(p),
                             hint=f"use one of {', '.join([*CLASS_SCHEMES, 'custom'])}")
        scheme = _scheme_codes(classes)
        if scheme is not None:
            unknown = sorted(set(int(c) for c in codes) - set(scheme))
            if unknown:
                raise LayerError(
                    f"class code(s) {unknown} are not {classes} classes", file=str(p), layer=name,
                    hint="known codes: " + ", ".join(f"{k} {v}" for k, v in scheme.items()))
        if buffer_m < 0:
            raise LayerError(f"negative buffer {buffer_m} m", file=str(p), hint="buffers are >= 0 m")
        read_raster(p, classes=True)  # the one reader's checks: readable, one band, a CRS, no scale on codes
        self._entries.append(_Entry(name, reason, reason_zh, invert, raster=p, codes=tuple(int(c) for c in codes),
                                    classes=classes, raster_buffer_m=float(buffer_m)))

    # ------------------------------------------------------------------ geometry access
    def _buffered(self, e: _Entry) -> tuple[np.ndarray, shapely.STRtree]:
        if e._buffered is None:
            geoms = e.geoms
            out = geoms.copy()
            for dist in np.unique(e.buffers[e.buffers > 0]):
                sel = e.buffers == dist
                out[sel] = shapely.buffer(geoms[sel], dist, quad_segs=quad_segs(dist, self.buffer_tolerance_m))
            e._buffered = out
            e._tree = shapely.STRtree(out)
        return e._buffered, e._tree

    def _raster_values(self, e: _Entry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
        """Resample the entry's raster to a grid (nearest neighbour); check the codes found against the scheme."""
        from rasterio.warp import Resampling

        src = read_raster(e.raster, classes=True)
        nodata = src.rio.nodata if src.rio.nodata is not None else SCHEME_NODATA.get(e.classes or "", 0)
        dtype = np.uint16 if src.dtype in (np.uint8, np.uint16) else np.int32
        dst = src.rio.reproject(self.crs, transform=transform, shape=shape, resampling=Resampling.nearest,
                                nodata=nodata).to_numpy().astype(dtype)
        scheme = _scheme_codes(e.classes or "custom")
        if scheme is not None:
            found = np.unique(dst) if dst.dtype != np.uint16 else np.nonzero(np.bincount(dst.ravel()))[0]
            unknown = sorted(int(v) for v in found if int(v) not in scheme and v != nodata)
            if unknown:
                raise LayerError(
                    f"the raster holds class code(s) {unknown[:20]} that are not {e.classes} classes",
                    file=str(e.raster), layer=e.name,
                    hint=f"give a {e.classes} raster, or declare classes = 'custom'; known codes: "
                         + ", ".join(str(k) for k in scheme))
        return dst

    def _raster_mask(self, e: _Entry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
        values = self._raster_values(e, transform, shape)
        mask = np.isin(values, e.codes)
        del values
        if e.raster_buffer_m > 0 and mask.any():
            mask = _edt_buffer(mask, e.raster_buffer_m / self.res_m)
        return ~mask if e.invert else mask

    # ------------------------------------------------------------------ vector mode
    def _layer_union(self, i: int, geom: shapely.Geometry) -> shapely.Geometry | None:
        """Union of layer i's exclusions that touch ``geom`` (None: nothing)."""
        e = self._entries[i]
        if e.raster is not None:
            transform, shape = self.grid(geom.bounds)
            mask = self._raster_mask(e, transform, shape)
            from rasterio.features import shapes

            polys = [shapely.geometry.shape(g) for g, v in shapes(mask.astype(np.uint8), mask=mask,
                                                                   transform=transform)]
            return shapely.union_all(polys) if polys else None
        buffered, tree = self._buffered(e)
        idx = tree.query(geom)
        union = shapely.union_all(buffered[idx]) if len(idx) else None
        if e.invert:
            frame = shapely.box(*geom.bounds).buffer(1.0, join_style="mitre")
            return frame if union is None else shapely.difference(frame, union)
        return union

    def vector(self, geom: shapely.Geometry, *, min_area_m2: float = 0.0) -> VectorResult:
        """Exact eligibility of a polygon or line (shapely 2 overlay).

        Parameters
        ----------
        geom : shapely.Geometry
            In the container's CRS.
        min_area_m2 : float
            Eligible polygon parts smaller than this [m2] are excluded (reason :data:`BELOW_MIN_AREA`).
        """
        remaining = geom
        parts: list[tuple[int, shapely.Geometry]] = []
        for i in range(len(self._entries)):
            if remaining.is_empty:
                break
            ex = self._layer_union(i, remaining)
            if ex is None or ex.is_empty or not ex.intersects(remaining):
                continue
            part = shapely.intersection(remaining, ex)
            if part.is_empty or (part.area == 0 and part.length == 0):
                continue
            parts.append((i + 1, part))
            remaining = shapely.difference(remaining, ex)
        if min_area_m2 > 0 and not remaining.is_empty and remaining.area > 0:
            pieces = shapely.get_parts(shapely.get_parts(remaining))
            pieces = pieces[shapely.area(pieces) > 0]
            small = shapely.area(pieces) < min_area_m2
            if small.any():
                parts.append((BELOW_MIN_AREA, shapely.union_all(pieces[small])))
                remaining = shapely.union_all(pieces[~small]) if (~small).any() else shapely.Polygon()
        return VectorResult(remaining, parts)

    def vertex_count(self) -> int:
        """Vertices of all registered geometries (to choose a mode)."""
        return int(sum(shapely.get_num_coordinates(e.geoms).sum() for e in self._entries if e.geoms is not None))

    # ------------------------------------------------------------------ raster mode
    def grid(self, bounds: Sequence[float]) -> tuple[Affine, tuple[int, int]]:
        """Transform and shape of the grid covering ``bounds``, snapped to multiples of the resolution."""
        r = self.res_m
        x0, y0 = math.floor(bounds[0] / r) * r, math.floor(bounds[1] / r) * r
        x1, y1 = math.ceil(bounds[2] / r) * r, math.ceil(bounds[3] / r) * r
        shape = (max(1, int(round((y1 - y0) / r))), max(1, int(round((x1 - x0) / r))))
        return Affine(r, 0.0, x0, 0.0, -r, y1), shape

    def estimate_bytes(self, shape: tuple[int, int], *, min_area: bool = False) -> int:
        """Peak memory estimate of :meth:`rasterize` for a grid of ``shape`` [bytes]."""
        per_cell = _BYTES_GRID + (_BYTES_LABELS if min_area else 0)
        rasters = [e for e in self._entries if e.raster is not None]
        if rasters:
            per_cell += _BYTES_RASTER + (_BYTES_EDT if any(e.raster_buffer_m > 0 for e in rasters) else 0)
        return int(shape[0] * shape[1] * per_cell * 1.1)

    def check_memory(self, shape: tuple[int, int], *, min_area: bool = False) -> None:
        """Refuse a grid estimated above ``max_memory_gb``, with the figure and a coarser resolution.

        Raises
        ------
        WorkflowError
            Naming the grid size, the estimate, the limit and a resolution that fits.
        """
        need = self.estimate_bytes(shape, min_area=min_area)
        limit = self.max_memory_gb * 1e9
        if need > limit:
            suggest = self.res_m * math.sqrt(need / limit)
            nice = next((n for n in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if n >= suggest),
                        math.ceil(suggest))
            raise WorkflowError(
                f"a {self.res_m:g} m grid of {shape[1]:,} x {shape[0]:,} cells "
                f"({shape[0] * shape[1] / 1e6:,.0f} million) needs about {need / 1e9:.1f} GB, above the "
                f"{self.max_memory_gb:g} GB limit", field="eligibility.resolution_m",
                hint=f"use resolution_m = {nice:g} or coarser (about {need / 1e9 * (self.res_m / nice) ** 2:.1f} "
                     "GB), use mode = 'vector' for a few sites, or raise max_memory_gb if the machine has the memory")

    def rasterize(
        self,
        bounds: Sequence[float],
        *,
        within: shapely.Geometry | None = None,
        min_area_m2: float = 0.0,
    ) -> ExclusionGrid:
        """Raster eligibility over ``bounds`` (reason codes in one ``uint8`` grid).

        Parameters
        ----------
        bounds : (xmin, ymin, xmax, ymax)
            Area of interest in the container's CRS.
        within : shapely.Geometry, optional
            Cells whose centre is outside are :data:`OUTSIDE` (e.g. the district or a site).
        min_area_m2 : float
            Eligible 4-connected patches smaller than this [m2] become :data:`BELOW_MIN_AREA`.

        Raises
        ------
        WorkflowError
            When the grid would need more memory than allowed (estimated before allocating).
        """
        from rasterio.features import rasterize

        transform, shape = self.grid(bounds)
        self.check_memory(shape, min_area=min_area_m2 > 0)
        x0, y1 = transform.c, transform.f
        x1, y0 = x0 + shape[1] * self.res_m, y1 - shape[0] * self.res_m
        frame = shapely.box(x0, y0, x1, y1)
        code = np.zeros(shape, dtype=np.uint8)
        burn: list[tuple[shapely.Geometry, int]] = []
        raster_entries = []
        # last burnt wins: register order reversed so the first layer that excludes a cell names it
        for i in range(len(self._entries) - 1, -1, -1):
            e = self._entries[i]
            if e.raster is not None:
                raster_entries.append(i)
                continue
            buffered, tree = self._buffered(e)
            sel = buffered[tree.query(frame)]
            if e.invert:
                inv = shapely.difference(frame, shapely.union_all(sel)) if len(sel) else frame
                burn.append((inv, i + 1))
                continue
            sel = shapely.clip_by_rect(sel, x0, y0, x1, y1)
            sel = sel[~shapely.is_empty(sel)]
            burn.extend((g, i + 1) for g in sel)
        if within is not None:
            outside = shapely.difference(frame, within)
            if not outside.is_empty:
                burn.append((outside, OUTSIDE))
        if burn:
            rasterize(burn, out=code, transform=transform)
        for i in sorted(raster_entries):
            mask = self._raster_mask(self._entries[i], transform, shape)
            mask &= (code == ELIGIBLE) | (code > i + 1) & (code < BELOW_MIN_AREA)
            code[mask] = i + 1
            del mask
        if min_area_m2 > 0:
            apply_min_area(code, min_area_m2 / (self.res_m * self.res_m))
        return ExclusionGrid(code, transform, self.crs, self.res_m, self.reasons)


def quad_segs(radius_m: float, tolerance_m: float) -> int:
    """Segments per quarter circle so a buffer's chords stay within ``tolerance_m`` of its circle.

    A chord spanning the angle a lies r (1 - cos(a/2)) inside the circle; with n segments per quarter
    circle, a = pi / (2 n). At least 8 (shapely's default), at most 256.
    """
    if radius_m <= tolerance_m:
        return 8
    half = math.acos(1.0 - tolerance_m / radius_m)
    return int(min(max(math.ceil(math.pi / (4.0 * half)), 8), 256))


def _edt_buffer(mask: np.ndarray, radius_cells: float) -> np.ndarray:
    """Return cells within ``radius_cells`` (Euclidean, cell centres) of a True cell.

    Computed on the window around the True cells only (the distance transform needs float64 and index
    planes per cell).
    """
    from scipy import ndimage

    r = int(math.ceil(radius_cells))
    rows = np.nonzero(mask.any(axis=1))[0]
    cols = np.nonzero(mask.any(axis=0))[0]
    r0, r1 = max(rows[0] - r, 0), min(rows[-1] + r + 1, mask.shape[0])
    c0, c1 = max(cols[0] - r, 0), min(cols[-1] + r + 1, mask.shape[1])
    out = mask.copy()
    win = mask[r0:r1, c0:c1]
    out[r0:r1, c0:c1] = ndimage.distance_transform_edt(~win) <= radius_cells
    return out
