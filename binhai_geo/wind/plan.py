"""Run the wind plan step: turbines, capacity and energy of every wind site.

:func:`wind_step` is called once by :func:`binhai_geo.runner.compute_plan`; :func:`run_wind` does the
work for any table of wind zones (the plan's wind sites, or a file given to ``binhai-geo wind``):

resource per zone (:mod:`~binhai_geo.wind.resource`) -> turbine per layer kind, checked
(:mod:`~binhai_geo.wind.turbines`) -> the ledger's standing farms laid by rule
(:mod:`~binhai_geo.wind.existing`) -> layout (:mod:`~binhai_geo.wind.layout`) -> gross energy, wakes of
all turbines in one run, losses (:mod:`~binhai_geo.wind.energy`).

The step replaces each wind site's capacity (area x capacity density, from :mod:`binhai_geo.siting.sites`) by
turbines x rated power, recomputes its capacity density, fills the energy columns and adds the columns
``turbines``, ``turbine_type``, ``wake_loss_pct`` and ``gross_energy_mwh_per_yr`` (empty for PV rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.notes import Note
from binhai_geo.steps import StepResult
from binhai_geo.wind import energy as en
from binhai_geo.wind.existing import LaidFarms, footprints, lay_farms, registry_farm_table, select_farms
from binhai_geo.wind.fleet import LINE_KINDS, Fleet, FleetEnergy, build_fleet, fleet_energy
from binhai_geo.wind.layout import require_geometry
from binhai_geo.wind.resource import ZoneResource, zone_resource
from binhai_geo.wind.roses import prevailing_direction
from binhai_geo.wind.spec import WindSpec, _default_surfaces
from binhai_geo.wind.tables import load_parameters, losses_table, parameters_table, roughness_table, turbine_defaults
from binhai_geo.wind.turbines import Turbine, check_hub_height, check_library, get_turbine
from binhai_geo.wind.weibull import hub_scale

#: Columns the wind step adds to the sites table.
EXTRA_COLUMNS = ("turbines", "turbine_type", "wake_loss_pct", "gross_energy_mwh_per_yr")

#: Columns of the ``wind_zones`` table.
ZONE_COLUMNS = (
    "site_id", "name", "layer_kind", "surface", "layout", "farms", "turbine_type", "rated_mw", "rotor_diameter_m",
    "specific_rated_power_w_m2", "hub_height_m", "turbines", "capacity_mw", "weibull_a_ref_mps", "weibull_k",
    "reference_height_m", "roughness_m", "weibull_a_hub_mps", "mean_speed_hub_mps", "prevailing_deg",
    "most_frequent_deg", "turbulence_intensity", "gross_energy_mwh_per_yr", "wake_loss_pct",
    "wake_loss_without_existing_pct", "availability_loss_pct", "electrical_loss_pct",
    "turbine_performance_loss_pct", "environmental_loss_pct",
    "curtailment_loss_pct", "total_loss_pct", "net_energy_mwh_per_yr", "capacity_factor", "full_load_hours",
    "resource_source",
)

#: Columns of the ``turbines`` geo layer (``source``: given file, registry record ids or the zone's site id;
#: ``owner``, ``area``: a registry farm's owners and sub-districts, "" for the other turbines).
TURBINE_COLUMNS = ("site_id", "farm", "layout", "source", "layout_rule", "turbine_type", "hub_height_m", "capacity_mw",
                   "energy_mwh_per_yr", "wake_loss_pct", "owner", "area")

#: Columns of the ``wind_existing_farms`` table (ledger farms in the wake run, context only).
FARM_COLUMNS = ("farm", "source", "category", "surface", "registry_capacity_mw", "turbine_type", "hub_height_m",
                "turbines", "capacity_mw", "mean_speed_hub_mps", "gross_energy_mwh_per_yr", "wake_loss_pct",
                "net_energy_mwh_per_yr", "capacity_factor", "full_load_hours", "layout_rule")

_LINE_KINDS = LINE_KINDS


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
    notes : list of binhai_geo.notes.Note
    inputs : list of pathlib.Path
    """

    zones: pd.DataFrame
    turbines: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)


