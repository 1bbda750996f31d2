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
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DASH", "esc", "fmt", "fmt_number", "to_js"]

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


def fmt(value: Any, dtype: str = "") -> str:
    """Format a value for display; empty values (None, NaN, "") become an en dash."""
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
        if dtype in ("int", "bool") and x.is_integer():
            return str(int(x)) if dtype == "int" else ("是 yes" if x else "否 no")
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
