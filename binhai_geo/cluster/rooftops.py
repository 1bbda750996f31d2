"""Rooftop PV for very many buildings, partition by partition on Dask.

The same physics as the plan's solar step (:mod:`binhai_geo.solar`): usable roof area by building class
(:func:`~binhai_geo.solar.rooftops.rooftop_systems`), the archetype's kWp, and the annual yield of the
batch engine (:func:`~binhai_geo.solar.batch.simulate`) for the building's weather cell, archetype and
orientation. It runs in three rounds of dask tasks:

1. one task per partition: footprints -> roof systems -> the (weather cell, archetype, tilt, azimuth)
   groups present (a small table);
2. one task per weather cell: the cell's weather (the default stand-in year, or the cell of a weather
   file) and one simulation per group present: the yield table, shared by every building of the cell;
3. one task per partition: roof systems again (cheap, deterministic), energy = kWp x the group's yield,
   the partition's result written as GeoParquet, and its sums per sub-district returned.

Sums are kept as integers (W, Wh and cm2 per building, rounded once), so the summary per sub-district
is *exactly* the same whatever the partitioning and the scheduler (a test compares a LocalCluster run
on partitions with a single-machine run on the unpartitioned file).

Memory per worker: one partition (about 1 kB per footprint with its roof systems, so 250,000 footprints
take about 0.3 GB) plus one weather cell's year in round 2. On a real cluster the partition folder and the
output folder must be on storage every worker can read and write.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from binhai_geo.cluster.partitions import atomic_dir, check_partitions
from binhai_geo.cluster.scheduler import Executor
from binhai_geo.errors import LayerError

#: Columns of the per-building result partitions.
RESULT_COLUMNS = ("footprint_id", "subdistrict", "building_class", "new_build", "roof_type", "archetype",
                  "tilt_deg", "azimuth_deg", "usable_m2", "capacity_kwp", "specific_yield_kwh_per_kwp",
                  "energy_mwh_per_yr")
#: Columns of the summary per sub-district.
SUMMARY_COLUMNS = ("subdistrict", "footprints", "usable_km2", "capacity_mw", "energy_mwh_per_yr",
                   "specific_yield_kwh_per_kwp")
OUTSIDE = "(outside the sub-districts)"
_GROUP = ["cell", "archetype", "tilt_deg", "azimuth_deg"]


@dataclass
class RooftopInputs:
    """What every task needs besides its partition (shared once through the scheduler).

    Attributes
    ----------
    archetypes : dict
        Resolved PV archetypes (:func:`binhai_geo.solar.archetypes.load_archetypes`).
    fractions : pandas.DataFrame
        Usable-roof fractions by building class.
    flat, pitched : str
        Archetype ids of flat and pitched roofs.
    weather : str
        ``"default"`` or a weather file path.
    weather_year, weather_seed : int
        The default stand-in year's label and seed.
    cell_deg : float
        Default-weather cell size [deg].
    subdistricts : geopandas.GeoDataFrame or None
        Sub-district polygons (``name``), any CRS.
    layer : str or None
        Layer to read when the source is one multi-layer file.
    """

    archetypes: dict
    fractions: pd.DataFrame
    flat: str = "rooftop_flat"
    pitched: str = "rooftop_pitched"
    weather: str = "default"
    weather_year: int = 2025
    weather_seed: int = 2025
    cell_deg: float = 0.25
    subdistricts: gpd.GeoDataFrame | None = None
    layer: str | None = None
    _weather_set: object = field(default=None, repr=False)

    def weather_set(self) -> object:
        """Return the weather file's :class:`~binhai_geo.solar.iotools.WeatherSet` (``None``: default year)."""
        if self.weather == "default":
            return None
        if self._weather_set is None:
            from binhai_geo.solar.iotools import read_weather

            self._weather_set = read_weather(self.weather)
        return self._weather_set


