"""Assembling the ledger's records: plan projects matched to registry records; a planner's records on top.

The plan's named projects are matched to registry records; a planner's records override shipped ones.

Plan matching rule (stated in the pack README and in each matched record's source): a registry record is
(a phase of) a plan project when

1. it has the same technology;
2. its owner names one of the plan project's developers (English keywords of the Chinese name, e.g.
   华电 -> ``huadian``); when several plan projects qualify, the one whose keyword comes first in the owner
   string wins, then the nearest;
3. it lies within ``plan_match_distance`` (``ledger_defaults.csv``) of the plan project's point;
4. the matched records, nearest first, add up to at most the plan capacity x (1 + tolerance).

A matched record keeps its registry status, year and location and takes the plan project's name; what the
plan names beyond the matched capacity stays a record of its own, ``announced`` with the plan as source.
An unmatched plan project is ``announced`` with the plan as source.

Override rule: a planner's record with the ``record_id`` of a shipped record replaces it; a planner's GEM
download replaces every shipped record of the same GEM tracker (solar or wind); other records are added.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def _first_keyword(owner: str, keywords: list[str]) -> int | None:
    low = owner.lower()
    pos = [low.find(k.lower()) for k in keywords if k and low.find(k.lower()) >= 0]
    return min(pos) if pos else None


def match_plan_projects(plan: gpd.GeoDataFrame, registry: gpd.GeoDataFrame, *, distance_m: float,
                        tolerance: float) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Match the plan's named projects to registry records (rule in the module docstring).

    Parameters
    ----------
    plan : GeoDataFrame
        Plan projects (projected CRS) with ``name``, ``name_zh``, ``technology``, ``capacity_mw`` and
        ``owner_keywords`` (``;``-separated English keywords).
    registry : GeoDataFrame
        Registry records in the same CRS (:data:`binhai_geo.registry.RECORD_COLUMNS`).
    distance_m : float
        Largest distance between a plan point and a matched record [m].
    tolerance : float
        Matched capacity may reach the plan capacity x (1 + tolerance).

    Returns
    -------
    (GeoDataFrame, GeoDataFrame, DataFrame)
        The registry with ``plan_project`` and ``name_zh`` set on matched records; the plan's remainder
        records (plan capacity not matched, > 0 MW); and a table ``plan_project, record_id, capacity_mw,
        status, distance_km`` of the matches.
    """
    reg = registry.copy()
    kw = [str(k).split(";") for k in plan["owner_keywords"].fillna("")]
    best: dict[int, tuple[int, float, int]] = {}
    for i, r in enumerate(reg.itertuples(index=False)):
        for j, p in enumerate(plan.itertuples(index=False)):
            if r.technology != p.technology or not isinstance(r.owner, str):
                continue
            pos = _first_keyword(r.owner, kw[j])
            d = float(shapely.distance(r.geometry, p.geometry))
            if pos is None or d > distance_m:
                continue
            key = (pos, d, j)
            if i not in best or key < best[i]:
                best[i] = key
    rows, remainder = [], []
    for j, p in enumerate(plan.itertuples(index=False)):
        cand = sorted((d, i) for i, (_, d, jj) in best.items() if jj == j)
        limit = float(p.capacity_mw) * (1.0 + tolerance)
        taken = 0.0
        for d, i in cand:
            cap = float(reg.iloc[i]["capacity_mw"])
            if taken + cap > limit + 1e-9:
                continue
            taken += cap
            reg.iloc[i, reg.columns.get_loc("plan_project")] = p.name_zh
            reg.iloc[i, reg.columns.get_loc("name_zh")] = p.name_zh
            rows.append({"plan_project": p.name_zh, "record_id": reg.iloc[i]["record_id"], "capacity_mw": cap,
                         "status": reg.iloc[i]["status"], "distance_km": round(d / 1000.0, 1)})
        left = float(p.capacity_mw) - taken
        if left > 0.5:
            remainder.append((j, left, taken))
    keep = [j for j, _, _ in remainder]
    rest = plan.iloc[keep].copy()
    rest["capacity_mw"] = [left for _, left, _ in remainder]
    rest["matched_mw"] = [taken for _, _, taken in remainder]
    return reg, rest, pd.DataFrame(rows, columns=["plan_project", "record_id", "capacity_mw", "status", "distance_km"])


def merge_records(shipped: gpd.GeoDataFrame, user: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Put a planner's records over the shipped ones (override rule in the module docstring).

    Parameters
    ----------
    shipped, user : GeoDataFrame
        Ledger records in one CRS; ``user`` records carry ``dataset`` ``"user ..."`` or ``"GEM ..."``.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The merged records, and a table ``record_id, dataset, action`` (``replaced``, ``replaced by GEM
        download``, ``added``, ``kept``) saying which records were used.
    """
    drop = np.zeros(len(shipped), dtype=bool)
    actions = []
    ship_ds = shipped["dataset"].astype(str)
    for tracker in ("solar", "wind"):
        if user["dataset"].astype(str).str.startswith(f"GEM {tracker}").any():
            hit = ship_ds.str.startswith(f"GEM {tracker}").to_numpy()
            drop |= hit
            actions += [{"record_id": r, "dataset": d, "action": "replaced by the planner's GEM download"}
                        for r, d in zip(shipped["record_id"][hit], ship_ds[hit], strict=True)]
    ids = set(user["record_id"].astype(str))
    same = shipped["record_id"].astype(str).isin(ids).to_numpy() & ~drop
    actions += [{"record_id": r, "dataset": d, "action": "replaced by the planner's record"}
                for r, d in zip(shipped["record_id"][same], ship_ds[same], strict=True)]
    drop |= same
    replaced = set(shipped["record_id"][same].astype(str))
    actions += [{"record_id": r, "dataset": d, "action": "used (planner's, replaces the shipped record)"
                 if r in replaced else "used (planner's, added)"}
                for r, d in zip(user["record_id"].astype(str), user["dataset"].astype(str), strict=True)]
    kept = shipped.loc[~drop]
    merged = pd.concat([kept, user.to_crs(shipped.crs)], ignore_index=True)
    table = pd.DataFrame(actions, columns=["record_id", "dataset", "action"])
    counts = {"record_id": "(shipped records kept)", "dataset": "pack", "action": f"kept: {len(kept)}"}
    table = pd.concat([table, pd.DataFrame([counts])], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=shipped.crs), table
