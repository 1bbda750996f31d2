"""PostGIS: layers read from a real server and a run's results written back in one transaction.

Every test here runs against a throwaway PostgreSQL + PostGIS cluster (``tests/pgserver.py``) started once
for the module; credentials reach libpq only through the password file and service file it writes
(PGPASSFILE, PGSERVICEFILE). Without Debian's postgresql and postgis packages the tests are skipped with a
plain reason (``make test`` installs them when root).
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely
from shapely.geometry import Point, box
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.errors import LayerError, OutputError, WorkflowError
from binhai_geo.io import read_layer
from binhai_geo.pipeline import run_plan
from binhai_geo.postgis.spec import PostgisOutputSpec, scrub
from binhai_geo.postgis.write import write_run

from conftest import CRS, X0, Y0, synthetic_layers, write_workflow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import pgserver  # noqa: E402

cli = CliRunner()
SERVICE = "service=binhai_test"


@pytest.fixture(scope="module")
def pg():
    """The running cluster, with the synthetic layers in schema ``survey`` (owned by ``planner``)."""
    if not pgserver.available():
        pytest.skip(pgserver.SKIP_REASON)
    with pgserver.throwaway_cluster() as cluster:
        with pytest.MonkeyPatch.context() as mp:
            for k, v in cluster.env().items():
                mp.setenv(k, v)
            mp.delenv("PGPASSWORD", raising=False)
            with psycopg.connect(cluster.dsn()) as conn:
                for kind in ("salt_pan", "rooftop", "project"):
                    load_table(conn, "survey", kind, synthetic_layers()[kind])
            yield cluster


@pytest.fixture(autouse=True)
def _libpq_env(request, monkeypatch):
    if "pg" in request.fixturenames:
        cluster = request.getfixturevalue("pg")
        for k, v in cluster.env().items():
            monkeypatch.setenv(k, v)


def load_table(conn: psycopg.Connection, schema: str, name: str, gdf: gpd.GeoDataFrame, *, srid: int = 4527,
               geom_type: str = "Geometry") -> None:
    """Load ``gdf`` with plain SQL (ST_GeomFromWKB), independently of the package's writer."""
    cols = [c for c in gdf.columns if c != "geometry"]
    types = {c: "double precision" if gdf[c].dtype.kind == "f" else "boolean" if gdf[c].dtype.kind == "b"
             else "bigint" if gdf[c].dtype.kind == "i" else "text" for c in cols}
    coldefs = ", ".join(f'"{c}" {t}' for c, t in types.items())
    conn.execute(f'CREATE TABLE "{schema}"."{name}" (id serial PRIMARY KEY, {coldefs}{", " if cols else ""}'
                 f"geom geometry({geom_type}, {srid}))")
    placeholders = ", ".join(["%s"] * len(cols))
    names = ", ".join(f'"{c}"' for c in cols)
    with conn.cursor() as cur:
        cur.executemany(
            f'INSERT INTO "{schema}"."{name}" ({names}{", " if cols else ""}geom) '
            f"VALUES ({placeholders}{', ' if cols else ''}ST_GeomFromWKB(%s, {srid}))",
            [(*[None if pd.isna(v) else v for v in row[:-1]], shapely.to_wkb(row[-1]))
             for row in gdf[[*cols, "geometry"]].itertuples(index=False)])


def _no_secret(text: str, cluster: pgserver.Cluster) -> None:
    for line in cluster.passfile.read_text().splitlines():
        assert line.rsplit(":", 1)[1] not in text


# --- reading ---------------------------------------------------------------------------------------------


def test_read_table_equals_what_was_loaded(pg):
    src = synthetic_layers()["rooftop"]
    got = read_layer(f"PG:{SERVICE} table=survey.rooftop")
    assert got.crs.to_epsg() == 4527
    assert list(got.index) == [1, 2, 3]  # the primary key is the FID, as QGIS shows it
    assert got.geometry.geom_equals(src.geometry.set_axis(got.index)).all()
    assert got["building_class"].tolist() == src["building_class"].tolist()
    assert got.attrs == {"source_file": "PG:service=binhai_test", "source_layer": "survey.rooftop"}


