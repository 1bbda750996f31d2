"""Forest coverage rate (森林覆盖率) by China's definition, per year and per sub-district.

**Rule.** Forest cover counts tree forest with canopy cover >= 0.2 (乔木林地), bamboo (竹林地) and
specially designated shrubland (国家特别规定灌木林地), dissolved so overlapping patches count once, within
the land area, over the land area. Two sources:

- **Vector forest layers.** Either one layer per year (each feature's canopy as surveyed that year), or
  one layer whose stands carry ``year_planted``: the layer's canopy is its survey year's state. A stand
  counts in year ``Y`` when it is planted (``year_planted <= Y``) and, before the survey year, when it
  counts now and had reached canopy closure: ``Y >= year_planted + min(closure_age, survey_year -
  year_planted)``. After the survey year, a young tree stand still below canopy 0.2 is assumed to reach
  it at ``year_planted + closure_age`` (a stated assumption, default 5 years); an older stand below 0.2
  is never counted. A stand's canopy is never assumed to fall (no loss without a later survey).
- **Land-cover rasters by year** (ESA WorldCover, CLCD, or rasterised 三调 codes) read as an xarray stack
  (year, y, x). Codes map to ``forest_cover`` and ``land`` through ``binhai_geo/data/landcover_classes.csv``
  (a user table may replace it); a code the mapping does not know is refused with the list of such
  codes. Rasters whose CRS, resolution or grid differ from the first year's are aligned to it with
  rioxarray (nearest neighbour, class codes are categories) and the notes say so; a geographic
  first raster is reprojected to the analysis CRS. Nodata cells count neither as forest nor as land
  (the table reports the valid share of each zone). Zonal statistics use exactextract (cells weighted by
  the share of their area inside the zone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.factors import packaged_table, read_table
from binhai_geo.io import read_raster
from binhai_geo.layermodel import FOREST_COVER_TYPES, FOREST_MIN_CANOPY
from binhai_geo.notes import Note

#: Default years for a stand to close its canopy (reach 0.2) after planting [yr] (assumption).
DEFAULT_CLOSURE_AGE_YR = 5
#: Name of the whole-district row of the by-year table.
DISTRICT = "district 全区"
LANDCOVER_COLUMNS = ("scheme", "code", "name", "name_zh", "forest_cover", "land", "source", "notes")
SCHEMES = ("worldcover", "clcd", "sandiao")
#: Value of the indicator raster: 1 forest, 0 land not forest, 255 not land or nodata.
_FOREST, _OTHER, _NONE = 1, 0, 255
COVER_COLUMNS = ("year", "subdistrict", "forest_km2", "land_km2", "forest_cover_pct", "valid_share", "basis")


def forest_cover_mask(forest: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean mask of forest features that count towards the forest coverage rate (as surveyed)."""
    types = forest["forest_type"].to_numpy()
    canopy = pd.to_numeric(forest["canopy_cover"], errors="coerce").to_numpy()
    tree_ok = (types == "tree_forest") & (canopy >= FOREST_MIN_CANOPY)
    return tree_ok | np.isin(types, [t for t in FOREST_COVER_TYPES if t != "tree_forest"])


def share_of_land(geoms: np.ndarray, land: shapely.Geometry) -> float:
    """Percent of ``land`` covered by the union of ``geoms`` (each area counted once)."""
    if len(geoms) == 0:
        return 0.0
    return 100.0 * shapely.intersection(shapely.union_all(geoms), land).area / land.area


