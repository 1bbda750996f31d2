"""Sweep: bad or awkward field inputs over every command, counted (issue 13).

Run from the repository root (not part of ``make test``; about 5-10 minutes on 2 cores)::

    PYTHONPATH=$PWD .venv/bin/python tests/sweep/sweep.py [--only WORD] [--list] [--keep DIR]

Every case writes a tiny input in its own folder, runs one command in-process (typer's CliRunner) and
judges the outcome:

- a case expecting refusal is handled well when the command exits 2, prints every expected phrase, prints
  no traceback and no "internal error", writes no output and leaves its inputs byte for byte as they were;
- a case expecting success is handled well when the command exits 0 and its check of the output (a
  number, a note) holds.

It prints one line per case (ok / LEFT), then how many were handled well and what is left. Run it with
another checkout's code (``PYTHONPATH=/path/to/other``) to compare before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import fieldinputs as fi  # noqa: E402

from binhai_geo.cli import app  # noqa: E402

REPO = HERE.parents[1]


@dataclass
class Case:
    """One input and what handling it well means."""

    name: str
    command: str
    build: Callable[[Path], list[str]]
    expect: tuple[str, ...] = ()  # phrases the refusal must say (exit 2)
    ok: Callable[[str, Path], bool] | None = None  # success check (exit 0) instead of a refusal
    inputs: list[str] = field(default_factory=list)


CASES: list[Case] = []


def case(name: str, command: str, *expect: str, ok: Callable[[str, Path], bool] | None = None) -> Callable:
    def deco(build: Callable[[Path], list[str]]) -> Callable:
        CASES.append(Case(name, command, build, tuple(expect), ok))
        return build
    return deco


# ------------------------------------------------------------------ layer writers
SQ = fi.square()


def salt(d: Path, geoms: list | None = None, crs: object = "EPSG:4527", name: str = "salt.gpkg", **f) -> Path:
    return fi.layer(d / name, geoms if geoms is not None else [SQ], crs=crs, **f)


def forest(d: Path, geoms: list | None = None, crs: object = "EPSG:4527", **f) -> Path:
    f = {"forest_type": ["tree_forest"] * len(geoms or [SQ]), "canopy_cover": [0.5] * len(geoms or [SQ]),
         "year_planted": [2010] * len(geoms or [SQ]), **f}
    return fi.layer(d / "forest.gpkg", geoms or [SQ], crs=crs, kind="forest", **f)


def epw(d: Path, df: pd.DataFrame | None = None, name: str = "w.epw", **kw) -> Path:
    return fi.write_epw(d / name, df, **kw)


def year_df() -> pd.DataFrame:
    return fi.default_year().copy()


BEIJING = shapely.box(116.30, 39.90, 116.31, 39.91)
NAN_POLY = shapely.Polygon([(fi.X0, fi.Y0), (np.nan, fi.Y0), (fi.X0, fi.Y0 + 100)])
INF_POLY = shapely.Polygon([(fi.X0, fi.Y0), (np.inf, fi.Y0), (fi.X0, fi.Y0 + 100)])
HUGE_POLY = shapely.box(fi.X0, fi.Y0, 1e30, fi.Y0 + 10)

# ------------------------------------------------------------------ layers check: geometry and CRS
GEOM_CASES = {
    "inf coordinate": ([SQ, INF_POLY], "EPSG:4527", ("not numbers", "FID 2")),
    "NaN coordinate": ([SQ, NAN_POLY], "EPSG:4527", ("not numbers",)),
    "1e30 coordinate": ([SQ, HUGE_POLY], "EPSG:4527", ("outside the area where", "FID 2")),
    "lat/lon swapped": ([shapely.box(39.0, 117.6, 39.01, 117.61)], "EPSG:4326", ("swapped",)),
    "metres labelled 4326": ([SQ], "EPSG:4326", ("EPSG:4527",)),
    "GK prefix labelled 4548": ([SQ], "EPSG:4548", ("EPSG:4527",)),
    "GK no prefix labelled 4527": ([fi.square(fi.X0 - 39_000_000)], "EPSG:4527", ("EPSG:4548",)),
    "web mercator labelled 4326": ([shapely.box(13_100_000, 4_720_000, 13_101_000, 4_721_000)], "EPSG:4326",
                                   ("EPSG:3857",)),
    "lon/lat labelled 4527": ([shapely.box(117.6, 39.0, 117.61, 39.01)], "EPSG:4527", ("EPSG:4326",)),
    "lon/lat labelled 4548": ([shapely.box(117.6, 39.0, 117.61, 39.01)], "EPSG:4548", ("EPSG:4326",)),
    "UTM 50N labelled 4527": ([shapely.box(560_000, 4_320_000, 561_000, 4_321_000)], "EPSG:4527",
                              ("EPSG:4548",)),
    "zero-area polygon": ([SQ, shapely.Polygon([(fi.X0, fi.Y0), (fi.X0 + 10, fi.Y0), (fi.X0 + 20, fi.Y0)])],
                          "EPSG:4527", ("FID 2",)),
    "tiny polygon (0.01 m2)": ([SQ, fi.square(side=0.1)], "EPSG:4527", ("zero or near-zero area", "FID 2")),
    "tiny degrees polygon": ([shapely.box(117.6, 39.0, 117.6000001, 39.0000001)], "EPSG:4326",
                             ("zero or near-zero area",)),
    "point in polygon layer": ([shapely.Point(fi.X0, fi.Y0)], "EPSG:4527", ("Point",)),
    "line in polygon layer": ([shapely.LineString([(fi.X0, fi.Y0), (fi.X0 + 9, fi.Y0)])], "EPSG:4527",
                              ("LineString",)),
}
for _name, (_geoms, _crs, _expect) in GEOM_CASES.items():
    def _build(d: Path, g=_geoms, c=_crs) -> list[str]:
        return ["layers", "check", str(salt(d, g, c)), "--kind", "salt_pan"]
    case(f"layers check: {_name}", "layers check", *_expect)(_build)


@case("layers check: bowtie repaired and said with its area", "layers check",
      ok=lambda out, d: "0.5 km2" in out and "repaired" in out)
def _(d):
    return ["layers", "check", str(salt(d, [fi.bowtie()])), "--kind", "salt_pan"]


@case("layers check: good layer", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    return ["layers", "check", str(salt(d)), "--kind", "salt_pan"]


@case("layers check: GBK shapefile without .cpg", "layers check", ok=lambda out, d: "GB18030" in out)
def _(d):
    return ["layers", "check", str(fi.gbk_shapefile(d / "salt.shp")), "--kind", "salt_pan"]


@case("layers check: GBK shapefile, --encoding GBK", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    return ["layers", "check", str(fi.gbk_shapefile(d / "salt.shp")), "--kind", "salt_pan", "--encoding", "GBK"]


@case("layers check: --encoding unknown", "layers check", "unknown text encoding")
def _(d):
    return ["layers", "check", str(fi.gbk_shapefile(d / "salt.shp")), "--kind", "salt_pan", "--encoding", "nope"]


@case("layers check: folder named x.gpkg", "layers check", "folder")
def _(d):
    (d / "x.gpkg").mkdir()
    return ["layers", "check", str(d / "x.gpkg"), "--kind", "salt_pan"]


@case("layers check: text file named .gpkg", "layers check", "cannot open")
def _(d):
    (d / "x.gpkg").write_text("not a database")
    return ["layers", "check", str(d / "x.gpkg"), "--kind", "salt_pan"]


@case("layers check: zero-byte .gpkg", "layers check", "cannot open")
def _(d):
    (d / "x.gpkg").write_bytes(b"")
    return ["layers", "check", str(d / "x.gpkg"), "--kind", "salt_pan"]


@case("layers check: truncated .gpkg", "layers check", "salt.gpkg")
def _(d):
    p = salt(d)
    p.write_bytes(p.read_bytes()[:3000])
    return ["layers", "check", str(p), "--kind", "salt_pan"]


@case("layers check: missing file", "layers check", "not found")
def _(d):
    return ["layers", "check", str(d / "nope.gpkg"), "--kind", "salt_pan"]


@case("layers check: unsupported suffix", "layers check", "unsupported file type")
def _(d):
    (d / "x.kml").write_text("<kml/>")
    return ["layers", "check", str(d / "x.kml"), "--kind", "salt_pan"]


@case("layers check: unknown kind", "layers check", "unknown layer kind")
def _(d):
    return ["layers", "check", str(salt(d)), "--kind", "saltpan"]


@case("layers check: no CRS", "layers check", "no coordinate reference system")
def _(d):
    return ["layers", "check", str(salt(d, crs=None)), "--kind", "salt_pan"]


@case("layers check: shapefile without .prj", "layers check", "no coordinate reference system")
def _(d):
    p = fi.layer(d / "s.shp", [SQ])
    p.with_suffix(".prj").unlink()
    return ["layers", "check", str(p), "--kind", "salt_pan"]


@case("layers check: shapefile without .dbf (geometry only, valid)", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    p = fi.layer(d / "s.shp", [SQ])
    p.with_suffix(".dbf").unlink()
    return ["layers", "check", str(p), "--kind", "salt_pan"]


@case("layers check: empty layer", "layers check", "empty")
def _(d):
    return ["layers", "check", str(salt(d, [])), "--kind", "salt_pan"]


@case("layers check: missing --layer name", "layers check", "no layer named")
def _(d):
    return ["layers", "check", str(salt(d)), "--kind", "salt_pan", "--layer", "nope"]


@case("layers check: missing geometry", "layers check", "no geometry")
def _(d):
    return ["layers", "check", str(salt(d, [SQ, None])), "--kind", "salt_pan"]


@case("layers check: project capacity in kW", "layers check", "capacity_mw", "kW")
def _(d):
    p = fi.layer(d / "p.gpkg", [shapely.Point(fi.X0, fi.Y0)], kind="project", technology=["pv"],
                 capacity_mw=[5_210_000.0], status=["built"], year=[2020])
    return ["layers", "check", str(p), "--kind", "project"]


@case("layers check: project capacity as text with unit", "layers check", "expected a number")
def _(d):
    p = fi.layer(d / "p.gpkg", [shapely.Point(fi.X0, fi.Y0)], kind="project", technology=["pv"],
                 capacity_mw=["5210 MW"], status=["built"], year=[2020])
    return ["layers", "check", str(p), "--kind", "project"]


@case("layers check: project negative capacity", "layers check", "outside the allowed range")
def _(d):
    p = fi.layer(d / "p.gpkg", [shapely.Point(fi.X0, fi.Y0)], kind="project", technology=["pv"],
                 capacity_mw=[-5.0], status=["built"], year=[2020])
    return ["layers", "check", str(p), "--kind", "project"]


@case("layers check: project unknown technology", "layers check", "not allowed")
def _(d):
    p = fi.layer(d / "p.gpkg", [shapely.Point(fi.X0, fi.Y0)], kind="project", technology=["nuclear"],
                 capacity_mw=[5.0], status=["built"], year=[2020])
    return ["layers", "check", str(p), "--kind", "project"]


@case("layers check: forest canopy in percent", "layers check", "canopy_cover")
def _(d):
    return ["layers", "check", str(forest(d, canopy_cover=[45.0])), "--kind", "forest"]


@case("layers check: forest bad boolean", "layers check", "forest.gpkg")
def _(d):
    return ["layers", "check", str(forest(d, forest_type=["jungle"])), "--kind", "forest"]


@case("layers check: GeoJSON in 4326 ok", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    p = d / "s.geojson"
    import geopandas as gpd
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[SQ], crs="EPSG:4527").to_crs(4326).to_file(p)
    return ["layers", "check", str(p), "--kind", "salt_pan"]


@case("layers check: GeoParquet ok", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    import geopandas as gpd
    p = d / "salt_pan.parquet"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[SQ], crs="EPSG:4527").to_parquet(p)
    return ["layers", "check", str(p), "--kind", "salt_pan"]


@case("layers check: Chinese field alias 名称 ok", "layers check", ok=lambda out, d: "ok" in out)
def _(d):
    import geopandas as gpd
    p = d / "s.gpkg"
    gpd.GeoDataFrame({"名称": ["盐田"]}, geometry=[SQ], crs="EPSG:4527").to_file(p, layer="salt_pan")
    return ["layers", "check", str(p), "--kind", "salt_pan"]


# ------------------------------------------------------------------ pv
def pv_args(d: Path, layer_path: Path, out: str = "pv.csv", *extra: str) -> list[str]:
    return ["pv", str(layer_path), "--kind", "salt_pan", "--out", str(d / out), *extra]


@case("pv: --out is the input", "pv", "would overwrite an input")
def _(d):
    p = salt(d)
    return ["pv", str(p), "--kind", "salt_pan", "--out", str(p)]


@case("pv: --out is a symlink to the input", "pv", "would overwrite an input")
def _(d):
    p = salt(d)
    (d / "link.gpkg").symlink_to(p)
    return ["pv", str(p), "--kind", "salt_pan", "--out", str(d / "link.gpkg")]


@case("pv: --out is a hard link of the input", "pv", "would overwrite an input")
def _(d):
    p = salt(d)
    (d / "hard.gpkg").hardlink_to(p)
    return ["pv", str(p), "--kind", "salt_pan", "--out", str(d / "hard.gpkg")]


@case("pv: --out below an existing file", "pv", "existing file")
def _(d):
    (d / "afile").write_text("x")
    return pv_args(d, salt(d), "afile/pv.csv")


@case("pv: --out names a folder", "pv", "folder")
def _(d):
    (d / "pv.csv").mkdir()
    return pv_args(d, salt(d))


@case("pv: --out bad suffix", "pv", ".gpkg or .csv")
def _(d):
    return pv_args(d, salt(d), "pv.xlsx")


@case("pv: --kind not PV", "pv", "not a PV surface")
def _(d):
    return ["pv", str(salt(d)), "--kind", "forest", "--out", str(d / "pv.csv")]


@case("pv: --crs geographic", "pv", "not projected")
def _(d):
    return pv_args(d, salt(d), "pv.csv", "--crs", "EPSG:4326")


@case("pv: --crs unknown", "pv", "not a CRS")
def _(d):
    return pv_args(d, salt(d), "pv.csv", "--crs", "EPSG:999999")


@case("pv: salt pan in Beijing", "pv", "outside the binhai region")
def _(d):
    return pv_args(d, salt(d, [BEIJING], "EPSG:4326"))


@case("pv: zero-area polygon named", "pv", "zero or near-zero area", "FID 2", "salt.gpkg")
def _(d):
    return pv_args(d, salt(d, [SQ, fi.square(side=0.1)]))


@case("pv: inf latitude", "pv", "not numbers")
def _(d):
    return pv_args(d, salt(d, [SQ, INF_POLY]))


@case("pv: metres labelled 4326", "pv", "EPSG:4527")
def _(d):
    return pv_args(d, salt(d, [SQ], "EPSG:4326"))


@case("pv: weather file missing", "pv", "not found")
def _(d):
    return pv_args(d, salt(d), "pv.csv", "--weather", str(d / "nope.epw"))


@case("pv: weather file is a folder", "pv", "folder")
def _(d):
    (d / "w.epw").mkdir()
    return pv_args(d, salt(d), "pv.csv", "--weather", str(d / "w.epw"))


@case("pv: weather unsupported suffix", "pv", "unsupported weather file type")
def _(d):
    (d / "w.txt").write_text("x")
    return pv_args(d, salt(d), "pv.csv", "--weather", str(d / "w.txt"))


def _yield(out: str, d: Path, lo: float = 1100, hi: float = 1700) -> bool:
    t = pd.read_csv(d / "pv.csv")
    y = float(t["energy_mwh_per_yr"].sum() / t["capacity_mw"].sum())
    return lo < y < hi


WEATHER_OK = {
    "EPW good": lambda d: epw(d),
    "EPW DNI 9999 (missing code)": lambda d: epw(d, _set(year_df(), "dni", slice(2700, 2703), 9999.0)),
    "EPW GHI 9999 (missing code)": lambda d: epw(d, _set(year_df(), "ghi", slice(2700, 2702), 9999.0)),
    "EPW DHI 9999 (missing code)": lambda d: epw(d, _set(year_df(), "dhi", slice(4000, 4003), 9999.0)),
    "EPW albedo 999 (missing code)": lambda d: epw(d, albedo=np.where(np.arange(8760) < 50, 999.0, 0.2)),
    "EPW albedo 999 throughout": lambda d: epw(d, albedo=np.full(8760, 999.0)),
    "EPW temperature 99.9 for 3 h": lambda d: epw(d, _set(year_df(), "temp_air", slice(100, 103), 99.9)),
    "EPW wind 999 for 2 h": lambda d: epw(d, _set(year_df(), "wind_speed", slice(100, 102), 999.0)),
    "EPW CMA DNI artefacts (100 h)": lambda d: epw(d, _cma(year_df(), 100)),
    "EPW CMA DNI artefacts (160 h)": lambda d: epw(d, _cma(year_df(), 160)),
    "EPW actual leap year 2024": lambda d: epw(d, fi.weather_year(2024)),
    "EPW actual year 2019": lambda d: epw(d, fi.weather_year(2019)),
    "EPW typical year, months from 2024 and 2011": lambda d: epw(
        d, fi.weather_year(2024), years=np.where(fi.weather_year(2024).index.month <= 6, 2024, 2011)),
    "EPW typical year, months from 2003-2014": lambda d: epw(
        d, years=2003 + (year_df().index.month.to_numpy() - 1)),
    "EPW 15-minute rows": lambda d: epw(d, fi.quarter_hourly(), minutes=np.tile([15, 30, 45, 60], 8760)),
    "ERA5 point series": lambda d: fi.era5_point(d / "p.nc"),
    "ERA5 2x2 grid": lambda d: fi.write_era5(d / "g.nc"),
    "ERA5-Land accumulation": lambda d: fi.write_era5(d / "l.nc", land=True),
}
WEATHER_BAD = {
    "EPW irradiance in kWh/m2": (lambda d: epw(d, _scale(year_df(), 1e-3)), ("kW/m2 or kWh/m2",)),
    "EPW irradiance in J/m2": (lambda d: epw(d, _scale(year_df(), 3600.0)), ("J/m2",)),
    "EPW local time labelled UTC": (lambda d: epw(d, _relabel(year_df(), "UTC"), tz="0.0"), ("off by about +8 h",)),
    "EPW UTC labelled local": (lambda d: epw(d, _relabel(year_df().tz_convert("UTC"), "Asia/Shanghai")),
                               ("off by about -8 h",)),
    "EPW empty time zone": (lambda d: epw(d, tz=""), ("time zone",)),
    "EPW two irradiance components missing": (
        lambda d: epw(d, _set(_set(year_df(), "dni", slice(3000, 3002), 9999.0), "dhi", slice(3000, 3002), 9999.0)),
        ("two or more irradiance components", "9999")),
    "EPW temperature missing 30 h": (lambda d: epw(d, _set(year_df(), "temp_air", slice(100, 130), 99.9)),
                                     ("temp_air", "missing-value code")),
    "EPW DNI broadly inconsistent": (lambda d: epw(d, _set(year_df(), "dni", slice(None), 2500.0)),
                                     ("inconsistent",)),
    "EPW half a year": (lambda d: epw(d, year_df().iloc[:4000]), ("less than a year",)),
    "EPW temperature in Kelvin": (lambda d: epw(d, _add(year_df(), "temp_air", 273.15)), ("Kelvin",)),
    "EPW not an EPW": (lambda d: _text(d / "w.epw", "hello,world\n"), ("not an EPW",)),
    "EPW truncated rows": (lambda d: _text(d / "w.epw", epw(d).read_text()[:200000]), ("w.epw",)),
    "TMY3 empty TZ": (lambda d: fi.write_tmy3(d / "t.csv", tz=""), ("TZ", "empty")),
    "TMY3 TZ not a number": (lambda d: fi.write_tmy3(d / "t.csv", tz="UTC+8"), ("TZ", "not a number")),
    "ERA5 given as W/m2": (lambda d: fi.write_era5(d / "f.nc", as_flux=True), ("flux in W/m2",)),
    "ERA5 missing variable": (lambda d: _era5_drop(d), ("missing",)),
    "CSV of random text": (lambda d: _text(d / "w.csv", "a,b\n1,2\n"), ("w.csv",)),
    "netCDF that is not netCDF": (lambda d: _text(d / "w.nc", "CDF?"), ("cannot open as netCDF",)),
}


def _set(df: pd.DataFrame, col: str, rows: slice, value: float) -> pd.DataFrame:
    df.iloc[rows, df.columns.get_loc(col)] = value
    return df


def _add(df: pd.DataFrame, col: str, value: float) -> pd.DataFrame:
    df[col] = df[col] + value
    return df


def _scale(df: pd.DataFrame, f: float) -> pd.DataFrame:
    df[["ghi", "dni", "dhi"]] *= f
    return df


def _relabel(df: pd.DataFrame, tz: str) -> pd.DataFrame:
    df.index = df.index.tz_localize(None).tz_localize(tz)
    return df


def _cma(df: pd.DataFrame, n: int) -> pd.DataFrame:
    low = np.flatnonzero((df["ghi"] > 20) & (df["ghi"] < 80))[:n]
    df.iloc[low, df.columns.get_loc("dni")] = 3862.0
    df.iloc[low, df.columns.get_loc("dhi")] = 4.0
    return df


def _text(p: Path, text: str) -> Path:
    p.write_text(text, encoding="utf-8")
    return p


def _era5_drop(d: Path) -> Path:
    import xarray as xr
    full = fi.write_era5(d / "full.nc")
    with xr.open_dataset(full, engine="h5netcdf") as ds:
        ds.drop_vars("fdir").load().to_netcdf(d / "w.nc", engine="h5netcdf")
    full.unlink()
    return d / "w.nc"


for _name, _make in WEATHER_OK.items():
    def _build(d: Path, m=_make) -> list[str]:
        return pv_args(d, salt(d), "pv.csv", "--weather", str(m(d)))
    case(f"pv --weather: {_name}", "pv", ok=_yield)(_build)
for _name, (_make, _expect) in WEATHER_BAD.items():
    def _build(d: Path, m=_make) -> list[str]:
        return pv_args(d, salt(d), "pv.csv", "--weather", str(m(d)))
    case(f"pv --weather: {_name}", "pv", *_expect)(_build)


@case("pv: tilt 95 deg", "pv", "tilt")
def _(d):
    return pv_args(d, salt(d), "pv.csv", "--tilt", "95")


@case("pv: unknown archetype", "pv", "archetype")
def _(d):
    return pv_args(d, salt(d), "pv.csv", "--archetype", "nope")


@case("pv: bowtie said on stderr", "pv", ok=lambda out, d: "repaired" in out and (d / "pv.csv").exists())
def _(d):
    return pv_args(d, salt(d, [fi.bowtie()]))


# ------------------------------------------------------------------ sinks and forest-cover
@case("sinks: --out is the input", "sinks", "would overwrite an input")
def _(d):
    p = forest(d)
    return ["sinks", f"forest={p}", "--out", str(p)]


@case("sinks: --out is a folder", "sinks", "folder")
def _(d):
    (d / "s.csv").mkdir()
    return ["sinks", f"forest={forest(d)}", "--out", str(d / "s.csv")]


@case("sinks: --out below a file", "sinks", "existing file")
def _(d):
    (d / "f").write_text("x")
    return ["sinks", f"forest={forest(d)}", "--out", str(d / "f" / "s.csv")]


@case("sinks: forest in Beijing", "sinks", "outside the binhai region")
def _(d):
    return ["sinks", f"forest={forest(d, [BEIJING], 'EPSG:4326')}", "--out", str(d / "s.csv")]


@case("sinks: zero-area forest named", "sinks", "zero or near-zero area", "FID 2")
def _(d):
    return ["sinks", f"forest={forest(d, [SQ, fi.square(side=0.1)])}", "--out", str(d / "s.csv")]


@case("sinks: bowtie forest said", "sinks", ok=lambda out, d: "repaired" in out and (d / "s.csv").exists())
def _(d):
    return ["sinks", f"forest={forest(d, [fi.bowtie()])}", "--out", str(d / "s.csv")]


@case("sinks: unknown kind=", "sinks", "is not one of")
def _(d):
    return ["sinks", f"jungle={forest(d)}", "--out", str(d / "s.csv")]


@case("sinks: missing file", "sinks", "not found")
def _(d):
    return ["sinks", f"forest={d / 'nope.gpkg'}", "--out", str(d / "s.csv")]


@case("sinks: NaN coordinate", "sinks", "not numbers")
def _(d):
    return ["sinks", f"forest={forest(d, [SQ, NAN_POLY])}", "--out", str(d / "s.csv")]


@case("sinks: swapped lat/lon", "sinks", "swapped")
def _(d):
    return ["sinks", f"forest={forest(d, [shapely.box(39.0, 117.6, 39.01, 117.61)], 'EPSG:4326')}",
            "--out", str(d / "s.csv")]


def _landcover(d: Path, crs: str, name: str = "lc_2020.tif") -> Path:
    import geopandas as gpd
    from rasterio.features import rasterize
    from rasterio.transform import from_origin
    truth = gpd.GeoSeries([fi.square(side=1000.0)], crs="EPSG:4527").to_crs(crs)
    x0, y0, x1, y1 = truth.total_bounds
    pad, res = (x1 - x0) / 2, (x1 - x0) / 100
    transform = from_origin(x0 - pad, y1 + pad, res, res)
    shape = (int((y1 - y0 + 2 * pad) / res), int((x1 - x0 + 2 * pad) / res))
    codes = rasterize([(truth.iloc[0], 10)], out_shape=shape, transform=transform, fill=60, dtype="uint8")
    return fi.geotiff(d / name, codes, crs=crs, transform=transform)


def _cover_ok(out: str, d: Path) -> bool:
    t = pd.read_csv(d / "fc.csv")
    col = [c for c in t.columns if "forest" in c and "km2" in c]
    return bool(col) and abs(float(t[col[0]].iloc[0]) - 1.0) < 0.05


for _crs in ("EPSG:3857", "EPSG:4326", "EPSG:32650", "EPSG:4527"):
    def _build(d: Path, c=_crs) -> list[str]:
        boundary = fi.layer(d / "b.gpkg", [fi.square(fi.X0 - 1000, fi.Y0 - 1000, 4000)], kind="boundary")
        return ["forest-cover", f"2020={_landcover(d, c)}", "--boundary", str(boundary), "--out", str(d / "fc.csv")]
    case(f"forest-cover: 1 km2 forest rasterised in {_crs} gives 1 km2", "forest-cover", ok=_cover_ok)(_build)


@case("forest-cover: land-cover raster with a scale", "forest-cover", "scale")
def _(d):
    boundary = fi.layer(d / "b.gpkg", [fi.square(fi.X0 - 1000, fi.Y0 - 1000, 4000)], kind="boundary")
    r = fi.geotiff(d / "lc.tif", np.full((10, 10), 10, dtype=np.uint8), scale=0.5)
    return ["forest-cover", f"2020={r}", "--boundary", str(boundary), "--out", str(d / "fc.csv")]


@case("forest-cover: --out is the boundary", "forest-cover", "would overwrite an input")
def _(d):
    boundary = fi.layer(d / "b.gpkg", [fi.square(fi.X0 - 1000, fi.Y0 - 1000, 4000)], kind="boundary")
    return ["forest-cover", f"2020={_landcover(d, 'EPSG:4527')}", "--boundary", str(boundary), "--out",
            str(boundary)]


@case("forest-cover: raster is a folder", "forest-cover", "folder")
def _(d):
    boundary = fi.layer(d / "b.gpkg", [fi.square(fi.X0 - 1000, fi.Y0 - 1000, 4000)], kind="boundary")
    (d / "lc.tif").mkdir()
    return ["forest-cover", f"2020={d / 'lc.tif'}", "--boundary", str(boundary), "--out", str(d / "fc.csv")]


# ------------------------------------------------------------------ workflows: targets, plan, site, map, report
def wf(d: Path, extra: str = "", bom: bool = False, layers: dict | None = None) -> Path:
    """A workflow on the synthetic region pack of tests/conftest.py."""
    from conftest import write_pack, write_workflow

    write_pack(d / "region")
    p = write_workflow(d, extra=extra)
    if bom:
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    return p


WF_BAD = {
    "capacity density override 6.5e7": ('\n[assumptions.capacity_density]\n"salt_pan.pv" = 6.5e7\n', ("W/km2",)),
    "capacity density override in kW/km2": ('\n[assumptions.capacity_density]\n"salt_pan.pv" = 66900\n',
                                            ("kW/km2",)),
    "afforestation in mu under area_km2": ('\n[[sinks.afforestation]]\nname = "belt"\narea_km2 = 20000\n'
                                           'start_year = 2021\nend_year = 2025\n', ("mu",)),
    "afforestation in m2 under area_mu": ('\n[[sinks.afforestation]]\nname = "belt"\narea_mu = 3e9\n'
                                          'start_year = 2021\nend_year = 2025\n', ("area_km2",)),
    "hub height in feet": ('\n[wind.hub_height_m]\noffshore_zone = 344\n', ("ft",)),
    "district capacity in kW": ('\n[assumptions.district]\ntotal_installed_capacity_mw = 20000000\n'
                                'total_installed_capacity_source = "x"\n', ("kW",)),
    "unknown key": ('\n[outputs2]\ndir = "x"\n', ("unknown key",)),
    "bad TOML": ('\n[outputs\n', ("not valid TOML",)),
    "missing layer file": ('\n[layers.salt_pan]\npath = "nope.gpkg"\n', ("does not exist",)),
    "unknown layer kind": ('\n[layers.saltpan]\npath = "nope.gpkg"\n', ("layer kind",)),
    "layer in Beijing only": (None, ("outside the region",)),
    "layer with inf coordinate": (None, ("not numbers",)),
}


def _wf_layer(d: Path, name: str) -> str:
    if name == "layer in Beijing only":
        p = salt(d, [BEIJING], "EPSG:4326", name="bj.gpkg")
    else:
        p = salt(d, [SQ, INF_POLY], name="inf.gpkg")
    return f'\n[layers.salt_pan]\npath = "{p.name}"\n'


for _name, (_extra, _expect) in WF_BAD.items():
    for _cmd in ("targets", "plan"):
        if _name == "layer in Beijing only" and _cmd == "targets":
            continue  # a plan leaves it out and says so (checked below)

        def _build(d: Path, e=_extra, c=_cmd, n=_name) -> list[str]:
            p = wf(d, e if e is not None else _wf_layer(d, n))
            return [c, str(p), *(["--out-dir", str(d / "out")] if c == "plan" else [])]
        if _name == "layer in Beijing only":
            case(f"plan: {_name} is left out and said", "plan",
                 ok=lambda out, d: "outside the region" in out and "left out" in out)(_build)
        else:
            case(f"{_cmd}: {_name}", _cmd, *_expect)(_build)


@case("targets: --out is the workflow", "targets", "would overwrite an input")
def _(d):
    p = wf(d)
    return ["targets", str(p), "--out", str(p)]


@case("targets: --out is the targets CSV", "targets", "would overwrite an input")
def _(d):
    p = wf(d)
    return ["targets", str(p), "--out", str(d / "region" / "targets.csv")]


@case("targets: --out is a folder", "targets", "folder")
def _(d):
    (d / "t.csv").mkdir()
    return ["targets", str(wf(d)), "--out", str(d / "t.csv")]


@case("targets: workflow with UTF-8 BOM", "targets", ok=lambda out, d: "pv_capacity" in out)
def _(d):
    return ["targets", str(wf(d, bom=True))]


@case("plan: given a folder", "plan", "folder")
def _(d):
    return ["plan", str(d)]


@case("plan: workflow missing", "plan", "not found")
def _(d):
    return ["plan", str(d / "nope.toml")]


@case("plan: --out-dir is a file", "plan", "cannot be written")
def _(d):
    (d / "outfile").write_text("x")
    return ["plan", str(wf(d)), "--out-dir", str(d / "outfile")]


@case("plan: --out-dir below a file", "plan", "cannot be written")
def _(d):
    (d / "outfile").write_text("x")
    return ["plan", str(wf(d)), "--out-dir", str(d / "outfile" / "maps")]


@case("plan: a [layers] input in the output folder under an output's name", "plan", "would overwrite an input")
def _(d):
    (d / "out").mkdir()
    salt(d / "out", name="test_run_sites.gpkg")
    return ["plan", str(wf(d, '\n[layers.salt_pan]\npath = "out/test_run_sites.gpkg"\n')), "--out-dir",
            str(d / "out")]


@case("plan: the workflow file in the output folder under the manifest's name", "plan", "would overwrite an input")
def _(d):
    p = wf(d)
    (d / "out").mkdir()
    shutil.copy(p, d / "out" / "test_run_manifest.json")
    alias = d / "out" / "test_run_manifest.json"
    alias.unlink()
    alias.hardlink_to(p)
    return ["plan", str(p), "--out-dir", str(d / "out")]


@case("plan: workflow with UTF-8 BOM runs; outputs appear as one set", "plan",
      ok=lambda out, d: (d / "out" / "test_run_manifest.json").exists()
      and not any(p.name.startswith(".") for p in (d / "out").iterdir()))
def _(d):
    return ["plan", str(wf(d, bom=True)), "--out-dir", str(d / "out")]


@case("site: --out-dir is a file", "site", "cannot be written")
def _(d):
    (d / "outfile").write_text("x")
    return ["site", str(wf(d)), "--out-dir", str(d / "outfile")]


@case("report: --out-dir below a file", "report", "cannot be written")
def _(d):
    (d / "outfile").write_text("x")
    return ["report", str(wf(d)), "--out-dir", str(d / "outfile" / "r")]


@case("map: workflow is a folder", "map", "folder")
def _(d):
    return ["map", str(d)]


# ------------------------------------------------------------------ wind
def zones(d: Path, geoms: list | None = None, crs: str = "EPSG:4527") -> Path:
    g = geoms or [shapely.box(fi.X0 + 7500, fi.Y0 + 4000, fi.X0 + 9500, fi.Y0 + 6000)]
    return fi.layer(d / "zones.gpkg", g, crs=crs, kind="offshore_zone", allowed_use=["wind"] * len(g))


def wind_args(d: Path, *extra: str, z: Path | None = None) -> list[str]:
    return ["wind", str(z or zones(d)), "--kind", "offshore_zone", "--out", str(d / "w.csv"), "--no-wakes", *extra]


def _curve(d: Path, power_scale: float = 1.0, speed_scale: float = 1.0, d_m: float = 141.0) -> str:
    ws = np.arange(3.0, 26.0)
    kw = np.clip(4200 * ((ws - 3) / 9) ** 3, 0, 4200)
    rows = ["wind_speed_mps,power_kw,rotor_diameter_m"] + [
        f"{w * speed_scale:g},{p * power_scale:g},{d_m if i == 0 else ''}" for i, (w, p) in enumerate(zip(ws, kw, strict=True))]
    (d / "curve.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(d / "curve.csv")


@case("wind: power curve in MW", "wind", "MW where kW")
def _(d):
    return wind_args(d, "--turbine", _curve(d, power_scale=1e-3), "--hub-height", "100")


@case("wind: power curve wind speeds in km/h", "wind", "km/h")
def _(d):
    return wind_args(d, "--turbine", _curve(d, speed_scale=3.6), "--hub-height", "100")


@case("wind: power curve in W", "wind", "power in W")
def _(d):
    return wind_args(d, "--turbine", _curve(d, power_scale=1e3), "--hub-height", "100")


@case("wind: rotor diameter in cm", "wind", "rated power per rotor area")
def _(d):
    return wind_args(d, "--turbine", _curve(d, d_m=14100.0), "--hub-height", "100")


@case("wind: good user curve", "wind", ok=lambda out, d: (d / "w.csv").exists())
def _(d):
    return wind_args(d, "--turbine", _curve(d), "--hub-height", "100")


@case("wind: hub height 344 (feet)", "wind", "ft")
def _(d):
    return wind_args(d, "--hub-height", "344")


@case("wind: --out is the zones file", "wind", "input")
def _(d):
    z = zones(d)
    return ["wind", str(z), "--kind", "offshore_zone", "--out", str(z), "--no-wakes"]


@case("wind: GWA Int16 scale 0.01 mean speed (8.5 m/s: capacity factor above 0.2)", "wind",
      ok=lambda out, d: float(pd.read_csv(d / "w.csv")["capacity_factor"].iloc[0]) > 0.2)
def _(d):
    g = d / "gwa"
    g.mkdir()
    from rasterio.transform import from_origin
    fi.geotiff(g / "gwa3_250_windspeed_100m.tif", np.full((40, 40), 850, dtype=np.int16), scale=0.01,
               transform=from_origin(117.4, 39.3, 0.01, 0.01))
    return wind_args(d, "--resource", str(g))


@case("wind: GWA Int16 without its scale (DN 850 as m/s)", "wind", "x0.01")
def _(d):
    g = d / "gwa"
    g.mkdir()
    from rasterio.transform import from_origin
    fi.geotiff(g / "gwa3_250_windspeed_100m.tif", np.full((40, 40), 850, dtype=np.int16),
               transform=from_origin(117.4, 39.3, 0.01, 0.01))
    return wind_args(d, "--resource", str(g))


@case("wind: zone in Beijing", "wind", "outside")
def _(d):
    return wind_args(d, z=zones(d, [BEIJING], "EPSG:4326"))


@case("wind: inf coordinate", "wind", "not numbers")
def _(d):
    return wind_args(d, z=zones(d, [shapely.box(fi.X0 + 7500, fi.Y0 + 4000, fi.X0 + 9500, fi.Y0 + 6000), INF_POLY]))


# ------------------------------------------------------------------ help texts
for _cmd in (["plan"], ["pv"], ["wind"], ["targets"], ["sinks"], ["layers", "check"], ["forest-cover"], ["site"]):
    def _build(d: Path, c=_cmd) -> list[str]:
        return [*c, "--help"]
    case(f"{' '.join(_cmd)} --help keeps square brackets", "help",
         ok=lambda out, d: "[" in out.replace("[OPTIONS]", "").replace("[ARGS]", "") or "[required]" in out)(_build)


# ------------------------------------------------------------------ running
def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def judge(c: Case, d: Path) -> tuple[bool, str]:
    from typer.testing import CliRunner

    try:
        args = c.build(d)
    except Exception as exc:  # noqa: BLE001 - a broken case is reported, not fatal
        return False, f"case could not be built: {type(exc).__name__}: {exc}"
    before = _digests(d)
    res = CliRunner().invoke(app, args)
    out = " ".join(res.output.split())
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        return False, f"exit {res.exit_code}, {type(res.exception).__name__}: {res.exception}"[:300]
    if "Traceback" in res.output or "internal error" in res.output:
        return False, f"exit {res.exit_code}: {out[:300]}"
    if c.ok is not None:
        try:
            good = res.exit_code == 0 and c.ok(out, d)
        except Exception as exc:  # noqa: BLE001
            good, out = False, f"{out[:200]} (check failed: {exc})"
        return good, f"exit {res.exit_code}: {out[:300]}"
    after = _digests(d)
    changed = [k for k in before if after.get(k) != before[k]]
    new = [k for k in after if k not in before and not k.startswith("gwa")]
    missing = [e for e in c.expect if e.lower() not in out.lower()]
    good = res.exit_code == 2 and not missing and not changed and not new
    why = (f"exit {res.exit_code}" + (f"; missing phrase(s) {missing}" if missing else "")
           + (f"; inputs changed {changed}" if changed else "") + (f"; files written {new}" if new else ""))
    return good, f"{why}: {out[:300]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="run only cases whose name contains one of these texts (comma-separated)")
    ap.add_argument("--list", action="store_true", help="list the cases and stop")
    ap.add_argument("--keep", help="keep the case folders in this folder")
    a = ap.parse_args()
    words = [w.strip().lower() for w in (a.only or "").split(",") if w.strip()]
    cases = [c for c in CASES if not words or any(w in c.name.lower() for w in words)]
    if a.list:
        print("\n".join(c.name for c in cases))
        print(f"{len(cases)} cases")
        return 0
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="binhai-sweep-"))
    root.mkdir(parents=True, exist_ok=True)
    left = []
    t0 = time.time()
    for i, c in enumerate(cases):
        d = root / f"{i:03d}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        good, detail = judge(c, d)
        print(f"{'ok  ' if good else 'LEFT'} [{c.command}] {c.name}" + ("" if good else f"\n       {detail}"),
              flush=True)
        if not good:
            left.append((c, detail))
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)
    n = len(cases)
    print(f"\n{n - len(left)} of {n} inputs handled well; {len(left)} left ({time.time() - t0:.0f} s)")
    for c, detail in left:
        print(f"  left: [{c.command}] {c.name}: {detail[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
