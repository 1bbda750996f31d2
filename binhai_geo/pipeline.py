"""One planning run end to end: compute, render the deliverables, write the output set.

The composition sits above both the runner (which computes and writes) and the deliverables (which
render): :func:`run_plan` loads the workflow and checks the output folder, :func:`binhai_geo.runner.compute_plan`
computes everything in memory, :func:`binhai_geo.deliverables.build.build_deliverables` renders the atlas,
print maps and report, and :func:`binhai_geo.runner.write_outputs` writes them all as one staged set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from binhai_geo.config import load_workflow
from binhai_geo.deliverables.build import build_deliverables
from binhai_geo.deliverables.qgis_project import GpkgLayer, build_qgis, region_layers
from binhai_geo.deliverables.registry import GEO_LAYERS
from binhai_geo.deliverables.tables import targets_for_csv
from binhai_geo.io import split_by_geometry
from binhai_geo.result import PlanResult
from binhai_geo.runner import compute_plan, listed_outputs, plan_inputs, prepare_out_dir, write_outputs


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


def write_plan(result: PlanResult, out_dir: Path, step: Callable[[str], None] = lambda s: None) -> dict[str, Path]:
    """Render a computed plan's deliverables and write everything to ``out_dir`` as one set; return it by role.

    Nothing is written until the atlas, print maps and report are rendered; then the set is staged and moved
    into place together (:func:`binhai_geo.runner.write_outputs`): a failure, SIGINT or SIGTERM leaves the
    previous run's set as it was. An output that would overwrite an input of the run is refused.

    Parameters
    ----------
    result : PlanResult
        The computed plan (:func:`binhai_geo.runner.compute_plan`).
    out_dir : pathlib.Path
        The output folder.
    step : callable
        Progress callback, called with ``"map"`` and ``"write"``.
    """
    step("map")
    wf = result.workflow
    gpkg = gpkg_layers(result)
    inputs = plan_inputs(result)
    deliverables = build_deliverables(result, inputs=inputs, listed=listed_outputs(result))
    qgis = build_qgis(gpkg, map_crs=wf.region.spec.map_crs, name=wf.prefix,
                      title=f"{wf.spec.workflow.title_zh} {wf.spec.workflow.title}")
    return write_outputs(result, out_dir, deliverables, inputs=inputs, targets_table=targets_for_csv(result.targets),
                         gpkg=gpkg, qgis=qgis, step=step)


def run_plan(
    workflow_path: str | Path,
    *,
    out_dir: str | Path | None = None,
    step: Callable[[str], None] = lambda s: None,
    scheduler: str | None = None,
) -> PlanResult:
    """Run a workflow end to end: load, compute, render, write.

    Parameters
    ----------
    workflow_path : path-like
        The workflow TOML file.
    out_dir : path-like, optional
        Output folder; default: the workflow's ``[outputs] dir``.
    step : callable
        Progress callback, called with each step name of :data:`binhai_geo.runner.PLAN_STEPS`.
    scheduler : str, optional
        Overrides the workflow's ``[cluster] scheduler`` (see :func:`binhai_geo.runner.compute_plan`).

    Returns
    -------
    PlanResult
        With ``outputs`` filled.

    Raises
    ------
    BinhaiGeoError
        Bad workflow, layers or tables; an output folder that is not writable or whose outputs would
        replace an input (checked before the long computation, and again on writing).
    """
    step("workflow")
    wf = load_workflow(workflow_path)
    target_dir = prepare_out_dir(wf, out_dir)
    result = compute_plan(wf, step, scheduler=scheduler)
    result.outputs = write_plan(result, target_dir, step)
    return result
