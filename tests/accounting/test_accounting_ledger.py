"""The capacity ledger and the verdict rules on a tiny hand-made ledger, every figure worked out by hand.

The ledger (source date 2025-02; construction lead time 1 year for PV, 2 for wind, ledger_defaults.csv):

| id | tech | MW  | status           | start | retired | category for 2025 (why)                         |
|----|------|-----|------------------|-------|---------|--------------------------------------------------|
| A  | pv   | 100 | operating        | 2020  |         | installed                                        |
| B  | pv   |  50 | operating        |   -   |         | installed (running at its source date, 2025)     |
| C  | pv   |  30 | operating        | 2026  |         | not counted (starts after 2025)                  |
| D  | pv   | 200 | construction     | 2025  |         | committed (expected 2025)                        |
| E  | pv   | 300 | construction     |   -   |         | pipeline (2025 + 1 y lead = 2026 > 2025)         |
| F  | pv   | 400 | pre-construction |   -   |         | pipeline                                         |
| G  | pv   |  20 | shelved          |   -   |         | not counted                                      |
| H  | pv   |  60 | retired          | 2010  | 2024    | not counted (retired by 2025); installed in 2023 |
| I  | wind |  80 | operating        | 2015  |         | installed                                        |

PV 2025: installed 150 MW (2 records), committed 200 (1), pipeline 700 (2), not counted 110 (3).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from binhai_geo.accounting.ledger import category, ledger_summary, normalise, totals
from binhai_geo.accounting.verdicts import verdict
from binhai_geo.indicator import Indicator
from binhai_geo.targets import check_targets, load_targets

from conftest import TARGETS_CSV

ROWS = [("A", "pv", 100, "operating", 2020, None), ("B", "pv", 50, "operating", None, None),
        ("C", "pv", 30, "operating", 2026, None), ("D", "pv", 200, "construction", 2025, None),
        ("E", "pv", 300, "construction", None, None), ("F", "pv", 400, "pre-construction", None, None),
        ("G", "pv", 20, "shelved", None, None), ("H", "pv", 60, "retired", 2010, 2024),
        ("I", "wind", 80, "operating", 2015, None)]


@pytest.fixture
def ledger() -> gpd.GeoDataFrame:
    df = pd.DataFrame(ROWS, columns=["record_id", "technology", "capacity_mw", "status", "start_year",
                                     "retired_year"])
    df["as_of"] = "2025-02"
    df["subdistrict"] = ["north"] * 4 + ["south"] * 5
    return normalise(gpd.GeoDataFrame(df, geometry=[Point(i, 0) for i in range(len(df))], crs="EPSG:4527"))


def test_categories_by_hand(ledger):
    cats = dict(zip(ledger["record_id"], category(ledger, 2025), strict=True))
    assert cats == {"A": "installed", "B": "installed", "C": "not counted", "D": "committed", "E": "pipeline",
                    "F": "pipeline", "G": "not counted", "H": "not counted", "I": "installed"}
    t = totals(ledger, category(ledger, 2025), ("pv",))
    assert t == {"installed": (150.0, 2), "committed": (200.0, 1), "pipeline": (700.0, 2),
                 "not counted": (110.0, 3)}


def test_categories_move_with_the_target_year(ledger):
    c23 = dict(zip(ledger["record_id"], category(ledger, 2023), strict=True))
    assert c23["H"] == "installed"          # retired only in 2024
    assert c23["B"] == "not counted"        # start unknown: counted from its source year 2025
    assert c23["D"] == "pipeline"           # expected 2025, not by 2023
    c26 = dict(zip(ledger["record_id"], category(ledger, 2026), strict=True))
    assert c26["E"] == "committed" and c26["C"] == "installed"


def test_summary_by_subdistrict(ledger):
    s = ledger_summary(ledger, category(ledger, 2025), 2025)
    north = s[(s["area"] == "north") & (s["technology"] == "pv")].set_index("category")
    # north holds A, B (installed 150), C (not counted 30), D (committed 200)
    assert north.loc["installed", "capacity_mw"] == 150 and north.loc["installed", "records"] == 2
    assert north.loc["committed", "capacity_mw"] == 200 and north.loc["not counted", "capacity_mw"] == 30
    assert "2025" in north.loc["installed", "rule"]


def test_pack_statuses_map_onto_gems_scale():
    df = gpd.GeoDataFrame({"technology": ["pv"] * 4, "capacity_mw": [1.0] * 4,
                           "status": ["built", "under_construction", "pipeline", "planned"], "year": [2020] * 4},
                          geometry=[Point(0, 0)] * 4, crs="EPSG:4527")
    assert list(normalise(df)["status"]) == ["operating", "construction", "pre-construction", "announced"]
    with pytest.raises(ValueError, match="not on GEM's scale"):
        normalise(df.assign(status="done"))


# --- one test per status rule: PV 2025 installed 150 MW, committed 200 MW -----------------------------

def test_rule_met():
    v = verdict(">=", 120, 150, 200, "MW")
    assert (v.status, v.gap, v.surplus) == ("met", 0, 30)  # surplus of installed over required
    assert v.rule.startswith("met: 150 MW installed >= 120 MW required")


def test_rule_on_track():
    v = verdict(">=", 300, 150, 200, "MW")
    assert (v.status, v.gap, v.surplus) == ("on track", 0, 50)  # 150 + 200 - 300
    assert "150 MW installed + 200 MW committed" in v.rule


def test_rule_short():
    v = verdict(">=", 500, 150, 200, "MW")
    assert (v.status, v.gap, v.surplus) == ("short", 150, 0)  # 500 - (150 + 200)


def test_rule_indicative():
    v = verdict(">=", 500, 150, 200, "MW", indicative="sample layer")
    assert (v.status, v.reading, v.gap) == ("indicative", "short", 150)
    assert v.rule.startswith("indicative (sample layer); on this data it reads short")


def test_rule_not_computed():
    v = verdict(">=", 500, math.nan, None, "MW")
    assert v.status == "not computed" and math.isnan(v.gap)


def test_rounding_follows_the_target(tmp_path):
    # 6.534 % rounds to 6.53 (the target's two decimals) and meets 6.53; 4699.6 MW rounds to 4700 and meets
    assert verdict(">=", 6.53, 6.534, None, "percent").status == "met"
    assert verdict(">=", 4700, 4699.6, 0, "MW").status == "met"
    assert verdict(">=", 4700, 4699.4, 0, "MW").status == "short"
    assert verdict("<=", 10, 12, None, "percent").gap == 2.0


def test_targets_table_writes_rule_into_basis(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(TARGETS_CSV, encoding="utf-8")
    res = check_targets(load_targets(p), [
        Indicator("pv_capacity", 150.0, "MW", "ledger", committed=200.0, pipeline=700.0),
        Indicator("forest_cover_2030", 3.0, "percent", "projection", required=2.5),
        Indicator("storage_capacity", 0.0, "MW", "plan only", indicative="no storage registry"),
    ]).set_index("target_id")
    pv = res.loc["pv_capacity"]
    assert (pv["status"], pv["computed"], pv["committed"], pv["pipeline"], pv["gap"]) == ("short", 150, 200, 700, 4350)
    assert pv["basis"].startswith("short: 150 MW installed + 200 MW committed < 4,700 MW required")
    f30 = res.loc["forest_cover_2030"]
    assert (f30["status"], f30["required"], f30["surplus"]) == ("met", 2.5, 0.5)
    assert res.loc["storage_capacity", "status"] == "indicative"
    assert res.loc["charging_piles", "basis"].startswith("not computed: ")
    assert (res["basis"].str.len() > 0).all()
    assert (res["gap"].dropna() >= 0).all() and (res["surplus"].dropna() >= 0).all()
