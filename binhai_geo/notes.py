"""Notes as data: what an engine says about a run, as a code and its parameters.

An engine never writes prose. It returns :class:`Note` objects (``Note("solar.weather.stand_in",
{"ghi_kwh_per_m2": (1426.0, 1435.0)})``) in :attr:`binhai_geo.steps.StepResult.notes`; the deliverables render
each from one template per language (``binhai_geo/deliverables/data/notes.toml``,
:func:`binhai_geo.deliverables.notes.render`). A new language, report or QGIS style then never touches an engine.

Parameters are data: numbers stay numbers (the template formats them), names stay strings, lists stay lists
(stored as tuples), a ``(low, high)`` pair is a range, and a parameter may itself be a :class:`Note` (a
fragment rendered in the same language, e.g. the detail of one project in a list of them) or ``None`` (a
fragment left out).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: A note code: dotted lower-case words, the first naming the engine (``solar.weather.stand_in``).
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _frozen(value: Any) -> Any:
    """Return ``value`` with lists and tuples as tuples (so a note's parameters cannot change after it is made)."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class Note:
    """One thing said about a run: a code (which template) and its parameters (what fills it).

    Attributes
    ----------
    code : str
        Dotted code, matching :data:`CODE_PATTERN`; each has one template per language in the deliverables.
    params : mapping of str to object
        The template's parameters: numbers (in the unit the parameter's name says), strings, sequences
        (tuples), nested :class:`Note` fragments or ``None``. Read-only.

    Raises
    ------
    ValueError
        A code that does not match :data:`CODE_PATTERN`.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"note code {self.code!r} is not dotted lower-case words (e.g. 'solar.weather.stand_in')")
        object.__setattr__(self, "params", MappingProxyType({k: _frozen(v) for k, v in dict(self.params).items()}))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Note):
            return NotImplemented
        return self.code == other.code and dict(self.params) == dict(other.params)
