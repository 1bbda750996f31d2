"""The workflow runner: computes a planning run and writes its output set.

:func:`compute_plan` only calls the domain steps, in the one direction data flows:
layers -> sites (siting) -> indicators (coverage, capacity) -> targets -> conformance.
:func:`write_outputs` writes the computed plan with its rendered deliverables as one set (staged, then moved
into place together), so a failing or interrupted run leaves the previous run's files as they were. The
deliverables sit above the runner: :mod:`binhai_geo.pipeline` composes compute -> render -> write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd

from binhai_geo.accounting.capacity import capacity_indicators
from binhai_geo.accounting.conformance import conformance_step
from binhai_geo.accounting.plan import data_status, ledger_step, mark_indicative, official_indicators, wake_neighbours
from binhai_geo.atomic import check_writable_dir, output_set, refuse_input, write_text_atomic, write_with
from binhai_geo.config import Workflow
from binhai_geo.errors import WorkflowError
from binhai_geo.factors import load_capacity_density, packaged_table
from binhai_geo.io import write_csv, write_gpkg_layers
from binhai_geo.landclasses import PACKAGED_MAPPING
from binhai_geo.layers import load_layers
from binhai_geo.manifest import build_manifest
from binhai_geo.notes import Note
from binhai_geo.result import SIMPLIFICATIONS, PlanResult
from binhai_geo.siting.sites import build_sites, densities_used
from binhai_geo.solar.densities import workflow_pv_densities
from binhai_geo.steps import StepResult
from binhai_geo.targets import check_targets, load_targets

#: Steps of a plan run, for progress display.
PLAN_STEPS = ("workflow", "layers", "sites", "eligibility", "solar", "wind", "economics", "sinks", "cluster",
              "indicators", "conformance", "map", "write")


class _Collector:
    """Merges the :class:`~binhai_geo.steps.StepResult` of each engine step, in order."""

    def __init__(self, sites: gpd.GeoDataFrame) -> None:
        self.sites = sites
        self.indicators: list = []
        self.tables: dict[str, pd.DataFrame] = {}
        self.geo: dict[str, gpd.GeoDataFrame] = {}
        self.notes: list[Note] = list(SIMPLIFICATIONS)
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


def target_value(workflow: Workflow, target_id: str, unit: str) -> float | None:
    """Return a target's value in ``unit`` from the workflow's targets file (None when absent or in another unit).

    Only for quoting in an engine's notes: the engines do not read the targets. A bad targets file gives None
    here; the targets step reports it.
    """
    try:
        t = load_targets(workflow.targets_path).set_index("target_id")
    except WorkflowError:
        return None
    if target_id in t.index and t.loc[target_id, "unit"] == unit:
        return float(t.loc[target_id, "value"])
    return None


def target_years(workflow: Workflow, target_ids: tuple[str, ...]) -> dict[str, int]:
    """Return the years of the given targets from the workflow's targets file (those with a year given).

    For an engine that reports a figure for a target's year (the sinks step: forest cover); the engines do not
    read the targets. A bad targets file gives none here; the targets step reports it.
    """
    try:
        t = load_targets(workflow.targets_path).set_index("target_id")
    except WorkflowError:
        return {}
    return {tid: int(t.loc[tid, "year"]) for tid in target_ids
            if tid in t.index and str(t.loc[tid, "year"]).isdigit()}


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
        derived=workflow_pv_densities(workflow),  # the PV rows: the archetypes' densities (their one source)
    )
    step("sites")
    s = workflow.spec.siting
    sites = build_sites(layers.layers, densities, pv_surfaces=s.pv_surfaces, wind_surfaces=s.wind_surfaces,
                        offshore_both_as=s.offshore_both_as)
    # the engines import pvlib, PyWake, rasterio, dask: only when a plan runs
    from binhai_geo.cluster.plan import cluster_step
    from binhai_geo.sinks.plan import sinks_step
    from binhai_geo.siting.plan import economics_step, eligibility_step
    from binhai_geo.solar.plan import solar_step
    from binhai_geo.wind.plan import wind_step

    target_file = load_targets(workflow.targets_path)
    years = dict(zip(target_file["target_id"], pd.to_numeric(target_file["year"], errors="coerce")
                     .fillna(workflow.spec.workflow.year).astype(int), strict=True))
    # the ledger first: its standing wind farms share the wind step's wake run (the runner passes the data)
    ledger, ledger_tables, registry_files = ledger_step(workflow, layers.layers,
                                                        years.get("pv_capacity", workflow.spec.workflow.year))
    steps = _Collector(sites)
    for name, run in (
        ("eligibility", lambda: eligibility_step(workflow, layers, steps.sites)),
        ("solar", lambda: solar_step(workflow, layers, steps.sites,
                                     pv_target_mw=target_value(workflow, "pv_capacity", "MW"))),
        ("wind", lambda: wind_step(workflow, layers, steps.sites, existing=wake_neighbours(ledger))),
        ("economics", lambda: economics_step(workflow, layers, steps.sites)),
        ("sinks", lambda: sinks_step(workflow, layers,
                                     target_years(workflow, ("forest_cover", "forest_cover_2030")))),
        ("cluster", lambda: cluster_step(workflow, layers, scheduler)),
    ):
        step(name)
        steps.add(name, run())
    step("indicators")
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


def plan_inputs(result: PlanResult) -> list[Path]:
    """Return every file a computed plan read (workflow, region, targets, layers, tables), for the manifest."""
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


class RenderedOutputs(Protocol):
    """What the deliverables hand back to be written with the plan's tables (``deliverables.build.Deliverables``).

    The runner writes them inside its output set without knowing how they were rendered.
    """

    messages: list[str]
    font: str | None
    notes: list[str]  # the run's notes rendered (written as the manifest's "simplifications")

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write every file into ``out_dir``; return the paths by role."""
        ...


