"""Self-contained web maps: one HTML file that renders with no network at all.

Planners open these maps on intranets without internet access, so a deliverable must not load
anything from a CDN or a tile server. :func:`build_map` draws the plan's layers on a plain
sea-coloured background (no tile layer): the ``land`` layer is a light land fill, so the coast shows
offline, and the ``boundary`` layer a dark outline. Every other layer is a styled overlay, toggled in
a layer control grouped by theme (:data:`binhai_geo.deliverables.registry.THEMES`). A bilingual
legend, a target dashboard (progress toward each plan target), choropleths per sub-district, a scale
bar, the data credits and the notes (for example that sample layers are illustrative) are part of
the map. Besides the layer kinds and the candidate sites, any number of further overlays
(:class:`Overlay`, for the engines' geo layers) and choropleths (:class:`Choropleth`) can be drawn.

A layer with more features than ``detail_max_features`` (say 100,000 rooftops) is drawn as counts
on a square grid in its projected CRS; from ``detail_min_zoom`` on, the features in view are drawn
one by one as points (their representative points, with their popups), so the file stays small and
the page fast. The map says so in its notes. (A square grid in the analysis CRS is used instead of
H3 cells: the cells have a stated size in metres, and no further dependency is needed.)

Online basemaps are optional (:class:`TileBasemap`, for Tianditu and AMap): a map with them is
rendered by :func:`to_offline_html` only with ``allow_tile_layers=True``, and ``shift`` moves every
drawn coordinate (for AMap, into GCJ-02 with :func:`binhai_geo.gcj02.geometries_to_gcj02`).

:func:`to_offline_html` renders the map with Leaflet's JavaScript, CSS and images inlined from the
installed ``xstatic-leaflet`` package and with folium's CDN links (jQuery, Bootstrap, Font Awesome,
awesome-markers) dropped; it refuses to return HTML that still references an outside resource.
:func:`write_map` writes that HTML atomically.
"""

from __future__ import annotations

import contextlib
import html
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element

from binhai_geo.deliverables.datastatus import StatusItem
from binhai_geo.deliverables.formatting import esc, to_js
from binhai_geo.deliverables.mapelements import HELPER_JS, MAP_CSS, HtmlControl, RawHtml, Script
from binhai_geo.deliverables.maplayers import (
    Choropleth,
    Drawn,
    DrawOptions,
    Overlay,
    TileBasemap,
    check_frame,
    choropleth_layers,
    kind_layer,
    overlay_layer,
    site_layers,
)
from binhai_geo.deliverables.offline import external_references, to_offline_html, write_map
from binhai_geo.deliverables.panels import dashboard_html, legend_html, target_rows, title_html
from binhai_geo.deliverables.registry import KIND_STYLES, THEMES
from binhai_geo.deliverables.styling import PANES, SEA_COLOR, Classes, classify
from binhai_geo.errors import LayerError
from binhai_geo.layermodel import LAYER_KINDS

#: Themes whose layers are shown one at a time (the choropleths by sub-district).
EXCLUSIVE_THEMES = frozenset({"targets"})

__all__ = [
    "Choropleth",
    "Classes",
    "Overlay",
    "TileBasemap",
    "build_map",
    "classify",
    "external_references",
    "to_offline_html",
    "write_map",
]

LEAFLET_CDN_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CDN_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"


@contextlib.contextmanager
def _sequential_ids() -> Iterator[None]:
    """Name map elements with a counter instead of random UUIDs while a map is built.

    folium/branca give every element a random id (``Element._generate_id``), and those ids appear in
    the page, so two builds of the same map would differ. A rerun on the same inputs must give the
    same file; branca offers no hook for this, so the id generator is swapped for the build only.
    """
    counter = itertools.count()
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{next(counter):08x}")  # type: ignore[method-assign]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]


