"""Layer reading and validation: 100,000 rooftop footprints from a GeoPackage.

Baseline: reading the same file with pyogrio alone. The ratio is the cost of validation (CRS, geometry
type, fields, values, validity) on top of reading.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from binhai_geo.io import read_layer
from binhai_geo.layermodel import BUILDING_CLASSES, get_kind
from binhai_geo.validate import validate_layer

from benchmarks._harness import best_of

N_ROOFTOPS = 100_000


def make_rooftops(n: int, seed: int = 42) -> gpd.GeoDataFrame:
    """Deterministic synthetic footprints (10-60 m rectangles) near Binhai in EPSG:4527."""
    rng = np.random.default_rng(seed)
    x = 39_560_000 + rng.uniform(0, 20_000, n)
    y = 4_320_000 + rng.uniform(0, 20_000, n)
    w, h = rng.uniform(10, 60, n), rng.uniform(10, 60, n)
    geoms = shapely.box(x, y, x + w, y + h)
    return gpd.GeoDataFrame(
        {
            "building_class": rng.choice(BUILDING_CLASSES, n),
            "new_build": rng.random(n) < 0.2,
            "roof_type": rng.choice(["flat", "pitched"], n),
            "pv_installed": rng.random(n) < 0.1,
        },
        geometry=geoms,
        crs="EPSG:4527",
    )


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "rooftops.gpkg"
        pyogrio.write_dataframe(make_rooftops(N_ROOFTOPS), path, layer="rooftop")
        kind = get_kind("rooftop")
        t_base = best_of(lambda: pyogrio.read_dataframe(path, fid_as_index=True))
        t_ours = best_of(lambda: validate_layer(read_layer(path), kind))
    return [
        {
            "benchmark": f"read + validate {N_ROOFTOPS:,} rooftops (GeoPackage)",
            "seconds": round(t_ours, 3),
            "baseline": "pyogrio.read_dataframe alone",
            "baseline_seconds": round(t_base, 3),
            "ratio": round(t_ours / t_base, 2),
        }
    ]