def _assumptions(params: pd.DataFrame, losses: pd.DataFrame, rough: pd.DataFrame, spec: WindSpec) -> pd.DataFrame:
    td = turbine_defaults().reset_index(drop=True)
    td = td.assign(table="wind_turbine_defaults", value=td["hub_height_m"], low=np.nan, high=np.nan,
                   unit="m (hub height)", key=td["layer_kind"] + ": " + td["turbine_type"])
    over = td["layer_kind"].isin(list(spec.turbine) + list(spec.hub_height_m))
    td.loc[over, "source"] = ("replaced by the workflow ([wind] turbine / hub_height_m); default: "
                              + td.loc[over, "source"])
    frames = [
        params.assign(table="wind_parameters", key=params["parameter"]),
        losses.assign(table="wind_losses", key=losses["loss"] + "." + losses["surface"]),
        rough.assign(table="wind_roughness", key=rough["surface"]),
        td,
    ]
    cols = ["table", "key", "value", "low", "high", "unit", "source"]
    return pd.concat([f[cols] for f in frames], ignore_index=True)


def _kind_turbines(kinds: np.ndarray, spec: WindSpec, params: dict[str, float], base_dir: Path | None,
                   ) -> tuple[dict[str, Turbine], dict[str, float], list[Note], list[Path]]:
    defaults = turbine_defaults()
    turbines: dict[str, Turbine] = {}
    hubs: dict[str, float] = {}
    notes: list[Note] = []
    inputs: list[Path] = []
    for kind in pd.unique(kinds):
        ttype = spec.turbine.get(kind, str(defaults.loc[kind, "turbine_type"]))
        turbines[kind] = get_turbine(ttype, params, base_dir, where=str(kind))
        hubs[kind] = float(spec.hub_height_m.get(kind, float(defaults.loc[kind, "hub_height_m"])))
        check_hub_height(turbines[kind], hubs[kind], where=str(kind))
        if ttype.lower().endswith(".csv"):
            p = Path(ttype)
            inputs.append(p if p.is_absolute() or base_dir is None else (base_dir / p).resolve())
        notes.extend(Note("wind.curve_flagged", {"flag": f}) for f in turbines[kind].flags)
    return turbines, hubs, notes, inputs


