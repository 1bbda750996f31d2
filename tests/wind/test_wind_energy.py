"""Energy: the vectorised Weibull x power-curve integral, PyWake wakes, itemised losses."""

import numpy as np
import pandas as pd
import pytest

from binhai_geo.wind.energy import (
    HOURS_PER_YEAR,
    gross_energy_mwh,
    loss_factors,
    net_energy,
    wake_aep,
    wake_groups,
)
from binhai_geo.wind.tables import load_parameters, losses_table
from binhai_geo.wind.turbines import library_turbine

PARAMS = load_parameters()


def test_gross_energy_matches_windpowerlib_on_the_same_distribution():
    from scipy.stats import weibull_min
    from windpowerlib.power_output import power_curve

    t = library_turbine("E-141/4200", PARAMS)
    a, k = 7.4, 2.0
    # a year of hourly speeds drawn as Weibull quantiles: windpowerlib's power_curve on it is the same integral
    q = (np.arange(200_000) + 0.5) / 200_000
    speeds = pd.Series(weibull_min.ppf(q, k, scale=a))
    wpl = power_curve(speeds, pd.Series(t.wind_speed_mps), pd.Series(t.power_kw * 1000)).mean() / 1e6 * HOURS_PER_YEAR
    ours = gross_energy_mwh(t, np.array([a]), np.array([k]), np.ones((1, 1)))[0]
    assert ours == pytest.approx(wpl, rel=0.002)


def test_gross_energy_vectorised_over_turbines_and_sectors():
    t = library_turbine("V164/9500", PARAMS)
    rose = np.full((3, 12), 1 / 12)
    e = gross_energy_mwh(t, np.array([6.0, 8.0, 0.5]), np.array([2.0, 2.0, 2.0]), rose)
    assert e.shape == (3,) and e[1] > e[0] > e[2] >= 0
    assert e[2] < 1.0  # A = 0.5 m/s: the turbine hardly turns
    assert e[1] < t.rated_mw * HOURS_PER_YEAR
    # sector-wise Weibull: same A in every sector equals the uniform result
    e_s = gross_energy_mwh(t, np.full((3, 12), 6.0), np.full((3, 12), 2.0), rose)
    assert e_s[0] == pytest.approx(e[0])


def _one(n, rose, a=8.0, k=2.0):
    return np.tile(rose, (n, 1)), np.full((n, len(rose)), a), np.full((n, len(rose)), k)


def test_wakes_reduce_energy_of_aligned_turbines():
    t = library_turbine("V164/9500", PARAMS)
    rose = np.zeros(12)
    rose[0] = 1.0  # all wind from the north
    # two turbines 5 D apart on a north-south line: the southern one is in the wake
    xy = np.array([[0.0, 0.0], [0.0, -5 * 164.0]])
    f, a, k = _one(2, rose)
    no_wake, with_wake = wake_aep([t], np.zeros(2, int), np.full(2, 105.0), xy, f, a, k, np.full(2, 0.06),
                                  wd_step_deg=30)
    assert with_wake[0] == pytest.approx(no_wake[0], rel=1e-6)
    assert with_wake[1] < 0.9 * no_wake[1]
    gross = gross_energy_mwh(t, np.array([8.0]), np.array([2.0]), rose[None, :])[0]
    assert no_wake[0] == pytest.approx(gross, rel=0.02)  # PyWake's 1 m/s bins vs our 0.1 m/s integral
    # side by side across the wind: no wake loss
    xy2 = np.array([[0.0, 0.0], [5 * 164.0, 0.0]])
    nw2, w2 = wake_aep([t], np.zeros(2, int), np.full(2, 105.0), xy2, f, a, k, np.full(2, 0.06), wd_step_deg=30,
                       model="jensen")
    assert w2.sum() == pytest.approx(nw2.sum(), rel=1e-3)


