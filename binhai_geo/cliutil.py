"""Shared pieces of the command line: consoles, error reporting, progress.

Every command module (``binhai_geo/cli.py`` and each engine's ``cli.py``) uses these, so errors are
reported one way: bad input (:class:`~binhai_geo.errors.BinhaiGeoError`) exits 2 with a short message
naming the file, layer, feature and field; anything else is a bug and exits 1. ``--debug`` re-raises.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from binhai_geo.errors import BinhaiGeoError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1

err_console = Console(stderr=True)
out_console = Console()
state = {"debug": False}


def print_table(table: Table, console: Console | None = None) -> None:
    """Print a rich table whole.

    In a terminal the table is fitted to the terminal's width (number columns keep their full width,
    text columns wrap). Into a pipe or a log file it is printed at its natural width, however wide:
    rich would otherwise assume 80 columns and cut every cell ("20…", "4,…").
    """
    console = console or out_console
    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(console, console.options.update(width=10_000), table).maximum
    width = console.width
    console.width = max(natural, width)
    try:
        console.print(table, crop=False)
    finally:
        console.width = width


def fail(exc: BaseException) -> None:
    """Report ``exc`` and exit: 2 for bad input, 1 for an internal error (``--debug``: re-raise)."""
    if state["debug"]:
        raise exc
    if isinstance(exc, BinhaiGeoError):
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    err_console.print(
        f"[bold red]internal error (a bug in binhai_geo):[/] {type(exc).__name__}: {escape(str(exc))}\n"
        "Rerun with --debug for the traceback, and report it.",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_INTERNAL)


def bad_parameter(message: str) -> None:
    """Report a bad command-line parameter and exit 2."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def make_progress() -> Progress:
    """Return a rich progress display on stderr (silent when stderr is not a terminal)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _scheduler_callback(value: str | None) -> str | None:
    if value is None:
        return None
    from binhai_geo.cluster.scheduler import ClusterError, check_scheduler

    try:
        return check_scheduler(value)
    except ClusterError:
        raise typer.BadParameter(f"'{value}' is not a scheduler: give sync, threads, processes, or the address of "
                                 "a running dask scheduler such as tcp://10.0.0.5:8786") from None


#: The shared ``--scheduler`` option (exit code 2 on a bad value, as for every bad parameter).
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Where cluster work runs: sync, threads, processes, or a dask scheduler address such as "
        "tcp://10.0.0.5:8786 (default: the workflow's [cluster] scheduler, else sync).",
        callback=_scheduler_callback,
    ),
]
