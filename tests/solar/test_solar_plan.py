"""solar_step on the synthetic region and on the shipped Binhai workflow."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from solar_testdata import write_epw

from binhai_geo.config import load_workflow
from binhai_geo.deliverables.notes import render
from binhai_geo.errors import WorkflowError
from binhai_geo.factors import load_capacity_density
from binhai_geo.layers import load_layers
from binhai_geo.runner import target_value
from binhai_geo.siting.sites import build_sites
from binhai_geo.solar.densities import workflow_pv_densities
from binhai_geo.solar.plan import solar_step

from conftest import write_workflow


def run_step(wf_path):  # noqa: ANN001, ANN201
    """What runner.compute_plan does before the solar step, then the step."""
    wf = load_workflow(wf_path)
    layers = load_layers(wf)
    a = wf.spec.assumptions
    dens = load_capacity_density(wf.resolve(a.capacity_density_file) if a.capacity_density_file else None,
                                 a.capacity_density, derived=workflow_pv_densities(wf))
    s = wf.spec.siting
    sites = build_sites(layers.layers, dens, pv_surfaces=s.pv_surfaces, wind_surfaces=s.wind_surfaces,
                        offshore_both_as=s.offshore_both_as)
    return solar_step(wf, layers, sites, pv_target_mw=target_value(wf, "pv_capacity", "MW")), sites


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from conftest import write_pack

    folder = tmp_path_factory.mktemp("solar_plan")
    write_pack(folder / "region")
    return run_step(write_workflow(folder))


def test_every_pv_site_gets_energy(synthetic):
    res, before = synthetic
    s = res.sites.set_index("site_id")
    pv = s[s["technology"] == "pv"]
    assert len(pv) == 5  # salt pan, offshore PV zone, three roofs
    assert (pv["energy_mwh_per_yr"] > 0).all()
    assert pv["specific_yield_kwh_per_kwp"].between(1200, 1700).all()
    assert np.allclose(pv["capacity_factor"], pv["specific_yield_kwh_per_kwp"] / 8760)
    assert np.allclose(pv["full_load_hours"], pv["energy_mwh_per_yr"] / pv["capacity_mw"])  # 利用小时数, DC basis
    assert np.allclose(pv["energy_mwh_per_yr"], pv["capacity_mw"] * pv["specific_yield_kwh_per_kwp"])
    wind = s[s["technology"] == "wind"]
    assert wind["energy_mwh_per_yr"].isna().all()  # not the solar engine's
    # capacity: 2 km2 x salt_pan_fixed density; the factory roof: 100 x 100 m less a 1 m edge setback, less
    # 10 % obstructions, x gcr x efficiency (the technical usable-area model, not the NEA pilot's 30 % floor)
    assert pv.loc["salt_pan-pv-1", "capacity_mw"] == pytest.approx(2.0 * 409.887 / 1960 * 1000 * 0.4 * 0.8)
    assert pv.loc["rooftop-pv-1", "capacity_mw"] == pytest.approx(98 * 98 * 0.9 * 2 / 3.5 * 409.887 / 1960 / 1000)
    assert len(res.sites) == len(before) and list(res.sites["site_id"]) == list(before["site_id"])


def test_tables_notes_indicator(synthetic):
    res, _ = synthetic
    assert set(res.tables) == {"pv_archetypes", "pv_losses", "pv_summary", "weather_summary"}
    ws = res.tables["weather_summary"]
    assert ws["stand_in"].all() and ws["ghi_kwh_per_m2_yr"].between(1390, 1630).all()
    stand_in = next(n for n in res.notes if n.code == "solar.weather.stand_in")
    assert stand_in.params["ghi_kwh_per_m2"] == (ws["ghi_kwh_per_m2_yr"].min(), ws["ghi_kwh_per_m2_yr"].max())
    assert "STAND-IN" in render(stand_in) and "替代气象年" in render(stand_in)
    summ = res.tables["pv_summary"].set_index("layer_kind")
    assert summ.loc["total", "share_of_pv_target"] == pytest.approx(summ.loc["total", "capacity_mw"] / 4700,
                                                                          abs=1e-4)
    losses = res.tables["pv_losses"].set_index("archetype")
    assert {"soiling_pct", "mismatch_pct", "dc_wiring_pct", "clipping_pct", "availability_pct"} <= set(losses.columns)
    (ind,) = res.indicators
    assert ind.target_id == "rooftop_pv_new_buildings" and ind.value == pytest.approx(50.0)
    assert any(p.name == "pv_archetypes.csv" for p in res.inputs)


def test_workflow_overrides_win(tmp_path, pack):
    extra = ('\n[assumptions]\ncapacity_density = { "salt_pan.pv" = 50.0 }\n'
             '\n[solar]\narchetypes = { offshore_zone = "floating" }\n'
             'overrides = { "floating.tilt_deg" = 10 }\n')
    res, _ = run_step(write_workflow(tmp_path, extra))
    s = res.sites.set_index("site_id")
    assert s.loc["salt_pan-pv-1", "capacity_mw"] == pytest.approx(100.0)  # 2 km2 x 50 MW/km2 (override)
    assert s.loc["offshore_zone-pv-1", "capacity_density"] == pytest.approx(98.0, abs=0.05)  # floating layout
    at = res.tables["pv_archetypes"].set_index("archetype")
    assert at.loc["floating", "tilt_deg"] == 10 and at.loc["floating", "n_sites"] == 1


def test_written_densities_are_the_ones_used(tmp_path, pack):
    """<prefix>_capacity_density_used.csv: the PV rows are the chosen archetypes' densities (floating: 98 MW/km2)."""
    import pandas as pd

    from binhai_geo.pipeline import run_plan

    extra = ('\n[assumptions]\ncapacity_density = { "salt_pan.pv" = 50.0 }\n'
             '\n[solar]\narchetypes = { offshore_zone = "floating" }\n')
    res = run_plan(write_workflow(tmp_path, extra))
    used = pd.read_csv(res.outputs["densities_csv"]).set_index(["surface", "technology"])
    zone = used.loc[("offshore_zone", "pv")]
    assert zone["value_used"] == pytest.approx(98.0, abs=0.05) and zone["n_sites"] == 1
    # the table's row is derived from the archetype the workflow chose: the sites have its value
    assert zone["value"] == pytest.approx(zone["value_used"], abs=1e-3) and zone["used"].startswith("table value")
    salt = used.loc[("salt_pan", "pv")]  # the workflow's override wins over the archetype
    assert salt["value"] == salt["value_used"] == 50.0 and salt["used"].startswith("table value")
    assert salt["source"].startswith("workflow override")