def test_one_run_across_types_and_climates():
    """Two turbine types in two zones with different climates wake each other in one PyWake run."""
    big, small = library_turbine("V164/9500", PARAMS), library_turbine("E-141/4200", PARAMS)
    rose = np.zeros(12)
    rose[0] = 1.0
    xy = np.array([[0.0, 0.0], [0.0, -6 * 164.0]])  # the E-141 stands 6 D downwind of the V164
    f = np.tile(rose, (2, 1))
    a = np.array([np.full(12, 8.5), np.full(12, 8.0)])  # a different climate per turbine (XRSite)
    k = np.array([np.full(12, 2.1), np.full(12, 2.0)])
    nw, w = wake_aep([big, small], np.array([0, 1]), np.array([105.0, 129.0]), xy, f, a, k, np.array([0.06, 0.09]),
                     wd_step_deg=30)
    assert w[0] == pytest.approx(nw[0], rel=1e-6)  # upwind: unwaked
    assert w[1] < 0.95 * nw[1]  # downwind turbine of the other zone loses energy
    # each turbine's unwaked energy follows its own climate and type
    for i, (t, aa, kk) in enumerate(((big, 8.5, 2.1), (small, 8.0, 2.0))):
        g = gross_energy_mwh(t, np.array([aa]), np.array([kk]), rose[None, :])[0]
        assert nw[i] == pytest.approx(g, rel=0.02)
    assert wake_groups(np.array([[0.0, 0.0], [1000.0, 0.0], [50_000.0, 0.0]]), 20_000.0).tolist()[:2] == [0, 0]
    assert len(set(wake_groups(np.array([[0.0, 0.0], [1000.0, 0.0], [50_000.0, 0.0]]), 20_000.0))) == 2


def test_overlap_lookup_equals_pywakes_interpolator():
    """The dedicated bilinear lookup returns PyWake's own GridInterpolator values, clipping included."""
    from py_wake.rotor_avg_models.gaussian_overlap_model import GaussianOverlapAvgModel

    from binhai_geo.wind.wake_models import TabulatedGaussianOverlap

    rng = np.random.default_rng(15)
    r = np.r_[rng.uniform(0, 25, 20_000), 0.0, 20.0, 20.0, 0.005, 19.995]  # past the table's 20 and 10: clipped
    cw = np.r_[rng.uniform(0, 15, 20_000), 0.0, 10.0, 0.0, 9.995, 10.0]
    ref = GaussianOverlapAvgModel().overlap_interpolator(np.c_[r, cw])
    ours = TabulatedGaussianOverlap().overlap_factor(r, cw)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)


def test_wake_run_equals_pywakes_niayifar_model():
    """A 25-turbine block: our wake run (lookup, PyWake's multiprocessing) against PyWake's own model."""
    from py_wake.literature.gaussian_models import Niayifar_PorteAgel_2016

    from binhai_geo.wind.energy import pywake_site, pywake_turbine

    t = library_turbine("V164/9500", PARAMS)
    rose = np.array([0.05, 0.04, 0.05, 0.07, 0.09, 0.1, 0.11, 0.1, 0.09, 0.1, 0.11, 0.09])
    gx, gy = np.meshgrid(np.arange(5) * 7 * 164.0, np.arange(5) * 4 * 164.0)
    xy = np.c_[gx.ravel(), gy.ravel()]
    f, a, k = _one(len(xy), rose, a=8.5, k=2.2)
    ti = np.full(len(xy), 0.06)
    wd, ws = np.arange(0.0, 360.0, 5.0), np.arange(3.0, 25.5, 1.0)
    ref = Niayifar_PorteAgel_2016(pywake_site(f, a, k, ti), pywake_turbine(t, 105.0))(
        xy[:, 0] - xy[:, 0].mean(), xy[:, 1] - xy[:, 1].mean(), wd=wd, ws=ws).aep().sum(["wd", "ws"]).to_numpy()
    try:
        for n_cpu in (1, 2):
            no_wake, with_wake = wake_aep([t], np.zeros(len(xy), int), np.full(len(xy), 105.0), xy, f, a, k, ti,
                                          n_cpu=n_cpu)
            np.testing.assert_allclose(with_wake, ref * 1000.0, rtol=1e-9)
            assert 0.05 < 1 - with_wake.sum() / no_wake.sum() < 0.3
    finally:  # PyWake keeps its worker pool for later runs: end it here, not at the end of the session
        from py_wake.utils import parallelization

        for pool in parallelization.pool_dict.values():
            pool.close()
            pool.join()
        parallelization.pool_dict.clear()


def test_itemised_losses_multiply():
    losses = losses_table({"curtailment.sea": 0.03})
    f = loss_factors(losses, "sea")
    assert f == {"availability": 0.05, "electrical": 0.03, "turbine_performance": 0.01, "environmental": 0.01,
                 "curtailment": 0.03}
    net = net_energy(np.array([1000.0]), np.array([0.10]), f)[0]
    assert net == pytest.approx(1000 * 0.9 * 0.95 * 0.97 * 0.99 * 0.99 * 0.97)
    assert "workflow override" in losses.set_index(losses["loss"] + "." + losses["surface"]).loc["curtailment.sea",
                                                                                                  "source"]
