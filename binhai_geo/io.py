"""Reading and writing vector layers.

Reading goes through pyogrio (GeoPackage, Shapefile, GeoJSON, FlatGeobuf) and geopandas' GeoParquet
reader. Every failure is turned into a :class:`~binhai_geo.errors.LayerError` that names the file and
layer and says what to do. Writing is atomic (see :mod:`binhai_geo.atomic`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from binhai_geo.atomic import write_with
from binhai_geo.errors import LayerError
from binhai_geo.postgis.spec import is_pg_string

#: File suffixes read, and the format each one is.
VECTOR_FORMATS: dict[str, str] = {
    ".gpkg": "GeoPackage",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
}


def _format_of(path: Path) -> str:
    fmt = VECTOR_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(VECTOR_FORMATS))
        raise LayerError(
            f"unsupported file type '{path.suffix}'",
            file=str(path),
            hint=f"give a file ending in one of {known} (GeoPackage is the default)",
        )
    return fmt


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Return the names of the vector layers in ``path``.

    Raises
    ------
    LayerError
        When the file is missing, of an unsupported type, or cannot be opened.
    """
    if is_pg_string(path):  # PG:... or postgresql://...: the layer(s) of a PostGIS connection
        from binhai_geo.postgis.read import list_postgis_layers  # psycopg loads only for PostGIS

        return list_postgis_layers(os.fspath(path))
    p = Path(path)
    fmt = _format_of(p)
    if not p.exists():
        raise LayerError("file not found", file=str(p), hint="check the path (relative paths are resolved "
                         "against the workflow file's folder)")
    if fmt == "GeoParquet":
        return [p.stem]
    try:
        return [str(name) for name in pyogrio.list_layers(p)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and others for corrupt files
        raise LayerError(
            f"cannot open the file as {fmt}: {exc}",
            file=str(p),
            hint="the file may be corrupt or truncated; open it in QGIS to check, or export it again",
        ) from None


def read_layer(
    path: str | os.PathLike[str],
    layer: str | None = None,
    *,
    prefer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one vector layer, with the feature ids as index.

    Parameters
    ----------
    path : path-like
        A GeoPackage, GeoParquet, Shapefile, GeoJSON or FlatGeobuf file.
    layer : str, optional
        Layer name inside the file. Needed when a file holds several layers, unless ``prefer``
        names one of them.
    prefer : str, optional
        Layer name to pick when ``layer`` is not given and the file holds several layers
        (for example the layer kind).

    Returns
    -------
    geopandas.GeoDataFrame
        The features; the index holds the feature id (FID) as QGIS shows it. The frame's
        ``attrs`` carry ``source_file`` and ``source_layer``.

    Raises
    ------
    LayerError
        When the file is missing, corrupt, of an unsupported type, or the layer is not in it.
    """
    if is_pg_string(path):  # a PostGIS table, view or query; ``layer`` names the table if the string does not
        from binhai_geo.postgis.read import read_postgis_layer, source_from_string

        return read_postgis_layer(source_from_string(os.fspath(path), layer))
    p = Path(path)
    fmt = _format_of(p)
    layers = list_layers(p)
    if fmt == "GeoParquet":
        chosen = p.stem
    elif layer is not None:
        if layer not in layers:
            raise LayerError(
                f"no layer named '{layer}' in the file; it has: {', '.join(layers) or '(none)'}",
                file=str(p),
                layer=layer,
                hint="give one of the layer names listed",
            )
        chosen = layer
    elif len(layers) == 1:
        chosen = layers[0]
    elif prefer is not None and prefer in layers:
        chosen = prefer
    else:
        raise LayerError(
            f"the file holds {len(layers)} layers ({', '.join(layers)}); which one is meant?",
            file=str(p),
            hint="name the layer (CLI: --layer NAME; workflow: layer = \"NAME\")",
        )
    try:
        if fmt == "GeoParquet":
            gdf = gpd.read_parquet(p)
        else:
            gdf = pyogrio.read_dataframe(p, layer=chosen, fid_as_index=True)
    except Exception as exc:
        raise LayerError(
            f"cannot read the layer: {exc}",
            file=str(p),
            layer=chosen,
            hint="the file may be corrupt; open it in QGIS to check, or export it again",
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise LayerError("the layer has no geometry column", file=str(p), layer=chosen,
                         hint="give a spatial layer (a table without geometry cannot be mapped)")
    gdf.attrs["source_file"] = str(p)
    gdf.attrs["source_layer"] = chosen
    return gdf


def write_gpkg(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], layer: str) -> Path:
    """Write ``gdf`` as the only layer ``layer`` of a new GeoPackage at ``path``, atomically."""

    def _write(tmp: Path) -> None:
        pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG")

    return write_with(path, _write)


def write_gpkg_layers(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Write several layers into one new GeoPackage at ``path``, atomically (all or nothing)."""

    def _write(tmp: Path) -> None:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", append=tmp.exists())

    return write_with(path, _write)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (with BOM, so Excel shows Chinese text) at ``path``, atomically."""

    def _write(tmp: Path) -> None:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")

    return write_with(path, _write)
