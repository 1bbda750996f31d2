"""Wind engine: wakes over a district of about 300 turbines and a 1,000-turbine multi-farm run.

1. **District run with wakes**: :func:`binhai_geo.wind.plan.run_wind` end to end (region-default
   sector-wise resource, the default offshore turbine SCD168/8000 laid out at 7 D x 4 D, gross energy,
   PyWake Niayifar-Porte-Agel Gaussian wakes with 72 directions (5 deg) x speed bins of 1 m/s up to rated
   + 3 m/s and 2 m/s above, losses) on a synthetic 15 km x 15 km offshore zone east of the Binhai coast,
   one zone so PyWake sees all turbines together. Goal: under 15 s. Baseline: the same run without wakes.
   Each wake case runs in one process (``wake_n_cpu = 1``, the default) and with PyWake's ``n_cpu = 2``;
   the notes give CPU seconds (this process and PyWake's reaped workers) and the load average, since the
   machine is shared.
2. **Multi-farm run**: four offshore farms of about 250 turbines each, 2 x 2, farms 2 km apart in one
   pair (they wake each other in one PyWake run) and the pairs 30 km apart (beyond
   ``wake_group_distance_m``: separate runs). Goal: under 60 s. Baseline: the same run without wakes.
3. **Vectorised gross energy vs windpowerlib**: the engine's Weibull x power-curve integral for all
   turbines at once, against a loop of ``windpowerlib.ModelChain`` runs (one per turbine, log-law to hub
   height, power curve) over a year of hourly speeds drawn as Weibull quantiles at 100 m, the same
   distribution. Ratio = vectorised / loop; the energies agree within 0.5 %.
"""

from __future__ import annotations

import os
import resource
import time

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from benchmarks._harness import best_of

X0, Y0 = 39_580_000.0, 4_270_000.0  # EPSG:4527, at sea east of Nangang


def _district() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"site_id": ["offshore_zone-wind-1"], "name": ["district test zone"],
                             "layer_kind": ["offshore_zone"]},
                            geometry=[box(X0, Y0, X0 + 15_000, Y0 + 15_000)], crs="EPSG:4527")


def _farms(side_m: float = 14_000.0) -> gpd.GeoDataFrame:
    origins = [(0.0, 0.0), (side_m + 2_000.0, 0.0), (0.0, side_m + 30_000.0), (side_m + 2_000.0, side_m + 30_000.0)]
    return gpd.GeoDataFrame({"site_id": [f"offshore_zone-wind-{i + 1}" for i in range(4)],
                             "name": [f"farm {i + 1}" for i in range(4)], "layer_kind": ["offshore_zone"] * 4},
                            geometry=[box(X0 + x, Y0 + y, X0 + x + side_m, Y0 + y + side_m) for x, y in origins],
                            crs="EPSG:4527")


def _cpu_s() -> float:
    """CPU time of this process and its reaped children (PyWake's pool workers once closed) [s]."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_run(zones: gpd.GeoDataFrame, spec: object) -> tuple[object, float, float]:
    """``run_wind`` once: result, wall time [s] and CPU time [s] (PyWake's worker pool closed and joined)."""
    from py_wake.utils import parallelization

    from binhai_geo.wind.plan import run_wind

    c0, t0 = _cpu_s(), time.perf_counter()
    res = run_wind(zones, spec)
    for pool in parallelization.pool_dict.values():
        pool.close()
        pool.join()
    parallelization.pool_dict.clear()
    return res, time.perf_counter() - t0, _cpu_s() - c0


def _wake_rows(zones: gpd.GeoDataFrame, label: str, goal: str) -> tuple[list[dict], int]:
    """Rows of one wake case, one process (the default) and PyWake's ``n_cpu = 2``, against no wakes; turbines."""
    from binhai_geo.wind.spec import WindSpec

    base = [_timed_run(zones, WindSpec(wakes=False)) for _ in range(2)]
    t_base, c_base = min(b[1] for b in base), min(b[2] for b in base)
    rows = []
    for n_cpu in (1, 2):
        res, t, c = _timed_run(zones, WindSpec(parameters={"wake_n_cpu": n_cpu}))
        z = res.zones
        wl = ", ".join(f"{v:.3f}" for v in z["wake_loss_pct"])
        rows.append({
            "benchmark": f"wind: {label}, {int(z['turbines'].sum())} turbines, wakes (PyWake Niayifar Gaussian, "
                         "72 wd, 1 m/s speed bins to rated + 3 m/s, 2 m/s above), "
                         f"wake_n_cpu = {n_cpu}",
            "seconds": round(t, 2), "baseline": "same run without wakes", "baseline_seconds": round(t_base, 2),
            "ratio": round(t / t_base, 1),
            "notes": f"CPU {c:.1f} s (baseline {c_base:.2f} s, ratio {c / c_base:.0f}); net "
                     f"{z['net_energy_mwh_per_yr'].sum():,.0f} MWh/yr; wake loss {wl} %; load average "
                     f"{os.getloadavg()[0]:.1f}; {goal}"})
    return rows, int(z["turbines"].sum())


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    from scipy.stats import weibull_min
    from windpowerlib import ModelChain, WindTurbine

    from binhai_geo.wind.energy import gross_energy_mwh
    from binhai_geo.wind.tables import load_parameters
    from binhai_geo.wind.turbines import library_turbine
    from binhai_geo.wind.weibull import hub_scale

    rows, n = _wake_rows(_district(), "district run", "goal < 15 s")
    rows += _wake_rows(_farms(), "4 farms", "goal < 60 s")[0]
    params = load_parameters()
    t = library_turbine("SCD168/8000", params)
    a_ref, k, z0, hub = 7.5, 2.1, 0.0002, 110.0
    a_hub = np.full(n, float(hub_scale(np.array([a_ref]), np.array([100.0]), np.array([hub]), np.array([z0]))[0]))
    rose = np.tile(np.full(12, 1 / 12), (n, 1))
    t_vec = best_of(lambda: gross_energy_mwh(t, a_hub, np.full(n, k), rose))
    ours = gross_energy_mwh(t, a_hub, np.full(n, k), rose).sum()

    hours = 8760
    speeds = weibull_min.ppf((np.arange(hours) + 0.5) / hours, k, scale=a_ref)
    weather = pd.DataFrame({("wind_speed", 100): speeds, ("roughness_length", 0): np.full(hours, z0)},
                           index=pd.date_range("2025-01-01", periods=hours, freq="h"))
    weather.columns = pd.MultiIndex.from_tuples(weather.columns)

    def loop() -> float:
        total = 0.0
        for _ in range(n):
            wt = WindTurbine(hub_height=hub, turbine_type="SCD168/8000")
            mc = ModelChain(wt).run_model(weather)
            total += float(mc.power_output.clip(upper=t.nominal_power_kw * 1000).sum()) / 1e6
        return total

    t0 = time.perf_counter()
    wpl = loop()
    t_loop = time.perf_counter() - t0
    return rows + [
        {"benchmark": f"wind: vectorised gross energy, {n} turbines x 12 sectors x 0.1 m/s bins",
         "seconds": round(t_vec, 4), "baseline": f"windpowerlib ModelChain loop, {n} turbines x 8760 h",
         "baseline_seconds": round(t_loop, 2), "ratio": round(t_vec / t_loop, 4),
         "notes": f"energies {ours:,.0f} vs {wpl:,.0f} MWh/yr ({100 * (ours / wpl - 1):+.2f} %)"},
    ]
