"""`binhai-geo wind`: a good run, and every bad input -> exit 2, a message, no output, input untouched."""

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, box
from typer.testing import CliRunner

from binhai_geo.cli import app

from conftest import CRS, X0, Y0

runner = CliRunner()


@pytest.fixture
def zones(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["Wind zone", "Tiny"], "allowed_use": ["wind", "both"]},
                           geometry=[box(X0 + 7500, Y0 + 4000, X0 + 9500, Y0 + 6000),
                                     box(X0 + 7500, Y0 + 8000, X0 + 7550, Y0 + 8050)], crs=CRS)
    path = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="zones", driver="GPKG")
    return path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_good_run_gpkg_and_csv(zones, tmp_path):
    ex = tmp_path / "ex.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"reason": ["pipeline"], "buffer_m": [200.0]},
                                             geometry=[LineString([(X0 + 8500, Y0), (X0 + 8500, Y0 + 9000)])],
                                             crs=CRS), ex, layer="exclusion", driver="GPKG")
    out = tmp_path / "out" / "wind.gpkg"
    res = runner.invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out),
                              "--exclusions", str(ex)])
    assert res.exit_code == 0, res.output
    sites = gpd.read_file(out, layer="sites")
    turbines = gpd.read_file(out, layer="turbines")
    for col in ("site_id", "capacity_mw", "energy_mwh_per_yr", "capacity_factor", "turbines", "turbine_type",
                "wake_loss_pct"):
        assert col in sites.columns
    big, tiny = sites.iloc[0], sites.iloc[1]
    assert big["turbines"] == len(turbines) > 0 and big["capacity_mw"] == pytest.approx(8.0 * len(turbines))  # SCD168/8000
    assert tiny["turbines"] == 0 and tiny["capacity_mw"] == 0  # too small: a clear zero
    assert (np.abs(turbines.geometry.x - (X0 + 8500)) >= 200 + 84 - 1e-6).all()
    assert "ASSUMPTION" in res.output
    csv = tmp_path / "wind.csv"
    res = runner.invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(csv),
                              "--turbine", "SCD168/8000", "--hub-height", "110", "--no-wakes"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(csv)
    assert set(table["turbine_type"].dropna()) == {"SCD168/8000"} and "geometry" not in table.columns


def _tif(path, crs):
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=20, width=20, count=1, dtype="float32", crs=crs,
                       transform=from_origin(117.5, 39.2, 0.04, 0.04)) as dst:
        dst.write(np.full((20, 20), 8.0 if "Weibull-A" in path.name else 2.2, dtype="float32"), 1)


def test_geotiff_in_another_crs_is_reprojected(zones, tmp_path):
    gwa = tmp_path / "gwa"
    gwa.mkdir()
    _tif(gwa / "CHN_combined-Weibull-A_100m.tif", "EPSG:4326")
    _tif(gwa / "CHN_combined-Weibull-k_100m.tif", "EPSG:4326")
    out = tmp_path / "w.csv"
    res = runner.invoke(app, ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out),
                              "--resource", str(gwa), "--no-wakes"])
    assert res.exit_code == 0, res.output
    assert "reprojected" in res.output and out.exists()


def _bad_k(tmp_path):
    f = tmp_path / "res.csv"
    f.write_text("region,surface,parameter,value,low,high,unit,source\n"
                 "binhai,sea,weibull_a_mps,8,7,9,m/s,t\nbinhai,sea,weibull_k,-1,1,3,-,t\n"
                 "binhai,sea,reference_height_m,100,100,100,m,t\nbinhai,sea,turbulence_intensity,0.06,0,1,-,t\n",
                 encoding="utf-8")
    return str(f)


@pytest.mark.parametrize("case", ["lines_as_polygons", "unknown_turbine", "betz", "hub_below_radius", "bad_kind",
                                  "bad_suffix", "weibull_k", "missing_resource", "bad_curve_csv"])
def test_bad_input_exit_2_no_output(case, zones, tmp_path):
    out = tmp_path / "wind.gpkg"
    args = ["wind", str(zones), "--kind", "offshore_zone", "--out", str(out), "--no-wakes"]
    expect = {"lines_as_polygons": "LineString", "unknown_turbine": "did you mean", "betz": "Betz",
              "hub_below_radius": "rotor radius", "bad_kind": "not a wind layer kind", "bad_suffix": ".gpkg or .csv",
              "weibull_k": "Weibull k must be > 0", "missing_resource": "does not exist",
              "bad_curve_csv": "missing column"}[case]
    src = zones
    if case == "lines_as_polygons":
        src = tmp_path / "lines.gpkg"
        pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["jetty"]}, geometry=[
            LineString([(X0 + 7500, Y0), (X0 + 9000, Y0)])], crs=CRS), src, driver="GPKG")
        args = ["wind", str(src), "--kind", "tidal_flat", "--out", str(out)]
    elif case == "unknown_turbine":
        args += ["--turbine", "V164/950"]
    elif case == "betz":
        args += ["--turbine", "E-101/3050", "--hub-height", "99"]
    elif case == "hub_below_radius":
        args += ["--hub-height", "60"]
    elif case == "bad_kind":
        args[3] = "salt_pan"
    elif case == "bad_suffix":
        out = tmp_path / "wind.shp"
        args[5] = str(out)
    elif case == "weibull_k":
        args += ["--resource", _bad_k(tmp_path)]
    elif case == "missing_resource":
        args += ["--resource", str(tmp_path / "nope.nc")]
    elif case == "bad_curve_csv":
        f = tmp_path / "curve.csv"
        f.write_text("wind_speed_mps,power_kw\n3,10\n4,50\n5,100\n", encoding="utf-8")
        args += ["--turbine", str(f)]
    before = _digest(src)
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert expect in " ".join(res.output.split())
    assert "Traceback" not in res.output
    assert not out.exists()
    assert _digest(src) == before
