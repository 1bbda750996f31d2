"""The sinks plan step: sink ledger, forest cover by year, protected share, natural shoreline, scenario.

:func:`sinks_step` is called once by :func:`binhai_geo.runner.compute_plan`. It returns indicators for
the targets ``forest_cover`` (its target year, 2025), ``forest_cover_2030``, ``protected_area_share`` and
``natural_shoreline``; tables ``sink_ledger``, ``sink_by_year``, ``sink_overlaps``, ``sink_factors_used``,
``forest_cover_by_year``, ``afforestation_scenario`` and, for the plantings and qualifying forest stands,
the gross biomass sink beside the creditable reductions (``sink_credits_by_year``,
``sink_credit_eligibility``, ``sink_credit_parameters_used``, see :mod:`binhai_geo.sinks.credits`); the
geo layer ``forest_change`` (gain and loss of counted forest between two years); and notes stating each
rule and simplification.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.config import Workflow
from binhai_geo.errors import WorkflowError
from binhai_geo.factors import packaged_table
from binhai_geo.indicator import Indicator
from binhai_geo.layermodel import FOREST_MIN_CANOPY
from binhai_geo.layers import LayerSet
from binhai_geo.notes import Note
from binhai_geo.sinks import accounting, credits, forestcover, scenarios
from binhai_geo.sinks.coverage import land_geometry, natural_shoreline_indicator, protected_share_indicator
from binhai_geo.sinks.factors import class_table, load_sink_factors
from binhai_geo.steps import StepResult

#: Target years used when the targets file lacks the forest-cover targets.
DEFAULT_TARGET_YEARS = {"forest_cover": 2025, "forest_cover_2030": 2030}
#: Years of history shown before the workflow year in the by-year tables.
HISTORY_YEARS = 10

NOTES = (Note("sinks.overlap_rule"), Note("sinks.factors"), Note("sinks.plantation_growth"),
         Note("sinks.forest_cover_rule"))


def _check_file(workflow: Workflow, rel: str, key: str) -> Path:
    p = workflow.resolve(rel)
    if not p.exists():
        raise WorkflowError(f"file '{p}' does not exist", file=str(workflow.path), field=f"sinks.{key}",
                            hint="fix the path, relative to the workflow file")
    return p


def _read_forest_layers(workflow: Workflow, crs: object) -> dict[int, gpd.GeoDataFrame]:
    from binhai_geo.io import read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.validate import validate_layer

    out = {}
    for y, rel in workflow.spec.sinks.forest_by_year.items():
        p = _check_file(workflow, rel, f"forest_by_year.{y}")
        clean, _ = validate_layer(read_layer(p), get_kind("forest"))
        out[int(y)] = clean.to_crs(crs)
    return out


def _cover_at(table: pd.DataFrame, year: int) -> pd.Series | None:
    rows = table[(table["year"] == year) & (table["subdistrict"] == forestcover.DISTRICT)]
    return None if rows.empty else rows.iloc[0]


def _with_assumed_ages(lay: dict, age_yr: int | None, year: int) -> dict:
    """Return ``lay`` with missing ``year_planted`` of forest features set to ``year - age_yr`` (if given)."""
    forest = lay.get("forest")
    if age_yr is None or forest is None:
        return lay
    planted = (pd.to_numeric(forest["year_planted"], errors="coerce") if "year_planted" in forest.columns
               else pd.Series(np.nan, index=forest.index))
    if not planted.isna().any():
        return lay
    forest = forest.copy()
    forest["year_planted"] = planted.fillna(year - age_yr)
    return {**lay, "forest": forest}


def _credit_tables(workflow: Workflow, lay: dict, classes: pd.DataFrame, resolved: gpd.GeoDataFrame,
                   years: list[int]) -> tuple[dict[str, pd.DataFrame], list[Note], list[Path]]:
    """Gross biomass sink and creditable reductions of the plantings and qualifying stands, by year."""
    spec = workflow.spec.sinks
    cpath = _check_file(workflow, spec.credits_file, "credits_file") if spec.credits_file else None
    params = credits.load_ccer_parameters(cpath, spec.credits)
    rules = credits.CreditRules.from_table(params)
    plant = credits.planting_cohorts(scenarios.cohorts(spec.afforestation, classes), classes, rules)
    stands = resolved[resolved["layer_kind"] == "forest"]
    elig = credits.stand_eligibility(stands, classes, rules, lay.get("wetland"))
    forest = lay.get("forest")
    names = (dict(zip(forest.index, forest["name"].fillna("").astype(str), strict=True))
             if forest is not None and "name" in forest.columns else {})
    elig.insert(1, "name", [names.get(f, "") for f in elig["fid"]])
    if forest is not None and "planting_density_per_ha" in forest.columns:
        elig["planting_density_per_ha"] = forest["planting_density_per_ha"].reindex(elig["fid"]).to_numpy()
    first = min([years[0], *plant["year_planted"].astype(int)]) if len(plant) else years[0]
    span = list(range(first, years[-1] + 1))
    cohorts = pd.concat([plant, credits.stand_cohorts(elig[elig["eligible"]], names)], ignore_index=True)
    table = credits.project_credits(cohorts, classes, rules, span)
    notes = [Note("sinks.credits.method", {"uncertainty_pct": rules.uncertainty_pct[0],
                                           "threshold_pct": rules.threshold_pct,
                                           "crediting_period_yr": rules.crediting_period_yr})]
    notes.append(Note("sinks.credits.eligible_stands", {
        "n_eligible": int(elig["eligible"].sum()), "n_stands": len(elig),
        "earliest_start_year": rules.earliest_start_year,
        "min_nonforest_years": rules.min_nonforest_years_before_start}))
    for name, g in table[table["kind"] == "afforestation scenario"].groupby("project", sort=False):
        last = g.iloc[-1]
        notes.append(Note("sinks.credits.project", {"project": str(name), "year_from": int(g["year"].iloc[0]),
                                                    "year_to": int(last["year"]),
                                                    "gross_tco2": float(last["gross_tco2"]),
                                                    "creditable_tco2": float(last["creditable_tco2"])}))
    tables = {"sink_credits_by_year": table, "sink_credit_eligibility": elig,
              "sink_credit_parameters_used": params.reset_index(drop=True)}
    return tables, notes, [cpath or packaged_table("ccer_afforestation.csv")]


def _stand_age_notes(original: dict, lay: dict, age_yr: int | None, year: int) -> list[Note]:
    """Return the note on assumed stand ages when :func:`_with_assumed_ages` filled missing ``year_planted``."""
    if lay is original:
        return []
    f0 = original["forest"]
    n = int(pd.to_numeric(f0["year_planted"], errors="coerce").isna().sum()) if "year_planted" in f0 else len(f0)
    return [Note("sinks.stand_age_assumed", {"n_features": n, "age_yr": age_yr, "year": year})]


def _landcover_stack(workflow: Workflow, crs: object, inputs: list[Path]) -> tuple[object, pd.DataFrame, list[Note]]:
    """Read the workflow's land-cover rasters (``[sinks] landcover``) and their class mapping.

    Appends the mapping and raster paths to ``inputs``; returns (stack, mapping, alignment notes).
    """
    spec = workflow.spec.sinks
    mpath = (_check_file(workflow, spec.landcover_mapping, "landcover_mapping")
             if spec.landcover_mapping else None)
    mapping = forestcover.load_landcover_mapping(mpath, spec.landcover_scheme)
    inputs.append(mpath or packaged_table("landcover_classes.csv"))
    rasters = {int(y): _check_file(workflow, r, f"landcover.{y}") for y, r in spec.landcover.items()}
    inputs.extend(rasters.values())
    stack, align_notes = forestcover.read_landcover_stack(rasters, analysis_crs=crs, mapping=mapping)
    return stack, mapping, list(align_notes)


def _forest_cover(workflow: Workflow, lay: dict, land: object, crs: object, years: list[int], horizon: list[int],
                  inputs: list[Path], notes: list[Note]) -> tuple[pd.DataFrame, dict, np.ndarray | None, object,
                                                                    object]:
    """Forest cover by year from the forest layer, the per-year forest layers and the land-cover rasters.

    Appends input paths to ``inputs`` and raster-alignment notes to ``notes``. Returns (cover table, forest
    union by year, the forest layer's district forest_km2 over ``horizon`` or None, raster stack or None,
    land-cover mapping or None).
    """
    spec = workflow.spec.sinks
    year = workflow.spec.workflow.year
    sub = lay.get("subdistrict")
    forest = lay.get("forest")
    cover_parts: list[pd.DataFrame] = []
    unions: dict[int, object] = {}
    baseline_km2 = None
    if forest is not None and len(forest):
        accounting.check_projected(forest, "forest")
        vt, vu = forestcover.vector_cover_by_year(forest, land, years, year, subdistricts=sub,
                                                  closure_age_yr=spec.canopy_closure_age_yr)
        cover_parts.append(vt)
        unions = dict(zip(years, vu, strict=True))
        d = vt[vt["subdistrict"] == forestcover.DISTRICT].set_index("year")
        baseline_km2 = d.loc[horizon, "forest_km2"].to_numpy()
    if spec.forest_by_year:
        fl = _read_forest_layers(workflow, crs)
        inputs.extend(workflow.resolve(r) for r in spec.forest_by_year.values())
        lt, lu = forestcover.layers_cover_by_year(fl, land, subdistricts=sub)
        cover_parts.append(lt)
        unions.update(dict(zip(sorted(fl), lu, strict=True)))
    stack = mapping = None
    if spec.landcover:
        stack, mapping, align_notes = _landcover_stack(workflow, crs, inputs)
        notes.extend(align_notes)
        cover_parts.append(forestcover.raster_cover_by_year(stack, mapping, land, subdistricts=sub, crs=crs))
    cover = (pd.concat(cover_parts, ignore_index=True) if cover_parts
             else pd.DataFrame(columns=list(forestcover.COVER_COLUMNS)))
    return cover, unions, baseline_km2, stack, mapping


def _forest_cover_indicator(cover: pd.DataFrame, y25: int) -> Indicator | None:
    """Return the ``forest_cover`` indicator for its target year: a raster or per-year layer of that year first."""
    pick = None
    for basis_kind in ("raster", "forest layer of", "forest layer,"):
        rows = cover[(cover["year"] == y25) & (cover["subdistrict"] == forestcover.DISTRICT)
                     & cover["basis"].str.contains(basis_kind, regex=False)]
        if not rows.empty:
            pick = rows.iloc[0]
            break
    if pick is None:
        return None
    return Indicator(
        "forest_cover", float(pick["forest_cover_pct"]), "percent",
        f"{pick['forest_km2']:.2f} km2 of tree forest (canopy >= {FOREST_MIN_CANOPY}), bamboo and designated "
        f"shrubland over {pick['land_km2']:.1f} km2 of land in {y25} ({pick['basis']})")


def _scenario_2030(spec: object, classes: pd.DataFrame, horizon: list[int], land_km2: float,
                   baseline_km2: np.ndarray, y25: int, y30: int,
                   ) -> tuple[pd.DataFrame, list[Indicator], list[Note]]:
    """Afforestation scenario over ``horizon``, the ``forest_cover_2030`` projection and the trend note."""
    indicators: list[Indicator] = []
    notes: list[Note] = []
    scenario = scenarios.afforestation_scenario(spec.afforestation, classes, horizon, land_km2=land_km2,
                                                baseline_forest_km2=baseline_km2,
                                                closure_age_yr=spec.canopy_closure_age_yr)
    s = scenario.set_index("year")
    if y30 in s.index:
        names = ", ".join(p.name for p in spec.afforestation) or "none declared"
        indicators.append(Indicator(
            "forest_cover_2030", float(s.loc[y30, "forest_cover_pct"]), "percent",
            f"projection for {y30}: stands of the forest layer ({s.loc[y30, 'forest_cover_pct_baseline']:.2f}%)"
            f" plus planned afforestation closed by then ({s.loc[y30, 'closed_km2']:.2f} km2; {names}); "
            "no forest loss assumed"))
        if y25 in s.index:
            span = s.loc[y25:y30, "forest_cover_pct"]
            decline = bool((span.diff().dropna() < -1e-9).any())
            trend = (Note("sinks.forest_cover_trend.declines") if decline
                     else Note("sinks.forest_cover_trend.no_decline"))
            notes.append(Note("sinks.forest_cover_trend", {
                "year_from": y25, "year_to": y30, "cover_from_pct": float(span.iloc[0]),
                "cover_to_pct": float(span.iloc[-1]), "trend": trend}))
    if spec.afforestation:
        notes.append(Note("sinks.afforestation_assumption"))
    return scenario, indicators, notes


def _forest_change(spec: object, year: int, unions: dict, stack: object, mapping: object,
                   crs: object) -> gpd.GeoDataFrame | None:
    """Gain/loss map of counted forest between two years (forest unions first, else the raster stack)."""
    y_from = spec.change_from_year if spec.change_from_year is not None else year - 5
    if y_from in unions and year in unions and y_from != year:
        return forestcover.change_layer(unions[y_from], unions[year], y_from, year, crs)
    if stack is not None and stack.sizes["year"] >= 2:
        ys = [int(v) for v in stack["year"].values]
        return forestcover.raster_change_layer(stack, mapping, ys[0], ys[-1], crs)
    return None


def _sink_total_note(ledger: pd.DataFrame, year: int) -> Note | None:
    """Return the note on the district's total sink this year (central, range, creditable), or None if no ledger."""
    if not len(ledger):
        return None
    t = ledger[["tco2_per_yr", "tco2_per_yr_low", "tco2_per_yr_high"]].sum()
    cred = ledger.loc[ledger["creditable"], "tco2_per_yr"].sum()
    return Note("sinks.total", {"year": year, "tco2_per_yr": float(t["tco2_per_yr"]),
                                "tco2_per_yr_low": float(t["tco2_per_yr_low"]),
                                "tco2_per_yr_high": float(t["tco2_per_yr_high"]),
                                "creditable_tco2_per_yr": float(cred)})