def _read(source: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read one partition (or a whole layer) and validate it as the ``rooftop`` kind."""
    from binhai_geo.io import read_layer
    from binhai_geo.layermodel import get_kind
    from binhai_geo.validate import validate_layer

    gdf = read_layer(source, None if source.suffix == ".parquet" else layer, prefer="rooftop")
    if "footprint_id" in gdf.columns:
        gdf = gdf.set_index("footprint_id", drop=True)
    clean, _ = validate_layer(gdf, get_kind("rooftop"))
    clean.index.name = "footprint_id"
    return clean


def _systems(roofs: gpd.GeoDataFrame, inp: RooftopInputs, centroids: gpd.GeoSeries) -> pd.DataFrame:
    """Roof systems of ``roofs`` with their weather cell key (``centroids``: the footprints' centroids)."""
    from binhai_geo.solar.rooftops import rooftop_systems
    from binhai_geo.solar.weather import cell_centres

    sys_ = rooftop_systems(roofs, inp.archetypes, inp.fractions, flat=inp.flat, pitched=inp.pitched)
    pts = centroids.to_crs("EPSG:4326")
    lat, lon = pts.y.to_numpy(), pts.x.to_numpy()
    ws = inp.weather_set()
    if ws is None:
        clat, clon = cell_centres(lat, lon, inp.cell_deg)
        sys_["cell"] = [f"{a:.6f},{b:.6f}" for a, b in zip(np.round(clat, 6), np.round(clon, 6), strict=True)]
    else:
        idx, _ = ws.nearest(lat, lon)
        sys_["cell"] = idx.astype(str)
    return sys_


def _groups_task(source: Path, inp: RooftopInputs) -> pd.DataFrame:
    roofs = _read(source, inp.layer)
    sys_ = _systems(roofs, inp, roofs.geometry.centroid)
    return sys_[_GROUP].drop_duplicates()


def _yield_task(cell: str, groups: pd.DataFrame, inp: RooftopInputs) -> pd.DataFrame:
    """Specific yield [kWh/kWp] of each group of one weather cell."""
    from binhai_geo.solar.batch import simulate
    from binhai_geo.solar.iotools import WeatherCell, WeatherSet
    from binhai_geo.solar.weather import default_weather, load_normals, load_weather_defaults

    ws = inp.weather_set()
    if ws is None:
        la, lo = (float(v) for v in cell.split(","))
        params = load_weather_defaults()
        df = default_weather(la, lo, year=inp.weather_year, seed=inp.weather_seed, normals=load_normals(),
                             params=params)
        one = WeatherSet([WeatherCell(cell, la, lo, params["station_altitude_m"],
                                      df[["ghi", "dni", "dhi", "temp_air", "wind_speed"]])], "default", stand_in=True)
    else:
        one = WeatherSet([ws.cells[int(cell)]], ws.source)
    res = simulate(inp.archetypes, one, cell=np.zeros(len(groups), dtype=int), archetype=groups["archetype"],
                   tilt_deg=groups["tilt_deg"], azimuth_deg=groups["azimuth_deg"],
                   capacity_kwp=np.ones(len(groups)))
    return groups.assign(specific_yield_kwh_per_kwp=res.specific_yield_kwh_per_kwp)


def _energy_task(source: Path, part: int, inp: RooftopInputs, yields: pd.DataFrame,
                 out_dir: Path | None) -> pd.DataFrame:
    """Energy of every building of one partition; write it; return integer sums per sub-district."""
    roofs = _read(source, inp.layer)
    centroids = roofs.geometry.centroid
    sys_ = _systems(roofs, inp, centroids)
    merged = sys_.reset_index().merge(yields, on=_GROUP, how="left", validate="many_to_one")
    sy = merged["specific_yield_kwh_per_kwp"].to_numpy()
    kwp = merged["capacity_kwp"].to_numpy()
    if inp.subdistricts is not None and len(inp.subdistricts):
        pts = gpd.GeoDataFrame(geometry=centroids.to_numpy(), crs=roofs.crs)
        hit = gpd.sjoin(pts, inp.subdistricts[["name", "geometry"]].to_crs(roofs.crs), how="left",
                        predicate="within")
        hit = hit[~hit.index.duplicated(keep="first")]
        sub = hit["name"].fillna(OUTSIDE).to_numpy(dtype=object)
    else:
        sub = np.full(len(roofs), OUTSIDE, dtype=object)
    energy_mwh = kwp * sy / 1000.0
    result = gpd.GeoDataFrame({
        "footprint_id": roofs.index.to_numpy(), "subdistrict": sub,
        "building_class": roofs["building_class"].to_numpy(), "new_build": roofs["new_build"].to_numpy(),
        "roof_type": roofs["roof_type"].to_numpy(), "archetype": merged["archetype"].to_numpy(),
        "tilt_deg": merged["tilt_deg"].to_numpy(), "azimuth_deg": merged["azimuth_deg"].to_numpy(),
        "usable_m2": merged["usable_m2"].to_numpy(), "capacity_kwp": kwp, "specific_yield_kwh_per_kwp": sy,
        "energy_mwh_per_yr": energy_mwh,
    }, geometry=roofs.geometry.to_numpy(), crs=roofs.crs)
    if out_dir is not None:
        result.to_parquet(out_dir / f"part-{part:05d}.parquet", index=False)
    ints = pd.DataFrame({
        "subdistrict": sub,
        "footprints": np.ones(len(sub), dtype=np.int64),
        "usable_cm2": np.rint(merged["usable_m2"].to_numpy() * 1e4).astype(np.int64),
        "capacity_w": np.rint(kwp * 1e3).astype(np.int64),
        "energy_wh": np.rint(energy_mwh * 1e6).astype(np.int64),
    })
    return ints.groupby("subdistrict", sort=True).sum()


@dataclass
class RooftopRun:
    """The result of :func:`run_rooftops`.

    Attributes
    ----------
    summary : pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, one row per sub-district plus a ``total`` row.
    out_dir : pathlib.Path or None
        The folder of per-building result partitions (None: not written).
    partitions : int
        Number of input partitions.
    footprints : int
        Buildings processed.
    groups : int
        Simulated (cell, archetype, orientation) groups.
    """

    summary: pd.DataFrame
    out_dir: Path | None
    partitions: int
    footprints: int
    groups: int


def _sources(src: Path) -> list[Path]:
    """Return the partitions of a folder (checked alike), or the one file given."""
    if src.is_dir():
        return check_partitions(src)
    if not src.exists():
        raise LayerError("file not found", file=str(src), hint="check the path")
    return [src]


def run_rooftops(
    src: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None,
    inputs: RooftopInputs,
    *,
    executor: Executor | None = None,
    on_done: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> RooftopRun:
    """Footprints -> usable area -> kWp -> MWh for every building, one dask task per partition.

    Parameters
    ----------
    src : path-like
        A folder of GeoParquet partitions (``binhai-geo partition``) or one vector file (single machine).
    out_dir : path-like or None
        Folder for the per-building results and the summary CSV (replaced as a whole only when the run
        succeeds); None: return the summary only.
    inputs : RooftopInputs
        Archetypes, fractions, weather and sub-districts.
    executor : Executor, optional
        Where the tasks run (default: in order on this thread).
    on_done : callable
        Progress: called with (stage, tasks done, tasks in the stage).

    Returns
    -------
    RooftopRun
    """
    import dask

    executor = executor or Executor("sync")
    sources = _sources(Path(src))
    shared = dask.delayed(inputs, traverse=False)
    tasks = [dask.delayed(_groups_task)(s, shared) for s in sources]
    found = executor.compute(tasks, lambda n: on_done("roofs", n, len(tasks)))
    groups = pd.concat(found, ignore_index=True).drop_duplicates().sort_values(_GROUP, ignore_index=True)
    cells = sorted(groups["cell"].unique())
    ytasks = [dask.delayed(_yield_task)(c, groups[groups["cell"] == c].reset_index(drop=True), shared) for c in cells]
    yields = executor.compute(ytasks, lambda n: on_done("weather cells", n, len(ytasks)))
    table = pd.concat(yields, ignore_index=True) if yields else groups.assign(specific_yield_kwh_per_kwp=np.nan)
    table_d = dask.delayed(table, traverse=False)

    def energy(tmp: Path | None) -> pd.DataFrame:
        etasks = [dask.delayed(_energy_task)(s, i, shared, table_d, tmp) for i, s in enumerate(sources)]
        return _summary(executor.compute(etasks, lambda n: on_done("energy", n, len(etasks))))

    if out_dir is None:
        summary = energy(None)
    else:
        with atomic_dir(out_dir) as tmp:
            summary = energy(tmp)
            summary.to_csv(tmp / "summary_by_subdistrict.csv", index=False, encoding="utf-8-sig",
                           lineterminator="\n")
    total = int(summary.loc[summary["subdistrict"] == "total", "footprints"].iloc[0])
    return RooftopRun(summary, Path(out_dir) if out_dir is not None else None, len(sources), total, len(table))


def _summary(sums: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Add the partitions' integer sums; convert to km2, MW and MWh once at the end."""
    ints = pd.concat(sums).groupby(level=0, sort=True).sum() if sums else pd.DataFrame(
        columns=["footprints", "usable_cm2", "capacity_w", "energy_wh"], dtype=np.int64)
    ints.loc["total"] = ints.sum()
    out = pd.DataFrame({
        "subdistrict": ints.index.to_numpy(),
        "footprints": ints["footprints"].to_numpy(dtype=np.int64),
        "usable_km2": ints["usable_cm2"].to_numpy() / 1e10,
        "capacity_mw": ints["capacity_w"].to_numpy() / 1e6,
        "energy_mwh_per_yr": ints["energy_wh"].to_numpy() / 1e6,
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out["specific_yield_kwh_per_kwp"] = out["energy_mwh_per_yr"] / out["capacity_mw"]  # MWh/MW = kWh/kWp
    return out[list(SUMMARY_COLUMNS)]
