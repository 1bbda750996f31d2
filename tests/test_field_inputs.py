"""Field inputs (issue 13): never a silent wrong number, never a lost or half-written file.

One test per condition of the issue, each on a tiny synthetic file, each stating the right value or
message. The sweep over many more inputs is tests/sweep/sweep.py (not run by ``make test``).
"""

from __future__ import annotations

import errno
import os
import signal

import numpy as np
import pandas as pd
import pytest
import shapely
from fieldinputs import (
    X0,
    Y0,
    bowtie,
    default_year,
    era5_point,
    gbk_shapefile,
    geotiff,
    layer,
    quarter_hourly,
    square,
    weather_year,
    write_epw,
    write_tmy3,
)
from typer.testing import CliRunner

from binhai_geo.atomic import guard_inputs, note_input, output_set, write_text_atomic
from binhai_geo.cli import app
from binhai_geo.errors import BinhaiGeoError, LayerError, OutputError, WeatherError, from_os_error
from binhai_geo.io import read_layer, read_raster
from binhai_geo.layermodel import get_kind, implausible
from binhai_geo.notes import Note
from binhai_geo.solar.iotools import read_weather
from binhai_geo.validate import refuse_outside_region, validate_layer

runner = CliRunner()


def _check(gdf, kind="salt_pan"):
    return validate_layer(gdf, get_kind(kind), file="f.gpkg", layer=kind)


# ---------------------------------------------------------------- A. outputs

def test_output_that_is_an_input_is_refused_same_path_symlink_and_hard_link(tmp_path):
    src = tmp_path / "roofs.gpkg"
    src.write_text("input")
    (tmp_path / "sym.gpkg").symlink_to(src)
    os.link(src, tmp_path / "hard.gpkg")
    with guard_inputs():
        note_input(src)
        for target in ("roofs.gpkg", "sym.gpkg", "hard.gpkg"):
            with pytest.raises(OutputError, match="would overwrite an input"):
                write_text_atomic(tmp_path / target, "output")
    assert src.read_text() == "input"


def test_sinks_out_naming_its_input_exits_2_and_keeps_the_input(tmp_path):
    forest = layer(tmp_path / "f.gpkg", [square()], kind="forest", forest_type=["tree_forest"],
                   canopy_cover=[0.5], year_planted=[2010])
    before = forest.read_bytes()
    res = runner.invoke(app, ["sinks", f"forest={forest}", "--out", str(forest)])
    assert res.exit_code == 2 and "would overwrite an input" in res.output
    assert forest.read_bytes() == before


def test_plan_refuses_an_output_name_that_is_a_declared_input_before_computing(tmp_path, pack):
    from conftest import write_workflow

    out = tmp_path / "out"
    out.mkdir()
    layer(out / "test_sites.gpkg", [square()])  # the user's salt pans, saved under the run's output name
    wf = write_workflow(tmp_path, extra='\n[layers.salt_pan]\npath = "out/test_sites.gpkg"\n')
    text = wf.read_text().replace('dir = "out"', 'dir = "out"\nprefix = "test"')
    wf.write_text(text if "prefix" in text else text.replace("[outputs]", '[outputs]\nprefix = "test"'))
    before = (out / "test_sites.gpkg").read_bytes()
    res = runner.invoke(app, ["plan", str(wf), "--out-dir", str(out)])
    assert res.exit_code == 2 and "would overwrite an input" in res.output, res.output
    assert (out / "test_sites.gpkg").read_bytes() == before


def _previous_set(folder):
    folder.mkdir()
    for name in ("a.csv", "b.csv", "stale.csv"):
        (folder / name).write_text("old")
    return {p.name: p.read_text() for p in folder.iterdir()}


@pytest.mark.parametrize("failure", ["error", "disk full", "SIGTERM", "SIGINT"])
def test_output_set_keeps_the_previous_set_and_leaves_no_temp_file(tmp_path, failure):
    folder = tmp_path / "maps"
    before = _previous_set(folder)
    with pytest.raises((RuntimeError, OSError, KeyboardInterrupt)):
        with output_set(folder) as staged:
            write_text_atomic(staged.stage / "a.csv", "new")
            if failure == "error":
                raise RuntimeError("a step failed")
            if failure == "disk full":
                raise OSError(errno.ENOSPC, "No space left on device", str(staged.stage / "b.csv"))
            os.kill(os.getpid(), signal.SIGTERM if failure == "SIGTERM" else signal.SIGINT)
    assert {p.name: p.read_text() for p in folder.iterdir()} == before  # nothing hidden left either


