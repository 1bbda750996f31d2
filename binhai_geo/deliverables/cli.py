"""Commands of the deliverables engine (map, report).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
Each command runs the plan in memory (:func:`binhai_geo.runner.compute_plan`), renders its
deliverable completely, and only then writes it (atomically), so a failing run writes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from binhai_geo.cliutil import EXIT_BAD_INPUT, err_console, fail, make_progress, out_console

WorkflowArg = Annotated[
    Path, typer.Argument(help="Workflow file (TOML), e.g. workflows/binhai_2025.toml.", show_default=False)
]
OutDirOpt = Annotated[
    Path | None, typer.Option("--out-dir", help="Output folder (default: the workflow's [outputs] dir).")
]


def _run(workflow: Path, out_dir: Path | None, parts: list[str], what: str, basemaps: list[str] | None = None) -> None:
    from binhai_geo.atomic import check_writable_dir
    from binhai_geo.config import load_workflow
    from binhai_geo.deliverables.build import build_deliverables
    from binhai_geo.runner import compute_plan

    # The messages are printed below as notes; keep the library's log warnings from repeating them.
    quiet = logging.NullHandler()
    logging.getLogger("binhai_geo.deliverables").addHandler(quiet)
    try:
        with make_progress() as progress:
            task = progress.add_task(f"{what}: workflow", total=3)
            wf = load_workflow(workflow)
            if basemaps is not None:
                spec = wf.spec.deliverables.model_copy(update={"basemaps": basemaps})
                wf.spec = wf.spec.model_copy(update={"deliverables": spec})
            target = check_writable_dir(out_dir if out_dir is not None else wf.out_dir)
            progress.update(task, description=f"{what}: plan", completed=1)
            result = compute_plan(wf)
            progress.update(task, description=f"{what}: render", completed=2)
            built = build_deliverables(result, parts=parts)
            written = built.write(target)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    finally:
        logging.getLogger("binhai_geo.deliverables").removeHandler(quiet)
    for msg in built.messages:
        err_console.print(f"[yellow]note:[/] {escape(msg)}", highlight=False, soft_wrap=True)
    for role, path in written.items():
        size = path.stat().st_size / 1e6
        out_console.print(f"  wrote {role}: {path} ({size:.2f} MB)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""

    @app.command("map")
    def map_command(
        workflow: WorkflowArg,
        out_dir: OutDirOpt = None,
        basemap: Annotated[
            list[str] | None,
            typer.Option("--basemap", help="Also write an online-basemap map: tianditu_vector, tianditu_imagery "
                         "(key from TIANDITU_KEY), amap_vector or amap_imagery (repeatable; default: the "
                         "workflow's [deliverables] basemaps)."),
        ] = None,
        print_maps: Annotated[
            bool, typer.Option("--print/--no-print", help="Also write the print maps (PNG, PDF) per theme.")
        ] = True,
    ) -> None:
        """Write the offline atlas (地图集) and the print maps of a workflow (出图)."""
        from binhai_geo.deliverables.spec import BASEMAPS

        bad = [b for b in basemap or [] if b not in BASEMAPS]
        if bad:
            err_console.print(f"[bold red]error:[/] unknown basemap {', '.join(map(repr, bad))}; "
                              f"choose from {', '.join(BASEMAPS)}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        parts = ["atlas", "print"] if print_maps else ["atlas"]
        _run(workflow, out_dir, parts, "map", basemap)

    @app.command("report")
    def report_command(workflow: WorkflowArg, out_dir: OutDirOpt = None) -> None:
        """Write the HTML report of a workflow: targets, charts, sites, factors, provenance (报告)."""
        _run(workflow, out_dir, ["report"], "report")