def run_wind(zones: gpd.GeoDataFrame, spec: WindSpec, *, exclusions: gpd.GeoDataFrame | None = None,
             given: gpd.GeoDataFrame | None = None, base_dir: Path | None = None, file: str | None = None,
             given_file: str | None = None, existing: gpd.GeoDataFrame | None = None) -> WindResult:
    """Lay out turbines (or take given ones) and compute the energy of wind zones.

    Existing and committed farms of the ledger (``existing``) without given positions are laid by the
    rule of :mod:`binhai_geo.wind.existing` and share the wake run: the zones' ``wake_loss_pct`` counts
    their wakes, ``wake_loss_without_existing_pct`` is the zones' wake loss without them. Their energy
    is reported apart (table ``wind_existing_farms``) and never added to a zone.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Columns ``site_id``, ``layer_kind`` (offshore_zone, tidal_flat, breakwater), optional ``name``;
        polygons (lines for breakwaters) in a projected CRS.
    spec : WindSpec
        The ``[wind]`` settings.
    exclusions : geopandas.GeoDataFrame, optional
        Exclusion features with an optional ``buffer_m`` [m].
    given : geopandas.GeoDataFrame, optional
        Given turbines (layer kind ``turbine``) in the zones' CRS; zones holding them are not laid out.
    base_dir : pathlib.Path, optional
        Folder relative paths of ``spec`` are resolved against.
    file, given_file : str, optional
        The zones' and the turbines' files, named in error messages.
    existing : geopandas.GeoDataFrame, optional
        Ledger wind records (installed or committed), points with ``record_id``, ``name``,
        ``capacity_mw``, ``category``, ``surface`` (:data:`binhai_geo.wind.existing.RECORD_FIELDS`).

    Raises
    ------
    BinhaiGeoError
        Bad geometry (lines where polygons are expected ...), unknown or refused turbine, hub height
        below the rotor radius, bad resource data, given turbines outside every zone or too close.
    """
    params_df = parameters_table(spec.parameters)
    params = load_parameters(spec.parameters)
    losses = losses_table(spec.losses)
    rough = roughness_table(spec.roughness_m)
    z0_of = dict(zip(rough["surface"], rough["value"], strict=True))
    kinds = zones["layer_kind"].to_numpy(object)
    for kind in pd.unique(kinds):
        require_geometry(zones[kinds == kind], "line" if kind in _LINE_KINDS else "polygon", layer=str(kind),
                         file=file)
    turbines, hubs, notes, inputs = _kind_turbines(kinds, spec, params, base_dir)
    surfaces = np.array([spec.surface.get(k, _default_surfaces()[k]) for k in kinds], dtype=object)
    hub_zone = np.array([hubs[k] for k in kinds])
    farms, farm_notes = select_farms(existing, zones, given, params["wake_group_distance_m"])
    notes.extend(farm_notes)
    z0_zone = np.array([z0_of[s] for s in surfaces])
    res = zone_resource(zones, surfaces, resource=spec.resource, region=spec.resource_region, base_dir=base_dir,
                        height_m=spec.resource_height_m, rose=spec.wind_rose, roughness_m=z0_zone,
                        hub_height_m=hub_zone)
    notes.extend(res.notes)
    inputs.extend(res.inputs)
    farms, res, farm_notes = _with_farm_climates(farms, res, spec, base_dir, z0_of)
    notes.extend(farm_notes)
    surf_all = np.concatenate([surfaces, farms["surface"].to_numpy(object)])
    z0 = np.array([z0_of[s] for s in surf_all])
    n = len(zones)
    registry = lay_farms(farms, res.rose[n:], res.a_sector[n:], params) if len(farms) else None
    fleet = build_fleet(zones, turbines, hubs, res, params, spec, exclusions=exclusions, given=given,
                        base_dir=base_dir, given_file=given_file, registry=registry)
    notes.extend(fleet.notes)
    inputs.extend(fleet.inputs)
    factors = [en.loss_factors(losses, s) for s in surf_all]
    energy = fleet_energy(fleet, res, z0, surf_all, factors, params, spec)
    new = fleet.zone < n
    alone = energy if new.all() else fleet_energy(fleet.subset(new), res, z0, surf_all, factors, params, spec)
    table = _zone_table(zones, surfaces, turbines, hub_zone, z0, res, fleet, energy, factors)
    table["wake_loss_without_existing_pct"] = [
        _wake_pct(alone.gross[fleet.zone[new] == i], alone.wake[fleet.zone[new] == i]) if t else np.nan
        for i, t in enumerate(table["turbines"])]
    if registry is not None:
        notes.append(_farm_note(farms, fleet, n, params))
    empty = table[table["turbines"] == 0]
    if len(empty):
        notes.append(Note("wind.zones_too_small", {"n_zones": len(empty),
                                                    "site_ids": [str(s) for s in empty["site_id"]]}))
    notes.extend(_run_notes(spec, params, turbines, hubs, energy))
    curves = check_library(params)
    refused = curves[curves["status"] == "refused"]["turbine_type"].tolist()
    if refused:
        notes.append(Note("wind.curves_refused", {"turbine_types": [str(t) for t in refused]}))
    tables = {"wind_curve_check": curves, "wind_assumptions": _assumptions(params_df, losses, rough, spec)}
    if registry is not None:
        tables["wind_existing_farms"] = _farm_table(farms, registry, fleet, energy, n)
    return WindResult(table, _turbine_layer(zones, fleet, energy, farms), tables, notes, inputs)


