"""The workflow runner: one planning run from a workflow file to its deliverables.

It only calls the domain steps, in the one direction data flows:
layers -> sites (siting) -> indicators (coverage, capacity) -> targets -> deliverables.
Everything is computed before anything is written, and the outputs are written as one set (staged,
then moved into place together), so a failing or interrupted run leaves the previous run's files as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from binhai_geo.accounting.capacity import capacity_indicators
from binhai_geo.accounting.plan import data_status, ledger_step, mark_indicative, official_indicators
from binhai_geo.atomic import check_writable_dir, output_set, refuse_input, write_text_atomic, write_with
from binhai_geo.config import Workflow, load_workflow
from binhai_geo.deliverables.qgis_project import GpkgLayer, build_qgis, region_layers
from binhai_geo.deliverables.registry import GEO_LAYERS
from binhai_geo.factors import load_capacity_density, packaged_table
from binhai_geo.io import split_by_geometry, write_csv, write_gpkg_layers
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


def _write_files(result: PlanResult, deliverables: object, folder: Path, prefix: str,
                 targets_table: pd.DataFrame, gpkg: list[GpkgLayer], qgis: object) -> dict[str, Path]:
    """Write the plan's tables, layers, QGIS project and deliverables into ``folder``; return them by role."""
    out: dict[str, Path] = {}
    for role, file in (("sites_gpkg", f"{prefix}_sites.gpkg"), ("layers_gpkg", f"{prefix}_layers.gpkg"),
                       ("input_layers_gpkg", f"{prefix}_input_layers.gpkg")):
        layers = {g.layer: g.gdf for g in gpkg if g.file == file}
        if layers or role == "sites_gpkg":
            out[role] = write_gpkg_layers(layers, folder / file, aliases=qgis.aliases_of(file),  # type: ignore[attr-defined]
                                          styles=qgis.styles_of(file))  # type: ignore[attr-defined]
    out["qgis_project"] = write_with(folder / f"{prefix}.qgz",
                                     lambda tmp: tmp.write_bytes(qgis.project))  # type: ignore[attr-defined]
    out["sites_csv"] = write_csv(_sites_csv(result.sites, gpkg), folder / f"{prefix}_sites.csv")
    out["targets_csv"] = write_csv(targets_table, folder / f"{prefix}_targets.csv")
    out["densities_csv"] = write_csv(result.densities, folder / f"{prefix}_capacity_density_used.csv")
    for name, table in sorted(result.tables.items()):
        out[f"{name}_csv"] = write_csv(table, folder / f"{prefix}_{name}.csv")
    out.update(deliverables.write(folder))  # type: ignore[attr-defined]
    return out


def previous_outputs(manifest: Path) -> list[Path]:
    """Return the outputs listed in a previous run's manifest (none when it is missing or unreadable)."""
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        return [Path(f["path"]) for f in doc.get("outputs", []) if isinstance(f, dict) and "path" in f]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def _write_postgis(result: PlanResult, inputs: list[Path]) -> dict:
    """Write the run's results and manifest into ``[outputs] postgis`` (one transaction); return what was written."""
    from binhai_geo.postgis.write import write_run  # psycopg loads only when the workflow writes to PostGIS

    wf, spec = result.workflow, result.workflow.spec.outputs.postgis
    frames = {"sites": result.sites, "targets": result.targets, "capacity_density_used": result.densities,
              **dict(sorted(result.tables.items()))}
    clash = sorted(set(frames) & set(result.geo))
    if clash:
        raise RuntimeError(f"geo layer(s) {clash} share a name with a table")
    frames.update(sorted(result.geo.items()))
    run_id = spec.run_id or wf.prefix
    where = {"target": spec.display, "schema": spec.db_schema, "run_id": run_id}
    summary = {"sites": len(result.sites), "targets": result.targets.set_index("target_id")["status"].to_dict(),
               "layers": {k: r.summary() for k, r in sorted(result.layers.reports.items())},
               "simplifications": list(result.notes), "postgis": where}
    manifest = build_manifest(workflow_path=wf.path, workflow=wf.spec.model_dump(), inputs=inputs, outputs=[],
                              summary=summary)
    return {**where, "rows": write_run(spec, run_id, wf.id, frames, manifest)}


def gpkg_layers(result: PlanResult) -> list[GpkgLayer]:
    """Return the GeoPackage layers a plan run writes, one geometry type each, in the atlas' order.

    ``<prefix>_sites.gpkg``: candidate sites; ``<prefix>_layers.gpkg``: the engines' geo layers;
    ``<prefix>_input_layers.gpkg``: the validated input layers in the analysis CRS (so the QGIS project
    beside them opens them styled without touching the inputs). A layer mixing geometry types is split
    by :func:`binhai_geo.io.split_by_geometry`: polygons keep the name, lines go to ``<stem>_lines``.
    """
    prefix = result.workflow.prefix
    out: list[GpkgLayer] = []
    for kind in region_layers(result.layers.layers):
        for name, part in split_by_geometry(kind, result.layers.layers[kind]).items():
            out.append(GpkgLayer(f"{prefix}_input_layers.gpkg", name, kind, part, region=True))
    for name, part in split_by_geometry("sites", result.sites).items():
        out.append(GpkgLayer(f"{prefix}_sites.gpkg", name, "sites", part))
    geo = result.geo
    for src in [n for n in GEO_LAYERS if n in geo] + sorted(n for n in geo if n not in GEO_LAYERS):
        for name, part in split_by_geometry(src, geo[src]).items():
            out.append(GpkgLayer(f"{prefix}_layers.gpkg", name, src, part))
    return out


