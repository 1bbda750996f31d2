"""The solar plan step: capacity and annual energy of every PV site, from archetypes and weather.

:func:`solar_step` is what :func:`binhai_geo.runner.compute_plan` calls; :func:`compute_pv` does the work
for any sites table (the ``binhai-geo pv`` command uses it too).

Capacity: a non-rooftop PV site gets area x the capacity density its archetype implies (module,
ground-cover ratio, array share; ``pv_archetypes.csv``); a rooftop gets its technical usable roof area
(:mod:`binhai_geo.solar.rooftops`, ``rooftop_fractions.csv``) x gcr x module efficiency. When the workflow overrides a
density in ``[assumptions] capacity_density`` (or replaces the density table), the override wins and the
capacity from the sites step is kept. The packaged ``capacity_density.csv`` PV rows take their values from
the archetypes (:mod:`binhai_geo.solar.densities`, their one source), so the sites step starts from the same
densities.

Energy: :func:`binhai_geo.solar.batch.simulate` on the workflow's weather (``[solar] weather``: the
stand-in default year, or an EPW / TMY3 / PVGIS / ERA5 file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.indicator import Indicator
from binhai_geo.notes import Note
from binhai_geo.solar.spec import DEFAULT_ARCHETYPES, DEFAULT_ROOF_ARCHETYPES, SolarSpec
from binhai_geo.steps import StepResult

if TYPE_CHECKING:
    from binhai_geo.config import Workflow
    from binhai_geo.layers import LayerSet

#: Weather-file distance from the sites above which the notes warn [km].
FAR_KM = 50.0
#: Sites smaller than this have "zero area" (1 m2) [km2].
MIN_AREA_KM2 = 1e-6


@dataclass
class PVRun:
    """What :func:`compute_pv` computed."""

    sites: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame]
    notes: list[Note]
    inputs: list[Path]
    weather: object
    archetypes: dict
    rooftops: pd.DataFrame | None = None
    batch: object = None


def _fid_of(site_ids: pd.Series) -> np.ndarray:
    return site_ids.astype(str).str.rsplit("-", n=1).str[-1].to_numpy()


def _layer_rows(gdf: gpd.GeoDataFrame, fids: np.ndarray) -> np.ndarray:
    """Positions in ``gdf`` of the features whose FID (as text) is in ``fids``."""
    pos = pd.Series(np.arange(len(gdf)), index=gdf.index.astype(str))
    return pos.reindex(fids).to_numpy()


def _archetype_choice(kind: str, roof_type: np.ndarray | None, choice: dict[str, str],
                      archetypes: dict) -> np.ndarray:
    if kind == "rooftop":
        ids = np.array([choice.get(f"rooftop_{t}", DEFAULT_ROOF_ARCHETYPES[t]) for t in roof_type], dtype=object)
    elif kind in DEFAULT_ARCHETYPES:
        ids = np.array([choice.get(kind, DEFAULT_ARCHETYPES[kind])], dtype=object)
    else:
        raise WorkflowError(f"'{kind}' is a PV surface of [siting] but the solar engine has no archetype for it",
                            field="siting.pv_surfaces",
                            hint=f"use PV surfaces among {', '.join([*DEFAULT_ARCHETYPES, 'rooftop'])}")
    for a in set(ids):
        if a not in archetypes:
            key = kind if kind != "rooftop" else "rooftop_*"
            raise WorkflowError(f"archetype '{a}' for '{kind}' is not in the archetype table; "
                                f"known: {', '.join(sorted(archetypes))}", field=f"solar.archetypes.{key}",
                                hint="use one of the archetypes listed")
    return ids


def load_weather_for(spec_weather: str, lat: np.ndarray, lon: np.ndarray, *,  # noqa: ANN201 - WeatherSet, ...
                     resolve=lambda p: Path(p), year: int = 2025, seed: int = 2025,  # noqa: ANN001
                     cell_deg: float = 0.25):
    """Return (WeatherSet, cell index per point, distance per point [km], notes) for ``'default'`` or a file.

    The distance is from each point to its weather point (a station, or the nearest grid point of a gridded
    file); NaN for the default year, which is built at each 0.25 deg cell.
    """
    from binhai_geo.solar.iotools import read_weather
    from binhai_geo.solar.weather import default_weather_set

    notes: list[Note] = []
    if spec_weather == "default":
        ws = default_weather_set(lat, lon, cell_deg=cell_deg, year=year, seed=seed)
        idx, _ = ws.nearest(lat, lon)
        return ws, idx, np.full(len(lat), np.nan), notes
    ws = read_weather(resolve(spec_weather))
    notes.extend(ws.notes)  # what the reader repaired or aggregated (missing codes, beam closure, 15 min)
    idx, dist = ws.nearest(lat, lon)
    if len(dist) and float(np.max(dist)) > FAR_KM:
        notes.append(Note("solar.weather.far", {"file": ws.path.name, "distance_km": float(np.max(dist))}))
    if len(dist) and len(ws.cells) == 1:
        notes.append(Note("solar.weather.one_station", {"station": ws.cells[0].name,
                                                         "min_distance_km": float(np.min(dist)),
                                                         "max_distance_km": float(np.max(dist))}))
    return ws, idx, np.asarray(dist, dtype=float), notes


def _check_pv_areas(pv: gpd.GeoDataFrame, kinds: np.ndarray, fids: np.ndarray, area_km2: np.ndarray) -> None:
    """Raise :class:`LayerError` for the first PV site under :data:`MIN_AREA_KM2` (1 m2)."""
    zero = ~(area_km2 >= MIN_AREA_KM2)
    if zero.any():
        i = int(np.nonzero(zero)[0][0])
        raise LayerError(f"PV site '{pv['site_id'].iloc[i]}' has zero area (under 1 m2; {int(zero.sum())} such "
                         "site(s)); capacity and energy need an area", layer=str(kinds[i]), feature=fids[i],
                         hint="delete the feature or redraw its polygon")


def _pv_systems(pv: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], spec: SolarSpec, archetypes: dict,
                fractions: pd.DataFrame, fixed_density: set[str] | bool,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Return (archetype, tilt [deg], azimuth [deg], capacity [MW], density [MW/km2], rooftop systems) per PV row.

    A surface in ``fixed_density`` (or all, if True) keeps its capacity and density; the others get the
    archetype's density (rooftops: the roof's usable capacity times the site's share of the footprint).
    The rooftop systems frame is None without rooftop sites.
    """
    from binhai_geo.solar.rooftops import rooftop_systems

    n = len(pv)
    arch = np.empty(n, dtype=object)
    tilt = np.full(n, np.nan)
    azim = np.full(n, np.nan)
    cap_mw = pv["capacity_mw"].to_numpy(dtype=float).copy()
    dens = pv["capacity_density"].to_numpy(dtype=float).copy()
    kinds = pv["layer_kind"].to_numpy()
    fids = _fid_of(pv["site_id"])
    area = pv["area_km2"].to_numpy(dtype=float)
    _check_pv_areas(pv, kinds, fids, area)
    roof_sys = None
    for kind in sorted(set(kinds)):
        sel = kinds == kind
        fixed = fixed_density is True or kind in fixed_density
        if kind == "rooftop":
            roofs = layers["rooftop"]
            rows = _layer_rows(roofs, fids[sel])
            sub = roofs.iloc[rows]
            ids = _archetype_choice(kind, sub["roof_type"].to_numpy(), spec.archetypes, archetypes)
            flat, pitched = spec.roof_archetypes()
            roof_sys = rooftop_systems(sub, archetypes, fractions, flat=flat, pitched=pitched)
            arch[sel] = ids
            tilt[sel] = roof_sys["tilt_deg"].to_numpy()
            azim[sel] = roof_sys["azimuth_deg"].to_numpy()
            if not fixed:
                # a site clipped by the eligibility step keeps its eligible share of the roof
                share = np.minimum(1.0, area[sel] * 1e6 / roof_sys["footprint_m2"].to_numpy())
                cap_mw[sel] = roof_sys["capacity_kwp"].to_numpy() * share / 1000.0
                dens[sel] = cap_mw[sel] / area[sel]
        else:
            a_id = _archetype_choice(kind, None, spec.archetypes, archetypes)[0]
            a = archetypes[a_id]
            arch[sel] = a_id
            tilt[sel] = a.tilt_deg
            azim[sel] = a.azimuth_deg
            if not fixed:
                dens[sel] = a.capacity_density_mw_per_km2
                cap_mw[sel] = area[sel] * dens[sel]
    return arch, tilt, azim, cap_mw, dens, roof_sys


