"""What the verdicts rest on: the data status that leads the report, the atlas dashboard and the print maps.

A planner reads a verdict (达标 met, 未达标 short, ...) only after reading what it rests on. :func:`data_status`
collects that from the plan run's own data, not from its prose notes:

* ``projects``: the capacity counted as installed: the capacity ledger's renewables by category (installed,
  committed, pipeline, not counted) and their registries; without a ledger, the project layer's features by
  status, the sources they cite and the years they carry;
* ``registry``: any table of the run with a ``registry`` column (a capacity ledger read from a power-plant
  registry), its registries and their rows;
* ``denominators``: the official land area and mainland coastline the indicators divide by (rows of the
  accounting step's ``data_status`` table);
* ``sample``: the layers whose features say in their ``source`` that they are illustrative placements;
* ``weather``: the PV weather (``weather_summary``): a stand-in year or measured data, and its GHI;
* ``wind``: the wind resource (``wind_zones.resource_source``): an assumption or the user's data;
* ``verdicts``: the verdicts by status, and each ``indicative`` verdict named.

Each item is a :class:`StatusItem` with Chinese and English text and a ``caution`` flag (illustrative or
assumed data). :func:`status_html` renders them for the report and the atlas; :func:`status_lines` as
plain lines for the print maps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from binhai_geo.deliverables.formatting import esc, fmt_number
from binhai_geo.deliverables.registry import TARGET_STATUSES, target_status
from binhai_geo.layermodel import LAYER_KINDS

if TYPE_CHECKING:
    from binhai_geo.result import PlanResult

__all__ = ["StatusItem", "data_status", "status_html", "status_lines"]

#: Words in a feature's ``source`` that mark it as an illustrative placement, not surveyed data.
ILLUSTRATIVE_WORDS = ("illustrative", "示意")

#: Longest source text quoted in a status line [characters].
MAX_SOURCE_CHARS = 110


@dataclass(frozen=True)
class StatusItem:
    """One line of the data status.

    Attributes
    ----------
    key : str
        ``projects``, ``registry``, ``sample``, ``weather``, ``wind`` or ``verdicts``.
    zh, en : str
        The line in Chinese and in English.
    caution : bool
        True when the line reports illustrative, assumed or stand-in data.
    brief_zh, brief_en : str
        A short form for the atlas panel (the full line is its tooltip); empty: the full line.
    """

    key: str
    zh: str
    en: str
    caution: bool
    brief_zh: str = ""
    brief_en: str = ""


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text)).strip()
    first = text.split(";")[0].strip()
    return first if len(first) <= MAX_SOURCE_CHARS else first[: MAX_SOURCE_CHARS - 1].rstrip() + "…"


#: Ledger categories in reading order, with their Chinese names.
LEDGER_CATEGORIES = {"installed": "已投产", "committed": "在建(按期)", "pipeline": "储备(不计入)",
                     "not counted": "不计入"}
#: Rows of the accounting step's ``data_status`` table shown here (the others have items of their own).
DENOMINATOR_ITEMS = ("land area", "mainland coastline")


def _ledger(result: PlanResult) -> list[StatusItem]:
    """Return the counted capacity from the capacity ledger: MW and records by category for the renewables."""
    led = result.tables.get("capacity_ledger")
    if led is None or not len(led) or "category" not in led.columns:
        return []
    led = led[led["technology"].isin(["pv", "wind", "storage"])]
    mw = pd.to_numeric(led["capacity_mw"], errors="coerce").groupby(led["category"]).sum()
    n = led.groupby("category").size()
    parts = [(k, zh, float(mw.get(k, 0.0)), int(n.get(k, 0))) for k, zh in LEDGER_CATEGORIES.items() if k in n]
    regs = Counter(str(r) for r in led["registry"].dropna()) if "registry" in led.columns else Counter()
    src = "; ".join(f"{r} ({c})" for r, c in regs.most_common(4)) or "no source given 未注明来源"
    zh = ("计入装机依据装机台账（光伏、风电、储能）：" + "，".join(f"{z} {fmt_number(m)} MW（{c} 项）"
                                                for _, z, m, c in parts) + f"；来源：{src}")
    en = ("Counted capacity rests on the capacity ledger (PV, wind, storage): "
          + ", ".join(f"{k} {fmt_number(m)} MW ({c})" for k, _, m, c in parts) + f"; sources: {src}")
    inst = next(((m, c) for k, _, m, c in parts if k == "installed"), (0.0, 0))
    return [StatusItem("projects", zh, en, False, f"已投产 {fmt_number(inst[0])} MW（{inst[1]} 项，装机台账）",
                       f"Installed {fmt_number(inst[0])} MW ({inst[1]} records, capacity ledger)")]


def _denominators(result: PlanResult) -> list[StatusItem]:
    """Return the official denominators (land area, mainland coastline) of the accounting step's data status."""
    ds = result.tables.get("data_status")
    if ds is None or not len(ds) or "item" not in ds.columns:
        return []
    out = []
    for r in ds[ds["item"].isin(DENOMINATOR_ITEMS)].to_dict("records"):
        detail = _short(r.get("detail", ""))
        out.append(StatusItem("denominators", f"{r.get('item_zh', r['item'])}（{r.get('status', '')}）：{detail}",
                              f"{str(r['item']).capitalize()} ({r.get('status', '')}): {detail}", False))
    return out


