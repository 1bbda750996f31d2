"""Weather files for the solar tests, written from the stand-in default year (small, offline, by hand).

Writers for EPW, PVGIS TMY (CSV and JSON) and ERA5 netCDF produce the layouts those sources use, so the
readers are tested on the real formats; values round-trip, which the tests check.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

LAT, LON = 39.05, 117.72


@lru_cache(maxsize=4)
def default_year(lat: float = LAT, lon: float = LON, seed: int = 2025) -> pd.DataFrame:
    """The stand-in year at (lat, lon): hourly, index at hour middles, China Standard Time."""
    from binhai_geo.solar.weather import default_weather

    return default_weather(lat, lon, year=2025, seed=seed)


def weather_set(lat: float = LAT, lon: float = LON):  # noqa: ANN201 - WeatherSet
    """A one-cell WeatherSet of the default year."""
    from binhai_geo.solar.iotools import WeatherCell, WeatherSet

    df = default_year(lat, lon)[["ghi", "dni", "dhi", "temp_air", "wind_speed"]]
    return WeatherSet([WeatherCell("test", lat, lon, 5.0, df)], "test default year", stand_in=True)


def epw_rows(df: pd.DataFrame, years: np.ndarray | None = None, minutes: np.ndarray | None = None,
             albedo: np.ndarray | None = None) -> list[str]:
    """EPW data rows (35 fields) from a table indexed at interval middles; hour labels the interval's end."""
    start = df.index - (df.index[1] - df.index[0]) / 2
    n = len(df)
    years = np.asarray(start.year) if years is None else np.asarray(years)
    minutes = np.full(n, 60) if minutes is None else np.asarray(minutes)
    albedo = np.full(n, 0.2) if albedo is None else np.asarray(albedo)
    cols = [years, start.month, start.day, start.hour + 1, minutes,
            ["?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9"] * n, np.round(df["temp_air"], 2), [0.0] * n,
            [70] * n, [101000] * n, [0] * n, [0] * n, [300] * n, np.round(df["ghi"], 4), np.round(df["dni"], 4),
            np.round(df["dhi"], 4), *([[0] * n] * 4), [180] * n, np.round(df["wind_speed"], 2), [5] * n, [5] * n,
            [20.0] * n, [99999] * n, [9] * n, [999999999] * n, [10] * n, [0.1] * n, [0] * n, [88] * n, albedo,
            [0] * n, [1] * n]
    table = pd.DataFrame({i: np.asarray(c) for i, c in enumerate(cols)})
    return table.to_csv(header=False, index=False, lineterminator="\n").splitlines()


