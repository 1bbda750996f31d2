"""Carbon-sink factors: the readable factor table and the plantation growth curve.

The packaged table ``binhai_geo/data/sink_factors.csv`` holds, per sink class, a ``value`` with its
``low`` and ``high`` range, ``unit`` and ``source`` (IPCC 2006 AFOLU Vol.4 and 2013 Wetlands Supplement
Tier 1 defaults where they exist, Chinese literature for North China plantations, research estimates
for oyster reefs and mariculture shellfish, flagged ``creditable = false``). Rows marked
``evidence = assumption`` say so. A user may replace the table (same columns) or override single values
in a workflow; every class a layer carries must have its rows, and no value may be negative.

Quantities:

- ``stock_max`` (forest classes) [tC/ha]: tree/shrub biomass carbon at maturity, with
  ``maturity_age_yr``. Stock by stand age follows a Chapman-Richards curve
  ``S(a) = S_max * (1 - exp(-k a))**3`` with ``k`` such that ``S(maturity_age) = 0.95 S_max``, so young
  stands sequester little, the rate peaks near a third of the maturity age (``a = ln 3 / k``) and falls
  as the stand matures. Annual sequestration in year ``Y`` is ``S(a) - S(a - 1)`` with
  ``a = Y - year_planted``. The curve shape (exponent 3, 95% at maturity) is this toolkit's stated
  simplification of plantation growth; it is written by hand because it is three lines of numpy.
- ``rate`` (wetland classes) [tC/ha/yr]: soil/sediment carbon accumulation, constant in time.
- ``stock`` (wetland classes) [tC/ha]: soil/sediment organic carbon to 1 m.

t CO2e = t C x 44/12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import apply_overrides, keyed, packaged_table, read_table
from binhai_geo.layermodel import FOREST_TYPES, WETLAND_TYPES

#: Mass ratio CO2 / C.
CO2_PER_C = 44.0 / 12.0
#: Square metres per hectare and hectares per square kilometre.
HA_PER_KM2 = 100.0
#: 1 mu (亩) in km2 (666.67 m2).
KM2_PER_MU = 666.6667e-6

SINK_FACTOR_COLUMNS = ("sink_class", "layer_kind", "type_value", "name_zh", "quantity", "value", "low", "high",
                       "unit", "maturity_age_yr", "creditable", "evidence", "source", "notes")
UNITS = {"stock_max": "tC/ha", "rate": "tC/ha/yr", "stock": "tC/ha"}
EVIDENCE = ("ipcc_tier1", "literature", "assumption", "research_estimate")
#: Share of the maturity stock reached at the maturity age (defines k of the growth curve).
MATURITY_SHARE = 0.95
#: Exponent of the Chapman-Richards curve.
CURVE_EXPONENT = 3.0
#: The layer kind 'tidal_flat' (沿海滩涂) is accounted as this sink class.
TIDAL_FLAT_CLASS = "tidal_flat"
#: Sink class used for each layer kind by :func:`conversion_loss_factors` (a stated choice: PV and wind
#: sites on wetland are coastal, so the IPCC coastal default 'salt_marsh' stands for wetland).
CONVERSION_CLASSES = {"forest": "tree_forest", "wetland": "salt_marsh", "tidal_flat": "tidal_flat"}
#: Reference age of a forest stand for a single "mean annual" rate [fraction of maturity age]: the mean
#: rate over the maturity period.
_LEVELS = ("value", "low", "high")


def default_class(layer_kind: str, type_value: str) -> str:
    """Sink class of a feature of ``layer_kind`` with type ``type_value`` (forest_type / wetland_type)."""
    if layer_kind == "tidal_flat":
        return TIDAL_FLAT_CLASS
    if type_value == "other":
        return f"other_{layer_kind}"
    return type_value


def load_sink_factors(path: str | Path | None = None, overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Load and check the sink-factor table.

    Parameters
    ----------
    path : path-like, optional
        A CSV with the packaged table's columns; default: ``binhai_geo/data/sink_factors.csv``.
    overrides : dict, optional
        ``{"sink_class.quantity": value}`` replacing the central value of one row (in its unit); the
        row's source says so.

    Returns
    -------
    pandas.DataFrame
        The table, one row per (sink_class, quantity), numeric ``value``, ``low``, ``high``,
        ``maturity_age_yr`` and boolean ``creditable``.

    Raises
    ------
    WorkflowError
        For a missing column, a non-numeric or negative value, low > value > high, a wrong unit, a
        duplicate row, a forest class without ``stock_max`` and maturity age, a wetland class without
        ``rate`` and ``stock``, a forest or wetland type of the layer model without a class, or an
        override naming no row.
    """
    p = Path(path) if path is not None else packaged_table("sink_factors.csv")
    df = read_table(p, "sink-factor table", SINK_FACTOR_COLUMNS, dtype=str, keep_default_na=False)

    def _err(row: int, field: str, msg: str, hint: str) -> WorkflowError:
        return WorkflowError(f"row {row + 2} ({df['sink_class'].iloc[row]}.{df['quantity'].iloc[row]}): {msg}",
                             file=str(p), field=field, hint=hint)

    for col in _LEVELS:
        num = pd.to_numeric(df[col], errors="coerce")
        for row in np.flatnonzero(num.isna().to_numpy()):
            raise _err(row, col, f"'{col}' must be a number, found '{df[col].iloc[row]}'", "give a plain number")
        for row in np.flatnonzero((num < 0).to_numpy()):
            raise _err(row, col, f"negative {col} {num.iloc[row]}: sink factors are >= 0 (this table holds sinks)",
                       "give 0 for a class that is no sink; sources belong in an emissions inventory")
        df[col] = num.astype(float)
    bad_order = (df["low"] > df["value"]) | (df["value"] > df["high"])
    for row in np.flatnonzero(bad_order.to_numpy()):
        raise _err(row, "value", f"needs low <= value <= high, found {df['low'].iloc[row]}, {df['value'].iloc[row]}, "
                   f"{df['high'].iloc[row]}", "order the range")
    bad_q = ~df["quantity"].isin(list(UNITS))
    for row in np.flatnonzero(bad_q.to_numpy()):
        raise _err(row, "quantity", f"unknown quantity '{df['quantity'].iloc[row]}'",
                   "use one of " + ", ".join(UNITS))
    bad_u = df["unit"] != df["quantity"].map(UNITS)
    for row in np.flatnonzero(bad_u.to_numpy()):
        raise _err(row, "unit", f"unit '{df['unit'].iloc[row]}' for {df['quantity'].iloc[row]}",
                   f"use {UNITS[df['quantity'].iloc[row]]}")
    bad_kind = ~df["layer_kind"].isin(["forest", "wetland"])
    for row in np.flatnonzero(bad_kind.to_numpy()):
        raise _err(row, "layer_kind", f"layer_kind '{df['layer_kind'].iloc[row]}'", "use forest or wetland")
    bad_ev = ~df["evidence"].isin(EVIDENCE)
    for row in np.flatnonzero(bad_ev.to_numpy()):
        raise _err(row, "evidence", f"evidence '{df['evidence'].iloc[row]}'", "use one of " + ", ".join(EVIDENCE))
    cred = df["creditable"].str.strip().str.lower()
    for row in np.flatnonzero(~cred.isin(["true", "false"]).to_numpy()):
        raise _err(row, "creditable", f"creditable '{df['creditable'].iloc[row]}'", "use true or false")
    df["creditable"] = cred == "true"
    for row in np.flatnonzero((df["source"].str.strip() == "").to_numpy()):
        raise _err(row, "source", "no source", "say where the value comes from, or 'assumption' and why")
    df["maturity_age_yr"] = pd.to_numeric(df["maturity_age_yr"], errors="coerce")
    key = df["sink_class"] + "." + df["quantity"]
    df = keyed(df, key, p, "keep one row per sink_class and quantity")
    needed = {"forest": ("stock_max",), "wetland": ("rate", "stock")}
    for cls, grp in df.groupby("sink_class", sort=True):
        kind = grp["layer_kind"].iloc[0]
        lacking = [q for q in needed[kind] if q not in set(grp["quantity"])]
        if lacking:
            raise WorkflowError(f"sink class '{cls}' lacks row(s) {', '.join(lacking)}", file=str(p),
                                field="quantity", hint=f"a {kind} class needs {' and '.join(needed[kind])}")
        if kind == "forest":
            age = grp["maturity_age_yr"].iloc[0]
            if not (age > 0):
                raise WorkflowError(f"forest class '{cls}' needs maturity_age_yr > 0", file=str(p),
                                    field="maturity_age_yr", hint="give the age [yr] at which the stand matures")
    for kind, types in (("forest", FOREST_TYPES), ("wetland", WETLAND_TYPES)):
        known = set(df["sink_class"][df["layer_kind"] == kind])
        lacking = sorted({default_class(kind, t) for t in types} - known)
        if lacking:
            raise WorkflowError(f"missing sink class(es) {', '.join(lacking)} for {kind} types of the layer model",
                                file=str(p), field="sink_class",
                                hint="add rows for them (value 0 with a note if they are no sink)")
    df = apply_overrides(df, overrides, what="sink factor", field="sinks.factors", widen_range=True)
    return df.reset_index(drop=True)


