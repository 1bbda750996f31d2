"""The atlas's HTML panels: title and notes, legend, target dashboard.

Each function returns an HTML fragment (escaped text, classes styled by ``static/atlas.css``) that
:func:`binhai_geo.deliverables.webmap.build_map` places as a Leaflet control.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from binhai_geo.deliverables.datastatus import StatusItem
from binhai_geo.deliverables.formatting import DASH, esc, fmt, gap_and_surplus
from binhai_geo.deliverables.registry import DASHBOARD_FIRST, THEMES, UNIT_DISPLAY, target_status
from binhai_geo.errors import BinhaiGeoError

__all__ = ["dashboard_html", "legend_html", "target_rows", "title_html"]

#: Columns the target table must have for the dashboard.
TARGET_COLUMNS = (
    "target_id",
    "description",
    "description_zh",
    "year",
    "required",
    "unit",
    "comparison",
    "computed",
    "gap",
    "status",
)

#: Notes shown open under the title (the rest behind "more notes").
NOTES_SHOWN = 2

COMPARISONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "=": "=", "about": "≈"}


def legend_html(entries: Mapping[str, list[tuple[str, str]]]) -> str:
    """Return the legend: one block per theme (the targets' choropleth classes folded)."""
    parts = ["<details open><summary>图例 Legend</summary>"]
    for key, zh, en in THEMES:
        items = entries.get(key)
        if not items:
            continue
        # Choropleth classes are many and only one map is on at a time: behind a summary line.
        fold = key == "targets"
        head = f'<div class="bhg-legend-theme">{esc(zh)} {esc(en)}</div>'
        parts.append(f'<details class="bhg-legend-fold"><summary>{head}</summary>' if fold else head)
        for swatch, label in items:
            if swatch:
                parts.append(f'<div class="bhg-legend-item">{swatch}<span>{esc(label)}</span></div>')
            else:
                parts.append(f'<div class="bhg-legend-sub">{esc(label)}</div>')
        if fold:
            parts.append("</details>")
    parts.append("</details>")
    return "".join(parts)


def target_rows(targets: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the target records in dashboard order; raise BinhaiGeoError when a column is missing."""
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise BinhaiGeoError(
            f"the targets table lacks column(s) {', '.join(missing)}",
            hint="pass the target table produced by the target check; it must have the columns "
            + ", ".join(TARGET_COLUMNS),
        )
    recs = targets.to_dict("records")
    order = {tid: i for i, tid in enumerate(DASHBOARD_FIRST)}
    recs.sort(key=lambda r: order.get(str(r["target_id"]), len(order)))
    return recs


def status_block_html(items: Sequence[StatusItem]) -> str:
    """Return the data status for the top of the dashboard: the cautions, Chinese with English below."""
    shown = [it for it in items if it.caution] or list(items)
    if not shown:
        return ""
    lis = "".join(f'<li data-status-key="{esc(it.key)}" title="{esc(it.zh)}&#10;{esc(it.en)}">'
                  f'{esc(it.brief_zh or it.zh)}<div class="bhg-en">{esc(it.brief_en or it.en)}</div></li>'
                  for it in shown)
    return (f'<div class="bhg-data-status" data-role="data-status"><div class="bhg-data-status-head">'
            f'⚠ 数据状况 Data status · 结论依据</div><ul>{lis}</ul></div>')


def dashboard_html(targets: pd.DataFrame, data_status: Sequence[StatusItem] = ()) -> str:
    """Return the target dashboard: the data status first, a bar toward each computed target, the others listed.

    Verdicts are shown by :func:`~binhai_geo.deliverables.registry.target_status` (达标 met, 有望达标 on track,
    未达标 short, 示意 indicative, 未测算 not computed). A ``surplus`` column, when the table has one, is shown
    beside the figures; without it a negative gap is shown as a surplus (the gap itself is never negative).
    """
    done, pending = [], []
    for rec in target_rows(targets):
        unit_raw = fmt(rec["unit"])
        unit = "" if unit_raw == DASH else UNIT_DISPLAY.get(unit_raw, unit_raw)

        def with_unit(value: Any, unit: str = unit) -> str:
            text = fmt(value, "float")
            if not unit or text == DASH:
                return text
            return f"{text}{unit}" if unit == "%" else f"{text} {unit}"

        comp = fmt(rec["comparison"])
        comp = COMPARISONS.get(comp, comp if comp != DASH else "")
        required = with_unit(rec["required"])
        if comp and required != DASH:
            required = f"{comp} {required}"
        st = target_status(rec["status"])
        cls, szh, sen = st.css, st.zh, st.en
        tid = esc(fmt(rec["target_id"]))
        year = fmt(rec["year"], "int")
        name = (f'<div class="bhg-target-name">{esc(fmt(rec["description_zh"]))}'
                f'<span class="bhg-en"> {year}</span></div>'
                f'<div class="bhg-en">{esc(fmt(rec["description"]))}</div>')
        if cls == "not-computed":
            pending.append(f'<li data-target-id="{tid}" data-status="{cls}">{esc(fmt(rec["description_zh"]))} '
                           f'<span class="bhg-en">{esc(fmt(rec["description"]))} · {esc(required)}</span></li>')
            continue
        try:
            ratio = float(rec["computed"]) / float(rec["required"])
        except (TypeError, ValueError, ZeroDivisionError):
            ratio = float("nan")
        width = 0.0 if not math.isfinite(ratio) else max(0.0, min(ratio, 1.0)) * 100
        pct = f" ({ratio:.0%})" if math.isfinite(ratio) else ""
        status = f'<span class="bhg-status bhg-status-{cls}">{esc(szh)} {esc(sen)}</span>'
        _, surplus = gap_and_surplus(rec)
        if surplus is not None and surplus > 0:
            pct += f" · 超出 surplus {with_unit(surplus)}"
        done.append(
            f'<div class="bhg-target" data-target-id="{tid}" data-status="{cls}" data-progress="{width:.1f}">'
            f'<div class="bhg-target-head"><div>{name}</div><div>{status}</div></div>'
            f'<div class="bhg-bar" title="{esc(required)}"><div class="bhg-bar-fill bhg-bar-{cls}" '
            f'style="width:{width:.1f}%"></div></div>'
            f'<div class="bhg-target-fig">测算 {esc(with_unit(rec["computed"]))} / 要求 {esc(required)}'
            f"{esc(pct)}</div></div>"
        )
    parts = ["<details open><summary>规划目标 Plan targets</summary>", status_block_html(data_status), *done]
    if pending:
        parts.append(f'<details class="bhg-nc"><summary>未测算 Not computed ({len(pending)})</summary>'
                     f"<ul>{''.join(pending)}</ul></details>")
    parts.append("</details>")
    return "".join(parts)


def title_html(title: str, title_zh: str, notes: Iterable[str]) -> str:
    """Return the title block: Chinese and English title, the first notes, the rest folded."""
    parts = [f'<div class="bhg-title-zh">{esc(title_zh)}</div>', f'<div class="bhg-title-en">{esc(title)}</div>']
    notes = [n for n in notes if str(n).strip()]
    parts += [f'<div class="bhg-note">⚠ {esc(n)}</div>' for n in notes[:NOTES_SHOWN]]
    if len(notes) > NOTES_SHOWN:
        parts.append(f"<details><summary>更多说明 More notes ({len(notes) - NOTES_SHOWN})</summary>")
        parts += [f'<div class="bhg-note">{esc(n)}</div>' for n in notes[NOTES_SHOWN:]]
        parts.append("</details>")
    return "".join(parts)
