"""Turbines: windpowerlib's local library, power-curve checks, thrust curves, user curves."""

import numpy as np
import pytest

from binhai_geo.errors import WorkflowError
from binhai_geo.wind.tables import load_parameters
from binhai_geo.wind.turbines import (
    BETZ,
    check_hub_height,
    check_library,
    check_power_curve,
    derive_ct,
    get_turbine,
    library_turbine,
    user_turbine,
)

PARAMS = load_parameters()


def test_library_betz_violations_are_refused():
    lib = check_library(PARAMS)
    assert len(lib) == 67  # windpowerlib 0.2.2: 67 types with a power curve
    refused = lib[lib["status"] == "refused"].set_index("turbine_type")
    # the curves the brief names imply Cp above Betz at sea-level density
    for name in ("V164/8000", "S152/6330", "E-101/3050"):
        assert name in refused.index
        assert refused.loc[name, "max_cp"] > BETZ
        assert "Betz" in refused.loc[name, "problems"]
    ok = lib[lib["status"] != "refused"]
    assert (ok["max_cp"] <= BETZ).all() and (ok["max_power_ratio"] <= 1.03).all()


def test_refused_library_turbine_raises():
    with pytest.raises(WorkflowError, match="Betz"):
        library_turbine("V164/8000", PARAMS)


def test_unknown_turbine_suggests_close_names():
    with pytest.raises(WorkflowError, match="not in windpowerlib") as e:
        library_turbine("V164/950", PARAMS)
    assert "V164/9500" in str(e.value)


def test_checks_on_synthetic_curves():
    ws = np.arange(0, 26, 1.0)
    d = 100.0
    area = np.pi * d**2 / 4
    good = np.clip(0.5 * 1.225 * area * ws**3 * 0.45 / 1000, 0, 3000)
    c = check_power_curve(ws, good, 3000, d)
    assert c.status == "ok" and c.max_cp == pytest.approx(0.45)
    above_betz = np.clip(0.5 * 1.225 * area * ws**3 * 0.65 / 1000, 0, 3000)
    assert check_power_curve(ws, above_betz, 3000, d).status == "refused"
    dip = good.copy()
    dip[8] = dip[7] - 200  # 6.7 % of nominal below the previous point
    r = check_power_curve(ws, dip, 3000, d)
    assert r.status == "refused" and "monotonic" in r.problems[0]
    assert check_power_curve(ws, good * 1.10, 3000, d).status == "refused"  # 10 % above nominal
    small = np.where(good >= 3000, 3030, good)  # 1 % overshoot: flagged, capped when used
    assert check_power_curve(ws, small, 3000, d).status == "flagged"


def test_thrust_curve_from_momentum_theory():
    t = library_turbine("V164/9500", PARAMS)
    on = t.power_kw > 0
    assert (t.ct[~on] == 0).all()
    assert (t.ct[on] > 0).all() and (t.ct <= 8 / 9).all()
    cp = np.where(on, t.power_kw * 1000 / (0.5 * 1.225 * np.pi * 82**2 * np.maximum(t.wind_speed_mps, 1e-9) ** 3), 0)
    assert t.ct[np.argmax(cp)] == pytest.approx(PARAMS["constant_ct"])
    above = t.wind_speed_mps > 15
    assert np.all(np.diff(t.ct[above & on]) <= 1e-12)  # thrust falls above rated (pitching)
    again = derive_ct(t.wind_speed_mps, t.power_kw, t.nominal_power_kw, t.rotor_diameter_m, PARAMS)
    assert np.allclose(again, t.ct)


def test_flagged_library_curve_is_capped():
    t = library_turbine("E-126/7500", PARAMS)  # library peak 7,580 kW over 7,500 kW nominal
    assert t.power_kw.max() == 7500 and t.flags


def test_user_turbine_csv(tmp_path):
    ws = np.arange(0, 26, 1.0)
    p = np.clip(0.5 * 1.225 * np.pi * 60**2 * ws**3 * 0.44 / 1000, 0, 4000)
    p[(ws < 3) | (ws > 25)] = 0
    f = tmp_path / "my_turbine.csv"
    rows = ["wind_speed_mps,power_kw,rotor_diameter_m,name"]
    rows += [f"{w},{q},{'120' if i == 0 else ''},{'MyT 4.0' if i == 0 else ''}" for i, (w, q) in enumerate(zip(ws, p, strict=True))]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    t = get_turbine("my_turbine.csv", PARAMS, base_dir=tmp_path)
    assert t.name == "MyT 4.0" and t.rotor_diameter_m == 120 and t.nominal_power_kw == 4000
    assert t.source.startswith("user power curve")
    bad = tmp_path / "bad.csv"
    bad.write_text("wind_speed_mps,power_kw\n1,0\n2,10\n3,50\n", encoding="utf-8")
    with pytest.raises(WorkflowError, match="rotor_diameter_m"):
        user_turbine(bad, PARAMS)


def test_hub_height_below_rotor_radius():
    t = library_turbine("V164/9500", PARAMS)
    check_hub_height(t, 105)
    with pytest.raises(WorkflowError, match="rotor radius 82"):
        check_hub_height(t, 80)