def test_output_set_moves_the_new_set_in_and_removes_the_previous_runs_stale_files(tmp_path):
    folder = tmp_path / "maps"
    _previous_set(folder)
    with output_set(folder, replaces=[folder / "stale.csv"]) as staged:
        write_text_atomic(staged.stage / "a.csv", "new")
        write_text_atomic(staged.stage / "b.csv", "new")
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"a.csv": "new", "b.csv": "new"}


@pytest.mark.parametrize(("code", "fix"), [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"),
                                           (errno.EISDIR, "this is a folder"), (errno.ENOTDIR, "not a folder"),
                                           (errno.EACCES, "choose a folder you can write to")])
def test_every_os_error_becomes_a_clear_message(code, fix):
    err = from_os_error(OSError(code, os.strerror(code), "/data/out.gpkg"))
    assert isinstance(err, BinhaiGeoError) and "/data/out.gpkg" in str(err) and fix in str(err)


def test_out_below_an_existing_file_and_out_naming_a_folder_exit_2(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OutputError, match="is an existing file|cannot create"):
        write_text_atomic(tmp_path / "file.txt" / "out.csv", "x")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(OutputError, match="existing folder"):
        write_text_atomic(tmp_path / "dir.csv", "x")


def test_plan_given_a_folder_exits_2_saying_so(tmp_path):
    res = runner.invoke(app, ["plan", str(tmp_path)])
    assert res.exit_code == 2 and "is a folder" in res.output


# ---------------------------------------------------------------- B. coordinates and CRS

@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_non_finite_coordinates_are_named_not_a_traceback(tmp_path, bad):
    poly = shapely.Polygon([(X0, Y0), (bad, Y0), (X0, Y0 + 100)])
    with pytest.raises(LayerError, match=r"not numbers \(inf or NaN\) \(FID 1\)"):
        _check(gpd_frame([square(), poly]))
    path = layer(tmp_path / "inf.gpkg", [square(), poly])
    res = runner.invoke(app, ["layers", "check", str(path)])
    assert res.exit_code == 2 and "not numbers" in res.output and "Traceback" not in res.output


def gpd_frame(geoms, crs="EPSG:4527"):
    import geopandas as gpd

    return gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs,
                            index=pd.RangeIndex(len(geoms)))


def test_one_feature_at_1e30_is_named():
    with pytest.raises(LayerError, match=r"1 feature\(s\) lie outside the area where EPSG:4527 is valid \(FID 1"):
        _check(gpd_frame([square(), shapely.box(X0, Y0, 1e30, Y0 + 10)]))


@pytest.mark.parametrize(("geom", "crs", "said"), [
    (shapely.box(39.0, 117.6, 39.01, 117.61), "EPSG:4326", "latitude and longitude are swapped"),
    (square(), "EPSG:4326", "they fit EPSG:4527"),  # metres labelled 4326
    (square(), "EPSG:4548", "they fit EPSG:4527"),  # zone prefix 39 labelled 4548 (CM 117E, no prefix)
    (square(X0 - 39_000_000), "EPSG:4527", "they fit EPSG:4548"),  # no prefix labelled 4527
])
def test_coordinates_that_do_not_fit_their_crs_name_the_crs_they_fit(geom, crs, said):
    with pytest.raises(LayerError, match=said):
        _check(gpd_frame([geom], crs))


def test_a_salt_pan_in_beijing_is_refused_by_the_standalone_commands():
    beijing = gpd_frame([shapely.box(116.30, 39.90, 116.31, 39.91)], "EPSG:4326")
    with pytest.raises(LayerError, match=r"outside the binhai region .*FID 0, first near 116.305 E"):
        refuse_outside_region(beijing)
    refuse_outside_region(gpd_frame([square()]))  # a Binhai salt pan passes


def test_zero_area_and_tiny_polygons_are_named_with_file_layer_and_fid():
    with pytest.raises(LayerError) as e:
        _check(gpd_frame([square(), square(side=0.1)]))
    assert "file 'f.gpkg', layer 'salt_pan', feature 1" in str(e.value) and "zero or near-zero area" in str(e.value)


