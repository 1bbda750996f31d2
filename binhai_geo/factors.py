"""Default factor tables: readable CSV files with a value, a range, a unit and a source per row.

The packaged tables live in ``binhai_geo/data/``. A workflow may replace a table with its own CSV
(same columns) or override single values; either way the table used is written to the run's outputs.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from binhai_geo.errors import WorkflowError

CAPACITY_DENSITY_COLUMNS = ("surface", "technology", "value", "low", "high", "unit", "basis", "source", "notes")
CAPACITY_DENSITY_UNITS = {"MW/km2", "MW/km"}


def packaged_table(name: str) -> Path:
    """Return the path of the packaged data table ``name`` (e.g. ``capacity_density.csv``)."""
    return Path(str(resources.files("binhai_geo") / "data" / name))


def load_capacity_density(
    path: str | Path | None = None, overrides: dict[str, float] | None = None
) -> pd.DataFrame:
    """Load the capacity-density table and apply overrides.

    Parameters
    ----------
    path : path-like, optional
        A CSV with the columns of the packaged table; default: the packaged table.
    overrides : dict, optional
        ``{"surface.technology": value}`` in the table's unit for that row. An overridden row's
        ``source`` says so.

    Returns
    -------
    pandas.DataFrame
        One row per (surface, technology): value, low, high [unit], basis, source, notes.

    Raises
    ------
    WorkflowError
        For a missing column, a negative or non-numeric value, an unknown unit, a duplicate row or an
        override naming a row that does not exist.
    """
    p = Path(path) if path is not None else packaged_table("capacity_density.csv")
    try:
        df = pd.read_csv(p, dtype={"surface": str, "technology": str}, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise WorkflowError(f"cannot read the capacity-density table: {exc}", file=str(p),
                            hint="give a UTF-8 CSV with the packaged table's columns") from None
    missing = [c for c in CAPACITY_DENSITY_COLUMNS if c not in df.columns]
    if missing:
        raise WorkflowError(f"missing column(s): {', '.join(missing)}", file=str(p),
                            hint=f"the table needs columns {', '.join(CAPACITY_DENSITY_COLUMNS)}")
    for col in ("value", "low", "high"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() | (num < 0)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise WorkflowError(
                f"'{col}' must be a number >= 0, found '{df[col].iloc[row]}' "
                f"(row {row + 2}: {df['surface'].iloc[row]}.{df['technology'].iloc[row]})",
                file=str(p), field=col, hint="correct the value")
        df[col] = num.astype(float)
    bad_unit = ~df["unit"].isin(CAPACITY_DENSITY_UNITS)
    if bad_unit.any():
        raise WorkflowError(f"unknown unit '{df['unit'][bad_unit].iloc[0]}'", file=str(p), field="unit",
                            hint=f"use one of {', '.join(sorted(CAPACITY_DENSITY_UNITS))}")
    key = df["surface"] + "." + df["technology"]
    if key.duplicated().any():
        raise WorkflowError(f"duplicate row for {key[key.duplicated()].iloc[0]}", file=str(p),
                            hint="keep one row per surface and technology")
    df = df.set_index(key.rename("key"))
    for k, value in (overrides or {}).items():
        if k not in df.index:
            raise WorkflowError(
                f"capacity_density override '{k}' names no row of the table; rows: {', '.join(df.index)}",
                field=f"assumptions.capacity_density.{k}", hint="use one of the row keys listed")
        if value < 0:
            raise WorkflowError(f"capacity density '{k}' = {value} is negative",
                                field=f"assumptions.capacity_density.{k}", hint="densities are >= 0")
        df.loc[k, "value"] = float(value)
        df.loc[k, "source"] = f"workflow override (packaged default: {df.loc[k, 'source']})"
    return df.reset_index(drop=True)