def growth_k(maturity_age_yr: np.ndarray | float) -> np.ndarray:
    """Rate parameter k [1/yr] of the growth curve, from the maturity age [yr]."""
    return -np.log(1.0 - MATURITY_SHARE ** (1.0 / CURVE_EXPONENT)) / np.asarray(maturity_age_yr, dtype=float)


def stand_stock_share(age_yr: np.ndarray | float, maturity_age_yr: np.ndarray | float) -> np.ndarray:
    """Share of the maturity stock a stand holds at ``age_yr`` (0 for age <= 0)."""
    a = np.clip(np.asarray(age_yr, dtype=float), 0.0, None)
    return (1.0 - np.exp(-growth_k(maturity_age_yr) * a)) ** CURVE_EXPONENT


def stand_increment_share(age_yr: np.ndarray | float, maturity_age_yr: np.ndarray | float) -> np.ndarray:
    """Share of the maturity stock a stand adds during its year ending at ``age_yr`` (S(a) - S(a-1))."""
    a = np.asarray(age_yr, dtype=float)
    return stand_stock_share(a, maturity_age_yr) - stand_stock_share(a - 1.0, maturity_age_yr)


def class_table(factors: pd.DataFrame) -> pd.DataFrame:
    """One row per sink class: stock and rate bases, maturity age, creditable, evidence, source.

    Columns: ``layer_kind, name_zh, kind_of_rate`` (``growth_curve`` or ``constant``), ``stock_tc_per_ha``
    / ``_low`` / ``_high`` (wetland stock or forest maturity stock), ``rate_tc_per_ha_yr`` / ``_low`` /
    ``_high`` (wetland rate; forest: mean over the maturity period, 0.95 S_max / maturity age),
    ``maturity_age_yr``, ``creditable``, ``evidence``, ``source``.
    """
    rows = []
    for cls, grp in factors.groupby("sink_class", sort=True):
        g = grp.set_index("quantity")
        kind = g["layer_kind"].iloc[0]
        row = {"sink_class": cls, "layer_kind": kind, "name_zh": g["name_zh"].iloc[0]}
        if kind == "forest":
            s = g.loc["stock_max"]
            age = float(s["maturity_age_yr"])
            row.update(kind_of_rate="growth_curve", maturity_age_yr=age)
            for lev, suf in zip(_LEVELS, ("", "_low", "_high"), strict=True):
                row[f"stock_tc_per_ha{suf}"] = float(s[lev])
                row[f"rate_tc_per_ha_yr{suf}"] = MATURITY_SHARE * float(s[lev]) / age
            row.update(creditable=bool(s["creditable"]), evidence=s["evidence"], source=s["source"])
        else:
            r, s = g.loc["rate"], g.loc["stock"]
            row.update(kind_of_rate="constant", maturity_age_yr=np.nan)
            for lev, suf in zip(_LEVELS, ("", "_low", "_high"), strict=True):
                row[f"stock_tc_per_ha{suf}"] = float(s[lev])
                row[f"rate_tc_per_ha_yr{suf}"] = float(r[lev])
            src = r["source"] if r["source"] == s["source"] else f"rate: {r['source']}; stock: {s['source']}"
            row.update(creditable=bool(r["creditable"]), evidence=r["evidence"], source=src)
        rows.append(row)
    return pd.DataFrame(rows).set_index("sink_class")