def _zone_row(i: int, zones: gpd.GeoDataFrame, surfaces: np.ndarray, kind_t: Turbine, hub_zone: float,
              z0: float, res: ZoneResource, fleet: Fleet, e: FleetEnergy, f: dict[str, float]) -> dict:
    sel = fleet.zone == i
    n = int(sel.sum())
    tab = res.table
    if n:
        ts = [fleet.turbine(j) for j in np.flatnonzero(sel)]
        cap = float(sum(t.rated_mw for t in ts))
        names = "; ".join(sorted({t.name for t in ts}))
        rotor = float(np.mean([t.rotor_diameter_m for t in ts]))
        hub = float(fleet.hub_m[sel].mean())
        a_hub = float(np.sum(e.freq[sel] * e.a_hub[sel], axis=1).mean())
        mean_speed = float(e.mean_speed()[sel].mean())
        layout = "; ".join(sorted(set(fleet.layout[sel])))
        farms = "; ".join(sorted(set(map(str, fleet.farm[sel]))))
    else:
        cap, names, rotor, hub, layout, farms = 0.0, kind_t.name, kind_t.rotor_diameter_m, hub_zone, "", ""
        a_h = hub_scale(res.a_sector[i], tab["reference_height_m"].iloc[i], hub_zone, z0)
        a_hub = float(np.sum(res.rose[i] * a_h))
        mean_speed = float(np.sum(res.rose[i] * a_h * _gamma(1.0 + 1.0 / res.k_sector[i])))
    gross = float(e.gross[sel].sum())
    net = float(e.net[sel].sum())
    wake = 100.0 * (1.0 - float((e.gross[sel] * (1 - e.wake[sel])).sum()) / gross) if gross > 0 else np.nan
    names_col = zones["name"] if "name" in zones.columns else pd.Series(pd.NA, index=zones.index)
    return {
        "site_id": zones["site_id"].iloc[i], "name": names_col.iloc[i], "layer_kind": zones["layer_kind"].iloc[i],
        "surface": surfaces[i], "layout": layout, "farms": farms, "turbine_type": names,
        "rated_mw": cap / n if n else kind_t.rated_mw, "rotor_diameter_m": rotor,
        "specific_rated_power_w_m2": (cap / n if n else kind_t.rated_mw) * 1e6 / (np.pi * rotor**2 / 4),
        "hub_height_m": hub, "turbines": n, "capacity_mw": cap,
        "weibull_a_ref_mps": tab["weibull_a_mps"].iloc[i], "weibull_k": tab["weibull_k"].iloc[i],
        "reference_height_m": tab["reference_height_m"].iloc[i], "roughness_m": z0,
        "weibull_a_hub_mps": a_hub, "mean_speed_hub_mps": mean_speed,
        "prevailing_deg": prevailing_direction(res.rose[i], res.a_sector[i]),
        "most_frequent_deg": prevailing_direction(res.rose[i]),
        "turbulence_intensity": tab["turbulence_intensity"].iloc[i],
        "gross_energy_mwh_per_yr": gross, "wake_loss_pct": wake if n else np.nan,
        **{f"{item}_loss_pct": 100.0 * f[item] for item in en.LOSS_ITEMS},
        "total_loss_pct": 100.0 * (1.0 - net / gross) if gross > 0 and n else np.nan,
        "net_energy_mwh_per_yr": net,
        "capacity_factor": net / (cap * en.HOURS_PER_YEAR) if cap > 0 else np.nan,
        "full_load_hours": net / cap if cap > 0 else np.nan,
        "resource_source": tab["resource_source"].iloc[i],
    }


