"""Connecting to PostgreSQL with psycopg 3, and turning its errors into messages a planner can act on.

libpq finds the host, database, user and password itself: a service file (``PGSERVICE``,
``PGSERVICEFILE``), a password file (``PGPASSFILE``, default ``~/.pgpass``) or ``PGPASSWORD``. A connection
that does not answer gives up after :data:`CONNECT_TIMEOUT_S` unless the DSN or ``PGCONNECT_TIMEOUT`` says
otherwise. Every message passes through :func:`~binhai_geo.postgis.spec.scrub`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import psycopg
from psycopg import errors as pgerr
from psycopg.conninfo import conninfo_to_dict

from binhai_geo.errors import BinhaiGeoError
from binhai_geo.postgis.spec import scrub

#: Seconds to wait for a server before saying it does not answer (an ASSUMPTION: long enough for an
#: intranet server under load, short enough that a planner is not left waiting; override with
#: ``connect_timeout=`` in the DSN or PGCONNECT_TIMEOUT).
CONNECT_TIMEOUT_S = 5

CONNECT_HINT = ("check host, port and dbname (or the service in the pg service file, PGSERVICEFILE); the user and "
                "password come from PGUSER and a password file (PGPASSFILE) or PGPASSWORD, never from the workflow")


def _first_lines(exc: BaseException, n: int = 3) -> str:
    text = " ".join(line.strip() for line in str(exc).strip().splitlines()[:n])
    return scrub(text)


@contextlib.contextmanager
def connect(dsn: str, *, display: str, error: type[BinhaiGeoError], layer: str | None = None,
            read_only: bool = False) -> Iterator[psycopg.Connection]:
    """Open a connection in one transaction; commit when the block ends, roll back on any error.

    Parameters
    ----------
    dsn : str
        libpq connection string or URI (no password).
    display : str
        The connection as messages name it (scrubbed).
    error : type
        The :class:`BinhaiGeoError` subclass raised (``LayerError`` reading, ``OutputError`` writing).
    layer : str, optional
        Named in messages.
    read_only : bool
        Open a read-only transaction (reading layers: a ``where`` or ``query`` cannot change data).

    Raises
    ------
    BinhaiGeoError
        Of class ``error`` when the DSN is malformed or the server refuses, does not answer, or rejects the login.
    """
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise error(f"the connection string is not valid: {_first_lines(exc)}", file=display, layer=layer,
                    hint="write it as libpq key=value pairs ('service=binhai', 'host=db dbname=plan') or a URI "
                         "('postgresql://db/plan')") from None
    if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
        params["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        conn = psycopg.connect(**params)
    except psycopg.Error as exc:
        text = _first_lines(exc)
        timeout = params.get("connect_timeout") or os.environ.get("PGCONNECT_TIMEOUT")
        if "timeout expired" in text:
            text = f"the server did not answer within {timeout} s ({text})"
        raise error(f"cannot connect to the PostgreSQL server: {text}", file=display, layer=layer,
                    hint=CONNECT_HINT) from None
    try:
        with conn.transaction():
            if read_only:
                conn.execute("SET TRANSACTION READ ONLY")
            yield conn
    finally:
        conn.close()


def database_error(exc: psycopg.Error, *, display: str, error: type[BinhaiGeoError], layer: str | None,
                   doing: str) -> BinhaiGeoError:
    """Return the :class:`BinhaiGeoError` for a failed statement (permission, missing table, bad type...).

    Parameters
    ----------
    exc : psycopg.Error
        The driver's error.
    display, error, layer
        As for :func:`connect`.
    doing : str
        What was being done, e.g. ``"reading"`` or ``"writing table 'targets'"``.
    """
    text = _first_lines(exc, 2)
    if isinstance(exc, pgerr.InsufficientPrivilege):
        hint = ("ask the database administrator for the privilege (GRANT SELECT to read; GRANT USAGE, CREATE on "
                "the schema and INSERT, DELETE on its tables to write), or connect as a user who has it")
    elif isinstance(exc, pgerr.UndefinedTable | pgerr.UndefinedColumn | pgerr.InvalidSchemaName):
        hint = "check the table, schema and column names (psql: \\dt schema.*; \\d schema.table)"
    elif isinstance(exc, pgerr.SyntaxError | pgerr.UndefinedFunction):
        hint = "check the SQL of 'where' or 'query' (run it in psql first)"
    elif isinstance(exc, pgerr.DatatypeMismatch | pgerr.InvalidTextRepresentation | pgerr.InvalidParameterValue):
        hint = ("a table in the target schema has columns of other types than this run writes; drop or rename "
                "that table, or write to another schema")
    elif isinstance(exc, pgerr.OperationalError):
        hint = CONNECT_HINT
    else:
        hint = "see the server's message above"
    return error(f"the database refused {doing}: {text}", file=display, layer=layer, hint=hint)
