"""The vectorised yield engine: hourly energy for thousands of sites in one call.

Sites that share a weather cell, an archetype and an orientation (tilt, azimuth) have the same energy
per kWp, so the engine simulates each such *group* once and scales by each site's kWp. Per weather cell
it computes solar position once (:func:`pvlib.solarposition.get_solarposition`, NREL numpy) and runs
pvlib's functions on 2-D numpy arrays (hours x groups):

1. plane-of-array irradiance, Hay-Davies transposition (:func:`pvlib.irradiance.get_total_irradiance`);
   bifacial archetypes: front and rear by :func:`pvlib.bifacial.infinite_sheds.get_irradiance`;
2. incidence-angle modifier :func:`pvlib.iam.physical` on the beam, effective irradiance
   ``poa_direct * iam + poa_diffuse`` (as :class:`pvlib.modelchain.ModelChain` computes it);
3. cell temperature :func:`pvlib.temperature.pvsyst_cell` with the archetype's heat-loss coefficients;
4. module maximum power by the CEC single-diode model (:func:`pvlib.pvsystem.calcparams_cec`,
   :func:`pvlib.pvsystem.max_power_point`), only for hours with light; scaled to the block's strings;
5. DC losses (soiling, mismatch, DC wiring, LID) as derates of the DC power (as PVWatts applies them);
6. the Sandia inverter model (:func:`pvlib.inverter.sandia`); clipping is what exceeds the DC power at
   which the model reaches Paco, ``Pdco (1 + C1 (v_dc - Vdco))``; night tare included;
7. AC wiring and availability as derates of the AC energy.

Each loss is itemised (kWh/kWp per year) per group. For a monofacial site the result equals a pvlib
``ModelChain`` run with the same site, weather and parameters (aoi_model ``physical``, spectral
``no_loss``, temperature ``pvsyst``, Hay-Davies, the same DC derate as a losses model), which the
tests check to 0.5 %.

Simplifications (said in the plan's notes): no row-to-row shading for monofacial rows (pitches are
chosen to avoid it 9-15 h on the winter solstice), soiling as a constant derate, no degradation over
the years, no snow, no spectral correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from binhai_geo.solar.archetypes import Archetype
from binhai_geo.solar.iotools import WeatherSet

#: Loss items, in the order they act (kWh/kWp per year in the groups table).
LOSS_ITEMS = ("soiling", "mismatch", "dc_wiring", "lid", "clipping", "inverter", "ac_wiring", "availability")


@dataclass
class BatchResult:
    """The engine's answer.

    Attributes
    ----------
    energy_kwh_per_yr : numpy.ndarray
        Annual AC energy per site [kWh].
    specific_yield_kwh_per_kwp : numpy.ndarray
        Annual AC energy per kWp DC [kWh/kWp].
    capacity_factor : numpy.ndarray
        Annual AC energy over DC nameplate x 8760 h [-].
    group : numpy.ndarray
        Index of each site's group in ``groups``.
    groups : pandas.DataFrame
        One row per simulated group: cell, archetype, tilt, azimuth, n_sites, kwp, POA insolation,
        gross DC yield, each loss of :data:`LOSS_ITEMS` and the net yield [kWh/kWp per year].
    hourly_ac_w_per_kwp : numpy.ndarray or None
        Hourly net AC power per kWp [W/kWp] (hours x groups) when asked for.
    times : list of pandas.DatetimeIndex
        The time index of each weather cell.
    """

    energy_kwh_per_yr: np.ndarray
    specific_yield_kwh_per_kwp: np.ndarray
    capacity_factor: np.ndarray
    group: np.ndarray
    groups: pd.DataFrame
    hourly_ac_w_per_kwp: np.ndarray | None
    times: list


def _cell_geometry(cell, step_h: float) -> dict:  # noqa: ANN001 - WeatherCell
    import pvlib

    d = cell.data
    times = d.index
    pressure = pvlib.atmosphere.alt2pres(cell.altitude)
    sp = pvlib.solarposition.get_solarposition(times, cell.latitude, cell.longitude, altitude=cell.altitude,
                                               pressure=pressure, method="nrel_numpy",
                                               temperature=d["temp_air"])
    return {
        "times": times,
        "appz": sp["apparent_zenith"].to_numpy(),
        "azimuth": sp["azimuth"].to_numpy(),
        "dni_extra": pvlib.irradiance.get_extra_radiation(times).to_numpy(),
        "ghi": d["ghi"].to_numpy(), "dni": d["dni"].to_numpy(), "dhi": d["dhi"].to_numpy(),
        "temp_air": d["temp_air"].to_numpy(), "wind_speed": d["wind_speed"].to_numpy(),
        "years": len(d) * step_h / 8760.0, "step_h": step_h,
    }


def _poa(geo: dict, arch: Archetype, tilt: np.ndarray, azim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Effective irradiance and the irradiance for cell temperature [W/m2], hours x orientations."""
    import pvlib

    col = (slice(None), None)
    aoi = pvlib.irradiance.aoi(tilt[None, :], azim[None, :], geo["appz"][col], geo["azimuth"][col])
    iam = pvlib.iam.physical(aoi)
    if arch.bifaciality > 0:
        eff = np.empty((len(geo["ghi"]), len(tilt)))
        glob = np.empty_like(eff)
        for j in range(len(tilt)):
            r = pvlib.bifacial.infinite_sheds.get_irradiance(
                tilt[j], azim[j], geo["appz"], geo["azimuth"], arch.gcr, arch.height_m, arch.pitch_m,
                geo["ghi"], geo["dhi"], geo["dni"], arch.albedo, model="haydavies", dni_extra=geo["dni_extra"],
                bifaciality=arch.bifaciality)
            rear = arch.bifaciality * (1 - 0.02) * np.asarray(r["poa_back"])  # pvlib's default rear shade 2%
            eff[:, j] = np.asarray(r["poa_front_direct"]) * iam[:, j] + np.asarray(r["poa_front_diffuse"]) + rear
            glob[:, j] = np.asarray(r["poa_global"])
        return np.nan_to_num(eff), np.nan_to_num(glob)
    irr = pvlib.irradiance.get_total_irradiance(
        tilt[None, :], azim[None, :], geo["appz"][col], geo["azimuth"][col], geo["dni"][col], geo["ghi"][col],
        geo["dhi"][col], dni_extra=geo["dni_extra"][col], albedo=arch.albedo, model="haydavies")
    eff = irr["poa_direct"] * iam + irr["poa_diffuse"]
    return np.nan_to_num(eff), np.nan_to_num(irr["poa_global"])


