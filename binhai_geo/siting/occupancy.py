"""Which eligible sites the capacity ledger's records already occupy (so potential is never counted twice).

A record (a point of the ``project`` layer, or of the ledger) that is operating, under construction,
pre-construction or announced *occupies* eligible sites of its technology (and surface) within
``project_match_m`` of its point, nearest first, up to their eligible capacity. The economics step subtracts
it from each site's capacity in the supply curve; the conformance table
(:mod:`binhai_geo.accounting.conformance`) counts the potential no record occupies.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from binhai_geo.notes import Note

#: Statuses (GEM's scale) whose records occupy eligible sites: built or being developed.
OCCUPYING_STATUSES = ("operating", "construction", "pre-construction", "announced")
#: Project ``surface`` values that name a differently called layer kind.
SURFACE_KINDS = {"offshore": "offshore_zone"}


def project_occupancy(
    sites: gpd.GeoDataFrame, projects: gpd.GeoDataFrame | None, match_m: float
) -> tuple[np.ndarray, list[Note]]:
    """Capacity of ledger records on each site [MW], and notes on records that do not fit.

    A project (a point) fills the eligible sites of its technology (and surface, when it names one) within
    ``match_m``, nearest first, each up to its eligible capacity, until the project's capacity is placed.
    A project larger than the eligible capacity near it is noted with the excess (still counted as
    installed: the project layer is the record of what is built).

    Parameters
    ----------
    sites : GeoDataFrame
        Eligible sites with ``technology``, ``layer_kind``, ``capacity_mw``.
    projects : GeoDataFrame or None
        The ``project`` layer.
    match_m : float
        Largest distance [m] from a project point to a site it occupies.
    """
    occupied = np.zeros(len(sites))
    notes: list[Note] = []
    if projects is None or len(projects) == 0 or len(sites) == 0:
        return occupied, notes
    status = projects["status"].map(lambda v: {"built": "operating", "under_construction": "construction",
                                               "pipeline": "pre-construction", "planned": "announced"}.get(v, v))
    counted = projects[status.isin(OCCUPYING_STATUSES) & projects["technology"].isin(["pv", "wind"])]
    geoms = sites.geometry.to_numpy()
    tech = sites["technology"].to_numpy()
    kind = sites["layer_kind"].to_numpy()
    cap = sites["capacity_mw"].to_numpy(dtype=float)
    for _, p in counted.sort_values(["name", "record_id"] if "record_id" in counted else "name").iterrows():
        cand = tech == p["technology"]
        surface = p.get("surface")
        if isinstance(surface, str) and surface:
            same = cand & (kind == SURFACE_KINDS.get(surface, surface))
            if same.any():
                cand = same
        idx = np.nonzero(cand)[0]
        left = float(p["capacity_mw"])
        if len(idx):
            d = shapely.distance(geoms[idx], p.geometry)
            for j in idx[np.argsort(d, kind="stable")][np.sort(d) <= match_m]:
                take = min(left, max(cap[j] - occupied[j], 0.0))
                occupied[j] += take
                left -= take
                if left <= 1e-9:
                    break
        if left > 1e-6:
            notes.append(Note("siting.conformance.project_over", {"name": str(p["name"]), "beyond_mw": left,
                                                                  "capacity_mw": float(p["capacity_mw"])}))
    return occupied, notes
