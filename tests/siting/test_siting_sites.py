import pandas as pd
import pytest

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import load_capacity_density
from binhai_geo.siting.sites import SITE_COLUMNS, build_sites, densities_used

from conftest import capacity_densities, synthetic_layers

PV = ["salt_pan", "fish_pond", "offshore_zone", "rooftop"]
WIND = ["offshore_zone", "tidal_flat", "breakwater"]


def test_capacity_from_density():
    dens = capacity_densities()
    sites = build_sites(synthetic_layers(), dens, pv_surfaces=PV, wind_surfaces=WIND).set_index("site_id")
    assert list(sites.columns) == [c for c in SITE_COLUMNS if c != "site_id"] + ["geometry"]
    salt = dens.set_index(["surface", "technology"]).loc[("salt_pan", "pv"), "value"]
    assert sites.loc["salt_pan-pv-0", "area_km2"] == pytest.approx(2.0)
    assert sites.loc["salt_pan-pv-0", "capacity_mw"] == pytest.approx(2.0 * salt)
    assert sites.loc["offshore_zone-wind-1", "technology"] == "wind"
    assert sites.loc["offshore_zone-wind-1", "area_km2"] == pytest.approx(4.0)
    assert sites["energy_mwh_per_yr"].isna().all()  # filled by the yield engines, not invented


def test_both_use_zone_counts_once():
    layers = synthetic_layers()
    layers["offshore_zone"].loc[0, "allowed_use"] = "both"
    sites = build_sites(layers, capacity_densities(), pv_surfaces=PV, wind_surfaces=WIND)
    zone = sites[sites["layer_kind"] == "offshore_zone"]
    assert sorted(zone["technology"]) == ["wind", "wind"]
    sites = build_sites(layers, capacity_densities(), pv_surfaces=PV, wind_surfaces=WIND, offshore_both_as="pv")
    assert sorted(sites[sites["layer_kind"] == "offshore_zone"]["technology"]) == ["pv", "wind"]


def test_density_override_and_bad_tables(tmp_path):
    dens = load_capacity_density(overrides={"salt_pan.pv": 50.0}).set_index(["surface", "technology"])
    assert dens.loc[("salt_pan", "pv"), "value"] == 50.0
    assert dens.loc[("salt_pan", "pv"), "source"].startswith("workflow override")
    with pytest.raises(WorkflowError, match="names no row"):
        load_capacity_density(overrides={"salt_pan.wind": 5.0})
    table = capacity_densities()
    table.loc[0, "value"] = -1
    p = tmp_path / "d.csv"
    table.to_csv(p, index=False)
    with pytest.raises(WorkflowError, match="must be a number >= 0"):
        load_capacity_density(p)


def test_densities_used_by_hand():
    """Beside each table row: the densities its sites really have, and whether an engine replaced them."""
    dens = capacity_densities()
    sites = build_sites(synthetic_layers(), dens, pv_surfaces=PV, wind_surfaces=WIND).set_index("site_id")
    # an engine sets the offshore PV zone (1 km2) to 98 MW and the wind zone (4 km2) to 10 x 4.2 MW
    sites.loc["offshore_zone-pv-0", ["capacity_mw", "capacity_density"]] = [98.0, 98.0]
    sites.loc["offshore_zone-wind-1", ["capacity_mw", "capacity_density"]] = [42.0, 10.5]
    used = densities_used(dens, sites.reset_index()).set_index(["surface", "technology"])
    assert list(used.columns[:6]) == ["value", "value_used", "value_used_min", "value_used_max", "n_sites", "used"]
    assert used.loc[("offshore_zone", "pv"), "value"] == pytest.approx(dens.set_index(["surface", "technology"]).loc[
        ("offshore_zone", "pv"), "value"], abs=5e-4)  # the loaded value stays (to 0.001), for reuse as a table
    assert used.loc[("offshore_zone", "pv"), "value_used"] == pytest.approx(98.0)
    assert used.loc[("offshore_zone", "pv"), "used"].startswith("replaced per site by the solar engine")
    assert used.loc[("offshore_zone", "wind"), "value_used"] == pytest.approx(10.5)
    assert used.loc[("offshore_zone", "wind"), "used"].startswith("replaced per site by the wind engine")
    salt = used.loc[("salt_pan", "pv")]
    assert salt["value_used"] == pytest.approx(salt["value"]) and salt["used"].startswith("table value")
    assert salt["n_sites"] == 1
    # three roofs of 0.01, 0.01, 0.0025 km2 at one density; no fish pond in the synthetic region
    assert used.loc[("rooftop", "pv"), "n_sites"] == 3 and used.loc[("rooftop", "pv"), "used"].startswith("table")
    assert used.loc[("fish_pond", "pv"), "n_sites"] == 0 and used.loc[("fish_pond", "pv"), "used"].startswith("no site")
    assert pd.isna(used.loc[("fish_pond", "pv"), "value_used"])


def test_packaged_densities_have_sources_and_ranges():
    dens = capacity_densities()
    assert (dens["source"].str.len() > 20).all()
    assert ((dens["low"] <= dens["value"]) & (dens["value"] <= dens["high"])).all()


def test_chinese_names_carried_from_the_layer():
    layers = synthetic_layers()
    layers["salt_pan"] = layers["salt_pan"].assign(name="Haijing salt field", name_zh="海晶盐场(汉沽东片)")
    sites = build_sites(layers, capacity_densities(), pv_surfaces=PV, wind_surfaces=WIND).set_index("site_id")
    assert sites.loc["salt_pan-pv-0", "name_zh"] == "海晶盐场(汉沽东片)"
    assert sites.loc["salt_pan-pv-0", "name"] == "Haijing salt field"
    # a layer without name_zh leaves the column empty, not invented
    assert sites.loc["offshore_zone-wind-1", "name_zh"] is None or pd.isna(sites.loc["offshore_zone-wind-1", "name_zh"])
