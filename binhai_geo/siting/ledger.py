"""Energy-carbon ledger per site: avoided CO2, sink lost and stock released by converting land, overlaps.

- avoided [t CO2/yr] = annual energy [MWh] x the grid emission factor (default: the MEE / NBS 2022 North
  China regional average, ``binhai_geo/data/siting_emission_factor.csv``; a workflow may give its own with a
  source). Using an average rather than a marginal factor is a stated simplification.
- converted area [km2] = overlap of the eligible site with forest, wetland and tidal flat (each area counted
  once, in that order; within a layer, by the sink class of each feature: forest type or species, wetland
  type) x the converted share of the technology (``siting_conversion_share.csv``).
- sink lost [t CO2/yr] = converted area x the annual sink per km2 of that class
  (:func:`binhai_geo.sinks.factors.conversion_factors`, the sinks engine's factor table).
- stock released [t CO2, once] = converted area x the class's carbon stock per km2 (forest: biomass at
  maturity; wetland and tidal flat: soil or sediment carbon to 1 m) x the release share of the land kind
  (``siting_conversion_release.csv``: all biomass of cleared forest, IPCC 2006 AFOLU Vol.4 Ch.2 Tier 1; an
  assumed share of the soil carbon of marsh and flat, cf. IPCC 2013 Wetlands Supplement Ch.4). The release is
  reported whole and spread over ``release_period_yr`` (20 yr) as ``release_tco2_per_yr``.
- net [t CO2/yr] = avoided - sink lost - release per year; NaN where the site has no annual energy yet.
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

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import packaged_table
from binhai_geo.sinks.factors import default_class

#: Land kinds whose sink a site may convert, in the order areas are attributed.
SINK_KINDS = ("forest", "wetland", "tidal_flat")

LEDGER_COLUMNS = ("site_id", "technology", "layer_kind", "energy_mwh_per_yr", "emission_factor_tco2_per_mwh",
                  "avoided_tco2_per_yr", "forest_km2", "wetland_km2", "tidal_flat_km2", "converted_share",
                  "sink_classes", "sink_lost_tco2_per_yr", "sink_lost_tco2_per_yr_low", "sink_lost_tco2_per_yr_high",
                  "stock_release_tco2", "stock_release_tco2_low", "stock_release_tco2_high", "release_period_yr",
                  "release_tco2_per_yr", "net_tco2_per_yr", "protected_overlap_km2", "red_line_overlap_km2")
#: Field naming the type of a feature, by sink layer kind (tidal_flat features are one class).
TYPE_FIELDS = {"forest": "forest_type", "wetland": "wetland_type", "tidal_flat": None}
_LEVELS = ("", "_low", "_high")


@dataclass(frozen=True)
class Release:
    """Share of the carbon stock released on conversion, by land kind (value, low, high), and the period."""

    share: dict[str, tuple[float, float, float]]
    period_yr: float
    source: str


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


def conversion_release() -> Release:
    """Release shares and period from the packaged table ``siting_conversion_release.csv``.

    Raises
    ------
    WorkflowError
        A share outside 0-1 or low > value > high, a kind of :data:`SINK_KINDS` without a share, or no
        positive ``release_period_yr``.
    """
    path = packaged_table("siting_conversion_release.csv")
    t = pd.read_csv(path, encoding="utf-8-sig")
    shares = t[t["parameter"] == "release_share"]
    bad = ((shares[["value", "low", "high"]] < 0) | (shares[["value", "low", "high"]] > 1)).any(axis=1)
    bad |= (shares["low"] > shares["value"]) | (shares["value"] > shares["high"])
    if bad.any() or set(SINK_KINDS) - set(shares["layer_kind"]):
        raise WorkflowError("release shares must be 0 <= low <= value <= high <= 1, one per land kind "
                            f"({', '.join(SINK_KINDS)})", file=str(path), field="value", hint="fix the rows")
    period = t.loc[t["parameter"] == "release_period_yr", "value"]
    if len(period) != 1 or not float(period.iloc[0]) > 0:
        raise WorkflowError("release_period_yr must be given once, > 0", file=str(path), field="value",
                            hint="e.g. 20 (years)")
    share = {r.layer_kind: (float(r.value), float(r.low), float(r.high)) for r in shares.itertuples()}
    return Release(share, float(period.iloc[0]), "; ".join(dict.fromkeys(t["source"])))


def feature_classes(gdf: gpd.GeoDataFrame, kind: str, known: pd.Index) -> np.ndarray:
    """Sink class of each feature of a sink layer (forest type or ``species``, wetland type)."""
    field = TYPE_FIELDS[kind]
    types = gdf[field].astype(str).to_numpy() if field and field in gdf.columns else np.full(len(gdf), kind)
    cls = np.array([default_class(kind, t) for t in types], dtype=object)
    if kind == "forest" and "species" in gdf.columns:
        sp = gdf["species"].astype("string").str.strip().str.lower().fillna("").to_numpy(dtype=object)
        cls = np.where((types == "tree_forest") & np.isin(sp, list(known)), sp, cls)
    return cls


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
    factors: pd.DataFrame,
    release: Release | None = None,
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
    factors : DataFrame
        :func:`binhai_geo.sinks.factors.conversion_factors`: indexed by sink class, ``tco2_per_km2_yr`` and
        ``stock_tco2_per_km2`` with ``_low`` and ``_high``.
    release : Release, optional
        Release shares and period; default :func:`conversion_release`.

    Raises
    ------
    WorkflowError
        A feature whose sink class the factor table lacks.
    """
    release = release or conversion_release()
    geoms = sites.geometry.to_numpy()
    out = pd.DataFrame(index=sites.index)
    out["site_id"] = sites["site_id"].to_numpy()
    out["technology"] = sites["technology"].to_numpy()
    out["layer_kind"] = sites["layer_kind"].to_numpy()
    energy = pd.to_numeric(sites["energy_mwh_per_yr"], errors="coerce").to_numpy(dtype=float)
    out["energy_mwh_per_yr"] = energy
    out["emission_factor_tco2_per_mwh"] = ef.value
    out["avoided_tco2_per_yr"] = energy * ef.value
    shares = conversion_shares()
    share = np.array([shares.get(t, 1.0) for t in out["technology"]])
    lost = {suf: np.zeros(len(sites)) for suf in _LEVELS}
    stock = {suf: np.zeros(len(sites)) for suf in _LEVELS}
    labels: list[list[str]] = [[] for _ in range(len(sites))]
    taken = None
    for kind in SINK_KINDS:
        gdf = layers.get(kind)
        area_kind = np.zeros(len(sites))
        if gdf is not None and len(gdf):
            cls = feature_classes(gdf, kind, factors.index)
            missing = sorted(set(cls) - set(factors.index))
            if missing:
                raise WorkflowError(f"sink class(es) {', '.join(missing)} of layer '{kind}' are not in the sink-factor "
                                    "table", field="species" if kind == "forest" else TYPE_FIELDS[kind],
                                    hint="use a class of binhai_geo/data/sink_factors.csv")
            for c in sorted(set(cls)):
                u = _union(gdf[cls == c])
                if u is None:
                    continue
                if taken is not None:
                    u = shapely.difference(u, taken)
                taken = u if taken is None else shapely.union(taken, u)
                area = _overlap_km2(geoms, u)
                area_kind += area
                conv = area * share
                f = factors.loc[c]
                for lev, suf in enumerate(_LEVELS):
                    lost[suf] += conv * float(f[f"tco2_per_km2_yr{suf}"])
                    stock[suf] += conv * float(f[f"stock_tco2_per_km2{suf}"]) * release.share[kind][lev]
                for i in np.flatnonzero(area > 0):
                    labels[i].append(f"{kind}:{c} {area[i]:.2f} km2")
        out[f"{kind}_km2"] = area_kind
    out["converted_share"] = share
    out["sink_classes"] = ["; ".join(x) for x in labels]
    for suf in _LEVELS:
        out[f"sink_lost_tco2_per_yr{suf}"] = lost[suf]
        out[f"stock_release_tco2{suf}"] = stock[suf]
    out["release_period_yr"] = release.period_yr
    out["release_tco2_per_yr"] = stock[""] / release.period_yr
    out["net_tco2_per_yr"] = out["avoided_tco2_per_yr"] - lost[""] - out["release_tco2_per_yr"]
    out["protected_overlap_km2"] = _overlap_km2(geoms, _union(layers.get("protected_area")))
    ex = layers.get("exclusion")
    red = _union(ex[ex["reason"] == "ecological_red_line"]) if ex is not None and "reason" in ex.columns else None
    out["red_line_overlap_km2"] = _overlap_km2(geoms, red)
    return out[list(LEDGER_COLUMNS)]