def _zone_table(zones: gpd.GeoDataFrame, surfaces: np.ndarray, turbines: dict[str, Turbine], hub_zone: np.ndarray,
                z0: np.ndarray, res: ZoneResource, fleet: Fleet, e: FleetEnergy,
                factors: list[dict[str, float]]) -> pd.DataFrame:
    kinds = zones["layer_kind"].to_numpy(object)
    rows = [_zone_row(i, zones, surfaces, turbines[kinds[i]], float(hub_zone[i]), float(z0[i]), res, fleet, e,
                      factors[i]) for i in range(len(zones))]
    return pd.DataFrame(rows, columns=list(ZONE_COLUMNS))


def _turbine_layer(zones: gpd.GeoDataFrame, fleet: Fleet, e: FleetEnergy, farms: gpd.GeoDataFrame
                   ) -> gpd.GeoDataFrame:
    n = len(zones)
    extra = max(0, int(fleet.zone.max(initial=-1)) + 1 - n)  # registry farms: no site
    site_ids = np.concatenate([zones["site_id"].to_numpy(object), np.full(extra, "", dtype=object)])

    def per_farm(col: str) -> np.ndarray:
        vals = farms[col].fillna("").astype(str).to_numpy(object) if col in farms.columns else np.full(len(farms), "")
        return np.concatenate([np.full(n, "", dtype=object), vals, np.full(max(0, extra - len(farms)), "", object)])
    xy = fleet.xy
    gdf = gpd.GeoDataFrame({
        "site_id": site_ids[fleet.zone],
        "farm": fleet.farm.astype(str),
        "layout": fleet.layout.astype(str),
        "source": fleet.source.astype(str),
        "layout_rule": fleet.rule.astype(str),
        "turbine_type": [fleet.turbine(j).name for j in range(len(xy))],
        "hub_height_m": fleet.hub_m,
        "capacity_mw": np.array([fleet.turbine(j).rated_mw for j in range(len(xy))], dtype=float),
        "energy_mwh_per_yr": e.net,
        "wake_loss_pct": 100.0 * e.wake,
        "owner": per_farm("owner")[fleet.zone].astype(str),
        "area": per_farm("area")[fleet.zone].astype(str),
    }, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]) if len(xy) else gpd.GeoSeries([]), crs=zones.crs)
    return gdf[[*TURBINE_COLUMNS, "geometry"]]


def _wake_pct(gross: np.ndarray, wake: np.ndarray) -> float:
    """Energy-weighted wake loss of a set of turbines [%] (NaN without energy)."""
    g = float(gross.sum())
    return 100.0 * (1.0 - float((gross * (1 - wake)).sum()) / g) if g > 0 else np.nan


def _with_farm_climates(farms: gpd.GeoDataFrame, res: ZoneResource, spec: WindSpec, base_dir: Path | None,
                        z0_of: dict[str, float]) -> tuple[gpd.GeoDataFrame, ZoneResource, list[Note]]:
    """Append the registry farms' climates (same source as the zones) as rows ``len(zones) + farm``.

    A source that does not cover the farms (a raster clipped to the zones) leaves them out, with a note.
    """
    if len(farms) == 0:
        return farms, res, []
    surf = farms["surface"].to_numpy(object)
    hub = registry_farm_table().loc[surf, "hub_height_m"].to_numpy(float)
    try:
        fr = zone_resource(footprints(farms), surf, resource=spec.resource, region=spec.resource_region,
                           base_dir=base_dir, height_m=spec.resource_height_m, rose=spec.wind_rose,
                           roughness_m=np.array([z0_of[s] for s in surf]), hub_height_m=hub)
        if fr.rose.shape[1] != res.rose.shape[1]:
            raise WorkflowError(f"{fr.rose.shape[1]} sectors at the farms, {res.rose.shape[1]} at the zones")
    except WorkflowError as exc:
        note = Note("wind.existing.no_resource", {"reason": exc.message})
        return farms.iloc[:0], res, [note]
    out = ZoneResource(pd.concat([res.table, fr.table]), np.vstack([res.rose, fr.rose]),
                       np.vstack([res.a_sector, fr.a_sector]), np.vstack([res.k_sector, fr.k_sector]),
                       res.notes, res.inputs)
    return farms, out, []