def _years_planted(forest: gpd.GeoDataFrame, layer: str = "forest") -> np.ndarray:
    if "year_planted" not in forest.columns:
        raise LayerError("the forest layer has no field year_planted; forest cover by year needs each stand's "
                         "planting year", layer=layer, field="year_planted",
                         hint="add year_planted (造林年份) or give one forest layer per year")
    yp = pd.to_numeric(forest["year_planted"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(yp).any():
        fids = list(forest.index[np.isnan(yp)])
        raise LayerError(f"{len(fids)} forest feature(s) have no year_planted (FID {', '.join(map(str, fids[:10]))})",
                         layer=layer, feature=fids[0], field="year_planted",
                         hint="give every stand its planting year (造林年份)")
    return yp


def counted_by_year(forest: gpd.GeoDataFrame, years: Sequence[int], survey_year: int,
                    closure_age_yr: int = DEFAULT_CLOSURE_AGE_YR) -> np.ndarray:
    """Which stands count as forest cover in each year (see the module rule).

    Returns
    -------
    numpy.ndarray
        Boolean, shape (features, years).
    """
    yp = _years_planted(forest)[:, None]
    y = np.asarray(years, dtype=float)[None, :]
    now = forest_cover_mask(forest)[:, None]
    types = forest["forest_type"].to_numpy()[:, None]
    canopy = pd.to_numeric(forest["canopy_cover"], errors="coerce").to_numpy()[:, None]
    planted = yp <= y
    closed_before = y >= yp + np.minimum(closure_age_yr, survey_year - yp)
    past = now & closed_before
    young = (types == "tree_forest") & ~(canopy >= FOREST_MIN_CANOPY) & (survey_year - yp < closure_age_yr)
    future = now | (young & (y >= yp + closure_age_yr))
    return planted & np.where(y < survey_year, past, np.where(y == survey_year, now, future))


def _zones(land: shapely.Geometry, subdistricts: gpd.GeoDataFrame | None) -> tuple[list[str], np.ndarray]:
    names, geoms = [DISTRICT], [land]
    if subdistricts is not None and len(subdistricts):
        label = subdistricts["name"].astype(str)
        if "name_zh" in subdistricts.columns:
            label = label + " " + subdistricts["name_zh"].fillna("").astype(str)
        names += [s.strip() for s in label]
        geoms += list(shapely.intersection(subdistricts.geometry.to_numpy(), land))
    return names, np.array(geoms, dtype=object)


def vector_cover_by_year(forest: gpd.GeoDataFrame, land: shapely.Geometry, years: Sequence[int], survey_year: int,
                         *, subdistricts: gpd.GeoDataFrame | None = None,
                         closure_age_yr: int = DEFAULT_CLOSURE_AGE_YR) -> tuple[pd.DataFrame, list]:
    """Forest cover per year and sub-district from one forest layer with ``year_planted``.

    Returns
    -------
    table : pandas.DataFrame
        Columns :data:`COVER_COLUMNS` (``valid_share`` 1: vector data has no nodata).
    unions : list of shapely.Geometry
        The counted forest of each year within the land (for the change map).
    """
    counted = counted_by_year(forest, years, survey_year, closure_age_yr)
    geoms = forest.geometry.to_numpy()
    names, zones = _zones(land, subdistricts)
    zone_km2 = shapely.area(zones) / 1e6
    rows, unions = [], []
    for k, year in enumerate(years):
        u = shapely.intersection(shapely.union_all(geoms[counted[:, k]]), land)
        unions.append(u)
        f_km2 = shapely.area(shapely.intersection(zones, u)) / 1e6
        basis = "forest layer, survey state" if year == survey_year else (
            "forest layer, back-cast by year_planted" if year < survey_year else
            "forest layer, projected (young stands close canopy)")
        for name, fk, lk in zip(names, f_km2, zone_km2, strict=True):
            rows.append({"year": int(year), "subdistrict": name, "forest_km2": fk, "land_km2": lk,
                         "forest_cover_pct": 100.0 * fk / lk if lk > 0 else np.nan, "valid_share": 1.0,
                         "basis": basis})
    return pd.DataFrame(rows, columns=list(COVER_COLUMNS)), unions


def layers_cover_by_year(forests: Mapping[int, gpd.GeoDataFrame], land: shapely.Geometry, *,
                         subdistricts: gpd.GeoDataFrame | None = None) -> tuple[pd.DataFrame, list]:
    """Forest cover per year and sub-district from one forest layer per year (each as surveyed)."""
    names, zones = _zones(land, subdistricts)
    zone_km2 = shapely.area(zones) / 1e6
    rows, unions = [], []
    for year in sorted(forests):
        f = forests[year]
        u = shapely.intersection(shapely.union_all(f.geometry.to_numpy()[forest_cover_mask(f)]), land)
        unions.append(u)
        f_km2 = shapely.area(shapely.intersection(zones, u)) / 1e6
        for name, fk, lk in zip(names, f_km2, zone_km2, strict=True):
            rows.append({"year": int(year), "subdistrict": name, "forest_km2": fk, "land_km2": lk,
                         "forest_cover_pct": 100.0 * fk / lk if lk > 0 else np.nan, "valid_share": 1.0,
                         "basis": f"forest layer of {year}"})
    return pd.DataFrame(rows, columns=list(COVER_COLUMNS)), unions


def change_layer(before: shapely.Geometry, after: shapely.Geometry, year_from: int, year_to: int,
                 crs: object) -> gpd.GeoDataFrame:
    """Return the gain/loss map between two years' counted forest (geo layer ``forest_change``)."""
    gain = shapely.difference(after, before)
    loss = shapely.difference(before, after)
    return gpd.GeoDataFrame(
        {"change": ["gain", "loss"], "change_zh": ["新增森林", "减少森林"],
         "area_km2": [gain.area / 1e6, loss.area / 1e6], "year_from": [year_from] * 2, "year_to": [year_to] * 2},
        geometry=[gain, loss], crs=crs)


# ---------------------------------------------------------------------------------------------- rasters

def load_landcover_mapping(path: str | Path | None = None, scheme: str = "worldcover") -> pd.DataFrame:
    """Load the land-cover class mapping of one scheme (code -> forest_cover, land).

    Raises
    ------
    WorkflowError
        For a missing column, a non-integer code, a duplicate code, a value other than true/false, or
        a scheme with no rows.
    """
    p = Path(path) if path is not None else packaged_table("landcover_classes.csv")
    df = read_table(p, "land-cover mapping", ("scheme", "code", "forest_cover", "land"),
                    hint="the mapping needs columns " + ", ".join(LANDCOVER_COLUMNS), dtype=str, keep_default_na=False)
    df = df[df["scheme"] == scheme].copy()
    if df.empty:
        raise WorkflowError(f"the mapping has no rows for scheme '{scheme}'", file=str(p), field="scheme",
                            hint="use a scheme the table has, or add its rows")
    code = pd.to_numeric(df["code"], errors="coerce")
    if code.isna().any() or (code % 1 != 0).any():
        raise WorkflowError(f"code '{df['code'][code.isna() | (code % 1 != 0)].iloc[0]}' is not an integer",
                            file=str(p), field="code", hint="give integer raster class codes")
    df["code"] = code.astype(int)
    if df["code"].duplicated().any():
        raise WorkflowError(f"code {df['code'][df['code'].duplicated()].iloc[0]} appears twice for scheme '{scheme}'",
                            file=str(p), field="code", hint="keep one row per code")
    for col in ("forest_cover", "land"):
        v = df[col].str.strip().str.lower()
        if not v.isin(["true", "false"]).all():
            raise WorkflowError(f"'{col}' must be true or false, found '{df[col][~v.isin(['true', 'false'])].iloc[0]}'",
                                file=str(p), field=col, hint="write true or false")
        df[col] = v == "true"
    return df.reset_index(drop=True)


_YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")


def parse_year_inputs(items: Sequence[str]) -> dict[int, Path]:
    """Parse ``YEAR=PATH`` items (or paths whose name holds one 4-digit year) into ``{year: path}``.

    Raises
    ------
    WorkflowError
        An item without a year, a name with several years, or a year given twice.
    """
    out: dict[int, Path] = {}
    for item in items:
        if "=" in item:
            y, _, path = item.partition("=")
            if not y.strip().isdigit():
                raise WorkflowError(f"'{y}' in '{item}' is not a year", file=path,
                                    hint="write YEAR=PATH, e.g. 2020=worldcover_2020.tif")
            year = int(y)
        else:
            path = item
            found = _YEAR_RE.findall(Path(item).name)
            if len(found) != 1:
                raise WorkflowError(f"cannot tell the year of '{item}' ({'no' if not found else 'several'} "
                                    "4-digit year in its name)", file=item,
                                    hint="write YEAR=PATH, e.g. 2020=landcover.tif")
            year = int(found[0])
        if year in out:
            raise WorkflowError(f"year {year} given twice ({out[year]} and {path})", file=path,
                                hint="give one input per year")
        out[year] = Path(path)
    return dict(sorted(out.items()))


def read_landcover_stack(inputs: Mapping[int, str | Path], *, analysis_crs: object = "EPSG:4527",
                         mapping: pd.DataFrame | None = None) -> tuple[object, list[Note]]:
    """Read land-cover rasters by year into one aligned xarray stack.

    Parameters
    ----------
    inputs : mapping of int to path
        ``{year: raster file}``; years must be distinct (a mapping guarantees it).
    analysis_crs : CRS-like
        Used when the first raster is geographic (reprojected to it, nearest neighbour).
    mapping : pandas.DataFrame, optional
        :func:`load_landcover_mapping`; when given, codes it does not know are refused.

    Returns
    -------
    stack : xarray.DataArray
        Dimensions (year, y, x), the first year's grid and dtype, ``rio.nodata`` set (or None).
    notes : list of binhai_geo.notes.Note
        What was aligned or reprojected.

    Raises
    ------
    LayerError
        A missing or unreadable file, a raster without CRS, or codes the mapping does not know.
    """
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    import xarray as xr
    from rasterio.enums import Resampling

    if not inputs:
        raise WorkflowError("no land-cover rasters given", hint="give at least one YEAR=PATH")
    notes: list[Note] = []
    arrays = []
    ref = None
    for year, path in sorted(inputs.items()):
        p = Path(path)
        da = read_raster(p, classes=True)  # one reader for every raster: checks bands, CRS, scale/offset
        if not np.issubdtype(da.dtype, np.integer):
            raise LayerError(f"the raster holds {da.dtype} values, not integer class codes", file=str(p),
                             hint="give a land-cover raster of integer class codes")
        if ref is None:
            if da.rio.crs != pyproj.CRS.from_user_input(analysis_crs):
                # Cell areas are true areas only in the analysis CRS: a geographic grid's cells shrink with
                # latitude, Web Mercator's grow by 1/cos^2(lat) (x1.6 at 39 N).
                src = da.rio.crs.to_string()
                da = da.rio.reproject(analysis_crs, resampling=Resampling.nearest,
                                      nodata=da.rio.nodata if da.rio.nodata is not None else 0)
                notes.append(Note("sinks.landcover.reprojected", {
                    "year": year, "file": p.name, "crs_from": src, "crs_to": str(analysis_crs),
                    "cell_m": abs(float(da.rio.resolution()[0]))}))
            ref = da
        else:
            same = (da.rio.crs == ref.rio.crs and da.shape == ref.shape
                    and np.allclose(da.rio.transform()[:6], ref.rio.transform()[:6]))
            if not same:
                what = []
                if da.rio.crs != ref.rio.crs:
                    what.append(Note("sinks.landcover.aligned.crs", {"crs": da.rio.crs.to_string()}))
                if not np.allclose(da.rio.resolution(), ref.rio.resolution()):
                    what.append(Note("sinks.landcover.aligned.resolution",
                                     {"resolution_m": abs(float(da.rio.resolution()[0]))}))
                what = what or [Note("sinks.landcover.aligned.grid")]
                nod = da.rio.nodata if da.rio.nodata is not None else ref.rio.nodata
                da = da.rio.reproject_match(ref, resampling=Resampling.nearest,
                                            nodata=nod if nod is not None else 0)
                notes.append(Note("sinks.landcover.aligned", {"year": year, "file": p.name, "differences": what,
                                                               "reference_year": min(inputs)}))
        arr = da.astype(ref.dtype) if da.dtype != ref.dtype else da
        arrays.append(arr.expand_dims(year=[int(year)]))
        if mapping is not None:
            check_codes(arr.values, arr.rio.nodata, mapping, str(p))
    stack = xr.concat(arrays, dim="year", join="override")
    stack.rio.write_crs(ref.rio.crs, inplace=True)
    stack.rio.write_nodata(ref.rio.nodata, inplace=True)
    return stack, notes


def _present_codes(values: np.ndarray) -> np.ndarray:
    if values.dtype in (np.uint8, np.uint16):
        counts = np.bincount(values.ravel())
        return np.flatnonzero(counts)
    return np.unique(values)


def check_codes(values: np.ndarray, nodata: float | None, mapping: pd.DataFrame, file: str) -> None:
    """Refuse class codes the mapping does not know (nodata aside), listing them."""
    present = _present_codes(values)
    if nodata is not None:
        present = present[present != nodata]
    unknown = sorted(set(present.tolist()) - set(mapping["code"].tolist()))
    if unknown:
        scheme = mapping["scheme"].iloc[0]
        raise LayerError(f"{len(unknown)} class code(s) the '{scheme}' mapping does not know: "
                         f"{', '.join(map(str, unknown[:30]))}", file=file, field="code",
                         hint="use the right scheme (worldcover, clcd, sandiao), declare the nodata value, "
                              "or add rows for these codes to your land-cover mapping CSV")


def indicator_lut(mapping: pd.DataFrame, dtype: np.dtype, nodata: float | None) -> np.ndarray:
    """Lookup table code -> 1 forest / 0 other land / 255 not land or nodata (for integer rasters)."""
    info = np.iinfo(dtype)
    if info.bits > 16:
        raise ValueError("lookup tables serve 8- and 16-bit rasters")
    lut = np.full(info.max + 1, _NONE, dtype=np.uint8)
    land = mapping[mapping["land"]]
    lut[land["code"].to_numpy()] = np.where(land["forest_cover"].to_numpy(), _FOREST, _OTHER)
    if nodata is not None and 0 <= nodata <= info.max:
        lut[int(nodata)] = _NONE
    return lut


def to_indicator(values: np.ndarray, mapping: pd.DataFrame, nodata: float | None) -> np.ndarray:
    """Classify a code array into 1 forest / 0 other land / 255 not land or nodata."""
    if values.dtype in (np.uint8, np.uint16):
        return indicator_lut(mapping, values.dtype, nodata)[values]
    out = np.full(values.shape, _NONE, dtype=np.uint8)
    land = mapping[mapping["land"]]
    out[np.isin(values, land["code"][~land["forest_cover"]].to_numpy())] = _OTHER
    out[np.isin(values, land["code"][land["forest_cover"]].to_numpy())] = _FOREST
    if nodata is not None:
        out[values == nodata] = _NONE
    return out


def _bounds(stack: object) -> tuple[float, float, float, float]:
    return tuple(stack.rio.bounds())


def raster_cover_by_year(stack: object, mapping: pd.DataFrame, land: shapely.Geometry, *,
                         subdistricts: gpd.GeoDataFrame | None = None, crs: object = None) -> pd.DataFrame:
    """Forest cover per year and zone from a land-cover stack, with exactextract.

    Each year is classified into 1 forest / 0 other land / nodata; exactextract's coverage-weighted
    ``mean`` of that raster in a zone is the forest share of its valid land, and ``count`` (the
    coverage-weighted number of valid cells) times the cell area is the land area it rests on.

    Parameters
    ----------
    stack : xarray.DataArray
        From :func:`read_landcover_stack`.
    mapping : pandas.DataFrame
        From :func:`load_landcover_mapping`.
    land : shapely.Geometry
        The land area, in ``crs``.
    subdistricts : GeoDataFrame, optional
        Zones (field ``name``), in ``crs``.
    crs : CRS-like
        CRS of ``land`` and ``subdistricts``; reprojected to the raster's when they differ.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVER_COLUMNS`.
    """
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    names, zones = _zones(land, subdistricts)
    zgdf = gpd.GeoDataFrame({"zone": names}, geometry=list(zones), crs=crs)
    if crs is not None and stack.rio.crs is not None and zgdf.crs != stack.rio.crs:
        zgdf = zgdf.to_crs(stack.rio.crs)
    zone_km2 = zgdf.area.to_numpy() / 1e6
    xmin, ymin, xmax, ymax = _bounds(stack)
    res_x, res_y = (abs(r) for r in stack.rio.resolution())
    cell_km2 = res_x * res_y / 1e6
    nodata = stack.rio.nodata
    wkt = stack.rio.crs.to_wkt()
    years = [int(y) for y in stack["year"].values]
    # all years as bands of one call: exactextract computes each zone's cell coverage once
    srcs = [NumPyRasterSource(to_indicator(stack.values[k], mapping, nodata), xmin, ymin, xmax, ymax,
                              nodata=_NONE, name=f"y{year}", srs_wkt=wkt) for k, year in enumerate(years)]
    res = exact_extract(srcs, zgdf, ["mean", "count"], output="pandas")
    rows = []
    for year in years:
        mean = res[f"y{year}_mean"].to_numpy(dtype=float) if len(years) > 1 else res["mean"].to_numpy(dtype=float)
        count = res[f"y{year}_count"] if len(years) > 1 else res["count"]
        land_km2 = count.to_numpy(dtype=float) * cell_km2
        for name, m, lk, zk in zip(names, mean, land_km2, zone_km2, strict=True):
            rows.append({"year": year, "subdistrict": name, "forest_km2": np.nan_to_num(m) * lk, "land_km2": lk,
                         "forest_cover_pct": 100.0 * m if lk > 0 else np.nan,
                         "valid_share": lk / zk if zk > 0 else np.nan,
                         "basis": f"land-cover raster {year} ({mapping['scheme'].iloc[0]}), exactextract"})
    return pd.DataFrame(rows, columns=list(COVER_COLUMNS))


def raster_change_layer(stack: object, mapping: pd.DataFrame, year_from: int, year_to: int,
                        crs: object = None) -> gpd.GeoDataFrame:
    """Gain/loss polygons of forest between two years of a land-cover stack (rasterio.features.shapes)."""
    from rasterio.features import shapes

    years = [int(y) for y in stack["year"].values]
    a = to_indicator(stack.values[years.index(year_from)], mapping, stack.rio.nodata)
    b = to_indicator(stack.values[years.index(year_to)], mapping, stack.rio.nodata)
    change = np.zeros(a.shape, dtype=np.uint8)
    change[(a != _FOREST) & (b == _FOREST) & (a != _NONE)] = 1
    change[(a == _FOREST) & (b != _FOREST) & (b != _NONE)] = 2
    geoms, kinds = [], []
    for geom, val in shapes(change, mask=change > 0, transform=stack.rio.transform()):
        geoms.append(shapely.geometry.shape(geom))
        kinds.append(int(val))
    kinds_arr = np.array(kinds, dtype=int)
    out_geoms, rows = [], []
    for val, name, zh in ((1, "gain", "新增森林"), (2, "loss", "减少森林")):
        g = shapely.union_all(np.array(geoms, dtype=object)[kinds_arr == val]) if len(geoms) else shapely.Polygon()
        out_geoms.append(g)
        rows.append({"change": name, "change_zh": zh, "area_km2": g.area / 1e6, "year_from": year_from,
                     "year_to": year_to})
    gdf = gpd.GeoDataFrame(rows, geometry=out_geoms, crs=stack.rio.crs)
    return gdf.to_crs(crs) if crs is not None else gdf


#: Largest relative difference between the boundary's land and the land its zones cover before
#: :func:`zones_disagree` reports it (2%: digitising differences between boundary and zone layers).
ZONE_AREA_TOLERANCE = 0.02


def zones_disagree(land: shapely.Geometry, subdistricts: gpd.GeoDataFrame | None,
                   tolerance: float = ZONE_AREA_TOLERANCE) -> dict | None:
    """Whether the zones fail to tile the boundary's land (the district row would not be their sum).

    Parameters
    ----------
    land : shapely.Geometry
        The district's land (projected CRS).
    subdistricts : GeoDataFrame, optional
        The zones, same CRS.
    tolerance : float
        Relative difference allowed [fraction].

    Returns
    -------
    dict or None
        None when the zones' land (summed, each zone clipped to the land) is within ``tolerance`` of the land
        area; else ``{"land_km2", "zones_km2", "zones_outside_km2", "share"}`` (``share`` = zones' land over
        the land; ``zones_outside_km2``: zone area outside the boundary's land), for the caller to warn.
    """
    if subdistricts is None or len(subdistricts) == 0 or land.is_empty:
        return None
    geoms = subdistricts.geometry.to_numpy()
    land_km2 = land.area / 1e6
    zones_km2 = float(shapely.area(shapely.intersection(geoms, land)).sum()) / 1e6
    outside_km2 = float(shapely.area(shapely.difference(geoms, land)).sum()) / 1e6
    if abs(zones_km2 - land_km2) <= tolerance * land_km2:
        return None
    return {"land_km2": land_km2, "zones_km2": zones_km2, "zones_outside_km2": outside_km2,
            "share": zones_km2 / land_km2}
