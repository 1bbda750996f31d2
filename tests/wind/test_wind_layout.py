"""Layouts: rotated grids in polygons, rows along lines, exclusions, zero-turbine zones, bad geometry."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from binhai_geo.errors import LayerError
from binhai_geo.wind.layout import exclusion_geometry, grid_in_polygon, points_along_line, require_geometry, thin

from conftest import CRS, X0, Y0

SQUARE = box(X0, Y0, X0 + 4000, Y0 + 4000)


def _min_dist(xy):
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return d[~np.eye(len(xy), dtype=bool)].min()


def test_grid_rows_follow_the_prevailing_wind():
    # wind from the east (90 deg): rows run north-south, 700 m apart along x; 400 m apart within a row
    xy = grid_in_polygon(SQUARE, downwind_m=700, crosswind_m=400, direction_deg=90)
    assert len(xy) > 0 and shapely.contains_xy(SQUARE, xy[:, 0], xy[:, 1]).all()
    cols = np.unique(np.round(xy[:, 0], 6))
    assert np.allclose(np.diff(cols), 700)
    for c in cols:
        ys = np.sort(xy[np.isclose(xy[:, 0], c), 1])
        assert np.allclose(np.diff(ys), 400)
    # 4 km / 700 m -> at most 6 rows; 4 km / 400 m -> at most 10 per row inside the open square
    assert len(cols) <= 6 and len(xy) <= 6 * 10
    assert _min_dist(xy) == pytest.approx(400)


def test_grid_rotated_keeps_spacing():
    xy = grid_in_polygon(SQUARE, downwind_m=700, crosswind_m=400, direction_deg=150, setback_m=80)
    assert shapely.contains_xy(SQUARE.buffer(-80), xy[:, 0], xy[:, 1]).all()
    assert _min_dist(xy) >= 400 - 1e-6


def test_zone_too_small_gives_zero_not_error():
    tiny = box(X0, Y0, X0 + 100, Y0 + 100)
    assert grid_in_polygon(tiny, downwind_m=1148, crosswind_m=656, direction_deg=150, setback_m=82).shape == (0, 2)


def test_exclusions_with_buffer():
    ex = gpd.GeoDataFrame({"reason": ["pipeline"], "buffer_m": [1000.0]}, geometry=[Point(X0 + 2000, Y0 + 2000)],
                          crs=CRS)
    excluded = exclusion_geometry(ex)
    xy = grid_in_polygon(SQUARE, downwind_m=700, crosswind_m=400, direction_deg=0, excluded=excluded,
                         clearance_m=60)
    assert len(xy) > 0
    assert np.hypot(xy[:, 0] - X0 - 2000, xy[:, 1] - Y0 - 2000).min() >= 1060 - 1e-6
    # a point exclusion without buffer still keeps the rotor clear
    ex0 = ex.assign(buffer_m=np.nan)
    xy0 = grid_in_polygon(SQUARE, downwind_m=700, crosswind_m=400, direction_deg=0,
                          excluded=exclusion_geometry(ex0), clearance_m=60)
    assert np.hypot(xy0[:, 0] - X0 - 2000, xy0[:, 1] - Y0 - 2000).min() >= 60


def test_points_along_line_centred():
    line = LineString([(X0, Y0), (X0 + 3000, Y0)])
    xy = points_along_line(line, spacing_m=400)
    assert len(xy) == 8  # floor(3000 / 400) + 1
    assert np.allclose(np.diff(xy[:, 0]), 400) and xy[0, 0] - X0 == pytest.approx(100)
    assert len(points_along_line(LineString([(X0, Y0), (X0 + 100, Y0)]), spacing_m=400)) == 1
    ex = exclusion_geometry(gpd.GeoDataFrame({"buffer_m": [0.0]}, geometry=[box(X0, Y0 - 10, X0 + 1500, Y0 + 10)],
                                             crs=CRS))
    assert len(points_along_line(line, spacing_m=400, excluded=ex, clearance_m=0)) == 4


def test_thin_drops_close_points_of_later_zones():
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [1000.0, 0.0]])
    assert thin(xy, np.array([300.0, 300.0, 300.0])).tolist() == [True, False, True]


def test_lines_where_polygons_are_expected():
    lines = gpd.GeoDataFrame({"name": ["jetty"]}, geometry=[LineString([(X0, Y0), (X0 + 1000, Y0)])], crs=CRS)
    with pytest.raises(LayerError, match="where polygons"):
        require_geometry(lines, "polygon", layer="tidal_flat")
    with pytest.raises(LayerError, match="projected CRS"):
        require_geometry(lines.to_crs(4326), "line")
