"""The ``binhai-geo`` command line.

Thin commands over the package's functions. Bad input prints a short message naming the file, layer,
feature and field, and exits with code 2 without a traceback (``--debug`` shows it). Bad command-line
parameters also exit with code 2 (click's convention).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from binhai_geo import __version__
from binhai_geo.cliutil import (
    EXIT_BAD_INPUT,
    EncodingOption,
    SchedulerOption,
    err_console,
    fail,
    interrupted,
    make_progress,
    out_console,
    print_table,
    say_report,
    start_command,
    state,
)
from binhai_geo.errors import BinhaiGeoError
from binhai_geo.postgis.spec import scrub

app = typer.Typer(
    name="binhai-geo",
    help="Renewable-energy siting and carbon-sink planning for Binhai New Area (滨海新区新能源选址与碳汇规划).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: rich markup would swallow every "[outputs]", "[deg]", "[m]" of the help texts.
    rich_markup_mode=None,
)
layers_app = typer.Typer(help="Inspect and check layers (图层检查).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(layers_app, name="layers")

def _version(value: bool) -> None:
    if value:
        out_console.print(f"binhai-geo {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state["debug"] = debug
    start_command(ctx)


WorkflowArg = Annotated[
    Path, typer.Argument(help="Workflow file (TOML), e.g. workflows/binhai_2025.toml.", show_default=False)
]


def _targets_table(df) -> Table:  # noqa: ANN001 - a pandas DataFrame
    """Return the targets as a terminal table: every number whole (a column is never narrower than its values)."""
    from binhai_geo.deliverables.formatting import gap_and_surplus  # numpy and pandas: not for --help

    def fmt(v: object) -> str:
        try:
            x = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return "–"
        if x != x:  # NaN: not computed
            return "–"
        if x == 0:
            return "0"
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"

    cols = ("target_id", "year", "required", "unit", "computed", "gap", "surplus", "status")
    rows = []
    for r in df.to_dict("records"):
        gap, surplus = gap_and_surplus(r)  # both >= 0, as the atlas and the report show them
        rows.append([str(r["target_id"]), str(r["year"]), fmt(r["required"]), str(r["unit"]), fmt(r["computed"]),
                     fmt(gap), fmt(surplus), str(r["status"])])
    table = Table(title="Targets 目标", show_lines=False)
    for i, col in enumerate(cols):
        widest = max([len(col), *(len(row[i]) for row in rows)])
        if col == "target_id":  # the one column that may wrap when the terminal is narrow
            table.add_column(col, overflow="fold", min_width=12)
        else:
            table.add_column(col, justify="right" if col in ("required", "computed", "gap", "surplus") else "left",
                             no_wrap=True, min_width=widest)
    colour = {"met": "green", "on track": "green", "short": "red", "indicative": "yellow", "not computed": "dim"}
    for row in rows:
        row[-1] = f"[{colour.get(row[-1], 'default')}]{escape(row[-1])}[/]"
        table.add_row(*row)
    return table


@app.command()
def plan(
    workflow: WorkflowArg,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Output folder (default: the workflow's [outputs] dir).")
    ] = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Run a planning workflow end to end and write its deliverables (运行规划流程)."""
    from binhai_geo.pipeline import run_plan
    from binhai_geo.runner import PLAN_STEPS

    try:
        with make_progress() as progress:
            task = progress.add_task("plan", total=len(PLAN_STEPS))

            def step(name: str) -> None:
                progress.update(task, description=f"plan: {name}", completed=PLAN_STEPS.index(name))

            result = run_plan(workflow, out_dir=out_dir, step=step, scheduler=scheduler)
    except KeyboardInterrupt:
        interrupted()
        return
    except Exception as exc:  # noqa: BLE001 - every error is reported by fail
        fail(exc)
        return
    for kind, report in sorted(result.layers.reports.items()):
        if report.repaired or report.outside or report.warnings:
            err_console.print(f"[yellow]note:[/] layer '{kind}' ({report.file}): {escape(report.summary())}",
                              highlight=False, soft_wrap=True)
    print_table(_targets_table(result.targets))
    by_tech = result.sites.groupby("technology")["capacity_mw"].sum()
    out_console.print(
        f"{len(result.sites)} candidate sites: "
        + ", ".join(f"{t} {mw:,.0f} MW" for t, mw in by_tech.items())
        + " (eligible potential after the workflow's exclusion rules)",
        soft_wrap=True,
    )
    for role, path in result.outputs.items():
        out_console.print(f"  wrote {role}: {path}", highlight=False, soft_wrap=True)


