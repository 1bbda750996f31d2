"""Small bad or awkward field inputs, written by hand (offline): used by tests/test_field_inputs.py and by
the sweep (tests/sweep/sweep.py).

Every writer makes a tiny file of the layout a real source has (EPW, TMY3, ERA5 netCDF, GeoTIFF,
GeoPackage, Shapefile) with one defect a planner meets in the field.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent / "solar"))
from solar_testdata import LAT, LON, default_year, epw_rows, write_epw, write_era5  # noqa: E402, F401 - re-exported

X0, Y0 = 39_560_000.0, 4_320_000.0  # EPSG:4527 metres, near Tanggu (as tests/conftest.py)


def layer(path: Path, geoms: list, crs: object = "EPSG:4527", kind: str = "salt_pan", **fields: list) -> Path:
    """Write one layer named ``kind`` (default fields: a name per feature)."""
    data = {"name": [f"f{i}" for i in range(len(geoms))], **fields}
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs=crs)
    driver = "ESRI Shapefile" if path.suffix == ".shp" else None
    pyogrio.write_dataframe(gdf, path, layer=None if driver else kind, driver=driver)
    return path


def square(x: float = X0 + 1000, y: float = Y0 + 1000, side: float = 1000.0) -> shapely.Polygon:
    """A square of ``side`` metres with its south-west corner at (x, y)."""
    return shapely.box(x, y, x + side, y + side)


def bowtie(x: float = X0 + 1000, y: float = Y0 + 1000, side: float = 1000.0) -> shapely.Polygon:
    """A square's outline drawn crossing itself (a figure of eight): 2 triangles of side^2/4 each."""
    return shapely.Polygon([(x, y), (x + side, y + side), (x + side, y), (x, y + side)])


def gbk_shapefile(path: Path) -> Path:
    """A Shapefile whose DBF is GBK with no .cpg and code-page byte 0 (a Chinese desktop-GIS export)."""
    gdf = gpd.GeoDataFrame({"name": ["长芦汉沽盐场"], "名称": ["盐田"]}, geometry=[square()], crs="EPSG:4527")
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    return path


def weather_year(year: int = 2025) -> pd.DataFrame:
    """The stand-in year placed in ``year`` (a leap year gets 29 February as a copy of 28 February)."""
    df = default_year().copy()
    idx = pd.DatetimeIndex([t.replace(year=year) for t in df.index])
    df.index = idx
    if year % 4 == 0:
        feb28 = df[(idx.month == 2) & (idx.day == 28)].copy()
        feb28.index = feb28.index + pd.Timedelta(days=1)
        df = pd.concat([df, feb28]).sort_index()
    return df


def quarter_hourly() -> pd.DataFrame:
    """The stand-in year repeated every 15 minutes (four equal rows per hour, labelled at their middles)."""
    df = default_year()
    rep = df.loc[df.index.repeat(4)].copy()
    rep.index = (df.index - pd.Timedelta(minutes=30)).repeat(4) + pd.to_timedelta(
        np.tile([7.5, 22.5, 37.5, 52.5], len(df)), unit="min")
    return rep


def write_tmy3(path: Path, tz: str = "-5.0") -> Path:
    """A TMY3 file (NREL layout) of the stand-in year; ``tz`` is written as given (may be empty)."""
    df = default_year()
    head = f"723170,\"GREENSBORO PIEDMONT TRIAD INT\",NC,{tz},36.100,-79.950,270"
    cols = ("Date (MM/DD/YYYY),Time (HH:MM),ETR (W/m^2),ETRN (W/m^2),GHI (W/m^2),GHI source,GHI uncert (%),"
            "DNI (W/m^2),DNI source,DNI uncert (%),DHI (W/m^2),DHI source,DHI uncert (%),GH illum (lx),"
            "GH illum source,Global illum uncert (%),DN illum (lx),DN illum source,DN illum uncert (%),"
            "DH illum (lx),DH illum source,DH illum uncert (%),Zenith lum (cd/m^2),Zenith lum source,"
            "Zenith lum uncert (%),TotCld (tenths),TotCld source,TotCld uncert (code),OpqCld (tenths),"
            "OpqCld source,OpqCld uncert (code),Dry-bulb (C),Dry-bulb source,Dry-bulb uncert (code),"
            "Dew-point (C),Dew-point source,Dew-point uncert (code),RHum (%),RHum source,RHum uncert (code),"
            "Pressure (mbar),Pressure source,Pressure uncert (code),Wdir (degrees),Wdir source,"
            "Wdir uncert (code),Wspd (m/s),Wspd source,Wspd uncert (code),Hvis (m),Hvis source,"
            "Hvis uncert (code),CeilHgt (m),CeilHgt source,CeilHgt uncert (code),Pwat (cm),Pwat source,"
            "Pwat uncert (code),AOD (unitless),AOD source,AOD uncert (code),Alb (unitless),Alb source,"
            "Alb uncert (code),Lprecip depth (mm),Lprecip quantity (hr),Lprecip source,Lprecip uncert (code)")
    rows = []
    for t, r in zip(df.index - pd.Timedelta(minutes=30), df.itertuples(index=False), strict=True):
        vals = [t.strftime("%m/%d/1990"), f"{t.hour + 1:02d}:00", 0, 0, f"{r.ghi:.0f}", 1, 8, f"{r.dni:.0f}", 1, 8,
                f"{r.dhi:.0f}", 1, 8, 0, 1, 8, 0, 1, 8, 0, 1, 8, 0, 1, 8, 5, "E", 9, 5, "E", 9, f"{r.temp_air:.1f}",
                "A", 7, 0, "A", 7, 70, "A", 7, 1010, "A", 7, 180, "A", 7, f"{r.wind_speed:.1f}", "A", 7, 16000, "A",
                7, 77777, "A", 7, 1.0, "E", 8, 0.1, "F", 8, 0.2, "F", 8, 0, 1, "D", 9]
        rows.append(",".join(str(v) for v in vals))
    path.write_text("\n".join([head, cols, *rows]) + "\n", encoding="utf-8")
    return path


def era5_point(path: Path) -> Path:
    """An ERA5 point time series: only ``valid_time``; latitude and longitude scalar coordinates."""
    import xarray as xr

    df = default_year()
    times = (df.index + pd.Timedelta(minutes=30)).tz_convert("UTC").tz_localize(None)  # end of each hour
    ds = xr.Dataset(
        {"ssrd": ("valid_time", df["ghi"].to_numpy() * 3600.0),
         "fdir": ("valid_time", (df["ghi"] - df["dhi"]).clip(lower=0).to_numpy() * 3600.0),
         "t2m": ("valid_time", df["temp_air"].to_numpy() + 273.15),
         "u10": ("valid_time", np.full(len(df), 3.0)), "v10": ("valid_time", np.full(len(df), -4.0))},
        coords={"valid_time": times.to_numpy(), "latitude": 39.0, "longitude": 117.75},
    )
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def geotiff(path: Path, values: np.ndarray, *, crs: str = "EPSG:4326", transform: object = None,
            scale: float = 1.0, offset: float = 0.0, nodata: float | None = None) -> Path:
    """A single-band GeoTIFF with a band scale and offset (as GDAL's -a_scale/-a_offset write them)."""
    import rasterio
    from rasterio.transform import from_origin

    transform = transform or from_origin(117.5, 39.2, 0.01, 0.01)
    with rasterio.open(path, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
                       dtype=values.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(values, 1)
        dst.scales = (scale,)
        dst.offsets = (offset,)
    return path