def _fill_pv_columns(out: gpd.GeoDataFrame, pv_mask: np.ndarray, pv: gpd.GeoDataFrame, cap_mw: np.ndarray,
                     dens: np.ndarray, result, wdist_km: np.ndarray) -> None:  # noqa: ANN001 - BatchResult
    """Write capacity, density and the energy columns of the PV rows of ``out`` in place."""
    out.loc[pv_mask, "capacity_mw"] = cap_mw
    out.loc[pv_mask, "capacity_density"] = dens
    if "candidate_capacity_mw" in out.columns and "candidate_area_km2" in out.columns:
        cand = pv["candidate_area_km2"].fillna(pv["area_km2"]).to_numpy(dtype=float)
        out.loc[pv_mask, "candidate_capacity_mw"] = cand * dens
    out.loc[pv_mask, "energy_mwh_per_yr"] = result.energy_kwh_per_yr / 1000.0
    out.loc[pv_mask, "weather_distance_km"] = np.round(wdist_km, 2)  # to the site's weather point
    out.loc[pv_mask, "specific_yield_kwh_per_kwp"] = result.specific_yield_kwh_per_kwp
    out.loc[pv_mask, "capacity_factor"] = result.capacity_factor  # AC energy / (DC kWp x 8760 h)
    out.loc[pv_mask, "full_load_hours"] = result.specific_yield_kwh_per_kwp  # 利用小时数 [h/yr], DC basis


