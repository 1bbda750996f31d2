"""What a plan run computed: :class:`PlanResult`, the one object the runner hands to the deliverables.

It sits below both :mod:`binhai_geo.runner` (which fills it) and :mod:`binhai_geo.deliverables`
(which renders it), so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from binhai_geo.config import Workflow
from binhai_geo.layers import LayerSet

#: Said on every map and report until the engines replace these simplifications.
SIMPLIFICATIONS = (
    "Sample layers are illustrative placements from public descriptions, not surveyed data "
    "(示例图层为依据公开资料的示意性位置，非测绘数据).",
    "Eligible potential is what the workflow's exclusion rules leave; rules the planner has not declared "
    "are not applied (可开发潜力仅扣除工作流中声明的限制规则).",
)


@dataclass
class PlanResult:
    """What a plan run computed and wrote.

    Attributes
    ----------
    workflow : Workflow
        The workflow run.
    layers : LayerSet
        The validated layers.
    sites : geopandas.GeoDataFrame
        Candidate sites with capacity.
    targets : pandas.DataFrame
        The target check.
    sinks : pandas.DataFrame
        Sink-class areas.
    densities : pandas.DataFrame
        The capacity-density table loaded, with the densities the sites really have after the engine
        steps (:func:`binhai_geo.siting.sites.densities_used`); written as ``<prefix>_capacity_density_used.csv``.
    tables : dict of str to pandas.DataFrame
        Named tables of the engine steps (written as ``<prefix>_<name>.csv``).
    geo : dict of str to geopandas.GeoDataFrame
        Named geo layers of the engine steps (written into ``<prefix>_layers.gpkg``).
    notes : list of str
        Simplifications of this run, said on the map and in the report.
    inputs : list of pathlib.Path
        Files the engine steps read, for the manifest.
    outputs : dict of str to pathlib.Path
        Files written, by role.
    """

    workflow: Workflow
    layers: LayerSet
    sites: gpd.GeoDataFrame
    targets: pd.DataFrame
    sinks: pd.DataFrame
    densities: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    geo: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=lambda: list(SIMPLIFICATIONS))
    inputs: list[Path] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
