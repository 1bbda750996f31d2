"""The report of a plan run: one self-contained HTML file (charts inlined as SVG), print-ready.

Sections: summary, the plan's targets, charts (capacity against target, supply curve, forest-cover
trend, sink by class and by year: each when its table exists), candidate sites, every further
table of the engine steps, the assumptions and factor tables with their sources (the
capacity-density table and every factor table present), provenance (inputs with SHA-256, package
versions, the workflow) and limitations (the run's notes). Headings and column titles are
bilingual (:mod:`binhai_geo.deliverables.registry`).

Nothing is loaded from outside the file: styles are inline, charts are inline SVG with text drawn
as paths (readable without any Chinese font on the reader's machine). A PDF is not written: no
registry package turns HTML into PDF well without a browser engine (WeasyPrint needs Pango from
the system); the page has print styles, so a browser's "print to PDF" gives an A4 document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from binhai_geo.deliverables import charts
from binhai_geo.deliverables.datastatus import data_status, status_html
from binhai_geo.deliverables.fonts import CjkFont
from binhai_geo.deliverables.formatting import esc, fmt, fmt_number, gap_and_surplus, is_year_column
from binhai_geo.deliverables.notes import render_all
from binhai_geo.deliverables.panels import COMPARISONS
from binhai_geo.deliverables.registry import (
    DASHBOARD_FIRST,
    DISPLAY_UNITS,
    TABLES,
    TARGET_STATUSES,
    TECH_LABELS,
    UNIT_DISPLAY,
    column,
    table_entry,
    target_status,
)
from binhai_geo.layermodel import LAYER_KINDS

if TYPE_CHECKING:
    from binhai_geo.result import PlanResult

#: Rows shown of a long table (the CSV beside the report has all of them).
MAX_ROWS = 40

#: Candidate sites shown in the report (largest first); all of them are in ``<prefix>_sites.csv``.
TOP_SITES = 20

#: Columns of the top-sites table, when the sites have them.
TOP_SITE_COLUMNS = ("site_id", "name_zh", "name", "technology", "layer_kind", "capacity_mw", "energy_mwh_per_yr",
                    "lcoe_cny_per_mwh", "capex_cny", "grid_distance_km")

#: A table with more columns than this is printed on a landscape page.
WIDE_COLUMNS = 8

#: Columns that make a table a factor table (shown with the assumptions).
FACTOR_COLUMNS = {"value", "low", "high", "unit", "source"}
#: Columns of a factor table read as calendar years in a row whose unit is ``year`` (e.g. the earliest start year).
_YEAR_ROW_COLUMNS = frozenset({"value", "low", "high", "value_used", "value_used_min", "value_used_max"})

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0; background: #f4f5f7; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h1 + .en { font-size: 15px; color: #444; margin-bottom: 12px; }
h2 { font-size: 19px; border-bottom: 2px solid #2e7d32; padding-bottom: 3px; margin-top: 34px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.en { color: #555; font-weight: normal; }
.meta { font-size: 13px; color: #444; }
nav ol { columns: 2; font-size: 13.5px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 10px; width: 100%; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f1f4f1; font-weight: normal; color: #333; position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.long { min-width: 220px; max-width: 420px; font-size: 11px; color: #444; }
.wrap { overflow-x: auto; max-height: 640px; overflow-y: auto; }
.status { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 11px;
  white-space: nowrap; }
.status-met { background: #2e7d32; } .status-short { background: #c62828; }
.status-on-track { background: #689f38; } .status-indicative { background: #a1660a; }
.status-not-computed { background: #8a8a8a; }
.bhg-data-status { background: #fff4d6; border-left: 4px solid #e0a100; padding: 4px 12px 6px; margin: 12px 0; }
.bhg-data-status h2 { border: none; margin: 6px 0 2px; font-size: 17px; color: #6d4c00; }
.bhg-data-status ul { margin: 4px 0; padding-left: 18px; } .bhg-data-status li { font-size: 13px; margin: 3px 0; }
.bhg-data-status li.caution { color: #4e3800; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { flex: 1 1 200px; border: 1px solid #dde3dd; border-radius: 6px; padding: 8px 10px; }
.card .k { font-size: 12px; color: #555; } .card .v { font-size: 20px; font-weight: bold; }
.bar { height: 7px; background: #e6e6e6; border-radius: 4px; margin-top: 4px; position: relative; }
.bar i { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 4px; }
.chart { margin: 10px 0 18px; } .chart svg { max-width: 100%; height: auto; }
.note { background: #fff4d6; border-left: 3px solid #e0a100; padding: 4px 8px; margin: 4px 0; font-size: 13px; }
.small { font-size: 12px; color: #555; }
code { font-size: 12px; }
@page { size: A4 portrait; margin: 14mm; }
@page wide { size: A4 landscape; margin: 12mm; }
@media print { body { background: #fff; font-size: 11px; } main { padding: 0; max-width: none; }
  nav { display: none; }
  .wrap { max-height: none; overflow: visible; }
  .wrap.wide { page: wide; }
  table { font-size: 9.5px; } td.long { max-width: none; }
  h2 { break-after: avoid; } h3 { break-after: avoid; } .chart, .card, .bhg-data-status { break-inside: avoid; }
  table { break-inside: auto; } tr { break-inside: avoid; } thead { display: table-header-group; }
  th { position: static; } .status { border: 1px solid #555; color: #000; background: #fff; } }
"""


