"""The accounting step of a plan run: the ledger, official denominators, indicative marks, the data status.

Called by the runner between the engine steps and the target check:

- :func:`ledger_step`: the ledger's records (the ``project`` layer, with a workflow's ``[registry] files``
  over them, see :func:`binhai_geo.accounting.records.merge_records`), and its tables for the target year;
- :func:`official_indicators`: forest cover, protected share and natural shoreline re-expressed over the
  region's official denominators (``[denominators]`` of ``region.toml``), the OSM-based figure kept in the
  basis; ``forest_cover_2030`` required to reach at least the computed 2025 value, as the plan words it;
- :func:`mark_indicative`: a figure resting on a sample layer or on OpenStreetMap is ``indicative``;
- :func:`data_status`: what the verdicts rest on, as a table deliverables show first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from binhai_geo.accounting.conformance import assign_subdistrict
from binhai_geo.accounting.ledger import category, ledger_summary
from binhai_geo.accounting.projects import ledger_records
from binhai_geo.accounting.records import merge_records
from binhai_geo.config import DenominatorSpec, Workflow
from binhai_geo.errors import MultipleErrors
from binhai_geo.indicator import Indicator
from binhai_geo.registry import RegistryError, clip_to_district, load_tables, read_registry
from binhai_geo.sinks.coverage import land_geometry, mainland_shoreline

#: The layers each coverage indicator rests on (for the ``indicative`` mark).
TARGET_LAYERS = {"forest_cover": ("forest",), "forest_cover_2030": ("forest",),
                 "protected_area_share": ("protected_area",), "natural_shoreline": ("coastline",),
                 "rooftop_pv_new_buildings": ("rooftop",)}
LEDGER_TABLE_COLUMNS = ("record_id", "name", "name_zh", "technology", "capacity_mw", "status", "category",
                        "start_year", "retired_year", "owner", "subdistrict", "plan_project", "dataset", "registry",
                        "as_of",
                        "location_accuracy", "source", "lon", "lat")


def _district(layers: Mapping[str, gpd.GeoDataFrame]) -> shapely.Geometry | None:
    b = layers.get("boundary")
    return None if b is None or len(b) == 0 else shapely.union_all(b.geometry.to_numpy())


def read_user_records(files: Sequence[Path], layers: Mapping[str, gpd.GeoDataFrame], crs: object, *,
                      as_of: str | None = None, clip: bool = False) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read a planner's registry files and keep the records in the district.

    Raises
    ------
    RegistryError, MultipleErrors
        Bad records (see :func:`binhai_geo.registry.read_registry`); records outside the district when
        ``clip`` is false (each named, with its distance).
    """
    tables = load_tables()
    district = _district(layers)
    frames, outside = [], []
    for f in files:
        rec = read_registry(f, as_of=as_of, tables=tables)
        if district is None:
            frames.append(rec.to_crs(crs))
            continue
        inside, out = clip_to_district(rec, district, crs, tables.default("district_buffer"))
        if len(out) and not clip:
            raise MultipleErrors([RegistryError(
                f"record '{r.record_id}' ({r.technology}, {r.capacity_mw:g} MW) lies {r.distance_km:g} km outside "
                f"the district (more than {tables.default('district_buffer') / 1000:g} km from its boundary)",
                file=str(f), feature=f"record {r.record_id}", field="geometry",
                hint="check its coordinates (latitude/longitude swapped? GCJ-02?), or drop records outside "
                     "with --clip / [registry] clip = true") for r in out.itertuples()])
        frames.append(inside)
        outside.append(out.assign(file=Path(f).name))
    user = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame()
    report = pd.concat(outside, ignore_index=True) if outside else pd.DataFrame()
    return gpd.GeoDataFrame(user, geometry="geometry", crs=crs), report


#: Ledger categories whose wind farms stand in the target year, so they wake the new zones.
WAKE_CATEGORIES = ("installed", "committed")


