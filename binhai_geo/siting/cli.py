"""Commands of the siting engine (site).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def site(
    workflow: Annotated[Path, typer.Argument(help="Workflow TOML file.", show_default=False)],
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Output folder (default: the workflow's [outputs] dir).")
    ] = None,
) -> None:
    """Eligible areas, supply curve and plan conformance of a workflow (选址、供给曲线与规划符合性).

    Runs the plan (binhai_geo.runner.compute_plan) and writes <prefix>_eligible_areas.gpkg (layers
    eligible_areas and excluded_areas), <prefix>_supply_curve.csv and .png, <prefix>_conformance.csv and
    <prefix>_exclusion_summary.csv. Everything is computed before anything is written.
    """
    from rich.markup import escape

    from binhai_geo.cliutil import err_console, fail, make_progress, out_console

    try:
        from binhai_geo.atomic import check_writable_dir, write_with
        from binhai_geo.config import load_workflow
        from binhai_geo.deliverables.notes import render_all
        from binhai_geo.deliverables.supplycurve import plot_supply_curve
        from binhai_geo.io import split_by_geometry, write_csv, write_gpkg_layers
        from binhai_geo.runner import PLAN_STEPS, compute_plan

        wf = load_workflow(workflow)
        target = check_writable_dir(out_dir if out_dir is not None else wf.out_dir)
        with make_progress() as progress:
            task = progress.add_task("site", total=len(PLAN_STEPS))

            def step(name: str) -> None:
                if name in PLAN_STEPS:
                    progress.update(task, description=f"site: {name}", completed=PLAN_STEPS.index(name))

            result = compute_plan(wf, step)
        curve = result.tables["supply_curve"]
        font_file = wf.resolve(wf.spec.deliverables.font_file) if wf.spec.deliverables.font_file else None
        png = plot_supply_curve(curve, title=f"{wf.spec.workflow.title_zh} 供给曲线 / Supply curve",
                                font_file=font_file) if wf.spec.eligibility.chart else None
        p = wf.prefix
        written = [
            write_gpkg_layers({n: g for src in ("eligible_areas", "excluded_areas")
                               for n, g in split_by_geometry(src, result.geo[src]).items()},
                              target / f"{p}_eligible_areas.gpkg"),
            write_csv(curve, target / f"{p}_supply_curve.csv"),
            write_csv(result.tables["conformance"], target / f"{p}_conformance.csv"),
            write_csv(result.tables["exclusion_summary"], target / f"{p}_exclusion_summary.csv"),
        ]
        if png is not None:
            written.append(write_with(target / f"{p}_supply_curve.png", lambda tmp: tmp.write_bytes(png)))
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    sites = result.sites
    by_tech = sites.groupby("technology")["capacity_mw"].sum()
    out_console.print("eligible capacity 可开发装机: " + ", ".join(f"{t} {mw:,.0f} MW" for t, mw in by_tech.items()),
                      highlight=False)
    conf = result.tables["conformance"]
    for r in conf[conf["area"] == "district"].itertuples(index=False):
        gap = "–" if r.gap_mw != r.gap_mw else f"{r.gap_mw:,.0f} MW"
        out_console.print(f"  {r.target_id}: gap {gap}; {r.status} ({r.status_zh})", highlight=False)
    for note in render_all(result.notes):
        if "ligib" in note or "LCOE" in note or "onformance" in note:
            err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    for path in written:
        out_console.print(f"  wrote {path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
    app.command("site")(site)
