"""Commands of the sinks engine (sinks, forest-cover).

Thin typer commands over the engine's functions; errors go through :func:`binhai_geo.cliutil.fail`.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this engine's commands to ``app``."""
