"""Sink accounting on the synthetic region, worked out by hand."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from binhai_geo.errors import LayerError
from binhai_geo.sinks.accounting import resolve_overlaps, sink_areas, sink_by_year, sink_features, sink_ledger
from binhai_geo.sinks.factors import class_table, load_sink_factors, stand_increment_share, stand_stock_share

from conftest import X0, Y0, synthetic_layers

C = 44 / 12


@pytest.fixture(scope="module")
def classes():
    return class_table(load_sink_factors())


def test_ledger_by_hand(classes):
    led, overlaps, _ = sink_ledger(synthetic_layers(), classes, 2025)
    led = led.set_index("sink_class")
    # 1 km2 reed marsh, 0.2 under tree forest -> 0.8 km2 = 80 ha x 1.0 tC/ha/yr
    assert led.loc["reed_marsh", "area_km2"] == pytest.approx(0.8)
    assert led.loc["reed_marsh", "overlap_removed_km2"] == pytest.approx(0.2)
    assert led.loc["reed_marsh", "tco2_per_yr"] == pytest.approx(80 * 1.0 * C)
    assert led.loc["reed_marsh", "tco2_per_yr_high"] == pytest.approx(80 * 2.6 * C)
    assert led.loc["reed_marsh", "stock_tco2e"] == pytest.approx(80 * 150 * C)
    assert not led.loc["reed_marsh", "creditable"]
    # tree forest: 70 ha planted 2015 (age 10) + 30 ha planted 2022 (age 3), coastal default S_max 40 tC/ha,
    # maturity 35 yr
    rate = (70 * stand_increment_share(10, 35) + 30 * stand_increment_share(3, 35)) * 40 * C
    stock = (70 * stand_stock_share(10, 35) + 30 * stand_stock_share(3, 35)) * 40 * C
    assert led.loc["tree_forest", "tco2_per_yr"] == pytest.approx(rate)
    assert led.loc["tree_forest", "stock_tco2e"] == pytest.approx(stock)
    assert led.loc["other_shrub", "area_km2"] == pytest.approx(0.2)
    # the protected strip (y 7-8 km) only touches the 2022 stand (y 6-7 km): nothing inside
    assert led.loc["tree_forest", "in_protected_km2"] == pytest.approx(0.0)
    o = overlaps.iloc[0]
    assert (o["kept_class"], o["removed_class"]) == ("tree_forest", "reed_marsh")
    assert o["pairwise_overlap_km2"] == pytest.approx(0.2)


def test_areas_never_double_counted_total():
    layers = synthetic_layers()
    layers["forest"] = layers["forest"].iloc[[0, 0, 1, 2]]  # the same patch twice
    s = sink_areas(layers).set_index("sink_class")
    assert s.loc["tree_forest", "area_km2"] == pytest.approx(1.0)
    assert s["area_km2"].sum() == pytest.approx(1.0 + 0.2 + 0.8)


def test_older_stand_wins_within_a_class(classes):
    layers = synthetic_layers()
    f = layers["forest"].iloc[[0, 1]].copy()
    f.loc[f.index[1], "geometry"] = box(X0 + 4000, Y0 + 4500, X0 + 4700, Y0 + 5500)  # half over stand 0
    layers["forest"] = f
    resolved, _ = resolve_overlaps(sink_features(layers, classes))
    r = resolved[resolved["layer_kind"] == "forest"].set_index("year_planted")
    assert r.loc[2015, "area_km2"] == pytest.approx(0.7)
    assert r.loc[2022, "area_km2"] == pytest.approx(0.35)


def test_sink_by_year_cumulative(classes):
    resolved, _ = resolve_overlaps(sink_features(synthetic_layers(), classes))
    t = sink_by_year(resolved, classes, [2025, 2026, 2027])
    reed = t[t["sink_class"] == "reed_marsh"]
    assert list(reed["tco2"]) == pytest.approx([80 * C * k for k in (1, 2, 3)])
    assert (t["tco2_low"] <= t["tco2"]).all() and (t["tco2"] <= t["tco2_high"]).all()


def test_forest_without_year_refused(classes):
    layers = synthetic_layers()
    layers["forest"].loc[layers["forest"].index[1], "year_planted"] = None
    with pytest.raises(LayerError, match="year_planted") as e:
        sink_features(layers, classes)
    assert e.value.feature == layers["forest"].index[1]


def test_species_class(classes):
    layers = synthetic_layers()
    layers["forest"]["species"] = ["poplar", "", None]
    feats = sink_features(layers, classes)
    assert set(feats["sink_class"]) == {"poplar", "tree_forest", "other_shrub", "reed_marsh"}
    layers["forest"]["species"] = ["ginkgo", "", None]
    with pytest.raises(LayerError, match="ginkgo"):
        sink_features(layers, classes)