def _archetype_reference_table(archetypes: dict, ws, lat: np.ndarray, lon: np.ndarray,  # noqa: ANN001
                               arch: np.ndarray) -> pd.DataFrame:
    """Return the archetype table with each archetype's reference yield at the centre of the PV sites.

    Reference: default orientation, 1 kWp, at the weather cell nearest the mean latitude and longitude.
    """
    from binhai_geo.solar.archetypes import archetype_table
    from binhai_geo.solar.batch import simulate

    ref_idx, _ = ws.nearest(np.array([lat.mean()]), np.array([lon.mean()]))
    ids = sorted(archetypes)
    ref = simulate(archetypes, ws, cell=np.repeat(ref_idx, len(ids)), archetype=ids,
                   tilt_deg=[archetypes[i].tilt_deg for i in ids],
                   azimuth_deg=[archetypes[i].azimuth_deg for i in ids], capacity_kwp=np.ones(len(ids)))
    at = archetype_table(archetypes).set_index("archetype")
    at["specific_yield_kwh_per_kwp_reference"] = pd.Series(ref.specific_yield_kwh_per_kwp, index=ids).round(1)
    at["reference_weather_cell"] = ws.cells[int(ref_idx[0])].name
    used = pd.Series(arch).value_counts()
    at["n_sites"] = used.reindex(at.index).fillna(0).astype(int)
    return at.reset_index()


def _loss_table(groups: pd.DataFrame) -> pd.DataFrame:
    """Return the capacity-weighted loss chain per archetype (kWh/kWp, % of DC gross, MWh/yr, PR)."""
    from binhai_geo.solar.batch import LOSS_ITEMS

    cols = ["poa_kwh_per_m2", "dc_gross_kwh_per_kwp", *[f"{k}_kwh_per_kwp" for k in LOSS_ITEMS],
            "net_kwh_per_kwp"]
    rows = []
    for a_id, sub in groups.groupby("archetype"):
        ww = sub["capacity_kwp"].to_numpy()
        ww = ww if ww.sum() > 0 else np.ones(len(sub))
        mean = {c: float(np.average(sub[c], weights=ww)) for c in cols}
        row = {"archetype": a_id, "n_sites": int(sub["n_sites"].sum()),
               "capacity_mw": round(float(sub["capacity_kwp"].sum()) / 1000, 3)}
        row.update({c: round(v, 2) for c, v in mean.items()})
        for k in LOSS_ITEMS:
            row[f"{k}_pct"] = round(100 * mean[f"{k}_kwh_per_kwp"] / mean["dc_gross_kwh_per_kwp"], 2)
            row[f"{k}_mwh_per_yr"] = round(mean[f"{k}_kwh_per_kwp"] * row["capacity_mw"], 1)
        row["net_mwh_per_yr"] = round(mean["net_kwh_per_kwp"] * row["capacity_mw"], 1)
        # loss of front effective irradiance to row-to-row shading (before the module model) [%]
        row["row_shading_pct"] = round(float(np.average(sub["row_shading_pct"], weights=ww)), 2)
        row["performance_ratio"] = round(mean["net_kwh_per_kwp"] / mean["poa_kwh_per_m2"], 4)
        rows.append(row)
    return pd.DataFrame(rows)


