"""The sink-factor table, the growth curve and the conversion-loss factors for the siting engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import packaged_table
from binhai_geo.sinks.factors import (
    class_table,
    conversion_loss_factors,
    load_sink_factors,
    stand_increment_share,
    stand_stock_share,
)


def test_packaged_table_complete_and_sourced():
    f = load_sink_factors()
    assert (f["low"] <= f["value"]).all() and (f["value"] <= f["high"]).all()
    assert (f["source"].str.len() > 10).all()
    c = class_table(f)
    for cls in ("poplar", "robinia", "fraxinus", "salt_marsh", "reed_marsh", "tidal_flat", "seagrass",
                "oyster_reef", "mariculture"):
        assert cls in c.index, cls
    assert not c.loc["oyster_reef", "creditable"] and not c.loc["mariculture", "creditable"]
    assert c.loc["salt_marsh", "evidence"] == "ipcc_tier1" and c.loc["salt_marsh", "rate_tc_per_ha_yr"] == 0.91


def test_growth_curve_young_stands_sequester_less():
    age = np.arange(0, 61)
    inc = stand_increment_share(age, 30)
    assert inc[0] == 0 and inc[1] < inc[5] < inc[10]
    assert stand_stock_share(30, 30) == pytest.approx(0.95)
    k = -math.log(1 - 0.95 ** (1 / 3)) / 30
    assert np.argmax(inc) == pytest.approx(math.log(3) / k, abs=1)  # peak at the curve's inflection
    assert inc[60] < inc[20]


def test_conversion_loss_factors():
    c = conversion_loss_factors()
    assert list(c.index) == ["forest", "wetland", "tidal_flat"]
    # salt marsh 0.91 tC/ha/yr -> 0.91 * 44/12 * 100 t CO2/km2/yr
    assert c.loc["wetland", "tco2_per_km2_yr"] == pytest.approx(0.91 * 44 / 12 * 100)
    # forest: mean rate over the maturity period, 0.95 * 40 tC/ha / 35 yr (coastal default, see below)
    assert c.loc["forest", "tco2_per_km2_yr"] == pytest.approx(0.95 * 40 / 35 * 44 / 12 * 100)
    assert (c["tco2_per_km2_yr_low"] <= c["tco2_per_km2_yr"]).all()
    assert (c["tco2_per_km2_yr"] <= c["tco2_per_km2_yr_high"]).all()


COASTAL_TREES = ("poplar", "robinia", "fraxinus", "ulmus_pumila", "styphnolobium")


def test_unknown_species_default_drawn_from_coastal_species():
    c = class_table(load_sink_factors())
    trees = c.loc[list(COASTAL_TREES)]
    d = c.loc["tree_forest"]
    assert d["stock_tc_per_ha"] == np.median(trees["stock_tc_per_ha"])
    assert d["maturity_age_yr"] == np.median(trees["maturity_age_yr"])
    assert d["stock_tc_per_ha_low"] == trees["stock_tc_per_ha_low"].min()
    assert d["stock_tc_per_ha_high"] == trees["stock_tc_per_ha_high"].max()
    assert all(name in d["source"] for name in COASTAL_TREES)


def test_tamarix_range_holds_the_measured_laizhou_bay_figure():
    # Laizhou Bay tamarisk shrub wetland: 393.1 g C/m2 of vegetation carbon (3.93 tC/ha), a published measurement
    c = class_table(load_sink_factors())
    for cls in ("tamarix", "designated_shrub"):
        assert c.loc[cls, "stock_tc_per_ha_low"] <= 3.931 <= c.loc[cls, "stock_tc_per_ha_high"], cls


def test_factor_rows_fit_their_use():
    f = load_sink_factors().set_index(["sink_class", "quantity"])
    tf = f.loc[("tidal_flat", "rate")]
    # the tidal-flat rate rests on intertidal flat burial (21 +/- 6 g C/m2/yr), not on shelf sediments
    assert "shelf" not in tf["source"] and "doi:10.5194/bg-18-2527-2021" in tf["source"]
    assert (tf["low"], tf["value"]) == (0.15, 0.21) and not tf["creditable"]
    # other shrubland and other woodland are neither forest cover nor creditable classes
    assert not f.loc[("other_shrub", "stock_max"), "creditable"]
    assert not f.loc[("other_forest", "stock_max"), "creditable"]
    assert f.loc[("designated_shrub", "stock_max"), "creditable"]


def _copy(tmp_path, edit):
    text = packaged_table("sink_factors.csv").read_text(encoding="utf-8")
    p = tmp_path / "f.csv"
    p.write_text(edit(text), encoding="utf-8")
    return p


def test_negative_rate_refused(tmp_path):
    p = _copy(tmp_path, lambda t: t.replace("salt_marsh,wetland,salt_marsh,盐沼,rate,0.91,0.05",
                                            "salt_marsh,wetland,salt_marsh,盐沼,rate,-0.91,-1"))
    with pytest.raises(WorkflowError, match="negative") as e:
        load_sink_factors(p)
    assert e.value.file == str(p)


def test_missing_class_refused(tmp_path):
    p = _copy(tmp_path, lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("seagrass")))
    with pytest.raises(WorkflowError, match="seagrass"):
        load_sink_factors(p)


def test_override(tmp_path):
    f = load_sink_factors(overrides={"salt_marsh.rate": 1.5}).set_index(["sink_class", "quantity"])
    assert f.loc[("salt_marsh", "rate"), "value"] == 1.5
    assert "override" in f.loc[("salt_marsh", "rate"), "source"]
    with pytest.raises(WorkflowError, match="names no row"):
        load_sink_factors(overrides={"nope.rate": 1.0})
