"""The QGIS project (``<prefix>.qgz``) written beside a plan run's GeoPackages.

It opens every GeoPackage layer of the run (region layers, candidate sites, eligible and excluded
areas, turbines, ...) styled and labelled, grouped by theme in the atlas' order (the groups of its
layer control) and drawn in the atlas' order (its panes: base map at the bottom, points on top), in
the region's map CRS (the atlas' WGS84 for Binhai), with paths relative to the project file so the
output folder can be moved or copied whole.

:func:`build_qgis` returns the styles to embed in each GeoPackage (``layer_styles``, field aliases) and
the project file's bytes; nothing is written here (the runner writes). The project is a ``.qgs``
document as QGIS 3.22 writes it, zipped into ``.qgz``; PyQGIS is not needed to write it.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
from pyproj import CRS, Transformer

from binhai_geo.deliverables.qgis_styles import (
    PANE_ORDER,
    QGIS_VERSION,
    StyledLayer,
    engine_layer_style,
    kind_layer_style,
)
from binhai_geo.deliverables.registry import KIND_STYLES, THEMES
from binhai_geo.deliverables.styling import geometry_family
from binhai_geo.io import LayerStyle
from binhai_geo.layermodel import LAYER_KINDS

#: QGIS geometry names and GeoPackage geometry types by family.
_GEOMETRY = {"polygon": ("Polygon", "MultiPolygon"), "line": ("Line", "MultiLineString"), "point": ("Point", "Point")}


@dataclass
class GpkgLayer:
    """One layer of a GeoPackage the run writes: the file, the name the features came under, the features.

    ``source`` is the name before the split by geometry (:func:`binhai_geo.io.split_by_geometry`): a layer
    kind for region layers, ``sites`` or an engine geo layer name.
    """

    file: str
    layer: str
    source: str
    gdf: gpd.GeoDataFrame
    region: bool = False


@dataclass
class QgisPackage:
    """What the runner writes for QGIS.

    Attributes
    ----------
    layers : list of (GpkgLayer, StyledLayer)
        Every layer with its style, in the atlas' layer-control order.
    project : bytes
        The ``.qgz`` file.
    """

    layers: list[tuple[GpkgLayer, StyledLayer]] = field(default_factory=list)
    project: bytes = b""

    def styles_of(self, file: str) -> dict[str, list[LayerStyle]]:
        """Layer -> styles of one GeoPackage."""
        return {g.layer: list(s.styles) for g, s in self.layers if g.file == file}

    def aliases_of(self, file: str) -> dict[str, dict[str, str]]:
        """Layer -> {column: alias} of one GeoPackage."""
        return {g.layer: s.aliases for g, s in self.layers if g.file == file}


def _style(g: GpkgLayer) -> StyledLayer:
    family = geometry_family(g.gdf)
    if g.region and g.source in LAYER_KINDS:
        return kind_layer_style(g.source, g.gdf, family, g.layer)
    return engine_layer_style(g.source, g.gdf, family, g.layer)


def _srs(parent: ET.Element, crs: CRS) -> None:
    s = ET.SubElement(parent, "spatialrefsys")
    auth = crs.to_authority()
    for tag, text in (("wkt", crs.to_wkt()),
                      ("authid", f"{auth[0]}:{auth[1]}" if auth else ""), ("description", crs.name),
                      ("geographicflag", "true" if crs.is_geographic else "false")):
        ET.SubElement(s, tag).text = text


def _extent(parent: ET.Element, tag: str, bounds: Sequence[float]) -> None:
    e = ET.SubElement(parent, tag)
    for name, v in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True):
        ET.SubElement(e, name).text = repr(float(v))


def _layer_id(g: GpkgLayer) -> str:
    return re.sub(r"\W", "_", f"{g.layer}_{g.file.rsplit('.', 1)[0]}")


def _maplayer(parent: ET.Element, g: GpkgLayer, s: StyledLayer) -> None:
    geom, wkb = _GEOMETRY[s.family]
    ml = ET.SubElement(parent, "maplayer", type="vector", geometry=geom, wkbType=wkb,
                       labelsEnabled="1" if any(e.tag == "labeling" for e in _first_style(g, s)) else "0",
                       styleCategories="AllStyleCategories", hasScaleBasedVisibilityFlag="0", minScale="0",
                       maxScale="0", readOnly="0")
    if len(g.gdf) and g.gdf.crs is not None:
        _extent(ml, "extent", g.gdf.total_bounds)
    ET.SubElement(ml, "id").text = _layer_id(g)
    ET.SubElement(ml, "datasource").text = f"./{g.file}|layername={g.layer}"
    ET.SubElement(ml, "layername").text = s.title
    _srs(ET.SubElement(ml, "srs"), CRS.from_user_input(g.gdf.crs))
    ET.SubElement(ml, "provider", encoding="UTF-8").text = "ogr"
    for e in _first_style(g, s):
        ml.append(e)


def _first_style(g: GpkgLayer, s: StyledLayer) -> list[ET.Element]:
    """Return the default style's elements (the ``<qgis>`` children of its QML)."""
    root = ET.fromstring(s.styles[0].qml.split("\n", 1)[1])
    return list(root)


