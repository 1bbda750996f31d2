"""The base of every workflow-file table (unknown keys are errors, values frozen) and the override-key check."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A workflow or region table: ``extra="forbid"`` so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_known_keys(keys: Iterable[str], allowed: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming the first of ``keys`` not in ``allowed`` (for pydantic validators).

    Parameters
    ----------
    keys : iterable of str
        Keys (or names) given in the workflow.
    allowed : iterable of str
        The known ones, listed in the message.
    what : str
        What a key is, e.g. ``"a PV surface"``.
    """
    allowed = list(allowed)
    for key in keys:
        if key not in allowed:
            raise ValueError(f"'{key}' is not {what}; use one of {', '.join(sorted(allowed))}")


def check_override_keys(values: dict[str, Any], form: str, example: str, *, nonnegative: str | None = None,
                        note: str = "") -> dict[str, Any]:
    """Check the keys of an override table of a workflow (for a pydantic ``field_validator``).

    Parameters
    ----------
    values : dict
        The overrides, keyed like ``form``.
    form : str
        The key's dotted form, e.g. ``"surface.technology"``: a key has as many dots.
    example : str
        A key of that form, said in the message.
    nonnegative : str, optional
        What the values are (e.g. ``"capacity density"``) when they must be >= 0.
    note : str
        Said after the example (e.g. what a wildcard means).

    Raises
    ------
    ValueError
        For a key of another form, or a negative value when ``nonnegative`` is given.
    """
    dots = form.count(".")
    for key, value in values.items():
        if key.count(".") != dots:
            raise ValueError(f"key '{key}' must be '{form}', e.g. '{example}'" + (f" ({note})" if note else ""))
        if nonnegative and value < 0:
            raise ValueError(f"{nonnegative} '{key}' = {value} is negative; give a value >= 0")
    return values
