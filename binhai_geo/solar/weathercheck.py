"""Weather files as they come from the field: missing-value codes, beam artefacts, clock and unit checks.

Every reader of :mod:`binhai_geo.solar.iotools` passes its table through :func:`field_checks` before the
generic checks of :func:`validate_weather`. What is repaired is said in notes;
what cannot be repaired is refused with its cause.

- **EPW missing-value codes** (EnergyPlus *Auxiliary Programs*, "Weather file format" field definitions):
  9999 for global, direct normal and diffuse horizontal irradiance, 999 for albedo, 99.9 for air
  temperature, 999 for wind speed. A missing irradiance component is filled by closure from the other two
  (GHI = DNI cos z + DHI); short temperature/wind gaps (up to :data:`MAX_FILL_HOURS`) are interpolated;
  missing albedo falls back to the file's median. Anything else is refused, naming the code.
- **Beam artefacts** (typical years derived from China Meteorological Administration data carry DNI
  computed by closure at low sun, e.g. 3,862 W/m2 with GHI 49 and DHI 4 W/m2): the beam on the horizontal
  cannot exceed GHI - DHI, and DNI cannot exceed the clear-sky beam (pvlib's simplified Solis model with a
  very clean atmosphere, aerosol optical depth 0.05 at 700 nm, as an upper bound); DNI is capped and the
  difference moved to the diffuse so that GHI is kept. Hours and energy changed are reported; a file that
  needs this in more than :data:`MAX_REPAIR_SHARE` of its daylight hours is refused as inconsistent.
- **Clock**: the GHI-weighted mean time of day must fall within :data:`MAX_NOON_OFFSET_H` of solar noon
  at the file's longitude; a file in local time labelled UTC (or the reverse) is refused with the offset.
- **Units**: irradiance peaking below 5 is kW/m2 or kWh/m2 per hour (x1000); annual GHI must lie between
  :data:`MIN_CLEARNESS` and :data:`MAX_CLEARNESS` times the clear-sky annual GHI at the file's latitude.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from binhai_geo.errors import WeatherError
from binhai_geo.notes import Note

#: EPW missing-value codes, per the EnergyPlus weather-file field definitions (a value equal to the code).
EPW_MISSING = {"ghi": 9999.0, "dni": 9999.0, "dhi": 9999.0, "albedo": 999.0, "temp_air": 99.9,
               "wind_speed": 999.0}
#: Longest run of missing temperature or wind hours filled by linear interpolation [h] (ASSUMPTION:
#: weather persists over a few hours; longer gaps need another source).
MAX_FILL_HOURS = 6
#: Beam closure tolerance: beam on the horizontal may exceed GHI - DHI by this much before repair [W/m2]
#: plus :data:`CLOSURE_REL` of GHI (ASSUMPTION: rounding and the sun's movement within the hour).
CLOSURE_ABS_W_M2 = 25.0
CLOSURE_REL = 0.10
#: DNI may exceed the clean-sky Solis beam by this much before it is capped [W/m2] (ASSUMPTION).
CLEARSKY_MARGIN_W_M2 = 50.0
#: Aerosol optical depth at 700 nm of the clear-sky upper bound (very clean air; Solis default is 0.1).
CLEARSKY_AOD700 = 0.05
#: A file needing beam repair in more than this share of its daylight hours is refused (ASSUMPTION: the
#: CMA-derived files seen carry 75-160 such hours, 2-4 % of about 4,400 daylight hours).
MAX_REPAIR_SHARE = 0.10
#: Largest offset of the GHI-weighted mean time of day from solar noon [h] (ASSUMPTION: cloud patterns
#: shift it by well under an hour; a time-zone error shifts it by whole hours).
MAX_NOON_OFFSET_H = 1.5
#: Annual GHI must lie within these shares of the clear-sky annual GHI (ASSUMPTION: the cloudiest
#: inhabited climates keep about 0.35 of clear-sky, deserts reach about 0.9).
MIN_CLEARNESS = 0.3
MAX_CLEARNESS = 1.05


def fill_missing_codes(df: pd.DataFrame, cosz: np.ndarray, file: str) -> tuple[pd.DataFrame, list[Note]]:
    """Replace EPW missing-value codes (:data:`EPW_MISSING`) by repaired values, or refuse.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical columns, hourly.
    cosz : numpy.ndarray
        Cosine of the solar zenith at each row's interval middle.
    file : str
        For messages.

    Returns
    -------
    (pandas.DataFrame, list of binhai_geo.notes.Note)
        The table and notes on what was filled.
    """
    out = df.copy()
    notes = []
    # The code itself marks a missing value; values merely above it are a unit problem (J/m2, Kelvin), said later.
    missing = {c: np.isclose(out[c].to_numpy(float), code, rtol=0, atol=1e-6)
               for c, code in EPW_MISSING.items() if c in out}
    irr = [c for c in ("ghi", "dni", "dhi") if missing[c].any()]
    if irr:
        n_missing = sum(missing[c] for c in ("ghi", "dni", "dhi"))
        if (n_missing > 1).any():
            i = int(np.argmax(n_missing > 1))
            raise WeatherError(f"{int((n_missing > 1).sum())} hour(s) lack two or more irradiance components "
                               f"(EPW missing-value code 9999), first at {out.index[i]}", file=file,
                               field=", ".join(irr), hint="use a complete file; one missing component per hour is "
                               "filled by closure (GHI = DNI cos z + DHI)")
        g, b, d = (out[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
        up = np.maximum(cosz, 0.0)
        g = np.where(missing["ghi"], b * up + d, g)
        d = np.where(missing["dhi"], np.maximum(g - b * up, 0.0), d)
        b = np.where(missing["dni"], np.where(up > 0.0175, np.maximum(g - d, 0.0) / np.maximum(up, 0.0175), 0.0), b)
        out["ghi"], out["dni"], out["dhi"] = g, b, d
        notes.append(Note("solar.weather.irradiance_filled", {"gaps": [
            Note("solar.weather.irradiance_filled.gap", {"column": c, "hours": int(missing[c].sum())}) for c in irr]}))
    for col in ("temp_air", "wind_speed"):
        if col in missing and missing[col].any():
            s = out[col].mask(missing[col])
            runs = s.isna().astype(int).groupby(s.notna().cumsum()).sum()
            if runs.max() > MAX_FILL_HOURS:
                raise WeatherError(f"'{col}' carries the EPW missing-value code {EPW_MISSING[col]:g} for "
                                   f"{int(runs.max())} hours in a row", file=file, field=col,
                                   hint=f"gaps up to {MAX_FILL_HOURS} h are interpolated; fill longer ones from "
                                   "another source")
            out[col] = s.interpolate(limit_direction="both")
            notes.append(Note("solar.weather.interpolated", {"column": col, "hours": int(missing[col].sum())}))
    if "albedo" in missing and missing["albedo"].any():
        valid = out["albedo"].mask(missing["albedo"])
        if valid.notna().any():
            out["albedo"] = valid.fillna(float(valid.median()))
            notes.append(Note("solar.weather.albedo_median", {"hours": int(missing["albedo"].sum()),
                                                              "albedo": float(valid.median())}))
        else:
            out = out.drop(columns="albedo")
            notes.append(Note("solar.weather.albedo_missing"))
    return out, notes


def _cos_zenith(times: pd.DatetimeIndex, lat: float, lon: float) -> np.ndarray:
    """cos(solar zenith) by pvlib's analytical formulas (Spencer 1971 declination and equation of time).

    Accurate to a few tenths of a degree, which is enough for these checks, and about a hundred times
    faster than the NREL SPA on a year of hours (the checks run on every weather cell).
    """
    doy = np.asarray(times.dayofyear, dtype=float)
    decl = pvlib.solarposition.declination_spencer71(doy)
    eot = pvlib.solarposition.equation_of_time_spencer71(doy)
    # pvlib.solarposition.hour_angle's formula, 15 (UTC hours - 12) + longitude + EoT / 4, vectorised
    # (pvlib's loops over time stamps for their UTC offsets).
    utc = times.tz_convert("UTC") if times.tz is not None else times
    since_midnight = (utc - utc.normalize()).total_seconds()
    hours_utc = np.asarray(since_midnight, dtype=float) / 3600.0
    ha = 15.0 * (hours_utc - 12.0) + lon + eot / 4.0
    zen = pvlib.solarposition.solar_zenith_analytical(np.radians(lat), np.radians(ha), decl)
    return np.cos(np.asarray(zen, dtype=float))


def _sun(index: pd.DatetimeIndex, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
    """cos(zenith) at the interval middles and the highest cos(zenith) within each interval."""
    step = pd.Series(index[1:] - index[:-1]).median() if len(index) > 1 else pd.Timedelta(hours=1)
    cos = [_cos_zenith(index + step * shift, lat, lon) for shift in (-0.5, 0.0, 0.5)]
    return cos[1], np.maximum.reduce(cos)


def repair_beam(df: pd.DataFrame, lat: float, lon: float, altitude: float, file: str
                ) -> tuple[pd.DataFrame, list[Note]]:
    """Cap DNI by closure with the solar geometry and the clear-sky beam; move the excess to the diffuse.

    Returns
    -------
    (pandas.DataFrame, list of binhai_geo.notes.Note)
        The repaired table (GHI unchanged) and a note with the hours and the energy changed.

    Raises
    ------
    WeatherError
        When more than :data:`MAX_REPAIR_SHARE` of the daylight hours need it (the file is inconsistent).
    """
    cosz, cos_max = _sun(df.index, lat, lon)
    g, b, d = (df[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    up = np.maximum(cosz, 0.0)
    cs = pvlib.clearsky.simplified_solis(np.degrees(np.arcsin(np.clip(cos_max, 0, 1))), aod700=CLEARSKY_AOD700,
                                         pressure=pvlib.atmosphere.alt2pres(altitude))
    cs_dni = np.nan_to_num(np.asarray(cs["dni"], dtype=float))
    too_high = b * up > np.maximum(g - d, 0.0) + CLOSURE_ABS_W_M2 + CLOSURE_REL * g
    above_clear = b > cs_dni + CLEARSKY_MARGIN_W_M2
    bad = (too_high | above_clear) & (b > 0)
    if not bad.any():
        return df, []
    daylight = int((cos_max > 0).sum())
    if bad.sum() > MAX_REPAIR_SHARE * max(daylight, 1):
        raise WeatherError(f"DNI is inconsistent with GHI, DHI and the sun in {int(bad.sum())} of {daylight} daylight "
                           f"hours (beam on the horizontal above GHI - DHI, or above the clear-sky beam)", file=file,
                           field="dni", hint="check the file's time zone and irradiance columns, or use another file")
    closure = np.where(up > 0.0175, np.maximum(g - d, 0.0) / np.maximum(up, 0.0175), 0.0)
    new_b = np.where(bad, np.minimum(np.minimum(b, np.maximum(closure, 0.0)), cs_dni), b)
    new_d = np.where(bad, np.maximum(g - new_b * up, 0.0), d)
    out = df.copy()
    out["dni"], out["dhi"] = new_b, new_d
    step_h = (df.index[1] - df.index[0]) / pd.Timedelta(hours=1)
    dni_kwh = float((b - new_b).sum() * step_h / 1000.0)
    beam_h_kwh = float(((b - new_b) * up).sum() * step_h / 1000.0)
    share = 100.0 * dni_kwh / max(float(b.sum() * step_h / 1000.0), 1e-9)
    note = Note("solar.weather.dni_repaired", {"hours": int(bad.sum()), "dni_kwh_per_m2": dni_kwh,
                                               "dni_share_pct": share, "beam_horizontal_kwh_per_m2": beam_h_kwh})
    return out, [note]


def check_units_and_clock(df: pd.DataFrame, lat: float, lon: float, altitude: float, file: str) -> None:
    """Refuse irradiance in kW/m2 (kWh/m2 per hour), an implausible annual GHI, or a clock off the sun.

    Raises
    ------
    WeatherError
        Naming the likely mix-up (kWh/m2 vs W/m2, local time labelled UTC or the reverse).
    """
    g = df["ghi"].to_numpy(float)
    peak = float(np.nanmax(g)) if len(g) else 0.0
    if 0.0 < peak < 5.0:
        raise WeatherError(f"'ghi' peaks at {peak:.3g}: that is kW/m2 or kWh/m2 per hour, not W/m2", file=file,
                           field="ghi", hint="multiply the irradiance columns by 1000 (kWh/m2 per hour -> W/m2)")
    step_h = (df.index[1] - df.index[0]) / pd.Timedelta(hours=1)
    utc = df.index.tz_convert("UTC")
    hours = np.asarray(utc.hour + utc.minute / 60.0, dtype=float)
    if g.sum() > 0:
        # GHI-weighted mean time of day (circular), against solar noon at this longitude (UTC).
        ang = 2 * np.pi * hours / 24.0
        mean_h = (np.degrees(np.arctan2((g * np.sin(ang)).sum(), (g * np.cos(ang)).sum())) / 15.0) % 24.0
        noon_h = (12.0 - lon / 15.0) % 24.0
        off = (mean_h - noon_h + 12.0) % 24.0 - 12.0
        if abs(off) > MAX_NOON_OFFSET_H:
            zone = df.index.tz
            raise WeatherError(
                f"the sunlight peaks {off:+.1f} h from solar noon at longitude {lon:.2f}: the time stamps are off by "
                f"about {round(off):+d} h (declared time zone: {zone}); a file in local time (UTC+8 in China) "
                "labelled UTC, or the reverse, gives this", file=file, field="time zone",
                hint="give the file's real time zone (EPW LOCATION field 9, TMY3 TZ) or shift the time stamps")
    years = len(df) * step_h / 8760.0
    annual = float(g.sum() * step_h / 1000.0 / years)
    elevation = np.degrees(np.arcsin(np.clip(_cos_zenith(df.index, lat, lon), -1.0, 1.0)))
    cs = pvlib.clearsky.simplified_solis(elevation, pressure=pvlib.atmosphere.alt2pres(altitude))
    clear = float(np.nansum(np.asarray(cs["ghi"], dtype=float)) * step_h / 1000.0 / years)
    lo, hi = MIN_CLEARNESS * clear, MAX_CLEARNESS * clear
    if not lo <= annual <= hi:
        likely = ("the irradiance may be in kW/m2 (x1000) or Wh per sub-interval" if annual < lo
                  else "the irradiance may be J/m2 accumulated (/3600) or summed over several hours")
        raise WeatherError(f"annual GHI {annual:,.0f} kWh/m2 is implausible at latitude {lat:.2f} (clear sky gives "
                           f"{clear:,.0f}; plausible {lo:,.0f}-{hi:,.0f}): {likely}", file=file, field="ghi",
                           hint="give irradiance as mean W/m2 over each interval")


def to_hourly(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Note]]:
    """Aggregate sub-hourly rows (e.g. 15-minute data) to hourly means labelled at the hour's start."""
    if len(df) < 3:
        return df, []
    step = pd.Series(df.index[1:] - df.index[:-1]).median()
    if not pd.Timedelta(0) < step < pd.Timedelta(hours=1):
        return df, []
    hourly = df.groupby(df.index.floor("h")).mean()
    return hourly, [Note("solar.weather.subhourly", {"n_rows": len(df), "step": step, "n_hours": len(hourly)})]


