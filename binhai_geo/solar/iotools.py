"""Weather readers, one per source, in the spirit of :mod:`pvlib.iotools`.

Every reader returns a :class:`WeatherSet`: one or more weather cells, each with a location and an
hourly table with the canonical columns

=============  ======  ====================================================
column         unit    meaning
=============  ======  ====================================================
``ghi``        W/m2    global horizontal irradiance (interval mean)
``dni``        W/m2    direct normal irradiance
``dhi``        W/m2    diffuse horizontal irradiance
``temp_air``   C       air temperature at 2 m
``wind_speed`` m/s     wind speed at 10 m
``albedo``     -       ground albedo (only when the source has it)
=============  ======  ====================================================

and a time-zone-aware index at the **middle** of each interval, so that solar position is evaluated
where the interval mean applies: TMY3 and ERA5 label an hour by its end (shifted by -30 min), pvlib's EPW
reader by its start (+30 min); PVGIS TMY stamps HH:00 UTC and states an irradiance time offset (the
satellite's time within the hour), which is added.

EPW and TMY3 files are read with :func:`pvlib.iotools.read_epw` and :func:`pvlib.iotools.read_tmy3`,
PVGIS TMY (CSV and JSON) with :func:`pvlib.iotools.read_pvgis_tmy` (all local files, no network). ERA5
netCDF is read with xarray: ``ssrd`` and ``fdir`` accumulations [J/m2] are de-accumulated to W/m2
(hourly ERA5 accumulates over the hour ending at the time stamp; ERA5-Land from 00 UTC, detected and
differenced), ``t2m`` goes from K to C, ``u10``/``v10`` to a speed. pvlib has no ERA5 file reader,
which is why that one is written here. Every table is checked by
:func:`binhai_geo.solar.weathercheck.validate_weather` (missing values, gaps, time zone, magnitudes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.atomic import note_input
from binhai_geo.errors import WeatherError
from binhai_geo.notes import Note
from binhai_geo.solar.weathercheck import field_checks, to_hourly, validate_weather

CANONICAL = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
#: File suffixes and what they are read as.
WEATHER_FORMATS = {".epw": "EPW", ".csv": "TMY3 or PVGIS TMY CSV", ".json": "PVGIS TMY JSON", ".nc": "ERA5 netCDF"}


@dataclass
class WeatherCell:
    """One weather location: where it is and its hourly table (canonical columns)."""

    name: str
    latitude: float
    longitude: float
    altitude: float
    data: pd.DataFrame


@dataclass
class WeatherSet:
    """The weather cells of one source.

    Attributes
    ----------
    cells : list of WeatherCell
        One cell per location (a point file has one; ERA5 has one per grid point).
    source : str
        What the weather is (file and format, or the stand-in's description).
    stand_in : bool
        True for the default year built from climate normals (not measured data).
    path : pathlib.Path or None
        The file read.
    notes : list of binhai_geo.notes.Note
        Things said about the source (e.g. distance of the sites from a point file).
    """

    cells: list[WeatherCell]
    source: str
    stand_in: bool = False
    path: Path | None = None
    notes: list[Note] = field(default_factory=list)

    def nearest(self, latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the index of the nearest cell for each point and its distance [km]."""
        lat = np.radians(np.asarray(latitude, dtype=float))[:, None]
        lon = np.radians(np.asarray(longitude, dtype=float))[:, None]
        clat = np.radians([c.latitude for c in self.cells])[None, :]
        clon = np.radians([c.longitude for c in self.cells])[None, :]
        # haversine distance on a 6371 km sphere
        a = np.sin((clat - lat) / 2) ** 2 + np.cos(lat) * np.cos(clat) * np.sin((clon - lon) / 2) ** 2
        d = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        idx = np.argmin(d, axis=1)
        return idx, d[np.arange(len(idx)), idx]


def _finish(df: pd.DataFrame, path: Path, shift_minutes: int, lat: float, lon: float, alt: float, *,
            epw: bool = False) -> tuple[pd.DataFrame, list[Note]]:
    """Prepare a weather table: canonical columns, hourly, labels at interval middles, checked.

    Sub-hourly rows are aggregated; the field checks (:func:`binhai_geo.solar.weathercheck.field_checks`)
    and :func:`binhai_geo.solar.weathercheck.validate_weather` run; returns the table and notes.
    """
    missing = [c for c in CANONICAL if c not in df.columns]
    if missing:
        raise WeatherError(f"the file lacks column(s) {', '.join(missing)} after reading",
                           file=str(path), hint="give a complete weather file (GHI, DNI, DHI, air temperature, wind)")
    cols = [*CANONICAL, *(["albedo"] if "albedo" in df.columns else [])]
    out = df[cols].astype(float).copy()
    out, notes = to_hourly(out)
    if shift_minutes:
        out.index = out.index + pd.Timedelta(minutes=shift_minutes)
    complete = bool(out[["ghi", "dni", "dhi"]].notna().all().all())  # gaps: said by validate_weather
    if len(out) > 24 and complete and not out.index.has_duplicates and out.index.is_monotonic_increasing:
        out, said = field_checks(out, lat, lon, alt, str(path), epw=epw)
        notes += said
    return validate_weather(out, file=str(path)), notes


def _single(df: pd.DataFrame, meta: dict, path: Path, fmt: str, shift: int, *, epw: bool = False,
            notes: list[Note] | None = None) -> WeatherSet:
    lat = float(meta.get("latitude", np.nan))
    lon = float(meta.get("longitude", np.nan))
    alt = float(meta.get("altitude", meta.get("elevation", 0.0)) or 0.0)
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise WeatherError("the file states no latitude/longitude", file=str(path),
                           hint="use a file whose header gives the station location")
    data, said = _finish(df, path, shift, lat, lon, alt, epw=epw)
    said = [Note("solar.weather.file_note", {"file": path.name, "note": n}) for n in [*(notes or []), *said]]
    return WeatherSet([WeatherCell(path.stem, lat, lon, alt, data)], f"{fmt} file {path.name}", path=path,
                      notes=said)


def read_epw(path: str | Path) -> WeatherSet:
    """Read an EnergyPlus weather (EPW) file with :func:`pvlib.iotools.read_epw`."""
    import pvlib

    p = Path(path)
    try:
        with p.open("r", encoding="utf-8", errors="replace") as fh:
            location = fh.readline().strip().split(",")
    except OSError as exc:
        raise WeatherError(f"cannot open: {exc}", file=str(p), hint="check the path") from None
    if not location[0].upper().startswith("LOCATION") or len(location) < 10:
        raise WeatherError("not an EPW file: the first line must be LOCATION with 10 fields", file=str(p),
                           hint="give an EnergyPlus weather file")
    if location[8].strip() == "":
        raise WeatherError("the EPW LOCATION line gives no time zone, so solar position would be wrong by hours",
                           file=str(p), field="LOCATION time zone", hint="fill the 9th field (e.g. 8.0 for China)")
    try:
        df, meta = pvlib.iotools.read_epw(p)  # the file's own years: an actual leap year keeps 29 February
    except Exception as exc:  # noqa: BLE001 - pvlib raises many kinds for bad files
        raise WeatherError(f"cannot read as EPW: {exc}", file=str(p),
                           hint="give an EPW file (8 header lines, then hourly rows)") from None
    # pvlib labels each row by the start of its hour (EPW hour 1 -> 00:00); sub-hourly rows share it.
    df, notes = _epw_calendar(df)
    return _single(df, meta, p, "EPW", 30, epw=True, notes=notes)


#: The year a typical (multi-year) weather file is mapped onto: a fixed non-leap year.
TYPICAL_YEAR = 1990


def _epw_calendar(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Note]]:
    """Average sub-hourly EPW rows to hours; keep an actual year, map a typical year onto :data:`TYPICAL_YEAR`.

    A file whose rows carry one year is an actual year (a leap year keeps its 8,784 hours). A typical year
    (months taken from different years, as TMY/CMA typical years are) is placed in one fixed non-leap year,
    whatever years its months come from; a 29 February in it is dropped and said.
    """
    notes = []
    numeric = df.select_dtypes("number")
    if numeric.index.has_duplicates:
        n = len(numeric)
        numeric = numeric.groupby(level=0, sort=False).mean()
        notes.append(Note("solar.weather.epw_subhourly", {"n_rows": n, "n_hours": len(numeric)}))
    years = pd.Series(numeric["year"].to_numpy(int))
    if years.nunique() > 1:
        idx = numeric.index
        feb29 = (idx.month == 2) & (idx.day == 29)
        if feb29.any():
            numeric = numeric[~feb29]
            notes.append(Note("solar.weather.feb29_dropped", {"n_rows": int(feb29.sum()), "year": TYPICAL_YEAR}))
        idx = numeric.index
        numeric.index = pd.DatetimeIndex([t.replace(year=TYPICAL_YEAR) for t in idx])
        numeric = numeric.sort_index()
    return numeric, notes


