"""Module temperature by Fuentes' (1987) heat-balance model, vectorised over hours and orientations.

The model of :func:`pvlib.temperature.fuentes` (Fuentes, M. K., 1987, "A Simplified Thermal Model for
Flat-Plate Photovoltaic Arrays", SAND85-0330, Sandia National Laboratories), which SAM's PVWatts used in
versions 5 to 7 (Dobos, A. P., 2014, "PVWatts Version 5 Manual", NREL/TP-6A20-62641) with an installed nominal
operating cell temperature (INOCT) of 45 C for open racks and 49 C for roof mounts (PVWatts v8 keeps those
values for SAM's simpler NOCT model; docs/validation.md compares the two). It is a
first-principles balance of absorbed sunlight against free and forced convection (the wind at the module,
from the measured wind by a 1/5 power law, Menicucci and Hall, SAND84-2530), long-wave exchange with the sky
and the ground, and the module's thermal mass.

Why not pvlib's function itself: it walks the hours one by one in Python, one orientation per call (seconds
per orientation and year), which the 10,000-site benchmark cannot afford for hundreds of orientations. Here
the same equations run on whole arrays (hours x orientations). The module temperature of an hour depends on
the previous hour's only through the thermal-lag factor ``exp(eigen)``, below 0.02 for hourly steps; the
fixed-point iteration therefore updates every lit hour at once (Jacobi), taking the previous hour's value from
the last sweep, in single precision. Dark hours take the air temperature and the first lit hour starts from it,
as PVWatts does (pvlib carries the heat balance through the night; the difference at the first lit hour is
under 0.01 C because of the lag factor). Lit hours equal pvlib's within 0.01 C
(``tests/solar/test_solar_thermal.py``).
"""

from __future__ import annotations

import numpy as np

#: Height of the weather's wind speed above the ground [m]: every reader delivers the 10 m wind (iotools).
WIND_HEIGHT_M = 10.0
#: Stefan-Boltzmann constant as Fuentes (1987) codes it [W/m2/K4].
BOLTZ = 5.669e-8
#: Fuentes' defaults, as pvlib and PVWatts use them: emissivity, absorption [-], heat capacity [J/m2/K],
#: hydraulic length of the module [m] (pvlib's default width and length give 0.5 m, as Fuentes assumes).
EMISSIVITY, ABSORPTION, CAP0, XLEN = 0.84, 0.83, 11000.0, 0.5
#: Sweeps of the fixed-point iteration over all hours (pvlib iterates 10 times per hour; from the first guess
#: 3 sweeps come within 0.001 C of the converged value, and pvlib's within 0.01 C, tested).
SWEEPS = 3


def _hconv(tave: np.ndarray, windmod: np.ndarray, dtemp: np.ndarray, sin_tilt: np.ndarray) -> np.ndarray:
    """Free plus forced convection coefficient [W/m2/K] (Fuentes 1987; as pvlib's ``_fuentes_hconv``).

    The air's density, viscosity and conductivity are powers of its temperature; they are computed from one
    logarithm (fewer transcendental calls than pvlib's scalar code, the same numbers).
    """
    log_t = np.log(tave)
    densair = 0.003484 * 101325.0 / tave
    visair = 0.24237e-6 * np.exp(1.76 * log_t) / (0.003484 * 101325.0)  # 0.24237e-6 tave^0.76 / densair
    condair = 2.1695e-4 * np.exp(0.84 * log_t)
    reynold = windmod * XLEN / visair
    hforce = 0.8600 / np.sqrt(reynold) * densair * windmod * 1007 / 0.71 ** 0.67  # laminar
    turbulent = reynold > 1.2e5
    if turbulent.any():
        re_t = np.broadcast_to(reynold, hforce.shape)[turbulent]
        hforce[turbulent] = (0.0282 / re_t ** 0.2 * np.broadcast_to(densair, hforce.shape)[turbulent]
                             * np.broadcast_to(windmod, hforce.shape)[turbulent] * 1007 / 0.71 ** 0.4)
    grashof = 9.8 / tave * dtemp * XLEN ** 3 / visair ** 2 * sin_tilt
    hfree = 0.21 * (grashof * 0.71) ** 0.32 * condair / XLEN
    return np.cbrt(hfree ** 3 + hforce ** 3)


