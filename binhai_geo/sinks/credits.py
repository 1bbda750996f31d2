"""Creditable reductions of afforestation, beside the gross biomass sink (CCER 造林碳汇 structure).

The gross biomass sink of a planting is its tree biomass growth on the stand-age curve
(:mod:`binhai_geo.sinks.factors`). What a carbon-credit methodology would certify is smaller. This module
follows the structure of China's voluntary emission-reduction methodology for afforestation,
*温室气体自愿减排项目方法学 造林碳汇* (CCER-14-001-V01, Ministry of Ecology and Environment, in force
2023-10-24):

- **eligibility**: the class must be creditable (tree, bamboo or designated-shrub afforestation), the
  land not wetland and not forest for ``min_nonforest_years_before_start`` years before the start, the
  parcel at least ``min_parcel_area_m2``, the planting not before ``earliest_start_year``;
- **project removals by carbon pool**: above- and below-ground tree biomass (split with the root:shoot
  ratio); dead wood, litter, soil organic carbon and harvested wood are not counted (table flags);
- **baseline removals** of the land without the project (per hectare and year);
- **leakage** (share of net removals);
- **uncertainty deduction**: the share by which the monitoring uncertainty exceeds the threshold;
- **crediting period**: reductions count from the project start for ``crediting_period_yr`` years.

creditable = (project removals - baseline - leakage) x (1 - deduction), in the crediting period only.

Every parameter comes from ``binhai_geo/data/ccer_afforestation.csv`` with its value, range, unit, source
and ``verified`` (``yes``; ``secondary``: read in a published interpretation, not in the methodology text;
``no``: recalled or assumed, labelled so). Simplifications, stated in the plan notes: an ex-ante projection
on the growth curve (a project is credited on monitored sample plots, per monitoring period, not per
year); land eligibility is checked only where the layers can tell (wetland layer; older stands of the
forest layer are removed from a younger stand by the sink overlap rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import apply_overrides, keyed, packaged_table, read_table
from binhai_geo.sinks.factors import CO2_PER_C, stand_increment_share

PARAMETER_COLUMNS = ("parameter", "value", "low", "high", "unit", "verified", "source", "notes")
PARAMETERS = ("crediting_period_yr", "min_nonforest_years_before_start", "min_parcel_area_m2", "wetland_excluded",
              "earliest_start_year", "baseline_removals_tco2_per_ha_yr", "leakage_share", "root_shoot_ratio",
              "pool_aboveground", "pool_belowground", "monitoring_uncertainty_pct", "uncertainty_threshold_pct")
VERIFIED = ("yes", "secondary", "no")
CREDIT_COLUMNS = ("year", "project", "kind", "sink_class", "area_km2", "eligible_km2", "crediting",
                  "gross_tco2_per_yr", "gross_tco2_per_yr_low", "gross_tco2_per_yr_high",
                  "project_agb_tco2_per_yr", "project_bgb_tco2_per_yr", "baseline_tco2_per_yr", "leakage_tco2_per_yr",
                  "uncertainty_deduction_tco2_per_yr", "creditable_tco2_per_yr", "creditable_tco2_per_yr_low",
                  "creditable_tco2_per_yr_high", "gross_tco2", "creditable_tco2")
COHORT_COLUMNS = ("project", "kind", "sink_class", "year_planted", "start_year", "area_km2", "eligible_km2")
#: Reason codes of :func:`stand_eligibility` (``ok`` when the stand qualifies).
REASONS = ("ok", "class_not_creditable", "planted_before_earliest_start", "on_wetland", "parcel_too_small")


@dataclass(frozen=True)
class CreditRules:
    """The methodology parameters used (see the module docstring and the packaged table)."""

    crediting_period_yr: int
    min_nonforest_years_before_start: int
    min_parcel_area_m2: float
    wetland_excluded: bool
    earliest_start_year: int
    baseline_tco2_per_ha_yr: float
    leakage_share: float
    root_shoot_ratio: float
    pools: tuple[bool, bool]
    uncertainty_pct: tuple[float, float, float]
    threshold_pct: float

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> CreditRules:
        """Build the rules from :func:`load_ccer_parameters` (indexed by parameter)."""
        v = table["value"]
        u = table.loc["monitoring_uncertainty_pct"]
        return cls(int(v["crediting_period_yr"]), int(v["min_nonforest_years_before_start"]),
                   float(v["min_parcel_area_m2"]), bool(v["wetland_excluded"]), int(v["earliest_start_year"]),
                   float(v["baseline_removals_tco2_per_ha_yr"]), float(v["leakage_share"]),
                   float(v["root_shoot_ratio"]), (bool(v["pool_aboveground"]), bool(v["pool_belowground"])),
                   (float(u["value"]), float(u["low"]), float(u["high"])), float(v["uncertainty_threshold_pct"]))


def load_ccer_parameters(path: str | Path | None = None, overrides: dict[str, float] | None = None) -> pd.DataFrame:
    """Load and check the afforestation-credit parameter table.

    Parameters
    ----------
    path : path-like, optional
        A CSV with columns :data:`PARAMETER_COLUMNS`; default ``binhai_geo/data/ccer_afforestation.csv``.
    overrides : dict, optional
        ``{parameter: value}`` replacing central values (the source then says so).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``parameter``; numeric ``value``, ``low``, ``high``.

    Raises
    ------
    WorkflowError
        A missing column or parameter, a non-numeric or negative value, low > value > high, an unknown
        ``verified`` value, a crediting period outside 20-40 years, a share outside 0-1, a pool other than
        tree biomass switched on.
    """
    p = Path(path) if path is not None else packaged_table("ccer_afforestation.csv")
    df = read_table(p, "afforestation-credit parameter table", PARAMETER_COLUMNS, dtype=str, keep_default_na=False)
    for col in ("value", "low", "high"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() | (num < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise WorkflowError(f"row {row + 2} ({df['parameter'].iloc[row]}): '{col}' must be a number >= 0, found "
                                f"'{df[col].iloc[row]}'", file=str(p), field=col, hint="give a plain number")
        df[col] = num.astype(float)
    bad = (df["low"] > df["value"]) | (df["value"] > df["high"]) | ~df["verified"].isin(VERIFIED)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise WorkflowError(f"row {row + 2} ({df['parameter'].iloc[row]}): needs low <= value <= high and verified "
                            f"one of {', '.join(VERIFIED)}", file=str(p), field="value", hint="fix the row")
    df = keyed(df, df["parameter"], p, "keep one row per parameter")
    lacking = [k for k in PARAMETERS if k not in df.index]
    if lacking:
        raise WorkflowError(f"parameter(s) {', '.join(lacking)} missing", file=str(p), field="parameter",
                            hint="copy the rows from the packaged table")
    df = apply_overrides(df, overrides, what="credit parameter", field="sinks.credits", widen_range=True)
    v = df["value"]
    for pool in ("pool_deadwood", "pool_litter", "pool_soil_organic_carbon", "pool_harvested_wood"):
        if pool in v.index and v[pool] != 0:
            raise WorkflowError(f"{pool} = {v[pool]:g}: this toolkit estimates tree biomass only and cannot count this "
                                "pool", file=str(p), field=pool, hint="set it to 0 (not counted, conservative)")
    if not 20 <= v["crediting_period_yr"] <= 40:
        raise WorkflowError(f"crediting_period_yr {v['crediting_period_yr']:g}: CCER-14-001-V01 allows 20 to 40 years",
                            file=str(p), field="crediting_period_yr", hint="give 20-40")
    if v["leakage_share"] > 1 or v["monitoring_uncertainty_pct"] > 100:
        raise WorkflowError("leakage_share must be 0-1 and monitoring_uncertainty_pct 0-100 (a share in percent?)",
                            file=str(p), field="value", hint="leakage as a fraction, uncertainty in percent")
    return df


def uncertainty_deduction_share(uncertainty_pct: float | np.ndarray, threshold_pct: float) -> np.ndarray:
    """Share of net removals deducted: ``max(0, uncertainty - threshold) / 100`` [fraction]."""
    return np.clip(np.asarray(uncertainty_pct, dtype=float) - threshold_pct, 0.0, 100.0) / 100.0


def stand_eligibility(stands: gpd.GeoDataFrame, classes: pd.DataFrame, rules: CreditRules,
                      wetland: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Which forest stands qualify as afforestation projects, and on how much of their area.

    Parameters
    ----------
    stands : GeoDataFrame
        Resolved forest features (:func:`binhai_geo.sinks.accounting.resolve_overlaps`, forest rows), with
        ``fid``, ``sink_class``, ``year_planted``, ``area_km2``, in a projected CRS.
    classes : pandas.DataFrame
        :func:`~binhai_geo.sinks.factors.class_table`.
    rules : CreditRules
        The methodology parameters.
    wetland : GeoDataFrame, optional
        The wetland layer (same CRS); stand area on it is not creditable when ``rules.wetland_excluded``.

    Returns
    -------
    pandas.DataFrame
        ``fid, sink_class, year_planted, area_km2, wetland_km2, eligible_km2, eligible, reason`` (a code of
        :data:`REASONS`, the first that applies) and ``nonforest_before`` (``assumed``: the inputs cannot show
        the land's use in the years before planting, beyond the forest layer itself).
    """
    geoms = stands.geometry.to_numpy()
    wet_km2 = np.zeros(len(stands))
    if rules.wetland_excluded and wetland is not None and len(wetland):
        wet_km2 = shapely.area(shapely.intersection(geoms, shapely.union_all(wetland.geometry.to_numpy()))) / 1e6
    area = stands["area_km2"].to_numpy(dtype=float)
    eligible_km2 = np.clip(area - wet_km2, 0.0, None)
    cred = classes["creditable"].reindex(stands["sink_class"]).fillna(False).to_numpy(dtype=bool)
    year = stands["year_planted"].to_numpy(dtype=float)
    reason = np.select([~cred, year < rules.earliest_start_year, eligible_km2 <= 0,
                        eligible_km2 * 1e6 < rules.min_parcel_area_m2],
                       ["class_not_creditable", "planted_before_earliest_start", "on_wetland", "parcel_too_small"],
                       default="ok")
    ok = reason == "ok"
    return pd.DataFrame({"fid": stands["fid"].to_numpy(), "sink_class": stands["sink_class"].to_numpy(),
                         "year_planted": year, "area_km2": area, "wetland_km2": wet_km2,
                         "eligible_km2": np.where(ok, eligible_km2, 0.0), "eligible": ok, "reason": reason,
                         "nonforest_before": "assumed"})


