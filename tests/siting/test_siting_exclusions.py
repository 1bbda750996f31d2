"""The exclusion container: buffers, reasons, rasters, minimum area, memory, and vector/raster agreement."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from binhai_geo.errors import LayerError, WorkflowError
from binhai_geo.siting.exclusions import AGREEMENT_TOLERANCE, BUFFER_TOLERANCE_M, ExclusionContainer
from binhai_geo.siting.reasongrid import BELOW_MIN_AREA, OUTSIDE

X0, Y0 = 39_560_000.0, 4_320_000.0
CRS = "EPSG:4527"


def _gdf(geoms: list, **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def _segment_m2(r: float, d: float) -> float:
    """Area of the circular segment of radius r cut by a chord at distance d from the centre."""
    return r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)


def test_buffer_of_a_feature_outside_reaches_in_and_reasons_first_wins() -> None:
    site = box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 2000)  # 2 km2
    c = ExclusionContainer(CRS, 10.0)
    # point 100 m west of the area of interest's frame: only its 1,200 m buffer reaches the site
    c.add_geometry(_gdf([Point(X0 - 100, Y0 + 1500)], buffer_m=[1200.0]), "buffer_m", reason="pipeline", reason_zh="管道")
    c.add_geometry(_gdf([box(X0 + 2500, Y0 + 1000, X0 + 3500, Y0 + 2000)]), 0.0, reason="residential")
    c.add_geometry(_gdf([box(X0 + 2000, Y0 + 1000, X0 + 4000, Y0 + 2000)]), 0.0, reason="later rule")
    res = c.vector(site)
    seg = _segment_m2(1200.0, 1100.0)
    by = dict(res.parts)
    arc_m = 2 * 1200.0 * math.acos(1100.0 / 1200.0)
    assert abs(by[1].area - seg) <= BUFFER_TOLERANCE_M * arc_m  # polygonal buffer within 1 m of the circle
    assert by[2].area == pytest.approx(0.5e6)  # residential takes its half km2 first
    assert by[3].area == pytest.approx(0.5e6)  # the later rule gets only what is left
    assert res.eligible.area == pytest.approx(1.0e6 - by[1].area)


def test_vector_and_raster_modes_agree_within_the_stated_tolerance() -> None:
    site = box(X0 + 1000, Y0 + 1000, X0 + 4000, Y0 + 3000)
    c = ExclusionContainer(CRS, 10.0)
    c.add_geometry(_gdf([Point(X0 + 1500, Y0 + 2500), Point(X0 + 3300, Y0 + 1400)]), 333.0, reason="points")
    c.add_geometry(_gdf([LineString([(X0, Y0 + 1800), (X0 + 5000, Y0 + 2100)])]), 120.0, reason="lane")
    c.add_geometry(_gdf([box(X0 + 3600, Y0 + 2600, X0 + 4500, Y0 + 3500)]), 0.0, reason="reserve")
    vec = c.vector(site, min_area_m2=50_000.0)
    grid = c.rasterize(site.bounds, within=site, min_area_m2=50_000.0)
    raster_km2 = grid.eligible_km2()
    boundary_m = vec.eligible.boundary.length
    tol_km2 = AGREEMENT_TOLERANCE * 10.0 * boundary_m / 1e6
    assert abs(raster_km2 - vec.eligible.area / 1e6) <= tol_km2
    # per reason too
    areas = grid.area_by_reason().set_index("code")["area_km2"]
    for code, part in vec.parts:
        assert abs(areas.get(code, 0.0) - part.area / 1e6) <= AGREEMENT_TOLERANCE * 10.0 * part.boundary.length / 1e6
    assert OUTSIDE not in areas.index


def test_minimum_contiguous_area_in_both_modes() -> None:
    site = box(X0, Y0, X0 + 2000, Y0 + 1000)
    c = ExclusionContainer(CRS, 10.0)
    # a wall 100 m wide leaves 0.2 km2 west of it and 1.7 km2 east
    c.add_geometry(_gdf([box(X0 + 200, Y0 - 10, X0 + 300, Y0 + 1010)]), 0.0, reason="wall")
    vec = c.vector(site, min_area_m2=300_000.0)
    assert vec.eligible.area == pytest.approx(1.7e6)
    assert dict(vec.parts)[BELOW_MIN_AREA].area == pytest.approx(0.2e6)
    grid = c.rasterize(site.bounds, within=site, min_area_m2=300_000.0)
    assert grid.eligible_km2() == pytest.approx(1.7)
    assert np.count_nonzero(grid.code == BELOW_MIN_AREA) * 100 == pytest.approx(0.2e6)


def test_invert_keeps_only_inside() -> None:
    site = box(X0, Y0, X0 + 1000, Y0 + 1000)
    c = ExclusionContainer(CRS, 10.0)
    c.add_geometry(_gdf([box(X0, Y0, X0 + 400, Y0 + 1000)]), 0.0, invert=True, reason="outside the zone")
    assert c.vector(site).eligible.area == pytest.approx(0.4e6)
    assert c.rasterize(site.bounds, within=site).eligible_km2() == pytest.approx(0.4)


def test_geographic_crs_is_refused() -> None:
    with pytest.raises(WorkflowError, match="geographic") as info:
        ExclusionContainer("EPSG:4490", 10.0)
    assert "reproject" in str(info.value)


def test_layer_in_another_crs_is_reprojected_and_one_without_crs_refused() -> None:
    site = box(X0, Y0, X0 + 1000, Y0 + 1000)
    g = _gdf([box(X0, Y0, X0 + 500, Y0 + 1000)]).to_crs("EPSG:4326")
    c = ExclusionContainer(CRS, 10.0)
    c.add_geometry(g, 0.0, reason="west half")
    assert c.vector(site).eligible.area == pytest.approx(0.5e6, rel=1e-4)
    with pytest.raises(LayerError, match="no CRS"):
        c.add_geometry(gpd.GeoDataFrame(geometry=[site]), 0.0, reason="x")


def test_negative_feature_buffer_names_the_feature() -> None:
    c = ExclusionContainer(CRS, 10.0)
    with pytest.raises(LayerError) as info:
        c.add_geometry(_gdf([Point(X0, Y0), Point(X0 + 1, Y0)], buffer_m=[10.0, -5.0]), "buffer_m", reason="x",
                       name="exclusion")
    assert info.value.feature == 1 and info.value.field == "buffer_m"


def test_too_fine_resolution_is_refused_with_the_estimate_and_a_suggestion() -> None:
    c = ExclusionContainer(CRS, 1.0, max_memory_gb=0.5)
    c.add_geometry(_gdf([Point(X0, Y0)]), 10.0, reason="x")
    with pytest.raises(WorkflowError) as info:
        c.rasterize((X0, Y0, X0 + 80_000, Y0 + 90_000))
    msg = str(info.value)
    assert "7,200 million" in msg and "GB" in msg and "resolution_m = " in msg
    # the suggestion fits
    suggested = float(msg.split("resolution_m = ")[1].split()[0])
    c2 = ExclusionContainer(CRS, suggested, max_memory_gb=0.5)
    c2.check_memory(c2.grid((X0, Y0, X0 + 80_000, Y0 + 90_000))[1])


def _worldcover(path: Path, values: np.ndarray) -> Path:
    """A WorldCover-like GeoTIFF in EPSG:4326 over the test square (0.0001 deg cells)."""
    lon, lat = shapely.get_coordinates(gpd.GeoSeries([Point(X0 - 200, Y0 + 1200)], crs=CRS).to_crs(4326))[0]
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="uint8", crs="EPSG:4326", transform=from_origin(lon, lat, 1e-4, 1e-4), nodata=0) as dst:
        dst.write(values, 1)
    return path


def test_class_raster_in_another_crs_with_buffer(tmp_path: Path) -> None:
    values = np.full((150, 150), 40, dtype=np.uint8)  # cropland
    values[:, 75:] = 90  # herbaceous wetland east half
    tif = _worldcover(tmp_path / "wc.tif", values)
    area = box(X0, Y0, X0 + 1000, Y0 + 1000)
    c = ExclusionContainer(CRS, 10.0)
    c.add_raster(tif, [90], classes="worldcover", reason="wetland")
    grid = c.rasterize(area.bounds, within=area)
    ex = np.count_nonzero(grid.code == 1)
    assert 0 < ex < grid.code.size
    c2 = ExclusionContainer(CRS, 10.0)
    c2.add_raster(tif, [90], classes="worldcover", buffer_m=100.0, reason="wetland +100 m")
    assert np.count_nonzero(c2.rasterize(area.bounds, within=area).code == 1) > ex
    # the vector mode polygonises the same cells
    assert c.vector(area).eligible.area / 1e6 == pytest.approx(grid.eligible_km2(), rel=0.02)


def test_unknown_class_codes_are_refused_and_listed(tmp_path: Path) -> None:
    values = np.full((150, 150), 40, dtype=np.uint8)
    values[0, 0] = 77
    tif = _worldcover(tmp_path / "wc.tif", values)
    c = ExclusionContainer(CRS, 10.0)
    with pytest.raises(LayerError, match=r"\[91, 96\] are not worldcover classes"):
        c.add_raster(tif, [90, 91, 96], classes="worldcover", reason="x")
    c.add_raster(tif, [40], classes="worldcover", reason="crops")
    area = box(X0 - 300, Y0 + 1000, X0 + 1000, Y0 + 1300)
    with pytest.raises(LayerError, match=r"\[77\]"):
        c.rasterize(area.bounds)
    c2 = ExclusionContainer(CRS, 10.0)
    c2.add_raster(tif, [77], classes="custom", reason="survey class 77")
    c2.rasterize(area.bounds)