def _noct_ratios(noct_installed: float, sin_tilt: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Ground-temperature ratio, convection ratio (per tilt) and heat capacity implied by the INOCT (Fuentes 1987)."""
    tinoct = noct_installed + 273.15
    tave = (tinoct + 293.15) / 2
    h = _hconv(np.float64(tave), np.float64(1.0), np.float64(tinoct - 293.15), sin_tilt)
    hground = EMISSIVITY * BOLTZ * (tinoct ** 2 + 293.15 ** 2) * (tinoct + 293.15)
    backrat = (ABSORPTION * 800.0 - EMISSIVITY * BOLTZ * (tinoct ** 4 - 282.21 ** 4) - h * (tinoct - 293.15)) \
        / ((hground + h) * (tinoct - 293.15))
    tground = (np.clip((tinoct ** 4 - backrat * (tinoct ** 4 - 293.15 ** 4)) ** 0.25, 293.15, tinoct))
    tgrat = (tground - 293.15) / (tinoct - 293.15)
    convrat = (ABSORPTION * 800 - EMISSIVITY * BOLTZ * (2 * tinoct ** 4 - 282.21 ** 4 - tground ** 4)) \
        / (h * (tinoct - 293.15))
    cap = CAP0 * (1 + (tinoct - 321.15) / 12) if tinoct > 321.15 else CAP0
    return tgrat, convrat, cap


def fuentes_cell_temperature(poa_global: np.ndarray, temp_air: np.ndarray, wind_speed: np.ndarray,
                             noct_installed: float, *, module_height: float, wind_height: float,
                             surface_tilt: np.ndarray, step_h: float) -> np.ndarray:
    """Return the module temperature [C] by Fuentes (1987), hours x orientations.

    Parameters
    ----------
    poa_global : numpy.ndarray
        Irradiance on the module [W/m2], shape (hours, orientations), consecutive hours of one series.
    temp_air, wind_speed : numpy.ndarray
        Air temperature [C] and wind speed [m/s] at ``wind_height``, shape (hours,) or (hours, 1).
    noct_installed : float
        Installed nominal operating cell temperature [C]: 45 open rack, 49 roof mount (PVWatts).
    module_height, wind_height : float
        Height of the module centre and of the wind measurement above the ground [m].
    surface_tilt : numpy.ndarray
        Module tilt [deg] per orientation, shape (orientations,) (free convection scales with its sine).
    step_h : float
        Time step [h].

    Returns
    -------
    numpy.ndarray
        Module temperature [C], shape of ``poa_global``.
    """
    poa = np.asarray(poa_global, dtype=float)
    tamb_all = np.asarray(temp_air, dtype=float).reshape(-1, 1) + 273.15
    day = poa.max(axis=1) > 0
    out = np.broadcast_to(tamb_all, poa.shape).copy()  # night: the air temperature (as PVWatts sets it)
    if not day.any():
        return out - 273.15
    rows = np.flatnonzero(day)
    after_night = np.r_[True, ~day[:-1]][rows]  # the hour before was dark: start from the air (PVWatts)
    tamb = tamb_all[rows]
    windmod = np.asarray(wind_speed, dtype=float).reshape(-1, 1)[rows] * (module_height / wind_height) ** 0.2 + 1e-4
    sin_tilt = np.sin(np.radians(np.asarray(surface_tilt, dtype=float)))[None, :]
    tgrat, convrat, cap = _noct_ratios(noct_installed, sin_tilt)
    tsky = 0.68 * (0.0552 * tamb ** 1.5) + 0.32 * tamb
    sun = poa[rows] * ABSORPTION
    sun0 = np.where(after_night[:, None], 0.0, np.vstack([sun[:1], sun[:-1]]))
    start = np.broadcast_to(tamb_all[np.maximum(rows - 1, 0)], sun.shape)
    tmod = tamb + sun / 30.0  # first guess: a heat-loss coefficient of 30 W/m2/K
    # single precision in the sweeps: twice as fast, 1e-4 K resolution at 300 K
    tamb, windmod, tsky, sun, sun0, start, tmod, sin_tilt, tgrat, convrat = (
        np.asarray(v, dtype=np.float32) for v in (tamb, windmod, tsky, sun, sun0, start, tmod, sin_tilt, tgrat,
                                                    convrat))
    for _ in range(SWEEPS):
        tmod0 = np.where(after_night[:, None], start, np.vstack([tmod[:1], tmod[:-1]]))
        hconv = convrat * _hconv((tmod + tamb) / 2, windmod, np.abs(tmod - tamb), sin_tilt)
        hsky = EMISSIVITY * BOLTZ * (tmod ** 2 + tsky ** 2) * (tmod + tsky)
        tground = tamb + tgrat * (tmod - tamb)
        hground = EMISSIVITY * BOLTZ * (tmod ** 2 + tground ** 2) * (tmod + tground)
        htot = hconv + hsky + hground
        eigen = -htot / cap * step_h * 3600
        ex = np.where(eigen > -10, np.exp(np.maximum(eigen, -10)), 0.0)
        tmod = tmod0 * ex + ((1 - ex) * (hconv * tamb + hsky * tsky + hground * tground + sun0
                                         + (sun - sun0) / eigen) + sun - sun0) / htot
    out[rows] = tmod.astype(float)
    return out - 273.15
