"""Default factor tables: readable CSV files with a value, a range, a unit and a source per row.

The packaged tables live in ``binhai_geo/data/``. A workflow may replace a table with its own CSV
(same columns) or override single values; either way the table used is written to the run's outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.atomic import note_input
from binhai_geo.errors import WorkflowError
from binhai_geo.layermodel import implausible

CAPACITY_DENSITY_COLUMNS = ("surface", "technology", "value", "low", "high", "unit", "basis", "source", "notes")
CAPACITY_DENSITY_UNITS = {"MW/km2", "MW/km"}


def packaged_table(name: str) -> Path:
    """Return the path of the packaged data table ``name`` (e.g. ``capacity_density.csv``)."""
    return Path(str(resources.files("binhai_geo") / "data" / name))


def load_capacity_density(
    path: str | Path | None = None, overrides: dict[str, float] | None = None,
    derived: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Load the capacity-density table, fill its derived rows and apply overrides.

    A row with an empty ``value`` is derived from another table, which stays its one source: the packaged PV
    rows are the densities of the PV archetypes (``pv_archetypes.csv``), which the solar engine computes
    (:func:`binhai_geo.solar.densities.pv_densities`) and the caller passes as ``derived``.

    Parameters
    ----------
    path : path-like, optional
        A CSV with the columns of the packaged table; default: the packaged table.
    overrides : dict, optional
        ``{"surface.technology": value}`` in the table's unit for that row. An overridden row's
        ``source`` says so.
    derived : mapping, optional
        ``{"surface.technology": value}`` for the rows with an empty ``value``; a row left empty stays NaN
        (:func:`binhai_geo.siting.sites.build_sites` refuses to use it).

    Returns
    -------
    pandas.DataFrame
        One row per (surface, technology): value, low, high [unit], basis, source, notes.

    Raises
    ------
    WorkflowError
        For a missing column, a negative or non-numeric value (other than an empty derived one), an unknown
        unit, a duplicate row or an override naming a row that does not exist.
    """
    p = Path(path) if path is not None else packaged_table("capacity_density.csv")
    df = read_table(p, "capacity-density table", CAPACITY_DENSITY_COLUMNS, dtype={"surface": str, "technology": str})
    key = df["surface"] + "." + df["technology"]
    empty = df["value"].isna() | (df["value"].astype(str).str.strip() == "")
    if empty.any():
        df["value"] = df["value"].astype(object).where(~empty, key.map(dict(derived or {})))
    numeric_columns(df, p, ("low", "high"), minimum=0.0, label=key)
    numeric_columns(df, p, ("value",), minimum=0.0, label=key, allow_empty=empty.to_numpy())
    bad_unit = ~df["unit"].isin(CAPACITY_DENSITY_UNITS)
    if bad_unit.any():
        raise WorkflowError(f"unknown unit '{df['unit'][bad_unit].iloc[0]}'", file=str(p), field="unit",
                            hint=f"use one of {', '.join(sorted(CAPACITY_DENSITY_UNITS))}")
    df = keyed(df, key, p, "keep one row per surface and technology")
    df = apply_overrides(df, overrides, what="capacity_density", field="assumptions.capacity_density")
    per_km2 = (df["unit"] == "MW/km2").to_numpy()
    for key, value in zip(df.index[per_km2], df["value"][per_km2], strict=True):
        why = implausible("capacity_density_mw_per_km2", value, f"capacity density '{key}'")
        if why:  # bounds and unit mix-ups: binhai_geo/data/plausibility_bounds.csv
            overridden = overrides is not None and str(key) in overrides
            raise WorkflowError(why, file=None if overridden else str(p),
                                field="assumptions.capacity_density" if overridden else "value",
                                hint="give the capacity density in MWp per km2 of site area (e.g. 66.9 for a salt "
                                "pan)")
    return df.reset_index(drop=True)