def _land_results(workflow: Workflow, lay: dict, land: object, classes: pd.DataFrame, crs: object,
                  years: list[int], horizon: list[int], targets: Mapping[str, int], inputs: list[Path],
                  notes: list[Note]) -> tuple[list[Indicator], pd.DataFrame, pd.DataFrame | None,
                                              gpd.GeoDataFrame | None]:
    """Forest cover by year, its indicators, the afforestation scenario and the gain/loss map over ``land``.

    Appends input paths to ``inputs`` and notes to ``notes``. Returns (indicators, forest_cover_by_year table,
    afforestation scenario or None without a forest layer, forest_change layer or None).
    """
    spec = workflow.spec.sinks
    cover, unions, baseline_km2, stack, mapping = _forest_cover(workflow, lay, land, crs, years, horizon,
                                                                inputs, notes)
    table = _with_official_land(cover, workflow.region.denominators.land_area_km2)
    indicators: list[Indicator] = []
    y25 = targets["forest_cover"]
    pick = _forest_cover_indicator(cover, y25)
    if pick is not None:
        indicators.append(pick)
    scenario = None
    if baseline_km2 is not None:
        scenario, more, scenario_notes = _scenario_2030(spec, classes, horizon, land.area / 1e6, baseline_km2,
                                                        y25, targets["forest_cover_2030"])
        indicators.extend(more)
        notes.extend(scenario_notes)
    change = _forest_change(spec, workflow.spec.workflow.year, unions, stack, mapping, crs)
    return indicators, table, scenario, change


