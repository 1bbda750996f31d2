"""Third national land survey (三调) data: field names, land-class codes and layer kinds.

三调 land-use polygons (地类图斑, DLTB) carry a land-class code DLBM per GB/T 21010-2017 and the 三调
working classification (for example ``0301`` 乔木林地, ``0603`` 盐田, ``1104A`` 养殖坑塘, ``1105`` 沿海滩涂).
This module

* renames the survey's Chinese or English field names to canonical ones (:data:`FIELD_ALIASES`,
  :func:`normalise_fields`);
* splits a survey layer into one layer per kind (:func:`split_by_kind`) by the code table
  ``binhai_geo/data/dlbm_mapping.csv``, which maps each code to zero or more layer kinds of
  :mod:`binhai_geo.layermodel` (read and checked by :func:`binhai_geo.landclasses.load_mapping`).

The code table is plain UTF-8 CSV with columns ``dlbm, dlmc, name_en, layer_kind, attribute, value,
notes``. Each row sends a code to one layer kind and may set one attribute of that kind (for example
``forest_type = tree_forest``). A code may have several rows, one per kind (``1105`` 沿海滩涂 feeds both
``tidal_flat`` and ``wetland`` with ``wetland_type = tidal_flat``), so a feature can appear in more
than one output layer: do not add areas across kinds. A code whose single row has an empty
``layer_kind`` is known and ignored. To change the mapping, copy the packaged table, edit it and pass
its path as ``mapping``.
"""

from __future__ import annotations

import os
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import LayerError
from binhai_geo.landclasses import DATA_FIELDS, convert_value, mapping_table, normalise_codes, packaged_mapping_path
from binhai_geo.layermodel import get_kind

# Canonical name -> names the field carries in 三调 deliveries (DLTB layer of the database standard,
# Chinese field names of shapefile / Excel exports) and in forestry data (郁闭度).
_SURVEY_FIELDS: dict[str, tuple[str, ...]] = {
    "dlbm": ("DLBM", "地类编码", "地类代码", "DLDM"),
    "dlmc": ("DLMC", "地类名称"),
    "area_m2_reported": ("TBMJ", "图斑面积", "面积"),
    "deducted_class_code": ("KCDLBM", "扣除地类编码"),
    "deducted_coefficient": ("KCXS", "扣除地类系数"),
    "deducted_area_m2": ("KCMJ", "扣除地类面积", "扣除面积"),
    "class_area_m2": ("TBDLMJ", "图斑地类面积"),
    "owner_unit": ("QSDWMC", "权属单位名称"),
    "owner_unit_code": ("QSDWDM", "权属单位代码"),
    "ownership_type": ("QSXZ", "权属性质"),
    "location_unit": ("ZLDWMC", "坐落单位名称"),
    "location_unit_code": ("ZLDWDM", "坐落单位代码"),
    "parcel_no": ("TBBH", "图斑编号"),
    "parcel_pre_no": ("TBYBH", "图斑预编号"),
    "survey_id": ("BSM", "标识码"),
    "feature_code": ("YSDM", "要素代码"),
    "refinement_code": ("TBXHDM", "图斑细化代码"),
    "refinement_name": ("TBXHMC", "图斑细化名称"),
    "planting_code": ("ZZSXDM", "种植属性代码"),
    "planting_name": ("ZZSXMC", "种植属性名称"),
    "settlement_code": ("CZCSXM", "城镇村属性码"),
    "data_year": ("SJNF", "数据年份"),
    "description": ("MSSM", "描述说明"),
    "remarks": ("BZ", "备注"),
    "canopy_cover": ("YBD", "郁闭度") + get_kind("forest").field("canopy_cover").aliases,
}


def _build_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in _SURVEY_FIELDS.items():
        for alias in (canonical, *aliases):
            key = alias.strip().casefold()
            if out.get(key, canonical) != canonical:  # pragma: no cover - guards the table above
                raise ValueError(f"alias '{alias}' given for both '{out[key]}' and '{canonical}'")
            out[key] = canonical
    return out


#: Field name in survey data (case-folded) -> canonical name. Matching is case-insensitive and
#: ignores surrounding blanks. Areas (``TBMJ`` 图斑面积, ``面积``) are taken to be in square metres,
#: as in 三调 deliveries.
FIELD_ALIASES: dict[str, str] = _build_aliases()