def _pools(gross: np.ndarray, rules: CreditRules) -> tuple[np.ndarray, np.ndarray]:
    r = rules.root_shoot_ratio
    agb, bgb = gross / (1.0 + r), gross * r / (1.0 + r)
    return agb * rules.pools[0], bgb * rules.pools[1]


def project_credits(cohorts: pd.DataFrame, classes: pd.DataFrame, rules: CreditRules,
                    years: Sequence[int]) -> pd.DataFrame:
    """Gross biomass sink and creditable reductions of each project, year by year.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Columns :data:`COHORT_COLUMNS`: one row per planted cohort; ``start_year`` is its project's start
        (first planting year), ``area_km2`` the planted area, ``eligible_km2`` the part that qualifies.
    classes : pandas.DataFrame
        :func:`~binhai_geo.sinks.factors.class_table` (forest classes).
    rules : CreditRules
        The methodology parameters.
    years : sequence of int
        Years of the table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CREDIT_COLUMNS`, one row per project and year [t CO2/yr; cumulative t CO2 from the
        first year listed]. ``crediting`` is true in ``start_year .. start_year + crediting_period_yr - 1``.
    """
    if len(cohorts) == 0 or len(years) == 0:
        return pd.DataFrame(columns=list(CREDIT_COLUMNS))
    yrs = np.asarray(years, dtype=float)[None, :]
    cls = classes.reindex(cohorts["sink_class"])
    age = yrs - cohorts["year_planted"].to_numpy(dtype=float)[:, None]
    incr = stand_increment_share(age, cls["maturity_age_yr"].to_numpy(dtype=float)[:, None])
    area_ha = cohorts["area_km2"].to_numpy(dtype=float)[:, None] * 100.0
    elig_ha = cohorts["eligible_km2"].to_numpy(dtype=float)[:, None] * 100.0
    start = cohorts["start_year"].to_numpy(dtype=float)[:, None]
    crediting = (yrs >= start) & (yrs < start + rules.crediting_period_yr)
    out = {"area_km2": area_ha / 100.0 * (age >= 0), "eligible_km2": elig_ha / 100.0 * (age >= 0)}
    ded = uncertainty_deduction_share(np.array(rules.uncertainty_pct), rules.threshold_pct)  # central, low, high
    for suf, ded_share in zip(("", "_low", "_high"), (ded[0], ded[2], ded[1]), strict=True):
        s_max = cls[f"stock_tc_per_ha{suf}"].to_numpy(dtype=float)[:, None]
        gross = area_ha * s_max * incr * CO2_PER_C
        agb, bgb = _pools(elig_ha * s_max * incr * CO2_PER_C, rules)
        baseline = rules.baseline_tco2_per_ha_yr * elig_ha * (age >= 0)
        net = agb + bgb - baseline
        leakage = rules.leakage_share * np.clip(net, 0.0, None)
        deduction = ded_share * np.clip(net - leakage, 0.0, None)
        out[f"gross_tco2_per_yr{suf}"] = gross
        out[f"creditable_tco2_per_yr{suf}"] = (net - leakage - deduction) * crediting
        if suf == "":
            out.update(project_agb_tco2_per_yr=agb, project_bgb_tco2_per_yr=bgb, baseline_tco2_per_yr=baseline,
                       leakage_tco2_per_yr=leakage, uncertainty_deduction_tco2_per_yr=deduction)
    keys = cohorts["project"].astype(str) + "|" + cohorts["kind"].astype(str) + "|" + cohorts["sink_class"].astype(str)
    codes, uniq = pd.factorize(keys, sort=False)
    n, m = len(uniq), yrs.shape[1]
    cols = {}
    for name, arr in out.items():
        agg = np.zeros((n, m))
        np.add.at(agg, codes, arr)
        cols[name] = agg.ravel()
    cred = np.zeros((n, m), dtype=bool)
    np.logical_or.at(cred, codes, crediting)
    parts = [u.split("|", 2) for u in uniq]
    table = pd.DataFrame({"year": np.tile(yrs[0].astype(int), n), "project": np.repeat([p[0] for p in parts], m),
                          "kind": np.repeat([p[1] for p in parts], m),
                          "sink_class": np.repeat([p[2] for p in parts], m), "crediting": cred.ravel(), **cols})
    g = table.groupby(["project", "kind", "sink_class"], sort=False)
    table["gross_tco2"] = g["gross_tco2_per_yr"].cumsum()
    table["creditable_tco2"] = g["creditable_tco2_per_yr"].cumsum()
    return table[list(CREDIT_COLUMNS)]


