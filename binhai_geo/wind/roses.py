"""Wind roses: sector frequencies, the region's default rose, the sector carrying most wind energy.

A rose has S sectors, sector i centred on i x 360 / S degrees (the direction the wind blows from). The
region default (``binhai_geo/data/wind_rose.csv``) gives, per region label, each sector's frequency and
the ratio of its Weibull A to the surface's A; its sources and the reasoning behind it are in the table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from binhai_geo.errors import WorkflowError
from binhai_geo.wind.sectors import check_sectors
from binhai_geo.wind.tables import read_table

#: Sectors of a wind rose built from a time series.
N_SECTORS = 12


def sector_frequencies(direction_deg: np.ndarray, n_sectors: int = N_SECTORS) -> np.ndarray:
    """Share of directions in each sector; sector i is centred on i x 360 / n_sectors degrees."""
    width = 360.0 / n_sectors
    idx = np.floor(np.mod(np.asarray(direction_deg) + width / 2, 360.0) / width).astype(int) % n_sectors
    counts = np.bincount(idx, minlength=n_sectors).astype(float)
    return counts / counts.sum()



def wind_rose(region: str, path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sector frequencies and sector speed ratios of a region label (``wind_rose.csv``), in sector order.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Frequencies summing to 1, and the ratio of each sector's Weibull A to the surface's A (column
        ``a_ratio``, 1 when absent), normalised so that sum(f x ratio) = 1 (the all-sector A is kept).

    Raises
    ------
    WorkflowError
        Unknown region, negative frequency or a sum not near 1, unequal sectors, a ratio <= 0.
    """
    df = read_table("wind_rose.csv", ("region", "sector_deg", "value", "unit", "source"), path)
    sel = df[df["region"] == region].sort_values("sector_deg")
    if sel.empty:
        raise WorkflowError(f"no wind rose for region '{region}'", file=df.attrs["path"],
                            hint="set [wind] resource_region or [wind] wind_rose")
    f = sel["value"].to_numpy(float)
    ratio = pd.to_numeric(sel["a_ratio"], errors="coerce").to_numpy(float) if "a_ratio" in sel else np.ones(len(f))
    check_sectors(f, np.where(np.isfinite(ratio), ratio, -1.0), np.ones(len(f)), file=df.attrs["path"],
                  sector_deg=sel["sector_deg"].to_numpy(float))
    f = f / f.sum()
    return f, ratio / float(np.sum(f * ratio))



def prevailing_direction(rose: np.ndarray, a_sector: np.ndarray | None = None) -> float:
    """Centre of the sector carrying most wind energy [deg from north, wind blowing from].

    With ``a_sector`` the sector weight is f_i x A_i^3 (the wind energy of the sector, for equal k);
    without it, the most frequent sector.
    """
    f = np.asarray(rose, float)
    w = f if a_sector is None else f * np.asarray(a_sector, float) ** 3
    return float(np.argmax(w) * 360.0 / f.size)