def _simulate_block(geo: dict, arch: Archetype, tilt: np.ndarray, azim: np.ndarray,
                    keep_hourly: bool) -> tuple[dict, np.ndarray | None]:
    """Simulate one inverter block of ``arch`` for several orientations in one weather cell."""
    import pvlib

    eff, poa_glob = _poa(geo, arch, tilt, azim)
    tcell = pvlib.temperature.pvsyst_cell(poa_glob, geo["temp_air"][:, None], geo["wind_speed"][:, None],
                                          u_c=arch.u_c, u_v=arch.u_v, module_efficiency=arch.module_efficiency,
                                          alpha_absorption=arch.alpha_absorption)
    m = arch.module
    lit = eff > 0
    p_mod = np.zeros(eff.shape)
    v_mod = np.zeros(eff.shape)
    if lit.any():
        params = pvlib.pvsystem.calcparams_cec(eff[lit], tcell[lit], m["alpha_sc"], m["a_ref"], m["I_L_ref"],
                                               m["I_o_ref"], m["R_sh_ref"], m["R_s"], m["Adjust"])
        mpp = pvlib.pvsystem.max_power_point(*params, method="newton")
        p_mod[lit] = np.asarray(mpp["p_mp"])
        v_mod[lit] = np.asarray(mpp["v_mp"])
    n_mod = arch.modules_per_string * arch.strings_per_inverter
    p_gross = p_mod * n_mod  # [W] per block
    v_dc = v_mod * arch.modules_per_string
    steps = {}
    p = p_gross
    for item in ("soiling", "mismatch", "dc_wiring", "lid"):
        loss = p * arch.losses_pct[f"{item}_pct"] / 100.0
        steps[item] = loss.sum(axis=0)
        p = p - loss
    inv = arch.inverter
    clip_at = inv["Pdco"] * (1 + inv["C1"] * (v_dc - inv["Vdco"]))
    clipped = np.where(lit, np.clip(p - clip_at, 0, None), 0.0)
    ac = pvlib.inverter.sandia(v_dc, p, inv)
    steps["clipping"] = clipped.sum(axis=0)
    steps["inverter"] = (p - clipped).sum(axis=0) - ac.sum(axis=0)
    ac_wiring = ac * arch.losses_pct["ac_wiring_pct"] / 100.0
    ac_net = ac - ac_wiring
    avail = ac_net * arch.losses_pct["availability_pct"] / 100.0
    ac_net = ac_net - avail
    steps["ac_wiring"] = ac_wiring.sum(axis=0)
    steps["availability"] = avail.sum(axis=0)
    norm = geo["step_h"] / 1000.0 / arch.block_kwp / geo["years"]  # W per block -> kWh/kWp per year
    out = {
        "poa_kwh_per_m2": poa_glob.sum(axis=0) * geo["step_h"] / 1000.0 / geo["years"],
        "dc_gross_kwh_per_kwp": p_gross.sum(axis=0) * norm,
        **{f"{k}_kwh_per_kwp": v * norm for k, v in steps.items()},
        "net_kwh_per_kwp": ac_net.sum(axis=0) * norm,
    }
    hourly = ac_net / arch.block_kwp if keep_hourly else None
    return out, hourly


