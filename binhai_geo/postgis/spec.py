"""PostGIS sources and targets as a workflow or the command line names them (light: no driver import).

A layer source is a libpq connection string plus what to read::

    [layers]
    salt_pan = { dsn = "service=binhai", schema = "survey", table = "salt_pan", where = "year >= 2020" }
    rooftop = { dsn = "service=binhai", query = "SELECT id, geom, building_class FROM roofs" }

On the command line the same is one string, either GDAL/QGIS style ``PG:service=binhai table=survey.salt_pan``
(libpq ``key=value`` pairs plus ``table``, ``schema``, ``where``, ``query``, ``geometry``, ``fid``) or a
URI ``postgresql://host/db?table=salt_pan`` (the same keys as query parameters).

Credentials never come from a workflow or a command line: a password in a DSN is refused, and the
password comes from libpq's own places, a password file (``PGPASSFILE``, default ``~/.pgpass``), a
service file (``PGSERVICE`` / ``PGSERVICEFILE``) or ``PGPASSWORD``. :func:`scrub` removes passwords
from any text before it is shown, logged or written.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator

from binhai_geo.specbase import Strict

#: Keys of a PG string that say what to read; the rest is the libpq connection string.
SOURCE_KEYS = ("table", "schema", "where", "query", "geometry", "fid")

#: How a PostGIS source is recognised on the command line.
PG_PREFIXES = ("PG:", "postgresql://", "postgres://")

_PAIR = re.compile(r"""(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']+)""")
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@/\s]*@")
_KV_PASSWORD = re.compile(r"""(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']+)""", re.IGNORECASE)
_CREDENTIAL_HINT = ("never put a password in the workflow or on the command line: keep it in a password file "
                    "(PGPASSFILE, default ~/.pgpass) or a pg service file (PGSERVICE), or set PGPASSWORD")


def scrub(text: str) -> str:
    """Return ``text`` with every password removed (DSN ``password=``, URI ``user:pass@``, PGPASSWORD's value).

    Applied to every message, log line and manifest entry that could carry a connection string.
    """
    out = _URI_PASSWORD.sub(r"\1:***@", str(text))
    out = _KV_PASSWORD.sub(r"\1***", out)
    secret = os.environ.get("PGPASSWORD")
    if secret:
        out = out.replace(secret, "***")
    return out


def has_password(dsn: str) -> bool:
    """Whether a libpq connection string (key=value or URI) carries a password."""
    if dsn.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(dsn)
        return parts.password is not None or any(k == "password" for k, _ in parse_qsl(parts.query))
    return any(k.lower() == "password" for k, _ in _PAIR.findall(dsn))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def split_pg_string(text: str) -> tuple[str, dict[str, str]]:
    """Split a command-line PG string into its libpq DSN and its source keys.

    Parameters
    ----------
    text : str
        ``PG:key=value ...`` or ``postgresql://...?...``.

    Returns
    -------
    dsn : str
        The connection string handed to libpq.
    keys : dict of str to str
        ``table``, ``schema``, ``where``, ``query``, ``geometry``, ``fid`` where given.
    """
    if text.startswith("PG:"):
        body = text[3:]
        keys = {k: _unquote(v) for k, v in _PAIR.findall(body) if k in SOURCE_KEYS}
        dsn = _PAIR.sub(lambda m: "" if m.group(1) in SOURCE_KEYS else m.group(0), body)
        return " ".join(dsn.split()), keys
    parts = urlsplit(text)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keys = {k: v for k, v in pairs if k in SOURCE_KEYS}
    rest = urlencode([(k, v) for k, v in pairs if k not in SOURCE_KEYS])
    return urlunsplit(parts._replace(query=rest)), keys


def is_pg_string(value: object) -> bool:
    """Whether a command-line layer argument names a PostGIS source (``PG:...`` or ``postgresql://...``).

    A path object is looked at as text: ``Path("PG:service=x table=t")`` still names one (a URI does not
    survive as a path: ``//`` collapses, so pass URIs as text).
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    return isinstance(text, str) and text.startswith(PG_PREFIXES)


class PostgisLayerSource(Strict):
    """A ``[layers]`` entry read from PostGIS: a table or view (with an optional filter) or a query.

    The geometry column is the only one of type ``geometry``/``geography`` unless ``geometry`` names
    it; feature ids are the table's single-column primary key unless ``fid`` names a column.
    """

    dsn: str = Field(description="libpq connection string or URI, without password (e.g. 'service=binhai')")
    table: str | None = Field(None, description="table or view; 'schema.table' allowed")
    db_schema: str | None = Field(None, alias="schema", description="schema of the table (default: public)")
    where: str | None = Field(None, description="SQL condition on the table's rows")
    query: str | None = Field(None, description="a SELECT returning one geometry column (instead of table)")
    geometry: str | None = Field(None, description="geometry column (default: the only one)")
    fid: str | None = Field(None, description="integer id column (default: the primary key)")

    @field_validator("dsn")
    @classmethod
    def _no_password(cls, v: str) -> str:
        if has_password(v):
            raise ValueError(f"the dsn holds a password ({scrub(v)}); {_CREDENTIAL_HINT}")
        return v

    @model_validator(mode="after")
    def _one_relation(self) -> PostgisLayerSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give either table (with optional schema and where) or query, not both or neither")
        if self.query is not None and (self.where is not None or self.db_schema is not None):
            raise ValueError("where and schema go with table; put the condition inside query instead")
        return self

    @property
    def schema_name(self) -> str:
        """The table's schema (``schema``, else the part before the dot of ``table``, else ``public``)."""
        if self.db_schema:
            return self.db_schema
        if self.table and "." in self.table:
            return self.table.split(".", 1)[0]
        return "public"

    @property
    def table_name(self) -> str | None:
        """The table's name without schema."""
        if self.table is None:
            return None
        return self.table.split(".", 1)[1] if "." in self.table and not self.db_schema else self.table

    @property
    def label(self) -> str:
        """The layer as messages name it: ``schema.table`` or ``query``."""
        return f"{self.schema_name}.{self.table_name}" if self.table else "query"

    @property
    def display(self) -> str:
        """The connection as messages and manifests name it (``PG:`` + DSN, password scrubbed)."""
        return scrub(self.dsn if self.dsn.startswith(("postgresql://", "postgres://")) else f"PG:{self.dsn}")

    @classmethod
    def from_string(cls, text: str, layer: str | None = None) -> PostgisLayerSource:
        """Build a source from a command-line PG string; ``layer`` (``--layer``) names the table if it does not.

        Raises
        ------
        ValueError
            For a password in the string, or neither or both of table and query.
        """
        dsn, keys = split_pg_string(text)
        if layer is not None and "table" not in keys and "query" not in keys:
            keys["table"] = layer
        return cls.model_validate({"dsn": dsn, **keys})


class PostgisOutputSpec(Strict):
    """The ``[outputs] postgis`` table: write the run's results into a schema, in one transaction."""

    dsn: str = Field(description="libpq connection string or URI, without password")
    db_schema: str = Field("binhai", alias="schema", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                           description="schema the result tables go in (created if missing)")
    run_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_\-.]+$",
                               description="id of this run's rows (default: the output prefix)")

    @field_validator("dsn")
    @classmethod
    def _no_password(cls, v: str) -> str:
        return PostgisLayerSource._no_password(v)

    @property
    def display(self) -> str:
        """The connection as messages and manifests name it (password scrubbed)."""
        return scrub(self.dsn if self.dsn.startswith(("postgresql://", "postgres://")) else f"PG:{self.dsn}")