def field_checks(df: pd.DataFrame, lat: float, lon: float, altitude: float, file: str, *, epw: bool = False
                 ) -> tuple[pd.DataFrame, list[Note]]:
    """Run the field checks on a table whose index is at the interval middles; return it and notes."""
    notes: list[Note] = []
    if epw:
        cosz, _ = _sun(df.index, lat, lon)
        df, said = fill_missing_codes(df, cosz, file)
        notes += said
    check_units_and_clock(df, lat, lon, altitude, file)
    df, said = repair_beam(df, lat, lon, altitude, file)
    return df, notes + said


#: Plausible ranges per column: (low, high, unit).
_RANGES = {
    "ghi": (-10.0, 1500.0, "W/m2"),
    "dni": (-10.0, 1400.0, "W/m2"),
    "dhi": (-10.0, 1000.0, "W/m2"),
    "temp_air": (-60.0, 60.0, "C"),
    "wind_speed": (0.0, 75.0, "m/s"),
    "albedo": (0.0, 1.0, "-"),
}


def validate_weather(df: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check a weather table (canonical columns) and return it.

    Raises
    ------
    WeatherError
        For an index without time zone, duplicate or unordered times, gaps (irregular steps), less
        than a year of data, missing values, or implausible magnitudes (named with the likely mix-up).
    """
    where = {"file": file}
    if not isinstance(df.index, pd.DatetimeIndex):
        raise WeatherError("the weather table has no time index", hint="index the rows by timestamp", **where)
    if df.index.tz is None:
        raise WeatherError(
            "the timestamps carry no time zone, so solar position would be wrong by hours",
            hint="localise them, e.g. df.index.tz_localize('Asia/Shanghai') or 'UTC' for ERA5", **where)
    if df.index.has_duplicates or not df.index.is_monotonic_increasing:
        raise WeatherError("timestamps are duplicated or out of order", hint="sort and deduplicate the rows", **where)
    if len(df) < 2:
        raise WeatherError("fewer than two rows of weather", hint="give at least one full year", **where)
    steps = df.index[1:] - df.index[:-1]
    step = pd.Series(steps).median()
    irregular = np.nonzero(np.asarray(steps != step))[0]
    if len(irregular):
        i = int(irregular[0])
        raise WeatherError(
            f"gap in the weather: {len(irregular)} irregular step(s), first between {df.index[i]} and "
            f"{df.index[i + 1]} (expected every {step})",
            hint="fill the gap from another source or use a complete year (TMY)", **where)
    span = step * len(df)
    if span < pd.Timedelta(days=365):
        raise WeatherError(f"the weather covers {span}, less than a year; annual energy needs a full year",
                           hint="give at least 365 days of data", **where)
    for col in df.columns:
        values = df[col].to_numpy(dtype=float)
        nan = np.isnan(values)
        if nan.any():
            first = df.index[np.nonzero(nan)[0][0]]
            raise WeatherError(f"{int(nan.sum())} missing value(s) in '{col}', first at {first}",
                               field=col, hint="fill the missing hours (interpolate short gaps) or use another file",
                               **where)
        if col not in _RANGES:
            continue
        lo, hi, unit = _RANGES[col]
        vmax, vmin, vmean = float(values.max()), float(values.min()), float(values.mean())
        if col in ("ghi", "dni", "dhi") and vmax > hi:
            likely = (f"it looks like J/m2 accumulated over {step} passed as W/m2; "
                      "divide by the interval in seconds (3600 for hourly)") if vmax > 3000 else "check the unit"
            raise WeatherError(f"'{col}' reaches {vmax:.0f}, implausible for irradiance in {unit} (max {hi:.0f}): "
                               f"{likely}", field=col, hint="give irradiance as mean W/m2 over each interval",
                               **where)
        if col == "temp_air" and vmean > 150:
            raise WeatherError(f"'temp_air' averages {vmean:.1f}: that is Kelvin, not Celsius", field=col,
                               hint="subtract 273.15", **where)
        if vmin < lo or vmax > hi:
            raise WeatherError(f"'{col}' ranges {vmin:.1f} to {vmax:.1f} {unit}, outside the plausible {lo} to {hi}",
                               field=col, hint=f"check the unit of '{col}'", **where)
    return df
