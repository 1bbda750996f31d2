"""Distributed rooftops: identical to the single-machine run, equal to the batch engine, nothing partial."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from binhai_geo.cluster.partitions import write_partitions
from binhai_geo.cluster.rooftops import OUTSIDE, RooftopInputs, run_rooftops
from binhai_geo.cluster.scheduler import ClusterError, open_scheduler
from binhai_geo.io import read_layer
from binhai_geo.solar.archetypes import load_archetypes
from binhai_geo.solar.batch import simulate
from binhai_geo.solar.rooftops import load_rooftop_fractions, rooftop_systems
from binhai_geo.solar.weather import default_weather_set

from benchmarks.bench_layers import make_rooftops
from conftest import REPO


@pytest.fixture(scope="module")
def inputs():
    sub = read_layer(REPO / "layers" / "binhai" / "binhai.gpkg", "subdistrict")
    return RooftopInputs(load_archetypes(), load_rooftop_fractions(), subdistricts=sub)


@pytest.fixture
def roofs(tmp_path):
    g = make_rooftops(900, seed=11)
    g["height_m"] = 12.0
    path = tmp_path / "roofs.gpkg"
    pyogrio.write_dataframe(g, path, layer="rooftop")
    return path


def test_local_cluster_on_partitions_equals_single_machine_exactly(tmp_path, roofs, inputs, local_cluster):
    single = run_rooftops(roofs, tmp_path / "single", inputs)
    write_partitions(roofs, tmp_path / "parts", rows_per_partition=200)
    with open_scheduler(local_cluster) as ex:
        dist = run_rooftops(tmp_path / "parts", tmp_path / "dist", inputs, executor=ex)
    assert dist.partitions == 5 and single.partitions == 1
    pd.testing.assert_frame_equal(dist.summary, single.summary, check_exact=True)
    assert single.summary["subdistrict"].tolist()[-1] == "total"
    assert single.footprints == 900
    assert {"Tanggu", OUTSIDE} & set(single.summary["subdistrict"])
    a = pd.read_parquet(tmp_path / "single" / "part-00000.parquet").sort_values("footprint_id", ignore_index=True)
    b = pd.concat(pd.read_parquet(f) for f in sorted((tmp_path / "dist").glob("part-*.parquet")))
    b = b.sort_values("footprint_id", ignore_index=True)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"), check_exact=True)
    assert (tmp_path / "dist" / "summary_by_subdistrict.csv").exists()


def test_energy_equals_the_batch_engine(tmp_path, roofs, inputs):
    run = run_rooftops(roofs, None, inputs)
    g = read_layer(roofs)
    sys_ = rooftop_systems(g, inputs.archetypes, inputs.fractions)
    pts = g.geometry.centroid.to_crs("EPSG:4326")
    ws = default_weather_set(pts.y.to_numpy(), pts.x.to_numpy(), cell_deg=inputs.cell_deg)
    idx, _ = ws.nearest(pts.y.to_numpy(), pts.x.to_numpy())
    ref = simulate(inputs.archetypes, ws, cell=idx, archetype=sys_["archetype"], tilt_deg=sys_["tilt_deg"],
                   azimuth_deg=sys_["azimuth_deg"], capacity_kwp=sys_["capacity_kwp"])
    total = run.summary.iloc[-1]
    # sums are of integers rounded once per building (1 Wh, 1 W): at most 0.5 Wh / 0.5 W off per building
    assert total["energy_mwh_per_yr"] == pytest.approx(ref.energy_kwh_per_yr.sum() / 1000, abs=len(g) * 0.5e-6)
    assert total["capacity_mw"] == pytest.approx(sys_["capacity_kwp"].sum() / 1000, abs=len(g) * 0.5e-6)
    assert 1000 < total["specific_yield_kwh_per_kwp"] < 1700


def test_bad_partition_fails_and_writes_nothing(tmp_path, roofs, inputs, local_cluster):
    write_partitions(roofs, tmp_path / "parts", rows_per_partition=300)
    bad = tmp_path / "parts" / "part-00001.parquet"
    g = gpd.read_parquet(bad)
    g.loc[g.index[0], "building_class"] = "castle"  # not a building class
    g.to_parquet(bad)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "previous.txt").write_text("previous run")
    with open_scheduler(local_cluster) as ex, pytest.raises(ClusterError, match="castle|building_class"):
        run_rooftops(tmp_path / "parts", tmp_path / "out", inputs, executor=ex)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["previous.txt"]  # untouched, no partial result
    assert not list(tmp_path.glob(".out-*"))


def _die(x: int) -> int:
    import os

    os._exit(3)  # the worker process dies mid-task


def test_a_worker_that_dies_fails_the_run_clearly(local_cluster):
    import dask

    with open_scheduler(local_cluster) as ex, pytest.raises(ClusterError, match="nothing was written"):
        ex.compute([dask.delayed(_die)(1)])


def test_summary_does_not_depend_on_partition_size(tmp_path, roofs, inputs):
    runs = []
    for rows in (150, 450):
        write_partitions(roofs, tmp_path / f"p{rows}", rows_per_partition=rows)
        runs.append(run_rooftops(tmp_path / f"p{rows}", None, inputs).summary)
    pd.testing.assert_frame_equal(runs[0], runs[1], check_exact=True)
    assert np.isfinite(runs[0]["energy_mwh_per_yr"]).all()