def wake_neighbours(records: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return the ledger's wind records in :data:`WAKE_CATEGORIES`, for the wind step's wake run (or None).

    Returns
    -------
    GeoDataFrame or None
        Points (analysis CRS) with ``record_id``, ``name``, ``capacity_mw``, ``category``, ``surface`` and,
        where the records carry them, ``owner`` and ``subdistrict`` (labels of the farms in the atlas).
    """
    if records is None or "category" not in records.columns:
        return None
    sel = records[(records["technology"] == "wind") & records["category"].isin(WAKE_CATEGORIES)]
    if sel.empty:
        return None
    cols = [c for c in ("record_id", "name", "capacity_mw", "category", "surface", "owner", "subdistrict")
            if c in sel.columns]
    return sel[[*cols, "geometry"]].reset_index(drop=True)


def ledger_step(workflow: Workflow, layers: Mapping[str, gpd.GeoDataFrame], year: int
                ) -> tuple[gpd.GeoDataFrame | None, dict[str, pd.DataFrame], list[Path]]:
    """Return the ledger's records for a run and its tables for target year ``year``.

    Returns
    -------
    (GeoDataFrame or None, dict, list)
        Records (analysis CRS, with ``subdistrict`` and ``category``); tables ``capacity_ledger``,
        ``ledger_summary`` and, with ``[registry] files``, ``registry_used`` (which records were used) and
        ``registry_outside`` (records dropped as outside the district); the files read.
    """
    records = ledger_records(layers)
    tables: dict[str, pd.DataFrame] = {}
    spec = workflow.spec.registry
    files = [workflow.resolve(f) for f in spec.files]
    if files:
        crs = records.crs if records is not None else workflow.region.analysis_crs
        user, outside = read_user_records(files, layers, crs, as_of=spec.as_of, clip=spec.clip)
        base = records if records is not None else user.iloc[:0]
        merged, used = merge_records(base, user)
        merged["subdistrict"] = assign_subdistrict(merged.geometry.to_numpy(), layers.get("subdistrict"))
        records = merged
        tables["registry_used"] = used
        if len(outside):
            tables["registry_outside"] = outside
    if records is None:
        return None, tables, files
    records = records.copy()
    records["category"] = category(records, year)
    ll = records.geometry.to_crs(4326)
    table = pd.DataFrame(records.drop(columns="geometry"))
    table["lon"], table["lat"] = ll.x.round(5).to_numpy(), ll.y.round(5).to_numpy()
    table["registry"] = table["dataset"]  # the column the deliverables' data status reads
    tables["capacity_ledger"] = table[[c for c in LEDGER_TABLE_COLUMNS if c in table.columns]].sort_values(
        ["technology", "category", "record_id"], kind="stable").reset_index(drop=True)
    tables["ledger_summary"] = ledger_summary(records, records["category"], year)
    return records, tables, files


def official_indicators(indicators: Sequence[Indicator], layers: Mapping[str, gpd.GeoDataFrame],
                        den: DenominatorSpec) -> list[Indicator]:
    """Re-express coverage indicators over the official denominators (rules in the module docstring)."""
    out = list(indicators)
    land = land_geometry(layers)
    osm_km2 = None if land is None or land.is_empty else land.area / 1e6
    by_id = {i.target_id: k for k, i in enumerate(out)}
    if den.land_area_km2 and osm_km2:
        for tid in ("forest_cover", "forest_cover_2030", "protected_area_share"):
            if tid in by_id:
                ind = out[by_id[tid]]
                pct = ind.value * osm_km2 / den.land_area_km2
                out[by_id[tid]] = dataclasses.replace(
                    ind, value=pct, basis=f"over the official land area {den.land_area_km2:,.0f} km2 "
                    f"({den.land_area_source.split(':')[0]}); {ind.basis}; secondary: {ind.value:.2f}% of the "
                    f"OSM-derived land area {osm_km2:,.1f} km2")
    if "forest_cover_2030" in by_id and "forest_cover" in by_id:
        base = out[by_id["forest_cover"]].value
        ind = out[by_id["forest_cover_2030"]]
        out[by_id["forest_cover_2030"]] = dataclasses.replace(
            ind, required=base, basis=f"required: at least the computed 2025 value {base:.2f}% (森林覆盖率保持基本"
            f"稳定，力争有所增长); {ind.basis}")
    shore = mainland_shoreline(layers, den.mainland_coast_closing_m) if den.mainland_coastline_km else None
    if shore is not None:
        pct = 100.0 * shore["natural_km"] / den.mainland_coastline_km
        osm = 100.0 * shore["osm_natural_km"] / shore["osm_km"] if shore["osm_km"] else float("nan")
        basis = (f"{shore['natural_km']:.1f} km natural on a line following the mainland coast ({shore['line_km']:.1f} "
                 f"km long: land closed by {den.mainland_coast_closing_m:,.0f} m, port basins filled; natural flag of "
                 f"the nearest OSM coastline segment) over the official mainland coastline "
                 f"{den.mainland_coastline_km:.2f} km ({den.mainland_coastline_source.split('(')[0].strip()}); "
                 f"secondary: {shore['osm_natural_km']:.1f} km natural of {shore['osm_km']:.1f} km OSM coastline "
                 f"(every basin and quay) = {osm:.1f}%")
        ind = Indicator("natural_shoreline", pct, "percent", basis)
        if "natural_shoreline" in by_id:
            out[by_id["natural_shoreline"]] = ind
        else:
            out.append(ind)
    return out


def _layer_origin(gdf: gpd.GeoDataFrame | None) -> str | None:
    """``sample`` (illustrative or synthetic), ``OpenStreetMap`` or None (the planner's own data)."""
    if gdf is None or len(gdf) == 0 or "source" not in gdf.columns:
        return None
    src = gdf["source"].fillna("").astype(str).str.lower()
    if src.str.startswith(("illustrative", "synthetic")).all():
        return "sample"
    if src.str.contains("openstreetmap").all():
        return "OpenStreetMap"
    return None


def mark_indicative(indicators: Sequence[Indicator], layers: Mapping[str, gpd.GeoDataFrame]) -> list[Indicator]:
    """Mark a figure ``indicative`` when every layer it rests on is a sample layer or OpenStreetMap."""
    out = []
    for ind in indicators:
        origins = [(k, _layer_origin(layers.get(k))) for k in TARGET_LAYERS.get(ind.target_id, ())]
        bad = [(k, o) for k, o in origins if o is not None]
        if bad and not ind.indicative:
            why = "; ".join(f"the '{k}' layer is " + ("a sample (illustrative placements, not survey data)"
                                                       if o == "sample" else "OpenStreetMap (natural flag by the "
                                                       "pack's rule, not a shoreline survey)") for k, o in bad)
            ind = dataclasses.replace(ind, indicative=why, data=ind.data or ", ".join(f"{k}: {o}" for k, o in bad))
        out.append(ind)
    return out


def data_status(workflow: Workflow, layers: Mapping[str, gpd.GeoDataFrame], tables: Mapping[str, pd.DataFrame]
                ) -> pd.DataFrame:
    """Return what the verdicts rest on: one row per item (``item, item_zh, status, detail``)."""
    rows = []
    led = tables.get("capacity_ledger")
    if led is not None and len(led):
        ds = led.groupby("dataset")["record_id"].size()
        rows.append(("registry", "装机登记", "real data, partial coverage",
                     "; ".join(f"{d}: {n} records" for d, n in ds.items())
                     + ". GEM tracks phases >= 1 MW (distributed PV mostly absent); GPPD data end about 2019"))
    else:
        rows.append(("registry", "装机登记", "none", "no project layer: capacity targets not computed"))
    used = tables.get("registry_used")
    if used is not None:
        mine = used.loc[used["action"].str.startswith("used"), "dataset"]
        rows.append(("planner's records", "用户登记", "used", "; ".join(sorted(set(mine)))))
    samples = sorted(k for k, g in layers.items() if _layer_origin(g) == "sample")
    osm = sorted(k for k, g in layers.items() if _layer_origin(g) == "OpenStreetMap")
    if samples:
        rows.append(("sample layers", "示例图层", "illustrative", ", ".join(samples)))
    if osm:
        rows.append(("OpenStreetMap layers", "开放街图图层", "real, not survey", ", ".join(osm)))
    sol, wind = workflow.spec.solar.weather, workflow.spec.wind.resource
    rows.append(("PV weather", "光伏气象", "stand-in" if sol == "default" else "measured/modelled file",
                 "stand-in year from Tanggu climate normals" if sol == "default" else sol))
    rows.append(("wind resource", "风资源", "assumption" if wind == "default" else "file",
                 "labelled regional default (assumption)" if wind == "default" else wind))
    den = workflow.region.denominators
    if den.land_area_km2:
        rows.append(("land area", "陆域面积", "official", f"{den.land_area_km2:,.0f} km2 ({den.land_area_source})"))
    if den.mainland_coastline_km:
        rows.append(("mainland coastline", "大陆岸线", "official",
                     f"{den.mainland_coastline_km:.2f} km ({den.mainland_coastline_source})"))
    return pd.DataFrame(rows, columns=["item", "item_zh", "status", "detail"])


__all__ = ["data_status", "ledger_step", "mark_indicative", "official_indicators",
           "read_user_records"]
