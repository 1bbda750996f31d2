"""Registry readers (GEM extract and full download, GPPD, as-built), bad input, plan matching, overrides, CLI."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

from binhai_geo.accounting.records import match_plan_projects, merge_records
from binhai_geo.cli import app
from binhai_geo.errors import BinhaiGeoError, MultipleErrors
from binhai_geo.registry import as_of_from_name, clip_to_district, read_registry

REPO = Path(__file__).resolve().parents[2]
REG = REPO / "layers" / "binhai" / "registry"
PACK = REPO / "layers" / "binhai" / "binhai.gpkg"


def _district():
    b = gpd.read_file(PACK, layer="boundary")
    return b.union_all(), b.crs


def test_gem_extract_in_the_district_matches_the_registry_readme():
    # ../shared/data/registry/README.md: inside the boundary buffered about 2 km, GEM solar 51 records, operating
    # 32 (2,008 MW); GEM wind 31 records, operating 21 (718 MW): an independent count by the data's provider.
    district, crs = _district()
    for name, n, n_op, mw_op in (("gem_solar_2025-02_tianjin.geojson", 51, 32, 2008),
                                 ("gem_wind_2025-02_tianjin.geojson", 31, 21, 718)):
        rec = read_registry(REG / name)
        inside, outside = clip_to_district(rec, district, crs, 2000.0)
        op = inside[inside["status"] == "operating"]
        assert (len(inside), len(op), round(op["capacity_mw"].sum())) == (n, n_op, mw_op), name
        assert len(inside) + len(outside) == len(rec)
        assert set(rec["status"]) <= {"operating", "construction", "pre-construction", "announced", "shelved"}
        assert rec["as_of"].eq("2025-02").all() and rec["record_id"].is_unique


def test_gppd_extract_maps_fuels_and_statuses():
    rec = read_registry(REG / "gppd_1.3.0_tianjin.geojson")
    assert set(rec["technology"]) == {"coal", "wind", "waste"}
    assert (rec["status"] == "retired").sum() == 1  # Chentangzhuang, 'Shutdown'
    assert rec.loc[rec["name"] == "Tianjin Beijiang power station", "capacity_mw"].iloc[0] == 3000


def test_gem_full_download_columns(tmp_path):
    """GEM's own download: Latitude/Longitude, GEM phase ID, Project Name, Phase Name, Location accuracy."""
    df = pd.DataFrame({"GEM phase ID": ["G100001", "G100002"], "Project Name": ["Haijing PV", "Haijing PV"],
                       "Phase Name": ["Phase 1", "Phase 2"], "Capacity (MW)": ["500", "500"],
                       "Status": ["operating", "cancelled - inferred 4 y"], "Start year": ["2023", ""],
                       "Retired year": ["", ""], "Owner": ["Huadian", "Huadian"], "Latitude": ["39.02", "39.02"],
                       "Longitude": ["117.68", "117.68"], "Location accuracy": ["exact", "approximate"],
                       "Subnational unit (province, state)": ["Tianjin", "Tianjin"], "Country/Area": ["China"] * 2,
                       "Technology Type": ["PV", "PV"]})
    p = tmp_path / "Global-Solar-Power-Tracker-June-2025.xlsx"
    with pd.ExcelWriter(p) as xw:
        df.to_excel(xw, sheet_name="20 MW+", index=False)
        pd.DataFrame({"About": ["notes"]}).to_excel(xw, sheet_name="About", index=False)
    rec = read_registry(p)
    assert list(rec["record_id"]) == ["G100001", "G100002"]
    assert list(rec["name"]) == ["Haijing PV Phase 1", "Haijing PV Phase 2"]
    assert list(rec["status"]) == ["operating", "cancelled"] and rec["as_of"].iloc[0] == "2025-06"
    assert list(rec["location_accuracy"]) == ["exact", "approximate"]
    assert rec.geometry.iloc[0].x == pytest.approx(117.68)