def read_table(path: str | Path, what: str, columns: Sequence[str], *, hint: str | None = None,
               **read_csv: object) -> pd.DataFrame:
    """Read a UTF-8 CSV table (a byte-order mark is allowed) and check that it has ``columns``.

    Parameters
    ----------
    path : path-like
        The CSV file.
    what : str
        What the table is, for messages (e.g. ``"cost table"``).
    columns : sequence of str
        Columns the table must have.
    hint : str, optional
        How to fix a missing column (default: the columns needed).
    **read_csv
        Passed to :func:`pandas.read_csv` (``dtype``, ``keep_default_na``, ...).

    Raises
    ------
    WorkflowError
        Naming the file, when it cannot be read or lacks a column.
    """
    p = Path(path)
    note_input(p)  # an output may never overwrite it
    try:
        df = pd.read_csv(p, encoding="utf-8-sig", **read_csv)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise WorkflowError(f"cannot read the {what}: {exc}", file=str(p),
                            hint="give a UTF-8 CSV with columns " + ", ".join(columns)) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise WorkflowError(f"missing column(s): {', '.join(missing)}", file=str(p),
                            hint=hint or f"the {what} needs columns " + ", ".join(columns))
    return df


def numeric_columns(df: pd.DataFrame, path: str | Path, columns: Sequence[str], *, minimum: float | None = None,
                    label: pd.Series | None = None, allow_empty: np.ndarray | None = None) -> pd.DataFrame:
    """Turn ``columns`` of ``df`` into floats in place (and return ``df``).

    Parameters
    ----------
    df : pandas.DataFrame
        A table read by :func:`read_table`.
    path : path-like
        Its file, for messages.
    columns : sequence of str
        The columns that hold numbers.
    minimum : float, optional
        The smallest allowed value.
    label : pandas.Series, optional
        A name per row (e.g. its key), said with the CSV line of a bad value.
    allow_empty : numpy.ndarray of bool, optional
        Rows whose cell may be empty (NaN after conversion).

    Raises
    ------
    WorkflowError
        Naming the column, the CSV line and the value of the first cell that is not a number (or is
        below ``minimum``).
    """
    for col in columns:
        num = pd.to_numeric(df[col], errors="coerce")
        missing = num.isna() if allow_empty is None else num.isna() & ~allow_empty
        bad = missing if minimum is None else missing | (num < minimum)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            need = "a number" if minimum is None else f"a number >= {minimum:g}"
            where = f"row {row + 2}" + (f": {label.iloc[row]}" if label is not None else "")
            raise WorkflowError(f"'{col}' must be {need}, found '{df[col].iloc[row]}' ({where})", file=str(path),
                                field=col, hint="correct the value")
        df[col] = num.astype(float)
    return df


def keyed(df: pd.DataFrame, key: pd.Series, path: str | Path, hint: str) -> pd.DataFrame:
    """Return ``df`` indexed by ``key`` (index name ``key``), one row per key.

    Raises
    ------
    WorkflowError
        Naming the first key that repeats; ``hint`` says what makes a row unique.
    """
    if key.duplicated().any():
        raise WorkflowError(f"duplicate row {key[key.duplicated()].iloc[0]}", file=str(path), hint=hint)
    return df.set_index(key.rename("key"))


def apply_overrides(df: pd.DataFrame, overrides: Mapping[str, float] | None, *, what: str, field: str,
                    widen_range: bool = False) -> pd.DataFrame:
    """Replace ``value`` of the rows a workflow overrides; their ``source`` then says so.

    Parameters
    ----------
    df : pandas.DataFrame
        A factor table indexed by row key (see :func:`keyed`), with ``value`` and ``source``.
    overrides : mapping, optional
        ``{row key: value}`` in the row's unit.
    what : str
        What the values are, for messages (e.g. ``"capacity_density"``).
    field : str
        The workflow key of the overrides (e.g. ``"assumptions.capacity_density"``).
    widen_range : bool
        Widen ``low`` and ``high`` to take in an overriding value outside them.

    Raises
    ------
    WorkflowError
        For an override naming no row, or a negative value.
    """
    for k, value in (overrides or {}).items():
        if k not in df.index:
            raise WorkflowError(f"{what} override '{k}' names no row of the table; rows: {', '.join(df.index)}",
                                field=f"{field}.{k}", hint="use one of the row keys listed")
        if value < 0:
            raise WorkflowError(f"{what} override '{k}' = {value} is negative", field=f"{field}.{k}",
                                hint="give a value >= 0 in the row's unit")
        df.loc[k, "value"] = float(value)
        if widen_range:
            df.loc[k, "low"] = min(df.loc[k, "low"], float(value))
            df.loc[k, "high"] = max(df.loc[k, "high"], float(value))
        df.loc[k, "source"] = f"workflow override (packaged default: {df.loc[k, 'source']})"
    return df
