"""Existing and committed farms of the ledger in the wake run: laid by the stated rule, context only.

The checks are the rule's own consequences, each against a figure computed apart: the number of turbines
from the registry capacity and the rated power of the table's turbine; the new zone's result without the
neighbour against a run that never saw it; a neighbour upwind in the winter monsoon (north-west, the
default rose's most energetic sector) costing the zone energy, one 25 km away costing nothing.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from binhai_geo.accounting.plan import wake_neighbours
from binhai_geo.deliverables.notes import render
from binhai_geo.wind.existing import registry_farm_table, select_farms
from binhai_geo.wind.plan import run_wind
from binhai_geo.wind.spec import WindSpec
from binhai_geo.wind.tables import load_parameters
from binhai_geo.wind.turbines import library_turbine

from conftest import CRS, X0, Y0

ZONE = gpd.GeoDataFrame({"site_id": ["off-1"], "name": ["New zone"], "layer_kind": ["offshore_zone"]},
                        geometry=[box(X0, Y0, X0 + 6000, Y0 + 4000)], crs=CRS)


def _records(points, caps, ids=None, surface="offshore", category="installed"):
    n = len(points)
    ids = ids or [f"gem-wind-{i}" for i in range(n)]
    return gpd.GeoDataFrame({"record_id": ids, "name": [f"Farm {i}" for i in ids], "capacity_mw": caps,
                             "category": [category] * n, "surface": [surface] * n},
                            geometry=[Point(p) for p in points], crs=CRS)


@pytest.fixture(scope="module")
def runs():
    spec = WindSpec()
    upwind = _records([(X0 - 2500, Y0 + 6500)], [50.0])  # north-west of the zone, 2.5-3 km off its corner
    alone = run_wind(ZONE, spec)
    with_farm = run_wind(ZONE, spec, existing=upwind)
    far = run_wind(ZONE, spec, existing=_records([(X0 - 25000, Y0 + 25000)], [50.0]))
    return alone, with_farm, far


def test_registry_farm_wakes_the_new_zone(runs):
    alone, with_farm, _ = runs
    a, w = alone.zones.iloc[0], with_farm.zones.iloc[0]
    # the new zone itself is unchanged: same turbines, same capacity, same gross energy
    assert w["turbines"] == a["turbines"] > 10 and w["capacity_mw"] == a["capacity_mw"]
    assert w["gross_energy_mwh_per_yr"] == pytest.approx(a["gross_energy_mwh_per_yr"], rel=1e-9)
    # without the neighbour: the run that never saw it
    assert w["wake_loss_without_existing_pct"] == pytest.approx(a["wake_loss_pct"], rel=1e-9)
    # upwind in the monsoon: the neighbour's wakes cost the zone energy
    assert w["wake_loss_pct"] > a["wake_loss_pct"] + 0.1
    assert w["net_energy_mwh_per_yr"] < a["net_energy_mwh_per_yr"]


def test_registry_farm_laid_by_the_table_rule_and_reported_apart(runs):
    _, with_farm, _ = runs
    t = registry_farm_table().loc["sea"]
    turbine = library_turbine(str(t["turbine_type"]), load_parameters())
    n = round(50.0 / turbine.rated_mw)  # 50 MW of 3.6 MW machines -> 14
    reg = with_farm.turbines[with_farm.turbines["layout"] == "registry laid"]
    assert len(reg) == n and set(reg["source"]) == {"gem-wind-0"} and set(reg["farm"]) == {"Farm gem-wind-0"}
    assert (reg["turbine_type"] == turbine.name).all() and (reg["hub_height_m"] == t["hub_height_m"]).all()
    assert reg["layout_rule"].str.startswith("registry point").all() and reg["site_id"].eq("").all()
    new = with_farm.turbines[with_farm.turbines["layout"] == "laid out"]
    assert set(new["source"]) == {"off-1"} and new["layout_rule"].str.startswith("grid").all()
    farms = with_farm.tables["wind_existing_farms"]
    assert len(farms) == 1 and farms["turbines"].iloc[0] == n
    assert farms["capacity_mw"].iloc[0] == pytest.approx(n * turbine.rated_mw)
    # the farm's energy is never in the zone: the zone's net energy is the sum over its own turbines
    z = with_farm.zones.iloc[0]
    assert z["net_energy_mwh_per_yr"] == pytest.approx(new["energy_mwh_per_yr"].sum(), rel=1e-9)
    note = next(n for n in with_farm.notes if n.code == "wind.existing.in_wake_run")
    assert note.params["n_farms"] == 1 and note.params["n_turbines"] == n
    assert "never added to the potential" in render(note)


def test_farm_beyond_the_wake_distance_is_left_out(runs):
    alone, _, far = runs
    assert "wind_existing_farms" not in far.tables and (far.turbines["layout"] == "laid out").all()
    assert far.zones.iloc[0]["net_energy_mwh_per_yr"] == pytest.approx(alone.zones.iloc[0]["net_energy_mwh_per_yr"],
                                                                       rel=1e-9)
    assert any(n.code == "wind.existing.far" and n.params["n_farms"] == 1 for n in far.notes)


def test_select_farms_merges_shared_points_and_skips_given_farms():
    recs = _records([(X0 - 2000, Y0), (X0 - 2000, Y0), (X0 - 9000, Y0)], [20.0, 30.0, 10.0],
                    ids=["a", "b", "c"], surface="")
    given = gpd.GeoDataFrame({"turbine_type": ["V90/2000"], "hub_height_m": [80.0], "farm": ["Farm c"]},
                             geometry=[Point(X0 + 100, Y0 + 100)], crs=CRS)
    farms, notes = select_farms(recs, ZONE, given, 20000.0)
    assert len(farms) == 1 and not notes  # 'c' is the given farm; 'a' and 'b' share one point
    f = farms.iloc[0]
    assert f["source"] == "a; b" and f["capacity_mw"] == 50.0 and f["surface"] == "land"
    assert f["owner"] == "" and f["area"] == ""  # records without owner or sub-district


def test_registry_farm_turbines_carry_owner_and_area(runs):
    """The records' owner and sub-district reach the farm row and its turbines; other turbines get ""."""
    recs = _records([(X0 - 2000, Y0), (X0 - 2000, Y0)], [20.0, 30.0], ids=["a", "b"], surface="")
    recs["owner"] = ["huaneng renewables corp ltd", "huaneng renewables corp ltd"]
    recs["subdistrict"] = ["大港", None]
    farms, _ = select_farms(recs, ZONE, None, 20000.0)
    assert farms.iloc[0]["owner"] == "huaneng renewables corp ltd" and farms.iloc[0]["area"] == "大港"
    t = runs[1].turbines
    reg = t["layout"] == "registry laid"
    assert reg.any() and (~reg).any()
    assert (t.loc[~reg, "owner"] == "").all() and (t.loc[~reg, "area"] == "").all()
    assert list(t.columns[-3:]) == ["owner", "area", "geometry"]


