"""The vectorised Fuentes model against pvlib's own implementation, and what wind does to it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from solar_testdata import LAT, LON, default_year

from binhai_geo.solar.thermal import fuentes_cell_temperature


@pytest.fixture(scope="module")
def year():
    d = default_year()
    sp = pvlib.solarposition.get_solarposition(d.index, LAT, LON)
    tilts = np.array([15.0, 25.0])
    poa = np.column_stack([pvlib.irradiance.get_total_irradiance(
        t, 180, sp["apparent_zenith"], sp["azimuth"], d["dni"], d["ghi"], d["dhi"])["poa_global"].fillna(0).to_numpy()
        for t in tilts])
    return d, tilts, poa


@pytest.mark.parametrize(("noct", "height"), [(45.0, 2.1), (49.0, 6.0)])
def test_equals_pvlib_fuentes_every_lit_hour(year, noct, height):
    d, tilts, poa = year
    ours = fuentes_cell_temperature(poa, d["temp_air"].to_numpy(), d["wind_speed"].to_numpy(), noct,
                                    module_height=height, wind_height=10.0, surface_tilt=tilts, step_h=1.0)
    for j, tilt in enumerate(tilts):
        ref = pvlib.temperature.fuentes(pd.Series(poa[:, j], d.index), d["temp_air"], d["wind_speed"], noct,
                                        module_height=height, wind_height=10.0, surface_tilt=tilt).to_numpy()
        lit = poa[:, j] > 0
        # pvlib carries the heat balance through the night; the engine sets the air temperature (as PVWatts)
        assert np.abs(ours[lit, j] - ref[lit]).max() < 0.01  # C
        night = ~(poa > 0).any(axis=1)
        assert np.allclose(ours[night, j], d["temp_air"].to_numpy()[night])


def test_wind_cools_and_roof_mounts_run_hotter():
    poa, air = np.full((6, 1), 800.0), np.full(6, 20.0)
    kw = {"module_height": 5.0, "wind_height": 10.0, "surface_tilt": np.array([30.0]), "step_h": 1.0}
    calm = fuentes_cell_temperature(poa, air, np.full(6, 1.0), 45.0, **kw)[-1, 0]
    windy = fuentes_cell_temperature(poa, air, np.full(6, 3.5), 45.0, **kw)[-1, 0]
    roof = fuentes_cell_temperature(poa, air, np.full(6, 1.0), 49.0, **kw)[-1, 0]
    assert windy < calm < roof
    assert 44.0 < calm < 47.0  # near INOCT 45 C at 800 W/m2, 20 C, about 1 m/s at the module
