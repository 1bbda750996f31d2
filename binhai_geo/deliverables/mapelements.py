"""The atlas's page pieces: its stylesheet and helper script, and the folium elements that place them.

The stylesheet (``static/atlas.css``) and the browser-side helper (``static/atlas.js``, the ``bhg``
object: popups, panes, controls, the layer list, aggregated layers) are package files, read once.
:class:`VectorLayer` is a GeoJSON overlay whose script calls that helper; :class:`HtmlControl` puts
a block of HTML in a corner of the map; :class:`Script` and :class:`RawHtml` add code or text.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from branca.element import Element, MacroElement
from folium.map import Evented, Layer
from folium.template import Template

from binhai_geo.deliverables.formatting import to_js

__all__ = ["HELPER_JS", "MAP_CSS", "HtmlControl", "RawHtml", "Script", "VectorLayer"]

_STATIC = resources.files("binhai_geo.deliverables") / "static"

#: The atlas's stylesheet (``static/atlas.css``).
MAP_CSS = (_STATIC / "atlas.css").read_text(encoding="utf-8")

#: The browser-side helper (``static/atlas.js``); runs before the map is created (first in the page's script).
HELPER_JS = (_STATIC / "atlas.js").read_text(encoding="utf-8")


class RawHtml(Element):
    """An element that renders a fixed string, not parsed as a template."""

    def __init__(self, text: str, name: str = "Raw") -> None:
        super().__init__()
        self._name = name
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the fixed text."""
        return self.text


class Script(MacroElement):
    """JavaScript code placed in the page's script section at this element's position."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "BhgScript"
        self.code = code


class HtmlControl(MacroElement):
    """A block of HTML shown as a Leaflet control in a corner of the map."""

    _template = Template(
        "{% macro html(this, kwargs) %}"
        '<div id="{{ this.get_name() }}" class="{{ this.css_class }}">{{ this.content }}</div>'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "bhg.control({{ this._parent.get_name() }}, {{ this.get_name()|tojson }}, "
        "{{ this.position|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, content: str, css_class: str, position: str) -> None:
        super().__init__()
        self._name = "BhgControl"
        self.content = content
        self.css_class = css_class
        self.position = position


class VectorLayer(Layer):
    """A GeoJSON overlay drawn with a fixed style and bilingual popups.

    The layer is a :class:`folium.map.Layer`, so folium adds it to the map (and knows its name), but
    its script is compact: one JSON FeatureCollection and one shared options builder (``bhg``).
    With ``detail`` it is an aggregated layer: a group holding the grid cells, replaced by the
    features in view (points) from ``detail["spec"]["minZoom"]`` on.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.detail_js %}"
        "var {{ this.get_name() }}_cells = L.geoJSON({{ this.data_js }}, bhg.layerOptions({{ this.spec_js }}));"
        "var {{ this.get_name() }} = bhg.detail({{ this._parent.get_name() }}, "
        "L.layerGroup([{{ this.get_name() }}_cells]), {{ this.get_name() }}_cells, "
        "{{ this.detail_spec_js }}, {{ this.detail_js }});"
        "{% else %}"
        "var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, bhg.layerOptions({{ this.spec_js }}));"
        "{% endif %}"
        "{% if this.show_layer %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}"
        "{% endmacro %}"
    )

    def __init__(
        self,
        name: str,
        data_js: str,
        spec: dict[str, Any],
        bounds: list[float],
        *,
        show: bool = True,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=show)
        self._name = "BhgLayer"
        self.data_js = data_js
        self.spec_js = to_js(spec)
        self.bounds = bounds
        self.show_layer = show
        self.detail_js = to_js(detail["data"]) if detail else ""
        self.detail_spec_js = to_js(detail["spec"]) if detail else ""

    def render(self, **kwargs: Any) -> None:
        """Render the layer (added to the map by its own script).

        folium's ``Layer.render`` adds a new "add to map" element on every render, so rendering a map
        twice would add each layer twice; this layer's script adds it instead.
        """
        Evented.render(self, **kwargs)
