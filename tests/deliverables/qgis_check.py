"""Open a plan run's QGIS project and GeoPackages in QGIS; report what QGIS sees as JSON; render a PNG.

Run with the system Python that has PyQGIS (Debian: ``python3-qgis``), not the project's venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/deliverables/qgis_check.py RUN.qgz OUT.png

Printed (stdout, one JSON document): the QGIS version, the project CRS, the layer tree order and the
drawing order, and for each project layer its source, validity, feature count, geometry type, renderer
type, categories or ranges, whether labels are on, and its field aliases. Each GeoPackage layer is also
opened on its own (as "Add Layer" does), to show the style QGIS takes from ``layer_styles`` and the
aliases it reads. Test helper, not part of the package.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def describe(layer):
    r = layer.renderer()
    out = {
        "name": layer.name(),
        "source": layer.source(),
        "valid": layer.isValid(),
        "features": layer.featureCount() if layer.isValid() else None,
        "geometry": layer.geometryType() if layer.isValid() else None,
        "wkb": layer.wkbType() if layer.isValid() else None,
        "renderer": r.type() if r else None,
        "labels": bool(layer.labelsEnabled()),
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
    }
    if r is not None and r.type() == "categorizedSymbol":
        out["attr"] = r.classAttribute()
        out["categories"] = [[str(c.value()), c.label()] for c in r.categories()]
    if r is not None and r.type() == "graduatedSymbol":
        out["attr"] = r.classAttribute()
        out["ranges"] = [[x.lowerValue(), x.upperValue(), x.label()] for x in r.ranges()]
    if layer.labelsEnabled() and layer.labeling() is not None:
        out["label_expression"] = layer.labeling().settings().fieldName
    return out


def main(project_path, png_path):
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    ok = project.read(project_path)
    root = project.layerTreeRoot()
    layers = [lyr for lyr in root.layerOrder()]
    report = {
        "qgis": Qgis.version(),
        "read": ok,
        "crs": project.crs().authid(),
        "title": project.title(),
        "tree": [[g.name(), [lt.name() for lt in g.findLayers()]] for g in root.children() if hasattr(g, "findLayers")],
        "drawing_order": [lyr.name() for lyr in layers],
        "absolute_paths": project.readBoolEntry("Paths", "/Absolute")[0],
        "layers": [describe(lyr) for lyr in project.mapLayers().values()],
    }
    # each GeoPackage layer opened on its own: the default style comes from the layer_styles table
    alone = []
    for lyr in project.mapLayers().values():
        single = QgsVectorLayer(lyr.source(), lyr.name() + " (alone)", "ogr")
        d = describe(single)
        related, _ids, names, _desc, _err = single.listStylesInDatabase()  # this layer's styles come first
        d["stored_styles"] = list(names)[:related]
        alone.append(d)
    report["alone"] = alone
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setBackgroundColor(QColor("#9cc5de"))
    settings.setOutputSize(QSize(1400, 1100))
    canvas_extent = project.viewSettings().defaultViewExtent()
    extent = canvas_extent if not canvas_extent.isEmpty() else settings.fullExtent()
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    report["png_saved"] = image.save(png_path, "png")
    report["render_errors"] = [e.message for e in job.errors()]
    print(json.dumps(report, ensure_ascii=False), flush=True)
    # exitQgis() with a loaded project crashes PyQGIS 3.22 at interpreter exit; nothing is left to clean up
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
