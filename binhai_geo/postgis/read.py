"""Reading a layer from a PostGIS table, view or query (a loader: canonical GeoDataFrame out, nothing computed).

The frame looks like one read from a file by :func:`binhai_geo.io.read_layer`: feature ids (the table's
primary key) as index, a ``geometry`` column with the CRS of the column's SRID, and ``attrs``
``source_file`` (the connection, password scrubbed) and ``source_layer`` (``schema.table`` or ``query``),
so :func:`binhai_geo.validate.validate_layer` names them in its messages. SRID 0 is "no CRS", refused as
a file without CRS is.

Geometries travel as WKB (``ST_AsBinary``) and are decoded by shapely; the read runs in a read-only
transaction, so a ``where`` or ``query`` cannot change data.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import psycopg
import pyproj
import shapely
from psycopg import sql
from pydantic import ValidationError

from binhai_geo.errors import LayerError
from binhai_geo.postgis.conn import connect, database_error
from binhai_geo.postgis.spec import PostgisLayerSource, has_password, split_pg_string

GEOMETRY_TYPES = ("geometry", "geography")
_WKB, _SRID = "__binhai_wkb", "__binhai_srid"


def _relation(src: PostgisLayerSource) -> sql.Composable:
    if src.query is not None:
        return sql.SQL(src.query.strip().rstrip(";"))  # the user's own SELECT, run read-only
    rel = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(src.schema_name), sql.Identifier(src.table_name))
    if src.where:
        rel = sql.SQL("{} WHERE ({})").format(rel, sql.SQL(src.where))
    return rel


def _geometry_tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute("SELECT DISTINCT f_table_name FROM geometry_columns WHERE f_table_schema = %s ORDER BY 1",
                        (schema,)).fetchall()
    return [r[0] for r in rows]


def _check_table(conn: psycopg.Connection, src: PostgisLayerSource) -> None:
    found = conn.execute("SELECT to_regclass(%s)", (f'"{src.schema_name}"."{src.table_name}"',)).fetchone()[0]
    if found is None:
        has = _geometry_tables(conn, src.schema_name)
        raise LayerError(
            f"no table or view '{src.label}'; schema '{src.schema_name}' has these spatial tables: "
            f"{', '.join(has) or '(none)'}",
            file=src.display, layer=src.label,
            hint="give one of the tables listed (workflow: table = \"...\", schema = \"...\"; CLI: table=schema.name)")


def _columns(conn: psycopg.Connection, rel: sql.Composable) -> dict[str, str]:
    """Return the relation's columns and their type names, in order."""
    cur = conn.execute(sql.SQL("SELECT * FROM ({}) AS q LIMIT 0").format(rel))
    oids = [d.type_code for d in cur.description]
    names = dict(conn.execute("SELECT oid, typname FROM pg_type WHERE oid = ANY(%s)", (oids,)).fetchall())
    return {d.name: names.get(d.type_code, "?") for d in cur.description}


def _geometry_column(columns: dict[str, str], src: PostgisLayerSource) -> str:
    listed = ", ".join(f"{c} ({t})" for c, t in columns.items())
    where = {"file": src.display, "layer": src.label}
    if src.geometry is not None:
        if src.geometry not in columns:
            raise LayerError(f"no column '{src.geometry}'; the columns are: {listed}", field=src.geometry,
                             hint="name the geometry column (geometry = \"...\")", **where)
        if columns[src.geometry] not in GEOMETRY_TYPES:
            raise LayerError(
                f"column '{src.geometry}' is of type {columns[src.geometry]}, not a PostGIS geometry",
                field=src.geometry, **where,
                hint="name a geometry column, or convert this one in the database, e.g. ALTER TABLE t ALTER "
                     "COLUMN c TYPE geometry(MultiPolygon, 4527) USING ST_GeomFromText(c, 4527) for WKT text")
        return src.geometry
    geoms = [c for c, t in columns.items() if t in GEOMETRY_TYPES]
    if not geoms:
        raise LayerError(f"the layer has no geometry column (a PostGIS geometry or geography); its columns: {listed}",
                         **where, hint="give a spatial table, or convert a WKT/WKB column to geometry in the database "
                                       "(ST_GeomFromText / ST_GeomFromWKB with the SRID)")
    if len(geoms) > 1:
        raise LayerError(f"the layer has {len(geoms)} geometry columns ({', '.join(geoms)}); which one is meant?",
                         **where, hint="name it: geometry = \"...\" (CLI: geometry=...)")
    return geoms[0]


def _primary_key(conn: psycopg.Connection, src: PostgisLayerSource, columns: dict[str, str]) -> str | None:
    if src.fid is not None:
        if src.fid not in columns:
            raise LayerError(f"no column '{src.fid}' for the feature ids; the columns are: {', '.join(columns)}",
                             file=src.display, layer=src.label, field=src.fid, hint="fix fid = \"...\"")
        return src.fid
    if src.table is None:
        return None
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
        (f'"{src.schema_name}"."{src.table_name}"',)).fetchall()
    if len(rows) == 1 and columns.get(rows[0][0]) in ("int2", "int4", "int8"):
        return rows[0][0]
    return None


