"""The `sinks` and `forest-cover` commands: good runs, bad input exits 2 with nothing written."""

from __future__ import annotations

import pandas as pd
import pyogrio
from typer.testing import CliRunner

from binhai_geo.cli import app
from binhai_geo.factors import packaged_table

from conftest import synthetic_layers

runner = CliRunner()


def _pack(tmp_path):
    p = tmp_path / "sinks.gpkg"
    for kind in ("boundary", "forest", "wetland", "protected_area"):
        pyogrio.write_dataframe(synthetic_layers()[kind], p, layer=kind, append=p.exists())
    return p


def test_sinks_good(tmp_path):
    p = _pack(tmp_path)
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["sinks", str(p), "--years", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out)
    assert sorted(t["year"].unique()) == [2025, 2026, 2027]
    reed = t[t["sink_class"] == "reed_marsh"]
    assert reed["tco2"].iloc[-1] == __import__("pytest").approx(3 * 80 * 44 / 12)
    assert {"tco2_per_yr_low", "tco2_per_yr_high", "tco2_low", "tco2_high"} <= set(t.columns)


def test_sinks_bad_factor_file(tmp_path):
    p = _pack(tmp_path)
    bad = tmp_path / "f.csv"
    bad.write_text(packaged_table("sink_factors.csv").read_text(encoding="utf-8")
                   .replace("reed_marsh,wetland,reed_marsh,芦苇沼泽,rate,1.0,0.2", "reed_marsh,wetland,reed_marsh,芦苇沼泽,rate,-1.0,-2"),
                   encoding="utf-8")
    before = bad.read_bytes()
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["sinks", str(p), "--years", "3", "--out", str(out), "--factors", str(bad)])
    assert r.exit_code == 2 and "negative" in r.output and not out.exists()
    assert bad.read_bytes() == before


def test_sinks_unknown_kind(tmp_path):
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["sinks", f"roads={tmp_path / 'x.gpkg'}", "--out", str(out)])
    assert r.exit_code == 2 and "not one of" in r.output and not out.exists()


def test_forest_cover_vector_and_change(tmp_path):
    p = _pack(tmp_path)
    out, ch = tmp_path / "f.csv", tmp_path / "ch.gpkg"
    r = runner.invoke(app, ["forest-cover", str(p), "--boundary", str(p), "--out", str(out), "--years",
                            "2019-2025", "--change", str(ch)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out).set_index("year")
    assert t.loc[2025, "forest_cover_pct"] == __import__("pytest").approx(1.0)
    assert ch.exists()


def test_forest_cover_unknown_code_exit_2(tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    from conftest import X0, Y0

    p = _pack(tmp_path)
    tif = tmp_path / "lc_2020.tif"
    a = np.full((100, 70), 77, dtype=np.uint8)
    with rasterio.open(tif, "w", driver="GTiff", width=70, height=100, count=1, dtype="uint8", crs="EPSG:4527",
                       transform=from_origin(X0, Y0 + 10000, 100, 100), nodata=0) as dst:
        dst.write(a, 1)
    out = tmp_path / "f.csv"
    r = runner.invoke(app, ["forest-cover", str(tif), "--boundary", str(p), "--out", str(out)])
    assert r.exit_code == 2 and "77" in r.output and not out.exists()


def _zoned_pack(tmp_path):
    """The synthetic pack plus a land layer reaching into the sea (the whole frame) and two zones."""
    import geopandas as gpd
    from shapely.geometry import box

    from conftest import X0, Y0

    p = _pack(tmp_path)
    frame = gpd.GeoDataFrame({"name": ["frame"]}, geometry=[box(X0, Y0, X0 + 14000, Y0 + 10000)], crs="EPSG:4527")
    pyogrio.write_dataframe(frame, p, layer="land", append=True)
    zones = gpd.GeoDataFrame({"name": ["South", "North"]}, crs="EPSG:4527",
                             geometry=[box(X0, Y0, X0 + 7000, Y0 + 5000), box(X0, Y0 + 5000, X0 + 7000, Y0 + 10000)])
    pyogrio.write_dataframe(zones, p, layer="subdistrict", append=True)
    land_only = tmp_path / "land.gpkg"
    pyogrio.write_dataframe(frame, land_only, layer="land")
    return p, land_only


def test_forest_cover_pack_boundary_is_clipped_land_and_matches_zones(tmp_path):
    import pytest

    p, _ = _zoned_pack(tmp_path)
    out = tmp_path / "f.csv"
    r = runner.invoke(app, ["forest-cover", str(p), "--boundary", str(p), "--zones", str(p), "--out", str(out),
                            "--years", "2024-2025"])
    assert r.exit_code == 0, r.output
    assert "warning" not in r.output
    t = pd.read_csv(out)
    y = t[t["year"] == 2025].set_index("subdistrict")
    # 0.7 km2 of counted forest over the 70 km2 district; the two zones add up to the district
    assert y.loc["district 全区", "forest_cover_pct"] == pytest.approx(1.0)
    assert y.drop("district 全区")["land_km2"].sum() == pytest.approx(y.loc["district 全区", "land_km2"])
    assert y.drop("district 全区")["forest_km2"].sum() == pytest.approx(y.loc["district 全区", "forest_km2"])


def test_forest_cover_warns_when_the_boundary_is_the_whole_frame(tmp_path):
    p, land_only = _zoned_pack(tmp_path)
    out = tmp_path / "f.csv"
    r = runner.invoke(app, ["forest-cover", str(p), "--boundary", str(land_only), "--zones", str(p), "--out",
                            str(out), "--years", "2024-2025"])
    assert r.exit_code == 0, r.output
    # 140 km2 frame, 70 km2 of zones: the district's 0.50% is not the sum of its sub-districts' figures
    assert "warning" in r.output and "70.0 km2 of the boundary's 140.0 km2" in r.output
    assert "0.50%" in r.output
