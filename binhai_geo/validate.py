"""Validating a layer against its layer kind.

:func:`validate_layer` checks a GeoDataFrame against a :class:`~binhai_geo.layermodel.LayerKind`:
CRS present, features present, geometry type, required fields, value types, allowed values and
ranges. Invalid geometries are repaired with :func:`shapely.make_valid` and reported; features
outside the region are reported. All problems of a layer are collected and raised together, each
naming the file, layer, feature (FID) and field.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from binhai_geo.errors import BinhaiGeoError, LayerError, MultipleErrors
from binhai_geo.layermodel import FieldSpec, LayerKind, bound, fields_of, implausible

_TRUE = {"true", "t", "1", "yes", "y", "是", "真"}
_FALSE = {"false", "f", "0", "no", "n", "否", "假"}
#: Geometry type names by shapely type id + 1 (id -1 is a missing geometry).
_TYPE_NAMES = np.array(
    ["None", "Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
     "MultiPolygon", "GeometryCollection"]
)
#: Shapefile field names are at most this long; longer canonical names are also accepted cut to it.
SHAPEFILE_FIELD_CHARS = 10
#: At most this many feature ids are listed in one message.
_MAX_LISTED = 10

CRS_HINT = (
    "assign the layer's CRS in QGIS (Layer Properties > Source > Assigned Coordinate Reference System, "
    "then export) or with `ogr2ogr -a_srs EPSG:4527 out.gpkg in.gpkg`; for Binhai use CGCS2000 "
    "(EPSG:4490, or Gauss-Kruger EPSG:4527 / EPSG:4548)"
)


#: CRSs tried when a layer's coordinates do not fit its declared CRS (said in the message when they fit).
CANDIDATE_CRS = ("EPSG:4490", "EPSG:4326", "EPSG:4527", "EPSG:4548", "EPSG:4526", "EPSG:4549", "EPSG:4547",
                 "EPSG:32650", "EPSG:3857")
#: Where a suggested CRS must put the coordinates: China (the area of use of CGCS2000, EPSG:4490) [deg].
SUGGEST_LONLAT = (73.62, 16.7, 134.77, 53.56)
#: Coordinates may lie this far outside their CRS's area of use before they are refused [deg]. A 3-degree
#: Gauss-Kruger zone used 3 degrees beyond its edge (4.5 degrees from its central meridian, at 39 N)
#: stretches lengths by 0.2 % ((d_lon cos(lat))^2 / 2): still usable, while a wrong CRS label is off by far more.
AREA_OF_USE_MARGIN_DEG = 3.0
#: Polygons smaller than this are refused as zero-area (e.g. collapsed or digitised in the wrong unit) [m2].
MIN_POLYGON_AREA_M2 = 1.0


@dataclass
class LayerReport:
    """What validation found and did for one layer.

    Attributes
    ----------
    kind : str
        Layer kind.
    file, layer : str or None
        Where the layer came from.
    n_features : int
        Number of features.
    crs : str
        The layer's CRS as read (before any reprojection).
    repaired : list
        Feature ids whose invalid geometry was repaired.
    outside : list
        Feature ids lying entirely outside the region.
    warnings : list of str
        Other remarks (for example dropped empty parts).
    """

    kind: str
    file: str | None
    layer: str | None
    n_features: int = 0
    crs: str = ""
    repaired: list = field(default_factory=list)
    outside: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        parts = [f"{self.n_features} features", self.crs]
        if self.repaired:
            parts.append(f"{len(self.repaired)} geometries repaired (FID {_ids(self.repaired)})")
        if self.outside:
            parts.append(f"{len(self.outside)} outside the region (FID {_ids(self.outside)}), left out "
                         "区域外要素已排除")
        parts.extend(self.warnings)
        return "; ".join(parts)


def _ids(ids: list) -> str:
    shown = ", ".join(str(i) for i in ids[:_MAX_LISTED])
    more = len(ids) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


@functools.lru_cache(maxsize=64)
def _to_lonlat(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


@functools.lru_cache(maxsize=64)
def _crs(value: str) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(value)


@functools.lru_cache(maxsize=64)
def _area_of_use(crs: pyproj.CRS) -> tuple[float, float, float, float]:
    aou = crs.area_of_use
    return tuple(aou.bounds) if aou else (-180.0, -90.0, 180.0, 90.0)


def _lonlat_boxes(bounds: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Per-feature bounding boxes (minx, miny, maxx, maxy) in ``crs`` to lon/lat; inf where it fails."""
    t = _to_lonlat(crs)
    xs = bounds[:, [0, 2, 0, 2]]
    ys = bounds[:, [1, 1, 3, 3]]
    with np.errstate(all="ignore"):
        lon, lat = t.transform(xs.ravel(), ys.ravel(), errcheck=False)
    lon = np.asarray(lon, dtype=float).reshape(xs.shape)
    lat = np.asarray(lat, dtype=float).reshape(xs.shape)
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon[~ok] = np.inf
    lat[~ok] = np.inf
    return np.column_stack([lon.min(axis=1), lat.min(axis=1), lon.max(axis=1), lat.max(axis=1)])