class RenderedQgis(Protocol):
    """The QGIS side of the deliverables (``deliverables.qgis_project.QgisPackage``): styles and the project."""

    project: bytes

    def aliases_of(self, file: str) -> Any:
        """Field aliases of the layers of one GeoPackage."""
        ...

    def styles_of(self, file: str) -> Any:
        """Layer styles of one GeoPackage."""
        ...


def _sites_csv(sites: gpd.GeoDataFrame, gpkg: list[Any]) -> pd.DataFrame:
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


def _write_files(result: PlanResult, deliverables: RenderedOutputs, folder: Path, prefix: str,
                 targets_table: pd.DataFrame, gpkg: list[Any], qgis: RenderedQgis) -> dict[str, Path]:
    """Write the plan's tables, layers, QGIS project and deliverables into ``folder``; return them by role."""
    out: dict[str, Path] = {}
    for role, file in (("sites_gpkg", f"{prefix}_sites.gpkg"), ("layers_gpkg", f"{prefix}_layers.gpkg"),
                       ("input_layers_gpkg", f"{prefix}_input_layers.gpkg")):
        layers = {g.layer: g.gdf for g in gpkg if g.file == file}
        if layers or role == "sites_gpkg":
            out[role] = write_gpkg_layers(layers, folder / file, aliases=qgis.aliases_of(file),
                                          styles=qgis.styles_of(file))
    out["qgis_project"] = write_with(folder / f"{prefix}.qgz", lambda tmp: tmp.write_bytes(qgis.project))
    out["sites_csv"] = write_csv(_sites_csv(result.sites, gpkg), folder / f"{prefix}_sites.csv")
    out["targets_csv"] = write_csv(targets_table, folder / f"{prefix}_targets.csv")
    out["densities_csv"] = write_csv(result.densities, folder / f"{prefix}_capacity_density_used.csv")
    for name, table in sorted(result.tables.items()):
        out[f"{name}_csv"] = write_csv(table, folder / f"{prefix}_{name}.csv")
    out.update(deliverables.write(folder))
    return out


def previous_outputs(manifest: Path) -> list[Path]:
    """Return the outputs listed in a previous run's manifest (none when it is missing or unreadable)."""
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        return [Path(f["path"]) for f in doc.get("outputs", []) if isinstance(f, dict) and "path" in f]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def _write_postgis(result: PlanResult, inputs: list[Path], notes: list[str]) -> dict:
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
               "simplifications": list(notes), "postgis": where}
    manifest = build_manifest(workflow_path=wf.path, workflow=wf.spec.model_dump(), inputs=inputs, outputs=[],
                              summary=summary)
    return {**where, "rows": write_run(spec, run_id, wf.id, frames, manifest)}


