"""Commands of the accounting layer: ``registry import`` (a planner's newer GEM download or own as-built list).

Thin typer commands; errors go through :func:`binhai_geo.cliutil.fail` (exit 2 on bad input, nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

registry_app = typer.Typer(help="The capacity ledger's registry: check and merge a planner's records (装机登记).",
                           no_args_is_help=True)


@registry_app.command("import")
def registry_import(
    files: Annotated[list[Path], typer.Argument(help="GEM tracker download, GPPD CSV or as-built list (CSV, Excel, "
                                                     "GeoJSON, GeoPackage).", show_default=False)],
    workflow: Annotated[Path, typer.Option("--workflow", help="Workflow whose region pack holds the shipped "
                                                              "records.")] = Path("workflows/binhai_2025.toml"),
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write the merged ledger to (layer 'project'); "
                                                    "a CSV of which records were used is written beside it.")]
    = Path("ledger.gpkg"),
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the files' data, YYYY-MM (default: from "
                                                              "the file name).")] = None,
    clip: Annotated[bool, typer.Option("--clip", help="Drop records outside the district (reported) instead of "
                                                      "refusing them.")] = False,
) -> None:
    """Check a planner's registry files and merge them over the shipped records (导入装机登记).

    The planner's records win: a record with the id of a shipped record replaces it; a GEM download replaces
    every shipped record of its tracker; others are added. Writes the merged ledger (layer ``project``, ready
    for ``[layers] project = { file = "..." }``) and ``<out>_used.csv``. For a plan run, list the files in the
    workflow instead (``[registry] files = [...]``): the run's manifest then records them.
    """
    from binhai_geo.cliutil import fail, out_console

    try:
        from binhai_geo.accounting.ledger import category
        from binhai_geo.accounting.plan import read_user_records
        from binhai_geo.accounting.projects import ledger_records
        from binhai_geo.accounting.records import merge_records
        from binhai_geo.atomic import check_writable_dir
        from binhai_geo.config import load_workflow
        from binhai_geo.io import write_csv, write_gpkg
        from binhai_geo.layers import load_layers

        wf = load_workflow(workflow)
        check_writable_dir(out.resolve().parent)
        layers = load_layers(wf).layers
        shipped = ledger_records(layers)
        user, outside = read_user_records(files, layers, wf.region.analysis_crs, as_of=as_of, clip=clip)
        merged, used = merge_records(shipped if shipped is not None else user.iloc[:0], user)
        merged = merged.drop(columns=[c for c in ("subdistrict", "year") if c in merged.columns])
        year = wf.spec.workflow.year
        cats = category(merged, year)
        csv = out.with_name(out.stem + "_used.csv")
        write_gpkg(merged, out, layer="project")
        write_csv(used, csv)
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    for tech in ("pv", "wind"):
        sel = merged["technology"] == tech
        parts = [f"{c} {merged.loc[sel & (cats == c), 'capacity_mw'].sum():,.0f} MW ({int((sel & (cats == c)).sum())})"
                 for c in ("installed", "committed", "pipeline")]
        out_console.print(f"{tech} {year}: " + ", ".join(parts), highlight=False)
    if len(outside):
        out_console.print(f"{len(outside)} record(s) outside the district dropped (--clip)", highlight=False)
    out_console.print(f"  wrote {out}\n  wrote {csv}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``registry`` command group to ``app``."""
    app.add_typer(registry_app, name="registry")
