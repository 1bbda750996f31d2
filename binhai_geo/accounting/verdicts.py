"""Verdicts with one rule each: met, on track, short, indicative, not computed.

For a target with comparison ``>=`` (the plan's targets are floors), required R, installed (or computed)
value I and committed addition C (capacity under construction expected by the target year; 0 where the
idea does not apply):

- ``met``: I >= R;
- ``on track``: I < R <= I + C;
- ``short``: I + C < R;
- ``indicative``: the figure rests on a proxy or on incomplete data (sample layers, OpenStreetMap, a
  registry that misses part of the fleet); the row says which, and what the figure would read;
- ``not computed``: no figure; the row says why.

For ``<=`` the comparisons turn round; ``about`` is met within the target's relative tolerance.
``gap`` is the shortfall (>= 0) after counting committed capacity; ``surplus`` the excess (>= 0) of the figure
the verdict rests on (installed when met, installed + committed when on track): never a signed number.
Figures are rounded to what they mean before they are compared (MW and counts to whole units; percentages
to the target's own decimals, at least one), so the verdict agrees with the figures a reader sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Every status, in the order deliverables list them.
STATUSES = ("met", "on track", "short", "indicative", "not computed")
STATUS_ZH = {"met": "达标", "on track": "按进度(在建可达标)", "short": "未达标", "indicative": "示意(数据不全)",
             "not computed": "未测算"}
#: The rule of each status, written into the basis.
RULES = {
    "met": "met: installed/computed >= required",
    "on track": "on track: installed < required <= installed + committed (under construction, expected by the "
                "target year)",
    "short": "short: installed + committed < required",
    "indicative": "indicative: computed on a proxy or incomplete data",
    "not computed": "not computed",
}


@dataclass(frozen=True)
class Verdict:
    """A target's verdict: status, the status the figure would read (for ``indicative``), gap and surplus."""

    status: str
    reading: str
    gap: float
    surplus: float
    rule: str


def decimals(unit: str, required: float) -> int:
    """Return the decimals a figure in ``unit`` means.

    0 for MW, counts, m2 and t/day; for percent the target's own decimals (6.53 -> 2), at least 1.
    """
    if unit != "percent":
        return 0
    text = f"{required:.6f}".rstrip("0").rstrip(".")
    return max(1, len(text.split(".")[1]) if "." in text else 0)


def rounded(value: float | None, unit: str, required: float) -> float:
    """``value`` rounded to :func:`decimals`; NaN stays NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    return round(float(value), decimals(unit, required))


def _fmt(v: float, unit: str, required: float) -> str:
    d = decimals(unit, required)
    u = "%" if unit == "percent" else f" {unit}"
    return f"{v:,.{d}f}{u}"


def verdict(comparison: str, required: float, installed: float, committed: float | None, unit: str, *,
            tolerance: float | None = None, indicative: str | None = None,
            decimals_of: float | None = None) -> Verdict:
    """Apply the rules of the module to one target.

    Parameters
    ----------
    comparison : {">=", "<=", "about"}
        How the figure is compared with the target.
    required : float
        The target value [unit].
    installed : float
        Installed capacity or the computed value [unit]; NaN for not computed.
    committed : float or None
        Committed addition [unit] (capacity targets); None or NaN where it does not apply.
    unit : str
        The target's unit (sets the rounding).
    tolerance : float, optional
        Relative tolerance for ``about``.
    indicative : str, optional
        Why the figure is indicative (which proxy or which data are incomplete).
    decimals_of : float, optional
        The figure whose decimals the rounding follows (default ``required``; the targets file's value when
        ``required`` is itself computed).

    Returns
    -------
    Verdict
        With the rule as text, the figures in it rounded as the verdict compares them.
    """
    if installed is None or math.isnan(installed):
        return Verdict("not computed", "not computed", math.nan, math.nan, RULES["not computed"])
    ref = required if decimals_of is None else decimals_of
    r = rounded(required, unit, ref)
    i = rounded(installed, unit, ref)
    c = 0.0 if committed is None or math.isnan(committed) else rounded(committed, unit, ref)
    f = lambda v: _fmt(v, unit, ref)  # noqa: E731
    what = "computed" if committed is None else "installed"
    if comparison == "about":
        tol = (tolerance or 0.0) * abs(r)
        ok = abs(i - r) <= tol
        reading = "met" if ok else "short"
        gap = 0.0 if ok else abs(i - r) - tol
        rule = f"{reading}: {f(i)} {'within' if ok else 'outside'} {f(r)} +/- {(tolerance or 0) * 100:g}%"
        surplus = 0.0
    else:
        sign = 1.0 if comparison == ">=" else -1.0
        counted = i + sign * c
        if sign * (i - r) >= 0:
            reading, rule = "met", f"met: {f(i)} {what} {comparison} {f(r)} required"
        elif sign * (counted - r) >= 0:
            reading = "on track"
            rule = f"on track: {f(i)} installed + {f(c)} committed (under construction, expected by the target " \
                   f"year) {comparison} {f(r)} required"
        else:
            reading = "short"
            rule = (f"short: {f(i)} {what}" + (f" + {f(c)} committed" if committed is not None else "")
                    + f" {'<' if sign > 0 else '>'} {f(r)} required")
        gap = max(sign * (r - counted), 0.0)
        surplus = max(sign * ((i if reading == "met" else counted) - r), 0.0)
    d = decimals(unit, ref)
    gap, surplus = round(gap, d), round(surplus, d)
    if indicative:
        return Verdict("indicative", reading, gap, surplus,
                       f"indicative ({indicative}); on this data it reads {rule}")
    return Verdict(reading, reading, gap, surplus, rule)
