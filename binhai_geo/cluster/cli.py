"""Commands of the cluster engine (partition, rooftops, eligibility).

Thin typer commands over :mod:`binhai_geo.cluster`; every one takes ``--scheduler`` (sync, threads,
processes or a dask scheduler address). Errors go through :func:`binhai_geo.cliutil.fail`; nothing is
written on error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from binhai_geo.cliutil import SchedulerOption


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
    app.command("partition")(partition)
    app.command("rooftops")(rooftops)
    app.command("eligibility")(eligibility)


def _bar(progress, what: str):  # noqa: ANN001, ANN202 - rich Progress and its callback
    tasks: dict[str, int] = {}

    def on_done(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"{what}: {stage}", total=total)
        progress.update(tasks[stage], completed=done)

    return on_done


def partition(
    src: Annotated[Path, typer.Argument(help="Vector file: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, "
                                        "GeoParquet or OSM PBF.", show_default=False)],
    out_dir: Annotated[Path, typer.Argument(help="Folder of GeoParquet partitions to write.", show_default=False)],
    layer: Annotated[str | None, typer.Option("--layer", help="Layer inside the file (OSM: multipolygons).")] = None,
    rows: Annotated[int, typer.Option("--rows-per-partition", min=1, help="Features per partition.")] = 250_000,
    where: Annotated[str | None, typer.Option("--where", help="Attribute filter, e.g. \"building IS NOT NULL\".")]
    = None,
) -> None:
    """Convert a large layer into Hilbert-ordered GeoParquet partitions (大数据分区)."""
    from binhai_geo.cliutil import fail, out_console

    if out_dir.resolve() == src.resolve():
        from binhai_geo.cliutil import bad_parameter

        bad_parameter("OUT_DIR must not be the input file")
    try:
        from binhai_geo.cluster.partitions import write_partitions

        files = write_partitions(src, out_dir, layer=layer, rows_per_partition=rows, where=where)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    out_console.print(f"wrote {len(files)} partition(s) to {out_dir}", highlight=False)


def rooftops(
    src: Annotated[Path, typer.Argument(help="Folder of rooftop partitions (binhai-geo partition) or one "
                                        "rooftop layer file.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for per-building results and "
                                      "summary_by_subdistrict.csv.")],
    workflow: Annotated[Path | None, typer.Option("--workflow", help="Workflow whose [solar] table (weather, "
                                                  "archetypes) and sub-districts are used.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Layer inside a multi-layer file.")] = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Rooftop PV of very many buildings, partition by partition (屋顶光伏普查：分区并行).

    Usable roof area by building class, kWp and annual MWh for every building; the sum per sub-district
    is the same whatever the partitioning and the scheduler.
    """
    from binhai_geo.cliutil import err_console, fail, make_progress, out_console

    try:
        from binhai_geo.cluster.rooftops import RooftopInputs, run_rooftops
        from binhai_geo.cluster.scheduler import open_scheduler

        timeout = 5.0
        if workflow is not None:
            from binhai_geo.cluster.plan import rooftop_inputs
            from binhai_geo.config import load_workflow
            from binhai_geo.layers import load_layers

            wf = load_workflow(workflow)
            inputs, _ = rooftop_inputs(wf, load_layers(wf))
            scheduler = scheduler or wf.spec.cluster.scheduler
            timeout = wf.spec.cluster.timeout_s
        else:
            from binhai_geo.solar.archetypes import load_archetypes
            from binhai_geo.solar.rooftops import load_rooftop_fractions

            inputs = RooftopInputs(load_archetypes(), load_rooftop_fractions())
        inputs.layer = layer
        with open_scheduler(scheduler or "sync", timeout_s=timeout) as ex, make_progress() as progress:
            run = run_rooftops(src, out, inputs, executor=ex, on_done=_bar(progress, "rooftops"))
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    total = run.summary.iloc[-1]
    out_console.print(f"{run.footprints:,} buildings in {run.partitions} partition(s): "
                      f"{total['capacity_mw']:,.1f} MWp, "
                      f"{total['energy_mwh_per_yr']:,.0f} MWh/yr ({total['specific_yield_kwh_per_kwp']:,.0f} kWh/kWp); "
                      f"wrote {out}", highlight=False)
    if inputs.weather == "default":
        err_console.print("note: default weather is a stand-in year built from Tanggu climate normals, not measured "
                          "data (替代气象年，非实测数据)", highlight=False)


def eligibility(
    workflow: Annotated[Path, typer.Argument(help="Workflow file (its [eligibility] rules).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="GeoTIFF of reason codes (0 eligible, 255 outside); a CSV of "
                                      "area by reason is written beside it.")],
    technology: Annotated[str, typer.Option("--technology", help="pv or wind.")] = "pv",
    resolution: Annotated[float | None, typer.Option("--resolution", min=0.1, help="Cell size [m] (default: "
                                                     "[eligibility] resolution_m).")] = None,
    tile_cells: Annotated[int | None, typer.Option("--tile-cells", min=16, help="Tile edge [cells] (default: "
                                                   "[cluster] tile_cells).")] = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Eligibility grid of the whole area, tile by tile (可开发性栅格，分块并行)."""
    from binhai_geo.cliutil import bad_parameter, fail, make_progress, out_console

    if technology not in ("pv", "wind"):
        bad_parameter(f"--technology '{technology}' must be pv or wind")
    if out.suffix.lower() not in (".tif", ".tiff"):
        bad_parameter(f"--out '{out}' must end in .tif")
    try:
        from binhai_geo.cluster.plan import grid_area, technology_grid
        from binhai_geo.cluster.scheduler import open_scheduler
        from binhai_geo.cluster.tiles import write_grid
        from binhai_geo.config import load_workflow
        from binhai_geo.layers import load_layers

        wf = load_workflow(workflow)
        layers = load_layers(wf)
        area = grid_area(layers)
        with open_scheduler(scheduler or wf.spec.cluster.scheduler, timeout_s=wf.spec.cluster.timeout_s) as ex, \
                make_progress() as progress:
            task = progress.add_task("eligibility: tiles")
            grid = technology_grid(wf, layers, technology, area, ex, resolution_m=resolution, tile_cells=tile_cells,
                                   on_done=lambda n: progress.update(task, completed=n))
        table = grid.area_by_reason().assign(technology=technology, resolution_m=grid.res_m)
        write_grid(grid, out, table)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    eligible = float(table.loc[table["code"] == 0, "area_km2"].sum())
    out_console.print(f"{technology}: {eligible:,.1f} km2 eligible of {table['area_km2'].sum():,.1f} km2 at "
                      f"{grid.res_m:g} m; wrote {out} and {out.with_suffix('.csv')}", highlight=False)
