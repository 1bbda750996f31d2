"""Static print maps (PNG and PDF, matplotlib), one per theme.

Each map is drawn in the region's projected analysis CRS (metres, so the scale bar is exact) on an
A4 or A3 landscape page: the base map (sea, land, sea area, sub-districts, coastline, district
boundary), the theme's layers with the atlas's styles (one style source:
:mod:`binhai_geo.deliverables.registry`), a bilingual title, a legend, a scale bar, a north arrow
(grid north, with the meridian convergence stated), a CRS note, the data credits and the run's
first notes, and an inset locating the district (its land and boundary in longitude/latitude with
Beijing and Tianjin city centres marked).

The scale bar and north arrow are drawn with matplotlib primitives rather than with a further
package (``matplotlib-scalebar``): both are a few lines in a metric CRS, and no dependency is added.
Chinese text needs a CJK font (:mod:`binhai_geo.deliverables.fonts`); without one no print map is
drawn (the caller says why) rather than maps with empty boxes for every Chinese character.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.deliverables.datastatus import data_status
from binhai_geo.deliverables.fonts import CjkFont, rc_params
from binhai_geo.deliverables.formatting import fmt, fmt_number, gap_and_surplus
from binhai_geo.deliverables.maplayers import Choropleth, Overlay
from binhai_geo.deliverables.notes import render_all
from binhai_geo.deliverables.registry import KIND_STYLES, PRINT_THEMES, SITE_LAYERS, THEME_LABELS
from binhai_geo.deliverables.styling import classify
from binhai_geo.deliverables.textfit import fit_block, fit_text, text_height, wrap_display
from binhai_geo.layermodel import LAYER_KINDS

if TYPE_CHECKING:
    from binhai_geo.result import PlanResult

#: Page sizes, landscape [inch].
PAGES = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}

#: Places marked on the inset (longitude, latitude in degrees, WGS84): city centres.
INSET_PLACES = (("北京 Beijing", 116.407, 39.904, "left"), ("天津 Tianjin", 117.200, 39.125, "right"))
#: Extent of the inset (west, south, east, north) [degrees].
INSET_EXTENT = (115.8, 38.2, 119.0, 40.3)

#: Footer box below the map (top, bottom, gap between blocks) [figure fraction].
FOOTER_BOX = (0.094, 0.006, 0.004)
#: Font scales tried, largest first, until the footer's blocks fit its box.
FOOTER_SCALES = (1.0, 0.93, 0.86, 0.8)
#: Longest legend label line [display columns, an ideograph counting 2] by number of legend columns.
LEGEND_LABEL_COLUMNS = {1: 56, 2: 30}

SEA = "#d4e6f1"
#: Outside the region pack's data (neither land nor sea is known there).
NO_DATA = "#ececec"
_BASE_KINDS = ("land", "sea_area", "subdistrict", "coastline", "boundary")


@dataclass
class PrintMap:
    """One rendered print map: theme and the file bytes by format (``png``, ``pdf``)."""

    theme: str
    files: dict[str, bytes]


def _mpl_style(style: dict[str, Any], family: str) -> dict[str, Any]:
    """Translate Leaflet path options to matplotlib keyword arguments for GeoPandas plotting."""
    color = style.get("color", "#333")
    weight = float(style.get("weight", 1.0))
    ls = (0, (4, 3)) if style.get("dashArray") else "solid"
    if family == "point":
        return {"color": style.get("fillColor", color), "edgecolor": color, "linewidth": 0.6,
                "markersize": max(float(style.get("radius", 4)), 2) ** 2 * 1.6}
    if family == "line":
        return {"color": color, "linewidth": weight * 0.7, "linestyle": ls}
    if style.get("fill") is False:
        return {"facecolor": "none", "edgecolor": color, "linewidth": weight * 0.7, "linestyle": ls}
    from matplotlib.colors import to_rgba

    face = to_rgba(style.get("fillColor", color), float(style.get("fillOpacity", 0.2)))
    return {"facecolor": face, "edgecolor": color, "linewidth": max(weight * 0.55, 0.3), "linestyle": ls}


def _family(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna().unique())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def _handle(style: dict[str, Any], family: str, label: str) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    kw = _mpl_style(style, family)
    if family == "point":
        return Line2D([], [], marker="o", linestyle="none", markerfacecolor=kw["color"],
                      markeredgecolor=kw["edgecolor"], markersize=6, label=label)
    if "facecolor" not in kw or kw["facecolor"] == "none":
        edge = kw.get("color", kw.get("edgecolor"))
        return Line2D([], [], color=edge, linewidth=max(kw["linewidth"], 1.0), linestyle=kw["linestyle"],
                      label=label)
    return Patch(facecolor=kw["facecolor"], edgecolor=kw["edgecolor"], linewidth=kw["linewidth"],
                 linestyle=kw["linestyle"], label=label)


def _draw(ax: Any, gdf: gpd.GeoDataFrame, style: dict[str, Any], zorder: float) -> str:
    g = gdf.loc[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    fam = _family(g) if len(g) else "polygon"
    if len(g):
        g.plot(ax=ax, zorder=zorder, **_mpl_style(style, fam))
    return fam


def _nice_length_m(width_m: float) -> float:
    target = width_m / 5
    exp = 10 ** math.floor(math.log10(target))
    for m in (1, 2, 5, 10):
        if m * exp >= target * 0.7:
            return m * exp
    return 10 * exp


def _scale_bar(ax: Any, extent: tuple[float, float, float, float]) -> None:
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = extent
    length = _nice_length_m(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.012
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * length / 4, by), length / 4, h, facecolor="#222" if i % 2 == 0 else "white",
                               edgecolor="#222", linewidth=0.6, zorder=20))
    unit, div = ("km", 1000) if length >= 1000 else ("m", 1)
    for frac in (0, 0.5, 1):
        ax.text(bx + frac * length, by + h * 1.6, f"{frac * length / div:g}", ha="center", va="bottom", fontsize=7,
                zorder=20)
    ax.text(bx + length + (x1 - x0) * 0.01, by + h / 2, unit, va="center", fontsize=7.5, zorder=20)


def _north_arrow(ax: Any) -> None:
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.86), xycoords="axes fraction",
                arrowprops={"facecolor": "#222", "edgecolor": "#222", "width": 3.5, "headwidth": 11, "headlength": 11},
                zorder=21)
    ax.text(0.955, 0.955, "N 北", transform=ax.transAxes, ha="center", va="bottom", fontsize=9, zorder=21)


def _inset(fig: Any, rect: Sequence[float], land_ll: gpd.GeoDataFrame | None, boundary_ll: gpd.GeoDataFrame | None,
           frame_ll: Any) -> None:
    ax = fig.add_axes(rect)
    ax.set_facecolor(SEA)
    w, s, e, n = INSET_EXTENT
    ax.add_patch(_rect(w, s, e, n, NO_DATA))  # outside the region pack: no data, neutral
    if land_ll is not None and len(land_ll):
        region = shapely.box(*land_ll.total_bounds)
        gpd.GeoSeries([region], crs=4326).plot(ax=ax, facecolor=SEA, edgecolor="none")
        land_ll.plot(ax=ax, facecolor="#f5f2e9", edgecolor="#b8ae93", linewidth=0.3)
    if boundary_ll is not None and len(boundary_ll):
        boundary_ll.plot(ax=ax, facecolor="#e53935", edgecolor="#b71c1c", linewidth=0.5, alpha=0.85)
    gpd.GeoSeries([frame_ll], crs=4326).boundary.plot(ax=ax, color="#111", linewidth=0.8)
    for label, lon, lat, ha in INSET_PLACES:
        ax.plot(lon, lat, marker="s", markersize=3.5, color="#333")
        ax.text(lon + (0.07 if ha == "left" else -0.07), lat + 0.05, label, fontsize=6.5, ha=ha)
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / math.cos(math.radians((s + n) / 2)))
    ax.set_xticks([116, 117, 118, 119], ["116°E", "117°E", "118°E", "119°E"], fontsize=5.5)
    ax.set_yticks([39, 40], ["39°N", "40°N"], fontsize=5.5)
    ax.tick_params(length=2, pad=1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title("位置 Location", fontsize=7.5, pad=2)


def _rect(w: float, s: float, e: float, n: float, color: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((w, s), e - w, n - s, facecolor=color, edgecolor="none", zorder=0)


def _theme_content(theme: str, result: PlanResult, overlays: Sequence[Overlay], choropleths: Sequence[Choropleth]
                   ) -> list[tuple[str, gpd.GeoDataFrame, dict[str, Any], list]]:
    """Return (label, frame, style, variants) of every layer the theme's print map draws, in drawing order."""
    from binhai_geo.layermodel import LAYER_KINDS

    shows = PRINT_THEMES[theme]
    out: list[tuple[str, gpd.GeoDataFrame, dict[str, Any], list]] = []
    layers = result.layers.layers
    for kind, ks in KIND_STYLES.items():
        if ks.theme in shows and kind in layers and len(layers[kind]):
            out.append((LAYER_KINDS[kind].label, layers[kind], ks.style, list(ks.variants)))
    if "energy" in shows and len(result.sites):
        tech = result.sites["technology"].astype("string").str.lower().fillna("none")
        tech = tech.where(tech.isin(["pv", "wind"]), "none")
        for key, zh, en, style in SITE_LAYERS:
            part = result.sites.loc[(tech == key).to_numpy()]
            if len(part):
                out.append((f"{zh} {en}", part, style, []))
    for ov in overlays:
        if ov.theme in shows and len(ov.gdf):
            out.append((ov.label, ov.gdf, ov.style, list(ov.variants)))
    return out