def conversion_loss_factors(path: str | Path | None = None,
                            classes: dict[str, str] | None = None) -> pd.DataFrame:
    """Annual sink lost per km2 when a PV or wind site converts land of a layer kind.

    For the siting engine: a site on forest, wetland or tidal flat removes that land's annual
    sequestration. Central, low and high come from the sink-factor table: for wetland and tidal flat
    the class's constant rate; for forest the mean rate over the maturity period (0.95 S_max / maturity
    age) of the class used. The sink class standing for each kind is :data:`CONVERSION_CLASSES`
    (forest -> ``tree_forest``, wetland -> ``salt_marsh``, tidal_flat -> ``tidal_flat``), a stated
    simplification; the stock released by clearing is not included (annual flow only).

    Parameters
    ----------
    path : path-like, optional
        A sink-factor table replacing the packaged one.
    classes : dict, optional
        ``{layer_kind: sink_class}`` replacing entries of :data:`CONVERSION_CLASSES`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``layer_kind`` ('forest', 'wetland', 'tidal_flat'), columns ``tco2_per_km2_yr``,
        ``tco2_per_km2_yr_low``, ``tco2_per_km2_yr_high`` [t CO2 / km2 / yr], ``sink_class``,
        ``creditable``, ``source``.
    """
    table = class_table(load_sink_factors(path))
    use = {**CONVERSION_CLASSES, **(classes or {})}
    rows = []
    for kind, cls in use.items():
        if cls not in table.index:
            raise WorkflowError(f"sink class '{cls}' for layer kind '{kind}' is not in the factor table",
                                file=str(path) if path else None, hint="use one of " + ", ".join(table.index))
        t = table.loc[cls]
        f = CO2_PER_C * HA_PER_KM2
        rows.append({"layer_kind": kind, "tco2_per_km2_yr": t["rate_tc_per_ha_yr"] * f,
                     "tco2_per_km2_yr_low": t["rate_tc_per_ha_yr_low"] * f,
                     "tco2_per_km2_yr_high": t["rate_tc_per_ha_yr_high"] * f,
                     "sink_class": cls, "creditable": bool(t["creditable"]), "source": t["source"]})
    return pd.DataFrame(rows).set_index("layer_kind")