def _accepted_names(canonical: str) -> str:
    return ", ".join(_SURVEY_FIELDS[canonical])



def normalise_fields(gdf: pd.DataFrame, *, file: str | None = None, layer: str | None = None) -> Any:
    """Rename the survey's field names to canonical ones.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or pandas.DataFrame
        Survey features as read (for example with :func:`geopandas.read_file`).
    file, layer : str, optional
        Where the features come from, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        A copy with alias fields renamed per :data:`FIELD_ALIASES` (``地类编码`` -> ``dlbm``,
        ``TBMJ`` -> ``area_m2_reported``, ``郁闭度`` -> ``canopy_cover``, ...); other fields are kept
        as they are. ``attrs["field_sources"]`` maps each canonical name to the original name.

    Raises
    ------
    LayerError
        When no land-class code field is found, or two fields mean the same thing (for example both
        ``DLBM`` and ``地类编码``).
    """
    geometry_name = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    sources: dict[str, list[str]] = {}
    for col in gdf.columns:
        if col == geometry_name:
            continue
        canonical = FIELD_ALIASES.get(str(col).strip().casefold())
        if canonical is not None:
            sources.setdefault(canonical, []).append(str(col))
    for canonical, cols in sources.items():
        if len(cols) > 1:
            names = ", ".join(f"'{c}'" for c in cols)
            raise LayerError(
                f"fields {names} all mean '{canonical}'; cannot tell which one to use",
                file=file,
                layer=layer,
                field=cols[0],
                hint=f"drop or rename all but one of {names}",
            )
    if "dlbm" not in sources:
        present = ", ".join(str(c) for c in gdf.columns if c != geometry_name) or "(none)"
        raise LayerError(
            f"no land-class code field (DLBM) found; the layer has fields: {present}",
            file=file,
            layer=layer,
            hint=(
                "a 三调 land-use layer (地类图斑) needs its land-class code field under one of these "
                f"names (case-insensitive): {_accepted_names('dlbm')}; rename the field that holds "
                "the GB/T 21010 codes"
            ),
        )
    renames = {cols[0]: canonical for canonical, cols in sources.items()}
    out = gdf.rename(columns=renames)
    out.attrs = dict(gdf.attrs)
    out.attrs["field_sources"] = {canonical: cols[0] for canonical, cols in sources.items()}
    return out



def _feature_list(index: pd.Index, limit: int = 10) -> str:
    shown = ", ".join(str(i) for i in index[:limit])
    return shown + (f", ... ({len(index)} in all)" if len(index) > limit else "")


def _canopy_cover(data: pd.DataFrame, pos: np.ndarray, *, file: str | None, layer: str | None) -> pd.Series:
    """Return canopy cover (0-1) of the features at positions ``pos``, checked."""
    index = data.index[pos]
    if "canopy_cover" not in data.columns:
        return pd.Series(np.nan, index=index, dtype=float)
    field_name = data.attrs.get("field_sources", {}).get("canopy_cover", "canopy_cover")
    raw = data["canopy_cover"].iloc[pos]
    blank = raw.astype("string").str.strip().fillna("") == ""
    raw = raw.mask(blank)
    cover = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = raw.notna() & cover.isna()
    if bad.any():
        raise LayerError(
            f"{int(bad.sum())} forest feature(s) have a 郁闭度 (canopy cover) that is not a number: "
            f"features {_feature_list(index[bad.to_numpy()])}",
            file=file,
            layer=layer,
            feature=str(index[bad.to_numpy()][0]),
            field=field_name,
            hint="郁闭度 is a number from 0 to 1; leave it empty where unknown",
        )
    out_of_range = cover.notna() & ((cover < 0) | (cover > 1))
    if out_of_range.any():
        raise LayerError(
            f"{int(out_of_range.sum())} forest feature(s) have a 郁闭度 (canopy cover) outside 0-1 "
            f"(for example {cover[out_of_range].iloc[0]:g}): features "
            f"{_feature_list(index[out_of_range.to_numpy()])}",
            file=file,
            layer=layer,
            feature=str(index[out_of_range.to_numpy()][0]),
            field=field_name,
            hint="郁闭度 is a fraction from 0 to 1; if the field holds percent, divide it by 100",
        )
    return pd.Series(cover.to_numpy(), index=index)


