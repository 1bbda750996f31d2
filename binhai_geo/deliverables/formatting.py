"""Number and text formatting for every deliverable (atlas popups and panels, report tables).

One place decides how a value reads: thousands separators, significant digits by magnitude, an en
dash for an empty value, yes/no in Chinese and English. The report and the atlas both use
:func:`fmt`, so a figure reads the same in both. :func:`esc` escapes text for HTML, :func:`to_js`
serialises data for a ``<script>`` element.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DASH", "esc", "fmt", "fmt_number", "gap_and_surplus", "is_year_column", "to_js"]

#: Shown for an empty value in popups and the target panel.
DASH = "\u2013"


def fmt_number(x: float) -> str:
    """Format a number for reading: thousands separators from 1,000, else 2-3 significant digits; NaN -> dash."""
    if not math.isfinite(x):
        return DASH
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a == 0:
        return "0"
    text = f"{x:.1f}" if a >= 100 else f"{x:.2f}" if a >= 1 else f"{x:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def is_year_column(name: str) -> bool:
    """Whether column ``name`` holds calendar years (``year``, ``year_*``, ``*_year``), shown without separators."""
    return name == "year" or name.startswith("year_") or name.endswith("_year")


def fmt(value: Any, dtype: str = "") -> str:
    """Format a value for display; empty values (None, NaN, "") become an en dash.

    ``dtype`` ``"float"`` gives integers thousands separators; ``"int"`` shows a whole float as an integer;
    ``"year"`` shows a whole number as a calendar year, without separators (2013, not 2,013).
    """
    if value is None:
        return DASH
    if isinstance(value, str):
        return value.strip() or DASH
    if isinstance(value, bool | np.bool_):
        return "是 yes" if value else "否 no"
    try:
        if pd.isna(value):
            return DASH
    except (TypeError, ValueError):
        pass
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if dtype == "float" else str(int(value))
    if isinstance(value, float | np.floating):
        x = float(value)
        if dtype in ("int", "bool", "year") and x.is_integer():
            return str(int(x)) if dtype in ("int", "year") else ("是 yes" if x else "否 no")
        return fmt_number(x)
    return str(value)


def esc(text: Any) -> str:
    """Escape ``text`` for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def to_js(obj: Any) -> str:
    """Serialise ``obj`` as compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def gap_and_surplus(record: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Return the gap and the surplus of a target record as a planner reads them (both >= 0, or None).

    The record's ``surplus`` is used when it has one (the target check then gives a gap >= 0 itself);
    otherwise a negative ``gap`` (a target exceeded) is read as a gap of 0 and a surplus of its size.
    Only the display changes: the verdict and the numbers are the target check's.
    """
    gap, surplus = _number(record.get("gap")), _number(record.get("surplus"))
    if surplus is None and gap is not None and gap < 0:
        return 0.0, -gap
    return gap, surplus