def _choropleth_frame(result: PlanResult, ch: Choropleth) -> gpd.GeoDataFrame:
    sub = result.layers.layers["subdistrict"]
    vals = []
    for _, row in sub.iterrows():
        a, b = row.get("name", ""), row.get("name_zh", "")
        keys = [str(a), str(b), f"{a} {b}", f"{b} {a}"]
        vals.append(next((ch.values[k] for k in keys if k in ch.values), np.nan))
    return sub.assign(value=np.asarray(vals, dtype=float))


def render_print_map(result: PlanResult, theme: str, font: CjkFont, *, overlays: Sequence[Overlay],
                     choropleths: Sequence[Choropleth], formats: Sequence[str] = ("png", "pdf"),
                     dpi: int = 150, paper: str = "A4") -> PrintMap | None:
    """Render the print map of ``theme``; ``None`` when the theme has nothing to show.

    Parameters
    ----------
    result : PlanResult
        The computed plan (layers in the analysis CRS).
    theme : str
        A key of :data:`~binhai_geo.deliverables.registry.PRINT_THEMES`.
    font : CjkFont
        The font for Chinese text.
    overlays, choropleths : sequence
        The engine layers and per-sub-district figures (as for the atlas); the ``targets`` map draws
        the first choropleth.
    formats : sequence of {"png", "pdf"}
        Files to render.
    dpi : int
        PNG resolution.
    paper : {"A4", "A3"}
        Landscape page size.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    content = _theme_content(theme, result, overlays, choropleths)
    chosen = choropleths[0] if (theme == "targets" and choropleths) else None
    capacity = _capacity_rows(result) if theme == "targets" else []
    if not content and chosen is None:
        return None
    layers = result.layers.layers
    crs = result.workflow.region.analysis_crs
    with plt.rc_context(rc_params(font)):
        fig = plt.figure(figsize=PAGES[paper], dpi=dpi)
        # GeoPandas asks for a redraw after every layer (canvas.draw_idle), which on a non-interactive
        # canvas is a full draw of the page: about 0.1 s per layer for nothing. Draw once, when saving.
        fig.canvas.draw_idle = lambda *args, **kwargs: None
        ax = fig.add_axes((0.03, 0.10, 0.66, 0.76))
        ax.set_facecolor(NO_DATA)
        region = [layers[k].to_crs(crs).total_bounds for k in ("land", "sea_area") if k in layers and len(layers[k])]
        if region:
            rb = np.array(region)
            ax.add_patch(_rect(rb[:, 0].min(), rb[:, 1].min(), rb[:, 2].max(), rb[:, 3].max(), SEA))
        extent = _extent(layers, content, crs, paper)
        handles: list = []
        z = 1.0
        for kind in ("land", "sea_area"):
            if kind in layers and len(layers[kind]):
                _draw(ax, layers[kind].to_crs(crs), KIND_STYLES[kind].style, z)
                z += 1
        if chosen is not None:
            handles += _draw_choropleth(ax, result, chosen, capacity, crs, z)
            z += 1
        for label, gdf, style, variants in content:
            handles += _draw_styled(ax, gdf.to_crs(crs), style, variants, label, z)
            z += 1
        for kind in ("subdistrict", "coastline", "boundary"):
            if kind in layers and len(layers[kind]):
                ks = KIND_STYLES[kind]
                handles += _draw_styled(ax, layers[kind].to_crs(crs), ks.style, ks.variants, LAYER_KINDS[kind].label,
                                        z)
                z += 1
        x0, y0, x1, y1 = extent
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        _scale_bar(ax, extent)
        _north_arrow(ax)
        _page_heading(fig, result, theme, chosen, capacity, handles)
        _page_footer(fig, result, crs, extent)
        files: dict[str, bytes] = {}
        for fmt in formats:
            buf = io.BytesIO()
            meta = {"Software": None} if fmt == "png" else {"Creator": None, "Producer": None, "CreationDate": None}
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
            files[fmt] = buf.getvalue()
        plt.close(fig)
    return PrintMap(theme, files)


def _extent(layers: dict, content: list, crs: object, paper: str) -> tuple[float, float, float, float]:
    """Return the map's extent: the boundary (else all drawn), padded, widened to the axes' aspect [CRS units]."""
    frames = [layers[k] for k in ("boundary",) if k in layers and len(layers[k])] or [c[1] for c in content]
    bounds = np.array([f.to_crs(crs).total_bounds for f in frames])
    x0, y0, x1, y1 = bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    pad = 0.04 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    # Keep the axes' aspect: widen the shorter side.
    box_w, box_h = 0.66 * PAGES[paper][0], 0.76 * PAGES[paper][1]
    if (x1 - x0) / (y1 - y0) < box_w / box_h:
        extra = (y1 - y0) * box_w / box_h - (x1 - x0)
        x0, x1 = x0 - extra / 2, x1 + extra / 2
    else:
        extra = (x1 - x0) * box_h / box_w - (y1 - y0)
        y0, y1 = y0 - extra / 2, y1 + extra / 2
    return x0, y0, x1, y1


def _draw_choropleth(ax: Any, result: PlanResult, chosen: Choropleth, capacity: list[dict[str, Any]], crs: object,
                     z: float) -> list:
    """Draw the sub-districts coloured by the chosen figure, each labelled; return the legend handles."""
    handles = []
    g = _choropleth_frame(result, chosen).to_crs(crs)
    classes = classify(g["value"].to_numpy(), chosen.palette)
    idx = classes.index(g["value"].to_numpy())
    g["_color"] = [classes.colors[i] if i >= 0 else "#dddddd" for i in idx]
    g.plot(ax=ax, color=g["_color"].tolist(), edgecolor="#555", linewidth=0.5, alpha=0.85, zorder=z)
    for label, c in zip(classes.labels, classes.colors, strict=True):
        handles.append(_handle({"color": "#555", "fillColor": c, "fillOpacity": 0.85, "weight": 0.8},
                               "polygon", f"{label} {chosen.unit}".strip()))
    if (idx < 0).any():
        handles.append(_handle({"color": "#555", "fillColor": "#dddddd", "fillOpacity": 0.85, "weight": 0.8},
                               "polygon", "无数据 No data"))
    by_area = _counted_by_subdistrict(capacity)
    for _, row in g.iterrows():
        p = row.geometry.representative_point()
        v = row["value"]
        name_zh, name = row.get("name_zh", "") or "", row.get("name", "") or ""
        lines = by_area.get(str(name)) or by_area.get(str(name_zh))
        text = "\n".join(lines) if lines else (
            f"{'–' if not np.isfinite(v) else fmt_number(float(v))} {chosen.unit}")
        ax.text(p.x, p.y, f"{name_zh or name}\n{text}", ha="center", va="center",
                fontsize=7.0, zorder=30, bbox={"facecolor": "white", "alpha": 0.78, "edgecolor": "none",
                                               "pad": 1.5})
    return handles


def _draw_styled(ax: Any, g: gpd.GeoDataFrame, style: dict, variants: Sequence, label: str, z: float) -> list:
    """Draw a layer in its style, then its variants (features of one field value) over it; return the handles."""
    fam = _draw(ax, g, style, z)
    handles = [_handle(style, fam, label)]
    for v in variants:
        if v.field in g.columns:
            part = g.loc[g[v.field].astype(object).eq(v.value).to_numpy()]
            vstyle = {**style, **v.style}
            if len(part):
                _draw(ax, part, vstyle, z + 0.5)
            handles.append(_handle(vstyle, fam, f"{v.label[0]} {v.label[1]}"))
    return handles


def _page_heading(fig: Any, result: PlanResult, theme: str, chosen: Choropleth | None,
                  capacity: list[dict[str, Any]], handles: list) -> None:
    """Title, data-status line, the capacity table of the targets map and the legend."""
    wf = result.workflow.spec.workflow
    tzh, ten = THEME_LABELS[theme]
    fig.text(0.03, 0.955, f"{wf.title_zh} · {tzh}", fontsize=15, va="top")
    fig.text(0.03, 0.915, f"{wf.title} · {ten}", fontsize=10, va="top", color="#333")
    status = [it for it in data_status(result) if it.caution]
    if status:
        line = "⚠ 数据状况 Data status: " + "；".join(it.brief_zh or it.zh for it in status) + " / " + "; ".join(
            it.brief_en or it.en for it in status)
        fit_block(fig, 0.03, 0.889, 0.862, line, 0.94, (6.6, 6.2, 5.8), color="#6d4c00")
    leg_title = "图例 Legend"
    if chosen is not None:
        leg_title += "\n" + wrap_display(chosen.label, 34)
    if capacity:
        _capacity_table(fig, (0.71, 0.40, 0.26, 0.2), capacity)
    lax = fig.add_axes((0.71, 0.62, 0.27, 0.24) if capacity else (0.71, 0.40, 0.27, 0.46))
    lax.axis("off")
    ncol = 1 if len(handles) <= 16 else 2
    _legend(fig, lax, handles, leg_title, ncol)


def _legend(fig: Any, lax: Any, handles: list, title: str, ncol: int) -> None:
    """Draw the legend with long labels on two lines, its font shrunk until it ends inside the page."""
    cols = LEGEND_LABEL_COLUMNS[ncol]
    for h in handles:
        h.set_label(wrap_display(h.get_label(), cols))
    renderer = fig.canvas.get_renderer()
    for size in ((7.2, 6.8, 6.4, 6.0) if ncol == 1 else (6.2, 5.9, 5.6, 5.3)):
        leg = lax.legend(handles=handles, loc="upper left", fontsize=size, title=title, title_fontsize=8.5,
                         frameon=False, ncol=ncol, alignment="left", handlelength=1.8)
        if leg.get_window_extent(renderer).x1 <= 0.99 * fig.bbox.width:
            return


def _page_footer(fig: Any, result: PlanResult, crs: Any, extent: tuple[float, float, float, float]) -> None:
    """Locator inset, the CRS and grid-north note, data credits and the first notes."""
    x0, y0, x1, y1 = extent
    ll = result.layers.layers
    land_ll = ll["land"].to_crs(4326) if "land" in ll and len(ll["land"]) else None
    boundary_ll = ll["boundary"].to_crs(4326) if "boundary" in ll and len(ll["boundary"]) else None
    frame_ll = gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=crs).to_crs(4326).iloc[0]
    _inset(fig, (0.73, 0.115, 0.23, 0.25), land_ll, boundary_ll, frame_ll)

    conv = _convergence_deg(crs, (x0 + x1) / 2, (y0 + y1) / 2)
    crs_note = (f"坐标系 CRS: {crs.name} ({crs.to_string()}); 上方为坐标北 grid north "
                f"(子午线收敛角 meridian convergence {conv:+.2f}°)")
    credits = " | ".join(result.workflow.region.spec.credits)
    notes = " ".join(render_all(result.notes[:2]))
    data = f"数据来源 Data: {credits}; 灰色 grey: 区域数据范围外 outside the region's data"
    _stack_footer(fig, crs_note, data, f"说明 Notes: {notes}")


def _stack_footer(fig: Any, crs_note: str, data: str, notes: str) -> None:
    """Stack the CRS note, the credits and the notes below the map, each below the last one's measured height.

    The three blocks shrink together (font scale 1 to 0.8) until they fit between the map and the
    page's foot; the credits (licence attribution) are never cut, the notes are cut with "see report"
    only when they still do not fit at the smallest scale.
    """
    top, bottom, gap = FOOTER_BOX
    for scale in FOOTER_SCALES:
        placed, y = [], top
        for text, size, color in ((crs_note, 6.5, "#333"), (data, 6.2, "#333")):
            placed.append(fit_text(fig, 0.03, y, text, 0.94, size * scale, va="top", color=color))
            y -= text_height(fig, placed[-1]) + gap
        last = scale == FOOTER_SCALES[-1]
        placed.append(fit_block(fig, 0.03, y, bottom, notes, 0.94, (6.0 * scale,), truncate=last,
                                color="#6d4c00"))
        if last or y - text_height(fig, placed[-1]) >= bottom:
            return
        for artist in placed:
            artist.remove()


#: Short names of the capacity targets on the targets print map (target id -> 中文, English).
CAPACITY_TARGETS = {"pv_capacity": ("光伏", "PV"), "wind_capacity": ("风电", "Wind"),
                    "renewable_capacity": ("可再生", "Renewables"), "storage_capacity": ("储能", "Storage")}


def _capacity_rows(result: PlanResult) -> list[dict[str, Any]]:
    """Return the capacity targets of the conformance table [MW].

    Each: district required, counted, gap and surplus (as :func:`gap_and_surplus` reads them) and the
    capacity counted in each sub-district.
    """
    conf = result.tables.get("conformance")
    if conf is None or not len(conf) or not {"target_id", "area", "counted"} <= set(conf.columns):
        return []
    out = []
    for tid, (zh, en) in CAPACITY_TARGETS.items():
        part = conf.loc[conf["target_id"] == tid]
        if not len(part):
            continue
        district = part.loc[part["area"] == "district"]
        rec = district.iloc[0].to_dict() if len(district) else {}
        gap, surplus = gap_and_surplus(rec)
        subs = {str(r["area"]): r.get("counted") for r in part.to_dict("records") if r["area"] != "district"}
        zh_of = dict(zip(part["area"].astype(str), part.get("area_zh", part["area"]).astype(str), strict=True))
        out.append({"target_id": tid, "zh": zh, "en": en, "required": rec.get("required"),
                    "counted": rec.get("counted"), "gap": gap, "surplus": surplus, "subdistricts": subs,
                    "zh_of": zh_of})
    return out


def _counted_by_subdistrict(rows: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Return label lines per sub-district (English and Chinese name): ``光伏 3,600 MW`` for each target."""
    out: dict[str, list[str]] = {}
    for r in rows:
        for area, value in r["subdistricts"].items():
            line = f"{r['zh']} {fmt(value, 'float')} MW"
            out.setdefault(area, []).append(line)
            out.setdefault(r["zh_of"].get(area, area), out[area])
    return out


