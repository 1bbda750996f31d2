"""The capacity densities of the PV surfaces, derived from the PV archetypes (their one source).

The capacity-density table (``binhai_geo/data/capacity_density.csv``) gives every surface's density with its
range and unit; its PV rows carry no value of their own: the value is the density of the archetype the solar
engine gives the surface (module efficiency x 1000 W/m2 x ground-cover ratio x array share of site,
:attr:`binhai_geo.solar.archetypes.Archetype.capacity_density_mw_per_km2`), filled in when the table is loaded
(:func:`binhai_geo.factors.load_capacity_density` with ``derived``). The rooftop row is the flat-roof archetype
on a large factory roof, where edge setbacks are negligible and the factory class's obstruction share
(``rooftop_fractions.csv``) is the only usable-area loss; the solar engine then sizes every building from its
own footprint, class and roof type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from binhai_geo.solar.plan import _archetype_choice, solar_tables
from binhai_geo.solar.spec import DEFAULT_ARCHETYPES

if TYPE_CHECKING:
    from binhai_geo.config import Workflow

#: The building class whose roofs the rooftop row of the density table describes.
ROOFTOP_DENSITY_CLASS = "factory"


def pv_densities(archetypes: Mapping, fractions: pd.DataFrame, choice: Mapping[str, str] | None = None
                 ) -> dict[str, float]:
    """Return the PV rows' densities of the capacity-density table, by ``"surface.pv"`` [MW/km2].

    Parameters
    ----------
    archetypes : mapping of str to Archetype
        Resolved archetypes (:func:`binhai_geo.solar.archetypes.load_archetypes`).
    fractions : pandas.DataFrame
        Usable-roof fractions (:func:`binhai_geo.solar.rooftops.load_rooftop_fractions`).
    choice : mapping of str to str, optional
        The workflow's ``[solar] archetypes`` (surface or ``rooftop_flat`` -> archetype id); default: the
        packaged choice (:data:`binhai_geo.solar.spec.DEFAULT_ARCHETYPES`).

    Returns
    -------
    dict of str to float
        ``salt_pan.pv``, ``fish_pond.pv``, ``offshore_zone.pv``: the chosen archetype's density;
        ``rooftop.pv``: (1 - the factory class's obstruction share) x the flat-roof archetype's density.

    Raises
    ------
    WorkflowError
        When the choice names an archetype the table does not have (as the solar step says it).
    """
    choice = dict(choice or {})
    # the engine's own choice, and its error for an archetype the table does not have
    out = {f"{surface}.pv": archetypes[_archetype_choice(surface, None, choice, archetypes)[0]]
           .capacity_density_mw_per_km2 for surface in DEFAULT_ARCHETYPES}
    flat = archetypes[_archetype_choice("rooftop", np.array(["flat"]), choice, archetypes)[0]]
    usable = 1.0 - float(fractions.loc[ROOFTOP_DENSITY_CLASS, "obstruction_share"])
    out["rooftop.pv"] = usable * flat.capacity_density_mw_per_km2
    return out


def workflow_pv_densities(workflow: Workflow) -> dict[str, float]:
    """:func:`pv_densities` of a workflow's archetypes, rooftop fractions and ``[solar] archetypes`` choice.

    Raises
    ------
    WorkflowError
        When the workflow names an archetype or fraction file that does not exist or is bad.
    """
    archetypes, fractions, _ = solar_tables(workflow)
    return pv_densities(archetypes, fractions, workflow.spec.solar.archetypes)
