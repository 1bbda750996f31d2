"""Plan conformance (:mod:`binhai_geo.accounting.conformance`) on the synthetic region of the siting tests."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from binhai_geo.accounting.conformance import TARGET_TECHNOLOGIES, conformance_step
from binhai_geo.config import load_workflow
from binhai_geo.layers import load_layers
from binhai_geo.siting.plan import economics_step, eligibility_step
from binhai_geo.siting.sites import build_sites
from binhai_geo.targets import load_targets
from tests.conftest import capacity_densities, write_workflow
from tests.siting.test_siting_plan import RULES, _pack, _run


def test_conformance_by_hand(tmp_path: Path) -> None:
    wf, layers, sites = _run(tmp_path)
    el = economics_step(wf, layers, eligibility_step(wf, layers, sites).sites).sites
    targets = load_targets(wf.targets_path)
    table = conformance_step(wf, layers, el, targets).tables["conformance"]
    assert set(table["target_id"]) == set(TARGET_TECHNOLOGIES)
    assert set(table["area"]) == {"district", "South", "North"}
    d = table[table["area"] == "district"].set_index("target_id")
    # projects (the pack's former statuses on GEM's scale, no ledger year given: status -> category):
    # PV 1000 MW 'pipeline' and 500 MW 'planned' are pipeline (not counted), wind 200 MW 'built' installed
    assert d.loc["pv_capacity", "pipeline_mw"] == 1500 and d.loc["pv_capacity", "built_mw"] == 0
    assert d.loc["pv_capacity", "gap_mw"] == pytest.approx(4700)
    # the PV project fills the salt pan (about 97 MW eligible) and the rest near it: potential left
    pv_pot = d.loc["pv_capacity", "eligible_potential_mw"]
    assert 0 <= pv_pot < 80 + 1  # at most the offshore PV zone and roofs beyond 5 km are left
    assert d.loc["pv_capacity", "status"] == "not closable with eligible sites"
    assert d.loc["wind_capacity", "built_mw"] == 200
    assert d.loc["storage_capacity", "gap_mw"] == pytest.approx(400)
    assert d.loc["renewable_share", "status"] == "not computed"
    south = table[(table["area"] == "South") & (table["target_id"] == "pv_capacity")].iloc[0]
    assert math.isnan(south["required"]) and south["pipeline_mw"] == 1500


def test_conformance_share_with_total_capacity(tmp_path: Path) -> None:
    extra = ('\n[assumptions.district]\ntotal_installed_capacity_mw = 10000\n'
             'total_installed_capacity_source = "test figure"\n')
    _pack(tmp_path)
    text = RULES.format(mode="vector")
    wf = load_workflow(write_workflow(tmp_path, extra + text))
    layers = load_layers(wf)
    s = wf.spec.siting
    sites = build_sites(layers.layers, capacity_densities(), pv_surfaces=s.pv_surfaces,
                        wind_surfaces=s.wind_surfaces)
    table = conformance_step(wf, layers, sites, load_targets(wf.targets_path)).tables["conformance"]
    row = table[(table["target_id"] == "renewable_share") & (table["area"] == "district")].iloc[0]
    # counted: installed + committed renewables = the 200 MW wind farm (PV is pipeline)
    assert row["counted"] == pytest.approx(100 * 200 / 10000)
    # (0.35 x 10000 - 200) / (1 - 0.35)
    assert row["gap_mw"] == pytest.approx((3500 - 200) / 0.65)
