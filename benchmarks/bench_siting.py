"""Eligibility of the whole district (land and sea, about 4,460 km2) at 10 m with ten buffered exclusion layers.

Grid: the bounding box of the district boundary (80.4 x 86.7 km, 69.7 million cells of 10 m); the area of
interest is the district's land plus the sea inside that box. Ten exclusion layers: nine from the Binhai
region pack (protected areas; wetland +100 m; forest +50 m; shipping lane +300 m; port and anchorage
+1,000 m; ecological red line; residential +500 m; coastline +100 m; substations +200 m) and a synthetic
road grid (lines every 1.5 km, +30 m).

Baseline: atlite 0.7.0 ``atlite.gis.ExclusionContainer`` + ``shape_availability`` on the same grid, layers
and buffers. atlite applies geometry buffers in ``open_files()``, which ``shape_availability`` skips when
the container holds only in-memory GeoSeries and no raster (``all_open`` is then already true), so the
buffers would silently be dropped; the baseline calls ``open_files()`` itself and its time is included.

``ratio`` = our seconds / atlite's seconds (below 0.5 means at least twice atlite's speed). Memory is the
peak of Python-tracked allocations (numpy buffers included) during one run.
"""

from __future__ import annotations

import numpy as np
import pyogrio
import shapely
from geopandas import GeoDataFrame, GeoSeries

from binhai_geo.siting.exclusions import ELIGIBLE, ExclusionContainer

from benchmarks._harness import best_of, peak_python_memory_mb

PACK = "layers/binhai/binhai.gpkg"
RES_M = 10.0


def _layers() -> tuple[GeoSeries, list[tuple[str, GeoDataFrame, float]]]:
    from pathlib import Path

    pack = Path(__file__).resolve().parents[1] / PACK
    read = {k: pyogrio.read_dataframe(pack, layer=k) for k in (
        "boundary", "sea_area", "protected_area", "wetland", "forest", "exclusion", "coastline", "substation")}
    frame = shapely.box(*read["boundary"].total_bounds)
    district = shapely.union_all([read["boundary"].geometry.iloc[0],
                                  shapely.intersection(read["sea_area"].geometry.iloc[0], frame)])
    crs = read["boundary"].crs
    x0, y0, x1, y1 = frame.bounds
    roads = [shapely.LineString([(x, y0), (x, y1)]) for x in np.arange(x0, x1, 1500.0)]
    roads += [shapely.LineString([(x0, y), (x1, y)]) for y in np.arange(y0, y1, 1500.0)]
    ex = read["exclusion"]
    layers = [
        ("protected areas", read["protected_area"], 0.0),
        ("wetland", read["wetland"], 100.0),
        ("forest", read["forest"], 50.0),
        ("shipping lane", ex[ex["reason"] == "shipping_lane"], 300.0),
        ("port and anchorage", ex[ex["reason"].isin(["port", "anchorage"])], 1000.0),
        ("ecological red line", ex[ex["reason"] == "ecological_red_line"], 0.0),
        ("residential", ex[ex["reason"] == "residential"], 500.0),
        ("coastline", read["coastline"], 100.0),
        ("substations", read["substation"], 200.0),
        ("roads (synthetic)", GeoDataFrame(geometry=roads, crs=crs), 30.0),
    ]
    return GeoSeries([district], crs=crs), layers


def ours(district: GeoSeries, layers: list, min_area_m2: float = 0.0) -> np.ndarray:
    """Our raster mode: the reason-code grid; returns the eligible mask."""
    box = ExclusionContainer(district.crs, RES_M, max_memory_gb=4.0)
    for name, gdf, buf in layers:
        box.add_geometry(gdf, buf, reason=name)
    grid = box.rasterize(district.total_bounds, within=district.iloc[0], min_area_m2=min_area_m2)
    return grid.code == ELIGIBLE


def atlite_baseline(district: GeoSeries, layers: list) -> np.ndarray:
    """atlite's ExclusionContainer on the same grid and layers; returns the eligible mask."""
    import atlite.gis as ag

    box = ag.ExclusionContainer(crs=district.crs, res=RES_M)
    for _, gdf, buf in layers:
        box.add_geometry(gdf.geometry, buffer=buf)
    box.open_files()  # applies the buffers (see the module docstring)
    masked, _ = ag.shape_availability(district, box)
    return masked.astype(bool)


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    district, layers = _layers()
    mine = ours(district, layers)
    base = atlite_baseline(district, layers)
    agree = float((mine == base).mean()) if mine.shape == base.shape else float("nan")
    cell_km2 = RES_M * RES_M / 1e6
    t_base = best_of(lambda: atlite_baseline(district, layers), repeat=3)
    t_ours = best_of(lambda: ours(district, layers), repeat=3)
    t_min = best_of(lambda: ours(district, layers, 50_000.0), repeat=3)
    mem_ours = peak_python_memory_mb(lambda: ours(district, layers))
    mem_min = peak_python_memory_mb(lambda: ours(district, layers, 50_000.0))
    mem_base = peak_python_memory_mb(lambda: atlite_baseline(district, layers))
    cells = mine.size
    common = (f"{cells / 1e6:.1f} M cells of {RES_M:g} m, 10 layers; eligible {mine.sum() * cell_km2:,.0f} km2 "
              f"(atlite {base.sum() * cell_km2:,.0f} km2, {agree:.4%} of cells agree)")
    return [
        {
            "benchmark": "district eligibility at 10 m, 10 buffered layers (raster mode)",
            "seconds": round(t_ours, 3),
            "baseline": "atlite 0.7.0 ExclusionContainer + shape_availability",
            "baseline_seconds": round(t_base, 3),
            "ratio": round(t_ours / t_base, 3),
            "notes": f"{common}; {t_base / t_ours:.1f}x atlite's speed; peak memory {mem_ours:,.0f} MB "
                     f"(atlite {mem_base:,.0f} MB)",
        },
        {
            "benchmark": "same, plus 0.05 km2 minimum contiguous area (scipy.ndimage.label)",
            "seconds": round(t_min, 3),
            "baseline": "atlite 0.7.0 (has no minimum area)",
            "baseline_seconds": round(t_base, 3),
            "ratio": round(t_min / t_base, 3),
            "notes": f"peak memory {mem_min:,.0f} MB",
        },
    ]
