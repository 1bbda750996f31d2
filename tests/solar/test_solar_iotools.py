"""Weather readers: EPW, TMY3, PVGIS TMY (CSV, JSON), ERA5 and ERA5-Land netCDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pvlib
import pytest
from solar_testdata import _rotate_to_utc_year, default_year, write_epw, write_era5, write_pvgis_csv, write_pvgis_json

from binhai_geo.errors import WeatherError
from binhai_geo.solar.iotools import CANONICAL, read_weather

TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


def _values_match(ws, column: str = "ghi", tol: float = 1e-3, utc_year: bool = False) -> None:
    src = default_year()
    src = (_rotate_to_utc_year(src) if utc_year else src)[column].to_numpy()
    got = ws.cells[0].data[column].to_numpy()
    assert np.abs(got - src).max() < tol


@pytest.mark.parametrize("writer", [write_epw, write_pvgis_csv, write_pvgis_json])
def test_point_formats_round_trip(tmp_path, writer):
    name = {write_epw: "w.epw", write_pvgis_csv: "w.csv", write_pvgis_json: "w.json"}[writer]
    ws = read_weather(writer(tmp_path / name))
    d = ws.cells[0].data
    assert list(d.columns[:5]) == list(CANONICAL) and len(d) == 8760
    assert d.index.tz is not None and (d.index.minute == 30).all()  # interval middles
    assert ws.cells[0].latitude == pytest.approx(39.05)
    for col in ("ghi", "dni", "dhi", "temp_air"):
        _values_match(ws, col, tol=0.01, utc_year=writer is not write_epw)


def test_tmy3_from_pvlib(tmp_path):
    ws = read_weather(TMY3)
    d = ws.cells[0].data
    assert len(d) == 8760 and d.index[0].minute == 30 and str(d.index.tz) == "UTC-05:00"
    assert 1400 < d["ghi"].sum() / 1000 < 1900  # Greensboro, NC
    assert "albedo" in d.columns


def test_era5_grid_and_units(tmp_path):
    ws = read_weather(write_era5(tmp_path / "era5.nc"))
    assert len(ws.cells) == 4  # one weather cell per grid point
    d = ws.cells[0].data
    _values_match(ws, "ghi", 1e-6)  # J/m2 per hour -> W/m2
    _values_match(ws, "temp_air", 1e-9)  # K -> C
    assert d["wind_speed"].to_numpy() == pytest.approx(5.0)  # (3, -4) m/s -> 5 m/s
    assert (d.index.minute == 30).all()
    idx, dist = ws.nearest(np.array([39.24]), np.array([117.74]))
    assert ws.cells[int(idx[0])].latitude == 39.25 and ws.cells[int(idx[0])].longitude == 117.75
    assert dist[0] < 2.0


def test_era5_land_daily_accumulation_is_differenced(tmp_path):
    ws = read_weather(write_era5(tmp_path / "land.nc", land=True))
    _values_match(ws, "ghi", 1e-6)
    _values_match(ws, "dhi", 1e-6)


def test_flux_passed_as_accumulation_is_refused(tmp_path):
    with pytest.raises(WeatherError, match="flux in W/m2, not an ERA5 accumulation"):
        read_weather(write_era5(tmp_path / "flux.nc", as_flux=True))


def test_bad_files(tmp_path):
    with pytest.raises(WeatherError, match="weather file not found"):
        read_weather(tmp_path / "missing.epw")
    (tmp_path / "w.txt").write_text("x")
    with pytest.raises(WeatherError, match="unsupported weather file type"):
        read_weather(tmp_path / "w.txt")
    with pytest.raises(WeatherError, match="no time zone"):
        read_weather(write_epw(tmp_path / "notz.epw", tz=""))
    df = default_year().copy()
    df.loc[df.index[3000], "dni"] = np.nan
    with pytest.raises(WeatherError, match="missing value"):
        read_weather(write_epw(tmp_path / "nan.epw", df))
