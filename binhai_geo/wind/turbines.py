"""Turbines: windpowerlib's local turbine library (offline) or a user's power-curve CSV, checked.

**Library.** windpowerlib ships the Open Energy Database turbine library with its package. It is read
through windpowerlib's public API only: :func:`windpowerlib.data.get_turbine_types` with
``turbine_library="local"`` lists the types, and ``windpowerlib.WindTurbine(turbine_type=...)`` gives
each type's power curve, nominal power and rotor diameter from the same local files. Offline:
windpowerlib's online 'oedb' fetch is never used.

**Checks** (:func:`check_power_curve`), every curve, at sea-level air density 1.225 kg/m3:

- monotonic (non-decreasing) from the first speed up to rated power: a dip of more than
  ``monotonic_tolerance`` (1 % of nominal) is refused, a smaller one flagged and levelled;
- capped at the nominal power: above ``nominal_power_tolerance`` (3 %) refused, a smaller overshoot is
  flagged and the curve capped at the nominal power;
- power coefficient Cp = P / (0.5 rho A v^3) never above the Betz limit 0.593.

Curves that fail are refused (a :class:`~binhai_geo.errors.WorkflowError` when one is asked for);
:func:`check_library` lists the verdict for the whole library. In windpowerlib 0.2.2 the Betz check
refuses V164/8000 (Cp 0.73 at 6 m/s), S152/6330 (0.66 at 7 m/s) and E-101/3050 (0.62 at 7.5 m/s).

**Thrust curves.** The library has almost no thrust (Ct) curves, so Ct is derived from the power
curve the way PyWake's ``GenericWindTurbine`` does it (``py_wake.utils.generic_power_ct_curves``):
electrical power -> aerodynamic power by undoing PyWake's default drivetrain losses (gear 1 % of
nominal + 1.4 %, generator 3 %, converter 3 %), Cp -> axial induction a by 1-D momentum theory
(Cp = 4a(1-a)^2, a <= 1/3), Ct = 4a(1-a), scaled so Ct = 0.8 (PyWake's constant-Ct default) at the
peak power coefficient and capped at 8/9. PyWake's generator makes its own generic power curve, so
its Ct step is re-done here on the library curve (its ``cp2ct`` is local to that function). A user CSV
may give its own Ct column instead.
"""

from __future__ import annotations

import difflib
import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import read_table
from binhai_geo.layermodel import implausible

BETZ = 16.0 / 27.0
RHO_SEA_LEVEL = 1.225

#: Columns of a user's power-curve CSV (``thrust_coefficient`` and ``nominal_power_kw`` optional).
USER_CURVE_COLUMNS = ("wind_speed_mps", "power_kw", "rotor_diameter_m")


@dataclass
class CurveCheck:
    """The verdict on one power curve.

    Attributes
    ----------
    status : {"ok", "flagged", "refused"}
    problems : list of str
        What is wrong (empty when ok).
    max_cp : float
        Highest power coefficient at 1.225 kg/m3.
    ws_at_max_cp : float
        Where it occurs [m/s].
    max_power_ratio : float
        Highest power over nominal power.
    """

    status: str
    problems: list[str]
    max_cp: float
    ws_at_max_cp: float
    max_power_ratio: float