def _capacity_table(fig: Any, rect: Sequence[float], rows: Sequence[dict[str, Any]]) -> None:
    """Draw the table of the capacity targets: required, counted, gap and surplus for the district [MW]."""
    ax = fig.add_axes(rect)
    ax.axis("off")
    header = ["目标\nTarget", "要求\nRequired", "已计入\nCounted", "差距\nGap", "超出\nSurplus"]
    cells = [[f"{r['zh']} {r['en']}", fmt(r["required"], "float"), fmt(r["counted"], "float"), fmt(r["gap"], "float"),
              fmt(r["surplus"], "float")] for r in rows]
    ax.set_title("容量目标（全区，MW）Capacity targets (district, MW)\n地图标注：各分区已计入容量 "
                 "Map labels: capacity counted per sub-district", fontsize=7.2, loc="left", pad=2)
    table = ax.table(cellText=cells, colLabels=header, loc="upper left", cellLoc="right", colLoc="center",
                     colWidths=[0.3, 0.175, 0.175, 0.175, 0.175])
    table.auto_set_font_size(False)
    table.set_fontsize(6.2)
    table.scale(1.0, 1.3)
    for (i, j), cell in table.get_celld().items():
        if i == 0:
            cell.set_height(cell.get_height() * 1.6)
        cell.set_edgecolor("#bbbbbb")
        cell.set_linewidth(0.4)
        if i == 0:
            cell.set_facecolor("#eef2ee")
        if j == 0:
            cell.set_text_props(ha="left")


def _convergence_deg(crs: Any, x: float, y: float) -> float:
    from pyproj import Proj, Transformer

    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    return float(Proj(crs).get_factors(lon, lat).meridian_convergence)


def print_maps(result: PlanResult, font: CjkFont, *, overlays: Sequence[Overlay], choropleths: Sequence[Choropleth],
               themes: Sequence[str] | None = None, formats: Sequence[str] = ("png", "pdf"), dpi: int = 150,
               paper: str = "A4") -> list[PrintMap]:
    """Render the print map of each theme that has something to show (see :func:`render_print_map`)."""
    out = []
    for theme in themes or list(PRINT_THEMES):
        pm = render_print_map(result, theme, font, overlays=overlays, choropleths=choropleths, formats=formats,
                              dpi=dpi, paper=paper)
        if pm is not None:
            out.append(pm)
    return out


__all__ = ["PrintMap", "print_maps", "render_print_map"]
