"""Creditable reductions beside the gross biomass sink (CCER-14-001-V01 structure), worked out by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from binhai_geo.config import load_workflow
from binhai_geo.errors import WorkflowError
from binhai_geo.factors import packaged_table
from binhai_geo.layers import load_layers
from binhai_geo.sinks.accounting import resolve_overlaps, sink_features
from binhai_geo.sinks.credits import (
    CreditRules,
    load_ccer_parameters,
    project_credits,
    stand_eligibility,
    uncertainty_deduction_share,
)
from binhai_geo.sinks.factors import class_table, load_sink_factors, stand_increment_share
from binhai_geo.sinks.plan import sinks_step

from conftest import synthetic_layers, write_workflow

C = 44 / 12


@pytest.fixture(scope="module")
def classes():
    return class_table(load_sink_factors())


@pytest.fixture(scope="module")
def rules():
    return CreditRules.from_table(load_ccer_parameters())


def _one(cls="fraxinus", planted=2024, area_km2=1.0, eligible_km2=1.0):
    return pd.DataFrame([{"project": "P", "kind": "afforestation scenario", "sink_class": cls, "year_planted": planted,
                          "start_year": planted, "area_km2": area_km2, "eligible_km2": eligible_km2}])


def test_packaged_parameters_state_what_is_verified():
    p = load_ccer_parameters()
    assert p.loc["crediting_period_yr", "value"] == 20 and p.loc["crediting_period_yr", "high"] == 40
    assert p.loc["leakage_share", "value"] == 0
    # everything not read in a published source is labelled so
    assert set(p["verified"]) <= {"yes", "secondary", "no"}
    for key in ("earliest_start_year", "monitoring_uncertainty_pct", "uncertainty_threshold_pct", "root_shoot_ratio"):
        assert p.loc[key, "verified"] == "no", key
        assert any(w in p.loc[key, "source"] for w in ("ASSUMPTION", "UNVERIFIED", "recalled")), key
    assert (p["source"].str.len() > 20).all()


def test_credits_by_hand(classes, rules):
    t = project_credits(_one(), classes, rules, list(range(2024, 2047))).set_index("year")
    # 100 ha of fraxinus: S_max 40 tC/ha, maturity 35 yr; the 2030 growth is the year ending at age 6
    gross = 100 * 40 * stand_increment_share(6, 35) * C
    assert t.loc[2030, "gross_tco2_per_yr"] == pytest.approx(gross)
    # pools: above- and below-ground split by the root:shoot ratio 0.46, together the gross sink
    assert t.loc[2030, "project_bgb_tco2_per_yr"] == pytest.approx(gross * 0.46 / 1.46)
    assert t.loc[2030, "project_agb_tco2_per_yr"] + t.loc[2030, "project_bgb_tco2_per_yr"] == pytest.approx(gross)
    # ER = removals - baseline (0) - leakage (0), less (15% - 10%) of it for uncertainty
    assert t.loc[2030, "creditable_tco2_per_yr"] == pytest.approx(gross * 0.95)
    assert t.loc[2030, "uncertainty_deduction_tco2_per_yr"] == pytest.approx(gross * 0.05)
    # the 20-year crediting period runs 2024-2043: the stand still grows in 2044, nothing more is credited
    assert t.loc[2043, "crediting"] and not t.loc[2044, "crediting"]
    assert t.loc[2044, "gross_tco2_per_yr"] > 0 and t.loc[2044, "creditable_tco2_per_yr"] == 0
    assert t.loc[2046, "creditable_tco2"] == pytest.approx(t.loc[2043, "creditable_tco2"])
    assert t.loc[2024, "gross_tco2_per_yr"] == 0  # age 0 in the planting year
    assert (t["creditable_tco2_per_yr_low"] <= t["creditable_tco2_per_yr"]).all()
    assert (t["creditable_tco2_per_yr"] <= t["creditable_tco2_per_yr_high"] + 1e-9).all()


def test_baseline_and_leakage_are_subtracted(classes, rules):
    r = dataclasses.replace(rules, baseline_tco2_per_ha_yr=0.5, leakage_share=0.1, crediting_period_yr=40)
    t = project_credits(_one(), classes, r, [2035]).iloc[0]
    net = t["gross_tco2_per_yr"] - 0.5 * 100
    assert t["baseline_tco2_per_yr"] == pytest.approx(50)
    assert t["leakage_tco2_per_yr"] == pytest.approx(0.1 * net)
    assert t["creditable_tco2_per_yr"] == pytest.approx(net * 0.9 * 0.95)


def test_only_the_eligible_area_is_credited(classes, rules):
    t = project_credits(_one(area_km2=1.0, eligible_km2=0.25), classes, rules, [2035]).iloc[0]
    assert t["creditable_tco2_per_yr"] == pytest.approx(0.25 * t["gross_tco2_per_yr"] * 0.95)


def test_uncertainty_deduction_share():
    assert uncertainty_deduction_share([5, 10, 15, 30], 10).tolist() == pytest.approx([0, 0, 0.05, 0.20])


def test_stand_eligibility_on_the_synthetic_region(classes, rules):
    lay = synthetic_layers()
    resolved, _ = resolve_overlaps(sink_features(lay, classes))
    e = stand_eligibility(resolved[resolved["layer_kind"] == "forest"], classes, rules, lay["wetland"]).set_index("fid")
    # stand 0 (2015, 0.7 km2): 0.2 km2 of it lies on the reed marsh -> 0.5 km2 creditable
    assert e.loc[0, "eligible"] and e.loc[0, "wetland_km2"] == pytest.approx(0.2)
    assert e.loc[0, "eligible_km2"] == pytest.approx(0.5)
    assert e.loc[1, "eligible"] and e.loc[1, "eligible_km2"] == pytest.approx(0.3)
    # other shrubland (其他灌木林) is no creditable class
    assert not e.loc[2, "eligible"] and e.loc[2, "reason"] == "class_not_creditable"
    old = dataclasses.replace(rules, earliest_start_year=2020)
    e2 = stand_eligibility(resolved[resolved["layer_kind"] == "forest"], classes, old, lay["wetland"]).set_index("fid")
    assert e2.loc[0, "reason"] == "planted_before_earliest_start" and e2.loc[0, "eligible_km2"] == 0
    tiny = dataclasses.replace(rules, min_parcel_area_m2=400_000)
    e3 = stand_eligibility(resolved[resolved["layer_kind"] == "forest"], classes, tiny, lay["wetland"]).set_index("fid")
    assert e3.loc[1, "reason"] == "parcel_too_small"


def _copy(tmp_path, edit):
    p = tmp_path / "c.csv"
    p.write_text(edit(packaged_table("ccer_afforestation.csv").read_text(encoding="utf-8")), encoding="utf-8")
    return p


def test_bad_parameter_tables_refused(tmp_path):
    with pytest.raises(WorkflowError, match="20 to 40"):
        load_ccer_parameters(overrides={"crediting_period_yr": 60})
    with pytest.raises(WorkflowError, match="names no row"):
        load_ccer_parameters(overrides={"crediting_years": 30})
    p = _copy(tmp_path, lambda t: t.replace("pool_litter,0,0,0", "pool_litter,1,1,1"))
    with pytest.raises(WorkflowError, match="cannot count") as e:
        load_ccer_parameters(p)
    assert e.value.file == str(p)
    p = _copy(tmp_path, lambda t: "\n".join(x for x in t.splitlines() if not x.startswith("leakage_share")))
    with pytest.raises(WorkflowError, match="leakage_share"):
        load_ccer_parameters(p)


AFFOREST = """
[sinks]
horizon_years = 10
credits = { crediting_period_yr = 30 }