@app.command()
def targets(
    workflow: WorkflowArg,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the table to this CSV file.")] = None,
) -> None:
    """Check the plan's targets for a workflow and print the table (目标核查)."""
    from binhai_geo.config import load_workflow
    from binhai_geo.io import write_csv
    from binhai_geo.runner import compute_plan

    try:
        result = compute_plan(load_workflow(workflow))
        if out is not None:
            write_csv(result.targets, out)
    except Exception as exc:  # noqa: BLE001
        fail(exc)
        return
    print_table(_targets_table(result.targets))


@layers_app.command("check")
def layers_check(
    paths: Annotated[list[str], typer.Argument(
        help="Layer files to check, or PostGIS connections ('PG:service=NAME table=SCHEMA.TABLE', "
             "'postgresql://HOST/DB?table=NAME').", show_default=False)],
    kind: Annotated[
        str | None, typer.Option("--kind", help="Layer kind (default: the layer name inside the file).")
    ] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Layer name inside the file (PostGIS: the table).")
                     ] = None,
    encoding: EncodingOption = None,
) -> None:
    """Check layer files against their layer kinds (CRS, geometry, fields, values).

    Every layer of a GeoPackage whose name is a layer kind is checked, unless --layer or --kind
    narrows it. Exits with code 2 if any layer has a problem.
    """
    from binhai_geo.io import list_layers, read_layer
    from binhai_geo.layermodel import LAYER_KINDS, get_kind
    from binhai_geo.validate import validate_layer

    if kind is not None and kind not in LAYER_KINDS:
        err_console.print(f"[bold red]error:[/] unknown layer kind '{kind}'; known kinds: "
                          f"{', '.join(sorted(LAYER_KINDS))}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    table = Table(title="Layer check 图层检查")
    for col in ("file", "layer", "kind", "result"):
        table.add_column(col)
    problems, reports = [], []
    for path in paths:
        shown = scrub(path)  # a PostGIS connection is shown without password
        try:
            names = [layer] if layer else list_layers(path)
            if not layer and not kind and len(names) > 1:
                names = [n for n in names if n in LAYER_KINDS] or names
            for name in names:
                k = kind or name
                if k not in LAYER_KINDS:
                    raise BinhaiGeoError(
                        f"cannot tell the layer kind: '{name}' is not a layer kind", file=shown, layer=name,
                        hint=f"give --kind (one of {', '.join(sorted(LAYER_KINDS))})")
                gdf = read_layer(path, name if len(names) > 1 or layer else None, encoding=encoding)
                try:
                    _, report = validate_layer(gdf, get_kind(k))
                    table.add_row(shown, name, k, f"[green]ok[/] {escape(report.summary())}")
                    reports.append(report)
                except BinhaiGeoError as exc:
                    problems.append(exc)
                    table.add_row(shown, name, k, "[red]problem[/]")
        except BinhaiGeoError as exc:
            problems.append(exc)
            table.add_row(shown, layer or "", kind or "", "[red]problem[/]")
    print_table(table)
    for report in reports:  # repairs and assumed encodings in full (the table cell may be cut)
        say_report(report)
    for exc in problems:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)


def _register_engine_commands() -> None:
    """Add each engine's commands (``register(app)`` of its ``cli`` module)."""
    from binhai_geo.accounting import cli as accounting_cli
    from binhai_geo.cluster import cli as cluster_cli
    from binhai_geo.deliverables import cli as deliverables_cli
    from binhai_geo.sinks import cli as sinks_cli
    from binhai_geo.siting import cli as siting_cli
    from binhai_geo.solar import cli as solar_cli
    from binhai_geo.wind import cli as wind_cli

    for module in (solar_cli, wind_cli, siting_cli, sinks_cli, deliverables_cli, cluster_cli, accounting_cli):
        module.register(app)


_register_engine_commands()


def main() -> None:
    """Entry point of the ``binhai-geo`` script."""
    app(prog_name="binhai-geo")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