def _pv_summary_table(pv_rows: gpd.GeoDataFrame, arch: np.ndarray, pv_target_mw: float | None) -> pd.DataFrame:
    """Return sites, area, capacity and energy by surface and archetype, with a total row (unrounded)."""
    summ = pv_rows.assign(archetype=arch).groupby(["layer_kind", "archetype"]).agg(
        n_sites=("site_id", "size"), area_km2=("area_km2", "sum"), capacity_mw=("capacity_mw", "sum"),
        energy_mwh_per_yr=("energy_mwh_per_yr", "sum")).reset_index()
    total = pd.DataFrame([{"layer_kind": "total", "archetype": "", "n_sites": int(summ["n_sites"].sum()),
                           "area_km2": summ["area_km2"].sum(), "capacity_mw": summ["capacity_mw"].sum(),
                           "energy_mwh_per_yr": summ["energy_mwh_per_yr"].sum()}])
    summ = pd.concat([summ, total], ignore_index=True)
    summ["specific_yield_kwh_per_kwp"] = summ["energy_mwh_per_yr"] / summ["capacity_mw"].where(
        summ["capacity_mw"] > 0)
    summ["capacity_factor"] = summ["specific_yield_kwh_per_kwp"] / 8760.0
    summ["full_load_hours"] = summ["specific_yield_kwh_per_kwp"]
    if pv_target_mw:
        summ["share_of_pv_target"] = summ["capacity_mw"] / pv_target_mw
    return summ


def _pv_notes(ws, weather_table: pd.DataFrame, summ: pd.DataFrame,  # noqa: ANN001 - WeatherSet
              pv_target_mw: float | None) -> list[Note]:
    """Return the weather, model and candidate-total notes of a PV run with sites."""
    from binhai_geo.solar.weather import load_weather_defaults

    notes: list[Note] = []
    ghi = weather_table["ghi_kwh_per_m2_yr"]
    ghi_range = (float(ghi.min()), float(ghi.max()))  # [kWh/m2/yr] over the weather cells
    if ws.stand_in:
        coef = load_weather_defaults()
        notes.append(Note("solar.weather.stand_in", {"ghi_kwh_per_m2": ghi_range, "angstrom_a": coef["angstrom_a"],
                                                     "angstrom_b": coef["angstrom_b"]}))
    else:
        notes.append(Note("solar.weather.measured", {"source": ws.source, "ghi_kwh_per_m2": ghi_range}))
    notes.append(Note("solar.yield_model"))
    notes.append(Note("solar.capacity_model"))
    tot = summ.iloc[-1]
    target = Note("solar.candidates.target", {"pv_target_mw": pv_target_mw}) if pv_target_mw else None
    notes.append(Note("solar.candidates", {"capacity_mw": float(tot["capacity_mw"]),
                                           "energy_gwh_per_yr": float(tot["energy_mwh_per_yr"]) / 1000,
                                           "target": target}))
    return notes


