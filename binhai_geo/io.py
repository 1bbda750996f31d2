"""Reading and writing vector layers.

Reading goes through pyogrio (GeoPackage, Shapefile, GeoJSON, FlatGeobuf) and geopandas' GeoParquet
reader. Every failure is turned into a :class:`~binhai_geo.errors.LayerError` that names the file and
layer and says what to do. Writing is atomic (see :mod:`binhai_geo.atomic`).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

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


#: Geometry family of each geometry type, and the order in which mixed families are split.
GEOMETRY_FAMILIES: dict[str, str] = {
    "Polygon": "polygon", "MultiPolygon": "polygon",
    "LineString": "line", "MultiLineString": "line", "LinearRing": "line",
    "Point": "point", "MultiPoint": "point",
}
FAMILY_ORDER = ("polygon", "line", "point")
_COLLECT = {"polygon": shapely.multipolygons, "line": shapely.multilinestrings, "point": shapely.multipoints}


def split_layer_name(name: str, family: str, first: str) -> str:
    """Return the layer name of the ``family`` part of a mixed layer ``name``.

    The rule: the first family present (polygons, else lines) keeps the name; lines are called
    ``<stem>_lines`` and points ``<stem>_points``, the stem being the name without a trailing ``_areas``
    (``sites`` -> ``sites_lines``, ``eligible_areas`` -> ``eligible_lines``).
    """
    if family == first:
        return name
    stem = name.removesuffix("_areas")
    return f"{stem}_{'lines' if family == 'line' else 'points'}"


def split_by_geometry(name: str, gdf: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Split a layer mixing polygons, lines and points into one layer per geometry family.

    QGIS (and GDAL) show a GeoPackage layer holding several geometry types as separate sublayers
    of type "Unknown"; one geometry type per layer avoids that. A layer of one family is returned
    unchanged as ``{name: gdf}``. Parts of a GeometryCollection go to the layer of their family, each
    with the feature's attributes. Features without geometry stay in the first layer.

    Parameters
    ----------
    name : str
        Layer name.
    gdf : geopandas.GeoDataFrame
        The features.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Layer name (see :func:`split_layer_name`) -> features, polygons first.
    """
    geoms = gdf.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    fam_of_row = [GEOMETRY_FAMILIES.get(g.geom_type) if g is not None and not g.is_empty else None for g in geoms]
    collections = np.flatnonzero(types == 7)
    parts_of = {int(i): shapely.get_parts(geoms[i]) for i in collections}
    present = {f for f in fam_of_row if f} | {GEOMETRY_FAMILIES.get(p.geom_type) for ps in parts_of.values()
                                               for p in ps if not p.is_empty} - {None}
    families = [f for f in FAMILY_ORDER if f in present]
    if len(families) <= 1 and not len(collections):
        return {name: gdf}
    out: dict[str, gpd.GeoDataFrame] = {}
    first = families[0] if families else "polygon"
    for fam in families or ["polygon"]:
        rows = [i for i, f in enumerate(fam_of_row) if f == fam or (f is None and fam == first and i not in parts_of)]
        rows += [i for i, ps in parts_of.items() if any(GEOMETRY_FAMILIES.get(p.geom_type) == fam for p in ps)]
        rows.sort()
        part = gdf.iloc[rows].copy()
        if parts_of:
            new = [(_COLLECT[fam]([p for p in parts_of[i] if GEOMETRY_FAMILIES.get(p.geom_type) == fam])
                    if i in parts_of else geoms[i]) for i in rows]
            part = part.set_geometry(gpd.GeoSeries(new, index=part.index, crs=gdf.crs), crs=gdf.crs)
        out[split_layer_name(name, fam, first)] = part
    return out


@dataclass(frozen=True)
class LayerStyle:
    """A QGIS style stored in a GeoPackage's ``layer_styles`` table.

    Attributes
    ----------
    name : str
        Style name as QGIS lists it.
    qml : str
        The QGIS style document (QML).
    default : bool
        Whether QGIS applies it when the layer is opened.
    description : str
        Shown by QGIS beside the name.
    """

    name: str
    qml: str
    default: bool = True
    description: str = ""


