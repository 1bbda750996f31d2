"""Loading a workflow's layers: region pack, [layers] overrides, and 三调 land-survey data."""

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from binhai_geo.config import load_workflow
from binhai_geo.errors import LayerError
from binhai_geo.layers import load_layers
from binhai_geo.runner import compute_plan

from conftest import X0, Y0, synthetic_layers, write_workflow


def survey_file(tmp_path):
    """A small 三调-like layer with Chinese field names and no 郁闭度."""
    gdf = gpd.GeoDataFrame(
        {
            "地类编码": ["0301", "0603", "1104A", "0701", "1105"],
            "地类名称": ["乔木林地", "盐田", "养殖坑塘", "城镇住宅用地", "沿海滩涂"],
            "图斑面积": [1.4e6, 3e6, 1e6, 5e5, 1e6],
        },
        geometry=[
            box(X0 + 1000, Y0 + 3000, X0 + 2400, Y0 + 4000),  # 1.4 km2 tree forest
            box(X0 + 1000, Y0 + 5000, X0 + 4000, Y0 + 6000),  # 3 km2 salt pan
            box(X0 + 5000, Y0 + 1000, X0 + 6000, Y0 + 2000),
            box(X0 + 100, Y0 + 100, X0 + 600, Y0 + 1100),
            box(X0 + 6000, Y0 + 8000, X0 + 7000, Y0 + 9000),
        ],
        crs="EPSG:4527",
    )
    path = tmp_path / "sandiao.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="DLTB")
    return path


def test_pack_layers_are_validated_and_projected(workflow):
    ls = load_layers(load_workflow(workflow))
    assert {"boundary", "salt_pan", "forest", "project"} <= set(ls)
    assert all(g.crs.to_epsg() == 4527 for g in ls.layers.values())
    assert ls.reports["salt_pan"].n_features == 1


def test_layer_override_in_another_crs_is_reprojected(tmp_path, pack):
    own = synthetic_layers()["salt_pan"].to_crs("EPSG:4326")
    pyogrio.write_dataframe(own, tmp_path / "mine.geojson")
    wf = write_workflow(tmp_path, extra='\n[layers]\nsalt_pan = { path = "mine.geojson" }\n')
    ls = load_layers(load_workflow(wf))
    assert ls["salt_pan"].crs.to_epsg() == 4527
    assert ls["salt_pan"].geometry.area.iloc[0] == pytest.approx(2e6, rel=1e-3)
    assert str((tmp_path / "mine.geojson").resolve()) in {str(p) for p in ls.files}


def test_land_survey_feeds_layer_kinds(tmp_path, pack):
    survey_file(tmp_path)
    wf = write_workflow(tmp_path, extra='\n[land_survey]\npath = "sandiao.gpkg"\n\n[sinks]\nunknown_stand_age_yr = 10\n')
    result = compute_plan(load_workflow(wf))
    assert any(n.code == "sinks.stand_age_assumed" and n.params["age_yr"] == 10 for n in result.notes)
    ls = result.layers
    # survey kinds replace the pack's: 3 km2 salt pan instead of the pack's 2 km2
    assert ls["salt_pan"].geometry.area.sum() == pytest.approx(3e6)
    assert ls["fish_pond"].geometry.area.sum() == pytest.approx(1e6)
    assert set(ls["wetland"]["wetland_type"]) == {"tidal_flat"}
    assert ls["forest"]["source"].iloc[0] == "三调 DLBM 0301 乔木林地"
    # no 郁闭度: canopy from the class definition (>= 0.2), so the forest counts
    assert ls["forest"]["canopy_cover"].iloc[0] == 0.2
    assert any("lower bound of the land-class definition" in w for w in ls.reports["forest"].warnings)
    t = result.targets.set_index("target_id")
    assert t.loc["forest_cover", "computed"] == pytest.approx(100 * 1.4 / 70)
    from binhai_geo.runner import plan_inputs

    names = {p.name for p in plan_inputs(result)}
    assert {"sandiao.gpkg", "dlbm_mapping.csv", "capacity_density.csv"} <= names


def test_land_survey_kinds_filter_and_layers_override(tmp_path, pack):
    survey_file(tmp_path)
    wf = write_workflow(tmp_path, extra='\n[land_survey]\npath = "sandiao.gpkg"\nkinds = ["fish_pond"]\n')
    ls = load_layers(load_workflow(wf))
    assert ls["salt_pan"].geometry.area.sum() == pytest.approx(2e6)  # the pack's, not the survey's
    assert len(ls["fish_pond"]) == 1


def test_land_survey_unknown_codes_fail_clearly(tmp_path, pack):
    gdf = gpd.GeoDataFrame({"DLBM": ["9999"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs="EPSG:4527")
    pyogrio.write_dataframe(gdf, tmp_path / "bad.gpkg")
    wf = write_workflow(tmp_path, extra='\n[land_survey]\npath = "bad.gpkg"\n')
    with pytest.raises(LayerError) as e:
        load_layers(load_workflow(wf))
    assert "9999" in str(e.value) and "bad.gpkg" in str(e.value)


def test_features_outside_the_region_are_excluded_and_reported(tmp_path):
    from conftest import write_pack

    layers = synthetic_layers()
    far = box(X0 + 200_000, Y0, X0 + 201_000, Y0 + 1000)  # 200 km east: outside the region's extent
    layers["salt_pan"] = gpd.GeoDataFrame({"name": ["near", "far"]}, crs="EPSG:4527",
                                          geometry=[box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000), far])
    write_pack(tmp_path / "region", layers)
    ls = load_layers(load_workflow(write_workflow(tmp_path)))
    assert ls.reports["salt_pan"].outside == [2]  # GeoPackage FIDs start at 1
    assert "1 outside the region (FID 2), left out" in ls.reports["salt_pan"].summary()
    assert list(ls["salt_pan"].index) == [1]  # the far salt pan is not counted in the plan


def test_land_survey_forest_without_planting_year_needs_a_declared_age(tmp_path, pack):
    survey_file(tmp_path)
    wf = write_workflow(tmp_path, extra='\n[land_survey]\npath = "sandiao.gpkg"\n')
    with pytest.raises(LayerError, match="year_planted") as e:
        compute_plan(load_workflow(wf))
    assert "unknown_stand_age_yr" in e.value.hint
