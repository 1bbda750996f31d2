"""Tables as a planner reads them in a spreadsheet: the targets CSV.

The target check keeps full precision (``2.413215664207715`` %); the CSV a planner opens in Excel or
WPS shows figures rounded to what they can carry (:func:`round_figure`), the gap never negative and a
surplus beside it (:func:`binhai_geo.deliverables.formatting.gap_and_surplus`). The verdicts and the
rules behind them are the target check's; only the presentation is done here.
"""

from __future__ import annotations

import math

import pandas as pd

from binhai_geo.deliverables.formatting import gap_and_surplus

__all__ = ["round_figure", "targets_for_csv"]

#: Columns of the targets table rounded for the CSV.
TARGET_FIGURES = ("required", "computed", "gap", "surplus")


def round_figure(value: object) -> float | None:
    """Round a figure as it is read: whole numbers from 100, 1 decimal from 10, 2 from 0.1, else 3 significant digits.

    ``4700.000001`` -> 4700, ``56.0812`` -> 56.1, ``2.413215664207715`` -> 2.41, ``0.01234`` -> 0.0123.
    None, NaN and text that is not a number give None.
    """
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    a = abs(x)
    if a >= 100:
        return float(round(x))
    if a >= 10:
        return round(x, 1)
    if a >= 0.1:
        return round(x, 2)
    if a == 0:
        return 0.0
    return round(x, 2 - math.floor(math.log10(a)))


def targets_for_csv(targets: pd.DataFrame) -> pd.DataFrame:
    """Return the targets table as written to ``<prefix>_targets.csv``.

    Parameters
    ----------
    targets : pandas.DataFrame
        The target check (:func:`binhai_geo.targets.check_targets`): ``required``, ``computed``, ``gap``,
        ``status``, ... and, when the check gives one, ``surplus``.

    Returns
    -------
    pandas.DataFrame
        The same rows and columns (a ``surplus`` column after ``gap`` added when missing): ``gap`` >= 0,
        ``surplus`` >= 0 (empty when the target is not exceeded), figures rounded by :func:`round_figure`.
    """
    out = targets.copy()
    if {"gap"} <= set(out.columns):
        pairs = [gap_and_surplus(r) for r in out.to_dict("records")]
        out["gap"] = [g for g, _ in pairs]
        surplus = [s for _, s in pairs]
        if "surplus" in out.columns:
            out["surplus"] = surplus
        else:
            out.insert(list(out.columns).index("gap") + 1, "surplus", surplus)
    for col in TARGET_FIGURES:
        if col in out.columns:
            out[col] = pd.array([round_figure(v) for v in out[col]], dtype="Float64")
    return out