def test_weather_file_from_the_workflow(tmp_path, pack):
    write_epw(tmp_path / "tanggu.epw")
    res, _ = run_step(write_workflow(tmp_path, '\n[solar]\nweather = "tanggu.epw"\n'))
    assert (tmp_path / "tanggu.epw").resolve() in [p.resolve() for p in res.inputs]
    assert not res.tables["weather_summary"]["stand_in"].any()
    assert not any(n.code == "solar.weather.stand_in" for n in res.notes)
    # one station for the district: each PV site's distance to it, by an independent great-circle formula
    pv = res.sites[res.sites["technology"] == "pv"]
    pts = gpd.GeoSeries(pv.geometry.representative_point(), crs=pv.crs).to_crs(4326)
    geod = pyproj.Geod(ellps="WGS84")
    _, _, metres = geod.inv(pts.x.to_numpy(), pts.y.to_numpy(), np.full(len(pv), 117.72), np.full(len(pv), 39.05))
    assert pv["weather_distance_km"].to_numpy() == pytest.approx(metres / 1000, rel=0.005, abs=0.01)
    one = next(n for n in res.notes if n.code == "solar.weather.one_station")
    assert one.params["max_distance_km"] == pytest.approx(pv["weather_distance_km"].max(), abs=0.01)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n[solar]\narchetypes = { salt_pan = "solar_tower" }\n', "archetype 'solar_tower'"),
        ('\n[solar]\noverrides = { "fishery.tilt_deg" = 120 }\n', "outside the allowed range 0 to 90"),
        ('\n[solar]\nweather = "missing.epw"\n', "weather file not found"),
    ],
)
def test_bad_solar_tables(tmp_path, pack, extra, message):
    with pytest.raises(Exception, match=message):
        run_step(write_workflow(tmp_path, extra))


def test_unknown_solar_key_is_refused(tmp_path, pack):
    with pytest.raises(WorkflowError, match="unknown key"):
        load_workflow(write_workflow(tmp_path, '\n[solar]\nwether = "default"\n'))


def test_real_binhai_workflow(real_workflow_copy):
    res, _ = run_step(real_workflow_copy)
    pv = res.sites[res.sites["technology"] == "pv"]
    assert set(pv["layer_kind"]) == {"salt_pan", "fish_pond", "offshore_zone", "rooftop"}
    assert pv["energy_mwh_per_yr"].notna().all() and (pv["energy_mwh_per_yr"] > 0).all()
    # specific yield over annual GHI (a horizontal performance ratio): a fixed tilted array at 39 N gains
    # 10-15% on its plane and keeps 75-85% of it (PVWatts default losses 14%), so 0.80-1.00
    ghi = res.tables["weather_summary"]["ghi_kwh_per_m2_yr"]
    assert pv["specific_yield_kwh_per_kwp"].between(0.80 * ghi.min(), 1.00 * ghi.max()).all()
    by = res.tables["pv_summary"].set_index("layer_kind")
    assert by.loc["total", "capacity_mw"] > 4700  # candidate potential exceeds the target before exclusions
    assert len(res.tables["weather_summary"]) >= 2  # sites spread over several 0.25 deg cells