def _farm_table(farms: gpd.GeoDataFrame, reg: LaidFarms | None, fleet: Fleet, e: FleetEnergy,
                n: int) -> pd.DataFrame:
    rows = []
    speed = e.mean_speed()
    for i, f in enumerate(farms.itertuples(index=False)):
        sel = fleet.zone == n + i
        cap = float(sum(fleet.turbine(j).rated_mw for j in np.flatnonzero(sel)))
        net = float(e.net[sel].sum())
        rows.append({"farm": f.farm, "source": f.source, "category": f.category, "surface": f.surface,
                     "registry_capacity_mw": f.capacity_mw, "turbine_type": reg.turbines[i].name,
                     "hub_height_m": reg.hub_m[i], "turbines": int(sel.sum()), "capacity_mw": cap,
                     "mean_speed_hub_mps": float(speed[sel].mean()) if sel.any() else np.nan,
                     "gross_energy_mwh_per_yr": float(e.gross[sel].sum()),
                     "wake_loss_pct": _wake_pct(e.gross[sel], e.wake[sel]), "net_energy_mwh_per_yr": net,
                     "capacity_factor": net / (cap * en.HOURS_PER_YEAR) if cap > 0 else np.nan,
                     "full_load_hours": net / cap if cap > 0 else np.nan, "layout_rule": reg.rule[i]})
    return pd.DataFrame(rows, columns=list(FARM_COLUMNS))


def _farm_note(farms: gpd.GeoDataFrame, fleet: Fleet, n: int, params: dict[str, float]) -> Note:
    return Note("wind.existing.in_wake_run", {"n_farms": len(farms), "capacity_mw": float(farms["capacity_mw"].sum()),
                                              "n_turbines": int((fleet.zone >= n).sum()),
                                              "downwind_spacing_d": params["downwind_spacing_d"],
                                              "crosswind_spacing_d": params["crosswind_spacing_d"]})


def _run_notes(spec: WindSpec, params: dict[str, float], turbines: dict[str, Turbine], hubs: dict[str, float],
               e: FleetEnergy) -> list[Note]:
    models = {"niayifar_gaussian": Note("wind.wakes.niayifar_gaussian"),  # each wake model's name and paper
              "bastankhah_gaussian": Note("wind.wakes.bastankhah_gaussian"), "jensen": Note("wind.wakes.jensen")}
    wd_step, ws_step = params["wake_wd_step_deg"], params["wake_ws_step_mps"]
    notes = []
    if spec.wakes:
        notes.append(Note("wind.wakes", {"wake_model": models[spec.wake_model], "n_groups": e.groups,
                                         "group_distance_km": params["wake_group_distance_m"] / 1000,
                                         "direction_step_deg": wd_step, "speed_step_mps": ws_step,
                                         "fine_above_rated_mps": params["wake_ws_fine_above_rated_mps"],
                                         "coarse_step_mps": 2 * ws_step}))
    else:
        notes.append(Note("wind.wakes_off"))
    notes.append(Note("wind.layout", {"downwind_spacing_d": params["downwind_spacing_d"],
                                      "crosswind_spacing_d": params["crosswind_spacing_d"]}))
    for kind, t in turbines.items():
        srp = t.nominal_power_kw * 1000 / (np.pi * t.rotor_diameter_m**2 / 4)
        notes.append(Note("wind.turbine", {"kind": str(kind), "turbine": t.name, "rated_mw": t.rated_mw,
                                           "rotor_diameter_m": t.rotor_diameter_m, "specific_rating_w_per_m2": srp,
                                           "hub_height_m": hubs[kind], "source": t.source,
                                           "ct_method": t.ct_method}))
    return notes


