"""The plan step of the cluster engine: the work of a plan that runs on the chosen scheduler.

Two pieces of a plan can be far larger than a district and run as dask tasks (see
:mod:`binhai_geo.cluster.rooftops` and :mod:`binhai_geo.cluster.tiles`):

- ``[cluster] rooftop_partitions``: rooftop PV of a partitioned footprint layer (tens of millions of
  buildings), summed per sub-district (table ``rooftop_programme``);
- ``[cluster] eligibility_grid = true``: the eligibility grid of the area (land and sea layers) per
  technology at ``[eligibility] resolution_m``, tile by tile (table ``eligibility_grid``: area per reason).

Results do not depend on the scheduler: the same workflow gives identical tables with ``sync`` and on a
``dask.distributed`` cluster (a test).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import shapely

from binhai_geo.cluster.scheduler import Executor, open_scheduler
from binhai_geo.config import Workflow
from binhai_geo.errors import WorkflowError
from binhai_geo.layers import LayerSet
from binhai_geo.notes import Note
from binhai_geo.steps import StepResult


def rooftop_inputs(workflow: Workflow, layers: LayerSet) -> tuple[object, list]:
    """Build the shared inputs of the rooftop tasks from the workflow's ``[solar]`` table.

    Returns
    -------
    (RooftopInputs, list of pathlib.Path)
        The inputs and the files they were read from.
    """
    from binhai_geo.cluster.rooftops import RooftopInputs
    from binhai_geo.solar.plan import solar_tables

    spec = workflow.spec.solar
    archetypes, fractions, files = solar_tables(workflow)
    flat, pitched = spec.roof_archetypes()
    weather = "default" if spec.weather == "default" else str(workflow.resolve(spec.weather))
    return RooftopInputs(archetypes, fractions, flat=flat, pitched=pitched, weather=weather,
                         weather_year=spec.weather_year, weather_seed=spec.weather_seed,
                         cell_deg=spec.weather_cell_deg, subdistricts=layers.layers.get("subdistrict")), files


def grid_area(layers: LayerSet) -> shapely.Geometry:
    """Return the area an eligibility grid covers: the union of the land, sea_area and boundary layers.

    Raises
    ------
    WorkflowError
        When the workflow has none of these layers.
    """
    lay = layers.layers
    parts = [lay[k].union_all() for k in ("land", "sea_area", "boundary") if k in lay and len(lay[k])]
    if not parts:
        raise WorkflowError("an eligibility grid needs a land, sea_area or boundary layer", field="cluster",
                            hint="add the region's land and sea layers, or set eligibility_grid = false")
    return shapely.union_all(parts)


def technology_grid(workflow: Workflow, layers: LayerSet, technology: str, area: shapely.Geometry,
                    executor: Executor, *, resolution_m: float | None = None, tile_cells: int | None = None,
                    on_done: Callable[[int], None] = lambda n: None) -> object:
    """Compute the tiled eligibility grid of one technology over ``area`` (an ``ExclusionGrid``).

    ``resolution_m`` and ``tile_cells`` default to ``[eligibility] resolution_m`` and ``[cluster] tile_cells``.
    """
    from binhai_geo.cluster.tiles import rasterize_tiled
    from binhai_geo.siting.rules import build_container

    spec = workflow.spec.eligibility
    if resolution_m is not None:
        spec = spec.model_copy(update={"resolution_m": resolution_m})
    box = build_container(spec, layers.layers, technology, crs=layers.crs, resolve=workflow.resolve)
    return rasterize_tiled(box, area.bounds, within=area, tile_cells=tile_cells or workflow.spec.cluster.tile_cells,
                           executor=executor, on_done=on_done)


def eligibility_grid(workflow: Workflow, layers: LayerSet, executor: Executor,
                     on_done: Callable[[int], None] = lambda n: None) -> pd.DataFrame:
    """Area per exclusion reason of the whole area (land and sea layers), per technology [km2]."""
    area = grid_area(layers)
    rows = []
    for tech in ("pv", "wind"):
        grid = technology_grid(workflow, layers, tech, area, executor, on_done=on_done)
        rows.append(grid.area_by_reason().assign(technology=tech, resolution_m=grid.res_m))
    out = pd.concat(rows, ignore_index=True)
    return out[["technology", "resolution_m", "code", "reason", "reason_zh", "area_km2"]]


def cluster_step(workflow: Workflow, layers: LayerSet, scheduler: str | None = None) -> StepResult:
    """Run the cluster-declared work of a plan on ``scheduler`` (default: the workflow's ``[cluster]``).

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow.
    layers : LayerSet
        The validated layers.
    scheduler : str, optional
        ``sync``, ``threads``, ``processes`` or a scheduler address; overrides ``[cluster] scheduler``.

    Returns
    -------
    StepResult
        Tables ``rooftop_programme`` and ``eligibility_grid`` when declared; nothing otherwise.
    """
    spec = workflow.spec.cluster
    if spec.rooftop_partitions is None and not spec.eligibility_grid:
        return StepResult()
    from binhai_geo.cluster.rooftops import run_rooftops

    res = StepResult()
    name = scheduler or spec.scheduler
    with open_scheduler(name, timeout_s=spec.timeout_s) as ex:
        if spec.rooftop_partitions is not None:
            src = workflow.resolve(spec.rooftop_partitions)
            inputs, files = rooftop_inputs(workflow, layers)
            run = run_rooftops(src, None, inputs, executor=ex)
            res.tables["rooftop_programme"] = run.summary
            res.inputs.extend([*files, src])
            res.notes.append(Note("cluster.rooftops", {
                "n_buildings": run.footprints, "n_partitions": run.partitions,
                "capacity_mw": float(run.summary["capacity_mw"].iloc[-1]),
                "energy_mwh_per_yr": float(run.summary["energy_mwh_per_yr"].iloc[-1]), "scheduler": name,
                "n_workers": ex.workers}))
        if spec.eligibility_grid:
            res.tables["eligibility_grid"] = eligibility_grid(workflow, layers, ex)
            res.notes.append(Note("cluster.eligibility_grid", {"resolution_m": workflow.spec.eligibility.resolution_m,
                                                               "scheduler": name}))
    return res