def _crs_of(conn: psycopg.Connection, srids: set[int], src: PostgisLayerSource, geom: str) -> pyproj.CRS:
    where = {"file": src.display, "layer": src.label, "field": geom}
    if len(srids) > 1:
        raise LayerError(f"the geometries have {len(srids)} different SRIDs ({', '.join(map(str, sorted(srids)))})",
                         **where, hint="transform them to one CRS in the database (ST_Transform) or select one SRID")
    srid = next(iter(srids))
    if srid == 0:
        raise LayerError(
            "the layer has no coordinate reference system (CRS): its SRID is 0", **where,
            hint=f"set the SRID in the database, e.g. ALTER TABLE {src.label} ALTER COLUMN {geom} TYPE "
                 f"geometry(MultiPolygon, 4527) USING ST_SetSRID({geom}, 4527), or UPDATE ... SET {geom} = "
                 f"ST_SetSRID({geom}, 4527); for Binhai use CGCS2000 (EPSG:4490, or Gauss-Kruger EPSG:4527 / 4548)")
    row = conn.execute("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = %s", (srid,)).fetchone()
    if row is None:
        raise LayerError(f"SRID {srid} is not in the server's spatial_ref_sys", **where,
                         hint="use an EPSG SRID (e.g. 4527) or add the CRS to spatial_ref_sys")
    auth, code, wkt = row
    return pyproj.CRS.from_user_input(f"{auth}:{code}") if auth and code else pyproj.CRS.from_wkt(wkt)


def _read(conn: psycopg.Connection, src: PostgisLayerSource) -> gpd.GeoDataFrame:
    if src.table is not None:
        _check_table(conn, src)
    rel = _relation(src)
    columns = _columns(conn, rel)
    geom = _geometry_column(columns, src)
    pk = _primary_key(conn, src, columns)
    attrs = [c for c in columns if c != geom]
    g = sql.SQL("{}::geometry").format(sql.Identifier(geom))
    query = sql.SQL("SELECT {}, ST_AsBinary({}) AS {}, ST_SRID({}) AS {} FROM ({}) AS q {}").format(
        sql.SQL(", ").join([sql.Identifier(c) for c in attrs]) if attrs else sql.SQL("1 AS __binhai_one"),
        g, sql.Identifier(_WKB), g, sql.Identifier(_SRID), rel,
        sql.SQL("ORDER BY {}").format(sql.Identifier(pk)) if pk else sql.SQL(""))
    cur = conn.execute(query)
    df = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
    if df.empty:
        raise LayerError("the layer has no features (the table or query returned no rows)", file=src.display,
                         layer=src.label, hint="check the table and the 'where' condition")
    crs = _crs_of(conn, set(df[_SRID].dropna().astype(int)), src, geom)
    for c in attrs:
        if columns[c] == "numeric":  # psycopg gives Decimal; the layer model wants numbers
            df[c] = pd.to_numeric(df[c])
    geometry = gpd.GeoSeries(shapely.from_wkb(df[_WKB].to_numpy()), crs=crs)
    df = df.drop(columns=[_WKB, _SRID, "__binhai_one"], errors="ignore")
    if pk is not None:
        geometry.index = pd.Index(df[pk].to_numpy(), name="fid")
        df = df.drop(columns=pk).set_index(geometry.index)
    else:
        geometry.index = df.index = pd.RangeIndex(1, len(df) + 1, name="fid")
    gdf = gpd.GeoDataFrame(df, geometry=geometry)
    gdf.attrs["source_file"] = src.display
    gdf.attrs["source_layer"] = src.label
    return gdf


def read_postgis_layer(src: PostgisLayerSource) -> gpd.GeoDataFrame:
    """Read one layer from PostGIS.

    Parameters
    ----------
    src : PostgisLayerSource
        Connection and table/view (with optional ``where``) or query.

    Returns
    -------
    geopandas.GeoDataFrame
        Features with the primary key (else 1..n) as index named ``fid``; CRS from the SRID.

    Raises
    ------
    LayerError
        Naming the connection (no password) and layer: a bad DSN, a server that refuses or does not
        answer, a missing table or column, no SELECT privilege, no or several geometry columns, a column
        that is not a geometry, SRID 0 or mixed SRIDs, no rows, or SQL the server rejects.
    """
    with connect(src.dsn, display=src.display, error=LayerError, layer=src.label, read_only=True) as conn:
        try:
            return _read(conn, src)
        except psycopg.Error as exc:
            raise database_error(exc, display=src.display, error=LayerError, layer=src.label,
                                 doing="reading the layer") from None


def source_from_string(text: str, layer: str | None = None) -> PostgisLayerSource:
    """Parse a command-line PG string (``PG:service=binhai table=salt_pan``); ``layer`` names the table if it doesn't.

    Raises
    ------
    LayerError
        For a password in it, or neither or both of table and query (the message never repeats the input).
    """
    try:
        return PostgisLayerSource.from_string(text, layer)
    except ValidationError as exc:
        dsn, _ = split_pg_string(text)
        msgs = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise LayerError(msgs, file=PostgisLayerSource.model_construct(dsn=dsn).display,
                         hint="e.g. PG:service=binhai table=survey.salt_pan") from None


def list_postgis_layers(text: str) -> list[str]:
    """Return the layer the PG string names, or else the spatial tables of its schema (default public).

    Raises
    ------
    LayerError
        As :func:`read_postgis_layer` does for the connection.
    """
    dsn, keys = split_pg_string(text)
    if "table" in keys or "query" in keys or has_password(dsn):
        src = source_from_string(text)
        return [src.table_name or "query"]
    probe = PostgisLayerSource.model_construct(dsn=dsn, table="-", db_schema=keys.get("schema"))
    with connect(dsn, display=probe.display, error=LayerError, read_only=True) as conn:
        return _geometry_tables(conn, probe.schema_name)
