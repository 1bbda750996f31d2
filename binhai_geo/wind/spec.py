"""The ``[wind]`` table of a workflow file: the wind engine (resource, turbine, layout, losses).

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from binhai_geo.specbase import Strict


class WindSpec(Strict):
    """The ``[wind]`` table of a workflow file (all keys optional)."""
