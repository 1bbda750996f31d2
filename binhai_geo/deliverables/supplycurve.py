"""The supply-curve chart: cumulative capacity against LCOE, as a PNG for the ``site`` command.

The engine returns the table (:func:`binhai_geo.siting.costs.supply_curve`); this module only draws it.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from binhai_geo.deliverables.fonts import NO_FONT_HINT, cjk_font, rc_params


def plot_supply_curve(curve: pd.DataFrame, title: str = "", font_file: str | Path | None = None) -> bytes:
    """Draw the supply curve (cumulative MW against LCOE, one step line per technology) as PNG bytes.

    Labels are Chinese and English when a font with Chinese glyphs is found
    (:func:`binhai_geo.deliverables.fonts.cjk_font`: ``font_file``, the mplfonts package, a system font),
    English only otherwise (said in the chart's footnote).

    Raises
    ------
    WorkflowError
        When ``font_file`` is given but missing or has no Chinese glyphs.
    """
    matplotlib.use("Agg")
    font = cjk_font(font_file)
    zh = font is not None
    with matplotlib.rc_context(rc_params(font)):
        fig = Figure(figsize=(8, 5), dpi=120)
        ax = fig.subplots()
        names = {"pv": "光伏 PV" if zh else "PV", "wind": "风电 Wind" if zh else "Wind"}
        for tech, colour in (("pv", "#e69f00"), ("wind", "#0072b2")):
            part = curve[curve["technology"] == tech].sort_values("lcoe_cny_per_mwh")
            if len(part) == 0:
                continue
            x = np.concatenate([[0.0], part["capacity_mw"].cumsum().to_numpy()])
            y = np.concatenate([part["lcoe_cny_per_mwh"].to_numpy(), part["lcoe_cny_per_mwh"].to_numpy()[-1:]])
            ax.step(x, y, where="post", color=colour, label=names[tech])
        if len(curve):
            x = np.concatenate([[0.0], curve["cumulative_mw"].to_numpy()])
            y = np.concatenate([curve["lcoe_cny_per_mwh"].to_numpy(), curve["lcoe_cny_per_mwh"].to_numpy()[-1:]])
            ax.step(x, y, where="post", color="black", lw=1.5, label="合计 All" if zh else "All")
        else:
            ax.text(0.5, 0.5, ("无年发电量数据，无法计算度电成本\n" if zh else "")
                    + "No site has annual energy yet: no LCOE", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel(("累计装机容量 " if zh else "") + "Cumulative capacity [MW]")
        ax.set_ylabel(("平准化度电成本 " if zh else "") + "LCOE [CNY/MWh]")
        ax.set_title(title or (("供给曲线 " if zh else "") + "Supply curve"))
        ax.grid(alpha=0.3)
        if len(curve):
            ax.legend()
        if not zh:
            fig.text(0.01, 0.01, f"No font with Chinese glyphs found: English labels only ({NO_FONT_HINT}).",
                     fontsize=6, wrap=True)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
