"""The sinks plan step on the synthetic region (by hand) and on the shipped Binhai workflow."""

from __future__ import annotations

import pytest

from binhai_geo.config import load_workflow
from binhai_geo.errors import WorkflowError
from binhai_geo.layers import load_layers
from binhai_geo.runner import compute_plan
from binhai_geo.sinks.plan import sinks_step

from conftest import write_workflow

AFFOREST = """
[sinks]
horizon_years = 10
change_from_year = 2019

[[sinks.afforestation]]
name = "Test planting"
area_km2 = 0.7
start_year = 2026
end_year = 2026
"""


def test_step_on_synthetic_region(tmp_path, pack):
    wf = load_workflow(write_workflow(tmp_path, AFFOREST))
    res = sinks_step(wf, load_layers(wf))
    ind = {i.target_id: i for i in res.indicators}
    assert ind["forest_cover"].value == pytest.approx(100 * 0.7 / 70)
    # 2030: stand B (0.3 km2, planted 2022) has closed (2027); the 2026 planting closes in 2031
    assert ind["forest_cover_2030"].value == pytest.approx(100 * 1.0 / 70)
    assert ind["protected_area_share"].value == pytest.approx(10.0)
    assert ind["natural_shoreline"].value == pytest.approx(20.0)
    sc = res.tables["afforestation_scenario"].set_index("year")
    assert sc.loc[2031, "forest_cover_pct"] == pytest.approx(100 * 1.7 / 70)
    # age 0 in the planting year: no sink yet; young stands then sequester more each year
    assert sc.loc[2026, "tco2_per_yr"] == 0 and sc.loc[2028, "tco2_per_yr"] > sc.loc[2027, "tco2_per_yr"] > 0
    assert set(res.tables) >= {"sink_ledger", "sink_by_year", "forest_cover_by_year", "afforestation_scenario"}
    assert res.geo["forest_change"].set_index("change").loc["gain", "area_km2"] == pytest.approx(0.7)
    resolved = next(n for n in res.notes if n.code == "sinks.overlaps_resolved")
    assert resolved.params["n_pairs"] == len(res.tables["sink_overlaps"])


def test_bad_afforestation_class(tmp_path, pack):
    wf = load_workflow(write_workflow(tmp_path, AFFOREST.replace('end_year = 2026', 'end_year = 2026\n'
                                                                'sink_class = "salt_marsh"')))
    with pytest.raises(WorkflowError, match="not a forest class"):
        sinks_step(wf, load_layers(wf))


def test_missing_landcover_file(tmp_path, pack):
    wf = load_workflow(write_workflow(tmp_path, '[sinks]\nlandcover = { "2020" = "nope.tif" }\n'))
    with pytest.raises(WorkflowError, match="does not exist"):
        sinks_step(wf, load_layers(wf))


def test_unknown_sinks_key(tmp_path, pack):
    with pytest.raises(WorkflowError, match="unknown key"):
        load_workflow(write_workflow(tmp_path, "[sinks]\nhorizon = 3\n"))


def test_real_binhai_workflow(real_workflow_copy):
    wf = load_workflow(real_workflow_copy)
    res = compute_plan(wf)
    t = res.targets.set_index("target_id")
    for tid in ("forest_cover", "forest_cover_2030", "protected_area_share", "natural_shoreline"):
        # the pack's forest and protected areas are samples, its coastline OpenStreetMap: indicative verdicts
        assert t.loc[tid, "status"] == "indicative" and t.loc[tid, "reading"] in ("met", "short"), tid
    # 20,000 mu green barrier: 13.33 km2 planted 2024-2025, closed by 2030 -> adds 13.33 km2 to cover
    sc = res.tables["afforestation_scenario"].set_index("year")
    assert sc.loc[2030, "closed_km2"] == pytest.approx(20000 * 666.6667e-6, rel=1e-4)
    assert t.loc["forest_cover_2030", "computed"] > t.loc["forest_cover", "computed"]
    led = res.sinks.set_index("sink_class")
    assert {"tree_forest", "reed_marsh", "oyster_reef", "tidal_flat"} <= set(led.index)
    assert (res.sinks["tco2_per_yr_low"] <= res.sinks["tco2_per_yr"]).all()
    assert "forest_change" in res.geo
    # the green barrier beside its creditable reductions: a 20-yr crediting period from 2024, so 2044-2045 add none
    cr = res.tables["sink_credits_by_year"]
    gb = cr[cr["kind"] == "afforestation scenario"].set_index("year")
    assert gb.index[0] == 2024 and gb.index[-1] == 2045
    assert gb.loc[2043, "crediting"] and not gb.loc[2044, "crediting"]
    assert gb.loc[2045, "creditable_tco2"] == gb.loc[2043, "creditable_tco2"] < gb.loc[2045, "gross_tco2"]
    elig = res.tables["sink_credit_eligibility"].set_index("name")
    assert not elig.loc["Guangang forest park", "eligible"]  # planted 1995
    assert elig.loc["Lingang saline shrub belt", "reason"] == "class_not_creditable"  # 其他灌木林


def test_forest_cover_over_the_official_land_area_beside_the_osm_one():
    import pandas as pd

    from binhai_geo.sinks.forestcover import DISTRICT
    from binhai_geo.sinks.plan import _with_official_land

    cover = pd.DataFrame({"year": [2025, 2025], "subdistrict": [DISTRICT, "Hangu 汉沽"], "forest_km2": [22.7, 5.0],
                          "land_km2": [2368.8, 434.8], "forest_cover_pct": [100 * 22.7 / 2368.8, 100 * 5 / 434.8],
                          "valid_share": [1.0, 1.0], "basis": ["forest layer", "forest layer"]})
    out = _with_official_land(cover, 2270.0)
    # 22.7 km2 of forest over the official 2,270 km2 is 1.00 % (by hand); sub-districts have no official area
    assert out.loc[0, "forest_cover_pct_official"] == pytest.approx(1.0)
    assert out.loc[0, "land_km2_official"] == 2270.0
    assert pd.isna(out.loc[1, "forest_cover_pct_official"])
    assert _with_official_land(cover, None) is cover
