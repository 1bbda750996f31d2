"""What a domain step hands back to the workflow runner.

Every engine (solar, wind, siting, sinks) exposes one plan-step function that returns a
:class:`StepResult`. The runner merges them in the one direction data flows and writes the tables and
geo layers generically, so a new engine needs no new writing code:

- ``sites``: the full sites table after the step (``None``: unchanged);
- ``indicators``: values for the plan's targets;
- ``tables``: named DataFrames, written as ``<prefix>_<name>.csv``;
- ``geo``: named GeoDataFrames (analysis CRS), written as layers of ``<prefix>_layers.gpkg`` and drawn
  on the map by the deliverables when they know the name;
- ``notes``: simplifications to state on the map and in the report, as :class:`~binhai_geo.notes.Note` (a code
  and its parameters; the deliverables render them in Chinese and English);
- ``inputs``: files the step read (recorded in the manifest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from binhai_geo.indicator import Indicator
from binhai_geo.notes import Note


@dataclass
class StepResult:
    """The output of one plan step (see the module docstring)."""

    sites: gpd.GeoDataFrame | None = None
    indicators: list[Indicator] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    geo: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
