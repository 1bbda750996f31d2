"""The workflow runner: one planning run from a workflow file to its deliverables.

It only calls the domain steps, in the one direction data flows:
layers -> sites (siting) -> indicators (coverage, capacity) -> targets -> deliverables.
Everything is computed before anything is written, and every file is written atomically, so a
failing run leaves no partial output beside the previous run's files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from binhai_geo.accounting.capacity import capacity_indicators
from binhai_geo.accounting.plan import data_status, ledger_step, mark_indicative, official_indicators
from binhai_geo.atomic import check_writable_dir, write_text_atomic
from binhai_geo.config import Workflow, load_workflow
from binhai_geo.factors import load_capacity_density, packaged_table
from binhai_geo.io import write_csv, write_gpkg, write_gpkg_layers
from binhai_geo.landsurvey import PACKAGED_MAPPING
from binhai_geo.layers import LayerSet, load_layers
from binhai_geo.manifest import build_manifest
from binhai_geo.sites import build_sites, densities_used
from binhai_geo.steps import StepResult
from binhai_geo.targets import check_targets, load_targets

#: Steps of a plan run, for progress display.
PLAN_STEPS = ("workflow", "layers", "sites", "eligibility", "solar", "wind", "economics", "sinks", "cluster",
              "indicators", "conformance", "map", "write")

#: Said on every map and report until the engines replace these simplifications.
SIMPLIFICATIONS = (
    "Sample layers are illustrative placements from public descriptions, not surveyed data "
    "(示例图层为依据公开资料的示意性位置，非测绘数据).",
    "Eligible potential is what the workflow's exclusion rules leave; rules the planner has not declared "
    "are not applied (可开发潜力仅扣除工作流中声明的限制规则).",
)


@dataclass
class PlanResult:
    """What a plan run computed and wrote.

    Attributes
    ----------
    workflow : Workflow
        The workflow run.
    layers : LayerSet
        The validated layers.
    sites : geopandas.GeoDataFrame
        Candidate sites with capacity.
    targets : pandas.DataFrame
        The target check.
    sinks : pandas.DataFrame
        Sink-class areas.
    densities : pandas.DataFrame
        The capacity-density table loaded, with the densities the sites really have after the engine
        steps (:func:`binhai_geo.sites.densities_used`); written as ``<prefix>_capacity_density_used.csv``.
    tables : dict of str to pandas.DataFrame
        Named tables of the engine steps (written as ``<prefix>_<name>.csv``).
    geo : dict of str to geopandas.GeoDataFrame
        Named geo layers of the engine steps (written into ``<prefix>_layers.gpkg``).
    notes : list of str
        Simplifications of this run, said on the map and in the report.
    inputs : list of pathlib.Path
        Files the engine steps read, for the manifest.
    outputs : dict of str to pathlib.Path
        Files written, by role.
    """

    workflow: Workflow
    layers: LayerSet
    sites: gpd.GeoDataFrame
    targets: pd.DataFrame
    sinks: pd.DataFrame
    densities: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    geo: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=lambda: list(SIMPLIFICATIONS))
    inputs: list[Path] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)


class _Collector:
    """Merges the :class:`~binhai_geo.steps.StepResult` of each engine step, in order."""

    def __init__(self, sites: gpd.GeoDataFrame) -> None:
        self.sites = sites
        self.indicators: list = []
        self.tables: dict[str, pd.DataFrame] = {}
        self.geo: dict[str, gpd.GeoDataFrame] = {}
        self.notes: list[str] = list(SIMPLIFICATIONS)
        self.inputs: list[Path] = []

    def add(self, name: str, res: StepResult) -> None:
        if res.sites is not None:
            self.sites = res.sites
        self.indicators.extend(res.indicators)
        for what, mine, theirs in (("table", self.tables, res.tables), ("geo layer", self.geo, res.geo)):
            clash = set(mine) & set(theirs)
            if clash:
                raise RuntimeError(f"step '{name}' returns {what}(s) {sorted(clash)} another step already returned")
            mine.update(theirs)
        self.notes.extend(n for n in res.notes if n not in self.notes)
        self.inputs.extend(res.inputs)


def compute_plan(workflow: Workflow, step: Callable[[str], None] = lambda s: None, *,
                 scheduler: str | None = None) -> PlanResult:
    """Compute a plan run in memory (nothing is written).

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow.
    step : callable
        Called with each step name of :data:`PLAN_STEPS` as it starts.
    scheduler : str, optional
        Where the cluster-declared work runs (``sync``, ``threads``, ``processes`` or a dask scheduler
        address); default: the workflow's ``[cluster] scheduler``. Results do not depend on it.
    """
    step("layers")
    layers = load_layers(workflow)
    a = workflow.spec.assumptions
    densities = load_capacity_density(
        workflow.resolve(a.capacity_density_file) if a.capacity_density_file else None,
        a.capacity_density,
    )
    step("sites")
    s = workflow.spec.siting
    sites = build_sites(layers.layers, densities, pv_surfaces=s.pv_surfaces, wind_surfaces=s.wind_surfaces,
                        offshore_both_as=s.offshore_both_as)
    # the engines import pvlib, PyWake, rasterio, dask: only when a plan runs
    from binhai_geo.cluster.plan import cluster_step
    from binhai_geo.sinks.plan import sinks_step
    from binhai_geo.siting.plan import conformance_step, economics_step, eligibility_step
    from binhai_geo.solar.plan import solar_step
    from binhai_geo.wind.plan import wind_step

    steps = _Collector(sites)
    for name, run in (
        ("eligibility", lambda: eligibility_step(workflow, layers, steps.sites)),
        ("solar", lambda: solar_step(workflow, layers, steps.sites)),
        ("wind", lambda: wind_step(workflow, layers, steps.sites)),
        ("economics", lambda: economics_step(workflow, layers, steps.sites)),
        ("sinks", lambda: sinks_step(workflow, layers)),
        ("cluster", lambda: cluster_step(workflow, layers, scheduler)),
    ):
        step(name)
        steps.add(name, run())
    step("indicators")
    target_file = load_targets(workflow.targets_path)
    years = dict(zip(target_file["target_id"], pd.to_numeric(target_file["year"], errors="coerce")
                     .fillna(workflow.spec.workflow.year).astype(int), strict=True))
    ledger, ledger_tables, registry_files = ledger_step(workflow, layers.layers,
                                                        years.get("pv_capacity", workflow.spec.workflow.year))
    indicators = [] if ledger is None else capacity_indicators(
        ledger, years, steps.sites,
        total_installed_capacity_mw=a.district.total_installed_capacity_mw,
        total_installed_capacity_source=a.district.total_installed_capacity_source,
    )
    coverage = mark_indicative(official_indicators(steps.indicators, layers.layers, workflow.region.denominators),
                               layers.layers)
    targets = check_targets(target_file, indicators + coverage)
    ledger_tables["data_status"] = data_status(workflow, layers.layers, ledger_tables)
    steps.add("accounting", StepResult(tables=ledger_tables, inputs=registry_files))
    step("conformance")
    steps.add("conformance", conformance_step(workflow, layers, steps.sites, targets, ledger))
    sinks = steps.tables.get("sink_ledger", pd.DataFrame())
    used = densities_used(densities, steps.sites)  # beside each row, the densities the engines gave its sites
    return PlanResult(workflow, layers, steps.sites, targets, sinks, used, tables=steps.tables, geo=steps.geo,
                      notes=steps.notes, inputs=steps.inputs)


def _inputs(result: PlanResult) -> list[Path]:
    wf = result.workflow
    a = wf.spec.assumptions
    files = [wf.path, wf.region.path, wf.targets_path, *result.layers.files]
    files.append(wf.resolve(a.capacity_density_file) if a.capacity_density_file
                 else packaged_table("capacity_density.csv"))
    survey = wf.spec.land_survey
    if survey is not None:
        files.append(wf.resolve(survey.mapping) if survey.mapping else packaged_table(PACKAGED_MAPPING))
    files.extend(p for p in result.inputs if p not in files)
    return files


def write_plan(result: PlanResult, out_dir: Path, step: Callable[[str], None] = lambda s: None) -> dict[str, Path]:
    """Write a computed plan's deliverables to ``out_dir``; return them by role."""
    wf = result.workflow
    prefix = wf.prefix
    step("map")
    from binhai_geo.deliverables.build import build_deliverables

    # Atlas, print maps and report, rendered before anything is written (see binhai_geo.deliverables).
    listed = [f"{prefix}{s}" for s in ("_sites.gpkg", "_sites.csv", "_targets.csv",
                                       "_capacity_density_used.csv", "_manifest.json")]
    listed += [f"{prefix}_{name}.csv" for name in sorted(result.tables)] + ([f"{prefix}_layers.gpkg"] if result.geo
                                                                            else [])
    inputs = _inputs(result)
    deliverables = build_deliverables(result, inputs=inputs, listed=listed)
    step("write")
    out: dict[str, Path] = {}
    sites = result.sites
    out["sites_gpkg"] = write_gpkg(sites, out_dir / f"{prefix}_sites.gpkg", layer="sites")
    out["sites_csv"] = write_csv(pd.DataFrame(sites.drop(columns="geometry")), out_dir / f"{prefix}_sites.csv")
    out["targets_csv"] = write_csv(result.targets, out_dir / f"{prefix}_targets.csv")
    out["densities_csv"] = write_csv(result.densities, out_dir / f"{prefix}_capacity_density_used.csv")
    for name, table in sorted(result.tables.items()):
        out[f"{name}_csv"] = write_csv(table, out_dir / f"{prefix}_{name}.csv")
    if result.geo:
        out["layers_gpkg"] = write_gpkg_layers(dict(sorted(result.geo.items())), out_dir / f"{prefix}_layers.gpkg")
    out.update(deliverables.write(out_dir))
    summary = {
        "sites": len(sites),
        "candidate_capacity_mw": sites.groupby("technology")["capacity_mw"].sum().round(1).to_dict(),
        "targets": result.targets.set_index("target_id")["status"].to_dict(),
        "data_status": result.tables["data_status"].to_dict("records") if "data_status" in result.tables else [],
        "layers": {k: r.summary() for k, r in sorted(result.layers.reports.items())},
        "simplifications": list(result.notes),
        "deliverables": {"messages": deliverables.messages, "font": deliverables.font},
    }
    manifest = build_manifest(
        workflow_path=wf.path,
        workflow=wf.spec.model_dump(),
        inputs=inputs,
        outputs=out.values(),
        summary=summary,
    )
    out["manifest"] = write_text_atomic(out_dir / f"{prefix}_manifest.json", manifest)
    return out


def run_plan(
    workflow_path: str | Path,
    *,
    out_dir: str | Path | None = None,
    step: Callable[[str], None] = lambda s: None,
    scheduler: str | None = None,
) -> PlanResult:
    """Run a workflow end to end: load, compute, write.

    Parameters
    ----------
    workflow_path : path-like
        The workflow TOML file.
    out_dir : path-like, optional
        Output folder; default: the workflow's ``[outputs] dir``.
    step : callable
        Progress callback, called with each step name of :data:`PLAN_STEPS`.
    scheduler : str, optional
        Overrides the workflow's ``[cluster] scheduler`` (see :func:`compute_plan`).

    Returns
    -------
    PlanResult
        With ``outputs`` filled.
    """
    step("workflow")
    wf = load_workflow(workflow_path)
    target_dir = check_writable_dir(Path(out_dir) if out_dir is not None else wf.out_dir)
    result = compute_plan(wf, step, scheduler=scheduler)
    result.outputs = write_plan(result, target_dir, step)
    return result