def _coerce_year(df: pd.DataFrame, year: int, end_labelled: bool) -> pd.DataFrame:
    """Put a typical year's rows (months from different years) into one calendar year."""
    idx = df.index
    shifted = idx - pd.Timedelta(hours=1) if end_labelled else idx
    try:
        new = pd.DatetimeIndex([t.replace(year=year) for t in shifted])
    except ValueError:  # 29 February in a non-leap target year
        raise WeatherError("the typical year holds 29 February; cannot place it in one calendar year",
                           hint="drop the 29 February rows") from None
    if end_labelled:
        new = new + pd.Timedelta(hours=1)
    out = df.copy()
    out.index = new
    return out.sort_index()


#: The fields of a TMY3 file's first line (NREL TMY3 user's manual, Wilcox and Marion 2008, section 2).
TMY3_HEADER = ("USAF", "Name", "State", "TZ", "latitude", "longitude", "altitude")


def _check_tmy3_header(path: Path) -> None:
    """Refuse a TMY3 whose first line leaves TZ, latitude, longitude or altitude empty or not a number."""
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            head = fh.readline().rstrip("\r\n").split(",")
    except OSError as exc:
        raise WeatherError(f"cannot open: {exc.strerror or exc}", file=str(path), hint="check the path") from None
    for i, name in enumerate(TMY3_HEADER[3:], start=3):
        value = head[i].strip() if i < len(head) else ""
        try:
            float(value)
        except ValueError:
            what = "is empty" if value == "" else f"holds '{value}', not a number"
            raise WeatherError(f"the TMY3 header field '{name}' (field {i + 1} of the first line) {what}",
                               file=str(path), field=name,
                               hint="fill it: TZ is the offset from UTC in hours (8 for China), latitude and "
                               "longitude in decimal degrees, altitude in metres") from None


