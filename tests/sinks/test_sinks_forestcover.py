"""Forest cover by year: vector rule by hand, land-cover rasters (alignment, unknown codes, nodata)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.notes import Note
from binhai_geo.sinks import forestcover as fc
from binhai_geo.sinks.coverage import land_geometry

from conftest import X0, Y0, synthetic_layers


def district(t):
    return t[t["subdistrict"] == fc.DISTRICT].set_index("year")["forest_cover_pct"]


def test_vector_by_year_by_hand():
    layers = synthetic_layers()
    land = land_geometry(layers)
    years = list(range(2018, 2029))
    t, unions = fc.vector_cover_by_year(layers["forest"], land, years, 2025, closure_age_yr=5)
    d = district(t)
    # stand A (0.7 km2, 2015, canopy 0.5) counts from 2020; stand B (0.3 km2, 2022, canopy 0.1) from 2027
    assert d[2019] == 0.0 and d[2020] == pytest.approx(1.0) and d[2025] == pytest.approx(1.0)
    assert d[2026] == pytest.approx(1.0) and d[2027] == pytest.approx(100 / 70)
    ch = fc.change_layer(unions[years.index(2019)], unions[years.index(2027)], 2019, 2027, "EPSG:4527")
    assert ch.set_index("change").loc["gain", "area_km2"] == pytest.approx(1.0)
    assert ch.set_index("change").loc["loss", "area_km2"] == 0.0


def test_per_subdistrict():
    layers = synthetic_layers()
    import geopandas as gpd

    sub = gpd.GeoDataFrame({"name": ["West", "East"]}, geometry=[shapely.box(X0, Y0, X0 + 4350, Y0 + 10000),
                                                                 shapely.box(X0 + 4350, Y0, X0 + 7000, Y0 + 10000)],
                           crs="EPSG:4527")
    t, _ = fc.vector_cover_by_year(layers["forest"], land_geometry(layers), [2025], 2025, subdistricts=sub)
    t = t.set_index("subdistrict")
    assert t.loc["West", "forest_km2"] == pytest.approx(0.35) and t.loc["West", "land_km2"] == pytest.approx(43.5)
    assert t.loc["East", "forest_km2"] == pytest.approx(0.35)


def _raster(path, data, res=100.0, crs="EPSG:4527", nodata=0, x0=X0, y1=Y0 + 10000):
    prof = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1, "dtype": data.dtype,
            "crs": crs, "transform": from_origin(x0, y1, res, res), "nodata": nodata}
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(data, 1)
    return path


def _lc(forest_cols: int) -> np.ndarray:
    a = np.full((100, 70), 40, dtype=np.uint8)  # cropland over the 7 x 10 km land
    a[:10, :forest_cols] = 10  # 1 km x forest_cols*100 m of trees
    return a


def test_raster_stack_by_hand(tmp_path):
    layers = synthetic_layers()
    land = land_geometry(layers)
    a21 = _lc(20)
    a21[50:60, 30:40] = 0  # 1 km2 nodata: leaves land area and forest
    p20 = _raster(tmp_path / "lc2020.tif", _lc(10))
    p21 = _raster(tmp_path / "lc2021.tif", a21)
    # 2022 on a finer grid (50 m): aligned to the first year's grid
    p22 = _raster(tmp_path / "lc2022.tif", np.repeat(np.repeat(_lc(30), 2, 0), 2, 1), res=50.0)
    m = fc.load_landcover_mapping(None, "worldcover")
    stack, notes = fc.read_landcover_stack(fc.parse_year_inputs([str(p20), str(p21), f"2022={p22}"]), mapping=m)
    assert stack.sizes == {"year": 3, "y": 100, "x": 70}
    assert Note("sinks.landcover.aligned", {"year": 2022, "file": p22.name, "reference_year": 2020, "differences": [
        Note("sinks.landcover.aligned.resolution", {"resolution_m": 50.0})]}) in notes
    t = fc.raster_cover_by_year(stack, m, land, crs="EPSG:4527")
    d = t[t["subdistrict"] == fc.DISTRICT].set_index("year")
    assert d.loc[2020, "forest_cover_pct"] == pytest.approx(100 * 1 / 70)
    assert d.loc[2021, "forest_cover_pct"] == pytest.approx(100 * 2 / 69)
    assert d.loc[2021, "valid_share"] == pytest.approx(69 / 70)
    assert d.loc[2022, "forest_cover_pct"] == pytest.approx(100 * 3 / 70)
    ch = fc.raster_change_layer(stack, m, 2020, 2022, "EPSG:4527").set_index("change")
    assert ch.loc["gain", "area_km2"] == pytest.approx(2.0)


def test_raster_other_crs_reprojected_and_aligned(tmp_path):
    p20 = _raster(tmp_path / "a.tif", _lc(10))
    x, y = 117.7, 39.0  # a geographic raster around Binhai
    p21 = _raster(tmp_path / "b.tif", np.full((50, 50), 40, dtype=np.uint8), res=0.002, crs="EPSG:4490",
                  x0=x, y1=y)
    stack, notes = fc.read_landcover_stack({2020: p20, 2021: p21}, mapping=fc.load_landcover_mapping())
    assert stack.shape == (2, 100, 70)
    assert notes[0].code == "sinks.landcover.aligned" and notes[0].params["differences"][0].code.endswith(".crs")


def test_unknown_codes_listed_and_refused(tmp_path):
    a = _lc(10)
    a[0, 0], a[1, 1] = 77, 12
    p = _raster(tmp_path / "lc2020.tif", a)
    with pytest.raises(LayerError, match="12, 77") as e:
        fc.read_landcover_stack({2020: p}, mapping=fc.load_landcover_mapping())
    assert e.value.file == str(p)


def test_years_repeated_or_missing():
    with pytest.raises(WorkflowError, match="twice"):
        fc.parse_year_inputs(["2020=a.tif", "lc_2020.tif"])
    with pytest.raises(WorkflowError, match="cannot tell the year"):
        fc.parse_year_inputs(["landcover.tif"])


def test_forest_layer_without_year_refused():
    layers = synthetic_layers()
    f = layers["forest"].drop(columns="year_planted")
    with pytest.raises(LayerError, match="year_planted"):
        fc.vector_cover_by_year(f, land_geometry(layers), [2025], 2025)
