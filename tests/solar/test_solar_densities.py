"""The PV rows of the capacity-density table: derived from the PV archetypes, their one source."""

from __future__ import annotations

import math

import numpy as np
import pytest

from binhai_geo.factors import load_capacity_density
from binhai_geo.siting.sites import build_sites
from binhai_geo.solar.archetypes import load_archetypes
from binhai_geo.solar.densities import pv_densities
from binhai_geo.solar.rooftops import load_rooftop_fractions

from conftest import synthetic_layers

#: Jinko JKM410M-72HL-V in the CEC library: 409.887 W at STC on 1.96 m2 (the archetypes' module).
MODULE_EFFICIENCY = 409.887 / 1960


@pytest.fixture(scope="module")
def derived():
    return pv_densities(load_archetypes(), load_rooftop_fractions())


def test_pv_densities_by_hand(derived):
    # efficiency x 1000 W/m2 x ground-cover ratio x array share (pv_archetypes.csv):
    # salt pan 4.0 m tables at 10.0 m pitch, 80 % of the site; fishery 4.0 m at 11.5 m, 80 %; offshore piles
    # 4.0 m at 8.9 m, 83 %; rooftop racks 2.0 m at 3.5 m on a factory roof with 10 % obstructions
    assert derived["salt_pan.pv"] == pytest.approx(MODULE_EFFICIENCY * 1000 * 4.0 / 10.0 * 0.80)
    assert derived["fish_pond.pv"] == pytest.approx(MODULE_EFFICIENCY * 1000 * 4.0 / 11.5 * 0.80)
    assert derived["offshore_zone.pv"] == pytest.approx(MODULE_EFFICIENCY * 1000 * 4.0 / 8.9 * 0.83, rel=1e-3)
    assert derived["rooftop.pv"] == pytest.approx(MODULE_EFFICIENCY * 1000 * 2.0 / 3.5 * (1 - 0.10))


def test_workflow_choice_of_archetype_gives_its_density():
    archetypes = load_archetypes()
    chosen = pv_densities(archetypes, load_rooftop_fractions(), {"offshore_zone": "floating"})
    assert chosen["offshore_zone.pv"] == pytest.approx(archetypes["floating"].capacity_density_mw_per_km2)
    assert chosen["offshore_zone.pv"] > 90  # floating arrays are denser than pile-mounted ones


def test_packaged_table_takes_pv_values_from_the_archetypes(derived):
    bare = load_capacity_density().set_index(["surface", "technology"])
    pv = bare.xs("pv", level="technology")
    assert pv["value"].isna().all()  # no PV value of its own: one source
    assert bare.xs("wind", level="technology")["value"].notna().all()
    filled = load_capacity_density(derived=derived).set_index(["surface", "technology"])
    for key, value in derived.items():
        surface = key.split(".")[0]
        row = filled.loc[(surface, "pv")]
        assert row["value"] == value
        assert row["low"] <= value <= row["high"], key
    # an override still wins over the derived value
    over = load_capacity_density(overrides={"salt_pan.pv": 70.0}, derived=derived).set_index(["surface", "technology"])
    assert over.loc[("salt_pan", "pv"), "value"] == 70.0


def test_sites_refuse_a_density_not_derived():
    with pytest.raises(ValueError, match="salt_pan.pv' has no value"):
        build_sites(synthetic_layers(), load_capacity_density(), pv_surfaces=["salt_pan"], wind_surfaces=[])
    # wind alone needs no PV row
    sites = build_sites(synthetic_layers(), load_capacity_density(), pv_surfaces=[], wind_surfaces=["tidal_flat"])
    assert np.isfinite(sites["capacity_mw"]).all() and not math.isnan(sites["capacity_mw"].sum())