def planting_cohorts(cohorts: pd.DataFrame, classes: pd.DataFrame, rules: CreditRules) -> pd.DataFrame:
    """Cohorts of planned plantings (:func:`binhai_geo.sinks.scenarios.cohorts`) as credit projects.

    A planting qualifies when its class is creditable and it starts no earlier than
    ``rules.earliest_start_year``; its land is assumed not forest and not wetland (a scenario has no
    geometry: stated in the notes).
    """
    start = cohorts.groupby("name")["year_planted"].transform("min")
    cred = classes["creditable"].reindex(cohorts["sink_class"]).fillna(False).to_numpy(dtype=bool)
    ok = cred & (start.to_numpy() >= rules.earliest_start_year)
    area = cohorts["area_km2"].to_numpy()
    return pd.DataFrame({"project": cohorts["name"].to_numpy(), "kind": "afforestation scenario",
                         "sink_class": cohorts["sink_class"].to_numpy(),
                         "year_planted": cohorts["year_planted"].to_numpy(), "start_year": start.to_numpy(),
                         "area_km2": area, "eligible_km2": np.where(ok, area, 0.0)}, columns=list(COHORT_COLUMNS))


def stand_cohorts(eligibility: pd.DataFrame, names: Mapping[object, str] | None = None) -> pd.DataFrame:
    """Forest stands (rows of :func:`stand_eligibility`) as credit projects, each its own project."""
    names = names or {}
    label = [f"stand {fid}" + (f" {names[fid]}" if names.get(fid) else "") for fid in eligibility["fid"]]
    return pd.DataFrame({"project": label, "kind": "forest stand", "sink_class": eligibility["sink_class"].to_numpy(),
                         "year_planted": eligibility["year_planted"].to_numpy(),
                         "start_year": eligibility["year_planted"].to_numpy(),
                         "area_km2": eligibility["area_km2"].to_numpy(),
                         "eligible_km2": eligibility["eligible_km2"].to_numpy()}, columns=list(COHORT_COLUMNS))
