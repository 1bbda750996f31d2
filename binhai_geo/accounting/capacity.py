"""Capacity indicators read from the ledger: PV, wind, renewables, storage, renewable share.

Rules (stated in every basis):

- For the target's year Y, the indicator is the **installed** capacity of the ledger
  (:mod:`binhai_geo.accounting.ledger`); **committed** capacity (under construction, expected by Y) is passed
  on for the ``on track`` rule; **pipeline** (pre-construction, announced) is reported, never counted.
  Candidate-site potential is never counted; it is shown in the basis as what is left to site.
- Renewable capacity counts the technologies marked renewable in ``ledger_technologies.csv`` (PV, wind,
  hydro, biomass, waste-to-energy, geothermal).
- Renewable share of installed capacity: renewable installed over all generating installed capacity of the
  ledger (storage is not generation). Without a sourced district total (``[assumptions.district]``) it is
  ``indicative``: the ledger's thermal plants come from GPPD (data to about 2019) and small distributed PV is
  mostly absent from GEM, so the coverage of the denominator is stated.
- PV is ``indicative``: GEM tracks phases of 1 MW and more, rooftop and small distributed PV are mostly
  absent, so the registry total is a floor. Storage is ``indicative`` when no storage record comes from a
  registry or the planner's own list (only the plan's named projects).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from binhai_geo.accounting.ledger import category, totals
from binhai_geo.indicator import Indicator
from binhai_geo.registry import RegistryTables, load_tables

#: Capacity targets and the technologies they count (renewables: see ``ledger_technologies.csv``).
TARGET_TECHNOLOGIES = {"pv_capacity": ("pv",), "wind_capacity": ("wind",), "storage_capacity": ("storage",)}
PV_FLOOR = ("GEM tracks phases of 1 MW and more; rooftop and small distributed PV are mostly absent, so the "
            "registry total is a floor for PV")


def _techs(tables: RegistryTables, flag: str) -> tuple[str, ...]:
    t = tables.technologies
    return tuple(t.index[t[flag].astype(str).str.lower() == "yes"])


def _data(records: pd.DataFrame, techs: tuple[str, ...]) -> str:
    sel = records[records["technology"].isin(techs)]
    sets = sorted(set(sel["dataset"].dropna().astype(str))) if "dataset" in sel else []
    return "ledger: " + ("; ".join(s for s in sets if s) or "no records")


def _basis(tot: dict, year: int, potential: float | None) -> str:
    (i, ni), (c, nc), (p, np_), (x, nx) = (tot[k] for k in ("installed", "committed", "pipeline", "not counted"))
    text = (f"ledger {year}: installed {i:,.0f} MW ({ni} records: operating, start year <= {year}); committed "
            f"{c:,.0f} MW ({nc}: under construction, expected by {year}); pipeline {p:,.0f} MW ({np_}: "
            f"pre-construction, announced, later construction; not counted); not counted {x:,.0f} MW ({nx}: "
            "shelved, cancelled, retired)")
    if potential is not None:
        text += f"; eligible sites no record occupies: {potential:,.0f} MW (potential, not counted)"
    return text


def capacity_indicators(
    records: pd.DataFrame,
    years: Mapping[str, int],
    sites: gpd.GeoDataFrame | None = None,
    *,
    total_installed_capacity_mw: float | None = None,
    total_installed_capacity_source: str | None = None,
    tables: RegistryTables | None = None,
) -> list[Indicator]:
    """Capacity indicators of the ledger for each target's year.

    Parameters
    ----------
    records : DataFrame
        Normalised ledger records (:func:`binhai_geo.accounting.ledger.normalise`).
    years : mapping of str to int
        Target year per target id (``pv_capacity``, ...); missing ids use 2025.
    sites : GeoDataFrame, optional
        Eligible sites (``technology``, ``capacity_mw``, and ``available_mw`` when conformance ran): their
        potential is shown in the basis.
    total_installed_capacity_mw, total_installed_capacity_source
        A sourced district total of installed generating capacity [MW] for the renewable share.
    tables : RegistryTables, optional
        The packaged registry tables (default: :func:`binhai_geo.registry.load_tables`).

    Returns
    -------
    list of Indicator
        ``pv_capacity``, ``wind_capacity``, ``renewable_capacity``, ``storage_capacity`` [MW] and
        ``renewable_share`` [percent], each with installed value, committed and pipeline additions.
    """
    tables = tables or load_tables()
    if records is None or len(records) == 0:
        return []
    potential = {}
    if sites is not None and len(sites):
        col = "available_mw" if "available_mw" in sites.columns else "capacity_mw"
        potential = sites.groupby("technology")[col].sum().to_dict()
    renew, gen = _techs(tables, "renewable"), _techs(tables, "generating")
    out = []
    for tid, techs in (*TARGET_TECHNOLOGIES.items(), ("renewable_capacity", renew)):
        y = int(years.get(tid, 2025))
        tot = totals(records, category(records, y, tables=tables), techs)
        pot = sum(potential.get(t, 0.0) for t in techs) if tid != "storage_capacity" and potential else None
        why = None
        if "pv" in techs and tot["installed"][1] + tot["committed"][1]:
            why = PV_FLOOR
        if tid == "storage_capacity":
            ds = records.loc[records["technology"] == "storage", "dataset"].astype(str)
            if not ds.str.startswith(("GEM", "GPPD", "user")).any():
                why = "no registry covers storage: only the plan's named projects are on the ledger"
        out.append(Indicator(tid, tot["installed"][0], "MW", _basis(tot, y, pot), committed=tot["committed"][0],
                             pipeline=tot["pipeline"][0], indicative=why, data=_data(records, techs)))
    out.append(_share(records, int(years.get("renewable_share", 2025)), renew, gen, tables,
                      total_installed_capacity_mw, total_installed_capacity_source))
    return out


def _share(records: pd.DataFrame, year: int, renew: tuple[str, ...], gen: tuple[str, ...], tables: RegistryTables,
           total_mw: float | None, total_source: str | None) -> Indicator:
    cats = category(records, year, tables=tables)
    r = totals(records, cats, renew)
    g = totals(records, cats, gen)
    ri, rc = r["installed"][0], r["committed"][0]
    thermal = [t for t in gen if t not in renew]
    th = totals(records, cats, tuple(thermal))["installed"]
    if total_mw:
        share = 100.0 * ri / total_mw
        with_c = 100.0 * (ri + rc) / (total_mw + rc)
        return Indicator("renewable_share", share, "percent",
                         f"{ri:,.0f} MW renewables installed (ledger) over {total_mw:,.0f} MW total installed "
                         f"({total_source}); committed {rc:,.0f} MW added to both", committed=with_c - share,
                         data=f"ledger renewables; district total from {total_source}")
    total = g["installed"][0]
    if total <= 0:
        return Indicator("renewable_share", float("nan"), "percent",
                         "the ledger holds no installed generating capacity; give [assumptions.district] "
                         "total_installed_capacity_mw with its source")
    share = 100.0 * ri / total
    with_c = 100.0 * (ri + rc) / (total + rc)
    gppd = records.loc[records["technology"].isin(thermal), "dataset"].dropna().astype(str).unique()
    src = ", ".join(sorted(gppd)) or "none"
    coverage = (f"denominator = the ledger's installed generating capacity, {total:,.0f} MW: renewables {ri:,.0f} MW "
                f"(GEM phases >= 1 MW), other {th[0]:,.0f} MW ({th[1]} plants from {src}; "
                "GPPD data end about 2019, captive and small plants and later thermal plants missing)")
    return Indicator("renewable_share", share, "percent", coverage, committed=with_c - share,
                     indicative="no sourced district total: " + coverage.split(":")[0]
                                + " of the registries, whose coverage is incomplete ("
                                + PV_FLOOR.split(";")[1].strip() + "; GPPD to ~2019)",
                     data="ledger (GEM renewables, GPPD thermal)")