def compute_pv(
    sites: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame],
    spec: SolarSpec,
    *,
    archetypes: dict,
    fractions: pd.DataFrame,
    fixed_density: set[str] | bool = frozenset(),
    resolve=lambda p: Path(p),  # noqa: ANN001
    pv_target_mw: float | None = None,
) -> PVRun:
    """Fill capacity (unless fixed) and the energy columns of every PV row of ``sites``.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        The sites table (:data:`binhai_geo.siting.sites.SITE_COLUMNS`), projected CRS.
    layers : dict
        Validated layers by kind (the rooftop layer gives building class and roof type).
    spec : SolarSpec
        The ``[solar]`` table.
    archetypes, fractions
        Resolved archetypes and rooftop fractions.
    fixed_density : set of str or True
        Surfaces ("salt_pan", ...) whose capacity density the workflow overrode (True: all; a replaced
        table): their capacity is kept.
    resolve : callable
        Turns a path of the workflow into a file path.
    pv_target_mw : float, optional
        The plan's PV target, for the summary table.

    Raises
    ------
    LayerError
        For a PV site of zero area.
    WorkflowError, WeatherError
        For bad archetypes, overrides or weather.
    """
    from binhai_geo.solar.batch import simulate
    from binhai_geo.solar.weather import weather_summary

    out = sites.copy()
    pv_mask = (out["technology"] == "pv").to_numpy()
    notes: list[Note] = []
    pv = out[pv_mask]
    arch, tilt, azim, cap_mw, dens, roof_sys = _pv_systems(pv, layers, spec, archetypes, fractions, fixed_density)
    tables: dict[str, pd.DataFrame] = {}
    inputs: list[Path] = []
    ws = None
    result = None
    if len(pv):
        pts = gpd.GeoSeries(pv.geometry.representative_point().to_numpy(), crs=pv.crs).to_crs(4326)
        lat, lon = pts.y.to_numpy(), pts.x.to_numpy()
        ws, cell, wdist, wnotes = load_weather_for(spec.weather, lat, lon, resolve=resolve, year=spec.weather_year,
                                                   seed=spec.weather_seed, cell_deg=spec.weather_cell_deg)
        notes.extend(wnotes)
        if ws.path is not None:
            inputs.append(Path(ws.path))
        result = simulate(archetypes, ws, cell=cell, archetype=arch, tilt_deg=tilt, azimuth_deg=azim,
                          capacity_kwp=cap_mw * 1000.0)
        _fill_pv_columns(out, pv_mask, pv, cap_mw, dens, result, wdist)
        tables["pv_archetypes"] = _archetype_reference_table(archetypes, ws, lat, lon, arch)
        tables["pv_losses"] = _loss_table(result.groups)
        tables["weather_summary"] = weather_summary(ws)
        summ = _pv_summary_table(out[pv_mask], arch, pv_target_mw)
        tables["pv_summary"] = summ.round(4)
        notes.extend(_pv_notes(ws, tables["weather_summary"], summ, pv_target_mw))  # totals before rounding
    else:
        notes.append(Note("solar.no_sites"))
    return PVRun(out, tables, notes, inputs, ws, archetypes, roof_sys, result)


def rooftop_indicator(roofs: gpd.GeoDataFrame | None, fractions: pd.DataFrame, archetypes: dict,
                      yield_kwh_per_kwp: float | None = None) -> Indicator | None:
    """Share of the roof area of new public-institution and new factory buildings that carries PV.

    The plan's target (新建公共机构建筑、新建厂房屋顶光伏覆盖率力争达到50%) is a *coverage* rate, so roof
    area is counted (a large factory counts more than a gatehouse); the basis also gives the share by
    count and what fitting the rest at the usable shares would add.
    """
    from binhai_geo.solar.rooftops import rooftop_systems

    if roofs is None or len(roofs) == 0 or "pv_installed" not in roofs.columns:
        return None
    sel = roofs[roofs["new_build"].fillna(False).astype(bool)
                & roofs["building_class"].isin(["public_institution", "factory"])]
    if len(sel) == 0:
        return None
    has = sel["pv_installed"].fillna(False).astype(bool).to_numpy()
    area = sel.geometry.area.to_numpy()
    share_area = 100.0 * area[has].sum() / area.sum()
    share_count = 100.0 * has.sum() / len(sel)
    basis = (f"by roof area: {area[has].sum():,.0f} of {area.sum():,.0f} m2 of new public-institution and factory "
             f"roofs carry PV; by count {int(has.sum())} of {len(sel)} buildings ({share_count:.0f}%)")
    if (~has).any():
        sysm = rooftop_systems(sel[~has], archetypes, fractions)
        kwp = float(sysm["capacity_kwp"].sum())
        basis += f"; fitting the others at the usable shares adds {kwp / 1000:,.1f} MWp"
        if yield_kwh_per_kwp:
            basis += f" ({kwp * yield_kwh_per_kwp / 1e6:,.1f} GWh/yr)"
    return Indicator("rooftop_pv_new_buildings", share_area, "percent", basis)