@_sequential_ids()
def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    sites: gpd.GeoDataFrame,
    targets: pd.DataFrame,
    *,
    title: str,
    title_zh: str,
    credits: Sequence[str],
    notes: Sequence[str] = (),
    overlays: Sequence[Overlay] = (),
    choropleths: Sequence[Choropleth] = (),
    basemaps: Sequence[TileBasemap] = (),
    shift: Callable[[np.ndarray], np.ndarray] | None = None,
    detail_max_features: int = 3000,
    grid_cell_m: float = 1000.0,
    detail_min_zoom: int = 14,
    data_status: Sequence[StatusItem] = (),
) -> folium.Map:
    """Build the plan map: layers, sites, overlays, choropleths, legend, target dashboard, credits, notes.

    Without ``basemaps`` the map has no tile layer. Its background is sea-coloured and the ``land``
    layer is drawn as a light fill, so the coast is visible without any network; ``boundary`` is a
    dark outline. Every layer is an overlay toggled in a layer control grouped by theme and named
    in Chinese and English (``盐田 Salt pan``). Features show their attribute fields with bilingual
    labels in a popup; candidate sites show their figures (every column the sites table has). Points
    are drawn as circle markers, never as image icons.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer-kind name (a key of :data:`binhai_geo.layermodel.LAYER_KINDS`) to its features, in any
        CRS; they are reprojected to EPSG:4326. Only the kind's declared fields are shown (and
        embedded); other columns are left out to keep the file small.
    sites : geopandas.GeoDataFrame
        Candidate sites with at least ``site_id, technology, capacity_mw`` and a geometry; one
        overlay per technology (pv, wind, other). Every other column is shown in the popup (labels
        from :data:`binhai_geo.deliverables.registry.COLUMNS`). May be empty.
    targets : pandas.DataFrame
        Plan targets with columns ``target_id, description, description_zh, year, required, unit,
        comparison, computed, gap, status`` (status ``met``, ``short`` or ``not computed``), shown in
        the target dashboard. An empty table shows no dashboard.
    title, title_zh : str
        English and Chinese map title.
    credits : sequence of str
        Data credits, shown as plain text in the attribution line.
    notes : sequence of str, optional
        Notes shown under the title, for example that sample layers are illustrative.
    overlays : sequence of Overlay, optional
        Further layers (the engines' geo layers).
    choropleths : sequence of Choropleth, optional
        Values per sub-district, drawn on the ``subdistrict`` layer (required when given).
    basemaps : sequence of TileBasemap, optional
        Online base layers (the first is on; an empty "no tiles" base is added). The land and sea
        layers start switched off so the tiles show. Render with ``allow_tile_layers=True``.
    shift : callable, optional
        Applied to every geometry after reprojection to longitude/latitude (for example
        :func:`binhai_geo.gcj02.geometries_to_gcj02` for AMap tiles).
    detail_max_features : int
        A layer with more features is aggregated on a grid (and says so in the notes).
    grid_cell_m : float
        Cell size of that grid [m].
    detail_min_zoom : int
        Zoom level from which an aggregated layer shows its features (as points).
    data_status : sequence of StatusItem, optional
        What the verdicts rest on (:func:`binhai_geo.deliverables.datastatus.data_status`), shown at the top
        of the target dashboard, before any verdict.

    Returns
    -------
    folium.Map
        The map. Render it with :func:`to_offline_html` or write it with :func:`write_map`; folium's own
        ``save`` gives an online page that loads Leaflet from a CDN.

    Raises
    ------
    LayerError
        When a layer kind is unknown, a frame has no CRS or is not a GeoDataFrame, ``sites`` lacks
        a column, or choropleths are asked for without a ``subdistrict`` layer.
    BinhaiGeoError
        When ``targets`` lacks a column.
    """
    frames = _checked_frames(layers, sites, targets, overlays)
    opts = DrawOptions(detail_max_features, grid_cell_m, detail_min_zoom, shift)
    m = _empty_map(title, title_zh)
    mid = m.get_name()

    drawn: list[Drawn] = []
    ordered = [k for k in KIND_STYLES if k in frames] + [k for k in frames if k not in KIND_STYLES]
    for kind_name in ordered:
        show = not (basemaps and kind_name in ("land", "sea_area"))
        drawn.append(kind_layer(kind_name, frames[kind_name], opts, show=show))
    drawn += site_layers(sites, opts)
    drawn += [overlay_layer(ov, opts) for ov in overlays]
    drawn += choropleth_layers(frames.get("subdistrict"), choropleths, opts)

    themed: dict[str, list[Drawn]] = {key: [] for key, _, _ in THEMES}
    for d in drawn:
        themed.setdefault(d.theme if d.theme in themed else "other", []).append(d)
    ordered_drawn = [d for key, _, _ in THEMES for d in themed[key]]

    bases_js = _add_basemaps(m, basemaps)
    for d in ordered_drawn:
        m.add_child(d.layer)
    fit_js = _fit_to_boundary(m, themed, ordered_drawn)
    _add_layer_control(m, themed, bases_js)

    legend: dict[str, list[tuple[str, str]]] = {key: [] for key, _, _ in THEMES}
    for d in ordered_drawn:
        legend[d.theme if d.theme in legend else "other"].extend(d.legend)
    m.add_child(HtmlControl(title_html(title, title_zh, [*notes, *opts.notes]), "bhg-box bhg-title", "topleft"))
    m.add_child(HtmlControl(legend_html(legend), "bhg-box bhg-legend", "topleft"))
    if len(targets):
        m.add_child(HtmlControl(dashboard_html(targets, data_status), "bhg-box bhg-targets bhg-dashboard",
                                "topright"))

    credit_text = " | ".join(str(c).strip() for c in credits if str(c).strip())
    m.add_child(
        Script(f"bhg.attribution({mid}, {to_js('Leaflet')}, {to_js(html.escape(credit_text))});"),
        name="bhg_attribution",
    )
    if fit_js:
        m.add_child(Script(fit_js), name="bhg_fit")
    return m