def test_as_of_from_file_names():
    assert as_of_from_name(Path("gem_solar_2025-02_tianjin.geojson")) == "2025-02"
    assert as_of_from_name(Path("Global-Wind-Power-Tracker-February-2025.xlsx")) == "2025-02"
    assert as_of_from_name(Path("plants.csv")) is None


BAD = """record_id,name,technology,capacity_mw,status,start_year,latitude,longitude
x1,Bad status,pv,50,commissioned,2024,38.96,117.64
x2,kW as MW,pv,50000,operating,2024,38.96,117.64
x3,no capacity,wind,,operating,2024,38.96,117.64
x3,negative,wind,-5,operating,2024,38.96,117.64
x5,swapped,pv,5,operating,2024,117.64,38.96
"""


def test_bad_records_are_named_by_file_record_and_field(tmp_path):
    p = tmp_path / "asbuilt.csv"
    p.write_text(BAD, encoding="utf-8")
    with pytest.raises(MultipleErrors) as info:
        read_registry(p, as_of="2025-06")
    text = str(info.value)
    for needle in ("record 1 (CSV line 2), field 'status': unknown status 'commissioned'",
                   "record 2 (CSV line 3), field 'capacity_mw': capacity 50,000 MW is implausible",
                   "kW given as MW", "record 3 (CSV line 4), field 'capacity_mw': capacity missing",
                   "record 4 (CSV line 5), field 'capacity_mw': capacity -5 MW is not positive",
                   "field 'record_id': duplicate id 'x3'", "record 5 (CSV line 6), field 'latitude'"):
        assert needle in text, needle
    assert all(e.file == str(p) for e in info.value.errors)


def test_missing_date_is_an_error(tmp_path):
    p = tmp_path / "plants.csv"
    p.write_text("technology,capacity_mw,status,latitude,longitude\npv,5,operating,39,117.7\n", encoding="utf-8")
    with pytest.raises(BinhaiGeoError, match="date of the data"):
        read_registry(p)


def test_plan_matching_rule_by_hand():
    """Owner keyword, technology, distance and capacity: worked by hand on four records."""
    crs = "EPSG:4527"
    plan = gpd.GeoDataFrame({"name": ["Salt PV"], "name_zh": ["盐光"], "technology": ["pv"], "capacity_mw": [1000.0],
                             "owner_keywords": ["huadian"]}, geometry=[Point(0, 0)], crs=crs)
    reg = gpd.GeoDataFrame({
        "record_id": ["near", "far", "wind", "other", "big"], "name_zh": [None] * 5, "plan_project": [None] * 5,
        "technology": ["pv", "pv", "wind", "pv", "pv"], "capacity_mw": [500.0, 100.0, 50.0, 300.0, 700.0],
        "owner": ["huadian new energy", "huadian", "huadian", "cecep", "huadian; x"],
        "status": ["operating"] * 5}, geometry=[Point(5000, 0), Point(40000, 0), Point(1000, 0), Point(100, 0),
                                                 Point(20000, 0)], crs=crs)
    matched, rest, table = match_plan_projects(plan, reg, distance_m=30000.0, tolerance=0.1)
    # near (5 km) taken; far (40 km) too far; wind other technology; other owner; big (500 + 700) would exceed 1,000 x 1.1
    assert list(table["record_id"]) == ["near"]
    assert matched.set_index("record_id").loc["near", "plan_project"] == "盐光"
    assert rest["capacity_mw"].tolist() == [500.0]  # the plan's 1,000 MW less the 500 matched


