"""Candidate sites: which features can host PV or wind, and their capacity from a capacity density.

This is the thin first siting step: every feature of a candidate surface becomes one site, whose
capacity is its area (or length, for breakwaters) times the documented capacity density of its surface
and technology. The plan's later steps refine it: the eligibility step (:mod:`binhai_geo.siting`) clips
sites by the workflow's exclusion rules, the solar and wind engines replace the capacity of their sites
(archetype layouts, rooftop classes, turbine layouts) and fill the energy columns.
:func:`densities_used` says, beside the density table, which densities the run really used.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

#: Columns of the sites table, in order.
SITE_COLUMNS = (
    "site_id",
    "name",
    "name_zh",
    "layer_kind",
    "technology",
    "area_km2",
    "length_km",
    "capacity_density",
    "capacity_density_unit",
    "capacity_mw",
    "energy_mwh_per_yr",
    "specific_yield_kwh_per_kwp",
    "capacity_factor",
    "full_load_hours",
)
#: The basis of ``capacity_factor`` and ``full_load_hours`` (利用小时数), by technology: PV divides AC energy by
#: the DC nameplate (kWp), as Chinese PV statistics state 利用小时数; wind by the rated (AC) power.
CAPACITY_BASIS = {"pv": "AC energy / DC nameplate (kWp)", "wind": "AC energy / rated power"}


def _technology_of(kind: str, gdf: gpd.GeoDataFrame, tech: str, offshore_both_as: str) -> np.ndarray:
    """Boolean mask of features of ``kind`` that are candidates for ``tech``."""
    if kind != "offshore_zone":
        return np.ones(len(gdf), dtype=bool)
    use = gdf["allowed_use"].to_numpy()
    return (use == tech) | ((use == "both") & (offshore_both_as == tech))


def build_sites(
    layers: Mapping[str, gpd.GeoDataFrame],
    densities: pd.DataFrame,
    *,
    pv_surfaces: list[str],
    wind_surfaces: list[str],
    offshore_both_as: str = "wind",
) -> gpd.GeoDataFrame:
    """Build the candidate-site table from the layers.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Validated layers by kind, all in the analysis (projected) CRS.
    densities : pandas.DataFrame
        Capacity-density table (see :func:`binhai_geo.factors.load_capacity_density`).
    pv_surfaces, wind_surfaces : list of str
        Layer kinds that are candidates for PV and for wind.
    offshore_both_as : {"pv", "wind"}
        Technology an offshore zone with ``allowed_use = both`` counts for (each area counts once).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SITE_COLUMNS` and geometry, in the analysis CRS (``name`` and ``name_zh`` from the
        feature, empty when the layer has none). ``area_km2`` for polygons,
        ``length_km`` for lines; ``capacity_mw`` = measure x density [MW]. Energy columns are empty.

    Raises
    ------
    ValueError
        If a layer is not in a projected CRS (areas would be meaningless), or a surface's density row has
        no value (a derived row not filled: see :func:`binhai_geo.factors.load_capacity_density`).
    """
    dens = densities.set_index(["surface", "technology"])
    frames = []
    crs = None
    for tech, surfaces in (("pv", pv_surfaces), ("wind", wind_surfaces)):
        for kind in surfaces:
            gdf = layers.get(kind)
            if gdf is None or len(gdf) == 0:
                continue
            if gdf.crs is None or not gdf.crs.is_projected:
                raise ValueError(f"layer '{kind}' must be in a projected CRS to measure areas, got {gdf.crs}")
            if (kind, tech) not in dens.index:
                continue
            crs = gdf.crs
            sel = gdf[_technology_of(kind, gdf, tech, offshore_both_as)]
            if len(sel) == 0:
                continue
            row = dens.loc[(kind, tech)]
            if not np.isfinite(row["value"]):
                raise ValueError(f"capacity density '{kind}.{tech}' has no value: it is derived (the PV rows from the "
                                 "PV archetypes, binhai_geo.solar.densities.pv_densities), pass it to "
                                 "load_capacity_density(derived=...)")
            area_km2 = sel.geometry.area.to_numpy() / 1e6
            length_km = sel.geometry.length.to_numpy() / 1e3
            measure = length_km if row["unit"] == "MW/km" else area_km2
            names = sel["name"] if "name" in sel.columns else pd.Series(pd.NA, index=sel.index)
            names_zh = sel["name_zh"] if "name_zh" in sel.columns else pd.Series(pd.NA, index=sel.index)
            frames.append(
                gpd.GeoDataFrame(
                    {
                        "site_id": [f"{kind}-{tech}-{fid}" for fid in sel.index],
                        "name": names.to_numpy(),
                        "name_zh": names_zh.to_numpy(),
                        "layer_kind": kind,
                        "technology": tech,
                        "area_km2": np.where(row["unit"] == "MW/km", np.nan, area_km2),
                        "length_km": np.where(row["unit"] == "MW/km", length_km, np.nan),
                        "capacity_density": row["value"],
                        "capacity_density_unit": row["unit"],
                        "capacity_mw": measure * row["value"],
                        "energy_mwh_per_yr": np.nan,
                        "specific_yield_kwh_per_kwp": np.nan,
                        "capacity_factor": np.nan,
                        "full_load_hours": np.nan,
                    },
                    geometry=sel.geometry.to_numpy(),
                    crs=gdf.crs,
                )
            )
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in SITE_COLUMNS}, geometry=[], crs=crs)
    sites = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=crs)[[*SITE_COLUMNS, "geometry"]]


def capacity_by(sites: gpd.GeoDataFrame, by: str | list[str] = "technology") -> pd.DataFrame:
    """Sum ``capacity_mw`` (and area, length) of sites by a column or columns."""
    return (
        sites.groupby(by, dropna=False)[["capacity_mw", "area_km2", "length_km"]]
        .sum(min_count=1)
        .reset_index()
    )


#: ``used`` of a density row whose sites an engine gave another density, by technology.
REPLACED_BY = {
    "pv": "replaced per site by the solar engine: archetype layouts, rooftop classes (由光伏引擎按典型系统替换)",
    "wind": "replaced per site by the wind engine: turbine layouts (由风电引擎按风机布置替换)",
}


def densities_used(densities: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Return the capacity-density table with the densities the sites of a run really have.

    The sites step gives every site its row's ``value``; the solar and wind engines then set capacity
    from their own layouts. This table keeps every row of ``densities`` (``value`` rounded to 0.001) and adds,
    from the final sites:

    - ``value_used``: total capacity / total area (or length) of the row's sites [the row's unit];
    - ``value_used_min``, ``value_used_max``: the range of the sites' densities;
    - ``n_sites``: how many sites the row has;
    - ``used``: ``table value`` when every site has the row's value, what replaced it otherwise, or
      ``no site``.

    Parameters
    ----------
    densities : pandas.DataFrame
        The capacity-density table the run loaded (:func:`binhai_geo.factors.load_capacity_density`).
    sites : pandas.DataFrame
        The final sites table (:data:`SITE_COLUMNS`).
    """
    out = densities.copy()
    s = pd.DataFrame(sites.drop(columns="geometry", errors="ignore"))
    s["measure"] = np.where(s["capacity_density_unit"] == "MW/km", s["length_km"], s["area_km2"])
    g = s.groupby(["layer_kind", "technology"])
    by = pd.DataFrame({"capacity_mw": g["capacity_mw"].sum(), "measure": g["measure"].sum(),
                       "value_used_min": g["capacity_density"].min(), "value_used_max": g["capacity_density"].max(),
                       "n_sites": g.size()})
    by = by.reindex(pd.MultiIndex.from_arrays([out["surface"], out["technology"]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(by["measure"] > 0, by["capacity_mw"] / by["measure"], np.nan)
    n = by["n_sites"].fillna(0).astype(int).to_numpy()
    same = np.isclose(by["value_used_min"], out["value"]) & np.isclose(by["value_used_max"], out["value"])
    note = np.where(n == 0, "no site (无场址)",
                    np.where(same, "table value (采用表值)",
                             out["technology"].map(REPLACED_BY).fillna("replaced per site (按场址替换)")))
    out["value"] = np.round(out["value"].to_numpy(dtype=float), 3)  # a derived value (the PV rows) in full is noise
    at = out.columns.get_loc("value") + 1
    for i, (col, values) in enumerate((("value_used", np.round(used, 3)),
                                       ("value_used_min", np.round(by["value_used_min"].to_numpy(), 3)),
                                       ("value_used_max", np.round(by["value_used_max"].to_numpy(), 3)),
                                       ("n_sites", n), ("used", note))):
        out.insert(at + i, col, values)
    return out