def test_wake_neighbours_takes_installed_and_committed_wind():
    recs = pd.concat([_records([(X0, Y0)], [10.0], ids=["w1"]),
                      _records([(X0, Y0)], [10.0], ids=["w2"], category="committed"),
                      _records([(X0, Y0)], [10.0], ids=["w3"], category="pipeline")], ignore_index=True)
    recs["technology"] = ["wind", "wind", "wind"]
    pv = recs.iloc[:1].assign(technology="pv", record_id="p1")
    out = wake_neighbours(gpd.GeoDataFrame(pd.concat([recs, pv], ignore_index=True), crs=CRS))
    assert list(out["record_id"]) == ["w1", "w2"]
    assert wake_neighbours(None) is None
    assert np.isin(["record_id", "name", "capacity_mw", "category", "surface"], out.columns).all()


def test_farm_outside_a_clipped_resource_is_left_out_with_a_note(tmp_path):
    """Global Wind Atlas rasters cut to the zones: the zone runs; the farm outside them is left out, said so."""
    import rasterio
    from rasterio.transform import from_origin

    for name, value in (("Weibull-A", 8.0), ("Weibull-k", 2.2)):
        with rasterio.open(tmp_path / f"CHN-{name}_100m.tif", "w", driver="GTiff", height=40, width=40, count=1,
                           dtype="float32", crs="EPSG:4326", transform=from_origin(117.6, 39.1, 0.005, 0.005),
                           nodata=-9999) as dst:
            dst.write(np.full((40, 40), value, dtype="float32"), 1)
    spec = WindSpec(resource=str(tmp_path))
    farm = _records([(X0 - 10000, Y0 + 2000)], [30.0])  # about 117.58 E: west of the rasters, 10 km from the zone
    res = run_wind(ZONE, spec, existing=farm)
    alone = run_wind(ZONE, spec)
    assert "wind_existing_farms" not in res.tables and (res.turbines["layout"] == "laid out").all()
    assert res.zones.iloc[0]["net_energy_mwh_per_yr"] == pytest.approx(alone.zones.iloc[0]["net_energy_mwh_per_yr"])
    assert any(n.code == "wind.existing.no_resource" and "does not serve them" in render(n) for n in res.notes)
