"""Wind resource: Weibull fits, wind roses, hub-height scaling, default, GeoTIFF and ERA5 sources."""

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, box

from binhai_geo.errors import WorkflowError
from binhai_geo.notes import Note
from binhai_geo.wind.era5 import direction_from_uv
from binhai_geo.wind.resource import zone_resource
from binhai_geo.wind.roses import prevailing_direction, sector_frequencies
from binhai_geo.wind.weibull import fit_weibull, hub_scale

from conftest import CRS, X0, Y0


def _zones():
    return gpd.GeoDataFrame({"site_id": ["a", "b"]},
                            geometry=[box(X0 + 7500, Y0 + 4000, X0 + 9500, Y0 + 6000),
                                      LineString([(X0 + 7200, Y0 + 1000), (X0 + 7200, Y0 + 3000)])], crs=CRS)


def test_weibull_fit_recovers_parameters():
    rng = np.random.default_rng(1)
    speed = 8.0 * rng.weibull(2.2, size=20000)
    a, k = fit_weibull(speed)
    assert a == pytest.approx(8.0, rel=0.02) and k == pytest.approx(2.2, rel=0.03)
    with pytest.raises(WorkflowError, match="need >= 100"):
        fit_weibull(speed[:50])


def test_directions_and_sectors():
    # wind blowing towards the south comes from the north (0 deg); towards the west, from the east
    assert direction_from_uv(np.array([0.0]), np.array([-5.0]))[0] == pytest.approx(0.0)
    assert direction_from_uv(np.array([-5.0]), np.array([0.0]))[0] == pytest.approx(90.0)
    f = sector_frequencies(np.array([0, 10, 355, 150, 160, 140, 146]))
    assert f.sum() == pytest.approx(1.0)
    assert f[0] == pytest.approx(3 / 7) and f[5] == pytest.approx(4 / 7)  # 140-160 are all in the 150 sector
    assert prevailing_direction(f) == 150.0


def test_log_law_scaling_by_hand():
    a = hub_scale(np.array([7.5, 7.5]), np.array([100.0, 100.0]), np.array([150.0, 100.0]), np.array([0.0002, 0.03]))
    assert a[0] == pytest.approx(7.5 * math.log(150 / 0.0002) / math.log(100 / 0.0002))
    assert a[1] == pytest.approx(7.5)


def test_region_default_is_labelled_assumption():
    res = zone_resource(_zones(), np.array(["sea", "land"]))
    assert list(res.table["weibull_a_mps"]) == [7.5, 6.6] and list(res.table["weibull_k"]) == [2.1, 2.0]
    assert res.rose.shape == (2, 12) and np.allclose(res.rose.sum(axis=1), 1)
    assert res.notes[0] == Note("wind.resource.default", {"region": "binhai"})
    with pytest.raises(WorkflowError, match="no wind resource rows for region 'nowhere'"):
        zone_resource(_zones(), np.array(["sea", "land"]), region="nowhere")


def test_user_table_with_bad_k(tmp_path):
    rows = ["region,surface,parameter,value,low,high,unit,source"]
    for s in ("sea", "land"):
        rows += [f"binhai,{s},weibull_a_mps,8,7,9,m/s,test", f"binhai,{s},weibull_k,{0 if s == 'land' else 2},1,3,-,test",
                 f"binhai,{s},reference_height_m,100,100,100,m,test", f"binhai,{s},turbulence_intensity,0.1,0,1,-,test"]
    f = tmp_path / "res.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(WorkflowError, match="Weibull k must be > 0"):
        zone_resource(_zones(), np.array(["sea", "land"]), resource=str(f))


def _geotiff(path, value, crs="EPSG:4326"):
    import rasterio
    from rasterio.transform import from_origin

    data = np.full((40, 40), value, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", height=40, width=40, count=1, dtype="float32", crs=crs,
                       transform=from_origin(117.5, 39.2, 0.02, 0.02), nodata=-9999) as dst:
        dst.write(data, 1)


def test_global_wind_atlas_rasters_in_another_crs(tmp_path):
    _geotiff(tmp_path / "CHN_combined-Weibull-A_100m.tif", 8.2)
    _geotiff(tmp_path / "CHN_combined-Weibull-k_100m.tif", 2.3)
    zones = _zones()
    assert zones.to_crs(4326).total_bounds[0] > 117.5  # inside the test rasters
    res = zone_resource(zones, np.array(["sea", "land"]), resource=str(tmp_path))
    assert np.allclose(res.table["weibull_a_mps"], 8.2, atol=1e-3)
    assert np.allclose(res.table["weibull_k"], 2.3, atol=1e-3)
    assert (res.table["reference_height_m"] == 100).all()
    assert any(n.code == "wind.resource.reprojected" and n.params["crs_to"] == "EPSG:4527"
               for n in res.notes)  # EPSG:4326 -> EPSG:4527, no failure
    assert len(res.inputs) == 2


def test_era5_series(tmp_path):
    import pandas as pd
    import xarray as xr

    rng = np.random.default_rng(7)
    n = 3000
    speed = 7.0 * rng.weibull(2.0, size=(n, 2, 2))
    frm = np.deg2rad(np.where(rng.random((n, 2, 2)) < 0.6, 150.0, 300.0))  # 60 % from SSE
    u, v = -speed * np.sin(frm), -speed * np.cos(frm)
    ds = xr.Dataset({"u100": (("time", "latitude", "longitude"), u), "v100": (("time", "latitude", "longitude"), v)},
                    coords={"time": pd.date_range("2023-01-01", periods=n, freq="h"),
                            "latitude": [39.25, 39.0], "longitude": [117.5, 117.75]})
    f = tmp_path / "era5.nc"
    ds.to_netcdf(f)
    res = zone_resource(_zones(), np.array(["sea", "land"]), resource=str(f))
    assert res.table["weibull_a_mps"].iloc[0] == pytest.approx(7.0, rel=0.05)
    assert res.table["weibull_k"].iloc[0] == pytest.approx(2.0, rel=0.08)
    assert prevailing_direction(res.rose[0]) == 150.0 and res.rose[0][5] == pytest.approx(0.6, abs=0.03)
    assert res.notes[0] == Note("wind.resource.era5", {"file": f.name})
    ds[["u100"]].to_netcdf(tmp_path / "u_only.nc")
    with pytest.raises(WorkflowError, match="v100"):
        zone_resource(_zones(), np.array(["sea", "land"]), resource=str(tmp_path / "u_only.nc"))