def write_epw(path: Path, df: pd.DataFrame | None = None, *, tz: str = "8.0", **kw: object) -> Path:
    """Write an EPW from an hourly (or sub-hourly) table; ``kw`` goes to :func:`epw_rows`."""
    df = default_year() if df is None else df
    header = [
        f"LOCATION,Tanggu test,Tianjin,CHN,CSWD,54623,{LAT},{LON},{tz},5.0",
        "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,written by tests", "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    path.write_text("\n".join(header + epw_rows(df, **kw)) + "\n", encoding="utf-8")
    return path


def _pvgis_rows(df: pd.DataFrame) -> pd.DataFrame:
    utc = df.index.tz_convert("UTC") - pd.Timedelta(minutes=30)  # HH:00 UTC; the header's offset is 0.5 h
    return pd.DataFrame({
        "time(UTC)": utc.strftime("%Y%m%d:%H%M"), "T2m": df["temp_air"].round(3).to_numpy(),
        "RH": 70.0, "G(h)": df["ghi"].round(4).to_numpy(), "Gb(n)": df["dni"].round(4).to_numpy(),
        "Gd(h)": df["dhi"].round(4).to_numpy(), "IR(h)": 300.0, "WS10m": df["wind_speed"].to_numpy(),
        "WD10m": 180.0, "SP": 101000.0,
    })


def _rotate_to_utc_year(df: pd.DataFrame) -> pd.DataFrame:
    """Roll the year so its UTC stamps stay within one calendar year (as a PVGIS TMY is)."""
    utc = df.index.tz_convert("UTC")
    keep = utc.year == 2025
    moved = df[~keep]
    out = pd.concat([df[keep], moved])
    out.index = pd.DatetimeIndex(list(utc[keep]) + [t.replace(year=2025) for t in utc[~keep]])
    return out.sort_index()


def write_pvgis_csv(path: Path, df: pd.DataFrame | None = None) -> Path:
    """Write a PVGIS TMY CSV file (header lines, month/year table, hourly rows, footer)."""
    df = _rotate_to_utc_year(default_year() if df is None else df)
    rows = _pvgis_rows(df)
    head = [f"Latitude (decimal degrees): {LAT:.3f}", f"Longitude (decimal degrees): {LON:.3f}",
            "Elevation (m): 5.0", "Irradiance Time Offset (h): 0.5", "month,year",
            *[f"{m},2025" for m in range(1, 13)]]
    body = rows.to_csv(index=False, lineterminator="\n")
    foot = ["", "T2m: 2-m air temperature (degree Celsius)", "G(h): Global irradiance on the horizontal plane (W/m2)",
            "PVGIS (c) European Union, 2001-2024"]
    path.write_text("\n".join(head) + "\n" + body + "\n".join(foot) + "\n", encoding="utf-8")
    return path


def write_pvgis_json(path: Path, df: pd.DataFrame | None = None) -> Path:
    """Write a PVGIS TMY JSON file (inputs, outputs.months_selected, outputs.tmy_hourly)."""
    df = _rotate_to_utc_year(default_year() if df is None else df)
    rows = _pvgis_rows(df)
    doc = {
        "inputs": {"location": {"latitude": LAT, "longitude": LON, "elevation": 5.0, "irradiance_time_offset": 0.5},
                   "meteo_data": {"radiation_db": "test", "meteo_db": "test", "year_min": 2025, "year_max": 2025}},
        "outputs": {"months_selected": [{"month": m, "year": 2025} for m in range(1, 13)],
                    "tmy_hourly": rows.to_dict(orient="records")},
        "meta": {"inputs": {"location": {"description": "Selected location"}}, "outputs": {}},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_era5(path: Path, df: pd.DataFrame | None = None, *, land: bool = False, as_flux: bool = False) -> Path:
    """Write an ERA5-like hourly netCDF on a 2 x 2 grid (J/m2 accumulations, K, u/v components).

    ``land``: accumulate from 00 UTC through the day as ERA5-Land does. ``as_flux``: write W/m2 (wrong).
    """
    import xarray as xr

    df = default_year() if df is None else df
    times = (df.index + pd.Timedelta(minutes=30)).tz_convert("UTC").tz_localize(None)  # end of each hour
    scale = 1.0 if as_flux else 3600.0
    ssrd = df["ghi"].to_numpy() * scale
    fdir = (df["ghi"] - df["dhi"]).clip(lower=0).to_numpy() * scale
    if land:
        day = pd.DatetimeIndex(times - pd.Timedelta(hours=1)).normalize()
        ssrd = pd.Series(ssrd).groupby(day).cumsum().to_numpy()
        fdir = pd.Series(fdir).groupby(day).cumsum().to_numpy()
    lats, lons = np.array([39.25, 39.0]), np.array([117.5, 117.75])

    def grid(v: np.ndarray) -> np.ndarray:
        return np.repeat(np.repeat(v[:, None, None], 2, axis=1), 2, axis=2)

    ds = xr.Dataset(
        {"ssrd": (("valid_time", "latitude", "longitude"), grid(ssrd)),
         "fdir": (("valid_time", "latitude", "longitude"), grid(fdir)),
         "t2m": (("valid_time", "latitude", "longitude"), grid(df["temp_air"].to_numpy() + 273.15)),
         "u10": (("valid_time", "latitude", "longitude"), grid(np.full(len(df), 3.0))),
         "v10": (("valid_time", "latitude", "longitude"), grid(np.full(len(df), -4.0)))},
        coords={"valid_time": times.to_numpy(), "latitude": lats, "longitude": lons},
    )
    ds.to_netcdf(path, engine="h5netcdf")
    return path
