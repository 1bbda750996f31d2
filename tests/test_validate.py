import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from binhai_geo.errors import LayerError, MultipleErrors
from binhai_geo.layermodel import get_kind
from binhai_geo.validate import validate_layer

X0, Y0 = 39_560_000.0, 4_320_000.0


def forest(**cols):
    base = {"forest_type": ["tree_forest", "bamboo"], "canopy_cover": [0.5, 0.3]}
    base.update(cols)
    geoms = [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100)]
    gdf = gpd.GeoDataFrame(base, geometry=geoms, crs="EPSG:4527")
    gdf.index = [11, 12]  # feature ids as QGIS shows them
    return gdf


def test_valid_layer_passes_and_keeps_fids():
    out, report = validate_layer(forest(), get_kind("forest"), file="f.gpkg", layer="forest")
    assert list(out.index) == [11, 12]
    assert report.n_features == 2 and report.crs == "EPSG:4527" and report.repaired == []


def test_no_crs_is_refused_with_a_fix():
    gdf = forest().set_crs(None, allow_override=True)
    with pytest.raises(LayerError) as e:
        validate_layer(gdf, get_kind("forest"), file="trees.gpkg", layer="forest")
    msg = str(e.value)
    assert "trees.gpkg" in msg and "'forest'" in msg and "no coordinate reference system" in msg
    assert "EPSG:4527" in msg  # how to fix


def test_empty_layer_is_refused():
    with pytest.raises(LayerError, match="empty"):
        validate_layer(forest().iloc[:0], get_kind("forest"), file="f.gpkg")


def test_wrong_geometry_type_names_feature():
    gdf = gpd.GeoDataFrame({"natural": [True]}, geometry=[box(X0, Y0, X0 + 1, Y0 + 1)], crs="EPSG:4527", index=[7])
    with pytest.raises(LayerError) as e:
        validate_layer(gdf, get_kind("coastline"), file="coast.gpkg", layer="coastline")
    assert e.value.feature == 7 and "Polygon" in str(e.value) and "line" in str(e.value)


def test_missing_required_field_lists_existing_fields():
    gdf = forest().drop(columns="canopy_cover")
    with pytest.raises(LayerError) as e:
        validate_layer(gdf, get_kind("forest"), file="f.gpkg", layer="forest")
    assert e.value.field == "canopy_cover" and "郁闭度" in str(e.value) and "forest_type" in str(e.value)


def test_missing_required_value_names_features():
    gdf = forest(canopy_cover=[0.5, None])
    with pytest.raises(LayerError) as e:
        validate_layer(gdf, get_kind("forest"))
    assert e.value.feature == 12 and e.value.field == "canopy_cover"


def test_out_of_range_and_bad_category_reported_together():
    gdf = forest(canopy_cover=[1.5, 0.3], forest_type=["tree_forest", "jungle"])
    with pytest.raises(MultipleErrors) as e:
        validate_layer(gdf, get_kind("forest"), file="f.gpkg")
    text = str(e.value)
    assert "outside the allowed range" in text and "'jungle' is not allowed" in text
    assert {err.field for err in e.value.errors} == {"canopy_cover", "forest_type"}


def test_non_numeric_value():
    gdf = gpd.GeoDataFrame({"voltage_kv": ["220kV"]}, geometry=[Point(X0, Y0)], crs="EPSG:4527")
    with pytest.raises(LayerError, match="expected a number in kV, found '220kV'"):
        validate_layer(gdf, get_kind("substation"))


def test_chinese_aliases_and_booleans():
    gdf = gpd.GeoDataFrame({"郁闭度": [0.4], "forest_type": ["tree_forest"], "名称": ["林地"]},
                           geometry=[box(X0, Y0, X0 + 1, Y0 + 1)], crs="EPSG:4527")
    out, _ = validate_layer(gdf, get_kind("forest"))
    assert out["canopy_cover"].iloc[0] == 0.4 and out["name"].iloc[0] == "林地"
    coast = gpd.GeoDataFrame({"natural": ["是", "否"]},
                             geometry=[LineString([(X0, Y0), (X0 + 1, Y0 + 1)]),
                                       LineString([(X0 + 1, Y0 + 1), (X0 + 2, Y0 + 2)])],
                             crs="EPSG:4527")
    out, _ = validate_layer(coast, get_kind("coastline"))
    assert list(out["natural"]) == [True, False]


def test_invalid_geometry_is_repaired_and_reported():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[bowtie], crs="EPSG:4527", index=[5])
    assert not bowtie.is_valid
    out, report = validate_layer(gdf, get_kind("salt_pan"))
    assert report.repaired == [5]
    assert out.geometry.is_valid.all()
    assert np.isclose(out.geometry.area.iloc[0], 5000.0)  # two triangles of the bow tie
    assert "1 geometries repaired" in report.summary()


def test_features_outside_region_reported():
    gdf = forest()
    region = box(X0 - 10, Y0 - 10, X0 + 150, Y0 + 150)
    _, report = validate_layer(gdf, get_kind("forest"), region=region, region_crs="EPSG:4527")
    assert report.outside == [12]


def test_shapefile_truncated_field_names_are_accepted(tmp_path):
    import warnings

    import pyogrio

    from binhai_geo.io import read_layer

    path = tmp_path / "forest.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL says it cut the names: that is the point
        pyogrio.write_dataframe(forest(year_planted=[2015, 2016]), path)
    gdf = read_layer(path)
    assert "canopy_cov" in gdf.columns
    out, _ = validate_layer(gdf, get_kind("forest"))
    assert list(out["canopy_cover"]) == [0.5, 0.3] and list(out["year_planted"]) == [2015, 2016]