def solar_tables(workflow: Workflow) -> tuple[dict, pd.DataFrame, list[Path]]:
    """Load the archetypes and rooftop fractions a workflow's ``[solar]`` table asks for.

    Returns
    -------
    (dict, pandas.DataFrame, list of pathlib.Path)
        Resolved archetypes, usable-roof fractions, and the two files they were read from.

    Raises
    ------
    WorkflowError
        When a named file does not exist.
    """
    from binhai_geo.factors import packaged_table
    from binhai_geo.solar.archetypes import ARCHETYPE_TABLE, load_archetypes
    from binhai_geo.solar.rooftops import FRACTIONS_TABLE, load_rooftop_fractions

    spec: SolarSpec = workflow.spec.solar
    a_path = workflow.resolve(spec.archetype_file) if spec.archetype_file else None
    f_path = workflow.resolve(spec.rooftop_fraction_file) if spec.rooftop_fraction_file else None
    for what, p in (("archetype_file", a_path), ("rooftop_fraction_file", f_path)):
        if p is not None and not p.exists():
            raise WorkflowError(f"{what} '{p}' does not exist", file=str(workflow.path), field=f"solar.{what}",
                                hint="fix the path, relative to the workflow file")
    files = [a_path or packaged_table(ARCHETYPE_TABLE), f_path or packaged_table(FRACTIONS_TABLE)]
    return load_archetypes(a_path, spec.overrides), load_rooftop_fractions(f_path), files


def solar_step(workflow: Workflow, layers: LayerSet, sites: gpd.GeoDataFrame, *,
               pv_target_mw: float | None = None) -> StepResult:
    """Run the plan step of the solar engine.

    Parameters
    ----------
    workflow : binhai_geo.config.Workflow
        The loaded workflow (``[solar]`` table, ``[assumptions] capacity_density`` overrides).
    layers : binhai_geo.layers.LayerSet
        The validated layers (the rooftop layer gives building class, roof type, new build, PV).
    sites : geopandas.GeoDataFrame
        The current sites table.
    pv_target_mw : float, optional
        The plan's PV capacity target [MW], only quoted in the candidate-sites note (the runner reads it from
        the targets; the engine does not read them).

    Returns
    -------
    StepResult
        ``sites`` with capacity_mw, capacity_density, energy_mwh_per_yr, specific_yield_kwh_per_kwp and
        capacity_factor of every PV row; indicator ``rooftop_pv_new_buildings`` [percent]; tables
        ``pv_archetypes``, ``pv_losses``, ``pv_summary``, ``weather_summary``; notes; inputs read.
    """
    from binhai_geo.factors import packaged_table

    spec: SolarSpec = workflow.spec.solar
    archetypes, fractions, table_files = solar_tables(workflow)
    assumptions = workflow.spec.assumptions
    fixed: set[str] | bool = True if assumptions.capacity_density_file else {
        k.split(".")[0] for k in assumptions.capacity_density if k.endswith(".pv")}
    run = compute_pv(sites, layers.layers, spec, archetypes=archetypes, fractions=fractions, fixed_density=fixed,
                     resolve=workflow.resolve, pv_target_mw=pv_target_mw)
    roof_yield = None
    if run.batch is not None:
        pv = run.sites[run.sites["technology"] == "pv"]
        roofs_pv = pv[pv["layer_kind"] == "rooftop"]
        if len(roofs_pv) and roofs_pv["capacity_mw"].sum() > 0:
            roof_yield = float(roofs_pv["energy_mwh_per_yr"].sum() / roofs_pv["capacity_mw"].sum())
    indicators = []
    ind = rooftop_indicator(layers.layers.get("rooftop"), fractions, archetypes, roof_yield)
    if ind is not None:
        indicators.append(ind)
    inputs = [*table_files, *run.inputs]
    if spec.weather == "default":
        inputs += [packaged_table("solar_tanggu_normals.csv"), packaged_table("solar_weather_defaults.csv")]
    return StepResult(sites=run.sites, indicators=indicators, tables=run.tables, notes=run.notes, inputs=inputs)