def simulate(
    archetypes: dict[str, Archetype],
    weather: WeatherSet,
    *,
    cell: Sequence[int] | np.ndarray,
    archetype: Sequence[str] | np.ndarray,
    tilt_deg: Sequence[float] | np.ndarray,
    azimuth_deg: Sequence[float] | np.ndarray,
    capacity_kwp: Sequence[float] | np.ndarray,
    keep_hourly: bool = False,
    chunk: int = 48,
) -> BatchResult:
    """Annual (and optionally hourly) AC energy of many PV sites in one call.

    Parameters
    ----------
    archetypes : dict of str to Archetype
        From :func:`binhai_geo.solar.archetypes.load_archetypes`.
    weather : WeatherSet
        Weather cells (see :mod:`binhai_geo.solar.iotools`).
    cell : array of int
        Each site's weather-cell index into ``weather.cells``.
    archetype : array of str
        Each site's archetype id.
    tilt_deg, azimuth_deg : array of float
        Each site's orientation [deg] (pvlib convention, azimuth 180 = south).
    capacity_kwp : array of float
        Each site's DC nameplate [kWp].
    keep_hourly : bool
        Also return hourly AC power per kWp of every group (memory: 8 bytes x hours x groups).
    chunk : int
        Orientations simulated together (bounds memory: arrays of hours x chunk).

    Returns
    -------
    BatchResult
    """
    cell = np.asarray(cell, dtype=int)
    arch_ids = np.asarray(archetype, dtype=object)
    tilt = np.asarray(tilt_deg, dtype=float)
    azim = np.asarray(azimuth_deg, dtype=float)
    kwp = np.asarray(capacity_kwp, dtype=float)
    n = len(cell)
    keys = pd.DataFrame({"cell": cell, "archetype": arch_ids, "tilt_deg": tilt, "azimuth_deg": azim})
    group = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy() if n else np.zeros(0, dtype=int)
    groups = keys.assign(group=group).drop_duplicates("group").sort_values("group").set_index("group")
    cols: dict[str, np.ndarray] = {}
    hourly = None
    times = []
    for c in sorted(groups["cell"].unique()):
        wc = weather.cells[int(c)]
        step_h = (wc.data.index[1] - wc.data.index[0]) / pd.Timedelta(hours=1)
        geo = _cell_geometry(wc, step_h)
        times.append(geo["times"])
        in_cell = groups[groups["cell"] == c]
        for arch_id, sub in in_cell.groupby("archetype", sort=True):
            arch = archetypes[str(arch_id)]
            for start in range(0, len(sub), chunk):
                part = sub.iloc[start:start + chunk]
                res, hr = _simulate_block(geo, arch, part["tilt_deg"].to_numpy(), part["azimuth_deg"].to_numpy(),
                                          keep_hourly)
                for k, v in res.items():
                    cols.setdefault(k, np.full(len(groups), np.nan))[part.index.to_numpy()] = v
                if hr is not None:
                    if hourly is None:
                        hourly = np.full((hr.shape[0], len(groups)), np.nan)
                    hourly[:, part.index.to_numpy()] = hr
    table = groups.copy()
    for k, v in cols.items():
        table[k] = v
    table["n_sites"] = np.bincount(group, minlength=len(groups)) if n else 0
    table["capacity_kwp"] = np.bincount(group, weights=kwp, minlength=len(groups)) if n else 0.0
    table["cell_name"] = [weather.cells[int(c)].name for c in table["cell"]]
    yield_ = table["net_kwh_per_kwp"].to_numpy()[group] if n else np.zeros(0)
    energy = yield_ * kwp
    return BatchResult(energy, yield_, yield_ / 8760.0, group, table.reset_index(), hourly, times)
