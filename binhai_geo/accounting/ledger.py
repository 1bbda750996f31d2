"""The capacity ledger: every plant record by technology, status and year; the only place capacity is counted.

A record (a row of the region pack's ``project`` layer, or of a registry read by :mod:`binhai_geo.registry`)
has technology, ``capacity_mw``, a status on Global Energy Monitor's scale (operating, construction,
pre-construction, announced, shelved, cancelled, retired), ``start_year``, ``retired_year``, owner, source,
location accuracy and ``as_of`` (the date of its source).

Rules for a target year Y (stated in every verdict's basis):

- **installed**: operating (or since retired) with start year <= Y and not retired by Y (retired year > Y).
  An operating record without a start year was running at its source's date: it counts when that year <= Y.
- **committed**: under construction and expected by Y: start year (the expected one) <= Y; without one,
  source year + construction lead time (``ledger_defaults.csv``, per technology) <= Y.
- **pipeline**: pre-construction and announced, and construction not expected by Y.
- **not counted**: shelved, cancelled, retired by Y, or operating but started after Y.
- **potential** (eligible sites that no ledger record occupies) is the siting engine's: see
  :mod:`binhai_geo.accounting.conformance`, which reads :func:`category` through the ``category`` column.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.registry import RECORD_COLUMNS, STATUSES, RegistryTables, load_tables

#: Ledger categories for a target year, in order.
CATEGORIES = ("installed", "committed", "pipeline", "not counted")
CATEGORIES_ZH = {"installed": "已投产", "committed": "在建(预计按期投产)", "pipeline": "储备(前期/已公布)",
                 "not counted": "不计入"}
#: The rule of each category, as said in bases and reports.
CATEGORY_RULES = {
    "installed": "operating, start year <= Y, not retired by Y",
    "committed": "under construction, expected by Y",
    "pipeline": "pre-construction or announced (and construction expected after Y)",
    "not counted": "shelved, cancelled, retired, or started after Y",
}


def normalise(records: pd.DataFrame, tables: RegistryTables | None = None) -> gpd.GeoDataFrame:
    """Return ``records`` with every ledger column, statuses mapped onto GEM's scale.

    Accepts the pack's former statuses (built, under_construction, pipeline, planned) and the former
    ``year`` field (taken as start year).

    Raises
    ------
    ValueError
        For a status that is not on the scale after mapping.
    """
    tables = tables or load_tables()
    df = records.copy()
    legacy = tables.mapping("pack", "status")
    df["status"] = df["status"].astype(str).str.strip().str.lower().map(lambda s: legacy.get(s, s))
    bad = ~df["status"].isin(STATUSES)
    if bad.any():
        raise ValueError(f"status '{df['status'][bad].iloc[0]}' is not on GEM's scale ({', '.join(STATUSES)})")
    if "start_year" not in df.columns and "year" in df.columns:
        df["start_year"] = df["year"]
    for c in RECORD_COLUMNS:
        if c not in df.columns:
            df[c] = np.nan if c in ("capacity_mw", "accuracy_m", "energy_mwh") else None
    for c in ("start_year", "retired_year"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    if "record_id" in df.columns:
        missing = df["record_id"].isna() | (df["record_id"].astype(str) == "")
        df.loc[missing, "record_id"] = [f"record-{i + 1:04d}" for i in np.flatnonzero(missing.to_numpy())]
    return df


def _as_of_year(df: pd.DataFrame, default: int) -> np.ndarray:
    y = pd.to_numeric(df["as_of"].astype(str).str.slice(0, 4), errors="coerce")
    return y.fillna(default).to_numpy(dtype=float)


def category(records: pd.DataFrame, year: int, *, tables: RegistryTables | None = None,
             default_as_of: int | None = None) -> pd.Series:
    """Return the ledger category of each record for target year ``year`` (see the module rules).

    Parameters
    ----------
    records : DataFrame
        Normalised records (:func:`normalise`).
    year : int
        The target year Y.
    tables : RegistryTables, optional
        For the construction lead times; default: the packaged tables.
    default_as_of : int, optional
        Source year of records without ``as_of``; default: ``year``.

    Returns
    -------
    pandas.Series of str
        One of :data:`CATEGORIES` per record, on the records' index.
    """
    tables = tables or load_tables()
    st = records["status"].to_numpy(dtype=object)
    start = pd.to_numeric(records["start_year"], errors="coerce").to_numpy(dtype=float)
    retired = pd.to_numeric(records["retired_year"], errors="coerce").to_numpy(dtype=float)
    as_of = _as_of_year(records, default_as_of if default_as_of is not None else year)
    lead = np.array([tables.default("construction_lead_time", t) for t in records["technology"].astype(str)],
                    dtype=float)
    known = np.isfinite(start)
    started = np.where(known, start <= year, as_of <= year)
    # a retired record without a retired year was retired by its source's date
    gone = np.where(np.isfinite(retired), retired <= year, (st == "retired") & (as_of <= year))
    installed = np.isin(st, ("operating", "retired")) & started & ~gone & (known | (st == "operating"))
    expected = np.where(known, start <= year, as_of + lead <= year)
    committed = (st == "construction") & expected
    pipeline = np.isin(st, ("pre-construction", "announced")) | ((st == "construction") & ~expected)
    out = np.select([installed, committed, pipeline], list(CATEGORIES[:3]), default=CATEGORIES[3])
    return pd.Series(out, index=records.index, dtype=object)


def totals(records: pd.DataFrame, cats: pd.Series, technologies: Sequence[str]) -> dict[str, tuple[float, int]]:
    """``{category: (MW, record count)}`` for records of ``technologies``."""
    sel = records["technology"].isin(technologies)
    out = {}
    for c in CATEGORIES:
        m = sel & (cats == c)
        out[c] = (float(records.loc[m, "capacity_mw"].sum()), int(m.sum()))
    return out


def ledger_summary(records: pd.DataFrame, cats: pd.Series, year: int, by: str | None = "subdistrict") -> pd.DataFrame:
    """MW and record count per technology, category (and ``by``, e.g. sub-district) for year ``year``.

    Returns
    -------
    pandas.DataFrame
        ``year, area, technology, category, category_zh, capacity_mw, records, rule``; ``area`` is
        ``district`` for the whole ledger, then each value of ``by``.
    """
    df = pd.DataFrame({"technology": records["technology"].to_numpy(), "category": cats.to_numpy(),
                       "capacity_mw": records["capacity_mw"].to_numpy(dtype=float)})
    parts = [df.assign(area="district")]
    if by is not None and by in records.columns:
        parts.append(df.assign(area=records[by].fillna("(outside sub-districts)").to_numpy()))
    both = pd.concat(parts, ignore_index=True)
    g = both.groupby(["area", "technology", "category"], sort=False).agg(
        capacity_mw=("capacity_mw", "sum"), records=("capacity_mw", "size")).reset_index()
    g["year"] = year
    g["category_zh"] = g["category"].map(CATEGORIES_ZH)
    g["rule"] = g["category"].map(CATEGORY_RULES).str.replace("Y", str(year))
    g["capacity_mw"] = g["capacity_mw"].round(1)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    g["_a"] = g["area"] != "district"
    g = g.sort_values(["_a", "area", "technology", "category"], key=lambda s: s.map(order) if s.name == "category"
                      else s, kind="stable")
    return g[["year", "area", "technology", "category", "category_zh", "capacity_mw", "records", "rule"]].reset_index(
        drop=True)
