"""Plan conformance: installed + committed capacity + eligible potential against the plan's capacity targets.

For each capacity target (PV, wind, renewable capacity, renewable share, storage) and for the district
and each sub-district: installed (``built_mw``), committed and pipeline capacity as the capacity ledger
categorises its records for the target year (:mod:`binhai_geo.accounting.ledger`, passed in as the
``category`` column: counted there only), eligible potential no ledger record occupies, the
required value, the remaining gap, and the cheapest eligible sites that close it.

Rules (stated in the notes):

- a ledger record that is operating, under construction, pre-construction or announced *occupies*
  eligible sites of its technology (and surface) within
  ``project_match_m`` of its point, nearest first, up to their eligible capacity (the project layer holds
  points); a site's remaining potential is its eligible capacity minus the projects on it, so potential is
  never counted twice;
- a site or project belongs to the sub-district that contains its representative point, or the nearest
  one (sea sites belong to the nearest coast's sub-district); the plan sets district-wide targets only, so
  sub-district rows have no required value: they show what each sub-district holds, and which of its
  cheapest sites would close the district's gap;
- sites are ranked by LCOE; sites without one (no annual energy yet) come after, ranked by capital cost
  per MW, and the row says so;
- the share target: with R renewable MW counted and T the district's total installed capacity (a workflow
  input with its source), closing the gap to s % needs x = (s T - R) / (1 - s) MW more renewables,
  since each new MW also adds to the total.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from binhai_geo.config import Workflow
from binhai_geo.notes import Note
from binhai_geo.siting.occupancy import project_occupancy
from binhai_geo.steps import StepResult

#: Without the ledger's ``category`` column (a direct call of :func:`conformance_table`), a status's category
#: regardless of year; the pack's former statuses included.
STATUS_CATEGORY = {"operating": "installed", "construction": "committed", "pre-construction": "pipeline",
                   "announced": "pipeline", "built": "installed", "under_construction": "committed",
                   "pipeline": "pipeline", "planned": "pipeline"}

#: Capacity targets this step answers, with the technologies they count.
TARGET_TECHNOLOGIES = {
    "pv_capacity": ("pv",),
    "wind_capacity": ("wind",),
    "renewable_capacity": ("pv", "wind"),
    "renewable_share": ("pv", "wind"),
    "storage_capacity": ("storage",),
}
DISTRICT = ("district", "全区")
MAX_LISTED = 25
#: Projects larger than the eligible capacity near them named in the note (the largest excesses; all in the ledger).
PROJECTS_OVER_LISTED = 3

CONFORMANCE_COLUMNS = (
    "target_id", "description_zh", "area", "area_zh", "unit", "required", "built_mw", "committed_mw", "pipeline_mw",
    "counted", "eligible_potential_mw", "gap", "gap_mw", "gap_after_potential_mw", "status",
    "status_zh", "closing_sites", "closing_mw", "closing_max_lcoe_cny_per_mwh", "ranking", "basis",
)


def assign_subdistrict(geoms: np.ndarray, subdistricts: gpd.GeoDataFrame | None) -> np.ndarray:
    """Name of the sub-district holding (or nearest to) each geometry's representative point."""
    if subdistricts is None or len(subdistricts) == 0 or len(geoms) == 0:
        return np.full(len(geoms), None, dtype=object)
    pts = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(subdistricts.geometry.to_numpy())
    (src, dst) = tree.query_nearest(pts, all_matches=False)
    out = np.full(len(geoms), None, dtype=object)
    out[src] = subdistricts["name"].to_numpy()[dst]
    return out


