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
from binhai_geo.notes import Note

#: Said on every map and report until the engines replace these simplifications (rendered by the deliverables).
SIMPLIFICATIONS = (Note("plan.sample_layers"), Note("plan.declared_rules_only"))


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
    notes : list of Note
        Simplifications of this run, said on the map and in the report (codes and parameters; the deliverables
        render them, :func:`binhai_geo.deliverables.notes.render`).
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
    notes: list[Note] = field(default_factory=lambda: list(SIMPLIFICATIONS))
    inputs: list[Path] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
