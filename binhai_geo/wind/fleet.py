"""All turbines of a wind run, given and laid out, and their energy: one wake computation for all.

:func:`build_fleet` takes the given turbines (layer kind ``turbine``, checked by
:func:`binhai_geo.wind.given.place_given`) and lays out the zones that hold none
(:mod:`binhai_geo.wind.layout`); a laid-out position closer than its spacing to a given turbine or to a
turbine of an earlier zone is dropped. :func:`fleet_energy` computes each turbine's climate at its own
hub height (its zone's sector-wise Weibull, log law), its gross energy, the wakes of every turbine on
every other within ``wake_group_distance_m`` in one PyWake run per group
(:func:`binhai_geo.wind.energy.wake_aep`), and the other losses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.special import gamma

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.wind import energy as en
from binhai_geo.wind.given import place_given
from binhai_geo.wind.layout import exclusion_geometry, grid_in_polygon, points_along_line, thin
from binhai_geo.wind.resource import ZoneResource, hub_scale, prevailing_direction
from binhai_geo.wind.spec import WindSpec
from binhai_geo.wind.turbines import Turbine, get_turbine

LINE_KINDS = ("breakwater",)


@dataclass
class Fleet:
    """Every turbine of a run.

    Attributes
    ----------
    xy : numpy.ndarray
        Positions (n, 2) [m], projected CRS.
    zone : numpy.ndarray of int
        Row of the turbine's zone, shape (n,).
    types : list of Turbine
        Turbine types; ``type_idx`` indexes it.
    type_idx : numpy.ndarray of int
    hub_m : numpy.ndarray
        Hub heights [m].
    layout : numpy.ndarray of str
        ``given`` or ``laid out``.
    farm : numpy.ndarray of object
        Farm name (given layer's ``farm``, else the zone's name or id).
    """

    xy: np.ndarray
    zone: np.ndarray
    types: list[Turbine]
    type_idx: np.ndarray
    hub_m: np.ndarray
    layout: np.ndarray
    farm: np.ndarray
    notes: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)

    def turbine(self, i: int) -> Turbine:
        """Turbine type of turbine ``i``."""
        return self.types[int(self.type_idx[i])]


@dataclass
class FleetEnergy:
    """Energy of every turbine [MWh/yr] and its climate at hub height (arrays over turbines)."""

    gross: np.ndarray
    wake: np.ndarray
    net: np.ndarray
    freq: np.ndarray
    a_hub: np.ndarray
    k: np.ndarray
    groups: int

    def mean_speed(self) -> np.ndarray:
        """Mean wind speed at each turbine's hub, sum_s f_s A_s Gamma(1 + 1/k_s) [m/s]."""
        return np.sum(self.freq * self.a_hub * gamma(1.0 + 1.0 / self.k), axis=-1)


def _given_types(given: gpd.GeoDataFrame, spec: WindSpec, params: dict[str, float], base_dir: Path | None,
                 file: str | None) -> tuple[dict[str, Turbine], list[Path]]:
    out: dict[str, Turbine] = {}
    inputs: list[Path] = []
    names = given["turbine_type"].astype(str)
    for name in pd.unique(names):
        fid = given.index[(names == name).to_numpy()][0]
        curve = spec.turbine_curves.get(name)
        try:
            t = get_turbine(curve if curve else name, params, base_dir, where="turbine")
        except WorkflowError as exc:
            raise LayerError(f"turbine type '{name}': {exc.message}", file=file, layer="turbine", feature=fid,
                             field="turbine_type", hint=exc.hint or "use a windpowerlib library type, or declare "
                             "the name in [wind] turbine_curves with a power-curve CSV") from None
        if curve:
            t.name = name
            p = Path(curve)
            inputs.append(p if p.is_absolute() or base_dir is None else (base_dir / p).resolve())
        out[name] = t
    return out, inputs


