"""A synthetic province of building footprints, written as GeoParquet partitions.

Deterministic (seeded per partition), generated partition by partition so memory stays at one
partition: each partition is one compact square "town" of footprints on a grid of towns, so partitions
are spatially compact as ``binhai-geo partition`` would make them. Columns are the ``rooftop`` layer
kind's (``building_class``, ``new_build``, ``roof_type``, ``height_m``, ``pv_installed``), CRS EPSG:4527.

Run: ``python -m benchmarks.province OUT_DIR [N_FOOTPRINTS] [PER_PARTITION]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.layermodel import BUILDING_CLASSES

X0, Y0 = 39_420_000.0, 4_250_000.0  # south-west corner, Gauss-Kruger zone 39 (inside Tianjin's extent)
TOWN_M = 6_000.0  # edge of one partition's square
TOWNS_PER_ROW = 20


def town(i: int, n: int, seed: int = 2026) -> gpd.GeoDataFrame:
    """Footprints of partition ``i`` (``n`` rectangles of 8-60 m, seeded by ``seed`` and ``i``)."""
    rng = np.random.default_rng([seed, i])
    ox = X0 + (i % TOWNS_PER_ROW) * TOWN_M * 1.2
    oy = Y0 + (i // TOWNS_PER_ROW) * TOWN_M * 1.2
    x = ox + rng.uniform(0, TOWN_M - 60, n)
    y = oy + rng.uniform(0, TOWN_M - 60, n)
    w, h = rng.uniform(8, 60, n), rng.uniform(8, 40, n)
    return gpd.GeoDataFrame(
        {
            "footprint_id": np.arange(n, dtype=np.int64) + i * 10_000_000,
            "building_class": rng.choice(np.array(BUILDING_CLASSES), n, p=[0.05, 0.15, 0.15, 0.55, 0.10]),
            "new_build": rng.random(n) < 0.1,
            "roof_type": rng.choice(np.array(["flat", "pitched"]), n, p=[0.7, 0.3]),
            "height_m": rng.uniform(3, 60, n).round(1),
            "pv_installed": rng.random(n) < 0.05,
        },
        geometry=shapely.box(x, y, x + w, y + h),
        crs="EPSG:4527",
    )


def write_province(out_dir: str | Path, n_footprints: int, per_partition: int = 250_000) -> list[Path]:
    """Write ``n_footprints`` footprints as partitions ``part-00000.parquet``... in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    n_parts = -(-n_footprints // per_partition)
    for i in range(n_parts):
        n = min(per_partition, n_footprints - i * per_partition)
        path = out / f"part-{i:05d}.parquet"
        if not path.exists():
            town(i, n).to_parquet(path, index=False)
        files.append(path)
    return files


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    files = write_province(args[0], int(args[1]) if len(args) > 1 else 10_000_000,
                           int(args[2]) if len(args) > 2 else 250_000)
    print(f"{len(files)} partitions in {args[0]}")
