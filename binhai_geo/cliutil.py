"""Shared pieces of the command line: consoles, error reporting, progress.

Every command module (``binhai_geo/cli.py`` and each engine's ``cli.py``) uses these, so errors are
reported one way: bad input (:class:`~binhai_geo.errors.BinhaiGeoError`) exits 2 with a short message
naming the file, layer, feature and field; anything else is a bug and exits 1. ``--debug`` re-raises.
"""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from binhai_geo.atomic import start_input_guard
from binhai_geo.errors import BinhaiGeoError, WorkflowError, from_os_error

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130

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
    """Report ``exc`` and exit: 2 for bad input, 1 for an internal error (``--debug``: re-raise).

    An :class:`OSError` (full disk, read-only folder, a folder given for a file, ...) is bad input too:
    it is reported with the file, the system's reason and a fix (:func:`binhai_geo.errors.from_os_error`).
    """
    if state["debug"]:
        raise exc
    if isinstance(exc, OSError):
        exc = from_os_error(exc)
    elif isinstance(exc, ValidationError):  # a spec built from command-line options
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: "
                             f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        exc = WorkflowError(problems, hint="correct the option or workflow value named")
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


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def start_command(ctx: typer.Context) -> None:
    """Set up one command run: guard its inputs, and treat SIGTERM as SIGINT.

    Every input read is noted, so no output may overwrite one; SIGTERM is raised as KeyboardInterrupt, so
    temporary files are removed and a run's previous outputs stay intact.
    """
    ctx.call_on_close(start_input_guard())
    if threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGTERM, _terminate)
        ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, old))


def interrupted() -> None:
    """Report an interrupted run (SIGINT/SIGTERM) and exit 130."""
    err_console.print("[bold red]interrupted:[/] nothing was written; the previous outputs are intact "
                      "(已中断，未写出任何文件)", highlight=False)
    raise typer.Exit(EXIT_INTERRUPTED)


def say_report(report: object) -> None:
    """Print what validating a layer repaired, left out or assumed (a LayerReport), if anything."""
    if getattr(report, "repaired", None) or getattr(report, "outside", None) or getattr(report, "warnings", None):
        err_console.print(f"[yellow]note:[/] layer '{report.kind}' ({report.file}, layer {report.layer}): "  # type: ignore[attr-defined]
                          f"{escape(report.summary())}", highlight=False, soft_wrap=True)  # type: ignore[attr-defined]


#: The shared ``--encoding`` option of commands that read layers.
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="Text encoding of the layer's attributes (e.g. GBK) when the file does not "
                 "declare it (a Shapefile without .cpg). Default: detected (UTF-8, else GB18030/GBK), and said."),
]


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
