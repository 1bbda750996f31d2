"""PyWake model parts the wind engine passes to PyWake's own wind-farm models (imports PyWake: load lazily).

Kept apart from :mod:`binhai_geo.wind.energy` so that importing the engine does not import PyWake
(several seconds), and at module level so that PyWake's multiprocessing (``n_cpu``) can pickle them.
"""

from __future__ import annotations

import numpy as np
from py_wake.rotor_avg_models.gaussian_overlap_model import GaussianOverlapAvgModel


class TabulatedGaussianOverlap(GaussianOverlapAvgModel):
    """PyWake's Gaussian rotor-overlap average, its own table read by a dedicated bilinear lookup.

    ``GaussianOverlapAvgModel`` (the rotor average of ``Niayifar_PorteAgel_2016``) multiplies each
    deficit by the overlap of the downstream rotor with the Gaussian wake, read from PyWake's
    pre-integrated table (``gaussian_overlap_.02_.02_128_512.nc``, resampled to 0.01 steps of R/sigma
    and cw/sigma) by PyWake's N-dimensional ``GridInterpolator`` with ``bounds='limit'``. That
    generic interpolator (autograd boxes, any number of axes, stacked copies of the points) was half
    the time of a wake run (cProfile, 286 turbines x 72 directions x 21 speeds: 18.5 of 35.0 s).
    This subclass keeps PyWake's table, clipping and bilinear weights and only reads the four corners
    through one flat index: the same factors to rounding (``tests/wind/test_wind_energy.py``), 30-50 %
    less CPU per wake run (docs/benchmarks.md). Complex-step or autograd gradients are not supported (the planner does
    not differentiate AEP).
    """

    def __call__(self, func, cw_ijlk, D_dst_ijl, **kwargs):  # noqa: N803 (PyWake's argument names)
        """Deficit of ``func`` (a Gaussian deficit model's method) averaged over the downstream rotor.

        As PyWake's ``GaussianOverlapAvgModel.__call__``: the centre-line deficit times the overlap
        factor; arrays (i, j, l, k) of source turbines, destination turbines, directions and speeds.
        """
        res_ijlk = func(cw_ijlk=cw_ijlk * 0, D_dst_ijl=D_dst_ijl, **kwargs)
        sigma_ijlk = func.__self__.sigma_ijlk(**kwargs)
        return res_ijlk * self.overlap_factor((D_dst_ijl / 2)[..., None] / sigma_ijlk, np.abs(cw_ijlk / sigma_ijlk))

    def overlap_factor(self, r_sigma: np.ndarray, cw_sigma: np.ndarray) -> np.ndarray:
        """Overlap factor for rotor radius / sigma and crosswind distance / sigma (broadcast shapes)."""
        gi = self.overlap_interpolator
        n_r, n_cw = (int(v) for v in gi.n)
        r = np.clip((np.asarray(r_sigma, float) - gi.x0[0]) / gi.dx[0], 0, n_r - 1)
        c = np.clip((np.asarray(cw_sigma, float) - gi.x0[1]) / gi.dx[1], 0, n_cw - 1)
        r, c = np.broadcast_arrays(r, c)
        r0 = np.minimum(r.astype(np.intp), n_r - 2)
        c0 = np.minimum(c.astype(np.intp), n_cw - 2)
        rf, cf = r - r0, c - c0
        flat = np.asarray(gi.V, float).ravel()
        idx = r0 * n_cw + c0
        z00, z01 = flat[idx], flat[idx + 1]
        z10, z11 = flat[idx + n_cw], flat[idx + n_cw + 1]
        z0 = z00 + (z10 - z00) * rf
        z1 = z01 + (z11 - z01) * rf
        return z0 + (z1 - z0) * cf
