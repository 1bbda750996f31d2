"""The carbon ledger's stock change on conversion, worked out by hand from the IPCC defaults."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from binhai_geo.errors import WorkflowError
from binhai_geo.sinks.factors import conversion_factors
from binhai_geo.siting.ledger import EmissionFactor, carbon_ledger, conversion_release

C = 44 / 12
CRS = "EPSG:4527"
X0, Y0 = 39_560_000.0, 4_320_000.0


def _gdf(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


@pytest.fixture
def case():
    # PV site 1 km2: 0.5 km2 on salt marsh, 0.25 km2 on a wetland mapped as tidal flat; wind site 4 km2: 1 km2 on
    # a fraxinus stand
    sites = _gdf([{"site_id": "pv-1", "technology": "pv", "layer_kind": "fish_pond", "energy_mwh_per_yr": 10_000.0},
                  {"site_id": "wind-1", "technology": "wind", "layer_kind": "tidal_flat",
                   "energy_mwh_per_yr": 50_000.0}],
                 [box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)])
    layers = {
        "wetland": _gdf([{"wetland_type": "salt_marsh"}, {"wetland_type": "tidal_flat"}],
                        [box(X0, Y0, X0 + 500, Y0 + 1000), box(X0 + 500, Y0, X0 + 750, Y0 + 1000)]),
        "forest": _gdf([{"forest_type": "tree_forest", "canopy_cover": 0.5, "year_planted": 2015,
                         "species": "fraxinus"}], [box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)]),
    }
    return sites, layers


def test_stock_release_by_hand(case):
    sites, layers = case
    led = carbon_ledger(sites, layers, EmissionFactor(0.6, 0.6, 0.6, "test"), conversion_factors()).set_index("site_id")
    pv, wind = led.loc["pv-1"], led.loc["wind-1"]
    # PV converts its whole area (share 1.0). Salt marsh, IPCC 2013 Wetlands Supplement Tier 1: 0.91 tC/ha/yr
    # and 255 tC/ha to 1 m; tidal flat (intertidal burial) 0.21 tC/ha/yr, sediment 60 tC/ha. Release share 0.25.
    assert pv["wetland_km2"] == pytest.approx(0.75)
    assert pv["sink_lost_tco2_per_yr"] == pytest.approx((50 * 0.91 + 25 * 0.21) * C)
    assert pv["stock_release_tco2"] == pytest.approx((50 * 255 + 25 * 60) * 0.25 * C)
    assert pv["release_period_yr"] == 20
    assert pv["release_tco2_per_yr"] == pytest.approx(pv["stock_release_tco2"] / 20)
    assert pv["net_tco2_per_yr"] == pytest.approx(6000 - pv["sink_lost_tco2_per_yr"] - pv["release_tco2_per_yr"])
    assert "wetland:salt_marsh 0.50 km2" in pv["sink_classes"] and "wetland:tidal_flat 0.25 km2" in pv["sink_classes"]
    # wind converts 3% of its area; the fraxinus stand (40 tC/ha at 35 yr) loses all its biomass (IPCC Tier 1)
    assert wind["forest_km2"] == pytest.approx(1.0)
    assert wind["sink_lost_tco2_per_yr"] == pytest.approx(100 * 0.03 * 0.95 * 40 / 35 * C)
    assert wind["stock_release_tco2"] == pytest.approx(100 * 0.03 * 40 * 1.0 * C)
    for col in ("sink_lost_tco2_per_yr", "stock_release_tco2"):
        assert (led[f"{col}_low"] <= led[col]).all() and (led[col] <= led[f"{col}_high"]).all()


def test_overlapping_layers_count_once(case):
    sites, layers = case
    # the same salt marsh again in the tidal_flat layer: counted once, as wetland
    layers["tidal_flat"] = _gdf([{}], [box(X0, Y0, X0 + 500, Y0 + 1000)])
    led = carbon_ledger(sites, layers, EmissionFactor(0.6, 0.6, 0.6, "t"), conversion_factors()).set_index("site_id")
    assert led.loc["pv-1", "tidal_flat_km2"] == 0
    assert led.loc["pv-1", "stock_release_tco2"] == pytest.approx((50 * 255 + 25 * 60) * 0.25 * C)


def test_release_table_and_unknown_species(case):
    rel = conversion_release()
    assert rel.share["forest"][0] == 1.0 and rel.period_yr == 20
    assert all(0 <= lo <= v <= hi <= 1 for v, lo, hi in rel.share.values())
    sites, layers = case
    layers["forest"]["species"] = ["ginkgo"]  # not a factor class: the forest type's class is used
    led = carbon_ledger(sites, layers, EmissionFactor(0.6, 0.6, 0.6, "t"), conversion_factors()).set_index("site_id")
    assert "forest:tree_forest" in led.loc["wind-1", "sink_classes"]
    layers["wetland"]["wetland_type"] = ["salt_marsh", "lagoon"]
    with pytest.raises(WorkflowError, match="lagoon"):
        carbon_ledger(sites, layers, EmissionFactor(0.6, 0.6, 0.6, "t"), conversion_factors())
    assert np.isfinite(led["net_tco2_per_yr"]).all()