@dataclass
class Turbine:
    """A checked turbine with power and thrust curves.

    Attributes
    ----------
    name : str
    nominal_power_kw : float
    rotor_diameter_m : float
    wind_speed_mps, power_kw, ct : numpy.ndarray
        Curves on the same speeds [m/s], [kW], [-]; power capped at the nominal power.
    source : str
    ct_method : str
    flags : list of str
        Problems that did not refuse the curve (said in the notes).
    """

    name: str
    nominal_power_kw: float
    rotor_diameter_m: float
    wind_speed_mps: np.ndarray
    power_kw: np.ndarray
    ct: np.ndarray
    source: str
    ct_method: str
    flags: list[str] = field(default_factory=list)

    @property
    def rated_mw(self) -> float:
        """Nominal power [MW]."""
        return self.nominal_power_kw / 1000.0

    @property
    def cut_in_mps(self) -> float:
        """First speed with power [m/s]."""
        on = np.flatnonzero(self.power_kw > 0)
        return float(self.wind_speed_mps[on[0]]) if on.size else 0.0

    @property
    def cut_out_mps(self) -> float:
        """Last speed with power [m/s]."""
        on = np.flatnonzero(self.power_kw > 0)
        return float(self.wind_speed_mps[on[-1]]) if on.size else 0.0

    def power(self, ws: np.ndarray) -> np.ndarray:
        """Power at wind speeds ``ws`` [kW] (linear interpolation, 0 outside the curve)."""
        return np.interp(ws, self.wind_speed_mps, self.power_kw, left=0.0, right=0.0)


def check_hub_height(turbine: Turbine, hub_height_m: float, where: str | None = None) -> None:
    """Raise when the hub is not above the blade tips' lowest point (hub height <= rotor radius).

    Raises
    ------
    WorkflowError
    """
    r = turbine.rotor_diameter_m / 2
    if not hub_height_m > r:
        raise WorkflowError(f"hub height {hub_height_m:g} m of {turbine.name} is not above its rotor radius "
                            f"{r:g} m: the blades would hit the ground or water", field="wind.hub_height_m",
                            layer=where, hint=f"give a hub height above {r:g} m (e.g. {r + 30:g} m)")


def check_power_curve(ws: np.ndarray, power_kw: np.ndarray, nominal_power_kw: float, rotor_diameter_m: float, *,
                      rho: float = RHO_SEA_LEVEL, betz: float = BETZ, nominal_tolerance: float = 0.03,
                      monotonic_tolerance: float = 0.01) -> CurveCheck:
    """Check a power curve (see the module docstring for the rules).

    Parameters
    ----------
    ws, power_kw : numpy.ndarray
        Wind speeds [m/s] (sorted) and power [kW].
    nominal_power_kw : float
        Nominal power [kW].
    rotor_diameter_m : float
        Rotor diameter [m].
    rho : float
        Air density the Cp is computed at [kg/m3].
    betz : float
        Highest admissible power coefficient.
    nominal_tolerance : float
        Overshoot of the nominal power that is flagged (and capped) rather than refused.
    monotonic_tolerance : float
        Largest dip below rated, as a fraction of the nominal power, that is flagged (and levelled to the
        running maximum) rather than refused.
    """
    ws = np.asarray(ws, float)
    p = np.asarray(power_kw, float)
    problems: list[str] = []
    refused = False
    if (p < 0).any():
        problems.append("negative power")
        refused = True
    area = np.pi * rotor_diameter_m**2 / 4
    with np.errstate(divide="ignore", invalid="ignore"):
        cp = np.where(ws > 0, p * 1000.0 / (0.5 * rho * area * ws**3), 0.0)
    i_cp = int(np.argmax(cp))
    max_cp = float(cp[i_cp])
    if max_cp > betz:
        problems.append(f"power coefficient {max_cp:.3f} at {ws[i_cp]:g} m/s exceeds the Betz limit {betz:.3f} "
                        f"(at {rho} kg/m3)")
        refused = True
    i_rated = int(np.argmax(p >= p.max() * (1 - 1e-9)))
    below = p[: i_rated + 1]
    dip = np.maximum.accumulate(below) - below
    if (dip > 1e-9 * max(nominal_power_kw, 1.0)).any():
        j = int(np.argmax(dip))
        text = (f"not monotonic below rated: power dips {dip[j]:g} kW ({100 * dip[j] / nominal_power_kw:.2f} % of "
                f"nominal) at {ws[j]:g} m/s")
        if dip[j] > monotonic_tolerance * nominal_power_kw:
            problems.append(text)
            refused = True
        else:
            problems.append(text + ": levelled to the running maximum")
    ratio = float(p.max() / nominal_power_kw) if nominal_power_kw > 0 else np.inf
    if ratio > 1 + nominal_tolerance:
        problems.append(f"peak power {p.max():g} kW is {100 * (ratio - 1):.1f} % above the nominal "
                        f"{nominal_power_kw:g} kW (tolerance {100 * nominal_tolerance:g} %)")
        refused = True
    elif ratio > 1 + 1e-9:
        problems.append(f"peak power {p.max():g} kW is {100 * (ratio - 1):.1f} % above the nominal "
                        f"{nominal_power_kw:g} kW: capped at the nominal power")
    # Plausibility bounds (binhai_geo/data/plausibility_bounds.csv), naming the likely unit mix-up.
    speeds_ok = ws[p > 0]
    for why in (implausible("specific_power_w_per_m2", nominal_power_kw * 1000.0 / area,
                            "rated power per rotor area (nominal power / swept area)"),
                implausible("rated_wind_speed_mps", ws[i_rated], "rated wind speed"),
                implausible("cut_out_wind_speed_mps", speeds_ok.max() if len(speeds_ok) else np.nan,
                            "highest wind speed with power")):
        if why:
            problems.append(why)
            refused = True
    status = "refused" if refused else ("flagged" if problems else "ok")
    return CurveCheck(status, problems, max_cp, float(ws[i_cp]), ratio)


