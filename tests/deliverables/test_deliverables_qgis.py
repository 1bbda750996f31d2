"""QGIS deliverables: styles translated from the registry, GeoPackages one geometry type per layer with
aliases and embedded styles, and a project that QGIS itself opens (headless PyQGIS, skipped without it)."""

import shutil
import sqlite3
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.deliverables.qgis_styles import symbol_props

from conftest import write_pack, write_workflow
from qgis_util import qgis_report

runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """One plan run on the synthetic region; its output folder."""
    folder = tmp_path_factory.mktemp("qgis")
    write_pack(folder / "region")
    res = runner.invoke(app, ["plan", str(write_workflow(folder))])
    assert res.exit_code == 0, res.output
    return folder / "out"


def test_leaflet_style_becomes_qgis_symbol():
    # registry PV site style: poly("#c77800", "#fbc02d", 0.55, 1.5); 1 px = 25.4/96 mm
    cls, props = symbol_props({"color": "#c77800", "weight": 1.5, "fillColor": "#fbc02d", "fillOpacity": 0.55},
                              "polygon")
    assert cls == "SimpleFill" and props["color"] == "251,192,45,140" and props["outline_color"] == "199,120,0,255"
    assert props["outline_width"] == "0.397"
    cls, props = symbol_props({"color": "#1f1f1f", "weight": 2.2, "fill": False}, "polygon")
    assert props["style"] == "no"  # district boundary: an outline only
    cls, props = symbol_props({"color": "#4a148c", "weight": 1.5, "fillColor": "#ab47bc", "radius": 5}, "point")
    assert cls == "SimpleMarker" and props["size"] == "2.65"
    cls, props = symbol_props({"color": "#5d4037", "weight": 3.0, "dashArray": "4 3"}, "line")
    assert cls == "SimpleLine" and props["use_custom_dash"] == "1" and props["customdash"] == "1.06;0.794"


def test_plan_writes_styled_geopackages_and_project(out):
    for name in ("test_run_sites.gpkg", "test_run_layers.gpkg", "test_run_input_layers.gpkg"):
        types = dict(pyogrio.list_layers(out / name))
        assert "Unknown" not in types.values() and types.pop("layer_styles") is None, (name, types)
        with sqlite3.connect(out / name) as con:
            styled = {t for (t,) in con.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
            aliased = {t for (t,) in con.execute("SELECT DISTINCT table_name FROM gpkg_data_columns")}
        assert styled == set(types) and aliased == set(types), name
    with sqlite3.connect(out / "test_run_sites.gpkg") as con:
        title = con.execute("SELECT title FROM gpkg_data_columns WHERE table_name = 'sites' AND "
                            "column_name = 'capacity_mw'").fetchone()[0]
        qml = con.execute("SELECT styleQML FROM layer_styles WHERE useAsDefault").fetchone()[0]
    assert title == "装机容量 Capacity (MW)"
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "technology"
    sites = pd.read_csv(out / "test_run_sites.csv")
    gpkg_sites = {n: len(pyogrio.read_dataframe(out / "test_run_sites.gpkg", layer=n))
                  for n, _ in pyogrio.list_layers(out / "test_run_sites.gpkg") if n != "layer_styles"}
    assert sites["gpkg_layer"].value_counts().to_dict() == gpkg_sites  # the CSV says where each site is
    with zipfile.ZipFile(out / "test_run.qgz") as z:
        assert z.namelist() == ["test_run.qgs"]
        qgs = ET.fromstring(z.read("test_run.qgs").decode("utf-8").split("\n", 1)[1])
    sources = {e.text for e in qgs.iter("datasource")}
    assert all(s.startswith("./test_run_") and "|layername=" in s for s in sources)
    listed = {(f.name, n) for f in out.glob("*.gpkg") for n, _ in pyogrio.list_layers(f) if n != "layer_styles"}
    assert {tuple(s[2:].split("|layername=")) for s in sources} == listed  # every layer, relative paths


def test_qgis_opens_the_project(out, tmp_path):
    moved = shutil.copytree(out, tmp_path / "moved")  # relative paths: the folder opens wherever it is copied
    report = qgis_report(moved / "test_run.qgz", "synthetic_test_run_qgis.png")
    assert report["read"] and report["crs"] == "EPSG:4326" and report["absolute_paths"] is False
    assert report["png_saved"] and not report["render_errors"]
    layers = {lyr["source"].rsplit("/", 1)[-1]: lyr for lyr in report["layers"]}
    assert layers and all(lyr["valid"] for lyr in layers.values()), layers
    sites = layers["test_run_sites.gpkg|layername=sites"]
    assert sites["renderer"] == "categorizedSymbol" and sites["attr"] == "technology" and sites["labels"]
    assert sites["aliases"]["capacity_mw"] == "装机容量 Capacity (MW)"
    assert [g for g, _ in report["tree"]][0] == "底图 Base map"
    assert report["drawing_order"][-1] == layers["test_run_input_layers.gpkg|layername=land"]["name"]
    for lyr in report["alone"]:  # opened on its own, a layer takes its default style from layer_styles
        assert lyr["valid"] and lyr["stored_styles"], lyr["name"]
        assert lyr["renderer"] == layers[lyr["source"].rsplit("/", 1)[-1]]["renderer"], lyr["name"]
        assert any(lyr["aliases"].values()), lyr["name"]