def _lay_out(zones: gpd.GeoDataFrame, kinds: np.ndarray, skip: np.ndarray, turbines: dict[str, Turbine],
             res: ZoneResource, params: dict[str, float], excluded: object,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xy_all, zone_of, min_dist = [np.empty((0, 2))], [np.empty(0, int)], [np.empty(0)]
    for i, (geom, kind) in enumerate(zip(zones.geometry.to_numpy(), kinds, strict=True)):
        if skip[i]:
            continue
        d = turbines[kind].rotor_diameter_m
        clearance = params["exclusion_clearance_d"] * d
        if kind in LINE_KINDS:
            spacing = max(params["line_spacing_d"] * d, params["line_min_spacing_m"])
            xy = points_along_line(geom, spacing_m=spacing, excluded=excluded, clearance_m=clearance)
        else:
            spacing = params["crosswind_spacing_d"] * d
            xy = grid_in_polygon(geom, downwind_m=params["downwind_spacing_d"] * d, crosswind_m=spacing,
                                 direction_deg=prevailing_direction(res.rose[i], res.a_sector[i]),
                                 setback_m=params["edge_setback_d"] * d, excluded=excluded, clearance_m=clearance)
        xy_all.append(xy)
        zone_of.append(np.full(len(xy), i))
        min_dist.append(np.full(len(xy), spacing))
    return np.vstack(xy_all), np.concatenate(zone_of), np.concatenate(min_dist)


def build_fleet(zones: gpd.GeoDataFrame, turbines: dict[str, Turbine], hubs: dict[str, float], res: ZoneResource,
                params: dict[str, float], spec: WindSpec, *, exclusions: gpd.GeoDataFrame | None = None,
                given: gpd.GeoDataFrame | None = None, base_dir: Path | None = None,
                given_file: str | None = None) -> Fleet:
    """Given turbines plus the layout of the zones that hold none (see the module docstring).

    Raises
    ------
    BinhaiGeoError
        Unknown or refused turbine types of the given layer, positions outside every zone or closer
        than one rotor diameter, hub heights not above the rotor radius.
    """
    kinds = zones["layer_kind"].to_numpy(object)
    names = zones["name"] if "name" in zones.columns else pd.Series(pd.NA, index=zones.index)
    zone_label = np.array([str(n) if isinstance(n, str) and n else str(s)
                           for n, s in zip(names, zones["site_id"], strict=True)], dtype=object)
    types: list[Turbine] = []
    index: dict[int, int] = {}

    def type_of(t: Turbine) -> int:
        if id(t) not in index:
            index[id(t)] = len(types)
            types.append(t)
        return index[id(t)]

    notes: list[str] = []
    inputs: list[Path] = []
    n_g = 0 if given is None else len(given)
    g_zone = np.empty(0, int)
    if n_g:
        g_types, inputs = _given_types(given, spec, params, base_dir, given_file)
        g_zone = place_given(given, zones, g_types, file=given_file, line_kinds=LINE_KINDS)
        g_type = np.array([type_of(g_types[str(t)]) for t in given["turbine_type"].astype(str)], dtype=int)
        farm_col = given["farm"] if "farm" in given.columns else pd.Series(pd.NA, index=given.index)
        g_farm = np.array([f if isinstance(f, str) and f else zone_label[z] for f, z in zip(farm_col, g_zone,
                                                                                            strict=True)], dtype=object)
        notes.append(f"Given turbine layout: {n_g} turbine(s) at their own positions in "
                     f"{len(np.unique(g_zone))} zone(s) (not laid out again) (给定风机机位).")
    skip = np.zeros(len(zones), bool)
    skip[g_zone] = True
    xy_l, zone_l, dist_l = _lay_out(zones, kinds, skip, turbines, res, params,
                                    exclusion_geometry(exclusions, zones.crs))
    xy_g = np.column_stack([given.geometry.x, given.geometry.y]) if n_g else np.empty((0, 2))
    d_g = np.array([types[i].rotor_diameter_m for i in g_type]) if n_g else np.empty(0)
    keep = thin(np.vstack([xy_g, xy_l]), np.concatenate([d_g, dist_l]))
    dropped = int((~keep[n_g:]).sum())
    if dropped:
        notes.append(f"{dropped} laid-out turbine position(s) dropped where zones touch or overlap, or near given "
                     "turbines (closer than the spacing).")
    keep_l = keep[n_g:]
    l_type = np.array([type_of(turbines[k]) for k in kinds[zone_l[keep_l]]], dtype=int)
    return Fleet(
        xy=np.vstack([xy_g, xy_l[keep_l]]),
        zone=np.concatenate([g_zone, zone_l[keep_l]]).astype(int),
        types=types,
        type_idx=np.concatenate([g_type if n_g else np.empty(0, int), l_type]).astype(int),
        hub_m=np.concatenate([given["hub_height_m"].to_numpy(float) if n_g else np.empty(0),
                              np.array([hubs[k] for k in kinds[zone_l[keep_l]]], dtype=float)]),
        layout=np.array(["given"] * n_g + ["laid out"] * int(keep_l.sum()), dtype=object),
        farm=np.concatenate([g_farm if n_g else np.empty(0, object), zone_label[zone_l[keep_l]]]),
        notes=notes, inputs=inputs)


def fleet_energy(fleet: Fleet, res: ZoneResource, z0: np.ndarray, surfaces: np.ndarray,
                 loss_items: list[dict[str, float]], params: dict[str, float], spec: WindSpec) -> FleetEnergy:
    """Gross, wake and net energy of every turbine (see the module docstring).

    Parameters
    ----------
    fleet : Fleet
        The turbines.
    res : ZoneResource
        Sector-wise climate per zone at its reference height.
    z0 : numpy.ndarray
        Roughness length per zone [m].
    surfaces : numpy.ndarray of str
        Surface per zone.
    loss_items : list of dict
        Other loss fractions per zone (:func:`binhai_geo.wind.energy.loss_factors`).
    params : dict
        ``wind_parameters.csv`` values.
    spec : WindSpec
        ``wakes`` and ``wake_model``.
    """
    z = fleet.zone
    n = len(z)
    ref_h = res.table["reference_height_m"].to_numpy(float)
    a_hub = hub_scale(res.a_sector[z], ref_h[z][:, None], fleet.hub_m[:, None], z0[z][:, None]) if n else \
        np.empty((0, res.rose.shape[1]))
    freq, k = res.rose[z], res.k_sector[z]
    gross = np.zeros(n)
    for ti, t in enumerate(fleet.types):
        sel = fleet.type_idx == ti
        if sel.any():
            gross[sel] = en.gross_energy_mwh(t, a_hub[sel], k[sel], freq[sel])
    wake = np.zeros(n)
    groups = en.wake_groups(fleet.xy, params["wake_group_distance_m"]) if n else np.zeros(0, int)
    ti_zone = res.table["turbulence_intensity"].to_numpy(float)
    runs = 0
    for g in np.unique(groups):
        sel = np.flatnonzero(groups == g)
        if len(sel) < 2 or not spec.wakes:
            continue
        runs += 1
        no_wake, with_wake = en.wake_aep(
            fleet.types, fleet.type_idx[sel], fleet.hub_m[sel], fleet.xy[sel], freq[sel], a_hub[sel], k[sel],
            ti_zone[z[sel]], model=spec.wake_model, all_sea=bool((surfaces[z[sel]] == "sea").all()),
            wd_step_deg=params["wake_wd_step_deg"], ws_step_mps=params["wake_ws_step_mps"],
            ws_fine_above_rated_mps=params["wake_ws_fine_above_rated_mps"], n_cpu=int(params["wake_n_cpu"]))
        wake[sel] = np.where(no_wake > 0, 1.0 - with_wake / np.where(no_wake > 0, no_wake, 1.0), 0.0)
    net = np.array([en.net_energy(g_, w, loss_items[zz]) for g_, w, zz in zip(gross, wake, z, strict=True)])
    return FleetEnergy(gross, wake, net, freq, a_hub, k, runs)
