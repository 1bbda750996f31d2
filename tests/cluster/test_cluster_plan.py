"""The same workflow runs locally and on a LocalCluster with identical results; the CLI switch."""

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.cluster.partitions import write_partitions
from binhai_geo.config import load_workflow
from binhai_geo.runner import compute_plan

from benchmarks.bench_layers import make_rooftops
from conftest import write_workflow

CLUSTER = """
[eligibility]
resolution_m = 50.0

[[eligibility.rules]]
technologies = ["pv", "wind"]
layer = "protected_area"
buffer_m = 500.0
reason = "protected areas with 500 m setback"
reason_zh = "保护地及500米退让"

[cluster]
rooftop_partitions = "parts"
eligibility_grid = true
tile_cells = 64
"""


@pytest.fixture
def cluster_workflow(tmp_path, pack):
    g = make_rooftops(600, seed=5)
    pyogrio.write_dataframe(g, tmp_path / "roofs.gpkg", layer="rooftop")
    write_partitions(tmp_path / "roofs.gpkg", tmp_path / "parts", rows_per_partition=150)
    return write_workflow(tmp_path, CLUSTER)


def test_plan_tables_identical_on_sync_and_local_cluster(cluster_workflow, local_cluster):
    wf = load_workflow(cluster_workflow)
    local = compute_plan(wf, scheduler="sync")
    dist = compute_plan(wf, scheduler=local_cluster)
    for name in ("rooftop_programme", "eligibility_grid"):
        pd.testing.assert_frame_equal(local.tables[name], dist.tables[name], check_exact=True)
    pd.testing.assert_frame_equal(local.targets, dist.targets, check_exact=True)
    grid = local.tables["eligibility_grid"]
    assert set(grid["technology"]) == {"pv", "wind"}
    assert (grid["reason"] == "protected areas with 500 m setback").any()
    assert local.tables["rooftop_programme"]["footprints"].iloc[-1] == 600
    assert any(n.code == "cluster.rooftops" and n.params["n_buildings"] == 600 for n in local.notes)


def test_plan_without_cluster_work_is_unchanged(workflow):
    res = compute_plan(load_workflow(workflow), scheduler="tcp://127.0.0.1:9")  # never contacted
    assert "rooftop_programme" not in res.tables


def test_cli_unreachable_scheduler_is_exit_2_without_output(cluster_workflow, tmp_path):
    res = CliRunner().invoke(app, ["plan", str(cluster_workflow), "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2, res.output
    assert "did not answer" in res.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing written


def test_cli_bad_scheduler_value_is_exit_2(cluster_workflow):
    res = CliRunner().invoke(app, ["plan", str(cluster_workflow), "--scheduler", "fast"])
    assert res.exit_code == 2 and "not a scheduler" in res.output


def test_cli_rooftops_and_eligibility(cluster_workflow, tmp_path, local_cluster):
    runner = CliRunner()
    res = runner.invoke(app, ["rooftops", str(tmp_path / "parts"), "--out", str(tmp_path / "rt"),
                              "--workflow", str(cluster_workflow), "--scheduler", local_cluster])
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(tmp_path / "rt" / "summary_by_subdistrict.csv")
    assert summary["footprints"].iloc[-1] == 600
    res = runner.invoke(app, ["eligibility", str(cluster_workflow), "--out", str(tmp_path / "pv.tif"),
                              "--scheduler", "threads"])
    assert res.exit_code == 0, res.output
    import rasterio

    with rasterio.open(tmp_path / "pv.tif") as src:
        assert src.crs.to_epsg() == 4527 and src.nodata == 255 and src.res == (50.0, 50.0)
    assert (tmp_path / "pv.csv").exists()
    res = runner.invoke(app, ["eligibility", str(cluster_workflow), "--out", str(tmp_path / "pv.png")])
    assert res.exit_code == 2 and not (tmp_path / "pv.png").exists()


def test_cli_partition(tmp_path):
    g = make_rooftops(50, seed=1)
    pyogrio.write_dataframe(g, tmp_path / "r.gpkg", layer="rooftop")
    res = CliRunner().invoke(app, ["partition", str(tmp_path / "r.gpkg"), str(tmp_path / "p"),
                                   "--rows-per-partition", "20"])
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "p").glob("*.parquet"))) == 3
    res = CliRunner().invoke(app, ["partition", str(tmp_path / "missing.gpkg"), str(tmp_path / "q")])
    assert res.exit_code == 2 and not (tmp_path / "q").exists()