def _gamma(x: np.ndarray) -> np.ndarray:
    from scipy.special import gamma

    return gamma(x)


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


def wind_step(workflow: object, layers: object, sites: gpd.GeoDataFrame,
              existing: gpd.GeoDataFrame | None = None) -> StepResult:
    """Run the wind plan step: turbines, capacity and energy of every wind site of the plan.

    Parameters
    ----------
    workflow : binhai_geo.config.Workflow
        The loaded workflow (its ``[wind]`` table; relative paths resolve against its folder).
    layers : binhai_geo.layers.LayerSet
        The validated layers; ``layers.layers.get("exclusion")`` (with ``buffer_m``) is respected.
    sites : geopandas.GeoDataFrame
        The current sites table (rows with ``technology == "wind"`` are updated).
    existing : geopandas.GeoDataFrame, optional
        The ledger's installed and committed wind records, handed by the runner; those without given
        turbines are laid by rule and share the wake run (:mod:`binhai_geo.wind.existing`).

    Returns
    -------
    StepResult
        ``sites`` updated (see :func:`apply_to_sites`); tables ``wind_zones``, ``wind_curve_check``,
        ``wind_assumptions``, ``wind_existing_farms``; geo layer ``turbines``; notes; inputs. No indicators: the
        ``wind_capacity`` target counts built/pipeline projects and shows the candidate-site potential
        (now turbines x rated power) in its basis.
    """
    spec: WindSpec = workflow.spec.wind
    if not spec.enabled:
        return StepResult(sites=apply_to_sites(sites, pd.DataFrame()),
                          notes=[Note("wind.disabled")])
    wind = sites[sites["technology"] == "wind"]
    if wind.empty:
        return StepResult(sites=apply_to_sites(sites, pd.DataFrame()),
                          notes=[Note("wind.no_sites")])
    exclusions = layers.layers.get("exclusion")
    given, given_file = given_turbines(spec, layers, workflow.folder, wind.crs)
    res = run_wind(wind[["site_id", "name", "layer_kind", "geometry"]], spec, exclusions=exclusions,
                   given=given, base_dir=workflow.folder, given_file=given_file, existing=existing)
    return StepResult(
        sites=apply_to_sites(sites, res.zones),
        tables={"wind_zones": res.zones, **res.tables},
        geo={"turbines": res.turbines},
        notes=res.notes,
        inputs=res.inputs + ([Path(given_file)] if spec.turbines and given_file else []),
    )


def given_turbines(spec: WindSpec, layers: object, folder: Path | None, crs: object,
                   ) -> tuple[gpd.GeoDataFrame | None, str | None]:
    """Return the given turbine layer: ``[wind] turbines`` (a file), else a ``turbine`` layer of the run.

    The file is read and validated as layer kind ``turbine`` (:func:`binhai_geo.io.read_layer`,
    :func:`binhai_geo.validate.validate_layer`) and reprojected to ``crs``.

    Raises
    ------
    BinhaiGeoError
        Missing or invalid file (no CRS, missing ``turbine_type`` / ``hub_height_m``, ...).
    """
    from binhai_geo.io import read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.validate import validate_layer

    if spec.turbines:
        p = Path(spec.turbines)
        if not p.is_absolute() and folder is not None:
            p = (folder / p).resolve()
        if not p.exists():
            raise WorkflowError(f"turbine layer '{p}' does not exist", field="wind.turbines",
                                hint="give a point layer of kind 'turbine' (path relative to the workflow file)")
        gdf, _ = validate_layer(read_layer(p, spec.turbines_layer, prefer="turbine"), get_kind("turbine"))
        return gdf.to_crs(crs), str(p)
    gdf = getattr(layers, "layers", {}).get("turbine")
    if gdf is None or len(gdf) == 0:
        return None, None
    return gdf.to_crs(crs), "turbine layer of the region pack or [layers]"
