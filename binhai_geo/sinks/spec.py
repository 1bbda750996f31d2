"""The ``[sinks]`` table of a workflow file: carbon-sink accounting, forest-cover years and scenarios.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from binhai_geo.specbase import Strict


class SinksSpec(Strict):
    """The ``[sinks]`` table of a workflow file (all keys optional)."""
