"""Partitioned inputs: conversion keeps every feature and its id; mismatched partitions are refused."""

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from binhai_geo.cluster.partitions import check_partitions, write_partitions
from binhai_geo.cluster.scheduler import ClusterError
from binhai_geo.errors import LayerError

from benchmarks.bench_layers import make_rooftops

OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="39.0" lon="117.7"/><node id="2" lat="39.0" lon="117.7005"/>
  <node id="3" lat="39.0004" lon="117.7005"/><node id="4" lat="39.0004" lon="117.7"/>
  <node id="5" lat="39.001" lon="117.7"/><node id="6" lat="39.001" lon="117.7005"/>
  <node id="7" lat="39.0014" lon="117.7005"/><node id="8" lat="39.0014" lon="117.7"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="building" v="yes"/></way>
  <way id="11"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/><tag k="landuse" v="grass"/></way>
</osm>
"""


@pytest.fixture
def roofs_gpkg(tmp_path):
    path = tmp_path / "roofs.gpkg"
    pyogrio.write_dataframe(make_rooftops(1200, seed=7), path, layer="rooftop")
    return path


def test_geopackage_to_hilbert_partitions_keeps_every_feature(tmp_path, roofs_gpkg):
    files = write_partitions(roofs_gpkg, tmp_path / "parts", rows_per_partition=400)
    assert [f.name for f in files] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    parts = [gpd.read_parquet(f) for f in files]
    allp = pd.concat(parts)
    assert sorted(allp["footprint_id"]) == list(range(1, 1201))  # GeoPackage FIDs kept
    assert all(p.crs.equals(parts[0].crs) for p in parts) and parts[0].crs.to_epsg() == 4527
    # spatially compact: each partition's bounding box is smaller than the whole extent
    whole = allp.total_bounds
    whole_area = (whole[2] - whole[0]) * (whole[3] - whole[1])
    for p in parts:
        b = p.total_bounds
        assert (b[2] - b[0]) * (b[3] - b[1]) < 0.8 * whole_area
    assert check_partitions(tmp_path / "parts") == files


def test_osm_buildings_are_converted_with_a_filter(tmp_path):
    src = tmp_path / "extract.osm"
    src.write_text(OSM, encoding="utf-8")
    files = write_partitions(src, tmp_path / "osm_parts", layer="multipolygons", where="building IS NOT NULL")
    got = gpd.read_parquet(files[0])
    assert len(got) == 1 and got["osm_way_id"].iloc[0] == "10" and got.crs.to_epsg() == 4326


def test_partition_with_another_crs_is_refused_by_name(tmp_path, roofs_gpkg):
    files = write_partitions(roofs_gpkg, tmp_path / "parts", rows_per_partition=400)
    gpd.read_parquet(files[1]).to_crs("EPSG:4326").to_parquet(files[1])
    with pytest.raises(ClusterError, match="CRS") as e:
        check_partitions(tmp_path / "parts")
    assert e.value.file == str(files[1])


def test_partition_with_other_columns_is_refused_by_name(tmp_path, roofs_gpkg):
    files = write_partitions(roofs_gpkg, tmp_path / "parts", rows_per_partition=400)
    gpd.read_parquet(files[2]).drop(columns="roof_type").to_parquet(files[2])
    with pytest.raises(ClusterError, match="roof_type") as e:
        check_partitions(tmp_path / "parts")
    assert e.value.file == str(files[2])


def test_empty_folder_and_missing_crs_are_clear_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LayerError, match="no .parquet partition"):
        check_partitions(tmp_path / "empty")
    g = make_rooftops(10).set_crs(None, allow_override=True)
    pyogrio.write_dataframe(g, tmp_path / "nocrs.gpkg", layer="rooftop")
    with pytest.raises(LayerError, match="no CRS"):
        write_partitions(tmp_path / "nocrs.gpkg", tmp_path / "out")
    assert not (tmp_path / "out").exists()
