"""Sector-wise Weibull wind climates: WAsP ``.tab`` and ``.lib`` files, sector CSV tables, series fits.

A *sector-wise* wind climate gives, for each of S direction sectors (sector i centred on
i x 360 / S degrees, the direction the wind blows from), the sector's frequency f_i (summing to 1) and
the Weibull scale A_i [m/s] and shape k_i of the wind speeds in that sector. It is what wind consultants
deliver and what PyWake's ``UniformWeibullSite`` takes (``p_wd``, ``a``, ``k``).

Readers (pure functions of a path; they return :class:`SectorWeibull` and raise
:class:`~binhai_geo.errors.WorkflowError` naming the file, line and field):

- :func:`read_tab`: WAsP *observed wind climate* (OWC, ``.tab``): a histogram of speeds per sector
  (header; latitude, longitude and height; sector count, speed factor and direction offset; sector
  frequencies in %; then one line per speed bin: its upper edge [m/s] and the per-mille frequency of
  the bin in each sector). A, k per sector by the WAsP fitting rule: the fitted Weibull has the same
  mean power density (third moment) and the same share of speeds above the observed mean as the
  histogram (Troen and Petersen 1989, *European Wind Atlas*, Risoe National Laboratory, sec. 8.2).
- :func:`read_lib`: WAsP *generalised wind climate* (GWC, ``.lib``): sector frequencies and A, k per
  standard roughness class and height (Troen and Petersen 1989, Appendix; the WAsP ``.lib`` layout:
  header; ``n_roughness n_heights n_sectors``; roughness lengths [m]; heights [m]; then per roughness
  class one line of frequencies [%] and per height one line of A and one of k). The class nearest (in
  ln z0) to the zone's roughness length and the height nearest to the hub are taken; the run says so.
- :func:`read_sector_csv`: a CSV with ``sector_deg, frequency, weibull_a_mps, weibull_k`` (optional
  ``reference_height_m``, ``turbulence_intensity``).
- :func:`fit_sectors`: A, k per sector by maximum likelihood from a speed and direction series (ERA5).

Checks (:func:`check_sectors`): equal sectors starting at 0 deg; frequencies >= 0 summing to 1 within
0.5 % (percent files: 100 within 0.5); A and k > 0 and finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import gamma
from scipy.stats import weibull_min

from binhai_geo.errors import WorkflowError

#: Largest admissible departure of the sector frequencies' sum from 1.
FREQUENCY_SUM_TOLERANCE = 0.005

SECTOR_CSV_COLUMNS = ("sector_deg", "frequency", "weibull_a_mps", "weibull_k")


@dataclass
class SectorWeibull:
    """A sector-wise Weibull wind climate at one height.

    Attributes
    ----------
    frequency : numpy.ndarray
        Sector frequencies, shape (S,), summing to 1.
    a_mps, k : numpy.ndarray
        Weibull scale [m/s] and shape per sector, shape (S,).
    height_m : float
        Height above ground or sea the climate is given at [m].
    source : str
        Where it came from (file, roughness class and height chosen).
    turbulence_intensity : float or None
        Ambient turbulence intensity if the source gives one.
    """

    frequency: np.ndarray
    a_mps: np.ndarray
    k: np.ndarray
    height_m: float
    source: str
    turbulence_intensity: float | None = None

    @property
    def n_sectors(self) -> int:
        """Number of sectors S."""
        return int(self.frequency.size)

    def mean_speed_mps(self) -> float:
        """Mean wind speed over all sectors, sum_i f_i A_i Gamma(1 + 1/k_i) [m/s]."""
        return float(np.sum(self.frequency * self.a_mps * gamma(1.0 + 1.0 / self.k)))


def check_sectors(freq: np.ndarray, a: np.ndarray, k: np.ndarray, *, file: str | None = None,
                  sector_deg: np.ndarray | None = None, scale: float = 1.0) -> None:
    """Raise unless the sectors are equal, the frequencies sum to ``scale`` and A, k are positive.

    Parameters
    ----------
    freq, a, k : numpy.ndarray
        Per-sector frequency (in units whose sum is ``scale``), A [m/s], k.
    file : str, optional
        The file named in errors.
    sector_deg : numpy.ndarray, optional
        Sector centres [deg]; must be i x 360 / S.
    scale : float
        1 for fractions, 100 for percent, 1000 for per mille.

    Raises
    ------
    WorkflowError
    """
    freq, a, k = (np.asarray(x, float) for x in (freq, a, k))
    n = freq.size
    if n < 4 or a.size != n or k.size != n:
        raise WorkflowError(f"sectors do not match: {n} frequencies, {a.size} Weibull A, {k.size} Weibull k "
                            "(need at least 4 sectors, the same number of each)", file=file, field="sectors",
                            hint="give one frequency, A and k per sector")
    if sector_deg is not None:
        expected = np.arange(n) * 360.0 / n
        got = np.asarray(sector_deg, float)
        if got.size != n or not np.allclose(got, expected, atol=0.01):
            raise WorkflowError(f"sectors must be {n} equal sectors centred on 0, {360 / n:g}, ... deg; got "
                                f"{', '.join(f'{x:g}' for x in got[:6])}{' ...' if got.size > 6 else ''}",
                                file=file, field="sector_deg", hint="sort the sectors from north clockwise")
    if (freq < 0).any() or not np.isfinite(freq).all():
        raise WorkflowError("sector frequencies must be finite and >= 0", file=file, field="frequency",
                            hint="correct the sector frequencies")
    if abs(freq.sum() / scale - 1.0) > FREQUENCY_SUM_TOLERANCE:
        unit = {1.0: "", 100.0: " %", 1000.0: " per mille"}.get(scale, "")
        raise WorkflowError(f"sector frequencies sum to {freq.sum():g}{unit}, not {scale:g}{unit}",
                            file=file, field="frequency",
                            hint=f"the frequencies of all sectors must add up to {scale:g}{unit} (within "
                            f"{100 * FREQUENCY_SUM_TOLERANCE:g} %)")
    for name, arr, fld in (("Weibull A", a, "weibull_a_mps"), ("Weibull k", k, "weibull_k")):
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WorkflowError(f"{name} of sector {i} ({i * 360 / n:g} deg) must be > 0, got {arr[i]:g}",
                                file=file, field=fld, hint="a Weibull k is typically 1.5-3 and A a few m/s")


def _numbers(line: str, path: Path, lineno: int, what: str) -> np.ndarray:
    try:
        return np.array([float(x) for x in line.replace(",", " ").split()], dtype=float)
    except ValueError:
        raise WorkflowError(f"line {lineno} ({what}) is not a row of numbers: '{line.strip()[:60]}'",
                            file=str(path), field=what, hint="check the file is a WAsP file") from None


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise WorkflowError(f"cannot read the file: {exc}", file=str(path), hint="check the path") from None
    return [ln for ln in text.splitlines() if ln.strip()]


def wasp_fit(lower_mps: np.ndarray, upper_mps: np.ndarray, prob: np.ndarray) -> tuple[float, float]:
    """Weibull A [m/s], k of a speed histogram by the WAsP rule (same power density, same share above mean).

    Speeds are taken as spread evenly within each bin: the bin's mean of u^3 is
    (hi^4 - lo^4) / (4 (hi - lo)), and the share above the mean is read from the histogram's cumulative
    distribution interpolated linearly within the bin.

    Parameters
    ----------
    lower_mps, upper_mps : numpy.ndarray
        Bin edges [m/s].
    prob : numpy.ndarray
        Probability of each bin (any scale; normalised here).

    Raises
    ------
    WorkflowError
        An empty histogram.
    """
    p = np.asarray(prob, float)
    lo = np.asarray(lower_mps, float)
    hi = np.asarray(upper_mps, float)
    if p.sum() <= 0:
        raise WorkflowError("an empty sector histogram cannot be fitted", field="histogram",
                            hint="give a sector with observations, or drop the empty sector")
    p = p / p.sum()
    mean = float(np.sum(p * (lo + hi) / 2))
    m3 = float(np.sum(p * (hi**4 - lo**4) / (4 * (hi - lo))))
    cdf = np.concatenate([[0.0], np.cumsum(p)])
    above = 1.0 - float(np.interp(mean, np.concatenate([lo[:1], hi]), cdf))
    above = min(max(above, 1e-6), 1 - 1e-6)

    def gap(k: float) -> float:
        a = (m3 / gamma(1.0 + 3.0 / k)) ** (1.0 / 3.0)
        return math.exp(-((mean / a) ** k)) - above

    try:
        k = brentq(gap, 0.5, 10.0)
    except ValueError:  # no sign change within realistic shapes: keep the typical k = 2 (Rayleigh)
        k = 2.0
    return float((m3 / gamma(1.0 + 3.0 / k)) ** (1.0 / 3.0)), float(k)


def read_tab(path: Path) -> SectorWeibull:
    """Read a WAsP observed wind climate (``.tab``) and fit A, k per sector (see the module docstring).

    Raises
    ------
    WorkflowError
        Too few lines, non-numeric rows, sector frequencies not summing to 100 %, a bin row whose
        sector count differs from the header's, or per-sector histograms not summing to 1000 per mille.
    """
    lines = _lines(path)
    if len(lines) < 6:
        raise WorkflowError(f"a WAsP .tab file needs a header, 3 lines of settings and speed bins; found "
                            f"{len(lines)} lines", file=str(path), hint="export the observed wind climate from WAsP")
    pos = _numbers(lines[1], path, 2, "position and height")
    height = float(pos[2]) if pos.size >= 3 else float("nan")
    head = _numbers(lines[2], path, 3, "sectors, speed factor and direction offset")
    n = int(head[0])
    factor = float(head[1]) if head.size > 1 else 1.0
    offset = float(head[2]) if head.size > 2 else 0.0
    if offset != 0.0:
        raise WorkflowError(f"direction offset {offset:g} deg on line 3: sectors must start at north (0 deg)",
                            file=str(path), field="direction offset", hint="export the climate with offset 0")
    freq = _numbers(lines[3], path, 4, "sector frequencies")
    if freq.size != n:
        raise WorkflowError(f"line 4 has {freq.size} sector frequencies, the header says {n} sectors",
                            file=str(path), field="sectors", hint="give one frequency per sector")
    rows = [_numbers(ln, path, i + 5, "speed bin") for i, ln in enumerate(lines[4:])]
    for i, r in enumerate(rows):
        if r.size != n + 1:
            raise WorkflowError(f"line {i + 5} has {r.size - 1} sector values, the header says {n} sectors",
                                file=str(path), field="sectors", hint="give the bin's upper speed and one "
                                "value per sector on each line")
    table = np.vstack(rows)
    upper = table[:, 0] * factor
    lower = np.concatenate([[0.0], upper[:-1]])
    hist = table[:, 1:]
    sums = hist.sum(axis=0)
    bad = np.flatnonzero(np.abs(sums[freq > 0] / 1000.0 - 1.0) > FREQUENCY_SUM_TOLERANCE)
    if bad.size:
        s = int(np.flatnonzero(freq > 0)[bad[0]])
        raise WorkflowError(f"the speed histogram of sector {s} sums to {sums[s]:g} per mille, not 1000",
                            file=str(path), field="histogram", hint="each sector's column must add up to 1000")
    a = np.empty(n)
    k = np.empty(n)
    for s in range(n):
        a[s], k[s] = wasp_fit(lower, upper, hist[:, s]) if freq[s] > 0 else (1.0, 2.0)
    check_sectors(freq, a, k, file=str(path), scale=100.0)
    if not (height > 0):
        raise WorkflowError("line 2 must give latitude, longitude and the height above ground [m]",
                            file=str(path), field="height", hint="e.g. '39.0 117.9 100'")
    return SectorWeibull(freq / freq.sum(), a, k, height,
                         f"WAsP observed wind climate {path.name} ({height:g} m, WAsP Weibull fit per sector)")


def read_lib(path: Path, roughness_m: float, height_m: float) -> SectorWeibull:
    """Read a WAsP generalised wind climate (``.lib``); take the nearest roughness class and height.

    Parameters
    ----------
    path : pathlib.Path
        The ``.lib`` file.
    roughness_m : float
        Roughness length of the zone's surface [m]; the class nearest in ln z0 is used.
    height_m : float
        Hub height [m]; the nearest height of the file is used (and the run scales A from it).

    Raises
    ------
    WorkflowError
        Malformed file, frequencies of a class not summing to 100 %, rows with another sector count.
    """
    lines = _lines(path)
    if len(lines) < 4:
        raise WorkflowError("a WAsP .lib file needs a header, the class counts, roughness lengths and heights",
                            file=str(path), hint="export the generalised wind climate from WAsP")
    head = _numbers(lines[1], path, 2, "counts").astype(int)
    if head.size < 3:
        raise WorkflowError("line 2 must give the numbers of roughness classes, heights and sectors",
                            file=str(path), field="counts", hint="e.g. '5 5 12'")
    n_r, n_h, n = (int(x) for x in head[:3])
    z0 = _numbers(lines[2], path, 3, "roughness lengths")
    heights = _numbers(lines[3], path, 4, "heights")
    need = 4 + n_r * (1 + 2 * n_h)
    if z0.size != n_r or heights.size != n_h or len(lines) < need:
        raise WorkflowError(f"the header announces {n_r} roughness classes and {n_h} heights ({need} lines); "
                            f"found {z0.size} roughness lengths, {heights.size} heights, {len(lines)} lines",
                            file=str(path), field="counts", hint="check the file is complete")
    r = int(np.argmin(np.abs(np.log(np.maximum(z0, 1e-5)) - math.log(max(roughness_m, 1e-5)))))
    h = int(np.argmin(np.abs(heights - height_m)))
    for cls in range(n_r):
        base = 4 + cls * (1 + 2 * n_h)
        freq_c = _numbers(lines[base], path, base + 1, "sector frequencies")
        rows = [_numbers(lines[base + 1 + j], path, base + 2 + j, "Weibull A/k") for j in range(2 * n_h)]
        for j, row in enumerate([freq_c, *rows]):
            if row.size != n:
                raise WorkflowError(f"line {base + 1 + j} has {row.size} values, the header says {n} sectors",
                                    file=str(path), field="sectors", hint="give one value per sector")
        check_sectors(freq_c, rows[0], rows[1], file=str(path), scale=100.0)
        if cls == r:
            freq, a, k = freq_c, rows[2 * h], rows[2 * h + 1]
    check_sectors(freq, a, k, file=str(path), scale=100.0)
    return SectorWeibull(freq / freq.sum(), a, k, float(heights[h]),
                         f"WAsP generalised wind climate {path.name} (roughness class z0 = {z0[r]:g} m, "
                         f"{heights[h]:g} m)")


def read_sector_csv(path: Path, frame: pd.DataFrame) -> SectorWeibull:
    """Build a sector-wise climate from a CSV table already read (columns :data:`SECTOR_CSV_COLUMNS`).

    ``frequency`` may be fractions (sum 1) or percent (sum 100). Optional ``reference_height_m``
    (default 100 m) and ``turbulence_intensity`` (first value used).

    Raises
    ------
    WorkflowError
    """
    df = frame.sort_values("sector_deg")
    num = {}
    for col in (*SECTOR_CSV_COLUMNS, "reference_height_m", "turbulence_intensity"):
        if col in df.columns:
            v = pd.to_numeric(df[col], errors="coerce")
            if col in SECTOR_CSV_COLUMNS and v.isna().any():
                i = int(np.flatnonzero(v.isna().to_numpy())[0])
                raise WorkflowError(f"'{df[col].iloc[i]}' is not a number", file=str(path), feature=i + 2,
                                    field=col, hint="fill every sector row with numbers")
            num[col] = v.to_numpy(float)
    f = num["frequency"]
    scale = 100.0 if abs(f.sum() - 100.0) < 1.0 else 1.0
    check_sectors(f, num["weibull_a_mps"], num["weibull_k"], file=str(path), sector_deg=num["sector_deg"],
                  scale=scale)
    h = num.get("reference_height_m")
    height = float(h[np.isfinite(h)][0]) if h is not None and np.isfinite(h).any() else 100.0
    ti = num.get("turbulence_intensity")
    ti_v = float(ti[np.isfinite(ti)][0]) if ti is not None and np.isfinite(ti).any() else None
    return SectorWeibull(f / f.sum(), num["weibull_a_mps"], num["weibull_k"], height,
                         f"sector table {path.name} ({height:g} m)", ti_v)


def fit_sectors(speed_mps: np.ndarray, direction_deg: np.ndarray, n_sectors: int, height_m: float,
                source: str) -> SectorWeibull:
    """Sector frequencies and Weibull A, k per sector from a speed and direction series (maximum likelihood).

    A sector with fewer than 50 positive speeds takes the all-direction fit (said in ``source``).

    Raises
    ------
    WorkflowError
        Fewer than 100 usable speeds in all.
    """
    s = np.asarray(speed_mps, float)
    d = np.asarray(direction_deg, float)
    ok = np.isfinite(s) & np.isfinite(d) & (s > 0)
    s, d = s[ok], d[ok]
    if s.size < 100:
        raise WorkflowError(f"only {s.size} usable wind speeds to fit Weibull distributions (need >= 100)",
                            hint="give a longer series (a year of hourly ERA5 values)")
    width = 360.0 / n_sectors
    idx = np.floor(np.mod(d + width / 2, 360.0) / width).astype(int) % n_sectors
    freq = np.bincount(idx, minlength=n_sectors).astype(float) / idx.size
    k_all, _, a_all = weibull_min.fit(s, floc=0)
    a = np.full(n_sectors, float(a_all))
    k = np.full(n_sectors, float(k_all))
    pooled = 0
    for i in range(n_sectors):
        si = s[idx == i]
        if si.size >= 50:
            k[i], _, a[i] = weibull_min.fit(si, floc=0)
        elif si.size:
            pooled += 1
    note = f"; {pooled} sparse sector(s) use the all-direction fit" if pooled else ""
    return SectorWeibull(freq, a, k, height_m, source + note)
