"""Rooftops: usable area by building class, orientation from footprints, kWp, the rooftop target."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.affinity import rotate
from shapely.geometry import box

from binhai_geo.errors import LayerError
from binhai_geo.solar.archetypes import load_archetypes
from binhai_geo.solar.plan import rooftop_indicator
from binhai_geo.solar.rooftops import load_rooftop_fractions, roof_azimuth, rooftop_systems

from conftest import CRS, X0, Y0, synthetic_layers


def test_fractions_follow_the_nea_pilot():
    f = load_rooftop_fractions()["value"]
    assert f["public_institution"] == 0.40 and f["factory"] == 0.30 and f["commercial"] == 0.30
    assert f["residential"] == 0.20
    assert load_rooftop_fractions().loc["public_institution", "high"] == 0.50  # party and government buildings


def test_roof_azimuth_from_footprint():
    ew = box(0, 0, 40, 10)  # ridge east-west: the south slope faces 180
    assert roof_azimuth(np.array([ew]))[0] == 180
    turned = rotate(ew, 30, origin="centroid")  # counter-clockwise: the south slope turns to the east
    assert roof_azimuth(np.array([turned]))[0] == 150
    assert roof_azimuth(np.array([rotate(ew, -30, origin="centroid")]))[0] == 210
    assert roof_azimuth(np.array([rotate(ew, 33, origin="centroid")]), step_deg=5)[0] == 145
    # a square (hipped) roof: the plane facing nearest south
    assert roof_azimuth(np.array([box(0, 0, 10, 10)]))[0] == 180
    assert roof_azimuth(np.array([rotate(box(0, 0, 10, 10), 80, origin="centroid")]))[0] == 190
    assert roof_azimuth(np.array([rotate(box(0, 0, 20, 10), 80, origin="centroid")]))[0] == 100  # ridge N-S


def test_kwp_by_hand():
    archs = load_archetypes()
    roofs = synthetic_layers()["rooftop"]
    s = rooftop_systems(roofs, archs, load_rooftop_fractions())
    eff = 409.887 / 1960  # Jinko JKM410M-72HL-V
    flat_gcr = 2.0 / 3.5
    assert s.loc[0, "capacity_kwp"] == pytest.approx(10_000 * 0.30 * flat_gcr * eff)  # factory, flat
    assert s.loc[1, "capacity_kwp"] == pytest.approx(10_000 * 0.40 * flat_gcr * eff)  # public, flat
    pitched = 2_500 * 0.20 / np.cos(np.radians(25)) * 0.90 * eff  # residential, pitched (square: 180 or 90)
    assert s.loc[2, "capacity_kwp"] == pytest.approx(pitched)
    assert list(s["archetype"]) == ["rooftop_flat", "rooftop_flat", "rooftop_pitched"]
    assert s.loc[0, "tilt_deg"] == 15 and s.loc[2, "tilt_deg"] == 25


def test_zero_area_and_geographic_crs_are_refused():
    archs = load_archetypes()
    roofs = synthetic_layers()["rooftop"]
    roofs.loc[1, "geometry"] = shapely.Polygon([(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0)])
    with pytest.raises(LayerError, match="zero area") as exc:
        rooftop_systems(roofs, archs, load_rooftop_fractions())
    assert exc.value.feature == 1
    with pytest.raises(LayerError, match="projected CRS"):
        rooftop_systems(synthetic_layers()["rooftop"].to_crs(4326), archs, load_rooftop_fractions())


def test_rooftop_target_by_roof_area():
    archs = load_archetypes()
    fr = load_rooftop_fractions()
    roofs = synthetic_layers()["rooftop"]
    ind = rooftop_indicator(roofs, fr, archs)
    assert ind.target_id == "rooftop_pv_new_buildings" and ind.unit == "percent"
    assert ind.value == pytest.approx(50.0)  # 1 ha of 2 ha new public/factory roofs have PV
    # a bigger factory with PV weighs more by area than by count
    roofs.loc[0, "geometry"] = box(X0 + 500, Y0 + 500, X0 + 700, Y0 + 600)
    ind = rooftop_indicator(roofs, fr, archs, yield_kwh_per_kwp=1400.0)
    assert ind.value == pytest.approx(100 * 2 / 3)
    assert "by count 1 of 2 buildings (50%)" in ind.basis and "GWh/yr" in ind.basis
    no_pv = gpd.GeoDataFrame(roofs.drop(columns="pv_installed"), crs=CRS)
    assert rooftop_indicator(no_pv, fr, archs) is None