def _table_columns(kind: Any, part: pd.DataFrame) -> dict[str, Any]:
    """Columns of ``kind`` that the code table's ``attribute``/``value`` set for the rows of ``part``."""
    columns: dict[str, Any] = {}
    for spec in kind.fields:
        if spec.name in DATA_FIELDS:
            continue
        sets = (part["attribute"] == spec.name).to_numpy()
        if not sets.any():
            continue
        converted = {v: convert_value(spec, v) for v in part.loc[sets, "value"].unique()}
        values = part["value"].where(sets).map(converted)
        if spec.dtype == "str":
            values = values.astype(object).where(sets, None)
        elif spec.dtype == "float":
            values = values.astype(float)
        elif spec.dtype == "int":
            values = values.astype("Int64")
        else:
            values = values.astype("boolean")
        columns[spec.name] = values.to_numpy()
    return columns


def _forest_cover_columns(data: pd.DataFrame, part: pd.DataFrame, *, file: str | None, layer: str | None
                          ) -> tuple[np.ndarray, list[str]]:
    """Canopy cover of the forest features of ``part`` (from the data), and the warnings about it."""
    pos = part["_pos"].to_numpy()
    index = data.index[pos]
    warnings: list[str] = []
    cover = _canopy_cover(data, pos, file=file, layer=layer)
    missing = cover.isna().to_numpy()
    if missing.any():
        missing_codes = ", ".join(sorted(set(part["dlbm"].to_numpy()[missing])))
        if "canopy_cover" not in data.columns:
            warnings.append(
                f"no 郁闭度 (canopy cover) field: canopy_cover is empty for all {int(missing.sum())} "
                f"forest features (codes {missing_codes}); the layer model requires it and the "
                "forest-cover rule (郁闭度 >= 0.2) cannot be checked: join 郁闭度 from forestry data"
            )
        else:
            warnings.append(
                f"{int(missing.sum())} of {len(pos)} forest features have no 郁闭度 (canopy cover) "
                f"value (codes {missing_codes}; features {_feature_list(index[missing])}); "
                "canopy_cover is left empty for them"
            )
    shrub = (part["dlbm"] == "0305").to_numpy()
    if shrub.any():
        warnings.append(
            f"{int(shrub.sum())} shrubland (0305 灌木林地) features set to forest_type=other_shrub: "
            "the code cannot tell designated shrubland (国家特别规定灌木林地), which counts as forest "
            "cover; set forest_type=designated_shrub on those from forestry data"
        )
    return cover.to_numpy(), warnings