def derive_ct(ws: np.ndarray, power_kw: np.ndarray, nominal_power_kw: float, rotor_diameter_m: float,
              params: dict[str, float]) -> np.ndarray:
    """Thrust coefficient curve from a power curve by 1-D momentum theory (see the module docstring).

    Parameters
    ----------
    ws, power_kw : numpy.ndarray
        The (checked) power curve.
    nominal_power_kw : float
        Nominal power [kW].
    rotor_diameter_m : float
        Rotor diameter [m].
    params : dict
        ``constant_ct``, ``gear_loss_const``, ``gear_loss_var``, ``generator_loss``, ``converter_loss``,
        ``air_density_kg_m3`` (``binhai_geo/data/wind_parameters.csv``).

    Returns
    -------
    numpy.ndarray
        Ct at ``ws``; 0 where the turbine does not produce (parked).
    """
    ws = np.asarray(ws, float)
    p = np.asarray(power_kw, float)
    rho = params["air_density_kg_m3"]
    area = np.pi * rotor_diameter_m**2 / 4
    on = (p > 0) & (ws > 0)
    p_gear = p / (1 - params["converter_loss"]) / (1 - params["generator_loss"])
    p_aero = (p_gear + params["gear_loss_const"] * nominal_power_kw) / (1 - params["gear_loss_var"])
    with np.errstate(divide="ignore", invalid="ignore"):
        cp_aero = np.where(on, p_aero * 1000.0 / (0.5 * rho * area * ws**3), 0.0)
        cp_el = np.where(on, p * 1000.0 / (0.5 * rho * area * ws**3), 0.0)
    cp_aero = np.clip(cp_aero, 0.0, BETZ)
    y = 27.0 / 16.0 * cp_aero
    a = 2.0 / 3.0 * (1 - np.cos(np.arctan2(2 * np.sqrt(y * (1.0 - y)), 1 - 2 * y) / 3.0))
    ct = 4 * a * (1 - a)
    if on.any():
        i_design = int(np.argmax(cp_el))
        if ct[i_design] > 0:
            ct = ct * params["constant_ct"] / ct[i_design]
    return np.where(on, np.minimum(ct, 8.0 / 9.0), 0.0)


# --------------------------------------------------------------------------------------------------
# windpowerlib's local library
# --------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _library() -> pd.DataFrame:
    from windpowerlib.data import get_turbine_types

    df = get_turbine_types(turbine_library="local", print_out=False, filter_=False)
    return df.drop_duplicates("turbine_type").set_index("turbine_type")


def library_types() -> list[str]:
    """Turbine types of windpowerlib's local library that have a power curve."""
    lib = _library()
    return sorted(lib.index[lib["has_power_curve"].astype(bool)])