def _projects(result: PlanResult) -> list[StatusItem]:
    ledger = _ledger(result)
    if ledger:
        return ledger
    proj = result.layers.layers.get("project")
    if proj is None or not len(proj):
        return [StatusItem("projects", "计入装机：无项目图层，已建与在建容量为零",
                           "Counted capacity: no project layer, so nothing counts as built or under construction",
                           True)]
    by_status = Counter(str(s) for s in proj["status"].fillna("unknown")) if "status" in proj.columns else Counter()
    mw = pd.to_numeric(proj.get("capacity_mw", pd.Series(dtype=float)), errors="coerce").sum()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    sources = Counter(_short(s) for s in proj["source"].dropna()) if "source" in proj.columns else Counter()
    src = "; ".join(f"{s} ({n})" for s, n in sources.most_common(3)) or "no source given 未注明来源"
    years = pd.to_numeric(proj.get("year", pd.Series(dtype=float)), errors="coerce").dropna()
    span = (f"{int(years.min())}–{int(years.max())}" if years.min() != years.max() else f"{int(years.min())}") \
        if len(years) else "–"
    texts = " ".join(str(s) for s in proj["source"].dropna()) if "source" in proj.columns else ""
    caution = any(w in texts for w in ILLUSTRATIVE_WORDS) or "not verified" in texts or not sources
    zh = f"计入装机依据项目图层 {len(proj)} 个项目（{fmt_number(mw)} MW；{statuses}；年份 {span}），来源：{src}"
    en = (f"Counted capacity rests on the project layer: {len(proj)} projects ({fmt_number(mw)} MW; {statuses}; "
          f"years {span}), source: {src}")
    verified = "未核实 not verified" if "not verified" in texts else ""
    bzh = f"计入装机：项目图层 {len(proj)} 个项目 {fmt_number(mw)} MW（{span}）" + ("，未核实" if verified else "")
    ben = f"Counted: {len(proj)} projects, {fmt_number(mw)} MW ({span})" + (", not verified" if verified else "")
    if any(w in texts for w in ILLUSTRATIVE_WORDS):
        bzh += "，示意位置"
        ben += ", illustrative placements"
    return [StatusItem("projects", zh, en, caution, bzh, ben)]


def _registries(result: PlanResult) -> list[StatusItem]:
    out = []
    for name, df in result.tables.items():
        if "registry" not in df.columns or not len(df) or name == "capacity_ledger":  # the ledger has its own item
            continue
        regs = Counter(str(r) for r in df["registry"].dropna())
        text = "; ".join(f"{r} ({n})" for r, n in regs.most_common(4))
        out.append(StatusItem("registry", f"登记库（{name}）：{text}", f"Registry ({name}): {text}", False))
    return out


def _sample_layers(result: PlanResult) -> list[StatusItem]:
    kinds = []
    for kind, gdf in result.layers.layers.items():
        if "source" in gdf.columns and len(gdf):
            src = gdf["source"].astype("string").fillna("")
            if src.str.contains("|".join(ILLUSTRATIVE_WORDS), regex=True).any():
                kinds.append(kind)
    if not kinds:
        return []
    zh = "、".join(LAYER_KINDS[k].zh if k in LAYER_KINDS else k for k in kinds)
    en = ", ".join(LAYER_KINDS[k].en if k in LAYER_KINDS else k for k in kinds)
    return [StatusItem("sample", f"示例图层（示意位置，非测绘数据）：{zh}",
                       f"Sample layers (illustrative placements, not surveyed): {en}", True,
                       f"示例图层 {len(kinds)} 类：示意位置，非测绘数据",
                       f"{len(kinds)} sample layers: illustrative, not surveyed")]


