"""Capacity indicators from the project layer (built and pipeline).

Rules (stated here and in the report):

- Installed-capacity targets count projects whose status is ``built``, ``under_construction`` or
  ``pipeline``; ``planned`` projects are reported beside them but not counted. Candidate-site potential
  (from :mod:`binhai_geo.sites`) is never counted as installed; it is shown in the basis as what is left
  to site.
- Renewable capacity is PV + wind.
- The renewable share needs the district's total installed capacity, a workflow input with its source.
- Rooftop PV on new public-institution and new factory buildings (``rooftop_pv_new_buildings``) is
  computed by the solar engine (:func:`binhai_geo.solar.plan.rooftop_indicator`, by roof area), not here.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from binhai_geo.targets import Indicator

COUNTED_STATUSES = ("built", "under_construction", "pipeline")


def capacity_indicators(
    layers: Mapping[str, gpd.GeoDataFrame],
    sites: gpd.GeoDataFrame | None = None,
    *,
    total_installed_capacity_mw: float | None = None,
    total_installed_capacity_source: str | None = None,
) -> list[Indicator]:
    """Compute the capacity indicators the layers allow.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Validated layers by kind; uses ``project``.
    sites : geopandas.GeoDataFrame, optional
        Candidate sites; their potential appears in the basis text.
    total_installed_capacity_mw : float, optional
        The district's total installed generating capacity [MW], for the renewable share.
    total_installed_capacity_source : str, optional
        Where that figure comes from.

    Returns
    -------
    list of Indicator
        Some of ``pv_capacity``, ``wind_capacity``, ``renewable_capacity`` [MW], ``storage_capacity`` [MW],
        ``renewable_share`` [percent].
    """
    out: list[Indicator] = []
    potential = {}
    if sites is not None and len(sites):
        potential = sites.groupby("technology")["capacity_mw"].sum().to_dict()
    projects = layers.get("project")
    if projects is not None and len(projects):
        counted = projects[projects["status"].isin(COUNTED_STATUSES)]
        planned = projects[projects["status"] == "planned"]
        by_tech = counted.groupby("technology")["capacity_mw"].sum()
        n_by_tech = counted.groupby("technology").size()
        planned_by_tech = planned.groupby("technology")["capacity_mw"].sum()

        def basis(tech: str) -> str:
            text = (f"{int(n_by_tech.get(tech, 0))} built/under-construction/pipeline projects; "
                    f"{planned_by_tech.get(tech, 0.0):.0f} MW planned not counted")
            if tech in potential:
                text += f"; candidate-site potential {potential[tech]:.0f} MW (not counted)"
            return text

        pv = float(by_tech.get("pv", 0.0))
        wind = float(by_tech.get("wind", 0.0))
        out.append(Indicator("pv_capacity", pv, "MW", basis("pv")))
        out.append(Indicator("wind_capacity", wind, "MW", basis("wind")))
        out.append(Indicator("renewable_capacity", pv + wind, "MW", "PV + wind of the counted projects"))
        out.append(Indicator("storage_capacity", float(by_tech.get("storage", 0.0)), "MW", basis("storage")))
        if total_installed_capacity_mw:
            out.append(Indicator("renewable_share", 100.0 * (pv + wind) / total_installed_capacity_mw, "percent",
                                 f"{pv + wind:.0f} MW PV + wind over {total_installed_capacity_mw:.0f} MW total "
                                 f"installed ({total_installed_capacity_source})"))
    return out