def conversion_factors(path: str | Path | None = None) -> pd.DataFrame:
    """Annual sink lost and carbon stock per km2 of every sink class, for sites that convert the land.

    For the siting engine's carbon ledger: a site on forest, wetland or tidal flat removes that land's
    annual sequestration (flow) and disturbs its carbon stock (a one-off release the ledger scales by the
    release share of ``siting_conversion_release.csv``). Flow: the wetland class's constant rate, or the
    forest class's mean rate over the maturity period (0.95 S_max / maturity age). Stock: the forest class's
    biomass at maturity (an upper value for young stands), or the wetland class's soil / sediment organic
    carbon to 1 m.

    Parameters
    ----------
    path : path-like, optional
        A sink-factor table replacing the packaged one.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sink_class``; columns ``layer_kind``, ``tco2_per_km2_yr`` with ``_low`` and ``_high``
        [t CO2 / km2 / yr], ``stock_tco2_per_km2`` with ``_low`` and ``_high`` [t CO2 / km2],
        ``creditable``, ``source``.
    """
    table = class_table(load_sink_factors(path))
    f = CO2_PER_C * HA_PER_KM2
    out = pd.DataFrame({"layer_kind": table["layer_kind"]}, index=table.index)
    for suf in ("", "_low", "_high"):
        out[f"tco2_per_km2_yr{suf}"] = table[f"rate_tc_per_ha_yr{suf}"] * f
        out[f"stock_tco2_per_km2{suf}"] = table[f"stock_tc_per_ha{suf}"] * f
    out["creditable"] = table["creditable"].astype(bool)
    out["source"] = table["source"]
    return out