def _ranked(sites: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    df = sites[sites["available_mw"] > 0].copy()
    lcoe = df["lcoe_cny_per_mwh"] if "lcoe_cny_per_mwh" in df.columns else pd.Series(np.nan, index=df.index)
    per_mw = (df["capex_cny"] / df["capacity_mw"]) if "capex_cny" in df.columns else pd.Series(np.nan, df.index)
    df["_has_lcoe"] = np.isfinite(lcoe.to_numpy(dtype=float))
    df["_lcoe"] = lcoe
    df["_per_mw"] = per_mw
    df = df.sort_values(["_has_lcoe", "_lcoe", "_per_mw", "site_id"], ascending=[False, True, True, True],
                        kind="stable", na_position="last")
    if df["_has_lcoe"].all():
        how = "LCOE"
    elif df["_has_lcoe"].any():
        how = "LCOE; sites without energy after, by capital cost per MW"
    else:
        how = "capital cost per MW (no site has annual energy yet, no LCOE)"
    return df, how


def _closing(ranked: pd.DataFrame, need_mw: float) -> tuple[str, float, float]:
    if not need_mw > 0 or len(ranked) == 0:
        return "", 0.0, np.nan
    cum = ranked["available_mw"].cumsum().to_numpy()
    n = int(np.searchsorted(cum, need_mw - 1e-9) + 1)
    take = ranked.iloc[:n]
    ids = list(take["site_id"])
    text = "; ".join(ids[:MAX_LISTED]) + (f"; ... (+{len(ids) - MAX_LISTED} more)" if len(ids) > MAX_LISTED else "")
    lcoe = take["_lcoe"].to_numpy(dtype=float)
    return text, float(take["available_mw"].sum()), float(np.nanmax(lcoe)) if np.isfinite(lcoe).any() else np.nan


def conformance_table(
    sites: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    targets: pd.DataFrame,
    *,
    total_installed_capacity_mw: float | None = None,
    total_installed_capacity_source: str | None = None,
    project_match_m: float = 5000.0,
    ledger: gpd.GeoDataFrame | None = None,
) -> tuple[pd.DataFrame, list[Note]]:
    """Build the conformance table (columns :data:`CONFORMANCE_COLUMNS`) and notes.

    Parameters
    ----------
    sites : GeoDataFrame
        Eligible sites with ``capacity_mw`` and, when the economics step ran, ``lcoe_cny_per_mwh`` and
        ``capex_cny``.
    layers : mapping
        Layers by kind (``project``, ``subdistrict``).
    targets : DataFrame
        The checked targets (:func:`binhai_geo.targets.check_targets`) or the targets file; uses
        ``target_id``, ``description_zh``, ``unit`` and ``required`` (or ``value``).
    total_installed_capacity_mw, total_installed_capacity_source
        The district's total installed capacity [MW] and its source, for the share target.
    project_match_m : float
        See :func:`project_occupancy`.
    ledger : GeoDataFrame, optional
        The capacity ledger's records with their ``category`` for the target year (installed, committed,
        pipeline, not counted); default: the ``project`` layer, its status mapped by :data:`STATUS_CATEGORY`.
    """
    notes: list[Note] = []
    projects = ledger if ledger is not None else layers.get("project")
    subs = layers.get("subdistrict")
    df = pd.DataFrame(sites.drop(columns="geometry")).copy()
    occupied, unplaced = project_occupancy(sites, projects, project_match_m)
    df["occupied_mw"] = occupied
    df["available_mw"] = np.clip(df["capacity_mw"].to_numpy(dtype=float) - occupied, 0, None)
    df["subdistrict"] = assign_subdistrict(sites.geometry.to_numpy(), subs)
    if unplaced:
        largest = sorted(unplaced, key=lambda n: -float(n.params["beyond_mw"]))[:PROJECTS_OVER_LISTED]
        notes.append(Note("siting.conformance.projects_over", {
            "n_projects": len(unplaced), "beyond_mw": float(sum(float(n.params["beyond_mw"]) for n in unplaced)),
            "match_m": float(project_match_m), "largest": tuple(largest)}))
    if projects is not None and len(projects):
        proj = pd.DataFrame(projects.drop(columns="geometry")).copy()
        proj["subdistrict"] = assign_subdistrict(projects.geometry.to_numpy(), subs)
        if "category" not in proj.columns:
            proj["category"] = proj["status"].map(STATUS_CATEGORY).fillna("not counted")
    else:
        proj = pd.DataFrame(columns=["technology", "capacity_mw", "status", "category", "subdistrict"])
    areas: list[tuple[str, str, str | None]] = [(DISTRICT[0], DISTRICT[1], None)]
    if subs is not None:
        zh = subs["name_zh"] if "name_zh" in subs.columns else subs["name"]
        areas += [(n, z if isinstance(z, str) else n, n) for n, z in zip(subs["name"], zh, strict=True)]
    tcol = "required" if "required" in targets.columns else "value"
    rows = []
    for t in targets.itertuples(index=False):
        if t.target_id in TARGET_TECHNOLOGIES:
            rows += _target_rows(t, float(getattr(t, tcol)), areas, proj, df, total_installed_capacity_mw,
                                 total_installed_capacity_source)
    return pd.DataFrame(rows, columns=list(CONFORMANCE_COLUMNS)), notes


def _target_rows(t: object, required_all: float, areas: list[tuple[str, str, str | None]], proj: pd.DataFrame,
                 df: pd.DataFrame, total: float | None, total_source: str | None) -> list[dict]:
    """Rows of one capacity target: the district first (its gap is what the sub-districts' sites would close)."""
    tid = t.target_id
    techs = TARGET_TECHNOLOGIES[tid]
    storage = tid == "storage_capacity"
    rows = []
    district_gap_mw = np.nan
    for area, area_zh, sub in areas:
        p = proj[proj["technology"].isin(techs)]
        s = df[df["technology"].isin(techs)]
        if sub is not None:
            p = p[p["subdistrict"] == sub]
            s = s[s["subdistrict"] == sub]
        built = float(p.loc[p["category"] == "installed", "capacity_mw"].sum())
        committed = float(p.loc[p["category"] == "committed", "capacity_mw"].sum())
        pipeline = float(p.loc[p["category"] == "pipeline", "capacity_mw"].sum())
        potential = float(s["available_mw"].sum()) if not storage else np.nan
        ranked, how = _ranked(s) if not storage else (s.iloc[:0], "")
        row = {"target_id": tid, "description_zh": t.description_zh, "area": area, "area_zh": area_zh,
               "unit": t.unit, "built_mw": built, "committed_mw": committed, "pipeline_mw": pipeline,
               "eligible_potential_mw": potential, "ranking": how}
        required = required_all if sub is None else np.nan
        if tid == "renewable_share" and not total:
            row.update(counted=np.nan, required=required, gap=np.nan, gap_mw=np.nan,
                       gap_after_potential_mw=np.nan, status="not computed", status_zh="未计算",
                       basis="needs [assumptions.district] total_installed_capacity_mw with its source")
            rows.append(row)
            continue
        counted, gap, gap_mw, basis = _counted_and_gap(tid, built + committed, required, total, total_source,
                                                       district=sub is None)
        if sub is None:
            district_gap_mw = gap_mw
        need = district_gap_mw if sub is not None else gap_mw
        if storage:
            ids, closing_mw, max_lcoe = "", 0.0, np.nan
            after = gap_mw
            basis = basis or "storage is not sited by eligibility: no potential counted"
        else:
            ids, closing_mw, max_lcoe = _closing(ranked, need)
            after = gap_mw - potential if sub is None else np.nan
        status, status_zh = _status(tid, sub, gap_mw, potential)
        row.update(counted=counted, required=required, gap=gap, gap_mw=gap_mw, gap_after_potential_mw=after,
                   status=status, status_zh=status_zh, closing_sites=ids, closing_mw=closing_mw,
                   closing_max_lcoe_cny_per_mwh=max_lcoe, basis=basis)
        rows.append(row)
    return rows


def _counted_and_gap(tid: str, counted_mw: float, required: float, total: float | None, total_source: str | None,
                     *, district: bool) -> tuple[float, float, float, str]:
    """Return the counted value [target unit], gap [unit], gap [MW] and basis (gaps NaN for a sub-district).

    The share target: R renewable MW counted over T total installed MW; closing the gap to s % needs
    x = (s T - R) / (1 - s) MW more renewables, since each new MW also adds to the total.
    """
    basis = ""
    gap = gap_mw = np.nan
    if tid == "renewable_share":
        counted = 100.0 * counted_mw / total
        basis = (f"{counted_mw:.0f} MW renewables over {total:.0f} MW total installed "
                 f"({total_source}); x = (s T - R) / (1 - s)")
        if district:
            share = required / 100.0
            gap = required - counted
            gap_mw = max(0.0, (share * total - counted_mw) / (1.0 - share)) if share < 1 else np.inf
    else:
        counted = counted_mw
        if district:
            gap = required - counted
            gap_mw = max(0.0, gap)
    return counted, gap, gap_mw, basis


def _status(tid: str, sub: str | None, gap_mw: float, potential: float) -> tuple[str, str]:
    """Status (English, Chinese) of a row: met, closable with eligible sites, or not; sub-districts say so."""
    if sub is not None:
        return "sub-district (district-wide target)", "分区(全区目标)"
    if gap_mw <= 0:
        return "met by installed + committed", "已由已投产和在建项目满足"
    if tid != "storage_capacity" and potential >= gap_mw:
        return "closable with eligible sites", "可由可开发场址补足"
    return "not closable with eligible sites", "可开发场址不足以补足"


def conformance_step(workflow: Workflow, layers: object, sites: gpd.GeoDataFrame,
                     targets: pd.DataFrame, ledger: gpd.GeoDataFrame | None = None) -> StepResult:
    """Built + pipeline projects and eligible potential against the plan's capacity targets.

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow (``[assumptions.district]`` for the share target).
    layers : LayerSet or mapping of str to GeoDataFrame
        Uses ``project`` and ``subdistrict``.
    sites : GeoDataFrame
        Eligible sites (after the economics step when it ran: LCOE ranks the closing sites).
    targets : DataFrame
        The checked targets (:func:`binhai_geo.targets.check_targets`) or the targets file.
    ledger : GeoDataFrame, optional
        The capacity ledger's records with their ``category`` for the target year (the runner passes
        them); default: the ``project`` layer's statuses.

    Returns
    -------
    StepResult
        Table ``conformance``: per capacity target and per area (district, each sub-district).
    """
    d = workflow.spec.assumptions.district
    table, notes = conformance_table(
        sites, layers.layers if hasattr(layers, "layers") else layers, targets,
        total_installed_capacity_mw=d.total_installed_capacity_mw,
        total_installed_capacity_source=d.total_installed_capacity_source,
        project_match_m=workflow.spec.eligibility.project_match_m,
        ledger=ledger,
    )
    notes.append(Note("siting.conformance.method"))
    if not d.total_installed_capacity_mw:
        notes.append(Note("siting.conformance.no_share"))
    return StepResult(tables={"conformance": table}, notes=notes)
