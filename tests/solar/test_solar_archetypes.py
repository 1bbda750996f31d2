"""System archetypes: sources, geometry rules, capacity densities, equipment checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from solar_testdata import weather_set

from binhai_geo.errors import WorkflowError
from binhai_geo.factors import packaged_table
from binhai_geo.solar.archetypes import (
    build_archetypes,
    load_archetype_table,
    load_archetypes,
    min_pitch_no_winter_shading,
)
from binhai_geo.solar.batch import simulate
from binhai_geo.solar.thermal import fuentes_cell_temperature

BINHAI_LAT = 39.2  # north edge of the district's PV surfaces (the Haijing salt field)


@pytest.fixture(scope="module")
def archetypes():
    return load_archetypes()


def test_every_parameter_has_a_source_and_a_range():
    t = pd.read_csv(packaged_table("pv_archetypes.csv"), dtype=str, keep_default_na=False)
    assert (t["source"].str.len() > 0).all()
    num = t[t["low"] != ""]
    v, lo, hi = (num[c].astype(float) for c in ("value", "low", "high"))
    assert ((lo <= v) & (v <= hi)).all(), num[~((lo <= v) & (v <= hi))]
    assert set(t["archetype"]) == {"salt_pan_fixed", "salt_pan_bifacial", "fishery", "offshore_pile", "floating",
                                   "rooftop_flat", "rooftop_pitched"}


def test_density_by_hand(archetypes):
    a = archetypes["salt_pan_fixed"]
    # Jinko JKM410M-72HL-V: 409.887 W on 1.96 m2; 4.0 m tables at 10.0 m pitch; 80 % of the site in arrays
    assert a.module_efficiency == pytest.approx(409.887 / 1960)
    assert a.gcr == pytest.approx(0.4)
    assert a.capacity_density_mw_per_km2 == pytest.approx(409.887 / 1960 * 1000 * 0.4 * 0.8)


def test_rows_do_not_shade_at_winter_noon_hours(archetypes):
    for a in archetypes.values():
        if a.orientation == "fixed" and np.isfinite(a.pitch_m):
            assert a.pitch_m >= min_pitch_no_winter_shading(a.collector_width_m, a.tilt_deg, BINHAI_LAT), a.id
    # flat tables cast no shadow beyond themselves; vertical ones a long one
    assert min_pitch_no_winter_shading(4.0, 0.0, 39.0) == pytest.approx(4.0)
    assert min_pitch_no_winter_shading(4.0, 33.0, 39.0) > min_pitch_no_winter_shading(4.0, 33.0, 30.0)


def test_fishery_follows_tianjin_rules(archetypes):
    t = load_archetype_table().set_index(["archetype", "parameter"])["value"]
    f = archetypes["fishery"]
    assert f.height_m >= 2.5 and float(t[("fishery", "clearance_above_water_m")]) >= 0.6
    assert f.pitch_m > 6.5 and f.gcr < archetypes["salt_pan_fixed"].gcr  # wider pitch than on salt pans


def test_strings_respect_the_inverter_voltage(archetypes):
    for a in archetypes.values():
        m, inv = a.module, a.inverter
        voc_cold = m["V_oc_ref"] + m["beta_oc"] * (a.min_design_temp_c - 25)
        assert a.modules_per_string * voc_cold <= inv["Vdcmax"] < (a.modules_per_string + 1) * voc_cold
        assert 1.0 < a.dc_ac_realised < 1.5


def test_floating_is_water_and_cooler(archetypes):
    fl, land = archetypes["floating"], archetypes["salt_pan_fixed"]
    assert fl.albedo < land.albedo
    # six hours at 800 W/m2, 20 C, 3.5 m/s at 10 m: floating (PVsyst, measured on floats) vs Fuentes on racks
    poa, air, wind = np.full((6, 1), 800.0), np.full(6, 20.0), np.full(6, 3.5)
    t_float = pvlib.temperature.pvsyst_cell(poa, air[:, None], wind[:, None], u_c=fl.u_c, u_v=fl.u_v,
                                            module_efficiency=fl.module_efficiency, alpha_absorption=fl.alpha_absorption)
    t_land = fuentes_cell_temperature(poa, air, wind, land.noct_installed_c, module_height=land.module_height_m,
                                      wind_height=10.0, surface_tilt=np.array([land.tilt_deg]), step_h=1.0)
    assert land.temperature_model == "fuentes" and fl.temperature_model == "pvsyst"
    assert t_float[-1, 0] < t_land[-1, 0]  # higher heat loss over water: cooler modules


def test_tilt_near_the_optimum():
    """The ground archetypes' 33 deg tilt is within 1 % of the best tilt on the default year."""
    archs = load_archetypes()
    tilts = np.arange(20.0, 46.0, 2.0)
    r = simulate(archs, weather_set(), cell=np.zeros(len(tilts), int), archetype=["salt_pan_fixed"] * len(tilts),
                 tilt_deg=tilts, azimuth_deg=np.full(len(tilts), 180.0), capacity_kwp=np.ones(len(tilts)))
    best = r.specific_yield_kwh_per_kwp.max()
    at33 = simulate(archs, weather_set(), cell=[0], archetype=["salt_pan_fixed"], tilt_deg=[33.0],
                    azimuth_deg=[180.0], capacity_kwp=[1.0]).specific_yield_kwh_per_kwp[0]
    assert 30 <= tilts[np.argmax(r.specific_yield_kwh_per_kwp)] <= 36
    assert at33 > 0.99 * best


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"salt_pan_fixed.tilt_deg": 95}, "outside the allowed range 0 to 90"),
        ({"salt_pan_fixed.tilt_deg": -5}, "outside the allowed range 0 to 90"),
        ({"salt_pan_fixed.module": "Jinko_JKM999"}, "unknown module 'Jinko_JKM999'"),
        ({"floating.inverter": "Huawei_SUN2000_40KTL"}, "unknown inverter .*close names: Huawei"),
        ({"salt_pan_fixed.soiling_pct": "dusty"}, "must be a number"),
        ({"salt_pan_fixed.pitch_m": 2.0}, "shorter than the collector width"),
        ({"salt_pan_fixed.tilt": 30}, "names no row"),
        ({"rooftop_pitched.noct_installed_c": 90}, "outside the allowed range 30 to 70"),
        ({"salt_pan_fixed.u_c": 29}, "names no row"),  # racks take Fuentes' parameters, not PVsyst's
    ],
)
def test_bad_parameters_are_named(overrides, message):
    with pytest.raises(WorkflowError, match=message) as exc:
        load_archetypes(overrides=overrides)
    assert exc.value.field is not None and exc.value.hint


def test_override_changes_one_value():
    archs = load_archetypes(overrides={"salt_pan_fixed.tilt_deg": 30})
    assert archs["salt_pan_fixed"].tilt_deg == 30.0 and archs["fishery"].tilt_deg == 33.0
    t = load_archetype_table(overrides={"salt_pan_fixed.tilt_deg": 30}).set_index(["archetype", "parameter"])
    assert t.loc[("salt_pan_fixed", "tilt_deg"), "source"].startswith("workflow override")


def test_an_archetype_needs_one_thermal_model():
    table = load_archetype_table()
    drop = (table["archetype"] == "fishery") & table["parameter"].isin(["noct_installed_c"])
    with pytest.raises(WorkflowError, match="noct_installed_c and module_height_m .* or u_c, u_v"):
        build_archetypes(table[~drop])
    archs = load_archetypes()
    assert {a.temperature_model for a in archs.values()} == {"fuentes", "pvsyst"}
    assert archs["rooftop_pitched"].noct_installed_c == 49 and archs["salt_pan_fixed"].noct_installed_c == 45