def test_a_bowtie_repair_is_said_with_its_area():
    clean, report = _check(gpd_frame([bowtie()]))
    assert clean.geometry.area.iloc[0] == pytest.approx(500_000.0)  # two triangles of 1 km2 / 4
    assert "FID 0" in report.summary() and "-> 0.5 km2" in report.summary()


# ---------------------------------------------------------------- C. units and magnitudes

@pytest.mark.parametrize(("quantity", "value", "mix_up", "converted"), [
    ("capacity_mw", 5_210_000, "kW", "5210 MW"),
    ("area_km2", 150_000, "mu", "100 km2"),
    ("capacity_density_mw_per_km2", 6.5e7, "W/km2", "65 MW/km2"),
    ("hub_height_m", 344, "ft", "104.851 m"),
    ("specific_power_w_per_m2", 4.2 * 1000 / (np.pi * 141**2 / 4), "power in MW where kW is expected", "W/m2"),
    ("rated_wind_speed_mps", 43.2, "km/h", "12 m/s"),
    ("weibull_a_mps", 850, "x0.01", "8.5 m/s"),
])
def test_implausible_quantities_name_the_likely_unit_mix_up(quantity, value, mix_up, converted):
    why = implausible(quantity, value)
    assert why is not None and mix_up in why and converted in why, why


def test_project_capacity_in_kw_exits_with_the_fid_and_the_mix_up():
    gdf = gpd_frame([shapely.Point(X0, Y0)])
    gdf = gdf.assign(technology="pv", capacity_mw=5_210_000.0, status="built", year=2020)
    with pytest.raises(LayerError, match=r"feature 0, field 'capacity_mw'.*looks like kW"):
        validate_layer(gdf, get_kind("project"), file="p.gpkg", layer="project")


def test_capacity_density_override_and_planting_area_and_hub_height_are_bounded():
    from pydantic import ValidationError

    from binhai_geo.factors import load_capacity_density
    from binhai_geo.sinks.spec import PlantingSpec
    from binhai_geo.wind.spec import WindSpec

    with pytest.raises(BinhaiGeoError, match="looks like W/km2; that would be 65 MW/km2"):
        load_capacity_density(overrides={"salt_pan.pv": 6.5e7})
    with pytest.raises(ValidationError, match="looks like mu"):
        PlantingSpec(name="coastal shelter belt", area_km2=20_000, start_year=2021, end_year=2025)
    with pytest.raises(ValidationError, match="looks like ft"):
        WindSpec(hub_height_m={"offshore_zone": 344})


def test_turbine_curve_in_mw_and_speeds_in_kmh_are_refused_with_the_mix_up():
    from binhai_geo.wind.turbines import check_power_curve

    ws = np.arange(3.0, 26.0)
    kw = np.clip(4200 * ((ws - 3) / 9) ** 3, 0, 4200)
    mw = check_power_curve(ws, kw / 1000, 4.2, 141.0)
    assert mw.status == "refused" and any("power in MW where kW is expected" in p for p in mw.problems)
    kmh = check_power_curve(ws * 3.6, kw, 4200, 141.0)
    assert kmh.status == "refused" and any("km/h" in p for p in kmh.problems)
    assert check_power_curve(ws, kw, 4200, 141.0).status == "ok"  # the same turbine in kW and m/s


# ---------------------------------------------------------------- D. files and text

def test_gbk_shapefile_without_cpg_is_read_as_gb18030_and_said(tmp_path):
    gdf = read_layer(gbk_shapefile(tmp_path / "salt.shp"))
    assert gdf["name"].iloc[0] == "长芦汉沽盐场" and "名称" in gdf.columns
    assert "read as GB18030" in gdf.attrs["warnings"][0]
    assert read_layer(tmp_path / "salt.shp", encoding="GBK")["名称"].iloc[0] == "盐田"


def test_a_folder_named_gpkg_is_called_a_folder(tmp_path):
    (tmp_path / "x.gpkg").mkdir()
    with pytest.raises(LayerError, match="this is a folder, not a GeoPackage file"):
        read_layer(tmp_path / "x.gpkg")


