"""Sink accounting: area by sink class, each area counted once, times the documented factors.

**Overlap rule (stated here, in the step's notes and in the report).** Sink features come from the
``forest``, ``wetland`` and ``tidal_flat`` layers. Where features overlap, the area belongs to the feature
of highest priority and is removed from the others:

1. forest before wetland before the ``tidal_flat`` layer (a forest patch over a wetland is counted as
   forest; the tidal-flat layer often repeats flats already mapped as wetland);
2. within forest, by forest type in the order of :data:`FOREST_ORDER`; within wetland, vegetated and
   better-evidenced classes first (:data:`WETLAND_ORDER`);
3. within one class, the older stand first (smaller ``year_planted``), then the smaller feature id.

Protected areas are not a sink class: a wetland inside a nature reserve is counted once, as wetland, and
the ledger reports how much of each class lies inside protected areas (``in_protected_km2``).

Overlaps are detected with one vectorised STRtree query (shapely 2) and pairwise intersection areas;
each overlapping feature is then cut by the union of the higher-priority features it touches. The cut
loops over the overlapping features only: ``geopandas.overlay(how="difference")`` dissolves the whole
right-hand frame and cannot keep a per-feature priority, which the age-dependent forest sink needs.

Forest sinks depend on stand age (see :mod:`binhai_geo.sinks.factors`); wetland sinks are constant.
Stands planted after the accounting year are not yet counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.errors import LayerError
from binhai_geo.layermodel import FOREST_TYPES
from binhai_geo.sinks.factors import (
    CO2_PER_C,
    default_class,
    stand_increment_share,
    stand_stock_share,
)

#: Priority of forest types (first wins an overlap).
FOREST_ORDER = FOREST_TYPES
#: Priority of wetland types (first wins an overlap): vegetated, better-evidenced classes first.
WETLAND_ORDER = ("salt_marsh", "reed_marsh", "seagrass", "oyster_reef", "tidal_flat", "mariculture", "open_water",
                 "other")
#: Optional forest field naming the species class of a tree stand (a forest sink_class of the factor table).
SPECIES_FIELD = "species"

FEATURE_COLUMNS = ("layer_kind", "sink_class", "type_value", "fid", "year_planted", "rank")
LEDGER_COLUMNS = ("layer_kind", "sink_class", "name_zh", "area_km2", "overlap_removed_km2", "in_protected_km2",
                  "stock_tc", "stock_tco2e", "stock_tco2e_low", "stock_tco2e_high", "tco2_per_yr",
                  "tco2_per_yr_low", "tco2_per_yr_high", "creditable", "evidence", "source")


def check_projected(gdf: gpd.GeoDataFrame, kind: str) -> None:
    """Raise ValueError unless ``gdf`` is in a projected CRS."""
    if gdf.crs is None or not gdf.crs.is_projected:
        raise ValueError(f"layer '{kind}' must be in a projected CRS, got {gdf.crs}")


def sink_features(layers: Mapping[str, gpd.GeoDataFrame], classes: pd.DataFrame | None = None,
                  *, need_year: bool = True) -> gpd.GeoDataFrame:
    """Collect the sink features of the forest, wetland and tidal_flat layers, with class and priority.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Validated layers by kind, in the analysis (projected) CRS.
    classes : pandas.DataFrame, optional
        :func:`~binhai_geo.sinks.factors.class_table`; when given, every class found must be in it.
    need_year : bool
        Refuse forest features without ``year_planted`` (the growth curve needs the stand age).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`FEATURE_COLUMNS` and geometry, sorted by priority (``rank``).

    Raises
    ------
    LayerError
        A forest feature without ``year_planted`` (when ``need_year``), a ``species`` or class the
        factor table does not have.
    """
    parts = []
    rank_of = {("forest", t): i for i, t in enumerate(FOREST_ORDER)}
    rank_of |= {("wetland", t): 100 + i for i, t in enumerate(WETLAND_ORDER)}
    for kind, field in (("forest", "forest_type"), ("wetland", "wetland_type"), ("tidal_flat", None)):
        gdf = layers.get(kind)
        if gdf is None or len(gdf) == 0:
            continue
        check_projected(gdf, kind)
        types = gdf[field].astype(str).to_numpy() if field else np.full(len(gdf), "tidal_flat", dtype=object)
        cls = np.array([default_class(kind, t) for t in types], dtype=object)
        year = (pd.to_numeric(gdf["year_planted"], errors="coerce").to_numpy(dtype=float)
                if "year_planted" in gdf.columns else np.full(len(gdf), np.nan))
        if kind == "forest":
            if need_year and np.isnan(year).any():
                fids = list(gdf.index[np.isnan(year)])
                raise LayerError(f"{len(fids)} forest feature(s) have no year_planted (FID "
                                 f"{', '.join(map(str, fids[:10]))}); the sink of a stand depends on its age",
                                 layer="forest", feature=fids[0], field="year_planted",
                                 hint="give every forest feature its planting year (造林年份), or declare an "
                                 "assumed age in the workflow: [sinks] unknown_stand_age_yr = N")
            if SPECIES_FIELD in gdf.columns:
                sp = gdf[SPECIES_FIELD].astype("string").str.strip().str.lower().fillna("").to_numpy(dtype=object)
                use = (sp != "") & (types == "tree_forest")
                cls = np.where(use, sp, cls)
        if classes is not None:
            unknown = sorted(set(cls) - set(classes.index))
            if unknown:
                bad = gdf.index[np.isin(cls, unknown)]
                raise LayerError(f"sink class(es) {', '.join(unknown)} of {len(bad)} feature(s) are not in the "
                                 "sink-factor table", layer=kind, feature=bad[0],
                                 field=SPECIES_FIELD if kind == "forest" else field,
                                 hint="use a class of the factor table (" + ", ".join(classes.index) + ") or add "
                                 "rows for it to your factor file")
        rank = np.array([rank_of.get((kind, t), 200) for t in types])
        parts.append(gpd.GeoDataFrame({"layer_kind": kind, "sink_class": cls, "type_value": types,
                                       "fid": gdf.index.to_numpy(), "year_planted": year, "rank": rank},
                                      geometry=gdf.geometry.to_numpy(), crs=gdf.crs))
    if not parts:
        return gpd.GeoDataFrame({c: [] for c in FEATURE_COLUMNS}, geometry=[], crs=None)
    out = pd.concat(parts, ignore_index=True)
    year_key = np.nan_to_num(out["year_planted"].to_numpy(dtype=float), nan=9999.0)
    order = np.lexsort((out["fid"].astype(str).to_numpy(), year_key, out["rank"].to_numpy()))
    return gpd.GeoDataFrame(out.iloc[order].reset_index(drop=True), crs=parts[0].crs)


def resolve_overlaps(features: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Cut every feature by the higher-priority features it overlaps (features sorted by priority).

    Returns
    -------
    resolved : geopandas.GeoDataFrame
        The features with their resolved geometry and ``area_km2`` and ``overlap_removed_km2``.
    overlaps : pandas.DataFrame
        Detected overlaps by pair of classes: ``kept_kind, kept_class, removed_kind, removed_class,
        pairwise_overlap_km2`` (pairwise: where three features overlap, the same ground appears in two
        pairs; the resolution itself counts it once).
    """
    geoms = features.geometry.to_numpy()
    out = features.copy()
    cols = ["kept_kind", "kept_class", "removed_kind", "removed_class", "pairwise_overlap_km2"]
    if len(geoms) == 0:
        out["area_km2"] = []
        out["overlap_removed_km2"] = []
        return out, pd.DataFrame(columns=cols)
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = j < i
    i, j = i[keep], j[keep]
    area = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    pos = area > 0
    i, j, area = i[pos], j[pos], area[pos]
    resolved = geoms.copy()
    if len(i):
        order = np.argsort(i, kind="stable")
        i, j, area = i[order], j[order], area[order]
        starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
        for s, e in zip(starts, np.r_[starts[1:], len(i)], strict=True):
            resolved[i[s]] = shapely.difference(geoms[i[s]], shapely.union_all(geoms[j[s:e]]))
    whole = shapely.area(geoms)
    out = out.set_geometry(resolved)
    out["area_km2"] = shapely.area(resolved) / 1e6
    out["overlap_removed_km2"] = (whole - shapely.area(resolved)) / 1e6
    pairs = pd.DataFrame({
        "kept_kind": features["layer_kind"].to_numpy()[j], "kept_class": features["sink_class"].to_numpy()[j],
        "removed_kind": features["layer_kind"].to_numpy()[i],
        "removed_class": features["sink_class"].to_numpy()[i], "pairwise_overlap_km2": area / 1e6})
    overlaps = (pairs.groupby(cols[:4], sort=True, as_index=False)["pairwise_overlap_km2"].sum()
                if len(pairs) else pd.DataFrame(columns=cols))
    return out, overlaps