def _inside(box: np.ndarray, area: tuple[float, float, float, float], margin: float = 0.0) -> np.ndarray:
    w, s, e, n = area
    return ((box[:, 0] >= w - margin) & (box[:, 2] <= e + margin) & (box[:, 1] >= s - margin)
            & (box[:, 3] <= n + margin) & np.isfinite(box).all(axis=1))


def _fits(bounds: np.ndarray, crs: pyproj.CRS, region: tuple | None = None) -> np.ndarray:
    """Which features' boxes lie inside ``crs``'s area of use (and lon/lat range, and ``region``)."""
    if crs.is_geographic:
        finite_deg = ((np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1))
        if not finite_deg.any():
            return finite_deg
    box = _lonlat_boxes(bounds, crs)
    ok = _inside(box, _area_of_use(crs), AREA_OF_USE_MARGIN_DEG)
    if region is not None:
        ok &= _inside(box, region)
    return ok


def suggest_crs(bounds: np.ndarray, region: tuple | None = None) -> list[str]:
    """Return the CRSs of :data:`CANDIDATE_CRS` in which every box of ``bounds`` fits.

    A fit means inside the CRS's area of use and inside ``region`` (a lon/lat box; default: China).
    """
    area = region or SUGGEST_LONLAT
    return [c for c in CANDIDATE_CRS if _fits(bounds, _crs(c), area).all()]


