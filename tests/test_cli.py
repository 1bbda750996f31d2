"""The CLI end to end on the synthetic region: outputs, determinism, and every bad input."""

import hashlib
import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Polygon, box
from typer.testing import CliRunner

from binhai_geo.cli import app

from conftest import X0, Y0, synthetic_layers, write_pack, write_workflow

runner = CliRunner()
OUTPUTS = {"test_run.html", "test_run_sites.gpkg", "test_run_sites.csv", "test_run_targets.csv",
           "test_run_sink_ledger.csv", "test_run_capacity_density_used.csv", "test_run_manifest.json"}


def tree_digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_writes_every_output(workflow, tmp_path):
    res = runner.invoke(app, ["plan", str(workflow)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} >= OUTPUTS  # engine steps add their tables and layers
    sites = pd.read_csv(out / "test_run_sites.csv")
    for col in ("site_id", "name", "layer_kind", "technology", "area_km2", "capacity_mw", "energy_mwh_per_yr",
                "specific_yield_kwh_per_kwp", "capacity_factor"):
        assert col in sites.columns
    assert len(sites) == 6
    gpkg = gpd.read_file(out / "test_run_sites.gpkg", layer="sites")
    assert len(gpkg) == 6 and gpkg.crs.to_epsg() == 4527
    t = pd.read_csv(out / "test_run_targets.csv").set_index("target_id")
    assert list(t.columns[:0]) == [] and {"required", "unit", "computed", "gap", "status"} <= set(t.columns)
    # the synthetic projects are pipeline (former 'pipeline' / 'planned'): none installed, 1,500 MW pipeline
    assert t.loc["pv_capacity", "computed"] == 0 and t.loc["pv_capacity", "status"] == "short"
    assert t.loc["pv_capacity", "pipeline"] == 1500
    assert t.loc["natural_shoreline", "status"] == "met"
    manifest = json.loads((out / "test_run_manifest.json").read_text(encoding="utf-8"))
    inputs = {e["path"].rsplit("/", 1)[-1]: e["sha256"] for e in manifest["inputs"]}
    assert {"workflow.toml", "region.toml", "targets.csv", "pack.gpkg", "capacity_density.csv"} <= set(inputs)
    assert all(len(h) == 64 for h in inputs.values())
    assert manifest["packages"]["shapely"] and manifest["workflow"]["workflow"]["id"] == "test_run"
    assert "pv_capacity" in res.output and "wrote" in res.output


def test_rerun_gives_same_content(workflow, tmp_path):
    assert runner.invoke(app, ["plan", str(workflow)]).exit_code == 0
    first = tree_digest(tmp_path / "out")
    assert runner.invoke(app, ["plan", str(workflow)]).exit_code == 0
    second = tree_digest(tmp_path / "out")
    for name in ("test_run_sites.csv", "test_run_targets.csv", "test_run_sink_ledger.csv", "test_run.html"):
        assert first[name] == second[name], name
    m1 = json.loads((tmp_path / "out" / "test_run_manifest.json").read_text())
    m1.pop("created_utc")
    assert m1["outputs"]


def test_targets_command(workflow, tmp_path):
    res = runner.invoke(app, ["targets", str(workflow), "--out", str(tmp_path / "t.csv")])
    assert res.exit_code == 0, res.output
    assert "forest_cover" in res.output
    assert len(pd.read_csv(tmp_path / "t.csv")) == 11


def _bad_pack(tmp_path, mutate):
    layers = synthetic_layers()
    mutate(layers)
    region = write_pack(tmp_path / "region", layers)
    return region, write_workflow(tmp_path)


def _run_bad(tmp_path, args, *expected):
    inputs = tree_digest(tmp_path / "region") if (tmp_path / "region").exists() else {}
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for text in expected:
        assert text in res.output, (text, res.output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), "partial output"
    if inputs:
        assert tree_digest(tmp_path / "region") == inputs, "input changed"
    return res


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_layer_without_crs(tmp_path):
    def drop_crs(layers):
        layers["forest"] = layers["forest"].set_crs(None, allow_override=True)

    _, wf = _bad_pack(tmp_path, drop_crs)
    _run_bad(tmp_path, ["plan", str(wf)], "pack.gpkg", "layer 'forest'", "no coordinate reference system",
             "How to fix")


def test_wrong_geometry_type(tmp_path):
    def polys(layers):
        layers["coastline"] = gpd.GeoDataFrame({"natural": [True]}, geometry=[box(X0, Y0, X0 + 5, Y0 + 5)],
                                               crs="EPSG:4527")

    _, wf = _bad_pack(tmp_path, polys)
    _run_bad(tmp_path, ["plan", str(wf)], "layer 'coastline'", "feature 1", "Polygon")


def test_empty_layer(tmp_path):
    def empty(layers):
        layers["salt_pan"] = layers["salt_pan"].iloc[:0]

    _, wf = _bad_pack(tmp_path, empty)
    _run_bad(tmp_path, ["plan", str(wf)], "layer 'salt_pan'", "empty")


def test_missing_required_field(tmp_path):
    def drop(layers):
        layers["project"] = layers["project"].drop(columns="capacity_mw")

    _, wf = _bad_pack(tmp_path, drop)
    _run_bad(tmp_path, ["plan", str(wf)], "layer 'project'", "field 'capacity_mw'", "required field missing")


def test_bad_value_names_feature_and_field(tmp_path):
    def bad(layers):
        layers["offshore_zone"].loc[1, "allowed_use"] = "solar"

    _, wf = _bad_pack(tmp_path, bad)
    _run_bad(tmp_path, ["plan", str(wf)], "layer 'offshore_zone'", "feature 2", "field 'allowed_use'", "'solar'")


def test_unknown_layer_kind_in_pack(tmp_path):
    def rename(layers):
        layers["saltpan"] = layers.pop("salt_pan")

    _, wf = _bad_pack(tmp_path, rename)
    _run_bad(tmp_path, ["plan", str(wf)], "layer 'saltpan'", "not a known layer kind")


def test_corrupt_pack(tmp_path):
    region = write_pack(tmp_path / "region")
    (region.parent / "pack.gpkg").write_bytes(b"this is not a geopackage")
    wf = write_workflow(tmp_path)
    _run_bad(tmp_path, ["plan", str(wf)], "pack.gpkg")


def test_workflow_unknown_key_and_negative_density(tmp_path, pack):
    wf = write_workflow(tmp_path, extra="\n[outputs.extra]\nx = 1\n")
    _run_bad(tmp_path, ["plan", str(wf)], "workflow.toml", "unknown key")
    wf = write_workflow(tmp_path, extra='\n[assumptions]\ncapacity_density = { "fish_pond.pv" = -1 }\n')
    _run_bad(tmp_path, ["plan", str(wf)], "negative")


def test_output_folder_not_writable(tmp_path, pack):
    wf = write_workflow(tmp_path)
    (tmp_path / "out").write_text("a file where the output folder should be")
    res = runner.invoke(app, ["plan", str(wf)])
    assert res.exit_code == 2 and "output folder cannot be written" in res.output
    assert (tmp_path / "out").read_text().startswith("a file")


def test_invalid_geometry_is_repaired_and_noted(tmp_path):
    def bowtie(layers):
        layers["salt_pan"] = gpd.GeoDataFrame(
            {"name": ["bow"]}, crs="EPSG:4527",
            geometry=[Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])])

    _, wf = _bad_pack(tmp_path, bowtie)
    res = runner.invoke(app, ["plan", str(wf)])
    assert res.exit_code == 0, res.output
    assert "layer 'salt_pan'" in res.output and "1 geometries repaired" in res.output


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning")
def test_layers_check(tmp_path, pack):
    gpkg = pack.parent / "pack.gpkg"
    res = runner.invoke(app, ["layers", "check", str(gpkg)])
    assert res.exit_code == 0, res.output
    assert "salt_pan" in res.output and "ok" in res.output
    bad = tmp_path / "nocrs.shp"  # a shapefile without .prj: the common real case
    pyogrio.write_dataframe(synthetic_layers()["forest"].set_crs(None, allow_override=True), bad)
    res = runner.invoke(app, ["layers", "check", str(bad), "--kind", "forest"])
    assert res.exit_code == 2 and "no coordinate reference system" in res.output


@pytest.mark.parametrize("args", [["layers", "check", "x.gpkg", "--kind", "nope"], ["plan"], ["frobnicate"]])
def test_bad_parameters_exit_2(args):
    assert runner.invoke(app, args).exit_code == 2


def test_debug_shows_traceback(tmp_path):
    res = runner.invoke(app, ["--debug", "plan", str(tmp_path / "missing.toml")])
    assert res.exit_code != 0 and res.exception is not None
