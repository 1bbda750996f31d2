"""Run the wind plan step: turbines, capacity and energy of every wind site.

:func:`wind_step` is called once by :func:`binhai_geo.runner.compute_plan`; :func:`run_wind` does the
work for any table of wind zones (the plan's wind sites, or a file given to ``binhai-geo wind``):

resource per zone (:mod:`~binhai_geo.wind.resource`) -> turbine per layer kind, checked
(:mod:`~binhai_geo.wind.turbines`) -> layout (:mod:`~binhai_geo.wind.layout`) -> gross energy, wakes,
losses (:mod:`~binhai_geo.wind.energy`).

The step replaces each wind site's capacity (area x capacity density, from :mod:`binhai_geo.sites`) by
turbines x rated power, recomputes its capacity density, fills the energy columns and adds the columns
``turbines``, ``turbine_type``, ``wake_loss_pct`` and ``gross_energy_mwh_per_yr`` (empty for PV rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.steps import StepResult
from binhai_geo.wind import energy as en
from binhai_geo.wind.layout import exclusion_geometry, grid_in_polygon, points_along_line, require_geometry, thin
from binhai_geo.wind.resource import hub_scale, prevailing_direction, zone_resource
from binhai_geo.wind.spec import WindSpec, _default_hubs, _default_surfaces, _default_turbines
from binhai_geo.wind.tables import load_parameters, losses_table, parameters_table, roughness_table
from binhai_geo.wind.turbines import Turbine, check_hub_height, check_library, get_turbine

#: Columns the wind step adds to the sites table.
EXTRA_COLUMNS = ("turbines", "turbine_type", "wake_loss_pct", "gross_energy_mwh_per_yr")

#: Columns of the ``wind_zones`` table.
ZONE_COLUMNS = (
    "site_id", "name", "layer_kind", "surface", "turbine_type", "rated_mw", "rotor_diameter_m", "hub_height_m",
    "turbines", "capacity_mw", "weibull_a_ref_mps", "weibull_k", "reference_height_m", "roughness_m",
    "weibull_a_hub_mps", "mean_speed_hub_mps", "prevailing_deg", "turbulence_intensity",
    "gross_energy_mwh_per_yr", "wake_loss_pct", "availability_loss_pct", "electrical_loss_pct",
    "turbine_performance_loss_pct", "environmental_loss_pct", "curtailment_loss_pct", "total_loss_pct",
    "net_energy_mwh_per_yr", "capacity_factor", "full_load_hours", "resource_source",
)

#: Columns of the ``turbines`` geo layer.
TURBINE_COLUMNS = ("site_id", "turbine_type", "hub_height_m", "capacity_mw", "energy_mwh_per_yr", "wake_loss_pct")

_LINE_KINDS = ("breakwater",)


@dataclass
class WindResult:
    """What :func:`run_wind` computed.

    Attributes
    ----------
    zones : pandas.DataFrame
        One row per zone, columns :data:`ZONE_COLUMNS`, in the input order.
    turbines : geopandas.GeoDataFrame
        One point per turbine, columns :data:`TURBINE_COLUMNS`.
    tables : dict of str to pandas.DataFrame
        ``wind_curve_check`` (every library curve's verdict) and ``wind_assumptions`` (factors used).
    notes : list of str
    inputs : list of pathlib.Path
    """

    zones: pd.DataFrame
    turbines: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)


def _assumptions(params: pd.DataFrame, losses: pd.DataFrame, rough: pd.DataFrame) -> pd.DataFrame:
    frames = [
        params.assign(table="wind_parameters", key=params["parameter"]),
        losses.assign(table="wind_losses", key=losses["loss"] + "." + losses["surface"]),
        rough.assign(table="wind_roughness", key=rough["surface"]),
    ]
    cols = ["table", "key", "value", "low", "high", "unit", "source"]
    return pd.concat([f[cols] for f in frames], ignore_index=True)


def run_wind(zones: gpd.GeoDataFrame, spec: WindSpec, *, exclusions: gpd.GeoDataFrame | None = None,
             base_dir: Path | None = None, file: str | None = None) -> WindResult:
    """Lay out turbines and compute the energy of wind zones.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Columns ``site_id``, ``layer_kind`` (offshore_zone, tidal_flat, breakwater), optional ``name``;
        polygons (lines for breakwaters) in a projected CRS.
    spec : WindSpec
        The ``[wind]`` settings.
    exclusions : geopandas.GeoDataFrame, optional
        Exclusion features with an optional ``buffer_m`` [m].
    base_dir : pathlib.Path, optional
        Folder relative paths of ``spec`` are resolved against.
    file : str, optional
        The zones' file, named in error messages.

    Raises
    ------
    BinhaiGeoError
        Bad geometry (lines where polygons are expected ...), unknown or refused turbine, hub height
        below the rotor radius, bad resource data.
    """
    params_df = parameters_table(spec.parameters)
    params = load_parameters(spec.parameters)
    losses = losses_table(spec.losses)
    rough = roughness_table(spec.roughness_m)
    z0_of = dict(zip(rough["surface"], rough["value"], strict=True))
    kinds = zones["layer_kind"].to_numpy(object)
    for kind in pd.unique(kinds):
        family = "line" if kind in _LINE_KINDS else "polygon"
        require_geometry(zones[kinds == kind], family, layer=str(kind), file=file)

    turbines: dict[str, Turbine] = {}
    hubs: dict[str, float] = {}
    notes: list[str] = []
    inputs: list[Path] = []
    for kind in pd.unique(kinds):
        ttype = spec.turbine.get(kind, _default_turbines()[kind])
        turbines[kind] = get_turbine(ttype, params, base_dir, where=str(kind))
        hubs[kind] = float(spec.hub_height_m.get(kind, _default_hubs()[kind]))
        check_hub_height(turbines[kind], hubs[kind], where=str(kind))
        if ttype.lower().endswith(".csv"):
            p = Path(ttype)
            inputs.append(p if p.is_absolute() or base_dir is None else (base_dir / p).resolve())
        notes.extend(f"Power curve flagged (风机功率曲线提示): {f}" for f in turbines[kind].flags)

    surfaces = np.array([spec.surface.get(k, _default_surfaces()[k]) for k in kinds], dtype=object)
    res = zone_resource(zones, surfaces, resource=spec.resource, region=spec.resource_region, base_dir=base_dir,
                        height_m=spec.resource_height_m, rose=spec.wind_rose)
    notes.extend(res.notes)
    inputs.extend(res.inputs)
    excluded = exclusion_geometry(exclusions, zones.crs)

    # layout, zone by zone, then thinning across zones
    xy_all, zone_of, min_dist = [], [], []
    for i, (geom, kind) in enumerate(zip(zones.geometry.to_numpy(), kinds, strict=True)):
        t = turbines[kind]
        d = t.rotor_diameter_m
        clearance = params["exclusion_clearance_d"] * d
        if kind in _LINE_KINDS:
            spacing = max(params["line_spacing_d"] * d, params["line_min_spacing_m"])
            xy = points_along_line(geom, spacing_m=spacing, excluded=excluded, clearance_m=clearance)
        else:
            spacing = params["crosswind_spacing_d"] * d
            xy = grid_in_polygon(geom, downwind_m=params["downwind_spacing_d"] * d, crosswind_m=spacing,
                                 direction_deg=prevailing_direction(res.rose[i]),
                                 setback_m=params["edge_setback_d"] * d, excluded=excluded, clearance_m=clearance)
        xy_all.append(xy)
        zone_of.append(np.full(len(xy), i))
        min_dist.append(np.full(len(xy), spacing))
    xy = np.vstack(xy_all) if xy_all else np.empty((0, 2))
    zone_idx = np.concatenate(zone_of) if zone_of else np.empty(0, int)
    keep = thin(xy, np.concatenate(min_dist) if min_dist else np.empty(0))
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} turbine position(s) dropped where zones touch or overlap (closer than the "
                     "spacing to a turbine of another zone).")
    xy, zone_idx = xy[keep], zone_idx[keep]

    # resource at hub height, gross energy per turbine (vectorised by turbine type)
    tab = res.table
    z0 = np.array([z0_of[s] for s in surfaces])
    hub = np.array([hubs[k] for k in kinds])
    a_hub = hub_scale(tab["weibull_a_mps"].to_numpy(float), tab["reference_height_m"].to_numpy(float), hub, z0)
    k = tab["weibull_k"].to_numpy(float)
    gross_t = np.zeros(len(xy))
    for kind, t in turbines.items():
        sel = kinds[zone_idx] == kind
        if sel.any():
            zi = zone_idx[sel]
            gross_t[sel] = en.gross_energy_mwh(t, a_hub[zi], k[zi], res.rose[zi])

    # wakes per zone, other losses
    wake_t = np.zeros(len(xy))
    wd_step, ws_step = params["wake_wd_step_deg"], params["wake_ws_step_mps"]
    for i in range(len(zones)):
        sel = np.flatnonzero(zone_idx == i)
        if len(sel) < 2 or not spec.wakes:
            continue
        no_wake, with_wake = en.wake_aep(
            turbines[kinds[i]], hub[i], xy[sel], res.rose[i], float(a_hub[i]), float(k[i]),
            float(tab["turbulence_intensity"].iloc[i]), model=spec.wake_model, surface=surfaces[i],
            wd_step_deg=wd_step, ws_step_mps=ws_step)
        wake_t[sel] = np.where(no_wake > 0, 1.0 - with_wake / np.where(no_wake > 0, no_wake, 1.0), 0.0)
    factors = [en.loss_factors(losses, s) for s in surfaces]
    net_t = np.array([en.net_energy(g, w, factors[z]) for g, w, z in zip(gross_t, wake_t, zone_idx, strict=True)])

    rows = []
    names = zones["name"] if "name" in zones.columns else pd.Series(pd.NA, index=zones.index)
    for i in range(len(zones)):
        kind = kinds[i]
        t = turbines[kind]
        sel = zone_idx == i
        n = int(sel.sum())
        cap = n * t.rated_mw
        gross = float(gross_t[sel].sum())
        net = float(net_t[sel].sum())
        wake = 100.0 * (1.0 - float((gross_t[sel] * (1 - wake_t[sel])).sum()) / gross) if gross > 0 else np.nan
        f = factors[i]
        total = 100.0 * (1.0 - net / gross) if gross > 0 else np.nan
        rows.append({
            "site_id": zones["site_id"].iloc[i], "name": names.iloc[i], "layer_kind": kind, "surface": surfaces[i],
            "turbine_type": t.name, "rated_mw": t.rated_mw, "rotor_diameter_m": t.rotor_diameter_m,
            "hub_height_m": hub[i], "turbines": n, "capacity_mw": cap,
            "weibull_a_ref_mps": tab["weibull_a_mps"].iloc[i], "weibull_k": k[i],
            "reference_height_m": tab["reference_height_m"].iloc[i], "roughness_m": z0[i],
            "weibull_a_hub_mps": a_hub[i], "mean_speed_hub_mps": float(a_hub[i] * _gamma1(k[i])),
            "prevailing_deg": prevailing_direction(res.rose[i]),
            "turbulence_intensity": tab["turbulence_intensity"].iloc[i],
            "gross_energy_mwh_per_yr": gross, "wake_loss_pct": wake if n else np.nan,
            **{f"{item}_loss_pct": 100.0 * f[item] for item in en.LOSS_ITEMS},
            "total_loss_pct": total if n else np.nan,
            "net_energy_mwh_per_yr": net,
            "capacity_factor": net / (cap * en.HOURS_PER_YEAR) if cap > 0 else np.nan,
            "full_load_hours": net / cap if cap > 0 else np.nan,
            "resource_source": tab["resource_source"].iloc[i],
        })
    table = pd.DataFrame(rows, columns=list(ZONE_COLUMNS))
    empty = table[table["turbines"] == 0]
    if len(empty):
        notes.append(f"{len(empty)} wind zone(s) too small for one turbine after setbacks and exclusions: 0 turbines, "
                     f"0 MW ({', '.join(map(str, empty['site_id']))}) (面积不足以布置一台风机的场区，装机为0).")

    site_ids = zones["site_id"].to_numpy(object)
    tkinds = kinds[zone_idx]
    gdf = gpd.GeoDataFrame({
        "site_id": site_ids[zone_idx],
        "turbine_type": [turbines[kk].name for kk in tkinds],
        "hub_height_m": hub[zone_idx],
        "capacity_mw": np.array([turbines[kk].rated_mw for kk in tkinds], dtype=float),
        "energy_mwh_per_yr": net_t,
        "wake_loss_pct": 100.0 * wake_t,
    }, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]) if len(xy) else gpd.GeoSeries([]), crs=zones.crs)

    models = {"niayifar_gaussian": "Niayifar & Porte-Agel 2016 Gaussian (TI-dependent expansion)",
              "bastankhah_gaussian": "Bastankhah & Porte-Agel 2014 Gaussian", "jensen": "NOJ / Jensen 1983"}
    if spec.wakes:
        notes.append(f"Wake losses: PyWake {models[spec.wake_model]}, per zone ({wd_step:g}-degree directions, "
                     f"{ws_step:g} m/s speed bins); wakes between zones are not modelled (尾流损失按场区分别计算).")
    else:
        notes.append("Wake losses not computed ([wind] wakes = false): wake loss 0 (未计算尾流损失).")
    notes.append("Wind: turbines on a grid rotated to the prevailing wind (rows 7 D apart, 4 D within a row), one row "
                 "along breakwaters; Weibull A scaled to hub height by the log law (k kept); air density 1.225 "
                 "kg/m3; losses itemised per surface from binhai_geo/data/wind_losses.csv "
                 "(风机按主导风向旋转网格布置；对数律外推至轮毂高度；损失分项计入).")
    for kind, t in turbines.items():
        notes.append(f"Wind turbine for {kind}: {t.name} ({t.rated_mw:g} MW, rotor {t.rotor_diameter_m:g} m, hub "
                     f"{hubs[kind]:g} m) from {t.source}; thrust curve {t.ct_method}.")
    curves = check_library(params)
    refused = curves[curves["status"] == "refused"]["turbine_type"].tolist()
    if refused:
        notes.append(f"windpowerlib library power curves refused (above the Betz limit or not monotonic): "
                     f"{', '.join(refused)} (功率曲线不合理，已拒用).")
    tables = {"wind_curve_check": curves, "wind_assumptions": _assumptions(params_df, losses, rough)}
    return WindResult(table, gdf[[*TURBINE_COLUMNS, "geometry"]], tables, notes, inputs)


def _gamma1(k: float) -> float:
    import math

    return math.gamma(1.0 + 1.0 / k)


def apply_to_sites(sites: gpd.GeoDataFrame, zones: pd.DataFrame) -> gpd.GeoDataFrame:
    """Write the wind results into the sites table (wind rows updated, extra columns added).

    Capacity = turbines x rated power [MW]; capacity density recomputed in the row's unit (MW/km2 or
    MW/km); energy = net energy; specific yield = net / capacity [kWh/kW]; capacity factor =
    net / (capacity x 8760 h). A zone with no turbine gets 0 MW and 0 MWh, and empty yield and factor.
    """
    out = sites.copy()
    out["turbines"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["turbine_type"] = pd.array([pd.NA] * len(out), dtype="string")
    out["wake_loss_pct"] = np.nan
    out["gross_energy_mwh_per_yr"] = np.nan
    if zones.empty:
        return out
    z = zones.set_index("site_id")
    pos = out.index[out["site_id"].isin(z.index)]
    zz = z.loc[out.loc[pos, "site_id"]]
    cap = zz["capacity_mw"].to_numpy(float)
    net = zz["net_energy_mwh_per_yr"].to_numpy(float)
    measure = np.where(out.loc[pos, "capacity_density_unit"].to_numpy() == "MW/km",
                       out.loc[pos, "length_km"].to_numpy(float), out.loc[pos, "area_km2"].to_numpy(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        out.loc[pos, "capacity_mw"] = cap
        out.loc[pos, "capacity_density"] = np.where(measure > 0, cap / measure, np.nan)
        out.loc[pos, "energy_mwh_per_yr"] = net
        out.loc[pos, "specific_yield_kwh_per_kwp"] = np.where(cap > 0, net / cap, np.nan)
        out.loc[pos, "capacity_factor"] = np.where(cap > 0, net / (cap * en.HOURS_PER_YEAR), np.nan)
        out.loc[pos, "full_load_hours"] = np.where(cap > 0, net / cap, np.nan)  # 利用小时数, rated basis
    out.loc[pos, "turbines"] = zz["turbines"].to_numpy(int)
    out.loc[pos, "turbine_type"] = zz["turbine_type"].to_numpy(str)
    out.loc[pos, "wake_loss_pct"] = zz["wake_loss_pct"].to_numpy(float)
    out.loc[pos, "gross_energy_mwh_per_yr"] = zz["gross_energy_mwh_per_yr"].to_numpy(float)
    return out


def wind_step(workflow: object, layers: object, sites: gpd.GeoDataFrame) -> StepResult:
    """Run the wind plan step: turbines, capacity and energy of every wind site of the plan.

    Parameters
    ----------
    workflow : binhai_geo.config.Workflow
        The loaded workflow (its ``[wind]`` table; relative paths resolve against its folder).
    layers : binhai_geo.layers.LayerSet
        The validated layers; ``layers.layers.get("exclusion")`` (with ``buffer_m``) is respected.
    sites : geopandas.GeoDataFrame
        The current sites table (rows with ``technology == "wind"`` are updated).

    Returns
    -------
    StepResult
        ``sites`` updated (see :func:`apply_to_sites`); tables ``wind_zones``, ``wind_curve_check``,
        ``wind_assumptions``; geo layer ``turbines``; notes; inputs. No indicators: the
        ``wind_capacity`` target counts built/pipeline projects and shows the candidate-site potential
        (now turbines x rated power) in its basis.
    """
    spec: WindSpec = workflow.spec.wind
    if not spec.enabled:
        return StepResult(sites=apply_to_sites(sites, pd.DataFrame()),
                          notes=["Wind step disabled ([wind] enabled = false): wind capacities are area x density."])
    wind = sites[sites["technology"] == "wind"]
    if wind.empty:
        return StepResult(sites=apply_to_sites(sites, pd.DataFrame()),
                          notes=["No wind sites: wind step had nothing to do."])
    exclusions = layers.layers.get("exclusion")
    res = run_wind(wind[["site_id", "name", "layer_kind", "geometry"]], spec, exclusions=exclusions,
                   base_dir=workflow.folder)
    return StepResult(
        sites=apply_to_sites(sites, res.zones),
        tables={"wind_zones": res.zones, **res.tables},
        geo={"turbines": res.turbines},
        notes=res.notes,
        inputs=res.inputs,
    )