def test_where_query_and_uri(pg):
    where = read_layer(f"PG:{SERVICE} table=survey.rooftop where='pv_installed = false'")
    assert len(where) == 2
    query = read_layer(f"PG:{SERVICE} query='SELECT id, geom, building_class FROM survey.rooftop WHERE id = 1'")
    assert len(query) == 1 and query["building_class"].iloc[0] == "factory"
    uri = read_layer(f"postgresql://127.0.0.1:{pg.port}/binhai?user=planner&table=rooftop&schema=survey")
    assert len(uri) == 3


def test_layers_check_cli_reads_every_kind_table_of_a_schema(pg):
    res = cli.invoke(app, ["layers", "check", f"PG:{SERVICE} schema=survey"])
    assert res.exit_code == 0, res.output
    for kind in ("salt_pan", "rooftop", "project"):
        assert kind in res.output


def _check(args: list[str]) -> str:
    res = cli.invoke(app, ["layers", "check", *args])
    assert res.exit_code == 2, res.output
    return " ".join(res.output.split())


def test_missing_table_lists_what_is_there(pg):
    out = _check([f"PG:{SERVICE} table=survey.salt_pans", "--kind", "salt_pan"])
    assert "no table or view 'survey.salt_pans'" in out and "project, rooftop, salt_pan" in out


def test_wrong_dsn_and_unknown_database(pg):
    out = _check([f"PG:host=127.0.0.1 port={pg.port} dbname=no_such_db user=planner table=t", "--kind", "salt_pan"])
    assert "cannot connect to the PostgreSQL server" in out and "no_such_db" in out
    out = _check(["PG:hostaddr=not-an-address table=t", "--kind", "salt_pan"])
    assert "cannot connect" in out or "not valid" in out


def test_server_that_does_not_answer(pg):
    with socket.socket() as silent:  # accepts TCP connections (kernel backlog) but never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        out = _check([f"PG:host=127.0.0.1 port={port} dbname=x user=planner connect_timeout=1 table=t",
                      "--kind", "salt_pan"])
    assert "did not answer within 1 s" in out


def test_password_on_the_command_line_is_refused_and_never_shown(pg):
    out = _check([f"PG:{SERVICE} password=hunter2secret table=survey.salt_pan", "--kind", "salt_pan"])
    assert "hunter2secret" not in out and "PGPASSFILE" in out


def test_srid_zero_is_no_crs(pg):
    with psycopg.connect(pg.dsn()) as conn:
        load_table(conn, "survey", "salt_pan_srid0", synthetic_layers()["salt_pan"], srid=0)
    out = _check([f"PG:{SERVICE} table=survey.salt_pan_srid0", "--kind", "salt_pan"])
    assert "no coordinate reference system (CRS): its SRID is 0" in out and "ST_SetSRID" in out


def test_geometry_column_of_the_wrong_type(pg):
    with psycopg.connect(pg.dsn()) as conn:
        conn.execute("CREATE TABLE survey.salt_pan_wkt AS SELECT id, name, ST_AsText(geom) AS geom FROM survey.salt_pan")
        points = gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(X0 + 100, Y0 + 100)], crs=CRS)
        load_table(conn, "survey", "salt_pan_points", points)
    with pytest.raises(LayerError, match="no geometry column"):
        read_layer(f"PG:{SERVICE} table=survey.salt_pan_wkt")
    with pytest.raises(LayerError, match="column 'geom' is of type text, not a PostGIS geometry"):
        read_layer(f"PG:{SERVICE} table=survey.salt_pan_wkt geometry=geom")
    out = _check([f"PG:{SERVICE} table=survey.salt_pan_points", "--kind", "salt_pan"])  # same rule as files
    assert "survey.salt_pan_points" in out and "Point" in out


