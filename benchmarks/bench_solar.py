"""The solar yield engine: batch throughput against a pvlib ModelChain loop, and rooftops from file to MWh.

1. 10,000 sites of mixed surfaces (salt pan, fishery, offshore piles, floating, flat and pitched roofs with
   footprint azimuths) spread over Binhai, through :func:`binhai_geo.solar.batch.simulate`, against 100 of
   the same sites run one by one through :class:`pvlib.modelchain.ModelChain` in the same process (same
   weather, same parameters). The ratio compares throughput (sites per second); the largest deviation
   between the two for those 100 sites is reported, as is the engine's peak memory.
2. 100,000 rooftop footprints from a GeoPackage to MWh (read, validate, usable area by class, orientation,
   weather, batch engine), as the ``binhai-geo pv`` command does it. Baseline: reading the file alone.

Weather: the stand-in default year, built once per 0.25 deg cell before timing row 1 (row 2 includes it).
"""

from __future__ import annotations

import resource
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from benchmarks._harness import best_of, peak_python_memory_mb

N_SITES = 10_000
N_LOOP = 100
N_ROOFS = 100_000
SEED = 7
MIX = ("salt_pan_fixed", "fishery", "offshore_pile", "floating", "rooftop_flat", "rooftop_pitched")


def _mixed_sites(rng: np.random.Generator) -> dict:
    lat = rng.uniform(38.55, 39.35, N_SITES)
    lon = rng.uniform(117.3, 118.0, N_SITES)
    arch = rng.choice(MIX, N_SITES)
    from binhai_geo.solar.archetypes import load_archetypes

    archs = load_archetypes()
    tilt = np.array([archs[a].tilt_deg for a in arch])
    azim = np.array([archs[a].azimuth_deg for a in arch])
    pitched = arch == "rooftop_pitched"
    azim[pitched] = np.round(rng.uniform(90, 270, pitched.sum()) / 5) * 5  # footprint azimuths, 5 deg bins
    kwp = rng.uniform(50, 50_000, N_SITES)
    return {"lat": lat, "lon": lon, "archetype": arch, "tilt": tilt, "azimuth": azim, "kwp": kwp, "archs": archs}


def _modelchain(a, cell, tilt: float, azimuth: float) -> float:  # noqa: ANN001
    """Annual AC yield [kWh/kWp] of one site by pvlib's ModelChain (the same model chain as the engine)."""
    from pvlib.location import Location
    from pvlib.modelchain import ModelChain
    from pvlib.pvsystem import Array, FixedMount, PVSystem

    from binhai_geo.solar.thermal import fuentes_cell_temperature

    loc = Location(cell.latitude, cell.longitude, tz=str(cell.data.index.tz), altitude=cell.altitude)
    model, params = a.modelchain_temperature()
    if model == "fuentes":  # the engine's vectorised Fuentes (pvlib's own walks the hours in Python, ~5 s a site)
        def model(mc):  # noqa: ANN001, ANN202
            w = mc.results.weather
            poa = mc.results.total_irrad["poa_global"].fillna(0.0)
            mc.results.cell_temperature = pd.Series(fuentes_cell_temperature(
                poa.to_numpy()[:, None], w["temp_air"].to_numpy(), w["wind_speed"].to_numpy(), a.noct_installed_c,
                module_height=a.module_height_m, wind_height=params["wind_height"], surface_tilt=np.array([tilt]),
                step_h=1.0)[:, 0], index=poa.index)
    arr = Array(FixedMount(tilt, azimuth), albedo=a.albedo, module_parameters=a.module_parameters(),
                temperature_model_parameters=params, modules_per_string=a.modules_per_string,
                strings=a.strings_per_inverter)

    def dc_losses(mc, derate=a.dc_derate):  # noqa: ANN001
        mc.results.dc = mc.results.dc.copy()
        mc.results.dc["p_mp"] *= derate

    mc = ModelChain(PVSystem(arrays=[arr], inverter_parameters=a.inverter), loc, aoi_model="physical",
                    spectral_model="no_loss", temperature_model=model, transposition_model="perez",
                    dc_model="cec", ac_model="sandia", losses_model=dc_losses)
    mc.run_model(cell.data)
    return float(mc.results.ac.sum() * a.ac_derate / 1000.0 / a.block_kwp)


