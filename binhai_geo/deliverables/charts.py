"""Report charts (matplotlib), returned as inline SVG text with bilingual titles.

Each chart function takes the table it draws and returns SVG text (text drawn as paths, so the
report shows Chinese without any font on the reader's machine), or ``None`` when the table lacks
what the chart needs. :data:`CHARTS` maps the chart names of
:data:`binhai_geo.deliverables.registry.TABLES` to these functions.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from binhai_geo.deliverables.fonts import CjkFont, rc_params
from binhai_geo.deliverables.registry import TECH_LABELS, column

#: Colours by technology / series.
COLORS = {"pv": "#f9a825", "wind": "#1e88e5", "storage": "#8e24aa", "none": "#9e9e9e"}
_CYCLE = ("#2e7d32", "#1e88e5", "#f9a825", "#8e24aa", "#e53935", "#00897b", "#6d4c41", "#546e7a")


def _svg(fig: object) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # Unique ids per chart: several SVGs share one HTML page.
    return text


def _figure(font: CjkFont | None, size: tuple[float, float] = (7.5, 3.6)) -> tuple[object, object]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(rc_params(font)):
        fig, ax = plt.subplots(figsize=size, dpi=100)
    ax.grid(True, color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _render(font: CjkFont | None, draw: Callable[[], object]) -> str | None:
    import matplotlib.pyplot as plt

    with plt.rc_context(rc_params(font)):
        fig = draw()
        return None if fig is None else _svg(fig)


def capacity_vs_target(targets: pd.DataFrame, font: CjkFont | None) -> str | None:
    """Bars of computed capacity against each capacity target (targets in MW)."""
    t = targets[(targets["unit"] == "MW") & targets["required"].notna()]
    if not len(t):
        return None

    def draw() -> object:
        fig, ax = _figure(font, (7.5, 0.55 * len(t) + 1.3))
        y = np.arange(len(t))[::-1]
        computed = pd.to_numeric(t["computed"], errors="coerce").fillna(0).to_numpy()
        required = pd.to_numeric(t["required"], errors="coerce").to_numpy()
        palette = {"met": "#2e7d32", "on track": "#f9a825", "short": "#e65100", "indicative": "#78909c"}
        colors = [palette.get(s, "#9e9e9e") for s in t["status"]]
        ax.barh(y, computed, color=colors, height=0.55, label="测算 Computed")
        ax.scatter(required, y, marker="|", s=500, color="#111", linewidths=2.2, zorder=3, label="目标 Target")
        for yi, c, r in zip(y, computed, required, strict=True):
            ax.text(max(c, r) * 1.01, yi, f"{c:,.0f} / {r:,.0f} MW", va="center", fontsize=8.5)
        ax.set_yticks(y, [f"{zh}\n{en}" for zh, en in zip(t["description_zh"], t["description"], strict=True)],
                      fontsize=8.5)
        ax.set_xlabel("装机容量 Capacity (MW)")
        ax.set_xlim(0, max(computed.max(), np.nanmax(required)) * 1.3)
        ax.set_title("装机容量与规划目标 Capacity against the plan's targets", fontsize=11, loc="left")
        ax.legend(loc="lower right", fontsize=8.5, frameon=False)
        return fig

    return _render(font, draw)


def supply_curve(table: pd.DataFrame, font: CjkFont | None) -> str | None:
    """Step curve of LCOE against cumulative capacity, one curve per technology."""
    need = {"capacity_mw", "lcoe_cny_per_mwh"}
    if not need <= set(table.columns) or not len(table):
        return None

    def draw() -> object:
        fig, ax = _figure(font)
        techs = table["technology"] if "technology" in table.columns else pd.Series("all", index=table.index)
        for tech, part in table.groupby(techs, sort=True):
            part = part.dropna(subset=["lcoe_cny_per_mwh"]).sort_values("lcoe_cny_per_mwh")
            if not len(part):
                continue
            cum = part["capacity_mw"].cumsum().to_numpy()
            x = np.concatenate([[0], cum])
            yv = np.concatenate([part["lcoe_cny_per_mwh"].to_numpy(), part["lcoe_cny_per_mwh"].to_numpy()[-1:]])
            ax.step(x, yv, where="post", color=COLORS.get(str(tech), "#555"), linewidth=1.8,
                    label=TECH_LABELS.get(str(tech), str(tech)))
        ax.set_xlabel("累计装机 Cumulative capacity (MW)")
        ax.set_ylabel("平准化度电成本 LCOE (CNY/MWh)")
        ax.set_title("供给曲线 Supply curve", fontsize=11, loc="left")
        ax.legend(fontsize=8.5, frameon=False)
        return fig

    return _render(font, draw)


def forest_trend(table: pd.DataFrame, font: CjkFont | None, target_pct: float | None = None) -> str | None:
    """Forest cover by year, one line per sub-district (the district total bold), with the target."""
    if not {"year", "forest_cover_pct"} <= set(table.columns) or not len(table):
        return None

    def draw() -> object:
        fig, ax = _figure(font)
        groups = table.groupby("subdistrict", sort=False) if "subdistrict" in table.columns else [("", table)]
        for i, (name, part) in enumerate(groups):
            part = part.sort_values("year")
            total = bool(re.search(r"district|全区", str(name)))
            ax.plot(part["year"], part["forest_cover_pct"], color="#1b5e20" if total else _CYCLE[(i + 1) % 8],
                    linewidth=2.6 if total else 1.3, label=str(name) or "森林覆盖率 Forest cover")
        if target_pct is not None and np.isfinite(target_pct):
            ax.axhline(target_pct, color="#c62828", linestyle="--", linewidth=1.2,
                       label=f"目标 Target {target_pct:g}%")
        ax.set_xlabel("年份 Year")
        ax.set_ylabel("森林覆盖率 Forest cover (%)")
        ax.set_title("森林覆盖率趋势 Forest-cover trend", fontsize=11, loc="left")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return fig

    return _render(font, draw)


def _class_column(table: pd.DataFrame) -> str | None:
    return next((c for c in ("sink_class", "class", "layer_kind") if c in table.columns), None)


def sink_by_class(table: pd.DataFrame, font: CjkFont | None) -> str | None:
    """Annual sink by class with its low-high range (or area by class when no sink figures)."""
    cls = _class_column(table)
    if cls is None or not len(table):
        return None
    value = "tco2_per_yr" if "tco2_per_yr" in table.columns else "area_km2" if "area_km2" in table.columns else None
    if value is None:
        return None

    def draw() -> object:
        label_col = "name_zh" if "name_zh" in table.columns else None
        agg = table.groupby(cls, sort=False).agg(
            value=(value, "sum"),
            low=(f"{value}_low", "sum") if f"{value}_low" in table.columns else (value, "sum"),
            high=(f"{value}_high", "sum") if f"{value}_high" in table.columns else (value, "sum"),
            zh=(label_col, "first") if label_col else (value, "size"),
        ).sort_values("value")
        fig, ax = _figure(font, (7.5, 0.42 * len(agg) + 1.4))
        y = np.arange(len(agg))
        ax.barh(y, agg["value"], color="#43a047", height=0.6)
        if f"{value}_low" in table.columns:
            err = np.vstack([agg["value"] - agg["low"], agg["high"] - agg["value"]]).clip(min=0)
            ax.errorbar(agg["value"], y, xerr=err, fmt="none", ecolor="#333", capsize=3, linewidth=1)
        labels = [f"{z} {c}" if label_col and isinstance(z, str) else str(c) for c, z in zip(agg.index, agg["zh"],
                                                                                             strict=True)]
        ax.set_yticks(y, labels, fontsize=8.5)
        col = column(value)
        ax.set_xlabel(col.label)
        title = "年碳汇量（按类别，含范围） Annual sink by class, low-high" if value == "tco2_per_yr" else \
            "碳汇面积（按类别） Sink area by class"
        ax.set_title(title, fontsize=11, loc="left")
        return fig

    return _render(font, draw)


def sink_by_year(table: pd.DataFrame, font: CjkFont | None) -> str | None:
    """Total annual sink by year with its low-high band."""
    if not {"year", "tco2_per_yr"} <= set(table.columns) or not len(table):
        return None

    def draw() -> object:
        cols = [c for c in ("tco2_per_yr", "tco2_per_yr_low", "tco2_per_yr_high") if c in table.columns]
        by = table.groupby("year", sort=True)[cols].sum()
        fig, ax = _figure(font)
        ax.plot(by.index, by["tco2_per_yr"], color="#2e7d32", linewidth=2, label="中值 Central")
        if len(cols) == 3:
            ax.fill_between(by.index, by["tco2_per_yr_low"], by["tco2_per_yr_high"], color="#a5d6a7", alpha=0.5,
                            label="范围 Low-high")
        ax.set_xlabel("年份 Year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("年碳汇量 Sink (tCO2/yr)")
        ax.set_title("逐年碳汇 Carbon sink by year", fontsize=11, loc="left")
        ax.legend(fontsize=8.5, frameon=False)
        return fig

    return _render(font, draw)


#: Chart functions by the chart names of the table registry.
CHARTS: dict[str, Callable[..., str | None]] = {
    "supply_curve": supply_curve,
    "forest_trend": forest_trend,
    "sink_by_class": sink_by_class,
    "sink_by_year": sink_by_year,
}
