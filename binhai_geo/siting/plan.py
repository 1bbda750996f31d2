"""The siting engine's plan steps: eligibility, economics and carbon ledger.

Eligibility runs before the yield engines, economics and ledger after them (plan conformance, after the
targets are checked, is the accounting's: :mod:`binhai_geo.accounting.conformance`).

- :func:`eligibility_step` clips every candidate site to its eligible area under the workflow's rules
  (``[[eligibility.rules]]``) and recomputes area and capacity with the same capacity densities;
- :func:`economics_step` adds grid connection, LCOE and the carbon ledger, and the supply curve.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from binhai_geo.config import Workflow
from binhai_geo.notes import Note
from binhai_geo.siting.exclusions import ExclusionContainer
from binhai_geo.siting.reasongrid import BELOW_MIN_AREA, ELIGIBLE, MIN_AREA_REASON, OUTSIDE
from binhai_geo.siting.sites import SITE_COLUMNS
from binhai_geo.steps import StepResult

EXCLUDED_COLUMNS = ("site_id", "technology", "layer_kind", "reason", "reason_zh", "area_km2", "length_km")
SUMMARY_COLUMNS = ("technology", "reason", "reason_zh", "area_km2", "length_km", "share_of_candidate", "sites")


def _layers(layers: object) -> Mapping[str, gpd.GeoDataFrame]:
    return layers.layers if hasattr(layers, "layers") else layers  # type: ignore[return-value]


def _is_line(geom: shapely.Geometry) -> bool:
    return shapely.get_type_id(geom) in (1, 5)


def _keep_dim(geom: shapely.Geometry, line: bool) -> shapely.Geometry:
    """Return the polygonal (or lineal) parts of an overlay result, as one multi-geometry."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    ids = shapely.get_type_id(parts)
    if line:
        parts = parts[ids == 1]
        return shapely.multilinestrings(parts) if len(parts) else shapely.MultiLineString()
    parts = parts[(ids == 3) & (shapely.area(parts) > 0)]
    return shapely.multipolygons(parts) if len(parts) else shapely.MultiPolygon()


def _reason(box: ExclusionContainer, code: int) -> tuple[str, str]:
    if code == BELOW_MIN_AREA:
        return MIN_AREA_REASON
    return box.reasons[code - 1]


def choose_mode(mode: str, boxes: Mapping[str, ExclusionContainer], sites: gpd.GeoDataFrame,
                max_vertices: int) -> str:
    """``vector`` or ``raster``: ``auto`` takes vector when exclusion and site vertices are few."""
    if mode != "auto":
        return mode
    n = sum(b.vertex_count() for b in boxes.values()) + int(shapely.get_num_coordinates(sites.geometry).sum())
    return "vector" if n <= max_vertices else "raster"


