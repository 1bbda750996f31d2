"""Costs: the documented cost table, LCOE per site and the supply-curve table.

The chart of the supply curve is drawn by :func:`binhai_geo.deliverables.supplycurve.plot_supply_curve`.

LCOE [CNY/MWh] = (capex x CRF + opex) / levelised energy, with

- capex = technology capex per kW x capacity + grid connection cost [CNY];
- CRF = r (1 + r)^n / ((1 + r)^n - 1), real discount rate r, lifetime n [yr];
- levelised energy = E1 x CRF x sum_{t=1..n} (1 - d)^(t-1) / (1 + r)^t, with E1 the first-year energy
  the yield engines compute and d the technology's annual degradation (``degradation`` rows of
  ``costs.csv``: PV 0.5 %/yr, Jordan and Kurtz 2013; wind 1.6 %/yr, Staffell and Green 2014).

This equals the discounted cost over the discounted energy, sum_t (C_t / (1 + r)^t) / sum_t (E_t / (1 + r)^t),
with the capex at year 0 and constant O&M; with d = 0 the levelised energy is E1. Simplified (said in the
step notes): no taxes or subsidies, no land lease, no decommissioning, O&M constant in real terms. A site
without annual energy (the yield engines have not filled it) has no LCOE and is left out of the supply curve.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import apply_overrides, keyed, numeric_columns, packaged_table, read_table

COST_COLUMNS = ("item", "technology", "surface", "value", "low", "high", "unit", "source", "notes")
SUPPLY_COLUMNS = ("rank", "site_id", "name", "name_zh", "technology", "layer_kind", "lcoe_cny_per_mwh", "capacity_mw",
                  "occupied_mw", "available_mw", "cumulative_mw", "cumulative_available_mw", "energy_mwh_per_yr")


def load_costs(path: str | Path | None = None, overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Load the cost table (packaged ``binhai_geo/data/costs.csv`` unless ``path``) and apply overrides.

    Parameters
    ----------
    path : path-like, optional
        A CSV with the packaged table's columns.
    overrides : dict, optional
        ``{"item.technology.surface": value}`` in the row's unit; the row's source then says so.

    Raises
    ------
    WorkflowError
        For a missing column, a non-numeric or negative value, a duplicate row or an override naming no row.
    """
    p = Path(path) if path is not None else packaged_table("costs.csv")
    df = read_table(p, "cost table", COST_COLUMNS, dtype={"item": str, "technology": str, "surface": str})
    numeric_columns(df, p, ("value", "low", "high"), minimum=0.0)
    key = df["item"] + "." + df["technology"] + "." + df["surface"]
    df = keyed(df, key, p, "one row per item, technology and surface")
    df = apply_overrides(df, overrides, what="costs", field="eligibility.costs")
    return df.reset_index(drop=True)


def cost_of(costs: pd.DataFrame, item: str, technology: str = "*", surface: str = "*") -> float:
    """Value of ``item`` for a technology and surface, falling back to ``*`` rows.

    Raises
    ------
    WorkflowError
        When no row matches.
    """
    lookup = {(i, t, s): v for i, t, s, v in zip(costs["item"], costs["technology"], costs["surface"],
                                                  costs["value"], strict=True)}
    for tech in (technology, "*"):
        for surf in (surface, "*"):
            if (item, tech, surf) in lookup:
                return float(lookup[(item, tech, surf)])
    raise WorkflowError(f"the cost table has no row for '{item}' ({technology}, {surface})",
                        hint=f"add a row item={item}, technology={technology} or *, surface={surface} or *")


