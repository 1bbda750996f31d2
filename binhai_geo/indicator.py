"""A computed indicator for one of the plan's targets, handed from an engine or the accounting to the target check.

Core: engines return :class:`Indicator` values in their :class:`~binhai_geo.steps.StepResult` without reading
the targets file; :func:`binhai_geo.targets.check_targets` compares them with the targets file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """A computed indicator for one target.

    Attributes
    ----------
    target_id : str
        The target it answers (ids of the targets file).
    value : float
        The computed value, in ``unit``.
    unit : str
        Must equal the target's unit.
    basis : str
        What was counted and how (shown beside the figure); for a value of NaN, why it is not computed.
    committed : float, optional
        The committed addition (capacity under construction expected by the target year) [unit].
    pipeline : float, optional
        Pipeline capacity not counted (pre-construction, announced) [unit].
    indicative : str, optional
        Why the figure is only indicative (the proxy or the incomplete data it rests on).
    required : float, optional
        Replaces the targets file's value when the plan words the target relative to a computed figure
        (``forest_cover_2030``: at least the 2025 value); the basis says so.
    data : str
        What the figure rests on (registry and date, sample layer, OpenStreetMap, ...).
    """

    target_id: str
    value: float
    unit: str
    basis: str
    committed: float | None = None
    pipeline: float | None = None
    indicative: str | None = None
    required: float | None = None
    data: str = ""