def _checked_frames(layers: Mapping[str, gpd.GeoDataFrame], sites: gpd.GeoDataFrame, targets: pd.DataFrame,
                    overlays: Sequence[Overlay]) -> dict[str, gpd.GeoDataFrame]:
    """Check every input of :func:`build_map` before anything is drawn; return the layers by kind."""
    for name in layers:
        if name not in LAYER_KINDS:
            raise LayerError(
                "unknown layer kind",
                layer=name,
                hint="use one of: " + ", ".join(LAYER_KINDS),
            )
    frames = {name: check_frame(gdf, name) for name, gdf in layers.items()}
    check_frame(sites, "sites")
    for ov in overlays:
        check_frame(ov.gdf, ov.label)
    if len(targets.columns) or len(targets):
        target_rows(targets)  # check the columns first
    return frames


def _empty_map(title: str, title_zh: str) -> folium.Map:
    """Return the map with Leaflet only, the atlas CSS and helper script, the panes: no layer yet."""
    m = folium.Map(
        location=[39.0, 117.6],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        minZoom=5,
        zoomSnap=0.25,
        maxZoom=19,
    )
    # Only Leaflet itself: no jQuery, Bootstrap, Font Awesome or awesome-markers. to_offline_html
    # replaces these two links by the inlined package files.
    m.default_js = [("leaflet", LEAFLET_CDN_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CDN_CSS)]
    fig = m.get_root()
    fig.title = f"{title_zh} {title}"
    mid = m.get_name()
    css = MAP_CSS + f"\n#{mid}.leaflet-container {{ background: {SEA_COLOR}; }}\n"
    fig.header.add_child(RawHtml(f"<style>{css}</style>", "BhgCss"), name="bhg_css")
    fig.script.add_child(RawHtml(HELPER_JS, "BhgHelper"), name="bhg_helper", index=0)
    m.add_child(Script(f"bhg.panes({mid}, {to_js(PANES)});"), name="bhg_panes")
    return m


def _add_basemaps(m: folium.Map, basemaps: Sequence[TileBasemap]) -> str:
    """Add the online base layers (with an empty "no tiles" base); return their JS name, or "" without any."""
    if not basemaps:
        return ""
    bases = [[b.label, list(b.urls), {"subdomains": b.subdomains, "attribution": esc(b.attribution),
                                      "maxZoom": b.max_zoom, "maxNativeZoom": b.max_zoom}] for b in basemaps]
    m.add_child(Script(f"var bhg_bases = bhg.basemaps({m.get_name()}, {to_js(bases)}, "
                       f"{to_js('离线（无底图瓦片） Offline, no tiles')});"), name="bhg_basemaps")
    return "bhg_bases"


def _fit_to_boundary(m: folium.Map, themed: Mapping[str, list[Drawn]], drawn: Sequence[Drawn]) -> str:
    """Centre the map on the district boundary, or else on everything drawn; return the browser's fit call."""
    boundary_label = LAYER_KINDS["boundary"].label
    bounds_src = [d.layer for d in themed["basemap"] if d.layer.layer_name == boundary_label]
    boxes = [lyr.bounds for lyr in (bounds_src or [d.layer for d in drawn]) if lyr.bounds]
    if not boxes:
        return ""
    arr = np.array(boxes)
    m.location = [float((arr[:, 1].min() + arr[:, 3].max()) / 2), float((arr[:, 0].min() + arr[:, 2].max()) / 2)]
    box = [[float(arr[:, 1].min()), float(arr[:, 0].min())], [float(arr[:, 3].max()), float(arr[:, 2].max())]]
    return f"bhg.fit({m.get_name()}, {to_js(box)});"


def _add_layer_control(m: folium.Map, themed: Mapping[str, list[Drawn]], bases_js: str) -> None:
    """Add the layer control, grouped by theme (choropleths one at a time: they would hide each other)."""
    groups = []
    for key, zh, en in THEMES:
        if themed[key]:
            items = ",".join(f"[{to_js(d.layer.layer_name)},{d.layer.get_name()}]" for d in themed[key])
            title_js = to_js(f"{zh} {en}" + (" · 一次一项 one at a time" if key in EXCLUSIVE_THEMES else ""))
            groups.append(f"[{title_js},[{items}],{'true' if key in EXCLUSIVE_THEMES else 'false'}]")
    m.add_child(Script(f"bhg.layerControl({m.get_name()}, [{','.join(groups)}]{', ' + bases_js if bases_js else ''});"),
                name="bhg_layer_control")
