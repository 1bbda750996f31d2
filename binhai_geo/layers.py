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

from binhai_geo.config import LayerSource, Workflow
from binhai_geo.errors import BinhaiGeoError, LayerError, MultipleErrors
from binhai_geo.io import list_layers, read_layer
from binhai_geo.layermodel import LAYER_KINDS, get_kind
from binhai_geo.postgis.spec import PostgisLayerSource
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


def _validated(gdf: gpd.GeoDataFrame, kind: str, crs: object) -> tuple[gpd.GeoDataFrame, LayerReport]:
    clean, report = validate_layer(gdf, get_kind(kind))
    if clean.crs != crs:
        clean = clean.to_crs(crs)
    return clean, report


def _read_postgis(src: PostgisLayerSource) -> gpd.GeoDataFrame:
    from binhai_geo.postgis.read import read_postgis_layer  # psycopg loads only when a layer comes from PostGIS

    return read_postgis_layer(src)


def _survey_layers(workflow: Workflow) -> dict[str, gpd.GeoDataFrame]:
    """Read the workflow's 三调 land-survey file and sort its features into layer kinds."""
    from binhai_geo.landsurvey import fill_canopy_from_class, split_by_kind

    spec = workflow.spec.land_survey
    path = workflow.resolve(spec.path)
    gdf = read_layer(path, spec.layer, encoding=spec.encoding)
    mapping = workflow.resolve(spec.mapping) if spec.mapping else None
    kinds = split_by_kind(gdf, mapping, file=str(path), layer=gdf.attrs["source_layer"])
    if "forest" in kinds:
        kinds["forest"] = fill_canopy_from_class(kinds["forest"])
    wanted = spec.kinds or list(kinds)
    out = {}
    for k in wanted:
        if k in kinds:
            part = kinds[k]
            part.attrs.update(source_file=str(path), source_layer=f"{gdf.attrs['source_layer']} (三调 -> {k})")
            out[k] = part
    return out


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
        Layers in the region's analysis CRS. Features entirely outside the region's extent are left out
        of the layers and listed in their report (``reports[kind].outside``).

    Raises
    ------
    LayerError or MultipleErrors
        For a pack layer whose name is not a layer kind, and for every layer problem found (all
        layers are checked before raising).
    """
    crs = workflow.region.analysis_crs
    pack = workflow.region.pack_path
    sources: dict[str, tuple[Path | PostgisLayerSource, str | None]] = {}
    encodings = {kind: getattr(src, "encoding", None) for kind, src in workflow.spec.layers.items()}
    for name in list_layers(pack):
        if name not in LAYER_KINDS:
            raise LayerError(
                f"layer '{name}' is not a known layer kind; known kinds: {', '.join(sorted(LAYER_KINDS))}",
                file=str(pack), layer=name,
                hint="rename the layer to its kind (e.g. salt_pan), or remove it from the pack")
        sources[name] = (pack, name)
    for kind, src in workflow.spec.layers.items():
        sources[kind] = (workflow.resolve(src.path), src.layer) if isinstance(src, LayerSource) else (src, None)

    survey: dict[str, gpd.GeoDataFrame] = {}
    files = set()
    if workflow.spec.land_survey is not None:
        survey = {k: v for k, v in _survey_layers(workflow).items() if k not in workflow.spec.layers}
        for kind in survey:
            sources.pop(kind, None)
        files.add(workflow.resolve(workflow.spec.land_survey.path))
    files |= {p for p, _ in sources.values() if isinstance(p, Path)}  # PostGIS sources are in the workflow

    layers, reports, errors = {}, {}, []
    for kind in sorted([*sources, *survey]):
        if progress:
            progress(kind)
        try:
            if kind in survey:
                gdf = survey[kind]
            else:
                path, layer = sources[kind]
                gdf = (read_layer(path, layer, prefer=kind, encoding=encodings.get(kind)) if isinstance(path, Path)
                       else _read_postgis(path))
            layers[kind], reports[kind] = _validated(gdf, kind, crs)
        except MultipleErrors as exc:
            errors.extend(exc.errors)
        except BinhaiGeoError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else MultipleErrors(errors)
    out = LayerSet(layers, reports, files, crs)
    extent = out.extent()
    if extent is not None:
        for kind, gdf in layers.items():
            outside = ~gdf.geometry.intersects(extent).to_numpy()
            reports[kind].outside = list(gdf.index[outside])
            if outside.any():  # a salt pan in Beijing is not Binhai's potential: left out, and said
                layers[kind] = gdf[~outside]
    return out
