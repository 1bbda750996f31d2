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

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from binhai_geo.deliverables import charts
from binhai_geo.deliverables.fonts import CjkFont
from binhai_geo.deliverables.registry import TABLES, TECH_LABELS, UNIT_DISPLAY, column, table_entry

if TYPE_CHECKING:
    from binhai_geo.runner import PlanResult

#: Rows shown of a long table (the CSV beside the report has all of them).
MAX_ROWS = 300

#: Columns that make a table a factor table (shown with the assumptions).
FACTOR_COLUMNS = {"value", "low", "high", "unit", "source"}

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
.status-not-computed { background: #8a8a8a; }
.status-on-track { background: #f9a825; } .status-indicative { background: #607d8b; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { flex: 1 1 200px; border: 1px solid #dde3dd; border-radius: 6px; padding: 8px 10px; }
.card .k { font-size: 12px; color: #555; } .card .v { font-size: 20px; font-weight: bold; }
.bar { height: 7px; background: #e6e6e6; border-radius: 4px; margin-top: 4px; position: relative; }
.bar i { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 4px; }
.chart { margin: 10px 0 18px; } .chart svg { max-width: 100%; height: auto; }
.note { background: #fff4d6; border-left: 3px solid #e0a100; padding: 4px 8px; margin: 4px 0; font-size: 13px; }
.small { font-size: 12px; color: #555; }
code { font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print { body { background: #fff; } main { padding: 0; max-width: none; }
  .wrap { max-height: none; overflow: visible; }
  h2 { break-after: avoid; } .chart, table { break-inside: auto; } th { position: static; } }
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: object, dtype: str = "") -> str:
    from binhai_geo.webmap import _fmt as fmt

    return fmt(value, dtype)


def _heading(name: str) -> str:
    col = column(name)
    if col.zh:
        text = f"{_esc(col.zh)}<br><span class='en'>{_esc(col.en)}</span>"
    else:
        text = f"<span class='en'>{_esc(col.en)}</span>"
    return text + (f" <span class='en'>({_esc(col.unit)})</span>" if col.unit else "")


def table_html(df: pd.DataFrame, *, max_rows: int = MAX_ROWS, csv_name: str | None = None) -> str:
    """Return ``df`` as an HTML table with bilingual column headings and formatted numbers."""
    cols = [c for c in df.columns if c != "geometry"]
    head = "".join(f"<th>{_heading(c)}</th>" for c in cols)
    rows = []
    for rec in df[cols].head(max_rows).to_dict("records"):
        cells = []
        for c in cols:
            v = rec[c]
            if isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f"<td class='num'>{_esc(_fmt(v, 'float' if isinstance(v, float) else ''))}</td>")
            else:
                text = _fmt(v)
                cls = " class='long'" if len(text) > 60 else ""
                cells.append(f"<td{cls}>{_esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(df) > max_rows:
        where = f" (全部见 all rows in <code>{_esc(csv_name)}</code>)" if csv_name else ""
        more = (f"<p class='small'>显示前 {max_rows} 行，共 {len(df):,} 行 Showing {max_rows} of {len(df):,} rows"
                f"{where}.</p>")
    body = "".join(rows)
    return f"<div class='wrap'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}"


def _status_badge(status: str) -> str:
    cls = {"met": "met", "on track": "on-track", "short": "short", "indicative": "indicative"}.get(status,
                                                                                                 "not-computed")
    zh = {"met": "达标", "on track": "按进度", "short": "未达标", "indicative": "示意"}.get(status, "未测算")
    return f"<span class='status status-{cls}'>{zh} {_esc(status)}</span>"


def _targets_html(targets: pd.DataFrame) -> str:
    rows = []
    for r in targets.to_dict("records"):
        unit = UNIT_DISPLAY.get(str(r["unit"]), str(r["unit"]))
        rows.append(
            f"<tr data-target-id='{_esc(r['target_id'])}'><td>{_esc(r['description_zh'])}<br>"
            f"<span class='en'>{_esc(r['description'])} · <code>{_esc(r['target_id'])}</code></span></td>"
            f"<td class='num'>{_esc(_fmt(r['year'], 'int'))}</td>"
            f"<td class='num'>{_esc(r.get('comparison', ''))} {_esc(_fmt(r['required'], 'float'))} {_esc(unit)}</td>"
            f"<td class='num'>{_esc(_fmt(r['computed'], 'float'))}</td>"
            f"<td class='num'>{_esc(_fmt(r['gap'], 'float'))}</td>"
            f"<td>{_status_badge(str(r['status']))}</td><td class='long'>{_esc(_fmt(r.get('basis', '')))}</td></tr>"
        )
    pairs = (("目标", "Target"), ("年份", "Year"), ("要求", "Required"), ("测算", "Computed"), ("差距", "Gap"),
             ("状态", "Status"), ("依据", "Basis"))
    head = "".join(f"<th>{zh}<br><span class='en'>{en}</span></th>" for zh, en in pairs)
    body = "".join(rows)
    return f"<div class='wrap'><table class='targets'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _summary_html(result: PlanResult) -> str:
    sites = result.sites
    t = result.targets
    counts = t["status"].value_counts()
    cards = [("候选场址 Candidate sites", f"{len(sites):,}")]
    if len(sites):
        by = sites.groupby("technology")["capacity_mw"].sum()
        for tech, mw in by.items():
            cards.append((f"候选容量 Candidate capacity · {TECH_LABELS.get(str(tech), tech)}", f"{mw:,.0f} MW"))
    cards.append(("目标 Targets: 达标 met / 按进度 on track / 未达标 short / 示意 indicative / 未测算 not computed",
                  " / ".join(str(counts.get(k, 0)) for k in ("met", "on track", "short", "indicative",
                                                             "not computed"))))
    sl = result.tables.get("sink_ledger")
    if sl is not None and "tco2_per_yr" in sl.columns:
        total = pd.to_numeric(sl["tco2_per_yr"], errors="coerce").sum()
        cards.append(("年碳汇量 Carbon sink (tCO2/yr)", f"{total:,.0f}"))
    out = ["<div class='cards'>"]
    out += [f"<div class='card'><div class='k'>{_esc(k)}</div><div class='v'>{_esc(v)}</div></div>" for k, v in cards]
    out.append("</div><h3>主要目标进展 Progress toward the headline targets</h3><div class='cards'>")
    from binhai_geo.deliverables.registry import DASHBOARD_FIRST

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
        color = {"met": "#2e7d32", "on track": "#f9a825", "short": "#e65100", "indicative": "#78909c"}.get(
            r["status"], "#b0b0b0")
        width = 0 if ratio != ratio else max(0.0, min(ratio, 1.0)) * 100
        fig = f"{_fmt(r['computed'], 'float')} / {_fmt(r['required'], 'float')} {unit}"
        out.append(f"<div class='card' data-target-id='{_esc(tid)}'><div class='k'>{_esc(r['description_zh'])} "
                   f"<span class='en'>{_esc(r['description'])}</span></div><div>{_esc(fig)} "
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
            rows.append(f"<tr><td><code>{_esc(p)}</code></td><td class='num'>{p.stat().st_size:,}</td>"
                        f"<td><code>{sha256_of(p)}</code></td></tr>")
    files = ("<div class='wrap'><table><thead><tr><th>文件 File</th><th>字节 Bytes</th><th>SHA-256</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table></div>")
    names = (*RECORDED_PACKAGES, "matplotlib", "mplfonts")
    versions = ", ".join(f"{k} {v}" for k, v in package_versions(names).items())
    credits = "".join(f"<li>{_esc(c)}</li>" for c in result.workflow.region.spec.credits)
    return (f"<h3>输入文件 Input files</h3>{files}"
            f"<h3>软件版本 Package versions</h3><p class='small'>{_esc(versions)}</p>"
            f"<h3>数据来源 Data credits</h3><ul>{credits}</ul>"
            f"<p class='small'>运行清单 The run's manifest (<code>{_esc(result.workflow.prefix)}_manifest.json</code>) "
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
    chart_html = "".join(f"<div class='chart' data-chart='{_esc(k)}'>{_svg_ids_unique(svg, i)}</div>"
                         for i, (k, svg) in enumerate(_chart_blocks(result, font)))
    if not font:
        chart_html = ("<p class='note'>未找到中文字体，图表中文可能无法显示 No Chinese font was found: chart labels "
                      "may miss Chinese glyphs (install mplfonts or fonts-noto-cjk).</p>") + chart_html
    sections.append(("charts", "图表 Charts", chart_html))
    sites = result.sites.drop(columns="geometry", errors="ignore")
    if "capacity_mw" in sites.columns:
        sites = sites.sort_values("capacity_mw", ascending=False, kind="stable")
    sections.append(("sites", "候选场址 Candidate sites",
                     f"<p class='small'>{len(sites):,} 个场址 sites, 按装机容量排序 by capacity.</p>"
                     + table_html(sites, csv_name=f"{prefix}_sites.csv")))
    results, factors = [], []
    names = [n for n in TABLES if n in result.tables] + sorted(n for n in result.tables if n not in TABLES)
    for name in names:
        df = result.tables[name]
        block = (f"<h3 id='table-{_esc(name)}'>{_esc(table_entry(name).label)} <code class='small'>{_esc(name)}</code>"
                 f"</h3>{table_html(df, csv_name=f'{prefix}_{name}.csv')}")
        (factors if _is_factor_table(name, df) else results).append(block)
    ledger = result.tables.get("sink_ledger")
    same = ledger is not None and ledger.equals(result.sinks)
    sinks_block = "" if same or not len(result.sinks) else (
        f"<h3>碳汇面积 Sink areas</h3>{table_html(result.sinks, csv_name=f'{prefix}_sink_areas.csv')}")
    sections.append(("tables", "结果表 Result tables", sinks_block + "".join(results)))
    dens = (f"<h3>装机密度 Capacity density <code class='small'>{_esc(prefix)}_capacity_density_used.csv</code></h3>"
            + table_html(result.densities))
    sections.append(("assumptions", "假设与因子（含来源） Assumptions and factors, with sources",
                     dens + "".join(factors)))
    sections.append(("provenance", "数据来源与可追溯性 Provenance", _provenance_html(result, inputs)))
    notes = "".join(f"<div class='note'>{_esc(n)}</div>" for n in result.notes)
    sections.append(("limitations", "局限与说明 Limitations", notes or "<p>–</p>"))
    if outputs:
        items = "".join(f"<li><code>{_esc(o)}</code></li>" for o in outputs)
        sections.append(("outputs", "本次输出 Deliverables of this run", f"<ul>{items}</ul>"))

    toc = "".join(f"<li><a href='#{k}'>{_esc(title)}</a></li>" for k, title, _ in sections)
    body = "".join(f"<section id='{k}'><h2>{_esc(title)}</h2>{content}</section>" for k, title, content in sections)
    head_title = f"{spec.title_zh} {spec.title} — 报告 Report"
    meta = (f"<div class='meta'>区域 Region: {_esc(wf.region.spec.name_zh)} {_esc(wf.region.spec.name)} · "
            f"流程 Workflow: <code>{_esc(spec.id)}</code> ({_esc(wf.path.name)}) · 规划年 Plan year: {spec.year}</div>")
    return (
        "<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_esc(head_title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{_esc(spec.title_zh)}</h1><div class='en'>{_esc(spec.title)}</div>{meta}"
        f"<nav><ol>{toc}</ol></nav>{body}</main></body></html>\n"
    )
