"""Energy-carbon ledger per site: avoided CO2, sink lost by converting forest or wetland, overlaps.

- avoided [t CO2/yr] = annual energy [MWh] x the grid emission factor (default: the MEE / NBS 2022 North
  China regional average, ``binhai_geo/data/siting_emission_factor.csv``; a workflow may give its own with a
  source). Using an average rather than a marginal factor is a stated simplification.
- sink lost [t CO2/yr] = overlap of the eligible site with forest, wetland and tidal flat (each area counted
  once, in that order) x the converted share of the technology (``siting_conversion_share.csv``) x the
  annual sink per km2 of that land (``binhai_geo.sinks.factors.conversion_loss_factors``, the sinks
  engine's factor table). The carbon stock released by clearing is not counted (annual flow only).
- net = avoided - sink lost; NaN where the site has no annual energy yet.
- overlaps with protected areas (any zone) and with the ecological red line (``exclusion`` features whose
  reason is ``ecological_red_line``) [km2], to show where rules let a site touch them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.factors import packaged_table

#: Land kinds whose sink a site may convert, in the order areas are attributed.
SINK_KINDS = ("forest", "wetland", "tidal_flat")

LEDGER_COLUMNS = ("site_id", "technology", "layer_kind", "energy_mwh_per_yr", "emission_factor_tco2_per_mwh",
                  "avoided_tco2_per_yr", "forest_km2", "wetland_km2", "tidal_flat_km2", "converted_share",
                  "sink_lost_tco2_per_yr", "sink_lost_tco2_per_yr_low", "sink_lost_tco2_per_yr_high",
                  "net_tco2_per_yr", "protected_overlap_km2", "red_line_overlap_km2")


@dataclass(frozen=True)
class EmissionFactor:
    """A grid emission factor [t CO2/MWh] with its range and source."""

    value: float
    low: float
    high: float
    source: str


def emission_factor(value: float | None = None, source: str | None = None) -> EmissionFactor:
    """Return the workflow's factor when given, else the packaged North China grid factor."""
    if value is not None:
        return EmissionFactor(value, value, value, f"workflow: {source}")
    row = pd.read_csv(packaged_table("siting_emission_factor.csv"), encoding="utf-8-sig").iloc[0]
    return EmissionFactor(float(row["value"]), float(row["low"]), float(row["high"]), str(row["source"]))


def conversion_shares() -> dict[str, float]:
    """Share of a site's area whose sink is lost, by technology (packaged table)."""
    t = pd.read_csv(packaged_table("siting_conversion_share.csv"), encoding="utf-8-sig")
    return dict(zip(t["technology"], t["value"].astype(float), strict=True))


def _union(gdf: gpd.GeoDataFrame | None) -> shapely.Geometry | None:
    if gdf is None or len(gdf) == 0:
        return None
    polys = gdf.geometry.to_numpy()
    polys = polys[shapely.get_type_id(polys) >= 3]
    return shapely.union_all(polys) if len(polys) else None


def _overlap_km2(geoms: np.ndarray, other: shapely.Geometry | None) -> np.ndarray:
    if other is None:
        return np.zeros(len(geoms))
    return shapely.area(shapely.intersection(geoms, other)) / 1e6


def carbon_ledger(
    sites: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    ef: EmissionFactor,
    loss_factors: pd.DataFrame,
) -> pd.DataFrame:
    """Compute the ledger per site (columns :data:`LEDGER_COLUMNS`, same index as ``sites``).

    Parameters
    ----------
    sites : GeoDataFrame
        Eligible sites (projected CRS) with ``energy_mwh_per_yr`` (may be NaN).
    layers : mapping
        Layers by kind (``forest``, ``wetland``, ``tidal_flat``, ``protected_area``, ``exclusion``).
    ef : EmissionFactor
        Grid emission factor.
    loss_factors : DataFrame
        Indexed by layer kind, ``tco2_per_km2_yr`` with ``_low`` and ``_high``.
    """
    geoms = sites.geometry.to_numpy()
    out = pd.DataFrame(index=sites.index)
    out["site_id"] = sites["site_id"].to_numpy()
    out["technology"] = sites["technology"].to_numpy()
    out["layer_kind"] = sites["layer_kind"].to_numpy()
    energy = pd.to_numeric(sites["energy_mwh_per_yr"], errors="coerce").to_numpy(dtype=float)
    out["energy_mwh_per_yr"] = energy
    out["emission_factor_tco2_per_mwh"] = ef.value
    out["avoided_tco2_per_yr"] = energy * ef.value
    taken = None
    lost = np.zeros(len(sites))
    lost_lo = np.zeros(len(sites))
    lost_hi = np.zeros(len(sites))
    shares = conversion_shares()
    share = np.array([shares.get(t, 1.0) for t in out["technology"]])
    for kind in SINK_KINDS:
        u = _union(layers.get(kind))
        if u is not None and taken is not None:
            u = shapely.difference(u, taken)
        area = _overlap_km2(geoms, u)
        out[f"{kind}_km2"] = area
        if u is not None:
            taken = u if taken is None else shapely.union(taken, u)
        if kind in loss_factors.index:
            f = loss_factors.loc[kind]
            lost += area * share * float(f["tco2_per_km2_yr"])
            lost_lo += area * share * float(f["tco2_per_km2_yr_low"])
            lost_hi += area * share * float(f["tco2_per_km2_yr_high"])
    out["converted_share"] = share
    out["sink_lost_tco2_per_yr"] = lost
    out["sink_lost_tco2_per_yr_low"] = lost_lo
    out["sink_lost_tco2_per_yr_high"] = lost_hi
    out["net_tco2_per_yr"] = out["avoided_tco2_per_yr"] - lost
    out["protected_overlap_km2"] = _overlap_km2(geoms, _union(layers.get("protected_area")))
    ex = layers.get("exclusion")
    red = _union(ex[ex["reason"] == "ecological_red_line"]) if ex is not None and "reason" in ex.columns else None
    out["red_line_overlap_km2"] = _overlap_km2(geoms, red)
    return out[list(LEDGER_COLUMNS)]
