"""The ``[eligibility]`` table of a workflow file: exclusion rules per technology, grid connection and costs.

Imported by :mod:`binhai_geo.config`; keep this module light (pydantic only, no heavy imports).
"""

from __future__ import annotations

from binhai_geo.specbase import Strict


class EligibilitySpec(Strict):
    """The ``[eligibility]`` table of a workflow file (all keys optional)."""