def _drawing_order(items: Sequence[tuple[GpkgLayer, StyledLayer]]) -> list[str]:
    """Layer ids, top first: higher atlas pane on top; within a pane, the later-added layer on top."""
    rank = {p: i for i, p in enumerate(PANE_ORDER)}
    order = sorted(range(len(items)), key=lambda i: (rank.get(items[i][1].pane, len(PANE_ORDER)), i), reverse=True)
    return [_layer_id(items[i][0]) for i in order]


def _map_extent(items: Sequence[tuple[GpkgLayer, StyledLayer]], crs: CRS) -> list[float] | None:
    boxes = []
    for g, _ in items:
        if len(g.gdf) and g.gdf.crs is not None:
            t = Transformer.from_crs(g.gdf.crs, crs, always_xy=True)
            boxes.append(t.transform_bounds(*g.gdf.total_bounds))
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return [x0, y0, x1, y1]


def project_qgs(items: Sequence[tuple[GpkgLayer, StyledLayer]], *, crs: CRS, title: str) -> str:
    """Return the ``.qgs`` document: layer tree by theme, custom drawing order, layers with their styles, canvas."""
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"), crs)
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for theme, zh, en in THEMES:
        members = [(g, s) for g, s in items if s.theme == theme]
        if not members:
            continue
        grp = ET.SubElement(tree, "layer-tree-group", name=f"{zh} {en}", checked="Qt::Checked", expanded="1")
        ET.SubElement(grp, "customproperties")
        for g, s in members:
            lyr = ET.SubElement(grp, "layer-tree-layer", id=_layer_id(g), name=s.title,
                                source=f"./{g.file}|layername={g.layer}", providerKey="ogr",
                                checked="Qt::Checked", expanded="1")
            ET.SubElement(lyr, "customproperties")
    custom = ET.SubElement(tree, "custom-order", enabled="1")
    for lid in _drawing_order(items):
        ET.SubElement(custom, "item").text = lid
    layers = ET.SubElement(root, "projectlayers")
    for g, s in items:
        _maplayer(layers, g, s)
    extent = _map_extent(items, crs)
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "degrees" if crs.is_geographic else "meters"
    if extent:
        _extent(canvas, "extent", extent)
    ET.SubElement(canvas, "rotation").text = "0"
    _srs(ET.SubElement(canvas, "destinationsrs"), crs)
    if extent:
        view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0")
        box = ET.SubElement(view, "DefaultViewExtent", **{k: repr(float(v)) for k, v in zip(
            ("xmin", "ymin", "xmax", "ymax"), extent, strict=True)})
        _srs(box, crs)
    props = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(props, "Paths"), "Absolute", type="bool").text = "false"
    # QGIS reads <projectCrs> only when this is set
    ET.SubElement(ET.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", type="int").text = "1"
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def qgz_bytes(qgs: str, name: str) -> bytes:
    """Zip a ``.qgs`` document into a ``.qgz`` (fixed timestamps, so reruns give the same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(f"{name}.qgs", date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, qgs.encode("utf-8"))
    return buf.getvalue()


def build_qgis(gpkg_layers: Sequence[GpkgLayer], *, map_crs: object, title: str, name: str) -> QgisPackage:
    """Style every GeoPackage layer of a run and write the project that opens them.

    Parameters
    ----------
    gpkg_layers : sequence of GpkgLayer
        The layers the run writes, in the atlas' order (region layers in layer-kind order, sites,
        engine layers in registry order).
    map_crs : CRS-like
        The project's CRS (the region's ``map_crs``).
    title : str
        Project title.
    name : str
        Project file stem (``<prefix>``).

    Returns
    -------
    QgisPackage
    """
    items = [(g, _style(g)) for g in gpkg_layers]
    order = {t: i for i, (t, _, _) in enumerate(THEMES)}
    items.sort(key=lambda it: order.get(it[1].theme, len(order)))  # stable: keeps the order within a theme
    qgs = project_qgs(items, crs=CRS.from_user_input(map_crs), title=title)
    return QgisPackage(items, qgz_bytes(qgs, name))


def region_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Layer kinds in the atlas' order (the registry's kind order, then the others)."""
    return [k for k in KIND_STYLES if k in layers] + [k for k in layers if k not in KIND_STYLES]