def write_gpkg(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], layer: str, **extras: Mapping) -> Path:
    """Write ``gdf`` as the only layer ``layer`` of a new GeoPackage at ``path``, atomically.

    ``extras`` are the ``aliases`` and ``styles`` keywords of :func:`write_gpkg_layers`.
    """
    return write_gpkg_layers({layer: gdf}, path, **extras)


def write_gpkg_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
    styles: Mapping[str, Sequence[LayerStyle]] | None = None,
) -> Path:
    """Write several layers into one new GeoPackage at ``path``, atomically (all or nothing).

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name -> features. Give layers of one geometry family each (see :func:`split_by_geometry`);
        an empty layer is declared MultiPolygon.
    path : path-like
        The GeoPackage to write (replaced when present).
    aliases : mapping, optional
        Layer name -> {column: alias}. Written to ``gpkg_data_columns`` (the GeoPackage schema extension;
        GDAL reads them as field alternative names, QGIS shows them as field aliases).
    styles : mapping, optional
        Layer name -> QGIS styles, written to the ``layer_styles`` table QGIS reads (and writes with
        "Save style... in database"); the default one is applied when QGIS opens the layer.
    """

    def _write(tmp: Path) -> None:
        for name, gdf in layers.items():
            first = not tmp.exists()
            # GeoPackage 1.2: read without warnings by the GDAL of older QGIS releases (3.22 LTR has GDAL 3.6)
            # an empty layer has no type to infer: polygons, the first family of split_by_geometry
            geoms = gdf.geometry.to_numpy()
            empty = bool(np.all(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", append=not first,
                                    dataset_options={"VERSION": "1.2"} if first else None,
                                    geometry_type="MultiPolygon" if empty else None)
        if styles:
            pyogrio.write_dataframe(_style_table(layers, styles), tmp, layer="layer_styles", driver="GPKG",
                                    append=True, layer_options={"FID": "id"})
        if aliases:
            _write_data_columns(tmp, {k: {c: a for c, a in v.items() if c in layers[k].columns}
                                      for k, v in aliases.items() if k in layers})

    return write_with(path, _write)


def _style_table(layers: Mapping[str, gpd.GeoDataFrame], styles: Mapping[str, Sequence[LayerStyle]]) -> pd.DataFrame:
    """Rows of the ``layer_styles`` table, in the columns QGIS creates it with."""
    rows = []
    for name, items in styles.items():
        if name not in layers:
            continue
        for st in items:
            rows.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
                         "f_geometry_column": "geom", "styleName": st.name, "styleQML": st.qml, "styleSLD": "",
                         "useAsDefault": bool(st.default), "description": st.description, "owner": "binhai_geo",
                         "ui": "", "update_time": pd.Timestamp("2000-01-01T00:00:00")})
    return pd.DataFrame(rows)


_DATA_COLUMNS_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, "
    "max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
    "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
    "extension_name))",
)


def _write_data_columns(path: Path, aliases: Mapping[str, Mapping[str, str]]) -> None:
    """Write field aliases into ``gpkg_data_columns`` of the GeoPackage at ``path``.

    pyogrio does not expose GDAL's field alternative names, so the two tables of the GeoPackage
    schema extension (OGC 12-128r18, section F.9) are written with the standard library's sqlite3.
    """
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        for ddl in _DATA_COLUMNS_DDL:
            con.execute(ddl)
        for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
            con.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', "
                        "'http://www.geopackage.org/spec121/#extension_schema', 'read-write')", (table,))
        for layer, cols in aliases.items():
            seen: set[str] = set()
            for col, alias in cols.items():
                title = alias if alias not in seen else f"{alias} [{col}]"
                seen.add(title)
                con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title) "
                            "VALUES (?, ?, ?, ?)", (layer, col, title, title))


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (with BOM, so Excel shows Chinese text) at ``path``, atomically."""

    def _write(tmp: Path) -> None:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")

    return write_with(path, _write)