def _weather(result: PlanResult) -> list[StatusItem]:
    ws = result.tables.get("weather_summary")
    if ws is None or not len(ws):
        return []
    ghi = pd.to_numeric(ws.get("ghi_kwh_per_m2_yr", pd.Series(dtype=float)), errors="coerce").dropna()
    span = f"{fmt_number(ghi.min())}–{fmt_number(ghi.max())} kWh/m²/yr" if len(ghi) else "–"
    stand_in = "stand_in" in ws.columns and ws["stand_in"].astype(str).str.lower().isin(["true", "1"]).any()
    src = _short(ws["source"].dropna().iloc[0]) if "source" in ws.columns and ws["source"].notna().any() else ""
    if stand_in:
        return [StatusItem("weather", f"光伏气象为替代年，非实测（年总辐射 {span}）：{src}",
                           f"PV weather is a STAND-IN year, not measured (annual GHI {span}): {src}", True,
                           "光伏气象：替代年，非实测", "PV weather: stand-in year, not measured")]
    return [StatusItem("weather", f"光伏气象：{src}（年总辐射 {span}）", f"PV weather: {src} (annual GHI {span})",
                       False)]


def _wind(result: PlanResult) -> list[StatusItem]:
    wz = result.tables.get("wind_zones")
    if wz is None or not len(wz) or "resource_source" not in wz.columns:
        return []
    # one line per resource, not per surface: "region default 'binhai' (sea), ASSUMPTION" -> without "(sea)"
    srcs = sorted({re.sub(r"\s*\((land|sea|tidal_flat|breakwater|offshore_zone)\)", "", str(s))
                   for s in wz["resource_source"].dropna()})
    assumed = any("ASSUMPTION" in s.upper() or "假设" in s for s in srcs)
    text = "; ".join(_short(s) for s in srcs[:3])
    if assumed:
        return [StatusItem("wind", f"风资源为假设值，非实测：{text}", f"Wind resource is ASSUMED, not measured: {text}",
                           True, "风资源：假设值，非实测", "Wind resource: assumed, not measured")]
    return [StatusItem("wind", f"风资源：{text}", f"Wind resource: {text}", False)]


def _verdicts(result: PlanResult) -> list[StatusItem]:
    t = result.targets
    if not len(t) or "status" not in t.columns:
        return []
    shown = [target_status(s) for s in t["status"]]
    counts = Counter(s.en for s in shown)
    order = [s.en for s in TARGET_STATUSES.values()]
    parts = sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    zh_of = {s.en: s.zh for s in TARGET_STATUSES.values()}
    zh = "，".join(f"{zh_of.get(k, k)} {n}" for k, n in parts)
    en = ", ".join(f"{n} {k}" for k, n in parts)
    out = [StatusItem("verdicts", f"{len(t)} 项目标：{zh}", f"{len(t)} targets: {en}", False)]
    ind = [r for r, s in zip(t.to_dict("records"), shown, strict=True) if s.css == "indicative"]
    if ind:
        names_zh = "、".join(str(r.get("description_zh", r.get("target_id"))) for r in ind)
        names_en = ", ".join(str(r.get("description", r.get("target_id"))) for r in ind)
        out.append(StatusItem("verdicts", f"示意性结论（依据示例或假设数据）：{names_zh}",
                              f"Indicative verdicts (resting on sample or assumed data): {names_en}", True,
                              f"示意性结论 {len(ind)} 项：{names_zh}", f"{len(ind)} indicative verdicts"))
    return out


def data_status(result: PlanResult) -> list[StatusItem]:
    """Return the data status of a plan run (see the module docstring), in reading order.

    Parameters
    ----------
    result : PlanResult
        The computed plan: its layers (``project`` and every layer's ``source``), its tables
        (``weather_summary``, ``wind_zones``, any table with a ``registry`` column) and its targets.

    Returns
    -------
    list of StatusItem
        Empty parts are left out (no weather table: no weather line).
    """
    return [*_projects(result), *_registries(result), *_denominators(result), *_sample_layers(result),
            *_weather(result), *_wind(result), *_verdicts(result)]


def status_html(items: Sequence[StatusItem], *, heading: str = "h3") -> str:
    """Return the data status as an HTML block (class ``bhg-status-block``; cautions marked ⚠)."""
    if not items:
        return ""
    lis = "".join(
        f"<li class='{'caution' if it.caution else 'plain'}' data-status-key='{esc(it.key)}'>"
        f"{'⚠ ' if it.caution else ''}{esc(it.zh)}<br><span class='en'>{esc(it.en)}</span></li>"
        for it in items
    )
    return (f"<div class='bhg-data-status' data-role='data-status'><{heading}>数据状况 Data status "
            f"<span class='en'>(结论依据 what the verdicts rest on)</span></{heading}><ul>{lis}</ul></div>")


def status_lines(items: Sequence[StatusItem]) -> list[str]:
    """Return the data status as plain lines, Chinese then English, cautions first (for the print maps)."""
    ordered = sorted(items, key=lambda it: not it.caution)
    return [f"{'⚠ ' if it.caution else ''}{it.zh} / {it.en}" for it in ordered]
