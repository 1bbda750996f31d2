"""Offline assets: Leaflet inlined from the installed package, and a check that nothing is loaded from outside.

:func:`to_offline_html` renders a map with Leaflet's JavaScript, CSS and images inlined from the
installed ``xstatic-leaflet`` package and with folium's CDN links (jQuery, Bootstrap, Font Awesome,
awesome-markers) dropped; it refuses to return HTML that still references an outside resource
(:func:`external_references`, an HTML reference scanner). :func:`write_map` writes that HTML atomically.
"""

from __future__ import annotations

import base64
import copy
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
from branca.element import CssLink, Figure, JavascriptLink

from binhai_geo.atomic import write_text_atomic
from binhai_geo.deliverables.formatting import to_js
from binhai_geo.deliverables.mapelements import HELPER_JS, RawHtml
from binhai_geo.errors import OutputError

__all__ = ["external_references", "to_offline_html", "write_map"]

def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xleaflet

    return Path(xleaflet.BASE_DIR)


def _data_uri(path: Path) -> str:
    mime = "image/png" if path.suffix == ".png" else "image/svg+xml" if path.suffix == ".svg" else ""
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _leaflet_assets() -> tuple[str, str, str]:
    """Return Leaflet's CSS (images as data URIs), its JS, and a script that makes icons offline."""
    base = _leaflet_dir()
    try:
        css = (base / "leaflet.css").read_text(encoding="utf-8")
        js = (base / "leaflet.js").read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"cannot read Leaflet from the installed xstatic-leaflet package ({exc})",
            file=str(base),
            hint="reinstall the package: pip install --force-reinstall 'xstatic-leaflet>=1.9.3'",
        ) from None

    def inline(match: re.Match[str]) -> str:
        target = match.group(2)
        img = base / target
        if target.startswith(("data:", "#")) or not img.is_file():
            return match.group(0)
        return f'url("{_data_uri(img)}")'

    css = re.sub(r"""url\((['"]?)([^'")]+)\1\)""", inline, css)
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE)
    js = js.replace("</script", "<\\/script")
    images = base / "images"
    icons = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    icon_js = f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({to_js(icons)});"
    return css, js, icon_js


class _RefScanner(HTMLParser):
    """Collect resource references from tag attributes and CSS."""

    _ATTRS = frozenset({"src", "href", "srcset", "data", "poster", "background", "action", "formaction"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in self._ATTRS:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.refs.extend(u for u in urls if u)
            elif name == "style":
                self.refs.extend(_css_refs(value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs.extend(_css_refs(data))


def _css_refs(css: str) -> list[str]:
    refs = [m.group(2) for m in re.finditer(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", css)]
    refs += [m.group(2) for m in re.finditer(r"""@import\s+(['"])([^'"]+)\1""", css)]
    return refs


def external_references(page: str) -> list[str]:
    """Return the resources an HTML page would load from outside itself.

    Looks at ``src``, ``href`` (and similar) attributes of tags and at ``url(...)`` and ``@import`` in
    CSS; script text is not searched (strings in it are not requests). ``data:`` URIs, in-page anchors
    (``#...``) and ``javascript:`` links are not external; anything else is, including relative paths,
    which an intranet user would not have beside the file.

    Parameters
    ----------
    page : str
        The HTML text.

    Returns
    -------
    list of str
        The references, in document order (empty for a self-contained page).
    """
    scanner = _RefScanner()
    scanner.feed(page)
    scanner.close()
    return [r for r in scanner.refs if not r.strip().lower().startswith(("data:", "#", "javascript:", "about:"))]


#: Script that needs jQuery or awesome-markers, which are not inlined (folium.Popup, folium.Icon, ...).
_NEEDS_LIBRARY = re.compile(r"(?<![\w$.])\$(?=\(|\.\w)|\bjQuery\b|L\.AwesomeMarkers")

_TILE_LAYER = re.compile(r"\bL\.tileLayer\b")


def to_offline_html(m: folium.Map, *, allow_tile_layers: bool = False) -> str:
    """Render ``m`` as one HTML page that needs no network.

    Leaflet's JavaScript and CSS are read from the installed ``xstatic-leaflet`` package and inlined;
    the images its CSS refers to become data URIs, and ``L.Icon.Default`` gets data-URI icons (with
    ``imagePath`` set to ``""``) so a default marker requests no file either. folium's CDN links
    (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers) are left out. A copy of the map is
    rendered: ``m`` itself is not changed, so folium's ``save`` still gives the online page.

    Parameters
    ----------
    m : folium.Map
        The map, for example from :func:`build_map`. Elements that need jQuery or another outside
        library (``folium.Popup``, awesome-marker icons, most plugins) do not work offline.
    allow_tile_layers : bool
        Accept tile layers (a map built with online ``basemaps``): the page then loads tiles while
        online, and still shows everything else offline. Everything but the tiles is still inlined.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    OutputError
        When the page would still load something from outside (an element of the map that declares
        its own CDN script or stylesheet), when its script needs jQuery or awesome-markers, when it
        has a tile layer (unless allowed), or when Leaflet cannot be read from the package.
    """
    if not isinstance(m.get_root(), Figure):
        raise TypeError("the map is not part of a folium Figure; create it with folium.Map(...)")
    css, js, icon_js = _leaflet_assets()
    # Render a copy: folium's render adds to the page, so rendering the map itself twice would
    # repeat parts of it; the copy keeps element names, so the output is the same every time.
    mc = copy.deepcopy(m)
    fig = mc.get_root()
    mc.default_js = []
    mc.default_css = []
    # Links added by an earlier render; elements that still declare theirs add them again below.
    for name, child in list(fig.header._children.items()):
        if isinstance(child, JavascriptLink | CssLink):
            del fig.header._children[name]
    inlined = {
        "bhg_leaflet_css": f"<style>{css}</style>",
        "bhg_leaflet_js": f"<script>{js}</script>",
        "bhg_leaflet_icons": f"<script>{icon_js}</script>",
    }
    for i, (name, text) in enumerate(inlined.items()):
        fig.header.add_child(RawHtml(text, "BhgInline"), name=name, index=i)
    page = fig.render()

    needs = sorted(set(_NEEDS_LIBRARY.findall(page.replace(js, ""))))
    if needs:
        raise OutputError(
            "the map uses a library that is not available offline (jQuery or Leaflet.awesome-markers): "
            + ", ".join(needs),
            hint="use circle markers instead of folium.Icon markers and GeoJSON popups instead of "
            "folium.Popup (build_map does both)",
        )
    own = page.replace(js, "").replace(HELPER_JS, "")
    if not allow_tile_layers and (_TILE_LAYER.search(own) or "bhg.basemaps(" in own):
        raise OutputError(
            "the map has a tile layer, which loads its tiles from a server",
            hint="draw the base map from layers (build_map uses the land layer) instead of tiles",
        )
    refs = external_references(page)
    if refs:
        shown = ", ".join(sorted(set(refs))[:5])
        raise OutputError(
            f"the map would load {len(refs)} resource(s) from outside the file: {shown}",
            hint="remove the map elements that need them (folium plugins, awesome-marker icons), or inline their files",
        )
    return page


def write_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write ``m`` as a self-contained offline HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
        The map, for example from :func:`build_map`.
    path : str or os.PathLike
        Output file (``.html``); its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        See :func:`to_offline_html`.
    """
    return write_text_atomic(path, to_offline_html(m))
