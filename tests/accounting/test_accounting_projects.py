import pytest

from binhai_geo.accounting.projects import capacity_indicators

from conftest import synthetic_layers


def test_capacity_indicators_by_hand():
    """The synthetic projects on the ledger for 2025: PV 1,000 MW 'pipeline' and 500 MW 'planned' are pipeline
    (pre-construction, announced), wind 200 MW 'built' in 2023 is installed, storage 100 MW 'pipeline'."""
    layers = synthetic_layers()
    ind = {i.target_id: i for i in capacity_indicators(layers, total_installed_capacity_mw=6000,
                                                        total_installed_capacity_source="test")}
    assert (ind["pv_capacity"].value, ind["pv_capacity"].pipeline) == (0.0, 1500.0)
    assert "pipeline 1,500 MW (2" in ind["pv_capacity"].basis
    assert ind["wind_capacity"].value == 200.0
    assert ind["renewable_capacity"].value == 200.0
    assert (ind["storage_capacity"].value, ind["storage_capacity"].pipeline) == (0.0, 100.0)
    assert ind["renewable_share"].value == pytest.approx(100 * 200 / 6000)
    assert "rooftop_pv_new_buildings" not in ind  # the solar engine computes it (tests/solar)
