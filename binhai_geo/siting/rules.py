"""Per-technology exclusion rule sets from the workflow's ``[[eligibility.rules]]``, as exclusion containers.

A rule names a layer kind (``binhai_geo.layermodel``), optionally filtered by field values (``where``),
or a class raster; a buffer in metres (default: the feature's own ``buffer_m`` field where the kind has
one, as the ``exclusion`` kind does); and a bilingual reason. Rules are checked against the loaded layers:
a rule naming a layer the workflow does not have, a field the layer lacks, or a value the field does not
allow is an error, so a typo never silently drops an exclusion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.layermodel import get_kind
from binhai_geo.siting.exclusions import ExclusionContainer
from binhai_geo.siting.spec import EligibilitySpec, ExclusionRule


def _where_mask(rule: ExclusionRule, n: int, gdf: gpd.GeoDataFrame, field_prefix: str) -> np.ndarray:
    mask = np.ones(len(gdf), dtype=bool)
    kind = get_kind(rule.layer)
    for fld, values in rule.where.items():
        if fld not in gdf.columns:
            raise WorkflowError(
                f"rule '{rule.reason}' filters on field '{fld}', which layer '{rule.layer}' does not have",
                field=f"{field_prefix}.where", layer=rule.layer,
                hint="fields of the layer: " + ", ".join(c for c in gdf.columns if c != "geometry"))
        try:
            allowed = kind.field(fld).allowed
        except KeyError:
            allowed = None
        if allowed is not None:
            bad = [v for v in values if v not in allowed]
            if bad:
                raise WorkflowError(f"rule '{rule.reason}': value(s) {bad} of '{fld}' are not allowed for "
                                    f"layer '{rule.layer}'", field=f"{field_prefix}.where.{fld}", layer=rule.layer,
                                    hint="allowed values: " + ", ".join(allowed))
        mask &= gdf[fld].isin(values).to_numpy()
    return mask


def build_container(
    spec: EligibilitySpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    technology: str,
    *,
    crs: object,
    resolve: Callable[[str], Path] = Path,
) -> ExclusionContainer:
    """Build the exclusion container of one technology from the workflow's rules.

    Parameters
    ----------
    spec : EligibilitySpec
        The ``[eligibility]`` table.
    layers : mapping of str to GeoDataFrame
        The workflow's layers by kind.
    technology : {"pv", "wind"}
        Rules listing this technology are used, in the order written.
    crs : CRS-like
        The analysis CRS (projected).
    resolve : callable
        Resolves a raster path named in the workflow.

    Raises
    ------
    WorkflowError
        For a rule naming a layer the workflow does not have, an unknown field or value, or a missing
        raster file.
    """
    box = ExclusionContainer(crs, spec.resolution_m, max_memory_gb=spec.max_memory_gb)
    for i, rule in enumerate(spec.rules):
        if technology not in rule.technologies:
            continue
        where = f"eligibility.rules[{i}]"
        if rule.raster is not None:
            path = resolve(rule.raster)
            if not path.exists():
                raise WorkflowError(f"rule '{rule.reason}': raster '{path}' does not exist", field=f"{where}.raster",
                                    hint="fix the path (relative to the workflow file)")
            box.add_raster(path, rule.codes, classes=rule.classes or "custom", buffer_m=rule.buffer_m or 0.0,
                           invert=rule.invert, reason=rule.reason, reason_zh=rule.reason_zh, name=path.name)
            continue
        gdf = layers.get(rule.layer)
        if gdf is None:
            raise WorkflowError(
                f"rule '{rule.reason}' names layer '{rule.layer}', which this workflow does not have",
                field=f"{where}.layer", layer=rule.layer,
                hint="layers present: " + ", ".join(sorted(layers)) + "; add the layer ([layers] or the region "
                     "pack) or remove the rule")
        sel = gdf[_where_mask(rule, len(gdf), gdf, where)]
        if rule.buffer_m is not None:
            buffer: float | str = rule.buffer_m
        elif "buffer_m" in sel.columns:
            buffer = "buffer_m"
        else:
            buffer = 0.0
        box.add_geometry(sel, buffer, invert=rule.invert, reason=rule.reason, reason_zh=rule.reason_zh,
                         name=rule.layer)
    return box


def rule_table(spec: EligibilitySpec, layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """One row per rule and technology: what it excludes, with which buffer (for the report)."""
    rows = []
    for i, rule in enumerate(spec.rules):
        n = np.nan
        if rule.layer is not None and rule.layer in layers:
            gdf = layers[rule.layer]
            n = int(_where_mask(rule, len(gdf), gdf, f"eligibility.rules[{i}]").sum())
        if rule.buffer_m is not None:
            buf = f"{rule.buffer_m:g} m"
        elif rule.layer is not None and rule.layer in layers and "buffer_m" in layers[rule.layer].columns:
            buf = "per feature (buffer_m)"
        else:
            buf = "0 m"
        for tech in rule.technologies:
            rows.append({
                "rule": i + 1, "technology": tech,
                "source": rule.layer or rule.raster,
                "where": "; ".join(f"{k} in {v}" for k, v in rule.where.items())
                         or (f"codes {rule.codes}" if rule.codes else "all features"),
                "features": n, "buffer": buf, "invert": rule.invert,
                "reason": rule.reason, "reason_zh": rule.reason_zh,
            })
    return pd.DataFrame(rows, columns=["rule", "technology", "source", "where", "features", "buffer", "invert",
                                       "reason", "reason_zh"])