def _sites_csv(sites: gpd.GeoDataFrame, gpkg: list[GpkgLayer]) -> pd.DataFrame:
    """Return the sites table without geometry, with ``gpkg_layer``: the layer of ``_sites.gpkg`` holding each."""
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    where = pd.Series("", index=range(len(sites)), dtype=object)
    pos = pd.Series(range(len(sites)), index=sites.index)
    for g in gpkg:
        if g.source == "sites":
            rows = pos.loc[g.gdf.index].to_numpy()
            where.iloc[rows] = [f"{w};{g.layer}" if w else g.layer for w in where.iloc[rows]]
    table["gpkg_layer"] = where.to_numpy()
    return table


def write_plan(result: PlanResult, out_dir: Path, step: Callable[[str], None] = lambda s: None) -> dict[str, Path]:
    """Write a computed plan's deliverables to ``out_dir`` as one set; return them by role.

    Every file is staged first and moved into ``out_dir`` together at the end
    (:func:`binhai_geo.atomic.output_set`): a failure, SIGINT or SIGTERM leaves the previous run's set as it
    was; outputs of the previous run (from its manifest) that this run does not write again are removed.
    An output that would overwrite an input of the run is refused.
    """
    wf = result.workflow
    prefix = wf.prefix
    step("map")
    from binhai_geo.deliverables.build import build_deliverables
    from binhai_geo.deliverables.tables import targets_for_csv

    # Atlas, print maps and report, rendered before anything is written (see binhai_geo.deliverables).
    listed = [f"{prefix}{s}" for s in ("_sites.gpkg", "_sites.csv", "_targets.csv",
                                       "_capacity_density_used.csv", "_manifest.json")]
    listed += [f"{prefix}_{name}.csv" for name in sorted(result.tables)] + ([f"{prefix}_layers.gpkg"] if result.geo
                                                                            else [])
    gpkg = gpkg_layers(result)
    listed += [f"{prefix}_input_layers.gpkg", f"{prefix}.qgz"]
    inputs = _inputs(result)
    deliverables = build_deliverables(result, inputs=inputs, listed=listed)
    qgis = build_qgis(gpkg, map_crs=wf.region.spec.map_crs, name=prefix,
                      title=f"{wf.spec.workflow.title_zh} {wf.spec.workflow.title}")
    step("write")
    # PostGIS first, in one transaction: a refused or failed write leaves no file changed either
    postgis = _write_postgis(result, inputs) if wf.spec.outputs.postgis is not None else None
    with output_set(out_dir, replaces=previous_outputs(out_dir / f"{prefix}_manifest.json")) as staged:
        refuse_input(staged.final_dir / f"{prefix}_manifest.json", inputs)
        out = _write_files(result, deliverables, staged.stage, prefix, targets_for_csv(result.targets), gpkg,
                           qgis)
        for path in out.values():
            refuse_input(staged.final(path), inputs)
        summary = {
            "sites": len(result.sites),
            "candidate_capacity_mw": result.sites.groupby("technology")["capacity_mw"].sum().round(1).to_dict(),
            "targets": result.targets.set_index("target_id")["status"].to_dict(),
            "data_status": result.tables["data_status"].to_dict("records") if "data_status" in result.tables else [],
            "layers": {k: r.summary() for k, r in sorted(result.layers.reports.items())},
            "simplifications": list(result.notes),
            "deliverables": {"messages": deliverables.messages, "font": deliverables.font},
        }
        if postgis is not None:
            summary["postgis"] = postgis
        manifest = build_manifest(
            workflow_path=wf.path,
            workflow=wf.spec.model_dump(),
            inputs=inputs,
            outputs=out.values(),
            summary=summary,
            shown_as=staged.final,
        )
        out["manifest"] = write_text_atomic(staged.stage / f"{prefix}_manifest.json", manifest)
        out = {role: staged.final(p) for role, p in out.items()}
    return out


def _refuse_overwriting_declared_inputs(wf: Workflow, target_dir: Path) -> None:
    """Refuse a run whose fixed output names would replace a file the workflow names as input."""
    files = [s.path for s in wf.spec.layers.values() if hasattr(s, "path")]  # PostGIS sources have no path
    declared = [wf.path, wf.region.path, wf.targets_path, *(wf.resolve(p) for p in files)]
    if wf.spec.land_survey is not None:
        declared.append(wf.resolve(wf.spec.land_survey.path))
    for suffix in ("_sites.gpkg", "_sites.csv", "_targets.csv", "_capacity_density_used.csv", "_manifest.json",
                   "_layers.gpkg", "_input_layers.gpkg", ".qgz"):
        refuse_input(target_dir / f"{wf.prefix}{suffix}", declared)


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
    _refuse_overwriting_declared_inputs(wf, target_dir)  # before the long computation; re-checked on writing
    if wf.spec.outputs.postgis is not None:  # refuse early: server down, no privilege (see write_plan)
        from binhai_geo.postgis.write import check_target

        check_target(wf.spec.outputs.postgis)
    result = compute_plan(wf, step, scheduler=scheduler)
    result.outputs = write_plan(result, target_dir, step)
    return result
