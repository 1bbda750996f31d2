"""The wind engine's factor tables (``binhai_geo/data/wind_*.csv``): read, check, override.

Every default number of the engine lives in one of these CSVs with its value, range, unit and source:

- ``wind_resource.csv``: labelled region defaults of Weibull A, k, reference height and turbulence
  intensity per surface (sea, tidal flat, land) -- ASSUMPTIONS until the user supplies data;
- ``wind_rose.csv``: sector frequencies and sector Weibull A ratios per region label (an assumption too,
  built from published Bohai wind climatology);
- ``wind_turbine_defaults.csv``: default turbine and hub height per layer kind, chosen by wind class and
  specific rated power;
- ``wind_roughness.csv``: roughness length per surface;
- ``wind_losses.csv``: itemised energy losses per surface;
- ``wind_parameters.csv``: layout spacing, curve checks, thrust-curve derivation, wake-computation bins.

A workflow overrides single values (``[wind] parameters``, ``losses``, ``roughness_m``); the row's
``source`` then says so, and the tables used are returned to be written beside the outputs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import apply_overrides as apply_factor_overrides
from binhai_geo.factors import keyed, numeric_columns, packaged_table
from binhai_geo.factors import read_table as read_csv_table


def read_table(name: str, required: tuple[str, ...], path: str | Path | None = None) -> pd.DataFrame:
    """Read a wind factor table and check its columns and numbers.

    Parameters
    ----------
    name : str
        Packaged file name (e.g. ``wind_losses.csv``), used when ``path`` is None.
    required : tuple of str
        Columns the table must have; ``value`` (and ``low``, ``high`` when present) must be numbers.
    path : path-like, optional
        A user's table with the same columns.

    Raises
    ------
    WorkflowError
        Unreadable file, missing column or a non-numeric value.
    """
    p = Path(path) if path is not None else packaged_table(name)
    df = read_csv_table(p, "wind factor table", required, keep_default_na=False, na_values=[""])
    numeric_columns(df, p, [c for c in ("value", "low", "high") if c in df.columns])
    df.attrs["path"] = str(p)
    return df


def apply_overrides(df: pd.DataFrame, key: pd.Series, overrides: dict[str, float], what: str) -> pd.DataFrame:
    """Replace ``value`` of the rows whose ``key`` is named in ``overrides``; mark their source.

    Raises
    ------
    WorkflowError
        When a key repeats, an override names no row or is negative.
    """
    out = keyed(df.copy(), key, df.attrs.get("path", ""), "keep one row per key")
    out = apply_factor_overrides(out, overrides, what=f"[wind] {what}", field=f"wind.{what}")
    out = out.reset_index(drop=True)
    out.attrs.update(df.attrs)
    return out


def load_parameters(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Return ``wind_parameters.csv`` as ``{parameter: value}`` after overrides."""
    df = parameters_table(overrides)
    return dict(zip(df["parameter"], df["value"], strict=True))


def parameters_table(overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Return the ``wind_parameters.csv`` table after overrides."""
    df = read_table("wind_parameters.csv", ("parameter", "value", "low", "high", "unit", "source"))
    return apply_overrides(df, df["parameter"], overrides or {}, "parameters")


def losses_table(overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Return the itemised loss table (``wind_losses.csv``) after overrides keyed ``loss.surface``.

    Raises
    ------
    WorkflowError
        For a loss fraction outside [0, 1).
    """
    df = read_table("wind_losses.csv", ("loss", "surface", "value", "low", "high", "unit", "source"))
    df = apply_overrides(df, df["loss"] + "." + df["surface"], overrides or {}, "losses")
    bad = (df["value"] < 0) | (df["value"] >= 1)
    if bad.any():
        r = df[bad].iloc[0]
        raise WorkflowError(f"loss {r['loss']}.{r['surface']} = {r['value']} is not a fraction in [0, 1)",
                            field=f"wind.losses.{r['loss']}.{r['surface']}", hint="give e.g. 0.03 for 3 %")
    return df


def roughness_table(overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Return the roughness-length table (``wind_roughness.csv``) after overrides.

    Raises
    ------
    WorkflowError
        For a roughness length <= 0.
    """
    df = read_table("wind_roughness.csv", ("surface", "value", "low", "high", "unit", "source"))
    df = apply_overrides(df, df["surface"], overrides or {}, "roughness_m")
    bad = df["value"] <= 0
    if bad.any():
        raise WorkflowError(f"roughness length of '{df['surface'][bad].iloc[0]}' must be > 0 m",
                            field="wind.roughness_m", hint="e.g. 0.0002 m for open sea")
    return df


TURBINE_DEFAULT_COLUMNS = ("layer_kind", "turbine_type", "hub_height_m", "min_rated_mw", "rule", "source")


def turbine_defaults(path: str | Path | None = None) -> pd.DataFrame:
    """Default turbine and hub height per wind layer kind (``wind_turbine_defaults.csv``), indexed by kind.

    Raises
    ------
    WorkflowError
        A kind listed twice or a hub height <= 0.
    """
    p = Path(path) if path is not None else packaged_table("wind_turbine_defaults.csv")
    df = read_csv_table(p, "wind turbine defaults", TURBINE_DEFAULT_COLUMNS, keep_default_na=False, na_values=[""])
    numeric_columns(df, p, ["hub_height_m", "min_rated_mw"])
    out = keyed(df, df["layer_kind"], str(p), "keep one row per layer kind")
    bad = out["hub_height_m"] <= 0
    if bad.any():
        raise WorkflowError(f"hub height of '{out.index[bad][0]}' must be > 0 m", file=str(p), field="hub_height_m",
                            hint="give the hub height in metres")
    return out