def sinks_step(workflow: Workflow, layers: LayerSet, target_years: Mapping[str, int] | None = None) -> StepResult:
    """Account the district's carbon sinks and coverage indicators for a plan run.

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow (its ``[sinks]`` table and year).
    layers : LayerSet
        Validated layers in the analysis CRS (``boundary``, ``land``, ``subdistrict``, ``forest``,
        ``wetland``, ``tidal_flat``, ``protected_area``, ``coastline``).
    target_years : mapping of str to int, optional
        Years of the targets ``forest_cover`` and ``forest_cover_2030`` (the runner reads them from the targets
        file; the engine does not read the targets); missing ones default to :data:`DEFAULT_TARGET_YEARS`.

    Returns
    -------
    StepResult
        Indicators ``forest_cover``, ``forest_cover_2030``, ``protected_area_share``, ``natural_shoreline``
        (each where its layers exist); tables ``sink_ledger``, ``sink_by_year``, ``sink_overlaps``,
        ``sink_factors_used``, ``forest_cover_by_year``, ``afforestation_scenario``, ``sink_credits_by_year``,
        ``sink_credit_eligibility``, ``sink_credit_parameters_used``; geo ``forest_change``; notes; inputs.

    Raises
    ------
    WorkflowError, LayerError
        Missing or bad factor, mapping or raster files; a forest layer without ``year_planted``; an
        afforestation class not in the factor table; land-cover codes the mapping does not know.
    """
    spec = workflow.spec.sinks
    year = workflow.spec.workflow.year
    lay = _with_assumed_ages(layers.layers, spec.unknown_stand_age_yr, year)
    crs = layers.crs if layers.crs is not None else workflow.region.analysis_crs
    notes = [*NOTES, *_stand_age_notes(layers.layers, lay, spec.unknown_stand_age_yr, year)]
    inputs: list[Path] = []

    fpath = _check_file(workflow, spec.factors_file, "factors_file") if spec.factors_file else None
    factors = load_sink_factors(fpath, spec.factors)
    inputs.append(fpath or packaged_table("sink_factors.csv"))
    classes = class_table(factors)
    horizon = list(range(year, year + spec.horizon_years + 1))
    years = list(range(year - HISTORY_YEARS, year + spec.horizon_years + 1))

    # -- sink ledger (this year) and sink by year (existing sinks, horizon)
    ledger, overlaps, _ = accounting.sink_ledger(lay, classes, year)
    resolved_all, _ = accounting.resolve_overlaps(accounting.sink_features(lay, classes))
    by_year = accounting.sink_by_year(resolved_all, classes, horizon)
    if len(overlaps):
        notes.append(Note("sinks.overlaps_resolved", {"overlap_km2": float(overlaps["pairwise_overlap_km2"].sum()),
                                                       "n_pairs": len(overlaps)}))

    # -- indicators and forest cover by year
    indicators: list[Indicator] = []
    tables: dict[str, pd.DataFrame] = {}
    geo: dict[str, gpd.GeoDataFrame] = {}
    targets = {**DEFAULT_TARGET_YEARS, **(target_years or {})}
    land = land_geometry(lay)
    scenario = None
    if land is not None and not land.is_empty:
        indicators, tables["forest_cover_by_year"], scenario, change = _land_results(
            workflow, lay, land, classes, crs, years, horizon, targets, inputs, notes)
        if change is not None:
            geo["forest_change"] = change
    if scenario is None:
        scenario = pd.DataFrame(columns=list(scenarios.SCENARIO_COLUMNS))

    for ind in (protected_share_indicator(lay), natural_shoreline_indicator(lay)):
        if ind is not None:
            indicators.append(ind)
    notes.append(Note("sinks.protected_shoreline_rule"))

    tables["sink_ledger"] = ledger
    tables["sink_by_year"] = by_year
    tables["sink_overlaps"] = overlaps
    tables["sink_factors_used"] = factors
    tables["afforestation_scenario"] = scenario
    credit_tables, credit_notes, credit_inputs = _credit_tables(workflow, lay, classes, resolved_all, horizon)
    tables.update(credit_tables)
    notes.extend(credit_notes)
    inputs.extend(credit_inputs)
    total = _sink_total_note(ledger, year)
    if total is not None:
        notes.append(total)
    return StepResult(indicators=indicators, tables=tables, geo=geo, notes=notes,
                      inputs=list(dict.fromkeys(inputs)))


def _with_official_land(cover: pd.DataFrame, official_km2: float | None) -> pd.DataFrame:
    """Add the district's forest cover over the region's official land area beside the OSM-derived one.

    The forest area is measured inside the analysis land polygon (OpenStreetMap); the region's official land
    area (``[denominators] land_area_km2`` of ``region.toml``) is the denominator a planning review uses, and
    the one the targets table divides by. Sub-district rows have no official area and keep NaN there.

    Parameters
    ----------
    cover : pandas.DataFrame
        Rows of :data:`binhai_geo.sinks.forestcover.COVER_COLUMNS`.
    official_km2 : float or None
        The official land area [km2]; None leaves the table unchanged.

    Returns
    -------
    pandas.DataFrame
        ``cover`` with ``land_km2_official`` and ``forest_cover_pct_official`` [percent] when given.
    """
    if not official_km2 or cover.empty:
        return cover
    out = cover.copy()
    district = out["subdistrict"] == forestcover.DISTRICT
    out["land_km2_official"] = np.where(district, float(official_km2), np.nan)
    out["forest_cover_pct_official"] = 100.0 * out["forest_km2"].astype(float) / out["land_km2_official"]
    return out
