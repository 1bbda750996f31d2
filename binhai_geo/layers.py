"""Loading a workflow's layers: the region pack, with the user's own files per layer kind on top.

Every layer is read, validated against its kind (:mod:`binhai_geo.validate`), and reprojected to the
region's analysis CRS. The result is a :class:`LayerSet`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from binhai_geo.config import Workflow
from binhai_geo.errors import BinhaiGeoError, LayerError, MultipleErrors
from binhai_geo.io import list_layers, read_layer
from binhai_geo.layermodel import LAYER_KINDS, get_kind
from binhai_geo.validate import LayerReport, validate_layer

#: The region's extent is the bounding box of these kinds, widened by REGION_MARGIN_M.
EXTENT_KINDS = ("boundary", "land", "sea_area")
REGION_MARGIN_M = 5000.0


@dataclass
class LayerSet:
    """Validated layers by kind, all in one analysis CRS.

    Attributes
    ----------
    layers : dict of str to GeoDataFrame
        Layers by kind.
    reports : dict of str to LayerReport
        What validation found, by kind.
    files : set of pathlib.Path
        Files read.
    crs : pyproj.CRS
        The analysis CRS.
    """

    layers: dict[str, gpd.GeoDataFrame]
    reports: dict[str, LayerReport]
    files: set[Path] = field(default_factory=set)
    crs: object = None

    def __getitem__(self, kind: str) -> gpd.GeoDataFrame:
        return self.layers[kind]

    def get(self, kind: str) -> gpd.GeoDataFrame | None:
        """Return the layer of ``kind`` or None."""
        return self.layers.get(kind)

    def __iter__(self) -> Iterator[str]:
        return iter(self.layers)

    def extent(self) -> shapely.Geometry | None:
        """Return the region's extent (box around boundary, land and sea, widened by REGION_MARGIN_M)."""
        boxes = [shapely.box(*self.layers[k].total_bounds) for k in EXTENT_KINDS if k in self.layers]
        if not boxes:
            return None
        return shapely.box(*shapely.union_all(boxes).bounds).buffer(REGION_MARGIN_M, join_style="mitre")


def _load_one(path: Path, layer: str | None, kind: str, crs: object) -> tuple[gpd.GeoDataFrame, LayerReport]:
    gdf = read_layer(path, layer, prefer=kind)
    clean, report = validate_layer(gdf, get_kind(kind))
    if clean.crs != crs:
        clean = clean.to_crs(crs)
    return clean, report


def load_layers(workflow: Workflow, progress: Callable[[str], None] | None = None) -> LayerSet:
    """Read and validate every layer of a workflow.

    Parameters
    ----------
    workflow : Workflow
        The loaded workflow.
    progress : callable, optional
        Called with each layer kind as it is loaded.

    Returns
    -------
    LayerSet
        Layers in the region's analysis CRS.

    Raises
    ------
    LayerError or MultipleErrors
        For a pack layer whose name is not a layer kind, and for every layer problem found (all
        layers are checked before raising).
    """
    crs = workflow.region.analysis_crs
    pack = workflow.region.pack_path
    sources: dict[str, tuple[Path, str | None]] = {}
    for name in list_layers(pack):
        if name not in LAYER_KINDS:
            raise LayerError(
                f"layer '{name}' is not a known layer kind; known kinds: {', '.join(sorted(LAYER_KINDS))}",
                file=str(pack), layer=name,
                hint="rename the layer to its kind (e.g. salt_pan), or remove it from the pack")
        sources[name] = (pack, name)
    for kind, src in workflow.spec.layers.items():
        sources[kind] = (workflow.resolve(src.path), src.layer)

    layers, reports, errors = {}, {}, []
    for kind in sorted(sources):
        path, layer = sources[kind]
        if progress:
            progress(kind)
        try:
            layers[kind], reports[kind] = _load_one(path, layer, kind, crs)
        except MultipleErrors as exc:
            errors.extend(exc.errors)
        except BinhaiGeoError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else MultipleErrors(errors)
    out = LayerSet(layers, reports, {p for p, _ in sources.values()}, crs)
    extent = out.extent()
    if extent is not None:
        for kind, gdf in layers.items():
            outside = ~gdf.geometry.intersects(extent)
            reports[kind].outside = list(gdf.index[outside.to_numpy()])
    return out
