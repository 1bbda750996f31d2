"""Large vector layers as spatially partitioned GeoParquet, for runs on Dask.

A province's building footprints (tens of millions) do not fit one task. They are converted once into a
folder of GeoParquet partitions, sorted along a Hilbert curve (``dask_geopandas`` ``spatial_shuffle``) so
each partition covers a compact area and shares weather cells with few others. Reading checks every
partition's CRS and columns against the first one and names the partition that differs.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from binhai_geo.cluster.scheduler import ClusterError
from binhai_geo.errors import LayerError


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` as a whole.

    On error the temporary folder is removed and ``target`` is untouched, so a failed run never leaves a
    partial result that looks complete.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".part", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def partition_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Return the ``*.parquet`` partitions of ``folder`` in name order.

    Raises
    ------
    LayerError
        When the folder does not exist or holds no partition.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LayerError("not a folder of GeoParquet partitions", file=str(folder),
                         hint="convert the layer first: binhai-geo partition SRC OUT_DIR")
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise LayerError("the folder holds no .parquet partition", file=str(folder),
                         hint="convert the layer first: binhai-geo partition SRC OUT_DIR")
    return files


def _geo_meta(path: Path) -> tuple[dict, list[tuple[str, str]]]:
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for broken files
        raise LayerError(f"cannot read the partition: {exc}", file=str(path),
                         hint="the partition is corrupt; convert the layer again") from None
    meta = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
    if not meta:
        raise LayerError("the partition has no GeoParquet 'geo' metadata", file=str(path),
                         hint="write partitions with binhai-geo partition (or geopandas to_parquet)")
    columns = [(f.name, str(f.type)) for f in schema if not f.name.startswith("__")]
    return meta, columns


def _crs_of(meta: dict) -> object:
    import pyproj

    col = meta["columns"][meta["primary_column"]]
    crs = col.get("crs", "OGC:CRS84")  # GeoParquet: a missing crs means OGC:CRS84
    return None if crs is None else pyproj.CRS.from_user_input(crs)


def check_partitions(folder: str | os.PathLike[str]) -> list[Path]:
    """Check that every partition of ``folder`` has the first partition's CRS and columns.

    Returns
    -------
    list of pathlib.Path
        The partition files, in name order.

    Raises
    ------
    ClusterError
        Naming the first partition whose CRS or columns differ, and how.
    LayerError
        When the partitions have no CRS.
    """
    files = partition_files(folder)
    meta0, cols0 = _geo_meta(files[0])
    crs0 = _crs_of(meta0)
    if crs0 is None:
        raise LayerError("the partitions have no CRS", file=str(files[0]),
                         hint="set the CRS of the source layer before converting (QGIS: Assign projection)")
    for f in files[1:]:
        meta, cols = _geo_meta(f)
        crs = _crs_of(meta)
        if crs is None or not crs.equals(crs0):
            raise ClusterError(
                f"partition has CRS {crs.to_string() if crs else 'none'}, the others {crs0.to_string()}",
                file=str(f), hint="convert every partition from the same source with binhai-geo partition")
        if cols != cols0:
            diff = sorted(set(cols) ^ set(cols0))
            raise ClusterError(
                f"partition's columns differ from {files[0].name}: {', '.join(f'{n} ({t})' for n, t in diff)}",
                file=str(f), hint="convert every partition from the same source with binhai-geo partition")
    return files


def _read_chunk(src: Path, layer: str | None, skip: int, n: int | None, where: str | None) -> object:
    """Read ``n`` features after ``skip`` with their FIDs kept as ``footprint_id``."""
    import pyogrio

    gdf = pyogrio.read_dataframe(src, layer=layer, skip_features=skip, max_features=n, where=where,
                                 fid_as_index=True)
    gdf["footprint_id"] = gdf.index.to_numpy(dtype="int64")
    return gdf.reset_index(drop=True)


def _read_skip(src: Path, layer: str | None, n: int, skip: int) -> object:
    return _read_chunk(src, layer, skip, n, None)


def write_partitions(
    src: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    layer: str | None = None,
    rows_per_partition: int = 250_000,
    where: str | None = None,
) -> list[Path]:
    """Convert a vector layer into Hilbert-ordered GeoParquet partitions.

    Each feature keeps its identity in a ``footprint_id`` column (the source's FID; for GeoParquet input,
    its ``footprint_id`` column if present, else its row number).

    Parameters
    ----------
    src : path-like
        GeoPackage, Shapefile, GeoJSON, FlatGeobuf, GeoParquet or OSM PBF (``.osm.pbf``; give
        ``layer="multipolygons"`` and ``where="building IS NOT NULL"`` for buildings).
    out_dir : path-like
        Folder to write; replaced as a whole only when the conversion succeeds.
    layer : str, optional
        Layer inside ``src``.
    rows_per_partition : int
        Target features per partition; memory per task is about this many features.
    where : str, optional
        An OGR SQL attribute filter applied while reading.

    Returns
    -------
    list of pathlib.Path
        The partitions written.
    """
    import dask.dataframe as dd
    import dask_geopandas
    import geopandas as gpd
    import pyogrio

    src = Path(src)
    if not src.exists():
        raise LayerError("file not found", file=str(src), hint="check the path")
    if rows_per_partition < 1:
        raise ClusterError("rows_per_partition must be >= 1", field="rows_per_partition", hint="give e.g. 250000")
    gdf = None
    if src.suffix in (".parquet", ".geoparquet"):
        gdf = gpd.read_parquet(src)
        if "footprint_id" not in gdf.columns:
            gdf["footprint_id"] = np.arange(len(gdf), dtype="int64")
    else:
        try:
            info = pyogrio.read_info(src, layer=layer)
        except Exception as exc:  # noqa: BLE001 - GDAL raises several types
            raise LayerError(f"cannot read the file: {exc}", file=str(src), layer=layer,
                             hint="check the file and the layer name (QGIS lists the layers)") from None
        if info["crs"] is None:
            raise LayerError("the layer has no CRS", file=str(src), layer=layer,
                             hint="assign its CRS in QGIS (Layer > Set CRS) and save again")
        if where is not None or int(info["features"]) < 0:
            # a filter, or a driver without a feature count (OSM): one sequential read
            gdf = _read_chunk(src, layer, 0, None, where)
    n = len(gdf) if gdf is not None else int(info["features"])
    nparts = max(1, -(-n // rows_per_partition))
    if gdf is not None:
        ddf = dask_geopandas.from_geopandas(gdf, npartitions=nparts)
    else:
        # chunked reads (one dask task each): the whole layer never sits in one process
        meta = _read_chunk(src, layer, 0, 1, None).iloc[:0]
        reader = functools.partial(_read_skip, src, layer, rows_per_partition)
        skips = [i * rows_per_partition for i in range(nparts)]
        ddf = dask_geopandas.from_dask_dataframe(dd.from_map(reader, skips, meta=meta, enforce_metadata=False))
    if ddf.crs is None:
        raise LayerError("the layer has no CRS", file=str(src), layer=layer,
                         hint="assign its CRS in QGIS (Layer > Set CRS) and save again")
    shuffled = ddf.spatial_shuffle(by="hilbert", npartitions=nparts)
    with atomic_dir(out_dir) as tmp:
        shuffled.to_parquet(tmp, write_index=False, name_function=lambda i: f"part-{i:05d}.parquet")
    return partition_files(out_dir)