def split_by_kind(
    gdf: gpd.GeoDataFrame,
    mapping: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    file: str | None = None,
    layer: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Split 三调 land-use features into one layer per layer kind by their land-class code.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Survey features with a land-class code field under any name of :data:`FIELD_ALIASES`
        (``地类编码``, ``DLBM``, ...). Codes may be strings or numbers that lost their leading zero
        (``301`` is read as ``0301``). A ``郁闭度`` / ``YBD`` field, when present, gives the forest
        canopy cover.
    mapping : pandas.DataFrame or path-like, optional
        The code table (see :func:`binhai_geo.landclasses.load_mapping`). Default: the packaged table.
    file, layer : str, optional
        Where the features come from, for error messages.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        For each layer kind that received at least one feature (keys sorted), the features whose code
        maps to it, keeping their original index and CRS. Columns: the kind's fields that the table
        or the data fill (for example ``forest_type`` and ``canopy_cover``, ``wetland_type``), then
        ``source`` (``"三调 DLBM 0301 乔木林地"``), then ``geometry``. A feature whose code maps to
        several kinds appears in each of them. Features of ignored codes are dropped. Each layer's
        ``attrs["warnings"]`` lists what the caller should know (for the forest layer: features left
        without canopy cover, shrubland that may be designated shrubland).

    Raises
    ------
    LayerError
        When there is no land-class code field, some features have no code, some codes are not in
        the table (all of them are listed with their feature counts), or a forest feature's 郁闭度
        is not a number from 0 to 1.
    """
    table = mapping_table(mapping)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise LayerError(
            "the land-survey features have no geometry",
            file=file,
            layer=layer,
            hint="read the layer with geopandas.read_file (or pyogrio) so it carries its polygons",
        )
    data = normalise_fields(gdf, file=file, layer=layer)
    code_field = data.attrs["field_sources"]["dlbm"]
    codes = normalise_codes(data["dlbm"])

    no_code = codes.isna().to_numpy()
    if no_code.any():
        idx = data.index[no_code]
        raise LayerError(
            f"{int(no_code.sum())} feature(s) have no land-class code: features {_feature_list(idx)}",
            file=file,
            layer=layer,
            feature=str(idx[0]),
            field=code_field,
            hint="every 三调 land-use polygon carries a GB/T 21010 code; fill it or drop the feature",
        )
    unknown = ~codes.isin(set(table["dlbm"]))
    if unknown.any():
        counts = codes[unknown].value_counts()
        listing = ", ".join(f"{code} ({n} feature{'s' if n > 1 else ''})" for code, n in counts.items())
        raise LayerError(
            f"{int(unknown.sum())} feature(s) have land-class codes that are not in the code table: {listing}",
            file=file,
            layer=layer,
            field=code_field,
            hint=(
                f"copy {packaged_mapping_path()}, add one row per code (leave layer_kind empty to ignore "
                "a code, or name the layer kind it belongs to) and pass the copy as mapping=..."
            ),
        )

    mapped = table.loc[table["layer_kind"] != "", ["dlbm", "dlmc", "layer_kind", "attribute", "value"]]
    rows = pd.DataFrame({"_pos": np.arange(len(data)), "dlbm": codes.to_numpy(dtype=object)})
    merged = rows.merge(mapped, on="dlbm", how="inner").sort_values(["layer_kind", "_pos"], kind="stable")

    geometry = data.geometry
    out: dict[str, gpd.GeoDataFrame] = {}
    for kind_name, part in merged.groupby("layer_kind", sort=True):
        kind = get_kind(str(kind_name))
        pos = part["_pos"].to_numpy()
        index = data.index[pos]
        columns = _table_columns(kind, part)
        warnings: list[str] = []
        if kind.name == "forest":
            columns["canopy_cover"], warnings = _forest_cover_columns(data, part, file=file, layer=layer)
        columns["source"] = ("三调 DLBM " + part["dlbm"] + " " + part["dlmc"]).to_numpy()
        layer_gdf = gpd.GeoDataFrame(columns, geometry=geometry.iloc[pos].to_numpy(), crs=data.crs, index=index)
        layer_gdf.attrs = {"warnings": warnings}
        out[kind.name] = layer_gdf
    return out


#: Lower bound of canopy cover implied by each forest type's land-class definition (GB/T 21010-2017:
#: 乔木林地 and 竹林地 have 郁闭度 >= 0.2; 灌木林地 has shrub cover >= 40%; 其他林地 has no lower bound).
CLASS_MIN_CANOPY: dict[str, float] = {
    "tree_forest": 0.2,
    "bamboo": 0.2,
    "designated_shrub": 0.4,
    "other_shrub": 0.4,
    "other": 0.0,
}


def fill_canopy_from_class(forest: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fill missing ``canopy_cover`` with the lower bound its land class guarantees.

    三调 data rarely carries 郁闭度; but a feature coded 乔木林地 (0301) is by definition tree forest
    with canopy cover >= 0.2, which is all the forest-cover rule needs to know. Missing values are set
    to :data:`CLASS_MIN_CANOPY` of the feature's ``forest_type``, and ``attrs["warnings"]`` says how
    many. Values present in the data are kept.

    Parameters
    ----------
    forest : geopandas.GeoDataFrame
        The ``forest`` layer from :func:`split_by_kind`.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``canopy_cover`` filled where the class defines a bound.
    """
    out = forest.copy()
    warnings = list(forest.attrs.get("warnings", []))
    missing = out["canopy_cover"].isna()
    if missing.any():
        bound = out["forest_type"].map(CLASS_MIN_CANOPY)
        out.loc[missing, "canopy_cover"] = bound[missing]
        warnings.append(
            f"canopy_cover set to the lower bound of the land-class definition for {int(missing.sum())} "
            "forest features without 郁闭度 (tree forest and bamboo 0.2, shrubland 0.4, other 0.0; GB/T 21010-2017)"
        )
    out.attrs = {"warnings": warnings}
    return out