def sink_areas(layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Areas of the sink classes, each area counted once by the module's overlap rule.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer_kind``, ``sink_class``, ``area_km2``, ``overlap_removed_km2`` (area of the class
        given to a higher-priority class), sorted by priority.
    """
    resolved, _ = resolve_overlaps(sink_features(layers, need_year=False))
    cols = ["layer_kind", "sink_class", "area_km2", "overlap_removed_km2"]
    if len(resolved) == 0:
        return pd.DataFrame(columns=cols)
    g = resolved.groupby(["layer_kind", "sink_class"], sort=False)
    out = g[["area_km2", "overlap_removed_km2"]].sum().reset_index()
    out["_rank"] = g["rank"].min().to_numpy()
    return out.sort_values(["_rank", "sink_class"], kind="stable")[cols].reset_index(drop=True)


def _levels(classes: pd.DataFrame, cls: np.ndarray, what: str) -> list[np.ndarray]:
    return [classes[f"{what}{suf}"].reindex(cls).to_numpy(dtype=float) for suf in ("", "_low", "_high")]


def feature_sinks(resolved: gpd.GeoDataFrame, classes: pd.DataFrame, years: Sequence[int]) -> dict[str, np.ndarray]:
    """Stock and annual sequestration of each resolved feature in each year.

    Returns
    -------
    dict of str to numpy.ndarray
        ``stock_tc``, ``stock_tc_low``, ``stock_tc_high``, ``tc_per_yr``, ``tc_per_yr_low``,
        ``tc_per_yr_high``, each of shape (features, years) [t C and t C/yr] (stock at the end of the year,
        sequestration during it); forest stands not yet planted hold 0.
    """
    yrs = np.asarray(years, dtype=float)[None, :]
    cls = resolved["sink_class"].to_numpy()
    ha = resolved["area_km2"].to_numpy(dtype=float)[:, None] * 100.0
    is_forest = (classes["kind_of_rate"].reindex(cls) == "growth_curve").to_numpy()[:, None]
    age = yrs - resolved["year_planted"].to_numpy(dtype=float)[:, None]
    age = np.where(np.isnan(age), 0.0, age)
    mat = classes["maturity_age_yr"].reindex(cls).to_numpy(dtype=float)[:, None]
    mat = np.where(np.isnan(mat), 1.0, mat)
    stock_share = np.where(is_forest, stand_stock_share(age, mat), 1.0)
    incr_share = stand_increment_share(age, mat)
    out: dict[str, np.ndarray] = {}
    stocks = _levels(classes, cls, "stock_tc_per_ha")
    rates = _levels(classes, cls, "rate_tc_per_ha_yr")
    for suf, s, r in zip(("", "_low", "_high"), stocks, rates, strict=True):
        out[f"stock_tc{suf}"] = ha * s[:, None] * stock_share
        out[f"tc_per_yr{suf}"] = ha * np.where(is_forest, s[:, None] * incr_share, r[:, None])
    return out


def sink_ledger(layers: Mapping[str, gpd.GeoDataFrame], classes: pd.DataFrame, year: int) -> tuple[
        pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Return the sink ledger of one year: by class, area, stock and annual sequestration with range.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Validated layers in the analysis CRS (``forest``, ``wetland``, ``tidal_flat``, ``protected_area``).
    classes : pandas.DataFrame
        :func:`~binhai_geo.sinks.factors.class_table`.
    year : int
        Accounting year: stand ages are ``year - year_planted``; later plantings are left out.

    Returns
    -------
    ledger : pandas.DataFrame
        Columns :data:`LEDGER_COLUMNS`, one row per class present, in priority order.
    overlaps : pandas.DataFrame
        See :func:`resolve_overlaps`.
    resolved : geopandas.GeoDataFrame
        The resolved features (for year-by-year projection).
    """
    feats = sink_features(layers, classes)
    planted_later = (feats["year_planted"].to_numpy(dtype=float) > year)
    feats = feats[~planted_later].reset_index(drop=True)
    resolved, overlaps = resolve_overlaps(feats)
    if len(resolved) == 0:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS)), overlaps, resolved
    prot = layers.get("protected_area")
    if prot is not None and len(prot):
        check_projected(prot, "protected_area")
        pu = shapely.union_all(prot.geometry.to_numpy())
        resolved["in_protected_km2"] = shapely.area(shapely.intersection(resolved.geometry.to_numpy(), pu)) / 1e6
    else:
        resolved["in_protected_km2"] = 0.0
    s = feature_sinks(resolved, classes, [year])
    df = pd.DataFrame({"layer_kind": resolved["layer_kind"], "sink_class": resolved["sink_class"],
                       "rank": resolved["rank"], "area_km2": resolved["area_km2"],
                       "overlap_removed_km2": resolved["overlap_removed_km2"],
                       "in_protected_km2": resolved["in_protected_km2"],
                       "stock_tc": s["stock_tc"][:, 0], "stock_tc_low": s["stock_tc_low"][:, 0],
                       "stock_tc_high": s["stock_tc_high"][:, 0], "tc": s["tc_per_yr"][:, 0],
                       "tc_low": s["tc_per_yr_low"][:, 0], "tc_high": s["tc_per_yr_high"][:, 0]})
    g = df.groupby(["layer_kind", "sink_class"], sort=False)
    led = g.sum(numeric_only=True).reset_index()
    led["rank"] = g["rank"].min().to_numpy()
    led = led.sort_values(["rank", "sink_class"], kind="stable").reset_index(drop=True)
    c = classes.reindex(led["sink_class"])
    led["name_zh"] = c["name_zh"].to_numpy()
    led["stock_tco2e"] = led["stock_tc"] * CO2_PER_C
    led["stock_tco2e_low"] = led["stock_tc_low"] * CO2_PER_C
    led["stock_tco2e_high"] = led["stock_tc_high"] * CO2_PER_C
    led["tco2_per_yr"] = led["tc"] * CO2_PER_C
    led["tco2_per_yr_low"] = led["tc_low"] * CO2_PER_C
    led["tco2_per_yr_high"] = led["tc_high"] * CO2_PER_C
    led["creditable"] = c["creditable"].to_numpy(dtype=bool)
    led["evidence"] = c["evidence"].to_numpy()
    led["source"] = c["source"].to_numpy()
    return led[list(LEDGER_COLUMNS)], overlaps, resolved