def test_a_workflow_with_a_utf8_bom_is_read(tmp_path, workflow):
    from binhai_geo.config import load_workflow

    workflow.write_bytes(b"\xef\xbb\xbf" + workflow.read_bytes())
    assert load_workflow(workflow).id


def test_help_keeps_square_brackets():
    assert "[outputs]" in runner.invoke(app, ["plan", "--help"]).output
    assert "[deg]" in runner.invoke(app, ["pv", "--help"]).output


# ---------------------------------------------------------------- E. weather files

def test_epw_missing_codes_are_filled_and_said_not_blamed_on_j_per_m2(tmp_path):
    df = default_year().copy()
    truth = df["dni"].iloc[2700:2703].to_numpy().copy()
    df.iloc[2700:2703, df.columns.get_loc("dni")] = 9999.0  # 9999: DNI missing (EnergyPlus weather-file spec)
    albedo = np.full(len(df), 0.2)
    albedo[:10] = 999.0  # 999: albedo missing
    ws = read_weather(write_epw(tmp_path / "m.epw", df, albedo=albedo))
    d = ws.cells[0].data
    assert d["dni"].iloc[2700:2703].to_numpy() == pytest.approx(truth, rel=0.05, abs=15)  # closure with the sun
    assert np.allclose(d["albedo"], 0.2)
    said = [n.params["note"] for n in ws.notes if n.code == "solar.weather.file_note"]
    gap = Note("solar.weather.irradiance_filled.gap", {"column": "dni", "hours": 3})
    assert any(n.code == "solar.weather.irradiance_filled" and gap in n.params["gaps"] for n in said)


def test_cma_dni_artefacts_are_repaired_by_closure_and_reported(tmp_path):
    df = default_year().copy()
    low = np.flatnonzero((df["ghi"] > 20) & (df["ghi"] < 80))[:100]
    df.iloc[low, df.columns.get_loc("dni")] = 3862.0  # the sunset-hour artefact: DNI 3,862 with GHI ~49
    df.iloc[low, df.columns.get_loc("dhi")] = 4.0
    ws = read_weather(write_epw(tmp_path / "cma.epw", df))
    d = ws.cells[0].data
    assert d["dni"].max() < 1100 and d["ghi"].to_numpy() == pytest.approx(default_year()["ghi"].to_numpy(), abs=1e-3)
    said = [n.params["note"] for n in ws.notes if n.code == "solar.weather.file_note"]
    assert any(n.code == "solar.weather.dni_repaired" and n.params["hours"] == 100 for n in said)


def test_a_file_that_needs_beam_repair_in_most_hours_is_refused(tmp_path):
    df = default_year().copy()
    df["dni"] = np.where(df["ghi"] > 0, 3000.0, 0.0)
    with pytest.raises(WeatherError, match="inconsistent with GHI, DHI and the sun"):
        read_weather(write_epw(tmp_path / "bad.epw", df))


def test_leap_year_and_typical_year_epw(tmp_path):
    leap = read_weather(write_epw(tmp_path / "2024.epw", weather_year(2024))).cells[0].data
    assert len(leap) == 8784 and leap.index[0].year == 2024
    wy = weather_year(2024)
    months_from = np.where(wy.index.month <= 6, 2024, 2011)  # a typical year: months from different years
    typ = read_weather(write_epw(tmp_path / "tmy.epw", wy, years=months_from))
    assert len(typ.cells[0].data) == 8760 and set(typ.cells[0].data.index.year) == {1990}