def test_planner_records_override_shipped_ones():
    crs = "EPSG:4527"
    shipped = gpd.GeoDataFrame({"record_id": ["a", "b", "c"], "dataset": ["GEM solar 2025-02"] * 2 + ["GPPD 2019"],
                                "capacity_mw": [1.0, 2.0, 3.0]}, geometry=[Point(0, 0)] * 3, crs=crs)
    user = gpd.GeoDataFrame({"record_id": ["b", "z"], "dataset": ["user my.csv"] * 2, "capacity_mw": [20.0, 9.0]},
                            geometry=[Point(0, 0)] * 2, crs=crs)
    merged, used = merge_records(shipped, user)
    assert dict(zip(merged["record_id"], merged["capacity_mw"], strict=True)) == {"a": 1, "c": 3, "b": 20, "z": 9}
    assert "replaced by the planner's record" in set(used["action"])
    gem = user.assign(dataset="GEM solar 2025-06")
    merged, _ = merge_records(shipped, gem)
    assert set(merged["record_id"]) == {"c", "b", "z"}  # a newer GEM download replaces the shipped tracker


def test_registry_import_cli(tmp_path, repo):
    runner = CliRunner()
    csv = tmp_path / "mine_2025-06.csv"
    csv.write_text("record_id,name,technology,capacity_mw,status,start_year,latitude,longitude\n"
                   "gem-solar-2025-02-0037,Phase 2 as built,pv,500,operating,2025,38.963,117.639\n"
                   "gem-wind-2025-02-0118,Extension,wind,50,construction,2025,39.0085,117.7143\n", encoding="utf-8")
    out = tmp_path / "ledger.gpkg"
    wf = repo / "workflows" / "binhai_2025.toml"
    res = runner.invoke(app, ["registry", "import", str(csv), "--workflow", str(wf), "--out", str(out)])
    assert res.exit_code == 0, res.output
    led = gpd.read_file(out, layer="project").set_index("record_id")
    assert led.loc["gem-solar-2025-02-0037", "status"] == "operating"
    used = pd.read_csv(tmp_path / "ledger_used.csv")
    assert (used["action"] == "replaced by the planner's record").sum() == 2
    bad = tmp_path / "far_2025-06.csv"
    bad.write_text("record_id,technology,capacity_mw,status,latitude,longitude\ny,pv,5,operating,39.9,116.4\n",
                   encoding="utf-8")
    out2 = tmp_path / "none.gpkg"
    res = runner.invoke(app, ["registry", "import", str(bad), "--workflow", str(wf), "--out", str(out2)])
    assert res.exit_code == 2 and "outside the district" in res.output and not out2.exists()


def test_pack_project_layer_is_the_ledger():
    p = gpd.read_file(PACK, layer="project")
    assert set(p["status"]) <= {"operating", "construction", "pre-construction", "announced", "shelved",
                                "cancelled", "retired"}
    assert p["record_id"].is_unique and p["source"].notna().all() and p["location_accuracy"].notna().all()
    gem = p[p["dataset"].str.startswith("GEM")]
    assert (gem["source"].str.contains("CC BY 4.0")).all()
    plan = p[p["dataset"].str.startswith("plan")]
    assert (plan["status"] == "announced").all()
    assert plan.loc[plan["technology"] == "storage", "capacity_mw"].sum() == 400
    assert box(*p.total_bounds).area > 0


def test_mainland_line_follows_the_official_coastline():
    """The line the natural shoreline is measured on, against Tianjin's official mainland coastline (153.67 km)."""
    from binhai_geo.config import load_region
    from binhai_geo.sinks.coverage import mainland_shoreline

    den = load_region(REPO / "layers" / "binhai" / "region.toml").denominators
    layers = {k: gpd.read_file(PACK, layer=k) for k in ("coastline", "boundary", "land")}
    s = mainland_shoreline(layers, den.mainland_coast_closing_m)
    assert s["line_km"] == pytest.approx(den.mainland_coastline_km, rel=0.05)  # 156.7 km at 1,500 m closing
    assert s["osm_km"] > 2.5 * den.mainland_coastline_km  # OSM follows every basin: about 427 km
    assert 0 < s["natural_km"] < s["line_km"]
