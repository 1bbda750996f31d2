import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import GeometryCollection, LineString, Point, box

from binhai_geo.errors import LayerError
from binhai_geo.io import (
    LayerStyle,
    list_layers,
    read_layer,
    split_by_geometry,
    write_csv,
    write_gpkg,
    write_gpkg_layers,
)

X0, Y0 = 39_560_000.0, 4_320_000.0


@pytest.fixture
def gdf():
    return gpd.GeoDataFrame({"name": ["盐田一", "盐田二"]},
                            geometry=[box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 20, Y0, X0 + 30, Y0 + 10)],
                            crs="EPSG:4527")


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".fgb", ".parquet"])
def test_read_every_supported_format(tmp_path, gdf, suffix):
    path = tmp_path / f"salt{suffix}"
    if suffix == ".parquet":
        gdf.to_parquet(path)
    else:
        pyogrio.write_dataframe(gdf, path)
    out = read_layer(path)
    assert len(out) == 2 and out.crs.to_epsg() == 4527
    assert sorted(out["name"]) == ["盐田一", "盐田二"]  # FlatGeobuf reorders by its spatial index
    assert out.attrs["source_file"] == str(path)


def test_multi_layer_needs_a_name_unless_preferred(tmp_path, gdf):
    path = tmp_path / "pack.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="salt_pan")
    pyogrio.write_dataframe(gdf, path, layer="fish_pond", append=True)
    assert sorted(list_layers(path)) == ["fish_pond", "salt_pan"]
    with pytest.raises(LayerError, match="holds 2 layers"):
        read_layer(path)
    assert read_layer(path, prefer="fish_pond").attrs["source_layer"] == "fish_pond"
    with pytest.raises(LayerError, match="no layer named 'forest'.*it has: "):
        read_layer(path, "forest")


def test_missing_unsupported_and_corrupt_files(tmp_path):
    with pytest.raises(LayerError, match="file not found"):
        read_layer(tmp_path / "nope.gpkg")
    (tmp_path / "a.dxf").write_text("x")
    with pytest.raises(LayerError, match="unsupported file type"):
        read_layer(tmp_path / "a.dxf")
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    with pytest.raises(LayerError) as e:
        read_layer(bad)
    assert "broken.gpkg" in str(e.value) and "corrupt" in str(e.value)


def test_writers_are_atomic_and_leave_no_temp_files(tmp_path, gdf):
    write_gpkg(gdf, tmp_path / "out.gpkg", layer="sites")
    write_csv(pd.DataFrame({"名称": ["甲"]}), tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.gpkg"]
    assert read_layer(tmp_path / "out.gpkg").attrs["source_layer"] == "sites"
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_failed_write_keeps_previous_file(tmp_path, gdf):
    from binhai_geo.atomic import write_with

    target = tmp_path / "keep.csv"
    target.write_text("old")

    def boom(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_with(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def _mixed():
    line = LineString([(X0, Y0), (X0 + 100, Y0)])
    return gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c", "d"], "capacity_mw": [1.0, 2.0, 3.0, 4.0]},
        geometry=[box(X0, Y0, X0 + 10, Y0 + 10), line, GeometryCollection([box(X0, Y0, X0 + 5, Y0 + 5), line]), None],
        crs="EPSG:4527")


def test_split_by_geometry_one_family_per_layer():
    parts = split_by_geometry("eligible_areas", _mixed())
    assert list(parts) == ["eligible_areas", "eligible_lines"]
    # the collection's parts go to both layers with its attributes; a feature without geometry stays first
    assert list(parts["eligible_areas"]["site_id"]) == ["a", "c", "d"]
    assert list(parts["eligible_lines"]["site_id"]) == ["b", "c"]
    assert set(parts["eligible_areas"].geom_type.dropna()) <= {"Polygon", "MultiPolygon"}
    assert set(parts["eligible_lines"].geom_type) <= {"LineString", "MultiLineString"}
    assert parts["eligible_lines"].crs.to_epsg() == 4527
    assert split_by_geometry("sites", _mixed().iloc[:1]).keys() == {"sites"}
    pts = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)]), Point(0, 0)], crs="EPSG:4527")
    assert list(split_by_geometry("sites", pts)) == ["sites", "sites_points"]  # no polygons: lines keep the name


def test_gpkg_layers_with_aliases_and_styles(tmp_path):
    parts = split_by_geometry("sites", _mixed())
    path = write_gpkg_layers(parts, tmp_path / "s.gpkg",
                             aliases={"sites": {"capacity_mw": "装机容量 Capacity (MW)", "gone": "x"}},
                             styles={"sites": [LayerStyle("按技术 By technology", "<qgis/>"),
                                               LayerStyle("LCOE", "<qgis/>", default=False)]})
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"sites": "MultiPolygon", "sites_lines": "MultiLineString", "layer_styles": None}
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT column_name, title FROM gpkg_data_columns").fetchall() == [
            ("capacity_mw", "装机容量 Capacity (MW)")]  # columns the layer lacks are not listed
        assert ("gpkg_data_columns", "gpkg_schema") in con.execute(
            "SELECT table_name, extension_name FROM gpkg_extensions").fetchall()
        rows = con.execute("SELECT f_table_name, f_geometry_column, styleName, useAsDefault FROM layer_styles "
                           "ORDER BY id").fetchall()
    assert rows == [("sites", "geom", "按技术 By technology", 1), ("sites", "geom", "LCOE", 0)]
    assert not [p for p in tmp_path.iterdir() if p.name != "s.gpkg"]
