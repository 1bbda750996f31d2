"""The plan's targets as data, and checking computed indicators against them.

A targets file is a CSV with one row per target of the plan: ``target_id, description,
description_zh, value, unit, comparison, tolerance, year, plan_wording``. ``comparison`` is ``>=``,
``<=`` or ``about`` (met when within ``tolerance``, a relative tolerance, of the value).

:func:`check_targets` compares :class:`Indicator` values with the targets and returns, per target:
required, computed, gap and status (``met`` / ``short`` / ``not computed``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import read_table

TARGET_COLUMNS = (
    "target_id",
    "description",
    "description_zh",
    "value",
    "unit",
    "comparison",
    "tolerance",
    "year",
    "plan_wording",
)
COMPARISONS = (">=", "<=", "about")
RESULT_COLUMNS = (
    "target_id",
    "description",
    "description_zh",
    "year",
    "comparison",
    "required",
    "unit",
    "computed",
    "gap",
    "status",
    "basis",
)


@dataclass(frozen=True)
class Indicator:
    """A computed indicator for one target.

    Attributes
    ----------
    target_id : str
        The target it answers (ids of the targets file).
    value : float
        The computed value, in ``unit``.
    unit : str
        Must equal the target's unit.
    basis : str
        What was counted and how (shown beside the figure).
    """

    target_id: str
    value: float
    unit: str
    basis: str


def load_targets(path: str | Path) -> pd.DataFrame:
    """Read and validate a targets CSV.

    Raises
    ------
    WorkflowError
        For a missing column, a duplicate id, an unknown comparison or a non-numeric value.
    """
    p = Path(path)
    df = read_table(p, "targets file", TARGET_COLUMNS, dtype={"target_id": str, "unit": str, "comparison": str})
    dup = df["target_id"][df["target_id"].duplicated()]
    if len(dup):
        raise WorkflowError(f"duplicate target_id '{dup.iloc[0]}'", file=str(p), field="target_id",
                            hint="give each target a unique id")
    bad = ~df["comparison"].isin(COMPARISONS)
    if bad.any():
        raise WorkflowError(f"comparison '{df['comparison'][bad].iloc[0]}' of target "
                            f"'{df['target_id'][bad].iloc[0]}' is not one of {', '.join(COMPARISONS)}",
                            file=str(p), field="comparison", hint="use >=, <= or about")
    value = pd.to_numeric(df["value"], errors="coerce")
    if value.isna().any():
        tid = df["target_id"][value.isna()].iloc[0]
        raise WorkflowError(f"value of target '{tid}' is not a number", file=str(p), field="value",
                            hint="give a plain number in the target's unit")
    df["value"] = value
    df["tolerance"] = pd.to_numeric(df["tolerance"], errors="coerce")
    about_no_tol = (df["comparison"] == "about") & df["tolerance"].isna()
    if about_no_tol.any():
        raise WorkflowError(f"target '{df['target_id'][about_no_tol].iloc[0]}' compares 'about' but has no "
                            "tolerance", file=str(p), field="tolerance",
                            hint="give a relative tolerance, e.g. 0.05 for +/-5%")
    return df


def _status(comparison: str, required: float, computed: float, tolerance: float) -> tuple[float, str]:
    """Return (gap, status). Gap is signed: positive means the target is not yet reached."""
    if comparison == ">=":
        gap = required - computed
        return gap, "met" if gap <= 0 else "short"
    if comparison == "<=":
        gap = computed - required
        return gap, "met" if gap <= 0 else "short"
    gap = required - computed
    ok = abs(gap) <= tolerance * abs(required)
    return gap, "met" if ok else "short"


def check_targets(targets: pd.DataFrame, indicators: Iterable[Indicator]) -> pd.DataFrame:
    """Compare indicators with targets.

    Parameters
    ----------
    targets : pandas.DataFrame
        From :func:`load_targets`.
    indicators : iterable of Indicator
        Computed values; targets without one are ``not computed``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULT_COLUMNS`, one row per target in the file's order. ``gap`` is in the
        target's unit and signed: for ``>=`` and ``about`` it is required - computed, for ``<=`` it is
        computed - required; a positive gap means not yet reached.

    Raises
    ------
    ValueError
        When an indicator names an unknown target or its unit differs from the target's.
    """
    by_id = {}
    known = set(targets["target_id"])
    for ind in indicators:
        if ind.target_id not in known:
            raise ValueError(f"indicator for unknown target '{ind.target_id}'")
        by_id[ind.target_id] = ind
    rows = []
    for t in targets.itertuples(index=False):
        ind = by_id.get(t.target_id)
        computed = gap = math.nan
        status, basis = "not computed", ""
        if ind is not None:
            if ind.unit != t.unit:
                raise ValueError(f"indicator for '{t.target_id}' is in {ind.unit}, target in {t.unit}")
            basis = ind.basis
            if ind.value is not None and not math.isnan(ind.value):
                computed = float(ind.value)
                gap, status = _status(t.comparison, float(t.value), computed, float(t.tolerance or 0.0))
        rows.append(
            {
                "target_id": t.target_id,
                "description": t.description,
                "description_zh": t.description_zh,
                "year": t.year,
                "comparison": t.comparison,
                "required": float(t.value),
                "unit": t.unit,
                "computed": computed,
                "gap": gap,
                "status": status,
                "basis": basis,
            }
        )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
