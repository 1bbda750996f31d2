"""The WGS84 <-> GCJ-02 transform (binhai_geo.gcj02): round trip, the offset near Binhai, published values.

Used by the region-pack build (AMap boundary) and by the AMap atlas (data shifted into GCJ-02).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from binhai_geo import gcj02


def test_gcj02_round_trip_is_below_one_metre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(116.8, 118.4, 2000)
    lat = rng.uniform(38.3, 39.7, 2000)
    g_lon, g_lat = gcj02.wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02.gcj02_to_wgs84(g_lon, g_lat)
    err_m = np.hypot((w_lon - lon) * 111_320 * np.cos(np.radians(lat)), (w_lat - lat) * 110_574)
    assert err_m.max() < 1.0
    assert err_m.max() < 1e-3  # the iteration converges far below a millimetre


def test_gcj02_shift_near_binhai_is_500_to_600_m_east_north_east():
    lon, lat = np.meshgrid(np.linspace(117.2, 118.0, 9), np.linspace(38.6, 39.3, 8))
    east, north = gcj02.offset_m(lon.ravel(), lat.ravel())
    dist = np.hypot(east, north)
    assert (dist > 500).all() and (dist < 600).all()
    bearing = np.degrees(np.arctan2(east, north))
    assert ((bearing > 45) & (bearing < 90)).all()  # east-north-east
    g_lon, g_lat = gcj02.wgs84_to_gcj02(117.7, 39.0)
    assert g_lon > 117.7 and g_lat > 39.0


@pytest.mark.parametrize(
    ("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"),
    [
        # published test vectors of the common GCJ-02 implementations (eviltransform et al.)
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (39.891082, 116.396135, 39.89248436758296, 116.40237600938156),
    ],
)
def test_gcj02_matches_published_values(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    g_lon, g_lat = gcj02.wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert g_lon == pytest.approx(gcj_lon, abs=1e-8) and g_lat == pytest.approx(gcj_lat, abs=1e-8)
    w_lon, w_lat = gcj02.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert w_lon == pytest.approx(wgs_lon, abs=1e-8) and w_lat == pytest.approx(wgs_lat, abs=1e-8)



def test_geometries_to_gcj02_moves_every_vertex_and_keeps_the_shape():
    geoms = [Point(117.7, 39.0), LineString([(117.5, 38.8), (117.9, 39.2)]),
             Polygon([(117.6, 38.9), (117.7, 38.9), (117.7, 39.0), (117.6, 38.9)]), None]
    out = gcj02.geometries_to_gcj02(geoms)
    assert out[3] is None
    assert list(shapely.get_type_id(out[:3])) == list(shapely.get_type_id(geoms[:3]))
    for before, after in zip(geoms[:3], out[:3], strict=True):
        b = shapely.get_coordinates(before)
        a = shapely.get_coordinates(after)
        g_lon, g_lat = gcj02.wgs84_to_gcj02(b[:, 0], b[:, 1])
        assert np.allclose(a, np.column_stack([g_lon, g_lat]), atol=1e-12)
    back = shapely.transform(out[:3], lambda c: np.column_stack(gcj02.gcj02_to_wgs84(c[:, 0], c[:, 1])))
    for before, again in zip(geoms[:3], back, strict=True):
        assert shapely.equals_exact(before, again, tolerance=1e-8)  # about 1 mm
