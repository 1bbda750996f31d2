"""Eligibility of a large area, tile by tile, on Dask.

The exclusion container (:class:`binhai_geo.siting.exclusions.ExclusionContainer`) rasterises one grid
in memory; a province at 10 m does not fit. Here the grid is cut into square tiles; each tile is a dask
task that rasterises the tile *plus an overlap equal to the largest buffer* and keeps only its core.

Why the seams change nothing:

- vector layers are buffered as geometries before rasterising, and each task selects the buffered
  features that reach its frame (the container's ``STRtree`` query), so a feature outside a tile still
  excludes the cells its buffer covers inside it; cells are taken by their centre, which does not depend
  on the tile;
- class rasters are resampled by nearest neighbour onto the same snapped grid; their distance buffers
  need the cells within the buffer distance, which the overlap provides;
- the minimum contiguous area needs whole patches, so it is applied after the tiles are assembled
  (:func:`binhai_geo.siting.reasongrid.apply_min_area` on the full reason grid).

A test compares tiled and untiled grids of the sample region cell by cell. Memory: each worker holds
one tile with its overlap (``(tile_cells + 2 overlap)^2`` cells at about the container's bytes per
cell); the client assembles the full ``uint8`` reason grid (1 byte per cell: 100,000 km2 at 10 m is
1 GB, at 30 m 0.11 GB).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from binhai_geo.cluster.scheduler import Executor
from binhai_geo.siting.exclusions import ExclusionContainer
from binhai_geo.siting.reasongrid import OUTSIDE, ExclusionGrid, apply_min_area


def largest_buffer_m(container: ExclusionContainer) -> float:
    """Return the largest buffer of any layer of ``container`` [m] (vector or class-raster)."""
    largest = 0.0
    for e in container._entries:
        if e.buffers is not None and len(e.buffers):
            largest = max(largest, float(np.max(e.buffers)))
        largest = max(largest, float(e.raster_buffer_m))
    return largest


def tile_windows(shape: tuple[int, int], tile_cells: int) -> list[tuple[int, int, int, int]]:
    """Split a grid of ``shape`` (rows, cols) into windows ``(row0, col0, rows, cols)`` of at most ``tile_cells``."""
    if tile_cells < 1:
        raise ValueError(f"tile_cells must be >= 1, got {tile_cells}")
    return [(r, c, min(tile_cells, shape[0] - r), min(tile_cells, shape[1] - c))
            for r in range(0, shape[0], tile_cells) for c in range(0, shape[1], tile_cells)]


def _tile_task(container: ExclusionContainer, bounds: Sequence[float], within: shapely.Geometry | None,
               core: tuple[int, int, int, int], overlap: int) -> np.ndarray:
    """Rasterise one tile with ``overlap`` cells around its core and return the core's reason codes."""
    r = container.res_m
    grid = container.rasterize(bounds, within=within)
    row0 = int(round((bounds[3] - grid.transform.f) / r))  # 0 unless the snapped frame moved
    col0 = int(round((bounds[0] - grid.transform.c) / r))
    _, _, rows, cols = core
    return grid.code[row0 + overlap: row0 + overlap + rows, col0 + overlap: col0 + overlap + cols].copy()


def rasterize_tiled(
    container: ExclusionContainer,
    bounds: Sequence[float],
    *,
    within: shapely.Geometry | None = None,
    min_area_m2: float = 0.0,
    tile_cells: int = 2048,
    executor: Executor | None = None,
    on_done: Callable[[int], None] = lambda n: None,
) -> ExclusionGrid:
    """Raster eligibility over ``bounds``, computed tile by tile (one dask task per tile).

    Parameters
    ----------
    container : ExclusionContainer
        The exclusion layers (one CRS and resolution).
    bounds : (xmin, ymin, xmax, ymax)
        Area of interest in the container's CRS; snapped to the resolution as the untiled grid is.
    within : shapely.Geometry, optional
        Cells whose centre is outside are :data:`~binhai_geo.siting.reasongrid.OUTSIDE`.
    min_area_m2 : float
        Minimum contiguous eligible area [m2], applied to the assembled grid.
    tile_cells : int
        Tile edge [cells] (memory per task grows with its square).
    executor : Executor, optional
        Where tiles run (default: in order, on this thread).
    on_done : callable
        Called with the number of tiles finished.

    Returns
    -------
    ExclusionGrid
        Equal, cell by cell, to ``container.rasterize(bounds, within=within, min_area_m2=min_area_m2)``.
    """
    import dask

    r = container.res_m
    transform, shape = container.grid(bounds)
    x0, y1 = transform.c, transform.f
    overlap = int(math.ceil(largest_buffer_m(container) / r)) + 1
    # each task's grid must fit the container's memory limit
    container.check_memory((tile_cells + 2 * overlap, tile_cells + 2 * overlap))
    windows = tile_windows(shape, tile_cells)
    # one graph node for the container (and the area), shared by every tile task
    box, area = dask.delayed(container, traverse=False), dask.delayed(within, traverse=False)
    tasks = []
    for row0, col0, rows, cols in windows:
        tb = (x0 + (col0 - overlap) * r, y1 - (row0 + rows + overlap) * r,
              x0 + (col0 + cols + overlap) * r, y1 - (row0 - overlap) * r)
        tasks.append(dask.delayed(_tile_task)(box, tb, area, (row0, col0, rows, cols), overlap))
    executor = executor or Executor("sync")
    parts = executor.compute(tasks, on_done)
    code = np.full(shape, OUTSIDE, dtype=np.uint8)
    for (row0, col0, rows, cols), part in zip(windows, parts, strict=True):
        code[row0: row0 + rows, col0: col0 + cols] = part
    if min_area_m2 > 0:
        apply_min_area(code, min_area_m2 / (r * r))
    return ExclusionGrid(code, transform, container.crs, r, container.reasons)


def write_grid(grid: ExclusionGrid, path: str | os.PathLike[str], table: pd.DataFrame) -> tuple[Path, Path]:
    """Write the reason grid as a GeoTIFF (255 = outside, nodata) and ``table`` as CSV beside it, atomically.

    Both files are written to temporary names first and renamed only when both are complete.
    """
    import rasterio

    from binhai_geo.atomic import atomic_path
    from binhai_geo.io import write_csv

    path = Path(path)
    csv = path.with_suffix(".csv")
    with atomic_path(path) as tmp:
        profile = {"driver": "GTiff", "width": grid.code.shape[1], "height": grid.code.shape[0], "count": 1,
                   "dtype": "uint8", "crs": grid.crs.to_wkt(), "transform": grid.transform, "nodata": OUTSIDE,
                   "compress": "deflate", "tiled": True}
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(grid.code, 1)
            dst.update_tags(1, **{f"reason_{i + 1}": f"{en} / {zh}" for i, (en, zh) in enumerate(grid.reasons)})
        write_csv(table, csv)
    return path, csv
