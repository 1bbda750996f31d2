"""Planned afforestation scenarios: forest cover and sink, year by year.

A planting (e.g. the plan's 20,000 mu green-barrier afforestation, 绿色屏障造林2万亩) is an area planted
evenly over ``start_year..end_year``. Each year's cohort grows on the growth curve of its sink class
(:mod:`binhai_geo.sinks.factors`) and counts towards forest cover from ``planting year + canopy closure
age``. Simplifications, stated in the step's notes: plantings are assumed to be on land that is not
already forest (they add to the cover), without survival losses or harvest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.sinks.factors import CO2_PER_C, KM2_PER_MU, stand_increment_share

SCENARIO_COLUMNS = ("year", "planted_km2", "closed_km2", "forest_cover_pct_baseline", "forest_cover_pct",
                    "tco2_per_yr", "tco2_per_yr_low", "tco2_per_yr_high", "tco2", "tco2_low", "tco2_high")


def cohorts(plantings: Sequence[object], classes: pd.DataFrame) -> pd.DataFrame:
    """Split plantings into yearly cohorts: ``name, sink_class, year_planted, area_km2, counts_for_cover``.

    Raises
    ------
    WorkflowError
        A planting whose sink class is not a forest class of the factor table.
    """
    rows = []
    for p in plantings:
        if p.sink_class not in classes.index or classes.loc[p.sink_class, "kind_of_rate"] != "growth_curve":
            forest = [c for c in classes.index if classes.loc[c, "kind_of_rate"] == "growth_curve"]
            raise WorkflowError(f"afforestation '{p.name}': sink_class '{p.sink_class}' is not a forest class of the "
                                "sink-factor table", field="sinks.afforestation.sink_class",
                                hint="use one of " + ", ".join(forest))
        area = p.area_km2 if p.area_km2 is not None else p.area_mu * KM2_PER_MU
        years = np.arange(p.start_year, p.end_year + 1)
        for y in years:
            rows.append({"name": p.name, "sink_class": p.sink_class, "year_planted": int(y),
                         "area_km2": area / len(years), "counts_for_cover": bool(p.counts_for_cover)})
    return pd.DataFrame(rows, columns=["name", "sink_class", "year_planted", "area_km2", "counts_for_cover"])


def afforestation_scenario(plantings: Sequence[object], classes: pd.DataFrame, years: Sequence[int], *,
                           land_km2: float, baseline_forest_km2: Sequence[float],
                           closure_age_yr: int) -> pd.DataFrame:
    """Forest cover and sequestration of planned plantings, year by year.

    Parameters
    ----------
    plantings : sequence of PlantingSpec
        The workflow's ``[[sinks.afforestation]]`` entries.
    classes : pandas.DataFrame
        :func:`~binhai_geo.sinks.factors.class_table`.
    years : sequence of int
        Years of the table.
    land_km2 : float
        District land area [km2].
    baseline_forest_km2 : sequence of float
        Forest-cover area of each year without the scenario [km2].
    closure_age_yr : int
        Years from planting until a cohort counts towards forest cover.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCENARIO_COLUMNS`; cumulative ``tco2`` from the first year listed.
    """
    c = cohorts(plantings, classes)
    yrs = np.asarray(years, dtype=float)
    base = np.asarray(baseline_forest_km2, dtype=float)
    area = c["area_km2"].to_numpy(dtype=float)[:, None]
    planted_year = c["year_planted"].to_numpy(dtype=float)[:, None]
    age = yrs[None, :] - planted_year
    planted = (age >= 0) * area
    closed = ((age >= closure_age_yr) & c["counts_for_cover"].to_numpy()[:, None]) * area
    cls = classes.reindex(c["sink_class"])
    incr = stand_increment_share(age, cls["maturity_age_yr"].to_numpy(dtype=float)[:, None])
    out = pd.DataFrame({"year": yrs.astype(int), "planted_km2": planted.sum(axis=0), "closed_km2": closed.sum(axis=0)})
    out["forest_cover_pct_baseline"] = 100.0 * base / land_km2
    out["forest_cover_pct"] = 100.0 * (base + out["closed_km2"].to_numpy()) / land_km2
    for suf in ("", "_low", "_high"):
        s_max = cls[f"stock_tc_per_ha{suf}"].to_numpy(dtype=float)[:, None]
        out[f"tco2_per_yr{suf}"] = (area * 100.0 * s_max * incr).sum(axis=0) * CO2_PER_C
        out[f"tco2{suf}"] = out[f"tco2_per_yr{suf}"].cumsum()
    return out[list(SCENARIO_COLUMNS)]
