"""Forest cover by year from land-cover rasters: five years of a 10 m raster over Binhai New Area.

The rasters are synthetic ESA WorldCover-coded GeoTIFFs (deterministic, cached in /tmp) on the district's
bounding box at 10 m in EPSG:4527 (about 70 M cells a year); zones are the district land and its three
sub-districts from the region pack. Timed job: read the five rasters into an aligned xarray stack, check
every class code against the mapping, classify, and run the zonal statistics per year and zone.
Baseline: rasterstats ``zonal_stats`` (mean and count, nodata 255) on the same classified arrays and
zones, against exactextract on the same arrays; the ratio is exactextract / rasterstats.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin

from binhai_geo.sinks import forestcover as fc

from benchmarks._harness import best_of

REPO = Path(__file__).resolve().parents[1]
PACK = REPO / "layers" / "binhai" / "binhai.gpkg"
CACHE = Path("/tmp/binhai_geo_bench_sinks")
YEARS = (2021, 2022, 2023, 2024, 2025)
RES_M = 10.0
CLASSES = np.array([10, 20, 30, 40, 50, 60, 80, 90], dtype=np.uint8)
WEIGHTS = np.array([0.03, 0.02, 0.15, 0.25, 0.25, 0.05, 0.20, 0.05])


def make_rasters(folder: Path = CACHE) -> dict[int, Path]:
    """Write (once) five deterministic WorldCover-coded rasters on the district's box; return them by year."""
    folder.mkdir(parents=True, exist_ok=True)
    xmin, ymin, xmax, ymax = gpd.read_file(PACK, layer="boundary").total_bounds
    width, height = int(np.ceil((xmax - xmin) / RES_M)), int(np.ceil((ymax - ymin) / RES_M))
    out = {y: folder / f"worldcover_{y}.tif" for y in YEARS}
    if all(p.exists() for p in out.values()):
        return out
    rng = np.random.default_rng(2025)
    block = 10  # 100 m patches
    coarse = rng.choice(CLASSES, size=(height // block + 1, width // block + 1), p=WEIGHTS)
    grow = rng.random(coarse.shape)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint8", "nodata": 0,
               "crs": "EPSG:4527", "transform": from_origin(xmin, ymax, RES_M, RES_M), "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "lzw"}
    for k, year in enumerate(YEARS):
        c = np.where((coarse == 40) & (grow < 0.02 * k), 10, coarse).astype(np.uint8)  # afforestation
        full = np.repeat(np.repeat(c, block, axis=0), block, axis=1)[:height, :width]
        full[:50, :] = 0  # a nodata strip
        with rasterio.open(out[year], "w", **profile) as dst:
            dst.write(full, 1)
    return out


def _zones() -> tuple[shapely.Geometry, gpd.GeoDataFrame]:
    land = shapely.intersection(shapely.union_all(gpd.read_file(PACK, layer="boundary").geometry.to_numpy()),
                                shapely.union_all(gpd.read_file(PACK, layer="land").geometry.to_numpy()))
    return land, gpd.read_file(PACK, layer="subdistrict")


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource
    from rasterstats import zonal_stats

    rasters = make_rasters()
    land, sub = _zones()
    mapping = fc.load_landcover_mapping(None, "worldcover")

    def job() -> object:
        stack, _ = fc.read_landcover_stack(rasters, mapping=mapping)
        return fc.raster_cover_by_year(stack, mapping, land, subdistricts=sub, crs="EPSG:4527"), stack

    t0 = time.perf_counter()
    (table, stack) = job()
    t_job = time.perf_counter() - t0
    cells = int(stack.sizes["x"] * stack.sizes["y"])
    names, zones = fc._zones(land, sub)
    zgdf = gpd.GeoDataFrame({"zone": names}, geometry=list(zones), crs="EPSG:4527")
    inds = [fc.to_indicator(stack.values[k], mapping, stack.rio.nodata) for k in range(len(YEARS))]
    xmin, ymin, xmax, ymax = stack.rio.bounds()
    transform = stack.rio.transform()
    wkt = stack.rio.crs.to_wkt()
    del stack

    def ee() -> object:  # all years as bands of one call, as raster_cover_by_year does
        srcs = [NumPyRasterSource(a, xmin, ymin, xmax, ymax, nodata=255, srs_wkt=wkt, name=f"y{k}")
                for k, a in enumerate(inds)]
        return exact_extract(srcs, zgdf, ["mean", "count"], output="pandas")

    def rs() -> list:
        return [zonal_stats(list(zgdf.geometry), a, affine=transform, nodata=255, stats=["mean", "count"])
                for a in inds]

    t_ee = best_of(ee, repeat=2)
    t_rs = best_of(rs, repeat=1)
    r_ee, r_rs = ee(), rs()
    diff = max(abs(100 * r_ee[f"y{k}_mean"].iloc[z] - 100 * r[z]["mean"])
               for k, r in enumerate(r_rs) for z in range(len(zgdf)))
    district = table[table["subdistrict"] == fc.DISTRICT]
    return [
        {
            "benchmark": f"forest cover, {len(YEARS)} years x {cells / 1e6:.0f} M cells (10 m), district + 3 "
                         "sub-districts: read, align, check codes, classify, zonal stats",
            "seconds": round(t_job, 2),
            "baseline": "target: under 20 s",
            "baseline_seconds": 20.0,
            "ratio": round(t_job / 20.0, 2),
            "notes": f"district forest cover {district['forest_cover_pct'].iloc[0]:.2f}% -> "
                     f"{district['forest_cover_pct'].iloc[-1]:.2f}%",
        },
        {
            "benchmark": f"zonal statistics only, {len(YEARS)} years x {cells / 1e6:.0f} M cells, 4 zones: "
                         "exactextract",
            "seconds": round(t_ee, 2),
            "baseline": "rasterstats zonal_stats (same arrays, zones, mean+count)",
            "baseline_seconds": round(t_rs, 2),
            "ratio": round(t_ee / t_rs, 2),
            "notes": f"largest difference {diff:.3f} percentage points (exactextract weights partial cells)",
        },
    ]
