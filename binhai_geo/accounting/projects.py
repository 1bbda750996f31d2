"""The capacity ledger's records from a run's ``project`` layer (capacity is counted in one place).

The project layer holds the ledger's records (the region pack ships GEM and GPPD registry records and the
plan's named projects; a workflow's ``[registry] files`` add a planner's newer or own records on top, see
:mod:`binhai_geo.registry` and :func:`binhai_geo.accounting.records.merge_records`). This module only turns
the layer into normalised ledger records with their sub-district; counting, by status and year, is done by
:mod:`binhai_geo.accounting.ledger` and the indicators by :mod:`binhai_geo.accounting.capacity`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from binhai_geo.accounting.capacity import capacity_indicators as _ledger_indicators
from binhai_geo.accounting.conformance import assign_subdistrict
from binhai_geo.accounting.ledger import normalise
from binhai_geo.indicator import Indicator


def ledger_records(layers: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """Normalised ledger records of the ``project`` layer, with ``subdistrict``; None without the layer."""
    projects = layers.get("project")
    if projects is None or len(projects) == 0:
        return None
    rec = normalise(projects)
    rec["subdistrict"] = assign_subdistrict(rec.geometry.to_numpy(), layers.get("subdistrict"))
    return rec


def capacity_indicators(
    layers: Mapping[str, gpd.GeoDataFrame],
    sites: gpd.GeoDataFrame | None = None,
    *,
    years: Mapping[str, int] | None = None,
    total_installed_capacity_mw: float | None = None,
    total_installed_capacity_source: str | None = None,
) -> list[Indicator]:
    """Return the capacity indicators of the ledger held in ``layers['project']``.

    See :func:`binhai_geo.accounting.capacity.capacity_indicators`.
    """
    rec = ledger_records(layers)
    if rec is None:
        return []
    return _ledger_indicators(rec, years or {}, sites, total_installed_capacity_mw=total_installed_capacity_mw,
                              total_installed_capacity_source=total_installed_capacity_source)
