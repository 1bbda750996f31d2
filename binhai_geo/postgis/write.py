"""Writing a run's results into a PostGIS schema, in one transaction: all or nothing.

Layout of the schema (created when missing)::

    binhai_runs(run_id PK, workflow_id, written_utc, tables text[], manifest jsonb)
    <name>(run_id, <the result's columns>, geom geometry(Geometry, <srid>))   one table per result

Every result table carries ``run_id`` (indexed) and, for geo results, a ``geom`` column with a GiST index.
A re-run with the same run id deletes that run's rows from every table it wrote before and writes the new
ones; other runs' rows stay. Columns a table lacks are added; a column of another type than the run writes
is an error (rolled back). Rows go in with COPY (psycopg), the server's bulk path.

Any failure (connection, permission, a type mismatch half-way) rolls the whole transaction back: the
schema holds the previous state of every table, and an :class:`~binhai_geo.errors.OutputError` says what
failed, without password.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from binhai_geo.errors import OutputError
from binhai_geo.postgis.conn import connect, database_error
from binhai_geo.postgis.spec import PostgisOutputSpec, scrub

#: The table listing the runs written into a schema (one row per run id, with its manifest).
RUNS_TABLE = "binhai_runs"
#: Seconds to wait for a lock held by another planner's write before giving up (an ASSUMPTION).
LOCK_TIMEOUT_S = 30


def _sql_type(series: pd.Series) -> str:
    """PostgreSQL type of a column (numbers, booleans, timestamps; anything else as text)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamptz" if getattr(dtype, "tz", None) is not None else "timestamp"
    return "text"


def _rows(frame: pd.DataFrame, types: Mapping[str, str]) -> list[tuple]:
    """Return the frame's rows as Python values for COPY (NaN -> NULL; text columns as str)."""
    cols = []
    for name, kind in types.items():
        values = frame[name].astype(object).where(frame[name].notna(), None)
        if kind == "text" and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            values = values.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        cols.append(values.tolist())
    return list(zip(*cols, strict=True))