def check_coordinates(gdf: gpd.GeoDataFrame, where: dict, region_lonlat: tuple | None = None) -> list[LayerError]:
    """Find coordinates that are not numbers (inf, NaN) or do not fit the layer's CRS.

    A layer's coordinates must lie in its CRS's area of use (pyproj, widened by
    :data:`AREA_OF_USE_MARGIN_DEG`). When they do not, the CRSs they would fit are named: latitude and
    longitude swapped, metres labelled EPSG:4326, Gauss-Kruger eastings with the zone prefix (39,5xx,xxx,
    EPSG:4527) labelled EPSG:4548 or without it labelled EPSG:4527.
    """
    errors: list[LayerError] = []
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        fids = list(gdf.index[np.unique(idx[bad])])
        errors.append(LayerError(
            f"{len(fids)} feature(s) have coordinates that are not numbers (inf or NaN) (FID {_ids(fids)})",
            feature=fids[0], hint="redraw or delete these features; they often come from a failed "
            "reprojection or a bad export", **where))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    present[np.unique(idx[bad])] = False
    if not present.any():
        return errors
    bounds = shapely.bounds(geoms[present])
    fits = _fits(bounds, gdf.crs)
    if fits.all():
        return errors
    fids = list(gdf.index[present][~fits])
    crs_name = gdf.crs.to_string()
    lo = bounds[~fits]
    sample = f"x {lo[0, 0]:.6g}..{lo[0, 2]:.6g}, y {lo[0, 1]:.6g}..{lo[0, 3]:.6g}"
    if fits.any():
        message = (f"{len(fids)} feature(s) lie outside the area where {crs_name} is valid (FID {_ids(fids)}; "
                   f"first at {sample}), unlike the layer's other features")
        hint = "redraw or delete these features (a typo in a coordinate, or a point from another dataset)"
    else:
        swapped = bounds[:, [1, 0, 3, 2]]
        found = suggest_crs(bounds, region_lonlat)
        if gdf.crs.is_geographic and _fits(swapped, gdf.crs, region_lonlat or SUGGEST_LONLAT).all():
            why = "latitude and longitude are swapped (x holds the latitude)"
            hint = "swap the coordinates (QGIS: Vector > Geometry Tools > Swap X and Y coordinates)"
        elif found:
            why = f"they fit {' or '.join(found)}: the layer's CRS label is likely wrong"
            hint = (f"assign the CRS the coordinates are really in ({found[0]}; QGIS: Layer Properties > Source > "
                    "Assigned CRS, then export), do not reproject")
        else:
            why = "they fit none of the CRSs tried (" + ", ".join(CANDIDATE_CRS) + ")"
            hint = "check the coordinates and the CRS in QGIS"
        message = (f"the coordinates ({sample}) do not fit the layer's CRS {crs_name} "
                   f"({gdf.crs.name}): {why}")
    errors.append(LayerError(message, feature=fids[0], hint=hint, **where))
    return errors


def region_extent(region: str = "binhai") -> tuple[float, float, float, float]:
    """Return a region's lon/lat box (west, south, east, north) [deg] from ``data/region_extent.csv``."""
    df = pd.read_csv(resources.files("binhai_geo") / "data" / "region_extent.csv", encoding="utf-8-sig")
    row = df.set_index("region").loc[region]
    return (float(row["west_deg"]), float(row["south_deg"]), float(row["east_deg"]), float(row["north_deg"]))


def refuse_outside_region(gdf: gpd.GeoDataFrame, region: str = "binhai", *, file: str | None = None,
                          layer: str | None = None) -> None:
    """Refuse features lying entirely outside the region's extent (:func:`region_extent`).

    For the standalone commands, which compute with the region's weather and factors: a salt pan in Beijing
    is not computed with Binhai weather. (A plan leaves such features out and reports them instead.)

    Raises
    ------
    LayerError
        Naming the features (FID) outside.
    """
    box = region_extent(region)
    ll = gdf.geometry.to_crs("EPSG:4326")
    outside = ~ll.intersects(shapely.box(*box)).to_numpy()
    if outside.any():
        fids = list(gdf.index[outside])
        c = ll[outside].iloc[0].representative_point()
        raise LayerError(
            f"{len(fids)} feature(s) lie outside the {region} region (lon {box[0]:g}-{box[2]:g}, lat {box[1]:g}-"
            f"{box[3]:g}; FID {_ids(fids)}, first near {c.x:.3f} E, {c.y:.3f} N)", feature=fids[0],
            file=file or gdf.attrs.get("source_file"), layer=layer or gdf.attrs.get("source_layer"),
            hint="remove them from the layer, or check its CRS; this command computes the region's potential "
            "with the region's weather")