def read_tmy3(path: str | Path) -> WeatherSet:
    """Read a TMY3 CSV file with :func:`pvlib.iotools.read_tmy3`."""
    import pvlib

    p = Path(path)
    _check_tmy3_header(p)
    try:
        df, meta = pvlib.iotools.read_tmy3(p, coerce_year=1990, map_variables=True)
    except Exception as exc:  # noqa: BLE001
        raise WeatherError(f"cannot read as TMY3: {exc}", file=str(p), hint="give a TMY3 CSV file") from None
    df = df.rename(columns={"wind_speed": "wind_speed", "albedo": "albedo"})
    if df.index.tz is None:
        raise WeatherError("the TMY3 header gives no time zone", file=str(p), hint="fill the TZ field of the header")
    # pvlib puts the last row (hour 24 of 31 Dec) into the next year: the series stays regular.
    return _single(df, meta, p, "TMY3", -30)


def read_pvgis_tmy(path: str | Path) -> WeatherSet:
    """Read a PVGIS TMY file (CSV or JSON) with :func:`pvlib.iotools.read_pvgis_tmy`."""
    import pvlib

    p = Path(path)
    fmt = "json" if p.suffix.lower() == ".json" else "csv"
    try:
        out = pvlib.iotools.read_pvgis_tmy(p, pvgis_format=fmt, map_variables=True)
    except Exception as exc:  # noqa: BLE001
        raise WeatherError(f"cannot read as PVGIS TMY ({fmt}): {exc}", file=str(p),
                           hint="give the TMY file as downloaded from PVGIS (CSV or JSON output)") from None
    df, meta = out[0], out[-1]
    inputs = meta.get("inputs", meta) if isinstance(meta, dict) else {}
    loc = inputs.get("location", inputs)
    offset_h = loc.get("irradiance_time_offset", loc.get("irradiance time offset", 0.0)) or 0.0
    meta = {"latitude": loc.get("latitude"), "longitude": loc.get("longitude"),
            "altitude": loc.get("elevation", 0.0)}
    if df.index.tz is None:
        raise WeatherError("the PVGIS time stamps carry no time zone", file=str(p),
                           hint="PVGIS files are in UTC; give the file as downloaded")
    df = _coerce_year(df, int(df.index[0].year), end_labelled=False)
    # PVGIS irradiance applies at HH:00 + the stated irradiance time offset (satellite time)
    return _single(df, meta, p, "PVGIS TMY", int(round(float(offset_h) * 60)))