def _prepare(name: str, frame: pd.DataFrame, run_id: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the frame to write (``run_id`` first, geometry as hex EWKB in ``geom``) and its column types."""
    out = pd.DataFrame(frame.drop(columns="run_id", errors="ignore"))
    geo = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame
    if geo:
        srid = frame.crs.to_epsg() if frame.crs is not None else None
        if srid is None:
            raise OutputError(f"result '{name}' has no EPSG CRS to store as SRID", layer=name,
                              hint="the analysis CRS of the region must be an EPSG code")
        geoms = shapely.set_srid(np.asarray(frame.geometry.array), srid)
        out = out.drop(columns=frame.geometry.name)
        # hex EWKB, the text form COPY takes for geometry (binary WKB + bytes.hex: 2.5 x faster than GEOS' hex)
        out["geom"] = [None if b is None else b.hex() for b in shapely.to_wkb(geoms, include_srid=True)]
    out.insert(0, "run_id", run_id)
    types = {c: _sql_type(out[c]) for c in out.columns}
    if geo:
        types["geom"] = f"geometry(Geometry, {srid})"
    return out, types


def _ensure_table(conn: psycopg.Connection, schema: str, name: str, types: Mapping[str, str]) -> bool:
    """Create the table, or add the columns it lacks; return whether it was created (indexes come after COPY)."""
    table = sql.Identifier(schema, name)
    exists = conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{name}"',)).fetchone()[0]
    if exists is None:
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in types.items())
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(table, cols))
        return True
    have = {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, name)).fetchall()}
    for c, t in types.items():
        if c not in have:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(table, sql.Identifier(c), sql.SQL(t)))
    return False


def _index(conn: psycopg.Connection, schema: str, name: str, types: Mapping[str, str]) -> None:
    """Index a new table on run_id and (GiST) geom: built once after COPY, faster than row by row."""
    table = sql.Identifier(schema, name)
    conn.execute(sql.SQL("CREATE INDEX {} ON {} (run_id)").format(sql.Identifier(f"{name}_run_id_idx"), table))
    if "geom" in types:
        conn.execute(sql.SQL("CREATE INDEX {} ON {} USING GIST (geom)").format(sql.Identifier(f"{name}_geom_idx"),
                                                                              table))


def _copy(conn: psycopg.Connection, schema: str, name: str, frame: pd.DataFrame, types: Mapping[str, str]) -> None:
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in types)
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(schema, name), cols)) as copy:
        for row in _rows(frame, types):
            copy.write_row(row)


def _write(conn: psycopg.Connection, spec: PostgisOutputSpec, run_id: str, workflow_id: str,
           frames: Mapping[str, pd.DataFrame], manifest: str, doing: list[str]) -> dict[str, int]:
    schema = spec.db_schema
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{LOCK_TIMEOUT_S}s")))
    doing[0] = f"creating schema '{schema}'"
    if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    runs = sql.Identifier(schema, RUNS_TABLE)
    doing[0] = f"writing table '{schema}.{RUNS_TABLE}'"
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (run_id text PRIMARY KEY, workflow_id text NOT NULL, "
                         "written_utc timestamptz NOT NULL DEFAULT now(), tables text[] NOT NULL, "
                         "manifest jsonb NOT NULL)").format(runs))
    before = conn.execute(sql.SQL("SELECT tables FROM {} WHERE run_id = %s FOR UPDATE").format(runs),
                          (run_id,)).fetchone()
    for old in (before[0] if before else []):
        if conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{old}"',)).fetchone()[0] is not None:
            doing[0] = f"deleting run '{run_id}' from table '{schema}.{old}'"
            conn.execute(sql.SQL("DELETE FROM {} WHERE run_id = %s").format(sql.Identifier(schema, old)), (run_id,))
    counts = {}
    for name, frame in frames.items():
        doing[0] = f"writing table '{schema}.{name}'"
        out, types = _prepare(name, frame, run_id)
        created = _ensure_table(conn, schema, name, types)
        conn.execute(sql.SQL("DELETE FROM {} WHERE run_id = %s").format(sql.Identifier(schema, name)), (run_id,))
        _copy(conn, schema, name, out, types)
        if created:
            _index(conn, schema, name, types)
        counts[name] = len(out)
    doing[0] = f"writing table '{schema}.{RUNS_TABLE}'"
    conn.execute(sql.SQL("INSERT INTO {} (run_id, workflow_id, tables, manifest) VALUES (%s, %s, %s, %s::jsonb) "
                         "ON CONFLICT (run_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, written_utc = now(), "
                         "tables = EXCLUDED.tables, manifest = EXCLUDED.manifest").format(runs),
                 (run_id, workflow_id, list(frames), scrub(manifest)))
    return counts


def write_run(spec: PostgisOutputSpec, run_id: str, workflow_id: str, frames: Mapping[str, pd.DataFrame],
              manifest: str) -> dict[str, int]:
    """Write a run's result tables and manifest into ``spec``'s schema in one transaction.

    Parameters
    ----------
    spec : PostgisOutputSpec
        Connection (no password) and schema.
    run_id : str
        Id of this run's rows; the rows a previous write with this id left are replaced.
    workflow_id : str
        The workflow's id, recorded in ``binhai_runs``.
    frames : mapping of str to DataFrame or GeoDataFrame
        Result tables by name (geo frames in an EPSG CRS get a ``geom`` column with a GiST index).
    manifest : str
        The run's manifest (JSON text), stored as jsonb in ``binhai_runs`` (passwords scrubbed).

    Returns
    -------
    dict of str to int
        Rows written per table.

    Raises
    ------
    OutputError
        When the server cannot be reached, refuses the login or a privilege, or a statement fails (for
        example a column of another type in an existing table). Nothing is written then.
    """
    if RUNS_TABLE in frames:
        raise OutputError(f"a result may not be named '{RUNS_TABLE}'", layer=RUNS_TABLE, hint="rename the result")
    json.loads(manifest)  # a broken manifest is a bug, found before anything is sent
    doing = ["connecting"]
    with connect(spec.dsn, display=spec.display, error=OutputError, layer=spec.db_schema) as conn:
        try:
            return _write(conn, spec, run_id, workflow_id, frames, manifest, doing)
        except psycopg.Error as exc:
            raise database_error(exc, display=spec.display, error=OutputError, layer=spec.db_schema,
                                 doing=doing[0]) from None


def check_target(spec: PostgisOutputSpec) -> None:
    """Check, before a run computes anything, that the server answers and the schema can be written.

    Raises
    ------
    OutputError
        For a bad DSN, a server that refuses or does not answer, or no privilege to create in the schema
        (or to create the schema when it does not exist yet).
    """
    with connect(spec.dsn, display=spec.display, error=OutputError, layer=spec.db_schema, read_only=True) as conn:
        schema = spec.db_schema
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None:
            ok = conn.execute("SELECT has_schema_privilege(%s, 'USAGE') AND has_schema_privilege(%s, 'CREATE')",
                              (schema, schema)).fetchone()[0]  # a list 'USAGE,CREATE' would mean either
            what = f"create tables in schema '{schema}'"
        else:
            ok = conn.execute("SELECT has_database_privilege(current_database(), 'CREATE')").fetchone()[0]
            what = f"create schema '{schema}'"
        if not ok:
            user = conn.execute("SELECT current_user").fetchone()[0]
            raise OutputError(
                f"user '{user}' may not {what}", file=spec.display, layer=schema,
                hint=f"ask the database administrator: GRANT USAGE, CREATE ON SCHEMA {schema} TO {user} (or GRANT "
                     f"CREATE ON DATABASE to let it create the schema), or write to a schema you own")