def sink_by_year(resolved: gpd.GeoDataFrame, classes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Annual and cumulative sequestration by class and year for the resolved features.

    Cumulative ``tco2`` sums the annual sequestration from the first year listed (inclusive).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, layer_kind, sink_class, area_km2, tco2_per_yr, tco2_per_yr_low,
        tco2_per_yr_high, tco2, tco2_low, tco2_high, creditable``. A forest feature counts from its
        planting year.
    """
    cols = ["year", "layer_kind", "sink_class", "area_km2", "tco2_per_yr", "tco2_per_yr_low", "tco2_per_yr_high",
            "tco2", "tco2_low", "tco2_high", "creditable"]
    if len(resolved) == 0 or len(years) == 0:
        return pd.DataFrame(columns=cols)
    yrs = np.asarray(years, dtype=int)
    s = feature_sinks(resolved, classes, yrs)
    planted = resolved["year_planted"].to_numpy(dtype=float)[:, None]
    present = np.isnan(planted) | (planted <= yrs[None, :])
    area = resolved["area_km2"].to_numpy(dtype=float)[:, None] * present
    keys = resolved["layer_kind"].astype(str) + "|" + resolved["sink_class"].astype(str)
    codes, uniq = pd.factorize(keys, sort=False)
    n = len(uniq)
    rows = {}
    for name, arr in (("area_km2", area), ("tco2_per_yr", s["tc_per_yr"] * CO2_PER_C),
                      ("tco2_per_yr_low", s["tc_per_yr_low"] * CO2_PER_C),
                      ("tco2_per_yr_high", s["tc_per_yr_high"] * CO2_PER_C)):
        agg = np.zeros((n, len(yrs)))
        np.add.at(agg, codes, arr)
        rows[name] = agg
    kind_cls = [u.split("|", 1) for u in uniq]
    out = pd.DataFrame({
        "year": np.tile(yrs, n),
        "layer_kind": np.repeat([k for k, _ in kind_cls], len(yrs)),
        "sink_class": np.repeat([c for _, c in kind_cls], len(yrs)),
        **{k: v.ravel() for k, v in rows.items()},
    })
    for suf in ("", "_low", "_high"):
        out[f"tco2{suf}"] = out.groupby(["layer_kind", "sink_class"], sort=False)[f"tco2_per_yr{suf}"].cumsum()
    out["creditable"] = classes["creditable"].reindex(out["sink_class"]).to_numpy(dtype=bool)
    return out[cols].sort_values(["year", "layer_kind", "sink_class"], kind="stable").reset_index(drop=True)