def eligibility_step(workflow: Workflow, layers: object, sites: gpd.GeoDataFrame) -> StepResult:
    """Clip candidate sites to their eligible area under the workflow's exclusion rules.

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow (``[eligibility]`` table).
    layers : LayerSet or mapping of str to GeoDataFrame
        The workflow's layers (analysis CRS).
    sites : GeoDataFrame
        Candidate sites (:func:`binhai_geo.siting.sites.build_sites`).

    Returns
    -------
    StepResult
        ``sites``: eligible sites (fully excluded ones dropped), ``area_km2`` / ``length_km`` and
        ``capacity_mw`` recomputed with the same densities, plus ``candidate_area_km2``,
        ``candidate_length_km``, ``candidate_capacity_mw`` and ``eligible_share``; geo ``eligible_areas``
        and ``excluded_areas`` (technology and reason per excluded part); tables ``exclusion_summary``
        and ``eligibility_rules``.
    """
    from binhai_geo.siting.rules import build_container, rule_table

    spec = workflow.spec.eligibility
    lay = _layers(layers)
    crs = pyproj.CRS.from_user_input(spec.crs or workflow.region.spec.analysis_crs)
    notes: list[Note] = []
    rules = rule_table(spec, lay)
    if len(sites) == 0:
        return StepResult(tables={"eligibility_rules": rules}, notes=[Note("siting.eligibility.no_sites")])
    work = sites if sites.crs is not None and pyproj.CRS.from_user_input(sites.crs) == crs else sites.to_crs(crs)
    techs = sorted(set(work["technology"]))
    boxes = {t: build_container(spec, lay, t, crs=crs, resolve=workflow.resolve) for t in techs}
    mode = choose_mode(spec.mode, boxes, work, spec.auto_vector_max_vertices)
    out_rows, excluded, geoms = [], [], []
    for row in work.itertuples(index=False):
        geom = row.geometry
        box = boxes[row.technology]
        line = _is_line(geom)
        min_km2 = 0.0 if line else spec.min_area_km2.get(row.layer_kind, spec.min_area_km2.get(row.technology, 0.0))
        if mode == "vector" or line:
            res = box.vector(geom, min_area_m2=min_km2 * 1e6)
            eligible = _keep_dim(res.eligible, line)
            parts = [(c, _keep_dim(g, line)) for c, g in res.parts]
        else:
            grid = box.rasterize(geom.bounds, within=geom, min_area_m2=min_km2 * 1e6)
            polys = grid.polygons()
            by_code = dict(zip(polys["code"], polys.geometry, strict=True))
            eligible = _keep_dim(by_code.pop(ELIGIBLE, shapely.MultiPolygon()), False)
            parts = [(int(c), _keep_dim(g, False)) for c, g in sorted(by_code.items()) if c != OUTSIDE]
        for code, part in parts:
            if part.is_empty:
                continue
            reason, reason_zh = _reason(box, code)
            excluded.append({"site_id": row.site_id, "technology": row.technology, "layer_kind": row.layer_kind,
                             "reason": reason, "reason_zh": reason_zh,
                             "area_km2": np.nan if line else part.area / 1e6,
                             "length_km": part.length / 1e3 if line else np.nan, "geometry": part})
        d = row._asdict()
        d.pop("geometry")
        if line:
            d["candidate_length_km"] = d["length_km"]
            d["candidate_area_km2"] = np.nan
            d["length_km"] = eligible.length / 1e3
            measure, cand = d["length_km"], d["candidate_length_km"]
        else:
            d["candidate_area_km2"] = d["area_km2"]
            d["candidate_length_km"] = np.nan
            d["area_km2"] = eligible.area / 1e6
            measure, cand = d["area_km2"], d["candidate_area_km2"]
        d["candidate_capacity_mw"] = d["capacity_mw"]
        d["capacity_mw"] = measure * d["capacity_density"]
        d["eligible_share"] = measure / cand if cand else np.nan
        out_rows.append(d)
        geoms.append(eligible)
    allsites = gpd.GeoDataFrame(out_rows, geometry=geoms, crs=crs)
    dropped = allsites[allsites["capacity_mw"] <= 0]
    kept = allsites[allsites["capacity_mw"] > 0].reset_index(drop=True)
    if "name_zh" not in kept.columns:  # a sites table built before name_zh was carried
        kept["name_zh"] = pd.NA
    extra = ["candidate_area_km2", "candidate_length_km", "candidate_capacity_mw", "eligible_share"]
    other = [c for c in kept.columns if c not in SITE_COLUMNS and c not in extra and c != "geometry"]
    kept = kept[[*SITE_COLUMNS, *extra, *other, "geometry"]]
    if sites.crs is not None and pyproj.CRS.from_user_input(sites.crs) != crs:
        kept = kept.to_crs(sites.crs)
    ex = gpd.GeoDataFrame(excluded, columns=[*EXCLUDED_COLUMNS, "geometry"], geometry="geometry", crs=crs)
    summary = exclusion_summary(allsites, ex)
    elig_geo = kept[["site_id", "name", "name_zh", "layer_kind", "technology", "area_km2", "length_km", "capacity_mw",
                     "candidate_capacity_mw", "eligible_share", "geometry"]]
    n_rules = len(spec.rules)
    how = (Note("siting.eligibility.method.vector") if mode == "vector"
           else Note("siting.eligibility.method.raster", {"resolution_m": spec.resolution_m}))
    notes.append(Note("siting.eligibility.method", {"n_rules": n_rules, "method": how}))
    if n_rules == 0:
        notes.append(Note("siting.eligibility.no_rules"))
    if len(dropped):
        notes.append(Note("siting.eligibility.dropped", {"n_sites": len(dropped),
                                                          "site_ids": [str(s) for s in dropped["site_id"]]}))
    notes.append(Note("siting.eligibility.buffers"))
    return StepResult(sites=kept, tables={"exclusion_summary": summary, "eligibility_rules": rules},
                      geo={"eligible_areas": elig_geo, "excluded_areas": ex}, notes=notes)


