import pytest

from binhai_geo.sinks.accounting import sink_areas
from binhai_geo.sinks.coverage import coverage_indicators, land_geometry

from conftest import synthetic_layers


def by_id(inds):
    return {i.target_id: i for i in inds}


def test_indicators_by_hand():
    layers = synthetic_layers()
    assert land_geometry(layers).area == pytest.approx(70e6)
    ind = by_id(coverage_indicators(layers))
    # 0.7 km2 of tree forest with canopy 0.5 counts; canopy 0.1 and other shrub do not; land 70 km2
    assert ind["forest_cover"].value == pytest.approx(100 * 0.7 / 70)
    assert ind["forest_cover_2030"].value == ind["forest_cover"].value
    # protected 8 km2 of which 7 on land
    assert ind["protected_area_share"].value == pytest.approx(10.0)
    # 2 km natural of 10 km
    assert ind["natural_shoreline"].value == pytest.approx(20.0)
    assert "2.0 km natural of 10.0 km" in ind["natural_shoreline"].basis


def test_overlapping_forest_counts_once():
    layers = synthetic_layers()
    forest = layers["forest"]
    layers["forest"] = forest.iloc[[0, 0]]  # the same patch twice
    assert by_id(coverage_indicators(layers))["forest_cover"].value == pytest.approx(1.0)


def test_missing_layers_leave_indicators_out():
    layers = synthetic_layers()
    del layers["forest"], layers["coastline"]
    assert set(by_id(coverage_indicators(layers))) == {"protected_area_share"}
    del layers["boundary"]
    assert coverage_indicators(layers) == []


def test_sink_areas_never_double_count():
    s = sink_areas(synthetic_layers()).set_index("sink_class")
    assert s.loc["tree_forest", "area_km2"] == pytest.approx(1.0)
    assert s.loc["other_shrub", "area_km2"] == pytest.approx(0.2)
    # 1 km2 reed marsh, 0.2 km2 of it under tree forest: counted as forest
    assert s.loc["reed_marsh", "area_km2"] == pytest.approx(0.8)
    assert s.loc["reed_marsh", "overlap_removed_km2"] == pytest.approx(0.2)


def test_geographic_crs_refused():
    layers = synthetic_layers()
    layers["forest"] = layers["forest"].to_crs("EPSG:4490")
    with pytest.raises(ValueError, match="projected"):
        coverage_indicators(layers)
