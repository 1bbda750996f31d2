"""Reading and writing vector layers.

Reading goes through pyogrio (GeoPackage, Shapefile, GeoJSON, FlatGeobuf) and geopandas' GeoParquet
reader. Every failure is turned into a :class:`~binhai_geo.errors.LayerError` that names the file and
layer and says what to do. Writing is atomic (see :mod:`binhai_geo.atomic`).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from binhai_geo.atomic import note_input, write_with
from binhai_geo.errors import LayerError
from binhai_geo.postgis.spec import is_pg_string

#: Encodings tried, in order, for a Shapefile whose DBF declares none (no .cpg, code-page byte 0) and whose
#: text is not ASCII: UTF-8, then GB18030 (a superset of GBK and GB2312, what Chinese desktop GIS exports).
SHAPEFILE_FALLBACK_ENCODINGS = ("UTF-8", "GB18030")

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
    if p.is_dir():
        raise LayerError(f"this is a folder, not a {fmt} file (its name ends in '{p.suffix}')", file=str(p),
                         hint=f"give the {fmt} file itself; a folder is not a layer file")
    note_input(p)
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
    encoding: str | None = None,
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
    encoding : str, optional
        Text encoding of the attribute table (e.g. ``GBK``), for files that do not declare it. By
        default a Shapefile without ``.cpg`` whose text is not valid in the assumed encoding is read
        as UTF-8 or else GB18030/GBK (:data:`SHAPEFILE_FALLBACK_ENCODINGS`), and that is reported in
        ``attrs["warnings"]``.

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
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LayerError(f"unknown text encoding '{encoding}'", file=str(p),
                             hint="give an encoding such as UTF-8, GBK or GB18030") from None
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
            gdf = pyogrio.read_dataframe(p, layer=chosen, fid_as_index=True, encoding=encoding)
            warnings: list[str] = []
            if encoding is None and fmt == "ESRI Shapefile" and _undeclared_dbf_encoding(p):
                found = _guess_encoding(gdf, p)
                if found is not None:
                    gdf = pyogrio.read_dataframe(p, layer=chosen, fid_as_index=True, encoding=found)
                    warnings.append(f"the Shapefile declares no text encoding (no .cpg); its text was read as "
                                    f"{found} (pass --encoding or the workflow key 'encoding' to choose) "
                                    f"未声明编码，已按 {found} 读取")
            gdf.attrs["warnings"] = warnings
    except LayerError:
        raise
    except UnicodeDecodeError as exc:
        raise LayerError(f"the attribute text is not valid {encoding or 'UTF-8'}: {exc}", file=str(p), layer=chosen,
                         hint="give the file's encoding with --encoding (workflow: 'encoding'), e.g. GBK") from None
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


def _undeclared_dbf_encoding(shp: Path) -> bool:
    """Return True when a Shapefile states no encoding: no ``.cpg`` beside it and language-driver byte 0 in the DBF."""
    if any(shp.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return False
    dbf = next((shp.with_suffix(s) for s in (".dbf", ".DBF") if shp.with_suffix(s).exists()), None)
    if dbf is None:
        return False
    with dbf.open("rb") as fh:
        head = fh.read(32)
    return len(head) > 29 and head[29] == 0


def _guess_encoding(gdf: gpd.GeoDataFrame, shp: Path) -> str | None:
    """Return the encoding the DBF text is really in, when GDAL's default (ISO-8859-1) garbled it.

    GDAL reads an undeclared DBF as ISO-8859-1, which maps every byte to a character, so the original bytes
    come back exactly with ``.encode('latin-1')``; those bytes are tried as UTF-8, then GB18030.

    Raises
    ------
    LayerError
        When the text is neither ASCII nor valid in any encoding tried.
    """
    texts = [str(c) for c in gdf.columns]
    for col in gdf.columns:
        if col != gdf.geometry.name and (gdf[col].dtype == object or pd.api.types.is_string_dtype(gdf[col])):
            texts.extend(str(v) for v in gdf[col].dropna().unique())
    try:
        raw = [t.encode("latin-1") for t in texts]
    except UnicodeEncodeError:  # already decoded to characters beyond Latin-1: GDAL knew the encoding
        return None
    if all(b.isascii() for b in raw):
        return None
    for enc in SHAPEFILE_FALLBACK_ENCODINGS:
        try:
            for b in raw:
                b.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    raise LayerError("the attribute text is not valid UTF-8 nor GB18030/GBK, and the Shapefile declares no "
                     "encoding (no .cpg file)", file=str(shp),
                     hint="give the encoding (--encoding, or 'encoding' in the workflow's layer entry), or add a "
                     ".cpg file holding its name (e.g. GBK)")


def read_raster(path: str | os.PathLike[str], *, classes: bool = False):  # noqa: ANN201 - xarray.DataArray
    """Read a single-band raster with its scale and offset applied (the one way rasters are read).

    Parameters
    ----------
    path : path-like
        A GeoTIFF or another GDAL raster.
    classes : bool
        True for a raster of class codes (land cover): values stay integers, nodata is kept as a value,
        and a scale or offset other than 1 and 0 is refused (class codes are not measurements).

    Returns
    -------
    xarray.DataArray
        2-D (y, x). For measurements: float values ``DN * scale + offset`` with NaN where nodata, as GDAL's
        band scale/offset (``gdal_translate -a_scale``, netCDF ``scale_factor``/``add_offset``) declare:
        a Global Wind Atlas-style Int16 speed with scale 0.01 (DN 850) reads as 8.5 m/s.
        ``attrs["scale_applied"]`` gives ``(scale, offset)``.

    Raises
    ------
    LayerError
        Missing, unreadable or multi-band raster, no CRS, or a scaled class raster.
    """
    import rioxarray

    p = Path(path)
    if not p.exists():
        raise LayerError("raster file not found", file=str(p), hint="check the path")
    if p.is_dir():
        raise LayerError("this is a folder, not a raster file", file=str(p), hint="give the GeoTIFF itself")
    note_input(p)
    try:
        da = rioxarray.open_rasterio(p, masked=not classes, mask_and_scale=False, cache=False)
    except Exception as exc:  # rasterio raises several types for unreadable files
        raise LayerError(f"cannot read the raster: {exc}", file=str(p),
                         hint="give a GeoTIFF (or another GDAL raster)") from None
    if da.sizes.get("band", 1) != 1:
        raise LayerError(f"the raster has {da.sizes['band']} bands; one is expected", file=str(p),
                         hint="give one single-band raster per quantity (or per year)")
    da = da.squeeze("band", drop=True) if "band" in da.dims else da
    if da.rio.crs is None:
        raise LayerError("the raster has no CRS", file=str(p),
                         hint="assign its CRS (e.g. gdal_edit.py -a_srs EPSG:4326 FILE)")
    scale = float(da.attrs.get("scale_factor", 1.0) or 1.0)
    offset = float(da.attrs.get("add_offset", 0.0) or 0.0)
    if (scale, offset) != (1.0, 0.0):
        if classes:
            raise LayerError(f"a class-code raster carries scale {scale:g} and offset {offset:g}", file=str(p),
                             hint="class codes are not measurements: remove the scale/offset "
                             "(gdal_edit.py -unsetstats -scale 1 -offset 0 FILE)")
        attrs = {k: v for k, v in da.attrs.items() if k not in ("scale_factor", "add_offset")}
        da = (da.astype("float64") * scale + offset).rio.write_crs(da.rio.crs)
        da.attrs.update(attrs)
    da.attrs["scale_applied"] = (scale, offset)
    return da


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