def crf(rate: float, years: float) -> float:
    """Capital recovery factor [1/yr] of a real discount rate and a lifetime [yr]."""
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def levelised_energy_factor(rate: float, years: float, degradation_pct_per_yr: float) -> float:
    """Levelised energy over first-year energy [-]: CRF x sum_{t=1..n} (1 - d)^(t-1) / (1 + r)^t.

    Parameters
    ----------
    rate : float
        Real discount rate r [-].
    years : float
        Lifetime n [yr], rounded to whole years.
    degradation_pct_per_yr : float
        Annual output decline d [%/yr].
    """
    t = np.arange(1, int(round(years)) + 1, dtype=float)
    d = degradation_pct_per_yr / 100.0
    return float(crf(rate, len(t)) * np.sum((1.0 - d) ** (t - 1) / (1.0 + rate) ** t))


def site_lcoe(sites: pd.DataFrame, costs: pd.DataFrame, grid_cost_cny: np.ndarray) -> pd.DataFrame:
    """Capex, annualised cost and LCOE per site.

    Parameters
    ----------
    sites : DataFrame
        With ``technology``, ``layer_kind``, ``capacity_mw``, ``energy_mwh_per_yr``.
    costs : DataFrame
        From :func:`load_costs`.
    grid_cost_cny : array
        Grid connection cost per site [CNY].

    Returns
    -------
    pandas.DataFrame
        ``capex_cny``, ``annual_cost_cny_per_yr``, ``levelised_energy_mwh_per_yr`` (first-year energy x
        :func:`levelised_energy_factor`), ``lcoe_cny_per_mwh`` (NaN without energy), same index.

    Raises
    ------
    WorkflowError
        When the cost table lacks a row (e.g. a replaced table without ``degradation`` rows).
    """
    rate = cost_of(costs, "discount_rate")
    capex, annual, factor = [], [], []
    for (tech, kind, cap), grid in zip(sites[["technology", "layer_kind", "capacity_mw"]].itertuples(index=False,
                                                                                                  name=None),
                                       grid_cost_cny, strict=True):
        kw = float(cap) * 1000.0
        c = cost_of(costs, "capex", tech, kind) * kw + float(np.nan_to_num(grid))
        life = cost_of(costs, "lifetime", tech, kind)
        capex.append(c)
        annual.append(c * crf(rate, life) + cost_of(costs, "opex", tech, kind) * kw)
        factor.append(levelised_energy_factor(rate, life, cost_of(costs, "degradation", tech, kind)))
    energy = pd.to_numeric(sites["energy_mwh_per_yr"], errors="coerce").to_numpy(dtype=float)
    levelised = energy * np.asarray(factor, dtype=float)
    annual_arr = np.asarray(annual, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lcoe = np.where(levelised > 0, annual_arr / levelised, np.nan)
    return pd.DataFrame({"capex_cny": capex, "annual_cost_cny_per_yr": annual_arr,
                         "levelised_energy_mwh_per_yr": levelised, "lcoe_cny_per_mwh": lcoe}, index=sites.index)


def supply_curve(sites: gpd.GeoDataFrame, occupied_mw: np.ndarray | None = None) -> pd.DataFrame:
    """Sites with an LCOE, cheapest first, with cumulative capacity (all, and not occupied by a ledger project) [MW].

    Parameters
    ----------
    sites : GeoDataFrame
        With ``lcoe_cny_per_mwh`` and ``capacity_mw``.
    occupied_mw : array, optional
        Capacity of built and pipeline projects already on each site [MW].
    """
    df = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).copy()
    for col in ("name", "name_zh"):
        if col not in df.columns:
            df[col] = pd.NA
    df["occupied_mw"] = 0.0 if occupied_mw is None else np.minimum(occupied_mw, df["capacity_mw"])
    df["available_mw"] = (df["capacity_mw"] - df["occupied_mw"]).clip(lower=0)
    df = df[np.isfinite(df["lcoe_cny_per_mwh"]) & (df["capacity_mw"] > 0)]
    df = df.sort_values(["lcoe_cny_per_mwh", "site_id"], kind="stable").reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    df["cumulative_mw"] = df["capacity_mw"].cumsum()
    df["cumulative_available_mw"] = df["available_mw"].cumsum()
    return df[list(SUPPLY_COLUMNS)]