def _roof_file(folder: Path, rng: np.random.Generator) -> Path:
    """100,000 rectangular footprints over Binhai (EPSG:4527), classes and roof types mixed."""
    x = rng.uniform(39_520_000, 39_585_000, N_ROOFS)
    y = rng.uniform(4_275_000, 4_355_000, N_ROOFS)
    w = rng.uniform(10, 120, N_ROOFS)
    h = rng.uniform(8, 60, N_ROOFS)
    boxes = shapely.box(x, y, x + w, y + h)
    angles = rng.uniform(-40, 40, N_ROOFS)
    geoms = [shapely.affinity.rotate(g, a, origin="centroid") for g, a in zip(boxes, angles, strict=True)]
    gdf = gpd.GeoDataFrame({
        "building_class": rng.choice(["public_institution", "factory", "commercial", "residential", "other"],
                                     N_ROOFS),
        "new_build": rng.random(N_ROOFS) < 0.3,
        "roof_type": rng.choice(["flat", "pitched"], N_ROOFS, p=[0.6, 0.4]),
        "pv_installed": rng.random(N_ROOFS) < 0.2,
    }, geometry=geoms, crs="EPSG:4527")
    path = folder / "roofs.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="rooftop", driver="GPKG")
    return path


def run() -> list[dict]:
    """Run the benchmark; return result rows."""
    from binhai_geo.solar.batch import simulate
    from binhai_geo.solar.cli import _compute
    from binhai_geo.solar.weather import default_weather_set

    warnings.simplefilter("ignore", RuntimeWarning)  # pvlib's lambertw at zero irradiance (ModelChain)
    rng = np.random.default_rng(SEED)
    s = _mixed_sites(rng)
    ws = default_weather_set(s["lat"], s["lon"])
    cell, _ = ws.nearest(s["lat"], s["lon"])

    def batch():  # noqa: ANN202
        return simulate(s["archs"], ws, cell=cell, archetype=s["archetype"], tilt_deg=s["tilt"],
                        azimuth_deg=s["azimuth"], capacity_kwp=s["kwp"])

    t_batch = best_of(batch, repeat=2)
    result = batch()
    mem_mb = peak_python_memory_mb(batch)
    pick = rng.choice(N_SITES, N_LOOP, replace=False)
    t0 = time.perf_counter()
    loop = [_modelchain(s["archs"][s["archetype"][i]], ws.cells[int(cell[i])], s["tilt"][i], s["azimuth"][i])
            for i in pick]
    t_loop = time.perf_counter() - t0
    # ModelChain has no row-to-row shading: compare with the engine run without it (not timed)
    open_field = simulate(s["archs"], ws, cell=cell[pick], archetype=s["archetype"][pick], tilt_deg=s["tilt"][pick],
                          azimuth_deg=s["azimuth"][pick], capacity_kwp=s["kwp"][pick], row_shading=False)
    dev = np.abs(open_field.specific_yield_kwh_per_kwp / np.array(loop) - 1).max()
    ratio = (N_SITES / t_batch) / (N_LOOP / t_loop)

    with tempfile.TemporaryDirectory() as d:
        path = _roof_file(Path(d), rng)
        t_read = best_of(lambda: pyogrio.read_dataframe(path, layer="rooftop"), repeat=2)
        out = {}

        def roofs() -> None:
            out["sites"] = _compute(path, "rooftop", None, "default", None, None, None, None, "EPSG:4527")

        t_roofs = best_of(roofs, repeat=2)
        roof_mwh = float(out["sites"]["energy_mwh_per_yr"].sum())
        roof_mw = float(out["sites"]["capacity_mw"].sum())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        {"benchmark": f"PV batch engine: {N_SITES:,} mixed sites ({len(result.groups)} groups, {len(ws.cells)} "
                      "weather cells)", "seconds": round(t_batch, 2),
         "baseline": f"pvlib ModelChain loop, {N_LOOP} of the same sites", "baseline_seconds": round(t_loop, 2),
         "ratio": round(ratio, 1),
         "notes": f"throughput ratio (sites/s); largest deviation from ModelChain {100 * dev:.4f}% (engine without "
                  "row shading, which ModelChain lacks); engine peak "
                  f"memory {mem_mb:,.0f} MB (tracemalloc)"},
        {"benchmark": f"PV rooftops: {N_ROOFS:,} footprints from GeoPackage to MWh", "seconds": round(t_roofs, 2),
         "baseline": "pyogrio.read_dataframe alone", "baseline_seconds": round(t_read, 3),
         "ratio": round(t_roofs / t_read, 1),
         "notes": f"{roof_mw:,.0f} MWp, {roof_mwh / 1000:,.0f} GWh/yr; process peak RSS {rss_mb:,.0f} MB"},
    ]