def _deaccumulate(values: np.ndarray, times: pd.DatetimeIndex) -> np.ndarray:
    """Hourly accumulations [J/m2] to mean fluxes [W/m2] (axis 0 is time).

    ERA5 (single levels) accumulates over the hour ending at each time stamp; ERA5-Land accumulates
    from 00 UTC through the day (the 01 UTC value is the first hour, 00 UTC the whole day). The latter is
    recognised by values that (almost) never fall except after 01 UTC, and is differenced.
    """
    steps = np.diff(values, axis=0)
    cont = np.asarray(times.hour[1:] != 1)  # pairs inside one accumulation period
    growing = steps[cont] >= -1.0
    if cont.any() and growing.mean() > 0.98 and np.nanmax(values) > 5.0e6:
        hourly = values.copy()
        hourly[1:][cont] = steps[cont]
        values = hourly
    return values / 3600.0


def read_era5(path: str | Path) -> WeatherSet:
    """Read an ERA5 (or ERA5-Land) hourly netCDF file: one weather cell per grid point.

    Needs ``ssrd`` (surface solar radiation downwards), ``fdir`` (direct radiation on a horizontal
    surface), ``t2m``, ``u10`` and ``v10``; ``fal`` (forecast albedo) is used when present.
    """
    import pvlib
    import xarray as xr

    p = Path(path)
    ds = None
    for engine in ("h5netcdf", "scipy"):  # netCDF4/HDF5 files, then netCDF3 classic (CDS served both)
        try:
            ds = xr.open_dataset(p, engine=engine)
            break
        except Exception as exc:  # noqa: BLE001 - each engine raises its own kinds
            error = exc
    if ds is None:
        raise WeatherError(f"cannot open as netCDF: {error}", file=str(p), hint="give an ERA5 netCDF file")
    with ds:
        need = ("ssrd", "fdir", "t2m", "u10", "v10")
        missing = [v for v in need if v not in ds]
        if missing:
            raise WeatherError(f"ERA5 variable(s) missing: {', '.join(missing)}; found {', '.join(ds.data_vars)}",
                               file=str(p), hint="download ssrd, fdir, t2m, u10 and v10 (and optionally fal)")
        tname = "valid_time" if "valid_time" in ds.dims else "time"
        latname = "latitude" if "latitude" in ds.variables else "lat"
        lonname = "longitude" if "longitude" in ds.variables else "lon"
        if tname not in ds.dims or latname not in ds.variables or lonname not in ds.variables:
            raise WeatherError(f"no time, latitude or longitude coordinate; found {', '.join(map(str, ds.variables))}",
                               file=str(p), hint="give an ERA5 file as downloaded (valid_time or time, latitude, "
                               "longitude)")
        for name in (latname, lonname):  # a point time series: latitude/longitude are scalars -> one cell
            if name not in ds.dims:
                ds = ds.expand_dims(name) if ds[name].ndim == 0 else ds
        extra = [d for d in ds["ssrd"].dims if d not in (tname, latname, lonname)]
        if any(ds.sizes[d] != 1 for d in extra):
            raise WeatherError(f"unexpected dimension(s) {', '.join(map(str, extra))} in 'ssrd'", file=str(p),
                               hint="give one ERA5 product (no ensemble members or expver mix)")
        ds = ds.squeeze([d for d in extra], drop=True) if extra else ds
        ds = ds.transpose(tname, latname, lonname, ...)
        times = pd.DatetimeIndex(ds[tname].values)
        if times.tz is None:
            times = times.tz_localize("UTC")  # ERA5 time is UTC by definition
        arrays = {v: ds[v].values.astype(float) for v in (*need, *(["fal"] if "fal" in ds else []))}
        lats, lons = ds[latname].values, ds[lonname].values
    for v in ("ssrd", "fdir"):
        arr = arrays[v]
        if np.nanmax(arr) < 5000.0 and np.nanmax(arr) > 0:
            raise WeatherError(f"'{v}' peaks at {np.nanmax(arr):.0f}: that is a flux in W/m2, not an ERA5 "
                               "accumulation in J/m2", file=str(p), field=v,
                               hint="give the ERA5 variables as downloaded (J/m2 accumulated over the hour)")
    ghi = _deaccumulate(arrays["ssrd"], times)
    bhi = _deaccumulate(arrays["fdir"], times)
    temp = arrays["t2m"] - 273.15
    wind = np.hypot(arrays["u10"], arrays["v10"])
    mid = times - pd.Timedelta(minutes=30)
    cells = []
    notes: list[Note] = []
    for i, la in enumerate(lats):
        for j, lo in enumerate(lons):
            sp = pvlib.solarposition.get_solarposition(mid, float(la), float(lo), method="nrel_numpy")
            cosz = np.cos(np.radians(sp["zenith"].to_numpy()))
            g = np.clip(ghi[:, i, j], 0, None)
            b = np.clip(np.minimum(bhi[:, i, j], g), 0, None)
            dni = np.where(cosz > 0.0175, b / np.maximum(cosz, 0.0175), 0.0)  # sun above 1 deg
            df = pd.DataFrame({"ghi": g, "dni": dni, "dhi": g - b, "temp_air": temp[:, i, j],
                               "wind_speed": wind[:, i, j]}, index=times)
            if "fal" in arrays:
                df["albedo"] = arrays["fal"][:, i, j]
            data, said = _finish(df, p, -30, float(la), float(lo), 0.0)
            notes.extend(Note("solar.weather.cell_note", {"file": p.name, "latitude": float(la), "longitude": float(lo),
                                                          "note": n}) for n in said)
            cells.append(WeatherCell(f"{float(la):.2f}N {float(lo):.2f}E", float(la), float(lo), 0.0, data))
    return WeatherSet(cells, f"ERA5 netCDF {p.name} ({len(cells)} grid points)", path=p, notes=notes)


