"""The ``[deliverables]`` table of a workflow file: atlas, basemaps, print maps and report.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from binhai_geo.specbase import Strict


class DeliverablesSpec(Strict):
    """The ``[deliverables]`` table of a workflow file (all keys optional)."""