def _areas_m2(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Polygon areas [m2]: planar in a projected CRS, geodesic (WGS84 ellipsoid) in a geographic one."""
    if not crs.is_geographic:
        return shapely.area(geoms) * (crs.axis_info[0].unit_conversion_factor ** 2 if crs.axis_info else 1.0)
    geod = pyproj.Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) if g is not None else np.inf for g in geoms])


def _apply_aliases(gdf: gpd.GeoDataFrame, kind: LayerKind) -> gpd.GeoDataFrame:
    """Rename columns that match a field alias (case-insensitive) to the canonical field name.

    Aliases are the field's declared ones (e.g. Chinese names) and, for names over 10 characters,
    the name cut to 10 as the Shapefile format stores it.
    """
    lower = {str(c).lower(): c for c in gdf.columns}
    renames = {}
    for spec in fields_of(kind):
        if spec.name in gdf.columns:
            continue
        # Shapefiles cut field names to 10 characters (canopy_cover -> canopy_cov).
        shapefile_name = (spec.name[:SHAPEFILE_FIELD_CHARS],) if len(spec.name) > SHAPEFILE_FIELD_CHARS else ()
        for alias in (*spec.aliases, *shapefile_name):
            col = lower.get(alias.lower())
            if col is not None and col not in renames:
                renames[col] = spec.name
                break
    return gdf.rename(columns=renames) if renames else gdf


def _to_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse booleans; return (parsed, bad_mask). Accepts true/false, 1/0, yes/no, 是/否."""
    if values.dtype == bool:
        return values, pd.Series(False, index=values.index)
    text = values.astype("string").str.strip().str.lower()
    parsed = pd.Series(pd.NA, index=values.index, dtype="boolean")
    parsed[text.isin(_TRUE)] = True
    parsed[text.isin(_FALSE)] = False
    bad = values.notna() & parsed.isna()
    return parsed, bad


def _repair(geoms: np.ndarray, allowed: frozenset[str]) -> np.ndarray:
    """Repair invalid geometries with make_valid, keeping only parts of the allowed family."""
    fixed = shapely.make_valid(geoms)
    out = fixed.copy()
    for i, g in enumerate(fixed):
        if g is not None and g.geom_type not in allowed and g.geom_type != "GeometryCollection":
            out[i] = None  # e.g. a polygon collapsed to a line: nothing of the kind's type is left
        elif g is not None and g.geom_type == "GeometryCollection":
            parts = [p for p in shapely.get_parts(g) if p.geom_type in allowed]
            if not parts:
                out[i] = None
            elif len(parts) == 1:
                out[i] = parts[0]
            else:
                out[i] = shapely.union_all(parts)
    return out


def _geometry_errors(out: gpd.GeoDataFrame, geoms: np.ndarray, kind: LayerKind, where: dict) -> list[BinhaiGeoError]:
    """Features without geometry, and features of a geometry type the kind does not hold."""
    errors: list[BinhaiGeoError] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        errors.append(
            LayerError(
                f"{int(missing.sum())} feature(s) have no geometry (FID {_ids(list(out.index[missing]))})",
                hint="delete these features or draw their geometry",
                **where,
            )
        )
    type_names = _TYPE_NAMES[shapely.get_type_id(geoms) + 1]
    wrong = ~missing & ~np.isin(type_names, sorted(kind.geometry_types))
    if wrong.any():
        found = ", ".join(sorted(set(type_names[wrong])))
        first = out.index[wrong][0]
        errors.append(
            LayerError(
                f"{int(wrong.sum())} feature(s) are {found}, but a '{kind.name}' layer holds "
                f"{' or '.join(sorted(kind.geometry))} geometries (FID {_ids(list(out.index[wrong]))})",
                feature=first,
                hint=f"give the {kind.en.lower()} layer as {'/'.join(kind.geometry)}s, or check that the "
                "file was assigned to the right layer kind",
                **where,
            )
        )

    return errors


def _check_field(out: gpd.GeoDataFrame, spec: FieldSpec, where: dict) -> list[BinhaiGeoError]:
    """Parse one field of ``out`` in place (numbers, booleans, allowed values); return what fails ``spec``."""
    errors: list[BinhaiGeoError] = []

    col = out[spec.name]
    raw_missing = col.isna() | (col.astype("string").str.strip() == "")
    unit = f" {spec.unit}" if spec.unit else ""

    def fail(mask: pd.Series, message: str, hint: str, spec: FieldSpec = spec) -> None:
        """Record that the features in ``mask`` fail ``spec`` (message, count, FIDs, fix)."""
        fids = list(out.index[mask.to_numpy(dtype=bool)])
        errors.append(LayerError(f"{message} ({len(fids)} feature(s), FID {_ids(fids)})",
                                 feature=fids[0], field=spec.name, hint=hint, **where))

    correct = f"correct the values of '{spec.name}' ({spec.en}, {spec.zh})"
    if spec.dtype in ("float", "int"):
        parsed = pd.to_numeric(col, errors="coerce")
        bad = col.notna() & parsed.isna()
        if bad.any():
            fail(bad, f"expected a number{' in' + unit if unit else ''}, found '{col[bad].iloc[0]}'",
                 "correct the values; use a plain number without unit text")
        lo = -np.inf if spec.min is None else spec.min
        hi = np.inf if spec.max is None else spec.max
        out_of_range = parsed.notna() & ((parsed < lo) | (parsed > hi))
        if out_of_range.any():
            fail(out_of_range, f"value {parsed[out_of_range].iloc[0]} is outside the allowed range "
                 f"[{spec.min}, {spec.max}]{unit}", correct)
        why = implausible(spec.plausible, parsed[parsed > 0], spec.name) if spec.plausible else None
        if why:
            b = bound(spec.plausible)
            fail((parsed > 0) & ((parsed < b.low) | (parsed > b.high)), why, correct)
        out[spec.name] = parsed.astype("Int64") if spec.dtype == "int" and parsed.notna().all() else parsed
    elif spec.dtype == "bool":
        parsed, bad = _to_bool(col)
        if bad.any():
            fail(bad, f"expected true/false (or 1/0, yes/no, 是/否), found '{col[bad].iloc[0]}'", correct)
        out[spec.name] = parsed
    elif spec.allowed is not None:
        text = col.astype("string").str.strip()
        bad = text.notna() & ~text.isin(spec.allowed)
        if bad.any():
            fail(bad, f"value '{text[bad].iloc[0]}' is not allowed; expected one of {', '.join(spec.allowed)}",
                 correct)
        out[spec.name] = text
    if spec.required and raw_missing.any():
        fail(raw_missing, "required value missing",
             f"fill in '{spec.name}' ({spec.en}, {spec.zh}) for every feature")
    return errors


def _repaired(out: gpd.GeoDataFrame, geoms: np.ndarray, invalid: np.ndarray, kind: LayerKind, report: LayerReport,
              where: dict) -> np.ndarray:
    """Return ``geoms`` with the invalid ones made valid (make_valid), each polygon's area change reported."""
    fixed = _repair(geoms[invalid], kind.geometry_types)
    if any(g is None or g.is_empty for g in fixed):
        lost = list(out.index[invalid][[g is None or g.is_empty for g in fixed]])
        raise LayerError(
            f"invalid geometries that cannot be repaired: nothing of a {'/'.join(kind.geometry)} is left "
            f"(zero area, or collapsed to a line or point; FID {_ids(lost)})",
            feature=lost[0],
            hint="fix them in QGIS (Vector > Geometry Tools > Fix Geometries, or Check Validity)",
            **where,
        )
    polygons = bool(kind.geometry_types & {"Polygon", "MultiPolygon"})
    if polygons:
        before = _areas_m2(geoms[invalid], out.crs)
        after = _areas_m2(fixed, out.crs)
        for fid, a0, a1 in list(zip(out.index[invalid], before, after, strict=True))[:_MAX_LISTED]:
            report.warnings.append(f"FID {fid}: invalid outline (e.g. crossing itself) repaired with make_valid, "
                                   f"area {a0 / 1e6:.4g} -> {a1 / 1e6:.4g} km2 (几何已修复)")
    geoms = geoms.copy()
    geoms[invalid] = fixed
    return geoms


def _refuse_tiny_polygons(out: gpd.GeoDataFrame, geoms: np.ndarray, where: dict) -> None:
    """Raise for polygons of zero or near-zero area (a collapsed outline, a sliver, a unit mix-up)."""
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    area = np.where(polygonal, _areas_m2(np.where(polygonal, geoms, None), out.crs), np.inf)
    tiny = area < MIN_POLYGON_AREA_M2
    if tiny.any():
        fids = list(out.index[tiny])
        raise LayerError(
            f"{len(fids)} polygon(s) have zero or near-zero area (< {MIN_POLYGON_AREA_M2:g} m2; FID {_ids(fids)}, "
            f"smallest {float(np.nanmin(area)):.3g} m2)", feature=fids[0],
            hint="delete or redraw them (a collapsed outline, a sliver, or coordinates in the wrong unit)", **where)


def validate_layer(
    gdf: gpd.GeoDataFrame,
    kind: LayerKind,
    *,
    file: str | None = None,
    layer: str | None = None,
    region: shapely.Geometry | None = None,
    region_crs: object | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Check ``gdf`` against ``kind``; return a cleaned copy and a report.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer as read (index = feature ids).
    kind : LayerKind
        The kind it must match.
    file, layer : str, optional
        Where it came from (used in messages; default from ``gdf.attrs``).
    region : shapely.Geometry, optional
        The region's extent; features entirely outside it are reported (not removed).
    region_crs : CRS-like, optional
        CRS of ``region`` (required when ``region`` is given).

    Returns
    -------
    (geopandas.GeoDataFrame, LayerReport)
        The layer with canonical field names, parsed types and repaired geometries, in its own CRS;
        and what was found.

    Raises
    ------
    LayerError or MultipleErrors
        For every problem that needs the user: no CRS, no features, wrong geometry type, a missing
        required field or value, a value of the wrong type, outside the allowed values or range.
    """
    file = file if file is not None else gdf.attrs.get("source_file")
    layer = layer if layer is not None else gdf.attrs.get("source_layer", kind.name)
    where = {"file": file, "layer": layer}
    report = LayerReport(kind=kind.name, file=file, layer=layer, n_features=len(gdf))
    report.warnings.extend(gdf.attrs.get("warnings", []))

    if gdf.crs is None:
        raise LayerError("the layer has no coordinate reference system (CRS)", hint=CRS_HINT, **where)
    report.crs = gdf.crs.to_string()
    if len(gdf) == 0:
        raise LayerError(
            f"the layer is empty; a '{kind.name}' layer ({kind.label}) needs at least one feature",
            hint="check that the right layer was exported, or leave this layer out of the workflow",
            **where,
        )

    out = _apply_aliases(gdf.copy(), kind)
    geoms = np.asarray(out.geometry.array, dtype=object)
    errors = _geometry_errors(out, geoms, kind, where)
    errors.extend(check_coordinates(out, where))
    # Fields: required present and filled; types, allowed values, ranges.
    for spec in fields_of(kind):
        if spec.name in out.columns:
            errors.extend(_check_field(out, spec, where))
        elif spec.required:
            aliases = f" (or {', '.join(spec.aliases)})" if spec.aliases else ""
            errors.append(
                LayerError(
                    f"required field missing: a '{kind.name}' layer needs '{spec.name}'{aliases} "
                    f"[{spec.en}, {spec.zh}{', ' + spec.unit if spec.unit else ''}]; "
                    f"the layer has: {', '.join(str(c) for c in gdf.columns if c != gdf.geometry.name)}",
                    field=spec.name,
                    hint="add the field (QGIS Field Calculator) or rename the existing one",
                    **where,
                )
            )
    if errors:
        raise errors[0] if len(errors) == 1 else MultipleErrors(errors)

    # Repair invalid geometries (after type checks, so a repair never hides a wrong type).
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = _repaired(out, geoms, invalid, kind, report, where)
        out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
        report.repaired = list(out.index[invalid])
    if kind.geometry_types & {"Polygon", "MultiPolygon"}:
        _refuse_tiny_polygons(out, geoms, where)

    if region is not None:
        if region_crs is None:
            raise ValueError("region_crs is required with region")
        in_region_crs = out.geometry.to_crs(region_crs)
        outside = ~in_region_crs.intersects(region)
        report.outside = list(out.index[outside.to_numpy()])

    return out, report