def _looks_like_tmy3(path: Path) -> bool:
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    return not first.lower().startswith("latitude") and first.count(",") >= 6 and "time(utc)" not in first.lower()


def read_weather(path: str | Path) -> WeatherSet:
    """Read any supported weather file, chosen by suffix (and, for CSV, by its first line).

    Raises
    ------
    WeatherError
        For a missing file, an unknown format, or bad content.
    """
    p = Path(path)
    if not p.exists():
        raise WeatherError("weather file not found", file=str(p), hint="check the path, or use 'default'")
    if p.is_dir():
        raise WeatherError("this is a folder, not a weather file", file=str(p),
                           hint="give the weather file itself (.epw, .csv, .json or .nc), or use 'default'")
    note_input(p)
    suffix = p.suffix.lower()
    if suffix not in WEATHER_FORMATS:
        raise WeatherError(f"unsupported weather file type '{p.suffix}'", file=str(p),
                           hint="give " + ", ".join(f"{k} ({v})" for k, v in WEATHER_FORMATS.items()))
    if suffix == ".epw":
        return read_epw(p)
    if suffix == ".nc":
        return read_era5(p)
    if suffix == ".json":
        return read_pvgis_tmy(p)
    return read_tmy3(p) if _looks_like_tmy3(p) else read_pvgis_tmy(p)
