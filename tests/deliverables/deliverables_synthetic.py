"""A synthetic plan result for the deliverables tests: the conftest region plus engine-like tables.

The engines (solar, wind, siting, sinks) are not run: their tables and geo layers are made up here
with the names and columns the registry knows (and one it does not), so the deliverables are tested
on every kind of content, independently of the engines' own numbers.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from binhai_geo.accounting.projects import capacity_indicators
from binhai_geo.config import load_workflow
from binhai_geo.layers import load_layers
from binhai_geo.notes import Note
from binhai_geo.result import SIMPLIFICATIONS, PlanResult
from binhai_geo.sinks.coverage import coverage_indicators
from binhai_geo.siting.sites import build_sites
from binhai_geo.targets import check_targets, load_targets

from conftest import CRS, X0, Y0, capacity_densities, synthetic_layers, write_pack, write_workflow

SUBDISTRICTS = (("West", "西区", box(X0, Y0, X0 + 3500, Y0 + 10000)), ("East", "东区", box(X0 + 3500, Y0, X0 + 7000, Y0 + 10000)))
ENGINE_NOTE = Note("wind.fleet.dropped", {"n_positions": 3})  # an engine's note, rendered by the deliverables


def region_layers() -> dict[str, gpd.GeoDataFrame]:
    """The conftest layers plus two sub-districts."""
    layers = synthetic_layers()
    layers["subdistrict"] = gpd.GeoDataFrame(
        [{"name": n, "name_zh": z} for n, z, _ in SUBDISTRICTS], geometry=[g for _, _, g in SUBDISTRICTS], crs=CRS
    )
    return layers


def engine_tables() -> dict[str, pd.DataFrame]:
    """Engine tables with known names, plus one unknown table."""
    years = [2020, 2025, 2030]
    forest = pd.DataFrame(
        [{"year": y, "subdistrict": s, "forest_cover_pct": v + i}
         for i, y in enumerate(years) for s, v in (("district 全区", 10.0), ("West 西区", 12.0), ("East 东区", 4.0))]
    )
    return {
        "supply_curve": pd.DataFrame({
            "site_id": ["wind-1", "pv-1", "pv-2"], "technology": ["wind", "pv", "pv"],
            "capacity_mw": [120.0, 138.0, 80.0], "lcoe_cny_per_mwh": [310.0, 280.0, 420.0],
            "cumulative_mw": [258.0, 138.0, 338.0],
        }),
        "forest_cover_by_year": forest,
        "sink_ledger": pd.DataFrame({
            "sink_class": ["tree_forest", "reed_marsh"], "name_zh": ["乔木林", "芦苇沼泽"], "area_km2": [0.7, 0.8],
            "tco2_per_yr": [650.0, 400.0], "tco2_per_yr_low": [300.0, 100.0], "tco2_per_yr_high": [900.0, 800.0],
        }),
        "sink_by_year": pd.DataFrame({"year": years, "tco2_per_yr": [900.0, 1050.0, 1200.0],
                                      "tco2_per_yr_low": [400.0, 400.0, 500.0],
                                      "tco2_per_yr_high": [1500.0, 1700.0, 1900.0]}),
        "conformance": pd.DataFrame({
            "target_id": ["pv_capacity", "pv_capacity"], "subdistrict": ["West", "East"], "computed": [138.0, 80.0],
            "unit": ["MW", "MW"],
        }),
        "sink_factors": pd.DataFrame({
            "sink_class": ["tree_forest"], "value": [9.3], "low": [4.0], "high": [13.0], "unit": ["tCO2/ha/yr"],
            "source": ["IPCC 2006 GL AFOLU Vol.4 Ch.4 Table 4.9 (synthetic test row)"],
        }),
        "mystery_numbers": pd.DataFrame({"thing": ["a", "b"], "score": [1.5, 2.5]}),
    }


def engine_geo() -> dict[str, gpd.GeoDataFrame]:
    """Engine geo layers with known names, plus one unknown layer."""
    return {
        "turbines": gpd.GeoDataFrame(
            {"site_id": ["wind-1", ""], "farm": ["Zone 1", "GEM wind phase 0037"],
             "layout": ["laid out", "registry laid"], "source": ["wind-1", "gem-wind-2025-02-0037"],
             "turbine_type": ["V164/9500", "MM100/2000"], "hub_height_m": [105.0, 80.0],
             "capacity_mw": [9.5, 2.0], "energy_mwh_per_yr": [35_000.0, 4_300.0], "wake_loss_pct": [4.1, 7.9]},
            geometry=[Point(X0 + 8000, Y0 + 4500), Point(X0 + 9000, Y0 + 5500)], crs=CRS),
        "excluded_areas": gpd.GeoDataFrame(
            {"technology": ["pv", "wind"], "reason": ["ecological red line 生态红线", "shipping lane"]},
            geometry=[box(X0 + 100, Y0 + 7000, X0 + 2000, Y0 + 8000), box(X0 + 7500, Y0 + 7000, X0 + 9500, Y0 + 8000)],
            crs=CRS),
        "forest_change": gpd.GeoDataFrame(
            {"change": ["gain", "loss"], "area_km2": [0.2, 0.1]},
            geometry=[box(X0 + 4000, Y0 + 8200, X0 + 4500, Y0 + 8600), box(X0 + 5000, Y0 + 8200, X0 + 5300, Y0 + 8500)],
            crs=CRS),
        "odd_layer": gpd.GeoDataFrame({"label": ["x"]}, geometry=[Point(X0 + 1000, Y0 + 9000)], crs=CRS),
    }


def synthetic_plan(folder: Path, extra_toml: str = "", *, with_engines: bool = True,
                   layers: dict[str, gpd.GeoDataFrame] | None = None) -> PlanResult:
    """Compute the plan of the synthetic region (no engine steps) and add the engine-like content."""
    write_pack(folder / "region", layers or region_layers())
    wf = load_workflow(write_workflow(folder, extra_toml))
    layer_set = load_layers(wf)
    densities = capacity_densities()
    sp = wf.spec.siting
    sites = build_sites(layer_set.layers, densities, pv_surfaces=sp.pv_surfaces, wind_surfaces=sp.wind_surfaces,
                        offshore_both_as=sp.offshore_both_as)
    sites["lcoe_cny_per_mwh"] = np.where(sites["technology"] == "pv", 280.0, 310.0)
    sites["turbines"] = np.where(sites["technology"] == "wind", 2, 0)
    indicators = coverage_indicators(layer_set.layers) + capacity_indicators(layer_set.layers, sites)
    targets = check_targets(load_targets(wf.targets_path), indicators)
    notes = list(SIMPLIFICATIONS) + ([ENGINE_NOTE] if with_engines else [])
    sinks = pd.DataFrame({"layer_kind": ["forest", "wetland"], "sink_class": ["tree_forest", "reed_marsh"],
                          "area_km2": [0.7, 0.8]})
    return PlanResult(wf, layer_set, sites, targets, sinks, densities,
                      tables=engine_tables() if with_engines else {}, geo=engine_geo() if with_engines else {},
                      notes=notes, inputs=[])
