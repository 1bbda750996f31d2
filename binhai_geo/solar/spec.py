"""The ``[solar]`` table of a workflow file: the solar yield engine (weather source, archetypes, losses).

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from binhai_geo.specbase import Strict


class SolarSpec(Strict):
    """The ``[solar]`` table of a workflow file (all keys optional)."""