def test_fifteen_minute_epw_is_aggregated_to_hours(tmp_path):
    q = quarter_hourly()
    ws = read_weather(write_epw(tmp_path / "q.epw", q, minutes=np.tile([15, 30, 45, 60], len(q) // 4)))
    d = ws.cells[0].data
    assert len(d) == 8760
    assert d["ghi"].sum() == pytest.approx(default_year()["ghi"].sum(), rel=1e-4)


def test_era5_point_series_is_one_cell(tmp_path):
    ws = read_weather(era5_point(tmp_path / "point.nc"))
    assert len(ws.cells) == 1 and (ws.cells[0].latitude, ws.cells[0].longitude) == (39.0, 117.75)


def test_kwh_per_m2_and_local_time_labelled_utc_are_refused_with_the_mix_up(tmp_path):
    df = default_year().copy()
    df[["ghi", "dni", "dhi"]] /= 1000.0
    with pytest.raises(WeatherError, match="kW/m2 or kWh/m2 per hour"):
        read_weather(write_epw(tmp_path / "kwh.epw", df))
    local = default_year().copy()
    local.index = local.index.tz_localize(None).tz_localize("UTC")  # Beijing clock, stamped UTC
    with pytest.raises(WeatherError, match=r"off by about \+8 h"):
        read_weather(write_epw(tmp_path / "utc.epw", local, tz="0.0"))


def test_tmy3_empty_time_zone_field_is_named(tmp_path):
    with pytest.raises(WeatherError, match="field 'TZ'.*is empty"):
        read_weather(write_tmy3(tmp_path / "t.csv", tz=""))


# ---------------------------------------------------------------- F. rasters

def test_int16_raster_with_scale_is_read_in_m_per_s(tmp_path):
    tif = geotiff(tmp_path / "ws.tif", np.full((5, 5), 850, dtype=np.int16), scale=0.01, nodata=-32768)
    assert float(read_raster(tif).mean()) == pytest.approx(8.5)


def test_gwa_int16_scaled_raster_gives_the_zone_mean_in_m_per_s(tmp_path):
    from binhai_geo.wind.gwa import zonal_mean

    tif = geotiff(tmp_path / "gwa_ws_100m.tif", np.full((30, 30), 850, dtype=np.int16), scale=0.01)
    zones = gpd_frame([shapely.box(117.6, 39.0, 117.65, 39.05)], "EPSG:4326").to_crs("EPSG:4527")
    mean, _ = zonal_mean(tmp_path / "gwa_ws_100m.tif", zones)
    assert mean[0] == pytest.approx(8.5)
    assert tif.exists()


def test_land_cover_in_web_mercator_gives_true_areas(tmp_path):
    """A 1 km x 1 km forest square (the vector truth, in EPSG:4527) rasterised in EPSG:3857."""
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    from binhai_geo.sinks.forestcover import read_landcover_stack

    truth = gpd_frame([square(side=1000.0)]).to_crs("EPSG:3857")
    x0, y0, x1, y1 = truth.total_bounds
    res = 10.0  # Web Mercator metres; 1/cos(39 deg) = 1.29 ground-metre scale, 1.66 in area
    transform = from_origin(x0 - 500, y1 + 500, res, res)
    shape = (int((y1 - y0 + 1000) / res), int((x1 - x0 + 1000) / res))
    codes = rasterize([(truth.geometry.iloc[0], 10)], out_shape=shape, transform=transform, fill=60,
                      dtype="uint8")
    geotiff(tmp_path / "lc.tif", codes, crs="EPSG:3857", transform=transform)
    stack, notes = read_landcover_stack({2020: tmp_path / "lc.tif"}, analysis_crs="EPSG:4527")
    cell_m2 = abs(stack.rio.resolution()[0] * stack.rio.resolution()[1])
    forest_km2 = float((stack.sel(year=2020) == 10).sum()) * cell_m2 / 1e6
    assert forest_km2 == pytest.approx(1.0, rel=0.03)  # nominal Web Mercator pixels would give 1.66
    assert any(n.code == "sinks.landcover.reprojected" and n.params["crs_from"] == "EPSG:3857" for n in notes)


def test_the_plan_notes_carry_what_the_weather_reader_repaired(tmp_path):
    import pathlib

    from binhai_geo.solar.plan import load_weather_for

    df = default_year().copy()
    df.iloc[2700:2703, df.columns.get_loc("dni")] = 9999.0
    path = write_epw(tmp_path / "m.epw", df)
    _, _, dist, notes = load_weather_for(str(path), np.array([39.0]), np.array([117.7]), resolve=pathlib.Path,
                                         year=2025, seed=0, cell_deg=0.25)
    said = [n.params["note"] for n in notes if n.code == "solar.weather.file_note"]
    gap = Note("solar.weather.irradiance_filled.gap", {"column": "dni", "hours": 3})
    assert any(n.code == "solar.weather.irradiance_filled" and gap in n.params["gaps"] for n in said)
    assert dist[0] >= 0