def _heading(name: str, unit: str | None = None) -> str:
    col = column(name)
    if unit is not None:
        col = type(col)(col.zh, col.en, unit)
    if col.zh:
        text = f"{esc(col.zh)}<br><span class='en'>{esc(col.en)}</span>"
    else:
        text = f"<span class='en'>{esc(col.en)}</span>"
    return text + (f" <span class='en'>({esc(col.unit)})</span>" if col.unit else "")


def table_html(df: pd.DataFrame, *, max_rows: int = MAX_ROWS, csv_name: str | None = None,
               unit_override: dict[str, str] | None = None) -> str:
    """Return ``df`` as an HTML table with bilingual column headings and formatted numbers.

    At most ``max_rows`` rows (the rest are in ``csv_name``); ``unit_override`` gives a column's unit when
    its values were converted for display (e.g. ``亿元``). A table wider than :data:`WIDE_COLUMNS` columns
    is printed on a landscape page.
    """
    cols = [c for c in df.columns if c != "geometry"]
    head = "".join(f"<th>{_heading(c, (unit_override or {}).get(c))}</th>" for c in cols)
    rows = []
    for rec in df[cols].head(max_rows).to_dict("records"):
        cells = []
        year_row = str(rec.get("unit", "")).strip().lower() == "year"
        for c in cols:
            v = rec[c]
            if isinstance(v, int | float) and not isinstance(v, bool):
                year = is_year_column(c) or (year_row and c in _YEAR_ROW_COLUMNS)
                kind = "year" if year else "float" if isinstance(v, float) else ""
                cells.append(f"<td class='num'>{esc(fmt(v, kind))}</td>")
            else:
                text = fmt(v)
                cls = " class='long'" if len(text) > 60 else ""
                cells.append(f"<td{cls}>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(df) > max_rows:
        where = f" (全部见 all rows in <code>{esc(csv_name)}</code>)" if csv_name else ""
        more = (f"<p class='small'>显示前 {max_rows} 行，共 {len(df):,} 行 Showing {max_rows} of {len(df):,} rows"
                f"{where}.</p>")
    body = "".join(rows)
    wide = " wide" if len(cols) > WIDE_COLUMNS else ""
    return (f"<div class='wrap{wide}'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            f"{more}")


def _status_badge(status: object) -> str:
    st = target_status(status)
    return f"<span class='status status-{st.css}'>{esc(st.zh)} {esc(st.en)}</span>"


def _targets_html(targets: pd.DataFrame) -> str:
    """Return the targets table: rounded figures, the gap >= 0 and the surplus, each verdict's badge and basis."""
    rows = []
    for r in targets.to_dict("records"):
        unit = UNIT_DISPLAY.get(str(r["unit"]), str(r["unit"]))
        gap, surplus = gap_and_surplus(r)
        comp = str(r.get("comparison", "") or "")
        rows.append(
            f"<tr data-target-id='{esc(r['target_id'])}' data-status='{esc(target_status(r['status']).css)}'>"
            f"<td>{esc(r['description_zh'])}<br>"
            f"<span class='en'>{esc(r['description'])} · <code>{esc(r['target_id'])}</code></span></td>"
            f"<td class='num'>{esc(fmt(r['year'], 'int'))}</td>"
            f"<td class='num'>{esc(COMPARISONS.get(comp, comp))} {esc(fmt(r['required'], 'float'))} {esc(unit)}</td>"
            f"<td class='num'>{esc(fmt(r['computed'], 'float'))}</td>"
            f"<td class='num'>{esc(fmt(gap, 'float'))}</td>"
            f"<td class='num'>{esc(fmt(surplus, 'float'))}</td>"
            f"<td>{_status_badge(r['status'])}</td><td class='long'>{esc(fmt(r.get('basis', '')))}</td></tr>"
        )
    pairs = (("目标", "Target"), ("年份", "Year"), ("要求", "Required"), ("测算", "Computed"), ("差距", "Gap"),
             ("超出", "Surplus"), ("状态", "Status"), ("依据", "Basis"))
    head = "".join(f"<th>{zh}<br><span class='en'>{en}</span></th>" for zh, en in pairs)
    body = "".join(rows)
    return (f"<div class='wrap'><table class='targets'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</div><p class='small'>差距与超出均不为负 Gap and surplus are never negative; 示意 indicative: the "
            "verdict rests on sample or assumed data (see Data status).</p>")


def _top_sites_html(result: PlanResult) -> str:
    """Return the largest candidate sites (by capacity) in planners' units; all sites are in the CSV."""
    prefix = result.workflow.prefix
    sites = pd.DataFrame(result.sites.drop(columns="geometry", errors="ignore"))
    if not len(sites):
        return "<p>–</p>"
    if "capacity_mw" in sites.columns:
        sites = sites.sort_values(["capacity_mw", "site_id"], ascending=[False, True], kind="stable")
    top = sites[[c for c in TOP_SITE_COLUMNS if c in sites.columns]].head(TOP_SITES).copy()
    if "technology" in top.columns:
        top["technology"] = [TECH_LABELS.get(str(t), t) for t in top["technology"]]
    if "layer_kind" in top.columns:
        top["layer_kind"] = [LAYER_KINDS[k].label if k in LAYER_KINDS else k for k in top["layer_kind"]]
    heads = {}
    for c, (factor, unit) in DISPLAY_UNITS.items():
        if c in top.columns:
            top[c] = pd.to_numeric(top[c], errors="coerce") * factor
            heads[c] = unit
    by_tech = ""
    if "technology" in sites.columns and "capacity_mw" in sites.columns:
        by = sites.groupby("technology")["capacity_mw"].agg(["count", "sum"])
        by_tech = "; ".join(f"{TECH_LABELS.get(str(t), t)} {int(r['count']):,} 个 sites, {fmt_number(r['sum'])} MW"
                            for t, r in by.iterrows())
    return (f"<p class='small'>按装机容量排序的前 {min(TOP_SITES, len(sites))} 个场址 The {min(TOP_SITES, len(sites))} "
            f"largest of {len(sites):,} sites ({esc(by_tech)}); 全部场址见 all sites with every column in "
            f"<code>{esc(prefix)}_sites.csv</code> / <code>{esc(prefix)}_sites.gpkg</code>.</p>"
            + table_html(top, unit_override=heads))


def _summary_html(result: PlanResult) -> str:
    sites = result.sites
    t = result.targets
    cards = [("候选场址 Candidate sites", f"{len(sites):,}")]
    if len(sites):
        by = sites.groupby("technology")["capacity_mw"].sum()
        for tech, mw in by.items():
            cards.append((f"候选容量 Candidate capacity · {TECH_LABELS.get(str(tech), tech)}", f"{mw:,.0f} MW"))
    shown = Counter(target_status(v).en for v in t["status"])
    order = [st for st in TARGET_STATUSES.values() if shown.get(st.en)]
    cards.append(("目标 Targets: " + " / ".join(st.label for st in order),
                  " / ".join(str(shown[st.en]) for st in order)))
    sl = result.tables.get("sink_ledger")
    if sl is not None and "tco2_per_yr" in sl.columns:
        total = pd.to_numeric(sl["tco2_per_yr"], errors="coerce").sum()
        cards.append(("年碳汇量 Carbon sink (tCO2/yr)", f"{total:,.0f}"))
    out = ["<div class='cards'>"]
    out += [f"<div class='card'><div class='k'>{esc(k)}</div><div class='v'>{esc(v)}</div></div>" for k, v in cards]
    out.append("</div><h3>主要目标进展 Progress toward the headline targets</h3><div class='cards'>")
    for tid in DASHBOARD_FIRST:
        row = t.loc[t["target_id"] == tid]
        if not len(row):
            continue
        r = row.iloc[0]
        try:
            ratio = float(r["computed"]) / float(r["required"])
        except (TypeError, ValueError, ZeroDivisionError):
            ratio = float("nan")
        unit = UNIT_DISPLAY.get(str(r["unit"]), str(r["unit"]))
        color = target_status(r["status"]).color
        width = 0 if ratio != ratio else max(0.0, min(ratio, 1.0)) * 100
        fig = f"{fmt(r['computed'], 'float')} / {fmt(r['required'], 'float')} {unit}"
        out.append(f"<div class='card' data-target-id='{esc(tid)}'><div class='k'>{esc(r['description_zh'])} "
                   f"<span class='en'>{esc(r['description'])}</span></div><div>{esc(fig)} "
                   f"{_status_badge(str(r['status']))}</div><div class='bar'><i style='width:{width:.1f}%;"
                   f"background:{color}'></i></div></div>")
    out.append("</div>")
    return "".join(out)


def _is_factor_table(name: str, df: pd.DataFrame) -> bool:
    entry = TABLES.get(name)
    if entry is not None:
        return entry.section == "factors"
    return FACTOR_COLUMNS <= set(df.columns)


def _provenance_html(result: PlanResult, inputs: Iterable[Path]) -> str:
    from binhai_geo.manifest import RECORDED_PACKAGES, package_versions, sha256_of

    rows = []
    for p in sorted({Path(p) for p in inputs}):
        if p.exists():
            rows.append(f"<tr><td><code>{esc(p)}</code></td><td class='num'>{p.stat().st_size:,}</td>"
                        f"<td><code>{sha256_of(p)}</code></td></tr>")
    files = ("<div class='wrap'><table><thead><tr><th>文件 File</th><th>字节 Bytes</th><th>SHA-256</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table></div>")
    names = (*RECORDED_PACKAGES, "matplotlib", "mplfonts")
    versions = ", ".join(f"{k} {v}" for k, v in package_versions(names).items())
    credits = "".join(f"<li>{esc(c)}</li>" for c in result.workflow.region.spec.credits)
    return (f"<h3>输入文件 Input files</h3>{files}"
            f"<h3>软件版本 Package versions</h3><p class='small'>{esc(versions)}</p>"
            f"<h3>数据来源 Data credits</h3><ul>{credits}</ul>"
            f"<p class='small'>运行清单 The run's manifest (<code>{esc(result.workflow.prefix)}_manifest.json</code>) "
            "lists the same inputs and every output with its SHA-256.</p>")


def _chart_blocks(result: PlanResult, font: CjkFont | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    svg = charts.capacity_vs_target(result.targets, font)
    if svg:
        out.append(("capacity", svg))
    forest_target = result.targets.loc[result.targets["target_id"] == "forest_cover", "required"]
    target_pct = float(forest_target.iloc[0]) if len(forest_target) else None
    names = [n for n in TABLES if n in result.tables] + sorted(n for n in result.tables if n not in TABLES)
    drew_sinks = False
    for name in names:
        chart = table_entry(name).chart
        if chart is None:
            continue
        fn = charts.CHARTS[chart]
        svg = fn(result.tables[name], font, target_pct) if chart == "forest_trend" else fn(result.tables[name], font)
        if svg:
            out.append((chart, svg))
            drew_sinks = drew_sinks or chart == "sink_by_class"
    if not drew_sinks and len(result.sinks):
        svg = charts.sink_by_class(result.sinks, font)
        if svg:
            out.append(("sink_by_class", svg))
    return out


def _svg_ids_unique(svg: str, n: int) -> str:
    """Prefix the element ids of one inline SVG, so several charts on a page do not share ids."""
    ids = set(re.findall(r'id="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = re.sub(rf'(id="|#){re.escape(old)}(["\)])', rf"\g<1>c{n}-{old}\g<2>", svg)
    return svg


def build_report(result: PlanResult, *, inputs: Sequence[Path], font: CjkFont | None,
                 outputs: Sequence[str] = ()) -> str:
    """Return the report of a plan run as one HTML page (see the module docstring).

    Parameters
    ----------
    result : PlanResult
        The computed plan.
    inputs : sequence of pathlib.Path
        The files the run read (listed with their SHA-256).
    font : CjkFont or None
        Font for the chart text (None: DejaVu Sans only; Chinese in charts would be missing glyphs,
        so the caller should say so).
    outputs : sequence of str
        File names of the run's other deliverables, listed in the report.
    """
    wf = result.workflow
    spec = wf.spec.workflow
    prefix = wf.prefix
    sections: list[tuple[str, str, str]] = []
    sections.append(("summary", "摘要 Summary", _summary_html(result)))
    sections.append(("targets", "规划目标 Plan targets", _targets_html(result.targets)))
    chart_html = "".join(f"<div class='chart' data-chart='{esc(k)}'>{_svg_ids_unique(svg, i)}</div>"
                         for i, (k, svg) in enumerate(_chart_blocks(result, font)))
    if not font:
        chart_html = ("<p class='note'>未找到中文字体，图表中文可能无法显示 No Chinese font was found: chart labels "
                      "may miss Chinese glyphs (install mplfonts or fonts-noto-cjk).</p>") + chart_html
    sections.append(("charts", "图表 Charts", chart_html))
    sections.append(("sites", "候选场址 Candidate sites", _top_sites_html(result)))
    results, factors = [], []
    names = [n for n in TABLES if n in result.tables] + sorted(n for n in result.tables if n not in TABLES)
    for name in names:
        df = result.tables[name]
        block = (f"<h3 id='table-{esc(name)}'>{esc(table_entry(name).label)} <code class='small'>{esc(name)}</code>"
                 f"</h3>{table_html(df, csv_name=f'{prefix}_{name}.csv')}")
        (factors if _is_factor_table(name, df) else results).append(block)
    ledger = result.tables.get("sink_ledger")
    same = ledger is not None and ledger.equals(result.sinks)
    sinks_block = "" if same or not len(result.sinks) else (
        f"<h3>碳汇面积 Sink areas</h3>{table_html(result.sinks, csv_name=f'{prefix}_sink_areas.csv')}")
    sections.append(("tables", "结果表 Result tables", sinks_block + "".join(results)))
    dens = (f"<h3>装机密度 Capacity density <code class='small'>{esc(prefix)}_capacity_density_used.csv</code></h3>"
            + table_html(result.densities))
    sections.append(("assumptions", "假设与因子（含来源） Assumptions and factors, with sources",
                     dens + "".join(factors)))
    sections.append(("provenance", "数据来源与可追溯性 Provenance", _provenance_html(result, inputs)))
    notes = "".join(f"<div class='note'>{esc(n)}</div>" for n in render_all(result.notes))
    sections.append(("limitations", "局限与说明 Limitations", notes or "<p>–</p>"))
    if outputs:
        items = "".join(f"<li><code>{esc(o)}</code></li>" for o in outputs)
        sections.append(("outputs", "本次输出 Deliverables of this run", f"<ul>{items}</ul>"))

    toc = "".join(f"<li><a href='#{k}'>{esc(title)}</a></li>" for k, title, _ in sections)
    body = "".join(f"<section id='{k}'><h2>{esc(title)}</h2>{content}</section>" for k, title, content in sections)
    head_title = f"{spec.title_zh} {spec.title} — 报告 Report"
    meta = (f"<div class='meta'>区域 Region: {esc(wf.region.spec.name_zh)} {esc(wf.region.spec.name)} · "
            f"流程 Workflow: <code>{esc(spec.id)}</code> ({esc(wf.path.name)}) · 规划年 Plan year: {spec.year}</div>")
    return (
        "<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(head_title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(spec.title_zh)}</h1><div class='en'>{esc(spec.title)}</div>{meta}"
        f"{status_html(data_status(result), heading='h2')}"
        f"<nav><ol>{toc}</ol></nav>{body}</main></body></html>\n"
    )
