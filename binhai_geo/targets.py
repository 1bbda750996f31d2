"""The plan's targets as data, and checking computed indicators against them.

A targets file is a CSV with one row per target of the plan: ``target_id, description,
description_zh, value, unit, comparison, tolerance, year, plan_wording``. ``comparison`` is ``>=``,
``<=`` or ``about`` (met when within ``tolerance``, a relative tolerance, of the value).

:func:`check_targets` compares :class:`Indicator` values with the targets and returns, per target:
required, computed (installed), committed, pipeline, gap (>= 0), surplus (>= 0), status and basis. The
status follows one rule each (:mod:`binhai_geo.accounting.verdicts`): ``met``, ``on track``, ``short``,
``indicative`` (computed on a proxy or on incomplete data: the basis says which) or ``not computed`` (the
basis says why); the rule is written at the start of every basis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from binhai_geo.accounting.verdicts import STATUS_ZH, rounded, verdict
from binhai_geo.errors import WorkflowError
from binhai_geo.factors import read_table
from binhai_geo.indicator import Indicator

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
    "committed",
    "pipeline",
    "surplus",
    "reading",
    "status_zh",
    "data",
)
#: Said in the basis of a target no step computes.
NOT_COMPUTED_WHY = ("not computed: no step of the toolkit computes this target (it needs statistics the layers do "
                    "not hold); give the figure from district statistics")


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
        Columns :data:`RESULT_COLUMNS`, one row per target in the file's order. ``gap`` (shortfall after
        committed capacity) and ``surplus`` are >= 0, in the target's unit; figures are rounded to what
        they mean (:func:`binhai_geo.accounting.verdicts.decimals`).

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
    rows = [_row(t, by_id.get(t.target_id)) for t in targets.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _row(t: object, ind: Indicator | None) -> dict:
    """Return one result row: the verdict (:func:`binhai_geo.accounting.verdicts.verdict`), rule first in basis."""
    required = file_value = float(t.value)
    nan = math.nan
    if ind is not None and ind.unit != t.unit:
        raise ValueError(f"indicator for '{t.target_id}' is in {ind.unit}, target in {t.unit}")
    value = nan if ind is None or ind.value is None else float(ind.value)
    if ind is not None and ind.required is not None and not math.isnan(ind.required):
        required = float(ind.required)
    v = verdict(t.comparison, required, value, ind.committed if ind else None, t.unit,
                tolerance=None if pd.isna(t.tolerance) else float(t.tolerance),
                indicative=ind.indicative if ind else None,
                decimals_of=file_value)
    if ind is None:
        basis = NOT_COMPUTED_WHY
    elif math.isnan(value):
        basis = f"not computed: {ind.basis}"
    else:
        basis = f"{v.rule}; {ind.basis}"
    r = lambda x: rounded(x, t.unit, file_value) if x is not None else nan  # noqa: E731
    return {
        "target_id": t.target_id, "description": t.description, "description_zh": t.description_zh,
        "year": t.year, "comparison": t.comparison, "required": r(required), "unit": t.unit,
        "computed": r(value), "gap": v.gap, "status": v.status, "basis": basis,
        "committed": r(ind.committed) if ind and ind.committed is not None else nan,
        "pipeline": r(ind.pipeline) if ind and ind.pipeline is not None else nan,
        "surplus": v.surplus, "reading": v.reading, "status_zh": STATUS_ZH[v.status],
        "data": ind.data if ind else "",
    }