def test_no_select_privilege(pg):
    with psycopg.connect(pg.dsn()) as conn:
        conn.execute("CREATE TABLE survey.secret_zone AS SELECT * FROM survey.salt_pan")
        conn.execute("REVOKE SELECT ON survey.secret_zone FROM reader")
    out = _check([f"PG:host=127.0.0.1 port={pg.port} dbname=binhai user=reader table=survey.secret_zone",
                  "--kind", "salt_pan"])
    assert "permission denied" in out and "GRANT SELECT" in out


# --- writing ---------------------------------------------------------------------------------------------


def _frames(n: int, status: object = "met") -> dict[str, pd.DataFrame]:
    sites = gpd.GeoDataFrame({"site_id": [f"s{i}" for i in range(n)], "capacity_mw": [10.0 * (i + 1) for i in range(n)]},
                             geometry=[box(X0 + i * 100, Y0, X0 + i * 100 + 50, Y0 + 50) for i in range(n)], crs=CRS)
    return {"sites": sites, "targets": pd.DataFrame({"target_id": ["pv_capacity"], "status": [status]})}


def _rows(cluster, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(cluster.dsn()) as conn:
        return conn.execute(sql, params).fetchall()


def test_rerun_replaces_that_runs_rows_only(pg):
    spec = PostgisOutputSpec(dsn=SERVICE, schema="rerun")
    assert write_run(spec, "a", "wf", _frames(3), "{}") == {"sites": 3, "targets": 1}
    write_run(spec, "b", "wf", _frames(2), "{}")
    write_run(spec, "a", "wf", _frames(1), "{}")
    counts = dict(_rows(pg, "SELECT run_id, count(*) FROM rerun.sites GROUP BY 1"))
    assert counts == {"a": 1, "b": 2}
    assert _rows(pg, "SELECT run_id FROM rerun.binhai_runs ORDER BY 1") == [("a",), ("b",)]


def test_failure_half_way_rolls_everything_back(pg):
    spec = PostgisOutputSpec(dsn=SERVICE, schema="halfway")
    write_run(spec, "r1", "wf", _frames(3, status=1.5), '{"first": true}')  # targets.status: double precision
    before = _rows(pg, "SELECT site_id, capacity_mw, ST_AsText(geom) FROM halfway.sites ORDER BY 1")
    # the second write deletes and rewrites 'sites', then fails on 'targets' (its status is text)
    with pytest.raises(OutputError, match="table 'halfway.targets'") as err:
        write_run(spec, "r1", "wf", _frames(5, status="met"), "{}")
    _no_secret(str(err.value), pg)
    assert _rows(pg, "SELECT site_id, capacity_mw, ST_AsText(geom) FROM halfway.sites ORDER BY 1") == before
    assert _rows(pg, "SELECT manifest FROM halfway.binhai_runs") == [({"first": True},)]


def test_no_permission_to_write(pg):
    spec = PostgisOutputSpec(dsn=f"host=127.0.0.1 port={pg.port} dbname=binhai user=reader", schema="survey")
    with pytest.raises(OutputError, match="permission denied"):
        write_run(spec, "r", "wf", _frames(1), "{}")
    assert _rows(pg, "SELECT to_regclass('survey.sites')") == [(None,)]


def test_password_in_workflow_is_refused(tmp_path, pack):
    wf = write_workflow(tmp_path, '\n[outputs.postgis]\ndsn = "postgresql://planner:topsecret9@127.0.0.1/binhai"\n')
    with pytest.raises(WorkflowError) as err:
        run_plan(wf)
    assert "topsecret9" not in str(err.value) and "PGPASSFILE" in str(err.value)
    assert "topsecret9" not in scrub("postgresql://planner:topsecret9@h/db password=topsecret9")


def _geom_indexes(cluster, schema: str) -> set[str]:
    rows = _rows(cluster, "SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE '%%gist%%'",
                 (schema,))
    return {r[0] for r in rows}


def test_plan_round_trip(pg, tmp_path, pack):
    """Layers read from PostGIS, results written back: the database holds what the files hold."""
    wf = write_workflow(tmp_path, (
        f'\n[outputs.postgis]\ndsn = "{SERVICE}"\nschema = "results"\n\n[layers]\n'
        f'salt_pan = {{ dsn = "{SERVICE}", schema = "survey", table = "salt_pan" }}\n'
        f'rooftop = {{ dsn = "{SERVICE}", query = "SELECT * FROM survey.rooftop" }}\n'))
    result = run_plan(wf)
    assert result.layers.reports["salt_pan"].file == "PG:service=binhai_test"
    assert result.layers["salt_pan"].area.sum() == pytest.approx(2e6)  # the 2 km2 salt pan, read back
    sites = read_layer(f"PG:{SERVICE} table=results.sites where='run_id = \\'test_run\\''")
    files = gpd.read_file(result.outputs["sites_gpkg"])
    assert len(sites) == len(files) == len(result.sites)
    assert sites["capacity_mw"].sum() == pytest.approx(files["capacity_mw"].sum())
    assert sites.area.sum() == pytest.approx(files.area.sum())
    targets = _rows(pg, "SELECT target_id, status FROM results.targets WHERE run_id = 'test_run' ORDER BY 1")
    assert targets == sorted(zip(result.targets["target_id"], result.targets["status"], strict=True))
    written = json.loads(result.outputs["manifest"].read_text(encoding="utf-8"))["summary"]["postgis"]
    assert written["rows"]["sites"] == len(result.sites) and written["target"] == "PG:service=binhai_test"
    (manifest,) = _rows(pg, "SELECT manifest FROM results.binhai_runs WHERE run_id = 'test_run'")[0]
    assert manifest["summary"]["sites"] == len(result.sites)
    assert set(written["rows"]) >= {"sites", "targets", "capacity_density_used", *result.tables, *result.geo}
    assert {"sites", *result.geo} <= _geom_indexes(pg, "results")
    _no_secret(result.outputs["manifest"].read_text(encoding="utf-8") + json.dumps(manifest), pg)


def test_plan_failing_half_way_writes_nothing(pg, tmp_path, pack):
    with psycopg.connect(pg.dsn()) as conn:
        conn.execute("CREATE SCHEMA clash")
        conn.execute("CREATE TABLE clash.targets (run_id text, status integer)")  # status is text in a run
    wf = write_workflow(tmp_path, f'\n[wind]\nenabled = false\n\n[outputs.postgis]\ndsn = "{SERVICE}"\nschema = "clash"\n')
    res = cli.invoke(app, ["plan", str(wf)])
    assert res.exit_code == 2, res.output
    out = " ".join(res.output.split())
    assert "the database refused writing table 'clash.targets'" in out
    _no_secret(res.output, pg)
    assert _rows(pg, "SELECT to_regclass('clash.sites'), to_regclass('clash.binhai_runs')") == [(None, None)]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_pg_strings_and_scrub_without_a_server():
    from binhai_geo.postgis.spec import PostgisLayerSource, split_pg_string

    dsn, keys = split_pg_string("PG:service=binhai table=survey.salt_pan where='name = \\'盐田\\''")
    assert dsn == "service=binhai" and keys == {"table": "survey.salt_pan", "where": "name = '盐田'"}
    src = PostgisLayerSource.from_string("PG:host=db dbname=plan", layer="survey.rooftop")
    assert (src.schema_name, src.table_name, src.display) == ("survey", "rooftop", "PG:host=db dbname=plan")
    dsn, keys = split_pg_string("postgresql://u@db:5433/plan?table=roofs&sslmode=require")
    assert dsn == "postgresql://u@db:5433/plan?sslmode=require" and keys == {"table": "roofs"}
    assert scrub("postgresql://u:s3cret@db/plan host=x password='a b'") == "postgresql://u:***@db/plan host=x password=***"


def test_plan_without_write_privilege_stops_before_computing(pg, tmp_path, pack):
    wf = write_workflow(tmp_path, f'\n[outputs.postgis]\ndsn = "host=127.0.0.1 port={pg.port} dbname=binhai '
                                  'user=reader"\nschema = "survey"\n')
    res = cli.invoke(app, ["plan", str(wf)])
    assert res.exit_code == 2, res.output
    assert "user 'reader' may not create tables in schema 'survey'" in " ".join(res.output.split())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
