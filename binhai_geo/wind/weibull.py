"""Weibull distributions of wind speed: checks, fit, mean, hub-height scaling.

Used by every resource source (:mod:`binhai_geo.wind.resource`, :mod:`binhai_geo.wind.gwa`). Hub-height
scaling uses windpowerlib's logarithmic profile (:func:`windpowerlib.wind_speed.logarithmic_profile`)
applied to the Weibull scale A; k is kept (Justus and Mikhail 1976: k changes little between 100 m and
typical hub heights over smooth surfaces).
"""

from __future__ import annotations

import math

import numpy as np

from binhai_geo.errors import WorkflowError
from binhai_geo.layermodel import bound, implausible


def check_weibull(a: np.ndarray, k: np.ndarray, where: list[str] | None = None, file: str | None = None) -> None:
    """Raise for a Weibull scale or shape that is not a positive finite number.

    Raises
    ------
    WorkflowError
        Naming the first bad zone.
    """
    a = np.asarray(a, dtype=float)
    k = np.asarray(k, dtype=float)
    for name, arr, unit in (("Weibull k", k, ""), ("Weibull A", a, " m/s")):
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            zone = where[i] if where is not None else None
            raise WorkflowError(f"{name} must be > 0, got {arr.flat[i]}{unit}", file=file, feature=zone,
                                field="weibull_k" if name.endswith("k") else "weibull_a_mps",
                                hint="a Weibull shape k is typically 1.5-3 and the scale A a few m/s; "
                                "check the resource data")
    for quantity, arr, column, label in (("weibull_k", k, "weibull_k", "Weibull k"),
                                         ("weibull_a_mps", a, "weibull_a_mps", "Weibull A")):
        why = implausible(quantity, arr, label)  # bounds and unit mix-ups: binhai_geo/data/plausibility_bounds.csv
        if why:
            b = bound(quantity)
            i = int(np.flatnonzero((arr < b.low) | (arr > b.high))[0])
            raise WorkflowError(why, file=file, feature=where[i] if where is not None else None, field=column,
                                hint="check the unit of the resource data and that integer rasters carry their scale")


def weibull_mean(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mean of a Weibull distribution, A x Gamma(1 + 1/k) [m/s]."""
    from scipy.special import gamma

    return np.asarray(a) * gamma(1.0 + 1.0 / np.asarray(k))


def fit_weibull(speed: np.ndarray) -> tuple[float, float]:
    """Fit Weibull A [m/s] and k to wind speeds by maximum likelihood (location fixed at 0).

    Uses :func:`scipy.stats.weibull_min.fit`; calm hours (speed 0) are left out of the fit, as the
    two-parameter Weibull has no mass at 0 (their share is a few per mille at 100 m).

    Raises
    ------
    WorkflowError
        With fewer than 100 positive values.
    """
    from scipy.stats import weibull_min

    s = np.asarray(speed, dtype=float)
    s = s[np.isfinite(s) & (s > 0)]
    if s.size < 100:
        raise WorkflowError(f"only {s.size} usable wind speeds to fit a Weibull distribution (need >= 100)",
                            hint="give a longer series (a year of hourly ERA5 values)")
    k, _, a = weibull_min.fit(s, floc=0)
    return float(a), float(k)



def hub_scale(a_ref: np.ndarray, reference_height_m: np.ndarray, hub_height_m: np.ndarray,
              roughness_m: np.ndarray) -> np.ndarray:
    """Weibull scale A at hub height by windpowerlib's logarithmic profile [m/s].

    The log law scales every speed of the distribution by the same factor, so it scales A and keeps k.
    """
    from windpowerlib.wind_speed import logarithmic_profile

    a_ref, h_ref, hub, z0 = np.broadcast_arrays(np.asarray(a_ref, float), np.asarray(reference_height_m, float),
                                                np.asarray(hub_height_m, float), np.asarray(roughness_m, float))
    out = np.empty(a_ref.shape)
    for h in np.unique(h_ref):  # windpowerlib takes one data height per call
        sel = h_ref == h
        out[sel] = logarithmic_profile(a_ref[sel], float(h), hub[sel], z0[sel])
    return out



def describe(a: float, k: float) -> str:
    """Short text of a Weibull distribution with its mean."""
    return f"A {a:.2f} m/s, k {k:.2f}, mean {a * math.gamma(1 + 1 / k):.2f} m/s"