def listed_outputs(result: PlanResult) -> list[str]:
    """Return the names of the tables and layers a plan writes beside its deliverables (the report lists them)."""
    prefix = result.workflow.prefix
    listed = [f"{prefix}{s}" for s in ("_sites.gpkg", "_sites.csv", "_targets.csv",
                                       "_capacity_density_used.csv", "_manifest.json")]
    listed += [f"{prefix}_{name}.csv" for name in sorted(result.tables)] + ([f"{prefix}_layers.gpkg"] if result.geo
                                                                            else [])
    listed += [f"{prefix}_input_layers.gpkg", f"{prefix}.qgz"]
    return listed


def write_outputs(result: PlanResult, out_dir: Path, deliverables: RenderedOutputs, *, inputs: list[Path],
                  targets_table: pd.DataFrame, gpkg: list[Any], qgis: RenderedQgis,
                  step: Callable[[str], None] = lambda s: None) -> dict[str, Path]:
    """Write a computed plan and its rendered deliverables to ``out_dir`` as one set; return them by role.

    Every file is staged first and moved into ``out_dir`` together at the end
    (:func:`binhai_geo.atomic.output_set`): a failure, SIGINT or SIGTERM leaves the previous run's set as it
    was; outputs of the previous run (from its manifest) that this run does not write again are removed.
    An output that would overwrite an input of the run is refused. The deliverables are rendered before
    (:func:`binhai_geo.pipeline.write_plan` composes both).

    Parameters
    ----------
    result : PlanResult
        The computed plan.
    out_dir : pathlib.Path
        The output folder.
    deliverables : RenderedOutputs
        The rendered atlas, print maps and report (:func:`binhai_geo.deliverables.build.build_deliverables`).
    inputs : list of pathlib.Path
        The run's input files (:func:`plan_inputs`): listed in the manifest, never overwritten.
    targets_table : pandas.DataFrame
        The targets as written to ``<prefix>_targets.csv`` (:func:`binhai_geo.deliverables.tables.targets_for_csv`).
    gpkg : list of binhai_geo.deliverables.qgis_project.GpkgLayer
        The GeoPackage layers, one geometry type each (:func:`binhai_geo.pipeline.gpkg_layers`).
    qgis : RenderedQgis
        Their styles and aliases and the ``.qgz`` project (:func:`binhai_geo.deliverables.qgis_project.build_qgis`).
    step : callable
        Progress callback, called with ``"write"``.
    """
    wf = result.workflow
    prefix = wf.prefix
    step("write")
    # PostGIS first, in one transaction: a refused or failed write leaves no file changed either
    postgis = _write_postgis(result, inputs, deliverables.notes) if wf.spec.outputs.postgis is not None else None
    with output_set(out_dir, replaces=previous_outputs(out_dir / f"{prefix}_manifest.json")) as staged:
        refuse_input(staged.final_dir / f"{prefix}_manifest.json", inputs)
        out = _write_files(result, deliverables, staged.stage, prefix, targets_table, gpkg,
                           qgis)
        for path in out.values():
            refuse_input(staged.final(path), inputs)
        summary = {
            "sites": len(result.sites),
            "candidate_capacity_mw": result.sites.groupby("technology")["capacity_mw"].sum().round(1).to_dict(),
            "targets": result.targets.set_index("target_id")["status"].to_dict(),
            "data_status": result.tables["data_status"].to_dict("records") if "data_status" in result.tables else [],
            "layers": {k: r.summary() for k, r in sorted(result.layers.reports.items())},
            "simplifications": list(deliverables.notes),
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


def prepare_out_dir(wf: Workflow, out_dir: str | Path | None = None) -> Path:
    """Check a run's output folder before the long computation; return it.

    The folder must be writable, no fixed output name may replace a file the workflow names as input
    (re-checked on writing), and a ``[outputs] postgis`` target must accept the run (server up, privileges).

    Parameters
    ----------
    wf : Workflow
        The loaded workflow.
    out_dir : path-like, optional
        Output folder; default: the workflow's ``[outputs] dir``.
    """
    target_dir = check_writable_dir(Path(out_dir) if out_dir is not None else wf.out_dir)
    _refuse_overwriting_declared_inputs(wf, target_dir)
    if wf.spec.outputs.postgis is not None:  # refuse early: server down, no privilege (see write_outputs)
        from binhai_geo.postgis.write import check_target  # psycopg loads only when the workflow writes to PostGIS

        check_target(wf.spec.outputs.postgis)
    return target_dir