@functools.cache
def _library_curve(name: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    from windpowerlib import WindTurbine

    with warnings.catch_warnings():  # windpowerlib 0.2.2 uses pandas' deprecated dropna(inplace=True)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        wt = WindTurbine(hub_height=100.0, turbine_type=name)  # the hub height does not change the curve
    pc = wt.power_curve
    ws = pc["wind_speed"].to_numpy(float)
    w = pc["value"].to_numpy(float)
    ok = np.isfinite(ws) & np.isfinite(w)
    order = np.argsort(ws[ok], kind="stable")
    return ws[ok][order], w[ok][order] / 1000.0, float(wt.nominal_power) / 1000.0, float(wt.rotor_diameter)


def check_library(params: dict[str, float]) -> pd.DataFrame:
    """Check every power curve of windpowerlib's local library.

    Returns
    -------
    pandas.DataFrame
        ``turbine_type, nominal_power_kw, rotor_diameter_m, specific_rated_power_w_m2, max_cp,
        ws_at_max_cp_mps, max_power_ratio, status, problems``, sorted by type.
    """
    rows = []
    for name in library_types():
        ws, p, pn, d = _library_curve(name)
        c = check_power_curve(ws, p, pn, d, rho=params["air_density_kg_m3"], betz=params["betz_limit"],
                              nominal_tolerance=params["nominal_power_tolerance"],
                              monotonic_tolerance=params["monotonic_tolerance"])
        rows.append({"turbine_type": name, "nominal_power_kw": pn, "rotor_diameter_m": d,
                     "specific_rated_power_w_m2": round(pn * 1000.0 / (np.pi * d**2 / 4), 1),
                     "max_cp": round(c.max_cp, 3),
                     "ws_at_max_cp_mps": c.ws_at_max_cp, "max_power_ratio": round(c.max_power_ratio, 3),
                     "status": c.status, "problems": "; ".join(c.problems)})
    return pd.DataFrame(rows)


def _build(name: str, ws: np.ndarray, p: np.ndarray, pn: float, d: float, source: str, params: dict[str, float],
           ct: np.ndarray | None, where: str | None, file: str | None) -> Turbine:
    if not (d > 0 and pn > 0):
        raise WorkflowError(f"turbine {name}: rotor diameter and nominal power must be > 0 (got {d}, {pn})",
                            file=file, hint="give rotor_diameter_m and nominal_power_kw")
    c = check_power_curve(ws, p, pn, d, rho=params["air_density_kg_m3"], betz=params["betz_limit"],
                          nominal_tolerance=params["nominal_power_tolerance"],
                          monotonic_tolerance=params["monotonic_tolerance"])
    if c.status == "refused":
        raise WorkflowError(f"power curve of {name} refused: {'; '.join(c.problems)}", file=file, layer=where,
                            field="wind.turbine",
                            hint="choose another turbine (see the wind_curve_check table, or "
                            "'binhai-geo wind ... --turbine NAME'), or correct the curve")
    i_rated = int(np.argmax(p >= p.max() * (1 - 1e-9)))
    p = np.concatenate([np.maximum.accumulate(p[: i_rated + 1]), p[i_rated + 1:]])
    p = np.minimum(p, pn)
    if ct is None:
        ct = derive_ct(ws, p, pn, d, params)
        method = ("derived from the power curve by 1-D momentum theory, scaled to Ct 0.8 at peak Cp "
                  "(PyWake GenericWindTurbine method)")
    else:
        method = "user thrust curve"
    return Turbine(name, pn, d, ws, p, ct, source, method, [f"{name}: {x}" for x in c.problems])


def library_turbine(name: str, params: dict[str, float], where: str | None = None) -> Turbine:
    """Return a checked turbine from windpowerlib's local library.

    Raises
    ------
    WorkflowError
        Unknown type (with close matches), a type without a power curve, or a refused curve.
    """
    data = _library()
    curves = library_types()
    if name not in curves:
        close = difflib.get_close_matches(name, list(data.index), n=4, cutoff=0.5)
        without = name in data.index
        raise WorkflowError(
            f"turbine type '{name}' " + ("has no power curve in windpowerlib's library" if without
                                         else "is not in windpowerlib's local turbine library"),
            layer=where, field="wind.turbine",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + f"{len(curves)} types have power curves, e.g. V164/9500, SCD168/8000, E-126/7580, E-141/4200; "
            "or give a power-curve CSV")
    ws, p, pn, d = _library_curve(name)
    src = f"windpowerlib {_version()} local turbine library (oedb), {data.loc[name, 'manufacturer']}"
    return _build(name, ws, p, pn, d, src, params, None, where, None)


def _version() -> str:
    import windpowerlib

    return windpowerlib.__version__


def user_turbine(path: Path, params: dict[str, float], where: str | None = None) -> Turbine:
    """Return a checked turbine from a user's power-curve CSV.

    The CSV has columns ``wind_speed_mps``, ``power_kw`` and ``rotor_diameter_m`` (its first value is
    used), optionally ``nominal_power_kw`` (default: the highest power), ``thrust_coefficient`` and
    ``name`` (default: the file name).

    Raises
    ------
    WorkflowError
        Unreadable file, missing column, non-numeric values, or a refused curve.
    """
    df = read_table(path, "power curve", USER_CURVE_COLUMNS,
                    hint=f"a power-curve CSV needs {', '.join(USER_CURVE_COLUMNS)} "
                    "(optional nominal_power_kw, thrust_coefficient, name)")
    num = {}
    for col in ("wind_speed_mps", "power_kw", "thrust_coefficient"):
        if col in df.columns:
            v = pd.to_numeric(df[col], errors="coerce")
            if v.isna().any():
                row = int(v.isna().to_numpy().nonzero()[0][0])
                raise WorkflowError(f"'{df[col].iloc[row]}' is not a number", file=str(path), feature=row + 2,
                                    field=col, hint="fill every row with a number")
            num[col] = v.to_numpy(float)
    if len(df) < 3:
        raise WorkflowError("a power curve needs at least 3 points", file=str(path), hint="give the full curve")
    order = np.argsort(num["wind_speed_mps"], kind="stable")
    ws = num["wind_speed_mps"][order]
    if np.any(np.diff(ws) <= 0):
        raise WorkflowError("wind speeds repeat", file=str(path), field="wind_speed_mps",
                            hint="give each wind speed once")
    p = num["power_kw"][order]
    d = float(pd.to_numeric(df["rotor_diameter_m"], errors="coerce").dropna().iloc[0]) \
        if pd.to_numeric(df["rotor_diameter_m"], errors="coerce").notna().any() else float("nan")
    pn_col = pd.to_numeric(df["nominal_power_kw"], errors="coerce").dropna() if "nominal_power_kw" in df else None
    pn = float(pn_col.iloc[0]) if pn_col is not None and len(pn_col) else float(p.max())
    name = str(df["name"].dropna().iloc[0]) if "name" in df and df["name"].notna().any() else path.stem
    ct = num["thrust_coefficient"][order] if "thrust_coefficient" in num else None
    if not (d > 0):
        raise WorkflowError("rotor_diameter_m must be a number > 0", file=str(path), field="rotor_diameter_m",
                            hint="give the rotor diameter in metres in the first row")
    return _build(name, ws, p, pn, d, f"user power curve {path.name}", params, ct, where, str(path))


def get_turbine(spec: str, params: dict[str, float], base_dir: Path | None = None, where: str | None = None) -> Turbine:
    """Return the turbine ``spec`` names: a library type, or a power-curve CSV path (ending in ``.csv``)."""
    if spec.lower().endswith(".csv"):
        p = Path(spec)
        if not p.is_absolute() and base_dir is not None:
            p = (base_dir / p).resolve()
        if not p.exists():
            raise WorkflowError(f"power-curve file '{p}' does not exist", field="wind.turbine", layer=where,
                                hint="fix the path (relative to the workflow file)")
        return user_turbine(p, params, where)
    return library_turbine(spec, params, where)
