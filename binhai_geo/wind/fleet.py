"""All turbines of a wind run, given, registry farms and laid out, and their energy: one wake computation.

:func:`build_fleet` takes the given turbines (layer kind ``turbine``, checked by
:func:`binhai_geo.wind.given.place_given`), the existing farms of the ledger laid by rule
(:mod:`binhai_geo.wind.existing`; a position closer than one rotor diameter to a given turbine or to
an earlier farm's turbine is dropped) and lays out the zones that hold none
(:mod:`binhai_geo.wind.layout`); a laid-out position closer than its spacing to a given or registry
turbine or to a turbine of an earlier zone is dropped. :func:`fleet_energy` computes each turbine's climate at its own
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
from binhai_geo.notes import Note
from binhai_geo.wind import energy as en
from binhai_geo.wind.existing import REGISTRY_LAYOUT, LaidFarms
from binhai_geo.wind.given import place_given
from binhai_geo.wind.layout import exclusion_geometry, grid_in_polygon, points_along_line, thin
from binhai_geo.wind.resource import ZoneResource
from binhai_geo.wind.roses import prevailing_direction
from binhai_geo.wind.spec import WindSpec
from binhai_geo.wind.turbines import Turbine, get_turbine
from binhai_geo.wind.weibull import hub_scale

LINE_KINDS = ("breakwater",)


@dataclass
class Fleet:
    """Every turbine of a run.

    Attributes
    ----------
    xy : numpy.ndarray
        Positions (n, 2) [m], projected CRS.
    zone : numpy.ndarray of int
        Row of the turbine's zone, shape (n,); rows from ``len(zones)`` on are registry farms.
    types : list of Turbine
        Turbine types; ``type_idx`` indexes it.
    type_idx : numpy.ndarray of int
    hub_m : numpy.ndarray
        Hub heights [m].
    layout : numpy.ndarray of str
        ``given``, ``registry laid`` or ``laid out``.
    farm : numpy.ndarray of object
        Farm name (given layer's ``farm``, the registry farm's, else the zone's name or id).
    source : numpy.ndarray of object
        Where the position comes from: the given file, the registry record ids, the zone's site id.
    rule : numpy.ndarray of object
        How it was laid (``given positions``, the registry rule, the zone's grid).
    """

    xy: np.ndarray
    zone: np.ndarray
    types: list[Turbine]
    type_idx: np.ndarray
    hub_m: np.ndarray
    layout: np.ndarray
    farm: np.ndarray
    source: np.ndarray
    rule: np.ndarray
    notes: list[Note] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)

    def turbine(self, i: int) -> Turbine:
        """Turbine type of turbine ``i``."""
        return self.types[int(self.type_idx[i])]

    def subset(self, keep: np.ndarray) -> Fleet:
        """Return the turbines where ``keep`` is true (same types and zone rows)."""
        return Fleet(self.xy[keep], self.zone[keep], self.types, self.type_idx[keep], self.hub_m[keep],
                     self.layout[keep], self.farm[keep], self.source[keep], self.rule[keep], self.notes, self.inputs)


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
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xy_all, zone_of, min_dist, rules = [np.empty((0, 2))], [np.empty(0, int)], [np.empty(0)], []
    for i, (geom, kind) in enumerate(zip(zones.geometry.to_numpy(), kinds, strict=True)):
        if skip[i]:
            continue
        d = turbines[kind].rotor_diameter_m
        clearance = params["exclusion_clearance_d"] * d
        if kind in LINE_KINDS:
            spacing = max(params["line_spacing_d"] * d, params["line_min_spacing_m"])
            xy = points_along_line(geom, spacing_m=spacing, excluded=excluded, clearance_m=clearance)
            rule = f"one row along the line, {spacing:.0f} m apart"
        else:
            spacing = params["crosswind_spacing_d"] * d
            direction = prevailing_direction(res.rose[i], res.a_sector[i])
            xy = grid_in_polygon(geom, downwind_m=params["downwind_spacing_d"] * d, crosswind_m=spacing,
                                 direction_deg=direction,
                                 setback_m=params["edge_setback_d"] * d, excluded=excluded, clearance_m=clearance)
            rule = (f"grid {params['downwind_spacing_d']:g} D x {params['crosswind_spacing_d']:g} D, rows across "
                    f"{direction:g} deg")
        xy_all.append(xy)
        zone_of.append(np.full(len(xy), i))
        min_dist.append(np.full(len(xy), spacing))
        rules.extend([rule] * len(xy))
    return np.vstack(xy_all), np.concatenate(zone_of), np.concatenate(min_dist), np.array(rules, dtype=object)


@dataclass
class _Part:
    """Turbines of one origin (given, registry, laid out) before thinning."""

    xy: np.ndarray
    zone: np.ndarray
    turbine: list[Turbine]
    hub_m: np.ndarray
    farm: np.ndarray
    source: np.ndarray
    rule: np.ndarray
    min_dist: np.ndarray
    layout: str


def _given_part(given: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, zone_label: np.ndarray, spec: WindSpec,
                params: dict[str, float], base_dir: Path | None, given_file: str | None,
                ) -> tuple[_Part, list[Path]]:
    g_types, inputs = _given_types(given, spec, params, base_dir, given_file)
    g_zone = place_given(given, zones, g_types, file=given_file, line_kinds=LINE_KINDS)
    ts = [g_types[str(t)] for t in given["turbine_type"].astype(str)]
    farm_col = given["farm"] if "farm" in given.columns else pd.Series(pd.NA, index=given.index)
    farm = np.array([f if isinstance(f, str) and f else zone_label[z] for f, z in zip(farm_col, g_zone, strict=True)],
                    dtype=object)
    n = len(given)
    return _Part(np.column_stack([given.geometry.x, given.geometry.y]), g_zone.astype(int), ts,
                 given["hub_height_m"].to_numpy(float), farm, np.full(n, given_file or "given layer", dtype=object),
                 np.full(n, "given positions", dtype=object), np.array([t.rotor_diameter_m for t in ts]),
                 "given"), inputs


def _registry_part(reg: LaidFarms, n_zones: int) -> _Part:
    i = reg.farm_idx
    ts = [reg.turbines[j] for j in i]
    return _Part(reg.xy, n_zones + i, ts, reg.hub_m[i], reg.farms["farm"].to_numpy(object)[i],
                 reg.farms["source"].to_numpy(object)[i], np.array(reg.rule, dtype=object)[i] if len(i) else
                 np.empty(0, object), np.array([t.rotor_diameter_m for t in ts]), REGISTRY_LAYOUT)


def build_fleet(zones: gpd.GeoDataFrame, turbines: dict[str, Turbine], hubs: dict[str, float], res: ZoneResource,
                params: dict[str, float], spec: WindSpec, *, exclusions: gpd.GeoDataFrame | None = None,
                given: gpd.GeoDataFrame | None = None, base_dir: Path | None = None,
                given_file: str | None = None, registry: LaidFarms | None = None) -> Fleet:
    """Given turbines, registry farms and the layout of the zones that hold none (see the module docstring).

    ``registry`` turbines take zone rows ``len(zones) + farm row`` (their climate rows in ``res``).

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
    notes: list[Note] = []
    inputs: list[Path] = []
    parts: list[_Part] = []
    if given is not None and len(given):
        part, inputs = _given_part(given, zones, zone_label, spec, params, base_dir, given_file)
        parts.append(part)
        notes.append(Note("wind.fleet.given", {"n_turbines": len(given), "n_zones": len(np.unique(part.zone))}))
    if registry is not None and len(registry.xy):
        parts.append(_registry_part(registry, len(zones)))
    skip = np.zeros(len(zones), bool)
    if parts and parts[0].layout == "given":
        skip[parts[0].zone] = True
    xy_l, zone_l, dist_l, rule_l = _lay_out(zones, kinds, skip, turbines, res, params,
                                            exclusion_geometry(exclusions, zones.crs))
    ts_l = [turbines[k] for k in kinds[zone_l]]
    parts.append(_Part(xy_l, zone_l, ts_l, np.array([hubs[k] for k in kinds[zone_l]], dtype=float), zone_label[zone_l],
                       zones["site_id"].to_numpy(object)[zone_l], rule_l, dist_l, "laid out"))
    keep = thin(np.vstack([p.xy for p in parts]), np.concatenate([p.min_dist for p in parts]))
    sizes = np.cumsum([0] + [len(p.xy) for p in parts])
    for p, lo, hi in zip(parts, sizes[:-1], sizes[1:], strict=True):
        dropped = int((~keep[lo:hi]).sum())
        if dropped and p.layout == REGISTRY_LAYOUT:
            notes.append(Note("wind.fleet.registry_dropped", {"n_positions": dropped}))
        elif dropped and p.layout == "laid out":
            notes.append(Note("wind.fleet.dropped", {"n_positions": dropped}))
    kept = [t for t, k in zip((t for p in parts for t in p.turbine), keep, strict=True) if k]
    types: list[Turbine] = []
    index: dict[int, int] = {}
    for t in kept:
        if id(t) not in index:
            index[id(t)] = len(types)
            types.append(t)

    def cat(attr: str) -> np.ndarray:
        return np.concatenate([getattr(p, attr) for p in parts])[keep]

    return Fleet(
        xy=np.vstack([p.xy for p in parts])[keep], zone=cat("zone").astype(int), types=types,
        type_idx=np.array([index[id(t)] for t in kept], dtype=int),
        hub_m=cat("hub_m").astype(float),
        layout=np.concatenate([np.full(len(p.xy), p.layout, dtype=object) for p in parts])[keep],
        farm=cat("farm").astype(object), source=cat("source").astype(object), rule=cat("rule").astype(object),
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
