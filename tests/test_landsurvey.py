"""Tests for binhai_geo.landsurvey: 三调 field aliases, DLBM code mapping and splitting by layer kind."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from binhai_geo import landclasses as lc
from binhai_geo import landsurvey as ls
from binhai_geo.errors import LayerError
from binhai_geo.layermodel import LAYER_KINDS, fields_of

X0, Y0 = 39_560_000.0, 4_320_000.0  # EPSG:4527 (CGCS2000 GK zone 39), near Tanggu


def survey(codes, **extra) -> gpd.GeoDataFrame:
    """A 三调-like DLTB layer: one 100 m square per code, Chinese field names, EPSG:4527."""
    n = len(codes)
    geoms = [box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)]
    data = {
        "标识码": np.arange(1, n + 1),
        "图斑编号": [f"{i + 1:04d}" for i in range(n)],
        "地类编码": list(codes),
        "地类名称": ["" for _ in range(n)],
        "图斑面积": [10_000.0] * n,
        "权属单位名称": ["新城镇"] * n,
    }
    data.update(extra)
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4527")


# ---------------------------------------------------------------- field aliases


def test_normalise_fields_renames_chinese_and_english_aliases():
    g = survey(["0301"], 郁闭度=[0.4])
    g["tbdlmj"] = [9_000.0]  # lower-case English alias
    g["KCMJ"] = [1_000.0]
    g["自定义"] = ["kept"]
    out = ls.normalise_fields(g, file="dltb.gpkg", layer="DLTB")
    for col in ("dlbm", "dlmc", "area_m2_reported", "owner_unit", "parcel_no", "survey_id", "canopy_cover"):
        assert col in out.columns
    assert out["class_area_m2"].iloc[0] == 9_000.0
    assert out["deducted_area_m2"].iloc[0] == 1_000.0
    assert out["自定义"].iloc[0] == "kept"
    assert out.attrs["field_sources"]["dlbm"] == "地类编码"
    assert out.attrs["field_sources"]["class_area_m2"] == "tbdlmj"
    assert "地类编码" in g.columns  # input untouched
    assert out.crs == g.crs


def test_field_aliases_are_case_insensitive_and_cover_the_dltb_fields():
    assert ls.FIELD_ALIASES["dlbm"] == "dlbm"
    assert ls.FIELD_ALIASES["地类编码"] == "dlbm"
    assert ls.FIELD_ALIASES["tbmj"] == "area_m2_reported"
    assert ls.FIELD_ALIASES["图斑地类面积"] == "class_area_m2"
    assert ls.FIELD_ALIASES["zldwmc"] == "location_unit"
    assert ls.FIELD_ALIASES["郁闭度"] == "canopy_cover"
    assert all(k == k.casefold() for k in ls.FIELD_ALIASES)
    g = survey(["0301"]).rename(columns={"地类编码": "Dlbm", "地类名称": " DLMC "})
    out = ls.normalise_fields(g)
    assert {"dlbm", "dlmc"} <= set(out.columns)


def test_missing_dlbm_field_names_file_layer_and_fields():
    g = survey(["0301"]).drop(columns=["地类编码"])
    with pytest.raises(LayerError) as exc:
        ls.normalise_fields(g, file="dltb.gpkg", layer="DLTB")
    err = exc.value
    assert err.file == "dltb.gpkg" and err.layer == "DLTB"
    text = str(err)
    assert "no land-class code field" in text
    assert "图斑编号" in text and "地类名称" in text  # the fields it has
    assert "地类编码" in err.hint and "DLBM" in err.hint  # the accepted names


def test_two_fields_with_the_same_meaning_are_refused():
    g = survey(["0301"])
    g["DLBM"] = ["0302"]
    with pytest.raises(LayerError, match="all mean 'dlbm'"):
        ls.normalise_fields(g)


# ---------------------------------------------------------------- codes




def test_split_forest_types_and_canopy_cover():
    g = survey(["0301", "0302", "0305", "0307"], 郁闭度=[0.65, 0.4, 0.3, 0.15])
    out = ls.split_by_kind(g)
    forest = out["forest"]
    assert forest["forest_type"].tolist() == ["tree_forest", "bamboo", "other_shrub", "other"]
    assert forest["canopy_cover"].tolist() == [0.65, 0.4, 0.3, 0.15]
    assert forest["source"].iloc[0] == "三调 DLBM 0301 乔木林地"
    assert forest.crs.to_epsg() == 4527
    assert list(forest.index) == [0, 1, 2, 3]
    assert forest.geometry.equals(g.geometry)
    assert set(out) == {"forest"}
    # the only warning is the designated-shrubland one (canopy cover present everywhere)
    assert len(forest.attrs["warnings"]) == 1
    assert "国家特别规定灌木林地" in forest.attrs["warnings"][0]


def test_forest_without_canopy_field_leaves_nan_and_warns():
    g = survey(["0301", "0301"])
    forest = ls.split_by_kind(g)["forest"]
    assert forest["canopy_cover"].isna().all()
    assert any("no 郁闭度" in w and "2 forest features" in w for w in forest.attrs["warnings"])


def test_forest_with_partial_canopy_warns_with_features():
    g = survey(["0301", "0302", "0603"], YBD=[0.5, None, None])
    forest = ls.split_by_kind(g)["forest"]
    assert forest["canopy_cover"].iloc[0] == 0.5
    assert math.isnan(forest["canopy_cover"].iloc[1])
    assert any("1 of 2 forest features" in w and "0302" in w for w in forest.attrs["warnings"])


def test_canopy_cover_in_percent_is_refused():
    g = survey(["0301", "0603"], 郁闭度=[65, 300])  # 300 is on a salt pan: not checked
    with pytest.raises(LayerError) as exc:
        ls.split_by_kind(g, file="dltb.gpkg", layer="DLTB")
    assert exc.value.field == "郁闭度"
    assert "divide it by 100" in exc.value.hint
    assert "1 forest feature" in str(exc.value)


def test_split_salt_pan_fish_pond_tidal_flat_wetland():
    codes = ["0603", "1104A", "1104", "1105", "1108", "1101", "0402", "1106", "0701", "1003"]
    out = ls.split_by_kind(survey(codes))
    assert set(out) == {"salt_pan", "fish_pond", "tidal_flat", "wetland"}
    assert list(out["salt_pan"].index) == [0]
    assert out["salt_pan"]["source"].iloc[0] == "三调 DLBM 0603 盐田"
    assert list(out["fish_pond"].index) == [1]  # only 1104A: plain 1104 ponds are not aquaculture
    assert list(out["tidal_flat"].index) == [3]
    wet = out["wetland"]
    assert dict(zip(wet.index, wet["wetland_type"], strict=True)) == {
        2: "open_water",
        3: "tidal_flat",
        4: "reed_marsh",
        5: "open_water",
        6: "other",
        7: "other",
    }
    # built classes (0701, 1003) are known but feed no layer
    assert all(8 not in v.index and 9 not in v.index for v in out.values())
    for name, layer in out.items():
        kind = LAYER_KINDS[name]
        allowed = {f.name for f in fields_of(kind)} | {"geometry"}
        assert set(layer.columns) <= allowed
        for spec in fields_of(kind):
            if spec.required:
                assert spec.name in layer.columns and layer[spec.name].notna().all()


def test_int_codes_with_lost_leading_zero_and_1104a():
    g = survey([301, 603, "1104A", 1105, 305.0])
    out = ls.split_by_kind(g)
    assert out["forest"]["forest_type"].tolist() == ["tree_forest", "other_shrub"]
    assert out["forest"]["source"].tolist() == ["三调 DLBM 0301 乔木林地", "三调 DLBM 0305 灌木林地"]
    assert list(out["salt_pan"].index) == [1]
    assert out["fish_pond"]["source"].iloc[0] == "三调 DLBM 1104A 养殖坑塘"
    assert list(out["tidal_flat"].index) == [3]


def test_unknown_codes_are_listed_with_counts():
    g = survey(["0301", "9999", "9999", "0399", "1104"])
    with pytest.raises(LayerError) as exc:
        ls.split_by_kind(g, file="dltb.gpkg", layer="DLTB")
    err = exc.value
    text = str(err)
    assert "3 feature(s)" in text
    assert "9999 (2 features)" in text and "0399 (1 feature)" in text
    assert "1104" not in text.split("code table:")[1].split("How to fix")[0]
    assert err.file == "dltb.gpkg" and err.layer == "DLTB" and err.field == "地类编码"
    assert "mapping=" in err.hint and "dlbm_mapping.csv" in err.hint


def test_missing_codes_are_reported():
    g = survey(["0301", None, ""])
    with pytest.raises(LayerError, match=r"2 feature\(s\) have no land-class code: features 1, 2"):
        ls.split_by_kind(g)


def test_user_mapping_adds_a_code_and_remaps_another(tmp_path):
    table = lc.load_mapping()
    extra = pd.DataFrame(
        [
            ["9901", "本地地类", "Local class", "", "", "", "local extension"],
            ["1008", "港口码头用地", "Port", "exclusion", "reason", "port", ""],
        ],
        columns=list(lc.MAPPING_COLUMNS),
    )
    table = pd.concat([table[table["dlbm"] != "1008"], extra], ignore_index=True)
    path = tmp_path / "my_mapping.csv"
    table.to_csv(path, index=False, encoding="utf-8")
    out = ls.split_by_kind(survey(["9901", "1008", "0301"]), mapping=path)
    assert set(out) == {"exclusion", "forest"}
    assert out["exclusion"]["reason"].tolist() == ["port"]
    # a DataFrame is accepted too
    out2 = ls.split_by_kind(survey(["1008"]), mapping=table)
    assert list(out2) == ["exclusion"]


# ---------------------------------------------------------------- the code table


def test_packaged_mapping_is_valid_and_complete():
    raw = pd.read_csv(lc.packaged_mapping_path(), dtype=str, keep_default_na=False, encoding="utf-8")
    assert tuple(raw.columns) == lc.MAPPING_COLUMNS
    table = lc.load_mapping()
    assert len(table) == len(raw)
    # every row: kind exists, takes polygons, attribute is a field of the kind, value allowed
    for _, row in table.iterrows():
        assert lc.CODE_PATTERN.match(row["dlbm"])
        assert row["dlmc"] and row["name_en"]
        if row["layer_kind"] == "":
            assert row["attribute"] == "" and row["value"] == ""
            continue
        kind = LAYER_KINDS[row["layer_kind"]]
        assert "polygon" in kind.geometry
        if row["attribute"]:
            spec = kind.field(row["attribute"])
            if spec.allowed is not None:
                assert row["value"] in spec.allowed
        for spec in fields_of(kind):
            if spec.required and spec.name not in ls.DATA_FIELDS:
                assert row["attribute"] == spec.name
    assert not table[table["layer_kind"] != ""].duplicated(["dlbm", "layer_kind"]).any()
    # all GB/T 21010-2017 second-level codes are known (73), plus the 三调 extensions
    gb = {
        f"{a:02d}{b:02d}"
        for a, n in zip(range(1, 13), (3, 4, 7, 4, 7, 4, 2, 10, 6, 9, 10, 7), strict=True)
        for b in range(1, n + 1)
    }
    assert len(gb) == 73
    codes = set(table["dlbm"])
    assert gb <= codes
    assert {"1104A", "1104K", "0301K", "05H1", "08H2A", "09"} <= codes
    # spot checks of the decisions the toolkit relies on
    kinds = table.groupby("dlbm")["layer_kind"].apply(set)
    assert kinds["0603"] == {"salt_pan"}
    assert kinds["1104A"] == {"fish_pond"}
    assert kinds["1104"] == {"wetland"}
    assert kinds["1105"] == {"tidal_flat", "wetland"}
    assert kinds["0701"] == {""}
    shrub = table[(table["dlbm"] == "0305")].iloc[0]
    assert shrub["value"] == "other_shrub" and "国家特别规定灌木林地" in shrub["notes"]




def test_mapping_duplicates_and_missing_columns(tmp_path):
    rows = [
        ["1105", "沿海滩涂", "Flat", "tidal_flat", "", "", ""],
        ["1105", "沿海滩涂", "Flat", "tidal_flat", "", "", ""],
        ["0701", "城镇住宅用地", "Housing", "", "", "", ""],
        ["0701", "城镇住宅用地", "Housing", "salt_pan", "", "", ""],
    ]
    path = tmp_path / "dup.csv"
    pd.DataFrame(rows, columns=list(lc.MAPPING_COLUMNS)).to_csv(path, index=False)
    with pytest.raises(LayerError) as exc:
        lc.load_mapping(path)
    text = str(exc.value)
    assert "2 problems" in text
    assert "line 3" in text and "mapped to 'tidal_flat' twice" in text
    assert "line 5" in text and "both ignored" in text
    bad = tmp_path / "cols.csv"
    bad.write_text("dlbm,dlmc\n0301,乔木林地\n", encoding="utf-8")
    with pytest.raises(LayerError, match="lacks column"):
        lc.load_mapping(bad)
    with pytest.raises(LayerError, match="does not exist"):
        lc.load_mapping(tmp_path / "nope.csv")




# ---------------------------------------------------------------- GeoPackage round trip


def test_geopackage_round_trip_with_chinese_field_names(tmp_path):
    g = survey([301, "0603", "1104A", "1105", "0701"], 郁闭度=[0.55, None, None, None, None])
    g["地类名称"] = ["乔木林地", "盐田", "养殖坑塘", "沿海滩涂", "城镇住宅用地"]
    path = tmp_path / "三调_DLTB.gpkg"
    pyogrio.write_dataframe(g, path, layer="DLTB")
    back = pyogrio.read_dataframe(path, layer="DLTB")
    assert "地类编码" in back.columns and "郁闭度" in back.columns
    assert back.crs.to_epsg() == 4527
    out = ls.split_by_kind(back, file=str(path), layer="DLTB")
    assert set(out) == {"forest", "salt_pan", "fish_pond", "tidal_flat", "wetland"}
    assert out["forest"]["canopy_cover"].tolist() == [0.55]
    assert out["forest"]["source"].iloc[0] == "三调 DLBM 0301 乔木林地"
    assert out["wetland"]["wetland_type"].tolist() == ["tidal_flat"]
    assert out["salt_pan"].geometry.iloc[0].area == pytest.approx(10_000.0)
    # the split layers can be written back as kinds
    for name, layer in out.items():
        pyogrio.write_dataframe(layer, tmp_path / "kinds.gpkg", layer=name)
    assert sorted(n for n, _ in pyogrio.list_layers(tmp_path / "kinds.gpkg")) == sorted(out)
