import math

import pandas as pd
import pytest

from binhai_geo.errors import WorkflowError
from binhai_geo.indicator import Indicator
from binhai_geo.targets import check_targets, load_targets

from conftest import TARGETS_CSV


@pytest.fixture
def targets(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(TARGETS_CSV, encoding="utf-8")
    return load_targets(p)


def test_status_gap_and_surplus(targets):
    res = check_targets(targets, [
        Indicator("pv_capacity", 5210.0, "MW", "named projects"),
        Indicator("wind_capacity", 200.0, "MW", "named projects"),
        Indicator("renewable_share", 34.0, "percent", "x"),
        Indicator("forest_cover", 6.0, "percent", "layer"),
    ]).set_index("target_id")
    assert res.loc["pv_capacity", "status"] == "met" and res.loc["pv_capacity", "gap"] == 0.0
    assert res.loc["pv_capacity", "surplus"] == 510.0
    assert res.loc["wind_capacity", "status"] == "short" and res.loc["wind_capacity", "gap"] == 2100.0
    # 'about' 35% within 5% relative: 34 is within 1.75
    assert res.loc["renewable_share", "status"] == "met"
    assert res.loc["forest_cover", "gap"] == pytest.approx(0.53)
    assert res.loc["charging_piles", "status"] == "not computed"
    assert math.isnan(res.loc["charging_piles", "computed"])
    assert list(res.columns)[:9] == ["description", "description_zh", "year", "comparison", "required", "unit",
                                     "computed", "gap", "status"]


def test_about_outside_tolerance(targets):
    res = check_targets(targets, [Indicator("renewable_share", 30.0, "percent", "x")])
    assert res.set_index("target_id").loc["renewable_share", "status"] == "short"


def test_unit_mismatch_and_unknown_target_are_bugs(targets):
    with pytest.raises(ValueError, match="in GW"):
        check_targets(targets, [Indicator("pv_capacity", 4.7, "GW", "x")])
    with pytest.raises(ValueError, match="unknown target"):
        check_targets(targets, [Indicator("nope", 1, "MW", "x")])


def test_bad_targets_file(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(TARGETS_CSV.replace(",>=,,2025,光伏", ",=>,,2025,光伏", 1), encoding="utf-8")
    with pytest.raises(WorkflowError, match="comparison '=>'"):
        load_targets(p)
    p.write_text("target_id,value\npv,1\n", encoding="utf-8")
    with pytest.raises(WorkflowError, match="missing column"):
        load_targets(p)


def test_shipped_targets_cover_the_plan(repo):
    t = load_targets(repo / "layers" / "binhai" / "targets.csv")
    ids = set(t["target_id"])
    for tid in ("pv_capacity", "wind_capacity", "renewable_capacity", "renewable_share", "storage_capacity",
                "forest_cover", "forest_cover_2030", "protected_area_share", "natural_shoreline",
                "rooftop_pv_new_buildings", "building_renewable_substitution", "public_building_retrofit",
                "charging_piles", "hydrogen_stations", "energy_stations", "desalination",
                "nonfossil_share_2030"):
        assert tid in ids, tid
    vals = t.set_index("target_id")["value"]
    assert vals["pv_capacity"] == 4700 and vals["wind_capacity"] == 2300 and vals["storage_capacity"] == 400
    assert vals["forest_cover"] == 6.53 and vals["protected_area_share"] == 22.3
    assert t["plan_wording"].str.len().min() > 0
    assert isinstance(t, pd.DataFrame)