[[sinks.afforestation]]
name = "Test planting"
area_km2 = 0.7
start_year = 2026
end_year = 2027
sink_class = "robinia"
"""


def test_step_gives_gross_beside_creditable(tmp_path, pack):
    wf = load_workflow(write_workflow(tmp_path, AFFOREST))
    res = sinks_step(wf, load_layers(wf))
    t = res.tables["sink_credits_by_year"]
    plan = t[t["kind"] == "afforestation scenario"].set_index("year")
    # the gross column is the scenario's biomass sink, year by year
    sc = res.tables["afforestation_scenario"].set_index("year")
    assert np.allclose(plan.loc[sc.index, "gross_tco2_per_yr"], sc["tco2_per_yr"])
    assert (plan["creditable_tco2_per_yr"] <= plan["gross_tco2_per_yr"] + 1e-9).all()
    assert plan.loc[2026:, "crediting"].all() and not plan.loc[2025, "crediting"]  # 30 years from 2026
    stands = res.tables["sink_credit_eligibility"].set_index("fid")
    assert stands["eligible"].tolist() == [True, True, False]
    used = res.tables["sink_credit_parameters_used"].set_index("parameter")
    assert used.loc["crediting_period_yr", "value"] == 30 and "override" in used.loc["crediting_period_yr", "source"]
    method = next(n for n in res.notes if n.code == "sinks.credits.method")
    assert method.params["crediting_period_yr"] == 30


def test_forest_layer_may_carry_species_and_planting_density(classes):
    from binhai_geo.errors import BinhaiGeoError
    from binhai_geo.layermodel import get_kind
    from binhai_geo.validate import validate_layer

    f = synthetic_layers()["forest"].copy()
    f["树种"] = ["fraxinus", "ulmus_pumila", ""]
    f["造林密度"] = [1665.0, 1110.0, 2500.0]
    clean, _ = validate_layer(f, get_kind("forest"))
    assert clean["species"].tolist()[:2] == ["fraxinus", "ulmus_pumila"]
    assert clean["planting_density_per_ha"].tolist() == [1665.0, 1110.0, 2500.0]
    feats = sink_features({"forest": clean}, classes).set_index("fid")
    assert feats.loc[0, "sink_class"] == "fraxinus" and feats.loc[1, "sink_class"] == "ulmus_pumila"
    f["造林密度"] = [1665.0, 3.0, 2500.0]  # trees per mu, or a spacing in metres: not trees/ha
    with pytest.raises(BinhaiGeoError, match="planting_density_per_ha"):
        validate_layer(f, get_kind("forest"))