def exclusion_summary(allsites: gpd.GeoDataFrame, excluded: gpd.GeoDataFrame) -> pd.DataFrame:
    """Candidate, excluded (by reason) and eligible area and length per technology."""
    rows = []
    for tech, s in allsites.groupby("technology", sort=True):
        cand_a = float(s["candidate_area_km2"].sum())
        cand_l = float(s["candidate_length_km"].sum())
        rows.append({"technology": tech, "reason": "candidate", "reason_zh": "候选", "area_km2": cand_a,
                     "length_km": cand_l, "share_of_candidate": 1.0, "sites": len(s)})
        e = excluded[excluded["technology"] == tech]
        for (reason, reason_zh), part in e.groupby(["reason", "reason_zh"], sort=True):
            a = float(part["area_km2"].sum())
            ln = float(part["length_km"].sum())
            rows.append({"technology": tech, "reason": reason, "reason_zh": reason_zh, "area_km2": a,
                         "length_km": ln, "share_of_candidate": a / cand_a if cand_a else np.nan,
                         "sites": part["site_id"].nunique()})
        a = float(s["area_km2"].sum())
        rows.append({"technology": tech, "reason": "eligible", "reason_zh": "可开发", "area_km2": a,
                     "length_km": float(s["length_km"].sum()), "share_of_candidate": a / cand_a if cand_a else np.nan,
                     "sites": int((s["capacity_mw"] > 0).sum())})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _site_inputs(workflow: Workflow) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    from binhai_geo.factors import packaged_table
    from binhai_geo.siting.costs import load_costs
    from binhai_geo.siting.grid import load_grid_voltage

    spec = workflow.spec.eligibility
    cost_path = workflow.resolve(spec.costs_file) if spec.costs_file else None
    volt_path = workflow.resolve(spec.grid_voltage_file) if spec.grid_voltage_file else None
    costs = load_costs(cost_path, spec.costs)
    volts = load_grid_voltage(volt_path)
    inputs = [cost_path or packaged_table("costs.csv"), volt_path or packaged_table("grid_voltage.csv"),
              packaged_table("siting_emission_factor.csv"), packaged_table("siting_conversion_share.csv"),
              packaged_table("siting_conversion_release.csv")]
    return costs, volts, inputs


def economics_step(workflow: Workflow, layers: object, sites: gpd.GeoDataFrame) -> StepResult:
    """Grid connection, LCOE, the carbon ledger per site, and the supply curve.

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow.
    layers : LayerSet or mapping of str to GeoDataFrame
        Uses ``substation``, ``land``, ``forest``, ``wetland``, ``tidal_flat``, ``protected_area``,
        ``exclusion``, ``project``.
    sites : GeoDataFrame
        Eligible sites; ``energy_mwh_per_yr`` may be NaN (no LCOE then).

    Returns
    -------
    StepResult
        ``sites`` with ``grid_distance_km``, ``substation``, ``capex_cny``, ``lcoe_cny_per_mwh``,
        ``avoided_tco2_per_yr``, ``sink_lost_tco2_per_yr``, ``net_tco2_per_yr``, ``protected_overlap_km2``;
        tables ``supply_curve`` and ``carbon_ledger``.
    """
    from binhai_geo.sinks.factors import conversion_factors
    from binhai_geo.siting.costs import site_lcoe, supply_curve
    from binhai_geo.siting.grid import grid_connection
    from binhai_geo.siting.ledger import carbon_ledger, conversion_release, emission_factor
    from binhai_geo.siting.occupancy import project_occupancy

    spec = workflow.spec.eligibility
    lay = _layers(layers)
    costs, volts, inputs = _site_inputs(workflow)
    out = sites.copy()
    grid = grid_connection(out, lay.get("substation"), volts, costs, lay.get("land"))
    econ = site_lcoe(out, costs, grid["grid_cost_cny"].to_numpy())
    ef = (emission_factor(spec.emission_factor.tco2_per_mwh, spec.emission_factor.source)
          if spec.emission_factor else emission_factor())
    release = conversion_release()
    ledger = carbon_ledger(out, lay, ef, conversion_factors(), release)
    for col in ("grid_distance_km", "submarine_km", "substation", "substation_voltage_kv", "required_voltage_kv",
                "grid_cost_cny"):
        out[col] = grid[col].to_numpy()
    out["capex_cny"] = econ["capex_cny"].to_numpy()
    out["lcoe_cny_per_mwh"] = econ["lcoe_cny_per_mwh"].to_numpy()
    for col in ("avoided_tco2_per_yr", "sink_lost_tco2_per_yr", "net_tco2_per_yr", "protected_overlap_km2"):
        out[col] = ledger[col].to_numpy()
    occupied, _ = project_occupancy(out, lay.get("project"), spec.project_match_m)
    curve = supply_curve(out, occupied)
    notes = [
        Note("siting.economics.lcoe"),
        Note("siting.economics.grid"),
        Note("siting.economics.avoided_co2", {"emission_factor_t_per_mwh": ef.value,
                                              "factor_source": ef.source.split(":")[0],
                                              "release_period_yr": release.period_yr}),
    ]
    no_energy = int(out["energy_mwh_per_yr"].isna().sum())
    if no_energy:
        notes.append(Note("siting.economics.no_energy", {"n_without_energy": no_energy, "n_sites": len(out)}))
    if lay.get("substation") is None:
        notes.append(Note("siting.economics.no_substations"))
    return StepResult(sites=out, tables={"supply_curve": curve, "carbon_ledger": ledger.reset_index(drop=True)},
                      notes=notes, inputs=inputs)
